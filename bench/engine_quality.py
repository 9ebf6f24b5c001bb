"""Quality with each engine (issue 17's "quality holds"): the product's pipeline (the ranking model alone), each
engine on its own freshly built index of each gold split's corpus, the hybrid system over every split of
eval/gold: Recall@5, MRR@10, and the answerability decision's counts (out of scope abstained, answerable refused).

`python -m bench --engine-quality` writes bench/results/engine-quality.md and .json (about 5 minutes on 2 cores).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.measure import Say

ENGINES = ("reference", "fast")


def measure_quality(say: Say) -> dict:
    from core import paths
    from eval.gold import PACK_SPLITS, SPLITS, load_split
    from eval.metrics import ranking_scores
    from eval.runner import CachedEncoder, System, run_system
    from index import build_from_folders, load_for
    from models import load_encoder
    from retrieval.retriever import Retriever

    corpora = {"bundled": [paths.BUNDLED_CORPUS], "default": list(paths.DEFAULT_FOLDERS)}
    splits = [(split, "bundled") for split in SPLITS] + [(split, "default") for split in PACK_SPLITS]
    work = Path(tempfile.mkdtemp(prefix="regqa-bench-quality-"))
    results: dict = {}
    try:
        for engine in ENGINES:
            encoder = CachedEncoder(load_encoder(engine=engine).load())
            retrievers = {}
            for corpus, folders in corpora.items():
                say(f"质量对比：{engine} 引擎建索引（{corpus}）…")
                out = work / f"{engine}-{corpus}"
                build_from_folders(folders, out, encoder.inner)
                retrievers[corpus] = Retriever(load_for(out, encoder.inner), encoder)
            for split, corpus in splits:
                questions = load_split(split)
                runs = run_system(retrievers[corpus], System("hybrid", "hybrid"), questions)
                metrics = {name: float(values.mean()) for name, values in ranking_scores(questions, runs).items()}
                out_of_scope = [q for q in questions if not q.answerable]
                answerable = [q for q in questions if q.answerable]
                results.setdefault(split, {"questions": len(questions), "corpus": corpus})[engine] = {
                    "Recall@5": metrics["Recall@5"], "MRR@10": metrics["MRR@10"],
                    "oos_abstained": sum(runs[q.id].abstained for q in out_of_scope), "oos": len(out_of_scope),
                    "refused": sum(runs[q.id].abstained for q in answerable), "answerable": len(answerable),
                    "decisions": {q.id: runs[q.id].abstained for q in questions}}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for split, row in results.items():
        reference, fast = row["reference"]["decisions"], row["fast"]["decisions"]
        row["decisions_differ"] = sorted(q for q in reference if reference[q] != fast[q])
        for engine in ENGINES:
            del row[engine]["decisions"]
    return results


def note_quality(results: dict) -> list[str]:
    lines = ["# Quality with each engine", "",
             "The product's pipeline (the ranking model alone, the answerability model deciding), each engine on its "
             "own freshly built index; hybrid over every split of eval/gold (the five's splits on the five, the pack's "
             "and answer_dev on the default corpus).", "",
             "| split | Recall@5 reference / fast | MRR@10 reference / fast | out of scope abstained, reference / fast "
             "| answerable refused, reference / fast | decisions that differ |", "|---|---|---|---|---|---|"]
    for split, row in results.items():
        ref, fast = row["reference"], row["fast"]
        lines.append(f"| {split} ({row['questions']}) | {ref['Recall@5']:.3f} / {fast['Recall@5']:.3f} | "
                     f"{ref['MRR@10']:.4f} / {fast['MRR@10']:.4f} | {ref['oos_abstained']} / {fast['oos_abstained']} "
                     f"of {ref['oos']} | {ref['refused']} / {fast['refused']} of {ref['answerable']} | "
                     f"{', '.join(row['decisions_differ']) or 'none'} |")
    worst = max(abs(row["reference"][m] - row["fast"][m]) for row in results.values() for m in ("Recall@5", "MRR@10"))
    differ = sum(len(row["decisions_differ"]) for row in results.values())
    total = sum(row["questions"] for row in results.values())
    lines += ["", f"Largest Recall@5 / MRR@10 difference: {worst:.4f} (target ≤ 0.005: "
              f"{'met' if worst <= 0.005 else 'NOT met'}). Abstention decisions that differ: {differ} of {total} "
              f"(target: none, {'met' if not differ else 'NOT met'}).", ""]
    return lines
