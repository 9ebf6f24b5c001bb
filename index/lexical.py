"""The lexical side's scorer, behind one small interface: BM25 scores of every row for a query.

Two backends over the same jieba tokens: ``bm25s`` (sparse matrices; default), which the index persists
with bm25s' own save/load (plain .npy and JSON files in the index folder, see BM25_FILES), and ``rank-bm25``
(the original; it scores every document in Python and stops scaling near 10^5 articles — see
bench/results), built from the stored tokens when asked for. bm25s's "robertson" method is BM25Okapi's formula.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

BACKENDS = ("bm25s", "rank-bm25")
K1, B = 1.5, 0.75
# bm25s' files, named for the index folder (flat, next to the other index files)
_NAMES = {"data_name": "bm25.data.csc.npy", "indices_name": "bm25.indices.csc.npy",
          "indptr_name": "bm25.indptr.csc.npy", "vocab_name": "bm25.vocab.json", "params_name": "bm25.params.json"}
BM25_FILES = tuple(_NAMES.values())


class Lexical:
    """BM25 over token lists; ``scores(tokens) -> np.ndarray`` (one float per row)."""

    def __init__(self, corpus_tokens: list[list[str]] | None, backend: str = "bm25s", model=None):
        if backend not in BACKENDS:
            raise ValueError(f"unknown BM25 backend: {backend}")
        self.backend = backend
        if model is not None:  # a loaded bm25s index
            self.model = model
        elif backend == "rank-bm25":
            from rank_bm25 import BM25Okapi

            self.model = BM25Okapi(corpus_tokens, k1=K1, b=B)
        else:
            import bm25s

            self.model = bm25s.BM25(method="robertson", k1=K1, b=B)
            # an empty document still needs one token for bm25s' vocabulary
            self.model.index([tokens or [""] for tokens in corpus_tokens], show_progress=False)
        if backend == "rank-bm25":
            self.size = len(corpus_tokens)
        else:
            self.size = int(self.model.scores["num_docs"])
            self.vocabulary = set(self.model.vocab_dict)

    def save(self, folder: Path) -> None:
        """Write the bm25s index into folder (BM25_FILES)."""
        if self.backend != "bm25s":
            raise ValueError("only the bm25s backend is persisted")
        self.model.save(str(folder), allow_pickle=False, show_progress=False, **_NAMES)

    @classmethod
    def load(cls, folder: Path) -> "Lexical":
        """The bm25s index saved in folder (reads the files; builds nothing)."""
        import bm25s

        model = bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False, **_NAMES)
        return cls(None, "bm25s", model=model)

    def scores(self, tokens: list[str]) -> np.ndarray:
        if self.backend == "rank-bm25":
            return np.asarray(self.model.get_scores(tokens), dtype=np.float64) if tokens \
                else np.zeros(self.size)
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self.model.get_scores(known), dtype=np.float64)
