"""Retrieval and answer metrics over a gold set, computed with ranx (not hand-rolled)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from eval.gold import GoldQuestion

RANKING_METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "hit_rate@1")
NAMES = {"recall@1": "Recall@1", "recall@5": "Recall@5", "recall@10": "Recall@10", "mrr@10": "MRR@10",
         "ndcg@10": "nDCG@10", "hit_rate@1": "Hit@1"}


@dataclass(frozen=True)
class SystemRun:
    """One system's output on one gold question."""

    question_id: str
    ranked_keys: tuple[str, ...]  # article keys, best first
    abstained: bool
    excerpts: tuple[tuple[str, str], ...] = ()  # (article key, excerpt) shown in the composed answer
    state: str = ""  # answered / partial / not_found (retrieval.records.STATES); '' without a decision
    # the answerability decision's score on one scale: the reader's step probability where the reader read; 1.0 where
    # the signals were confident enough that it did not (answered); nan when thresholds decided
    probability: float = float("nan")
    threshold: float = float("nan")  # the operating point that score is held against


def ranking_scores(questions: list[GoldQuestion], runs: dict[str, SystemRun]) -> dict[str, np.ndarray]:
    """Per-question ranking metrics for the answerable questions, in question order."""
    from ranx import Qrels, Run, evaluate

    answerable = [q for q in questions if q.answerable]
    qrels = Qrels({q.id: {key: 1 for key in q.gold_keys} for q in answerable})
    # ranx orders by score: give rank r the score 1/r so our order (place-aware) is kept exactly
    run = Run({q.id: ({key: 1.0 / rank for rank, key in enumerate(runs[q.id].ranked_keys, 1)}
                      or {"<none>": 0.0}) for q in answerable})
    scores = evaluate(qrels, run, list(RANKING_METRICS), return_mean=False, make_comparable=True)
    order = {qid: i for i, qid in enumerate(qrels.keys())}
    positions = [order[q.id] for q in answerable]
    return {NAMES[m]: np.asarray(scores[m])[positions] for m in RANKING_METRICS}


def mean_scores(per_question: dict[str, np.ndarray], mask: np.ndarray | None = None) -> dict[str, float]:
    return {name: round(float(values[mask].mean() if mask is not None else values.mean()), 3)
            for name, values in per_question.items() if (mask is None or mask.any())}


def abstention(questions: list[GoldQuestion], runs: dict[str, SystemRun]) -> dict[str, float]:
    """Abstention as a classifier of unanswerable questions: precision, recall, false abstention rate."""
    truth = np.array([not q.answerable for q in questions])
    said = np.array([runs[q.id].abstained for q in questions])
    true_positive = int((truth & said).sum())
    return {
        "unanswerable": int(truth.sum()), "abstained": int(said.sum()),
        "precision": round(true_positive / said.sum(), 3) if said.any() else 0.0,
        "recall": round(true_positive / truth.sum(), 3) if truth.any() else 0.0,
        "false_abstention_rate": round(int((~truth & said).sum()) / max(1, int((~truth).sum())), 3),
    }


def answer_quality(questions: list[GoldQuestion], runs: dict[str, SystemRun],
                   article_text: dict[str, str]) -> dict[str, float]:
    """Keyword coverage of the composed answers, the share of gold articles they cite, and citation fidelity of
    every excerpt shown."""
    covered = total = verbatim = excerpts = gold = gold_cited = 0
    for question in questions:
        run = runs[question.id]
        shown = "\n".join(text for _, text in run.excerpts)
        if question.answerable:
            total += len(question.answer_keywords)
            covered += sum(keyword in shown for keyword in question.answer_keywords)
            cited = {key for key, _ in run.excerpts}
            gold += len(question.gold_keys)
            gold_cited += sum(key in cited for key in question.gold_keys)
        for key, text in run.excerpts:
            excerpts += 1
            verbatim += key in article_text and text in article_text[key]
    return {"keyword_coverage": round(covered / total, 3) if total else 0.0,
            "gold_cited": round(gold_cited / gold, 3) if gold else 0.0,
            "citation_fidelity": round(verbatim / excerpts, 3) if excerpts else 1.0, "excerpts": excerpts}


def breakdown(questions: list[GoldQuestion], per_question: dict[str, np.ndarray], field: str
              ) -> dict[str, dict[str, float]]:
    """Mean ranking metrics per value of a question field ('kind' or 'persona')."""
    answerable = [q for q in questions if q.answerable]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, question in enumerate(answerable):
        groups[getattr(question, field)].append(i)
    result = {}
    for value, positions in sorted(groups.items()):
        mask = np.zeros(len(answerable), dtype=bool)
        mask[positions] = True
        result[value] = {"questions": len(positions), **mean_scores(per_question, mask)}
    return result
