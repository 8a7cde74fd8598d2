"""One quarter end to end in a real browser, as the people of the cycle do it, each logged in
with their own account: the office downloads two units' forms, the two units fill and upload
them, the office sends a reminder to the units still owing, the statistics bureau confirms
one upload (the leaders' figure changes only then), the office issues a 督办单, the unit
replies on the page, and the at-risk page shows the reply."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lib.auth.accounts import password_hash
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.indicators import indicator_status
from lib.store.repository import ProgressStore
from tests.browser.conftest import ACTION_TIMEOUT_MS, SCREENSHOTS, _seed_sample, running_app
from tests.browser.test_browser import WAIT_MS, wait_for_app, wait_for_grid_markup

PASSWORD = "quarter-walk-pass"
ACCOUNTS = {  # name: (role, unit)
    "督查室陈": ("admin", ""),
    "统计局王": ("confirmer", "市统计局"),
    "住建李": ("analyst", "市住房城乡建设局"),
    "林业赵": ("analyst", "市林业局"),
}
PERIOD = "2014Q4"
HOUSING, FORESTRY = "市住房城乡建设局", "市林业局"
HOUSING_VALUES = {"T16-1": 83.5, "T16-2": 6, "T16-3": 46}
FORESTRY_VALUES = {"T26-1": 1500, "T26-2": 5000, "T26-3": 10, "T26-4": 1, "T26-5": 1, "T26-6": 80}
REPLY_REASON = "造林地块征用滞后"
REPLY_MEASURES = "倒排工期，每周调度"


@pytest.fixture(scope="module")
def cycle_server(tmp_path_factory):
    """The app on a store holding the sample (confirmed), with one local account per role."""
    folder = tmp_path_factory.mktemp("quarter")
    store_path = folder / "progress.sqlite3"
    _seed_sample(store_path)
    secrets = folder / "secrets.toml"
    lines = []
    for name, (role, unit) in ACCOUNTS.items():
        lines += [f'[accounts."{name}"]', f'password_hash = "{password_hash(PASSWORD)}"']
        lines += [f'role = "{role}"'] + ([f'unit = "{unit}"'] if unit else []) + [""]
    secrets.write_text("\n".join(lines), encoding="utf-8")
    with running_app(store_path, "--secrets.files", str(secrets)) as url:
        yield url, ProgressStore(store_path)


def logged_in(browser, url: str, name: str):
    """A browser context (its own session) with `name` logged in."""
    context = browser.new_context(viewport={"width": 1600, "height": 2200}, accept_downloads=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{url}/?period={PERIOD}")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    account = sidebar.get_by_label("账户名")
    # On a loaded machine the first click on the login expander can land while the app is
    # still rerunning and be lost; open it again until the field is there to type into.
    for _ in range(6):
        if not account.is_visible():
            sidebar.get_by_text("登录", exact=True).first.click()
        try:
            account.wait_for(state="visible", timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    account.fill(name)
    sidebar.get_by_label("密码").fill(PASSWORD)
    sidebar.get_by_role("button", name="登录").click()
    sidebar.get_by_text(name).first.wait_for(timeout=WAIT_MS)
    return context, page


NAV = {"upload": "数据上传", "supervision": "督办", "risks": "风险预警", "sections": "分项进展"}


def open_page(page, url: str, path: str) -> None:
    """Go to a page through the sidebar, as a user does: a reload would start a new
    session (a local login lives in the session) and the links carry the period."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name=NAV[path], exact=True).click()
    page.wait_for_url(f"{url}/{path}**", timeout=WAIT_MS)
    wait_for_app(page)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox or multiselect labelled `label`."""
    widget = page.locator(
        '[data-testid="stSelectbox"], [data-testid="stMultiSelect"]', has_text=label
    ).first
    widget.click()
    page.keyboard.type(option)  # the list is long and drawn lazily: filter it first
    page.get_by_role("option", name=option, exact=True).first.click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def download(page, button: str, folder: Path) -> Path:
    """Click a download button and save the file. A click that lands while the page is
    still redrawing after the previous widget change is lost, so it is made again (a lost
    click downloads nothing; it never downloads the wrong file)."""
    wait_for_app(page)
    for attempt in range(3):
        try:
            # the file is made on click: on a loaded machine that alone can take a minute
            with page.expect_download(timeout=WAIT_MS) as info:
                page.get_by_role("button", name=button).first.click()
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            wait_for_app(page)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def filled(form: Path, values: dict[str, float]) -> Path:
    """The unit's form with this quarter's figures typed into its 完成值 column."""
    book = openpyxl.load_workbook(form)
    sheet = book.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    value_column = headings.index("完成值") + 1
    seen = []
    for row in range(2, sheet.max_row + 1):
        indicator = sheet.cell(row, 1).value
        if indicator in values:
            sheet.cell(row, value_column).value = values[indicator]
            seen.append(indicator)
    assert sorted(seen) == sorted(values), (seen, values)
    book.save(form)
    return form


def upload_form(page, url: str, form: Path) -> None:
    open_page(page, url, "upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(form))
    page.get_by_text("校验通过，可以导入。").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入，批次号").first.wait_for(timeout=WAIT_MS)


def leaders_value(store: ProgressStore, indicator: str) -> float:
    plan = load_plan(DEFAULT_PLAN_FILE)
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    return float(
        indicator_status(plan, figures, PERIOD).set_index("indicator_id").at[indicator, "value"]
    )


def test_one_quarter_from_forms_to_a_reply_on_the_at_risk_page(cycle_server, browser, tmp_path):
    url, store = cycle_server
    SCREENSHOTS.mkdir(exist_ok=True)
    office_context, office = logged_in(browser, url, "督查室陈")

    # forms out: the office downloads the two units' own forms for the quarter
    open_page(office, url, "upload")
    forms = {}
    for unit in (HOUSING, FORESTRY):
        choose(office, "下载哪个单位的填报表", unit)
        forms[unit] = download(office, "下载本单位填报表", tmp_path)
    assert HOUSING in forms[HOUSING].name and FORESTRY in forms[FORESTRY].name

    # two units upload their filled forms, each logged in as itself
    for name, unit, values in (
        ("住建李", HOUSING, HOUSING_VALUES),
        ("林业赵", FORESTRY, FORESTRY_VALUES),
    ):
        context, page = logged_in(browser, url, name)
        upload_form(page, url, filled(forms[unit], values))
        context.close()
    uploads = store.uploads()
    by_unit = {HOUSING: int(uploads.iloc[1]["id"]), FORESTRY: int(uploads.iloc[0]["id"])}
    assert list(uploads["uploaded_by"][:2]) == ["林业赵", "住建李"]
    before = leaders_value(store, "T16-1")
    assert before != HOUSING_VALUES["T16-1"]  # not counted before 核准

    # the office reminds the units still owing the quarter's figures (all late by now)
    open_page(office, url, "supervision")
    office.get_by_role("button", name="生成催报通知并记录").click()
    office.get_by_role("button", name="全部下载（zip）").first.wait_for(timeout=WAIT_MS)
    reminded = set(store.trail(("reminded",))["unit"])
    assert "市环境保护局" in reminded and HOUSING not in reminded and FORESTRY not in reminded
    office.screenshot(path=str(SCREENSHOTS / "supervision_reminders_zh.png"))

    # the statistics bureau confirms the housing bureau's upload
    bureau_context, bureau = logged_in(browser, url, "统计局王")
    open_page(bureau, url, "supervision")
    bureau.get_by_role("tab", name="核准").click()
    choose(
        bureau,
        "选择批次",
        next(o for o in _upload_options(bureau) if f"第 {by_unit[HOUSING]} 批" in o),
    )
    bureau.get_by_role("button", name="核准整批").click()
    bureau.get_by_text(f"第 {by_unit[HOUSING]} 批需核准的数据已核准").wait_for(timeout=WAIT_MS)
    decisions = store.trail(("confirmed",))
    assert by_unit[HOUSING] in set(decisions["upload_id"].dropna().astype(int))
    assert by_unit[FORESTRY] not in set(decisions["upload_id"].dropna().astype(int))
    assert leaders_value(store, "T16-1") == HOUSING_VALUES["T16-1"]
    bureau.screenshot(path=str(SCREENSHOTS / "supervision_confirm_zh.png"))
    bureau_context.close()

    # the office issues a 督办单 to the forestry bureau, whose figures are still unconfirmed
    open_page(office, url, "supervision")
    office.get_by_role("tab", name="督办单").click()
    choose(office, "签发对象（牵头单位）", FORESTRY)
    office.get_by_role("button", name="签发督办单").click()
    office.get_by_text("已签发 1 份督办单并记入留痕").wait_for(timeout=WAIT_MS)
    notice_file = download(office, f"下载 督办单_{FORESTRY}_{PERIOD}.docx", tmp_path)
    table = docx.Document(notice_file).tables[0]
    listed = [row.cells[0].text for row in table.rows[1:]]
    [notice] = store.trail(("issued",)).itertuples(index=False)
    assert notice.unit == FORESTRY and notice.details["indicators"] == listed
    assert set(listed) <= set(FORESTRY_VALUES)  # its own lagging indicators only
    office.screenshot(path=str(SCREENSHOTS / "supervision_notice_zh.png"))

    # the forestry bureau's analyst answers on the page
    forestry_context, forestry = logged_in(browser, url, "林业赵")
    open_page(forestry, url, "supervision")
    forestry.get_by_role("tab", name="回复").click()
    forestry.get_by_label("原因分析").fill(REPLY_REASON)
    forestry.get_by_label("整改措施").fill(REPLY_MEASURES)
    forestry.get_by_role("button", name="提交回复").click()
    forestry.get_by_text("已保存 1 条回复").wait_for(timeout=WAIT_MS)
    [reply] = store.trail(("replied",)).itertuples(index=False)
    assert (reply.unit, reply.actor, reply.notice_id) == (FORESTRY, "林业赵", notice.id)
    assert reply.indicator_id == notice.details["indicators"][0]
    forestry_context.close()

    # the at-risk page shows the reply beside the indicator
    open_page(office, url, "risks")
    office.set_viewport_size({"width": 2400, "height": 2000})  # every column drawn
    office.get_by_text("督办回复详情").click()
    wait_for_grid_markup(office, REPLY_REASON)  # the wait is the assertion
    office.screenshot(path=str(SCREENSHOTS / "risks_with_reply_zh.png"))
    steps = list(store.trail()["kind"])
    assert steps[0] == "confirmed"  # the sample, on seeding
    assert [s for s in steps[1:] if s != "reminded"] == ["confirmed", "issued", "replied"]
    office_context.close()


def _upload_options(page) -> list[str]:
    page.locator('[data-testid="stSelectbox"]', has_text="选择批次").first.click()
    options = [o.inner_text() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return options


def test_the_seeded_sample_is_confirmed_and_still_sample(cycle_server):
    _, store = cycle_server
    first = store.trail().iloc[0]
    assert first["kind"] == "confirmed" and "示例数据" in first["actor"]
    assert store.has_sample_data()
