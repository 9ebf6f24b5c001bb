"""python -m bench [--quick] [--json]: latency, build cost, cold start, memory, and scale.

Writes bench/results/latest.json and latest.md (with the machine and a profile of one query).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    from bench.measure import note, run

    parser = argparse.ArgumentParser(prog="python -m bench", description="测量延迟、建索引耗时、内存与规模")
    parser.add_argument("--quick", action="store_true", help="快速模式（5 分钟内）：较少的重复、5 万条规模")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--no-write", action="store_true", help="不写 bench/results/")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    results, profile = run(quick=args.quick, say=say)
    results["total_s"] = round(time.perf_counter() - started, 1)
    text = note(results, profile)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        (RESULTS / "latest.md").write_text(text, encoding="utf-8")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
