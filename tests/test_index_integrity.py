"""Index folders that are damaged, stale or half-built are refused at load with the command that rebuilds
them; builds are atomic (a killed build leaves the previous index usable) and exclusive across processes."""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index import IndexProblem, build, check, load, rebuild_index
from models.protocol import FakeEncoder
from index.store import build_lock
from ingest import DEFAULT_CORPUS, load_corpus
from retrieval.answer import compose
from retrieval.retriever import Retriever
from tiny_corpus import Said, fake_index, write_corpus

ROOT = Path(__file__).resolve().parent.parent
TIANJIN = """天津市数据条例
第一条　为了促进数据发展，制定本条例。
第二条　国家机关提供政务公开信息，不得收取费用。
第三条　网络运营者不得出售用户的个人信息。
"""
HUNAN = """湖南省数据条例
第一条　为了保障网络安全，制定本条例。
第二条　关键信息基础设施运营者应当落实网络安全等级保护制度。
"""
WUXI = """无锡市数据办法
第一条　为了推进智慧城市建设，制定本办法。
第二条　市人民政府应当建设统一的城市大脑平台。
第三条　数据中心的建设应当符合节能要求。
第四条　本办法自2024年1月1日起施行。
"""


@pytest.fixture()
def corpus_dir(tmp_path):
    return write_corpus(tmp_path / "regs", {"tj.txt": TIANJIN, "hn.txt": HUNAN})


@pytest.fixture()
def index_dir(tmp_path, corpus_dir):
    return fake_index(corpus_dir, tmp_path / "index")


def hint(corpus_dir: Path | None, index_dir: Path) -> str:
    """The rebuild command expected in messages; without --corpus when the manifest cannot tell the corpus."""
    corpus = ["--corpus", str(corpus_dir.resolve())] if corpus_dir else []
    command = shlex.join([".venv/bin/python", "-m", "index", "build", *corpus, "--out", str(index_dir)])
    return f"请运行 `{command}` 重建索引。"


def edit_manifest(index_dir: Path, change) -> None:
    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def resign(index_dir: Path, name: str) -> None:
    """Record the current checksum of a file, as if the damage had happened before the manifest was written."""
    digest = hashlib.sha256((index_dir / name).read_bytes()).hexdigest()
    edit_manifest(index_dir, lambda m: m["files"].__setitem__(name, digest))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def drop_last_row(index_dir: Path) -> None:
    path = index_dir / "articles.jsonl"
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    resign(index_dir, "articles.jsonl")


def point_past_the_end(index_dir: Path) -> None:
    np.save(index_dir / "dense_rows.npy", np.array([0, 1, 2, 3, 99], dtype=np.int32))
    resign(index_dir, "dense_rows.npy")


DAMAGE = [
    (lambda d: truncate(d / "articles.jsonl"), "索引文件已损坏（校验和不符）：articles.jsonl。"),
    (lambda d: truncate(d / "dense_rows.npy"), "索引文件已损坏（校验和不符）：dense_rows.npy。"),
    (lambda d: (d / "regulations.json").write_text("{}"), "索引文件已损坏（校验和不符）：regulations.json。"),
    (lambda d: (d / "dense_hashes.json").unlink(), "索引文件缺失：dense_hashes.json。"),
    (lambda d: (d / "manifest.json").write_text("[]"), "索引的 manifest.json 已损坏（不是 JSON 对象）。"),
    (lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe"), "索引的 manifest.json 已损坏（"),
    (lambda d: edit_manifest(d, lambda m: m.pop("tokenizer")), "索引的 manifest.json 不完整：缺少 tokenizer。"),
    (lambda d: edit_manifest(d, lambda m: m["corpus"].pop("hash")), "索引的 manifest.json 不完整：缺少 corpus.hash。"),
    (lambda d: edit_manifest(d, lambda m: m["files"].pop("dense.faiss")),
     "索引的 manifest.json 未记录文件 dense.faiss 的校验和。"),
    (lambda d: edit_manifest(d, lambda m: m["files"].__setitem__("../regs/tj.txt", "0" * 64)),
     "索引的 manifest.json 记录了索引目录以外的文件。"),
    (lambda d: edit_manifest(d, lambda m: m.__setitem__("format_version", 1)), "索引格式版本为 1，当前程序需要 6。"),
    (lambda d: edit_manifest(d, lambda m: m.__setitem__("passage_format", "article-v0")),
     "索引的向量段落格式为“article-v0”，当前程序使用“article-and-sentences-v2”。"),
    (drop_last_row, "索引各文件的行数或维度不一致。"),
    (point_past_the_end, "索引各文件的行数或维度不一致。"),
]


@pytest.mark.parametrize("damage, reason", DAMAGE)
def test_damaged_index_is_refused_with_the_command_that_rebuilds_it(index_dir, corpus_dir, damage, reason):
    damage(index_dir)
    with pytest.raises(IndexProblem) as info:
        load(index_dir, "fake-bigram")
    message = str(info.value)
    readable = "manifest.json 已损坏" not in reason
    assert message.startswith(reason) and message.endswith(hint(corpus_dir if readable else None, index_dir))


def test_missing_manifest_is_refused(index_dir):
    (index_dir / "manifest.json").unlink()
    with pytest.raises(IndexProblem) as info:
        check(index_dir)
    assert str(info.value) == f"索引缺少 manifest.json（可能是构建被中断）：{index_dir}。" + hint(None, index_dir)


@pytest.mark.parametrize("change, reason", [
    (lambda c: (c / "tj.txt").write_text(TIANJIN + "第四条　新增。\n", encoding="utf-8"), "法规文件已更改，索引已过期：tj.txt。"),
    (lambda c: (c / "hn.txt").unlink(), "法规文件已更改，索引已过期：hn.txt。"),
    (lambda c: (c / "wx.txt").write_text(WUXI, encoding="utf-8"), "法规文件已更改，索引已过期：wx.txt。"),
    (lambda c: (c / "manifest.json").write_text('{"regulations": []}'), "法规文件已更改，索引已过期：manifest.json。"),
])
def test_stale_index_is_refused(index_dir, corpus_dir, change, reason):
    change(corpus_dir)
    with pytest.raises(IndexProblem) as info:
        load(index_dir, "fake-bigram")
    assert str(info.value) == reason + hint(corpus_dir, index_dir)


def test_index_whose_corpus_folder_is_gone_is_refused(index_dir, corpus_dir):
    corpus_dir.rename(corpus_dir.with_name("moved"))
    with pytest.raises(IndexProblem, match=f"建立索引时使用的法规目录不存在了：{corpus_dir.resolve()}。请运行"):
        load(index_dir, "fake-bigram")
    with pytest.raises(IndexProblem, match="无法重建：建立索引时使用的法规目录不存在了"):
        rebuild_index(index_dir, FakeEncoder(), [DEFAULT_CORPUS])


def test_changed_model_or_tokenizer_is_refused(index_dir, corpus_dir, monkeypatch):
    with pytest.raises(IndexProblem) as info:
        load(index_dir, "multilingual-e5-small (another build)")
    assert str(info.value) == ("索引使用的嵌入模型是“fake-bigram”，当前配置的是“multilingual-e5-small (another build)”。"
                               + hint(corpus_dir, index_dir))
    import index.tokenize

    monkeypatch.setattr(index.tokenize, "USER_WORDS", index.tokenize.USER_WORDS + ("城市大脑",))
    with pytest.raises(IndexProblem) as info:
        load(index_dir, "fake-bigram")
    assert str(info.value) == "分词器或用户词典已更改，索引与之不符。" + hint(corpus_dir, index_dir)


def test_the_default_index_is_rebuilt_with_the_plain_command(tmp_path, monkeypatch):
    monkeypatch.setenv("REGQA_HOME", str(tmp_path / "home"))
    from core.paths import default_index_dir

    with pytest.raises(IndexProblem) as info:
        load(default_index_dir())
    assert str(info.value) == f"索引不存在：{default_index_dir()}。请运行 `.venv/bin/python -m index build` 重建索引。"
    assert (info.value.reason, info.value.detail) == ("missing", f"索引不存在：{default_index_dir()}。")
    assert info.value.command == ".venv/bin/python -m index build"


def test_check_cli_explains_and_exits_1(index_dir, corpus_dir):
    (index_dir / "bm25_tokens.jsonl").write_text("[]\n")
    result = subprocess.run([sys.executable, "-m", "index", "check", "--index-dir", str(index_dir)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"错误：索引文件已损坏（校验和不符）：bm25_tokens.jsonl。{hint(corpus_dir, index_dir)}\n"


def test_rebuild_index_uses_the_folders_the_index_was_built_from(index_dir, corpus_dir):
    (corpus_dir / "wx.txt").write_text(WUXI, encoding="utf-8")
    (index_dir / "dense.faiss").write_bytes(b"damaged")
    said = Said()
    rebuild_index(index_dir, FakeEncoder(), [DEFAULT_CORPUS], said)
    data = load(index_dir, "fake-bigram")
    assert [r.title for r in data.regulations] == ["湖南省数据条例", "天津市数据条例", "无锡市数据办法"]
    assert list(data.manifest.corpus_folders) == [str(corpus_dir.resolve())]
    assert said[-1] == "索引已建立：9 条条文，9 段向量。"


def test_rebuild_index_without_a_readable_manifest_uses_the_default_folders(index_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("REGQA_HOME", str(tmp_path / "home"))
    (index_dir / "manifest.json").write_text("{")
    said = Said()
    rebuild_index(index_dir, FakeEncoder(), [DEFAULT_CORPUS], said)
    assert said[0] == f"索引的 manifest.json 无法读取，按默认法规目录重建：{DEFAULT_CORPUS}"
    assert load(index_dir, "fake-bigram").manifest.counts["articles"] == 272


def test_a_rebuild_never_reuses_vectors_of_a_damaged_index(index_dir, corpus_dir):
    dense = index_dir / "dense.faiss"
    raw = bytearray(dense.read_bytes())
    raw[-8:] = b"\x00" * 8  # part of the last vector: faiss still reads the file
    dense.write_bytes(bytes(raw))
    build(load_corpus(corpus_dir), index_dir, FakeEncoder(), [corpus_dir])
    assert load(index_dir, "fake-bigram").manifest.build["encoded"] == 5  # every passage encoded again


# ---------------------------------------------------------------- atomic and exclusive builds


def leftovers(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.parent.iterdir() if p.name.startswith(f".{index_dir.name}."))


def test_a_build_killed_between_its_renames_is_recovered(index_dir, corpus_dir):
    """The window between moving the old index aside and moving the new one in: the old one comes back."""
    retired = index_dir.parent / f".{index_dir.name}.old-999999"
    index_dir.rename(retired)
    (index_dir.parent / f".{index_dir.name}.tmp-999999").mkdir()
    with pytest.raises(IndexProblem, match="上次构建在替换索引时被中断，重建时会先恢复原索引"):
        load(index_dir, "fake-bigram")
    said = Said()
    (corpus_dir / "wx.txt").write_text(WUXI, encoding="utf-8")
    build(load_corpus(corpus_dir), index_dir, FakeEncoder(), [corpus_dir], said)
    assert said[:2] == [f"已恢复上次构建中断前的索引：{index_dir}",
                        f"已清理中断的构建留下的临时目录：.{index_dir.name}.tmp-999999"]
    assert load(index_dir, "fake-bigram").manifest.build["encoded"] == 4  # the old vectors were reused
    assert leftovers(index_dir) == [f".{index_dir.name}.lock"]


@pytest.mark.model
def test_a_killed_build_leaves_the_previous_index_usable(tmp_path, real_model_dir, real_encoder):
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, text in ((old, TIANJIN), (new, WUXI)):
        folder.mkdir()
        (folder / "reg.txt").write_text(text, encoding="utf-8")
    index_dir = tmp_path / "index"
    build(load_corpus(old), index_dir, real_encoder, [old])
    before = {p.name: p.read_bytes() for p in index_dir.iterdir()}

    # 1. start `python -m index build` on another corpus, kill it once its staging folder appears
    env = {**os.environ, "REGQA_MODEL_DIR": str(real_model_dir), "REGQA_HOME": str(tmp_path / "home")}
    process = subprocess.Popen([sys.executable, "-m", "index", "build", "--corpus", str(new), "--out", str(index_dir)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while not any(name.startswith(".index.tmp-") for name in leftovers(index_dir)):
            assert process.poll() is None, "the build ended before its staging folder was seen"
            assert time.monotonic() < deadline, "no staging folder after 120 s"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    staging = f".index.tmp-{process.pid}"
    assert staging in leftovers(index_dir)

    # 2. the previous index is untouched, loads and answers
    assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == before
    retriever = Retriever(load(index_dir, real_encoder.name), real_encoder)
    retrieval = retriever.retrieve("政务公开信息收费吗？", 3)
    assert retrieval.hits[0].key == "天津市数据条例#2"
    assert compose(retrieval, retriever.data).citations[0].citation == "《天津市数据条例》第二条"

    # 3. the next build is not hindered by the leftover, and clears it
    said = Said()
    build(load_corpus(new), index_dir, real_encoder, [new], said)
    assert f"已清理中断的构建留下的临时目录：{staging}" in said
    assert [a.key for a in load(index_dir, real_encoder.name).articles] == [f"无锡市数据办法#{n}" for n in range(1, 5)]
    assert leftovers(index_dir) == [".index.lock"]


SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from index import build
    from models.protocol import FakeEncoder
    from ingest import load_corpus

    class NamedEncoder(FakeEncoder):
        name = sys.argv[3]

        def encode(self, texts, kind):
            time.sleep(float(sys.argv[4]))
            return super().encode(texts, kind)

    folder = Path(sys.argv[1])
    build(load_corpus(folder), Path(sys.argv[2]), NamedEncoder(), [folder], lambda event: print(event.message, flush=True))
""")


def test_concurrent_builds_in_two_processes_run_one_after_the_other(index_dir, corpus_dir):
    def start(name: str, delay: float) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(corpus_dir), str(index_dir), name, str(delay)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    (corpus_dir / "wx.txt").write_text(WUXI, encoding="utf-8")  # so that both builds encode something
    first = start("fake-first", 3.0)
    deadline = time.monotonic() + 60
    while not any(name.startswith(".index.tmp-") for name in leftovers(index_dir)):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.01)
    with pytest.raises(IndexProblem, match="另一个进程正在构建索引"):
        with build_lock(index_dir, wait=False):
            pass
    second = start("fake-second", 0.0)
    first_out, first_err = first.communicate(timeout=60)
    second_out, second_err = second.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), first_err + second_err
    assert second_out.splitlines()[0] == f"另一个进程正在构建索引 {index_dir}，等待其完成…"
    assert "等待" not in first_out
    # the second build waited for the first: its index is the one in place, and it is whole
    assert load(index_dir, "fake-second").manifest.counts["articles"] == 9
    assert leftovers(index_dir) == [".index.lock"]
