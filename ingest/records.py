"""Typed records produced by ingest: one regulation, its articles, and the problems found."""
from __future__ import annotations

from dataclasses import dataclass, field


def article_key(regulation: str, article_no: int, sub_no: int = 0, version: str = "") -> str:
    """The one way to name an article: 天津市信息化促进条例#28, 第十二条之一 -> #12-1; a historical version
    of a regulation (version = its date) -> 中华人民共和国民事诉讼法@2021-12-24#1."""
    at = f"@{version}" if version else ""
    sub = f"-{sub_no}" if sub_no else ""
    return f"{regulation}{at}#{article_no}{sub}"


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

    @property
    def key(self) -> str:
        """Stable identifier: regulation title and article number (see article_key)."""
        return article_key(self.regulation, self.article_no, self.sub_no)

    @property
    def citation(self) -> str:
        return f"《{self.regulation}》{self.label}"


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
    status: str | None = None
    chapters: tuple[str, ...] = ()
    article_count: int = 0


@dataclass(frozen=True)
class Problem:
    """A data-quality finding: severity 'error' excludes the file, 'warning' is reported."""

    severity: str  # 'error' | 'warning'
    source_file: str
    message: str  # Chinese, shown to users
    article_label: str = ""


@dataclass(frozen=True)
class GlossaryEntry:
    """A defined term (用语含义 / 所称…是指) with the article that defines it."""

    term: str
    definition: str
    regulation: str
    article_no: int
    label: str
    key: str = ""  # the defining article's key (article_key)


@dataclass(frozen=True)
class CrossRef:
    """A reference from one article to another article of the same regulation."""

    regulation: str
    from_article: int
    to_article: int
    phrase: str  # the referring words as they stand in the text
    from_key: str = ""  # the referring article's key (article_key)
    to_key: str = ""  # the referred article's key


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

    def regulation(self, title: str) -> Regulation:
        for reg in self.regulations:
            if reg.title == title:
                return reg
        raise KeyError(title)
