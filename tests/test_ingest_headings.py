"""Article headings as real files write them, on tiny inline texts with exact expected keys and warnings."""
from __future__ import annotations

import time

import pytest

from ingest.headings import line_heading, split_inline
from ingest.parse import parse_regulation


def parse(text: str, name="x.md", facts=None):
    return parse_regulation(text.encode("utf-8"), name, facts)


@pytest.mark.parametrize("line, number, noise", [
    ("第一百二十八 条侦查人员对于…", (128, 0), "编号中有多余空格"),
    ("第 二 条　乙。", (2, 0), "编号中有多余空格"),
    ("笫五十四条 清算组成员…", (54, 0), "“笫”应为“第”"),
    ("第１２条　甲。", (12, 0), ""),  # full-width digits are a clean way to write a number
    ("第12条　甲。", (12, 0), ""),
    ("第十二条之一　甲。", (12, 1), ""),
])
def test_noisy_headings_are_read(line, number, noise):
    heading = line_heading(line)
    assert (heading.number, heading.noise) == (number, noise)


@pytest.mark.parametrize("body, keys, kinds", [
    ("第一条　甲。\n第 二 条　乙。\n第三条　丙。\n", ["#1", "#2", "#3"], ["typo_heading"]),
    ("第一条　甲。\n笫二条　乙。\n第三条　丙。\n", ["#1", "#2", "#3"], ["typo_heading"]),
    ("第一条　甲。\n第２条　乙。\n第三条　丙。\n", ["#1", "#2", "#3"], []),
    ("第一条　甲。\n第一条之一　甲一。\n第二条　乙。\n", ["#1", "#1-1", "#2"], []),
    # out of sequence, a noisy line start is text of the article before (a reference), not a heading
    ("第一条　甲。\n第二条　乙。\n第 九 条规定的除外。\n", ["#1", "#2"], []),
])
def test_noisy_headings_in_files(body, keys, kinds):
    _, articles, problems = parse("某省条例\n" + body)
    assert [a.key.removeprefix("某省条例") for a in articles] == keys
    assert [p.kind for p in problems] == kinds


def test_a_typo_warning_names_the_line_and_what_was_assumed():
    _, _, problems = parse("某省条例\n第一条　甲。\n笫二条　乙。\n")
    assert [(p.severity, p.kind, p.line, p.article_label, p.message) for p in problems] == [
        ("warning", "typo_heading", 3, "第二条", "第3行：条文标题“笫二条”写法不规范（“笫”应为“第”），已按第二条读取")]


def test_articles_run_together_are_split_in_sequence_after_a_sentence_end():
    text = "某省条例\n第一条 为了甲，制定本条例。 第二条 依照本条例第三条办理。 第三条 丙。第四条规定的事项除外。\n第四条 丁。\n"
    _, articles, problems = parse(text)
    assert [(a.key, a.text) for a in articles] == [
        ("某省条例#1", "为了甲，制定本条例。"),
        ("某省条例#2", "依照本条例第三条办理。"),  # a reference inside a sentence is never a heading
        ("某省条例#3", "丙。第四条规定的事项除外。"),  # after a sentence end but read as a reference
        ("某省条例#4", "丁。")]
    assert [(p.kind, p.line, p.message) for p in problems] == [
        ("inline_heading", 2, "第2行：一行中连写了多条条文，已在句末拆分出第二条至第三条（共 2 条）")]


@pytest.mark.parametrize("text", [
    "依照本法第二条规定。 第五条 戊。",  # out of sequence
    "依照本法第二条 规定办理。",  # not after a sentence end
])
def test_inline_headings_out_of_sequence_or_mid_sentence_are_text(text):
    assert split_inline(text, (1, 0)) == [(None, text)]


def test_a_header_block_is_never_read_as_articles():
    text = ("# 某某法\n\n1991年6月29日 第七届全国人民代表大会常务委员会《关于修改<某某法>第三十条\n\n"
            "第三十一条的决定》第一次修正\n\n2017年11月4日 第十二届全国人民代表大会常务委员会第三十次会议第五次修正\n\n"
            "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 甲。\n\n第二条 乙。\n")
    regulation, articles, problems = parse(text)
    assert [a.label for a in articles] == ["第一条", "第二条"]
    assert problems == []
    assert (regulation.title, regulation.version_date, regulation.adopted_date) == ("某某法", "2017-11-04", None)


def test_without_a_header_block_a_wrapped_line_reading_as_a_reference_is_not_the_first_article():
    text = "某某法\n第三十一条的决定》第一次修正\n第一条　甲。\n第二条　乙。\n"
    _, articles, problems = parse(text, "x.txt")
    assert [a.label for a in articles] == ["第一条", "第二条"] and problems == []


def test_unnumbered_markdown_headings_are_chapters():
    _, articles, _ = parse("# 某省条例\n\n## 第一章 总则\n\n第一条 甲。\n\n## 附 则\n\n第二条 乙。\n")
    assert [a.chapter for a in articles] == ["第一章\u3000总则", "附则"]


def test_part_headings_prefix_chapters():
    _, articles, _ = parse("# 某某法\n\n## 第一编 总 则\n\n### 第一章 任务\n\n第一条 甲。\n\n"
                           "## 第二编 分则\n\n### 第二章 程序\n\n第二条 乙。\n")
    assert [a.chapter for a in articles] == ["第一编\u3000总则\u3000第一章\u3000任务", "第二编\u3000分则\u3000第二章\u3000程序"]


def test_a_part_file_starting_after_article_one_gets_no_start_warning():
    body = "# 某某法典\n\n## 第二编 物权\n\n第二百零六条 甲。\n\n第二百零七条 乙。\n"
    regulation, articles, problems = parse(body)
    assert (regulation.part, [a.key for a in articles], problems) == \
        ("第二编\u3000物权", ["某某法典#206", "某某法典#207"], [])
    _, _, problems = parse(body, facts={"title": "某某法典", "part": "第二编 物权"})
    assert problems == []


def test_zero_width_lines_leave_no_trace():
    _, articles, _ = parse("某省条例\n第一条　甲。\n\u200b\n外国人适用本条例。\n")
    assert articles[0].text == "甲。\n外国人适用本条例。"


def test_heading_regexes_stay_linear_on_pathological_lines():
    lines = ["第" + "一 " * 50_000 + "x", "。第" * 50_000, "第一条 " + "。 第二 " * 20_000]
    started = time.perf_counter()
    for line in lines:
        line_heading(line)
        split_inline(line, (1, 0))
    assert time.perf_counter() - started < 2
