"""Definitions (用语含义 / 所称…是指 / 以下简称) and cross-references (违反本条例第二十六条规定) between articles."""
from __future__ import annotations

import re

from ingest.numerals import NUMERAL_CHARS, parse_numeral
from ingest.records import Article, CrossRef, GlossaryEntry, article_key

_N = f"[{NUMERAL_CHARS}]+"
# 本条例所称公共数据，是指… / 本办法所称信息化，是指… / 本法所称电信网络诈骗，是指… (a law: 本法)
_SO_CALLED = re.compile(r"本(?:法|编|条例|办法|规定|细则)(?:中)?所称(?:的)?([^，,。；]{1,30}?)[，,]?(是指|指|包括)([^。]*。?)")
# （一）信息化，是指… inside a 下列用语的含义 article
_LISTED = re.compile(r"^[（(][一二三四五六七八九十]+[）)]([^，,。；]{1,30}?)[，,]?(是指|指|包括)(.*)$")
# 县级以上负责网络安全和信息化工作的部门（以下简称网信部门）: the clause before the parenthesis defines it
_SHORT_NAME = re.compile(r"([^，,。；：（(]{2,40})[（(]以下简称[“\"「]?([^）)”\"」]{1,15})[”\"」]?[）)]")
# A run of article references: 第二十六条、第二十七条 / 第十条至第十二条 / 第二十九条第二款
_REF_RUN = re.compile(rf"第{_N}条(?:第{_N}款)?(?:(?:、|和|或者|或|以及|至)第{_N}条(?:第{_N}款)?)*")
_ONE_REF = re.compile(rf"(至)?第({_N})条")
# 《中华人民共和国网络安全法》第六十四条第一款 / 《网络安全法》第二十一条、第二十五条
_LAW_REF = re.compile(rf"《([^《》]{{2,40}})》(?:的)?((?:第{_N}条(?:第{_N}款)?)(?:(?:、|和|或者|或|以及|至)第{_N}条(?:第{_N}款)?)*)")
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
    """Links from an article to the articles it cites: of its own regulation (违反本条例第二十六条), and of another
    regulation of the corpus named by its title (依照《中华人民共和国网络安全法》第六十四条: to the version in force).

    No links are made between versions of one regulation, or to or from the units of a document without
    articles (their numbers are ordinals).
    """
    return _own_references(articles) + _law_references(articles)


def _targets(run: str) -> list[int]:
    """The article numbers a run of references names, ranges (第十条至第十二条) expanded."""
    targets: list[int] = []
    for match in _ONE_REF.finditer(run):
        number = parse_numeral(match.group(2))
        if match.group(1) and targets:
            targets.extend(range(targets[-1] + 1, number + 1))
        else:
            targets.append(number)
    return targets


def _law_references(articles: list[Article]) -> list[CrossRef]:
    """References to articles of other regulations of the corpus: 《title》第X条 (title with or without 中华人民共和国)."""
    articles = [a for a in articles if a.unit == "条"]
    current = {(a.regulation, a.article_no): a.key for a in articles
               if not a.version and not a.sub_no and not a.repeat}
    titles = {a.regulation for a in articles}
    named = {title: title for title in titles}
    named.update({title.removeprefix("中华人民共和国"): title for title in titles if title.startswith("中华人民共和国")})
    links: list[CrossRef] = []
    for article in articles:
        seen: set[tuple[str, int]] = set()
        for match in _LAW_REF.finditer(article.text):
            target = named.get(match.group(1))
            if target is None or target == article.regulation:
                continue
            for number in _targets(match.group(2)):
                key = current.get((target, number))
                if key is not None and (target, number) not in seen:
                    seen.add((target, number))
                    links.append(CrossRef(article.regulation, article.article_no, number,
                                          f"《{match.group(1)}》{match.group(2)}", article.version, article.key, key,
                                          to_regulation=target))
    return links


def _own_references(articles: list[Article]) -> list[CrossRef]:
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
            for number in _targets(run.group(0)):
                if number != article.article_no and number not in seen \
                        and (article.regulation, article.version, number) in numbers:
                    seen.add(number)
                    links.append(CrossRef(article.regulation, article.article_no, number, run.group(0),
                                          article.version, article.key,
                                          numbers[(article.regulation, article.version, number)]))
    return links
