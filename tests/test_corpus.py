"""The bundled corpus: exactly 272 clean articles, Beijing reading as the official text."""
import re

import pytest

from ingest import DEFAULT_CORPUS, load_corpus
from ingest.clean import to_simplified

EXPECTED = {"河北省信息化条例": 62, "天津市信息化促进条例": 51, "湖南省网络安全和信息化条例": 59,
            "北京市信息化促进条例": 49, "无锡市促进信息化发展办法": 51}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(DEFAULT_CORPUS)


@pytest.fixture(scope="module")
def by_key(corpus):
    return {a.key: a for a in corpus.articles}


def test_exact_numbering(corpus):
    assert corpus.errors == ()
    assert len(corpus.articles) == 272
    for title, count in EXPECTED.items():
        assert [a.article_no for a in corpus.articles if a.regulation == title] == list(range(1, count + 1))


def test_no_noise_left(corpus):
    for article in corpus.articles:
        assert to_simplified(article.text) == article.text, article.key
        assert not re.search(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", article.text), article.key
        assert not re.search(r"[,;:()\u3000]|^\s|\s$|本站|范文|－\d+－", article.text), article.key
        assert article.text == "\n".join(
            line for p in article.paragraphs for line in (p.text, *p.items)), article.key


@pytest.mark.parametrize("key, text", [
    ("北京市信息化促进条例#1", "为了规范信息化管理，加快信息化建设，促进经济发展和社会进步，根据有关法律和行政法规，"
                          "结合本市实际情况，制定本条例。"),
    ("北京市信息化促进条例#3", "本市信息化发展遵循统筹规划、资源共享、务求实效、保障安全的原则。"),
    ("北京市信息化促进条例#46", "违反本条例规定，有下列行为之一的，市或者区、县信息化主管部门可以对责任单位给予通报批评；"
                           "造成重大损失的，依照有关法律、法规予以处理：\n（一）违反第十七条规定，没有正当理由，重复采集政务信息资源目录内信息的；"
                           "\n（二）违反第二十九条第二款规定，未经审查同意擅自接入电子政务网络的。"),
    ("天津市信息化促进条例#28", "国家机关提供政务公开信息和政务共享信息，不得违反国家规定收取费用。"),
    ("湖南省网络安全和信息化条例#59", "本条例自2022年1月1日起施行。2004年7月30日湖南省第十届人民代表大会常务委员会"
                                "第十次会议通过、2012年5月31日湖南省第十一届人民代表大会常务委员会第二十九次会议修订的"
                                "《湖南省信息化条例》同时废止。"),
    ("无锡市促进信息化发展办法#51", "本办法自2013年7月1日起实施。"),
    ("河北省信息化条例#62", "本条例自2021年5月1日起施行。"),
])
def test_whole_articles(by_key, key, text):
    assert by_key[key].text == text


def test_chapters_and_facts(corpus, by_key):
    assert by_key["天津市信息化促进条例#28"].chapter == "第五章\u3000信息资源开发利用"
    assert by_key["湖南省网络安全和信息化条例#59"].chapter == "第五章\u3000附则"
    assert by_key["河北省信息化条例#1"].chapter == "第一章\u3000总则"
    tianjin = corpus.regulation("天津市信息化促进条例")
    assert (tianjin.adopted_date, tianjin.effective_date, tianjin.status) == ("2007-09-12", "2008-01-01", "有效")
    assert len(tianjin.chapters) == 9  # the table of contents is not counted twice


def test_beijing_lost_year_is_reported(corpus, by_key):
    article = by_key["北京市信息化促进条例#49"]
    assert article.text == "本条例自年12月1日起施行。"
    assert article.notes and "2007年12月1日" in article.notes[0]
    assert corpus.regulation("北京市信息化促进条例").effective_date == "2007-12-01"
    warnings = [p.message for p in corpus.problems if p.source_file.startswith("003_")]
    assert any("广告" in m for m in warnings) and any("标签行" in m for m in warnings)


def test_glossary_and_links_on_real_corpus(corpus):
    terms = {(g.regulation, g.term): g.article_no for g in corpus.glossary}
    assert terms[("河北省信息化条例", "公共数据")] == 61
    assert terms[("湖南省网络安全和信息化条例", "重要数据")] == 25
    assert terms[("湖南省网络安全和信息化条例", "网信部门")] == 5  # （以下简称网信部门）
    assert len(corpus.glossary) == 10
    links = {(r.regulation, r.from_article, r.to_article) for r in corpus.crossrefs}
    assert {("天津市信息化促进条例", 47, 26), ("天津市信息化促进条例", 47, 27),
            ("北京市信息化促进条例", 46, 29)} <= links
