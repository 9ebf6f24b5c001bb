"""The real app under odd input, with a damaged index, and under load: `python app.py` on a free loopback
port (the session's model and bundled-corpus index), driven by gradio_client and headless Chromium."""
from __future__ import annotations

import html
import json
import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest

from tiny_corpus import Said
from bench.app_process import launch_app

from eval.gold import load_split
from test_questions_robustness import FEE_QUESTION, NONSENSE, ODD_FEE_QUESTIONS, TIANJIN_28, TRUNCATION_NOTE

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REQUEST_TIMEOUT_S = 60
LOAD_CLIENTS = 20
LOAD_QUESTIONS_EACH = 10  # 200 questions in all
LOAD_POOL = 20  # distinct questions (dev split of the gold set), each asked alone first
LOAD_TIMEOUT_S = 150  # the concurrent phase as a whole


def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False, download_files=False, analytics_enabled=False)


def ask(client_, question, jurisdictions=(), regulations=()):
    """The /ask endpoint: (html, json), or an exception after REQUEST_TIMEOUT_S."""
    return client_.submit(question, list(jurisdictions), list(regulations), api_name="/ask").result(
        timeout=REQUEST_TIMEOUT_S)


@pytest.fixture(scope="module")
def app(real_ranking_dir, real_reader_dir, product_index_dir, tmp_path_factory):
    """The app as shipped (both models, trained and converted in the session's cache) on the index built
    with them."""
    with launch_app(product_index_dir.parent.parent, tmp_path_factory.mktemp("app") / "app.log",
                    index_dir=product_index_dir) as running:
        yield running


# ---------------------------------------------------------------- odd questions through the app


@pytest.mark.slow
def test_odd_questions_are_answered_as_text(app):
    api = client(app)
    for question in ODD_FEE_QUESTIONS:
        answer_html, answer = ask(api, question)
        assert TIANJIN_28 in [c["citation"] for c in answer["citations"]], question
        assert f'<p class="question">问题：{html.escape(question.strip(), quote=True)}</p>' in answer_html
        assert "<script>" not in answer_html and "<img" not in answer_html
    for question in NONSENSE[:-1]:
        answer_html, answer = ask(api, question)
        assert answer["abstained"] and answer["lead"].startswith("未找到与这个问题相关的规定。"), question
    assert "Traceback" not in app.log_text()


@pytest.mark.slow
def test_a_lone_surrogate_is_shown_as_a_replacement_character(app):
    """gradio_client cannot send one (httpx encodes UTF-8); a JSON escape through the REST API can."""
    import httpx

    body = b'{"data": ["\\ud800' + FEE_QUESTION.encode() + b'", [], [], ""]}'
    posted = httpx.post(f"{app.url}gradio_api/call/ask", content=body, timeout=REQUEST_TIMEOUT_S,
                        headers={"content-type": "application/json"})
    event_id = posted.json()["event_id"]
    stream = httpx.get(f"{app.url}gradio_api/call/ask/{event_id}", timeout=REQUEST_TIMEOUT_S).text
    assert stream.startswith("event: complete\n"), stream[:500]
    answer_html, answer = json.loads(stream.split("data: ", 1)[1].splitlines()[0])
    assert answer["question"] == "\ufffd" + FEE_QUESTION
    assert TIANJIN_28 in [c["citation"] for c in answer["citations"]]
    assert "Traceback" not in app.log_text()


@pytest.mark.slow
def test_a_50000_character_question_is_truncated_with_a_note(app):
    answer_html, answer = ask(client(app), FEE_QUESTION + "请详细说明。" * 8331)
    assert answer["notes"][0] == TRUNCATION_NOTE and f'<p class="note">{TRUNCATION_NOTE}</p>' in answer_html
    assert TIANJIN_28 in [c["citation"] for c in answer["citations"]]


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   ", "\x00\x01\u200b", None])
def test_a_blank_question_gets_a_message(app, question):
    answer_html, answer = ask(client(app), question)
    assert answer == {"error": "请输入问题，例如：“天津市对政务信息收费有什么规定？”"}
    assert "请输入问题" in answer_html


@pytest.mark.slow
def test_unknown_filters_are_stated_not_an_error(app):
    answer_html, answer = ask(client(app), FEE_QUESTION, ["<img src=x onerror=alert(1)>"], ["不存在的法规"])
    assert answer["abstained"] and answer["notes"][0] == "已按筛选条件只在（无）中查找。"
    assert "<img" not in answer_html and "Traceback" not in app.log_text()


# ---------------------------------------------------------------- many users at once


@pytest.mark.slow
def test_twenty_concurrent_clients_get_the_answers_they_get_alone(app):
    pool = [question.question for question in load_split("dev")[:LOAD_POOL]]
    alone_client = client(app)
    alone, alone_ms = {}, []
    for question in pool:
        started = time.perf_counter()
        alone[question] = ask(alone_client, question)
        alone_ms.append((time.perf_counter() - started) * 1000)

    # each client asks its own rotation of the pool, so that the same question is often in flight twice
    latencies: list[float] = []
    failures: list[str] = []
    mixed: list[str] = []
    lock = threading.Lock()
    clients = [client(app) for _ in range(LOAD_CLIENTS)]

    def user(number: int) -> None:
        for turn in range(LOAD_QUESTIONS_EACH):
            question = pool[(number * 7 + turn) % len(pool)]
            started = time.perf_counter()
            try:
                result = ask(clients[number], question)
            except Exception as error:  # counted and reported below
                with lock:
                    failures.append(f"client {number}: {type(error).__name__}: {error}")
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if result != alone[question]:
                    mixed.append(f"client {number}: {question}")

    started = time.perf_counter()
    with ThreadPoolExecutor(LOAD_CLIENTS) as executor:
        done, pending = wait([executor.submit(user, n) for n in range(LOAD_CLIENTS)], timeout=LOAD_TIMEOUT_S)
        assert not pending, f"the load did not finish within {LOAD_TIMEOUT_S} s"
    wall_s = time.perf_counter() - started
    for future in done:
        future.result()

    asked = len(latencies) + len(failures)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    figures = {
        "questions": asked, "clients": LOAD_CLIENTS, "errors": len(failures), "mixed_answers": len(mixed),
        "p50_ms": round(quantiles[49], 1), "p95_ms": round(quantiles[94], 1), "max_ms": round(max(latencies), 1),
        "alone_p50_ms": round(statistics.median(alone_ms), 1), "wall_s": round(wall_s, 2),
        "questions_per_s": round(asked / wall_s, 2), "server_peak_rss_mb": round(app.peak_rss_mb(), 1),
        "distinct_questions": len(pool),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"\nload test: {json.dumps(figures)}")
    assert (asked, failures, mixed) == (LOAD_CLIENTS * LOAD_QUESTIONS_EACH, [], [])
    assert "Traceback" not in app.log_text()


# ---------------------------------------------------------------- a damaged configured index


@pytest.mark.slow
@pytest.mark.e2e
def test_a_damaged_configured_index_is_explained_and_rebuilt_from_the_page(real_ranking_dir, real_reader_dir, product_index_dir,
                                                                            tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from test_app_e2e import CHROMIUM, CHROMIUM_ARGS

    index_dir = tmp_path / "configured-index"
    shutil.copytree(product_index_dir, index_dir)
    tokens = index_dir / "bm25_tokens.jsonl"
    tokens.write_bytes(tokens.read_bytes()[:1000])
    from core.paths import BUNDLED_CORPUS

    reason = (f"索引不可用：索引文件已损坏（校验和不符）：bm25_tokens.jsonl。请运行 "
              f"`.venv/bin/python -m index build --corpus {BUNDLED_CORPUS} --out {index_dir}` 重建索引。")
    with launch_app(product_index_dir.parent.parent, tmp_path / "app.log", index_dir, marker="索引不可用") as running, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")
        page.goto(running.url)
        expect(page.locator(".regqa-status.failed")).to_have_text(reason, timeout=30_000)
        page.locator("#regqa-question textarea").fill(FEE_QUESTION)
        page.locator("#regqa-ask").click()
        expect(page.locator("#regqa-answer")).to_have_text(reason, timeout=30_000)  # never a silent answer

        page.locator("#regqa-rebuild").click()
        expect(page.locator(".regqa-status.ready")).to_contain_text("已就绪：5 部法规，272 条条文", timeout=180_000)
        expect(page.locator("#regqa-rebuild")).to_be_hidden()
        page.locator("#regqa-ask").click()
        expect(page.locator("#regqa-answer")).to_contain_text(TIANJIN_28, timeout=30_000)
        browser.close()
        log = running.log_text()
    assert f"正在重建索引：{index_dir}" in log and "Traceback" not in log
    assert tokens.read_bytes().count(b"\n") == 272  # rebuilt in place


@pytest.mark.model
def test_a_damaged_default_index_is_rebuilt_saying_why(real_index_dir, real_model_dir, tmp_path, monkeypatch):
    from app import Service

    home = tmp_path / "home"
    shutil.copytree(real_index_dir, home / "index" / "default")
    (home / "index" / "default" / "dense_rows.npy").write_bytes(b"")
    monkeypatch.setenv("REGQA_HOME", str(home))
    monkeypatch.setenv("REGQA_MODEL_DIR", str(real_model_dir))
    monkeypatch.delenv("REGQA_INDEX_DIR", raising=False)
    import core.paths

    # the default corpus as the five alone (as the copied index), so that the rebuild reuses its vectors
    monkeypatch.setattr(core.paths, "DEFAULT_FOLDERS", (core.paths.BUNDLED_CORPUS,))
    service = Service(None)
    said = Said()
    monkeypatch.setattr(service, "say", lambda message: (said.append(message), Service.say(service, message)))
    service.load()
    assert "需要建立索引：索引文件已损坏（校验和不符）：dense_rows.npy。" in said
    status = service.status_html()
    assert 'class="regqa-status ready"' in status and "已就绪：5 部法规，272 条条文" in status
    assert "启动时已重建索引，原因：索引文件已损坏（校验和不符）：dense_rows.npy。" in status
    # this test serves the converted model alone: the answerability model (trained on the fine-tuned model's
    # vectors) does not decide, and the ready line says so
    assert status.endswith("改由相似度阈值判断是否拒答。</div>")
    assert not service.rebuildable and service.rebuild() is False  # nothing to rebuild: the index is fine
    assert TIANJIN_28 in service.ask(FEE_QUESTION)[0]


@pytest.mark.parametrize("setting", ["taken", "http", "70000"])
def test_a_port_that_cannot_serve_is_a_message_before_anything_loads(setting, tmp_path):
    """A taken or invalid GRADIO_SERVER_PORT stops `python app.py` at once with a Chinese message and exit code 2,
    not gradio's OSError traceback after the index and the model have loaded (and a child left writing to a
    closed pipe)."""
    import os
    import socket
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = str(holder.getsockname()[1]) if setting == "taken" else setting
        env = {**os.environ, "GRADIO_SERVER_PORT": port, "REGQA_HOME": str(tmp_path)}
        done = subprocess.run([sys.executable, "app.py"], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert done.stderr.startswith("[法规问答] 无法启动：")
    assert ("已被占用" if setting == "taken" else "端口设置无效") in done.stderr
    assert not any(tmp_path.iterdir())  # nothing was prepared or built
