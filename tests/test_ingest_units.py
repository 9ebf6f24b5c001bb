"""Documents without 第X条: split by their own numbering, or kept whole; labels and citations read like the source."""
from __future__ import annotations

import pytest

from ingest.parse import parse_regulation

DECISION = """# 全国人民代表大会常务委员会关于加强某事的决定

2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议通过

<!-- INFO END -->

为了加强某事，特作如下决定：

一、国家保护甲。

任何组织不得乙。

二、网络服务提供者应当丙：

（一）丁；

（二）戊。

三、本决定自公布之日起施行。
"""


def parse(text: str, name="x.md"):
    return parse_regulation(text.encode("utf-8"), name)


def test_a_decision_numbered_yi_er_is_split_into_parts():
    title = "全国人民代表大会常务委员会关于加强某事的决定"
    regulation, units, problems = parse(DECISION)
    assert [(u.key, u.article_no, u.label, u.unit) for u in units] == [
        (f"{title}#1", 1, "第一部分", "部分"), (f"{title}#2", 2, "第二部分", "部分"), (f"{title}#3", 3, "第三部分", "部分")]
    assert [u.citation for u in units] == [f"《{title}》第一部分", f"《{title}》第二部分", f"《{title}》第三部分"]
    assert units[0].text == "国家保护甲。\n任何组织不得乙。"
    assert units[1].paragraphs[0].items == ("（一）丁；", "（二）戊。")
    assert (regulation.jurisdiction, regulation.article_count) == ("全国", 3)
    assert [(p.severity, p.kind, p.line, p.message) for p in problems] == [
        ("warning", "units", 9, "未找到“第X条”，已按文件自身的编号分为 3 个单元（第一部分至第三部分）")]


@pytest.mark.parametrize("body, labels, texts", [
    ("第一部分 总体要求\n要求甲。\n第二部分 主要任务\n一、任务乙。\n二、任务丙。\n",
     ["第一部分", "第二部分"], ["总体要求\n要求甲。", "主要任务\n一、任务乙。\n二、任务丙。"]),
    ("（一）甲。\n（二）乙。\n", ["第（一）项", "第（二）项"], ["甲。", "乙。"]),
    # a second list restarting at 一、 inside the first unit stays text of that unit
    ("一、甲：\n（一）子。\n二、乙。\n三、丙。\n", ["第一部分", "第二部分", "第三部分"], ["甲：\n（一）子。", "乙。", "丙。"]),
])
def test_own_numbering_kinds(body, labels, texts):
    _, units, problems = parse("某省关于某事的通知\n" + body, "x.txt")
    assert [(u.label, u.text) for u in units] == list(zip(labels, texts))
    assert [p.kind for p in problems] == ["units"]


def test_a_reply_without_numbering_is_one_unit_cited_by_its_title():
    text = "最高人民法院关于某问题的批复\n（2001年1月2日通过）\n某高级人民法院：\n你院请示收悉。经研究，答复如下：甲。\n"
    regulation, [unit], problems = parse(text, "x.txt")
    assert (unit.key, unit.label, unit.unit, unit.citation) == \
        ("最高人民法院关于某问题的批复#1", "全文", "全文", "《最高人民法院关于某问题的批复》")
    assert unit.text == "某高级人民法院：\n你院请示收悉。经研究，答复如下：甲。"  # title and date lines are not body
    assert (regulation.adopted_date, [p.kind for p in problems]) == ("2001-01-02", ["whole"])


def test_a_regulation_titled_as_such_without_articles_or_numbering_is_an_error():
    _, units, problems = parse("某省条例\n只有一段说明文字。\n", "x.txt")
    assert units == [] and [(p.severity, p.kind) for p in problems] == [("error", "not_regulation")]
