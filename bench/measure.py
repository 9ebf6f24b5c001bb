"""The measurements behind `python -m bench`; every figure comes from a run on this machine."""
from __future__ import annotations

import cProfile
import dataclasses
import io
import os
import platform
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

Say = Callable[[str], None]


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    values = np.asarray(samples_s) * 1000
    return {"p50": round(float(np.percentile(values, 50)), 2), "p95": round(float(np.percentile(values, 95)), 2),
            "n": len(values)}


def machine() -> dict:
    import faiss
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_gb, 1),
            "python": platform.python_version(), "torch": torch.__version__, "faiss": faiss.__version__,
            "torch_threads": torch.get_num_threads()}


def peak_rss_mb(pid: int | None = None, children: bool = True) -> float:
    """Peak resident memory (VmHWM) of a process plus, by default, of its living descendants, in MB.

    The app runs its embedding model in a child process (index.encoder_process), so the app's
    memory is the sum; the sum of peaks is an upper bound on the peak of the sum.
    """
    pid = pid or os.getpid()
    total = 0
    for member in ([pid] + _descendants(pid) if children else [pid]):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:  # ended meanwhile
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return round(total / 1024, 1)


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child] + _descendants(child)
    return found


def measure_build(work: Path, say: Say):
    """Parse, model load and a fresh index build (no reused vectors), by stage."""
    from core.events import printer
    from index.store import build, load
    from ingest import DEFAULT_CORPUS, load_corpus
    from models import load_encoder
    from models.convert import prepare_converted
    from models.reader import prepare_reader
    from models.train import prepare_ranking

    started = time.perf_counter()
    corpus = load_corpus(DEFAULT_CORPUS)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    prepare_converted(progress=printer())
    convert_s = time.perf_counter() - started
    started = time.perf_counter()
    ranking = prepare_ranking(progress=printer())  # trains on first use (minutes); a check afterwards
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    prepare_reader(None, ranking, progress=printer())  # the answerability reader, likewise
    reader_s = time.perf_counter() - started
    started = time.perf_counter()
    encoder = load_encoder().load()  # the product's: the ranking model alone (since issue 17)
    load_s = time.perf_counter() - started
    say(f"建索引（全新，不沿用向量）：{len(corpus.articles)} 条…")
    out = work / "index"
    started = time.perf_counter()
    build(corpus, out, encoder, [DEFAULT_CORPUS])
    total_s = time.perf_counter() - started
    manifest = load(out).manifest
    timings = manifest.build
    build_s = {"parse": round(parse_s, 3), "bm25": timings["bm25_s"], "dense_encoding": timings["dense_s"],
               "total": round(total_s, 2), "model_load": round(load_s, 2), "model_convert_or_check": round(convert_s, 2),
               "ranking_model_train_or_check": round(train_s, 2), "reader_train_or_check": round(reader_s, 2),
               "passages": manifest.counts["passages"],
               "passages_per_s": round(manifest.counts["passages"] / timings["dense_s"], 1)}
    return build_s, out, encoder


def measure_queries(retriever, questions: list[str], reps: int, say: Say) -> dict:
    """Latency of each mode on real questions (the encoder is not cached between calls)."""
    from ingest.text import clean_question

    def encode_only(question):  # every model a question goes through
        text = clean_question(question)[0]
        retriever.encoder.encode([text], "query")
        if retriever.calibrated:
            retriever.encoder.encode_calibration([text], "query")

    def answer(question):
        retriever.ask(question, k=10)

    # the path before the answerability reader (issue 16, seventh session): the same retriever, the signals alone
    from retrieval.retriever import Retriever

    unread = Retriever(retriever.data, retriever.encoder,
                       dataclasses.replace(retriever.settings, answerability_reader=False))
    # the path before the reader's citations (twenty-fourth session): the reader decides answerability alone
    uncited = Retriever(retriever.data, retriever.encoder, dataclasses.replace(retriever.settings, cite_reader_depth=0))
    runs = {
        "encode_only": encode_only,
        "bm25": lambda q: retriever.retrieve(q, 10, mode="bm25"),
        "dense": lambda q: retriever.retrieve(q, 10, mode="dense"),
        "hybrid": lambda q: retriever.retrieve(q, 10),
        "hybrid_without_reader": lambda q: unread.retrieve(q, 10),
        "answer_without_reader": lambda q: unread.ask(q, k=10),
        "answer_without_reader_citations": lambda q: uncited.ask(q, k=10),
        "answer": answer,
    }
    for question in questions[:5]:  # warm up caches and lazy imports
        answer(question)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for rep in range(reps):
        say(f"查询延迟：第 {rep + 1}/{reps} 轮，{len(questions)} 个问题 × {len(runs)} 种方式…")
        for question in questions:
            for name, run in runs.items():
                started = time.perf_counter()
                run(question)
                samples[name].append(time.perf_counter() - started)
    result = {name: percentiles(values) for name, values in samples.items()}
    # how many of these questions the reader read (the others are answered on the signals alone)
    read = [retriever.retrieve(q, 10).decision.read for q in questions]
    result["reader_reads"] = {"questions": len(read), "read": int(sum(read))}
    return result


def profile_query(retriever, question: str) -> str:
    """cProfile of one full answer, top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        retriever.ask(question, k=10)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(18)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    return "\n".join(lines[:40])


def measure_app(index_dir: Path, questions: list[str], say: Say) -> dict:
    """Cold start of app.py with a built index (process start -> ready and serving), then peak RSS
    after answering questions through /ask."""
    from gradio_client import Client

    from bench.app_process import launch_app

    log_path = Path(tempfile.mkstemp(suffix=".log")[1])
    try:
        with launch_app(None, log_path, index_dir=index_dir, timeout_s=180) as app:
            say(f"应用冷启动 {app.ready_s:.1f} 秒；通过 /ask 提问 {len(questions)} 次…")
            client = Client(app.url, verbose=False)
            samples = []
            for question in questions:
                begun = time.perf_counter()
                client.predict(question, api_name="/ask")
                samples.append(time.perf_counter() - begun)
            return {"cold_start_s": round(app.ready_s, 2), "rss_mb": app.peak_rss_mb(),
                    "ask_via_http_ms": percentiles(samples)}
    finally:
        log_path.unlink(missing_ok=True)


def synthetic_index(base, articles: int, seed: int = 0):
    """A corpus of `articles` varied copies of the real articles, for measuring search cost only.

    Tokens: each copy's real tokens shuffled, 60-100% kept, plus a variant token, so no two rows are
    equal. Dense vectors: the source article's real vector plus Gaussian noise, normalized, so they
    cluster like real ones (encoding 10^5 passages on 2 cores would take about an hour and change
    nothing about search cost).
    """
    import dataclasses

    import faiss

    from index.lexical import Lexical
    from index.store import IndexData

    rng = np.random.default_rng(seed)
    originals = base.articles
    tokens, rows = [], []
    for i in range(articles):
        source = i % len(originals)
        copy = list(base.bm25_tokens[source])
        rng.shuffle(copy)
        keep = max(3, int(len(copy) * rng.uniform(0.6, 1.0)))
        tokens.append(copy[:keep] + [f"变体{i % 9973}"])
        article = originals[source]
        rows.append(dataclasses.replace(article, regulation=f"{article.regulation}（副本{i // len(originals)}）"))
    dim = base.dense.d
    real = base.dense.reconstruct_n(0, base.dense.ntotal)[base.dense_rows.argsort()[:len(originals)]]
    vectors = real[np.arange(articles) % len(originals)] + rng.normal(0, 0.03, (articles, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = faiss.IndexFlatIP(dim)
    dense.add(vectors)
    calibration = None
    if base.calibration is not None:  # the same for the calibration model's whole-article vectors
        calibration = base.calibration[np.arange(articles) % len(originals)] + rng.normal(
            0, 0.03, (articles, base.calibration.shape[1])).astype(np.float32)
        calibration /= np.linalg.norm(calibration, axis=1, keepdims=True)
    data = IndexData(path=Path("<memory>"), manifest=base.manifest, regulations=base.regulations,
                     articles=tuple(rows), glossary=base.glossary, crossrefs=(), problems=(), bm25_tokens=tokens,
                     lexical=Lexical(tokens), dense=dense, dense_rows=np.arange(articles, dtype=np.int32),
                     calibration=calibration)
    return data, vectors


def measure_scale(base, encoder, articles: int, questions: list[str], say: Say) -> dict:
    """Search cost at `articles` rows: hybrid and both BM25 backends; FAISS flat vs IVF with recall."""
    import faiss

    from retrieval.retriever import Retriever, Settings

    say(f"规模测试：生成 {articles} 条合成条文…")
    data, vectors = synthetic_index(base, articles)
    from index.lexical import Lexical

    started = time.perf_counter()
    Lexical(data.bm25_tokens)  # what building the bm25s side costs at this size (the index persists it)
    lexical_build_s = time.perf_counter() - started
    # search cost: the answerability reader off (its one forward pass a question does not grow with the corpus, and
    # on shuffled synthetic text the signals are unsure of nearly every question; the answer rows measure it)
    retriever = Retriever(data, encoder, Settings(answerability_reader=False))
    for question in questions[:3]:
        retriever.retrieve(question, 10)
    hybrid, bm25 = [], []
    for question in questions:
        begun = time.perf_counter()
        retriever.retrieve(question, 10)
        hybrid.append(time.perf_counter() - begun)
        begun = time.perf_counter()
        retriever.retrieve(question, 10, mode="bm25")
        bm25.append(time.perf_counter() - begun)

    say("规模测试：rank-bm25 对照（只测 10 个问题）…")
    started = time.perf_counter()
    slow = Retriever(data, encoder, Settings(bm25_backend="rank-bm25"))
    rank_bm25_build_s = time.perf_counter() - started
    rank_bm25 = []
    for question in questions[:10]:
        begun = time.perf_counter()
        slow.retrieve(question, 10, mode="bm25")
        rank_bm25.append(time.perf_counter() - begun)
    del slow

    say("规模测试：FAISS 精确检索与 IVF 近似检索对比…")
    queries = np.stack([encoder.encode([q], "query")[0] for q in questions[:50]]).astype(np.float32)
    flat_times, truth = [], []
    for query in queries:
        begun = time.perf_counter()
        _, ids = data.dense.search(query[None], 400)
        flat_times.append(time.perf_counter() - begun)
        truth.append(ids[0])
    nlist = int(4 * np.sqrt(articles))
    started = time.perf_counter()
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    ivf = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors[np.random.default_rng(1).choice(len(vectors), min(len(vectors), 40 * nlist), replace=False)])
    ivf.add(vectors)
    ivf_build_s = time.perf_counter() - started
    ivf.nprobe = 16
    ivf_times, recalls = [], []
    for query, exact in zip(queries, truth):
        begun = time.perf_counter()
        _, ids = ivf.search(query[None], 400)
        ivf_times.append(time.perf_counter() - begun)
        recalls.append(len(set(ids[0][:100]) & set(exact[:100])) / 100)
    return {
        "articles": articles, "vectors": "real passage vectors plus Gaussian noise (sigma 0.03 per dimension), normalized",
        "hybrid_p50_ms": percentiles(hybrid)["p50"], "hybrid_p95_ms": percentiles(hybrid)["p95"],
        "bm25_p50_ms": percentiles(bm25)["p50"], "bm25_p95_ms": percentiles(bm25)["p95"],
        "rank_bm25_p50_ms": percentiles(rank_bm25)["p50"], "lexical_build_s": round(lexical_build_s, 2),
        "rank_bm25_build_s": round(rank_bm25_build_s, 2),
        "faiss_flat_p50_ms": percentiles(flat_times)["p50"],
        "faiss_ivf": {"nlist": nlist, "nprobe": 16, "build_s": round(ivf_build_s, 2),
                      "p50_ms": percentiles(ivf_times)["p50"], "recall_at_100": round(float(np.mean(recalls)), 3)},
        "rss_mb_after": peak_rss_mb(children=False),
    }


def run(quick: bool, say: Say) -> tuple[dict, str]:
    from bench.engines import measure_engines
    from eval.gold import load_split
    from retrieval.retriever import Retriever
    from index.store import load_for

    questions = [q.question for q in load_split("test" if quick else "all")]
    work = Path(tempfile.mkdtemp(prefix="regqa-bench-"))
    try:
        build_s, index_dir, encoder = measure_build(work, say)
        engines = measure_engines(quick, say)
        retriever = Retriever(load_for(index_dir, encoder), encoder)
        query_ms = measure_queries(retriever, questions, 1 if quick else 3, say)
        serving_rss_in_process = peak_rss_mb(children=False)
        profile = profile_query(retriever, "平台能不能把我的个人信息卖给别人？")
        app = measure_app(index_dir, questions[:20 if quick else 40], say)
        scale = measure_scale(retriever.data, encoder, 50_000 if quick else 100_000, questions[:40 if quick else 80],
                              say)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {"quick": quick, "machine": machine(), "engines": engines, "query_ms": query_ms, "build_s": build_s,
               "cold_start_s": app["cold_start_s"], "rss_mb": app["rss_mb"], "app": app,
               "bench_process_rss_mb": serving_rss_in_process, "scale": scale}
    return results, profile


def note(results: dict, profile: str) -> str:
    """The Markdown note: the tables, the targets, and where the time of one query goes."""
    from bench.engines import note_engines

    query = results["query_ms"]
    scale = results["scale"]
    build = results["build_s"]
    mach = results["machine"]
    ratio = query["answer"]["p50"] / query["encode_only"]["p50"]
    scale_ratio = scale["hybrid_p50_ms"] / query["hybrid_without_reader"]["p50"]
    lines = [
        "# Benchmark results", "",
        f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['memory_gb']} GB; Python {mach['python']}, "
        f"torch {mach['torch']} ({mach['torch_threads']} threads), faiss {mach['faiss']}. "
        f"Mode: {'--quick' if results['quick'] else 'full'}; run took {results.get('total_s', '?')} s.", "",
        *note_engines(results["engines"]),
        "## Query latency (bundled corpus, real model, fast engine)", "",
        "| mode | p50 ms | p95 ms | n |", "|---|---|---|---|",
        *[f"| {name} | {row['p50']} | {row['p95']} | {row['n']} |" for name, row in query.items() if "p50" in row], "",
        f"The answerability reader read {query['reader_reads']['read']} of {query['reader_reads']['questions']} "
        f"questions (those whose signals' probability is under its read_below, and those asking a specific detail or "
        f"a quantity); answer_without_reader is the same "
        f"retriever with the reader off (the path before it); answer_without_reader_citations the same with the reader "
        f"deciding answerability but not reading the best hits the citation rules leave out (Settings.cite_reader_depth "
        f"0, the path before the twenty-fourth session).", "",
        "## Build and start", "",
        "| stage | seconds |", "|---|---|",
        *[f"| {name} | {value} |" for name, value in build.items()],
        f"| app cold start with a built index (process start to ready and serving) | {results['cold_start_s']} |", "",
        f"Peak RSS of the serving app (with its embedding-model child process) after "
        f"{results['app']['ask_via_http_ms']['n']} questions: "
        f"{results['rss_mb']} MB. /ask over HTTP: p50 {results['app']['ask_via_http_ms']['p50']} ms, "
        f"p95 {results['app']['ask_via_http_ms']['p95']} ms.", "",
        f"## Scale: {scale['articles']} articles", "",
        f"Synthetic corpus: real articles' tokens shuffled and thinned with a variant token each; dense vectors "
        f"{scale['vectors']}. Query encoding is real.", "",
        "| what | value |", "|---|---|",
        f"| hybrid p50 / p95 ms | {scale['hybrid_p50_ms']} / {scale['hybrid_p95_ms']} |",
        f"| BM25 (bm25s) p50 / p95 ms | {scale['bm25_p50_ms']} / {scale['bm25_p95_ms']} |",
        f"| BM25 (rank-bm25) p50 ms | {scale['rank_bm25_p50_ms']} |",
        f"| lexical index build: bm25s / rank-bm25 s | {scale['lexical_build_s']} / {scale['rank_bm25_build_s']} |",
        f"| FAISS flat top-400 p50 ms | {scale['faiss_flat_p50_ms']} |",
        f"| FAISS IVF (nlist {scale['faiss_ivf']['nlist']}, nprobe 16) p50 ms / recall@100 / build s | "
        f"{scale['faiss_ivf']['p50_ms']} / {scale['faiss_ivf']['recall_at_100']} / {scale['faiss_ivf']['build_s']} |",
        f"| peak RSS of the bench process | {scale['rss_mb_after']} MB |", "",
        "## Targets", "",
        f"- full answer p50 / encode_only p50 = {ratio:.2f} (target ≤ 1.5): {'met' if ratio <= 1.5 else 'NOT met'}; "
        f"without the reader {query['answer_without_reader']['p50'] / query['encode_only']['p50']:.2f}; answer p95 "
        f"{query['answer']['p95']} ms against {query['answer_without_reader']['p95']} ms without the reader; "
        f"without the reader's citations {query['answer_without_reader_citations']['p50'] / query['encode_only']['p50']:.2f}, "
        f"p95 {query['answer_without_reader_citations']['p95']} ms",
        f"- cold start {results['cold_start_s']} s (target ≤ 10): {'met' if results['cold_start_s'] <= 10 else 'NOT met'}",
        f"- serving memory {results['rss_mb']} MB (target ≤ 1536): {'met' if results['rss_mb'] <= 1536 else 'NOT met'}",
        f"- {scale['articles']} articles: hybrid p50 (reader off in both) is {scale_ratio:.2f}× the bundled corpus's "
        f"(target ≤ 4): "
        f"{'met' if scale_ratio <= 4 else 'NOT met'}; p95 {scale['hybrid_p95_ms']} ms (target ≤ 300): "
        f"{'met' if scale['hybrid_p95_ms'] <= 300 else 'NOT met'}", "",
        "## Where the time of one answer goes (cProfile, 5 answers)", "", "```", profile, "```", "",
    ]
    return "\n".join(lines)
