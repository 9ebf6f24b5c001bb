"""python -m ingest [--corpus DIR ...] [--json | --dump]: data-quality report, or one JSON line per article.

Exit status 1 when any file could not be read at all (an error); warnings alone exit 0.
"""
from __future__ import annotations

import argparse
import json
import sys

from ingest import DEFAULT_CORPUS, load_corpus
from ingest.report import report, text_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="解析法规文件并报告数据质量")
    parser.add_argument("--corpus", action="append", help="法规目录（可重复）；默认为 data/regulations")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--dump", action="store_true", help="每条条文输出一行 JSON")
    output.add_argument("--json", action="store_true", help="以一个 JSON 文档输出数据质量报告（逐文件及汇总）")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus or [DEFAULT_CORPUS])

    if args.dump:
        for article in corpus.articles:
            print(json.dumps({
                "regulation": article.regulation, "article": article.article_no, "sub": article.sub_no,
                "label": article.label, "jurisdiction": article.jurisdiction, "chapter": article.chapter,
                "text": article.text, "paragraphs": [{"text": p.text, "items": list(p.items)}
                                                     for p in article.paragraphs],
                "source_file": article.source_file, "span": list(article.span), "notes": list(article.notes),
                "key": article.key, "citation": article.citation, "version": article.version,
                "unit": article.unit, "repeat": article.repeat,
            }, ensure_ascii=False))
    elif args.json:
        print(json.dumps(report(corpus), ensure_ascii=False, indent=1))
    else:
        out, err = text_lines(report(corpus))
        print("\n".join(out))
        if err:
            print("\n".join(err), file=sys.stderr)
    return 1 if corpus.errors else 0


if __name__ == "__main__":
    sys.exit(main())
