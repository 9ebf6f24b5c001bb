"""A CalibratedEncoder's index (the pair before issue 17, evaluation's): ranking vectors for the ranking,
calibration vectors for abstention and the cosines answers are composed with when Settings.calibration_cosines
asks for them; stored, validated and used as such (fake encoders, tiny corpus)."""
from __future__ import annotations

import numpy as np
import pytest

from index import IndexProblem, build, load, load_for
from index.store import ModelRef
from models.encoders import CalibratedEncoder
from models.protocol import FakeEncoder
from index.store import passage_texts
from ingest import load_corpus
from retrieval.retriever import Retriever, Settings
from tests.tiny_corpus import write_corpus

REGULATION = """某某市网络数据条例

第一条　为了规范网络数据处理活动，保护个人信息，制定本条例。
第二条　网络运营者不得非法出售个人信息。违反本条规定的，由网信部门责令改正。
第三条　公共数据应当依法开放。开放目录由市人民政府公布。
"""


class OtherFake(FakeEncoder):
    """A second deterministic encoder with its own name, standing in for the calibration model."""

    name = "fake-calibration"


class ConstantFake(FakeEncoder):
    """Every text gets the same vector: every cosine is 1 (a model that is sure of everything)."""

    name = "fake-constant"

    def encode(self, texts, kind):
        vectors = np.zeros((len(texts), self.dim), np.float32)
        vectors[:, 0] = 1.0
        return vectors


@pytest.fixture()
def corpus_dir(tmp_path):
    return write_corpus(tmp_path / "regs", {"网络数据条例.txt": REGULATION})


def calibrated_index(corpus_dir, out, calibration=None):
    encoder = CalibratedEncoder(FakeEncoder(64), calibration or OtherFake(32))
    build(load_corpus(corpus_dir), out, encoder, [corpus_dir])
    return out, encoder


def test_index_stores_one_calibration_vector_per_article(corpus_dir, tmp_path):
    out, encoder = calibrated_index(corpus_dir, tmp_path / "index")
    data = load_for(out, encoder)
    assert data.manifest.model == ModelRef("fake-bigram", 64)
    assert data.manifest.calibration_model == ModelRef("fake-calibration", 32)
    assert "calibration.npy" in data.manifest.files
    expected = OtherFake(32).encode([passage_texts(a)[0] for a in data.articles], "passage")
    np.testing.assert_array_equal(data.calibration, expected)


def test_single_encoder_index_has_no_calibration(corpus_dir, tmp_path):
    out = tmp_path / "index"
    build(load_corpus(corpus_dir), out, FakeEncoder(64), [corpus_dir])
    data = load(out, "fake-bigram")
    assert data.calibration is None and data.manifest.calibration_model is None
    assert not Retriever(data, FakeEncoder(64)).calibrated


def test_index_with_another_calibration_model_is_refused(corpus_dir, tmp_path):
    out, _ = calibrated_index(corpus_dir, tmp_path / "index")
    with pytest.raises(IndexProblem, match="校准模型是“fake-calibration”，当前配置的是“fake-constant”.*重建索引"):
        load_for(out, CalibratedEncoder(FakeEncoder(64), ConstantFake(32)))
    single = tmp_path / "single"
    build(load_corpus(corpus_dir), single, FakeEncoder(64), [corpus_dir])
    with pytest.raises(IndexProblem, match="校准模型是“无”"):
        load_for(single, CalibratedEncoder(FakeEncoder(64), OtherFake(32)))


def test_damaged_calibration_vectors_are_refused(corpus_dir, tmp_path):
    out, encoder = calibrated_index(corpus_dir, tmp_path / "index")
    vectors = np.load(out / "calibration.npy", allow_pickle=False)
    np.save(out / "calibration.npy", vectors[:-1])
    with pytest.raises(IndexProblem, match="calibration.npy"):
        load_for(out, encoder)


def test_hits_carry_the_calibration_cosine_when_asked(corpus_dir, tmp_path):
    out, encoder = calibrated_index(corpus_dir, tmp_path / "index")
    data = load_for(out, encoder)
    retriever = Retriever(data, encoder, Settings(calibration_cosines=True))
    assert retriever.calibrated
    question = "网络运营者能不能出售个人信息"
    retrieval = retriever.retrieve(question, k=3)
    query = OtherFake(32).encode([question], "query")[0]
    for hit in retrieval.hits:
        whole = passage_texts(retriever.article(hit.key))[0]
        assert hit.dense_score == pytest.approx(float(OtherFake(32).encode([whole], "passage")[0] @ query), abs=1e-6)
    # the ranking is the ranking model's: the article on selling personal information first
    assert retrieval.hits[0].key == "某某市网络数据条例#2"
    # by default (the product since issue 17) the same index and pair give the ranking model's whole-article cosines
    plain = Retriever(data, encoder)
    assert not plain.calibrated
    ranking_query = FakeEncoder(64).encode([question], "query")[0]
    for hit in plain.retrieve(question, k=3).hits:
        whole = passage_texts(plain.article(hit.key))[0]
        assert hit.dense_score == pytest.approx(float(FakeEncoder(64).encode([whole], "passage")[0] @ ranking_query),
                                                abs=1e-6)


def test_abstention_follows_the_calibration_model(corpus_dir, tmp_path):
    """Same ranking model, same question: a calibration model sure of everything (cosine 1) answers,
    the bigram one (low cosine for an unrelated question) abstains."""
    question = "个人所得税怎么申报"
    settings = Settings(abstain_below=0.5, abstain_unsure_below=0.5, calibration_cosines=True)
    sure_dir, sure = calibrated_index(corpus_dir, tmp_path / "sure", ConstantFake(32))
    plain_dir, plain = calibrated_index(corpus_dir, tmp_path / "plain")
    answered = Retriever(load_for(sure_dir, sure), sure, settings).retrieve(question)
    refused = Retriever(load_for(plain_dir, plain), plain, settings).retrieve(question)
    assert not answered.abstained and answered.confidence == pytest.approx(1.0)
    assert refused.abstained and refused.confidence < 0.5
    assert [h.key for h in answered.hits] == [h.key for h in refused.hits]


def test_the_calibration_model_can_rank_for_comparison(corpus_dir, tmp_path):
    """dense_model='calibration' (eval's baseline and ablation): the dense side ranks articles by the
    calibration model's whole-article cosine."""
    out, encoder = calibrated_index(corpus_dir, tmp_path / "index")
    data = load_for(out, encoder)
    question = "公共数据开放目录由谁公布"
    retrieval = Retriever(data, encoder, Settings(dense_model="calibration", calibration_cosines=True)).retrieve(question, k=3, mode="dense")
    query = OtherFake(32).encode([question], "query")[0]
    cosines = data.calibration @ query
    assert [h.key for h in retrieval.hits] == [data.articles[row].key for row in np.argsort(-cosines, kind="stable")]
    assert [h.dense_score for h in retrieval.hits] == pytest.approx(sorted(cosines, reverse=True), abs=1e-6)


class Counting(OtherFake):
    """The calibration fake, counting the texts it encodes."""

    def __init__(self, dim: int = 32):
        super().__init__(dim)
        self.encoded: list[str] = []

    def encode(self, texts, kind):
        self.encoded += list(texts)
        return super().encode(texts, kind)


def test_a_rebuild_encodes_only_new_articles_with_the_calibration_model(corpus_dir, tmp_path):
    out = tmp_path / "index"
    first = Counting()
    build(load_corpus(corpus_dir), out, CalibratedEncoder(FakeEncoder(64), first), [corpus_dir])
    before = np.load(out / "calibration.npy", allow_pickle=False)
    assert len(first.encoded) == 3
    (corpus_dir / "网络数据条例.txt").write_text(REGULATION + "第四条　本条例自2024年1月1日起施行。\n", encoding="utf-8")
    again = Counting()
    build(load_corpus(corpus_dir), out, CalibratedEncoder(FakeEncoder(64), again), [corpus_dir])
    data = load_for(out, CalibratedEncoder(FakeEncoder(64), again))
    assert again.encoded == [passage_texts(data.articles[3])[0]]  # only the new article
    assert data.manifest.build["calibration_encoded"] == 1
    np.testing.assert_array_equal(data.calibration[:3], before)
    np.testing.assert_array_equal(data.calibration[3], OtherFake(32).encode(again.encoded, "passage")[0])
