"""Excerpt choice: which sentences, paragraphs (款) or items (项) of an article are quoted, verbatim."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.store import sentences_of
from ingest.records import Article, GlossaryEntry

SHORT_ARTICLE = 120  # characters; an article this short is quoted whole (Settings.short_article)
# the cosine distance from the closest unit at which a unit's dense evidence counts nothing (excerpts_for)
DENSE_SPAN = 0.1
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


def with_items(units: list[_Unit], chosen: list[int], scores: list[float], item_chars: int,
               max_items: int) -> list[int]:
    """The chosen units, and for each chosen lead-in (有下列情形之一的：) none of whose items is chosen, its items:
    all of them when together they are at most item_chars long, else the max_items that score best. A lead-in
    quoted alone says that a list follows and not what is on it."""
    result = list(chosen)
    for lead in chosen:
        items = [i for i, unit in enumerate(units) if unit.lead == lead]
        if not items or any(i in chosen for i in items):
            continue
        if sum(units[i].end - units[i].start for i in items) <= item_chars:
            result += items
        else:
            result += sorted(items, key=lambda i: (-scores[i], i))[:max_items]
    return result


def unit_cosines(article: Article, pieces: list[_Unit], sentence_scores: tuple[float, ...]) -> list[float] | None:
    """Each unit's closeness to the question by the ranking model: the best cosine of the stored sentence passages
    (index.store.sentences_of) it overlaps; a unit overlapping none (a clause under six characters) gets the
    article's lowest. None when the scores do not match the article's sentences."""
    sentences = sentences_of(article.text)
    if not sentence_scores or len(sentence_scores) != len(sentences):
        return None
    spans, offset = [], 0
    for sentence in sentences:
        start = article.text.find(sentence, offset)
        if start < 0:
            return None
        spans.append((start, start + len(sentence)))
        offset = start + len(sentence)
    lowest = min(sentence_scores)
    return [max((score for (start, end), score in zip(spans, sentence_scores) if start < unit.end and end > unit.start),
                default=lowest) for unit in pieces]


def excerpts_for(article: Article, query_text: str, max_units: int = 2, short_article: int = SHORT_ARTICLE,
                 share: float = 0.4, sentence_scores: tuple[float, ...] = (), dense_weight: float = 0.0,
                 item_chars: int = 0) -> tuple[str, ...]:
    """The sentences / paragraphs / items of the article that best answer the question, verbatim.

    Units are scored by the question's tokens they contain (longer tokens weigh more), with a small
    preference for earlier units; an item is quoted with the paragraph that introduces it.
    With the ranking model's sentence cosines (``sentence_scores``, from the hit) and ``dense_weight`` > 0, the
    score is the words' share of the best unit's plus dense_weight x (1 - the unit's distance in cosine to the
    closest unit / DENSE_SPAN): a paraphrase (转手卖给培训机构 for 非法向他人提供) finds its sentence too.
    Without any evidence the article's first sentence is quoted; a short article is quoted whole. A lead-in
    quoted without its items brings them (``item_chars``, see with_items).
    """
    pieces = units(article)
    if not pieces:
        return (article.text,) if article.text else ()
    if len(article.text) <= short_article:
        return select(article, pieces, list(range(len(pieces))))
    wanted = tokens(query_text)
    words = [overlap(article.text[unit.start:unit.end], wanted, article) for unit in pieces]
    cosines = unit_cosines(article, pieces, sentence_scores) if dense_weight > 0 else None
    if cosines is None:
        scores = [value - 0.01 * position for position, value in enumerate(words)]
    else:
        most, closest = max(words), max(cosines)
        scores = [(value / most if most > 0 else 0.0) + dense_weight * (1 - (closest - cosine) / DENSE_SPAN)
                  - 0.001 * position for position, (value, cosine) in enumerate(zip(words, cosines))]
    order = sorted(range(len(pieces)), key=lambda i: (-scores[i], i))
    best = scores[order[0]]
    chosen = [0] if best <= 0 else [i for i in order[:max_units] if scores[i] >= share * best]
    if item_chars:
        chosen = with_items(pieces, chosen, scores, item_chars, max_units)
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


