"""Regulations added by an administrator: a folder of files with its own manifest.json, indexed with
the bundled corpus. Adding or removing one rebuilds the index; unchanged articles keep their vectors.

Entry point: ``UserCorpus.default()`` with ``preview``, ``add``, ``remove`` and ``regulations``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from core import paths
from core.events import NOTICE, Progress, emit
from ingest import MANIFEST, SUFFIXES, Article, Regulation

MAX_FILE_BYTES = 2 * 1024 * 1024
FACT_FIELDS = ("title", "jurisdiction", "effective_date", "adopted_date", "issuer", "level", "status")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_TITLE = re.compile(r"[#\\/<>\x00-\x1f]")
_JURISDICTION = re.compile(r"[\u4e00-\u9fff]{2,20}")


class Rejected(ValueError):
    """A file or change that was refused; the message (Chinese) says why. Nothing was changed."""

    def __init__(self, message: str, preview: "Preview | None" = None):
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class Preview:
    """What adding a file would give: its facts, articles and problems. Nothing is written."""

    filename: str  # as uploaded
    regulation: Regulation | None  # None when the file could not be read at all
    articles: tuple[Article, ...]
    errors: tuple[str, ...]  # any error rejects the file
    warnings: tuple[str, ...]
    replaces: str | None = None  # the title of an added regulation this file would replace

    @property
    def accepted(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class AddedRegulation:
    """One entry of the user folder's manifest."""

    file: str  # stored name inside the user folder
    title: str
    jurisdiction: str
    effective_date: str | None
    articles: int
    original_name: str
    added_at: str
    version_date: str | None = None  # the text's date: files of one title and different dates are its versions


@dataclass(frozen=True)
class Change:
    """The outcome of an add or a removal, and the index it produced."""

    action: str  # 'added' | 'replaced' | 'removed'
    title: str
    articles: int  # articles of the regulation added or removed
    encoded: int  # passages encoded by the rebuild (the others kept their vectors)
    index_regulations: int
    index_articles: int


def _clean_metadata(metadata: dict | None) -> tuple[dict, list[str]]:
    """Entered facts without blanks, dates as ISO; the errors found (Chinese)."""
    from ingest.parse import iso_date

    facts, errors = {}, []
    for key, value in (metadata or {}).items():
        if key not in FACT_FIELDS:
            raise ValueError(f"unknown regulation fact: {key}")
        value = str(value).strip() if value is not None else ""
        if not value:
            continue
        if key.endswith("_date"):
            iso = value if _ISO_DATE.fullmatch(value) else iso_date(value)
            if iso is None:
                errors.append(f"日期“{value}”无法识别，请写成 2022-04-01 或 2022年4月1日。")
                continue
            value = iso
        facts[key] = value
    return facts, errors


def _problem_text(problem) -> str:
    return f"{problem.article_label}：{problem.message}" if problem.article_label else problem.message


def _same_version(entry: dict, version_date: str | None) -> bool:
    """Whether an added file is the same version as a file dated version_date (an undated one always is)."""
    return not entry.get("version_date") or not version_date or entry["version_date"] == version_date


def _refusal(errors) -> str:
    return "无法加入：" + "；".join(e.rstrip("。") for e in errors) + "。"


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.parent / f".{path.name}.part-{os.getpid()}"
    partial.write_bytes(content)
    os.replace(partial, path)


@dataclass(frozen=True)
class UserCorpus:
    """The administrator's folder of added regulations, the bundled folders, and the index built from both."""

    folder: Path
    index_dir: Path
    bundled: tuple[Path, ...] = paths.DEFAULT_FOLDERS

    @classmethod
    def default(cls, index_dir: Path | None = None) -> "UserCorpus":
        """`<REGQA_HOME or ~/.cache/regqa>/user_regulations`, indexed into the default index (or index_dir)."""
        return cls(paths.user_regulations_dir(), Path(index_dir) if index_dir else paths.default_index_dir(),
                   tuple(paths.DEFAULT_FOLDERS))

    # 1. reading the folder
    def corpus_folders(self) -> list[Path]:
        """The folders to index: the bundled ones, and the user folder when it holds any regulation."""
        has_files = self.folder.is_dir() and any(
            p.suffix.lower() in SUFFIXES and p.is_file() for p in self.folder.iterdir())
        return [*map(Path, self.bundled), *([self.folder] if has_files else [])]

    def _entries(self) -> list[dict]:
        path = self.folder / MANIFEST
        if not path.exists():
            return []
        return json.loads(path.read_text(encoding="utf-8")).get("regulations", [])

    def _write_entries(self, entries: list[dict]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        about = "由管理员加入的法规及其信息（由管理页面或 python -m index add 写入，请勿手工编辑）。"
        text = json.dumps({"about": about, "regulations": entries}, ensure_ascii=False, indent=1)
        _write_atomically(self.folder / MANIFEST, text.encode("utf-8"))

    def regulations(self) -> list[AddedRegulation]:
        """The added regulations, in the order they were added."""
        return [AddedRegulation(e["file"], e["title"], e["jurisdiction"], e.get("effective_date"), e["articles"],
                                e.get("original_name", e["file"]), e.get("added_at", ""), e.get("version_date"))
                for e in self._entries()]

    def _bundled_titles(self) -> set[str]:
        from ingest import load_corpus

        return {r.title for r in load_corpus(list(self.bundled)).regulations}

    # 2. checking a file
    def preview(self, source: Path | bytes, filename: str | None = None, metadata: dict | None = None) -> Preview:
        """Parse and check a file as it would be added, with the facts entered by the administrator.

        Args:
            source: the file, or its bytes (then filename is required).
            metadata: facts that override the file's own (title, jurisdiction, effective_date, ...).
        """
        from ingest.parse import parse_regulation

        filename = Path(filename or Path(source).name).name
        suffix = Path(filename).suffix.lower()
        if suffix not in SUFFIXES:
            hint = "PDF 请先把文字复制到 .txt 文件；" if suffix == ".pdf" else ""
            shown = suffix or "无扩展名"
            return Preview(filename, None, (), (f"不支持的文件类型（{shown}）：{hint}只接受 .txt、.md、.docx 文件。",), ())
        size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        if size > MAX_FILE_BYTES:
            return Preview(filename, None, (), (f"文件为 {size / 1024 / 1024:.1f} MB，超过 2 MB 的上限。",), ())
        if size == 0:
            return Preview(filename, None, (), ("文件是空的。",), ())
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()

        # parse with the entered facts, then check what the file and the facts give together
        facts, errors = _clean_metadata(metadata)
        regulation, articles, problems = parse_regulation(raw, filename, facts)
        errors += [_problem_text(p) for p in problems if p.severity == "error"]
        warnings = [_problem_text(p) for p in problems if p.severity == "warning"]
        title = regulation.title
        if not articles:  # unreadable or no articles: the facts below would only add noise
            return Preview(filename, regulation, (), tuple(errors), tuple(warnings))
        if _BAD_TITLE.search(title) or len(title) > 60:
            errors.append(f"法规名称“{title[:60]}”过长或含有不允许的字符（# \\ / < >）。")
        if "title" not in facts and title == Path(filename).stem:
            warnings.append(f"文件中未找到法规名称，暂用文件名“{title}”，请核对并填写。")
        if regulation.jurisdiction == "未知":
            errors.append("未能从法规名称判断所属地区，请填写地区（如：山东省）。")
        elif not _JURISDICTION.fullmatch(regulation.jurisdiction):
            errors.append(f"地区“{regulation.jurisdiction[:30]}”应为 2 到 20 个汉字，如：山东省。")
        if not regulation.effective_date:
            warnings.append("未找到施行日期，可在下方填写。")
        replaces = None
        same_title = [e for e in self._entries() if e["title"] == title]
        if title in self._bundled_titles():
            errors.append(f"与内置法规《{title}》同名：内置法规不能替换。")
        elif any(_same_version(e, regulation.version_date) for e in same_title):
            replaces = title
            warnings.append(f"已加入过《{title}》的这一版本：确认后将替换原有文本。")
        elif same_title:
            dates = "、".join(e.get("version_date") or "日期不详" for e in same_title)
            warnings.append(f"已加入过《{title}》的其他版本（{dates}）：确认后作为另一版本加入（版本日期 "
                            f"{regulation.version_date}），日期最新的版本为现行，其余为历史版本。")
        return Preview(filename, regulation, tuple(articles), tuple(errors), tuple(warnings), replaces)

    # 3. changing the folder, then the index
    def add(self, source: Path | bytes, filename: str | None, metadata: dict | None, encoder,
            progress: Progress | None = None) -> Change:
        """Check a file, copy it into the user folder and rebuild the index; Rejected leaves both untouched."""
        from index.store import build_lock

        filename = Path(filename or Path(source).name).name
        if isinstance(source, bytes):
            raw = source
        else:
            with open(source, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)  # enough for preview to refuse a larger file
        self.folder.mkdir(parents=True, exist_ok=True)
        with build_lock(self.folder):  # one change of the folder and its rebuild at a time
            preview = self.preview(raw, filename, metadata)
            if not preview.accepted:
                raise Rejected(_refusal(preview.errors), preview)
            regulation = preview.regulation
            assert regulation is not None  # an accepted preview has one
            digest = hashlib.sha256(raw).hexdigest()
            stored = f"u_{digest[:16]}{Path(filename).suffix.lower()}"
            entry = {"file": stored, "title": regulation.title, "jurisdiction": regulation.jurisdiction,
                     "effective_date": regulation.effective_date, "adopted_date": regulation.adopted_date,
                     "issuer": regulation.issuer, "level": regulation.level, "status": regulation.status,
                     "articles": regulation.article_count, "original_name": filename, "sha256": digest,
                     "version_date": regulation.version_date,
                     "added_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            entries = self._entries()
            twin = next((e["title"] for e in entries if e["file"] == stored and e["title"] != regulation.title), None)
            if twin:
                raise Rejected(_refusal([f"同一文件已作为《{twin}》加入"]), preview)
            replaced = [e for e in entries if e["title"] == regulation.title and _same_version(e, regulation.version_date)]
            kept = [e for e in entries if e not in replaced]
            retired = [e["file"] for e in replaced if e["file"] != stored]
            created = not (self.folder / stored).exists()
            outcome = self._commit([*kept, entry], retired, {stored: raw} if created else {}, encoder, progress)
        return Change("replaced" if preview.replaces else "added", regulation.title, regulation.article_count,
                      *outcome)

    def remove(self, title: str, encoder, progress: Progress | None = None) -> Change:
        """Remove an added regulation (its file and its articles) and rebuild the index."""
        from index.store import build_lock

        self.folder.mkdir(parents=True, exist_ok=True)
        with build_lock(self.folder):
            entries = self._entries()
            match = [e for e in entries if e["title"] == title]
            if not match:
                raise Rejected(f"没有已加入的法规《{title}》（内置法规不能删除）。")
            kept = [e for e in entries if e["title"] != title]
            outcome = self._commit(kept, [e["file"] for e in match], {}, encoder, progress)
        return Change("removed", title, match[0]["articles"], *outcome)

    def _commit(self, entries: list[dict], retired: list[str], created: dict[str, bytes], encoder,
                progress: Progress | None) -> tuple[int, int, int]:
        """Copy in the new files, set retired ones aside, write the manifest and rebuild the index;
        on any failure put the folder back as it was (the index is only replaced by a finished build).

        Returns (passages encoded, regulations, articles) of the new index.
        """
        from index.store import build, check
        from ingest import load_corpus

        manifest_path = self.folder / MANIFEST
        previous = manifest_path.read_bytes() if manifest_path.exists() else None
        aside = {name: self.folder / f".{name}.retired-{os.getpid()}" for name in retired}
        try:
            for name, raw in created.items():
                _write_atomically(self.folder / name, raw)
            for name, path in aside.items():
                os.replace(self.folder / name, path)
            self._write_entries(entries)
            folders = self.corpus_folders()
            corpus = load_corpus(folders)
            failed = [p.message for p in corpus.errors if p.source_file in created]
            if failed:
                raise Rejected(_refusal(failed))
            for problem in corpus.errors:
                emit(progress, NOTICE, f"已跳过 {problem.source_file}：{problem.message}")
            build(corpus, self.index_dir, encoder, folders, progress)
        except BaseException:
            for name in created:
                (self.folder / name).unlink(missing_ok=True)
            for name, path in aside.items():
                if path.exists():
                    os.replace(path, self.folder / name)
            if previous is None:
                manifest_path.unlink(missing_ok=True)
            else:
                _write_atomically(manifest_path, previous)
            raise
        for path in aside.values():
            path.unlink()
        manifest = check(self.index_dir, check_corpus=False)
        return int(manifest.build["encoded"]), manifest.counts["regulations"], manifest.counts["articles"]
