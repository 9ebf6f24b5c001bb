"""Extractive answers: the retrieved articles' own words, cited and grouped by regulation.

No language model: each excerpt is a verbatim slice of an article (a sentence, a paragraph 款 or an
item 项), chosen by overlap with the question. Entry point: ``compose(retrieval, data, settings) -> Answer``
(``Retriever.ask`` calls it). The parts: records (retrieval.records), excerpt choice (retrieval.excerpts),
citation rules (retrieval.citing) and wording (retrieval.wording).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from index.store import IndexData
from ingest.records import Article, Regulation
from ingest.text import MAX_QUESTION_CHARS
from retrieval import cite_model, citing, wording
from retrieval.excerpts import excerpts_for, overlap, tokens
from retrieval.records import NATIONAL, Answer, Block, Citation, Hit, Retrieval
from retrieval.settings import Settings

__all__ = ["Answer", "Block", "Citation", "compose", "excerpts_for"]


def compose(retrieval: Retrieval, data: IndexData, settings: Settings | None = None,
            read: Callable[[list[Hit]], Sequence[float]] | None = None) -> Answer:
    """Turn a retrieval into a cited answer (see the module docstring).

    ``read``: the answerability reader's logits for hits read with the question (Retriever.read_hits; None when no
    reader is loaded): the best hits the rules leave out are cited where it takes them to answer (citing.read_hits).

    At most settings.max_articles articles answer the question (definitions included); linked articles
    (references, penalties) and 'nearby' ones come on top. The filters are the retrieval's, so that
    definitions and comparisons respect them.
    """
    settings = settings or Settings()
    query, filters = retrieval.query, retrieval.filters
    articles = {a.key: a for a in data.articles}
    facts = {(r.title, r.version): r for r in data.regulations}  # each version's record
    regulations = {r.title: r for r in data.regulations if not r.version}  # the version in force (or the only one)
    for r in data.regulations:  # a title known only by historical versions still has its facts
        regulations.setdefault(r.title, r)
    question = query.cleaned or query.text
    notes: list[str] = []
    if query.truncated:
        notes.append(wording.truncated_note(MAX_QUESTION_CHARS))
    in_scope = {title: r for title, r in regulations.items() if citing.in_filters(r, filters)}
    if filters and (filters.regulations or filters.jurisdictions or filters.scope):
        notes.append(wording.filtered_note(in_scope))
    places = tuple(p for p in query.places if any(r.jurisdiction == p for r in in_scope.values()))
    notes += [f"筛选条件不包括{place}的法规。" for place in query.places if place not in places]
    elsewhere = query.only_other_places
    if elsewhere and not retrieval.abstained:
        # asked about a place whose local rules the corpus lacks: only national law is cited as holding there
        in_scope = {title: r for title, r in in_scope.items() if r.jurisdiction == NATIONAL}
        notes.append(wording.national_only_note(elsewhere))

    # 1. definitions from the glossary come first
    terms = citing.defined_terms(question, data.glossary)
    versions = {""} | {a.version for a in (articles[h.key] for h in retrieval.hits)}
    chosen = citing.definitions(terms, data, articles, in_scope, places, versions)

    # 2. then the hits that plausibly answer (per named place when the question names places)
    candidates = [h for h in retrieval.hits if h.regulation in in_scope] if elsewhere else list(retrieval.hits)
    hits, missing, fallback = ([], [], False) if retrieval.abstained else \
        citing.answering_hits(candidates, question, articles, in_scope, places, chosen, settings,
                              query.is_comparison)
    if settings.cite_model and (hits or chosen) and not query.is_comparison:
        # the best hits the rules left out that the citation model takes to answer too (retrieval.cite_model)
        hits += cite_model.likely_answering(candidates, {h.key for h in hits} | {c.key for c in chosen}, question,
                                            places, articles, cite_model.load_model(), data.manifest.model.name)
    if read is not None and settings.cite_reader_depth and (hits or chosen) and not query.is_comparison:
        # the best hits left out that the answerability reader, reading them with the question, takes to answer
        hits += citing.read_hits(candidates, {h.key for h in hits} | {c.key for c in chosen}, places, read, settings)
    if places and hits and not query.is_comparison:
        # the national provision a cited local article restates (citing.national_parallel)
        hits += citing.national_parallel(candidates, hits, data, in_scope, settings)
    if hits and not query.is_comparison:
        # the same matter in another national law, found among the best hits (citing.law_parallel)
        hits += citing.law_parallel(candidates, hits, data, in_scope, settings)
        # before an article of a text known to be outdated, the current law's provision on the same matter
        hits = citing.current_parallel(candidates, hits, data, in_scope, settings)
    if fallback:
        notes.append(wording.place_fallback_note(places))
    if not hits and not chosen and settings.cite_decided_best and retrieval.decision is not None \
            and retrieval.decision.answered and retrieval.decision.decided_by == "model" and citing.CJK.search(question):
        # the answerability model judged the best hit to answer while the rules found none plausible: cite it (not
        # under the thresholds of a system without the model: a cosine over a floor judges no article)
        hits = [h for h in candidates if h.regulation in in_scope][:1]
    cited = {c.key for c in chosen}
    for hit in hits:
        if len(chosen) >= settings.max_articles:
            break
        if hit.key not in cited:
            article = articles[hit.key]
            chosen.append(citing.citation(article, facts.get((article.regulation, article.version)), "answer",
                                          _excerpts(article, question, settings, hit=hit)))
            cited.add(hit.key)
    if not chosen:
        return _abstain(retrieval, articles, regulations, facts, notes, query.text, settings)
    decision = retrieval.decision

    # 3. the articles a cited article refers to, and for penalty questions the penalty articles
    linked = citing.linked(chosen, data, articles, facts, query.text,
                           bool(citing.PENALTY_CUE.search(question)), settings, set(in_scope))

    # 4. group by regulation (in a comparison, in the order the places were named)
    titles = list(dict.fromkeys(c.regulation for c in chosen))
    local = {c.jurisdiction for c in chosen if c.jurisdiction != NATIONAL}
    if not query.places and not elsewhere and len(local) > 1:
        notes.append(wording.PLACES_NOTE)
    if not query.is_comparison:  # national provisions first, then local ones (citing.by_tier)
        titles = citing.by_tier(titles, regulations)
    if query.is_comparison:
        titles.sort(key=lambda t: places.index(regulations[t].jurisdiction)
                    if regulations[t].jurisdiction in places else len(places))
    ordered = [c for title in titles for cited_one in chosen if cited_one.regulation == title
               for c in (cited_one, *linked.get(cited_one.key, []))]
    # a national article cited by local ones lists them
    ordered = [dataclasses.replace(c, cited_by=citing.cited_by(c.key, data, articles)) for c in ordered]

    # 5. the lead sentence
    comparison = places if query.is_comparison else ()
    defined = [t for t in terms if any(t in e for c in chosen if c.role == "definition" for e in c.excerpts)]
    return Answer(question=query.original, lead=wording.lead(ordered, titles, defined, comparison, missing),
                  citations=tuple(ordered), abstained=False, comparison=comparison, notes=tuple(notes),
                  missing=tuple(missing), terms=wording.key_terms(query.text, ordered, defined), state="answered",
                  reason=decision.reason if decision else "")


def _excerpts(article: Article, query_text: str, settings: Settings, max_units: int | None = None,
              hit: Hit | None = None) -> tuple[str, ...]:
    return excerpts_for(article, query_text, max_units or settings.excerpt_units, settings.short_article,
                        settings.excerpt_share, hit.sentence_scores if hit is not None else (),
                        settings.excerpt_dense, settings.item_chars)


def _abstain(retrieval: Retrieval, articles: dict[str, Article], regulations: dict[str, Regulation],
             facts: dict[tuple[str, str], Regulation], notes: list[str], query_text: str,
             settings: Settings) -> Answer:
    """未找到: say which regulations are covered, and list up to max_nearby nearby articles as 可能相关.

    When the decision is 'partial' (the best articles share the question's subject but not what it turns on),
    the lead says what the corpus does not cover and the nearest provisions follow, quoted more fully."""
    decision = retrieval.decision
    partial = decision is not None and decision.state == "partial"
    # a question about a later change of a held law: the text held, its date and the change it lacks
    held = [wording.held_before_change(title, regulations[title].currency_note)
            for title in (decision.changed_laws if decision is not None else ()) if title in regulations]
    wanted = tokens(query_text)
    nearby = []
    for hit in retrieval.hits:
        if len(nearby) >= settings.max_nearby:
            break
        article = articles[hit.key]
        if overlap(article.text, wanted, article) < settings.nearby_overlap:  # shares no real word with the question
            continue
        nearby.append(citing.citation(article, facts.get((article.regulation, article.version)), "nearby",
                                      _excerpts(article, query_text, settings, max_units=None if partial else 1,
                                                hit=hit)))
    if partial and nearby:
        lead = wording.partial(decision.uncovered, decision.unstated_quantity,
                               list(dict.fromkeys(c.regulation for c in nearby)), decision.absent_laws,
                               decision.absent_places, decision.changed_laws)
        return Answer(question=retrieval.query.original, lead=lead, citations=tuple(nearby), abstained=True,
                      notes=tuple(notes + held), terms=wording.key_terms(query_text, nearby, []), state="partial",
                      uncovered=decision.uncovered, reason=decision.reason, absent_laws=decision.absent_laws,
                      absent_places=decision.absent_places, changed_laws=decision.changed_laws)
    if decision is not None and decision.absent_places:
        notes = notes + [wording.absent_place(decision.absent_places) + "。"]
    elif retrieval.query.only_other_places:  # national law was searched first and did not answer either
        notes = notes + [wording.no_local_rules(retrieval.query.only_other_places) + "。"]
    if decision is not None and decision.absent_laws:
        notes = notes + [wording.absent_law(decision.absent_laws) + "。"]
    if nearby:
        notes = notes + [wording.NEARBY_NOTE]
    # what the corpus lacks is the change, not the law: the lead says so
    lead = wording.later_change(decision.changed_laws) + "。" + "".join(held) if held else \
        wording.not_found(regulations)
    return Answer(question=retrieval.query.original, lead=lead, citations=tuple(nearby),
                  abstained=True, notes=tuple(notes), terms=wording.key_terms(query_text, nearby, []),
                  state="not_found", reason=decision.reason if decision else "",
                  absent_laws=decision.absent_laws if decision else (),
                  absent_places=decision.absent_places if decision else (),
                  changed_laws=decision.changed_laws if decision else ())
