"""The encoders: a model folder through the torch-only forward pass (`NativeEncoder`) or through
sentence-transformers, the shipped pair of models (`CalibratedEncoder`), and `load_encoder`, which loads
the configured models and never makes them (that is `models.prepare`).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core import paths
from models.protocol import PROMPT_NAMES, Kind, check_input, folder_model_name


class SentenceTransformerEncoder:
    """A local sentence-transformers model folder, loaded on first use, on the CPU.

    Uses the folder's "query" / "passage" (or "document") prompts when it defines them (e5 needs
    `query: ` and `passage: ` prefixes); a folder without them encodes texts as they are.
    """

    def __init__(self, path: Path, name: str | None = None, batch_size: int = 16, progress: bool = False):
        self.path = Path(path)
        self.name = name or folder_model_name(self.path)
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

            from models.native import use_every_core

            use_every_core()
            model = SentenceTransformer(str(self.path), device="cpu")
            self._prompt_names = {kind: next((name for name in names if model.prompts.get(name)), None)
                                  for kind, names in PROMPT_NAMES.items()}
            self._model = model
        return self

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        check_input(texts, kind)
        self.load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            list(texts), prompt_name=self._prompt_names[kind], batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=self.progress)
        return np.asarray(vectors, dtype=np.float32)


class NativeEncoder:
    """The same vectors as `SentenceTransformerEncoder` for a BERT-family mean-pooling folder, from a
    torch-only forward pass (models.native) that starts in about 3 s instead of about 12 s.

    `engine` (models.engine): 'reference' computes sentence-transformers' float32 vectors; 'fast' computes
    in bfloat16 where the processor does so natively, with one worker per core (cosine 0.9999 with the
    reference's), and on a CUDA device when torch finds one.
    """

    def __init__(self, path: Path, spec, name: str | None = None, batch_size: int = 16, engine: str = "reference",
                 reader_dir: Path | None = None):
        from models.engine import ENGINES

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        self.path = Path(path)
        self.spec = spec
        self.name = name or folder_model_name(self.path)
        self.batch_size = batch_size
        self.engine_name = engine
        self.engine = None  # models.engine.Engine, once loaded
        self._model = None
        self._prompts = {kind: next((spec.prompts[n] for n in names if spec.prompts.get(n)), "")
                         for kind, names in PROMPT_NAMES.items()}
        # the answerability reader over this model (models.reader), when given: `read` and `reader_name`
        self.reader_dir = Path(reader_dir) if reader_dir is not None else None
        self.reader_name = folder_model_name(self.reader_dir) if self.reader_dir is not None else None
        self._reader = None

    def __repr__(self) -> str:
        return f"NativeEncoder({str(self.path)!r}, name={self.name!r}, engine={self.engine_name!r})"

    @property
    def dim(self) -> int:
        return self.load()._model.dim

    def load(self) -> NativeEncoder:
        """Load the weights and the tokenizer now instead of on the first encode; returns self."""
        if self._model is None:
            from models.engine import choose
            from models.native import NativeModel

            engine = choose(self.engine_name)
            self._model = NativeModel(self.path, self.spec, dtype=engine.dtype, device=engine.device)
            self.engine = engine
        return self

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        from models.engine import embed

        check_input(texts, kind)
        self.load()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return embed(self._model, [self._prompts[kind] + text for text in texts], self.engine, self.batch_size)

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The answerability reader's logits for passages read with the question (models.reader)."""
        if self.reader_dir is None:
            raise ValueError("this encoder has no answerability reader")
        if self._reader is None:
            from models.reader import load_reader

            self.load()  # the ranking model, whose tensors the reader shares
            self._reader = load_reader(self.reader_dir, self.path, self.engine.dtype, self.engine.device, self._model)
        return self._reader.score(question, passages)


class CalibratedEncoder:
    """A ranking encoder plus a calibration encoder: `encode` ranks, `encode_calibration` embeds with the
    model whose whole-article cosines the abstention and citation thresholds (retrieval.Settings) were
    calibrated on. The index stores both (index.store); `name` and `dim` are the ranking model's.

    Since issue 17 the product encodes with the ranking model alone; the pair serves evaluation and the
    benchmark's path before issue 17, so a question pays both models one call after the other.
    """

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

    @property
    def reader_name(self) -> str | None:
        return getattr(self.ranking, "reader_name", None)

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        return self.ranking.read(question, passages)


def encoder_for_folder(model_dir: Path, engine: str = "reference",
                       reader_dir: Path | None = None) -> NativeEncoder | SentenceTransformerEncoder:
    """The torch-only encoder when the folder's architecture allows it (same vectors, faster start),
    else sentence-transformers; REGQA_ENCODER=sentence-transformers forces the latter.

    `engine` ('reference' or 'fast', models.engine) is the torch-only encoder's; the product's entry point,
    `load_encoder`, passes the configured one (fast unless REGQA_ENCODER=reference).
    """
    from models.native import native_support

    if paths.encoder_backend() == "sentence-transformers":
        return SentenceTransformerEncoder(model_dir)
    spec = native_support(model_dir)
    if isinstance(spec, str):
        return SentenceTransformerEncoder(model_dir)
    return NativeEncoder(model_dir, spec, engine=engine, reader_dir=reader_dir)


def load_encoder(model_dir: Path | None = None, child_process: bool = False, cache_dir: Path | None = None,
                 engine: str | None = None, calibration: bool = False, reader: bool = True):
    """The production encoder, loaded from folders that exist: `model_dir`, else $REGQA_MODEL_DIR, else the
    shipped fine-tuned ranking model, with the answerability reader trained over it (models.reader). With `calibration` (evaluation and the benchmark's path before issue 17),
    the shipped pair instead (`CalibratedEncoder`: the fine-tuned model ranks, the converted one calibrates).

    Never converts or trains: a missing or stale shipped model raises `ModelProblem`, whose message names
    `python -m models prepare`. The weights load on the first encode (or `.load()`). With `child_process`,
    they load and run in a child process that starts now (models.process), while this process does other work.
    `engine` ('fast' or 'reference', models.engine) defaults to $REGQA_ENCODER's (fast unless it says reference).
    `reader` False leaves the answerability reader out (training it, and the data it trains on, need the ranking
    model only).
    """
    from models.protocol import ModelProblem

    engine = engine or _configured_engine()
    model_dir = model_dir or paths.model_dir_override()
    calibration_dir = reader_dir = None
    if model_dir is None:
        from models.convert import check_converted
        from models.reader import check_reader
        from models.train import check_ranking

        base_dir = check_converted(cache_dir)
        model_dir = check_ranking(cache_dir, base_dir)
        calibration_dir = base_dir if calibration else None
        reader_dir = check_reader(cache_dir, model_dir) if reader else None
    model_dir = Path(model_dir)
    if not (model_dir / "modules.json").is_file() and not (model_dir / "config.json").is_file():
        raise ModelProblem("not_a_model", f"{model_dir} 不是 sentence-transformers 模型目录（没有 modules.json 或 config.json）。")
    if child_process:
        from models.process import EncoderProcess

        return EncoderProcess(model_dir, calibration_dir=calibration_dir, engine=engine, reader_dir=reader_dir)
    ranking = encoder_for_folder(model_dir, engine, reader_dir)
    return CalibratedEncoder(ranking, encoder_for_folder(calibration_dir, engine)) if calibration_dir else ranking


def _configured_engine() -> str:
    backend = paths.encoder_backend()
    return backend if backend in ("fast", "reference") else "fast"
