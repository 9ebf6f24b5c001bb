"""Start `python app.py` as a subprocess on a free loopback port, until it is ready and serving.

One launcher for the benchmark's cold-start measurement and for the tests that drive the real app.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 420  # model load and, when needed, a first index build
FAILED = ("索引不可用", "启动失败", "Traceback")


class AppStartError(RuntimeError):
    """app.py exited, logged a failure, or did not become ready in time; the message holds its log's end."""


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen
    log: Path
    ready_s: float  # from process start to the marker logged and the page served

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM), with its model child process, in MB."""
        from bench.measure import peak_rss_mb

        return peak_rss_mb(self.process.pid)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(process: subprocess.Popen, url: str, log: Path, marker: str, failures: tuple[str, ...],
          started: float, timeout_s: float) -> float:
    """Seconds from `started` until the log shows the marker and the page is served."""
    while time.perf_counter() - started < timeout_s:
        text = log.read_text(encoding="utf-8", errors="replace")
        if process.poll() is not None or any(failure in text for failure in failures):
            raise AppStartError(f"app.py did not start (exit code {process.poll()}):\n{text[-3000:]}")
        if marker in text:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
        time.sleep(0.1)
    raise AppStartError(f"app.py: no “{marker}” after {timeout_s} s:\n"
                        f"{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")


@contextmanager
def launch_app(home: Path | None, log: Path, index_dir: Path | None = None, marker: str = "已就绪",
               extra_env: dict[str, str] | None = None, timeout_s: float = START_TIMEOUT_S):
    """app.py with REGQA_HOME=home (inherited when None) and REGQA_INDEX_DIR=index_dir when given, until its
    log shows marker; stopped on exit.

    extra_env: further variables for the app (e.g. REGQA_ADMIN_PASSWORD, REGQA_MODEL_DIR), set last.
    """
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONUNBUFFERED": "1"}
    for name in ("REGQA_INDEX_DIR", "REGQA_MODEL_DIR", "REGQA_ADMIN_PASSWORD"):
        env.pop(name, None)
    if home is not None:
        env["REGQA_HOME"] = str(home)
    if index_dir is not None:
        env["REGQA_INDEX_DIR"] = str(index_dir)
    env.update(extra_env or {})
    failures = tuple(f for f in FAILED if f not in marker)
    url = f"http://127.0.0.1:{port}/"
    with open(log, "w", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            ready_s = _wait(process, url, log, marker, failures, started, timeout_s)
            yield RunningApp(url, process, log, ready_s)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
