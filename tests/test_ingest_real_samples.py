"""Real law files with the flaws real collections have: each flaw costs a warning, never the file.

tests/data/real-law-samples holds unchanged copies of eight files of the national part of the LawRefBook/Laws
community Markdown collection (snapshot of 2025-04-19), and civil-code/ book four of the Civil Code (人格权编)
with a manifest entry naming it a part of the code. Expected numbers were counted by hand from the texts.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest import load_corpus
from ingest.numerals import article_label
from ingest.parse import parse_regulation

SAMPLES = Path(__file__).resolve().parent / "data" / "real-law-samples"
CIVIL_CODE = SAMPLES / "civil-code"
INTERPRETATION = "最高人民检察院关于工人等非监管机关在编监管人员私放在押人员行为和失职致使在押人员脱逃行为适用法律问题的解释"
CIVIL_PROCEDURE = "中华人民共和国民事诉讼法"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([SAMPLES, CIVIL_CODE])


def _articles(corpus, source_file):
    return [a for a in corpus.articles if a.source_file == source_file]


def _warnings(corpus, source_file):
    return [(p.kind, p.line, p.article_label) for p in corpus.problems if p.source_file == source_file]


def test_every_sample_loads_and_nothing_is_an_error(corpus):
    assert corpus.errors == ()
    assert sorted(r.source_file for r in corpus.regulations) == sorted(
        p.name for p in [*SAMPLES.glob("*.md"), *CIVIL_CODE.glob("*.md")])
    assert len({a.key for a in corpus.articles}) == len(corpus.articles) == 1241


@pytest.mark.parametrize("source_file, title, numbers, warnings", [
    ("刑事诉讼法(2018-10-26).md", "中华人民共和国刑事诉讼法", range(1, 309),
     [("typo_heading", 639, "第一百二十八条"), ("heading_continued", 1455, ""), ("bare_heading", 1503, "")]),
    ("农民专业合作社法(2017-12-27).md", "中华人民共和国农民专业合作社法", range(1, 75),
     [("typo_heading", 333, "第五十四条")]),
    ("文物保护法(2017-11-04).md", "中华人民共和国文物保护法", range(1, 81), []),
    ("宪法修正案（1999年）.md", "中华人民共和国宪法修正案（1999年）", range(12, 18), [("start", 9, "第十二条")]),
    ("飞行基本规则(2007-10-18).md", "中华人民共和国飞行基本规则", range(1, 125),
     [("inline_heading", line, article_label(first)) for line, first in zip(
         range(13, 58, 4), (2, 12, 29, 44, 65, 80, 90, 99, 105, 113, 117, 122))]),
    ("民事诉讼法(2021-12-24).md", CIVIL_PROCEDURE, range(1, 292), []),
    ("民事诉讼法(2023-09-01).md", CIVIL_PROCEDURE, range(1, 307), []),
    ("人格权编.md", "中华人民共和国民法典", range(989, 1040), []),
])
def test_each_sample_keeps_all_its_articles_in_order(corpus, source_file, title, numbers, warnings):
    articles = _articles(corpus, source_file)
    assert {a.regulation for a in articles} == {title}
    assert [(a.article_no, a.sub_no) for a in articles] == [(n, 0) for n in numbers]
    assert [a.label for a in articles] == [article_label(n) for n in numbers]
    assert _warnings(corpus, source_file) == warnings


@pytest.mark.parametrize("source_file, key, text", [
    ("刑事诉讼法(2018-10-26).md", "中华人民共和国刑事诉讼法#128",
     "侦查人员对于与犯罪有关的场所、物品、人身、尸体应当进行勘验或者检查。在必要的时候，可以指派或者聘请具有专门知识的人，"
     "在侦查人员的主持下进行勘验、检查。"),
    ("农民专业合作社法(2017-12-27).md", "中华人民共和国农民专业合作社法#54",
     "清算组成员应当忠于职守，依法履行清算义务，因故意或者重大过失给农民专业合作社成员及债权人造成损失的，应当承担赔偿责任。"),
    ("飞行基本规则(2007-10-18).md", "中华人民共和国飞行基本规则#2",
     "凡辖有航空器的单位、个人和与飞行有关的人员及其飞行活动，必须遵守本规则。"),
    ("飞行基本规则(2007-10-18).md", "中华人民共和国飞行基本规则#10", "各航空管理部门制定与飞行有关的规范，应当符合本规则的规定。"),
])
def test_typo_and_run_together_articles_have_their_own_text(corpus, source_file, key, text):
    assert {a.key: a.text for a in _articles(corpus, source_file)}[key] == text


def test_run_together_articles_keep_chapters_and_spans(corpus):
    flight = {a.article_no: a for a in _articles(corpus, "飞行基本规则(2007-10-18).md")}
    assert (flight[10].chapter, flight[11].chapter) == ("第一章\u3000总则", "第二章\u3000空域管理")
    raw = (SAMPLES / "飞行基本规则(2007-10-18).md").read_text(encoding="utf-8")
    start, end = flight[2].span
    assert raw[start:end] == "第二条 凡辖有航空器的单位、个人和与飞行有关的人员及其飞行活动，必须遵守本规则。"


def test_a_wrapped_header_line_is_not_an_article(corpus):
    relics = _articles(corpus, "文物保护法(2017-11-04).md")
    assert relics[0].text.startswith("为了加强对文物的保护，继承中华民族优秀的历史文化遗产")
    assert not any("的决定》第一次修正" in a.text for a in relics)


def test_both_versions_of_civil_procedure_load_and_the_2023_text_is_current(corpus):
    current = corpus.regulation(CIVIL_PROCEDURE)
    historical = corpus.regulation(CIVIL_PROCEDURE, "2021-12-24")
    assert (current.source_file, current.version_date, current.status, current.version) == \
        ("民事诉讼法(2023-09-01).md", "2023-09-01", "现行", "")
    assert (historical.source_file, historical.version_date, historical.status, historical.version) == \
        ("民事诉讼法(2021-12-24).md", "2021-12-24", "历史版本", "2021-12-24")
    old = _articles(corpus, "民事诉讼法(2021-12-24).md")
    assert [a.key for a in old[:2]] == [f"{CIVIL_PROCEDURE}@2021-12-24#1", f"{CIVIL_PROCEDURE}@2021-12-24#2"]
    assert {a.version for a in old} == {"2021-12-24"}
    assert old[0].citation == "《中华人民共和国民事诉讼法》（2021年12月24日版）第一条"
    new = _articles(corpus, "民事诉讼法(2023-09-01).md")
    assert (new[0].key, new[0].version, new[0].citation) == \
        (f"{CIVIL_PROCEDURE}#1", "", "《中华人民共和国民事诉讼法》第一条")
    assert all(r.version == "" for r in corpus.crossrefs if r.regulation != CIVIL_PROCEDURE)
    assert {r.version for r in corpus.crossrefs if r.regulation == CIVIL_PROCEDURE} == {"", "2021-12-24"}


def test_an_interpretation_without_articles_is_one_unit_cited_by_its_title(corpus):
    [unit] = _articles(corpus, f"{INTERPRETATION}(2001-03-02).md")
    assert (unit.key, unit.article_no, unit.label, unit.unit, unit.citation) == \
        (f"{INTERPRETATION}#1", 1, "全文", "全文", f"《{INTERPRETATION}》")
    assert [p.text[:12] for p in unit.paragraphs] == ["为依法办理私放在押人员犯", "工人等非监管机关在编监管"]
    assert unit.text.endswith("以失职致使在押人员脱逃罪追究刑事责任。")
    assert _warnings(corpus, f"{INTERPRETATION}(2001-03-02).md") == [("whole", 0, "")]


def test_a_part_of_the_code_keeps_the_code_numbers_and_cites_the_code(corpus):
    part = corpus.regulation("中华人民共和国民法典")
    assert (part.part, part.version_date, part.adopted_date, part.effective_date, part.level) == \
        ("第四编\u3000人格权", "2020-05-28", "2020-05-28", "2021-01-01", "法律")
    article = {a.article_no: a for a in _articles(corpus, "人格权编.md")}[1034]
    assert (article.key, article.citation) == ("中华人民共和国民法典#1034", "《中华人民共和国民法典》第一千零三十四条")
    assert article.chapter == "第四编\u3000人格权\u3000第六章\u3000隐私权和个人信息保护"


def test_a_part_is_recognised_from_its_own_heading_without_a_manifest():
    raw = (CIVIL_CODE / "人格权编.md").read_bytes()
    regulation, articles, problems = parse_regulation(raw, "人格权编.md")
    assert (regulation.title, regulation.part) == ("中华人民共和国民法典", "人格权编")
    assert (articles[0].label, articles[-1].label, len(articles)) == ("第九百八十九条", "第一千零三十九条", 51)
    assert problems == []  # no "does not start at 第一条" warning


def test_the_samples_ingest_quickly():
    started = time.perf_counter()
    load_corpus([SAMPLES, CIVIL_CODE])
    assert time.perf_counter() - started < 5  # about 0.2 s; 1,500 files must stay under 30 s on 2 cores
