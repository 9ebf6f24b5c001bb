"""The ranking model's training pairs, made from the dev splits: one (question, gold article passage) per
answerable dev question and gold article, the five regulations' dev split on the five and pack_dev on the default
corpus (the five plus the national pack). answer_dev (issue 16's near-topic set) is left to the answerability model,
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


def dev_pairs() -> list:
    """The pairs of the dev split on the bundled corpus, then of pack_dev on the default corpus: what
    models/training/pairs.jsonl must hold."""
    from core.paths import BUNDLED_CORPUS, DEFAULT_FOLDERS
    from eval.gold import load_split
    from ingest import load_corpus

    return (training_pairs(load_corpus(BUNDLED_CORPUS), load_split("dev"))
            + training_pairs(load_corpus(list(DEFAULT_FOLDERS)), load_split("pack_dev")))


def write_dev_pairs(path: Path | None = None) -> Path:
    from models.train import write_pairs

    return write_pairs(dev_pairs(), path)
