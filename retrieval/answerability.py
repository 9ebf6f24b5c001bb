"""Answerability: does the corpus answer this question? Read against the articles it would cite.

A question is read against its best hits with signals a person could check:
- the question's focus: its content words (jieba, precise mode) that no article of the searched corpus holds
  (摇号, 网吧, 个税 …), and the share of its words the best articles hold;
- the ranking model's cosines of the best article and of its best sentence; how far the dense side's best article
  stands out from its next nine (article_margin: a question the corpus covers has one clearly closest article,
  a near-topic one many similar ones); and BM25 on the question's own words.

A logistic model over these signals (``AnswerabilityModel``, trained by ``python -m eval answerability`` on
the dev questions only, stored as plain JSON in ``retrieval/answerability.json``) gives the probability that
the corpus answers the question. Where that probability is not high (under ``ReaderStage.read_below``), or the
question asks a specific detail or a quantity that articles rarely state (``asks_detail``: a name, an address, a list,
a form, a procedure's materials, an amount), the
answerability reader (models.reader, a cross-encoder) reads the question with the best article, and a second
logistic step over the signals' logit and the reader's logit decides (issue 16, seventh session): a confident
question pays no reader, an uncertain one one forward pass. The decision has three states:
- ``answered``: the probability clears the threshold;
- ``partial``: it does not, but the best articles share the question's subject except for words no article
  holds: the answer says which words the corpus does not cover and shows the nearest provisions as 可能相关;
- ``not_found``: nothing plausible.
Whatever decides is named in the page (``Decision.reason``).
"""
from __future__ import annotations

import json
import math
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.tokenize import STOP_WORDS, make_segmenter
from retrieval.normalize import KNOWN_PLACES
from retrieval.records import STATES, Decision, Signal  # noqa: F401 (re-exported)
from retrieval.wording import absent_place, later_change, titles

MODEL_FILE = Path(__file__).resolve().parent / "answerability.json"


def logistic(z: float) -> float:
    """The logistic function, its argument clipped to ±40 (no overflow): the stored models' probabilities."""
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

# Words of asking, not of subject: never a question's focus.
_ASKING = frozenset("""
多少钱 多少 怎么办 怎么 怎样 咋办 咋 能不能 可不可以 可以吗 行不行 是不是 有没有 要不要 会不会 该不该 应不应该 哪里 哪儿
哪个 哪些 为什么 为啥 什么 啥 吗 呢 吧 呀 么 请问 想问 问一下 一下 知道 告诉 现在 目前 已经 如果 假如 要是 的话
比如 比方说 到底 究竟 具体 一般 通常 大概 能否 是否 需不需要 需要 必须 一定 可能 应该 得 还是 或者 以及 然后 但是
可是 不过 因为 所以 这样 那样 这种 那种 这个 那个 我们 我 你 他 她 他们 咱们 人家 别人 自己 有人 东西 事情 情况
时候 问题 规定 条例 法律 法规 要求 说法 意思 算 属于 里 里面 上 下 中 后 前 给 被 让 把 对 对于 关于 还 又 都 也
就 才 只 会 能 要 想 去 来 做 搞 弄 办 用 说 讲 看 找 有 没 没有 不 不能 不用 不得 可以 应当 得到 一个 一些 几个
打算 准备 担心 害怕 怕 最多 最少 最高 最低 至少 最多能 最少要 最高能
""".split())
# a conjunction joined by jieba to the next character (或开了银行账户 -> 或开): a chance segment, not a subject
_JOINED_CONJUNCTION = re.compile(r"^[或和与及并而]\w$")
# Places are where a question is asked, not what it asks about (national law holds everywhere).
PLACE_NAMES = KNOWN_PLACES + ("全国", "本地", "当地", "外地", "省里", "市里", "县里", "区里")
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z][a-z0-9]{1,}")
# counts and spans of time (一个月, 三年, 每天, 好几万): what a question measures with, not what it is about
_COUNTING = re.compile(r"^[每第头前后近上下半好几一二两三四五六七八九十百千万多整]+[个年月天日次周号岁元块分倍期单台份条家位种批]?.{0,1}$")
# A question asking for an amount, a price, a time limit or a count (多少钱, 几天, 多久, 上限, 比例 …) is answered
# only by an article that states one.
_ASKS_QUANTITY = re.compile(r"多少|几[天个年次分倍号月周岁级档种成]|几小时|百分之几|多久|多长时间|多大|多高|多少钱|上限|下限|比例|税率|利率|费率|单价|"
                            r"价格|价位|收费标准|费用标准|标准是|怎么收|咋收|几点|哪天|截止|期限是|有效期")
_QUANTITY = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:元|日|天|个月|月|年|小时|倍|次|分|周岁|岁|个工作日|%)|百分之")
# The kind of quantity a question asks (a share, a sum of money, a time limit or date, a count) and how an article
# states one of that kind: a question asking 百分之几 is not answered by an article that states only 五百万元.
_NUMERAL = r"[0-9０-９一二三四五六七八九十百千万两零〇半]+"
QUANTITY_KINDS = {
    "比例": (re.compile(r"百分之几|百分之多少|百分比|几成|多少成|比例是多少|什么比例|比例多少|占比|占多少|几个点|税率|费率|利率"),
           re.compile(rf"百分之{_NUMERAL}|{_NUMERAL}\s*%|{_NUMERAL}成|{_NUMERAL}分之")),
    "金额": (re.compile(r"多少钱|多少元|几元|多少块|几块钱|多少万|几万|收费标准|费用标准|罚多少|罚款多少|多少罚款|注册资本|补贴多少|"
                      r"补多少|奖励多少|多少资金|费用是多少|价格|多少费|多少(?:劳务|服务|手续|管理|检测|认证|培训|租)费|赔多少|"
                      r"赔偿多少|怎么收费|怎么收|租金"),
           re.compile(rf"{_NUMERAL}\s*(?:万元|元|亿元|倍)")),
    "期限": (re.compile(r"几天|多少天|几日|多少日|几个工作日|多少个工作日|多久|多长时间|几个月|多少个月|几小时|多少小时|期限是|有效期|几年|"
                      r"多少年|时限|截止|几号|哪天|几月"),
           re.compile(rf"{_NUMERAL}\s*(?:日|天|个工作日|工作日|个月|月|年|小时|周)|每年|年度|[年月]底|月末|年末|之日起|日前|日内")),
    "数量": (re.compile(r"几个|多少个|多少人|几人|几级|几个等级|几类|几种|多少家|几家|几次|多少次|几节|多少节"),
           re.compile(rf"{_NUMERAL}\s*(?:个|人|级|类|种|家|次|名|项)")),
}


# A question asking for a specific detail that statutes rarely state: a name, an office or its address, a website,
# a channel, a phone line, an app, a form or template to download, a list of bodies or products, a procedure and its
# materials, a qualification, the session that adopted a text, a count of classes or cards. The signals are often
# sure of such questions (the article is on their subject) while the article does not say the detail, so the reader
# reads them at any probability (AnswerabilityModel.reads), as it reads questions asking a quantity (_ASKS_QUANTITY).
# Chosen on the dev questions (tenth session; retrieval/answerability.json unchanged): on answer_dev, 703 of 876 out
# of scope abstained against 653 reading under read_below alone, at 20 of 1,004 answerable refused against 19, while
# the benchmark's questions read 229 of 780 against 204 (the reader there is trained on answer_dev, so these dev
# figures are in-sample for it).
_ASKS_DETAIL = re.compile(r"叫什么|名字|名称是|哪个局|哪家(?:公司|机构|单位|医院|银行)|由谁担任|谁担任|谁来当|谁是|地址|"
                          r"在哪[儿里]?(?:办公|下载|报名|申请|查询|查|看|办理|办)|哪个网站|网址|网站是|链接|渠道|热线|电话|"
                          r"哪个(?:app|软件|平台|系统|菜单|栏目)|下载|模板|表格|名单|具体有哪些|流程|材料|报名|证书|资格证|国籍|"
                          r"哪一次|哪次会议|几节|几张|几家|几所|"
                          # twenty-sixth session: a standard's own text, a rate or fee's basis, a list of apps, a how-to,
                          # practical advice, today's facts, who pays (on all dev questions, with the reader forced to
                          # read every one and the decision replayed: 15 more of 2,671 out of scope abstained, none of
                          # 4,694 answerable newly refused; 6 more answerable read)
                          r"按什么标准|哪些(?:app|应用|软件|平台)|GB/?T\s*\d{4,}|国家标准|国标|安装|"
                          r"最(?:安全|好|划算|靠谱|有效|方便)|已经被认定|(?:目前|现在|全国)都?有哪些|谁(?:出|付|承担)|论文|几篇",
                          re.IGNORECASE)


def asks_detail(question: str) -> bool:
    """Whether a question asks a specific detail or a quantity (the reader reads it at any probability)."""
    return bool(_ASKS_DETAIL.search(question) or _ASKS_QUANTITY.search(question))


def unstated_kinds(question: str, text: str) -> tuple[list[str], list[str]]:
    """(the kinds of quantity the question asks, those of them the text states none of)."""
    asked = [kind for kind, (asks, _) in QUANTITY_KINDS.items() if asks.search(question)]
    return asked, [kind for kind in asked if not QUANTITY_KINDS[kind][1].search(text)]


FEATURES = ("article_cosine", "sentence_cosine", "article_margin", "bm25", "covered_top1", "covered_top3",
            "missing", "missing_share", "missing_known", "missing_rarity", "content_words", "asks_quantity",
            "quantity_unstated", "kind_unstated")


@dataclass(frozen=True)
class ReaderStage:
    """The second step: P(answerable) = sigmoid(w_signals x logit(signals' probability) + w_reader x reader logit
    + bias), read for questions whose signals' probability is under read_below, and for those asking a specific
    detail or a quantity (asks_detail) at any probability."""

    weights: tuple[float, float]
    bias: float
    threshold: float
    read_below: float
    reader_model: str  # the reader it was fitted for (models.reader's record model_name prefix)

    def probability(self, base: float, reader: float) -> float:
        base = min(max(base, 1e-9), 1 - 1e-9)
        z = self.weights[0] * math.log(base / (1 - base)) + self.weights[1] * reader + self.bias
        return logistic(z)


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardized logistic regression over FEATURES (weights from retrieval/answerability.json)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float  # P(answerable) under which the corpus is taken not to answer
    partial_share: float  # 'partial' needs the best article to hold this share of the words some article holds
    trained_on: dict = field(default_factory=dict, compare=False)  # what trained it: model, questions, digest
    reader: ReaderStage | None = None  # the reader's step (None: the signals alone decide)

    def reads(self, base_probability: float, question: str = "") -> bool:
        """Whether the reader reads a question with this probability from the signals: under read_below, or
        (given the question's text) one asking a specific detail or a quantity (asks_detail)."""
        return self.reader is not None and (base_probability < self.reader.read_below
                                            or bool(question) and asks_detail(question))

    def probability(self, values: dict[str, float]) -> float:
        x = (np.array([values[name] for name in self.features], dtype=np.float64) - self.mean) / self.scale
        z = float(x @ self.weights + self.bias)
        return logistic(z)

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the logit (for the explanation)."""
        x = (np.array([values[name] for name in self.features], dtype=np.float64) - self.mean) / self.scale
        return dict(zip(self.features, (x * self.weights).tolist()))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, "threshold": self.threshold,
                "partial_share": self.partial_share, "trained_on": self.trained_on,
                "reader": None if self.reader is None else {
                    "weights": list(self.reader.weights), "bias": self.reader.bias, "threshold": self.reader.threshold,
                    "read_below": self.reader.read_below, "reader_model": self.reader.reader_model}}

    @classmethod
    def from_json(cls, raw: dict) -> "AnswerabilityModel":
        return cls(tuple(raw["features"]), np.array(raw["mean"], dtype=np.float64),
                   np.array(raw["scale"], dtype=np.float64), np.array(raw["weights"], dtype=np.float64),
                   float(raw["bias"]), float(raw["threshold"]), float(raw["partial_share"]),
                   dict(raw.get("trained_on", {})), _stage(raw.get("reader")))


def _stage(raw: dict | None) -> ReaderStage | None:
    if not raw:
        return None
    return ReaderStage((float(raw["weights"][0]), float(raw["weights"][1])), float(raw["bias"]), float(raw["threshold"]),
                       float(raw["read_below"]), str(raw["reader_model"]))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswerabilityModel | None:
    """The shipped model, or None when the file is missing or unreadable (the thresholds decide then)."""
    try:
        return AnswerabilityModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@lru_cache(maxsize=8)
def _longest_first(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of two characters or more, longest first (sorted once per tuple, not per question)."""
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


def content_words(text: str, ignore: tuple[str, ...] = ()) -> list[str]:
    """The question's subject words: jieba's precise cut, two characters or more, without asking words,
    stop words and the names in ``ignore`` (places, law titles)."""
    words = []
    # the names are cut out before the question is segmented, so that none leaves a fragment (个保法里 -> 个 保法里)
    for name in _longest_first(ignore):
        text = text.replace(name, " ")
    for word in make_segmenter().lcut(text):
        word = word.strip()
        if not _CJK_OR_WORD.fullmatch(word) or word in _ASKING or word in STOP_WORDS or _COUNTING.match(word):
            continue
        if _JOINED_CONJUNCTION.match(word) and not known(word):
            continue
        if any(word in name for name in ignore):
            continue
        words.append(word)
    return list(dict.fromkeys(words))


def rarity(word: str) -> float:
    """-log of the word's frequency in jieba's general dictionary (rare or unknown words score high)."""
    segmenter = make_segmenter()
    return -math.log((segmenter.FREQ.get(word, 0) + 1) / segmenter.total)


def known(word: str) -> bool:
    """Whether jieba's general dictionary knows the word (a real word, not a chance segment)."""
    return make_segmenter().FREQ.get(word, 0) > 0


def measure(question: str, held, top_texts: list[str], ignore: tuple[str, ...], article_cosine: float,
            sentence_cosine: float, article_margin: float, bm25: float) -> tuple[dict[str, float], tuple[str, ...]]:
    """The FEATURES of one question against its best articles, and the words no searched article holds.

    held(word): whether a searched article holds the word; top_texts: the best hits' texts (titles included),
    best first (the first three are read); ignore: names that are never the question's focus (places, the
    abbreviations the retriever maps to the laws' words).
    """
    words = content_words(question, ignore)
    asked, unstated = unstated_kinds(question, "\n".join(top_texts[:3]))
    missing = [w for w in words if not held(w)]
    present = [w for w in words if w not in missing]
    top1 = top_texts[0] if top_texts else ""
    top3 = "\n".join(top_texts[:3])
    # the share of all the question's words an article holds (a word no article holds counts as not held)
    share = lambda text: (sum(w in text for w in present) / len(words)) if words else 0.0  # noqa: E731
    values = {
        "article_cosine": article_cosine, "sentence_cosine": sentence_cosine, "article_margin": article_margin,
        "bm25": math.log1p(max(bm25, 0.0)),
        "covered_top1": share(top1), "covered_top3": share(top3),
        "missing": float(len(missing)), "missing_share": len(missing) / len(words) if words else 0.0,
        "missing_known": float(sum(known(w) for w in missing)),
        "missing_rarity": max((rarity(w) for w in missing), default=0.0),
        "content_words": float(len(words)),
        "asks_quantity": float(bool(_ASKS_QUANTITY.search(question))),
        "quantity_unstated": float(bool(_ASKS_QUANTITY.search(question)) and not _QUANTITY.search(top3)),
        # the share of the kinds of quantity asked (比例, 金额, 期限, 数量) that the best three articles state none of
        "kind_unstated": (len(unstated) / len(asked)) if asked else 0.0,
    }
    return values, tuple(missing)


class CorpusWords:
    """Which articles hold a word (substring of title or text), cached per word; one per loaded index."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.joined = "\n".join(texts)
        self._rows: dict[str, np.ndarray] = {}
        self._anywhere: dict[str, bool] = {}

    def rows_holding(self, word: str) -> np.ndarray:
        rows = self._rows.get(word)
        if rows is None:
            rows = np.zeros(len(self.texts), dtype=bool)
            if word in self.joined:
                rows = np.fromiter((word in text for text in self.texts), dtype=bool, count=len(self.texts))
            if len(self._rows) > 50_000:  # a long-running app: keep the cache bounded
                self._rows.clear()
            self._rows[word] = rows
        return rows

    def held(self, word: str, allowed: np.ndarray) -> bool:
        if allowed.all():  # every article searched: one substring search, no row mask
            found = self._anywhere.get(word)
            if found is None:
                found = self._anywhere[word] = word in self.joined
                if len(self._anywhere) > 50_000:
                    self._anywhere.clear()
            return found
        return bool((self.rows_holding(word) & allowed).any())


_WORDS: dict[int, CorpusWords] = {}  # by id of a live IndexData (an entry leaves with its index)


def corpus_words(data) -> CorpusWords:
    """The CorpusWords of a loaded index (shared by every Retriever over it, e.g. eval's variants)."""
    words = _WORDS.get(id(data))
    if words is None or words.owner() is not data:
        words = CorpusWords([f"{a.regulation}\n{a.text}" for a in data.articles])
        words.owner = weakref.ref(data)
        _WORDS[id(data)] = words
        weakref.finalize(data, _WORDS.pop, id(data), None)
    return words


_SAYS = {
    "article_cosine": "最相关条文与问题的语义相似度不高（{v:.2f}）",
    "sentence_cosine": "最相关条文中没有一句与问题意思接近（最高 {v:.2f}）",
    "article_margin": "语义上最接近的条文并不比其他条文明显更贴近问题（高出 {v:.2f}）",
    "bm25": "问题的字词在条文中出现得少",
    "covered_top1": "最相关条文只包含问题关键词的 {v:.0%}",
    "covered_top3": "前三条相关条文只包含问题关键词的 {v:.0%}",
}


def decide(model: AnswerabilityModel, values: dict[str, float], uncovered: tuple[str, ...],
           reader: float | None = None, absent: tuple[str, ...] = (), places: tuple[str, ...] = (),
           changed: tuple[str, ...] = ()) -> Decision:
    """The three-state decision from the model's probability, with the signals that weighed most. ``reader``: the
    reader's logit for the best article, when it read the question (``model.reads``); its step then decides.
    ``absent``: laws the question names that the searched corpus does not hold: the corpus answers it at most in
    part, whatever the probability (the state is then 'partial', or 'not_found' where nothing is plausible).
    ``places``: the places the question asks about, whose local regulations the corpus does not hold, where the
    best article is another place's local one: gated the same way. ``changed``: searched laws whose later change
    the question asks about, held only as they stood before it (Query.changed): gated the same way."""
    base = model.probability(values)
    staged = reader is not None and model.reader is not None
    probability = model.reader.probability(base, reader) if staged else base
    threshold = model.reader.threshold if staged else model.threshold
    unstated = bool(values.get("quantity_unstated")) or values.get("kind_unstated", 0.0) > 0
    contributions = model.contributions(values)
    signals = []
    if absent:
        signals.append(Signal("absent_law", float(len(absent)), f"问题提到的{titles(absent)}不在所检索的法规中"))
    if places:
        signals.append(Signal("absent_place", float(len(places)), absent_place(places)))
    if changed:
        signals.append(Signal("later_change", float(len(changed)), later_change(changed)))
    if staged and probability < threshold and reader < 0:
        signals.append(Signal("reader", reader, f"阅读模型把问题和最相关条文放在一起读，判断该条文没有回答这个问题（评分 {reader:.1f}）"))
    # the page names the evidence against answering, strongest first (a negative share of the logit)
    for name, share in sorted(contributions.items(), key=lambda item: item[1]):
        if share >= -0.25:
            break
        if name.startswith("missing") and uncovered and not any(s.name == "missing" for s in signals):
            signals.append(Signal("missing", values["missing"], f"问题中的“{'”“'.join(uncovered)}”在所检索的法规中没有出现"))
        elif name == "kind_unstated" and unstated:
            signals.append(Signal(name, values[name], "问题问的是具体的比例、金额、期限或数量，最相关的几条条文都没有写明这类数字"))
        elif name == "quantity_unstated" and unstated:
            signals.append(Signal(name, 1.0, "问题问的是具体的数额、期限或标准，最相关的条文没有规定"))
        elif name in _SAYS:
            signals.append(Signal(name, values[name], _SAYS[name].format(v=values[name])))
    score = f"可回答评分 {probability:.2f}（阈值 {threshold:.2f}）"
    if staged:
        score += f"，其中阅读模型评分 {reader:.1f}、其余信号评分 {base:.2f}"
    extra = {"reader": float(reader) if staged else float("nan"), "base_probability": base, "absent_laws": absent,
             "absent_places": places, "changed_laws": changed}
    gated = bool(absent or places or changed)
    if probability >= threshold and not gated:
        return Decision("answered", probability, threshold, uncovered, f"判断依据：{score}。", tuple(signals),
                        features=tuple(values.items()), unstated_quantity=unstated, **extra)
    # partial: the best article holds most of the question's words that some article holds
    held = values["covered_top1"] / (1.0 - values["missing_share"]) if values["missing_share"] < 1.0 else 0.0
    # a question naming an absent law or place that the signals would answer: the corpus answers the rest of it
    partly = (gated and probability >= threshold) or ((uncovered or unstated or gated) and held >= model.partial_share)
    # where the reader read: its verdict first, then two signals as elsewhere (after the absent law or place)
    shown = signals[:(3 if staged else 2) + bool(absent) + bool(places) + bool(changed)]
    named = [s.text for s in shown]
    if uncovered and not any(s.name == "missing" for s in shown):
        # words no searched article holds lower the coverage shares the model reads: the page names them
        named.append(f"问题中的“{'”“'.join(uncovered)}”在所检索的法规中没有出现")
    because = "；".join(named)
    reason = f"判断依据：{score}" + (f"；{because}" if because else "") + "。"
    return Decision("partial" if partly else "not_found", probability, threshold, uncovered, reason,
                    tuple(signals), features=tuple(values.items()), unstated_quantity=unstated, **extra)


def by_thresholds(confidence: float, best_bm25: float, settings, features: dict[str, float],
                  uncovered: tuple[str, ...]) -> Decision:
    """The decision before issue 16 (cosine and BM25 thresholds), for systems without the model."""
    if confidence < settings.abstain_below:
        reason = f"判断依据：最相关条文的相似度 {confidence:.3f} 低于拒答阈值 {settings.abstain_below}。"
    elif confidence < settings.abstain_unsure_below and best_bm25 < settings.abstain_bm25_below:
        reason = (f"判断依据：最相关条文的相似度 {confidence:.3f} 低于 {settings.abstain_unsure_below}，"
                  f"且字词匹配得分 {best_bm25:.1f} 低于 {settings.abstain_bm25_below}。")
    else:
        return Decision("answered", float("nan"), settings.abstain_below, uncovered,
                        f"判断依据：最相关条文的相似度 {confidence:.3f}（拒答阈值 {settings.abstain_below}）。",
                        decided_by="thresholds", features=tuple(features.items()))
    return Decision("not_found", float("nan"), settings.abstain_below, uncovered, reason, decided_by="thresholds",
                    features=tuple(features.items()))
