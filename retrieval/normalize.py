"""The question's vocabulary: abbreviations and everyday words mapped to the regulations' words, and the
places a question names. (Normalizing text itself is ingest.text's job.)"""
from __future__ import annotations

import re


# Abbreviations and common typos -> the regulations' words (appended, never replacing). Only terms
# with an exact counterpart: on the dev split, broader colloquial expansions (老百姓 -> 公民, 处罚 ->
# 法律责任 …) raised BM25 scores of out-of-scope questions (abstention recall 0.867 vs 1.0) and did
# not improve ranking.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("网信办", "网信部门"), ("网信委", "网信部门"), ("等保", "网络安全等级保护"), ("关基", "关键信息基础设施"),
    ("app", "网络运营者 网络服务提供者"), ("小程序", "网络运营者 网络服务提供者"), ("信息话", "信息化"),
    ("政务云", "电子政务 政务信息系统"), ("大数据局", "政务数据主管部门"),
)

# What people call the national laws and their subjects -> the laws' own words (appended to what both sides
# search). A target is added only when the indexed corpus holds it (Retriever.law_words), so on a corpus
# without the national pack nothing changes.
LAW_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("个保法", "个人信息保护法"), ("个人信息保护法",)),
    (("网安法",), ("网络安全法",)),
    (("数安法",), ("数据安全法",)),
    (("电商法",), ("电子商务法",)),
    (("反诈",), ("反电信网络诈骗",)),
    (("关基",), ("关键信息基础设施",)),
    (("等保",), ("网络安全等级保护",)),
    (("刷脸", "人脸识别", "人脸"), ("人脸识别", "生物识别", "敏感个人信息")),
    (("注销",), ("注销账号", "删除个人信息")),
    (("出境", "传到国外", "传到境外", "出国"), ("向境外提供个人信息", "出境")),
    (("手机卡", "电话卡", "办卡"), ("电话卡", "实名")),
    (("撤回授权", "取消授权", "不同意了"), ("撤回同意",)),
)


def law_word_targets(corpus_text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """LAW_WORDS with only the targets the corpus text holds (entries left without targets are dropped)."""
    kept = []
    for sources, targets in LAW_WORDS:
        present = tuple(t for t in targets if t in corpus_text)
        if present:
            kept.append((sources, present))
    return tuple(kept)


def expand_law_words(text: str, law_words) -> str:
    """Append the laws' words for the names and subjects the text uses (law_words: law_word_targets' result)."""
    extra = [t for sources, targets in law_words if any(s in text for s in sources) for t in targets
             if t not in text]
    extra = list(dict.fromkeys(extra))
    return text if not extra else f"{text} {' '.join(extra)}"


# Everyday words -> the regulations' words, for the BM25 side only: the dense model already relates
# them, and whether the corpus covers a question is judged without them (retrieval.Retriever.retrieve).
COLLOQUIAL: tuple[tuple[tuple[str, ...], str], ...] = (
    (("卖给", "卖了", "卖掉", "被卖", "拿去卖", "倒卖", "贩卖", "出卖", "买卖"), "出售 非法提供"),
    (("外泄", "泄漏", "流出去", "被泄"), "泄露"),
    (("个人资料", "隐私", "手机号", "身份证号", "住址", "通讯录", "用户资料", "用户数据"), "个人信息"),
    (("被黑", "黑客", "入侵", "攻击", "病毒", "勒索", "瘫痪"), "网络安全事件 攻击"),
    (("网站", "软件", "平台", "公众号", "网店", "论坛"), "网络运营者"),
    (("办事", "跑腿", "跑一趟", "跑多个部门", "一网通办"), "政务服务 网上办理"),
    (("调数据", "要数据", "数据互通", "互通"), "共享"),
    (("登记错", "弄错", "写错", "改错", "不准确"), "更正 错误"),
    (("罚多少", "罚款多少", "罚钱"), "罚款"),
    (("宽带", "光纤", "基站", "机房", "铁塔"), "通信 信息基础设施"),
    (("监控", "摄像头"), "视频"),
    (("看病", "医院", "病历", "化验"), "医疗 卫生"),
    (("网课", "学校", "上学"), "教育"),
    (("收了好处", "受贿", "徇私", "滥用职权", "玩忽职守"), "滥用职权 玩忽职守 徇私舞弊"),
)

# Cities and common short names -> jurisdiction of the bundled regulations.
PLACE_ALIASES: dict[str, str] = {
    "河北": "河北省", "石家庄": "河北省", "保定": "河北省", "唐山": "河北省", "廊坊": "河北省", "邯郸": "河北省",
    "秦皇岛": "河北省", "张家口": "河北省", "承德": "河北省", "沧州": "河北省", "衡水": "河北省", "邢台": "河北省",
    "雄安": "河北省",
    "天津": "天津市", "滨海新区": "天津市",
    "湖南": "湖南省", "长沙": "湖南省", "株洲": "湖南省", "湘潭": "湖南省", "衡阳": "湖南省", "岳阳": "湖南省",
    "常德": "湖南省", "郴州": "湖南省", "益阳": "湖南省", "邵阳": "湖南省", "娄底": "湖南省", "永州": "湖南省",
    "怀化": "湖南省", "张家界": "湖南省", "湘西": "湖南省",
    "北京": "北京市", "海淀": "北京市", "朝阳区": "北京市", "东城": "北京市", "西城": "北京市", "丰台": "北京市",
    "无锡": "无锡市", "江阴": "无锡市", "宜兴": "无锡市", "梁溪": "无锡市", "滨湖区": "无锡市", "锡山": "无锡市",
}
_SUFFIX = re.compile(r"(?:省|市|自治区|自治州|特别行政区|地区|盟|县|区)$")


def place_aliases(jurisdictions: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Aliases for the jurisdictions an index holds: the name, the name without 省/市, known cities."""
    aliases = {alias: j for alias, j in PLACE_ALIASES.items() if j in jurisdictions}
    for jurisdiction in jurisdictions:
        aliases[jurisdiction] = jurisdiction
        short = _SUFFIX.sub("", jurisdiction)
        if len(short) >= 2:
            aliases.setdefault(short, jurisdiction)
    return aliases


def detect_places(text: str, aliases: dict[str, str]) -> tuple[str, ...]:
    """Jurisdictions named in the (normalized) text, in order of first mention, longest alias first."""
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    for alias in sorted(aliases, key=len, reverse=True):
        for match in re.finditer(re.escape(alias), text):
            if not any(taken[match.start():match.end()]):
                found.append((match.start(), aliases[alias]))
                for i in range(match.start(), match.end()):
                    taken[i] = True
    ordered: list[str] = []
    for _, jurisdiction in sorted(found):
        if jurisdiction not in ordered:
            ordered.append(jurisdiction)
    return tuple(ordered)


def expand_synonyms(text: str) -> str:
    """Append the regulations' words for colloquial terms found in the text."""
    extra = [target for source, target in SYNONYMS if source in text and target not in text]
    return text if not extra else f"{text} {' '.join(extra)}"


def colloquial_expansion(text: str) -> str:
    """The text plus the regulations' words for the everyday words it uses (for BM25)."""
    extra = [target for sources, target in COLLOQUIAL if any(source in text for source in sources)]
    return text if not extra else f"{text} {' '.join(extra)}"
