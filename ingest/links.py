"""Definitions (用语含义 / 所称…是指 / 以下简称) and cross-references (违反本条例第二十六条规定) between articles."""
from __future__ import annotations

import re

from ingest.numerals import NUMERAL_CHARS, parse_numeral
from ingest.records import Article, CrossRef, GlossaryEntry, article_key

_N = f"[{NUMERAL_CHARS}]+"
# 本条例所称公共数据，是指… / 本办法所称信息化，是指…
_SO_CALLED = re.compile(r"本(?:条例|办法|规定|细则)(?:中)?所称(?:的)?([^，,。；]{1,30}?)[，,]?(是指|指|包括)([^。]*。?)")
# （一）信息化，是指… inside a 下列用语的含义 article
_LISTED = re.compile(r"^[（(][一二三四五六七八九十]+[）)]([^，,。；]{1,30}?)[，,]?(是指|指|包括)(.*)$")
# 县级以上负责网络安全和信息化工作的部门（以下简称网信部门）: the clause before the parenthesis defines it
_SHORT_NAME = re.compile(r"([^，,。；：（(]{2,40})[（(]以下简称[“\"「]?([^）)”\"」]{1,15})[”\"」]?[）)]")
# A run of article references: 第二十六条、第二十七条 / 第十条至第十二条 / 第二十九条第二款
_REF_RUN = re.compile(rf"第{_N}条(?:第{_N}款)?(?:(?:、|和|或者|或|以及|至)第{_N}条(?:第{_N}款)?)*")
_ONE_REF = re.compile(rf"(至)?第({_N})条")
_ARTICLE_HEAD = re.compile(rf"^第{_N}条[\s\u3000]*")


def glossary(articles: list[Article]) -> list[GlossaryEntry]:
    """Collect defined terms from every article, in article order."""
    entries: list[GlossaryEntry] = []
    for article in articles:
        listed = "用语的含义" in article.text or "用语含义" in article.text
        for paragraph in article.paragraphs:
            for match in _SO_CALLED.finditer(paragraph.text):
                entries.append(_entry(article, *match.groups()))
            for match in _SHORT_NAME.finditer(paragraph.text):
                phrase = _ARTICLE_HEAD.sub("", match.group(1)).strip()
                entries.append(_entry(article, match.group(2), "是指", phrase + "。"))
            if listed:
                for item in paragraph.items:
                    if match := _LISTED.match(item):
                        entries.append(_entry(article, *match.groups()))
    return entries


def _entry(article: Article, term: str, verb: str, definition: str) -> GlossaryEntry:
    """A glossary entry; '包括' stays part of the definition (是指 does not)."""
    definition = (verb if verb == "包括" else "") + definition.strip()
    return GlossaryEntry(term=term.strip("“”\"'「」 "), definition=definition, regulation=article.regulation,
                         article_no=article.article_no, label=article.label, version=article.version,
                         key=article.key)


def cross_references(articles: list[Article]) -> list[CrossRef]:
    """Links from an article to the other articles of its own regulation that it cites.

    References to other laws (《中华人民共和国网络安全法》第二十一条) are not links; nor are links made between
    versions, or to or from the units of a document without articles (their numbers are ordinals).
    """
    articles = [a for a in articles if a.unit == "条"]
    # 第X条 names X: not X之一, nor a second article printed with X (a repeat)
    numbers = {(a.regulation, a.version, a.article_no): a.key for a in articles if not a.sub_no and not a.repeat}
    links: list[CrossRef] = []
    for article in articles:
        seen: set[int] = set()
        for run in _REF_RUN.finditer(article.text):
            before = article.text[max(0, run.start() - 12):run.start()]
            if "》" in before and "本条例" not in before and "本办法" not in before:
                continue
            targets: list[int] = []
            for match in _ONE_REF.finditer(run.group(0)):
                number = parse_numeral(match.group(2))
                if match.group(1) and targets:  # a range 第十条至第十二条
                    targets.extend(range(targets[-1] + 1, number + 1))
                else:
                    targets.append(number)
            for number in targets:
                if number != article.article_no and number not in seen \
                        and (article.regulation, article.version, number) in numbers:
                    seen.add(number)
                    links.append(CrossRef(article.regulation, article.article_no, number, run.group(0),
                                          article.version, article.key,
                                          numbers[(article.regulation, article.version, number)]))
    return links
