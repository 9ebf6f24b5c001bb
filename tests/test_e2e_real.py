"""End-to-end on the real model and the real corpus: the tests that prove the product works."""
import json
from collections import Counter

import pytest

from eval.gold import load_split
from eval.metrics import SystemRun, abstention, answer_quality, ranking_scores
from ingest import DEFAULT_CORPUS, load_corpus
from ingest.clean import to_simplified
from retrieval.answer import compose

pytestmark = pytest.mark.model

# Floors for the splits that only report (none trains the ranking model); measured 2026-11-22
# (eval/reports): test Recall@5 0.985, MRR@10 0.965, abstention 5/6, 1.4% false; holdout 0.964, 0.982,
# 5/6, 0% false; holdout3 0.986, 0.977, 6/6, 2.7% false. A change that breaks retrieval, or a ranking model
# that trained differently, falls below them; they leave room for the last digits of training to differ
# between machines.
FLOORS = {"test": {"Recall@5": 0.95, "MRR@10": 0.93}, "holdout": {"Recall@5": 0.94, "MRR@10": 0.95},
          "holdout3": {"Recall@5": 0.96, "MRR@10": 0.95}}


@pytest.mark.parametrize("question, expected_first", [
    ("天津市对政务信息收费有什么规定？", "天津市信息化促进条例#28"),
    ("湖南条例里说的“重要数据”是什么意思？", "湖南省网络安全和信息化条例#25"),
    ("無錫的信息化工程竣工以後要驗收嗎？", "无锡市促进信息化发展办法#21"),
    ("北京的网络与信息系统出了安全事故瞒报会怎么处罚？", "北京市信息化促进条例#44"),
])
def test_real_questions_cite_the_right_article(real_retriever, question, expected_first):
    retrieval = real_retriever.retrieve(question, 5)
    assert not retrieval.abstained
    assert expected_first in [h.key for h in retrieval.hits[:3]]


def test_comparison_returns_each_place(real_retriever):
    hits = real_retriever.search("河北和湖南对公共数据共享的规定有什么不同？", 6)
    assert [h.jurisdiction for h in hits[:2]] == ["河北省", "湖南省"]


@pytest.mark.parametrize("question", ["网约车司机的社保怎么交？", "个税专项附加扣除每月能扣多少？"])
def test_out_of_scope_questions_abstain(real_retriever, question):
    answer = compose(real_retriever.retrieve(question, 5), real_retriever.data)
    assert answer.abstained and answer.lead.startswith("未找到")


@pytest.fixture(scope="module", params=sorted(FLOORS))
def split_runs(request, real_retriever):
    questions = load_split(request.param)
    runs = {}
    for question in questions:
        retrieval = real_retriever.retrieve(question.question, 10)
        answer = compose(retrieval, real_retriever.data)
        runs[question.id] = SystemRun(question.id, tuple(h.key for h in retrieval.hits), retrieval.abstained,
                                      tuple((f"{c.regulation}#{c.article_no}", e) for c in answer.citations
                                            for e in c.excerpts))
    return request.param, questions, runs


def test_hybrid_stays_above_its_floor_on_the_reporting_splits(split_runs):
    split, questions, runs = split_runs
    scores = {name: float(values.mean()) for name, values in ranking_scores(questions, runs).items()}
    for metric, floor in FLOORS[split].items():
        assert scores[metric] >= floor, (metric, scores)
    rates = abstention(questions, runs)
    # the answerability model (issue 16) refuses no answerable question of these splits; it abstains on 2 to 5 of
    # each split's 6 out-of-scope ones (10 of 18 together, against 16 of 18 with the thresholds before it; the
    # README's answerability table has every split)
    assert rates["recall"] >= 0.3 and rates["false_abstention_rate"] <= 0.015, rates


def test_every_excerpt_of_every_gold_answer_is_verbatim(real_retriever):
    """The invariant over the whole gold set: excerpts are verbatim; citations name real articles."""
    text_of = {a.key: a.text for a in real_retriever.data.articles}
    for question in load_split("all"):
        answer = compose(real_retriever.retrieve(question.question, 10), real_retriever.data)
        for citation in answer.citations:
            key = f"{citation.regulation}#{citation.article_no}"
            assert key in text_of, (question.id, key)
            for excerpt in citation.excerpts:
                assert excerpt and excerpt in text_of[key], (question.id, key, excerpt)


def test_retrieval_cli_batch_and_ask_json(product_index_dir, product_encoder, monkeypatch, tmp_path, capsys):
    import models.encoders
    from retrieval.__main__ import main

    monkeypatch.setattr(models.encoders, "load_encoder", lambda *args, **kwargs: product_encoder)
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps({"id": i, "question": q, "extra": 1}, ensure_ascii=False) for i, q in
                               enumerate(["天津市对政务信息收费有什么规定？", "网约车司机的社保怎么交？"])), encoding="utf-8")
    assert main(["batch", str(batch), "--k", "3", "--index-dir", str(product_index_dir)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [0, 1]
    assert rows[0]["abstained"] is False and rows[1]["abstained"] is True
    hits = rows[0]["hits"]
    assert all(set(hit) == {"regulation", "article", "label", "score", "excerpt"} for hit in hits)
    assert ("天津市信息化促进条例", 28) in [(hit["regulation"], hit["article"]) for hit in hits]
    for hit in hits:
        assert hit["excerpt"] and hit["excerpt"] in real_index_text(product_index_dir, f"{hit['regulation']}#{hit['article']}")
    assert main(["ask", "天津市对政务信息收费有什么规定？", "--json", "--index-dir", str(product_index_dir)]) == 0
    assert 28 in [hit["article"] for hit in json.loads(capsys.readouterr().out)["hits"]]


def real_index_text(index_dir, key):
    for line in (index_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if f"{row['regulation']}#{row['article_no']}" == key:
            return row["text"]
    raise KeyError(key)


def test_gold_set_is_sound():
    """Every gold article exists and every answer keyword occurs in one of its gold articles."""
    text_of = {a.key: a.text for a in load_corpus(DEFAULT_CORPUS).articles}
    questions = load_split("all")
    assert len(questions) >= 150
    kinds = Counter(q.kind for q in questions)
    assert kinds["cross_region"] >= 15 and kinds["unanswerable"] >= 12 and len(kinds) == 7
    assert sum(to_simplified(q.question) != q.question for q in questions) >= 12  # traditional characters
    for question in questions:
        for key in question.gold_keys:
            assert key in text_of, (question.id, key)
        for keyword in question.answer_keywords:
            assert any(keyword in text_of[key] for key in question.gold_keys), (question.id, keyword)
