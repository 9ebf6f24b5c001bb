"""Index: articles -> a folder with a BM25 side and a dense FAISS side, plus a manifest.

Entry points: ``build(corpus, out_dir, encoder, corpus_folders)``, ``load(index_dir)``,
``ensure_index(...)`` for the app and CLIs (builds the default index on first use).
"""
from __future__ import annotations

from pathlib import Path

from index.store import IndexData, IndexProblem, build, check, load

__all__ = ["IndexData", "IndexProblem", "build", "check", "load", "default_index_dir", "ensure_index"]


def default_index_dir() -> Path:
    from index.model import default_cache_dir

    return default_cache_dir() / "index" / "default"


def build_from_folders(folders: list[Path], out_dir: Path, encoder, progress=None) -> Path:
    """Ingest the folders and build an index; ingest errors are reported through progress."""
    from ingest import load_corpus

    say = progress or (lambda message: None)
    corpus = load_corpus(folders)
    for problem in corpus.errors:
        say(f"已跳过 {problem.source_file}：{problem.message}")
    return build(corpus, out_dir, encoder, folders, progress)


def ensure_index(index_dir: Path | None = None, corpus_folders: list[Path] | None = None, encoder=None,
                 progress=None) -> IndexData:
    """Load the index; the default one is (re)built when missing, stale or damaged, saying why.

    An explicitly named index folder is never rebuilt silently: its problem is raised.
    """
    from ingest import DEFAULT_CORPUS
    from index.encoder import load_encoder

    say = progress or (lambda message: None)
    explicit = index_dir is not None
    index_dir = Path(index_dir) if explicit else default_index_dir()
    if encoder is None:
        encoder = load_encoder(progress=say)
    try:
        return load(index_dir, model_name=encoder.name)
    except IndexProblem as problem:
        if explicit:
            raise
        say(f"需要建立索引：{problem}".split("请运行")[0])
    build_from_folders(corpus_folders or [DEFAULT_CORPUS], index_dir, encoder, say)
    return load(index_dir, model_name=encoder.name)
