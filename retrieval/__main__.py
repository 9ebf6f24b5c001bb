"""python -m retrieval ask "问题" [--k 5] [--index-dir DIR] [--json] | batch FILE.jsonl [--k 10] [--index-dir DIR]"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.text import clean_question


def hit_rows(retrieval, retriever) -> list[dict]:
    """Hits as plain rows with a verbatim excerpt of each article."""
    from retrieval.excerpts import excerpts_for

    rows = []
    for hit in retrieval.hits:
        article = retriever.article(hit.key)
        rows.append({"regulation": hit.regulation, "article": hit.article_no, "label": hit.label,
                     "score": round(hit.score, 6),
                     "excerpt": "".join(excerpts_for(article, retrieval.query.text, max_units=1,
                                                     sentence_scores=hit.sentence_scores,
                                                     dense_weight=retriever.settings.excerpt_dense))})
    return rows


def result_row(question_id, question: str, retriever, k: int, filters=None) -> dict:
    answer = retriever.ask(question, filters, k=k)
    retrieval = answer.retrieval
    decision = retrieval.decision
    return {"id": question_id, "question": question, "truncated": retrieval.query.truncated,
            "abstained": retrieval.abstained, "state": answer.state, "uncovered": list(answer.uncovered),
            "absent_laws": list(answer.absent_laws), "absent_places": list(answer.absent_places),
            "changed_laws": list(answer.changed_laws), "reason": answer.reason,
            "answerability": None if decision is None or decision.probability != decision.probability else
            round(decision.probability, 4),
            # the answerability reader's logit for the best article (None where it did not read the question)
            "reader": round(decision.reader, 3) if decision is not None and decision.read else None,
            "hits": hit_rows(retrieval, retriever)}


def json_line(row: dict) -> str:
    """One JSON line, escaped to ASCII when its text holds lone surrogates (UTF-8 cannot carry them)."""
    line = json.dumps(row, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(row)
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="检索法规条文")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="回答一个问题")
    ask.add_argument("question")
    ask.add_argument("--k", type=int, default=5)
    ask.add_argument("--index-dir", type=Path)
    ask.add_argument("--json", action="store_true", help="输出一行 JSON（与 batch 的每行相同）")
    batch = commands.add_parser("batch", help="批量检索：每行一个 {id, question} 的 JSONL 文件")
    batch.add_argument("file", type=Path)
    batch.add_argument("--k", type=int, default=10)
    batch.add_argument("--index-dir", type=Path)
    for command in (ask, batch):
        command.add_argument("--scope", choices=("national", "local"), help="只查国家法律法规（national）或地方法规（local）")
        command.add_argument("--jurisdiction", action="append", default=[], help="限定地区，如 天津市（可重复）")
        command.add_argument("--regulation", action="append", default=[], help="限定法规名称（可重复）")
        command.add_argument("--history", action="store_true", help="也检索法规的历史版本")
    args = parser.parse_args(argv)
    from retrieval.records import Filters

    filters = Filters(regulations=tuple(args.regulation), jurisdictions=tuple(args.jurisdiction),
                      history=args.history, scope=args.scope or "")

    if args.k < 1 or args.k > 100:
        print("错误：--k 须在 1 到 100 之间。", file=sys.stderr)
        return 2
    questions: list[tuple[object, str]] = []
    if args.command == "ask":
        if not clean_question(args.question)[0]:
            print("错误：问题不能为空。", file=sys.stderr)
            return 2
        questions.append((None, args.question))
    else:
        try:
            lines = args.file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            print(f"错误：无法读取 {args.file}：{err}", file=sys.stderr)
            return 2
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as err:
                print(f"错误：{args.file} 第 {number} 行不是有效的 JSON（{err}）。", file=sys.stderr)
                return 2
            question = row.get("question") if isinstance(row, dict) else None
            if not isinstance(question, str) or not clean_question(question)[0]:
                print(f"错误：{args.file} 第 {number} 行无效：须为含非空 question 字段的 JSON 对象。", file=sys.stderr)
                return 2
            questions.append((row.get("id"), question))

    from core.events import printer
    from index import IndexProblem
    from models.protocol import ModelProblem
    from retrieval.startup import open_retriever

    try:
        retriever = open_retriever(args.index_dir, progress=printer())
    except (IndexProblem, ModelProblem) as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 1
    if retriever.threshold_note:
        print(f"提示：{retriever.threshold_note}", file=sys.stderr)
    if args.command == "ask" and not args.json:
        print(retriever.ask(args.question, filters, k=args.k).text)
        return 0
    for question_id, question in questions:
        print(json_line(result_row(question_id, question, retriever, args.k, filters)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
