"""Split one regulation's text into chapters and articles (条), with paragraphs (款) and items (项).

No flaw inside a readable file drops it: a numbering gap, repeat or odd start, a heading written with noise,
articles run together on one line, each costs a warning naming the line, and every article is kept under
its own number. A document without 第X条 is split by its own numbering (ingest.units).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest import clean
from ingest.headings import Heading, accepts, in_sequence, line_heading, split_inline
from ingest.numerals import NUMERAL_CHARS, article_label
from ingest.records import Article, Paragraph, Problem, Regulation, cn_date
from ingest.units import split_units
from ingest.word import NotADocx, docx_text

_N = f"[{NUMERAL_CHARS}]+"
_PART = re.compile(rf"^第({_N})(分编|编)\s*(.*)$")
_CHAPTER = re.compile(rf"^第({_N})章\s*(.*)$")
_SECTION = re.compile(rf"^第({_N})节\s*(.*)$")
_ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_INFO_END = re.compile(r"^\s*<!--\s*INFO END\s*-->\s*$")  # ends the header block of LawRefBook files
_TITLE_LINE = re.compile(r"^[^，。；：]{2,40}(?:条例|办法|规定|决定|细则|规则|实施意见|若干规定|解释|批复|答复|通知|决议|修正案)$")
_PART_TITLE = re.compile(r"^[^\s，。；：]{1,10}编$")  # '# 人格权编' under '# 中华人民共和国民法典'
_SENTENCE_END = re.compile(r"[。；：！？」”）]$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_VERSION_WORDS = re.compile(r"通过|修正|修订|修改|公布|发布")
_ISO_IN_NAME = re.compile(r"[(（](\d{4}-\d{2}-\d{2})[)）]")
_JURISDICTION = re.compile(r"^(.{1,10}?(?:自治区|自治州|省|市|州|盟|县|区))")
_NATIONAL = re.compile(r"^(?:中华人民共和国|全国人民代表大会|国务院|最高人民法院|最高人民检察院)")
_LOST_YEAR = re.compile(r"自年\d{1,2}月\d{1,2}日起(?:施行|实施)")
_BLANKS = " \t\u3000\r\n\xa0"
# a chapter heading written without 第X章 (未成年人网络保护条例: 网络素养促进, 附　则): Chinese characters alone
_BARE_HEADING = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff \u3000]{1,14}")


@dataclass(frozen=True)
class _Line:
    """One line of the decoded file."""

    no: int  # 1-based line number in the file
    start: int  # offset of the line in the decoded text
    end: int  # offset of its end, line break excluded
    raw: str


@dataclass
class _Draft:
    """An article being collected, line by line."""

    article_no: int
    sub_no: int
    chapter: str
    start: int
    end: int
    line_no: int
    lines: list[str] = field(default_factory=list)
    repeat: int = 0
    unit: str = "条"
    label: str = ""  # set for units; articles are labelled from their number

    @property
    def number(self) -> tuple[int, int]:
        return self.article_no, self.sub_no


def iso_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def infer_jurisdiction(title: str) -> str | None:
    """山东省信息化条例 -> 山东省; 中华人民共和国刑事诉讼法 (or a title naming a national body) -> 全国;
    None when the title names no place."""
    if _NATIONAL.match(title):
        return "全国"
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


class _Reader:
    """Reads a file's lines in order: the header, headings, articles, and what precedes the first article."""

    def __init__(self, report, part: str):
        self.report = report
        self.titles: list[str] = []  # title candidates, best first
        self.title_part = ""  # a part named by a second '# ' line (# 人格权编)
        self.preamble: list[str] = []  # finished lines before the first article
        self.leading: list[tuple[_Line, str, bool]] = []  # (line, prepared, looks like header) before it
        self.adopted: list[str] = []  # dates of lines saying 通过, before the first article
        self.versions: list[str] = []  # dates of lines saying 通过 / 修正 / 修订 / 公布 …, before it
        self.effective: list[str] = []  # dates of lines saying 施行, before it
        self.chapters: list[str] = []
        self.part, self.subpart, self.chapter, self.section = part, "", "", ""
        self.part_before_first = bool(part)
        self.drafts: list[_Draft] = []
        self.pending: tuple[_Line, str] | None = None  # a bare line that may be the next chapter's heading
        self.numbered = False  # a 第X章 heading has been seen
        self.after_chapter = False  # the last line read was a numbered chapter heading

    # -- where an article stands

    def _chapter_name(self) -> str:
        return "\u3000".join(x for x in (self.part, self.subpart, self.chapter) if x) if self.chapter else ""

    def _where(self) -> str:
        core = self.chapter + (f"\u3000{self.section}" if self.section else "")
        return "\u3000".join(x for x in (self.part, self.subpart, core) if x)

    # -- lines

    def header_line(self, line: _Line) -> None:
        """A line of the header block (before <!-- INFO END -->): title and dates, never an article."""
        if line.raw.lstrip().startswith("# "):
            self._title_line(line)
            return
        text = clean.finish_text(clean.prepare_line(line.raw))
        if text:
            self._dates(text)

    def read(self, line: _Line) -> None:
        """A line of the body."""
        if line.raw.lstrip().startswith("# ") and not self.drafts:
            self._title_line(line)
            return
        prepared = clean.prepare_line(line.raw).strip(_BLANKS)
        if not prepared or clean.is_page_number(prepared) or clean.is_rule_line(prepared):
            return
        if clean.is_ad_line(prepared):
            self.report("warning", "ad", f"已删除广告文字：“{prepared[:30]}…”", line=line.no)
            return
        if re.fullmatch(r"目\s*录", prepared):
            return
        heading = line_heading(prepared)
        starts = heading and accepts(heading, self.drafts[-1].number if self.drafts else None)
        if starts:
            self._bare_chapter()
        else:
            self.flush()
        after_chapter, self.after_chapter = self.after_chapter, False  # _structure sets it again for a chapter
        if self._structure(prepared, re.match(r"\s*#{2,6}\s", line.raw) is not None):
            return
        if after_chapter and not starts and _BARE_HEADING.fullmatch(prepared):
            self._continued_chapter(line, prepared)
            return
        if starts:
            self._start(heading, line, line.start)
            self._add(heading.rest, line, continued=False)
            return
        if not self.drafts:
            self._before_first(line, prepared)
            return
        if heading is None and self._may_be_heading(prepared):  # never an article heading out of sequence
            self.pending = (line, prepared)
            return
        if clean.is_tag_line(prepared):
            self.report("warning", "tag", f"已删除与正文无关的标签行：“{clean.finish_text(prepared)[:30]}…”",
                        article_label(self.drafts[-1].article_no), line.no)
            return
        self._add(prepared, line, continued=True)

    def flush(self) -> None:
        """A bare line that turned out not to precede an article: it is the current article's text after all."""
        if self.pending:
            line, prepared = self.pending
            self.pending = None
            self._add(prepared, line, continued=True)

    def _may_be_heading(self, prepared: str) -> bool:
        """Chinese characters alone after a finished sentence, in a text whose chapters are numbered."""
        draft = self.drafts[-1]
        return bool(self.numbered and draft.lines and _SENTENCE_END.search(draft.lines[-1])
                    and _BARE_HEADING.fullmatch(prepared))

    def _bare_chapter(self) -> None:
        """The bare line just before an article is the next chapter's heading; no number is made up for it."""
        if not self.pending:
            return
        line, prepared = self.pending
        self.pending = None
        self.chapter, self.section = re.sub(r"\s+", "", prepared), ""
        self._remember_chapter()
        self.report("warning", "bare_heading", f"第{line.no}行：“{self.chapter}”单独成行、其后即是新的条文，"
                    "已作为章标题读取（原文未写“第X章”）", line=line.no)

    def _continued_chapter(self, line: _Line, prepared: str) -> None:
        """A chapter heading broken over two lines: the second line completes its name."""
        before = self._chapter_name()
        self.chapter += re.sub(r"\s+", "", prepared)
        if before in self.chapters:
            self.chapters[self.chapters.index(before)] = self._chapter_name()
        self.report("warning", "heading_continued", f"第{line.no}行：章标题分两行书写，已合并为“"
                    f"{self.chapter.replace(chr(0x3000), ' ')}”", line=line.no)

    def _remember_chapter(self) -> None:
        if self._chapter_name() not in self.chapters:
            self.chapters.append(self._chapter_name())

    def _title_line(self, line: _Line) -> None:
        text = clean.finish_text(clean.prepare_line(line.raw))
        if self.titles and _PART_TITLE.match(text) and not self.title_part:
            self.title_part = text
            self.part = self.part or text
            self.part_before_first = True
        elif text:
            self.titles.insert(0, text)

    def _structure(self, prepared: str, markdown: bool) -> bool:
        """A part (编), chapter (章) or section (节) heading, or another Markdown heading: remember it."""
        if (heading := _PART.match(prepared)) and len(heading.group(3)) <= 30 and "。" not in heading.group(3):
            name = _heading(heading.group(2), heading.group(1), heading.group(3))
            if heading.group(2) == "编":
                self.part, self.subpart = name, ""
                self.part_before_first |= not self.drafts
            else:
                self.subpart = name
            self.chapter = self.section = ""
            return True
        if (heading := _CHAPTER.match(prepared)) and len(heading.group(2)) <= 30 and "。" not in heading.group(2):
            self.chapter = _heading("章", heading.group(1), heading.group(2))
            self.section = ""
            self.numbered = self.after_chapter = True
            if self.drafts:
                self._remember_chapter()
            return True
        if (heading := _SECTION.match(prepared)) and len(heading.group(2)) <= 30:
            self.section = _heading("节", heading.group(1), heading.group(2))
            return True
        if markdown and len(prepared) <= 30 and "。" not in prepared and not line_heading(prepared):
            self.chapter, self.section = re.sub(r"\s+", "", prepared), ""  # ## 附则: a chapter without a number
            if self.drafts:
                self._remember_chapter()
            return True
        return False

    def _before_first(self, line: _Line, prepared: str) -> None:
        """A line before the first article: title, dates, preamble (a document without articles: its body)."""
        text = clean.finish_text(prepared)
        titled = False
        if _TITLE_LINE.match(text):
            broken = self.preamble[-1] + text if self.preamble else ""  # a title broken over two lines (PDF)
            split = _TITLE_LINE.match(broken) and not _TITLE_LINE.match(self.preamble[-1]) \
                and not re.search(r"\d", self.preamble[-1])
            self.titles.append(broken if split else text)
            titled = True
        self.preamble.append(text)
        dated = self._dates(text)
        self.leading.append((line, prepared, titled or (dated and len(text) <= 120)
                             or bool(re.fullmatch(r"[（(].*[）)]", text))))

    def _dates(self, text: str) -> bool:
        date = iso_date(text)
        if not date:
            return False
        if "通过" in text:
            self.adopted.append(date)
        if _VERSION_WORDS.search(text):
            self.versions.append(date)
        if "施行" in text:
            self.effective.append(date)
        return bool(_VERSION_WORDS.search(text) or "施行" in text)

    # -- articles

    def _start(self, heading: Heading, line: _Line, start: int) -> None:
        if not self.drafts and self._chapter_name() and self._chapter_name() not in self.chapters:
            self.chapters.append(self._chapter_name())
        self.drafts.append(_Draft(heading.article_no, heading.sub_no, self._where(), start, line.end, line.no))
        if heading.noise:
            label = article_label(*heading.number)
            self.report("warning", "typo_heading", f"第{line.no}行：条文标题“{heading.written}”写法不规范"
                        f"（{heading.noise}），已按{label}读取", label, line.no)

    def _add(self, prepared: str, line: _Line, continued: bool) -> None:
        """Text of the current article; articles that start inside it (after a sentence end) are split off."""
        pieces = split_inline(prepared, self.drafts[-1].number)
        if len(pieces) > 1:
            found = [article_label(*h.number) for h, _ in pieces if h]
            named = found[0] if len(found) == 1 else f"{found[0]}至{found[-1]}"
            self.report("warning", "inline_heading", f"第{line.no}行：一行中连写了多条条文，已在句末拆分出{named}"
                        f"（共 {len(found)} 条）", found[0], line.no)
        cursor = 0
        for heading, piece in pieces:
            if heading:
                at = line.raw.find(heading.written, cursor)
                if at >= 0:
                    cursor = at + len(heading.written)
                    self.drafts[-1].end = line.start + len(line.raw[:at].rstrip(_BLANKS))
                self._start(heading, line, line.start + max(at, 0))
                continued = False
            text = clean.finish_text(piece.strip(_BLANKS))
            if not text:
                continue
            if continued:
                _append(self.drafts[-1].lines, text)
            else:
                self.drafts[-1].lines.append(text)
            self.drafts[-1].end = line.end


def _lines(body: str, offset: int, first_no: int) -> list[_Line]:
    lines, position = [], offset
    for number, raw_line in enumerate(body.splitlines(keepends=True), start=first_no):
        start, position = position, position + len(raw_line)
        lines.append(_Line(number, start, start + len(raw_line.rstrip("\r\n")), raw_line))
    return lines


def parse_regulation(raw: bytes, source_file: str, facts: dict | None = None
                     ) -> tuple[Regulation, list[Article], list[Problem]]:
    """Parse one regulation file's bytes into its record, its articles and the problems found.

    Plain text and Markdown are decoded (UTF-8 or GB18030); a .docx (by its source_file suffix) is read
    paragraph by paragraph, and spans then point into that extracted text. Lines before ``<!-- INFO END -->``
    are a header block: title and dates, never articles.

    Args:
        facts: the manifest entry for this file, if any (title, jurisdiction, dates, part, ...).
    """
    facts = dict(facts or {})
    problems: list[Problem] = []

    def report(severity: str, kind: str, message: str, label: str = "", line: int = 0) -> None:
        problems.append(Problem(severity, source_file, message, label, kind, line))

    # 1. decode (a .docx: its paragraphs as lines) and split off front matter
    try:
        text = docx_text(raw) if source_file.lower().endswith(".docx") else clean.decode(raw)
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        report("error", "undecodable", f"无法解码：第 {line} 行（第 {err.start} 字节）处既不是 UTF-8 也不是 GB18030 编码",
               line=line)
        return _regulation(facts, source_file, raw, (), 0), [], problems
    except NotADocx as err:
        report("error", "not_docx", str(err))
        return _regulation(facts, source_file, raw, (), 0), [], problems
    meta, body, offset = clean.split_front_matter(text)
    lines = _lines(body, offset, text[:offset].count("\n") + 1)
    info_end = next((i for i, line in enumerate(lines) if _INFO_END.match(line.raw)), -1)

    # 2. walk the lines: header block, preamble, part / chapter headings, article headers and bodies
    reader = _Reader(report, _part_name(facts.get("part")))
    for index, line in enumerate(lines):
        if index <= info_end:
            reader.header_line(line)
        else:
            reader.read(line)
    reader.flush()
    drafts = reader.drafts

    # 3. resolve the facts: manifest first, then front matter, then the text itself
    version_date = _version_date(facts, meta, source_file, reader.versions)
    title = (facts.get("title") or meta.get("title") or (reader.titles[0] if reader.titles else None)
             or Path(source_file).stem)
    title = str(title).strip()
    facts["title"] = title
    facts["jurisdiction"] = facts.get("jurisdiction") or infer_jurisdiction(title) or \
        ("全国" if _NATIONAL.match(str(facts.get("issuer") or "")) else "未知")
    facts["issuer"] = facts.get("issuer") or meta.get("author") or None
    # a text the manifest knows to be outdated (later_changes) is 已被修改 unless a status is stated
    facts["status"] = facts.get("status") or meta.get("status") or ("已被修改" if facts.get("later_changes") else None)
    facts["adopted_date"] = _meta_date(facts.get("adopted_date")) or _meta_date(facts.get("adopted")) or \
        _meta_date(meta.get("date")) or (reader.adopted[0] if reader.adopted else None)
    if not facts.get("effective_date"):
        facts["effective_date"] = _meta_date(meta.get("effective_date")) or _effective_from_text(drafts) or \
            (reader.effective[-1] if reader.effective else None)
    facts["version_date"] = version_date
    is_part = bool(facts.get("part") or reader.title_part or (reader.part_before_first and reader.part))
    facts["part"] = _part_name(facts.get("part")) or reader.title_part or \
        (reader.part if reader.part_before_first and drafts and drafts[0].number != (1, 0) else "")

    # 4. no articles: a document split by its own numbering, kept whole, or not a regulation
    if not text.strip():
        report("error", "empty", "文件是空的（没有任何文字）")
    elif not drafts:
        drafts = _unit_drafts(reader, title, report)
    else:
        _check_numbering(drafts, is_part, report)

    # 5. build the articles
    articles = []
    for draft in drafts:
        label = draft.label or article_label(draft.article_no, draft.sub_no)
        if not draft.lines:
            report("warning", "empty_article", f"{label}没有正文（第{draft.line_no}行），已略去此条标题", label,
                   draft.line_no)
            continue
        body_text = "\n".join(draft.lines)
        notes = []
        if _LOST_YEAR.search(body_text):
            effective = facts.get("effective_date")
            fix = f"据法规清单，施行日期为{cn_date(effective)}" if effective else "施行日期不详"
            notes.append(f"本条在所收录的文本中缺失年份（“{_LOST_YEAR.search(body_text).group(0)}”），{fix}。")
            report("warning", "lost_year", f"来源文本缺陷：{label}缺失年份，{fix}", label, draft.line_no)
        articles.append(Article(
            regulation=title, jurisdiction=facts["jurisdiction"], article_no=draft.article_no,
            label=label, chapter=draft.chapter, text=body_text, paragraphs=_paragraphs(draft.lines),
            source_file=source_file, span=(draft.start, draft.end), sub_no=draft.sub_no,
            notes=tuple(notes), unit=draft.unit, repeat=draft.repeat))
    expected_count = facts.get("articles")
    if expected_count is not None and expected_count != len(articles):
        report("warning", "count", f"清单记载 {expected_count} 条，解析得到 {len(articles)} 条")
    return _regulation(facts, source_file, raw, tuple(reader.chapters), len(articles)), articles, problems


def _check_numbering(drafts: list[_Draft], is_part: bool, report) -> None:
    """Warn of each break in 1, 2, 3 … (之一 allowed after an article); mark true repeats (draft.repeat)."""
    previous: tuple[int, int] | None = None
    seen: dict[tuple[int, int], int] = {}
    for draft in drafts:
        key, where = draft.number, f"（第{draft.line_no}行）"
        label = article_label(*key)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            draft.repeat = seen[key]
            before = article_label(*previous) if previous else label
            report("warning", "repeat", f"条文编号重复：{before}之后又出现{label}{where}；两条都已收录，"
                   f"这是第 {seen[key]} 次出现的{label}，其键以“~{seen[key]}”结尾", label, draft.line_no)
        elif previous is None:
            if key != (1, 0) and not is_part:
                report("warning", "start", f"条文编号应从第一条开始，却从{label}开始{where}；已按原编号收录",
                       label, draft.line_no)
        elif key < previous:
            report("warning", "order", f"条文编号倒序：{article_label(*previous)}之后出现{label}{where}；"
                   "已按原编号收录", label, draft.line_no)
        elif not in_sequence(key, previous):
            report("warning", "gap", f"条文编号缺失：{article_label(*previous)}之后是{label}，缺少"
                   f"{_missing(previous, key)}{where}；已按原编号收录各条", label, draft.line_no)
        previous = key


def _missing(previous: tuple[int, int], key: tuple[int, int]) -> str:
    """The labels missing between two article numbers: 第二条 / 第二条至第四条 / 第五条之二."""
    if key[0] == previous[0]:
        first, last = article_label(key[0], previous[1] + 1), article_label(key[0], key[1] - 1)
    else:
        first = article_label(previous[0] + 1)
        last = article_label(key[0]) if key[1] else article_label(key[0] - 1)
    return first if first == last else f"{first}至{last}"


def _unit_drafts(reader: _Reader, title: str, report) -> list[_Draft]:
    """The units of a document without articles (see ingest.units); an error when it is not a document."""
    leading = list(reader.leading)
    while leading and leading[0][2]:  # the title and date lines of a file without a header block
        leading.pop(0)
    units = split_units([prepared for _, prepared, _ in leading], title)
    if not units:
        report("error", "not_regulation", "未找到任何条文（没有以“第X条”开头的行，也没有“一、”“（一）”等编号）")
        return []
    drafts = []
    for unit in units:
        indexes = ([unit.heading_line] if unit.heading_line >= 0 else []) + list(unit.lines)
        first, last = leading[indexes[0]][0], leading[indexes[-1]][0]
        draft = _Draft(unit.article_no, 0, "", first.start, last.end, first.no, unit=unit.unit, label=unit.label)
        if text := clean.finish_text(unit.first_text.strip(_BLANKS)):
            draft.lines.append(text)
        heading_text = len(draft.lines)  # a unit's heading (一、总体要求) is a paragraph of its own
        for index in unit.lines:
            if text := clean.finish_text(leading[index][1]):
                if len(draft.lines) == heading_text:
                    draft.lines.append(text)
                else:
                    _append(draft.lines, text)
        drafts.append(draft)
    if units[0].heading_line < 0:
        report("warning", "whole", "未找到“第X条”，也没有“一、”“（一）”等编号，已将全文作为一个单元收录")
    else:
        named = units[0].label if len(units) == 1 else f"{units[0].label}至{units[-1].label}"
        report("warning", "units", f"未找到“第X条”，已按文件自身的编号分为 {len(units)} 个单元（{named}）",
               line=leading[units[0].heading_line][0].no)
    return drafts


def _part_name(part) -> str:
    """第四编 人格权 -> 第四编　人格权 (the form chapters take); '' for none."""
    if not part:
        return ""
    match = _PART.match(str(part).strip())
    return _heading(match.group(2), match.group(1), match.group(3)) if match else re.sub(r"\s+", "", str(part))


def _version_date(facts: dict, meta: dict, source_file: str, header_dates: list[str]) -> str | None:
    """The date of this text: manifest (version_date, text_version, revised, adopted), front matter, the
    file name's (YYYY-MM-DD), else the latest adoption or revision date of the header."""
    for value in (facts.get("version_date"), str(facts.get("text_version") or "")[:10], facts.get("revised"),
                  facts.get("adopted_date"), facts.get("adopted"), meta.get("version_date"), meta.get("date")):
        if date := _meta_date(value):
            return date
    if match := _ISO_IN_NAME.search(source_file):
        return match.group(1)
    return max(header_dates) if header_dates else None


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


def _regulation(facts: dict, source_file: str, raw: bytes, chapters, count) -> Regulation:
    title = facts.get("title") or Path(source_file).stem
    return Regulation(
        title=title, jurisdiction=facts.get("jurisdiction") or infer_jurisdiction(title) or "未知",
        source_file=source_file, sha256=hashlib.sha256(raw).hexdigest(), level=facts.get("level"),
        issuer=facts.get("issuer"), adopted_date=facts.get("adopted_date"),
        effective_date=facts.get("effective_date"), status=facts.get("status"),
        chapters=chapters, article_count=count, version_date=facts.get("version_date"),
        part=facts.get("part") or "", currency_note=currency_note(facts))


def currency_note(facts: dict) -> str:
    """The Chinese note for a text known to be outdated: the manifest's later_changes (date, effective_date, what),
    each a change this text does not contain. '' when none is recorded."""
    notes = []
    for change in facts.get("later_changes") or ():
        if not isinstance(change, dict) or not change.get("date"):
            continue
        what = str(change.get("what") or "").split(" (")[0].split("；")[0].strip()
        what = what if re.search(r"[\u4e00-\u9fff]", what) else "修改决定"
        since = f"，自{cn_date(change['effective_date'])}起施行" if change.get("effective_date") else ""
        notes.append(f"本文是{cn_date(facts['version_date']) + '的' if facts.get('version_date') else ''}文本，"
                     f"未包含{cn_date(change['date'])}的修改（{what}{since}）；现行条文序号、内容和罚则可能与本文不同。")
    return "".join(notes)
