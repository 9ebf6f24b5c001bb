"""Property-based tests (hypothesis): the query normalizer, the numeral parser and the answer composer
take any input without crashing and keep their invariants."""
from __future__ import annotations


import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.numerals import parse_numeral, to_numeral
from retrieval.answer import compose
from ingest.text import MAX_QUESTION_CHARS, MAX_RAW_QUESTION_CHARS, clean_question, normalize_text, without_surrogates
from retrieval.normalize import detect_places, \
    place_aliases
from retrieval.records import Filters
from tiny_corpus import fake_retriever

JURISDICTIONS = ["河北省", "天津市", "湖南省", "北京市", "无锡市"]
ALIASES = place_aliases(JURISDICTIONS)
# words a real question is made of, so that generated questions do hit the tiny corpus
WORDS = ["天津", "湖南", "北京", "政务", "信息", "收费", "个人信息", "出售", "网络运营者", "罚款", "什么是", "是指什么",
         "政务数据", "规划", "公布", "违反", "处罚", "和", "有什么不同", "？", "“", "”", "第二条", "<b>", "&amp;"]
# any text: all of Unicode, lone surrogates too (a JSON escape or an undecodable argv byte gives one)
QUESTION_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.text(alphabet=st.one_of(st.characters(categories=["Cs", "Cc", "Cf", "Zs"]), st.sampled_from("收费天津"))),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=3)), max_size=30).map("".join),
)


# ---------------------------------------------------------------- query normalizer


@settings(max_examples=400, deadline=None)
@given(QUESTION_TEXT)
def test_clean_question_is_bounded_idempotent_and_free_of_controls(question):
    text, truncated = clean_question(question)
    assert len(text) <= MAX_QUESTION_CHARS
    assert all(ch.isprintable() or ch in "\n\t" for ch in text) and text == text.strip()
    assert clean_question(text) == (text, False)  # cleaning what is already clean changes nothing
    assert truncated == (len(question) > MAX_RAW_QUESTION_CHARS or len(normalize_text(
        "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question))) > MAX_QUESTION_CHARS)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=5).filter(lambda s: clean_question(s)[0]), st.integers(1, 12))
def test_long_questions_are_cut_to_the_documented_length(piece, copies):
    question = piece * (MAX_RAW_QUESTION_CHARS // len(piece) + copies)
    text, truncated = clean_question(question)
    assert truncated and len(text) == MAX_QUESTION_CHARS


@settings(max_examples=400, deadline=None)
@given(QUESTION_TEXT)
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(sorted(ALIASES)), st.text(max_size=4)), max_size=12).map("".join))
def test_detect_places_names_only_places_mentioned_once_each(text):
    places = detect_places(text, ALIASES)
    assert len(set(places)) == len(places)
    for place in places:
        assert place in JURISDICTIONS
        assert any(alias in text for alias, jurisdiction in ALIASES.items() if jurisdiction == place)


def test_detect_places_order_of_first_mention():
    assert detect_places("北京和河北、北京市", ALIASES) == ("北京市", "河北省")


# ---------------------------------------------------------------- numerals


def test_every_label_number_round_trips():
    for number in range(1, 10_000):
        text = to_numeral(number)
        assert parse_numeral(text) == number, text
        assert parse_numeral(str(number)) == number


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="零〇一二两三四五六七八九十百千0123456789０１２３４５６７８９ 万亿条")))
def test_parse_numeral_returns_a_label_number_or_raises_value_error(text):
    try:
        number = parse_numeral(text)
    except ValueError:
        return
    assert 0 <= number <= 9999


@pytest.mark.parametrize("text", ["10000", "１００００", "٣", "²", "一万", "十十"])
def test_parse_numeral_refuses_out_of_range_and_foreign_digits(text):
    with pytest.raises(ValueError):
        parse_numeral(text)


@pytest.mark.parametrize("number", [0, -1, 10_000])
def test_to_numeral_refuses_numbers_outside_labels(number):
    with pytest.raises(ValueError):
        to_numeral(number)


# ---------------------------------------------------------------- answer composer

TIANJIN = """天津市信息条例
第一章　总则
第一条　国家机关提供政务公开信息，不得收取费用。
第二条　网络运营者不得出售用户的个人信息。
第三条　市人民政府应当统筹全市信息化建设，编制信息化发展规划，并向社会公布。规划应当包括信息基础设施、信息资源开发利用和信息安全保障等内容。信息化主管部门负责规划的组织实施，每年向市人民政府报告规划执行情况。
第二章　法律责任
第四条　违反本条例第二条规定的，由网信部门责令改正，处一万元以下罚款。
第五条　本条例下列用语的含义：
（一）政务数据，是指政务部门在履行职责过程中制作或者获取的各类信息资源。
（二）网络运营者，是指网络的所有者、管理者和网络服务提供者。
"""
HUNAN = """湖南省信息条例
第一条　国家机关提供政务共享信息，不得收取费用。
第二条　违反本条例第一条规定收费的，责令退还。
"""


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    return fake_retriever(tmp_path_factory.mktemp("properties"), {"tj.txt": TIANJIN, "hn.txt": HUNAN},
                          abstain_below=0.0, abstain_unsure_below=0.0)


FILTERS = st.sampled_from([None, Filters(), Filters(jurisdictions=("湖南省",)),
                           Filters(regulations=("天津市信息条例",)), Filters(jurisdictions=("<b>不存在</b>",))])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTION_TEXT, filters=FILTERS)
def test_any_question_gets_an_answer_quoting_articles_verbatim(retriever, question, filters):
    assume(clean_question(question)[0])  # blank questions are refused before retrieval (see the CLI and app)
    answer = retriever.ask(question, filters, k=10)
    articles = {a.key: a for a in retriever.data.articles}
    assert answer.question == without_surrogates(question) and answer.lead  # shown back: valid UTF-8
    assert answer.abstained or answer.citations
    for citation in answer.citations:
        assert citation.excerpts, citation.key
        for excerpt in citation.excerpts:
            assert excerpt and excerpt in articles[citation.key].text, (citation.key, excerpt)
    assert answer.text  # the plain rendering works too
