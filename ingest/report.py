"""The data-quality report of a corpus, per file: what loaded, the warnings and the errors.

``report(corpus)`` is the one structure behind both forms of ``python -m ingest``: ``text_lines`` for a
maintainer, and the JSON document (``--json``) for programs.
"""
from __future__ import annotations

from collections import Counter

from ingest.records import WHOLE, Corpus, Problem


def report(corpus: Corpus) -> dict:
    """{"files": [...], "summary": {...}}, one entry per file met (loaded, skipped or failed), in order."""
    by_file: dict[str, dict] = {}

    def entry(name: str) -> dict:
        return by_file.setdefault(name, {
            "file": name, "title": None, "version_date": None, "status": None, "part": "", "loaded": False,
            "articles": 0, "unit": "条", "jurisdiction": None, "effective_date": None, "chapters": 0,
            "warnings": [], "errors": []})

    for regulation in corpus.regulations:
        units = [a.unit for a in corpus.articles if a.source_file == regulation.source_file]
        entry(regulation.source_file).update(
            title=regulation.title, version_date=regulation.version_date, status=regulation.status,
            part=regulation.part, loaded=True, articles=regulation.article_count, unit=units[0] if units else "条",
            jurisdiction=regulation.jurisdiction, effective_date=regulation.effective_date,
            chapters=len(regulation.chapters))
    for problem in corpus.problems:
        entry(problem.source_file)["errors" if problem.severity == "error" else "warnings"].append(_problem(problem))
    warnings = Counter(p.kind for p in corpus.problems if p.severity == "warning")
    errors = Counter(p.kind for p in corpus.problems if p.severity == "error")
    return {
        "files": list(by_file.values()),
        "summary": {
            "files": len(by_file), "loaded_files": len(corpus.regulations),
            "regulations": len({r.title for r in corpus.regulations}), "articles": len(corpus.articles),
            "glossary": len(corpus.glossary), "crossrefs": len(corpus.crossrefs),
            "warnings": sum(warnings.values()), "errors": sum(errors.values()),
            "warnings_by_kind": dict(sorted(warnings.items())), "errors_by_kind": dict(sorted(errors.items())),
        },
    }


def _problem(problem: Problem) -> dict:
    return {"kind": problem.kind, "line": problem.line, "label": problem.article_label, "message": problem.message}


def text_lines(data: dict) -> tuple[list[str], list[str]]:
    """The report for people: (stdout lines, stderr lines); errors go to stderr."""
    out, err = [], []
    for item in data["files"]:
        if not item["loaded"]:
            continue
        out.append(f"《{item['title']}》 {item['jurisdiction']}  文件 {item['file']}")
        count = {"条": f"条文 {item['articles']} 条", WHOLE: "不分条，全文为一个单元"}.get(
            item["unit"], f"按{item['unit']}分为 {item['articles']} 个单元")
        version = f"，版本 {item['version_date']}" if item["version_date"] else ""
        status = f"（{item['status']}）" if item["status"] else ""
        out.append(f"  {count}，章 {item['chapters']} 个，施行日期 {item['effective_date'] or '不详'}{version}{status}")
        out.extend(f"  警告：{w['message']}" for w in item["warnings"])
    for item in data["files"]:
        if not item["loaded"]:
            out.extend(f"警告：{item['file']}：{w['message']}" for w in item["warnings"])
        err.extend(f"错误：{item['file']}：{e['message']}" for e in item["errors"])
    summary = data["summary"]
    kinds = "，".join(f"{kind} {n}" for kind, n in summary["warnings_by_kind"].items())
    out.append(f"合计：{summary['regulations']} 部法规（{summary['loaded_files']} 个文件），{summary['articles']} 条；"
               f"术语 {summary['glossary']} 个，条文引用 {summary['crossrefs']} 处；"
               f"警告 {summary['warnings']} 个{f'（{kinds}）' if kinds else ''}；错误 {summary['errors']} 个")
    return out, err
