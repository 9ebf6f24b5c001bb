"""Answerability (issue 16): the features read from a question and its best articles, the three states
(answered / partial / not_found) and the signals named, on a tiny corpus with a hand-made model; the shipped
model file; and, with the real model on the default corpus, near-topic questions that abstain and hard ones
that answer."""
import dataclasses
import json
import math

import numpy as np
import pytest

from retrieval import answerability
from retrieval.answer import compose
from retrieval.answerability import FEATURES, AnswerabilityModel, content_words, decide, measure
from tiny_corpus import fake_retriever

TIANJIN = """天津市信息条例
第一条　国家机关提供政务公开信息，不得收取费用。
第二条　网络运营者不得出售用户的个人信息。
第三条　电信业务经营者应当为住宅小区提供宽带接入服务，不得与物业签订排他性协议。
"""


def model(weights: dict[str, float], bias: float = 0.0, threshold: float = 0.5) -> AnswerabilityModel:
    """A model over the raw feature values (mean 0, scale 1) with the given weights."""
    return AnswerabilityModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)),
                              np.array([weights.get(name, 0.0) for name in FEATURES]), bias, threshold, 0.5,
                              {"ranking_model": "fake-bigram"})


# a model that answers unless a word of the question is missing from the corpus or an asked amount is unstated
STRICT = model({"missing": -4.0, "quantity_unstated": -4.0}, bias=2.0)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    built = fake_retriever(tmp_path_factory.mktemp("answerability"), {"tj.txt": TIANJIN},
                           abstain_below=0.0, abstain_unsure_below=0.0)
    built.answerability = STRICT
    return built


def test_content_words_skip_asking_words_places_and_mapped_names():
    assert content_words("请问在天津开网吧需要办哪些许可证？", ("天津",)) == ["网吧", "许可证"]
    assert "多少钱" not in content_words("天津的家庭宽带一个月多少钱？")
    assert content_words("关基到底指的是哪些系统？", ("关基",)) == ["系统"]


def test_content_words_leave_no_fragment_of_a_name_and_no_stance_or_chance_segment():
    # 个保法里 was cut 个 / 保法里, and 保法里 named as a word no regulation holds; 最多能 and 担心 ask, they are not asked
    # about; 或开 (或开了银行账户) is a conjunction jieba joined to the next character
    assert content_words("个保法里，App违法处理个人信息情节严重的，最多能罚多少", ("个保法", "app")) == \
        ["违法", "处理", "个人信息", "情节严重"]
    words = content_words("担心有人拿我的身份证冒名办了手机卡或开了银行账户，有没有渠道查一下我名下都有哪些？")
    assert "担心" not in words and "或开" not in words and {"冒名", "名下", "渠道"} <= set(words)
    assert content_words("和平使用和解协议") == ["和平", "使用", "和解", "协议"]  # real words that begin so are kept


def test_measure_names_the_words_no_article_holds_and_unstated_amounts():
    corpus = "网络运营者不得出售用户的个人信息。宽带接入服务"
    values, missing = measure("网吧的宽带一个月多少钱？", lambda word: word in corpus, [corpus], (), 0.5, 0.6, 0.1, 3.0)
    assert missing == ("网吧",)  # not 一个月: counting words are not a focus
    assert values["missing"] == len(missing) and values["missing_share"] == len(missing) / values["content_words"]
    assert values["asks_quantity"] == 1.0 and values["quantity_unstated"] == 1.0  # the article states no amount
    assert values["covered_top1"] == 0.5  # 宽带 is in the best article, 网吧 in no article
    assert values["bm25"] == pytest.approx(math.log1p(3.0))
    stated, _ = measure("罚款多少钱？", lambda word: True, ["处一万元以下罚款。"], (), 0.5, 0.6, 0.1, 3.0)
    assert stated["asks_quantity"] == 1.0 and stated["quantity_unstated"] == 0.0


@pytest.mark.parametrize("question,text,share", [
    ("监理费按项目总投资的百分之几收？", "项目总投资五百万元以上的，应当委托监理。", 1.0),  # a share asked, only a sum stated
    ("监理费按项目总投资的百分之几收？", "监理费不超过总投资的百分之三。", 0.0),
    ("网络日志至少保存多久？", "留存相关的网络日志不少于六个月。", 0.0),
    ("注册资本要多少钱？多久能批下来？", "应当在二十日内作出决定。", 0.5),  # a time limit stated, no sum
    ("平台能不能卖我的个人信息？", "不得出售个人信息。", 0.0),  # no quantity asked
])
def test_kind_unstated_tells_the_kinds_of_quantity_apart(question, text, share):
    """The quantity-kind signal: a question asking a share, a sum, a time limit or a count is not answered by an
    article that states only a number of another kind (a 监理 fee's percentage against 五百万元)."""
    values, _ = measure(question, lambda word: True, [text], (), 0.5, 0.6, 0.1, 3.0)
    assert values["kind_unstated"] == share
    if share:
        assert decide(model({"kind_unstated": -4.0}, bias=2.0), values, ()).unstated_quantity


def test_decide_three_states_with_reasons():
    values = {name: 0.0 for name in FEATURES} | {"covered_top1": 1.0}
    answered = decide(STRICT, values, ())
    assert answered.state == "answered" and answered.probability == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert answered.reason.startswith("判断依据：可回答评分 0.88")
    partial = decide(STRICT, values | {"missing": 1.0}, ("网吧",))
    assert partial.state == "partial" and partial.uncovered == ("网吧",)
    assert "问题中的“网吧”在所检索的法规中没有出现" in partial.reason
    # the best article shares too little of the question: nothing to answer even in part
    assert decide(STRICT, values | {"missing": 1.0, "covered_top1": 0.2}, ("网吧",)).state == "not_found"
    unstated = decide(STRICT, values | {"quantity_unstated": 1.0}, ())
    assert unstated.state == "partial" and unstated.unstated_quantity
    assert "具体的数额、期限或标准" in unstated.reason
    # a question about a later change of a held law: answered at most in part, whatever the probability
    changed = decide(STRICT, values, (), changed=("中华人民共和国网络安全法",))
    assert changed.state == "partial" and changed.changed_laws == ("中华人民共和国网络安全法",)
    assert "问题问的是《中华人民共和国网络安全法》修改后的规定" in changed.reason
    # under the threshold: in part where the best article holds the question's words, else not at all
    assert decide(STRICT, values | {"missing": 1.0}, ("网吧",), changed=("甲法",)).state == "partial"
    assert decide(STRICT, values | {"missing": 1.0, "covered_top1": 0.2}, ("网吧",), changed=("甲法",)).state == "not_found"


def test_model_file_round_trip(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(STRICT.to_json()), encoding="utf-8")
    loaded = answerability.load_model.__wrapped__(path)
    assert loaded.features == FEATURES and loaded.threshold == 0.5
    values = {name: float(i) for i, name in enumerate(FEATURES)}
    assert loaded.probability(values) == pytest.approx(STRICT.probability(values))
    path.write_text("{broken", encoding="utf-8")
    assert answerability.load_model.__wrapped__(path) is None  # unreadable: the thresholds decide


def test_shipped_model_is_current_and_explainable():
    """The shipped model reads every feature, was trained on the gold files as they are now, and chose its
    operating point under the refusal limit on cross-validated dev questions."""
    from eval.answerability import MAX_REFUSED, SIGNS, TRAINING_SPLITS, gold_digest

    shipped = answerability.load_model()
    assert shipped is not None and set(shipped.features) <= set(FEATURES)
    assert 0.0 < shipped.threshold < 1.0
    trained = shipped.trained_on
    assert trained["gold_digest"] == gold_digest(), "run `python -m eval answerability` after changing dev gold"
    assert set(trained["splits"]) == {split for split, _ in TRAINING_SPLITS}
    cv = trained["cross_validated"]
    assert cv["refused"] <= MAX_REFUSED * cv["answerable"]
    # every weight points the way its feature means (SIGNS): what the page explains is what the model does
    weights = dict(zip(shipped.features, shipped.weights))
    assert all(weight * SIGNS[name] >= 0 for name, weight in weights.items())
    assert weights["sentence_cosine"] > 0 and weights["quantity_unstated"] < 0
    assert sorted(set(FEATURES) - set(shipped.features)) == sorted(trained["dropped"])


def test_sign_constrained_fit_drops_a_contradicting_feature():
    from eval.answerability import fit

    rng = np.random.default_rng(0)
    y = np.array([1] * 60 + [0] * 60)
    x = rng.normal(size=(120, len(FEATURES)))
    x[:, FEATURES.index("sentence_cosine")] += 2.0 * y  # answerable questions have higher cosines
    x[:, FEATURES.index("missing")] += 2.0 * y  # an artefact: more missing words among answerable ones
    kept, _, model = fit(x, y)
    assert not kept[FEATURES.index("missing")] and kept[FEATURES.index("sentence_cosine")]
    names = [name for name, keep in zip(FEATURES, kept) if keep]
    assert dict(zip(names, model.coef_[0]))["sentence_cosine"] > 0


def test_tiny_corpus_states_reach_the_answer(retriever):
    answered = retriever.ask("网络运营者能出售用户的个人信息吗？")
    assert answered.state == "answered" and not answered.abstained
    assert answered.citations[0].key == "天津市信息条例#2" and answered.reason.startswith("判断依据")
    partial = retriever.ask("网吧的宽带接入服务由谁提供？")
    assert partial.state == "partial" and partial.abstained and partial.uncovered == ("网吧",)
    assert partial.lead.startswith("本助手收录的法规中没有出现“网吧”")
    assert "《天津市信息条例》中与问题部分相关的规定" in partial.lead
    assert partial.citations and all(c.role == "nearby" for c in partial.citations)
    assert partial.citations[0].key == "天津市信息条例#3"
    assert partial.retrieval.abstained  # a partial answer counts as an abstention in evaluation
    assert "判断依据" in partial.text


def test_tiny_corpus_not_found_and_thresholds_setting(retriever):
    nothing = retriever.ask("摇号中签率是多少？")
    assert nothing.state == "not_found" and nothing.lead.startswith("未找到")
    assert "摇号" in nothing.reason or "数额" in nothing.reason
    # answerability='thresholds' is the decision before issue 16: no model reads the question
    from retrieval.retriever import Retriever

    before = Retriever(retriever.data, retriever.encoder,
                       dataclasses.replace(retriever.settings, answerability="thresholds"))
    assert before.answerability is None
    decision = before.retrieve("摇号中签率是多少？").decision
    assert decision.decided_by == "thresholds" and decision.state == "answered"  # thresholds at 0 here


def test_the_model_decides_only_for_the_ranking_model_it_was_trained_on(retriever):
    """The shipped model was trained on the trained ranking model's cosines: with another encoder (here the
    fake one) the thresholds decide."""
    from retrieval.retriever import Retriever

    fresh = Retriever(retriever.data, retriever.encoder, retriever.settings)
    assert fresh.answerability is None
    assert "可回答判断模型是在" in fresh.threshold_note and "改由相似度阈值判断是否拒答" in fresh.threshold_note


def test_app_page_and_json_show_state_and_reason(retriever):
    from app import answer_json, render_answer

    answer = retriever.ask("网吧的宽带接入服务由谁提供？")
    row = answer_json(answer)
    assert row["state"] == "partial" and row["uncovered"] == ["网吧"] and row["reason"].startswith("判断依据")
    html = render_answer(answer)
    assert 'data-state="partial"' in html and 'class="reason"' in html


def test_named_laws_are_read_on_word_boundaries():
    from index.tokenize import make_segmenter
    from ingest.text import clean_question
    from retrieval.normalize import absent_laws, held_books, named_laws, repealed_titles

    cut = make_segmenter().lcut
    ask = lambda q: named_laws(clean_question(q)[0], cut)  # noqa: E731
    assert ask("在网上买到假货，按消费者权益保护法能要求退一赔三吗？") == ("消费者权益保护法",)
    assert ask("劳动合同法里怎么规定？") == ("劳动合同法",)  # the longest name, not 合同法 inside it
    assert ask("电子合同的法律效力怎么认定？") == ()
    assert ask("电子合同法律效力怎么认定？") == ()  # 合同法 ends inside 法律效力: no law is named
    assert ask("公民法律意识怎么提高？") == ()
    assert ask("在台灣網路上散布不實訊息，會違反社會秩序維護法嗎？") == ("社会秩序维护法",)
    assert ask("《江苏省信息化条例》对规划有什么要求？") == ("江苏省信息化条例",)
    assert ask("《王者荣耀》限制未成年人玩多久？") == ()  # a title in 《》 that is no law's
    assert ask("民法典合同编怎么规定？") == ("民法典", "民法典合同编")
    # a local regulation named without 《》 counts only for a place the index holds no local rules of
    other = lambda q, places: named_laws(clean_question(q)[0], cut, other_places=places)  # noqa: E731
    assert other("上海市数据条例对公共数据开放有什么规定？", ("上海",)) == ("上海市数据条例",)
    assert other("深圳经济特区数据条例里，罚款最高多少？", ("深圳",)) == ("深圳经济特区数据条例",)
    assert other("上海市数据条例对公共数据开放有什么规定？", ()) == ()  # 上海 held: the held one, loosely named
    assert other("上海有没有数据方面的条例？", ("上海",)) == ()  # no title: particles between
    assert other("上海的数据条例怎么规定？", ("上海",)) == ()
    assert other("《上海市数据条例》和上海市数据条例", ("上海",)) == ("上海市数据条例",)  # once
    held = ["中华人民共和国民法典", "民法典人格权编", "中华人民共和国个人信息保护法"]
    assert absent_laws(("民法典", "民法典合同编"), held) == ("民法典合同编",)
    assert absent_laws(("民法典", "民法典人格权编", "个人信息保护法"), held) == ()
    assert absent_laws(("刑法",), held) == ("刑法",)
    assert held_books("中华人民共和国民法典", ["第四编　人格权　第一章　一般规定"]) == ("民法典人格权编",)
    # a law the corpus repeals is answered by the repealing article; one it only points to is not held
    texts = ["本条例自2022年1月1日起施行。……修订的《湖南省信息化条例》同时废止。",
             "适用《中华人民共和国消费者权益保护法》的有关规定。"]
    assert repealed_titles(texts) == ("湖南省信息化条例",)


def test_a_named_law_the_corpus_does_not_hold_answers_only_in_part(retriever):
    answer = retriever.ask("按消费者权益保护法，网络运营者能出售用户的个人信息吗？")
    assert answer.state == "partial" and answer.abstained and answer.absent_laws == ("消费者权益保护法",)
    assert answer.lead.startswith("本助手所检索的法规不包括问题提到的《消费者权益保护法》")
    assert answer.citations[0].key == "天津市信息条例#2" and answer.citations[0].role == "nearby"
    assert "问题提到的《消费者权益保护法》不在所检索的法规中" in answer.reason
    # the same question without the law's name is answered; the gate can be switched off
    assert retriever.ask("网络运营者能出售用户的个人信息吗？").state == "answered"
    from retrieval.retriever import Retriever

    ungated = Retriever(retriever.data, retriever.encoder,
                        dataclasses.replace(retriever.settings, absent_law_gate=False))
    ungated.answerability = retriever.answerability
    plain = ungated.ask("按消费者权益保护法，网络运营者能出售用户的个人信息吗？")
    assert plain.absent_laws == () and "问题提到的《" not in plain.reason + plain.lead  # the tiny model's missing words
    assert plain.state == "partial" and "没有出现“消费者”" in plain.lead
    # a law the corpus holds is no gate: the tiny corpus is 天津市信息条例
    assert retriever.ask("《天津市信息条例》规定网络运营者能出售用户的个人信息吗？").state == "answered"


NEAR_TOPIC = ["天津的家庭宽带一个月多少钱？", "北京市小客車指標搖號怎麼申請？", "河北的5G基站电费每度补贴多少钱？",
              "网约车司机出车祸平台要赔多少钱？"]
HARD_ANSWERABLE = [("小区物业能不能只让一家宽带公司进小区？", "河北省信息化条例#16"),
                   ("北京的自来水、燃气公司要不要在网上公开收费标准和办事流程？", "北京市信息化促进条例#20")]


@pytest.mark.parametrize("question", NEAR_TOPIC)
def test_real_near_topic_questions_abstain(pack_retriever, question):
    assert pack_retriever.answerability is not None, "the shipped model must decide with the shipped ranking model"
    answer = pack_retriever.ask(question)
    assert answer.state in ("partial", "not_found"), answer.reason
    assert answer.reason.startswith("判断依据：可回答评分")


@pytest.mark.parametrize("question,key", HARD_ANSWERABLE)
def test_real_hard_questions_answer(pack_retriever, question, key):
    answer = pack_retriever.ask(question)
    assert answer.state == "answered", answer.reason
    # the place's own article is its first local citation (a national provision it restates may come before it)
    from retrieval.records import NATIONAL

    assert [c.key for c in answer.citations if c.jurisdiction != NATIONAL][0] == key


def test_eval_curve_operating_point_and_lists(tmp_path):
    from eval.__main__ import answerability_markdown, answerability_plot
    from eval.answerability import curve, operating_point

    probabilities = np.array([0.01, 0.2, 0.5, 0.9, 0.03, 0.95])
    labels = np.array([0, 0, 1, 1, 0, 1])
    rows = curve(probabilities, labels, (0.072,))
    at = next(r for r in rows if r["threshold"] == 0.072)
    assert (at["oos_abstained"], at["refused"], at["precision"]) == (2, 0, 1.0)
    half = next(r for r in rows if r["threshold"] == 0.5)  # above every out-of-scope probability, below answerable
    assert (half["recall"], half["refused"]) == (1.0, 0) and rows[-1]["refused"] == 2
    # at most 1 of 3 answerable may be refused with max_refused 0.34: the threshold is the second lowest
    assert operating_point(probabilities, labels, 0.34) == 0.9
    section = {"states": {"out_of_scope": {"not_found": 2, "answered": 1}, "answerable": {"answered": 3}},
               "threshold": 0.072, "curve": rows, "refused": [],
               "oos_answered": [{"id": "X1", "question": "问？", "top": ["甲#1"], "probability": 0.2}]}
    text = "\n".join(answerability_markdown(section))
    assert "| 0.072 ← operating point | 2/3 | 0/3 | 1.000 | 0.667 |" in text
    assert "- X1 问？ — 甲#1 (p=0.2)" in text and "Answerable questions refused:\n\n- none" in text
    assert answerability_plot(section, tmp_path / "pr.png", "t").stat().st_size > 1000


def test_corpus_words_are_shared_per_index_and_released_with_it(retriever):
    import gc

    from retrieval.answerability import _WORDS, corpus_words

    words = corpus_words(retriever.data)
    assert corpus_words(retriever.data) is words and words.held("宽带", np.ones(3, dtype=bool))
    assert not words.held("网吧", np.ones(3, dtype=bool))
    assert words.held("宽带", np.array([False, False, True])) and not words.held("宽带", np.array([True, True, False]))
    copy = dataclasses.replace(retriever.data)  # another loaded index (e.g. after a rebuild)
    assert corpus_words(copy) is not words
    key = id(copy)
    del copy
    gc.collect()
    assert key not in _WORDS  # the app does not keep old indexes alive through this cache


def test_article_margin_is_how_far_the_best_dense_article_stands_out(retriever):
    """article_margin (issue 17's replacement for the calibration model's cosine): the dense side's best
    whole-article cosine minus the mean of the next ones (up to nine)."""
    question = "网络运营者能出售用户的个人信息吗？"
    features = dict(retriever.retrieve(question).decision.features)
    query = retriever.parse(question)
    cosines = sorted((cosine for _, _, cosine in retriever.dense_ranking(
        retriever.query_vector(query), retriever._allowed(None, query), 100)), reverse=True)[:10]
    assert len(cosines) == 3  # the tiny corpus: the best and two others
    assert features["article_margin"] == pytest.approx(cosines[0] - float(np.mean(cosines[1:])), abs=1e-6)
    assert features["article_margin"] > 0


def test_a_refusal_names_the_words_no_article_holds_even_when_they_weigh_through_coverage():
    """The shipped model reads missing words through the coverage shares (its missing-word counts were dropped
    by the sign rule): the reason still names them."""
    values = {name: 0.0 for name in FEATURES} | {"article_margin": 0.01, "missing": 2.0, "missing_share": 1.0}
    decision = decide(model({"article_margin": 5.0, "covered_top1": 3.0}, bias=-1.0), values, ("摇号", "中签率"))
    assert decision.state == "not_found"
    assert decision.reason.endswith("；问题中的“摇号”“中签率”在所检索的法规中没有出现。")


def test_other_places_are_places_no_regulation_governs_read_on_word_boundaries():
    from index.tokenize import make_segmenter
    from ingest.text import clean_question
    from retrieval.normalize import other_places, place_aliases

    cut = make_segmenter().lcut
    aliases = place_aliases(["北京市", "天津市", "河北省", "湖南省", "无锡市"])
    ask = lambda q: other_places(clean_question(q)[0], aliases, cut)  # noqa: E731
    assert ask("深圳的政府部门上信息化项目要走什么审批？") == ("深圳",)
    assert ask("廣東省的資訊化專案驗收要不要找第三方測評？") == ("广东",)  # 广东省 is one word to jieba
    assert ask("深圳经济特区数据条例对违法处理个人信息的企业，罚款上限是多少？") == ("深圳",)  # so is 深圳经济特区
    assert ask("河南郑州的电子政务外网谁建？") == ("河南", "郑州")
    assert ask("长沙的企业有什么扶持？") == ()  # 长沙 is 湖南's
    assert ask("北京朝阳区的政务服务怎么办？") == ()
    assert ask("我把东西藏起来了，平台能查到吗？") == ()  # 西藏 inside 东西藏: no place
    assert ask("建成都市圈的信息基础设施") == ()
    # an index that holds a place's regulation covers it
    assert other_places("深圳的数据条例怎么规定？", place_aliases(["深圳市"]), cut) == ()


def test_a_question_about_a_places_own_rules_is_read_in_the_places_clause():
    from retrieval.normalize import asks_place_rules

    assert asks_place_rules("上海的数据条例对公共数据授权运营是怎么规定的", ("上海",))
    assert asks_place_rules("广东有没有自己的个人信息保护条例，罚得比国家重吗", ("广东",))
    assert asks_place_rules("广东省推行的首席数据官制度，对首席数据官有哪些职责要求？", ("广东",))
    assert asks_place_rules("重庆有没有出台关键信息基础设施安全保护的地方实施细则？", ("重庆",))
    # the place's clause ends at a break or a national word; a place not asked about is not read
    assert not asks_place_rules("我在上海，平台卖我的个人信息违法吗？国家有规定吗", ("上海",))
    assert not asks_place_rules("上海国家规定的个人信息保护", ("上海",))
    assert not asks_place_rules("深圳的网络运营者能出售用户的个人信息吗？", ("深圳",))
    assert not asks_place_rules("上海的数据条例怎么规定", ("深圳",))


def test_a_place_the_corpus_holds_no_rules_of_is_not_answered_by_another_places(retriever):
    answer = retriever.ask("深圳的网络运营者能出售用户的个人信息吗？")
    assert answer.state == "partial" and answer.abstained and answer.absent_places == ("深圳",)
    assert answer.lead.startswith("问题问的是深圳的规定，本助手收录的法规中没有深圳的地方性法规")
    assert answer.citations and all(c.role == "nearby" for c in answer.citations)
    assert "没有深圳的地方性法规" in answer.reason
    # naming a place the corpus holds, or none, is no gate; the gate can be switched off
    assert retriever.ask("天津和深圳的网络运营者能出售用户的个人信息吗？").state == "answered"
    assert retriever.ask("网络运营者能出售用户的个人信息吗？").state == "answered"
    from retrieval.retriever import Retriever

    ungated = Retriever(retriever.data, retriever.encoder,
                        dataclasses.replace(retriever.settings, other_places_gate=False))
    ungated.answerability = retriever.answerability
    plain = ungated.ask("深圳的网络运营者能出售用户的个人信息吗？")
    assert plain.state == "answered" and plain.absent_places == ()


def test_real_question_about_a_place_without_local_rules_cites_national_law_only(pack_retriever):
    answer = pack_retriever.ask("我在上海，APP把我的个人信息卖给别人，违法吗？")
    assert answer.state == "answered", answer.reason
    answering = [c for c in answer.citations if c.role == "answer"]
    assert answering and all(c.jurisdiction == "全国" for c in answering)
    assert any("没有上海的地方性法规" in note for note in answer.notes)
    refused = pack_retriever.ask("深圳的政府部门上信息化项目，报立项之前要先过哪个部门的技术审查？")
    assert refused.abstained, refused.reason
    assert not any(c.role == "answer" for c in refused.citations)
    assert any("没有深圳的地方性法规" in note for note in refused.notes) or "没有深圳的地方性法规" in refused.lead
