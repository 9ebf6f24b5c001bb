"""Train the answerability model (retrieval.answerability) on the dev questions, and measure it.

``python -m eval answerability`` reads every dev question through the retriever (the five regulations' dev split
on those five; pack_dev and answer_dev on the default corpus), takes the features its decision reads, and fits a
logistic regression (scikit-learn) on the real questions: answerable (1) or out of scope (0). The operating point
is chosen on cross-validated probabilities: the highest threshold that refuses at most MAX_REFUSED of the dev
answerable questions. Test and holdout splits never train or tune it.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

from eval.gold import ALL_SPLIT_FILES, GOLD_DIR, load_split
from retrieval.answerability import FEATURES, MODEL_FILE, AnswerabilityModel

# (split, corpus) pairs the model trains on
TRAINING_SPLITS = (("dev", "bundled"), ("pack_dev", "default"), ("answer_dev", "default"))
MAX_REFUSED = 0.015  # at most this share of answerable dev questions refused (cross-validated)
PARTIAL_SHARE = 0.5  # 'partial' needs the best article to hold half of the question's words the corpus holds
C = 1.0  # inverse regularization strength
# The direction each feature may push (+1 towards answerable, -1 against, 0 either): a feature whose fitted weight
# points the other way (a collinear artefact of a small dev set, e.g. 'more words no article holds, more
# answerable') is dropped and the model refitted, so that every weight the page explains means what it says.
SIGNS = {"article_cosine": 1, "sentence_cosine": 1, "article_margin": 1, "bm25": 1, "covered_top1": 1,
         "covered_top3": 1, "missing": -1, "missing_share": -1, "missing_known": -1, "missing_rarity": -1,
         "content_words": 0, "asks_quantity": 0, "quantity_unstated": -1}


def gold_digest() -> str:
    """The training questions' files, hashed (the model file records it; a test checks it is current)."""
    digest = hashlib.sha256()
    for split, _ in TRAINING_SPLITS:
        for name in ALL_SPLIT_FILES[split]:
            digest.update((GOLD_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def features_of(retriever, questions) -> tuple[np.ndarray, np.ndarray, list]:
    """(features, answerable labels, decisions) of questions through a retriever deciding by thresholds."""
    rows, labels, decisions = [], [], []
    for question in questions:
        retrieval = retriever.retrieve(question.question, 10)
        if retrieval.decision is None:  # no hit at all: nothing to learn from
            continue
        values = dict(retrieval.decision.features)
        rows.append([values[name] for name in FEATURES])
        labels.append(int(question.answerable))
        decisions.append(retrieval.decision)
    return np.array(rows, dtype=np.float64), np.array(labels), decisions


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, object, object]:
    """(kept feature mask, scaler, model): a balanced logistic regression, refitted without the feature whose weight
    most contradicts SIGNS until none does."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    kept = np.ones(len(FEATURES), dtype=bool)
    while True:
        scaler = StandardScaler().fit(x[:, kept])
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(scaler.transform(x[:, kept]), y)
        names = [name for name, keep in zip(FEATURES, kept) if keep]
        wrong = [(weight * SIGNS[name], name) for weight, name in zip(model.coef_[0], names)
                 if weight * SIGNS[name] < 0]
        if not wrong:
            return kept, scaler, model
        kept[FEATURES.index(min(wrong)[1])] = False


def cross_validated(x: np.ndarray, y: np.ndarray, seeds: int = 3) -> np.ndarray:
    """Each question's probability from models that did not see it (5 folds, averaged over seeds)."""
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros((seeds, len(y)))
    for seed in range(seeds):
        for train, held_out in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            kept, scaler, model = fit(x[train], y[train])
            probabilities[seed, held_out] = model.predict_proba(scaler.transform(x[held_out][:, kept]))[:, 1]
    return probabilities.mean(axis=0)


def operating_point(probabilities: np.ndarray, y: np.ndarray, max_refused: float = MAX_REFUSED) -> float:
    """The highest threshold refusing at most max_refused of the answerable questions."""
    answerable = np.sort(probabilities[y == 1])
    allowed = int(np.floor(max_refused * len(answerable)))  # this many may fall under the threshold
    return float(answerable[allowed]) if len(answerable) else 0.5


def curve(probabilities, y, also: tuple[float, ...] = ()) -> list[dict]:
    """Precision-recall of abstaining (the positive class: out of scope) at every threshold seen (and at also)."""
    rows = []
    for threshold in np.unique(np.concatenate([np.round(probabilities, 3), np.array(also, dtype=float)])):
        said = probabilities < threshold
        out = y == 0
        caught = int((said & out).sum())
        rows.append({"threshold": float(threshold), "oos_abstained": caught, "oos": int(out.sum()),
                     "refused": int((said & ~out).sum()), "answerable": int((~out).sum()),
                     "precision": round(caught / said.sum(), 3) if said.any() else 1.0,
                     "recall": round(caught / out.sum(), 3) if out.any() else 0.0})
    return rows


def train(say=print) -> dict:
    """Fit the model on the dev questions and write retrieval/answerability.json; returns its summary."""
    import dataclasses

    from eval.__main__ import bundled_index
    from eval.runner import CachedEncoder
    from models import load_encoder
    from retrieval.retriever import Retriever

    encoder = CachedEncoder(load_encoder(calibration=True))
    xs, ys, names = [], [], {}
    retrievers = {}
    for split, corpus in TRAINING_SPLITS:
        if corpus not in retrievers:
            base = Retriever(bundled_index(None, encoder.inner, say, corpus), encoder)
            retrievers[corpus] = Retriever(base.data, encoder, dataclasses.replace(base.settings,
                                                                                   answerability="thresholds"))
        x, y, _ = features_of(retrievers[corpus], load_split(split))
        xs.append(x), ys.append(y)
        names[split] = {"questions": int(len(y)), "out_of_scope": int((y == 0).sum())}
        say(f"{split}: {len(y)} 个问题（其中 {(y == 0).sum()} 个超出范围）")
    x, y = np.vstack(xs), np.concatenate(ys)
    probabilities = cross_validated(x, y)
    threshold = operating_point(probabilities, y)
    said = probabilities < threshold
    kept, scaler, model = fit(x, y)
    ranking_model = retrievers["bundled"].data.manifest.model.name
    answerability = AnswerabilityModel(
        tuple(name for name, keep in zip(FEATURES, kept) if keep), scaler.mean_, scaler.scale_, model.coef_[0],
        float(model.intercept_[0]), threshold, PARTIAL_SHARE,
        {"ranking_model": ranking_model, "gold_digest": gold_digest(), "splits": names, "C": C,
         "max_refused": MAX_REFUSED, "dropped": [name for name, keep in zip(FEATURES, kept) if not keep],
         "cross_validated": {"oos_abstained": int((said & (y == 0)).sum()), "oos": int((y == 0).sum()),
                             "refused": int((said & (y == 1)).sum()), "answerable": int((y == 1).sum())}})
    MODEL_FILE.write_text(json.dumps(answerability.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return answerability.trained_on
