"""The one protocol every encoder follows: `encode(texts, kind) -> float32 rows, L2-normalized`, with
`name` and `dim` for index manifests; and the deterministic `FakeEncoder` unit tests use instead of a model."""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]
KINDS: tuple[Kind, ...] = ("query", "passage")
# prompt names looked up in a model folder, first found wins ("document" is sentence-transformers' name)
PROMPT_NAMES: dict[str, tuple[str, ...]] = {"query": ("query",), "passage": ("passage", "document")}
# the record a model folder carries (conversion or training), with the model's name
RECORD_FILE = "conversion.json"


def training_estimate(pairs: int, seconds_per_pair: tuple[float, float]) -> str:
    """How long training on this many pairs takes on 2 cores at a fast and a slow day's rate, in Chinese
    (约 9–16 分钟): what set-up prints before a training."""
    low, high = (max(math.ceil(pairs * seconds / 60), 1) for seconds in seconds_per_pair)
    return f"约 {low} 分钟" if low == high else f"约 {low}–{high} 分钟"


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


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON Lines data file (the models' training pairs), blank lines skipped."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(rows: Sequence, path: Path) -> Path:
    """Write dataclass records as JSON Lines (UTF-8, one object per line); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(row), ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def records_digest(rows: Sequence) -> str:
    """SHA-256 of dataclass records as one JSON list: what a trained model's name and record say it was trained on."""
    return hashlib.sha256(json.dumps([asdict(row) for row in rows], ensure_ascii=False).encode()).hexdigest()


def check_input(texts: Sequence[str], kind: str) -> None:
    """Refuse a single string (a common slip) and an unknown kind."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, not a single string")
    if kind not in KINDS:
        raise ValueError(f"kind must be 'query' or 'passage', got {kind!r}")


def folder_model_name(path: Path) -> str:
    """The model name recorded in the folder's conversion.json, else the folder's name."""
    try:
        record = json.loads((Path(path) / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Path(path).resolve().name
    name = record.get("model_name") if isinstance(record, dict) else None
    return name if isinstance(name, str) and name else Path(path).resolve().name


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
        check_input(texts, kind)
        vectors = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            framed = f"^{text}$"
            for start in range(len(framed) - 1):
                bucket = zlib.crc32(framed[start:start + 2].encode("utf-8")) % self.dim
                vectors[row, bucket] += 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


PREPARE_COMMAND = ".venv/bin/python -m models prepare"


class ModelProblem(Exception):
    """A model that cannot be loaded as it is: `reason` is a code ('missing', 'stale', 'not_a_model'),
    `detail` the reason in Chinese; the message adds the command that prepares the models."""

    def __init__(self, reason: str, detail: str, command: str = PREPARE_COMMAND):
        self.reason, self.detail, self.command = reason, detail, command
        super().__init__(f"{detail}请运行 `{command}` 准备模型。" if command else detail)


# A model folder is prepared in a staging folder beside it, named .<folder>.<pid>.<random>, and renamed into place.
# A preparation killed by a signal (SIGTERM, SIGKILL) never reaches its cleanup; the process id in the name lets a
# later preparation tell such leftovers (about 85 MB each for the reader) from a live concurrent one's.
_STAGING = re.compile(r"^\.[^.].*\.(?P<pid>\d+)\.[a-z0-9_]+$")


def staging_dir(parent: Path, name: str) -> Path:
    """A new, empty staging folder for the model folder `name` in `parent`, named with this process's id."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", dir=parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove the staging folders in `parent` whose preparing process is gone; returns what was removed. A live
    process's staging folder (a concurrent preparation) is kept, and so is anything not named like one."""
    if not parent.is_dir():
        return []
    removed = []
    for path in sorted(parent.iterdir()):
        match = _STAGING.match(path.name)
        if match and path.is_dir() and not _alive(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
