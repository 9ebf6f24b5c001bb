"""Excerpt choice: which sentences, paragraphs (款) or items (项) of an article are quoted, verbatim."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.records import Article, GlossaryEntry

SHORT_ARTICLE = 120  # characters; an article this short is quoted whole (Settings.short_article)
# A sentence ends with 。！？ (and any closing quote or bracket right after).
_SENTENCE = re.compile(r"[^。！？]+(?:[。！？]+[”’」』）)]*)?")
# A paragraph introducing items carries the verb when it ends with a colon after one of these words.
_GOVERNING_VERB = re.compile(r"应当|不得|可以|禁止|负责|给予|责令|处|包括|含义|是指|下列|采取|鼓励|支持|履行|遵守|建立|组织|做好")


@dataclass(frozen=True)
class _Unit:
    """A quotable piece of an article: a sentence of a paragraph, or an item; offsets into its text."""

    start: int
    end: int
    lead: int | None = None  # for an item: the unit (sentence) that introduces it, when it carries the verb


def units(article: Article) -> list[_Unit]:
    """Sentences of each paragraph and each item, located in ``article.text``."""
    found: list[_Unit] = []
    offset = 0
    for paragraph in article.paragraphs:
        start = article.text.find(paragraph.text, offset)
        lead = None
        if start >= 0 and paragraph.text:
            for match in _SENTENCE.finditer(paragraph.text):
                found.append(_Unit(start + match.start(), start + match.end()))
            offset = start + len(paragraph.text)
            last = article.text[found[-1].start:found[-1].end] if found else ""
            if paragraph.items and last.endswith(("：", ":")) and _GOVERNING_VERB.search(last):
                lead = len(found) - 1
        for item in paragraph.items:
            start = article.text.find(item, offset)
            if start >= 0 and item:
                found.append(_Unit(start, start + len(item), lead))
                offset = start + len(item)
    return found


@lru_cache(maxsize=1024)
def tokens(text: str) -> frozenset[str]:
    """The question's tokens, by the tokenizer shared with the index (cached: one answer asks often)."""
    from index.tokenize import make_tokenizer

    return frozenset(make_tokenizer()(text))


def _weight(token: str) -> float:
    return 0.5 if len(token) == 1 else float(min(len(token), 4))


def overlap(text: str, words: set[str] | frozenset[str], article: Article) -> float:
    """Weight of the question's tokens found in the text; words of the regulation's title and place
    name the regulation, not the provision, and count nothing."""
    context = article.regulation + article.jurisdiction
    text = text.lower()
    return sum(_weight(t) for t in words if t in text and t not in context)


def select(article: Article, units: list[_Unit], chosen: list[int]) -> tuple[str, ...]:
    """The chosen units (with the lead-ins of chosen items) as excerpts; touching sentences are merged."""
    wanted = set(chosen) | {units[i].lead for i in chosen if units[i].lead is not None}
    spans: list[list[int]] = []
    for i in sorted(wanted):
        unit = units[i]
        if spans and spans[-1][1] == unit.start:
            spans[-1][1] = unit.end
        else:
            spans.append([unit.start, unit.end])
    return tuple(article.text[start:end] for start, end in spans)


def excerpts_for(article: Article, query_text: str, max_units: int = 2, short_article: int = SHORT_ARTICLE,
                 share: float = 0.4) -> tuple[str, ...]:
    """The sentences / paragraphs / items of the article that best answer the question, verbatim.

    Units are scored by the question's tokens they contain (longer tokens weigh more), with a small
    preference for earlier units; an item is quoted with the paragraph that introduces it.
    Without any overlap the article's first sentence is quoted; a short article is quoted whole.
    """
    pieces = units(article)
    if not pieces:
        return (article.text,) if article.text else ()
    if len(article.text) <= short_article:
        return select(article, pieces, list(range(len(pieces))))
    wanted = tokens(query_text)
    scores = []
    for position, unit in enumerate(pieces):
        scores.append(overlap(article.text[unit.start:unit.end], wanted, article) - 0.01 * position)
    order = sorted(range(len(pieces)), key=lambda i: (-scores[i], i))
    best = scores[order[0]]
    if best <= 0:
        return select(article, pieces, [0])
    chosen = [i for i in order[:max_units] if scores[i] >= share * best]
    return select(article, pieces, chosen)


def definition_excerpts(article: Article, entry: GlossaryEntry) -> tuple[str, ...]:
    """The sentence or item of the article that defines the term (with its lead-in)."""
    pieces = units(article)
    probe = entry.definition[:12]
    for position, unit in enumerate(pieces):
        piece = article.text[unit.start:unit.end]
        if entry.term in piece and probe in piece:
            return select(article, pieces, [position])
    return excerpts_for(article, entry.term, max_units=1)


