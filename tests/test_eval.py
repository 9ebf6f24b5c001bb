"""Gold file parsing, metric values computed by hand, and the runner's report shape."""
import json

import numpy as np
import pytest

from eval.gold import GoldError, load_gold
from eval.metrics import SystemRun, abstention, answer_quality, ranking_scores
from eval.runner import ABLATIONS, SYSTEMS, evaluate
from index import build, load
from models.encoders import CalibratedEncoder
from models.protocol import FakeEncoder
from ingest import load_corpus
from retrieval.retriever import Retriever

ROW = {"id": "Q1", "question": "天津政务信息收费吗", "persona": "citizen", "kind": "single",
       "gold": [{"regulation": "天津市数据条例", "article": 2}], "answer_keywords": ["收取费用"]}


def write(tmp_path, rows):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, message", [
    ({"kind": "weird"}, "kind “weird”"),
    ({"persona": "robot"}, "persona “robot”"),
    ({"gold": []}, "unanswerable 的问题 gold 必须为空"),
    ({"question": "  "}, "question 为空"),
])
def test_gold_schema_errors_name_the_line(tmp_path, change, message):
    with pytest.raises(GoldError, match=message) as info:
        load_gold(write(tmp_path, [ROW, {**ROW, "id": "Q2", **change}]))
    assert "第 2 行" in str(info.value)


def test_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(GoldError, match="Q1 重复"):
        load_gold(write(tmp_path, [ROW, ROW]))


def test_ranking_metrics_match_hand_computation(tmp_path):
    questions = load_gold(write(tmp_path, [
        ROW, {**ROW, "id": "Q2", "gold": [{"regulation": "天津市数据条例", "article": 1},
                                         {"regulation": "天津市数据条例", "article": 3}]},
        {**ROW, "id": "Q3", "kind": "unanswerable", "gold": [], "answer_keywords": []}]))
    runs = {"Q1": SystemRun("Q1", ("天津市数据条例#9", "天津市数据条例#2"), False),
            "Q2": SystemRun("Q2", ("天津市数据条例#1", "天津市数据条例#8", "天津市数据条例#3"), False),
            "Q3": SystemRun("Q3", ("天津市数据条例#1",), True)}
    scores = ranking_scores(questions, runs)
    assert scores["MRR@10"].tolist() == [0.5, 1.0]
    assert scores["Recall@1"].tolist() == [0.0, 0.5]
    assert scores["Recall@5"].tolist() == [1.0, 1.0]
    assert scores["Hit@1"].tolist() == [0.0, 1.0]
    # nDCG@10 of Q1: 1/log2(3); of Q2: (1 + 1/log2(4)) / (1 + 1/log2(3))
    assert scores["nDCG@10"] == pytest.approx([1 / np.log2(3), 1.5 / (1 + 1 / np.log2(3))])
    assert abstention(questions, runs) == {"unanswerable": 1, "abstained": 1, "precision": 1.0, "recall": 1.0,
                                           "false_abstention_rate": 0.0}
    quality = answer_quality(questions, {**runs, "Q1": SystemRun("Q1", (), False, (
        ("天津市数据条例#2", "不得收取费用"), ("天津市数据条例#2", "编造的句子")))}, {"天津市数据条例#2": "国家机关不得收取费用。"})
    # Q1 cites its gold #2; Q2 cites neither of its two gold articles
    assert quality == {"keyword_coverage": 0.5, "gold_cited": 0.333, "citation_fidelity": 0.5, "excerpts": 2}


def test_evaluate_reports_every_system(tmp_path):
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / "tj.txt").write_text("天津市数据条例\n第一条　为了促进数据发展，制定本条例。\n"
                                   "第二条　国家机关提供政务公开信息，不得收取费用。\n第三条　网络运营者不得出售个人信息。\n",
                                   encoding="utf-8")
    build(load_corpus(folder), tmp_path / "index", FakeEncoder(), [folder])
    retriever = Retriever(load(tmp_path / "index"), FakeEncoder())
    report = evaluate(retriever, load_gold(write(tmp_path, [ROW])))
    assert {"bm25", "dense", "hybrid"} <= set(report["systems"])
    assert report["systems"]["bm25"]["Recall@5"] == 1.0
    assert report["answers"]["citation_fidelity"] == 1.0
    assert set(report["by_kind"]) == {"single"} and report["questions"] == 1
    # an index without the calibration model's vectors (the product's since issue 17): the systems that rank or
    # cite with them are left out and said to be, and dense's abstention (thresholds set on them) is not reported
    required = [s.name for s in SYSTEMS + ABLATIONS if s.calibration == "required"]
    assert "baseline: plain RRF k=60" in required and not set(required) & set(report["systems"])
    assert report["left_out"] == required + ["dense (abstention)"] and "dense" not in report["abstention"]
    # with the pair's index every system is scored
    pair = CalibratedEncoder(FakeEncoder(), FakeEncoder(16))
    build(load_corpus(folder), tmp_path / "paired", pair, [folder])
    paired = evaluate(Retriever(load(tmp_path / "paired"), pair), load_gold(write(tmp_path, [ROW])))
    assert set(paired["systems"]) == {s.name for s in SYSTEMS + ABLATIONS} and "left_out" not in paired
    assert "dense" in paired["abstention"]
