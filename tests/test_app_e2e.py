"""The real app, end to end: `python app.py` on a free loopback port with the real model and the
bundled corpus, driven by headless Chromium (Debian's, through playwright) and by gradio_client."""
from __future__ import annotations

from pathlib import Path

import pytest
from bench.app_process import launch_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 30_000
TIANJIN_28 = "《天津市信息化促进条例》第二十八条"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def app_url(real_model_dir: Path, real_ranking_dir: Path, real_reader_dir: Path, product_index_dir: Path, tmp_path_factory):
    """The app in a subprocess on the session's cache, in its shipped configuration: both models (converted
    and trained there) in its model process, the index built with them."""
    with launch_app(real_model_dir.parent.parent, tmp_path_factory.mktemp("app") / "app.log",
                    index_dir=product_index_dir) as app:
        yield app.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `bash scripts/setup.sh --dev`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, app_url):
    """A fresh page on the app, with every dialog (alert) recorded and dismissed."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    page.locator(".regqa-status.ready").wait_for(timeout=ANSWER_TIMEOUT_MS)
    yield page
    context.close()


def ask(page, question: str):
    """Type the question, press 提问, and wait until the answer to this question is shown."""
    from playwright.sync_api import expect

    page.locator("#regqa-question textarea").fill(question)
    page.locator("#regqa-ask").click()
    shown = page.locator("#regqa-answer .question")
    expect(shown).to_have_text(f"问题：{question}", timeout=ANSWER_TIMEOUT_MS)
    return page.locator("#regqa-answer")


def test_answer_cites_the_tianjin_fee_article(page):
    from playwright.sync_api import expect

    answer = ask(page, "天津市对政务信息收费有什么规定？")
    expect(answer).to_contain_text(TIANJIN_28)
    expect(answer).to_contain_text("国家机关提供政务公开信息和政务共享信息，不得违反国家规定收取费用。")
    assert answer.locator("mark").count() > 0
    details = answer.locator("details").first
    details.locator("summary").click()
    expect(details).to_contain_text("施行日期：2008-01-01")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)


def test_html_in_the_question_is_shown_as_text(page):
    answer = ask(page, XSS)
    page.wait_for_timeout(1000)  # time for an injected onerror handler to fire, if there were one
    assert page.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert answer.locator("img").count() == 0
    assert answer.locator(".question").inner_text() == f"问题：{XSS}"


def test_out_of_scope_question_is_not_answered(page):
    from playwright.sync_api import expect

    answer = ask(page, "网约车司机的社保怎么交？")
    expect(answer.locator(".lead")).to_contain_text("未找到")
    expect(answer).to_contain_text("《天津市信息化促进条例》")


def test_blank_question_gets_a_message(page):
    from playwright.sync_api import expect

    page.locator("#regqa-ask").click()
    expect(page.locator("#regqa-answer")).to_contain_text("请输入问题", timeout=ANSWER_TIMEOUT_MS)


def test_reading_and_about_tabs(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="阅读法规").click()
    expect(page.locator(".regqa-reader").first).to_contain_text("第一章")
    page.get_by_role("tab", name="关于语料").click()
    expect(page.get_by_text("已知的来源文本问题")).to_be_visible()
    expect(page.locator("body")).to_contain_text("第四十九条缺失年份")


def test_an_unusable_index_is_explained_in_chinese(real_model_dir, tmp_path, monkeypatch):
    from app import Service

    monkeypatch.setenv("REGQA_MODEL_DIR", str(real_model_dir))
    service = Service(tmp_path / "no-index")
    service.load()
    assert service.retriever is None and service.problem.startswith("索引不可用：索引不存在")
    answer_html, answer = service.ask("天津市对政务信息收费有什么规定？")
    assert "索引不存在" in answer_html and answer == {"error": service.problem}
    assert 'class="regqa-status failed"' in service.status_html()


def test_programs_can_call_ask(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    answer_html, answer = client.predict("天津市对政务信息收费有什么规定？", api_name="/ask")
    assert TIANJIN_28 in answer_html
    assert TIANJIN_28 in [c["citation"] for c in answer["citations"]]
    assert answer["abstained"] is False
    filtered_html, filtered = client.predict("对政务信息收费有什么规定？", ["北京市"], [], api_name="/ask")
    assert {c["jurisdiction"] for c in filtered["citations"]} <= {"北京市"}
    blank_html, blank = client.predict("   ", api_name="/ask")
    assert "请输入问题" in blank_html and blank["error"].startswith("请输入问题")
