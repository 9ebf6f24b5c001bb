"""The lexical side's scorer, behind one small interface: BM25 scores of every row for a query.

Two backends over the same jieba tokens: ``bm25s`` (sparse matrices; default) and ``rank-bm25``
(the original; it scores every document in Python and stops scaling near 10^5 articles — see
bench/results). bm25s's "robertson" method is BM25Okapi's formula.
"""
from __future__ import annotations

import numpy as np

BACKENDS = ("bm25s", "rank-bm25")
K1, B = 1.5, 0.75


class Lexical:
    """BM25 over token lists; ``scores(tokens) -> np.ndarray`` (one float per row)."""

    def __init__(self, corpus_tokens: list[list[str]], backend: str = "bm25s"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown BM25 backend: {backend}")
        self.backend = backend
        self.size = len(corpus_tokens)
        if backend == "rank-bm25":
            from rank_bm25 import BM25Okapi

            self.model = BM25Okapi(corpus_tokens, k1=K1, b=B)
        else:
            import bm25s

            self.model = bm25s.BM25(method="robertson", k1=K1, b=B)
            # an empty document still needs one token for bm25s' vocabulary
            self.model.index([tokens or [""] for tokens in corpus_tokens], show_progress=False)
            self.vocabulary = set(self.model.vocab_dict)

    def scores(self, tokens: list[str]) -> np.ndarray:
        if self.backend == "rank-bm25":
            return np.asarray(self.model.get_scores(tokens), dtype=np.float64) if tokens \
                else np.zeros(self.size)
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self.model.get_scores(known), dtype=np.float64)
