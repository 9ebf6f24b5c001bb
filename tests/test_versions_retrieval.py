"""Versions of one regulation in retrieval, answers and the page: the version in force answers by default,
an earlier one when the question asks for it (修改前, 2021年版) or the filters include history."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import build, load
from ingest import load_corpus
from models.protocol import FakeEncoder
from retrieval.records import Filters
from retrieval.retriever import Retriever
from retrieval.settings import Settings

SAMPLES = Path(__file__).resolve().parent / "data" / "real-law-samples"
TITLE = "中华人民共和国民事诉讼法"
JUROR = "陪审员在执行陪审职务时，与审判员有同等的权利义务"  # 第四十条 of 2021, changed in 2023


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    folder = tmp_path_factory.mktemp("versions") / "laws"
    folder.mkdir()
    for path in SAMPLES.glob("民事诉讼法*.md"):
        shutil.copy(path, folder)
    out = folder.parent / "index"
    build(load_corpus(folder), out, FakeEncoder(), [folder])
    # BM25 weighs as much as the dense side here: the fake encoder's character-bigram cosines are no stand-in for
    # the ranking model's, which the product's weights (dense 3 : BM25 0.5) were chosen for
    settings = Settings(bm25_weight=Settings().dense_weight)
    return Retriever(load(out, "fake-bigram"), FakeEncoder(), settings)


def test_both_versions_are_indexed_with_their_dates_and_status(retriever):
    versions = sorted((r.version, r.version_date, r.status, r.article_count) for r in retriever.data.regulations)
    assert versions == [("", "2023-09-01", "现行", 306), ("2021-12-24", "2021-12-24", "历史版本", 291)]


def test_the_version_in_force_answers_by_default(retriever):
    answer = retriever.ask("民事案件的合议庭里陪审员有什么权利义务？")
    assert answer.retrieval.hits and all("@" not in hit.key for hit in answer.retrieval.hits)
    assert all(c.version == "" and c.version_date == "2023-09-01" and c.status == "现行" for c in answer.citations)


@pytest.mark.parametrize("question", ["民事诉讼法修改前，陪审员执行陪审职务时有什么权利义务？",
                                      "2021年版民事诉讼法：陪审员在执行陪审职务时，与审判员有什么权利义务？"])
def test_a_question_about_the_earlier_text_reaches_it(retriever, question):
    answer = retriever.ask(question, Filters())
    keys = [hit.key for hit in answer.retrieval.hits]
    assert all(key.startswith(f"{TITLE}@2021-12-24#") for key in keys)  # only the earlier text is searched
    assert f"{TITLE}@2021-12-24#40" in keys[:3]  # (the fake encoder ranks by shared characters)
    old = next(a for a in retriever.data.articles if a.key == f"{TITLE}@2021-12-24#40")
    from retrieval.citing import citation

    cited = citation(old, next(r for r in retriever.data.regulations if r.version), "answer", (JUROR,))
    assert cited.citation == f"《{TITLE}》（2021年12月24日版）第四十条"
    assert (cited.version_date, cited.status) == ("2021-12-24", "历史版本")
    assert any(JUROR in excerpt for excerpt in cited.excerpts)


def test_a_year_that_names_no_version_keeps_the_version_in_force(retriever):
    hits = retriever.ask("2019年版民事诉讼法里陪审员有什么权利义务？").retrieval.hits
    assert hits and all("@" not in hit.key for hit in hits)


def test_filters_can_include_every_version(retriever):
    hits = retriever.retrieve("陪审员执行陪审职务时与审判员有同等的权利义务", 10, Filters(history=True)).hits
    assert {"@" in hit.key for hit in hits} == {True, False}


def test_the_reading_tab_offers_each_version(retriever):
    from app import regulation_choices, render_regulation

    choices = regulation_choices(retriever.data)
    assert choices == [(f"《{TITLE}》（2021-12-24版，历史版本）", f"{TITLE}@2021-12-24"),
                       (f"《{TITLE}》（2023-09-01版，现行）", f"{TITLE}@")] or \
        sorted(choices) == sorted([(f"《{TITLE}》（2021-12-24版，历史版本）", f"{TITLE}@2021-12-24"),
                                   (f"《{TITLE}》（2023-09-01版，现行）", f"{TITLE}@")])
    old = render_regulation(retriever.data, f"{TITLE}@2021-12-24")
    assert JUROR in old and "版本日期：2021-12-24" in old and "本法规另有版本" in old
    assert JUROR not in render_regulation(retriever.data, f"{TITLE}@")
