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
    # Taiwan and Hong Kong words that OpenCC's tw2sp leaves (個資 -> 个资, 帳號 -> 帐号, 資安 -> 资安, 私隱 -> 私隐)
    ("个资", "个人信息"), ("帐号", "账号"), ("资安", "网络安全"), ("私隐", "隐私"),
)

# What people call the national laws and their subjects -> the laws' own words (appended to what both sides
# search). A target is added only when the indexed corpus holds it (Retriever.law_words), so on a corpus
# without the national pack nothing changes.
LAW_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("个保法", "个人信息保护法"), ("个人信息保护法",)),
    (("网安法",), ("网络安全法",)),
    (("数安法",), ("数据安全法",)),
    (("网数条例",), ("网络数据安全管理条例",)),
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


# Names people give laws and regulations, without 中华人民共和国. A question that names one the searched corpus does
# not hold is answered at most in part, and the answer says which law it does not hold (issue 16: 按消费者权益保护法能
# 退一赔三吗 is not answered by the 电子商务法's articles, however close, even where one of them points to it: 适用《中华
# 人民共和国消费者权益保护法》的有关规定). Titles written in 《》 count too. A law the corpus's own articles repeal is not
# absent: the repealing article answers whether it still holds (湖南's new regulation: 《湖南省信息化条例》同时废止).
# A name counts only where it starts and ends on the question's word boundaries (电子合同法律效力 names no 合同法).
# 个资法 is left out: Taiwanese users give that name to the mainland's 个人信息保护法 too.
LAW_NAMES: tuple[str, ...] = tuple("""
宪法 刑法 刑法修正案 民法典 民法通则 民法总则 合同法 物权法 侵权责任法 婚姻法 继承法 担保法 民事诉讼法 刑事诉讼法 行政诉讼法
行政复议法 行政复议条例 行政处罚法 行政许可法 行政强制法 国家赔偿法 治安管理处罚法 立法法 监察法 公务员法 律师法 仲裁法 人民调解法
消费者权益保护法 产品质量法 广告法 价格法 反不正当竞争法 反垄断法 食品安全法 药品管理法 计量法 标准化法 商标法 专利法 著作权法
公司法 合伙企业法 企业破产法 证券法 保险法 商业银行法 中国人民银行法 反洗钱法 票据法 信托法 银行业监督管理法 税收征收管理法
个人所得税法 企业所得税法 增值税法 劳动法 劳动合同法 就业促进法 社会保险法 工会法 安全生产法 消防法 道路交通安全法 旅游法
邮政法 电信条例 广播电视管理条例 电影产业促进法 出版管理条例 网络出版服务管理规定 互联网信息服务管理办法
互联网用户账号信息管理规定 互联网信息服务算法推荐管理规定 算法推荐管理规定 深度合成管理规定 生成式人工智能服务管理暂行办法
网络信息内容生态治理规定 网络安全审查办法 数据出境安全评估办法 个人信息出境标准合同办法 促进和规范数据跨境流动规定
儿童个人信息网络保护规定 网络安全等级保护条例 计算机信息系统安全保护条例 计算机信息网络国际联网管理暂行规定 征信业管理条例
保守国家秘密法 保密法 国家安全法 反恐怖主义法 反间谍法 国家情报法 档案法 统计法 测绘法 电力法 教育法 义务教育法 高等教育法
教师法 未成年人保护法 预防未成年人犯罪法 家庭教育促进法 妇女权益保障法 老年人权益保障法 残疾人保障法 英雄烈士保护法
传染病防治法 基本医疗卫生与健康促进法 医师法 精神卫生法 人口与计划生育法 兵役法 出境入境管理法 护照法 居民身份证法
户口登记条例 政府采购法 招标投标法 预算法 审计法 城乡规划法 土地管理法 城市房地产管理法 物业管理条例 环境保护法
科学技术进步法 促进科技成果转化法 中小企业促进法 农业法 反食品浪费法 慈善法 村民委员会组织法 地方各级人民代表大会和地方各级人民政府组织法
社会秩序维护法 个人资料保护法 个人数据保护法 资通安全管理法 个人资料(私隐)条例 私隐条例 通用数据保护条例 gdpr
""".split())
# The books of the 民法典 that the corpus may not hold, as people name them
CODE_BOOKS: tuple[str, ...] = ("总则编", "物权编", "合同编", "婚姻家庭编", "继承编", "侵权责任编", "人格权编")
_QUOTED_TITLE = re.compile(r"《([^《》]{2,40}?)》")
_LAW_LIKE = re.compile(r"(?:法|法典|条例|规定|办法|细则|决定|解释|规则|编)$")
_STATE = "中华人民共和国"


def short_title(title: str) -> str:
    """A regulation's title as people name it: without 中华人民共和国, spaces and a trailing （…）."""
    title = re.sub(r"\s+", "", title)
    title = re.sub(r"[（(][^（）()]*[）)]$", "", title) if not title.endswith("(私隐)条例") else title
    return title[len(_STATE):] if title.startswith(_STATE) and len(title) > len(_STATE) else title


_REPEALED = re.compile(r"《([^《》]{2,40}?)》(?:同时)?(?:予以)?废止")


def repealed_titles(texts) -> tuple[str, ...]:
    """The law-like titles that texts repeal (《…》同时废止), as short forms."""
    found = {short_title(m.group(1)) for text in texts for m in _REPEALED.finditer(text)}
    return tuple(sorted(t for t in found if _LAW_LIKE.search(t) and len(t) >= 3))


def word_bounds(text: str, cut) -> set[int]:
    """The positions in text where one of ``cut``'s words (jieba's) starts or ends."""
    bounds, position = {0}, 0
    for word in cut(text):
        position += len(word)
        bounds.add(position)
    return bounds


# A local regulation named without 《》 (上海市数据条例, 深圳经济特区数据条例, 广东省数字经济促进条例): a place, its
# ending, then a title's own words up to 条例, with no particle, question word or punctuation between (上海的数据有什么
# 条例 names none). Only the places an index holds no local rules of are read so (Retriever.parse passes
# other_places): a held place's regulation named loosely (天津信息化条例) is the held one, not an absent law.
_NOT_IN_TITLE = "的有没么哪吗呢是在对按里中和与或及也都就还要能可会该请问怎如何为被把给让从向想需"
_LOCAL_TITLE_BODY = rf"(?:省|市|自治区|特别行政区)?[^\W{_NOT_IN_TITLE}]{{1,14}}?条例"


def unquoted_local_titles(text: str, places: tuple[str, ...]) -> tuple[str, ...]:
    """The local regulations of one of ``places`` that the text names without 《》, longest first."""
    if not places:
        return ()
    pattern = re.compile(f"(?:{'|'.join(map(re.escape, sorted(places, key=len, reverse=True)))}){_LOCAL_TITLE_BODY}")
    return tuple(sorted(set(pattern.findall(text)), key=lambda title: (-len(title), title)))


def named_laws(text: str, cut, names: tuple[str, ...] = LAW_NAMES, other_places: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The laws and regulations a (normalized) question names, in order: titles in 《》 that read like a law's,
    the local regulations of ``other_places`` named without 《》 (unquoted_local_titles), and the names in ``names``
    (and the 民法典's books) that start and end on the boundaries of ``cut``'s words."""
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    for match in _QUOTED_TITLE.finditer(text):
        title = short_title(match.group(1))
        if _LAW_LIKE.search(title):
            found.append((match.start(), title))
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
    found += _claim(text, unquoted_local_titles(text, other_places), taken)
    candidates = sorted({name for name in names + CODE_BOOKS if name in text}, key=lambda name: (-len(name), name))
    bounds = word_bounds(text, cut) if candidates else {0}
    found += [(start, f"民法典{name}" if name in CODE_BOOKS else name)
              for start, name in _claim(text, candidates, taken, lambda start, end: start in bounds and end in bounds)]
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


_BOOK = re.compile(r"第[一二三四五六七]编\s*(\S+?)(?:编)?(?:\s|$)")


def held_books(title: str, chapters) -> tuple[str, ...]:
    """The books (编) a regulation's articles come from, named as people name them (民法典人格权编)."""
    books = {m.group(1) + "编" for chapter in chapters for m in [_BOOK.search(chapter)] if m}
    return tuple(short_title(title) + book for book in sorted(books))


def absent_laws(named: tuple[str, ...], held_titles) -> tuple[str, ...]:
    """The named laws that none of held_titles (the searched corpus's regulations, and the books it holds as
    held_books names them) is: a name is held when it is part of a held title's short form (民法典 is held by
    中华人民共和国民法典, 民法典人格权编 by the book its articles come from)."""
    held = [short_title(t) for t in held_titles]
    return tuple(name for name in named if not any(name in title for title in held))


# A question about a later change of a law (修改以后, 新修订的, 2025年那次修改, 网安法修改过吗): asked of a text the
# corpus holds only as it stood before a change it knows of (the manifest's later_changes, Regulation.currency_note),
# the corpus cannot answer it. 修改 alone is also what a person asks of their own data (要求平台修改个人信息), so
# the change word must take a form that speaks of a text, and stand next to the law's name (_CHANGE_GAP).
_LATER_CHANGE = re.compile(r"(?:修改|修正|修订|修法)(?:以后|之后|后|过|了吗|了没有|了没|了什么|了哪些|的内容|的决定|决定|版)|"
                           r"新修[改订正]|新版|最新版|(?:这次|那次|上次|最近|今年|去年|新一轮)的?(?:修改|修正|修订)|"
                           r"(?:19|20)\d{2}\s*年.{0,3}?(?:修改|修正|修订)(?:以后|之后|后)?")
_CHANGE_REACH = 10
# what may stand between the law's name and the change word: a year, 那次/这次, 在/已经 … (网安法2025年那次修改以后,
# 网安法已经修订过), not another subject (网安法规定，用户协议修改后… asks of the agreement's change)
_CHANGE_GAP = re.compile(r"[》《\s\d年月在于是又已经刚被也都那这次上最近今去的]*")


def law_aliases(title: str, law_words=LAW_WORDS) -> tuple[str, ...]:
    """The names a question can give a law: its short title and the abbreviations LAW_WORDS maps to it
    (网络安全法, 网安法)."""
    short = short_title(title)
    return (short,) + tuple(alias for aliases, targets in law_words if short in targets
                            for alias in aliases if alias != short)


def asks_later_change(text: str, names: tuple[str, ...]) -> bool:
    """Whether the question asks about a change of the law it names by one of ``names`` (law_aliases) after its
    text: a change word (_LATER_CHANGE) within _CHANGE_REACH characters of the name with nothing but a year or the
    like between (_CHANGE_GAP; 修改后的 right before it), or 新 right before it (新网安法)."""
    spans = [(m.start(), m.end()) for name in names if name for m in re.finditer(re.escape(name), text)]
    if not spans:
        return False
    if any(text[:start].endswith(("新", "新的", "新《", "新的《")) for start, _ in spans):
        return True
    for m in _LATER_CHANGE.finditer(text):
        if text[m.end():m.end() + 1] == "的":  # 修改后的 … names what was changed: it must be the law
            if any(start in (m.end() + 1, m.end() + 2) for start, _ in spans):
                return True
            continue
        for start, end in spans:
            gap = text[end:m.start()] if end <= m.start() else text[m.end():start] if m.end() <= start else ""
            if len(gap) <= _CHANGE_REACH and _CHANGE_GAP.fullmatch(gap):
                return True
    return False


# Everyday words -> the regulations' words, for the BM25 side only: the dense model already relates
# them, and whether the corpus covers a question is judged without them (retrieval.Retriever.retrieve).
COLLOQUIAL: tuple[tuple[tuple[str, ...], str], ...] = (
    (("卖给", "卖了", "卖掉", "被卖", "拿去卖", "倒卖", "贩卖", "出卖", "买卖"), "出售 非法提供"),
    (("外泄", "泄漏", "流出去", "被泄"), "泄露"),
    (("个人资料", "个人数据", "隐私", "手机号", "身份证号", "住址", "通讯录", "用户资料", "用户数据"), "个人信息"),
    (("被黑", "黑客", "入侵", "攻击", "病毒", "勒索", "瘫痪"), "网络安全事件 攻击"),
    (("网站", "软件", "平台", "公众号", "网店", "论坛"), "网络运营者"),
    (("办事", "跑腿", "跑一趟", "跑多个部门", "一网通办"), "政务服务 网上办理"),
    (("调数据", "要数据", "数据互通", "互通"), "共享"),
    (("登记错", "弄错", "写错", "改错", "不准确"), "更正 错误"),
    (("罚多少", "罚款多少", "罚钱"), "罚款"),
    (("关店", "关网店", "停业", "倒闭"), "终止"),
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

# Provinces and major cities a question may name, by their short names. A named one that no regulation of the
# index governs (Retriever.aliases: 深圳 with only the five regulations) is an "other place": another place's local
# rules do not answer a question asked about it, and only national law can (Retriever._retrieve).
KNOWN_PLACES: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
    "宁夏", "新疆", "香港", "澳门", "深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉", "西安", "无锡", "石家庄", "长沙",
    "郑州", "济南", "青岛", "厦门", "宁波", "大连", "沈阳", "哈尔滨", "长春", "合肥", "福州", "南昌", "昆明", "贵阳", "南宁",
    "兰州", "太原", "呼和浩特", "乌鲁木齐", "拉萨", "银川", "西宁", "海口", "佛山", "东莞", "珠海", "温州", "常州", "南通",
    "徐州", "扬州", "烟台", "泉州", "嘉兴", "绍兴", "金华", "惠州", "中山", "汕头", "雄安", "浦东", "三亚")
# what may follow a place's name inside one of jieba's words (广东省, 深圳经济特区: one word each)
_PLACE_ENDINGS = ("特别行政区", "经济特区", "自治区", "省", "市", "县", "区")


def place_aliases(jurisdictions: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Aliases for the jurisdictions an index holds: the name, the name without 省/市, known cities."""
    aliases = {alias: j for alias, j in PLACE_ALIASES.items() if j in jurisdictions}
    for jurisdiction in jurisdictions:
        aliases[jurisdiction] = jurisdiction
        short = _SUFFIX.sub("", jurisdiction)
        if len(short) >= 2:
            aliases.setdefault(short, jurisdiction)
    return aliases


def _claim(text: str, names, taken: list[bool], fits=None) -> list[tuple[int, str]]:
    """(start, name) of every occurrence of ``names`` (tried in the order given: longest first) that overlaps no span
    already claimed in ``taken`` (marked as it goes) and that ``fits(start, end)`` accepts."""
    found = []
    for name in names:
        for match in re.finditer(re.escape(name), text):
            start, end = match.span()
            if not any(taken[start:end]) and (fits is None or fits(start, end)):
                found.append((start, name))
                taken[start:end] = [True] * (end - start)
    return found


def detect_places(text: str, aliases: dict[str, str]) -> tuple[str, ...]:
    """Jurisdictions named in the (normalized) text, in order of first mention, longest alias first."""
    found = [(start, aliases[alias])
             for start, alias in _claim(text, sorted(aliases, key=len, reverse=True), [False] * len(text))]
    ordered: list[str] = []
    for _, jurisdiction in sorted(found):
        if jurisdiction not in ordered:
            ordered.append(jurisdiction)
    return tuple(ordered)


def other_places(text: str, aliases: dict[str, str], cut) -> tuple[str, ...]:
    """The KNOWN_PLACES a (normalized) question names that ``aliases`` (the places an index's regulations govern)
    do not cover, in order of mention: a name counts where it starts on one of ``cut``'s word boundaries and ends on
    one, or before 省/市/区/县 that does (广东省 is one word to jieba; 西藏 in 东西藏起来 is no place)."""
    candidates = [name for name in KNOWN_PLACES if name in text and name not in aliases]
    if not candidates:
        return ()
    bounds = word_bounds(text, cut)

    def fits(start: int, end: int) -> bool:
        return start in bounds and (end in bounds or any(text.startswith(ending, end) and end + len(ending) in bounds
                                                         for ending in _PLACE_ENDINGS))

    # the covered names claim their spans first (朝阳区 is Beijing's, not a further place)
    taken = [False] * len(text)
    _claim(text, sorted(aliases, key=len, reverse=True), taken)
    found = _claim(text, sorted(candidates, key=lambda name: (-len(name), name)), taken, fits)
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


# A rule word within a place's clause (上海的数据条例对…, 广东省推行的首席数据官制度, 重庆有没有出台…实施细则): the question
# asks what that place's own rules say. A clause break or a national word (我在上海，国家规定…) ends the place's clause.
_CLAUSE_END = re.compile(r"[，。？！；,?!;]|国家|全国|国务院|法律")
_RULE_WORD = re.compile(r"规定|政策|制度|条例|办法|细则|规章|文件")


def asks_place_rules(text: str, places: tuple[str, ...], reach: int = 30) -> bool:
    """Whether the (normalized) text asks about the rules of one of ``places``: a rule word within ``reach``
    characters after the place's name, in its clause."""
    for place in places:
        for match in re.finditer(re.escape(place), text):
            clause = _CLAUSE_END.split(text[match.end():match.end() + reach], maxsplit=1)[0]
            if _RULE_WORD.search(clause):
                return True
    return False


def expand_synonyms(text: str) -> str:
    """Append the regulations' words for colloquial terms found in the text."""
    extra = [target for source, target in SYNONYMS if source in text and target not in text]
    return text if not extra else f"{text} {' '.join(extra)}"


def colloquial_expansion(text: str) -> str:
    """The text plus the regulations' words for the everyday words it uses (for BM25)."""
    extra = [target for sources, target in COLLOQUIAL if any(source in text for source in sources)]
    return text if not extra else f"{text} {' '.join(extra)}"
