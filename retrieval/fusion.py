"""Pure rank-fusion functions with deterministic tie-breaks."""
from __future__ import annotations

from collections.abc import Sequence


def rrf(runs: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked lists of row ids.

    Returns (row, score) best first; ties go to the row with the better best rank, then the lower row.
    """
    weights = weights or [1.0] * len(runs)
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for run, weight in zip(runs, weights):
        for rank, row in enumerate(run, start=1):
            scores[row] = scores.get(row, 0.0) + weight / (k + rank)
            best_rank[row] = min(best_rank.get(row, rank), rank)
    return sorted(scores.items(), key=lambda item: (-item[1], best_rank[item[0]], item[0]))


def interleave(groups: Sequence[Sequence[int]]) -> list[int]:
    """Round-robin merge of ranked lists (one per place), skipping repeats."""
    merged: list[int] = []
    seen: set[int] = set()
    for position in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if position < len(group) and group[position] not in seen:
                seen.add(group[position])
                merged.append(group[position])
    return merged


def convex(score_runs: Sequence[dict[int, float]], weights: Sequence[float]) -> list[tuple[int, float]]:
    """Weighted sum of min-max normalized scores; a row missing from a run scores 0 there.

    Returns (row, score) best first; ties go to the lower row id.
    """
    combined: dict[int, float] = {}
    for run, weight in zip(score_runs, weights):
        if not run:
            continue
        low, high = min(run.values()), max(run.values())
        span = (high - low) or 1.0
        for row, score in run.items():
            combined[row] = combined.get(row, 0.0) + weight * (score - low) / span
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))
