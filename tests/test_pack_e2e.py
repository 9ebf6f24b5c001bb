"""The national pack beside the five regulations, end to end with the real models: both levels answer, national
first and labelled by level; references resolve both ways; the outdated 网络安全法 text says so at every citation;
scope filters; and in a real browser against the real app."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.records import Filters

pytestmark = [pytest.mark.model]

SELL = "平台能不能把我的个人信息卖给别人？"
CSL_PENALTY = "网络运营者不履行网络安全保护义务，按网络安全法怎么处罚？"
HEBEI_PENALTY = "河北对网络运营者出售个人信息怎么处罚？"
COUNTY_PROJECT = "我们县里上信息化项目要走什么审批？"
SHENZHEN_PROJECT = "深圳的政府部门上信息化项目，报立项之前要先过哪个部门的技术审查？"
CSL = "中华人民共和国网络安全法"
AMENDMENT = "未包含2025年10月28日的修改"


def test_the_pack_is_ingested_whole_with_its_levels(pack_retriever):
    data = pack_retriever.data
    assert len(data.articles) == 981 and len({r.title for r in data.regulations}) == 17
    national = [r for r in data.regulations if r.jurisdiction == "全国"]
    assert len(national) == 12 and {r.tier for r in national} == {"法律", "行政法规"}
    assert sum(a.regulation == "中华人民共和国民法典" for a in data.articles) == 51
    civil = next(a for a in data.articles if a.key == "中华人民共和国民法典#1034")
    assert civil.citation == "《中华人民共和国民法典》第一千零三十四条"
    assert {r.tier for r in data.regulations if r.jurisdiction != "全国"} == {"地方性法规", "地方政府规章"}


def test_selling_personal_information_is_answered_from_both_levels_national_first(pack_retriever):
    answer = pack_retriever.ask(SELL)
    assert not answer.abstained
    tiers = [c.tier for c in answer.citations if c.role == "answer"]
    assert {"法律", "地方性法规"} <= set(tiers)
    assert tiers.index("地方性法规") > max(i for i, t in enumerate(tiers) if t == "法律")  # national first
    cited = {c.citation for c in answer.citations}
    assert "《河北省信息化条例》第五十二条" in cited
    assert cited & {"《中华人民共和国个人信息保护法》第十条", "《中华人民共和国网络安全法》第四十四条"}
    assert [b.tier for b in answer.blocks()][0] == "法律"


def test_a_question_naming_a_place_cites_national_law_first_then_the_places_own(pack_retriever):
    """National law holds in every place: a question naming 石家庄 gets at most two national articles that answer it
    (first), then 河北's; beside an outdated one, the current law's provision on the same matter (citing.current_parallel);
    a comparison of two places is shown place by place, without national articles."""
    import dataclasses

    from retrieval.retriever import Retriever

    question = "我在石家庄，平台能不能把我的个人信息卖给别人？"
    answer = pack_retriever.ask(question)
    answering = [c for c in answer.citations if c.role == "answer"]
    national = [c for c in answering if c.jurisdiction == "全国"]
    rules = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, current_parallel=0.0, law_parallel=0.0))
    plain = [c.key for c in rules.ask(question).citations if c.role == "answer" and c.jurisdiction == "全国"]
    assert 1 <= len(plain) <= pack_retriever.settings.national_with_places
    extra = [c for c in national if c.key not in plain]
    assert set(plain) <= {c.key for c in national} and all(not any(AMENDMENT in n for n in c.notes) for c in extra)
    assert answering[:len(national)] == national and "《河北省信息化条例》第五十二条" in {c.citation for c in answering}
    assert {c.jurisdiction for c in answering} == {"全国", "河北省"}
    compared = pack_retriever.ask("北京和天津对政务数据共享分别怎么规定？")
    assert compared.comparison and {c.jurisdiction for c in compared.citations if c.role == "answer"} <= {"北京市", "天津市"}


def test_a_network_security_law_penalty_carries_the_amendment_note(pack_retriever):
    answer = pack_retriever.ask(CSL_PENALTY)
    csl = [c for c in answer.citations if c.regulation == CSL]
    assert csl and all(any(AMENDMENT in note and "2026年1月1日起施行" in note for note in c.notes) for c in csl)
    assert all(c.status == "已被修改" and c.effective_date == "2017-06-01" for c in csl)
    assert "《中华人民共和国网络安全法》第五十九条" in [c.citation for c in csl]


def test_a_question_about_the_amendment_itself_is_not_answered_from_the_old_text(pack_retriever):
    # the corpus holds the 2016 text: what the 2025 amendment changed it cannot say, and the lead says why, dated
    for question in ("网络安全法2025年修改以后，罚款上限提高到了多少？", "新网安法对泄露个人信息怎么罚？", "网安法修改过吗？"):
        answer = pack_retriever.ask(question)
        assert answer.abstained and answer.state in ("partial", "not_found"), question
        assert answer.changed_laws == (CSL,)
        assert answer.lead.startswith(f"问题问的是《{CSL}》修改后的规定，本助手收录的是该法修改前的文本")
        dated = answer.lead + "".join(answer.notes)
        assert f"本助手收录的《{CSL}》是2016年11月7日的文本，{AMENDMENT}" in dated and "2026年1月1日起施行" in dated
        assert "修改后的规定" in answer.reason
    # the same subject without asking about the change is answered, from the old text with its note
    answer = pack_retriever.ask("网安法对泄露个人信息怎么罚？")
    assert answer.state == "answered" and answer.changed_laws == ()
    assert any(c.regulation == CSL and any(AMENDMENT in n for n in c.notes) for c in answer.citations)


def test_a_local_question_answered_by_the_national_law_beside_it_is_not_refused(pack_retriever):
    # 北京 #19 ranks first (the place is named) but does not state the deadline; 政府信息公开条例 #33 does: the reader
    # reads both, and the answer cites the deadline. Without that second reading the question was refused.
    import dataclasses

    from retrieval.retriever import Retriever

    question = "我在北京向区政府申请公开一份文件，他们最晚多少天内要答复我？"
    answer = pack_retriever.ask(question)
    assert answer.state == "answered"
    keys = [c.key for c in answer.citations]
    assert "北京市信息化促进条例#19" in keys and "中华人民共和国政府信息公开条例#33" in keys
    assert any("20个工作日内予以答复" in e for c in answer.citations for e in c.excerpts)
    alone = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, read_national=False))
    assert alone.ask(question).state != "answered"
    # a near-topic question naming a place is still refused: neither article answers it
    assert pack_retriever.ask("在湖南开网吧要办什么证？").abstained


def test_the_second_answer_of_a_two_part_question_is_cited(pack_retriever):
    # 北京 #20 answers the first sentence; the citation rules leave out 政府信息公开条例 #55, which answers the second
    # (where to complain; a national regulation), and the citation model cites it (retrieval.cite_model). Before the
    # seventh round's ranking model the example was 北京 #37 with 密码法 #14, which that model no longer needs it for.
    # Since the twenty-second session the rule for the national provision a local article restates
    # (citing.national_parallel) cites #55 here too, and since the twenty-fourth the reader's citations
    # (citing.read_hits) do; both are left off with the model, to test the model alone.
    import dataclasses

    from retrieval.retriever import Retriever

    question = "北京的自来水、燃气公司要公开收费标准吗？要是不公开，我能去哪反映？"
    disclosure = "中华人民共和国政府信息公开条例#55"
    model = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, national_parallel=0.0, cite_reader_depth=0))
    answering = {c.key: c for c in model.ask(question).citations if c.role == "answer"}
    assert "北京市信息化促进条例#20" in answering and disclosure in answering
    assert any("公共企事业单位" in e for e in answering[disclosure].excerpts)
    assert answering[disclosure].level == "行政法规"
    rules = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, cite_model=False, national_parallel=0.0,
                                          cite_reader_depth=0))
    assert disclosure not in {c.key for c in rules.ask(question).citations if c.role == "answer"}


def test_a_hebei_article_citing_the_network_security_law_shows_that_article(pack_retriever):
    answer = pack_retriever.ask(HEBEI_PENALTY)
    keys = [c.key for c in answer.citations]
    assert "河北省信息化条例#56" in keys
    shown = next(c for c in answer.citations if c.key == f"{CSL}#64")
    assert (shown.role, shown.relation, shown.referenced_by) == ("referenced", "引用的上位法条文",
                                                                 "《河北省信息化条例》第五十六条")
    assert any("非法出售或者非法向他人提供个人信息" in e for e in shown.excerpts)
    assert any(AMENDMENT in note for note in shown.notes)


def test_a_national_article_lists_the_local_articles_that_cite_it(pack_retriever):
    answer = pack_retriever.ask("网络运营者对禁止发布的信息没有停止传输，按网络安全法第六十八条怎么处罚？")
    article = next(c for c in answer.citations if c.key == f"{CSL}#68")
    assert article.cited_by == ("《河北省信息化条例》第五十七条",)


def test_scope_narrows_to_one_level(pack_retriever):
    national = pack_retriever.ask(SELL, Filters(scope="national"))
    assert national.citations and {c.jurisdiction for c in national.citations} == {"全国"}
    local = pack_retriever.ask(SELL, Filters(scope="local"))
    assert local.citations and "全国" not in {c.jurisdiction for c in local.citations}


def test_another_places_regulation_named_without_quotes_is_an_absent_law(pack_retriever):
    # 上海 has no local rules in the corpus: its regulation named without 《》 is said to be absent, as with 《》;
    # national law is shown as nearby, and a held place's regulation named loosely is no absent law
    for question in ("上海市数据条例对公共数据开放有什么规定？", "《上海市数据条例》对公共数据开放有什么规定？"):
        answer = pack_retriever.ask(question)
        assert answer.state == "partial" and answer.absent_laws == ("上海市数据条例",), question
        assert "问题提到的《上海市数据条例》不在所检索的法规中" in answer.reason
        assert answer.citations and all(c.jurisdiction == "全国" for c in answer.citations)
    held = pack_retriever.ask("天津信息化条例对信息化项目审批有什么规定？")
    assert held.absent_laws == () and held.state == "answered"


def test_a_question_about_an_absent_places_own_rules_is_answered_in_part_from_national_law(pack_retriever):
    # national law is the best the corpus has, and it holds in 广东, but the question asks for 广东's own rules
    import dataclasses

    from retrieval.retriever import Retriever

    question = "广东省推行的首席数据官制度，对各级政府部门的首席数据官有哪些职责要求？"
    answer = pack_retriever.ask(question)
    assert answer.abstained and answer.absent_places == ("广东",), answer.reason
    assert "没有广东的地方性法规" in answer.reason
    assert not any(c.role == "answer" for c in answer.citations)
    assert all(c.jurisdiction == "全国" for c in answer.citations)
    ungated = Retriever(pack_retriever.data, pack_retriever.encoder,
                        dataclasses.replace(pack_retriever.settings, place_rules_gate=False))
    ungated.answerability = pack_retriever.answerability
    assert ungated.retrieve(question).decision.absent_places == ()
    # asked in 上海 without asking 上海's rules, national law answers
    assert pack_retriever.ask("我在上海，APP把我的个人信息卖给别人，违法吗？").state == "answered"


def test_a_question_neither_level_covers_is_not_answered(pack_retriever):
    # (near-topic out-of-scope questions are the known weakness: see README, issue 16)
    assert pack_retriever.ask("网约车司机的社保怎么交？").abstained


@pytest.mark.e2e
@pytest.mark.slow
def test_the_app_answers_with_levels_references_and_currency_notes(real_model_dir, real_ranking_dir, real_reader_dir, pack_index_dir,
                                                                  tmp_path_factory):
    """The real app on the default corpus, in headless Chromium: click 提问 and read the page."""
    from playwright.sync_api import expect, sync_playwright

    from bench.app_process import launch_app
    from test_app_e2e import ANSWER_TIMEOUT_MS, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ask

    with launch_app(real_model_dir.parent.parent, tmp_path_factory.mktemp("pack-app") / "app.log",
                    index_dir=pack_index_dir) as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page.goto(app.url)
        page.locator(".regqa-status.ready").wait_for(timeout=ANSWER_TIMEOUT_MS)
        answer = page.locator("#regqa-answer")

        ask(page, SELL)
        expect(answer).to_contain_text("《河北省信息化条例》第五十二条")
        expect(answer.locator("section h3 .tier").first).to_have_text("法律")
        expect(answer.locator("section h3 .tier").last).to_have_text("地方性法规")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pack.png"), full_page=True)

        ask(page, CSL_PENALTY)
        expect(answer).to_contain_text("《中华人民共和国网络安全法》第五十九条")
        expect(answer).to_contain_text(AMENDMENT)
        expect(answer).to_contain_text("效力：已被修改")

        ask(page, HEBEI_PENALTY)
        expect(answer).to_contain_text("《河北省信息化条例》第五十六条")
        expect(answer).to_contain_text("引用的上位法条文")
        expect(answer).to_contain_text("《中华人民共和国网络安全法》第六十四条")

        page.get_by_label("仅地方法规").check()
        ask(page, SELL)
        expect(answer).to_contain_text("《河北省信息化条例》第五十二条")
        expect(answer.locator("section h3 .tier", has_text="法律")).to_have_count(0)
        expect(answer.locator("section h3 .tier").first).to_have_text("地方性法规")
        page.get_by_label("国家和地方").check()

        # a question naming no place: each place's parallel rule, with the note that says so
        ask(page, COUNTY_PROJECT)
        expect(answer).to_contain_text("《河北省信息化条例》第十五条")
        expect(answer).to_contain_text("《无锡市促进信息化发展办法》第十七条")
        expect(answer).to_contain_text("问题没有指明地区，以下分别列出各地法规的相应规定")
        # a place whose local rules the corpus lacks: no other place's rule is given as its answer
        ask(page, SHENZHEN_PROJECT)
        expect(answer).to_contain_text("没有深圳的地方性法规")
        browser.close()


def test_a_question_naming_no_place_shows_each_places_parallel_rule(pack_retriever):
    answer = pack_retriever.ask(COUNTY_PROJECT)
    answering = [c.key for c in answer.citations if c.role == "answer"]
    assert answering[0] == "河北省信息化条例#15" and "无锡市促进信息化发展办法#17" in answering, answering
    assert "问题没有指明地区，以下分别列出各地法规的相应规定，请以所在地的规定为准。" in answer.notes
    # a question naming its place keeps to that place
    named = pack_retriever.ask("河北的县里上信息化项目要走什么审批？")
    assert {c.jurisdiction for c in named.citations if c.role == "answer"} == {"河北省"}


def test_a_question_naming_a_law_ranks_that_laws_articles_first(pack_retriever):
    # 个保法 named: its penalty article ranks before 网络安全法 #64's (Settings.named_law_prior)
    answer = pack_retriever.ask("按个保法，App乱收集用户信息最高罚多少钱")
    pipl_penalty = "中华人民共和国个人信息保护法#66"
    assert answer.retrieval.hits[0].key == pipl_penalty
    assert answer.citations[0].key == pipl_penalty
    assert any("五千万元以下" in e for e in answer.citations[0].excerpts)


def test_a_place_question_cites_the_national_provision_its_local_article_restates(pack_retriever):
    # 天津 #28 answers (no fee for disclosure on request); 政府信息公开条例 #42 says the same nationally and is cited
    # first (citing.national_parallel); without that rule the answer cites 天津's articles alone
    import dataclasses

    from retrieval.retriever import Retriever

    question = "在天津申请政府信息公开要交钱吗"
    national = "中华人民共和国政府信息公开条例#42"
    answering = [c for c in pack_retriever.ask(question).citations if c.role == "answer"]
    assert answering[0].key == national and answering[0].level == "行政法规"
    assert any("不收取费用" in e for e in answering[0].excerpts)
    assert "天津市信息化促进条例#28" in [c.key for c in answering]
    rules = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, national_parallel=0.0))
    assert national not in {c.key for c in rules.ask(question).citations if c.role == "answer"}


def test_an_outdated_text_is_cited_after_the_current_law_on_the_same_matter(pack_retriever):
    # 网络安全法 #49 (complaints about personal information, 2016 text, known to be outdated) and 个人信息保护法 #65
    # (the same matter in the current law): the current provision is cited before the outdated one
    # (citing.current_parallel), which keeps its currency note; with that rule and law_parallel off, #65 is not cited
    import dataclasses

    from retrieval.retriever import Retriever

    question = "在长沙想举报APP乱要权限，该找哪个部门"
    current = "中华人民共和国个人信息保护法#65"
    only = Retriever(pack_retriever.data, pack_retriever.encoder,
                     dataclasses.replace(pack_retriever.settings, law_parallel=0.0))
    keys = [c.key for c in only.ask(question).citations if c.role == "answer"]
    assert f"{CSL}#49" in keys and current in keys
    assert keys.index(current) < keys.index(f"{CSL}#49")
    outdated = next(c for c in pack_retriever.ask(question).citations if c.key == f"{CSL}#49")
    assert any(AMENDMENT in note for note in outdated.notes)
    neither = Retriever(pack_retriever.data, pack_retriever.encoder,
                        dataclasses.replace(pack_retriever.settings, law_parallel=0.0, current_parallel=0.0))
    assert current not in {c.key for c in neither.ask(question).citations}


def test_the_same_matter_in_another_national_law_is_cited_too(pack_retriever):
    # personalised recommendations: 网络数据安全管理条例 #42 answers, and 个人信息保护法 #24 (among the best three,
    # whole-article cosine at least Settings.law_parallel) says the same in another law (citing.law_parallel)
    import dataclasses

    from retrieval.retriever import Retriever

    question = "购物APP的猜你喜欢能关掉吗"
    other = "中华人民共和国个人信息保护法#24"
    answer = pack_retriever.ask(question)
    answering = {c.key: c for c in answer.citations if c.role == "answer"}
    assert "网络数据安全管理条例#42" in answering and other in answering
    assert answering[other].level == "法律"
    off = Retriever(pack_retriever.data, pack_retriever.encoder,
                    dataclasses.replace(pack_retriever.settings, law_parallel=0.0))
    assert other not in {c.key for c in off.ask(question).citations}


def test_an_article_the_reader_takes_to_answer_is_cited_though_the_rules_leave_it_out(pack_retriever):
    # 删差评 in everyday words: the rules cite 电子商务法 #81 (the penalty) and leave out #39 (不得删除消费者…的评价), the
    # second hit; the answerability reader, reading it with the question, takes it to answer (citing.read_hits). The
    # signals answer this question alone, so by default (Settings.cite_reader_only_read) its citations are not read:
    # the reader never reads for a question it did not read to decide
    import dataclasses
    import math

    from retrieval.retriever import Retriever

    question = "网店刷好评，平台还把我给的差评删了，这合法吗"
    duty = "中华人民共和国电子商务法#39"
    assert pack_retriever.reads

    def with_settings(**changes):
        return Retriever(pack_retriever.data, pack_retriever.encoder,
                         dataclasses.replace(pack_retriever.settings, **changes))

    calls: list[list[str]] = []

    def counted(retriever):
        read = retriever.read_hits
        retriever.read_hits = lambda query, hits: calls.append([h.key for h in hits]) or read(query, hits)
        return retriever

    answer = counted(with_settings()).ask(question)
    assert math.isnan(answer.retrieval.decision.reader) and calls == []
    assert duty not in {c.key for c in answer.citations if c.role == "answer"}
    always = counted(with_settings(cite_reader_only_read=False)).ask(question)
    assert calls == [[duty]]
    cited = next(c for c in always.citations if c.key == duty)
    assert cited.role == "answer" and any("不得删除消费者" in e for e in cited.excerpts)
    off = with_settings(cite_reader_only_read=False, cite_reader_depth=0)
    assert duty not in {c.key for c in off.ask(question).citations if c.role == "answer"}


def test_an_answered_decision_cites_the_best_hit_when_the_rules_find_none_plausible(pack_retriever):
    # the question shares no word with 民法典 #1019 (伪造 … 侵害他人的肖像权): the decision reads it and answers; the page
    # cites it instead of saying 未找到 under an answered decision
    import dataclasses

    from retrieval.retriever import Retriever

    question = "有人用AI把我的脸换到一段视频里发到网上，我能找他维权吗？"
    answer = pack_retriever.ask(question)
    assert answer.state == "answered" and not answer.abstained, answer.reason
    first = [c for c in answer.citations if c.role == "answer"][0]
    assert first.key == "中华人民共和国民法典#1019" and "利用信息技术手段伪造" in "".join(first.excerpts)
    plain = Retriever(pack_retriever.data, pack_retriever.encoder,
                      dataclasses.replace(pack_retriever.settings, cite_decided_best=False))
    plain.answerability = pack_retriever.answerability
    before = plain.ask(question)
    assert before.retrieval.decision.answered and before.state == "not_found" and before.abstained
    # the abbreviation 网数条例 reaches the regulation's name
    dated = pack_retriever.ask("网数条例是啥时候开始生效的？")
    assert dated.state == "answered" and dated.citations[0].key == "网络数据安全管理条例#64", dated.reason


def test_a_question_without_chinese_is_never_answered_from_the_decided_best_hit(pack_retriever):
    # the signals read a question of no words as confidently as any; its best hit is not cited for it
    for question in ("😀🚀🎉", "Привет мир", "'; DROP TABLE articles; --"):
        answer = pack_retriever.ask(question)
        assert answer.abstained and answer.lead.startswith("未找到"), question
