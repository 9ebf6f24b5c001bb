"""Hostile or odd questions: blank, very long, control characters, emoji, mixed scripts, HTML. The CLI
refuses blank ones with a message and exit code 2, and answers the others as plain text, without a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.answer import compose
from ingest.text import MAX_QUESTION_CHARS

ROOT = Path(__file__).resolve().parent.parent
FEE_QUESTION = "天津市对政务信息收费有什么规定？"
TIANJIN_28 = "《天津市信息化促进条例》第二十八条"
TRUNCATION_NOTE = f"问题超过 {MAX_QUESTION_CHARS} 字，只按前 {MAX_QUESTION_CHARS} 字检索。"
BLANK = "错误：问题不能为空。\n"
# odd questions that still ask about fees in Tianjin, so each must cite the fee article
ODD_FEE_QUESTIONS = [
    f"<script>alert('x')</script>{FEE_QUESTION}",
    f"天津市\x00对政务\x1b信息收费\x7f有什么规定？\u200b\ufeff",
    f"Привет! {FEE_QUESTION} مرحبا 😀🚀",
    f"{FEE_QUESTION}\n\n\t<img src=x onerror=alert(1)>&amp;",
    "天津市對政務信息收費有什麼規定？",  # traditional characters
    "ｔｉａｎｊｉｎ　天津市对政务信息收费有什么规定？",  # full-width Latin and space
]
# (the lone surrogate's question was "\ud800收费" until issue 16: the answerability model answers the one word 收费
# with the fee provisions, which is what the word asks; the surrogate's handling is what this list tests)
NONSENSE = ["😀🚀🎉", "<b></b>", "\u202e\u202d abc", "Привет мир", "'; DROP TABLE articles; --", "\ud800🚀"]


def run_cli(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, errors="replace")


@pytest.fixture()
def cli_env(real_model_dir, tmp_path) -> dict:
    """The session's converted model, and a cache of the test's own."""
    return {"REGQA_MODEL_DIR": str(real_model_dir), "REGQA_HOME": str(tmp_path / "home")}


# ---------------------------------------------------------------- blank questions: refused before any loading


@pytest.mark.parametrize("question", ["", "   ", "\t\n", "\x01\x02\x1b", "\u3000"])
def test_ask_refuses_a_blank_question(question, tmp_path):
    result = run_cli("retrieval", "ask", question, "--index-dir", str(tmp_path / "never-read"))
    assert (result.returncode, result.stderr, result.stdout) == (2, BLANK, "")


@pytest.mark.parametrize("line, message", [
    ('{"id": 1, "question": "  "}', "第 2 行无效：须为含非空 question 字段的 JSON 对象。"),
    ('{"id": 1, "question": "\\u0001\\u0002"}', "第 2 行无效：须为含非空 question 字段的 JSON 对象。"),
    ('{"id": 1}', "第 2 行无效：须为含非空 question 字段的 JSON 对象。"),
    ('{"id": 1, "question": 7}', "第 2 行无效：须为含非空 question 字段的 JSON 对象。"),
    ('["问题"]', "第 2 行无效：须为含非空 question 字段的 JSON 对象。"),
    ("天津收费", "第 2 行不是有效的 JSON（Expecting value: line 1 column 1 (char 0)）。"),
])
def test_batch_refuses_a_bad_line_naming_it(line, message, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text(f'{{"id": 0, "question": "天津收费"}}\n{line}\n', encoding="utf-8")
    result = run_cli("retrieval", "batch", str(batch), "--index-dir", str(tmp_path / "never-read"))
    assert (result.returncode, result.stderr) == (2, f"错误：{batch} {message}\n")


def test_batch_refuses_an_unreadable_file(tmp_path):
    batch = tmp_path / "latin1.jsonl"
    batch.write_bytes(b'{"question": "\xe9"}\n')
    result = run_cli("retrieval", "batch", str(batch))
    assert result.returncode == 2 and result.stderr.startswith(f"错误：无法读取 {batch}：")
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- odd questions, real model and corpus


@pytest.mark.model
@pytest.mark.parametrize("question", ODD_FEE_QUESTIONS)
def test_odd_questions_are_answered_as_text(real_retriever, question):
    answer = compose(real_retriever.retrieve(question, 10), real_retriever.data)
    assert answer.question == question and not answer.abstained
    assert TIANJIN_28 in [c.citation for c in answer.citations]


@pytest.mark.model
@pytest.mark.parametrize("question", NONSENSE)
def test_nonsense_is_not_answered(real_retriever, question):
    answer = compose(real_retriever.retrieve(question, 10), real_retriever.data)
    assert answer.abstained and answer.lead.startswith("未找到与这个问题相关的规定。")
    assert all(c.role == "nearby" for c in answer.citations)


@pytest.mark.model
def test_a_50000_character_question_is_truncated_with_a_note_and_answered(real_retriever):
    question = FEE_QUESTION + "请详细说明。" * 8331  # 50,002 characters, as if a document were pasted
    retrieval = real_retriever.retrieve(question, 10)
    assert retrieval.query.truncated and len(question) > 50_000
    answer = compose(retrieval, real_retriever.data)
    assert answer.notes[0] == TRUNCATION_NOTE and not answer.abstained
    assert TIANJIN_28 in [c.citation for c in answer.citations]


@pytest.mark.model
def test_cli_ask_answers_a_long_odd_question_without_a_traceback(real_index_dir, cli_env):
    question = f"<script>alert(1)</script>{FEE_QUESTION} 😀 Привет" + "x" * 50_000
    result = run_cli("retrieval", "ask", question, "--index-dir", str(real_index_dir), env=cli_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == f"注：{TRUNCATION_NOTE}"
    assert TIANJIN_28 in lines


@pytest.mark.model
def test_cli_batch_answers_every_odd_question(real_index_dir, cli_env, tmp_path):
    questions = ODD_FEE_QUESTIONS + NONSENSE + [FEE_QUESTION + "。" * 50_000]  # NONSENSE[-1]: a lone surrogate
    batch = tmp_path / "odd.jsonl"
    batch.write_text("".join(json.dumps({"id": i, "question": q}) + "\n" for i, q in enumerate(questions)),
                     encoding="utf-8")
    result = run_cli("retrieval", "batch", str(batch), "--k", "5", "--index-dir", str(real_index_dir), env=cli_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["id"], row["question"]) for row in rows] == list(enumerate(questions))
    assert [row["truncated"] for row in rows] == [False] * (len(questions) - 1) + [True]
    for row in rows[:len(ODD_FEE_QUESTIONS)] + rows[-1:]:
        assert not row["abstained"] and ("天津市信息化促进条例", 28) in [(h["regulation"], h["article"])
                                                                       for h in row["hits"]]
    assert all(row["abstained"] for row in rows[len(ODD_FEE_QUESTIONS):-1])
