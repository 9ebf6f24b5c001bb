"""Run retrieval systems over a gold set and collect every figure the report shows."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from eval.gold import GoldQuestion
from eval.metrics import SystemRun, abstention, answer_quality, breakdown, mean_scores, ranking_scores


@dataclass(frozen=True)
class System:
    """A named retrieval configuration: a mode and settings overrides on the retriever's defaults."""

    name: str
    mode: str  # 'bm25' | 'dense' | 'hybrid'
    overrides: tuple[tuple[str, object], ...] = ()
    compose: bool = False  # also compose answers (keyword coverage, citation fidelity)
    # what it needs of the calibration model's vectors (the path before issue 17): '' nothing; 'abstention' its
    # abstention thresholds read them (without them the system is scored, its abstention row left out);
    # 'required' it ranks or cites with them (left out without them)
    calibration: str = ""


SYSTEMS = (
    # the one-sided systems have no answerability model: the thresholds decide, on the cosines they were set on
    System("bm25", "bm25"),
    System("dense", "dense", (("calibration_cosines", True),), calibration="abstention"),
    System("hybrid", "hybrid", compose=True),
)
ABLATIONS = (
    # the thresholds on the calibration model's cosines, as they were set
    System("hybrid, thresholds decide abstention (before issue 16)", "hybrid",
           (("answerability", "thresholds"), ("calibration_cosines", True)), calibration="required"),
    System("hybrid, calibration model's cosines for citations (before issue 17)", "hybrid",
           (("calibration_cosines", True),), calibration="required"),
    # the answerability signals alone: the reader off (the decision before issue 16's reader)
    System("hybrid - answerability reader", "hybrid", (("answerability_reader", False),)),
    # the reader reading only under read_below (before the tenth session), not detail and quantity questions too
    System("hybrid - reading detail questions", "hybrid", (("read_details", False),)),
    System("hybrid - the national article read beside a local one", "hybrid", (("read_national", False),)),
    System("hybrid - absent-law gate", "hybrid", (("absent_law_gate", False),)),
    System("hybrid - other-place gate", "hybrid", (("other_places_gate", False),)),
    System("hybrid - later-change gate", "hybrid", (("later_change_gate", False),)),
    System("hybrid - parallel provisions", "hybrid", (("parallel_places", False),), compose=True),
    # a question naming a place cites that place's articles alone (before the fourteenth session)
    System("hybrid - national articles beside a named place", "hybrid", (("national_with_places", 0),), compose=True),
    # the dense side's closest article passes no test for that alone (the citation rule before the fifteenth session)
    System("hybrid - the dense side's closest article cited", "hybrid", (("cite_closest", False),), compose=True),
    # excerpts chosen by the question's words alone, no lead-in's items, no article cited for its closest sentence
    # (what is quoted and cited before the seventeenth session)
    System("hybrid - sentence cosines in excerpts and citations", "hybrid",
           (("excerpt_dense", 0.0), ("item_chars", 0), ("sentence_near", 0.0)), compose=True),
    # the best hits the rules leave out cited where the citation model takes them to answer (nineteenth session)
    System("hybrid - the citation model", "hybrid", (("cite_model", False),), compose=True),
    # the current law's provision beside an outdated text's, and the same matter in another national law (twenty-third
    # session)
    System("hybrid - the current law beside an outdated text", "hybrid", (("current_parallel", 0.0),), compose=True),
    System("hybrid - the same matter in another national law", "hybrid", (("law_parallel", 0.0),), compose=True),
    # the best hits the rules leave out cited where the answerability reader takes them to answer (twenty-fourth session)
    System("hybrid - the reader's citations", "hybrid", (("cite_reader_depth", 0),), compose=True),
    # the best hit cited where the decision answered and the rules cite none (twenty-sixth session)
    System("hybrid - the decided best hit cited", "hybrid", (("cite_decided_best", False),), compose=True),
    # a question about an absent place's own rules gated where national law is best (twenty-sixth session)
    System("hybrid - the place's own rules gate", "hybrid", (("place_rules_gate", False),), compose=True),
    System("hybrid - places", "hybrid", (("place_boost", False),)),
    System("hybrid - abbreviations", "hybrid", (("synonyms", False),)),
    System("hybrid - everyday words", "hybrid", (("colloquial", False),)),
    System("hybrid - definitions", "hybrid", (("definitions", False),)),
    System("hybrid - intent prior", "hybrid", (("intent_prior", 0.0),)),
    System("hybrid - sentence passages", "hybrid", (("sentence_weight", 0.0),)),
    System("hybrid, RRF k=60 fusion", "hybrid", (("fusion", "rrf"), ("dense_weight", 1.0))),
    # the converted model ranks (whole articles), with the weights that were best for it
    System("hybrid - trained model (converted model ranks, whole articles)", "hybrid", (("dense_model", "calibration"), ("calibration_cosines", True), ("dense_weight", 1.5)), calibration="required"),
    System("baseline: plain RRF k=60", "hybrid", (
        ("place_boost", False), ("synonyms", False), ("colloquial", False), ("definitions", False),
        ("intent_prior", 0.0), ("sentence_weight", 0.0), ("fusion", "rrf"), ("bm25_weight", 1.0),
        ("dense_weight", 1.0), ("rrf_k", 60), ("dense_model", "calibration"), ("calibration_cosines", True)),
        calibration="required"),
)


class CachedEncoder:
    """Wraps an encoder so each query is encoded once across all systems."""

    def __init__(self, encoder):
        self.inner, self.name, self.dim = encoder, encoder.name, encoder.dim
        self.calibration_name = getattr(encoder, "calibration_name", None)
        self.cache: dict[tuple[str, str, str], np.ndarray] = {}
        self.read_cache: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}  # the answerability reader's logits

    def _cached(self, texts, kind, model, encode):
        missing = [t for t in texts if (t, kind, model) not in self.cache]
        if missing:
            for text, vector in zip(missing, encode(missing, kind)):
                self.cache[(text, kind, model)] = vector
        return np.stack([self.cache[(t, kind, model)] for t in texts])

    def encode(self, texts, kind):
        return self._cached(texts, kind, "ranking", self.inner.encode)

    def encode_calibration(self, texts, kind):
        return self._cached(texts, kind, "calibration", self.inner.encode_calibration)

    @property
    def reader_name(self):
        return getattr(self.inner, "reader_name", None)

    def read(self, question, passages):
        key = (question, tuple(passages))
        if key not in self.read_cache:
            self.read_cache[key] = self.inner.read(question, passages)
        return self.read_cache[key]


def run_system(retriever, system: System, questions: list[GoldQuestion], k: int = 10) -> dict[str, SystemRun]:
    from retrieval.retriever import Retriever

    # a retriever of its own per system, so every setting takes effect (the loaded BM25 index is shared)
    variant = Retriever(retriever.data, retriever.encoder,
                        dataclasses.replace(retriever.settings, **dict(system.overrides)))
    runs = {}
    for question in questions:
        excerpts: tuple[tuple[str, str], ...] = ()
        if system.compose:
            answer = variant.ask(question.question, k=k, mode=system.mode)
            retrieval = answer.retrieval
            excerpts = tuple((c.key, e) for c in answer.citations
                             if c.role in ("answer", "definition", "referenced") for e in c.excerpts)
            abstained = answer.abstained  # what the page says: a 未找到 page under an answered decision abstains
        else:
            retrieval = variant.retrieve(question.question, k, mode=system.mode)
            abstained = retrieval.abstained
        decision = retrieval.decision
        score, threshold = decision_score(variant, decision)
        runs[question.id] = SystemRun(question.id, tuple(h.key for h in retrieval.hits), abstained,
                                      excerpts, decision.state if decision else "", score, threshold)
    return runs


def decision_score(retriever, decision) -> tuple[float, float]:
    """(score, operating point) of a decision on one scale: with the reader's step, its probability where the
    reader read and 1.0 where the signals' probability was at or over read_below (answered unread); else the
    signals' probability and threshold; (nan, nan) where thresholds decided."""
    if decision is None or decision.decided_by != "model":
        return float("nan"), float("nan")
    stage = retriever.answerability.reader if retriever.answerability is not None else None
    threshold = decision.threshold if stage is None or not retriever.reads else stage.threshold
    # a law or place the corpus lacks, or a later change of a law it holds only before it: abstains at any threshold
    if decision.absent_laws or decision.absent_places or decision.changed_laws:
        return 0.0, threshold
    if stage is None or not retriever.reads:
        return decision.probability, threshold
    return (decision.probability if decision.read else 1.0), threshold


def answerability_report(questions: list[GoldQuestion], runs: dict[str, SystemRun]) -> dict:
    """The decision's states, its precision-recall curve over the model's probability (abstaining is the
    positive class), the operating point, and every out-of-scope question answered and answerable one refused."""
    from eval.answerability import curve
    from retrieval.answerability import load_model

    model = load_model()
    thresholds = {runs[q.id].threshold for q in questions if not np.isnan(runs[q.id].threshold)}
    threshold = thresholds.pop() if len(thresholds) == 1 else (model.threshold if model else None)
    states = {"out_of_scope": {}, "answerable": {}}
    for q in questions:
        group = states["answerable" if q.answerable else "out_of_scope"]
        group[runs[q.id].state or "none"] = group.get(runs[q.id].state or "none", 0) + 1
    probabilities = np.array([runs[q.id].probability for q in questions], dtype=float)
    labels = np.array([int(q.answerable) for q in questions])
    decided = ~np.isnan(probabilities)
    return {
        "states": states,
        "threshold": threshold,
        "curve": curve(probabilities[decided], labels[decided], (threshold,) if threshold is not None else ())
        if decided.any() else [],
        "oos_answered": [{"id": q.id, "question": q.question, "top": list(runs[q.id].ranked_keys[:1]),
                          "probability": round(runs[q.id].probability, 3)}
                         for q in questions if not q.answerable and not runs[q.id].abstained],
        "refused": [{"id": q.id, "question": q.question, "state": runs[q.id].state, "gold": list(q.gold_keys),
                     "top": list(runs[q.id].ranked_keys[:1]), "probability": round(runs[q.id].probability, 3)}
                    for q in questions if q.answerable and runs[q.id].abstained],
    }


def evaluate(retriever, questions: list[GoldQuestion], systems=SYSTEMS + ABLATIONS) -> dict:
    """All figures: per system means, abstention, by kind and persona (hybrid), answer quality. An index without
    the calibration model's vectors (the product's, since issue 17) is scored without the systems that need them;
    the report lists those."""
    article_text = {a.key: a.text for a in retriever.data.articles}
    report: dict = {"questions": len(questions), "answerable": sum(q.answerable for q in questions),
                    "systems": {}, "abstention": {}, "by_kind": {}, "by_persona": {}, "answers": {}}
    calibrated = retriever.data.calibration is not None and getattr(retriever.encoder, "calibration_name", None)
    if not calibrated:
        report["left_out"] = ([s.name for s in systems if s.calibration == "required"]
                              + [f"{s.name} (abstention)" for s in systems if s.calibration == "abstention"])
        systems = [system for system in systems if system.calibration != "required"]
    for system in systems:
        started = time.perf_counter()
        runs = run_system(retriever, system, questions)
        per_question = ranking_scores(questions, runs)
        report["systems"][system.name] = mean_scores(per_question)
        report["systems"][system.name]["seconds"] = round(time.perf_counter() - started, 1)
        if system.mode != "bm25" and (calibrated or system.calibration != "abstention"):
            report["abstention"][system.name] = abstention(questions, runs)
        if system.name == "hybrid":
            report["by_kind"] = breakdown(questions, per_question, "kind")
            report["by_persona"] = breakdown(questions, per_question, "persona")
            report["answers"] = answer_quality(questions, runs, article_text)
            report["answerability"] = answerability_report(questions, runs)
            report["misses"] = [
                {"id": q.id, "question": q.question, "gold": list(q.gold_keys), "top3": list(runs[q.id].ranked_keys[:3])}
                for q, r5 in zip([q for q in questions if q.answerable], per_question["Recall@5"]) if r5 < 1.0]
        elif system.compose:  # an ablation of the composed answer
            report.setdefault("answers_ablated", {})[system.name] = answer_quality(questions, runs, article_text)
    return report
