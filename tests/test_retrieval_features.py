"""Sentence passages, the intent prior, everyday words and "X也算吗" definitions, on a tiny corpus."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models.protocol import FakeEncoder
from index.store import passage_texts
from retrieval.normalize import colloquial_expansion
from retrieval.retriever import Retriever, Settings
from tiny_corpus import fake_retriever

JIANGSU = """江苏省数据条例
第一章　总则
第一条　本条例所称公共数据，是指国家机关在履行职责中收集的数据。
第二章　数据管理
第二条　公共数据应当共享，公共数据主管部门统筹公共数据的共享、开放和公共数据安全，供水、供电等公共企业的数据参照执行。
第三条　网络运营者不得出售用户的个人信息。网络运营者发现用户个人信息泄露的，应当立即告知用户并报告网信部门。
第四条　政务服务应当网上办理，做到一网通办。
第三章　法律责任
第五条　违反本条例第三条规定出售个人信息的，由网信部门责令改正，处一万元以上十万元以下罚款。
"""
KEY = "江苏省数据条例#"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return fake_retriever(tmp_path_factory.mktemp("features"), {"js.txt": JIANGSU}).data


def retriever(data, **overrides) -> Retriever:
    return Retriever(data, FakeEncoder(), dataclasses.replace(Settings(), **overrides))


def keys(retrieval) -> list[str]:
    return [hit.key.removeprefix(KEY) for hit in retrieval.hits]


# ---------------------------------------------------------------- sentence passages

def test_passages_are_the_whole_article_then_each_sentence(data):
    two_sentences, one_sentence = data.articles[2], data.articles[0]
    head = "江苏省数据条例　第二章　数据管理　第三条"
    assert passage_texts(two_sentences) == [
        f"{head}：{two_sentences.text}",
        f"{head}：网络运营者不得出售用户的个人信息。",
        f"{head}：网络运营者发现用户个人信息泄露的，应当立即告知用户并报告网信部门。"]
    assert len(passage_texts(one_sentence)) == 1  # one sentence: the whole article says it already
    assert data.dense.ntotal == 7 and data.dense_rows.tolist() == [0, 1, 2, 2, 2, 3, 4]


def test_the_reader_reads_the_sentences_closest_to_the_question_first(data):
    """A long article's sentence a question turns on must not fall past the reader's 128 tokens: the reading text
    is the title, then the sentences ordered by the ranking model's cosine with the question."""
    encoder = FakeEncoder()
    reader_view = retriever(data)
    sentences = ["网络运营者不得出售用户的个人信息。", "网络运营者发现用户个人信息泄露的，应当立即告知用户并报告网信部门。"]
    for question in ("发现个人信息泄露了要告知用户并报告网信部门吗", "网络运营者能不能出售用户的个人信息"):
        vector = encoder.encode([question], "query")
        cosines = encoder.encode(passage_texts(data.articles[2])[1:], "passage") @ vector[0]  # as indexed
        first, second = (sentences[0], sentences[1]) if cosines[0] >= cosines[1] else (sentences[1], sentences[0])
        assert reader_view.reading_text(2, vector) == f"江苏省数据条例\n{first}{second}"
    # an article of one sentence is read as it stands
    assert reader_view.reading_text(0, encoder.encode(["公共数据是什么"], "query")) == reader_view.words.texts[0]


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_dense_score_mixes_the_article_and_its_best_sentence(data, weight):
    encoder = FakeEncoder()
    query = encoder.encode(["发现个人信息泄露要告诉用户吗"], "query")
    ranking = retriever(data, sentence_weight=weight).dense_ranking(query, np.ones(5, dtype=bool), depth=5)
    expected = {}
    for row, article in enumerate(data.articles):
        cosines = encoder.encode(passage_texts(article), "passage") @ query[0]
        best_sentence = cosines[1:].max() if len(cosines) > 1 else cosines[0]
        expected[row] = ((1 - weight) * cosines[0] + weight * best_sentence, cosines[0])
    assert [row for row, _, _ in ranking] == sorted(expected, key=lambda r: (-expected[r][0], r))
    for row, score, article_cosine in ranking:
        assert score == pytest.approx(expected[row][0], abs=1e-6)
        assert article_cosine == pytest.approx(expected[row][1], abs=1e-6)  # what abstention is judged on


# ---------------------------------------------------------------- intent prior

def test_intent_prior_adds_a_share_of_the_best_score_to_the_penalty_chapter(data):
    question = "出售个人信息有什么后果？"
    plain = retriever(data, intent_prior=0.0).retrieve(question, 5)
    boosted = retriever(data, intent_prior=0.3).retrieve(question, 5)
    best = plain.hits[0].score
    before = {hit.key: hit.score for hit in plain.hits}
    for hit in boosted.hits:
        bonus = 0.3 * best if hit.key == KEY + "5" else 0.0  # the only article of 第三章　法律责任
        assert hit.score == pytest.approx(before[hit.key] + bonus)
    assert keys(plain)[:2] == ["3", "5"]
    assert keys(retriever(data, intent_prior=1.0).retrieve(question, 5))[:2] == ["5", "3"]


@pytest.mark.parametrize("question, chapters", [
    ("出售个人信息会被罚款吗", ["第三章\u3000法律责任"]),
    ("这个条例什么时候开始施行？", ["第一章\u3000总则"]),  # and 附则, which this corpus lacks
    ("出售个人信息可以吗", []),
])
def test_intents_point_to_chapters(data, question, chapters):
    rows = retriever(data).intended_rows(question)
    chosen = [] if rows is None else sorted({data.articles[r].chapter for r in np.flatnonzero(rows)})
    assert chosen == chapters


# ---------------------------------------------------------------- everyday words

def test_everyday_words_are_searched_in_the_regulations_words():
    assert colloquial_expansion("手机号被人卖了") == "手机号被人卖了 出售 非法提供 个人信息"
    assert colloquial_expansion("公共数据怎么共享") == "公共数据怎么共享"
    # 個人資料 in a traditional question becomes 个人数据 (OpenCC tw2sp: 資料 -> 数据); both are 个人信息 in the laws
    from ingest.clean import to_mainland

    assert to_mainland("平台把我的個人資料賣了") == "平台把我的个人数据卖了"
    assert colloquial_expansion("我的个人数据被卖了") == "我的个人数据被卖了 出售 非法提供 个人信息"


def test_everyday_words_change_the_bm25_ranking_but_not_the_coverage_decision(data):
    question = "手机号被人卖了"
    with_words, without = retriever(data), retriever(data, colloquial=False)
    assert with_words.parse(question).lexical_text == "手机号被人卖了 出售 非法提供 个人信息"
    assert without.parse(question).lexical_text == ""
    assert keys(with_words.retrieve(question, 5, mode="bm25"))[:2] == ["3", "5"]
    assert keys(without.retrieve(question, 5, mode="bm25")) == []  # no word of the question is indexed
    # coverage: with a rule that only looks at BM25, both abstain (the question's own words match nothing)
    bm25_only = {"abstain_below": 0.0, "abstain_unsure_below": 1.01, "abstain_bm25_below": 0.5}
    assert retriever(data, **bm25_only).retrieve(question, 5).abstained
    assert retriever(data, colloquial=False, **bm25_only).retrieve(question, 5).abstained
    assert not retriever(data, **bm25_only).retrieve("网络运营者出售个人信息", 5).abstained


# ---------------------------------------------------------------- "X也算吗"

@pytest.mark.parametrize("question", [
    "“公共数据”，自来水公司的用水数据也算吗？",
    "自来水公司的用水数据算不算公共数据？",
])
def test_does_it_fall_under_a_term_puts_the_definition_first(data, question):
    assert keys(retriever(data).retrieve(question, 5))[0] == "1"
    assert keys(retriever(data, definitions=False).retrieve(question, 5))[0] != "1"


@pytest.mark.parametrize("question, asks", [
    ("法规里说的“公共数据”，到底指哪些？", True),
    ("“公共数据”是光指政府的数据吗？", True),
    ("公共数据都包括谁的数据？", True),
    ("公共数据能不能卖给公司？", False),
])
def test_which_questions_ask_what_a_term_covers(question, asks):
    from retrieval.retriever import _asks_meaning_of

    assert _asks_meaning_of("公共数据", question) is asks


@pytest.mark.parametrize("term, question, asks", [
    # the longer term the question asks about wins over a two-character one inside it (网络 in 电信网络诈骗)
    ("电信网络诈骗", "法律上说的电信网络诈骗到底指哪种行为？", True),
    # a two-character term falls under only where the question quotes it
    ("数据", "刷脸数据、银行卡号这些，法律上算不算“敏感个人信息”？", False),
    ("数据", "我写的日记算不算“数据”？", True),
    # 算不算数: whether it is valid, not what it is
    ("电子签名", "盖了电子章的材料能直接用吗？电子签名在法律上到底算不算数？", False),
    ("电子签名", "手写签名拍照后发过去，算不算电子签名？", True),
])
def test_short_terms_and_validity_are_not_definition_questions(term, question, asks):
    from retrieval.retriever import _asks_meaning_of

    assert _asks_meaning_of(term, question) is asks
