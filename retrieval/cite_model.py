"""The citation model: which of the best hits the citation rules left out answer the question all the same.

The rules (retrieval.citing.answering_hits) cite a hit whose evidence is close to the best hit's. A question of two
parts, or one naming a place and a national law, often has its second answer lower down, with less of the question's
words: 北京的自来水公司要公开收费标准吗？不公开找谁反映？ is answered by 北京市信息化促进条例 #20 and by 政府信息公开条例 #55,
which the rules left out. A logistic model over signals of each left-out hit among the best CANDIDATE_DEPTH (its rank,
its scores against the best, its share of the question's words, whether its regulation is the best hit's, is national,
is named in the question, whether the question names places or asks in several sentences) gives the probability that
it is a gold article; a hit at or above the model's threshold is cited too. Trained by ``python -m eval cite-model``
on the dev questions (eval.cite_model), stored as plain JSON in ``retrieval/cite_model.json``: weights, scaling and
the threshold, chosen where the articles it adds are gold as often as those the rules cite.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.records import Article
from retrieval.answerability import logistic
from retrieval.citing import CJK, shared_words
from retrieval.normalize import law_aliases
from retrieval.records import NATIONAL, Hit

MODEL_FILE = Path(__file__).resolve().parent / "cite_model.json"
CANDIDATE_DEPTH = 5  # the hits read: those the answer shows first
FEATURES = ("rank_inverse", "score_ratio", "bm25_ratio", "article_gap", "sentence_gap", "overlap_share",
            "same_regulation_as_best", "national", "names_places", "in_named_place", "several_sentences",
            "regulation_named", "cited_already", "regulation_cited")
_SENTENCE_END = re.compile(r"(?<=[?？!！;；。])")


def sentences_asked(question: str) -> int:
    """How many sentences of at least four Chinese characters the question has."""
    return sum(len(CJK.findall(part)) >= 4 for part in _SENTENCE_END.split(question))


@lru_cache(maxsize=64)
def _aliases(title: str) -> tuple[str, ...]:
    return tuple(alias for alias in law_aliases(title) if len(alias) >= 3)


def candidate_features(hits: list[Hit], cited: set[str], question: str, places: tuple[str, ...],
                       articles: dict[str, Article]) -> list[tuple[Hit, np.ndarray]]:
    """(hit, FEATURES values) for each of the best CANDIDATE_DEPTH hits not in ``cited``.

    Args:
        hits: the hits in rank order (those the answer may cite);
        cited: the keys the rules cite (definitions included);
        question: the question as asked, normalized (Query.cleaned): its words, sentences and named laws.
    """
    if not hits:
        return []
    overlaps = shared_words(hits, question, articles)
    best_bm25 = max(h.bm25_score for h in hits) or 1.0
    best_article = max(h.dense_score for h in hits)
    best_sentence = max(max(h.sentence_scores, default=h.dense_score) for h in hits)
    best_overlap = max(overlaps.values()) or 1.0
    top = hits[0].score or 1.0
    several = sentences_asked(question) >= 2
    cited_regulations = {h.regulation for h in hits if h.key in cited}
    rows = []
    for hit in hits[:CANDIDATE_DEPTH]:
        if hit.key in cited:
            continue
        values = (1.0 / hit.rank, hit.score / top, hit.bm25_score / best_bm25, best_article - hit.dense_score,
                  best_sentence - max(hit.sentence_scores, default=hit.dense_score), overlaps[hit.key] / best_overlap,
                  hit.regulation == hits[0].regulation, hit.jurisdiction == NATIONAL, bool(places),
                  hit.jurisdiction in places, several, any(a in question for a in _aliases(hit.regulation)),
                  len(cited), hit.regulation in cited_regulations)
        rows.append((hit, np.array(values, dtype=np.float64)))
    return rows


@dataclass(frozen=True)
class CiteModel:
    """Standardized logistic regression over FEATURES."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float  # P(gold) at which a left-out hit is cited
    trained_on: dict = field(default_factory=dict, compare=False)

    def probability(self, values: np.ndarray) -> float:
        return logistic(float(((values - self.mean) / self.scale) @ self.weights + self.bias))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, "threshold": self.threshold,
                "trained_on": self.trained_on}

    @classmethod
    def from_json(cls, raw: dict) -> "CiteModel":
        return cls(tuple(raw["features"]), np.array(raw["mean"], dtype=np.float64),
                   np.array(raw["scale"], dtype=np.float64), np.array(raw["weights"], dtype=np.float64),
                   float(raw["bias"]), float(raw["threshold"]), dict(raw.get("trained_on", {})))


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> CiteModel | None:
    """The stored model; None when there is none, or it was fitted on other features (it is then not used)."""
    try:
        model = CiteModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return model if model.features == FEATURES else None


def likely_answering(hits: list[Hit], cited: set[str], question: str, places: tuple[str, ...],
                     articles: dict[str, Article], model: CiteModel | None, ranking_model: str = "") -> list[Hit]:
    """The left-out hits the model takes to answer too, in rank order (none without a model, or with one fitted on
    another ranking model's scores)."""
    if model is None or (ranking_model and model.trained_on.get("ranking_model") not in ("", ranking_model)):
        return []
    return [hit for hit, values in candidate_features(hits, cited, question, places, articles)
            if model.probability(values) >= model.threshold]
