"""Embedding models: conversion (models.convert), fine-tuning (models.train), the torch-only forward pass
(models.native) and how it runs (models.engine: fast or reference), the encoders behind one protocol
(models.protocol, models.encoders) and the child process the app runs them in (models.process).

Two kinds of entry point, kept apart:
- the verb that makes models, `prepare(cache_dir, progress)` / `python -m models prepare` (converting takes
  seconds, fine-tuning about 19 minutes on 2 cores, the answerability reader (models.reader) about 33 more: 1,957 s for 8,379 pairs; the set-up script and the app's first start run it);
- `load_encoder(...)`, which only loads, and raises `ModelProblem` (with a reason code and the command)
  when a model is missing or stale.
"""
from __future__ import annotations

from pathlib import Path

from core.events import Progress


def prepare(cache_dir: Path | None = None, progress: Progress | None = None) -> tuple[Path, Path, Path]:
    """Make the shipped models when missing or stale: (converted folder, ranking folder, answerability reader)."""
    from core import paths
    from core.events import NOTICE, emit
    from models.convert import prepare_converted
    from models.protocol import remove_stale_staging
    from models.reader import prepare_reader
    from models.train import prepare_ranking

    # what a preparation killed by a signal left behind (its cleanup never ran); a live one's folder is kept
    removed = remove_stale_staging(paths.models_dir(cache_dir))
    if removed:
        emit(progress, NOTICE, f"已删除上次中断的模型准备留下的 {len(removed)} 个临时文件夹")
    converted = prepare_converted(cache_dir, progress)
    ranking = prepare_ranking(cache_dir, progress)
    return converted, ranking, prepare_reader(cache_dir, ranking, progress)


def load_encoder(model_dir: Path | None = None, child_process: bool = False, cache_dir: Path | None = None,
                 engine: str | None = None, calibration: bool = False, reader: bool = True):
    """See models.encoders.load_encoder (loads; never converts or trains; `engine` 'fast' or 'reference';
    `calibration`: the ranking and calibration pair, as before issue 17, for evaluation and the benchmark)."""
    from models.encoders import load_encoder as load

    return load(model_dir, child_process, cache_dir, engine, calibration, reader)


def models_ready(cache_dir: Path | None = None) -> bool:
    """Whether the shipped pair of models is there and current (or $REGQA_MODEL_DIR names a folder)."""
    from core import paths
    from models.convert import check_converted
    from models.protocol import ModelProblem
    from models.reader import check_reader
    from models.train import check_ranking

    if paths.model_dir_override() is not None:
        return True
    try:
        check_reader(cache_dir, check_ranking(cache_dir, check_converted(cache_dir)))
    except ModelProblem:
        return False
    return True
