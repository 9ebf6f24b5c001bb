"""Pure parts of retrieval: tokenizer, normalization, places, fusion."""
import pytest

from index.tokenize import make_tokenizer
from ingest.text import normalize_text
from retrieval.fusion import interleave, rrf
from ingest.text import clean_question
from retrieval.normalize import detect_places, expand_synonyms, place_aliases

JURISDICTIONS = ["河北省", "天津市", "湖南省", "北京市", "无锡市"]


def test_tokenizer_keeps_domain_terms_and_drops_stop_words():
    tokenize = make_tokenizer()
    tokens = tokenize("网信部门应当加强关键信息基础设施的保护吗？")
    assert "网信部门" in tokens and "关键信息基础设施" in tokens
    assert not {"的", "吗", "应当", "？"} & set(tokens)
    assert tokenize("網信部門") == tokenize("网信部门")  # traditional and simplified meet
    assert tokenize("ＡＰＰ") == tokenize("app")  # full-width and case


@pytest.mark.parametrize("raw, expected", [
    ("  個人資訊　保護？ ", "个人资讯 保护?"), ("ＡＰＰ", "app"), ("規(guī)範", "规范"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize("question, places", [
    ("天津市政务信息收费吗", ("天津市",)),
    ("河北和湖南对公共数据共享的规定有什么不同？", ("河北省", "湖南省")),
    ("长沙的网信部门管什么", ("湖南省",)),
    ("江阴企业能申请信息化补贴吗", ("无锡市",)),
    ("北京市和无锡市、天津", ("北京市", "无锡市", "天津市")),
    ("平台能不能卖我的信息", ()),
])
def test_detect_places(question, places):
    assert detect_places(normalize_text(question), place_aliases(JURISDICTIONS)) == places


def test_place_aliases_for_added_jurisdictions():
    aliases = place_aliases(["山东省", "深圳市"])
    assert aliases["山东"] == "山东省" and aliases["深圳"] == "深圳市" and "河北" not in aliases


@pytest.mark.parametrize("question, added", [
    ("网信办管不管", "网信部门"), ("等保怎么做", "网络安全等级保护"), ("关基运营者", "关键信息基础设施"),
    ("app收集信息", "网络运营者"),
])
def test_synonyms_are_appended(question, added):
    expanded = expand_synonyms(question)
    assert expanded.startswith(question) and added in expanded


@pytest.mark.parametrize("question, added", [
    ("公司的個資外洩了怎麼辦？", "个人信息"), ("LINE帳號被盜了", "账号"), ("資安事件要通報嗎？", "网络安全"),
])
def test_taiwan_words_reach_the_laws_words(question, added):
    """OpenCC's tw2sp leaves 个资, 帐号 and 资安; the vocabulary appends the mainland words."""
    text, _ = clean_question(question)
    assert added not in text and added in expand_synonyms(text)


def test_clean_question_truncates_and_drops_control_characters():
    text, truncated = clean_question("问\x00题\x1b" + "字" * 600)
    assert text.startswith("问 题") and len(text) == 500 and truncated
    assert clean_question("短问题") == ("短问题", False)


def test_rrf_exact_scores_and_tie_breaks():
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert [row for row, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[1][1] == pytest.approx(1 / 63 + 1 / 61)
    # equal scores: the row with the better best rank first, then the lower row id
    assert [row for row, _ in rrf([[5, 6], [6, 5]])] == [5, 6]
    weighted = rrf([[1], [2]], k=10, weights=[1.0, 2.0])
    assert [row for row, _ in weighted] == [2, 1]


def test_interleave():
    assert interleave([[1, 2, 3], [4, 1], [5]]) == [1, 4, 5, 2, 3]
    assert interleave([]) == []


def test_convex_fusion_exact_scores():
    from retrieval.fusion import convex

    fused = convex([{1: 10.0, 2: 5.0, 3: 0.0}, {2: 0.9, 3: 0.5}], weights=[1.0, 2.0])
    assert fused == [(2, pytest.approx(0.5 + 2.0)), (1, pytest.approx(1.0)), (3, pytest.approx(0.0))]


def _hit(key: str, jurisdiction: str, bm25: float, dense: float, rank: int):
    from retrieval.records import Hit

    regulation, number = key.split("#")
    return Hit(key=key, regulation=regulation, article_no=int(number), label=f"第{number}条", jurisdiction=jurisdiction,
               rank=rank, score=1.0 / rank, retriever="hybrid", bm25_score=bm25, dense_score=dense)


def test_parallel_provisions_add_each_other_places_close_rule_once():
    from retrieval.citing import parallel_provisions
    from retrieval.settings import Settings

    settings = Settings()
    hits = [_hit("河北条例#15", "河北省", 9.0, 0.90, 1), _hit("无锡办法#17", "无锡市", 4.6, 0.84, 2),
            _hit("无锡办法#21", "无锡市", 4.0, 0.83, 3),  # a second 无锡 article: one per place
            _hit("天津条例#17", "天津市", 3.0, 0.85, 4),  # BM25 under bm25_fair of the best
            _hit("北京条例#13", "北京市", 5.0, 0.70, 5),  # cosine outside twice dense_near
            _hit("网络安全法#10", "全国", 6.0, 0.88, 6),  # national law is not a place's rule
            _hit("湖南条例#8", "湖南省", 5.0, 0.86, 7)]  # close, but shares few of the question's words
    overlaps = {"河北条例#15": 4.0, "无锡办法#17": 3.0, "无锡办法#21": 3.0, "天津条例#17": 3.0, "北京条例#13": 3.0,
                "网络安全法#10": 3.0, "湖南条例#8": 1.0}
    added = parallel_provisions(hits, hits[:1], overlaps, settings)
    assert [h.key for h in added] == ["无锡办法#17"]
    # nothing is added to an answer from national law alone
    assert parallel_provisions(hits, [hits[5]], overlaps, settings) == []


def test_read_hits_cites_the_best_left_out_hits_the_reader_takes_to_answer():
    import dataclasses

    from retrieval.citing import read_hits
    from retrieval.settings import Settings

    settings = dataclasses.replace(Settings(), cite_reader=1.25, cite_reader_depth=3, cite_reader_ratio=0.0)
    hits = [_hit("天津条例#28", "天津市", 9.0, 0.90, 1), _hit("政府信息公开条例#42", "全国", 4.0, 0.85, 2),
            _hit("北京条例#19", "北京市", 3.0, 0.84, 3), _hit("电子商务法#39", "全国", 2.0, 0.80, 4)]
    logits = {"政府信息公开条例#42": 1.3, "北京条例#19": 2.0, "电子商务法#39": 3.0}
    read_keys: list[list[str]] = []

    def read(left):
        read_keys.append([h.key for h in left])
        return [logits[h.key] for h in left]

    # the cited hit is not read again; the fourth hit lies past the depth; 北京 is not a place the question names
    added = read_hits(hits, {"天津条例#28"}, ("天津市",), read, settings)
    assert [h.key for h in added] == ["政府信息公开条例#42"] and read_keys == [["政府信息公开条例#42"]]
    # naming no place, any left-out hit of the depth is read; under the threshold it is not cited
    added = read_hits(hits, {"天津条例#28"}, (), read, dataclasses.replace(settings, cite_reader=1.5))
    assert [h.key for h in added] == ["北京条例#19"]
    # nothing left to read: the reader is not called
    read_keys.clear()
    assert read_hits(hits[:1], {"天津条例#28"}, (), read, settings) == [] and read_keys == []
    # a hit under the share of the best hit's score is never read (scores 1/rank): 北京 (1/3) is under 0.4 of the
    # best, 政府信息公开条例 (1/2) is not; at 0.6 neither is read
    bounded = dataclasses.replace(settings, cite_reader_ratio=0.4)
    assert [h.key for h in read_hits(hits, {"天津条例#28"}, (), read, bounded)] == ["政府信息公开条例#42"] \
        and read_keys == [["政府信息公开条例#42"]]
    read_keys.clear()
    assert read_hits(hits, {"天津条例#28"}, (), read, dataclasses.replace(bounded, cite_reader_ratio=0.6)) == [] \
        and read_keys == []


def test_a_question_about_a_later_change_of_a_law_is_recognized():
    from retrieval.normalize import asks_later_change, law_aliases

    names = law_aliases("中华人民共和国网络安全法")
    assert names == ("网络安全法", "网安法")
    asked = ["网络安全法2025年修改以后，罚款上限提高到了多少？", "2025年修改后的网安法，最高罚款提到了多少？",
             "网安法2025年那次修改以后，对关基运营者怎么罚？", "网安法修改过吗？", "新网安法对泄露个人信息怎么罚？",
             "最新的《网络安全法》对关基怎么规定？", "修改后的《网络安全法》怎么罚？", "网安法已经修订过了吗？",
             "2025年网安法修正以后，关基运营者最高罚多少？"]
    assert [q for q in asked if not asks_later_change(q, names)] == []
    # 修改 as a person asks it of their own data, of another text, or not at all: no change of the law is asked
    plain = ["根据网安法，我能要求平台修改错误的个人信息吗？", "网安法规定平台修改后的隐私政策要通知用户吗？",
             "网络安全法什么时候施行？", "个保法修改以后罚款多少？", "网络运营者修改了用户协议，按网安法要通知吗？",
             "网安法规定，用户协议修改后要不要重新征得同意？"]
    assert [q for q in plain if asks_later_change(q, names)] == []
    assert law_aliases("中华人民共和国个人信息保护法") == ("个人信息保护法", "个保法")
