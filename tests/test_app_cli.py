"""The app's command line: it takes no arguments, so --help explains the settings and a stray argument is refused
before anything loads or listens (neither starts a server)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_app(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_help_explains_the_settings_and_starts_nothing():
    for flag in ("--help", "-h"):
        done = run_app(flag)
        assert done.returncode == 0 and done.stderr == ""
        assert done.stdout.startswith("用法：.venv/bin/python app.py")
        assert "GRADIO_SERVER_PORT" in done.stdout and "REGQA_ADMIN_PASSWORD" in done.stdout
        assert "页面地址" not in done.stdout


def test_an_unknown_argument_is_refused_with_the_usage():
    done = run_app("--port", "8000")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("[法规问答] 无法启动：不认识的参数 --port 8000。") and "用法：" in done.stderr
    assert "Traceback" not in done.stderr
