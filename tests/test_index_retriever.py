"""Index build/load round trip, refusal of damaged or stale indexes, and retrieval on a tiny corpus."""
import json
import shutil

import numpy as np
import pytest

from index import IndexProblem, build, check, load
from models.protocol import FakeEncoder
from ingest import load_corpus
from retrieval.records import Filters
from retrieval.retriever import Retriever, Settings
from tiny_corpus import fake_index, write_corpus

TIANJIN = """天津市数据条例
第一章　总则
第一条　为了促进数据发展，制定本条例。
第二条　国家机关提供政务公开信息，不得收取费用。
第三条　网络运营者不得出售用户的个人信息。
第二章　法律责任
第四条　违反本条例第三条规定的，由网信部门责令改正，处一万元以下罚款。
"""
HUNAN = """湖南省数据条例
第一条　为了保障网络安全，制定本条例。
第二条　关键信息基础设施运营者应当落实网络安全等级保护制度。
第三条　本条例所称公共数据，是指国家机关在履行职责中收集的数据。
"""


@pytest.fixture()
def corpus_dir(tmp_path):
    return write_corpus(tmp_path / "regs", {"tj.txt": TIANJIN, "hn.txt": HUNAN})


@pytest.fixture()
def index_dir(tmp_path, corpus_dir):
    return fake_index(corpus_dir, tmp_path / "index")


@pytest.fixture()
def retriever(index_dir):
    return Retriever(load(index_dir, "fake-bigram"), FakeEncoder())


def test_round_trip(index_dir, corpus_dir):
    data = load(index_dir, "fake-bigram")
    original = load_corpus(corpus_dir)
    assert data.articles == original.articles
    assert data.regulations == original.regulations
    assert data.glossary == original.glossary and data.crossrefs == original.crossrefs
    assert data.dense.ntotal == 7 and data.dense_rows.tolist() == list(range(7))
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["model"] == {"name": "fake-bigram", "dim": 64}
    assert manifest["counts"]["articles"] == 7
    assert not any(p.suffix == ".pkl" for p in index_dir.iterdir())
    # the persisted BM25 index scores exactly as one built from the stored tokens
    from index.lexical import BM25_FILES, Lexical

    assert all((index_dir / name).is_file() and name in manifest["files"] for name in BM25_FILES)
    fresh = Lexical(data.bm25_tokens)
    for tokens in (["数据"], ["公共数据", "开放"], ["没有的词"], []):
        np.testing.assert_array_equal(data.lexical.scores(tokens), fresh.scores(tokens))


def test_rebuild_reuses_vectors_of_unchanged_articles(index_dir, corpus_dir):
    (corpus_dir / "hn.txt").write_text(HUNAN.replace("收集的数据", "收集、产生的数据"), encoding="utf-8")
    build(load_corpus(corpus_dir), index_dir, FakeEncoder(), [corpus_dir])
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["build"]["encoded"] == 1  # only the changed article


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "manifest.json").unlink(), "缺少 manifest.json"),
    (lambda d: (d / "manifest.json").write_text("{broken"), "manifest.json 已损坏"),
    (lambda d: (d / "bm25_tokens.jsonl").unlink(), "索引文件缺失：bm25_tokens.jsonl"),
    (lambda d: (d / "dense.faiss").write_bytes((d / "dense.faiss").read_bytes()[:100]), "校验和不符"),
    (lambda d: shutil.rmtree(d), "索引不存在"),
])
def test_damaged_index_is_refused(index_dir, damage, message):
    damage(index_dir)
    with pytest.raises(IndexProblem, match=message) as info:
        load(index_dir, "fake-bigram")
    assert "python -m index build" in str(info.value)


def test_stale_or_mismatched_index_is_refused(index_dir, corpus_dir):
    with pytest.raises(IndexProblem, match="嵌入模型"):
        check(index_dir, model_name="another-model")
    (corpus_dir / "tj.txt").write_text(TIANJIN + "第五条　新增。\n", encoding="utf-8")
    with pytest.raises(IndexProblem, match="法规文件已更改.*tj.txt"):
        check(index_dir)


def test_bm25_dense_and_hybrid_rankings(retriever):
    bm25 = retriever.retrieve("个人信息能出售吗", 3, mode="bm25")
    assert bm25.hits[0].key == "天津市数据条例#3"
    dense = retriever.retrieve("出售用户的个人信息", 3, mode="dense")
    assert dense.hits[0].key == "天津市数据条例#3"
    best = float(np.max(retriever.data.dense.reconstruct_n(0, 7) @ retriever.query_vector(dense.query)[0]))
    assert dense.hits[0].dense_score == pytest.approx(best, abs=1e-6)
    hybrid = retriever.retrieve("政务公开信息收费吗", 3)
    assert hybrid.hits[0].key == "天津市数据条例#2"
    assert [h.rank for h in hybrid.hits] == [1, 2, 3]


def test_place_awareness_and_filters(retriever):
    hits = retriever.search("湖南的网络安全规定", 7)
    assert all(h.jurisdiction == "湖南省" for h in hits[:3])
    compared = retriever.search("天津和湖南的网络安全有什么不同", 4)
    assert [h.jurisdiction for h in compared[:2]] == ["天津市", "湖南省"]
    only = retriever.search("网络安全", 10, Filters(jurisdictions=("湖南省",)))
    assert {h.regulation for h in only} == {"湖南省数据条例"} and len(only) == 3
    by_title = retriever.search("网络安全", 10, Filters(regulations=("天津市数据条例",)))
    assert {h.key for h in by_title} == {f"天津市数据条例#{n}" for n in range(1, 5)}


def test_both_bm25_backends_rank_alike(index_dir):
    data = load(index_dir)
    rankings = []
    for backend in ("bm25s", "rank-bm25"):
        fast = Retriever(data, FakeEncoder(), Settings(bm25_backend=backend))
        rankings.append([h.key for h in fast.retrieve("网络运营者出售个人信息罚款", 4, mode="bm25").hits])
    assert rankings[0] == rankings[1]
    assert rankings[0][0] == "天津市数据条例#3" and "天津市数据条例#4" in rankings[0]


def test_synonyms_reach_the_regulations_words(retriever):
    hits = retriever.retrieve("等保和关基有啥要求", 1, mode="bm25").hits
    assert hits[0].key == "湖南省数据条例#2"


def test_abstention_threshold(index_dir):
    strict = Retriever(load(index_dir), FakeEncoder(), Settings(abstain_below=0.99))
    assert strict.retrieve("外卖骑手的社保怎么交").abstained
    lenient = Retriever(load(index_dir), FakeEncoder(), Settings(abstain_below=0.0, abstain_unsure_below=0.0))
    assert not lenient.retrieve("出售用户的个人信息").abstained
