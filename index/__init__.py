"""Index: articles -> a folder with a BM25 side and a dense FAISS side, plus a manifest.

Entry points: ``build(corpus, out_dir, encoder, corpus_folders)``, ``load(index_dir)``,
``ensure_index(...)`` for the app and CLIs (builds the default index on first use).
"""
from __future__ import annotations

from pathlib import Path

from index.store import IndexData, IndexProblem, build, check, load, load_for

__all__ = ["IndexData", "IndexProblem", "build", "check", "load", "load_for", "default_index_dir", "default_corpus_folders",
           "ensure_index", "rebuild_index"]


def default_index_dir() -> Path:
    from index.model import default_cache_dir

    return default_cache_dir() / "index" / "default"


def default_corpus_folders() -> list[Path]:
    """The bundled corpus, plus the administrator's folder of added regulations when it holds any."""
    from index.user_corpus import UserCorpus

    return UserCorpus.default().corpus_folders()


def build_from_folders(folders: list[Path], out_dir: Path, encoder, progress=None) -> Path:
    """Ingest the folders and build an index; ingest errors are reported through progress."""
    from ingest import load_corpus

    say = progress or (lambda message: None)
    corpus = load_corpus(folders)
    for problem in corpus.errors:
        say(f"已跳过 {problem.source_file}：{problem.message}")
    return build(corpus, out_dir, encoder, folders, progress)


def rebuild_index(index_dir: Path, encoder, progress=None) -> Path:
    """Rebuild an index folder in place from the corpus folders its manifest records (the default
    ones when the manifest cannot be read); IndexProblem when those folders no longer exist."""
    from index.store import recorded_folders

    say = progress or (lambda message: None)
    folders = recorded_folders(index_dir)
    if folders is None:
        folders = default_corpus_folders()
        say(f"索引的 manifest.json 无法读取，按默认法规目录重建：{'、'.join(map(str, folders))}")
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise IndexProblem(f"无法重建：建立索引时使用的法规目录不存在了：{'、'.join(missing)}。请运行 "
                           f"`.venv/bin/python -m index build --corpus 法规目录 --out {index_dir}` 重建索引。")
    return build_from_folders(folders, index_dir, encoder, say)


def ensure_index(index_dir: Path | None = None, corpus_folders: list[Path] | None = None, encoder=None,
                 progress=None) -> IndexData:
    """Load the index; the default one is (re)built when missing, stale or damaged, saying why,
    or when it was built from other folders than corpus_folders (default: ``default_corpus_folders()``).

    An explicitly named index folder is never rebuilt silently: its problem is raised.
    """
    from index.encoder import load_encoder

    say = progress or (lambda message: None)
    explicit = index_dir is not None
    index_dir = Path(index_dir) if explicit else default_index_dir()
    if encoder is None:
        encoder = load_encoder(progress=say)
    folders = corpus_folders or default_corpus_folders()
    try:
        data = load_for(index_dir, encoder)
        if explicit or data.manifest["corpus"]["folders"] == [str(Path(f).resolve()) for f in folders]:
            return data
        say("需要重建索引：法规目录有变化（加入或删除了法规）。")
    except IndexProblem as problem:
        if explicit:
            raise
        say(f"需要建立索引：{problem}".split("请运行")[0])
    build_from_folders(folders, index_dir, encoder, say)
    return load_for(index_dir, encoder)
