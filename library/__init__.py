"""The regulations an administrator adds: a folder of files with its own manifest.json (library.user_corpus),
indexed with the bundled corpus; used by the app's 管理 tab and `python -m index add|remove|list`.

Entry points: `UserCorpus.default()` (preview, add, remove, regulations) and `default_corpus_folders()`.
"""
from __future__ import annotations

from pathlib import Path

from library.user_corpus import AddedRegulation, Change, Preview, Rejected, UserCorpus

__all__ = ["AddedRegulation", "Change", "Preview", "Rejected", "UserCorpus", "default_corpus_folders"]


def default_corpus_folders() -> list[Path]:
    """The default corpus: the bundled regulations, plus the administrator's folder when it holds any."""
    return UserCorpus.default().corpus_folders()
