"""Versions of one regulation, true duplicates, and the one function that builds article keys."""
from __future__ import annotations

import json

import pytest

from ingest import article_key, load_corpus, read_manifest
from ingest.records import Article

V1 = "# 某某法\n\n2001年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 旧文。\n\n第二条 依照第一条办理。\n"
V2 = "# 某某法\n\n2001年1月1日 通过\n\n2010年5月1日 修正\n\n<!-- INFO END -->\n\n第一条 新文。\n\n第二条 依照第一条办理。\n"


@pytest.mark.parametrize("args, kwargs, key", [
    (("天津市信息化促进条例", 28), {}, "天津市信息化促进条例#28"),
    (("某市数据条例", 2, 1), {}, "某市数据条例#2-1"),
    (("中华人民共和国民事诉讼法", 1, 0, "2021-12-24"), {}, "中华人民共和国民事诉讼法@2021-12-24#1"),
    (("某市数据条例", 2, 1, "2001-01-01"), {}, "某市数据条例@2001-01-01#2-1"),
    (("丙市条例", 2), {"repeat": 2}, "丙市条例#2~2"),
])
def test_article_key_formats(args, kwargs, key):
    assert article_key(*args, **kwargs) == key


def test_article_key_is_what_article_key_property_returns():
    article = Article("某某法", "全国", 3, "第三条", "", "丙。", (), "x.md", (0, 1), sub_no=1, version="2001-01-01")
    assert article.key == article_key("某某法", 3, 1, "2001-01-01") == "某某法@2001-01-01#3-1"


def test_versions_by_file_name_date_the_latest_is_current(tmp_path):
    (tmp_path / "某某法(2001-01-01).md").write_text(V1, encoding="utf-8")
    (tmp_path / "某某法(2010-05-01).md").write_text(V2, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [(r.source_file, r.version_date, r.status, r.version) for r in corpus.regulations] == [
        ("某某法(2001-01-01).md", "2001-01-01", "历史版本", "2001-01-01"),
        ("某某法(2010-05-01).md", "2010-05-01", "现行", "")]
    assert [a.key for a in corpus.articles] == ["某某法@2001-01-01#1", "某某法@2001-01-01#2", "某某法#1", "某某法#2"]
    assert corpus.regulation("某某法").version_date == "2010-05-01"
    assert corpus.regulation("某某法", "2001-01-01").status == "历史版本"
    # links stay inside their version
    assert [(c.version, c.from_article, c.to_article) for c in corpus.crossrefs] == [("2001-01-01", 2, 1), ("", 2, 1)]
    assert corpus.problems == ()


def test_without_dates_in_the_name_the_header_dates_the_version(tmp_path):
    (tmp_path / "a.md").write_text(V2, encoding="utf-8")
    (tmp_path / "b.md").write_text(V1, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [(r.source_file, r.version_date, r.status) for r in corpus.regulations] == [
        ("a.md", "2010-05-01", "现行"), ("b.md", "2001-01-01", "历史版本")]


def test_a_manifest_status_overrides_the_latest(tmp_path):
    (tmp_path / "old.md").write_text(V1, encoding="utf-8")
    (tmp_path / "new.md").write_text(V2, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"regulations": [
        {"file": "new.md", "status": "已废止"}, {"file": "old.md", "status": "现行"}]}, ensure_ascii=False))
    corpus = load_corpus(tmp_path)
    assert {r.source_file: (r.status, r.version) for r in corpus.regulations} == {
        "new.md": ("已废止", "2010-05-01"), "old.md": ("现行", "")}


def test_a_true_duplicate_is_a_warning_and_the_second_file_is_skipped(tmp_path):
    (tmp_path / "a.md").write_text(V1, encoding="utf-8")
    (tmp_path / "b.md").write_text(V1, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [r.source_file for r in corpus.regulations] == ["a.md"]
    assert [a.key for a in corpus.articles] == ["某某法#1", "某某法#2"]
    assert [(p.severity, p.kind, p.source_file, p.message) for p in corpus.problems] == [
        ("warning", "duplicate", "b.md", "与文件 a.md 是同一法规的同一版本（《某某法》，版本日期 2001-01-01），已跳过此文件")]
    assert corpus.errors == ()


def test_a_single_version_keeps_the_status_its_sources_give(tmp_path):
    (tmp_path / "a.md").write_text(V1, encoding="utf-8")
    assert [(r.status, r.version_date, r.version) for r in load_corpus(tmp_path).regulations] == \
        [(None, "2001-01-01", "")]


def test_read_manifest_accepts_adopted_and_adopted_date(tmp_path):
    entries = [{"file": "a.md", "title": "中华人民共和国民法典", "part": "第四编 人格权", "adopted": "2020-05-28",
                "later_changes": [{"date": "2025-10-28"}], "text_version": "2020-05-28 adopted text"},
               {"file": "b.md", "title": "某某法", "adopted_date": "2001-01-01", "revised": "2010-05-01"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"regulations": entries}, ensure_ascii=False))
    assert read_manifest(tmp_path) == {"a.md": entries[0], "b.md": entries[1]}
    (tmp_path / "a.md").write_text(V1, encoding="utf-8")
    (tmp_path / "b.md").write_text(V2, encoding="utf-8")
    facts = {r.source_file: (r.title, r.part, r.adopted_date, r.version_date) for r in load_corpus(tmp_path).regulations}
    assert facts == {"a.md": ("中华人民共和国民法典", "第四编\u3000人格权", "2020-05-28", "2020-05-28"),
                     "b.md": ("某某法", "", "2001-01-01", "2010-05-01")}
