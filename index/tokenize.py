"""The one tokenizer shared by the BM25 corpus side and queries: jieba with a domain dictionary."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ingest.text import normalize_text

# Domain terms jieba must keep whole (and their common parts, via cut_for_search).
USER_WORDS = (
    "网信部门", "网信办", "公共数据", "政务数据", "政务信息", "政务信息资源", "政务服务", "信息化主管部门",
    "网络运营者", "关键信息基础设施", "等级保护", "网络安全等级保护", "电子政务", "电子政务网络",
    "信息化工程", "信息化项目", "信息资源", "信息系统", "网络安全", "数据安全", "个人信息", "个人信息保护",
    "重要数据", "数字经济", "数字政府", "智慧城市", "大数据", "云计算", "物联网", "人工智能", "区块链",
    "信息技术", "信息产业", "信息安全", "信息服务", "软件产业", "集成电路", "数据共享", "数据开放",
    "共享交换", "应急预案", "安全事件", "安全事故", "网络与信息系统", "信息化规划", "专项资金",
    "政府采购", "可行性研究", "竣工验收", "监理", "信息基础设施", "通信管理机构", "无线电", "信息网络",
    "电子商务", "电子签名", "电子认证", "数字证书", "网络安全事件", "信息公开", "政务公开", "数字鸿沟",
    "信息化水平", "信息素养", "两化融合", "工业互联网", "5G", "政务云", "数据中心", "责令改正", "罚款",
    "行政处分", "刑事责任", "网络安全和信息化", "县级以上", "人民政府",
)
STOP_WORDS = frozenset("""
的 了 是 在 和 与 或 或者 及 以及 等 对 把 被 给 让 向 从 由 为 为了 以 于 之 其 该 这 那 这个 那个 这些 那些
啊 吗 呢 吧 呀 嘛 哦 么 什么 怎么 怎么样 怎样 如何 哪些 哪个 哪 谁 多少 几 是否 是不是 能不能 能否 可不可以
有没有 要不要 会不会 我 我们 你 你们 他 她 它 他们 咱们 自己 一下 一个 有 没有 就 都 也 还 又 很 要 会 能 可以
请问 想 问 知道 一般 规定 条例 办法 本条例 本办法 有关 相关 应当 按照 依照 根据 进行 开展 工作 方面 情况 问题
， 。 ？ ！ 、 ； ： “ ” ‘ ’ （ ） 《 》 【 】 … — · ? ! , . ; : " ' ( ) [ ] - / 
""".split())

Tokenizer = Callable[[str], list[str]]


def tokenizer_fingerprint(extra_words: tuple[str, ...] = ()) -> str:
    """Hash of everything that shapes tokens: jieba's version, the dictionary, the stop words."""
    import jieba

    payload = json.dumps([jieba.__version__, sorted(USER_WORDS + extra_words), sorted(STOP_WORDS), "search-v1"],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def make_segmenter(extra_words: tuple[str, ...] = ()):
    """jieba's segmenter with its default dictionary (from the plain-file cache) and the domain words, built once."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    load_prefix_dictionary(segmenter)
    for word in USER_WORDS + extra_words:
        segmenter.add_word(word, freq=200_000)
    return segmenter


@lru_cache(maxsize=4)
def make_tokenizer(extra_words: tuple[str, ...] = ()) -> Tokenizer:
    """Build the tokenizer: normalize, jieba search-mode cut with the domain dictionary, drop stop words."""
    segmenter = make_segmenter(extra_words)

    def tokenize(text: str) -> list[str]:
        tokens = []
        for token in segmenter.cut_for_search(normalize_text(text)):
            token = token.strip()
            if token and token not in STOP_WORDS:
                tokens.append(token)
        return tokens

    return tokenize


def load_prefix_dictionary(segmenter, cache_root: Path | None = None) -> None:
    """Give a fresh jieba.Tokenizer its default prefix dictionary from a plain-file cache.

    jieba's own cache is a marshal file that takes about 1.5 s to load here, the largest part of
    the app's start after gradio; the same 498,113 entries read from a word list and a count array
    take about 0.35 s. The cache is built from jieba's own dictionary on first use, keyed by the
    dictionary file's hash, under $REGQA_HOME/jieba. Any problem falls back to jieba's own loading.
    """
    import jieba
    import numpy as np

    from core import paths
    from core.files import sha256_file

    if segmenter.initialized or segmenter.dictionary != jieba.DEFAULT_DICT:
        return
    try:
        folder = (cache_root or paths.jieba_cache_dir()) / (
            f"{jieba.__version__}-{sha256_file(Path(jieba.__file__).with_name('dict.txt'))[:16]}")
        if not (folder / "prefix.json").is_file():
            segmenter.initialize()  # jieba's own way, once; then written out for the next start
            _write_prefix_dictionary(folder, segmenter.FREQ, segmenter.total)
            return
        about = json.loads((folder / "prefix.json").read_text(encoding="utf-8"))
        words = (folder / "prefix-words.txt").read_text(encoding="utf-8").split("\n")
        counts = np.load(folder / "prefix-counts.npy", allow_pickle=False)
        if not (len(words) == len(counts) == about["entries"]) or counts.dtype != np.int64:
            raise ValueError("word list, counts and prefix.json disagree")
        segmenter.FREQ = dict(zip(words, counts.tolist()))
        segmenter.total = int(about["total"])  # jieba counts repeated dictionary lines in its total
        segmenter.initialized = True
    except (OSError, ValueError, KeyError, TypeError) as error:
        import logging

        logging.getLogger(__name__).warning("jieba prefix cache unusable (%s); loading jieba's own", error)
        segmenter.FREQ, segmenter.total, segmenter.initialized = {}, 0, False
        segmenter.initialize()


def _write_prefix_dictionary(folder: Path, frequencies: dict[str, int], total: int) -> None:
    import os
    import tempfile

    import numpy as np

    if any("\n" in word for word in frequencies):
        return  # cannot be a line-per-word file; jieba's own cache serves instead
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".jieba-"))
    (staging / "prefix-words.txt").write_text("\n".join(frequencies), encoding="utf-8")
    np.save(staging / "prefix-counts.npy", np.fromiter(frequencies.values(), dtype=np.int64, count=len(frequencies)))
    (staging / "prefix.json").write_text(json.dumps({"entries": len(frequencies), "total": total}), encoding="utf-8")
    for name in ("prefix-counts.npy", "prefix-words.txt", "prefix.json"):  # prefix.json last: it means complete
        os.replace(staging / name, folder / name)
    staging.rmdir()
