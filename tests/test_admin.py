"""The 管理 tab's gate and handlers, on a service holding a fake-encoder index (no browser)."""
from pathlib import Path

import pytest

import app_admin
from app import Service, build_ui
from app_admin import Admin, admin_from_env
from index import build_from_folders, load
from models.protocol import FakeEncoder
from library.user_corpus import UserCorpus
from retrieval.retriever import Retriever

PASSWORD = "正确的密码-42"
SHANDONG = Path(__file__).resolve().parent / "data" / "user_regulations" / "shandong_public_data.md"
BUNDLED = "天津市数据条例\n第一条　为了促进数据发展，制定本条例。\n第二条　国家机关提供政务公开信息，不得收取费用。\n"


@pytest.fixture()
def admin(tmp_path, monkeypatch) -> Admin:
    monkeypatch.setattr(app_admin, "WRONG_PASSWORD_DELAY_S", 0)
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "tj.txt").write_text(BUNDLED, encoding="utf-8")
    library = UserCorpus(tmp_path / "user", tmp_path / "index", bundled=(bundled,))
    build_from_folders(library.corpus_folders(), library.index_dir, FakeEncoder())
    service = Service(library.index_dir)
    service.retriever = Retriever(load(library.index_dir), FakeEncoder())
    service.ready.set()
    return Admin(service, PASSWORD, library)


def tab_labels(demo) -> list[str]:
    import gradio as gr

    return [block.label for block in demo.blocks.values() if isinstance(block, gr.Tab)]


def test_the_admin_tab_exists_only_with_the_password_variable(monkeypatch, admin):
    monkeypatch.delenv("REGQA_ADMIN_PASSWORD", raising=False)
    assert admin_from_env(admin.service) is None
    monkeypatch.setenv("REGQA_ADMIN_PASSWORD", "")
    assert admin_from_env(admin.service) is None
    reader_page = build_ui(admin.service)
    assert tab_labels(reader_page) == ["提问", "阅读法规", "关于语料"]
    assert not any(isinstance(getattr(fn.fn, "__self__", None), Admin) for fn in reader_page.fns.values())
    monkeypatch.setenv("REGQA_ADMIN_PASSWORD", PASSWORD)
    from_env = admin_from_env(admin.service)
    assert from_env is not None and from_env.authorized(PASSWORD)
    admin_page = build_ui(admin.service, admin)
    assert tab_labels(admin_page) == ["提问", "阅读法规", "关于语料", "管理"]
    admin_endpoints = [fn for fn in admin_page.fns.values() if isinstance(getattr(fn.fn, "__self__", None), Admin)]
    assert {fn.name for fn in admin_endpoints} == {"preview", "confirm", "remove", "listing"}
    assert all(fn.api_visibility == "private" for fn in admin_endpoints)
    with pytest.raises(ValueError):
        Admin(admin.service, "", admin.library)


@pytest.mark.parametrize("given", ["", None, "正确的密码-4", "正确的密码-42 ", PASSWORD.upper() + "x"])
def test_a_wrong_password_changes_nothing(admin, given):
    preview_html, *facts, confirm = admin.preview(given, str(SHANDONG), fill=True)
    assert "管理密码不正确" in preview_html and confirm["interactive"] is False
    assert "管理密码不正确" in admin.confirm(given, str(SHANDONG), "", "", "")[0]
    assert admin.library.regulations() == []
    admin.confirm(PASSWORD, str(SHANDONG), "", "", "")
    assert "管理密码不正确" in admin.remove(given, "山东省公共数据开放办法")[0]
    assert [r.title for r in admin.library.regulations()] == ["山东省公共数据开放办法"]


def test_preview_confirm_ask_remove(admin):
    service = admin.service
    preview_html, title, jurisdiction, effective, confirm = admin.preview(PASSWORD, str(SHANDONG), fill=True)
    assert (title, jurisdiction, effective) == ("山东省公共数据开放办法", "山东省", "2022-04-01")
    assert confirm["interactive"] is True
    assert "《山东省公共数据开放办法》" in preview_html and "8 条（第一条—第八条）" in preview_html
    assert "第一章\u3000总则、第二章\u3000开放平台" in preview_html
    # facts entered in the form are checked again
    rechecked = admin.preview(PASSWORD, str(SHANDONG), title, "", "四月")
    assert "日期“四月”无法识别" in rechecked[0] and rechecked[-1]["interactive"] is False

    message, listing, choices, confirm, upload = admin.confirm(PASSWORD, str(SHANDONG), title, jurisdiction, effective)
    assert "已加入《山东省公共数据开放办法》（8 条），现在即可提问和引用" in message
    assert "本次新编码 19 段向量" in message  # 8 articles: 8 whole, 11 sentences
    assert "<td>《山东省公共数据开放办法》</td><td>山东省</td><td>8</td>" in listing
    assert choices["choices"] == ["山东省公共数据开放办法"] and upload is None
    answer_html, answer = service.ask("谁负责建设山东全省统一的公共数据开放平台？")
    assert answer["citations"][0]["citation"] == "《山东省公共数据开放办法》第四条"

    message, listing, choices = admin.remove(PASSWORD, "山东省公共数据开放办法")
    assert "已删除《山东省公共数据开放办法》（8 条）。索引现有 1 部法规、2 条。" in message
    assert "尚未加入任何法规" in listing and choices["choices"] == []
    assert [r.title for r in service.retriever.data.regulations] == ["天津市数据条例"]


def test_a_rejected_upload_is_explained(admin, tmp_path):
    fake = tmp_path / "条例.docx"
    fake.write_bytes(b"this is not a word file")
    preview_html, *_, confirm = admin.preview(PASSWORD, str(fake), fill=True)
    assert "不是有效的 Word（.docx）文件" in preview_html and "此文件不能加入" in preview_html
    assert confirm["interactive"] is False
    message, *_ = admin.confirm(PASSWORD, str(fake), "", "", "")
    assert "不是有效的 Word（.docx）文件" in message
    pdf = tmp_path / "条例.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    assert "只接受 .txt、.md、.docx 文件" in admin.preview(PASSWORD, str(pdf), fill=True)[0]
    assert admin.library.regulations() == []
