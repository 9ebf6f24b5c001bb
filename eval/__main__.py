"""python -m eval [--gold FILE] [--split dev|test|holdout|holdout3|all] [--json] [--index-dir DIR] [--no-report]"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPORT_DIR = Path(__file__).resolve().parent / "reports"


def table(report: dict) -> str:
    """The readable table: one row per system, then abstention and answers."""
    systems = report["systems"]
    metrics = [m for m in next(iter(systems.values())) if m != "seconds"]
    lines = ["| system | " + " | ".join(metrics) + " |", "|---" * (len(metrics) + 1) + "|"]
    for name, scores in systems.items():
        lines.append(f"| {name} | " + " | ".join(f"{scores[m]:.3f}" for m in metrics) + " |")
    return "\n".join(lines)


def markdown(report: dict, title: str) -> str:
    left_out = report.get("left_out")
    parts = [f"# {title}", "", f"{report['questions']} questions ({report['answerable']} answerable).", "",
             *([f"Left out (this index has no calibration model's vectors): {'; '.join(left_out)}.", ""]
               if left_out else []),
             "## Retrieval", "", table(report), "", "## Abstention", "",
             "| system | abstained | precision | recall | false abstention rate |", "|---|---|---|---|---|"]
    for name, row in report["abstention"].items():
        parts.append(f"| {name} | {row['abstained']} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['false_abstention_rate']:.3f} |")
    answers = report["answers"]
    parts += ["", "## Composed answers (hybrid)", "",
              f"Answer-keyword coverage {answers['keyword_coverage']:.3f}; gold articles cited "
              f"{answers.get('gold_cited', float('nan')):.3f}; citation fidelity "
              f"{answers['citation_fidelity']:.3f} over {answers['excerpts']} excerpts.", ""]
    for name, ablated in report.get("answers_ablated", {}).items():
        parts += [f"{name}: answer-keyword coverage {ablated['keyword_coverage']:.3f}; gold articles cited "
                  f"{ablated['gold_cited']:.3f}; {ablated['excerpts']} excerpts.", ""]
    for field in ("by_kind", "by_persona"):
        rows = report[field]
        parts += [f"## Hybrid {field.replace('_', ' ')}", "", "| group | n | Recall@5 | MRR@10 | Hit@1 |",
                  "|---|---|---|---|---|"]
        parts += [f"| {g} | {r['questions']} | {r['Recall@5']:.3f} | {r['MRR@10']:.3f} | {r['Hit@1']:.3f} |"
                  for g, r in rows.items()]
        parts.append("")
    parts += answerability_markdown(report.get("answerability"))
    parts += ["## Hybrid misses (Recall@5 < 1)", ""]
    parts += [f"- {m['id']} {m['question']} — gold {', '.join(m['gold'])}; top 3 {', '.join(m['top3'])}"
              for m in report.get("misses", [])]
    return "\n".join(parts) + "\n"


def answerability_markdown(section: dict | None) -> list[str]:
    """States, the precision-recall curve (a row per tenth of recall reached) and the questions decided wrong."""
    if not section:
        return []
    oos, answerable = section["states"]["out_of_scope"], section["states"]["answerable"]
    show = lambda counts: "、".join(f"{k} {v}" for k, v in sorted(counts.items())) or "—"  # noqa: E731
    parts = ["## Answerability (hybrid)", "",
             f"Out of scope: {show(oos)}. Answerable: {show(answerable)}. (partial and not_found both count as "
             "abstained.)", ""]
    threshold = section.get("threshold")
    if section["curve"]:
        parts += [f"Precision-recall of abstaining over the decision's score (the reader's step probability where "
                  f"the answerability reader read the question; 1.000 where the signals alone were confident and it "
                  f"did not); the operating point is {threshold:.3f} (chosen on dev).", "",
                  "| threshold | out of scope abstained | answerable refused | precision | recall |",
                  "|---|---|---|---|---|"]
        shown, last = [], -1.0
        for row in section["curve"]:  # a row each time recall rises by a tenth, and the operating point
            at_point = threshold is not None and row["threshold"] == threshold
            if at_point or row["recall"] >= last + 0.1:
                shown.append((row, at_point))
                last = max(last, row["recall"]) if not at_point else last
        parts += [f"| {r['threshold']:.3f}{' ← operating point' if at_point else ''} | {r['oos_abstained']}/{r['oos']} | "
                  f"{r['refused']}/{r['answerable']} | {r['precision']:.3f} | {r['recall']:.3f} |"
                  for r, at_point in shown]
        parts.append("")
    parts += ["Out-of-scope questions answered:", ""]
    parts += [f"- {r['id']} {r['question']} — {', '.join(r['top'])} (p={r['probability']})"
              for r in section["oos_answered"]] or ["- none"]
    parts += ["", "Answerable questions refused:", ""]
    parts += [f"- {r['id']} {r['question']} — {r['state']}; gold {', '.join(r['gold'])}; top {', '.join(r['top'])} "
              f"(p={r['probability']})" for r in section["refused"]] or ["- none"]
    return parts + [""]


def answerability_plot(section: dict | None, path: Path, title: str) -> Path | None:
    """The precision-recall curve of abstaining, with the operating point marked."""
    if not section or not section["curve"]:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = section["curve"]
    figure, axis = plt.subplots(figsize=(5, 4))
    axis.plot([r["recall"] for r in rows], [r["precision"] for r in rows], marker=".", label="model")
    point = [r for r in rows if r["threshold"] == section.get("threshold")]
    if point:
        axis.scatter([point[0]["recall"]], [point[0]["precision"]], color="red", zorder=3,
                     label=f"operating point {section['threshold']:.3f}")
    axis.set_xlabel("recall (out of scope abstained)")
    axis.set_ylabel("precision (abstentions that were out of scope)")
    axis.set_xlim(0, 1.02), axis.set_ylim(0, 1.02), axis.legend(loc="lower left"), axis.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def plots(report: dict, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    systems = report["systems"]
    metrics = ["Recall@1", "Recall@5", "Recall@10", "MRR@10", "nDCG@10", "Hit@1"]
    figure, axis = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(systems)
    for i, (name, scores) in enumerate(systems.items()):
        axis.bar([x + i * width for x in range(len(metrics))], [scores[m] for m in metrics], width, label=name)
    axis.set_xticks([x + 0.4 - width / 2 for x in range(len(metrics))], metrics)
    axis.set_ylim(0, 1)
    axis.set_title("Retrieval metrics per system")
    axis.legend(fontsize=8, ncol=3)
    figure.tight_layout()
    written.append(out_dir / "systems.png")
    figure.savefig(written[-1], dpi=110)
    plt.close(figure)

    kinds = report["by_kind"]
    figure, axis = plt.subplots(figsize=(9, 4))
    names = list(kinds)
    axis.bar(range(len(names)), [kinds[k]["Recall@5"] for k in names], 0.4, label="Recall@5")
    axis.bar([x + 0.4 for x in range(len(names))], [kinds[k]["MRR@10"] for k in names], 0.4, label="MRR@10")
    axis.set_xticks([x + 0.2 for x in range(len(names))], [f"{k} ({kinds[k]['questions']})" for k in names],
                    fontsize=8)
    axis.set_ylim(0, 1)
    axis.set_title("Hybrid per question kind")
    axis.legend()
    figure.tight_layout()
    written.append(out_dir / "by_kind.png")
    figure.savefig(written[-1], dpi=110)
    plt.close(figure)
    return written


def _has_calibration(index_dir: Path) -> bool:
    """Whether an index folder holds the calibration model's vectors (False when it cannot be read: loading
    it then explains why)."""
    from index.store import IndexProblem, read_manifest

    try:
        return bool(read_manifest(index_dir).get("calibration_model"))
    except IndexProblem:
        return False


def bundled_index(index_dir: Path | None, encoder, say, corpus: str = "bundled"):
    """The index evaluated: the named one, or one of the gold set's corpus, whatever regulations an administrator
    added to the app: the five bundled regulations ('bundled'), or the five plus the national pack ('default');
    built on first use."""
    from core import paths
    from index import build_from_folders, load_for
    from index.store import IndexProblem

    if index_dir is not None:
        return load_for(index_dir, encoder)
    folders = [paths.BUNDLED_CORPUS] if corpus == "bundled" else list(paths.DEFAULT_FOLDERS)
    index_dir = paths.home() / "index" / ("bundled" if corpus == "bundled" else "eval-default")
    try:
        data = load_for(index_dir, encoder)
        if list(data.manifest.corpus_folders) == [str(f.resolve()) for f in folders]:
            return data
    except IndexProblem as problem:
        print(f"建立评测用索引（{'仅自带法规' if corpus == 'bundled' else '自带法规与国家法律包'}）：{problem.detail}",
              file=sys.stderr, flush=True)
    build_from_folders(folders, index_dir, encoder, say)
    return load_for(index_dir, encoder)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["answerability"]:  # python -m eval answerability: train the answerability model on dev
        from eval.answerability import train

        print(json.dumps(train(), ensure_ascii=False, indent=1))
        return 0
    if argv[:1] == ["cite-model"]:  # python -m eval cite-model: fit the citation model on dev
        from eval.cite_model import train as train_cite_model

        print(json.dumps(train_cite_model(), ensure_ascii=False, indent=1))
        return 0
    if argv[:1] == ["pairs"]:  # python -m eval pairs: write the ranking model's training pairs
        from eval.pairs import write_dev_pairs

        print(write_dev_pairs())
        return 0
    from eval.gold import PACK_SPLITS, SPLITS, GoldError, load_gold, load_split
    from eval.runner import CachedEncoder, evaluate
    from index import IndexProblem

    parser = argparse.ArgumentParser(prog="python -m eval", description="在金标问题集上评测检索与回答")
    parser.add_argument("--gold", type=Path, help="金标 JSONL 文件（默认使用自带的问题集）")
    parser.add_argument("--split", choices=SPLITS + ("all",) + PACK_SPLITS + ("pack",), default="all",
                        help="all: the five regulations' splits, on those five; pack / pack_*: the national pack's, "
                             "on the default corpus (the five plus the pack)")
    parser.add_argument("--corpus", choices=("bundled", "default"),
                        help="the corpus indexed: the five regulations (bundled) or the five plus the national pack "
                             "(default); by default the split's own")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--no-report", action="store_true", help="不写 eval/reports/")
    args = parser.parse_args(argv)
    try:
        questions = load_gold(args.gold) if args.gold else load_split(args.split)
    except GoldError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2

    from core import paths
    from core.events import printer
    from models import load_encoder, prepare
    from models.protocol import ModelProblem
    from retrieval.retriever import Retriever

    say = printer()
    try:
        if paths.model_dir_override() is None:
            prepare(progress=say)
        # the pair (ranking and calibration model) scores the systems before issue 17 too; an index given by the
        # user without the calibration model's vectors (the product's) is read with the ranking model alone
        encoder = CachedEncoder(load_encoder(calibration=args.index_dir is None or _has_calibration(args.index_dir)))
        pack = args.split == "pack" or args.split in PACK_SPLITS  # pack_* and answer_dev: the default corpus
        corpus = args.corpus or ("default" if pack else "bundled")
        retriever = Retriever(bundled_index(args.index_dir, encoder.inner, say, corpus), encoder)
    except (IndexProblem, ModelProblem) as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 1
    report = evaluate(retriever, questions)
    report["gold"] = str(args.gold) if args.gold else f"eval/gold ({args.split})"
    if not args.no_report:
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        name = "custom" if args.gold else ("latest" if args.split == "all" else args.split)
        (REPORT_DIR / f"{name}.md").write_text(markdown(report, f"Evaluation: {report['gold']}"), encoding="utf-8")
        (REPORT_DIR / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        if name == "latest":
            plots(report, REPORT_DIR)
        answerability_plot(report.get("answerability"), REPORT_DIR / f"answerability_{name}.png", report["gold"])
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if k != "misses"}, ensure_ascii=False))
    else:
        print(f"{report['questions']} 个问题（{report['gold']}）\n")
        print(table(report))
        print("\n拒答：", json.dumps(report["abstention"].get("hybrid", {}), ensure_ascii=False))
        print("回答：", json.dumps(report["answers"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
