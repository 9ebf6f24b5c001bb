"""Ingest: regulation files -> typed, cleaned articles.

Entry point: ``load_corpus(folders) -> Corpus``.
"""
from __future__ import annotations

import json
from pathlib import Path

from ingest.records import Article, Corpus, CrossRef, GlossaryEntry, Paragraph, Problem, Regulation

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "regulations"
SUFFIXES = (".txt", ".md")
MANIFEST = "manifest.json"

__all__ = ["Article", "Corpus", "CrossRef", "GlossaryEntry", "Paragraph", "Problem", "Regulation",
           "DEFAULT_CORPUS", "load_corpus", "load_file", "read_manifest"]


def read_manifest(folder: Path) -> dict[str, dict]:
    """The folder's manifest.json as {file name: facts}; {} when there is none."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8")).get("regulations", [])
    return {entry["file"]: entry for entry in entries}


def load_file(path: Path, facts: dict | None = None) -> tuple[Regulation, list[Article], list[Problem]]:
    """Parse one regulation file."""
    from ingest.parse import parse_regulation

    return parse_regulation(Path(path).read_bytes(), Path(path).name, facts)


def load_corpus(folders: Path | str | list[Path | str] = DEFAULT_CORPUS) -> Corpus:
    """Load every regulation file of the folders.

    A file with an error (no articles, a numbering gap or duplicate, undecodable bytes) is left
    out and reported in ``Corpus.problems``; the other files still load. A title seen twice is
    an error on the second file.
    """
    from ingest.links import cross_references, glossary

    if isinstance(folders, (str, Path)):
        folders = [folders]
    regulations: list[Regulation] = []
    articles: list[Article] = []
    problems: list[Problem] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            problems.append(Problem("error", str(folder), "法规目录不存在"))
            continue
        manifest = read_manifest(folder)
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not files:
            problems.append(Problem("error", str(folder), "目录中没有 .txt 或 .md 法规文件"))
        for path in files:
            regulation, file_articles, file_problems = load_file(path, manifest.get(path.name))
            problems.extend(file_problems)
            if any(p.severity == "error" for p in file_problems):
                continue
            if any(r.title == regulation.title for r in regulations):
                problems.append(Problem("error", path.name, f"法规《{regulation.title}》重复，已忽略此文件"))
                continue
            regulations.append(regulation)
            articles.extend(file_articles)
    return Corpus(regulations=tuple(regulations), articles=tuple(articles), problems=tuple(problems),
                  glossary=tuple(glossary(articles)), crossrefs=tuple(cross_references(articles)))
