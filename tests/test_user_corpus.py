"""Adding and removing regulations: validation, the user folder and its manifest, incremental rebuilds,
and questions about the added regulations (with the fake encoder)."""
import json
import shutil
from pathlib import Path

import pytest

from index import build_from_folders, check, load
from models.protocol import FakeEncoder
from library.user_corpus import MAX_FILE_BYTES, Rejected, UserCorpus
from retrieval.answer import compose
from retrieval.records import Filters
from retrieval.retriever import Retriever

SAMPLES = Path(__file__).resolve().parent / "data" / "user_regulations"
SHANDONG = SAMPLES / "shandong_public_data.md"
GUANGDONG = SAMPLES / "guangdong_digital_economy.txt"
BUNDLED = """天津市数据条例
第一条　为了促进数据发展，制定本条例。
第二条　国家机关提供政务公开信息，不得收取费用。
第三条　网络运营者不得出售用户的个人信息。
"""


@pytest.fixture()
def library(tmp_path) -> UserCorpus:
    """A user folder next to a one-regulation bundled corpus, and the index built from the bundled one."""
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "tj.txt").write_text(BUNDLED, encoding="utf-8")
    library = UserCorpus(tmp_path / "user", tmp_path / "index", bundled=(bundled,))
    build_from_folders(library.corpus_folders(), library.index_dir, FakeEncoder())
    return library


def index_manifest(library: UserCorpus):
    return check(library.index_dir)


def answer_citations(library: UserCorpus, question: str, filters: Filters | None = None) -> list[str]:
    retriever = Retriever(load(library.index_dir, "fake-bigram"), FakeEncoder())
    return [c.citation for c in compose(retriever.retrieve(question, 5, filters), retriever.data).citations]


def snapshot(library: UserCorpus) -> dict[str, bytes]:
    """Every file of the index and of the user folder, by path."""
    folders = [library.index_dir, library.folder]
    return {str(p): p.read_bytes() for folder in folders if folder.exists() for p in sorted(folder.iterdir())}


def test_add_two_regulations_then_ask_and_remove(library, zhejiang_docx):
    encoder = FakeEncoder()
    # 1. the Markdown file: only its 8 articles' 19 passages (8 whole articles, 11 sentences of the
    #    articles with more than one) are encoded, the bundled 3 articles keep their vectors
    added = library.add(SHANDONG, None, {}, encoder)
    assert (added.action, added.title, added.articles, added.encoded) == ("added", "山东省公共数据开放办法", 8, 19)
    assert index_manifest(library).build["encoded"] == 19
    # 2. the Word file, with its effective date entered by the administrator
    added = library.add(zhejiang_docx, None, {"effective_date": "2022年3月1日"}, encoder)
    assert (added.encoded, added.index_regulations, added.index_articles) == (7, 3, 16)  # 5 articles, 7 passages
    assert [(r.title, r.jurisdiction, r.effective_date, r.articles, r.original_name) for r in library.regulations()] \
        == [("山东省公共数据开放办法", "山东省", "2022-04-01", 8, "shandong_public_data.md"),
            ("浙江省公共数据条例", "浙江省", "2022-03-01", 5, "浙江省公共数据条例.docx")]
    manifest = check(library.index_dir)  # the corpus fingerprint matches the folders
    assert manifest.counts["regulations"] == 3 and manifest.counts["articles"] == 16
    assert sorted(Path(f).name for f in manifest.corpus_files) == \
        sorted(["manifest.json", "tj.txt", "u_5aca36b96b2d7175.md", f"u_{_sha(zhejiang_docx)[:16]}.docx"])
    # 3. questions about each cite the right article
    assert answer_citations(library, "谁负责建设山东全省统一的公共数据开放平台？")[0] == "《山东省公共数据开放办法》第四条"
    assert answer_citations(library, "浙江要设立首席数据官吗？")[0] == "《浙江省公共数据条例》第四条"
    # 4. removing one removes its file and articles, and nothing else
    removed = library.remove("山东省公共数据开放办法", encoder)
    assert (removed.action, removed.articles, removed.encoded, removed.index_articles) == ("removed", 8, 0, 8)
    data = load(library.index_dir, "fake-bigram")
    assert [r.title for r in data.regulations] == ["天津市数据条例", "浙江省公共数据条例"]
    assert not any(a.regulation == "山东省公共数据开放办法" for a in data.articles)
    assert sorted(p.name for p in library.folder.iterdir()) == ["manifest.json", f"u_{_sha(zhejiang_docx)[:16]}.docx"]
    assert answer_citations(library, "浙江要设立首席数据官吗？")[0] == "《浙江省公共数据条例》第四条"


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_added_jurisdictions_are_places_and_filters(library, zhejiang_docx):
    library.add(SHANDONG, None, {}, FakeEncoder())
    library.add(GUANGDONG, None, {}, FakeEncoder())
    retriever = Retriever(load(library.index_dir, "fake-bigram"), FakeEncoder())
    assert {alias: retriever.aliases[alias] for alias in ("山东", "山东省", "广东", "广东省")} == \
        {"山东": "山东省", "山东省": "山东省", "广东": "广东省", "广东省": "广东省"}
    query = retriever.parse("山东和广东对公共数据有什么不同规定？")
    assert query.places == ("山东省", "广东省")
    hits = retriever.search("山东的数据开放平台", 5)
    assert [h.jurisdiction for h in hits[:3]] == ["山东省"] * 3
    only = retriever.search("基础设施", 20, Filters(jurisdictions=("广东省",)))
    assert {h.regulation for h in only} == {"广东省数字经济促进条例"}


def test_removing_the_last_added_regulation_leaves_the_bundled_index(library):
    library.add(GUANGDONG, None, {}, FakeEncoder())
    assert library.corpus_folders() == [*library.bundled, library.folder]
    library.remove("广东省数字经济促进条例", FakeEncoder())
    assert library.corpus_folders() == [*library.bundled]
    manifest = check(library.index_dir)
    assert list(manifest.corpus_folders) == [str(library.bundled[0].resolve())]
    assert manifest.counts == {**manifest.counts, "regulations": 1, "articles": 3}


NO_PLACE = "关于公共数据的若干规定\n第一条　公共数据应当依法开放。\n第二条　本规定自2023年1月1日起施行。\n"


@pytest.mark.parametrize("raw, filename, metadata, message", [
    (b"PK\x03\x04 broken", "条例.docx", {}, "不是有效的 Word（.docx）文件"),
    (b"%PDF-1.7", "条例.pdf", {}, "不支持的文件类型（.pdf）：PDF 请先把文字复制到 .txt 文件"),
    (b"x", "条例", {}, "不支持的文件类型（无扩展名）"),
    (b"a" * (MAX_FILE_BYTES + 1), "big.txt", {}, "超过 2 MB 的上限"),
    (b"", "empty.md", {}, "文件是空的"),
    (NO_PLACE.encode(), "np.txt", {}, "未能从法规名称判断所属地区，请填写地区"),
    (BUNDLED.encode(), "copy.txt", {}, "与内置法规《天津市数据条例》同名：内置法规不能替换"),
    (NO_PLACE.encode(), "np.txt", {"jurisdiction": "广东省", "effective_date": "明年"}, "日期“明年”无法识别"),
    (NO_PLACE.encode(), "np.txt", {"jurisdiction": "广东省", "title": "坏#名称"}, "含有不允许的字符"),
    (NO_PLACE.encode(), "np.txt", {"jurisdiction": "<b>GD</b>"}, "地区“<b>GD</b>”应为 2 到 20 个汉字"),
])
def test_a_rejected_file_leaves_index_and_folder_untouched(library, raw, filename, metadata, message):
    library.add(GUANGDONG, None, {}, FakeEncoder())
    before = snapshot(library)
    assert not library.preview(raw, filename, metadata).accepted
    with pytest.raises(Rejected, match=message):
        library.add(raw, filename, metadata, FakeEncoder())
    assert snapshot(library) == before


def test_a_numbering_gap_is_a_warning_in_the_preview_and_every_article_is_added(library):
    raw = "某省数据条例\n第一条　甲。\n第三条　丙。\n".encode()
    preview = library.preview(raw, "gap.txt", {"effective_date": "2024-01-01"})
    assert preview.accepted and [a.label for a in preview.articles] == ["第一条", "第三条"]
    assert "第三条：条文编号缺失：第一条之后是第三条，缺少第二条（第3行）；已按原编号收录各条" in preview.warnings
    change = library.add(raw, "gap.txt", {"effective_date": "2024-01-01"}, FakeEncoder())
    assert (change.action, change.articles) == ("added", 2)


def test_entered_facts_complete_a_file(library):
    preview = library.preview(NO_PLACE.encode(), "np.txt", {"jurisdiction": "广东省"})
    assert preview.accepted and preview.regulation.jurisdiction == "广东省"
    assert preview.regulation.effective_date == "2023-01-01"
    untitled = "第一条　公共数据应当依法开放。\n".encode()
    preview = library.preview(untitled, "数据开放.txt", {"jurisdiction": "广东省"})
    assert preview.warnings == ("文件中未找到法规名称，暂用文件名“数据开放”，请核对并填写。", "未找到施行日期，可在下方填写。")
    added = library.add(untitled, "数据开放.txt", {"title": "广东省数据开放规定", "jurisdiction": "广东省"},
                        FakeEncoder())
    assert added.title == "广东省数据开放规定"
    # the facts live in the user manifest, so a rebuild from the folder gives the same regulation
    build_from_folders(library.corpus_folders(), library.index_dir, FakeEncoder())
    assert [a.key for a in load(library.index_dir).articles if a.jurisdiction == "广东省"] == ["广东省数据开放规定#1"]


def test_adding_the_same_title_replaces_it(library):
    library.add(GUANGDONG, None, {}, FakeEncoder())
    changed = GUANGDONG.read_bytes().decode("gb18030").replace("千兆", "万兆").encode("gb18030")
    preview = library.preview(changed, "gd-2.txt")
    assert preview.replaces == "广东省数字经济促进条例"
    replaced = library.add(changed, "gd-2.txt", {}, FakeEncoder())
    assert (replaced.action, replaced.encoded, replaced.index_articles) == ("replaced", 1, 9)
    assert [r.original_name for r in library.regulations()] == ["gd-2.txt"]
    assert len([p for p in library.folder.iterdir() if p.suffix == ".txt"]) == 1
    assert "万兆" in load(library.index_dir).articles[6].text


class BrokenEncoder(FakeEncoder):
    def encode(self, texts, kind):
        raise RuntimeError("encoder failed")


def test_a_failed_rebuild_puts_the_folder_back(library):
    library.add(GUANGDONG, None, {}, FakeEncoder())
    before = snapshot(library)
    with pytest.raises(RuntimeError, match="encoder failed"):
        library.add(SHANDONG, None, {}, BrokenEncoder())
    assert snapshot(library) == before
    changed = GUANGDONG.read_bytes().decode("gb18030").replace("千兆", "万兆").encode("gb18030")
    with pytest.raises(RuntimeError, match="encoder failed"):
        library.add(changed, "gd-2.txt", {}, BrokenEncoder())  # a replacement: the old file comes back
    assert snapshot(library) == before
    library.remove("广东省数字经济促进条例", FakeEncoder())  # no vector to encode: removal still works
    with pytest.raises(Rejected, match="没有已加入的法规《天津市数据条例》（内置法规不能删除）"):
        library.remove("天津市数据条例", FakeEncoder())


def test_default_index_follows_the_user_folder(tmp_path, monkeypatch):
    """The app and CLIs use the default index: bundled + user folder, rebuilt when that list changes."""
    from core.paths import NATIONAL_PACK, default_index_dir
    from index import prepare_index
    from ingest import DEFAULT_CORPUS
    from library import default_corpus_folders

    def ensure_index(encoder):
        return prepare_index(default_index_dir(), default_corpus_folders(), encoder)

    monkeypatch.setenv("REGQA_HOME", str(tmp_path))
    encoder = FakeEncoder()
    assert default_corpus_folders() == [DEFAULT_CORPUS, NATIONAL_PACK]  # the five and the national pack
    assert len(ensure_index(encoder=encoder).regulations) == 17
    library = UserCorpus.default()
    assert (library.folder, library.index_dir) == (tmp_path / "user_regulations", default_index_dir())
    library.add(SHANDONG, None, {}, encoder)
    assert index_manifest(library).build["encoded"] == 19  # its 8 articles' passages
    assert default_corpus_folders() == [DEFAULT_CORPUS, NATIONAL_PACK, tmp_path / "user_regulations"]
    assert len(ensure_index(encoder=encoder).regulations) == 18
    # a file put into the user folder by hand changes the folder list: the default index is rebuilt
    library.remove("山东省公共数据开放办法", encoder)
    (library.folder / "by-hand.txt").write_bytes(GUANGDONG.read_bytes())
    data = ensure_index(encoder=encoder)
    assert [r.title for r in data.regulations][-1] == "广东省数字经济促进条例"
    assert data.manifest.build["encoded"] == 8  # its 6 articles' passages, nothing else


def test_cli_builds_and_answers_from_the_bundled_and_a_user_folder(tmp_path, monkeypatch, capsys):
    """python -m index build --corpus A --corpus B --out DIR; python -m retrieval ask … --index-dir DIR;
    python -m index add / list / remove."""
    import models
    from index.__main__ import main as index_main
    from retrieval.__main__ import main as retrieval_main

    monkeypatch.setattr(models, "load_encoder", lambda *args, **kwargs: FakeEncoder())
    monkeypatch.setattr(models, "prepare", lambda *args, **kwargs: pytest.fail("a test must not prepare models"))
    monkeypatch.setenv("REGQA_MODEL_DIR", str(tmp_path))  # a configured model: the CLIs prepare nothing
    monkeypatch.setenv("REGQA_HOME", str(tmp_path / "home"))
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "tj.txt").write_text(BUNDLED, encoding="utf-8")
    mine = tmp_path / "mine"
    shutil.copytree(SAMPLES, mine)  # no manifest: facts come from the files
    out = tmp_path / "index"
    assert index_main(["build", "--corpus", str(bundled), "--corpus", str(mine), "--out", str(out)]) == 0
    assert load(out).manifest.counts["regulations"] == 3
    capsys.readouterr()
    assert retrieval_main(["ask", "广东省新建住宅区要同步建设通信基础设施吗", "--index-dir", str(out), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["hits"][0]["regulation"], row["hits"][0]["label"]) == ("广东省数字经济促进条例", "第五条")

    assert index_main(["add", str(SHANDONG), "--index-dir", str(out)]) == 0
    # the default bundled folders (the five and the national pack) plus the user folder
    assert "已加入《山东省公共数据开放办法》（8 条）；索引现有 18 部法规、989 条" in capsys.readouterr().out
    assert index_main(["list"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == \
        "《山东省公共数据开放办法》 山东省  8 条  施行日期 2022-04-01  文件 shandong_public_data.md"
    assert index_main(["remove", "山东省公共数据开放办法", "--index-dir", str(out)]) == 0
    assert index_main(["remove", "山东省公共数据开放办法", "--index-dir", str(out)]) == 1
    assert "没有已加入的法规" in capsys.readouterr().err


def test_concurrent_changes_are_serialized(library, zhejiang_docx):
    """Two administrators adding at once: the folder lock orders the changes, both regulations are kept."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        changes = list(pool.map(lambda path: library.add(path, None, {}, FakeEncoder()), [SHANDONG, zhejiang_docx]))
    first, second = sorted(c.index_articles for c in changes)
    assert first in (3 + 8, 3 + 5) and second == 16  # either may go first; the second sees the first
    assert sorted(r.title for r in library.regulations()) == ["山东省公共数据开放办法", "浙江省公共数据条例"]
    assert check(library.index_dir).counts["articles"] == 16


def test_two_versions_of_one_law_are_both_added_and_the_later_is_in_force(library):
    """Files with one title and different dates are versions (ingest.versions), in the admin's folder too."""
    real = Path(__file__).resolve().parent / "data" / "real-law-samples"
    old, new = real / "民事诉讼法(2021-12-24).md", real / "民事诉讼法(2023-09-01).md"
    library.add(old, None, {}, FakeEncoder())
    preview = library.preview(new)
    assert preview.accepted and preview.replaces is None
    assert any("已加入过《中华人民共和国民事诉讼法》的其他版本（2021-12-24）" in w for w in preview.warnings)
    change = library.add(new, None, {}, FakeEncoder())
    assert change.action == "added" and change.index_articles == 3 + 291 + 306
    data = load(library.index_dir)
    assert sorted((r.version_date, r.status) for r in data.regulations if r.title == "中华人民共和国民事诉讼法") == \
        [("2021-12-24", "历史版本"), ("2023-09-01", "现行")]
    again = library.preview(new)  # the same version again replaces it
    assert again.replaces == "中华人民共和国民事诉讼法" and any("这一版本" in w for w in again.warnings)
