"""Hybrid retrieval over a loaded index: BM25 + dense, fused, place-aware, able to abstain."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.store import IndexData
from index.tokenize import make_tokenizer
from retrieval.fusion import convex, interleave, rrf
from retrieval.normalize import clean_question, detect_places, expand_synonyms, place_aliases
from retrieval.records import Filters, Hit, Query, Retrieval

_DEFINITION_QUESTION = re.compile(r"什么是|是指什么|指什么|指的是|什么意思|啥意思|含义|定义|怎么界定|如何界定|是啥|包括哪些")


@dataclass(frozen=True)
class Settings:
    """Tunable knobs (tuned on the dev split of the gold set only)."""

    fusion: str = "rrf"  # 'rrf' (reciprocal rank) or 'convex' (weighted min-max normalized scores)
    rrf_k: int = 10
    bm25_weight: float = 1.0
    dense_weight: float = 1.5
    depth: int = 100  # how many rows of each side are fused
    # The corpus is taken not to cover a question when its best dense cosine is under abstain_below,
    # or under abstain_unsure_below while its best BM25 score is also under abstain_bm25_below.
    abstain_below: float = 0.86
    abstain_unsure_below: float = 0.885
    abstain_bm25_below: float = 8.0
    place_boost: bool = True
    synonyms: bool = True
    definitions: bool = True  # 什么是X / X是指什么: the article defining X goes first


def _asks_meaning_of(term: str, text: str) -> bool:
    """Whether the question asks what the term means (什么是X, “X”是指什么, X的含义 …)."""
    quoted = f"[“\"「]?{re.escape(term)}[”\"」]?"
    return bool(re.search(rf"(?:什么(?:是|叫)){quoted}|{quoted}(?:这个词|一词)?(?:是指|指的是|指什么|的含义|含义|"
                          rf"是什么意思|什么意思|啥意思|的定义|定义|是怎么定义|怎么定义|如何定义|是啥|具体指|包括哪些|怎么界定)",
                          text))


class Retriever:
    """A loaded index plus its encoder; ``search(question, k, filters) -> list[Hit]``."""

    def __init__(self, data: IndexData, encoder, settings: Settings | None = None):
        from rank_bm25 import BM25Okapi

        self.data = data
        self.encoder = encoder
        self.settings = settings or Settings()
        self.tokenize = make_tokenizer()
        self.bm25 = BM25Okapi(data.bm25_tokens)
        self.jurisdiction_of_row = np.array([a.jurisdiction for a in data.articles])
        self.regulation_of_row = np.array([a.regulation for a in data.articles])
        self.aliases = place_aliases(sorted(set(self.jurisdiction_of_row.tolist())))
        self.row_of_key = {a.key: row for row, a in enumerate(data.articles)}
        self.defining_rows: dict[str, list[int]] = {}
        for entry in data.glossary:
            row = self.row_of_key.get(f"{entry.regulation}#{entry.article_no}")
            if row is not None and len(entry.term) >= 2:
                self.defining_rows.setdefault(entry.term, []).append(row)

    @classmethod
    def load(cls, index_dir: Path | None = None, encoder=None, settings: Settings | None = None,
             progress=None) -> "Retriever":
        """Load (and on first use build) the index, with the configured encoder."""
        from index import ensure_index
        from index.encoder import load_encoder

        encoder = encoder or load_encoder(progress=progress)
        return cls(ensure_index(index_dir, encoder=encoder, progress=progress), encoder, settings)

    # 1. the query
    def parse(self, question: str) -> Query:
        text, truncated = clean_question(question)
        places = detect_places(text, self.aliases) if self.settings.place_boost else ()
        searched = expand_synonyms(text) if self.settings.synonyms else text
        return Query(original=question, text=searched, places=places, truncated=truncated)

    # 2. each side's scores over all rows
    def bm25_scores(self, query: Query) -> np.ndarray:
        tokens = self.tokenize(query.text)
        if not tokens:
            return np.zeros(len(self.data.articles))
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float64)

    def dense_scores(self, query: Query) -> np.ndarray:
        """Best cosine of each article's passages (-1 for articles with none)."""
        vector = self.encoder.encode([query.text], "query").astype(np.float32)
        total = self.data.dense.ntotal
        similarities, ids = self.data.dense.search(vector, total)
        scores = np.full(len(self.data.articles), -1.0)
        rows = self.data.dense_rows[ids[0]]
        # ids come best first, so the first time a row is seen is its best passage
        order = np.unique(rows, return_index=True)[1]
        scores[rows[order]] = similarities[0][order]
        return scores

    def _allowed(self, filters: Filters | None) -> np.ndarray:
        mask = np.ones(len(self.data.articles), dtype=bool)
        if filters and filters.regulations:
            mask &= np.isin(self.regulation_of_row, list(filters.regulations))
        if filters and filters.jurisdictions:
            mask &= np.isin(self.jurisdiction_of_row, list(filters.jurisdictions))
        return mask

    @staticmethod
    def _ranking(scores: np.ndarray, allowed: np.ndarray, depth: int) -> list[int]:
        rows = np.flatnonzero(allowed)
        order = np.lexsort((rows, -scores[rows]))  # score desc, then row asc
        return rows[order][:depth].tolist()

    # 3. fuse, apply places, decide coverage
    def retrieve(self, question: str, k: int = 10, filters: Filters | None = None,
                 mode: str = "hybrid") -> Retrieval:
        """Search and decide whether the corpus covers the question.

        Args:
            mode: 'hybrid' (default), 'bm25' or 'dense' (for evaluation).
        """
        settings = self.settings
        query = self.parse(question)
        allowed = self._allowed(filters)
        bm25 = self.bm25_scores(query) if mode in ("hybrid", "bm25") else np.zeros(len(allowed))
        dense = self.dense_scores(query) if mode in ("hybrid", "dense") else np.zeros(len(allowed))
        if mode == "bm25":
            fused = [(row, float(bm25[row])) for row in self._ranking(bm25, allowed, len(allowed))]
        elif mode == "dense":
            fused = [(row, float(dense[row])) for row in self._ranking(dense, allowed, len(allowed))]
        else:
            runs = [self._ranking(bm25, allowed, settings.depth), self._ranking(dense, allowed, settings.depth)]
            weights = [settings.bm25_weight, settings.dense_weight]
            if settings.fusion == "convex":
                fused = convex([{row: float(bm25[row]) for row in runs[0]},
                                {row: float(dense[row]) for row in runs[1]}], weights)
            else:
                fused = rrf(runs, k=settings.rrf_k, weights=weights)
        score_of = dict(fused)
        ranked = [row for row, _ in fused]
        if settings.definitions and _DEFINITION_QUESTION.search(query.text):
            ranked = self._definitions_first(ranked, query.text, allowed)
        if query.places:
            ranked = self._place_order(ranked, query.places)
        hits = tuple(
            Hit(key=self.data.articles[row].key, regulation=self.data.articles[row].regulation,
                article_no=self.data.articles[row].article_no, label=self.data.articles[row].label,
                jurisdiction=self.data.articles[row].jurisdiction, rank=rank, score=score_of[row],
                retriever=mode, bm25_score=float(bm25[row]), dense_score=float(dense[row]))
            for rank, row in enumerate(ranked[:k], start=1))
        confidence = float(dense[allowed].max()) if mode != "bm25" and allowed.any() else 0.0
        best_bm25 = float(bm25[allowed].max()) if mode != "dense" and allowed.any() else float("inf")
        abstained = not hits or (mode != "bm25" and (
            confidence < settings.abstain_below
            or (confidence < settings.abstain_unsure_below and best_bm25 < settings.abstain_bm25_below)))
        return Retrieval(query=query, hits=hits, abstained=abstained, confidence=confidence)

    def _definitions_first(self, ranked: list[int], text: str, allowed: np.ndarray) -> list[int]:
        """Articles that define a term named in the question move to the front (longest term first)."""
        terms = sorted((t for t in self.defining_rows if _asks_meaning_of(t, text)), key=len, reverse=True)
        if not terms:
            return ranked
        longest = len(terms[0])
        front = [row for t in terms if len(t) == longest for row in self.defining_rows[t] if allowed[row]]
        front = list(dict.fromkeys(front))
        return front + [row for row in ranked if row not in set(front)]

    def _place_order(self, ranked: list[int], places: tuple[str, ...]) -> list[int]:
        """Named places first: one place -> its articles first; several -> the best of each, in turns."""
        groups = [[row for row in ranked if self.jurisdiction_of_row[row] == place] for place in places]
        first = interleave(groups)
        chosen = set(first)
        return first + [row for row in ranked if row not in chosen]

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return list(self.retrieve(question, k, filters).hits)

    def article(self, key: str):
        return self.data.articles[self.row_of_key[key]]
