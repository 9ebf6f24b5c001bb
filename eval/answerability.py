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
from pathlib import Path

import numpy as np

from eval.gold import ALL_SPLIT_FILES, GOLD_DIR, load_split
from retrieval.answerability import FEATURES, MODEL_FILE, AnswerabilityModel, ReaderStage

# (split, corpus) pairs the model trains on
TRAINING_SPLITS = (("dev", "bundled"), ("pack_dev", "default"), ("answer_dev", "default"))
MAX_REFUSED = 0.015  # at most this share of answerable dev questions refused (cross-validated)
PARTIAL_SHARE = 0.5  # 'partial' needs the best article to hold half of the question's words the corpus holds
C = 1.0  # inverse regularization strength
# Measured and not kept (fourteenth session): a negative pair made of each answerable question's gold article without
# the sentences holding its answer keywords (1,152 more pairs) abstained on 1,094 of 1,455 out-of-fold against
# 1,087, at the same 33 refused (1,151 against 1,134 reading every question): noise, for a seventh more training.
READER_FOLDS = 2  # the reader's out-of-fold logits (two readers on half the questions each: one training's cost)
# The reader reads a question whose signals' probability is under this; the others are answered without it (unless
# they ask a specific detail or a quantity: retrieval.answerability.asks_detail). On the dev questions
# (cross-validated signals, out-of-fold reader logits; trained_on.read_below_sweep in the model file) reading under
# 0.3 / 0.5 / 0.6 / 0.7 / 0.8 / 0.9 / always abstains on 1,009 / 1,074 / 1,087 / 1,117 / 1,125 / 1,134 / 1,134 of
# 1,455 out-of-scope questions at 33 of 2,237 answerable refused, while the reader reads 22% / 29% / 38% / 51% / 69% /
# 91% / 100% of the answerable ones (sixth round, thirteenth session). Twelfth session (1,355 and 2,057): 923 / 985 /
# 1,021 / 1,039 / 1,039 / 1,050 / 1,051 at 30 refused, every layer of the reader trained. The reader with its top six layers
# trained, eleventh session: 906 / 934 / 952 / 968 / 951 / - / 959. On `python -m bench --quick` 0.7 read 32 of 78
# questions and the answer's median reached 1.50x the encoding (the target's bound); 0.6 read 16 of 78 at 1.34x (one
# reading costs about 15 ms, more than the encoding itself)
READ_BELOW = 0.6
# The direction each feature may push (+1 towards answerable, -1 against, 0 either): a feature whose fitted weight
# points the other way (a collinear artefact of a small dev set, e.g. 'more words no article holds, more
# answerable') is dropped and the model refitted, so that every weight the page explains means what it says.
SIGNS = {"article_cosine": 1, "sentence_cosine": 1, "article_margin": 1, "bm25": 1, "covered_top1": 1,
         "covered_top3": 1, "missing": -1, "missing_share": -1, "missing_known": -1, "missing_rarity": -1,
         "content_words": 0, "asks_quantity": 0, "quantity_unstated": -1, "kind_unstated": -1}


def gold_digest(splits=TRAINING_SPLITS) -> str:
    """The training questions' files, hashed (the model file records it; a test checks it is current)."""
    digest = hashlib.sha256()
    for split, _ in splits:
        for name in ALL_SPLIT_FILES[split]:
            digest.update((GOLD_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def features_of(retriever, questions) -> tuple[np.ndarray, np.ndarray, list]:
    """(features, answerable labels, [(question, retrieval)]) of questions through a retriever deciding by
    thresholds; a question without any hit is left out (nothing to learn from)."""
    rows, labels, kept = [], [], []
    for question in questions:
        retrieval = retriever.retrieve(question.question, 10)
        if retrieval.decision is None:
            continue
        values = dict(retrieval.decision.features)
        rows.append([values[name] for name in FEATURES])
        labels.append(int(question.answerable))
        kept.append((question, retrieval))
    return np.array(rows, dtype=np.float64), np.array(labels), kept


def reader_pairs_of(retriever, question, retrieval) -> list:
    """The reader's training pairs of one question: an answerable one's gold articles (at most two, label 1) and
    its best-ranked article that is not gold (0); an out-of-scope one's two best-ranked articles (0)."""
    from models.reader import ReaderPair

    rows = retriever.row_of_key
    vector = retriever.query_vector(retrieval.query)
    keys = [hit.key for hit in retrieval.hits]
    if question.answerable:
        chosen = [(key, 1) for key in question.gold_keys if key in rows][:2]
        chosen += [(key, 0) for key in keys[:3] if key not in question.gold_keys][:1]
    else:
        chosen = [(key, 0) for key in keys[:2]]
    return [ReaderPair(retrieval.query.text, retriever.reading_text(rows[key], vector), label)
            for key, label in chosen]


def training_pool(say=print) -> dict:
    """Every training question through the product's retriever (deciding by thresholds, so that no model of this
    module reads itself): features, labels, (retriever, question, retrieval) rows and the ranking model's folder."""
    import dataclasses

    from eval.__main__ import bundled_index
    from eval.gold import load_split
    from eval.runner import CachedEncoder
    from models import load_encoder
    from retrieval.retriever import Retriever

    inner = load_encoder(calibration=True, reader=False)
    encoder = CachedEncoder(inner)
    xs, ys, names, rows, retrievers = [], [], {}, [], {}
    for split, corpus in TRAINING_SPLITS:
        if corpus not in retrievers:
            base = Retriever(bundled_index(None, inner, say, corpus), encoder)
            retrievers[corpus] = Retriever(base.data, encoder, dataclasses.replace(base.settings,
                                                                                   answerability="thresholds"))
        x, y, kept = features_of(retrievers[corpus], load_split(split))
        xs.append(x), ys.append(y)
        rows += [(retrievers[corpus], question, retrieval) for question, retrieval in kept]
        names[split] = {"questions": int(len(y)), "out_of_scope": int((y == 0).sum())}
        say(f"{split}: {len(y)} 个问题（其中 {(y == 0).sum()} 个超出范围）")
    return {"x": np.vstack(xs), "y": np.concatenate(ys), "names": names, "rows": rows,
            "ranking_dir": Path(inner.ranking.path), "ranking_model": retrievers["bundled"].data.manifest.model.name}


def pool_reader_pairs(pool: dict, only: np.ndarray | None = None) -> list:
    """The reader pairs of the pool's questions (only: a mask of the questions to take)."""
    return [pair for i, (retriever, question, retrieval) in enumerate(pool["rows"])
            if only is None or only[i] for pair in reader_pairs_of(retriever, question, retrieval)]


def out_of_fold_reader(pool: dict, say=print, folds: int = READER_FOLDS) -> np.ndarray:
    """Each question's reader logit for its best article, from a reader trained on the other folds' questions
    (the second step is fitted on these, not on the logits of a reader that saw the question)."""
    import tempfile

    from sklearn.model_selection import StratifiedKFold

    from models.engine import choose
    from models.reader import ReaderConfig, finetune_reader, load_reader

    y, logits = pool["y"], np.zeros(len(pool["y"]))
    engine = choose("fast")  # the product's engine: the logits the second step will see
    for fold, (train, held_out) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=0).split(y, y)):
        mask = np.zeros(len(y), dtype=bool)
        mask[train] = True
        pairs = pool_reader_pairs(pool, mask)
        say(f"阅读模型交叉拟合：第 {fold + 1}/{folds} 折，{len(pairs)} 对")
        with tempfile.TemporaryDirectory() as folder:
            finetune_reader(pool["ranking_dir"], pairs, Path(folder), ReaderConfig())
            reader = load_reader(Path(folder), pool["ranking_dir"], engine.dtype, engine.device)
            for i in held_out:
                retriever, _, retrieval = pool["rows"][i]
                top = retriever.reading_text(retriever.row_of_key[retrieval.hits[0].key],
                                             retriever.query_vector(retrieval.query))
                logits[i] = float(reader.score(retrieval.query.text, [top])[0])
    return logits


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


def second_step(base: np.ndarray, reader: np.ndarray, y: np.ndarray, read_below: float = READ_BELOW,
                max_refused: float = MAX_REFUSED, seeds: int = 3, details: np.ndarray | None = None) -> dict:
    """Fit the reader's step on the signals' (cross-validated) probabilities and the reader's out-of-fold logits;
    its threshold is the highest that refuses at most max_refused of the answerable questions, counting the
    questions above read_below as answered (the reader does not read them), unless ``details`` marks them as asking
    a specific detail or a quantity (retrieval.answerability.asks_detail: read at any probability)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    clipped = np.clip(base, 1e-9, 1 - 1e-9)
    z = np.column_stack([np.log(clipped / (1 - clipped)), reader])
    probabilities = np.zeros((seeds, len(y)))
    for seed in range(seeds):
        for train, held_out in StratifiedKFold(5, shuffle=True, random_state=seed).split(z, y):
            model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(z[train], y[train])
            probabilities[seed, held_out] = model.predict_proba(z[held_out])[:, 1]
    probability = probabilities.mean(axis=0)
    read = (base < read_below) | (details if details is not None else False)
    # refused: read and under the threshold; the threshold is the highest that keeps refusals within max_refused
    allowed = int(np.floor(max_refused * (y == 1).sum()))
    candidates = np.sort(probability[read & (y == 1)])
    threshold = float(candidates[allowed]) if len(candidates) > allowed else 0.5
    said = read & (probability < threshold)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(z, y)
    return {"weights": [float(w) for w in model.coef_[0]], "bias": float(model.intercept_[0]), "threshold": threshold,
            "cross_validated": {"oos_abstained": int((said & (y == 0)).sum()), "oos": int((y == 0).sum()),
                                "refused": int((said & (y == 1)).sum()), "answerable": int((y == 1).sum()),
                                "read": int(read.sum()), "answerable_read": int((read & (y == 1)).sum())}}


def train(say=print, reader_logits: Path | None = None) -> dict:
    """Fit the model on the dev questions and write retrieval/answerability.json (and the reader's training pairs,
    models/training/reader_pairs.jsonl); returns its summary. The reader itself is trained by `python -m models
    prepare`. reader_logits: a file of out-of-fold logits to reuse (written on the first run next to the model
    cache), so that refitting the steps does not train the fold readers again."""
    import dataclasses
    from dataclasses import asdict

    from core import paths
    from models.protocol import folder_model_name
    from models.reader import (READER_VERSION, ReaderConfig, expected_record, pairs_digest,
                               write_reader_pairs as write_pairs)

    pool = training_pool(say)
    x, y = pool["x"], pool["y"]
    probabilities = cross_validated(x, y)
    threshold = operating_point(probabilities, y)
    said = probabilities < threshold
    kept, scaler, model = fit(x, y)
    pairs = pool_reader_pairs(pool)
    write_pairs(pairs)
    # the reader's out-of-fold logits (two fold readers: about as long as one training of the shipped reader)
    cache = Path(reader_logits or paths.home() / "answerability-reader-oof.json")
    # the logits depend on the pairs, the ranking model and how the reader is trained (its config and version)
    key = (f"{pairs_digest(pairs)}:{pool['ranking_model']}:"
           f"{json.dumps(asdict(ReaderConfig()), sort_keys=True)}:v{READER_VERSION}")
    cached = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    if cached.get("key") == key and len(cached.get("logits", [])) == len(y):
        logits = np.array(cached["logits"])
    else:
        logits = out_of_fold_reader(pool, say)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "logits": logits.tolist()}), encoding="utf-8")
    answerability = AnswerabilityModel(
        tuple(name for name, keep in zip(FEATURES, kept) if keep), scaler.mean_, scaler.scale_, model.coef_[0],
        float(model.intercept_[0]), threshold, PARTIAL_SHARE)
    base = np.array([answerability.probability(dict(zip(FEATURES, row))) for row in x])
    # the step reads the signals' cross-validated probabilities (the full fit's would be optimistic on dev)
    from retrieval.answerability import asks_detail

    details = np.array([asks_detail(retrieval.query.cleaned) for _, _, retrieval in pool["rows"]])
    step = second_step(probabilities, logits, y, details=details)
    reader_model = expected_record(folder_model_name(pool["ranking_dir"]), pairs, ReaderConfig())["model_name"]
    answerability = dataclasses.replace(answerability, trained_on={
        "ranking_model": pool["ranking_model"], "gold_digest": gold_digest(), "splits": pool["names"], "C": C,
        "max_refused": MAX_REFUSED, "dropped": [name for name, keep in zip(FEATURES, kept) if not keep],
        "cross_validated": {"oos_abstained": int((said & (y == 0)).sum()), "oos": int((y == 0).sum()),
                            "refused": int((said & (y == 1)).sum()), "answerable": int((y == 1).sum())},
        "cross_validated_with_reader": step["cross_validated"], "reader_pairs": len(pairs),
        # what each value of read_below would give on the same out-of-fold figures (READ_BELOW's comment)
        "read_below_sweep": {str(value): second_step(probabilities, logits, y, value, details=details)["cross_validated"]
                             for value in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)},
        "full_fit_above_read_below": int((base >= READ_BELOW).sum())},
        reader=ReaderStage((step["weights"][0], step["weights"][1]), step["bias"], step["threshold"], READ_BELOW,
                           reader_model))
    MODEL_FILE.write_text(json.dumps(answerability.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return answerability.trained_on
