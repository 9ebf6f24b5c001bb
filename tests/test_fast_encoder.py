"""The fast engine (models.engine): its choices, its batches, the pair of models evaluation loads,
the index build's deduplication, and (with the real models) its vectors against the reference engine's."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from core import paths
from models import engine as engines
from models.encoders import CalibratedEncoder
from models.protocol import FakeEncoder

# ---------------------------------------------------------------- choosing the engine


@pytest.mark.parametrize("value, backend", [("", "fast"), ("fast", "fast"), ("native", "fast"), ("REFERENCE", "reference"),
                                            ("fp32", "reference"), ("native-fp32", "reference"),
                                            ("st", "sentence-transformers"), ("sentence-transformers", "sentence-transformers")])
def test_the_environment_names_the_engine(monkeypatch, value, backend):
    monkeypatch.setenv("REGQA_ENCODER", value)
    assert paths.encoder_backend() == backend


@pytest.mark.parametrize("flags, native", [("fpu sse avx512f amx_bf16 amx_tile", True), ("fpu avx512f avx512_bf16", True),
                                           ("fpu avx2 avx512f avx512bw", False)])
def test_native_bfloat16_is_read_from_the_processor_flags(tmp_path, flags, native):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n\nprocessor\t: 1\n")
    assert engines.cpu_has_native_bf16(cpuinfo) is native
    assert engines.cpu_has_native_bf16(tmp_path / "missing") is False


def test_the_engines_on_cpu_and_on_cuda(monkeypatch):
    import torch

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert engines.choose("reference") == engines.Engine("reference", "cpu", "float32", 0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(engines, "cpu_has_native_bf16", lambda: False)
    assert engines.choose("fast") == engines.Engine("fast", "cpu", "float32", engines.cores())
    monkeypatch.setattr(engines, "cpu_has_native_bf16", lambda: True)
    assert engines.choose("fast").dtype == "bfloat16"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert engines.choose("fast") == engines.Engine("fast", "cuda", "bfloat16", 1)
    assert engines.choose("reference").device == "cpu"  # the reference never moves
    with pytest.raises(ValueError):
        engines.choose("int8")


def test_a_thread_cap_bounds_the_workers(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert engines.choose("fast").workers == 1


# ---------------------------------------------------------------- batches by length


def test_batches_group_similar_lengths_longest_first_and_cover_every_text():
    lengths = [5, 300, 7, 300, 6, 40, 5, 41]
    groups = engines.batches(lengths, max_rows=3, max_tokens=700)
    assert sorted(i for group in groups for i in group) == list(range(len(lengths)))
    assert groups == [[1, 3], [7, 5, 2], [4, 0, 6]]  # 3 x 300 tokens would pad to 900 > 700
    assert all(lengths[group[0]] == max(lengths[i] for i in group) for group in groups)
    assert engines.batches([]) == []
    assert engines.batches([600]) == [[0]]  # one text longer than the budget still gets its batch


# ---------------------------------------------------------------- the pair (evaluation's, since issue 17)


class _Recording:
    """A FakeEncoder that records its calls and may fail."""

    def __init__(self, dim: int, fail: bool = False):
        self.fake, self.name, self.dim = FakeEncoder(dim), f"fake-{dim}", dim
        self.calls: list[tuple[tuple[str, ...], str]] = []
        self.threads: list[str] = []
        self.fail = fail

    def encode(self, texts, kind):
        self.calls.append((tuple(texts), kind))
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("model broke")
        return self.fake.encode(texts, kind)


def test_the_pair_asks_each_model_only_for_its_own_vectors_in_the_calling_thread():
    ranking, calibration = _Recording(32), _Recording(48)
    pair = CalibratedEncoder(ranking, calibration)
    np.testing.assert_array_equal(pair.encode(["出售个人信息"], "query"), FakeEncoder(32).encode(["出售个人信息"], "query"))
    assert calibration.calls == []  # the ranking call never starts the calibration model
    np.testing.assert_array_equal(pair.encode_calibration(["出售个人信息"], "query"),
                                  FakeEncoder(48).encode(["出售个人信息"], "query"))
    assert ranking.calls == calibration.calls == [(("出售个人信息",), "query")]
    assert ranking.threads == calibration.threads == [threading.current_thread().name]
    assert (pair.name, pair.calibration_name, pair.dim) == ("fake-32", "fake-48", 32)


def test_a_failing_calibration_model_fails_the_call_that_asks_for_it():
    pair = CalibratedEncoder(_Recording(32), _Recording(48, fail=True))
    pair.encode(["甲"], "query")  # the ranking side is unaffected
    with pytest.raises(RuntimeError, match="model broke"):
        pair.encode_calibration(["甲"], "query")


# ---------------------------------------------------------------- the index build encodes each text once


def test_identical_passages_are_encoded_once_longest_first():
    from index.store import _encode_reusing

    batches = []

    def encode(texts, kind):
        batches.append(list(texts))
        return FakeEncoder(16).encode(texts, kind)

    texts = ["短", "一段很长很长的条文", "中等长度", "短", "一段很长很长的条文", "另一段"]
    cached = {}
    vectors, hashes, encoded = _encode_reusing(texts, "fake", encode, cached, "向量", None, batch=2)
    assert encoded == 4 and batches == [["一段很长很长的条文", "中等长度"], ["另一段", "短"]]
    np.testing.assert_array_equal(vectors, FakeEncoder(16).encode(texts, "passage"))
    assert hashes[0] == hashes[3] and len(set(hashes)) == 4
    # with the previous index's vectors: only what is new is encoded
    batches.clear()
    again, _, encoded = _encode_reusing(texts + ["新"], "fake", encode, dict(zip(hashes, vectors)), "向量", None)
    assert encoded == 1 and batches == [["新"]]
    np.testing.assert_array_equal(again[:-1], vectors)


# ---------------------------------------------------------------- the real models: fast against reference

# Tolerance: bfloat16 keeps 8 significant bits, so each product is rounded by at most 2^-9 (0.2%) relative, while
# sums, LayerNorm, softmax and pooling run in float32. Measured on the bundled corpus: cosine >= 0.99991 (ranking
# model) and >= 0.99999 (converted model) on every passage. 0.999 leaves ten times that margin and is still ten
# times closer than the 0.99, and a real defect (a weight in the wrong dtype or place, a dropped mask)
# puts cosines far below it. Without native bfloat16 the fast engine is float32 and meets it trivially.
MIN_COSINE = 0.999


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.model
def test_fast_vectors_agree_with_the_reference_on_every_bundled_passage(product_index_dir, real_ranking_dir,
                                                                        real_model_dir, real_encoder):
    from index import load, passage_texts
    from models.encoders import encoder_for_folder

    data = load(product_index_dir, check_corpus=False)  # built by the reference engine (tests/conftest.py)
    passages = [text for article in data.articles for text in passage_texts(article)]
    ranking = encoder_for_folder(real_ranking_dir, "fast").encode(passages, "passage")
    wholes = [passage_texts(article)[0] for article in data.articles]  # the converted model's (evaluation's pair)
    calibration = encoder_for_folder(real_model_dir, "fast").encode(wholes, "passage")
    for fast, reference in ((ranking, data.dense.reconstruct_n(0, data.dense.ntotal)),
                            (calibration, real_encoder.encode(wholes, "passage"))):
        cosines = _cosines(fast, reference)
        assert len(cosines) == len(fast) and cosines.min() >= MIN_COSINE, (cosines.min(), cosines.argmin())
        np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_fast_vectors_of_questions_and_odd_texts_agree_and_do_not_depend_on_the_batch(real_model_dir, real_encoder):
    from models.encoders import encoder_for_folder
    from test_native import PARITY_TEXTS

    fast = encoder_for_folder(real_model_dir, "fast")
    texts = PARITY_TEXTS + ["平台能不能把我的个人信息卖给别人？", "网约车司机的社保怎么交？"]
    for kind in ("query", "passage"):
        together = fast.encode(texts, kind)
        assert together.shape == (len(texts), 384) and together.dtype == np.float32
        assert _cosines(together, real_encoder.encode(texts, kind)).min() >= MIN_COSINE
        alone = np.vstack([fast.encode([text], kind) for text in texts])
        np.testing.assert_allclose(alone, together, atol=2e-3)  # padding changes bfloat16 blocking only
    assert fast.encode([], "query").shape == (0, 384)


@pytest.mark.model
def test_the_child_process_runs_the_fast_engine_for_both_models(real_ranking_dir, real_model_dir):
    from models.encoders import CalibratedEncoder, encoder_for_folder
    from models.process import EncoderProcess

    in_process = CalibratedEncoder(encoder_for_folder(real_ranking_dir, "fast"), encoder_for_folder(real_model_dir, "fast"))
    process = EncoderProcess(real_ranking_dir, calibration_dir=real_model_dir, engine="fast")
    try:
        texts = ["平台能不能把我的个人信息卖给别人？"]
        np.testing.assert_allclose(process.encode(texts, "query"), in_process.encode(texts, "query"), atol=1e-6)
        np.testing.assert_allclose(process.encode_calibration(texts, "query"),
                                   in_process.encode_calibration(texts, "query"), atol=1e-6)
        passages = ["第一条　为了规范数据处理活动，制定本条例。", "第二条　本条例自公布之日起施行。"]
        np.testing.assert_allclose(process.encode_calibration(passages, "passage"),
                                   in_process.encode_calibration(passages, "passage"), atol=1e-6)
    finally:
        process.close()


@pytest.mark.model
def test_load_encoder_takes_the_engine_from_the_environment(monkeypatch, real_ranking_dir, real_model_dir):
    from models import load_encoder

    cache = real_model_dir.parent.parent
    monkeypatch.delenv("REGQA_MODEL_DIR", raising=False)
    monkeypatch.delenv("REGQA_ENCODER", raising=False)
    product = load_encoder(cache_dir=cache)
    assert product.engine_name == "fast" and not hasattr(product, "encode_calibration")  # the ranking model alone
    assert load_encoder(cache_dir=cache, calibration=True).ranking.engine_name == "fast"
    monkeypatch.setenv("REGQA_ENCODER", "reference")
    pair = load_encoder(cache_dir=cache, calibration=True)
    assert (pair.ranking.engine_name, pair.calibration.engine_name) == ("reference", "reference")
    assert load_encoder(cache_dir=cache, engine="fast", calibration=True).calibration.engine_name == "fast"
    assert load_encoder(cache_dir=cache).engine_name == "reference"


# ---------------------------------------------------------------- the benchmark's note


def test_the_engines_note_puts_both_engines_side_by_side_and_judges_the_targets():
    from bench.engines import note_engines

    def build(reference_s, fast_s):
        return {"articles": 272, "passages": 703, "repetitions": 2, "speedup_articles_per_s": round(reference_s / fast_s, 2),
                **{name: {"build_s": s, "encode_s": s - 0.5, "articles_per_s": round(272 / s, 1),
                          "passages_per_s": round(975 / (s - 0.5), 1), "encoded": 975, "all_build_s": [s, s]}
                   for name, s in (("reference", reference_s), ("fast", fast_s))}}

    results = {"engines": {"reference": {"device": "cpu", "dtype": "float32", "workers": 0},
                           "fast": {"device": "cpu", "dtype": "bfloat16", "workers": 2}},
               "builds": {"bundled": build(31.0, 6.2), "bundled + national pack": build(100.0, 40.0)},
               "query_encoding_ms": {"reference": {"p50": 45.0, "p95": 60.0, "n": 10},
                                     "fast": {"p50": 18.0, "p95": 30.0, "n": 10}, "ratio_p50": 0.4},
               "agreement": {"bundled": {"ranking": {"passages": 703, "min": 0.9999, "mean": 0.99996, "p1": 0.99993}}},
               "load_average_after": [1.0, 1.0, 1.0]}
    text = "\n".join(note_engines(results))
    assert "| bundled (median of 2) | 272 / 703 | reference | 31.0 | 8.8 | 975 / 30.5 | 32.0 |" in text
    assert "reference: float32 on cpu, torch threads; fast: bfloat16 on cpu, 2 workers" in text
    assert "5.0× (met), 2.5× (NOT met)" in text  # the second corpus misses the 4x target
    assert "0.4× (met)" in text and "min 0.9999 (met)" in text
