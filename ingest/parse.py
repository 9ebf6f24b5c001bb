"""Split one regulation's text into chapters and articles (条), with paragraphs (款) and items (项)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest import clean
from ingest.numerals import NUMERAL_CHARS, article_label, parse_numeral
from ingest.records import Article, Paragraph, Problem, Regulation
from ingest.word import NotADocx, docx_text

_N = f"[{NUMERAL_CHARS}]+"
_ARTICLE = re.compile(rf"^第({_N})条(?:之([一二三四五六七八九十]+))?([\s:：.、]*)(.*)$", re.S)
_CHAPTER = re.compile(rf"^第({_N})章\s*(.*)$")
_SECTION = re.compile(rf"^第({_N})节\s*(.*)$")
_ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
# Words that, right after 第X条 at a line start, show a reference rather than a new article.
_REFERENCE_TAIL = re.compile(r"^(?:规定|第|、|和|或|至|中|所|的|以及)")
_TITLE_LINE = re.compile(r"^[^，。；：]{2,40}(?:条例|办法|规定|决定|细则|规则|实施意见|若干规定)$")
_SENTENCE_END = re.compile(r"[。；：！？」”）]$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_JURISDICTION = re.compile(r"^(.{1,10}?(?:自治区|自治州|省|市|州|盟|县|区))")
_LOST_YEAR = re.compile(r"自年\d{1,2}月\d{1,2}日起(?:施行|实施)")


@dataclass
class _Draft:
    """An article being collected, line by line."""

    article_no: int
    sub_no: int
    chapter: str
    start: int
    end: int
    lines: list[str] = field(default_factory=list)


def iso_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def infer_jurisdiction(title: str) -> str | None:
    """山东省信息化条例 -> 山东省; None when the title names no place."""
    match = _JURISDICTION.match(title)
    return match.group(1) if match else None


def _heading(kind: str, number: str, name: str) -> str:
    name = re.sub(r"\s+", "", name)
    return f"第{number}{kind}\u3000{name}" if name else f"第{number}{kind}"


def _append(lines: list[str], text: str) -> None:
    """Add a cleaned line; a line broken mid-sentence (PDF extraction) is joined to the last."""
    if lines and not _SENTENCE_END.search(lines[-1]) and not _ITEM.match(text):
        lines[-1] += text
    else:
        lines.append(text)


def _paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """Group lines into paragraphs; item lines （一）… belong to the paragraph before them."""
    groups: list[tuple[str, list[str]]] = []
    for line in lines:
        if _ITEM.match(line) and groups:
            groups[-1][1].append(line)
        else:
            groups.append((line, []))
    return tuple(Paragraph(text, tuple(items)) for text, items in groups)


def _is_header(match: re.Match, previous: tuple[int, int] | None) -> bool:
    """Tell a new article 第X条… from a line that starts with a reference to one."""
    try:
        number = parse_numeral(match.group(1))
    except ValueError:
        return False
    sub = parse_numeral(match.group(2)) if match.group(2) else 0
    if previous is None or (number, sub) in {(previous[0] + 1, 0), (previous[0], previous[1] + 1)}:
        return True
    if match.group(3):  # a separator after 第X条: written as a heading
        return True
    return not _REFERENCE_TAIL.match(match.group(4))


def parse_regulation(raw: bytes, source_file: str, facts: dict | None = None
                     ) -> tuple[Regulation, list[Article], list[Problem]]:
    """Parse one regulation file's bytes into its record, its articles and the problems found.

    Plain text and Markdown are decoded (UTF-8 or GB18030); a .docx (by its source_file suffix) is read
    paragraph by paragraph, and spans then point into that extracted text.

    Args:
        facts: the manifest entry for this file, if any (title, jurisdiction, dates, ...).
    """
    facts = dict(facts or {})
    problems: list[Problem] = []

    def report(severity: str, message: str, label: str = "") -> None:
        problems.append(Problem(severity, source_file, message, label))

    # 1. decode (a .docx: its paragraphs as lines) and split off front matter
    try:
        text = docx_text(raw) if source_file.lower().endswith(".docx") else clean.decode(raw)
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        report("error", f"无法解码：第 {line} 行（第 {err.start} 字节）处既不是 UTF-8 也不是 GB18030 编码")
        return _regulation(facts, source_file, raw, None, (), 0), [], problems
    except NotADocx as err:
        report("error", str(err))
        return _regulation(facts, source_file, raw, None, (), 0), [], problems
    meta, body, offset = clean.split_front_matter(text)

    # 2. walk the lines: preamble, chapter headings, article headers and bodies
    title_candidates: list[str] = []
    preamble: list[str] = []  # lines before the first article
    preamble_dates: list[str] = []
    chapters: list[str] = []
    chapter = section = ""
    drafts: list[_Draft] = []
    position = offset
    for raw_line in body.splitlines(keepends=True):
        start, position = position, position + len(raw_line)
        end = start + len(raw_line.rstrip("\r\n"))
        if raw_line.lstrip().startswith("# ") and not drafts:
            title_candidates.insert(0, clean.finish_text(clean.prepare_line(raw_line)))
            continue
        prepared = clean.prepare_line(raw_line).strip(" \t\u3000\r\n\xa0")
        if not prepared or clean.is_page_number(prepared) or clean.is_rule_line(prepared):
            continue
        if clean.is_ad_line(prepared):
            report("warning", f"已删除广告文字：“{prepared[:30]}…”")
            continue
        if re.fullmatch(r"目\s*录", prepared):
            continue
        if (heading := _CHAPTER.match(prepared)) and len(heading.group(2)) <= 30 \
                and "。" not in heading.group(2):
            chapter = _heading("章", heading.group(1), heading.group(2))
            section = ""
            if drafts and chapter not in chapters:
                chapters.append(chapter)
            continue
        if (heading := _SECTION.match(prepared)) and len(heading.group(2)) <= 30:
            section = _heading("节", heading.group(1), heading.group(2))
            continue
        header = _ARTICLE.match(prepared)
        expected = (drafts[-1].article_no, drafts[-1].sub_no) if drafts else None
        if header and _is_header(header, expected):
            where = chapter + (f"\u3000{section}" if section else "")
            if not drafts and chapter and chapter not in chapters:
                chapters.append(chapter)
            drafts.append(_Draft(parse_numeral(header.group(1)),
                                 parse_numeral(header.group(2)) if header.group(2) else 0,
                                 where, start, end))
            first = clean.finish_text(header.group(4))
            if first:
                drafts[-1].lines.append(first)
            continue
        line = clean.finish_text(prepared)
        if not drafts:
            if _TITLE_LINE.match(line):
                broken = preamble[-1] + line if preamble else ""  # a title broken over two lines (PDF)
                split = _TITLE_LINE.match(broken) and not _TITLE_LINE.match(preamble[-1]) \
                    and not re.search(r"\d", preamble[-1])
                title_candidates.append(broken if split else line)
            preamble.append(line)
            if date := iso_date(line):
                if "通过" in line:
                    preamble_dates.append(date)
            continue
        if clean.is_tag_line(prepared):
            report("warning", f"已删除与正文无关的标签行：“{line[:30]}…”", article_label(drafts[-1].article_no))
            continue
        _append(drafts[-1].lines, line)
        drafts[-1].end = end

    # 3. resolve the facts: manifest first, then front matter, then the text itself
    title = (facts.get("title") or meta.get("title") or (title_candidates[0] if title_candidates else None)
             or Path(source_file).stem)
    title = str(title).strip()
    facts.setdefault("title", title)
    facts["jurisdiction"] = facts.get("jurisdiction") or infer_jurisdiction(title) or "未知"
    facts["issuer"] = facts.get("issuer") or meta.get("author") or None
    facts["status"] = facts.get("status") or meta.get("status") or None
    facts["adopted_date"] = facts.get("adopted_date") or _meta_date(meta.get("date")) or \
        (preamble_dates[0] if preamble_dates else None)
    if not facts.get("effective_date"):
        facts["effective_date"] = _meta_date(meta.get("effective_date")) or _effective_from_text(drafts)

    # 4. check the numbering: 1, 2, 3 ... with optional 之一 after an article
    if not text.strip():
        report("error", "文件是空的（没有任何文字）")
    elif not drafts:
        report("error", "未找到任何条文（没有以“第X条”开头的行）")
    previous: tuple[int, int] | None = None
    for draft in drafts:
        key = (draft.article_no, draft.sub_no)
        label = article_label(*key)
        if previous is None:
            if key != (1, 0):
                report("error", f"条文编号应从第一条开始，却从{label}开始", label)
        elif key == previous or key < previous:
            report("error", f"条文编号重复或倒序：{article_label(*previous)}之后又出现{label}", label)
        elif key not in {(previous[0] + 1, 0), (previous[0], previous[1] + 1)}:
            missing = article_label(previous[0] + 1)
            report("error", f"条文编号缺失：{article_label(*previous)}之后是{label}，缺少{missing}", label)
        previous = key
        if not draft.lines:
            report("error", f"{label}没有正文", label)

    # 5. build the articles
    articles = []
    for draft in drafts:
        label = article_label(draft.article_no, draft.sub_no)
        body_text = "\n".join(draft.lines)
        notes = []
        if _LOST_YEAR.search(body_text):
            effective = facts.get("effective_date")
            fix = f"据法规清单，施行日期为{_cn_date(effective)}" if effective else "施行日期不详"
            notes.append(f"本条在所收录的文本中缺失年份（“{_LOST_YEAR.search(body_text).group(0)}”），{fix}。")
            report("warning", f"来源文本缺陷：{label}缺失年份，{fix}", label)
        articles.append(Article(
            regulation=title, jurisdiction=facts["jurisdiction"], article_no=draft.article_no,
            label=label, chapter=draft.chapter, text=body_text, paragraphs=_paragraphs(draft.lines),
            source_file=source_file, span=(draft.start, draft.end), sub_no=draft.sub_no,
            notes=tuple(notes)))
    expected_count = facts.get("articles")
    if expected_count is not None and expected_count != len(articles):
        report("error", f"清单记载 {expected_count} 条，解析得到 {len(articles)} 条")
    return _regulation(facts, source_file, raw, meta, tuple(chapters), len(articles)), articles, problems


def _meta_date(value) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else iso_date(text)


def _effective_from_text(drafts: list[_Draft]) -> str | None:
    for draft in reversed(drafts[-3:]):
        for line in draft.lines:
            if re.search(r"起(?:施行|实施)", line) and (date := iso_date(line)):
                return date
    return None


def _cn_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _regulation(facts: dict, source_file: str, raw: bytes, meta, chapters, count) -> Regulation:
    title = facts.get("title") or Path(source_file).stem
    return Regulation(
        title=title, jurisdiction=facts.get("jurisdiction") or infer_jurisdiction(title) or "未知",
        source_file=source_file, sha256=hashlib.sha256(raw).hexdigest(), level=facts.get("level"),
        issuer=facts.get("issuer"), adopted_date=facts.get("adopted_date"),
        effective_date=facts.get("effective_date"), status=facts.get("status"),
        chapters=chapters, article_count=count)
