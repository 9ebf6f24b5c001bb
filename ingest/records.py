"""Typed records produced by ingest: one regulation, its articles, and the problems found."""
from __future__ import annotations

from dataclasses import dataclass, field

CURRENT = "现行"
HISTORICAL = "历史版本"
WHOLE = "全文"  # Article.unit of a document kept as one unit


TIERS = ("法律", "行政法规", "地方性法规", "地方政府规章")  # highest first


def level_tier(level: str | None) -> str:
    """法律 / 行政法规 / 地方性法规 / 地方政府规章 for a stated level, '' when none is stated (or it is another kind)."""
    if not level:
        return ""
    for tier in TIERS:
        if tier in level:
            return tier
    return "地方政府规章" if "政府规章" in level else ""


def article_key(regulation: str, article_no: int, sub_no: int = 0, version: str = "", *, repeat: int = 0) -> str:
    """The one place that builds an article key; keys are stable across rebuilds and unique per corpus.

    ``天津市信息化促进条例#28``; ``某市数据条例#2-1`` for 第二条之一; a historical version puts its date
    after an ``@``: ``中华人民共和国民事诉讼法@2021-12-24#1``; the second (third ...) article printed with a
    number already used in the same version (a true repeat) ends in ``~2`` (``~3`` ...): ``丙市条例#2~2``.
    """
    at = f"@{version}" if version else ""
    sub = f"-{sub_no}" if sub_no else ""
    again = f"~{repeat}" if repeat else ""
    return f"{regulation}{at}#{article_no}{sub}{again}"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph (款) of an article, with the items (项) listed under it."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One article (条) of a regulation, cleaned and normalized to simplified Chinese."""

    regulation: str  # exact title, e.g. 天津市信息化促进条例
    jurisdiction: str  # e.g. 天津市
    article_no: int  # 28 for 第二十八条
    label: str  # 第二十八条 (or 第十二条之一)
    chapter: str  # 第三章　信息资源开发利用 ('' when the regulation has no chapters)
    text: str  # normalized text; paragraphs and items joined by '\n'
    paragraphs: tuple[Paragraph, ...]
    source_file: str  # file name inside its corpus folder
    span: tuple[int, int]  # character span of the article in the decoded raw text (.docx: its lines)
    sub_no: int = 0  # 1 for 第十二条之一
    notes: tuple[str, ...] = ()  # known source defects, shown to users
    version: str = ""  # '' for the current (or only) version; the version date (2021-12-24) for a historical one
    unit: str = "条"  # what article_no counts: 条, or for a document without 条 部分 / 项 / 全文 (see ingest.units)
    repeat: int = 0  # 2 for the second article printed with a number already used in this version, else 0

    @property
    def key(self) -> str:
        """Stable identifier: regulation title, version (historical only) and article number."""
        return article_key(self.regulation, self.article_no, self.sub_no, self.version, repeat=self.repeat)

    @property
    def citation(self) -> str:
        """As a reader cites it: 《中华人民共和国民法典》第一千零三十四条; 《…》（2021年12月24日版）第一条 for a
        historical version; the bare title for a document kept whole (unit 全文)."""
        edition = f"（{cn_date(self.version)}版）" if self.version else ""
        label = "" if self.unit == WHOLE else self.label
        return f"《{self.regulation}》{edition}{label}"


@dataclass(frozen=True)
class Regulation:
    """Facts about one regulation file, from the manifest, its front matter or its text."""

    title: str
    jurisdiction: str
    source_file: str
    sha256: str  # of the raw bytes
    level: str | None = None
    issuer: str | None = None
    adopted_date: str | None = None  # ISO date
    effective_date: str | None = None  # ISO date
    status: str | None = None  # as the sources say; for a title with several versions 现行 / 历史版本 by default
    chapters: tuple[str, ...] = ()
    article_count: int = 0
    version_date: str | None = None  # ISO date of this text (manifest, front matter, file name, else header)
    part: str = ""  # the part of a code this file holds, e.g. 第四编　人格权 ('' for a whole regulation)
    version: str = ""  # as Article.version: '' for the current (or only) version, else version_date
    currency_note: str = ""  # Chinese: a known later change this text does not contain (manifest later_changes)

    @property
    def tier(self) -> str:
        """The level as one of 法律 / 行政法规 / 地方性法规 / 地方政府规章 (from the stated level, e.g. 省级地方性法规,
        设区的市政府规章); '' when no level is stated."""
        return level_tier(self.level)


@dataclass(frozen=True)
class Problem:
    """A data-quality finding: severity 'error' excludes the file, 'warning' is reported.

    An error is kept for a file that cannot be read at all (undecodable, empty, not a regulation) or a
    folder or manifest that cannot be; every flaw inside a readable file is a warning.
    """

    severity: str  # 'error' | 'warning'
    source_file: str
    message: str  # Chinese, shown to users
    article_label: str = ""
    kind: str = ""  # machine-readable code, one of KINDS ('' in indexes built before it existed)
    line: int = 0  # 1-based line of the file the finding is about; 0 when it is about the whole file


# Problem.kind codes and what they mean.
KINDS = {
    # warnings: the file loads
    "gap": "a number is missing between two articles; both kept under their own numbers",
    "repeat": "a number already used in this version; the article is kept, its key ends in ~2, ~3 ...",
    "order": "a number lower than the one before (not a repeat); kept under its own number",
    "start": "the first article is not 第一条 (and the file is not a part of a code)",
    "typo_heading": "an article heading written with noise (spaces inside, 笫 for 第) read as a heading",
    "inline_heading": "articles run together on one line, split after a sentence end",
    "bare_heading": "a chapter heading written without 第X章 (Chinese characters alone, just before an article) read "
                    "as a chapter, named as written",
    "heading_continued": "a chapter heading broken over two lines, joined",
    "empty_article": "an article heading with no text; the heading is left out",
    "units": "no 第X条: the document is split by its own numbering (一、 / （一） / 第一部分)",
    "whole": "no 第X条 and no numbering: the document is kept as one unit",
    "duplicate": "same title, part and version date as a file already loaded; this file is skipped",
    "count": "the manifest's article count differs from the articles found",
    "ad": "an advertising line removed", "tag": "a line of keyword tags removed",
    "lost_year": "the source text lost a year in a date",
    "unsupported_file": "a file of another type in the folder, ignored",
    # errors: the file (or folder) is not loaded
    "undecodable": "neither UTF-8 nor GB18030", "empty": "no text at all",
    "not_regulation": "no 第X条, no numbering of its own, and not a kind of document kept whole",
    "not_docx": "a .docx that cannot be read", "unreadable": "the file system refused to read it",
    "missing_file": "listed in manifest.json but absent", "manifest": "manifest.json cannot be read",
    "no_folder": "the folder does not exist", "no_files": "the folder holds no regulation file",
}


@dataclass(frozen=True)
class GlossaryEntry:
    """A defined term (用语含义 / 所称…是指) with the article that defines it."""

    term: str
    definition: str
    regulation: str
    article_no: int
    label: str
    version: str = ""  # as Article.version
    key: str = ""  # the defining article's key (article_key)


@dataclass(frozen=True)
class CrossRef:
    """A reference from one article to another: of the same regulation, or (to_regulation) of another one."""

    regulation: str
    from_article: int
    to_article: int
    phrase: str  # the referring words as they stand in the text
    version: str = ""  # as Article.version: both articles belong to this version
    from_key: str = ""  # the referring article's key (article_key)
    to_key: str = ""  # the referred article's key
    to_regulation: str = ""  # the cited article's regulation when it is another one (《中华人民共和国网络安全法》第六十四条)


@dataclass(frozen=True)
class Corpus:
    """Everything ingest produced from one or more folders."""

    regulations: tuple[Regulation, ...]
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    crossrefs: tuple[CrossRef, ...] = field(default=())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def regulation(self, title: str, version: str = "") -> Regulation:
        """The regulation of that title: its current version, or the historical one dated ``version``."""
        for reg in self.regulations:
            if reg.title == title and reg.version == version:
                return reg
        raise KeyError(title if not version else f"{title}@{version}")



def cn_date(iso: str) -> str:
    """2021-12-24 -> 2021年12月24日; anything else unchanged."""
    parts = iso.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return iso
    year, month, day = (int(p) for p in parts)
    return f"{year}年{month}月{day}日"
