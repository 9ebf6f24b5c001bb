"""The encoding path before issue 17 ('reference': the reference engine, the ranking and the calibration model)
and now ('fast': the fast engine, the ranking model alone) side by side, in one process, interleaved: index
builds on real text, what a question pays for encoding, and how far the fast engine's vectors are from the
reference's (models.engine says what the two engines are)."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.measure import Say, percentiles
from core import paths

ENGINES = ("reference", "fast")
DEFAULT_LABEL = "bundled + national pack"  # the default corpus (core.paths.DEFAULT_FOLDERS): real text, 981 articles


def measure_engines(quick: bool, say: Say) -> dict:
    """Builds on real text (the default corpus: the five and the national pack; in the full run also the five
    alone, twice), query encoding, agreement."""
    from models import load_encoder

    # before issue 17: the reference engine and the pair (ranking and calibration models, two passes per article
    # and two encodes per question); now: the fast engine and the ranking model alone
    encoders = {"reference": load_encoder(engine="reference", calibration=True).load(),
                "fast": load_encoder(engine="fast").load()}
    work = Path(tempfile.mkdtemp(prefix="regqa-bench-engines-"))
    try:
        corpora = [] if quick else [("bundled", [paths.BUNDLED_CORPUS], 2)]
        corpora.append((DEFAULT_LABEL, list(paths.DEFAULT_FOLDERS), 1 if quick else 2))
        builds, agreement = {}, {}
        for label, folders, reps in corpora:
            builds[label], agreement[label] = _measure_builds(label, folders, reps, encoders, work, say)
        questions = _questions(quick)
        say(f"查询编码：{len(questions)} 个问题，两种引擎交替…")
        query_ms = _measure_queries(encoders, questions, 1 if quick else 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"engines": {name: _describe(encoder) for name, encoder in encoders.items()}, "builds": builds,
            "query_encoding_ms": query_ms, "agreement": agreement,
            "load_average_after": [round(value, 2) for value in os.getloadavg()]}


def _describe(encoder) -> dict:
    engine = getattr(encoder, "ranking", encoder).engine  # the pair's, or the one model's ($REGQA_MODEL_DIR)
    return {"device": engine.device, "dtype": engine.dtype, "workers": engine.workers}


def _measure_builds(label: str, folders: list[Path], reps: int, encoders: dict, work: Path, say: Say):
    """Fresh builds (no vectors reused), the engines taking turns; medians; cosines of the last two builds."""
    from index.store import build, load
    from ingest import load_corpus

    corpus = load_corpus(folders)
    runs: dict[str, list[dict]] = {name: [] for name in ENGINES}
    last: dict[str, Path] = {}
    for rep in range(reps):
        for name in (ENGINES if rep % 2 == 0 else ENGINES[::-1]):
            say(f"建索引（{label}，{name}，第 {rep + 1}/{reps} 次）：{len(corpus.articles)} 条…")
            out = work / f"{label.replace(' ', '')}-{name}-{rep}"
            started = time.perf_counter()
            build(corpus, out, encoders[name], folders)
            total_s = time.perf_counter() - started
            manifest = load(out, check_corpus=False).manifest
            encode_s = manifest.build["dense_s"] + manifest.build.get("calibration_s", 0.0)
            encoded = manifest.build["encoded"] + manifest.build.get("calibration_encoded", 0)
            runs[name].append({"total_s": total_s, "encode_s": encode_s, "encoded": encoded})
            if name in last:
                shutil.rmtree(last[name], ignore_errors=True)
            last[name] = out
    articles, passages = len(corpus.articles), load(last["fast"], check_corpus=False).manifest.counts["passages"]
    result = {"articles": articles, "passages": passages, "repetitions": reps}
    for name, measured in runs.items():
        total = float(np.median([run["total_s"] for run in measured]))
        encode = float(np.median([run["encode_s"] for run in measured]))
        result[name] = {"build_s": round(total, 2), "encode_s": round(encode, 2),
                        "articles_per_s": round(articles / total, 1),
                        "passages_per_s": round(measured[0]["encoded"] / encode, 1),
                        "encoded": measured[0]["encoded"], "all_build_s": [round(run["total_s"], 2) for run in measured]}
    result["speedup_articles_per_s"] = round(result["fast"]["articles_per_s"] / result["reference"]["articles_per_s"], 2)
    return result, _agreement(last["reference"], last["fast"])


def _agreement(reference_dir: Path, fast_dir: Path) -> dict:
    """Cosine of each passage's vector (fast vs reference), per model: min, mean and the 1st percentile."""
    from index.store import load

    old, new = load(reference_dir, check_corpus=False), load(fast_dir, check_corpus=False)
    pairs = {"ranking": (old.dense.reconstruct_n(0, old.dense.ntotal), new.dense.reconstruct_n(0, new.dense.ntotal))}
    if old.calibration is not None and new.calibration is not None:
        pairs["calibration"] = (old.calibration, new.calibration)
    out = {}
    for model, (a, b) in pairs.items():
        cosines = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        out[model] = {"passages": len(cosines), "min": round(float(cosines.min()), 6),
                      "mean": round(float(cosines.mean()), 6), "p1": round(float(np.percentile(cosines, 1)), 6)}
    return out


def _questions(quick: bool) -> list[str]:
    from eval.gold import load_split
    from ingest.text import clean_question

    return [clean_question(q.question)[0] for q in load_split("test" if quick else "all")][:40 if quick else 160]


def _measure_queries(encoders: dict, questions: list[str], reps: int) -> dict:
    """What a question pays for encoding (before: ranking and calibration model; now: the ranking model), the
    paths alternating per question."""
    def both(encoder, text):
        encoder.encode([text], "query")
        if hasattr(encoder, "encode_calibration"):
            encoder.encode_calibration([text], "query")

    for encoder in encoders.values():  # warm up
        for text in questions[:5]:
            both(encoder, text)
    samples: dict[str, list[float]] = {name: [] for name in ENGINES}
    for rep in range(reps):
        for i, text in enumerate(questions):
            for name in (ENGINES if (i + rep) % 2 == 0 else ENGINES[::-1]):
                started = time.perf_counter()
                both(encoders[name], text)
                samples[name].append(time.perf_counter() - started)
    result = {name: percentiles(values) for name, values in samples.items()}
    result["ratio_p50"] = round(result["fast"]["p50"] / result["reference"]["p50"], 2)
    return result


def note_engines(engines: dict) -> list[str]:
    """The Markdown section: builds, query encoding and agreement, old and new side by side."""
    described = "; ".join(f"{name}: {d['dtype']} on {d['device']}, "
                          f"{d['workers'] or 'torch'}{' workers' if d['workers'] else ' threads'}"
                          for name, d in engines["engines"].items())
    lines = ["## Encoding: before issue 17 (reference engine, ranking and calibration models) and now (fast engine, "
             "ranking model alone), side by side", "",
             f"One process, the engines taking turns. {described}. Load average after: "
             f"{engines['load_average_after']}.", "",
             "| corpus | articles / passages | engine | build s | articles/s | encoded / encode s | passages/s |",
             "|---|---|---|---|---|---|---|"]
    for label, build in engines["builds"].items():
        for name in ENGINES:
            row = build[name]
            lines.append(f"| {label} (median of {build['repetitions']}) | {build['articles']} / {build['passages']} | "
                         f"{name} | {row['build_s']} | {row['articles_per_s']} | {row['encoded']} / {row['encode_s']} | "
                         f"{row['passages_per_s']} |")
        lines.append(f"| | | fast ÷ reference | | **{build['speedup_articles_per_s']}×** | | |")
    query = engines["query_encoding_ms"]
    lines += ["", "Query encoding, as a question pays it (reference: both models; fast: the ranking model):", "",
              "| engine | p50 ms | p95 ms | n |", "|---|---|---|---|",
              *[f"| {name} | {query[name]['p50']} | {query[name]['p95']} | {query[name]['n']} |" for name in ENGINES],
              f"| fast ÷ reference | **{query['ratio_p50']}** | | |", "",
              "Cosine of every passage's fast vector with its reference vector:", "",
              "| corpus | model | passages | min | 1st percentile | mean |", "|---|---|---|---|---|---|"]
    for label, models in engines["agreement"].items():
        lines += [f"| {label} | {model} | {row['passages']} | {row['min']} | {row['p1']} | {row['mean']} |"
                  for model, row in models.items()]
    builds = list(engines["builds"].values())
    cosine = min(row["min"] for models in engines["agreement"].values() for row in models.values())
    lines += ["", "Targets:", "",
              f"- build articles/s ≥ 4× the reference's: " + ", ".join(
                  f"{b['speedup_articles_per_s']}× ({'met' if b['speedup_articles_per_s'] >= 4 else 'NOT met'})"
                  for b in builds),
              f"- query encoding p50 ≤ 0.6× the reference's: {query['ratio_p50']}× "
              f"({'met' if query['ratio_p50'] <= 0.6 else 'NOT met'})",
              f"- cosine with the reference ≥ 0.99 on every passage: min {cosine} "
              f"({'met' if cosine >= 0.99 else 'NOT met'})", ""]
    return lines
