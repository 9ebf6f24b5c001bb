"""Tiny inline corpora indexed with the fake encoder: the set-up the unit tests share."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from index import build, load
from models.protocol import FakeEncoder
from ingest import load_corpus
from retrieval.retriever import Retriever, Settings


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    """The folder holding each named regulation text (UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def fake_index(corpus_dir: Path, index_dir: Path) -> Path:
    """The corpus folder indexed with FakeEncoder into index_dir."""
    build(load_corpus(corpus_dir), index_dir, FakeEncoder(), [corpus_dir])
    return index_dir


def fake_retriever(root: Path, files: dict[str, str], **settings) -> Retriever:
    """A retriever over the texts, written to root/regs and indexed into root/index; settings override
    the defaults."""
    index_dir = fake_index(write_corpus(root / "regs", files), root / "index")
    return Retriever(load(index_dir, "fake-bigram"), FakeEncoder(), dataclasses.replace(Settings(), **settings))


class Said(list):
    """A progress listener that keeps each event's message (core.events.Event), for assertions."""

    def __call__(self, event) -> None:
        self.append(event.message)
