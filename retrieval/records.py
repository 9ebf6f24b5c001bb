"""Typed records of the retrieval stage: the parsed query, one hit, one retrieval."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some regulations (exact titles) and/or jurisdictions (e.g. 天津市)."""

    regulations: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A question after normalization: what is searched and which places it names."""

    original: str
    text: str  # normalized (simplified, half-width, one space), synonyms expanded
    places: tuple[str, ...]  # jurisdictions named, in order of appearance
    truncated: bool = False
    lexical_text: str = ""  # what BM25 searches: text plus the regulations' words for everyday ones ('' = text)

    @property
    def is_comparison(self) -> bool:
        return len(self.places) >= 2


@dataclass(frozen=True)
class Hit:
    """One retrieved article: its key, rank and score, and which retriever produced the score."""

    key: str  # 天津市信息化促进条例#28
    regulation: str
    article_no: int
    label: str
    jurisdiction: str
    rank: int  # 1-based
    score: float
    retriever: str  # 'bm25' | 'dense' | 'hybrid'
    bm25_score: float = 0.0
    dense_score: float = 0.0


@dataclass(frozen=True)
class Retrieval:
    """The hits for a query and whether the corpus seems not to cover it."""

    query: Query
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float  # the evidence the abstention decision used (best dense cosine)
