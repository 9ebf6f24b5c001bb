"""Index: articles -> a checked folder with a BM25 side (bm25s, persisted) and a dense FAISS side, plus a
checksummed manifest (index.store).

Loading only loads: `load(index_dir)` / `load_for(index_dir, encoder)` validate and read the folder, and
raise `IndexProblem` (a reason code, the reason, the rebuild command) when it is missing, stale or damaged.
Building is a verb of its own: `build(corpus, out_dir, encoder, folders)`, `build_from_folders(...)`,
`rebuild_index(...)`, and `prepare_index(...)`, which the app's first start and the CLIs call to build the
default index when it is missing or stale, reporting why through a typed `core.events.Event`.
"""
from __future__ import annotations

from pathlib import Path

from core.events import BUILD, INDEX_READY, NOTICE, REBUILD_NEEDED, Progress, emit
from index.store import (IndexData, IndexManifest, IndexProblem, ModelRef, build, check, load, load_for,
                         passage_texts)

__all__ = ["IndexData", "IndexManifest", "IndexProblem", "ModelRef", "build", "check", "load", "load_for",
           "passage_texts", "build_from_folders", "rebuild_index", "prepare_index"]


def build_from_folders(folders: list[Path], out_dir: Path, encoder, progress: Progress | None = None) -> Path:
    """Ingest the folders and build an index; files ingest cannot read are reported through progress."""
    from ingest import load_corpus

    corpus = load_corpus(folders)
    for problem in corpus.errors:
        emit(progress, NOTICE, f"已跳过 {problem.source_file}：{problem.message}")
    return build(corpus, out_dir, encoder, folders, progress)


def rebuild_index(index_dir: Path, encoder, default_folders: list[Path], progress: Progress | None = None) -> Path:
    """Rebuild an index folder in place from the corpus folders its manifest records (default_folders when
    the manifest cannot be read); IndexProblem when those folders no longer exist."""
    from index.store import recorded_folders

    folders = recorded_folders(index_dir)
    if folders is None:
        folders = default_folders
        emit(progress, NOTICE, f"索引的 manifest.json 无法读取，按默认法规目录重建：{'、'.join(map(str, folders))}")
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise IndexProblem("corpus_missing", f"无法重建：建立索引时使用的法规目录不存在了：{'、'.join(missing)}。",
                           f".venv/bin/python -m index build --corpus 法规目录 --out {index_dir}")
    return build_from_folders(folders, index_dir, encoder, progress)


def prepare_index(index_dir: Path, folders: list[Path], encoder, progress: Progress | None = None) -> IndexData:
    """The verb behind the app's first start: load the index, building it first when it is missing, stale or
    damaged, or was built from other folders; the REBUILD_NEEDED event says why (reason code and text)."""
    index_dir = Path(index_dir)
    try:
        data = load_for(index_dir, encoder)
        if list(data.manifest.corpus_folders) == [str(Path(f).resolve()) for f in folders]:
            return data
        emit(progress, REBUILD_NEEDED, "需要重建索引：法规目录有变化（加入或删除了法规）。", reason="folders_changed",
             detail="法规目录有变化（加入或删除了法规）。")
    except IndexProblem as problem:
        emit(progress, REBUILD_NEEDED, f"需要建立索引：{problem.detail}", reason=problem.reason, detail=problem.detail)
    build_from_folders(folders, index_dir, encoder, progress)
    data = load_for(index_dir, encoder)
    emit(progress, INDEX_READY, f"索引已就绪：{len(data.articles)} 条条文。")
    return data

