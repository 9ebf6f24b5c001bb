"""Typed records of retrieval and answering: the filters, the parsed query, one hit, one retrieval, and the
answer with its citations."""
from __future__ import annotations

import math
from dataclasses import dataclass, field



NATIONAL = "全国"  # the jurisdiction of national laws and State Council regulations
SCOPES = ("national", "local")
# whether the corpus answers a question (retrieval.answerability): yes; only in part (it names what it does not
# cover and shows the nearest provisions); no (未找到)
STATES = ("answered", "partial", "not_found")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some regulations (exact titles) and/or jurisdictions (e.g. 天津市).

    Historical versions of a regulation are searched only when `history` is set or the question asks for an
    earlier text (修改前, 2021年版 …; see Retriever.parse)."""

    regulations: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    history: bool = False
    scope: str = ""  # 'national' (jurisdiction 全国) or 'local' (the others); '' for both

    def keeps(self, title: str, jurisdiction: str) -> bool:
        """Whether a regulation of this title and jurisdiction is searched."""
        if self.regulations and title not in self.regulations:
            return False
        if self.jurisdictions and jurisdiction not in self.jurisdictions:
            return False
        return not ((self.scope == "national" and jurisdiction != NATIONAL)
                    or (self.scope == "local" and jurisdiction == NATIONAL))


@dataclass(frozen=True)
class Query:
    """A question after normalization: what is searched and which places it names."""

    original: str  # as asked (lone surrogates replaced, so it can be shown back)
    text: str  # normalized (simplified, half-width, one space), synonyms expanded
    places: tuple[str, ...]  # jurisdictions named, in order of appearance
    truncated: bool = False
    lexical_text: str = ""  # what BM25 searches: text plus the regulations' words for everyday ones ('' = text)
    cleaned: str = ""  # normalized, without expansions: what the answer's wording reads
    earlier: bool = False  # asks what a provision said before (修改前, 旧版 …): historical versions are searched
    edition_year: str = ""  # names a version by its year (2021年版): that version is searched
    laws: tuple[str, ...] = ()  # the laws and regulations it names (retrieval.normalize.named_laws), short forms
    # places it names that no regulation of the index governs (retrieval.normalize.other_places: 深圳, 上海 …)
    other_places: tuple[str, ...] = ()
    # the held laws known to be outdated (Regulation.currency_note) whose later change it asks about (full titles)
    changed: tuple[str, ...] = ()

    @property
    def only_other_places(self) -> tuple[str, ...]:
        """The places it asks about when it names only places the index holds no local regulation of: only
        national law can answer it (another place's local rules do not hold there)."""
        return () if self.places else self.other_places

    @property
    def is_comparison(self) -> bool:
        return len(self.places) >= 2


@dataclass(frozen=True)
class Hit:
    """One retrieved article: its key, rank and score, and which retriever produced the score."""

    key: str  # 天津市信息化促进条例#28
    regulation: str
    article_no: int
    label: str
    jurisdiction: str
    rank: int  # 1-based
    score: float
    retriever: str  # 'bm25' | 'dense' | 'hybrid'
    bm25_score: float = 0.0
    dense_score: float = 0.0
    # the ranking model's cosine of each of the article's sentences (index.store.sentences_of, in text order) with
    # the question; () when the article has one sentence, or the dense side did not score it
    sentence_scores: tuple[float, ...] = ()


@dataclass(frozen=True)
class Signal:
    """One piece of evidence the decision read, as the page shows it."""

    name: str  # a FEATURES name, or 'model'
    value: float
    text: str  # Chinese: what it says


@dataclass(frozen=True)
class Decision:
    """Whether the corpus answers the question, with the evidence."""

    state: str  # STATES
    probability: float  # the model's probability that the corpus answers (nan when no model decided)
    threshold: float
    uncovered: tuple[str, ...] = ()  # the question's words that no searched article holds
    reason: str = ""  # Chinese: which signal decided
    signals: tuple[Signal, ...] = field(default=(), compare=False)  # the evidence worth showing, strongest first
    decided_by: str = "model"  # 'model' (retrieval.answerability) or 'thresholds' (cosine and BM25 thresholds)
    features: tuple[tuple[str, float], ...] = field(default=(), compare=False)  # every feature read (for eval)
    unstated_quantity: bool = False  # asks an amount, price or time limit that the best articles do not state
    reader: float = float("nan")  # the reader's logit for the best article (models.reader; nan when it did not read)
    base_probability: float = float("nan")  # the signals' probability before the reader (nan when no model decided)
    absent_laws: tuple[str, ...] = ()  # laws the question names that the searched corpus does not hold
    # places the question asks about whose local regulations the corpus does not hold, where its best article is
    # another place's local one (Query.only_other_places)
    absent_places: tuple[str, ...] = ()
    # searched laws whose later change the question asks about, which the corpus holds only before it (Query.changed)
    changed_laws: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.state == "answered"

    @property
    def read(self) -> bool:
        """Whether the answerability reader read the question to decide (its logit is a number)."""
        return not math.isnan(self.reader)


@dataclass(frozen=True)
class Retrieval:
    """The hits for a query and whether the corpus seems not to cover it."""

    query: Query
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float  # the evidence the abstention decision used (best dense cosine)
    filters: Filters | None = None  # the filters the retrieval used (the answer respects them too)
    decision: Decision | None = None  # whether the corpus answers, and why (abstained: not 'answered')


ROLES = ("answer", "referenced", "nearby", "definition")


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
    key: str = ""  # the article's key (ingest.records.article_key)
    cited_as: str = ""  # the article as a reader cites it (ingest.records.Article.citation)
    version: str = ""  # '' for the version in force (or the only one); else the historical version's date
    version_date: str = ""  # the date of the cited text (ISO), '' when not known
    level: str = ""  # the level as stated (法律, 省级地方性法规 …), '' when not known
    tier: str = ""  # 法律 / 行政法规 / 地方性法规 / 地方政府规章 (ingest.records.level_tier), '' when not known
    cited_by: tuple[str, ...] = ()  # for a national article: the local articles that cite it (《…》第X条)

    @property
    def citation(self) -> str:
        return self.cited_as or f"《{self.regulation}》{self.label}"


@dataclass(frozen=True)
class Block:
    """What a reader sees as one section: a regulation, or in a comparison one jurisdiction."""

    heading: str
    citations: tuple[Citation, ...]
    missing: tuple[str, ...] = ()  # rows such as 《北京市信息化促进条例》未见相关规定
    tier: str = ""  # the regulation's level (法律 …) when the block is one regulation


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
    state: str = ""  # STATES: 'answered', 'partial' or 'not_found' ('' in records made before issue 16)
    uncovered: tuple[str, ...] = ()  # for 'partial': the question's words no searched article holds
    reason: str = ""  # which signal decided whether the corpus answers (retrieval.records.Decision.reason)
    absent_laws: tuple[str, ...] = ()  # laws the question names that the searched corpus does not hold
    absent_places: tuple[str, ...] = ()  # places it asks about whose local regulations the corpus does not hold
    changed_laws: tuple[str, ...] = ()  # laws whose later change it asks about, held only before it (Decision)
    retrieval: Retrieval | None = field(default=None, compare=False, repr=False)  # the hits it was composed from

    def blocks(self) -> tuple[Block, ...]:
        """Sections to show: one per compared jurisdiction, else one per regulation."""
        if self.comparison:
            return tuple(Block(place, tuple(c for c in self.citations if c.jurisdiction == place),
                               tuple(f"《{title}》未见相关规定" for j, title in self.missing if j == place))
                         for place in self.comparison)
        blocks = [Block(title, (), (f"《{title}》未见相关规定",)) for _, title in self.missing]
        for title in dict.fromkeys(c.regulation for c in self.citations):
            mine = tuple(c for c in self.citations if c.regulation == title)
            blocks.append(Block(title, mine, tier=mine[0].tier))
        return tuple(blocks)

    @property
    def text(self) -> str:
        """Plain-text rendering for CLIs and tests."""
        lines = [self.lead]
        lines += [f"注：{note}" for note in self.notes]
        if self.reason:
            lines.append(self.reason)
        for block in self.blocks():
            lines.append(f"【{block.heading}】" + (f"〔{block.tier}〕" if block.tier else ""))
            lines += [f"  {row}" for row in block.missing]
            for citation in block.citations:
                tag = {"nearby": "（可能相关）", "definition": "（用语含义）",
                       "referenced": f"（{citation.relation}）"}.get(citation.role, "")
                lines.append(f"{citation.citation}{tag}")
                lines += [f"  “{excerpt}”" for excerpt in citation.excerpts]
                lines += [f"  注：{note}" for note in citation.notes]
                if citation.cited_by:
                    lines.append(f"  引用本条的地方规定：{'、'.join(citation.cited_by)}")
        return "\n".join(lines)


class EmptyQuestion(ValueError):
    """The question holds nothing but spaces and control characters."""
