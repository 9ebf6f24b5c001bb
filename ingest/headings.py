"""Article headings as real files write them: 第二十八条, 第一百二十八 条 (a space), 笫五十四条 (笫 for 第),
第１２条 (full-width digits), 第十二条之一; at a line start, or inside a line after a sentence end."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numerals import NUMERAL_CHARS, parse_numeral

_N = f"[{NUMERAL_CHARS}]"
_SPACE = "[ \t\u3000\xa0]"
_SUB = "[一二三四五六七八九十]+"
# 第 / 笫, the number (spaces allowed inside), 条, 之一, then the separator and the text. Every part is a
# character class with a bounded repeat, so matching stays linear in the line length.
_LINE_HEADING = re.compile(
    rf"^([第笫])({_SPACE}{{0,4}})({_N}(?:[{NUMERAL_CHARS} \t\u3000\xa0]{{0,16}}{_N})?)({_SPACE}{{0,4}})条(?:之({_SUB}))?"
    rf"([\s:：.、]*)(.*)$", re.S)
# the same heading inside a line, right after a sentence end: 。 第二条 凡辖有…
_INLINE_HEADING = re.compile(
    rf"(?<=[。；！？”」])({_SPACE}{{0,4}})([第笫])({_SPACE}{{0,4}})({_N}{{1,16}})({_SPACE}{{0,4}})条(?:之({_SUB}))?"
    rf"([\s:：.、]*)")
# Words that, right after 第X条, show a reference rather than a new article.
_REFERENCE_TAIL = re.compile(r"^(?:规定|第|、|和|或|至|中|所|的|以及)")


@dataclass(frozen=True)
class Heading:
    """An article heading found in a line."""

    article_no: int
    sub_no: int
    separator: str  # what stands between 条 (or 之一) and the text: spaces, ：, 、 ...
    rest: str  # the article's text on the heading's line
    written: str  # the heading as written, e.g. 第一百二十八 条
    noise: str = ""  # why it is not written cleanly (Chinese), '' when it is

    @property
    def number(self) -> tuple[int, int]:
        return self.article_no, self.sub_no


def line_heading(line: str) -> Heading | None:
    """The article heading a prepared line starts with, if any (whether it is one is `accepts`' call)."""
    match = _LINE_HEADING.match(line)
    if not match:
        return None
    first, before, digits, after, sub, separator, rest = match.groups()
    try:
        article_no = parse_numeral(re.sub(r"\s", "", digits))
        sub_no = parse_numeral(sub) if sub else 0
    except ValueError:
        return None
    noise = []
    if first == "笫":
        noise.append("“笫”应为“第”")
    if before or after or re.search(r"\s", digits):
        noise.append("编号中有多余空格")
    written = line[:match.start(6)]
    return Heading(article_no, sub_no, separator, rest, written, "，".join(noise))


def in_sequence(number: tuple[int, int], previous: tuple[int, int] | None) -> bool:
    """Whether `number` is the one expected after `previous`: the next article, or the next 之X."""
    if previous is None:
        return number == (1, 0)
    return number in {(previous[0] + 1, 0), (previous[0], previous[1] + 1)}


def accepts(heading: Heading, previous: tuple[int, int] | None) -> bool:
    """Tell a new article from a line that starts with a reference to one (第二十条规定的情形除外).

    A heading in sequence is always one. Out of sequence, a cleanly written heading is one when a
    separator follows it or its words do not read as a reference; a noisy one (笫, spaces) only in sequence,
    or as the very first heading of a file when a separator follows.
    """
    if in_sequence(heading.number, previous):
        return True
    if heading.noise:
        return previous is None and bool(heading.separator) and not _REFERENCE_TAIL.match(heading.rest)
    if heading.separator:
        return True
    return not _REFERENCE_TAIL.match(heading.rest)


def split_inline(text: str, previous: tuple[int, int]) -> list[tuple[Heading | None, str]]:
    """Split a line where further articles start inside it (`…制定本规则。 第二条 凡辖有…`).

    A heading inside a line counts only right after a sentence end and in sequence, and not when its words
    read as a reference (…办理。第二条规定的…). Returns (None, text before the first split) then
    (heading, its text) for each article found; [(None, text)] when there is none.
    """
    pieces: list[tuple[Heading | None, str]] = []
    current: Heading | None = None
    start = 0
    expected = previous
    for match in _INLINE_HEADING.finditer(text):
        if match.start() < start:
            continue
        _, first, before, digits, after, sub, separator = match.groups()
        try:
            number = (parse_numeral(digits), parse_numeral(sub) if sub else 0)
        except ValueError:
            continue
        rest = text[match.end():]
        if not in_sequence(number, expected) or (not separator and _REFERENCE_TAIL.match(rest)):
            continue
        pieces.append((current, text[start:match.start()]))
        noise = "“笫”应为“第”" if first == "笫" else ("编号中有多余空格" if before or after else "")
        written = text[match.start() + len(match.group(1)):match.start(7)]
        current = Heading(number[0], number[1], separator, "", written, noise)
        start, expected = match.end(), number
    pieces.append((current, text[start:]))
    return pieces
