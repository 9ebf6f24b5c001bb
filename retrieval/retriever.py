"""Hybrid retrieval over a loaded index: BM25 + dense, fused, place-aware, able to abstain."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from index.lexical import Lexical
from index.store import IndexData, sentences_of
from index.tokenize import make_segmenter, make_tokenizer
from ingest.text import clean_question, without_surrogates
from retrieval.fusion import convex, interleave, rrf
from retrieval import answerability
from retrieval.normalize import (COLLOQUIAL, LAW_NAMES, LAW_WORDS, SYNONYMS, absent_laws, asks_later_change,
                                 asks_place_rules, colloquial_expansion, detect_places, expand_law_words,
                                 expand_synonyms, held_books, law_aliases, law_word_targets, named_laws, other_places,
                                 place_aliases, repealed_titles, short_title)
from retrieval.records import NATIONAL, Answer, Decision, EmptyQuestion, Filters, Hit, Query, Retrieval
from retrieval.settings import Settings

__all__ = ["Retriever", "Settings", "INTENTS"]

# What a question asks about decides which part of a regulation answers it: penalties are always in the
# 法律责任 chapter, the scope, basis and dates of a regulation in 总则 and 附则.
INTENTS: dict[str, tuple[re.Pattern, tuple[str, ...]]] = {
    "penalty": (re.compile(r"罚|处分|追责|追究|法律责任|后果|吊销|关停|关站|停业|怎么处理|如何处理|怎么处置|被怎么|"
                           r"违法吗|犯法"), ("法律责任",)),
    "scope": (re.compile(r"施行|生效|实施日期|什么时候.{0,4}(执行|实施|开始|起)|适用|管不管|归不归|适不适用|范围|"
                         r"依据|上位法|为准|还有效|废止|失效|效力"), ("总则", "附则")),
}
# A question about an earlier text of a regulation: historical versions are searched for it.
_EARLIER = re.compile(r"修改前|修订前|修正前|修改之前|修订之前|旧版|老版|原来的规定|原来怎么规定|以前的规定|以前怎么规定|之前的规定|"
                      r"过去的规定|旧法|历史版本|原条文|修改以前|修订以前")
_EDITION_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:的)?(?:版|版本|文本|修正|修订|修改|那版)")
_DEFINITION_QUESTION = re.compile(r"什么是|是指什么|指什么|指的是|什么意思|啥意思|含义|定义|怎么界定|如何界定|是啥|包括哪些|"
                                  r"也算|算不算|属不属于|包不包括|指哪|光指|只指|仅指|专指|指谁|包括谁|都包括")


def is_blank(question: str) -> bool:
    """Whether the question holds nothing but spaces and control characters."""
    return not clean_question(without_surrogates(question))[0]


def _asks_meaning_of(term: str, text: str) -> bool:
    """Whether the question asks what the term means (什么是X, “X”是指什么, X的含义 …)."""
    quoted = f"[“\"「]?{re.escape(term)}[”\"」]?"
    if re.search(rf"(?:什么(?:是|叫)){quoted}|{quoted}(?:这个词|一词)?(?:是指|指的是|指什么|的含义|含义|"
                 rf"是什么意思|什么意思|啥意思|的定义|定义|是怎么定义|怎么定义|如何定义|是啥|具体指|包括哪些|怎么界定|"
                 rf"[^。？?]{{0,8}}(?:指哪|指的是哪|是光指|光指|只指|仅指|专指|指谁|包括谁|都包括))", text):
        return True
    # does something fall under X: “公共数据”，自来水公司的用水数据也算吗. Only for a term of three characters or more,
    # or one the question quotes: a two-character term (数据, 密码) occurs in too many questions asking something else
    # (刷脸数据…算不算“敏感个人信息”), and 算不算数 asks whether a thing is valid, not what it is
    if len(term) < 3 and not re.search(rf"[“\"「]{re.escape(term)}[”\"」]", text):
        return False
    return bool(re.search(rf"{quoted}[^。？?]{{0,20}}(?:也算|算不算(?!数)|属不属于|包不包括)|(?:算不算|属不属于){quoted}",
                          text))


class Retriever:
    """A loaded index plus its encoder and settings; ``ask(question, filters, k) -> Answer`` is the one entry
    point (``retrieve`` and ``search`` are its first step, for evaluation)."""

    def __init__(self, data: IndexData, encoder, settings: Settings | None = None):
        self.data = data
        self.encoder = encoder
        self.settings = settings or Settings()
        self.tokenize = make_tokenizer()
        self.segment = make_segmenter().lcut
        # the index's persisted bm25s index; rank-bm25 (for comparison) is built from the stored tokens
        self.lexical = data.lexical if self.settings.bm25_backend == "bm25s" else \
            Lexical(data.bm25_tokens, self.settings.bm25_backend)
        self.jurisdiction_of_row = np.array([a.jurisdiction for a in data.articles])
        self.regulation_of_row = np.array([a.regulation for a in data.articles])
        # versions: rows of historical versions are searched only when asked for (Filters.history, 修改前, 2021年版)
        self.version_of_row = np.array([a.version for a in data.articles])
        self.current_rows = self.version_of_row == ""
        dated = {(r.title, r.version): (r.version_date or "") for r in data.regulations}
        self.version_year_of_row = np.array([dated.get((a.regulation, a.version), "")[:4] for a in data.articles])
        self.titles_with_history = np.isin(self.regulation_of_row,
                                           sorted({r.title for r in data.regulations if r.version}))
        # for each intent, the rows in the chapters it points to (computed once, not per question)
        self.rows_of_intent = {intent: np.array([any(name in a.chapter for name in chapters) for a in data.articles],
                                                dtype=bool)
                               for intent, (_, chapters) in INTENTS.items()}
        # each row's passage ids, the whole article first (IndexData.passages_of_row, shared by every retriever of it)
        self.passages_of_row = data.passages_of_row
        # places a question can name: 全国 is the national level, chosen with Filters.scope, not a place
        self.aliases = place_aliases(sorted(set(self.jurisdiction_of_row.tolist()) - {NATIONAL}))
        # abstention and citation thresholds read the calibration model's whole-article cosines when asked to, the
        # index holds that model's vectors and the encoder can embed a question with it (Settings.calibration_cosines:
        # the system before issue 17, for evaluation); otherwise the ranking model's
        calibration = data.manifest.calibration_model.name if data.manifest.calibration_model else None
        self.calibrated = (self.settings.calibration_cosines and data.calibration is not None
                           and calibration is not None and getattr(encoder, "calibration_name", None) == calibration)
        # the names people give the laws and their subjects, mapped to the words this corpus holds
        self.words = answerability.corpus_words(data)  # which articles hold a word (shared per index)
        self.law_words = law_word_targets(self.words.joined)
        # the laws a question can name: the common names and the index's own regulations (a narrowed scope can
        # leave one out); a named one the searched rows do not hold, and no article repeals, gates the answer
        self.repealed_laws = frozenset(repealed_titles(a.text for a in data.articles))
        chapters: dict[str, set[str]] = {}
        for a in data.articles:
            chapters.setdefault(a.regulation, set()).add(a.chapter)
        # each regulation as a question may name it: its title, and the books (编) its articles come from
        self.held_names = {title: (title,) + held_books(title, sorted(found)) for title, found in chapters.items()}
        self.law_names = tuple(dict.fromkeys(LAW_NAMES + tuple(short_title(r.title) for r in data.regulations)))
        # the laws held only as they stood before a change the corpus knows of, with the names a question gives them
        self.changed_names = {r.title: law_aliases(r.title, self.law_words) for r in data.regulations
                              if r.currency_note and not r.version}
        # the rows of each regulation a question can name by its title or an abbreviation of three characters or more
        # (个保法, 网安法, 民法典; Settings.named_law_prior)
        self.named_law_rows = [(tuple(a for a in law_aliases(title, self.law_words) if len(a) >= 3),
                                self.regulation_of_row == title) for title in dict.fromkeys(self.regulation_of_row)]
        # whether the corpus answers: the model (retrieval/answerability.json) unless told to use the thresholds
        # it holds for the ranking model whose cosines it was trained on; with another one the thresholds decide
        model = answerability.load_model() if self.settings.answerability == "model" else None
        self.answerability = model if model and model.trained_on.get("ranking_model") == data.manifest.model.name \
            else None
        self.threshold_note = ""
        if model and self.answerability is None:
            self.threshold_note = (f"可回答判断模型是在“{model.trained_on.get('ranking_model')}”的向量上训练的，当前检索模型是"
                                   f"“{data.manifest.model.name}”，改由相似度阈值判断是否拒答。")
        # where the thresholds decide, they hold for the model they were calibrated on; another one is said, not hidden
        judged_by = calibration if self.calibrated else data.manifest.model.name
        if self.answerability is None and judged_by != self.settings.thresholds_model:
            self.threshold_note = (self.threshold_note + (" " if self.threshold_note else "") +
                                   f"拒答阈值是在“{self.settings.thresholds_model}”模型上标定的，当前判断使用的是“{judged_by}”，"
                                   "是否拒答的判断可能不准确。")
        # the answerability reader (models.reader) reads the uncertain questions when the encoder carries the reader
        # the model's second step was fitted for; without it the signals' threshold decides, and the page says so
        stage = self.answerability.reader if self.answerability else None
        self.reads = (stage is not None and self.settings.answerability_reader
                      and getattr(encoder, "reader_name", None) == stage.reader_model)
        if stage is not None and self.settings.answerability_reader and not self.reads:
            self.threshold_note = (self.threshold_note + (" " if self.threshold_note else "") +
                                   "可回答性阅读模型未加载或与判断模型不匹配，本次仅凭其他信号判断是否拒答（可能多答超出范围的问题）。")
        # never a question's focus: places, and the names the retriever maps to the regulations' words
        self.not_focus = tuple(dict.fromkeys(
            answerability.PLACE_NAMES + tuple(self.aliases) + tuple(source for source, _ in SYNONYMS)
            + tuple(source for sources, _ in LAW_WORDS for source in sources)
            + tuple(source for sources, _ in COLLOQUIAL for source in sources)))
        self.row_of_key = data.row_of_key
        self.defining_rows: dict[str, list[int]] = {}
        for entry in data.glossary:
            row = self.row_of_key.get(entry.key)
            if row is not None and len(entry.term) >= 2:
                self.defining_rows.setdefault(entry.term, []).append(row)

    @classmethod
    def load(cls, index_dir: Path | None = None, encoder=None, settings: Settings | None = None) -> "Retriever":
        """Load an index (default: the default index) with the configured encoder. Only loads: a missing or
        stale index raises index.IndexProblem, a missing model models.protocol.ModelProblem."""
        from core import paths
        from index.store import load_for
        from models import load_encoder

        encoder = encoder or load_encoder()
        return cls(load_for(index_dir or paths.default_index_dir(), encoder), encoder, settings)

    # 0. the one entry point
    def ask(self, question: str, filters: Filters | None = None, k: int | None = None,
            mode: str = "hybrid") -> Answer:
        """Answer a question with cited excerpts, or 未找到. EmptyQuestion when it holds no text."""
        from retrieval.answer import compose

        query = self.parse(question)
        if not query.cleaned:
            raise EmptyQuestion("问题不能为空。")
        retrieval = self._retrieve(query, k or self.settings.retrieve_k, filters, mode)
        read = None
        decided_by_reading = retrieval.decision is not None and retrieval.decision.read
        if self.reads and self.settings.cite_reader_depth and mode == "hybrid" \
                and (decided_by_reading or not self.settings.cite_reader_only_read):
            read = lambda hits: self.read_hits(query, hits)  # noqa: E731 (the reader reads only when asked)
        answer = compose(retrieval, self.data, self.settings, read)
        return dataclasses.replace(answer, retrieval=retrieval)

    def read_hits(self, query: Query, hits: list[Hit]) -> np.ndarray:
        """The answerability reader's logit for each hit read with the question (its sentences closest first, as
        reading_text gives them, from the cosines the hit carries when it has them)."""
        vector = None
        texts = []
        for hit in hits:
            row = self.data.row_of_key[hit.key]
            if not hit.sentence_scores and vector is None:
                vector = self.query_vector(query)
            texts.append(self.reading_text(row, vector, hit.sentence_scores or None))
        return np.asarray(self.encoder.read(query.text, texts), dtype=np.float64)

    # 1. the query, parsed once
    def parse(self, question: str) -> Query:
        question = without_surrogates(question)
        text, truncated = clean_question(question)
        named = detect_places(text, self.aliases)
        places = named if self.settings.place_boost else ()
        searched = expand_law_words(expand_synonyms(text), self.law_words) if self.settings.synonyms else text
        lexical = colloquial_expansion(searched) if self.settings.colloquial else searched
        year = _EDITION_YEAR.search(text)
        unheld = other_places(text, self.aliases, self.segment)  # places the index holds no local rules of
        laws = named_laws(text, self.segment, self.law_names, unheld) if self.settings.absent_law_gate else ()
        # ... when the question names no place it does
        others = unheld if self.settings.other_places_gate and not named else ()
        changed = tuple(title for title, names in self.changed_names.items() if asks_later_change(text, names)) \
            if self.settings.later_change_gate else ()
        return Query(original=question, text=searched, places=places, truncated=truncated,
                     lexical_text="" if lexical == searched else lexical, cleaned=text,
                     earlier=bool(_EARLIER.search(text)), edition_year=year.group(1) if year else "", laws=laws,
                     other_places=others, changed=changed)

    # 2. each side's scores
    def bm25_scores(self, query: Query, expanded: bool = True) -> np.ndarray:
        """BM25 score of every row (of the text with everyday words expanded, unless told otherwise)."""
        return self.lexical.scores(self.tokenize(query.lexical_text if expanded and query.lexical_text else query.text))

    def query_vector(self, query: Query) -> np.ndarray:
        if self._ranks_with_calibration:
            return self.encoder.encode_calibration([query.text], "query").astype(np.float32)
        return self.encoder.encode([query.text], "query").astype(np.float32)

    @property
    def _ranks_with_calibration(self) -> bool:
        return self.settings.dense_model == "calibration" and self.calibrated

    def dense_ranking(self, vector: np.ndarray, allowed: np.ndarray, depth: int) -> list[tuple[int, float, float]]:
        """(row, ranking score, whole-article cosine) of the best allowed articles, best first.

        FAISS finds the best passages; each article they belong to is then scored from all its passages:
        (1 - sentence_weight) x its whole-article cosine + sentence_weight x its best sentence cosine.
        The whole-article cosine alone is what abstention and citation thresholds are calibrated on.
        """
        import faiss

        if self._ranks_with_calibration:
            scores = np.where(allowed, self.data.calibration @ vector[0], -np.inf)
            rows = np.argsort(-scores, kind="stable")[:min(depth, int(allowed.sum()))]
            return [(int(row), float(scores[row]), float(scores[row])) for row in rows]
        index = self.data.dense
        passages = depth * self.settings.passages_per_article  # an article owns several passages
        params = None
        if not allowed.all():
            ids = np.flatnonzero(allowed[self.data.dense_rows]).astype(np.int64)
            if not len(ids):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
            passages = min(passages, len(ids))
        _, ids = index.search(vector, min(passages, index.ntotal), params=params)
        rows = list(dict.fromkeys(int(self.data.dense_rows[p]) for p in ids[0] if p >= 0))[:depth]
        if not rows:
            return []
        owned = [self.passages_of_row[row] for row in rows]
        flat = np.concatenate(owned)
        similarities = index.reconstruct_batch(flat) @ vector[0]
        weight = self.settings.sentence_weight
        ranking, start = [], 0
        for row, mine in zip(rows, owned):
            article, sentences = float(similarities[start]), similarities[start + 1:start + len(mine)]
            start += len(mine)
            best_sentence = float(sentences.max()) if len(sentences) else article
            ranking.append((row, (1 - weight) * article + weight * best_sentence, article))
        ranking.sort(key=lambda item: (-item[1], item[0]))
        return ranking

    def _allowed(self, filters: Filters | None, query: Query | None = None) -> np.ndarray:
        mask = self._versions(filters, query)
        if filters and filters.regulations:
            mask &= np.isin(self.regulation_of_row, list(filters.regulations))
        if filters and filters.jurisdictions:
            mask &= np.isin(self.jurisdiction_of_row, list(filters.jurisdictions))
        if filters and filters.scope == "national":
            mask &= self.jurisdiction_of_row == NATIONAL
        elif filters and filters.scope == "local":
            mask &= self.jurisdiction_of_row != NATIONAL
        return mask

    def _versions(self, filters: Filters | None, query: Query | None) -> np.ndarray:
        """The rows of the versions searched: the versions in force; for a question naming a year's edition
        (2021年版) that edition of each regulation that has one; for 修改前 the historical versions of the
        regulations that have them; with Filters.history every version."""
        if filters and filters.history:
            return np.ones(len(self.data.articles), dtype=bool)
        if query is not None and query.edition_year and self.titles_with_history.any():
            named = self.version_year_of_row == query.edition_year
            titles = np.unique(self.regulation_of_row[named & self.titles_with_history])
            if len(titles):
                chosen = np.isin(self.regulation_of_row, titles)
                return np.where(chosen, named, self.current_rows)
        if query is not None and query.earlier and self.titles_with_history.any():
            return np.where(self.titles_with_history, ~self.current_rows, self.current_rows)
        return self.current_rows.copy()

    @staticmethod
    def _ranking(scores: np.ndarray, allowed: np.ndarray, depth: int) -> list[tuple[int, float]]:
        """Top rows by score among the allowed ones; ties go to the lower row."""
        rows = np.flatnonzero(allowed & (scores > 0))
        if len(rows) > depth:
            rows = rows[np.argpartition(-scores[rows], depth - 1)[:depth]]
        order = np.lexsort((rows, -scores[rows]))
        return [(int(row), float(scores[row])) for row in rows[order]]

    def _fuse(self, bm25: np.ndarray, vector: np.ndarray | None, allowed: np.ndarray, mode: str, depth: int,
              intended: np.ndarray | None = None, named: np.ndarray | None = None
              ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """Fused (row, score) ranking of allowed rows, and the dense cosines seen."""
        settings = self.settings
        lexical = self._ranking(bm25, allowed, depth) if mode != "dense" else []
        scored = self.dense_ranking(vector, allowed, depth) if mode != "bm25" else []
        dense = [(row, score) for row, score, _ in scored]
        cosines = {row: cosine for row, _, cosine in scored}
        if mode == "bm25":
            return lexical, {}
        if mode == "dense":
            return dense, cosines
        weights = [settings.bm25_weight, settings.dense_weight]
        if settings.fusion == "convex":
            fused = convex([dict(lexical), dict(dense)], weights)
        else:
            fused = rrf([[row for row, _ in lexical], [row for row, _ in dense]], k=settings.rrf_k, weights=weights)
        # each prior adds its share of the best fused score to its rows (the intent's chapters, the named laws)
        priors = [(weight, rows) for weight, rows in ((settings.intent_prior, intended), (settings.named_law_prior, named))
                  if weight and rows is not None]
        if fused and priors:
            top = fused[0][1]
            fused = sorted(((row, score + sum(top * weight for weight, rows in priors if rows[row])) for row, score in fused),
                           key=lambda item: (-item[1], item[0]))
        return fused, cosines

    def named_rows(self, text: str) -> np.ndarray | None:
        """Rows of the regulations the question names by title or abbreviation (None: it names none)."""
        masks = [rows for aliases, rows in self.named_law_rows if any(alias in text for alias in aliases)]
        return np.logical_or.reduce(masks) if masks else None

    def intended_rows(self, text: str) -> np.ndarray | None:
        """Rows in the chapters the question's intents point to (None: no intent)."""
        masks = [self.rows_of_intent[intent] for intent, (pattern, _) in INTENTS.items() if pattern.search(text)]
        return np.logical_or.reduce(masks) if masks else None

    # 3. fuse, apply places, decide coverage
    def retrieve(self, question: str, k: int = 10, filters: Filters | None = None,
                 mode: str = "hybrid") -> Retrieval:
        """Search and decide whether the corpus covers the question.

        Args:
            mode: 'hybrid' (default), 'bm25' or 'dense' (for evaluation).
        """
        return self._retrieve(self.parse(question), k, filters, mode)

    def _retrieve(self, query: Query, k: int, filters: Filters | None, mode: str) -> Retrieval:
        settings = self.settings
        allowed = self._allowed(filters, query)
        depth = max(settings.depth, k)
        bm25 = self.bm25_scores(query) if mode != "dense" else np.zeros(len(allowed))
        vector = self.query_vector(query) if mode != "bm25" else None
        intended = self.intended_rows(query.text) if mode == "hybrid" else None
        named = self.named_rows(query.cleaned or query.text) if mode == "hybrid" else None
        fused, cosines = self._fuse(bm25, vector, allowed, mode, depth, intended, named)
        # how far the dense side's best article stands out from its next nine (answerability.article_margin)
        best = sorted(cosines.values(), reverse=True)[:10]
        margin = best[0] - float(np.mean(best[1:])) if len(best) > 1 else 0.0
        score_of = dict(fused)
        ranked = [row for row, _ in fused]
        defining: list[int] = []
        if settings.definitions and _DEFINITION_QUESTION.search(query.text):
            defining = self._defining_rows(query.text, allowed)
            ranked = defining + [row for row in ranked if row not in set(defining)]
        searches: list[np.ndarray] = []
        if query.places or query.only_other_places:
            national = allowed & (self.jurisdiction_of_row == NATIONAL)
            if query.places:
                # each named place is searched on its own, so its articles rank at any corpus size
                # national law applies in every place: with national_in_places 'compete' its articles compete
                # within each place's search, with 'group' they are searched as one more group
                compete = settings.national_in_places == "compete"
                searches = [(allowed & (self.jurisdiction_of_row == place)) | (national if compete else False)
                            for place in query.places]
                if settings.national_in_places == "group" and national.any():
                    searches.append(national)
            elif national.any():
                # asked about a place whose local rules the corpus lacks: national law holds there, so it ranks first
                searches = [national]
        if searches:
            groups = []
            for in_place in searches:
                place_fused, place_cosines = self._fuse(bm25, vector, in_place, mode, depth, intended, named)
                cosines.update(place_cosines)
                score_of.update((row, score) for row, score in place_fused if row not in score_of)
                front = [row for row in defining if in_place[row]]
                groups.append(front + [row for row, _ in place_fused if row not in front])
            first = interleave(groups)
            chosen = set(first)
            ranked = first + [row for row in ranked if row not in chosen]
        if self.calibrated and cosines:  # only the rows the dense side saw, and the hits: O(depth), not O(rows)
            rows = sorted(set(cosines) | set(ranked[:k]))
            question = vector[0] if self._ranks_with_calibration else \
                self.encoder.encode_calibration([query.text], "query")[0]  # not twice when it also ranks
            calibration = self.data.calibration[rows] @ question
            cosines = dict(zip(rows, calibration.astype(float).tolist()))
        sentences = self.sentence_cosines(ranked[:k], vector) if vector is not None else {}
        hits = tuple(
            Hit(key=self.data.articles[row].key, regulation=self.data.articles[row].regulation,
                article_no=self.data.articles[row].article_no, label=self.data.articles[row].label,
                jurisdiction=self.data.articles[row].jurisdiction, rank=rank, score=score_of.get(row, 0.0),
                retriever=mode, bm25_score=float(bm25[row]), dense_score=cosines.get(row, 0.0),
                sentence_scores=sentences.get(row, ()))
            for rank, row in enumerate(ranked[:k], start=1))
        confidence = max(cosines.values(), default=0.0) if mode != "bm25" else 0.0
        if mode != "dense" and query.lexical_text:  # coverage is judged on the question's own words
            bm25 = self.bm25_scores(query, expanded=False)
        best_bm25 = float(bm25[allowed].max()) if mode != "dense" and allowed.any() else float("inf")
        decision = None
        if hits and mode != "bm25":
            absent = self._absent_laws(query, allowed)
            # another place's local rule is the best the corpus has: it does not hold in the place asked about
            # ... or national law is, but the question asks about that place's own rules (上海的数据条例对…怎么规定)
            places = query.only_other_places if self.jurisdiction_of_row[ranked[0]] != NATIONAL or (
                self.settings.place_rules_gate and asks_place_rules(query.cleaned, query.only_other_places)) else ()
            decision = self._decide(query, ranked[:3], allowed, vector, confidence, margin, best_bm25, mode, absent,
                                    places, sentences, self._changed_laws(query, allowed))
        abstained = not hits or (decision is not None and not decision.answered)
        return Retrieval(query=query, hits=hits, abstained=abstained, confidence=confidence, filters=filters,
                         decision=decision)

    def _absent_laws(self, query: Query, allowed: np.ndarray) -> tuple[str, ...]:
        """The laws the question names that neither the searched regulations (nor their books) are, nor the corpus
        repeals."""
        if not query.laws:
            return ()
        held = {name for title in self._searched_titles(allowed) for name in self.held_names[title]}
        return absent_laws(query.laws, held | self.repealed_laws)

    def _changed_laws(self, query: Query, allowed: np.ndarray) -> tuple[str, ...]:
        """The laws whose later change the question asks about (Query.changed) that the searched regulations are."""
        if not query.changed:
            return ()
        searched = self._searched_titles(allowed)
        return tuple(title for title in query.changed if title in searched)

    def _searched_titles(self, allowed: np.ndarray) -> set[str]:
        return set(self.regulation_of_row[allowed].tolist())

    def _decide(self, query: Query, top: list[int], allowed: np.ndarray, vector: np.ndarray, confidence: float,
                margin: float, best_bm25: float, mode: str, absent: tuple[str, ...] = (),
                places: tuple[str, ...] = (), sentences: dict[int, tuple[float, ...]] | None = None,
                changed: tuple[str, ...] = ()) -> Decision:
        """Whether the corpus answers: the question read against its best articles (retrieval.answerability).
        ``sentences``: the hits' sentence cosines (sentence_cosines), read by their excerpts too."""
        sentences = sentences or {}
        if self._ranks_with_calibration:  # the vector is the calibration model's: the passages are not
            article = sentence = confidence
        else:
            article = float(self.data.article_vector(top[0]) @ vector[0])
            sentence = max(sentences.get(top[0], ()), default=article)
        texts = [self.words.texts[row] for row in top]  # title and text, as the word lookup reads them
        values, uncovered = answerability.measure(
            query.cleaned, lambda word: self.words.held(word, allowed), texts, self.not_focus, article, sentence,
            margin, best_bm25 if np.isfinite(best_bm25) else 0.0)
        if self.answerability is None or mode != "hybrid":
            return answerability.by_thresholds(confidence, best_bm25, self.settings, values, uncovered)
        reader = None
        asked = query.cleaned if self.settings.read_details else ""
        if self.reads and self.answerability.reads(self.answerability.probability(values), asked):
            rows = [top[0]]
            # a question naming a place whose best article is local: the national law beside it may hold the answer
            # (the deadline of a 北京 disclosure request is in 政府信息公开条例 #33, not 北京 #19): read both
            if self.settings.read_national and query.places and self.jurisdiction_of_row[top[0]] != NATIONAL:
                rows += [row for row in top[1:] if self.jurisdiction_of_row[row] == NATIONAL][:1]
            texts = [self.reading_text(row, vector, sentences.get(row)) for row in rows]
            reader = float(np.max(self.encoder.read(query.text, texts)))
        return answerability.decide(self.answerability, values, uncovered, reader, absent, places, changed)

    def sentence_cosines(self, rows: list[int], vector: np.ndarray) -> dict[int, tuple[float, ...]]:
        """Per row, the ranking model's cosine of each stored sentence passage with the question (the excerpt
        choice reads them: retrieval.excerpts); rows of one sentence, and the calibration model's vectors, have none."""
        if self._ranks_with_calibration:
            return {}
        owned = [(row, self.passages_of_row[row][1:]) for row in rows if len(self.passages_of_row[row]) > 2]
        if not owned:
            return {}
        similarities = self.data.dense.reconstruct_batch(np.concatenate([p for _, p in owned])) @ vector[0]
        result, start = {}, 0
        for row, passages in owned:
            result[row] = tuple(similarities[start:start + len(passages)].astype(float).tolist())
            start += len(passages)
        return result

    def reading_text(self, row: int, vector: np.ndarray, cosines: tuple[float, ...] | None = None) -> str:
        """What the answerability reader reads of an article: its title, then its sentences, the closest to the
        question (the ranking model's cosines of the stored sentence passages; ``cosines`` when already read) first.
        The reader reads 128 tokens, about a fifth of the articles are longer, and in text order the sentence a
        question turns on may lie past the cut."""
        article = self.data.articles[row]
        sentences = sentences_of(article.text)
        if cosines is None:
            cosines = self.sentence_cosines([row], vector).get(row, ())
        if len(sentences) < 2 or len(cosines) != len(sentences):
            return self.words.texts[row]
        order = np.argsort(-np.asarray(cosines), kind="stable")
        return f"{article.regulation}\n" + "".join(sentences[i] for i in order)

    def _defining_rows(self, text: str, allowed: np.ndarray) -> list[int]:
        """Allowed articles defining the (longest) term whose meaning the question asks."""
        terms = sorted((t for t in self.defining_rows if _asks_meaning_of(t, text)), key=len, reverse=True)
        if not terms:
            return []
        longest = len(terms[0])
        rows = [row for t in terms if len(t) == longest for row in self.defining_rows[t] if allowed[row]]
        return list(dict.fromkeys(rows))

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return list(self.retrieve(question, k, filters).hits)

    def article(self, key: str):
        return self.data.articles[self.row_of_key[key]]
