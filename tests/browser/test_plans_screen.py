"""The plans page as the office uses it, in chromium: the 2014 document uploaded, its draft
beside the text, published, and the new plan offered in the sidebar."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lib.auth.accounts import password_hash
from tests.browser.conftest import SCREENSHOTS, _seed_sample, running_app
from tests.browser.test_browser import WAIT_MS, wait_for_app
from tests.browser.test_quarter_walk import PASSWORD, logged_in

DOC_2014 = (
    Path(__file__).resolve().parents[1] / "data" / "documents"
    / "zhaoqing_2014_zhongdian_renwu_anpai.txt"
)  # fmt: skip


@pytest.fixture(scope="module")
def plans_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans")
    store_path = folder / "progress.sqlite3"
    _seed_sample(store_path)
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[accounts."督查室陈"]\npassword_hash = "{password_hash(PASSWORD)}"\nrole = "admin"\n',
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANS_DIR", str(folder / "plans"))
        with running_app(store_path, "--secrets.files", str(secrets)) as url:
            yield url, folder / "plans"


def test_the_office_drafts_reviews_and_publishes_the_2014_document(browser, plans_server):
    url, plans_dir = plans_server
    context, page = logged_in(browser, url, "督查室陈")
    try:
        page.set_viewport_size({"width": 1600, "height": 1000})
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_role("link", name="计划库", exact=True).click()
        page.wait_for_url(f"{url}/plans**", timeout=WAIT_MS)
        wait_for_app(page)
        upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        upload.set_input_files(str(DOC_2014))
        page.get_by_text("逐项审核：任务").wait_for(timeout=WAIT_MS)
        wait_for_app(page)
        # the six counts of the draft, once the rerun that drafted it has drawn them all
        page.wait_for_function(
            """() => {
                const values = [...document.querySelectorAll('[data-testid="stMetric"]')]
                    .map(m => m.innerText.replace(/\\s+/g, ' ').trim());
                return ['部分 10', '任务 39', '错误 0'].every(v => values.includes(v));
            }""",
            timeout=WAIT_MS,
        )
        assert page.get_by_text("编制政府职能部门权责清单").first.is_visible()  # the text beside
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "plans_review_zh.png"))
        page.get_by_role("button", name="发布为新计划").click()
        page.get_by_text("已发布为计划 plan-2014-9").wait_for(timeout=WAIT_MS)
        assert (plans_dir / "plan-2014-9.yaml").exists()
        # the link is drawn by the rerun that published; a click while that rerun is still
        # settling can be lost, so click until the URL names the new plan
        for _ in range(3):
            page.get_by_role("link", name="打开新计划").click()
            try:
                page.wait_for_url("**plan=plan-2014-9**", timeout=WAIT_MS // 3)
                break
            except PlaywrightTimeout:
                continue
        wait_for_app(page)
        assert "plan=plan-2014-9" in page.url
        page.locator('[data-testid="stSidebar"]').get_by_text("计划（文件）").wait_for(
            timeout=WAIT_MS
        )
        page.screenshot(path=str(SCREENSHOTS / "plans_published_overview_zh.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
