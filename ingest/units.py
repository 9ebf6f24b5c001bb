"""Documents without 第X条 (judicial interpretations, decisions, notices): split by their own numbering.

A document numbered 第一部分 / 第二部分 … or 一、 二、 … is split there, each unit labelled 第一部分, 第二部分 …
(unit ``部分``): a reader cites such a section as 《…决定》第一部分, since a bare 一、 cannot stand in a sentence.
A document numbered only （一） （二） … is split there, labelled 第（一）项 … (unit ``项``). A document with no
numbering, when its title names a kind of document written without articles (解释, 决定, 批复, 通知 …), is kept
as one unit labelled 全文 (unit ``全文``), cited by its title alone. Units are numbered article_no = 1..n in
their order, so that keys (``…解释#1``) and everything downstream work as for articles.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numerals import parse_numeral, to_numeral
from ingest.records import WHOLE

_CN = "[零〇一二两三四五六七八九十百]"
# (unit, heading pattern, label of unit n), most specific first: the first kind whose number one is found wins
_KINDS = (
    ("部分", re.compile(rf"^第({_CN}{{1,6}})部分[\s:：、.．]*(.*)$", re.S), lambda n: f"第{to_numeral(n)}部分"),
    ("部分", re.compile(rf"^({_CN}{{1,6}})[、.．]\s*(.*)$", re.S), lambda n: f"第{to_numeral(n)}部分"),
    ("项", re.compile(rf"^[（(]({_CN}{{1,6}})[）)]\s*(.*)$", re.S), lambda n: f"第（{to_numeral(n)}）项"),
)
# titles of documents that may have no numbering at all
_WHOLE_KINDS = re.compile(r"(?:解释|决定|批复|答复|复函|函|通知|意见|公告|通告|决议|修正案|纪要|说明|规定)$")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


@dataclass(frozen=True)
class Unit:
    """One unit of a document without articles: its ordinal, label and the indexes of its lines."""

    unit: str  # 部分 / 项 / 全文
    article_no: int  # 1..n
    label: str  # 第一部分 / 第（一）项 / 全文
    first_text: str  # the text on the heading's line, after the numbering
    lines: tuple[int, ...]  # indexes (into the lines given) of the lines after the heading line
    heading_line: int  # index of the heading line; -1 for a whole document


def may_stand_whole(title: str) -> bool:
    """Whether a document of this title may be written without any numbering (解释, 决定, 通知 …)."""
    return bool(_WHOLE_KINDS.search(_TRAILING_NOTE.sub("", title.strip())))


def split_units(lines: list[str], title: str) -> list[Unit]:
    """Split the body lines of a document without articles into its units; [] when it is not a document.

    Args:
        lines: the prepared body lines (header and blank lines already left out).
        title: the document's title, to decide whether it may stand whole.
    """
    for unit, pattern, label in _KINDS:
        if not any(_number(pattern, line) == 1 for line in lines):
            continue
        units: list[Unit] = []
        for index, line in enumerate(lines):
            number = _number(pattern, line)
            if number is not None and number == len(units) + 1:
                units.append(Unit(unit, number, label(number), pattern.match(line).group(2), (), index))
            elif units:
                last = units[-1]
                units[-1] = Unit(last.unit, last.article_no, last.label, last.first_text,
                                 (*last.lines, index), last.heading_line)
        return units
    if lines and may_stand_whole(title):
        return [Unit(WHOLE, 1, WHOLE, "", tuple(range(len(lines))), -1)]
    return []


def _number(pattern: re.Pattern, line: str) -> int | None:
    match = pattern.match(line)
    if not match:
        return None
    try:
        return parse_numeral(match.group(1))
    except ValueError:
        return None
