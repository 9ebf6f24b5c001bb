"""Bad regulation files and folders: each problem names the file and the place, a file with flaws inside
still loads, and nothing is left out silently (`python -m ingest` lists every problem, exits 1 on errors)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import load_corpus

ROOT = Path(__file__).resolve().parent.parent
GOOD = "甲市数据条例\n第一条　甲。\n第二条　乙。\n"
# files that cannot be read at all: file name -> (bytes, kind, the error it gives)
BAD_FILES = {
    "binary.txt": (b"\xff\xfe\x00\x81\x30\xff\xff", "undecodable",
                   "无法解码：第 1 行（第 0 字节）处既不是 UTF-8 也不是 GB18030 编码"),
    "broken.md": ("乙市条例\n第一条　甲。\n".encode() + b"\x81\x20", "undecodable",
                  "无法解码：第 3 行（第 32 字节）处既不是 UTF-8 也不是 GB18030 编码"),
    "empty.txt": (b"", "empty", "文件是空的（没有任何文字）"),
    "no_articles.txt": ("戊市条例\n只有一段说明文字。\n".encode(), "not_regulation",
                        "未找到任何条文（没有以“第X条”开头的行，也没有“一、”“（一）”等编号）"),
    "spaces.txt": (" \n\u3000\n".encode(), "empty", "文件是空的（没有任何文字）"),
}
# files with a flaw inside: file name -> (bytes, its warning (kind, label, line), the keys it gives)
FLAWED_FILES = {
    "dup.txt": ("丙市条例\n第一条　甲。\n第二条　乙。\n第二条　丙。\n".encode(), ("repeat", "第二条", 4),
                ["丙市条例#1", "丙市条例#2", "丙市条例#2~2"]),
    "gap.txt": ("丁市条例\n第一条　甲。\n第三条　丙。\n".encode(), ("gap", "第三条", 3), ["丁市条例#1", "丁市条例#3"]),
    "unbodied.txt": ("己市条例\n第一条　甲。\n第二条\n".encode(), ("empty_article", "第二条", 3), ["己市条例#1"]),
}


@pytest.fixture()
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, (raw, *_) in {**BAD_FILES, **FLAWED_FILES}.items():
        (folder / name).write_bytes(raw)
    return folder


def test_every_unreadable_file_is_an_error_naming_it_and_the_others_load(mixed_folder):
    corpus = load_corpus(mixed_folder)
    assert [a.key for a in corpus.articles] == [
        *FLAWED_FILES["dup.txt"][2], *FLAWED_FILES["gap.txt"][2], "甲市数据条例#1", "甲市数据条例#2",
        *FLAWED_FILES["unbodied.txt"][2]]
    assert sorted((p.source_file, p.kind, p.message) for p in corpus.errors) == \
        sorted((name, kind, message) for name, (_, kind, message) in BAD_FILES.items())


def test_a_flaw_inside_a_file_is_a_warning_with_kind_label_and_line(mixed_folder):
    warnings = {p.source_file: (p.kind, p.article_label, p.line)
                for p in load_corpus(mixed_folder).problems if p.severity == "warning"}
    assert {name: warnings[name] for name in FLAWED_FILES} == {name: w for name, (_, w, _) in FLAWED_FILES.items()}


def test_files_of_other_types_are_reported_not_dropped_silently(mixed_folder):
    (mixed_folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (mixed_folder / "README").write_text("说明")
    (mixed_folder / ".hidden.txt.part-1").write_text("x")  # an upload being written: not a regulation yet
    warnings = [(p.source_file, p.message) for p in load_corpus(mixed_folder).problems if p.kind == "unsupported_file"]
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
    assert result.stderr.splitlines() == [f"错误：{name}：{message}" for name, (_, _, message) in sorted(BAD_FILES.items())]
    assert result.stdout.splitlines() == [
        "《丙市条例》 丙市  文件 dup.txt",
        "  条文 3 条，章 0 个，施行日期 不详",
        "  警告：条文编号重复：第二条之后又出现第二条（第4行）；两条都已收录，这是第 2 次出现的第二条，其键以“~2”结尾",
        "《丁市条例》 丁市  文件 gap.txt",
        "  条文 2 条，章 0 个，施行日期 不详",
        "  警告：条文编号缺失：第一条之后是第三条，缺少第二条（第3行）；已按原编号收录各条",
        "《甲市数据条例》 甲市  文件 good.txt",
        "  条文 2 条，章 0 个，施行日期 不详",
        "《己市条例》 己市  文件 unbodied.txt",
        "  条文 1 条，章 0 个，施行日期 不详",
        "  警告：第二条没有正文（第3行），已略去此条标题",
        "警告：notes.pdf：不支持的文件类型（.pdf），已忽略；只读取 .txt、.md、.docx 文件",
        "合计：4 部法规（4 个文件），8 条；术语 0 个，条文引用 0 处；"
        f"警告 4 个（empty_article 1，gap 1，repeat 1，unsupported_file 1）；错误 {len(BAD_FILES)} 个",
    ]


def test_ingest_cli_json_report_for_programs(mixed_folder):
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(mixed_folder), "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (1, "")
    data = json.loads(result.stdout)
    files = {item["file"]: item for item in data["files"]}
    assert sorted(files) == sorted([*BAD_FILES, *FLAWED_FILES, "good.txt"])
    gap = files["gap.txt"]
    assert {k: gap[k] for k in ("title", "version_date", "status", "loaded", "articles", "errors")} == \
        {"title": "丁市条例", "version_date": None, "status": None, "loaded": True, "articles": 2, "errors": []}
    assert [(w["kind"], w["line"], w["label"]) for w in gap["warnings"]] == [("gap", 3, "第三条")]
    assert [(e["kind"], e["line"]) for e in files["binary.txt"]["errors"]] == [("undecodable", 1)]
    assert files["binary.txt"]["loaded"] is False
    assert data["summary"] == {
        "files": 9, "loaded_files": 4, "regulations": 4, "articles": 8, "glossary": 0, "crossrefs": 0,
        "warnings": 3, "errors": 5, "warnings_by_kind": {"empty_article": 1, "gap": 1, "repeat": 1},
        "errors_by_kind": {"empty": 2, "not_regulation": 1, "undecodable": 2}}


def test_ingest_cli_exits_0_when_there_are_only_warnings(tmp_path):
    (tmp_path / "gap.txt").write_bytes(FLAWED_FILES["gap.txt"][0])
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "合计：1 部法规（1 个文件），2 条；术语 0 个，条文引用 0 处；警告 1 个（gap 1）；错误 0 个"


def test_ingest_cli_on_a_missing_folder_exits_1(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(tmp_path / "nowhere")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (1, f"错误：{tmp_path / 'nowhere'}：法规目录不存在\n")
