"""The fast start path: the torch-only encoder, the encoder in a child process, jieba's plain-file cache."""
from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from models.encoders import NativeEncoder, SentenceTransformerEncoder, encoder_for_folder
from models.process import EncoderProcess, EncoderProcessError
from models.native import native_support
from tiny_corpus import fake_index, write_corpus

# texts that exercise padding, truncation at 512 tokens, traditional characters, digits and emptiness
PARITY_TEXTS = [
    "平台能不能把我的个人信息卖给别人？",
    "北京市的網絡與信息系統發生安全事故，瞞報會怎麼處罰？",
    "第二十八条　县级以上人民政府信息化主管部门应当会同有关部门，建立信息化项目评估制度。",
    "GB/T 22239—2019 等级保护 2.0",
    "",
    "a",
    "信息化" * 400,  # truncated
]


def _folder_description(tmp_path: Path, real_model_dir: Path) -> Path:
    """A copy of the converted folder's JSON files plus empty weight and tokenizer files."""
    folder = tmp_path / "model"
    shutil.copytree(real_model_dir, folder, ignore=shutil.ignore_patterns("*.safetensors", "tokenizer.json"))
    (folder / "model.safetensors").write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")
    return folder


# ---------------------------------------------------------------- which folders take the native path

@pytest.mark.model
def test_converted_folder_takes_the_native_path(real_model_dir):
    spec = native_support(real_model_dir)
    assert not isinstance(spec, str), spec
    assert (spec.model_type, spec.layers, spec.heads, spec.hidden, spec.pad_id, spec.max_length) == (
        "xlm-roberta", 12, 12, 384, 1, 512)
    assert spec.prompts["query"] == "query: " and spec.prompts["passage"] == "passage: "


@pytest.mark.model
@pytest.mark.parametrize("change, reason", [
    (lambda f: _edit(f / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False, pooling_mode_cls_token=True),
     "is not mean pooling"),
    (lambda f: _edit(f / "config.json", model_type="t5"), "model type 't5' is not supported"),
    (lambda f: _edit(f / "config.json", hidden_act="relu"), "activation"),
    (lambda f: _edit(f / "sentence_bert_config.json", do_lower_case=True), "lowercases"),
    (lambda f: (f / "modules.json").write_text(json.dumps(
        json.loads((f / "modules.json").read_text())[:1])), "are not Transformer, Pooling"),
    (lambda f: (f / "model.safetensors").unlink(), "missing"),
    (lambda f: (f / "config.json").write_text("{broken"), "unreadable"),
])
def test_other_folders_go_through_sentence_transformers(tmp_path, real_model_dir, change, reason):
    folder = _folder_description(tmp_path, real_model_dir)
    assert not isinstance(native_support(folder), str)
    change(folder)
    assert reason in native_support(folder)
    assert isinstance(encoder_for_folder(folder), SentenceTransformerEncoder)


def _edit(path: Path, **changes) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


@pytest.mark.model
def test_environment_can_force_sentence_transformers(monkeypatch, real_model_dir):
    assert isinstance(encoder_for_folder(real_model_dir), NativeEncoder)
    monkeypatch.setenv("REGQA_ENCODER", "sentence-transformers")
    assert isinstance(encoder_for_folder(real_model_dir), SentenceTransformerEncoder)


# ---------------------------------------------------------------- same vectors as sentence-transformers

@pytest.mark.model
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_native_vectors_equal_sentence_transformers(real_encoder, st_encoder, kind):
    from ingest import load_corpus

    articles = [article.text for article in load_corpus().articles[::9]]  # 31 real articles, 30-900 chars
    texts = PARITY_TEXTS + articles
    ours, theirs = real_encoder.encode(texts, kind), st_encoder.encode(texts, kind)
    assert ours.shape == theirs.shape == (len(texts), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-5)  # 1.1e-7 measured
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)
    assert (real_encoder.name, real_encoder.dim) == (st_encoder.name, st_encoder.dim)


@pytest.mark.model
def test_native_vectors_do_not_depend_on_the_batch(real_encoder):
    alone = np.vstack([real_encoder.encode([text], "passage") for text in PARITY_TEXTS])
    together = real_encoder.encode(PARITY_TEXTS, "passage")
    np.testing.assert_allclose(alone, together, atol=1e-5)
    assert real_encoder.encode([], "query").shape == (0, 384)
    with pytest.raises(TypeError):
        real_encoder.encode("一个字符串", "query")


# ---------------------------------------------------------------- the encoder in a child process

@pytest.fixture(scope="module")
def encoder_process(real_model_dir):
    process = EncoderProcess(real_model_dir)
    yield process
    process.close()


@pytest.mark.model
def test_child_process_returns_the_in_process_vectors(encoder_process, real_encoder):
    assert encoder_process.name == real_encoder.name  # known before the child has loaded
    for kind in ("query", "passage"):
        np.testing.assert_array_equal(encoder_process.encode(PARITY_TEXTS, kind), real_encoder.encode(PARITY_TEXTS, kind))
    assert encoder_process.encode([], "query").shape == (0, 384)
    assert encoder_process.dim == 384


@pytest.mark.model
def test_child_process_is_restarted_after_it_dies(encoder_process, real_encoder):
    before = encoder_process.encode(["网站被黑了要向谁报告？"], "query")
    old_pid = encoder_process.pid
    os.kill(old_pid, signal.SIGKILL)
    encoder_process._child.wait()
    after = encoder_process.encode(["网站被黑了要向谁报告？"], "query")  # a new child, same vector
    assert encoder_process.pid != old_pid
    np.testing.assert_array_equal(before, after)


@pytest.mark.model
def test_a_child_that_stops_answering_is_stopped_and_replaced(encoder_process):
    encoder_process.load()
    frozen = encoder_process._child
    os.kill(frozen.pid, signal.SIGSTOP)  # alive but silent, as a hung child would be
    encoder_process.timeout_s = 2
    try:
        with pytest.raises(EncoderProcessError, match="2 秒没有响应"):
            encoder_process.encode(["问题"], "query")
    finally:
        encoder_process.timeout_s = 120
    assert frozen.poll() is not None  # killed
    assert encoder_process.encode(["问题"], "query").shape == (1, 384)  # a new child


@pytest.mark.model
def test_child_process_reports_a_bad_request_and_keeps_serving(encoder_process):
    with pytest.raises(ValueError, match="kind must be"):
        encoder_process.encode(["问题"], "document")  # refused before it reaches the child
    encoder_process.load()
    encoder_process._child.stdin.write(b'{"kind": "query", "texts": 5}\n')  # what a broken parent might send
    encoder_process._child.stdin.flush()
    assert "error" in encoder_process._read_line(30)
    assert encoder_process.encode(["问题"], "query").shape == (1, 384)


def test_child_process_on_a_broken_folder_says_so(tmp_path):
    (tmp_path / "modules.json").write_text("[]")  # not a model: sentence-transformers fails to load it
    process = EncoderProcess(tmp_path)
    try:
        with pytest.raises(EncoderProcessError, match="嵌入模型进程未能加载模型"):
            process.encode(["问题"], "query")
    finally:
        process.close()
    assert process.pid is None


@pytest.mark.model
def test_child_process_ends_when_its_parent_closes_the_pipe(real_model_dir):
    process = EncoderProcess(real_model_dir).load()
    child = process._child
    child.stdin.close()  # what the parent's exit does
    assert child.wait(timeout=30) == 0


# ---------------------------------------------------------------- jieba's dictionary from plain files

def test_jieba_prefix_cache_equals_jiebas_own_dictionary(tmp_path):
    import jieba

    from index.tokenize import load_prefix_dictionary

    reference = jieba.Tokenizer()
    reference.initialize()
    first, second = jieba.Tokenizer(), jieba.Tokenizer()
    load_prefix_dictionary(first, cache_root=tmp_path)  # builds the cache
    assert sorted(p.name for p in next(tmp_path.iterdir()).iterdir()) == [
        "prefix-counts.npy", "prefix-words.txt", "prefix.json"]
    load_prefix_dictionary(second, cache_root=tmp_path)  # reads it
    for segmenter in (first, second):
        assert segmenter.initialized and segmenter.total == reference.total
        assert segmenter.FREQ == reference.FREQ
    sentence = "网络运营者不得泄露其收集的个人信息，县级以上人民政府应当加强信息化建设。"
    assert list(second.cut_for_search(sentence)) == list(reference.cut_for_search(sentence))


@pytest.mark.parametrize("damage", ["truncated counts", "extra word", "bad json"])
def test_damaged_jieba_prefix_cache_falls_back_to_jieba(tmp_path, damage):
    import jieba

    from index.tokenize import load_prefix_dictionary

    load_prefix_dictionary(jieba.Tokenizer(), cache_root=tmp_path)
    folder = next(tmp_path.iterdir())
    if damage == "truncated counts":
        (folder / "prefix-counts.npy").write_bytes((folder / "prefix-counts.npy").read_bytes()[:1000])
    elif damage == "extra word":
        with open(folder / "prefix-words.txt", "a", encoding="utf-8") as words:
            words.write("\n多余")
    else:
        (folder / "prefix.json").write_text("{")
    segmenter = jieba.Tokenizer()
    load_prefix_dictionary(segmenter, cache_root=tmp_path)
    reference = jieba.Tokenizer()
    reference.initialize()
    assert segmenter.initialized and segmenter.total == reference.total and segmenter.FREQ == reference.FREQ


@pytest.mark.model
def test_app_answers_again_after_its_model_process_dies(real_index_dir, real_model_dir, monkeypatch):
    from app import Service

    monkeypatch.setenv("REGQA_MODEL_DIR", str(real_model_dir))
    service = Service(real_index_dir)
    service.load()
    encoder = service.retriever.encoder
    assert isinstance(encoder, EncoderProcess)
    os.kill(encoder.pid, signal.SIGKILL)
    encoder._child.wait()
    assert "第二十八条" in service.ask("天津市对政务信息收费有什么规定？")[0]  # a new child answered


def test_app_explains_a_model_process_that_cannot_load(tmp_path):
    from app import Service
    from index import load
    from retrieval.retriever import Retriever

    index_dir = fake_index(write_corpus(tmp_path / "regs", {"tj.txt": "天津市数据条例\n第一条　为了促进数据发展，制定本条例。\n"}),
                           tmp_path / "index")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "modules.json").write_text("[]")
    service = Service(index_dir)
    service.retriever = Retriever(load(index_dir), EncoderProcess(tmp_path / "broken"))
    service.ready.set()
    try:
        page, data = service.ask("数据发展")
    finally:
        service.retriever.encoder.close()
    assert "嵌入模型进程未能加载模型" in page and data["error"].startswith("嵌入模型进程未能加载模型")


def test_a_child_writing_something_else_is_stopped_with_a_message(tmp_path, monkeypatch):
    import subprocess
    import sys

    def start(self):  # a child that prints what is not the protocol, then waits
        self._dims = {}
        self._child = subprocess.Popen([sys.executable, "-c", "import time; print('Loading weights…', flush=True); "
                                        "time.sleep(60)"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    monkeypatch.setattr(EncoderProcess, "_start", start)
    process = EncoderProcess(tmp_path)
    child = process._child
    with pytest.raises(EncoderProcessError, match="无法识别的内容"):
        process.encode(["问题"], "query")
    assert child.poll() is not None and process.pid is None
