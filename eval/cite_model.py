"""Fit the citation model (retrieval.cite_model) on the dev questions: ``python -m eval cite-model``.

Every answerable dev question is answered with the citation model off; each of the best hits the rules left out is
one example, labelled by whether it is a gold article. The threshold is chosen on out-of-fold probabilities (5 folds
grouped by question): the lowest at which the articles it adds are gold at least as often as those the rules cite.
Not trained on: pack_test and the five's test and holdouts (reported as unseen), nor any holdout written after.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np

from retrieval.cite_model import FEATURES, MODEL_FILE, CiteModel, candidate_features

TRAINING_SPLITS = (("dev", "bundled"), ("pack_dev", "default"), ("pack_holdout", "default"),
                   *((f"pack_holdout{n}", "default") for n in range(14, 25)), ("answer_dev", "default"))
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.61, 0.05))
C = 1.0


def gold_digest() -> str:
    """The training questions' files, hashed (the model file records it; a test checks it is current)."""
    from eval.answerability import gold_digest as digest_of

    return digest_of(TRAINING_SPLITS)


def examples(say=print) -> dict:
    """Features, labels and question groups of the left-out hits, and the rules' own citations (cited, gold)."""
    from eval.__main__ import bundled_index
    from eval.gold import load_split
    from eval.runner import CachedEncoder
    from models import load_encoder
    from retrieval.retriever import Retriever

    inner = load_encoder(calibration=True)  # as python -m eval reads the index
    encoder = CachedEncoder(inner)
    retrievers: dict[str, Retriever] = {}
    xs, ys, groups, seen = [], [], [], set()
    cited = cited_gold = 0
    for split, corpus in TRAINING_SPLITS:
        if corpus not in retrievers:
            base = Retriever(bundled_index(None, inner, say, corpus), encoder)
            retrievers[corpus] = Retriever(base.data, encoder, dataclasses.replace(base.settings, cite_model=False))
        retriever = retrievers[corpus]
        articles = {a.key: a for a in retriever.data.articles}
        count = 0
        for question in load_split(split):
            if not question.answerable or question.question in seen:
                continue
            seen.add(question.question)
            answer = retriever.ask(question.question)
            query = answer.retrieval.query
            kept = {c.key for c in answer.citations if c.role in ("answer", "definition")}
            if answer.abstained or not kept or query.is_comparison:
                continue
            gold = set(question.gold_keys)
            cited += len(kept)
            cited_gold += len(kept & gold)
            for hit, values in candidate_features(list(answer.retrieval.hits), kept, query.cleaned or query.text,
                                                  query.places, articles):
                xs.append(values), ys.append(hit.key in gold), groups.append(len(seen))
            count += 1
        say(f"{split}: {count} 个问题")
    return {"x": np.array(xs), "y": np.array(ys, dtype=bool), "groups": np.array(groups), "cited": cited,
            "cited_gold": cited_gold, "questions": len(seen),
            "ranking_model": retrievers["default"].data.manifest.model.name}


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    return scaler, LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(x), y)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    probabilities = np.zeros(len(y))
    for train, held_out in GroupKFold(5).split(x, y, groups):
        scaler, model = fit(x[train], y[train])
        probabilities[held_out] = model.predict_proba(scaler.transform(x[held_out]))[:, 1]
    return probabilities


def train(say=print) -> dict:
    pool = examples(say)
    x, y = pool["x"], pool["y"]
    probabilities = out_of_fold(x, y, pool["groups"])
    share = pool["cited_gold"] / pool["cited"]  # how often an article the rules cite is gold
    curve = [{"threshold": t, "added": int((probabilities >= t).sum()), "gold_added": int(y[probabilities >= t].sum()),
              "gold_share_of_added": round(float(y[probabilities >= t].mean()), 3) if (probabilities >= t).any() else 0}
             for t in THRESHOLDS]
    chosen = next((row for row in curve if row["added"] and row["gold_share_of_added"] >= share), curve[-1])
    scaler, model = fit(x, y)
    stored = CiteModel(FEATURES, scaler.mean_, scaler.scale_, model.coef_[0], float(model.intercept_[0]),
                       chosen["threshold"],
                       {"ranking_model": pool["ranking_model"], "splits": [s for s, _ in TRAINING_SPLITS],
                        "questions": pool["questions"], "examples": int(len(y)), "gold_examples": int(y.sum()),
                        "gold_digest": gold_digest(), "rules_cited": pool["cited"],
                        "rules_gold_share": round(share, 3), "out_of_fold_at_threshold": chosen})
    MODEL_FILE.write_text(json.dumps(stored.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"model_file": str(MODEL_FILE), "rules_gold_share": round(share, 3), "curve": curve, "chosen": chosen,
            "weights": dict(zip(FEATURES, np.round(model.coef_[0], 3).tolist()))}
