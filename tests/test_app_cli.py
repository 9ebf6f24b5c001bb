"""The app's command line: it takes no arguments, so --help explains the settings and a stray argument is refused
before anything loads or listens (neither starts a server)."""
from __future__ import annotations

import os
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


RACE = """
import socket, sys
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
port = taken.getsockname()[1]
import os
os.environ["GRADIO_SERVER_PORT"] = str(port)
sys.path.insert(0, ".")
import app
probe = app.port_problem
calls = []
def port_problem(text):  # the first probe passes, as it does when another app takes the port a moment later
    calls.append(text)
    return None if len(calls) == 1 else probe(text)
app.port_problem = port_problem
sys.argv = ["app.py"]
app.main()
"""


def test_a_port_taken_after_the_probe_is_said_in_chinese_not_traced(tmp_path):
    # two apps started within a second both pass the port probe; the second's launch fails: a message, status 2
    done = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "REGQA_HOME": str(tmp_path / "home"),
                               "REGQA_INDEX_DIR": str(tmp_path / "no-index")})
    assert done.returncode == 2, done.stderr[-2000:]
    assert "[法规问答] 无法启动：端口" in done.stderr and "已被占用" in done.stderr
    assert "Traceback" not in done.stderr
