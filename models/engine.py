"""How the native forward pass runs: the 'fast' engine (the default since issue 17) or the 'reference' one.

- 'reference': float32, torch's own threads over every core, batches of 16 in the calling thread: exactly
  sentence-transformers' vectors (within 1e-5), the engine before issue 17.
- 'fast': bfloat16 matrix products where the processor computes them natively (AMX or AVX512-BF16), one
  torch thread per worker and one worker per core, batches cut by length and token count; on a CUDA device
  when torch finds one (one worker, bfloat16 where the device supports it).

Why, measured on this project's 2-core machine while other work shared it (bench/results, issue 17):
- torch's two threads stall each other whenever the other core is busy: 235 passages took 20-28 s with two
  torch threads and 6.5 s with one. Workers with one thread each use both cores when both are free and lose
  nothing when one is busy.
- bfloat16 multiplies 3x faster than float32 here (102 vs 32 passages a second on one thread) with float32
  accumulation; embeddings, LayerNorm, residuals and pooling stay float32, so the vectors keep a cosine of
  0.9999 with the reference's (tests/test_fast_encoder.py).
- int8 lost too much: the fine-tuned ranking model's outlier activations (the <s> and </s> tokens, a few
  channels) leave torch's dynamic quantization at cosine 0.77 and ONNX Runtime's at 0.93 (0.9955 with the
  outlier channels in float32 and the feed-forward output unquantized, but then only 40 passages a second).
  ONNX Runtime in float32 ran no faster than torch on one thread (31 vs 32 passages a second), so it would
  have added two packages and an export step for nothing.
Without native bfloat16 the fast engine computes in float32 (the workers still help).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import paths

ENGINES = ("fast", "reference")
BATCH_ROWS = 16  # measured best for bfloat16 on one thread (8: 10% slower, 64: 50% slower)
BATCH_TOKENS = 16 * 128  # long texts go fewer at a time (a 512-token text has batches of 4)
CUDA_BATCH_ROWS, CUDA_BATCH_TOKENS = 128, 128 * 256
_CPU_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@dataclass(frozen=True)
class Engine:
    """Where and how a model computes: device 'cpu' or 'cuda', dtype 'float32' or 'bfloat16', and how many
    workers encode batches at once (0: the calling thread, with torch's own threads)."""

    name: str
    device: str
    dtype: str
    workers: int


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the processor multiplies bfloat16 natively (AMX or AVX512-BF16); elsewhere torch emulates it,
    slower than float32."""
    try:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("flags")), [])
    except OSError:
        return False
    return any(flag in flags for flag in _CPU_BF16_FLAGS)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def choose(name: str) -> Engine:
    """The engine called `name` on this machine: see the module docstring."""
    import torch

    if name == "reference":
        return Engine("reference", "cpu", "float32", 0)
    if name != "fast":
        raise ValueError(f"engine must be one of {ENGINES}, got {name!r}")
    if torch.cuda.is_available():
        return Engine("fast", "cuda", "bfloat16" if torch.cuda.is_bf16_supported() else "float32", 1)
    workers = cores()
    if paths.threads_capped():  # the user's OMP_NUM_THREADS bounds the workers, as it bounds torch's threads
        workers = max(1, min(workers, torch.get_num_threads()))
    return Engine("fast", "cpu", "bfloat16" if cpu_has_native_bf16() else "float32", workers)


_pool: ThreadPoolExecutor | None = None
_pool_workers = 0
_pool_lock = threading.Lock()


def _one_torch_thread() -> None:
    import torch

    torch.set_num_threads(1)  # per thread: the caller's own setting is left alone


def pool(workers: int) -> ThreadPoolExecutor:
    """The process's encoding workers (one torch thread each), shared by every model so that the ranking
    and the calibration model together never use more threads than there are cores."""
    global _pool, _pool_workers
    with _pool_lock:
        if _pool is None or _pool_workers < workers:
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="regqa-encode",
                                       initializer=_one_torch_thread)
            _pool_workers = workers
        return _pool


def batches(lengths: Sequence[int], max_rows: int = BATCH_ROWS, max_tokens: int = BATCH_TOKENS) -> list[list[int]]:
    """Positions of texts grouped longest first into batches of similar length, each at most max_rows texts
    and max_tokens padded tokens (so a batch of long texts is smaller and no batch pads much)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    out: list[list[int]] = []
    for i in order:
        if out and len(out[-1]) < max_rows and lengths[out[-1][0]] * (len(out[-1]) + 1) <= max_tokens:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def embed(model, texts: Sequence[str], engine: Engine, reference_batch: int = 16) -> np.ndarray:
    """Rows for texts in their order: batches by length, run by the engine's workers (the reference engine:
    the model's own loop, reference_batch texts at a time, in this thread)."""
    if engine.workers == 0:
        return model.embed(texts, batch_size=reference_batch)
    encodings = model.tokenizer.encode_batch(list(texts))
    token_ids = [encoding.ids for encoding in encodings]
    rows, tokens = (CUDA_BATCH_ROWS, CUDA_BATCH_TOKENS) if engine.device == "cuda" else (BATCH_ROWS, BATCH_TOKENS)
    groups = batches([len(ids) for ids in token_ids], rows, tokens)
    out = np.zeros((len(texts), model.dim), np.float32)
    if engine.device == "cuda":  # the device runs one batch at a time anyway
        results = [model.embed_ids([token_ids[i] for i in group]) for group in groups]
    else:  # longest first, so the workers finish together
        workers = pool(engine.workers)
        results = [future.result() for future in
                   [workers.submit(model.embed_ids, [token_ids[i] for i in group]) for group in groups]]
    for group, vectors in zip(groups, results):
        out[group] = vectors
    return out
