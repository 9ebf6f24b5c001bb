"""An Encoder whose model lives in a child process, so that it loads while the app imports its UI.

Why: the app's start is CPU-bound Python (gradio's import, jieba's dictionary, the model's
tokenizer), and one process runs it on one core because of the GIL. Loading the model in a child
process puts the second core to work: the app was ready in about 12 s with everything in one
process and is ready in about 7 s this way (bench/results). Queries pay one pipe round trip
(well under a millisecond).

Protocol (child's stdin/stdout, one request at a time): the parent writes a JSON line
`{"kind": "query"|"passage", "texts": [...]}` (with `"model": "calibration"` for the calibration model), or
`{"model": "reader", "question": q, "passages": [...]}` for the answerability reader's logits (dim 1);
the child answers a JSON line `{"rows": n, "dim": d}` followed by n*d float32 values (little-endian
bytes), or `{"error": "..."}`. On start the child writes `{"ready": true, "dim": d}` once the models have
loaded. The child exits when its stdin closes, so it never outlives the app.

Run as a child: `python -m models.process [--engine fast|reference] [--reader READER_DIR] MODEL_DIR [CALIBRATION_DIR]`.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.protocol import Kind, check_input, folder_model_name

_ROOT = Path(__file__).resolve().parent.parent


class EncoderProcessError(RuntimeError):
    """The child process failed or died; the message (Chinese) says what to do."""


class EncoderProcess:
    """`encode(texts, kind)` answered by a child process running `models.encoders.encoder_for_folder`.

    Starts the child at construction and returns at once; the first encode (or `.load()`) waits
    until the model has loaded. A child that died is started again on the next call.
    With `calibration_dir`, the same child also holds the calibration model (see
    models.encoders.CalibratedEncoder), answered by `encode_calibration`.
    """

    def __init__(self, model_dir: Path, name: str | None = None, timeout_s: float = 120.0,
                 load_timeout_s: float = 600.0, calibration_dir: Path | None = None, engine: str = "reference",
                 reader_dir: Path | None = None):
        self.path = Path(model_dir)
        self.name = name or folder_model_name(self.path)
        self.calibration_path = Path(calibration_dir) if calibration_dir else None
        self.calibration_name = folder_model_name(self.calibration_path) if self.calibration_path else None
        self.reader_path = Path(reader_dir) if reader_dir else None  # the answerability reader (models.reader)
        self.reader_name = folder_model_name(self.reader_path) if self.reader_path else None
        self.engine = engine  # models.engine: how the child computes
        self.timeout_s = timeout_s  # per request; the largest (64 passages at build time) takes about 10 s
        self.load_timeout_s = load_timeout_s
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None
        self._start()

    def __repr__(self) -> str:
        return f"EncoderProcess({str(self.path)!r}, name={self.name!r})"

    def _start(self) -> None:
        self._dims: dict[str, int] = {}  # each model's dimension, once the child said it is ready
        folders = [str(self.path)] + ([str(self.calibration_path)] if self.calibration_path else [])
        reader = ["--reader", str(self.reader_path)] if self.reader_path else []
        self._child = subprocess.Popen([sys.executable, "-m", "models.process", "--engine", self.engine, *reader,
                                        *folders],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_ROOT)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child else None

    @property
    def dim(self) -> int:
        return self.load()._dims["ranking"]

    def load(self) -> EncoderProcess:
        """Wait until the child has loaded the model (starting it again if it died); returns self."""
        with self._lock:
            self._ensure_ready()
        return self

    def _ensure_ready(self) -> None:
        if self._child is None or self._child.poll() is not None:
            self._start()
        if not self._dims:
            hello = self._read_line(self.load_timeout_s)
            if not hello.get("ready"):
                raise EncoderProcessError(f"嵌入模型进程未能加载模型：{hello.get('error', hello)}")
            self._dims = {"ranking": int(hello["dim"]), "calibration": int(hello.get("calibration_dim", 0))}

    def _read_line(self, timeout_s: float) -> dict:
        """The child's next JSON line; a child silent for timeout_s is stopped (it restarts on the next call)."""
        import select

        if not select.select([self._child.stdout], [], [], timeout_s)[0]:
            self.close(kill=True)
            raise EncoderProcessError(f"嵌入模型进程 {timeout_s:.0f} 秒没有响应，已停止；下次提问时会自动重启。")
        line = self._child.stdout.readline()
        if not line:
            code = self._child.wait()
            raise EncoderProcessError(f"嵌入模型进程意外退出（退出码 {code}），详情见服务日志；下次提问时会自动重启。")
        try:
            return json.loads(line)
        except ValueError:  # not our protocol: something else wrote to the child's stdout
            self.close(kill=True)
            raise EncoderProcessError("嵌入模型进程输出了无法识别的内容，已停止；下次提问时会自动重启。") from None

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        return self._encode(texts, kind, "ranking")

    def encode_calibration(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if self.calibration_path is None:
            raise ValueError("this encoder process has no calibration model")
        return self._encode(texts, kind, "calibration")

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The answerability reader's logits (models.reader) for passages read with the question."""
        if self.reader_path is None:
            raise ValueError("this encoder process has no answerability reader")
        if not passages:
            return np.zeros(0, np.float32)
        return self._request({"model": "reader", "question": str(question), "passages": [str(p) for p in passages]})[:, 0]

    def _encode(self, texts: Sequence[str], kind: Kind, model: str) -> np.ndarray:
        check_input(texts, kind)
        if not texts:
            with self._lock:
                self._ensure_ready()
            return np.zeros((0, self._dims[model]), np.float32)
        return self._request({"kind": kind, "texts": list(texts), "model": model})

    def _request(self, body: dict) -> np.ndarray:
        with self._lock:
            self._ensure_ready()
            try:
                request = json.dumps(body, ensure_ascii=False) + "\n"
                self._child.stdin.write(request.encode("utf-8"))
                self._child.stdin.flush()
                header = self._read_line(self.timeout_s)
                if "error" in header:
                    raise EncoderProcessError(f"嵌入模型进程出错：{header['error']}")
                rows, dim = int(header["rows"]), int(header["dim"])
                payload = self._child.stdout.read(rows * dim * 4)
            except (BrokenPipeError, ValueError) as error:  # died mid-request or wrote garbage
                self.close()
                raise EncoderProcessError(f"嵌入模型进程通信失败（{type(error).__name__}），下次提问时会自动重启。") from None
            if len(payload) != rows * dim * 4:
                self.close()
                raise EncoderProcessError("嵌入模型进程的输出不完整，下次提问时会自动重启。")
            return np.frombuffer(payload, dtype="<f4").reshape(rows, dim).astype(np.float32)

    def close(self, kill: bool = False) -> None:
        """Stop the child (it also stops by itself when this process exits)."""
        child, self._child = self._child, None
        if child and child.poll() is None:
            if kill:
                child.kill()
            else:
                child.stdin.close()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def serve(model_dir: Path, calibration_dir: Path | None = None, engine: str = "reference",
          reader_dir: Path | None = None) -> int:
    """The child's loop: load the model(s), then answer requests until stdin closes."""
    import os

    from models.encoders import encoder_for_folder

    # the protocol owns the original stdout; anything a library prints goes to stderr instead
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        ranking = encoder_for_folder(Path(model_dir), engine, Path(reader_dir) if reader_dir else None).load()
        encoders = {"ranking": ranking.encode}
        if reader_dir is not None:
            ranking.read("", ["-"])  # load the reader now, not on the first uncertain question
        if calibration_dir is not None:
            calibration = encoder_for_folder(Path(calibration_dir), engine).load()
            encoders["calibration"] = calibration.encode
            calibration_dim = calibration.dim
        dim = ranking.dim
    except Exception as error:  # reported to the parent, which shows it
        out.write((json.dumps({"ready": False, "error": f"{type(error).__name__}: {error}"}) + "\n").encode())
        out.flush()
        return 1
    hello = {"ready": True, "dim": dim}
    if "calibration" in encoders:
        hello["calibration_dim"] = calibration_dim
    out.write((json.dumps(hello) + "\n").encode())
    out.flush()
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            if request.get("model") == "reader":
                vectors = np.asarray(ranking.read(request["question"], request["passages"]), np.float32)[:, None]
            else:
                vectors = encoders[request.get("model", "ranking")](request["texts"], request["kind"])
        except Exception as error:  # one bad request does not end the process
            out.write((json.dumps({"error": f"{type(error).__name__}: {error}"}, ensure_ascii=False) + "\n").encode())
            out.flush()
            continue
        out.write((json.dumps({"rows": len(vectors), "dim": vectors.shape[1]}) + "\n").encode())
        out.write(np.ascontiguousarray(vectors, dtype="<f4").tobytes())
        out.flush()
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen, reader_folder = "reference", None
    if arguments[:1] == ["--engine"] and len(arguments) >= 2:
        chosen, arguments = arguments[1], arguments[2:]
    if arguments[:1] == ["--reader"] and len(arguments) >= 2:
        reader_folder, arguments = Path(arguments[1]), arguments[2:]
    if len(arguments) not in (1, 2) or chosen not in ("fast", "reference"):
        print("用法：python -m models.process [--engine fast|reference] [--reader 阅读模型目录] 模型目录 [校准模型目录]",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(serve(Path(arguments[0]), Path(arguments[1]) if len(arguments) == 2 else None, chosen, reader_folder))
