"""The ranking model's training pairs, made from the dev splits: one (question, gold article passage) per
answerable dev question and gold article, the five regulations' dev split on the five and PACK_TRAINING_SPLITS on the
default corpus (the five plus the national pack). answer_dev (issue 16's near-topic set) is left to the answerability model,
which needs dev questions the ranking model was not fitted to. `python -m eval pairs` writes them to models/training/pairs.jsonl,
the data file the product trains from (the product never reads the gold set itself)."""
from __future__ import annotations

from pathlib import Path


def training_pairs(corpus, questions) -> list:
    """One pair per (answerable question, gold article) found in the corpus, in question order."""
    from index.store import passage_texts
    from models.train import TrainingPair

    by_key = {article.key: article for article in corpus.articles}
    return [TrainingPair(q.question, passage_texts(by_key[key])[0])
            for q in questions if q.answerable for key in q.gold_keys if key in by_key]


# The pack's splits on the default corpus that train the ranking model, in this order: pack_dev, then (since the
# twenty-first session) the pack's former holdouts, each evaluated once before it joined (eval/reports/*.once.md), and
# casual_dev1, the first half of the casual questions (eval.gold). casual_dev2 trains the answerability model instead
# (answer_dev), which needs questions the ranking model was not fitted to.
PACK_TRAINING_SPLITS = ("pack_dev", "pack_holdout", *(f"pack_holdout{n}" for n in range(14, 30)), "casual_dev1")


def dev_pairs() -> list:
    """The pairs of the dev split on the bundled corpus, then of PACK_TRAINING_SPLITS on the default corpus: what
    models/training/pairs.jsonl must hold."""
    from core.paths import BUNDLED_CORPUS, DEFAULT_FOLDERS
    from eval.gold import load_split
    from ingest import load_corpus

    default = load_corpus(list(DEFAULT_FOLDERS))
    return (training_pairs(load_corpus(BUNDLED_CORPUS), load_split("dev"))
            + [pair for split in PACK_TRAINING_SPLITS for pair in training_pairs(default, load_split(split))])


def write_dev_pairs(path: Path | None = None) -> Path:
    from models.train import write_pairs

    return write_pairs(dev_pairs(), path)
