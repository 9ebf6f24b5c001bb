"""Parsing whole files: layouts, numbering checks, structure, facts."""
from pathlib import Path

import pytest

from ingest import load_corpus
from ingest.links import cross_references, glossary
from ingest.parse import infer_jurisdiction, parse_regulation

COMMUNITY_MD = """# 山东省信息化条例

2019年3月1日

<!-- INFO END -->

## 第一章 总则

第一条 为了促进信息化发展，制定本条例。

第二条 本条例所称信息化，是指充分利用信息技术的过程。

## 第二章 法律责任

第三条 违反本条例第二条规定的，由有关部门责令改正。

第四条 本条例自2019年5月1日起施行。
"""

PDF_TEXT = """ 某市数据条例
第一章　总　　则
第一条　为了规范数据管
理，制定本条例。
－1－
第二条　本条例下列用语的含义：
（一）数据，是指任何以电子方式对信息的记录。
（二）公共数据，是指国家机关在履行职责中收集的数据。
第二条之一　数据处理者应当依法处理数据。
第三条　违反第二条之一规定的，责令改正。
第二十条规定的情形除外。
"""


def parse(text: str, name="x.txt", facts=None, encoding="utf-8"):
    return parse_regulation(text.encode(encoding), name, facts)


def test_community_markdown_layout():
    regulation, articles, problems = parse(COMMUNITY_MD, "sd.md")
    assert regulation.title == "山东省信息化条例"
    assert regulation.jurisdiction == "山东省"
    assert regulation.effective_date == "2019-05-01"
    assert [a.label for a in articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert articles[0].text == "为了促进信息化发展，制定本条例。"
    assert articles[2].chapter == "第二章\u3000法律责任"
    assert regulation.chapters == ("第一章\u3000总则", "第二章\u3000法律责任")
    assert problems == []


def test_pdf_text_lines_items_and_sub_articles():
    regulation, articles, problems = parse(PDF_TEXT)
    assert regulation.title == "某市数据条例"
    assert [(a.article_no, a.sub_no) for a in articles] == [(1, 0), (2, 0), (2, 1), (3, 0)]
    assert articles[0].text == "为了规范数据管理，制定本条例。"  # broken PDF line joined
    assert articles[0].chapter == "第一章\u3000总则"
    definitions = articles[1]
    assert len(definitions.paragraphs) == 1
    assert definitions.paragraphs[0].items == (
        "（一）数据，是指任何以电子方式对信息的记录。", "（二）公共数据，是指国家机关在履行职责中收集的数据。")
    assert articles[2].label == "第二条之一" and articles[2].key == "某市数据条例#2-1"
    # a line that starts with a reference is body text, not a new article
    assert articles[3].text == "违反第二条之一规定的，责令改正。\n第二十条规定的情形除外。"
    assert problems == []


def test_span_points_into_raw_text():
    text = COMMUNITY_MD
    _, articles, _ = parse(text)
    start, end = articles[1].span
    assert text[start:end] == "第二条 本条例所称信息化，是指充分利用信息技术的过程。"


def test_gb18030_file(tmp_path):
    (tmp_path / "gbk.txt").write_bytes(PDF_TEXT.replace("某市", "广东省").encode("gb18030"))
    corpus = load_corpus(tmp_path)
    assert corpus.errors == ()
    assert corpus.regulations[0].title == "广东省数据条例"
    assert corpus.articles[0].text == "为了规范数据管理，制定本条例。"


@pytest.mark.parametrize("body, kind, message, keys", [
    ("第一条　甲。\n第三条　丙。\n", "gap",
     "条文编号缺失：第一条之后是第三条，缺少第二条（第3行）；已按原编号收录各条", ["某省条例#1", "某省条例#3"]),
    ("第一条　甲。\n第五条　戊。\n", "gap",
     "条文编号缺失：第一条之后是第五条，缺少第二条至第四条（第3行）；已按原编号收录各条", ["某省条例#1", "某省条例#5"]),
    ("第一条　甲。\n第二条　乙。\n第二条　乙二。\n", "repeat",
     "条文编号重复：第二条之后又出现第二条（第4行）；两条都已收录，这是第 2 次出现的第二条，其键以“~2”结尾",
     ["某省条例#1", "某省条例#2", "某省条例#2~2"]),
    ("第一条　甲。\n第二条　乙。\n第三条　丙。\n第二条之一　乙一。\n", "order",
     "条文编号倒序：第三条之后出现第二条之一（第5行）；已按原编号收录",
     ["某省条例#1", "某省条例#2", "某省条例#3", "某省条例#2-1"]),
    ("第二条　乙。\n第三条　丙。\n", "start",
     "条文编号应从第一条开始，却从第二条开始（第2行）；已按原编号收录", ["某省条例#2", "某省条例#3"]),
])
def test_numbering_flaws_are_warnings_and_every_article_is_kept(body, kind, message, keys):
    _, articles, problems = parse("某省条例\n" + body, "bad.txt")
    assert [(p.severity, p.kind, p.source_file, p.message) for p in problems] == [("warning", kind, "bad.txt", message)]
    assert [a.key for a in articles] == keys


def test_a_repeat_keeps_its_label_and_text_under_a_distinct_key():
    _, articles, problems = parse("某省条例\n第一条　甲。\n第二条　乙。\n第二条　乙二。\n第三条　丙。\n")
    repeat = articles[2]
    assert (repeat.label, repeat.text, repeat.repeat, repeat.key, repeat.citation) == \
        ("第二条", "乙二。", 2, "某省条例#2~2", "《某省条例》第二条")
    assert [p.kind for p in problems] == ["repeat"]  # 第三条 after the repeat is in sequence again


def test_a_regulation_without_articles_is_an_error():
    _, articles, problems = parse("某省条例\n只有一段文字。\n", "bad.txt")
    assert articles == []
    assert [(p.severity, p.kind, p.message) for p in problems] == [
        ("error", "not_regulation", "未找到任何条文（没有以“第X条”开头的行，也没有“一、”“（一）”等编号）")]


def test_flawed_files_load_and_unreadable_ones_are_errors(tmp_path):
    (tmp_path / "good.txt").write_text("甲市数据条例\n第一条　甲。\n第二条　乙。\n", encoding="utf-8")
    (tmp_path / "gap.txt").write_text("乙市数据条例\n第一条　甲。\n第三条　丙。\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00\x81\x30\xff\xff")
    corpus = load_corpus(tmp_path)
    assert [r.title for r in corpus.regulations] == ["乙市数据条例", "甲市数据条例"]  # files are read by name
    assert [a.key for a in corpus.articles] == ["乙市数据条例#1", "乙市数据条例#3", "甲市数据条例#1", "甲市数据条例#2"]
    assert sorted((p.source_file, p.kind) for p in corpus.errors) == [("binary.txt", "undecodable"), ("empty.txt", "empty")]
    assert [(p.source_file, p.kind, p.line) for p in corpus.problems if p.severity == "warning"] == [("gap.txt", "gap", 3)]


def test_an_empty_article_heading_is_left_out_with_a_warning():
    _, articles, problems = parse("某省条例\n第一条　甲。\n第二条\n第三条　丙。\n")
    assert [a.key for a in articles] == ["某省条例#1", "某省条例#3"]
    assert [(p.kind, p.article_label, p.line, p.message) for p in problems] == [
        ("empty_article", "第二条", 3, "第二条没有正文（第3行），已略去此条标题")]


BARE_HEADINGS = ("# 某省条例\n\n## 第一章 总 则\n\n第一条 为了规范数据管理，制定本条例。\n\n\u200b\n\n数据 安全\n\n"
                 "第二条 数据处理者应当履行义务。\n\n应急处置\n\n本款仍属第二条。\n\n附　则\n\n第三条 本条例自公布之日起施行。\n\n"
                 "某省人民政府\n")


def test_a_chapter_heading_without_its_number_is_a_chapter_not_a_paragraph():
    # 未成年人网络保护条例 as published: from 第二章 on, headings are bare lines (after a zero-width space line)
    text = BARE_HEADINGS
    regulation, articles, problems = parse(text, "x.md")
    assert [a.chapter for a in articles] == ["第一章\u3000总则", "数据安全", "附则"]
    assert regulation.chapters == ("第一章\u3000总则", "数据安全", "附则")
    assert articles[0].text == "为了规范数据管理，制定本条例。"
    start, end = articles[0].span
    assert text[start:end] == "第一条 为了规范数据管理，制定本条例。"  # the heading is not inside the span
    # a bare line that an article's text follows is that article's text, read as before (a line without a sentence
    # end is joined to the next: PDF line breaks); so is the signature after the last article
    assert articles[1].text == "数据处理者应当履行义务。\n应急处置本款仍属第二条。"
    assert articles[2].text == "本条例自公布之日起施行。\n某省人民政府"
    assert [(p.severity, p.kind, p.line) for p in problems] == [("warning", "bare_heading", 9),
                                                                ("warning", "bare_heading", 17)]
    assert problems[0].message == "第9行：“数据安全”单独成行、其后即是新的条文，已作为章标题读取（原文未写“第X章”）"


def test_a_text_without_numbered_chapters_keeps_its_short_lines_as_paragraphs():
    _, articles, problems = parse("某省条例\n第一条　甲。\n数据安全\n第二条　乙。\n")
    assert [a.text for a in articles] == ["甲。\n数据安全", "乙。"] and [a.chapter for a in articles] == ["", ""]
    assert problems == []


def test_a_chapter_heading_broken_over_two_lines_is_joined():
    text = ("某法\n第一章　总则\n第一条　甲。\n### 第二章 犯罪嫌疑人、被告人逃匿、死亡案件\n违法所得的没收程序\n"
            "#### 第一节 一般规定\n第二条　乙。\n")
    regulation, articles, problems = parse(text, "x.md")
    assert articles[1].chapter == "第二章\u3000犯罪嫌疑人、被告人逃匿、死亡案件违法所得的没收程序\u3000第一节\u3000一般规定"
    assert articles[0].text == "甲。"
    assert regulation.chapters[-1] == "第二章\u3000犯罪嫌疑人、被告人逃匿、死亡案件违法所得的没收程序"
    assert [(p.kind, p.line) for p in problems] == [("heading_continued", 5)]


def test_manifest_count_mismatch_is_a_warning():
    _, articles, problems = parse("第一条　甲。\n", facts={"title": "某条例", "articles": 2})
    assert len(articles) == 1
    assert [(p.severity, p.kind, p.message) for p in problems] == [("warning", "count", "清单记载 2 条，解析得到 1 条")]


def test_glossary_and_cross_references():
    _, articles, _ = parse(PDF_TEXT)
    terms = {(g.term, g.definition, g.label) for g in glossary(articles)}
    assert ("数据", "任何以电子方式对信息的记录。", "第二条") in terms
    assert ("公共数据", "国家机关在履行职责中收集的数据。", "第二条") in terms
    _, md_articles, _ = parse(COMMUNITY_MD)
    assert [(g.term, g.definition) for g in glossary(md_articles)] == [("信息化", "充分利用信息技术的过程。")]
    links = [(r.from_article, r.to_article) for r in cross_references(md_articles)]
    assert links == [(3, 2)]


def test_references_to_other_laws_are_not_links():
    text = "某省条例\n第一条　甲。\n第二条　违反《中华人民共和国网络安全法》第一条规定的，依照其规定处罚。\n"
    _, articles, _ = parse(text)
    assert cross_references(articles) == []


@pytest.mark.parametrize("title, jurisdiction", [
    ("山东省信息化条例", "山东省"), ("无锡市促进信息化发展办法", "无锡市"),
    ("内蒙古自治区信息化条例", "内蒙古自治区"), ("关于数据的若干规定", None),
])
def test_infer_jurisdiction(title, jurisdiction):
    assert infer_jurisdiction(title) == jurisdiction


@pytest.mark.parametrize("text, entry", [
    ("第五条　县级以上负责网络安全和信息化工作的部门（以下简称网信部门）负责统筹协调。",
     ("网信部门", "县级以上负责网络安全和信息化工作的部门。")),
    ("第六条　省人民政府设立数据管理机构（以下简称“数据局”），负责数据工作。",
     ("数据局", "省人民政府设立数据管理机构。")),
])
def test_short_names_are_glossary_entries(text, entry):
    _, articles, _ = parse("某省数据条例\n" + text + "\n")
    assert [(g.term, g.definition, g.article_no) for g in glossary(articles)] == [(*entry, articles[0].article_no)]


def test_a_laws_own_definitions_are_glossary_entries():
    """本法所称X，是指… (a law says 本法, not 本条例): the national pack's definitions (反诈法 #2, 密码法 #2, 数安法 #3 …)
    were missing from the glossary until the twelfth session."""
    _, articles, _ = parse("中华人民共和国反电信网络诈骗法\n第二条　本法所称电信网络诈骗，是指以非法占有为目的，诈骗公私财物的行为。\n")
    assert [(g.term, g.definition) for g in glossary(articles)] == [
        ("电信网络诈骗", "以非法占有为目的，诈骗公私财物的行为。")]


def test_the_real_packs_law_definitions_are_in_the_glossary():
    from core import paths
    from ingest import load_corpus

    entries = {(g.term, g.key) for g in load_corpus(paths.DEFAULT_FOLDERS).glossary}
    for entry in [("电信网络诈骗", "中华人民共和国反电信网络诈骗法#2"), ("密码", "中华人民共和国密码法#2"),
                  ("数据", "中华人民共和国数据安全法#3"), ("电子商务", "中华人民共和国电子商务法#2"),
                  ("电子签名", "中华人民共和国电子签名法#2")]:
        assert entry in entries


def test_the_real_packs_bare_chapter_headings_are_chapters():
    """未成年人网络保护条例 as published writes 第二章 … 第七章 as bare lines: until the sixteenth session every article
    was labelled 第一章 总则 and #58 ended with the paragraph “附 则”."""
    from core import paths
    from ingest import load_corpus

    corpus = load_corpus(paths.DEFAULT_FOLDERS)
    minors = {a.article_no: a for a in corpus.articles if a.regulation == "未成年人网络保护条例"}
    assert len(minors) == 60
    assert [minors[n].chapter for n in (1, 13, 21, 31, 39, 50, 59)] == [
        "第一章\u3000总则", "网络素养促进", "网络信息内容规范", "个人信息网络保护", "网络沉迷防治", "法律责任", "附则"]
    assert minors[58].text.endswith("构成犯罪的，依法追究刑事责任。")
    assert all(not a.text.endswith(("网络素养促进", "法律责任", "附 则", "附则")) for a in minors.values())
    warned = [p.line for p in corpus.problems if p.kind == "bare_heading"]
    assert warned == [37, 81, 119, 153, 189, 213]
    assert [p.kind for p in corpus.problems if p.source_file.startswith("未成年人")] == ["bare_heading"] * 6
