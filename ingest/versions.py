"""Versions of one regulation: files with the same title and different version dates.

All versions are kept. The current one is the one a manifest or front matter marks 现行 / 有效, else the
latest; it keeps plain keys (``…#1``). Every other version is 历史版本 (unless its sources give a status),
and its articles carry the version date (``Article.version``), so their keys read ``…@2021-12-24#1``. Files
of one title and one version date are parts of that version (民法典 人格权编, 合同编 …) when their parts
differ, else true duplicates: the second is skipped with a warning.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict

from ingest.records import CURRENT, HISTORICAL, Article, Problem, Regulation

# statuses, as sources write them, that say a text is (or is not) the one in force
_IN_FORCE = {CURRENT, "有效"}
_NOT_IN_FORCE = {HISTORICAL, "已修改", "已修订", "已废止", "废止", "失效", "已失效"}
UNDATED = "未注明日期"  # the version of a historical text whose date is not known


def resolve_versions(files: list[tuple[Regulation, list[Article]]]
                     ) -> tuple[list[Regulation], list[Article], list[Problem]]:
    """Keep every version of every title, each with its status; skip true duplicates (a warning each).

    Args:
        files: each readable file's regulation and articles, in reading order.
    Returns:
        the regulations and articles kept, in reading order, and the warnings.
    """
    problems: list[Problem] = []
    kept: list[tuple[Regulation, list[Article]]] = []
    seen: dict[tuple[str, str, str | None], Regulation] = {}
    keys: dict[str, str] = {}
    for regulation, articles in files:
        identity = (regulation.title, regulation.part, regulation.version_date)
        if first := seen.get(identity):
            problems.append(_duplicate(regulation, f"与文件 {first.source_file} 是同一法规的同一版本（《{regulation.title}》"
                                                   f"{regulation.part}，版本日期 {regulation.version_date or '不详'}）"))
            continue
        seen[identity] = regulation
        kept.append((regulation, articles))

    by_title: dict[str, list[Regulation]] = defaultdict(list)
    for regulation, _ in kept:
        by_title[regulation.title].append(regulation)
    regulations: list[Regulation] = []
    all_articles: list[Article] = []
    for regulation, articles in kept:
        regulation = _with_status(regulation, by_title[regulation.title])
        if regulation.version:
            articles = [dataclasses.replace(a, version=regulation.version) for a in articles]
        clash = next((a.key for a in articles if a.key in keys), None)
        if clash:
            problems.append(_duplicate(regulation, f"条文“{clash}”已由文件 {keys[clash]} 收录"))
            continue
        keys.update((a.key, regulation.source_file) for a in articles)
        regulations.append(regulation)
        all_articles.extend(articles)
    return regulations, all_articles, problems


def _with_status(regulation: Regulation, versions: list[Regulation]) -> Regulation:
    """The regulation with its status and, when it is a historical version, its version."""
    dates = {r.version_date for r in versions}
    if len(dates) == 1:
        return regulation
    current = _current_date(versions)
    if regulation.version_date == current:
        return dataclasses.replace(regulation, status=regulation.status or CURRENT)
    return dataclasses.replace(regulation, status=regulation.status or HISTORICAL,
                               version=regulation.version_date or UNDATED)


def _current_date(versions: list[Regulation]) -> str | None:
    """The version date of the text in force: marked so by its sources, else the latest not marked otherwise."""
    def latest(candidates: list[Regulation]) -> str | None:
        return max((r.version_date or "" for r in candidates), default="") or None

    marked = [r for r in versions if r.status in _IN_FORCE]
    if marked:
        return latest(marked)
    unmarked = [r for r in versions if r.status not in _NOT_IN_FORCE]
    return latest(unmarked or versions)


def _duplicate(regulation: Regulation, why: str) -> Problem:
    return Problem("warning", regulation.source_file, f"{why}，已跳过此文件", kind="duplicate")
