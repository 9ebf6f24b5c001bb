"""The 管理 tab end to end: `python app.py` with $REGQA_ADMIN_PASSWORD and a temporary $REGQA_HOME, driven by
headless Chromium: upload a Word regulation, confirm, ask about it, see its citation, remove it again."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.app_process import launch_app
from test_app_e2e import ANSWER_TIMEOUT_MS, ARTIFACTS, ask, browser  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "管理-e2e-密码"
CHANGE_TIMEOUT_MS = 120_000  # an add or removal rebuilds the index (only new articles are encoded)
ZHEJIANG_4 = "《浙江省公共数据条例》第四条"


@pytest.fixture(scope="module")
def admin_url(real_model_dir: Path, real_index_dir: Path, tmp_path_factory):
    """The app with the admin password, in a fresh REGQA_HOME holding a copy of the session's bundled index."""
    home = tmp_path_factory.mktemp("admin-home")
    shutil.copytree(real_index_dir, home / "index" / "default")
    extra_env = {"REGQA_MODEL_DIR": str(real_model_dir), "REGQA_ADMIN_PASSWORD": PASSWORD}
    with launch_app(home, home / "app.log", extra_env=extra_env) as app:
        yield app.url, home


@pytest.fixture()
def admin_page(browser, admin_url):  # noqa: F811 (the browser fixture is imported above)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.goto(admin_url[0])
    page.locator(".regqa-status.ready").wait_for(timeout=ANSWER_TIMEOUT_MS)
    yield page
    context.close()


def test_upload_confirm_ask_and_remove(admin_page, admin_url, zhejiang_docx):
    from playwright.sync_api import expect

    page, home = admin_page, admin_url[1]
    preview = page.locator("#regqa-admin-preview")
    password = page.locator("#regqa-admin-password input")
    page.get_by_role("tab", name="管理").click()
    expect(page.locator("#regqa-admin-list")).to_contain_text("尚未加入任何法规")

    # 1. a wrong password: the upload is not even previewed
    password.fill("wrong")
    page.locator("#regqa-admin-file input[type=file]").set_input_files(str(zhejiang_docx))
    expect(preview).to_contain_text("管理密码不正确", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#regqa-admin-confirm")).to_be_disabled()

    # 2. the right password: preview, the jurisdiction entered in the form, confirm
    password.fill(PASSWORD)
    page.locator("#regqa-admin-jurisdiction textarea, #regqa-admin-jurisdiction input").first.fill("浙江省")
    page.locator("#regqa-admin-recheck").click()
    expect(preview).to_contain_text("《浙江省公共数据条例》", timeout=ANSWER_TIMEOUT_MS)
    expect(preview).to_contain_text("5 条（第一条—第五条）")
    expect(preview).to_contain_text("第一章\u3000总则、第二章\u3000公共数据平台、第三章\u3000附则")
    page.locator("#regqa-admin-confirm").click()
    expect(preview).to_contain_text("已加入《浙江省公共数据条例》（5 条）", timeout=CHANGE_TIMEOUT_MS)
    expect(preview).to_contain_text("本次新编码 7 段向量")  # 5 articles: 5 whole, 2 sentences
    expect(page.locator("#regqa-admin-list")).to_contain_text("浙江省公共数据条例.docx")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)
    assert [p.suffix for p in (home / "user_regulations").iterdir()].count(".docx") == 1

    # 3. readers can ask about it at once, and see its citation
    page.get_by_role("tab", name="提问").click()
    answer = ask(page, "浙江省的首席数据官由谁设立？")
    expect(answer).to_contain_text(ZHEJIANG_4)
    expect(answer).to_contain_text("县级以上人民政府应当设立首席数据官，统筹协调本地区公共数据工作。")

    # 4. removal: refused with a wrong password, then done
    page.get_by_role("tab", name="管理").click()
    page.locator("#regqa-admin-removal input").click()
    page.get_by_role("option", name="浙江省公共数据条例").click()
    password.fill("wrong")
    page.locator("#regqa-admin-remove").click()
    expect(preview).to_contain_text("管理密码不正确", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#regqa-admin-list")).to_contain_text("浙江省公共数据条例.docx")
    password.fill(PASSWORD)
    page.locator("#regqa-admin-remove").click()
    expect(preview).to_contain_text("已删除《浙江省公共数据条例》（5 条）", timeout=CHANGE_TIMEOUT_MS)
    expect(page.locator("#regqa-admin-list")).to_contain_text("尚未加入任何法规")
    page.get_by_role("tab", name="提问").click()
    answer = ask(page, "浙江省的首席数据官由谁设立？")
    expect(answer).not_to_contain_text("浙江省公共数据条例")
