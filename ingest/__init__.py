"""Ingest: regulation files -> typed, cleaned articles.

Entry point: ``load_corpus(folders) -> Corpus``.
"""
from __future__ import annotations

import json
from pathlib import Path

from core.paths import BUNDLED_CORPUS
from ingest.records import Article, Corpus, CrossRef, GlossaryEntry, Paragraph, Problem, Regulation, article_key

DEFAULT_CORPUS = BUNDLED_CORPUS  # the five bundled regulations
SUFFIXES = (".txt", ".md", ".docx")
MANIFEST = "manifest.json"

__all__ = ["Article", "Corpus", "CrossRef", "GlossaryEntry", "Paragraph", "Problem", "Regulation",
           "DEFAULT_CORPUS", "article_key", "load_corpus", "load_file", "read_manifest"]


def read_manifest(folder: Path) -> dict[str, dict]:
    """The folder's manifest.json as {file name: facts}; {} when there is none.

    An entry may name its adoption date ``adopted_date`` or ``adopted``; other fields (part, revised,
    text_version, later_changes, ...) are passed on as they are.
    Raises ValueError (in Chinese) when the manifest is not valid JSON of the expected shape.
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("regulations", [])
    except (ValueError, AttributeError) as err:  # not JSON, or JSON but not an object
        raise ValueError(f"无法读取（{err}）") from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("file"), str)
                                                for e in entries):
        raise ValueError("格式不对：regulations 须为含 file 字段的对象列表")
    return {entry["file"]: entry for entry in entries}


def load_file(path: Path, facts: dict | None = None) -> tuple[Regulation, list[Article], list[Problem]]:
    """Parse one regulation file."""
    from ingest.parse import parse_regulation

    return parse_regulation(Path(path).read_bytes(), Path(path).name, facts)


def load_corpus(folders: Path | str | list[Path | str] = DEFAULT_CORPUS) -> Corpus:
    """Load every regulation file of the folders.

    Only a file that cannot be read at all (undecodable, empty, not a regulation) is left out, as an error
    in ``Corpus.problems``; a flaw inside a file (a numbering gap, a repeat, a heading typo) is a warning and
    the file loads. Files with one title and different version dates are versions of one regulation, all
    kept (see ingest.versions); one title with the same version date twice keeps the first file and warns.
    Nothing is left out silently: a file listed in manifest.json but absent, or an unreadable manifest, is an
    error; a file of another type is a warning.
    """
    from ingest.links import cross_references, glossary
    from ingest.versions import resolve_versions

    if isinstance(folders, (str, Path)):
        folders = [folders]
    files: list[tuple[Regulation, list[Article]]] = []
    problems: list[Problem] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            problems.append(Problem("error", str(folder), "法规目录不存在", kind="no_folder"))
            continue
        try:
            manifest = read_manifest(folder)
        except ValueError as err:
            problems.append(Problem("error", MANIFEST, f"{err}；已按各文件自身的信息解析（目录 {folder}）",
                                    kind="manifest"))
            manifest = {}
        # not is_file(): a link to a missing file is reported below, not skipped
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.is_dir())
        for name in sorted(set(manifest) - {p.name for p in paths}):
            problems.append(Problem("error", name, f"{MANIFEST} 列出了此文件，但目录 {folder} 中没有",
                                    kind="missing_file"))
        for other in sorted(folder.iterdir()):
            if other.is_file() and other not in paths and other.name != MANIFEST and not other.name.startswith("."):
                problems.append(Problem("warning", other.name, f"不支持的文件类型（{other.suffix or '无扩展名'}），"
                                        f"已忽略；只读取 {'、'.join(SUFFIXES)} 文件", kind="unsupported_file"))
        if not paths:
            problems.append(Problem("error", str(folder), "目录中没有 .txt、.md 或 .docx 法规文件", kind="no_files"))
        for path in paths:
            try:
                regulation, file_articles, file_problems = load_file(path, manifest.get(path.name))
            except OSError as err:
                problems.append(Problem("error", path.name, f"无法读取文件（系统提示：{err.strerror or err}）",
                                        kind="unreadable"))
                continue
            problems.extend(file_problems)
            if not any(p.severity == "error" for p in file_problems):
                files.append((regulation, file_articles))
    regulations, articles, version_problems = resolve_versions(files)
    problems.extend(version_problems)
    return Corpus(regulations=tuple(regulations), articles=tuple(articles), problems=tuple(problems),
                  glossary=tuple(glossary(articles)), crossrefs=tuple(cross_references(articles)))
