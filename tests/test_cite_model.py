"""The citation model (retrieval.cite_model): the signals of a hit the rules left out, the decision at the stored
threshold, and the stored model itself."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ingest.records import Article
from retrieval import cite_model
from retrieval.cite_model import FEATURES, CiteModel, candidate_features, likely_answering, sentences_asked
from retrieval.records import Hit

LOCAL, NATIONAL_LAW = "北京市信息化促进条例", "中华人民共和国政府信息公开条例"


def _article(regulation: str, jurisdiction: str, number: int, text: str) -> Article:
    return Article(regulation, jurisdiction, number, f"第{number}条", "", text, (), "x.txt", (0, len(text)))


ARTICLES = {a.key: a for a in (
    _article(LOCAL, "北京市", 20, "供水、供气等公共企事业单位应当公开收费标准和办事程序。"),
    _article(NATIONAL_LAW, "全国", 55, "公共企事业单位未公开信息的，公民可以向有关主管部门或者机构申诉。"),
    _article(LOCAL, "北京市", 19, "行政机关应当推进政务公开。"),
)}


def _hit(key: str, rank: int, score: float, bm25: float, dense: float, sentences: tuple[float, ...] = ()) -> Hit:
    article = ARTICLES[key]
    return Hit(key, article.regulation, article.article_no, article.label, article.jurisdiction, rank, score, "hybrid",
               bm25, dense, sentences)


HITS = [_hit(f"{LOCAL}#20", 1, 1.0, 10.0, 0.80, (0.82,)), _hit(f"{NATIONAL_LAW}#55", 2, 0.6, 4.0, 0.74, (0.79,)),
        _hit(f"{LOCAL}#19", 3, 0.4, 2.0, 0.60)]
QUESTION = "北京的自来水公司要公开收费标准吗？不公开的话，政府信息公开条例里说能找谁反映？"


def test_a_question_of_two_sentences_is_counted_as_two():
    assert sentences_asked(QUESTION) == 2
    assert sentences_asked("平台能不能把我的个人信息卖给别人？") == 1
    assert sentences_asked("个保法？北京呢？") == 0  # a sentence of under four Chinese characters does not count


def test_the_signals_of_each_left_out_hit():
    rows = candidate_features(HITS, {f"{LOCAL}#20"}, QUESTION, ("北京市",), ARTICLES)
    assert [hit.key for hit, _ in rows] == [f"{NATIONAL_LAW}#55", f"{LOCAL}#19"]  # the cited one is no candidate
    values = dict(zip(FEATURES, rows[0][1]))
    assert values["rank_inverse"] == pytest.approx(0.5)
    assert values["score_ratio"] == pytest.approx(0.6)
    assert values["bm25_ratio"] == pytest.approx(0.4)
    assert values["article_gap"] == pytest.approx(0.06)
    assert values["sentence_gap"] == pytest.approx(0.03)
    assert values["same_regulation_as_best"] == 0 and values["national"] == 1
    assert values["names_places"] == 1 and values["in_named_place"] == 0
    assert values["several_sentences"] == 1 and values["regulation_named"] == 1  # 政府信息公开条例 is named
    assert values["cited_already"] == 1 and values["regulation_cited"] == 0
    local = dict(zip(FEATURES, rows[1][1]))
    assert local["same_regulation_as_best"] == 1 and local["regulation_cited"] == 1 and local["in_named_place"] == 1


def _model(threshold: float, ranking_model: str = "e5") -> CiteModel:
    # a model that reads one signal: the nearer the hit's best sentence to the best one, the likelier it answers
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("sentence_gap")] = -10.0
    return CiteModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), weights, 1.0, threshold,
                     {"ranking_model": ranking_model})


def test_a_left_out_hit_is_cited_at_the_models_threshold_and_not_below():
    cited = {f"{LOCAL}#20"}
    added = likely_answering(HITS, cited, QUESTION, ("北京市",), ARTICLES, _model(0.5), "e5")
    assert [hit.key for hit in added] == [f"{NATIONAL_LAW}#55"]  # gap 0.03: p 0.67; #19 (gap 0.22): p 0.23
    assert likely_answering(HITS, cited, QUESTION, ("北京市",), ARTICLES, _model(0.9), "e5") == []
    # fitted on another ranking model's scores, or no model: nothing added
    assert likely_answering(HITS, cited, QUESTION, ("北京市",), ARTICLES, _model(0.5), "other") == []
    assert likely_answering(HITS, cited, QUESTION, ("北京市",), ARTICLES, None, "e5") == []


def test_a_stored_model_of_other_features_or_a_broken_file_is_not_used(tmp_path):
    other = _model(0.5).to_json()
    other["features"] = other["features"][:-1]
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert cite_model.load_model(tmp_path / "other.json") is None
    assert cite_model.load_model(tmp_path / "broken.json") is None
    assert cite_model.load_model(tmp_path / "missing.json") is None
    (tmp_path / "good.json").write_text(json.dumps(_model(0.5).to_json()), encoding="utf-8")
    good = cite_model.load_model(tmp_path / "good.json")
    assert good is not None and good.threshold == 0.5 and good.weights.tolist() == _model(0.5).weights.tolist()


def test_the_shipped_model_is_read_and_says_what_trained_it():
    model = cite_model.load_model()
    assert model is not None and model.features == FEATURES
    assert 0.0 < model.threshold < 1.0
    trained = model.trained_on
    assert "pack_test" not in trained["splits"] and "test" not in trained["splits"]  # unseen splits train nothing
    assert trained["ranking_model"] and trained["examples"] > trained["gold_examples"] > 0
    # at its threshold the articles it added out of fold were gold at least as often as those the rules cite
    assert trained["out_of_fold_at_threshold"]["gold_share_of_added"] >= trained["rules_gold_share"]


def test_the_shipped_model_was_fitted_on_the_current_dev_questions():
    from eval.cite_model import TRAINING_SPLITS, gold_digest

    trained = cite_model.load_model().trained_on
    assert trained["splits"] == [split for split, _ in TRAINING_SPLITS]
    assert trained["gold_digest"] == gold_digest(), "run `python -m eval cite-model` after changing its dev questions"
