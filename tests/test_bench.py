"""The benchmark's plumbing (figures themselves come from `python -m bench`, not from tests)."""
import numpy as np
import pytest

from bench.measure import percentiles, synthetic_index
from index import build, load
from models.protocol import FakeEncoder
from ingest import load_corpus
from retrieval.retriever import Retriever


def test_percentiles_in_milliseconds():
    assert percentiles([0.001, 0.002, 0.003, 0.004, 0.005]) == {"p50": 3.0, "p95": 4.8, "n": 5}


def test_synthetic_index_is_varied_normalized_and_searchable(tmp_path):
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / "a.txt").write_text("甲市数据条例\n第一条　网络运营者不得出售个人信息。\n第二条　政务信息公开不得收费。\n",
                                  encoding="utf-8")
    build(load_corpus(folder), tmp_path / "index", FakeEncoder(), [folder])
    base = load(tmp_path / "index")
    data, vectors = synthetic_index(base, 50)
    assert len(data.articles) == len(data.bm25_tokens) == data.dense.ntotal == 50
    assert len({a.key for a in data.articles}) == 50
    assert len({tuple(t) for t in data.bm25_tokens}) == 50
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    hits = Retriever(data, FakeEncoder()).search("出售个人信息", 5)
    assert all(h.article_no == 1 for h in hits[:3])
