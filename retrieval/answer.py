"""Extractive answers: the retrieved articles' own words, cited and grouped by regulation.

No language model: each excerpt is a verbatim slice of an article (a sentence, a paragraph 款 or an
item 项), chosen by overlap with the question. Entry point: ``compose(retrieval, data) -> Answer``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.store import IndexData
from ingest.records import Article, GlossaryEntry, Regulation
from retrieval.normalize import MAX_QUESTION_CHARS, clean_question
from retrieval.records import Filters, Hit, Retrieval

ROLES = ("answer", "referenced", "nearby", "definition")

# Quality bar, tuned on the dev split of the gold set: a hit is cited when its BM25 score is close
# to the best hit's (or fairly close while its dense similarity is near the best one), and its text
# shares most of the words the best-sharing hit shares with the question, unless its dense
# similarity is (almost) the best: 收费 vs 收取费用 is a paraphrase that only the dense side sees.
BM25_CLOSE = 0.7
BM25_FAIR = 0.4
DENSE_NEAR = 0.015
DENSE_BEST = 0.005
OVERLAP_SHARE = 0.6
MAX_REFERENCED = 4  # articles added because a cited article refers to them (or they to it)
MAX_REFERENCED_EACH = 2
MAX_NEARBY = 3
NEARBY_OVERLAP = 2.0  # a 'nearby' article shares at least one word of two characters with the question
SHORT_ARTICLE = 120  # characters; an article this short is quoted whole

# Definition questions: 什么是… / …是指什么 / …的含义 / …什么意思 / …包括哪些
_DEFINITION_CUE = re.compile(r"什么是|何为|何谓|什么叫|是指|指什么|指的是|指哪些|都指|含义|意思|定义|包括哪些|包括谁"
                             r"|包括什么|都包括|哪些算|算不算|算是|算“|算\"|算「")
_CUE_AFTER_TERM = re.compile(r"[”」』\"']?(?:具体|到底|究竟|都|主要|一般)?(?:是指|指的是|指|是什么|是啥|的含义|的意思"
                             r"|什么意思|啥意思|是怎么定义|怎么定义|如何定义|的定义|包括|包含|算)")
_CUE_BEFORE_TERM = re.compile(r"(?:什么是|何为|何谓|什么叫|什么叫做|算)[“「『\"']?$")
_WORD_BOUNDARY_BEFORE = set("的是说讲叫谓称里中和与及、，,：:“「『\"' ")
_OPEN_QUOTES, _CLOSE_QUOTES = "“「『\"'", "”」』\"'"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Penalty questions: the rule articles found get the penalty articles that refer to them.
_PENALTY_CUE = re.compile(r"罚|处分|法律责任|责任|追责|追究|处置|怎么处理|如何处理|被处理|后果|怎么办|会怎么样|会怎样"
                          r"|违反|违法|赔|制裁|惩")
# A sentence ends with 。！？ (and any closing quote or bracket right after).
_SENTENCE = re.compile(r"[^。！？]+(?:[。！？]+[”’」』）)]*)?")
# A paragraph introducing items carries the verb when it ends with a colon after one of these words.
_GOVERNING_VERB = re.compile(r"应当|不得|可以|禁止|负责|给予|责令|处|包括|含义|是指|下列|采取|鼓励|支持|履行|遵守|建立|组织|做好")


@dataclass(frozen=True)
class Citation:
    """One cited article, with the excerpts shown and why it is shown (its role)."""

    regulation: str
    jurisdiction: str
    article_no: int
    label: str  # 第二十八条
    chapter: str  # '' when the regulation has no chapters
    effective_date: str  # ISO date, '' when not known
    status: str  # 有效 / '' when not known
    excerpts: tuple[str, ...]  # verbatim slices of the article's text, in text order
    role: str  # 'answer' | 'referenced' | 'nearby' | 'definition'
    referenced_by: str = ""  # for 'referenced': the citation of the article it is linked with
    notes: tuple[str, ...] = ()  # known source defects of the article, shown to users
    relation: str = ""  # for 'referenced': why it is shown, e.g. 第四十七条引用的条文
    text: str = ""  # the whole article, for readers who expand the citation
    sub_no: int = 0  # 1 for 第十二条之一

    @property
    def citation(self) -> str:
        return f"《{self.regulation}》{self.label}"

    @property
    def key(self) -> str:
        suffix = f"-{self.sub_no}" if self.sub_no else ""
        return f"{self.regulation}#{self.article_no}{suffix}"


@dataclass(frozen=True)
class Block:
    """What a reader sees as one section: a regulation, or in a comparison one jurisdiction."""

    heading: str
    citations: tuple[Citation, ...]
    missing: tuple[str, ...] = ()  # rows such as 《北京市信息化促进条例》未见相关规定


@dataclass(frozen=True)
class Answer:
    """A composed answer: a lead sentence, then the cited excerpts; or a plain 未找到."""

    question: str
    lead: str
    citations: tuple[Citation, ...]  # grouped by regulation; a referenced article follows its partner
    abstained: bool
    comparison: tuple[str, ...] = ()  # jurisdictions compared (empty when the question compares none)
    notes: tuple[str, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()  # (jurisdiction, regulation) named but with no relevant article
    terms: tuple[str, ...] = ()  # the question's key words found in the excerpts, longest first

    def blocks(self) -> tuple[Block, ...]:
        """Sections to show: one per compared jurisdiction, else one per regulation."""
        if self.comparison:
            return tuple(Block(place, tuple(c for c in self.citations if c.jurisdiction == place),
                               tuple(f"《{title}》未见相关规定" for j, title in self.missing if j == place))
                         for place in self.comparison)
        blocks = [Block(title, (), (f"《{title}》未见相关规定",)) for _, title in self.missing]
        for title in dict.fromkeys(c.regulation for c in self.citations):
            blocks.append(Block(title, tuple(c for c in self.citations if c.regulation == title)))
        return tuple(blocks)

    @property
    def text(self) -> str:
        """Plain-text rendering for CLIs and tests."""
        lines = [self.lead]
        lines += [f"注：{note}" for note in self.notes]
        for block in self.blocks():
            lines.append(f"【{block.heading}】")
            lines += [f"  {row}" for row in block.missing]
            for citation in block.citations:
                tag = {"nearby": "（可能相关）", "definition": "（用语含义）",
                       "referenced": f"（{citation.relation}）"}.get(citation.role, "")
                lines.append(f"{citation.citation}{tag}")
                lines += [f"  “{excerpt}”" for excerpt in citation.excerpts]
                lines += [f"  注：{note}" for note in citation.notes]
        return "\n".join(lines)


# ---------------------------------------------------------------- excerpts


@dataclass(frozen=True)
class _Unit:
    """A quotable piece of an article: a sentence of a paragraph, or an item; offsets into its text."""

    start: int
    end: int
    lead: int | None = None  # for an item: the unit (sentence) that introduces it, when it carries the verb


def _units(article: Article) -> list[_Unit]:
    """Sentences of each paragraph and each item, located in ``article.text``."""
    units: list[_Unit] = []
    offset = 0
    for paragraph in article.paragraphs:
        start = article.text.find(paragraph.text, offset)
        lead = None
        if start >= 0 and paragraph.text:
            for match in _SENTENCE.finditer(paragraph.text):
                units.append(_Unit(start + match.start(), start + match.end()))
            offset = start + len(paragraph.text)
            last = article.text[units[-1].start:units[-1].end] if units else ""
            if paragraph.items and last.endswith(("：", ":")) and _GOVERNING_VERB.search(last):
                lead = len(units) - 1
        for item in paragraph.items:
            start = article.text.find(item, offset)
            if start >= 0 and item:
                units.append(_Unit(start, start + len(item), lead))
                offset = start + len(item)
    return units


@lru_cache(maxsize=1024)
def _tokens(text: str) -> frozenset[str]:
    """The question's tokens, by the tokenizer shared with the index (cached: one answer asks often)."""
    from index.tokenize import make_tokenizer

    return frozenset(make_tokenizer()(text))


def _weight(token: str) -> float:
    return 0.5 if len(token) == 1 else float(min(len(token), 4))


def _overlap(text: str, tokens: set[str], article: Article) -> float:
    """Weight of the question's tokens found in the text; words of the regulation's title and place
    name the regulation, not the provision, and count nothing."""
    context = article.regulation + article.jurisdiction
    text = text.lower()
    return sum(_weight(t) for t in tokens if t in text and t not in context)


def _select(article: Article, units: list[_Unit], chosen: list[int]) -> tuple[str, ...]:
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


def excerpts_for(article: Article, query_text: str, max_units: int = 2) -> tuple[str, ...]:
    """The sentences / paragraphs / items of the article that best answer the question, verbatim.

    Units are scored by the question's tokens they contain (longer tokens weigh more), with a small
    preference for earlier units; an item is quoted with the paragraph that introduces it.
    Without any overlap the article's first sentence is quoted; a short article is quoted whole.
    """
    units = _units(article)
    if not units:
        return (article.text,) if article.text else ()
    if len(article.text) <= SHORT_ARTICLE:
        return _select(article, units, list(range(len(units))))
    tokens = _tokens(query_text)
    scores = []
    for position, unit in enumerate(units):
        scores.append(_overlap(article.text[unit.start:unit.end], tokens, article) - 0.01 * position)
    order = sorted(range(len(units)), key=lambda i: (-scores[i], i))
    best = scores[order[0]]
    if best <= 0:
        return _select(article, units, [0])
    chosen = [i for i in order[:max_units] if scores[i] >= 0.4 * best]
    return _select(article, units, chosen)


def _definition_excerpts(article: Article, entry: GlossaryEntry) -> tuple[str, ...]:
    """The sentence or item of the article that defines the term (with its lead-in)."""
    units = _units(article)
    probe = entry.definition[:12]
    for position, unit in enumerate(units):
        piece = article.text[unit.start:unit.end]
        if entry.term in piece and probe in piece:
            return _select(article, units, [position])
    return excerpts_for(article, entry.term, max_units=1)


# ---------------------------------------------------------------- choosing articles


def _passes(hit: Hit, best_bm25: float, best_dense: float, close: float, fair: float, near: float) -> bool:
    if hit.retriever == "dense":
        return hit.dense_score >= best_dense - 2 * near
    if best_bm25 <= 0:  # no word of the question occurs in any hit
        return False
    ratio = hit.bm25_score / best_bm25
    if hit.retriever == "bm25":
        return ratio >= close
    return ratio >= close or (ratio >= fair and best_dense - hit.dense_score <= near)


def _plausible(hits: list[Hit], overlap: dict[str, float], reference: list[Hit] | None = None,
               loose: bool = False) -> list[Hit]:
    """The hits whose evidence is close to the best of ``reference`` (default: the hits themselves).

    Args:
        overlap: per article key, the weight of the question's words its text contains.
    """
    reference = reference if reference is not None else hits
    if not hits or not reference:
        return []
    best_bm25 = max(h.bm25_score for h in reference)
    best_dense = max(h.dense_score for h in reference)
    best_overlap = max(overlap[h.key] for h in reference)
    close, fair, near = (BM25_FAIR, BM25_FAIR, 2 * DENSE_NEAR) if loose else (BM25_CLOSE, BM25_FAIR, DENSE_NEAR)
    share = OVERLAP_SHARE / 2 if loose else OVERLAP_SHARE
    return [h for h in hits if _passes(h, best_bm25, best_dense, close, fair, near)
            and (overlap[h.key] >= share * best_overlap or h.dense_score >= best_dense - DENSE_BEST)]


def _allowed(regulation: Regulation, filters: Filters | None) -> bool:
    if filters and filters.regulations and regulation.title not in filters.regulations:
        return False
    return not (filters and filters.jurisdictions and regulation.jurisdiction not in filters.jurisdictions)


def _defined_terms(question: str, glossary: tuple[GlossaryEntry, ...]) -> list[str]:
    """Glossary terms the question asks the meaning of: quoted, or next to a cue such as 是指, 什么是."""
    if not _DEFINITION_CUE.search(question):
        return []
    taken = [False] * len(question)
    found: list[tuple[int, str]] = []
    for term in sorted({g.term for g in glossary}, key=len, reverse=True):
        for match in re.finditer(re.escape(term), question):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            before, after = question[start - 1:start], question[end:end + 1]
            quoted = bool(before) and before in _OPEN_QUOTES and bool(after) and after in _CLOSE_QUOTES
            bounded = not before or before in _WORD_BOUNDARY_BEFORE or not _CJK.match(before)
            cued = bool(_CUE_AFTER_TERM.match(question, end)) or bool(_CUE_BEFORE_TERM.search(question[:start]))
            if quoted or (bounded and (cued or not _CJK.match(after))):
                found.append((start, term))
                for i in range(start, end):
                    taken[i] = True
    return [term for _, term in sorted(found)]


def _citation(article: Article, regulation: Regulation | None, role: str, excerpts: tuple[str, ...],
              referenced_by: str = "", relation: str = "") -> Citation:
    return Citation(
        regulation=article.regulation, jurisdiction=article.jurisdiction, article_no=article.article_no,
        label=article.label, chapter=article.chapter,
        effective_date=(regulation.effective_date if regulation else None) or "",
        status=(regulation.status if regulation else None) or "", excerpts=excerpts, role=role,
        referenced_by=referenced_by, notes=article.notes, relation=relation, text=article.text,
        sub_no=article.sub_no)


def _titles(regulations: dict[str, Regulation]) -> str:
    return "、".join(f"《{title}》" for title in regulations)


def _key_terms(query_text: str, citations: list[Citation], extra: list[str]) -> tuple[str, ...]:
    shown = "\n".join(e for c in citations for e in c.excerpts).lower()
    terms = {t for t in _tokens(query_text) if len(t) >= 2 and t in shown} | set(extra)
    # only whole words: 政资 and 财政 are parts of 财政资金
    terms = {t for t in terms if not any(t != other and t in other for other in terms)}
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


def compose(retrieval: Retrieval, data: IndexData, max_articles: int = 5,
            filters: Filters | None = None) -> Answer:
    """Turn a retrieval into a cited answer (see the module docstring).

    Args:
        max_articles: at most this many articles answer the question (definitions included);
            linked articles (references, penalties) and 'nearby' ones come on top.
        filters: the filters the retrieval used, so that definitions and comparisons respect them.
    """
    query = retrieval.query
    articles = {a.key: a for a in data.articles}
    regulations = {r.title: r for r in data.regulations}
    question, _ = clean_question(query.original)
    notes: list[str] = []
    if query.truncated:
        notes.append(f"问题超过 {MAX_QUESTION_CHARS} 字，只按前 {MAX_QUESTION_CHARS} 字检索。")
    in_scope = {title: r for title, r in regulations.items() if _allowed(r, filters)}
    if filters and (filters.regulations or filters.jurisdictions):
        notes.append(f"已按筛选条件只在{_titles(in_scope) or '（无）'}中查找。")
    places = tuple(p for p in query.places if any(r.jurisdiction == p for r in in_scope.values()))
    notes += [f"筛选条件不包括{place}的法规。" for place in query.places if place not in places]

    # 1. definitions from the glossary come first
    terms = _defined_terms(question, data.glossary)
    chosen = _definitions(terms, data, articles, in_scope, places)

    # 2. then the hits that plausibly answer (per named place when the question names places)
    hits, missing, fallback = ([], [], False) if retrieval.abstained else \
        _answering_hits(list(retrieval.hits), query.text, articles, in_scope, places, chosen)
    if fallback:
        notes.append(f"{'、'.join(places)}的法规中未见相关规定，以下是其他地区法规中的相关规定，仅供参考。")
    cited = {c.key for c in chosen}
    for hit in hits:
        if len(chosen) >= max_articles:
            break
        if hit.key not in cited:
            article = articles[hit.key]
            chosen.append(_citation(article, regulations.get(article.regulation), "answer",
                                    excerpts_for(article, query.text)))
            cited.add(hit.key)
    if not chosen:
        return _abstain(retrieval, articles, regulations, notes, query.text)

    # 3. the articles a cited article refers to, and for penalty questions the penalty articles
    linked = _linked(chosen, data, articles, regulations, query.text, bool(_PENALTY_CUE.search(question)))

    # 4. group by regulation (in a comparison, in the order the places were named)
    titles = list(dict.fromkeys(c.regulation for c in chosen))
    if query.is_comparison:
        titles.sort(key=lambda t: places.index(regulations[t].jurisdiction)
                    if regulations[t].jurisdiction in places else len(places))
    ordered = [c for title in titles for citation in chosen if citation.regulation == title
               for c in (citation, *linked.get(citation.key, []))]

    # 5. the lead sentence
    comparison = places if query.is_comparison else ()
    defined = [t for t in terms if any(t in e for c in chosen if c.role == "definition" for e in c.excerpts)]
    return Answer(question=query.original, lead=_lead(ordered, titles, defined, comparison, missing),
                  citations=tuple(ordered), abstained=False, comparison=comparison, notes=tuple(notes),
                  missing=tuple(missing), terms=_key_terms(query.text, ordered, defined))


def _definitions(terms: list[str], data: IndexData, articles: dict[str, Article],
                 in_scope: dict[str, Regulation], places: tuple[str, ...]) -> list[Citation]:
    """One 'definition' citation per article defining the terms (in scope, in the named places)."""
    chosen: list[Citation] = []
    for term in terms:
        for entry in data.glossary:
            regulation = in_scope.get(entry.regulation)
            if entry.term != term or regulation is None or (places and regulation.jurisdiction not in places):
                continue
            article = articles[f"{entry.regulation}#{entry.article_no}"]
            excerpts = _definition_excerpts(article, entry)
            same = [i for i, c in enumerate(chosen) if c.key == article.key]
            if same:  # two terms defined in one article: one citation
                excerpts = _order(article, tuple(dict.fromkeys(chosen[same[0]].excerpts + excerpts)))
                chosen[same[0]] = _citation(article, regulation, "definition", excerpts)
            else:
                chosen.append(_citation(article, regulation, "definition", excerpts))
    return chosen


def _answering_hits(hits: list[Hit], query_text: str, articles: dict[str, Article],
                    in_scope: dict[str, Regulation], places: tuple[str, ...],
                    definitions: list[Citation]) -> tuple[list[Hit], list[tuple[str, str]], bool]:
    """The hits to cite, the (place, regulation) pairs named but without a relevant article, and
    whether other places' hits stand in for a single named place that has none."""
    tokens = _tokens(query_text)
    overlap = {h.key: _overlap(articles[h.key].text, tokens, articles[h.key]) for h in hits}
    if not places or not hits:
        return _plausible(hits, overlap), [], False
    kept: list[Hit] = []
    missing: list[tuple[str, str]] = []
    for place in places:
        group = [h for h in hits if h.jurisdiction == place]
        if _plausible(group, overlap, reference=hits, loose=True):
            kept += _plausible(group, overlap)
        elif not any(c.jurisdiction == place for c in definitions):
            missing += [(place, r.title) for r in in_scope.values() if r.jurisdiction == place]
    if kept or len(places) > 1:
        rank = {h.key: i for i, h in enumerate(hits)}
        return sorted(kept, key=lambda h: rank[h.key]), missing, False
    others = _plausible(hits, overlap)
    return others, missing, bool(others)


def _lead(citations: list[Citation], titles: list[str], defined: list[str], comparison: tuple[str, ...],
          missing: list[tuple[str, str]]) -> str:
    main = [c for c in citations if c.role in ("answer", "definition")]
    extra = len(citations) - len(main)
    lead = f"共找到 {len(titles)} 部法规的 {len(main)} 条相关规定" + (f"，另附 {extra} 条关联条文" if extra else "") + "。"
    definitions = [c for c in citations if c.role == "definition"]
    if definitions and defined:
        where = "、".join(dict.fromkeys(c.citation for c in definitions))
        lead = f"“{'”“'.join(defined)}”的定义见{where}。" + lead
    if comparison:
        lead = f"对比{'、'.join(comparison)}的规定：" + lead
    if missing:
        lead += "、".join(f"《{title}》" for _, title in missing) + "未见相关规定。"
    return lead


def _order(article: Article, excerpts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(excerpts, key=article.text.find))


def _linked(chosen: list[Citation], data: IndexData, articles: dict[str, Article],
            regulations: dict[str, Regulation], query_text: str, penalty: bool) -> dict[str, list[Citation]]:
    """Per cited article, the articles linked to it: those it refers to; for penalty questions, also
    the articles that refer to it (the penalty for breaking it)."""
    tokens = _tokens(query_text)
    shown = {c.key for c in chosen}
    linked: dict[str, list[Citation]] = {}
    total = 0
    for citation in chosen:
        candidates: list[tuple[Article, str]] = []
        for ref in data.crossrefs:
            if ref.regulation != citation.regulation:
                continue
            if ref.from_article == citation.article_no and not citation.sub_no:
                candidates.append((articles.get(f"{ref.regulation}#{ref.to_article}"), f"{citation.label}引用的条文"))
            elif penalty and ref.to_article == citation.article_no and not citation.sub_no:
                candidates.append((articles.get(f"{ref.regulation}#{ref.from_article}"),
                                   f"违反{citation.label}的法律责任"))
        # the linked articles that share most words with the question first
        candidates = [(a, why) for a, why in candidates if a is not None and a.key not in shown]
        candidates.sort(key=lambda c: -_overlap(c[0].text, tokens, c[0]))
        for article, why in candidates[:MAX_REFERENCED_EACH]:
            if total >= MAX_REFERENCED or article.key in shown:
                continue
            shown.add(article.key)
            total += 1
            linked.setdefault(citation.key, []).append(_citation(
                article, regulations.get(article.regulation), "referenced", excerpts_for(article, query_text),
                referenced_by=citation.citation, relation=why))
    return linked


def _abstain(retrieval: Retrieval, articles: dict[str, Article], regulations: dict[str, Regulation],
             notes: list[str], query_text: str) -> Answer:
    """未找到: say which regulations are covered, and list up to three nearby articles as 可能相关."""
    lead = (f"未找到与这个问题相关的规定。本助手只涵盖以下 {len(regulations)} 部法规：{_titles(regulations)}；"
            "这些法规以外的问题，请查阅其他法律法规或咨询有关部门。")
    tokens = _tokens(query_text)
    nearby = []
    for hit in retrieval.hits:
        if len(nearby) >= MAX_NEARBY:
            break
        article = articles[hit.key]
        if _overlap(article.text, tokens, article) < NEARBY_OVERLAP:  # shares no real word with the question
            continue
        nearby.append(_citation(article, regulations.get(article.regulation), "nearby",
                                excerpts_for(article, query_text, max_units=1)))
    if nearby:
        notes = notes + ["下列条文可能相关，仅供参考。"]
    return Answer(question=retrieval.query.original, lead=lead, citations=tuple(nearby), abstained=True,
                  notes=tuple(notes), terms=_key_terms(query_text, nearby, []))
