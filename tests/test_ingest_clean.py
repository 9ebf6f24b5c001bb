"""One test per cleaning rule, on inline examples."""
import pytest

from ingest import clean


@pytest.mark.parametrize("raw, expected", [
    ("規(guī)範", "規範"),
    ("應(yīng)當(dāng)", "應當"),
    ("（guī）範", "範"),
    ("(一)違反第十九條", "(一)違反第十九條"),
    ("(GB/T 22239)", "(GB/T 22239)"),
    ("(a)项", "(a)项"),
    ("lǜ(lǜ)", "lǜ"),
])
def test_remove_pinyin(raw, expected):
    assert clean.remove_pinyin(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("第一條為了規範信息化管理", "第一条为了规范信息化管理"),
    ("個人資訊", "个人资讯"),
    ("网络安全和信息化", "网络安全和信息化"),
])
def test_to_simplified(raw, expected):
    assert clean.to_simplified(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("個人資訊", "个人信息"),  # Taiwan's word for 信息, which t2s leaves as 资讯
    ("無錫的重要網路和資訊系統", "无锡的重要网络和信息系统"),
    ("軟體", "软件"),
    ("个人资讯", "个人资讯"),  # simplified text is never rewritten by the phrase table
    ("网络安全和信息化", "网络安全和信息化"),
    ("北京小客車指標怎麼申請", "北京小客车指标怎么申请"),  # an indicator or quota, not tw2sp's 指针 (a pointer)
    ("績效指標", "绩效指标"),
])
def test_to_mainland_rewrites_traditional_questions_in_mainland_words(raw, expected):
    assert clean.to_mainland(raw) == expected


def test_a_traditional_question_is_cleaned_to_the_laws_words():
    from ingest.text import clean_question

    assert clean_question("北京的資訊化標準是哪個部門負責制定的？") == ("北京的信息化标准是哪个部门负责制定的?", False)
    assert clean_question("平台能不能把我的个人信息卖给别人？") == ("平台能不能把我的个人信息卖给别人?", False)


@pytest.mark.parametrize("raw, expected", [
    ("管理,加快建设;促进发展:如下", "管理，加快建设；促进发展：如下"),
    ("(一)违反规定的", "（一）违反规定的"),
    ("(GB/T 22239)", "(GB/T 22239)"),
    ("3,000", "3,000"),
])
def test_normalize_punctuation(raw, expected):
    assert clean.normalize_punctuation(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("　　第一条　为了", "第一条为了"),
    ("总　　则", "总则"),
    ("附  则 ", "附则"),
    ("GB/T  22239", "GB/T 22239"),
])
def test_normalize_spaces(raw, expected):
    assert clean.normalize_spaces(raw) == expected


@pytest.mark.parametrize("line, expected", [
    ("－2－", True), ("－ 12 －", True), ("- 3 -", True), ("第4页", True), ("第 4 页 共 9 页", True),
    ("5/12", True), ("第二条　本省", False), ("2021", False),
])
def test_is_page_number(line, expected):
    assert clean.is_page_number(line) is expected


@pytest.mark.parametrize("line, expected", [
    ("- **第一条**　　为了促进", "第一条　　为了促进"),
    ("## 第一章　　总则", "第一章　　总则"),
    ("> （2007年9月12日通过）", "（2007年9月12日通过）"),
    ("**天津市信息化促进条例**", "天津市信息化促进条例"),
    ("1. 第一章 总则", "第一章 总则"),
])
def test_strip_markdown(line, expected):
    assert clean.strip_markdown(line) == expected


def test_strip_html_comments():
    assert clean.strip_html_comments("<!-- INFO END -->第一条") == "第一条"


def test_front_matter():
    meta, rest, offset = clean.split_front_matter("---\ntitle: 某条例\ndate: '2007-09-12'\n---\n正文\n")
    assert meta == {"title": "某条例", "date": "2007-09-12"}
    assert rest == "正文\n" and offset == len("---\ntitle: 某条例\ndate: '2007-09-12'\n---\n")
    assert clean.split_front_matter("正文") == ({}, "正文", 0)


def test_ad_and_tag_lines():
    assert clean.is_ad_line("前言:本站为你精心整理了信息化促进细则范文,欢迎咨询。")
    assert not clean.is_ad_line("第五条　县级以上网信部门负责本行政区域内信息化发展。")
    assert clean.is_tag_line("信息化工作意见 信息技术 信息技术教育 信息化建设 信息管理")
    assert not clean.is_tag_line("县级以上 人民政府 应当 加强领导。")
    assert not clean.is_tag_line("第一章 总则")


def test_decode_gb18030_and_bom():
    assert clean.decode("第一条　为了".encode("gb18030")) == "第一条　为了"
    assert clean.decode(b"\xef\xbb\xbf" + "第一条".encode()) == "第一条"
