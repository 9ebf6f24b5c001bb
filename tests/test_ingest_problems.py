"""Bad regulation files and folders: each problem names the file and the place, the other regulations
still load, and nothing is left out silently (`python -m ingest` lists every error and exits 1)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import load_corpus

ROOT = Path(__file__).resolve().parent.parent
GOOD = "甲市数据条例\n第一条　甲。\n第二条　乙。\n"
# file name -> (bytes, the error it gives)
BAD_FILES = {
    "binary.txt": (b"\xff\xfe\x00\x81\x30\xff\xff", "无法解码：第 1 行（第 0 字节）处既不是 UTF-8 也不是 GB18030 编码"),
    "broken.md": ("乙市条例\n第一条　甲。\n".encode() + b"\x81\x20", "无法解码：第 3 行（第 32 字节）处既不是 UTF-8 也不是 GB18030 编码"),
    "dup.txt": ("丙市条例\n第一条　甲。\n第二条　乙。\n第二条　丙。\n".encode(), "条文编号重复或倒序：第二条之后又出现第二条"),
    "empty.txt": (b"", "文件是空的（没有任何文字）"),
    "gap.txt": ("丁市条例\n第一条　甲。\n第三条　丙。\n".encode(), "条文编号缺失：第一条之后是第三条，缺少第二条"),
    "no_articles.txt": ("戊市条例\n只有一段说明文字。\n".encode(), "未找到任何条文（没有以“第X条”开头的行）"),
    "spaces.txt": (" \n\u3000\n".encode(), "文件是空的（没有任何文字）"),
    "unbodied.txt": ("己市条例\n第一条　甲。\n第二条\n".encode(), "第二条没有正文"),
}


@pytest.fixture()
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, (raw, _) in BAD_FILES.items():
        (folder / name).write_bytes(raw)
    return folder


def test_every_bad_file_is_an_error_naming_it_and_the_good_one_loads(mixed_folder):
    corpus = load_corpus(mixed_folder)
    assert [a.key for a in corpus.articles] == ["甲市数据条例#1", "甲市数据条例#2"]
    assert sorted((p.source_file, p.message) for p in corpus.errors) == \
        sorted((name, message) for name, (_, message) in BAD_FILES.items())


def test_numbering_errors_carry_the_article_label(mixed_folder):
    labels = {p.source_file: p.article_label for p in load_corpus(mixed_folder).errors}
    assert (labels["dup.txt"], labels["gap.txt"], labels["unbodied.txt"], labels["empty.txt"]) == \
        ("第二条", "第三条", "第二条", "")


def test_files_of_other_types_are_reported_not_dropped_silently(mixed_folder):
    (mixed_folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (mixed_folder / "README").write_text("说明")
    (mixed_folder / ".hidden.txt.part-1").write_text("x")  # an upload being written: not a regulation yet
    warnings = [(p.source_file, p.message) for p in load_corpus(mixed_folder).problems if p.severity == "warning"]
    assert warnings == [("README", "不支持的文件类型（无扩展名），已忽略；只读取 .txt、.md、.docx 文件"),
                        ("notes.pdf", "不支持的文件类型（.pdf），已忽略；只读取 .txt、.md、.docx 文件")]


def test_a_file_listed_in_the_manifest_but_missing_is_an_error(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"regulations": [{"file": "good.txt", "title": "甲市数据条例"}, {"file": "gone.txt", "title": "乙"}]}))
    corpus = load_corpus(tmp_path)
    assert [r.title for r in corpus.regulations] == ["甲市数据条例"]
    assert [(p.source_file, p.message) for p in corpus.errors] == [
        ("gone.txt", f"manifest.json 列出了此文件，但目录 {tmp_path} 中没有")]


@pytest.mark.parametrize("manifest, message", [
    ("{not json", "无法读取（Expecting property name enclosed in double quotes: line 1 column 2 (char 1)）"),
    ("[1, 2]", "无法读取（'list' object has no attribute 'get'）"),
    ('{"regulations": [{"title": "甲"}]}', "格式不对：regulations 须为含 file 字段的对象列表"),
])
def test_an_unreadable_manifest_is_an_error_and_the_files_still_load(tmp_path, manifest, message):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(manifest)
    corpus = load_corpus(tmp_path)
    assert [r.title for r in corpus.regulations] == ["甲市数据条例"]
    assert [(p.source_file, p.message) for p in corpus.errors] == [
        ("manifest.json", f"{message}；已按各文件自身的信息解析（目录 {tmp_path}）")]


def test_an_unreadable_file_is_an_error(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "linked.txt").symlink_to(tmp_path / "nowhere.txt")  # a link to a missing file: reading fails
    corpus = load_corpus(tmp_path)
    assert [r.title for r in corpus.regulations] == ["甲市数据条例"]
    assert [(p.source_file, p.message) for p in corpus.errors] == [
        ("linked.txt", "无法读取文件（系统提示：No such file or directory）")]


def test_ingest_cli_lists_every_problem_and_exits_1(mixed_folder):
    (mixed_folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(mixed_folder)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"错误：{name}：{message}" for name, (_, message) in sorted(BAD_FILES.items())]
    assert result.stdout.splitlines() == [
        "《甲市数据条例》 甲市  文件 good.txt",
        "  条文 2 条，章 0 个，施行日期 不详",
        "警告：notes.pdf：不支持的文件类型（.pdf），已忽略；只读取 .txt、.md、.docx 文件",
        f"合计：1 部法规，2 条；术语 0 个，条文引用 0 处；错误 {len(BAD_FILES)} 个",
    ]


def test_ingest_cli_on_a_missing_folder_exits_1(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(tmp_path / "nowhere")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (1, f"错误：{tmp_path / 'nowhere'}：法规目录不存在\n")
