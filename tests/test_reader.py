"""The answerability reader (issue 16, models.reader): the native forward pass with replaced layers, training on
tiny pairs, the folder's checks, the second step of the decision, when the retriever lets it read, the child
process, and the shipped model's consistency with the shipped pairs."""
import dataclasses
import json

import numpy as np
import pytest

from retrieval import answerability
from retrieval.answerability import FEATURES, AnswerabilityModel, ReaderStage, decide
from tiny_corpus import fake_retriever

TINY = dict(epochs=1, batch_size=4, frozen_layers=10, max_length=64)
PAIRS = [("网络运营者能出售个人信息吗", "网络运营者不得出售用户的个人信息。", 1),
         ("宽带一个月多少钱", "网络运营者不得出售用户的个人信息。", 0),
         ("政务信息公开收费吗", "国家机关提供政务公开信息，不得收取费用。", 1),
         ("政务服务网的密码怎么找回", "国家机关提供政务公开信息，不得收取费用。", 0),
         ("物业能只让一家宽带进小区吗", "电信业务经营者不得与物业签订排他性协议。", 1),
         ("小区宽带初装费多少钱", "电信业务经营者不得与物业签订排他性协议。", 0)]


def reader_pairs():
    from models.reader import ReaderPair

    return [ReaderPair(q, p, label) for q, p, label in PAIRS]


def stage_model(read_below: float = 0.9, name: str = "tiny-reader") -> AnswerabilityModel:
    """Signals that give P = sigmoid(bias); the reader's step: logit(P) + 2 x reader."""
    return AnswerabilityModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)),
                              0.0, 0.3, 0.5, {"ranking_model": "fake-bigram"},
                              ReaderStage((1.0, 2.0), 0.0, 0.5, read_below, name))


def test_native_model_replaces_named_tensors(real_model_dir):
    import torch

    from models.native import NativeModel, native_support

    spec = native_support(real_model_dir)
    plain = NativeModel(real_model_dir, spec)
    name = "encoder.layer.11.output.dense.bias"
    changed = plain.with_overrides({name: torch.ones_like(plain.weights[name])})
    ids = [[0, 6, 2]]
    assert np.abs(plain.embed_ids(ids) - changed.embed_ids(ids)).max() > 1e-3
    assert changed.weights["encoder.layer.0.output.dense.bias"] is plain.weights["encoder.layer.0.output.dense.bias"]
    with pytest.raises(ValueError, match="no tensor"):
        plain.with_overrides({"encoder.layer.99.output.dense.bias": torch.zeros(3)})


def test_reader_trains_its_top_layers_and_head_deterministically(real_model_dir, tmp_path):
    from safetensors.torch import load_file

    from models.reader import READER_FILE, ReaderConfig, finetune_reader, load_reader

    config = ReaderConfig(**TINY)
    measured = finetune_reader(real_model_dir, reader_pairs(), tmp_path / "a", config)
    finetune_reader(real_model_dir, reader_pairs(), tmp_path / "b", config)
    a, b = load_file(str(tmp_path / "a" / READER_FILE)), load_file(str(tmp_path / "b" / READER_FILE))
    assert set(a) == set(b) and all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    layers = {int(k.split(".")[2]) for k in a if k.startswith("encoder.layer.")}
    assert layers == {10, 11} and {"head.weight", "head.bias"} <= set(a)  # the frozen layers are not stored
    assert measured["seconds"] > 0 and np.isfinite(measured["last_loss"])
    reader = load_reader(tmp_path / "a", real_model_dir)
    logits = reader.score("网络运营者能出售个人信息吗", ["网络运营者不得出售用户的个人信息。", "宽带。"])
    assert logits.shape == (2,) and np.isfinite(logits).all()
    assert reader.score("问题", []).shape == (0,)
    with pytest.raises(ValueError, match="正例和负例"):
        finetune_reader(real_model_dir, reader_pairs()[:1], tmp_path / "c", config)


def test_reader_folder_is_checked_and_trained_again_when_its_pairs_change(real_model_dir, tmp_path):
    from models.protocol import ModelProblem
    from models.reader import ReaderConfig, check_reader, prepare_reader

    config, pairs = ReaderConfig(**TINY), reader_pairs()
    with pytest.raises(ModelProblem) as missing:
        check_reader(tmp_path, real_model_dir, config, pairs)
    assert missing.value.reason == "missing" and "python -m models prepare" in str(missing.value)
    events = []
    folder = prepare_reader(tmp_path, real_model_dir, events.append, config, pairs)
    assert check_reader(tmp_path, real_model_dir, config, pairs) == folder
    assert events[0].message == f"正在训练可回答性阅读模型（首次使用，{len(pairs)} 对，双核约 1 分钟）…"
    with pytest.raises(ModelProblem) as stale:
        check_reader(tmp_path, real_model_dir, config, pairs[:4])
    assert stale.value.reason == "stale"


@pytest.mark.parametrize("pairs, says", [(8, "约 1 分钟"), (1000, "约 3–5 分钟"), (7529, "约 19–32 分钟")])
def test_the_training_estimate_grows_with_the_pairs(pairs, says):
    """0.15-0.25 s a pair on 2 cores (a fast and a slow day): set-up says so before it trains."""
    from models.reader import training_estimate

    assert training_estimate(pairs) == says


def test_reader_stage_round_trip_and_three_states():
    model = stage_model()
    loaded = AnswerabilityModel.from_json(json.loads(json.dumps(model.to_json())))
    assert loaded.reader == model.reader and loaded.reads(0.5) and not loaded.reads(0.95)
    values = {name: 0.0 for name in FEATURES}  # P from the signals: 0.5
    low = decide(model, values, (), reader=-3.0)
    assert low.state == "not_found" and low.reader == -3.0 and low.base_probability == pytest.approx(0.5)
    assert any(s.name == "reader" for s in low.signals) and "阅读模型" in low.reason
    high = decide(model, values, (), reader=3.0)
    assert high.state == "answered" and high.probability > 0.99 and "阅读模型评分 3.0" in high.reason
    plain = decide(model, values, ())  # the reader did not read: the signals' threshold decides
    assert plain.state == "answered" and np.isnan(plain.reader) and plain.threshold == model.threshold


class ReadingEncoder:
    """The fake encoder with a reader that says 'no' and counts its calls."""

    def __init__(self, inner, name="tiny-reader"):
        self.inner, self.name, self.dim, self.reader_name, self.calls = inner, inner.name, inner.dim, name, []

    def encode(self, texts, kind):
        return self.inner.encode(texts, kind)

    def read(self, question, passages):
        self.calls.append((question, tuple(passages)))
        return np.full(len(passages), -5.0, np.float32)


@pytest.mark.parametrize("read_below,reads", [(0.9, True), (0.2, False)])
def test_the_retriever_reads_uncertain_questions_only(tmp_path, monkeypatch, read_below, reads):
    from retrieval.retriever import Retriever

    built = fake_retriever(tmp_path, {"tj.txt": "天津市信息条例\n第一条　网络运营者不得出售用户的个人信息。\n"})
    monkeypatch.setattr(answerability, "load_model", lambda *a, **k: stage_model(read_below))
    encoder = ReadingEncoder(built.encoder)
    retriever = Retriever(built.data, encoder, built.settings)
    assert retriever.reads and not retriever.threshold_note
    decision = retriever.retrieve("网络运营者能出售个人信息吗？").decision
    if reads:  # P 0.5 < read_below: the reader read the best article (title and text) and said no
        assert decision.state == "not_found" and encoder.calls == [
            (retriever.parse("网络运营者能出售个人信息吗？").text, ("天津市信息条例\n网络运营者不得出售用户的个人信息。",))]
    else:
        assert decision.state == "answered" and not encoder.calls
    # a reader the step was not fitted for: the signals decide, and the page says the reader is not in use
    other = Retriever(built.data, ReadingEncoder(built.encoder, "another reader"), built.settings)
    assert not other.reads and "阅读模型未加载" in other.threshold_note
    assert other.retrieve("网络运营者能出售个人信息吗？").decision.state == "answered"
    # Settings(answerability_reader=False): the signals alone, said by no note (it is a choice, not a fault)
    off = Retriever(built.data, encoder, dataclasses.replace(built.settings, answerability_reader=False))
    assert not off.reads and not off.threshold_note


def test_the_reader_shares_the_ranking_model_and_assembles_pairs_as_the_template_does(product_encoder):
    """The reader over the loaded ranking model shares its tensors and tokenizer (a second copy cost 630 MB) and
    reads the same logits as a reader loaded on its own; its pairs are the tokenizer's pair template, cut the same."""
    from tokenizers import Tokenizer

    from models.reader import load_reader

    question = "平台能不能把我的个人信息卖给别人？"
    passages = ["中华人民共和国网络安全法\n任何个人和组织不得非法出售个人信息。" * 20, "天津市信息化促进条例\n宽带。"]
    shared = product_encoder.read(question, passages)
    reader = product_encoder._reader
    word = "embeddings.word_embeddings.weight"
    assert reader.model.weights[word] is product_encoder._model.weights[word]
    assert reader.tokenizer is product_encoder._model.tokenizer
    alone = load_reader(product_encoder.reader_dir, product_encoder.path)
    np.testing.assert_allclose(alone.score(question, passages), shared, atol=1e-5)
    template = Tokenizer.from_file(str(product_encoder.path / "tokenizer.json"))
    template.enable_truncation(max_length=reader.config.max_length, strategy="only_second")
    expected = [e.ids for e in template.encode_batch([("query: " + question, "passage: " + p) for p in passages])]
    assert reader.token_ids([(question, p) for p in passages]) == expected
    assert len(expected[0]) == reader.config.max_length  # the long article was cut to fit


@pytest.mark.slow
def test_the_child_process_reads_as_the_process_does(real_ranking_dir, real_reader_dir, product_encoder):
    from models.process import EncoderProcess

    process = EncoderProcess(real_ranking_dir, engine="reference", reader_dir=real_reader_dir)
    try:
        passages = ["中华人民共和国个人信息保护法\n个人信息处理者不得公开其处理的个人信息。", "无关的条文。"]
        question = "平台能不能把我的个人信息卖给别人？"
        assert process.reader_name == product_encoder.reader_name
        np.testing.assert_allclose(process.read(question, passages), product_encoder.read(question, passages),
                                   atol=1e-4)
    finally:
        process.close()


def test_shipped_step_is_fitted_for_the_shipped_reader_pairs():
    """The shipped model's reader step names the reader `python -m models prepare` trains from the shipped pairs,
    and its cross-validated operating point refuses at most MAX_REFUSED of the answerable dev questions."""
    from eval.answerability import MAX_REFUSED
    from models.reader import ReaderConfig, expected_record, read_reader_pairs

    shipped = answerability.load_model()
    assert shipped is not None and shipped.reader is not None
    pairs = read_reader_pairs()
    assert shipped.trained_on["reader_pairs"] == len(pairs)
    expected = expected_record(shipped.trained_on["ranking_model"], pairs, ReaderConfig())["model_name"]
    assert shipped.reader.reader_model == expected, "run `python -m eval answerability` after changing the pairs"
    cv = shipped.trained_on["cross_validated_with_reader"]
    assert cv["refused"] <= MAX_REFUSED * cv["answerable"] and 0.0 < shipped.reader.threshold < 1.0
    assert shipped.reader.weights[1] > 0  # a higher reader logit means more answerable
    assert {p.label for p in pairs} == {0, 1}


def test_decision_record_defaults_say_the_reader_did_not_read():
    from retrieval.records import Decision

    decision = Decision("answered", 0.9, 0.5)
    assert np.isnan(decision.reader) and np.isnan(decision.base_probability)
    assert dataclasses.replace(decision, reader=1.0).reader == 1.0


def test_a_question_asking_a_detail_or_a_quantity_is_read_at_any_probability(tmp_path, monkeypatch):
    from retrieval.answerability import asks_detail
    from retrieval.retriever import Retriever

    assert asks_detail("北京市的信息化主管部门具体是哪个局？办公地址在哪儿？")
    assert asks_detail("标准合同的模板从哪里可以下载？")
    assert asks_detail("无锡的领导小组组长由谁担任？")
    assert asks_detail("罚款最多多少？")  # a quantity
    assert not asks_detail("网络运营者能出售个人信息吗？")
    # twenty-sixth session: a standard's text, a fee's basis, a list of apps, advice, today's facts, who pays
    for question in ("国家标准GB/T 35273里列了哪些敏感个人信息的例子", "专家评审费按什么标准给", "注销手机号之前要先解绑哪些app",
                     "快递单撕掉还是涂掉最安全", "目前全国有哪些单位已经被认定为关键信息基础设施运营者？", "鉴定费谁出？"):
        assert asks_detail(question), question
    assert not asks_detail("平台能不能把我的个人信息卖给别人？")
    assert not asks_detail("我能要求关掉个性化推荐吗？")
    model = stage_model(read_below=0.2)
    assert model.reads(0.1) and not model.reads(0.99) and model.reads(0.99, "备案表去哪下载？")
    assert not model.reads(0.99, "网络运营者能出售个人信息吗？")
    built = fake_retriever(tmp_path, {"tj.txt": "天津市信息条例\n第一条　网络运营者不得出售用户的个人信息，违者罚款。\n"})
    monkeypatch.setattr(answerability, "load_model", lambda *a, **k: model)
    encoder = ReadingEncoder(built.encoder)
    retriever = Retriever(built.data, encoder, built.settings)
    # P 0.5 is over read_below 0.2: unread, unless the question asks a detail; the reader then says no
    assert retriever.retrieve("网络运营者能出售个人信息吗？").decision.state == "answered" and not encoder.calls
    read = retriever.retrieve("网络运营者出售个人信息，去哪个网站举报？").decision
    assert read.state in ("partial", "not_found") and read.reader == -5.0 and len(encoder.calls) == 1
    off = Retriever(built.data, encoder, dataclasses.replace(built.settings, read_details=False))
    assert off.retrieve("网络运营者出售个人信息，去哪个网站举报？").decision.state == "answered"
    assert len(encoder.calls) == 1
