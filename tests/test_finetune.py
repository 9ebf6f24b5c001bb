"""The ranking model's training (models.train): its pairs, its record, and a real (tiny) training run."""
from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from eval.gold import GoldQuestion
from eval.pairs import dev_pairs, training_pairs
from models import train as ft
from models.protocol import ModelProblem
from models.encoders import NativeEncoder, SentenceTransformerEncoder, encoder_for_folder
from index.store import passage_texts
from ingest import load_corpus
from tests.tiny_corpus import write_corpus

REGULATION = """某某市网络数据条例

第一条　为了规范网络数据处理活动，制定本条例。
第二条　网络运营者不得非法出售个人信息。
第三条　公共数据应当依法开放。
"""
PAIRS = [ft.TrainingPair("平台能卖我的信息吗", "某某市网络数据条例　　第二条：网络运营者不得非法出售个人信息。"),
         ft.TrainingPair("政府数据对外开放吗", "某某市网络数据条例　　第三条：公共数据应当依法开放。"),
         ft.TrainingPair("这个条例为什么制定", "某某市网络数据条例　　第一条：为了规范网络数据处理活动，制定本条例。"),
         ft.TrainingPair("网站出售个人信息违法吗", "某某市网络数据条例　　第二条：网络运营者不得非法出售个人信息。")]
TINY = ft.FinetuneConfig(epochs=1, batch_size=2)


def question(qid, text, *articles):
    return GoldQuestion(qid, text, "citizen", "single" if articles else "unanswerable",
                        tuple(("某某市网络数据条例", n) for n in articles), ())


def test_pairs_are_each_gold_article_of_each_answerable_question(tmp_path):
    corpus = load_corpus(write_corpus(tmp_path / "regs", {"条例.txt": REGULATION}))
    by_no = {a.article_no: a for a in corpus.articles}
    pairs = training_pairs(corpus, [question("a", "能卖信息吗", 2, 3), question("b", "个税怎么交"),
                                       question("c", "第九条呢", 9)])
    assert pairs == [ft.TrainingPair("能卖信息吗", passage_texts(by_no[2])[0]),
                     ft.TrainingPair("能卖信息吗", passage_texts(by_no[3])[0])]


def test_model_name_changes_with_the_pairs_and_the_settings():
    record = ft.expected_record("base", PAIRS, TINY)
    assert record == ft.expected_record("base", list(PAIRS), TINY)
    assert record["model_name"].startswith("base, fine-tuned on 4 dev pairs (")
    assert record["model_name"] != ft.expected_record("base", PAIRS[:3], TINY)["model_name"]
    assert record != ft.expected_record("base", PAIRS, ft.FinetuneConfig())
    assert record["model_name"] != ft.expected_record("other base", PAIRS, TINY)["model_name"]


@pytest.fixture(scope="module")
def tiny_model(real_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("finetune") / "model"
    measured = ft.finetune(real_model_dir, PAIRS, out, TINY)
    return out, measured


def test_training_writes_a_model_folder_both_encoders_load(tiny_model, real_encoder):
    folder, measured = tiny_model
    assert measured["seconds"] > 0 and np.isfinite(measured["last_loss"])
    native = encoder_for_folder(folder)
    assert isinstance(native, NativeEncoder)
    texts = [p.question for p in PAIRS]
    trained = native.encode(texts, "query")
    np.testing.assert_allclose(trained, SentenceTransformerEncoder(folder).encode(texts, "query"), atol=1e-5)
    base = real_encoder.encode(texts, "query")
    assert np.abs(trained - base).max() > 1e-4  # the weights did move
    np.testing.assert_allclose(np.linalg.norm(trained, axis=1), 1.0, atol=1e-5)


def test_training_is_deterministic(tiny_model, real_model_dir, tmp_path):
    folder, _ = tiny_model
    again = tmp_path / "again"
    ft.finetune(real_model_dir, PAIRS, again, TINY)
    texts = [p.passage for p in PAIRS]
    np.testing.assert_allclose(encoder_for_folder(again).encode(texts, "passage"),
                               encoder_for_folder(folder).encode(texts, "passage"), atol=1e-6)


def test_ensure_trains_once_and_again_when_its_data_changes(real_model_dir, tmp_path, monkeypatch):
    """With training replaced by a copy (the real run is the session's ranking model fixture)."""
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / real_model_dir.name).symlink_to(real_model_dir)
    calls = []

    def fake_finetune(base_dir, pairs, out_dir, config, progress):
        calls.append(len(pairs))
        shutil.copytree(base_dir, out_dir, ignore=shutil.ignore_patterns(ft.RECORD_FILE))
        return {"seconds": 0.0, "last_loss": 0.0}

    monkeypatch.setattr(ft, "finetune", fake_finetune)
    messages = []
    with pytest.raises(ModelProblem) as missing:  # loading only checks
        ft.check_ranking(cache, real_model_dir)
    assert missing.value.reason == "missing" and len(calls) == 0
    folder = ft.prepare_ranking(cache, lambda event: messages.append(event.message))
    record = json.loads((folder / ft.RECORD_FILE).read_text(encoding="utf-8"))
    assert folder == cache / "models" / ft.RANKING_DIR_NAME and len(calls) == 1
    assert record["pairs"] == calls[0] > 500 and record["model_name"].endswith(f"({record['pairs_sha256'][:12]})")
    assert any("正在微调检索模型" in m for m in messages)
    assert ft.check_ranking(cache, real_model_dir) == folder
    assert ft.prepare_ranking(cache) == folder and len(calls) == 1  # current: not trained again
    ft.prepare_ranking(cache, config=ft.FinetuneConfig(epochs=3))
    assert len(calls) == 2  # other settings: trained again
    with pytest.raises(ModelProblem) as stale:  # ... so the default settings' model is stale now
        ft.check_ranking(cache, real_model_dir)
    assert stale.value.reason == "stale"
    (folder / "model.safetensors").unlink()
    ft.prepare_ranking(cache)
    assert len(calls) == 3 and (folder / "model.safetensors").is_file()  # incomplete: trained again


def test_the_model_process_serves_both_shipped_models(real_ranking_dir, real_model_dir, paired_encoder):
    from models.process import EncoderProcess

    process = EncoderProcess(real_ranking_dir, calibration_dir=real_model_dir)
    try:
        texts = ["平台能不能把我的个人信息卖给别人？", "网约车司机的社保怎么交？"]
        assert process.name == paired_encoder.name and process.calibration_name == paired_encoder.calibration_name
        np.testing.assert_allclose(process.encode(texts, "query"), paired_encoder.encode(texts, "query"), atol=1e-6)
        np.testing.assert_allclose(process.encode_calibration(texts, "query"),
                                   paired_encoder.encode_calibration(texts, "query"), atol=1e-6)
        assert process.encode_calibration([], "passage").shape == (0, 384)
    finally:
        process.close()


def test_the_shipped_ranking_model_records_what_it_was_trained_on(real_ranking_dir, real_model_dir):
    record = json.loads((real_ranking_dir / ft.RECORD_FILE).read_text(encoding="utf-8"))
    base = json.loads((real_model_dir / ft.RECORD_FILE).read_text(encoding="utf-8"))["model_name"]
    assert record["base_model"] == base and record["finetune_version"] == ft.FINETUNE_VERSION
    assert record["config"] == dataclasses.asdict(ft.FinetuneConfig())
    assert record["model_name"] == f"{base}, fine-tuned on {record['pairs']} dev pairs ({record['pairs_sha256'][:12]})"


def test_the_shipped_pairs_file_is_current():
    """models/training/pairs.jsonl is what `python -m eval pairs` writes from the dev split now."""
    assert ft.read_pairs() == dev_pairs()


def test_pairs_round_trip_through_a_file(tmp_path):
    path = ft.write_pairs(PAIRS, tmp_path / "pairs.jsonl")
    assert ft.read_pairs(path) == PAIRS
    assert ft.pairs_digest(ft.read_pairs(path)) == ft.pairs_digest(PAIRS)
