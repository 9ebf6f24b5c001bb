"""python -m ingest [--corpus DIR ...] [--dump]: data-quality report, or one JSON line per article."""
from __future__ import annotations

import argparse
import json
import sys

from ingest import DEFAULT_CORPUS, load_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="解析法规文件并报告数据质量")
    parser.add_argument("--corpus", action="append", help="法规目录（可重复）；默认为 data/regulations")
    parser.add_argument("--dump", action="store_true", help="每条条文输出一行 JSON")
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
            }, ensure_ascii=False))
    else:
        for regulation in corpus.regulations:
            print(f"《{regulation.title}》 {regulation.jurisdiction}  文件 {regulation.source_file}")
            print(f"  条文 {regulation.article_count} 条，章 {len(regulation.chapters)} 个，"
                  f"施行日期 {regulation.effective_date or '不详'}")
            for problem in corpus.problems:
                if problem.source_file == regulation.source_file:
                    print(f"  警告：{problem.message}")
        loaded = {regulation.source_file for regulation in corpus.regulations}
        for problem in corpus.problems:
            if problem.severity == "warning" and problem.source_file not in loaded:
                print(f"警告：{problem.source_file}：{problem.message}")
        for problem in corpus.errors:
            print(f"错误：{problem.source_file}：{problem.message}", file=sys.stderr)
        print(f"合计：{len(corpus.regulations)} 部法规，{len(corpus.articles)} 条；"
              f"术语 {len(corpus.glossary)} 个，条文引用 {len(corpus.crossrefs)} 处；错误 {len(corpus.errors)} 个")
    return 1 if corpus.errors else 0


if __name__ == "__main__":
    sys.exit(main())
