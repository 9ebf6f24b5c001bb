"""Cleaning rules for raw regulation text; each rule is a small pure function with its own test."""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

# Tone-marked pinyin inserted after characters by some web sites: 規(guī)範 -> 規範.
# Only a parenthesised run of Latin letters holding at least one tone mark is removed, so
# (一), (GB/T 22239) and (a) stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN = re.compile(
    rf"[(（]\s*[a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*\s*[)）]")
_PAGE_NUMBER = re.compile(r"^\s*(?:[－\-—–]\s*\d{1,4}\s*[－\-—–]|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_AD_WORDS = ("本站", "范文", "客服", "欢迎咨询", "參考范文", "参考价值", "參考價值", "精心整理", "免费下载")
_SENTENCE_PUNCT = re.compile(r"[。，；：、！？,;:!?]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else GB18030; raise UnicodeDecodeError otherwise.

    When neither fits, the error raised is the one of the encoding that read further (the likelier
    one), with its position in ``raw``.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            raise max(utf8_error, gb_error, key=lambda err: err.start) from None


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Split YAML front matter off a Markdown file.

    Returns (metadata, rest, offset of rest in text); metadata is {} when there is none.
    """
    match = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", text, re.S)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text, 0
    if not isinstance(meta, dict):
        return {}, text, 0
    return meta, text[match.end():], match.end()


def strip_html_comments(line: str) -> str:
    return _HTML_COMMENT.sub("", line)


def is_page_number(line: str) -> bool:
    """Page-number lines left by PDF extraction: －2－, - 3 -, 第4页, 5/12."""
    return bool(_PAGE_NUMBER.match(line))


def strip_markdown(line: str) -> str:
    """Remove Markdown markup: headings, list markers, block quotes, bold and italics."""
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = re.sub(r"^\s*>\s?", "", line)
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)
    line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
    line = re.sub(r"__(.+?)__", r"\1", line)
    return line


def is_rule_line(line: str) -> bool:
    """A Markdown horizontal rule or table separator."""
    return bool(re.fullmatch(r"\s*(?:[-*_]\s*){3,}\s*|\s*\|?[\s:|-]+\|[\s:|-]*", line))


def remove_pinyin(text: str) -> str:
    """Remove pinyin readings inserted after characters: 規(guī)範 -> 規範."""
    return _PINYIN.sub("", text)


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC t2s); simplified text is unchanged."""
    return _converter().convert(text)


@lru_cache(maxsize=1)
def _mainland_converter():
    from opencc import OpenCC

    return OpenCC("tw2sp")


# Words tw2sp reads as Taiwan's computing terms where a question about regulations means the everyday word:
# 指標 (an indicator, a quota: 小客車指標, 績效指標) would become 指针 (a pointer). Simplified first, they pass.
_NOT_COMPUTING_TERMS = (("指標", "指标"),)


def to_mainland(text: str) -> str:
    """A question written in traditional characters -> simplified characters and mainland words (OpenCC tw2sp:
    資訊 -> 信息, 網路 -> 网络, 軟體 -> 软件), which t2s leaves as 资讯, 网路, 软体; text without traditional
    characters is returned unchanged (tw2sp's phrase table is not applied to simplified text)."""
    if to_simplified(text) == text:
        return text
    for word, everyday in _NOT_COMPUTING_TERMS:
        text = text.replace(word, everyday)
    return _mainland_converter().convert(text)


def normalize_punctuation(text: str) -> str:
    """Half-width punctuation written inside Chinese text -> full-width, as official texts print it.

    A comma, semicolon, colon, question or exclamation mark after a Chinese character, and
    parentheses around Chinese text such as (一), become full-width. (GB/T 22239) stays.
    """
    pairs = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
    text = re.sub(rf"(?<=[{_CJK}）」》])([,;:?!])", lambda m: pairs[m.group(1)], text)
    text = re.sub(rf"\(([{_CJK}]{{1,12}})\)", r"（\1）", text)
    return text


def normalize_spaces(text: str) -> str:
    """Strip indentation and trailing space; drop spaces between two Chinese characters."""
    text = text.replace("\u3000", " ").replace("\xa0", " ").strip()
    text = re.sub(rf"(?<=[{_CJK}（）《》“”，。；：、])\s+(?=[{_CJK}（）《》“”，。；：、])", "", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def is_ad_line(line: str) -> bool:
    """Advertising inserted by scraping sites (本站為你精心整理了…范文)."""
    return sum(word in line for word in _AD_WORDS) >= 2


def is_tag_line(line: str) -> bool:
    """A trailing line of unrelated keyword tags: several space-separated words, no punctuation."""
    words = line.split()
    return len(words) >= 4 and not _SENTENCE_PUNCT.search(line) and all(len(w) <= 12 for w in words)


def remove_invisible(text: str) -> str:
    """Remove zero-width characters (U+200B and kin) that web pages leave, some on lines of their own."""
    return _INVISIBLE.sub("", text)


def prepare_line(line: str) -> str:
    """First per-line rules: markup, invisible characters, pinyin, traditional characters (spacing is kept)."""
    line = remove_invisible(strip_html_comments(line))
    line = strip_markdown(line)
    line = remove_pinyin(line)
    return to_simplified(line)


def finish_text(text: str) -> str:
    """Last per-line rules: punctuation and spacing."""
    return normalize_spaces(normalize_punctuation(text))
