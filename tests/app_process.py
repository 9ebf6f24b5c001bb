"""Start `python app.py` as a subprocess on a free loopback port, for the tests that drive the real app."""
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

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 420  # model load and, when needed, a first index build
FAILED = ("索引不可用", "启动失败", "Traceback")


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen
    log: Path

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


def _wait(app: RunningApp, marker: str, failures: tuple[str, ...]) -> None:
    """Until the log shows the marker and the page is served; fail with the log otherwise."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        text = app.log_text()
        if app.process.poll() is not None or any(failure in text for failure in failures):
            pytest.fail(f"app.py did not start (exit code {app.process.poll()}):\n{text[-3000:]}")
        if marker in text:
            try:
                with urllib.request.urlopen(app.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.5)
    pytest.fail(f"app.py: no “{marker}” after {START_TIMEOUT_S} s:\n{app.log_text()[-3000:]}")


@contextmanager
def launch_app(home: Path, log: Path, index_dir: Path | None = None, marker: str = "已就绪",
               extra_env: dict[str, str] | None = None):
    """app.py with REGQA_HOME=home (and REGQA_INDEX_DIR=index_dir when given), until its log shows marker.

    extra_env: further variables for the app (e.g. REGQA_ADMIN_PASSWORD), set last.
    """
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "REGQA_HOME": str(home),
           "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    for name in ("REGQA_INDEX_DIR", "REGQA_MODEL_DIR", "REGQA_ADMIN_PASSWORD"):
        env.pop(name, None)
    if index_dir is not None:
        env["REGQA_INDEX_DIR"] = str(index_dir)
    env.update(extra_env or {})
    failures = tuple(f for f in FAILED if f not in marker)
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
        app = RunningApp(f"http://127.0.0.1:{port}/", process, log)
        try:
            _wait(app, marker, failures)
            yield app
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
