"""Citation rules: which retrieved articles are cited as answering, which glossary entries answer a
definition question, and which linked articles (references, penalties) are shown with a cited one."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from index.store import IndexData
from ingest.records import TIERS, Article, Regulation
from retrieval.excerpts import definition_excerpts, excerpts_for, overlap, tokens
from retrieval.records import NATIONAL, Citation, Filters, Hit
from retrieval.settings import Settings

# Definition questions: 什么是… / …是指什么 / …的含义 / …什么意思 / …包括哪些
_DEFINITION_CUE = re.compile(r"什么是|何为|何谓|什么叫|是指|指什么|指的是|指哪些|都指|含义|意思|定义|包括哪些|包括谁"
                             r"|包括什么|都包括|哪些算|算不算|算是|算“|算\"|算「")
_CUE_AFTER_TERM = re.compile(r"[”」』\"']?(?:具体|到底|究竟|都|主要|一般)?(?:是指|指的是|指|是什么|是啥|的含义|的意思"
                             r"|什么意思|啥意思|是怎么定义|怎么定义|如何定义|的定义|包括|包含|算)")
_CUE_BEFORE_TERM = re.compile(r"(?:什么是|何为|何谓|什么叫|什么叫做|算)[“「『\"']?$")
_WORD_BOUNDARY_BEFORE = set("的是说讲叫谓称里中和与及、，,：:“「『\"' ")
_OPEN_QUOTES, _CLOSE_QUOTES = "“「『\"'", "”」』\"'"
# a Chinese character (a question with none, 😀🚀🎉 or Привет мир, is never answered from the decided best hit:
# retrieval.answer; the signals read such a question as confidently as any, on no words)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Penalty questions: the rule articles found get the penalty articles that refer to them.
PENALTY_CUE = re.compile(r"罚|处分|法律责任|责任|追责|追究|处置|怎么处理|如何处理|被处理|后果|怎么办|会怎么样|会怎样"
                         r"|违反|违法|赔|制裁|惩")


def citation(article: Article, regulation: Regulation | None, role: str, excerpts: tuple[str, ...],
             referenced_by: str = "", relation: str = "") -> Citation:
    """A Citation of the article with its regulation's facts (regulation: the record of the article's version)."""
    return Citation(
        regulation=article.regulation, jurisdiction=article.jurisdiction, article_no=article.article_no,
        label=article.label, chapter=article.chapter,
        effective_date=(regulation.effective_date if regulation else None) or "",
        status=(regulation.status if regulation else None) or "", excerpts=excerpts, role=role,
        referenced_by=referenced_by, relation=relation, text=article.text,
        # a text known to be outdated says so at every citation of it
        notes=article.notes + ((regulation.currency_note,) if regulation and regulation.currency_note else ()),
        sub_no=article.sub_no, key=article.key, cited_as=article.citation, version=article.version,
        version_date=(regulation.version_date if regulation else None) or "",
        level=(regulation.level if regulation else None) or "", tier=regulation.tier if regulation else "")


def _passes(hit: Hit, best_bm25: float, best_dense: float, close: float, fair: float, near: float,
            closest: float) -> bool:
    if hit.retriever == "dense":
        return hit.dense_score >= best_dense - 2 * near
    if best_bm25 <= 0:  # no word of the question occurs in any hit
        return False
    if hit.dense_score >= closest:  # the dense side's closest: a paraphrase may share no word (杀熟, 差别待遇)
        return True
    ratio = hit.bm25_score / best_bm25
    if hit.retriever == "bm25":
        return ratio >= close
    return ratio >= close or (ratio >= fair and best_dense - hit.dense_score <= near)


def plausible(hits: list[Hit], overlaps: dict[str, float], settings: Settings, reference: list[Hit] | None = None,
              loose: bool = False, closest: float | None = None) -> list[Hit]:
    """The hits whose evidence is close to the best of ``reference`` (default: the hits themselves), and those with
    a sentence within Settings.sentence_near of the closest sentence of any of them (when the question shares a word
    with one): each part of a question of two parts has its own article.

    Args:
        overlaps: per article key, the weight of the question's words its text contains.
        closest: the dense cosine at which a hit passes the BM25 test anyway (Settings.cite_closest; default: the
            best of ``reference``, so the dense side's closest article).
    """
    reference = reference if reference is not None else hits
    if not hits or not reference:
        return []
    best_bm25 = max(h.bm25_score for h in reference)
    best_dense = max(h.dense_score for h in reference)
    best_overlap = max(overlaps[h.key] for h in reference)
    closest = (best_dense if closest is None else closest) if settings.cite_closest else float("inf")
    s = settings
    close, fair, near = (s.bm25_fair, s.bm25_fair, 2 * s.dense_near) if loose else (s.bm25_close, s.bm25_fair, s.dense_near)
    share = s.overlap_share / 2 if loose else s.overlap_share
    best_sentence = max(_best_sentence(h) for h in reference)
    return [h for h in hits if (_passes(h, best_bm25, best_dense, close, fair, near, closest)
            and (overlaps[h.key] >= share * best_overlap or h.dense_score >= best_dense - s.dense_best))
            or (s.sentence_near > 0 and best_bm25 > 0 and _best_sentence(h) >= best_sentence - s.sentence_near)]


def _best_sentence(hit: Hit) -> float:
    """The ranking model's best cosine of one of the hit's sentences (its whole article's when it has one)."""
    return max(hit.sentence_scores, default=hit.dense_score)


def parallel_provisions(hits: list[Hit], kept: list[Hit], overlaps: dict[str, float], settings: Settings) -> list[Hit]:
    """For a question that names no place and is answered by local rules: each other place's best hit that is
    close to the best (BM25 at least bm25_fair of the best's, and the whole-article cosine within twice dense_near)
    and shares the question's words (half of overlap_share of the best), so that one place's rule is not shown as
    the only one: a parallel provision says 信息化工程 and 审查 where the best says 信息化项目 and 审批.
    Chosen on dev (Settings.parallel_places): gold articles cited 557 of 614 against 548, adding 9 gold and 7 other
    articles; with either closeness alone (or) 15 gold and 66 others."""
    local = [h for h in kept if h.jurisdiction != NATIONAL]
    if not local or not hits:
        return []
    best_bm25 = max(h.bm25_score for h in hits)
    best_dense = max(h.dense_score for h in hits)
    best_overlap = max(overlaps[h.key] for h in hits)
    shown = {h.jurisdiction for h in kept}
    added: list[Hit] = []
    for hit in hits:
        if hit.jurisdiction == NATIONAL or hit.jurisdiction in shown:
            continue
        close = (best_bm25 > 0 and hit.bm25_score / best_bm25 >= settings.bm25_fair
                 and hit.dense_score >= best_dense - 2 * settings.dense_near)
        if close and overlaps[hit.key] >= settings.overlap_share / 2 * best_overlap:
            added.append(hit)
            shown.add(hit.jurisdiction)
    return added


def in_filters(regulation: Regulation, filters: Filters | None) -> bool:
    return filters is None or filters.keeps(regulation.title, regulation.jurisdiction)


def defined_terms(question: str, glossary) -> list[str]:
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
            bounded = not before or before in _WORD_BOUNDARY_BEFORE or not CJK.match(before)
            cued = bool(_CUE_AFTER_TERM.match(question, end)) or bool(_CUE_BEFORE_TERM.search(question[:start]))
            if quoted or (bounded and (cued or not CJK.match(after))):
                found.append((start, term))
                for i in range(start, end):
                    taken[i] = True
    return [term for _, term in sorted(found)]


def definitions(terms: list[str], data: IndexData, articles: dict[str, Article],
                in_scope: dict[str, Regulation], places: tuple[str, ...], versions: set[str] = frozenset({""})
                ) -> list[Citation]:
    """One 'definition' citation per article defining the terms (in scope, in the named places)."""
    chosen: list[Citation] = []
    for term in terms:
        for entry in data.glossary:
            regulation = in_scope.get(entry.regulation)
            if entry.term != term or regulation is None or (places and regulation.jurisdiction not in places) \
                    or entry.version not in versions:
                continue
            article = articles[entry.key]
            excerpts = definition_excerpts(article, entry)
            same = [i for i, c in enumerate(chosen) if c.key == article.key]
            if same:  # two terms defined in one article: one citation
                excerpts = in_text_order(article, tuple(dict.fromkeys(chosen[same[0]].excerpts + excerpts)))
                chosen[same[0]] = citation(article, regulation, "definition", excerpts)
            else:
                chosen.append(citation(article, regulation, "definition", excerpts))
    return chosen


def shared_words(hits: list[Hit], query_text: str, articles: dict[str, Article]) -> dict[str, float]:
    """Per hit's key, the weight of the question's words its article holds (retrieval.excerpts.overlap)."""
    wanted = tokens(query_text)
    return {h.key: overlap(articles[h.key].text, wanted, articles[h.key]) for h in hits}


def answering_hits(hits: list[Hit], query_text: str, articles: dict[str, Article],
                   in_scope: dict[str, Regulation], places: tuple[str, ...],
                   definition_citations: list[Citation], settings: Settings, comparison: bool = False
                   ) -> tuple[list[Hit], list[tuple[str, str]], bool]:
    """The hits to cite, the (place, regulation) pairs named but without a relevant article, and
    whether other places' hits stand in for a single named place that has none.

    query_text is the question as asked (normalized, without the expansions that search appends): the words an
    article shares with it are the question's own. Counting the expansions too (app -> 网络运营者 …) let articles
    holding those words crowd out the one that answers; on dev (fifteenth session, with Settings.cite_closest) the
    question's own words cite pack_dev 0.813 / 0.420 / 0.799 (gold cited / share gold / answer keywords) against
    0.802 / 0.404 / 0.799, answer_dev 0.831 / 0.419 / 0.830 against 0.830 / 0.412 / 0.821.

    A question naming places cites each place's plausible articles and, national law holding in every place, the
    best-ranked national articles that are plausible against all the hits (at most Settings.national_with_places;
    none in a comparison, which is shown place by place). Chosen on dev (fourteenth session; gold articles cited /
    share of the cited articles that are gold / answer keywords shown): pack_dev 0.714 / 0.395 / 0.730 without
    national articles, 0.780 / 0.403 / 0.770 with at most two, 0.769 / 0.406 / 0.765 with one, 0.780 / 0.399 / 0.770
    with every plausible one; answer_dev 0.778 / 0.438 / 0.791, 0.814 / 0.415 / 0.806, 0.808 / 0.425 / 0.805 and
    0.814 / 0.409 / 0.806. Admitting only those whose cosine is within dense_near of the best local article's
    (0.764 / 0.405 / 0.765 and 0.800 / 0.435 / 0.801) was not kept: a place's name in the question lifts its own
    articles' cosines (石家庄 puts 河北 #52 at 0.648, 网络安全法 #44, the same sentence, at 0.535)."""
    overlaps = shared_words(hits, query_text, articles)
    if not places or not hits:
        kept = plausible(hits, overlaps, settings)
        if settings.parallel_places:
            kept = kept + parallel_provisions(hits, kept, overlaps, settings)
        return kept, [], False
    kept: list[Hit] = []
    missing: list[tuple[str, str]] = []
    closest = max(h.dense_score for h in hits)
    for place in places:
        group = [h for h in hits if h.jurisdiction == place]
        if plausible(group, overlaps, settings, reference=hits, loose=True):
            kept += plausible(group, overlaps, settings, closest=closest)
        elif not any(c.jurisdiction == place for c in definition_citations):
            missing += [(place, r.title) for r in in_scope.values() if r.jurisdiction == place]
    national = [h for h in hits if h.jurisdiction == NATIONAL]
    if settings.national_with_places and not comparison and national:
        kept += plausible(national, overlaps, settings, reference=hits)[:settings.national_with_places]
    if kept or len(places) > 1:
        rank = {h.key: i for i, h in enumerate(hits)}
        return sorted(kept, key=lambda h: rank[h.key]), missing, False
    others = plausible(hits, overlaps, settings)
    return others, missing, bool(others)


def national_parallel(hits: list[Hit], kept: list[Hit], data: IndexData, in_scope: dict[str, Regulation],
                      settings: Settings) -> list[Hit]:
    """For a question naming places whose cited articles are all local: the best national hit among the top three
    whose whole-article vector is within Settings.national_parallel (cosine) of a cited local article's, so that the
    national provision a local article restates is cited beside it (天津 #28's 不收取费用 and 政府信息公开条例 #42). One
    that a cited local article refers to is not: it is shown under that article (河北 #56 and 网络安全法 #64)."""
    if not settings.national_parallel or not kept or any(h.jurisdiction == NATIONAL for h in kept):
        return []
    cited = {h.key for h in kept}
    # a national article a cited local one refers to is shown beside it already, as 引用的上位法条文 (citing.linked)
    cited |= {ref.to_key for ref in data.crossrefs if ref.from_key in cited and ref.to_key}
    local = np.stack([data.article_vector(data.row_of_key[h.key]) for h in kept])
    for hit in hits[:3]:
        if hit.jurisdiction != NATIONAL or hit.key in cited or hit.regulation not in in_scope:
            continue
        if float((local @ data.article_vector(data.row_of_key[hit.key])).max()) >= settings.national_parallel:
            return [hit]
    return []


def current_parallel(hits: list[Hit], kept: list[Hit], data: IndexData, in_scope: dict[str, Regulation],
                     settings: Settings) -> list[Hit]:
    """The cited hits with, before each article of a text known to be outdated (Regulation.currency_note), the best
    hit among the first Settings.current_parallel_depth from a current text of the same level or a higher one whose
    whole-article vector is within Settings.current_parallel (cosine) of it: the provision a later law made on the same
    matter, which a citizen's right now rests on (网络安全法 #43's correction of personal information, 2016 text, and
    个人信息保护法 #46). Both are cited; the outdated one keeps its currency note."""
    if not settings.current_parallel or not kept:
        return kept
    outdated = {title for title, r in in_scope.items() if r.currency_note}
    if not any(h.regulation in outdated for h in kept):
        return kept
    taken = {h.key for h in kept}
    result: list[Hit] = []
    for cited in kept:
        if cited.regulation in outdated:
            tier = TIER_RANK.get(in_scope[cited.regulation].tier, 9)
            vector = data.article_vector(data.row_of_key[cited.key])
            best, best_cosine = None, settings.current_parallel
            for hit in hits[:settings.current_parallel_depth]:
                regulation = in_scope.get(hit.regulation)
                if hit.key in taken or regulation is None or regulation.currency_note \
                        or TIER_RANK.get(regulation.tier, 9) > tier:
                    continue
                cosine = float(vector @ data.article_vector(data.row_of_key[hit.key]))
                if cosine >= best_cosine:
                    best, best_cosine = hit, cosine
            if best is not None:
                result.append(best)
                taken.add(best.key)
        result.append(cited)
    return result


def law_parallel(hits: list[Hit], kept: list[Hit], data: IndexData, in_scope: dict[str, Regulation],
                 settings: Settings) -> list[Hit]:
    """National hits among the first Settings.law_parallel_depth, of a national text none of the cited articles is
    from, whose whole-article vector is within Settings.law_parallel (cosine) of a cited national article's: the
    same matter in another national law (personalised recommendations: 网络数据安全管理条例 #42, 电子商务法 #18,
    个人信息保护法 #24), which a question in everyday words finds together."""
    if not settings.law_parallel or not kept:
        return []
    national = [h for h in kept if h.jurisdiction == NATIONAL]
    if not national:
        return []
    laws = {h.regulation for h in kept}
    taken = {h.key for h in kept}
    cited = np.stack([data.article_vector(data.row_of_key[h.key]) for h in national])
    added: list[Hit] = []
    for hit in hits[:settings.law_parallel_depth]:
        if hit.jurisdiction != NATIONAL or hit.key in taken or hit.regulation in laws or hit.regulation not in in_scope:
            continue
        if float((cited @ data.article_vector(data.row_of_key[hit.key])).max()) >= settings.law_parallel:
            added.append(hit)
            laws.add(hit.regulation)
    return added


def read_hits(hits: list[Hit], cited: set[str], places: tuple[str, ...],
              read: Callable[[list[Hit]], Sequence[float]], settings: Settings) -> list[Hit]:
    """The hits among the first Settings.cite_reader_depth, not cited yet and scoring at least
    Settings.cite_reader_ratio of the best hit's score, that the answerability reader, reading each with the question
    (``read``: their logits), takes to answer it (at least Settings.cite_reader). A question naming places only gets
    them from those places or national law, as the rules give it."""
    floor = settings.cite_reader_ratio * hits[0].score if hits else 0.0
    left = [h for h in hits[:settings.cite_reader_depth] if h.key not in cited and h.score >= floor
            and (not places or h.jurisdiction == NATIONAL or h.jurisdiction in places)]
    if not left:
        return []
    return [hit for hit, logit in zip(left, read(left)) if float(logit) >= settings.cite_reader]


TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


def _tier_of(title: str, facts: dict[tuple[str, str], Regulation]) -> str:
    regulation = facts.get((title, ""))
    return regulation.tier if regulation else ""


def cited_by(key: str, data: IndexData, articles: dict[str, Article]) -> tuple[str, ...]:
    """The articles of other regulations that cite this one by its title (依照《…》第X条), as they are cited."""
    return tuple(dict.fromkeys(articles[ref.from_key].citation for ref in data.crossrefs
                               if ref.to_regulation and ref.to_key == key and ref.from_key in articles))


def by_tier(titles: list[str], regulations: dict[str, Regulation]) -> list[str]:
    """National provisions (法律, 行政法规) first, then the local ones, each in their order of relevance."""
    national = {t for t in titles if t in regulations and regulations[t].tier in TIERS[:2]}
    return sorted(titles, key=lambda t: t not in national)


def in_text_order(article: Article, excerpts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(excerpts, key=article.text.find))


def linked(chosen: list[Citation], data: IndexData, articles: dict[str, Article],
           facts: dict[tuple[str, str], Regulation], query_text: str, penalty: bool,
           settings: Settings, in_scope: set[str] | None = None) -> dict[str, list[Citation]]:
    """Per cited article, the articles linked to it: those it refers to; for penalty questions, also
    the articles that refer to it (the penalty for breaking it)."""
    wanted = tokens(query_text)
    shown = {c.key for c in chosen}
    found: dict[str, list[Citation]] = {}
    total = 0
    for cited in chosen:
        candidates: list[tuple[Article, str]] = []
        for ref in data.crossrefs:
            if ref.from_key == cited.key:
                higher = ref.to_regulation and TIER_RANK.get(_tier_of(ref.to_regulation, facts), 9) < TIER_RANK.get(cited.tier, 9)
                candidates.append((articles.get(ref.to_key), "引用的上位法条文" if higher else f"{cited.label}引用的条文"))
            elif penalty and ref.to_key == cited.key:
                candidates.append((articles.get(ref.from_key), f"违反{cited.label}的法律责任"))
        # the linked articles that share most words with the question first
        candidates = [(a, why) for a, why in candidates if a is not None and a.key not in shown
                      and (in_scope is None or a.regulation in in_scope)]  # the filters hold for linked ones too
        candidates.sort(key=lambda c: -overlap(c[0].text, wanted, c[0]))
        for article, why in candidates[:settings.max_referenced_each]:
            if total >= settings.max_referenced or article.key in shown:
                continue
            shown.add(article.key)
            total += 1
            found.setdefault(cited.key, []).append(citation(
                article, facts.get((article.regulation, article.version)), "referenced",
                excerpts_for(article, query_text, settings.excerpt_units, settings.short_article, settings.excerpt_share),
                referenced_by=cited.citation, relation=why))
    return found
