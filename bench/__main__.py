"""python -m bench [--quick] [--engines-only] [--engine-quality] [--json]: latency, build cost, cold start, memory,
and scale, with the encoding path before issue 17 and the fast one side by side (bench.engines); with
--engine-quality, retrieval and abstention over every gold split with each engine (bench.engine_quality).

Writes bench/results/latest.json and latest.md (with the machine and a profile of one query); with
--engines-only, only the engines' comparison, to bench/results/engines.json and engines.md.
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
    parser.add_argument("--engines-only", action="store_true",
                        help="只比较两种编码引擎（建索引、查询编码、向量一致性），写入 engines.json / engines.md")
    parser.add_argument("--engine-quality", action="store_true",
                        help="两种编码引擎各自建索引，在全部金标问题上比较检索与拒答，写入 engine-quality.json / .md")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.add_argument("--no-write", action="store_true", help="不写 bench/results/")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    if args.engine_quality:
        from bench.engine_quality import measure_quality, note_quality

        results = {"splits": measure_quality(say)}
        results["total_s"] = round(time.perf_counter() - started, 1)
        text = "\n".join(note_quality(results["splits"]))
        stem = "engine-quality"
    elif args.engines_only:
        from bench.engines import measure_engines, note_engines
        from bench.measure import machine

        results = {"quick": args.quick, "machine": machine(), "engines": measure_engines(args.quick, say)}
        results["total_s"] = round(time.perf_counter() - started, 1)
        mach = results["machine"]
        text = "\n".join(["# Encoding engines", "", f"Machine: {mach['cpu']}, {mach['cores']} cores, "
                          f"{mach['memory_gb']} GB; Python {mach['python']}, torch {mach['torch']}. Mode: "
                          f"{'--quick' if args.quick else 'full'}; run took {results['total_s']} s.", "",
                          *note_engines(results["engines"])])
        stem = "engines"
    else:
        results, profile = run(quick=args.quick, say=say)
        results["total_s"] = round(time.perf_counter() - started, 1)
        text = note(results, profile)
        stem = "latest"
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
