"""Tables as a leader reads them: fitted heights, "—" for a missing value, the id and name
pinned, statuses marked for their colour, long text wrapped, the upload ledger on the office's
clock with 有效/已撤回."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from lib.core.labels import STATUS_COLORS
from lib.services.views.elements import (
    MAX_FITTED_ROWS,
    ROW_HEIGHT,
    STATUS_LABEL_COLORS,
    WRAPPED_ROW_HEIGHT,
    TableView,
    fitted_height,
    table_view,
)
from lib.services.views.risks import risk_controls, risks_view
from lib.services.views.sections import sections_view, task_detail_view
from lib.services.views.tasks import tasks_view
from lib.services.views.upload import upload_history_view, upload_view, withdraw_chosen_upload
from tests.support import analyst

MISSING_WORDS = {"None", "nan", "NaN", "NaT", "<NA>"}


def text_cells(view: TableView) -> list[str]:
    """Every cell of the frame as the text its value would print as."""
    return [str(v) for column in view.frame.columns for v in view.frame[column].astype(object)]


def assert_no_missing_words(view: TableView) -> None:
    """No cell of a text column says None/nan/<NA>; number columns may hold NaN (the grid
    draws them as "—"), never as text."""
    for column in view.frame.columns:
        values = view.frame[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            said = {str(v) for v in values.astype(object)}
            assert not said & MISSING_WORDS, (view.key, column, said & MISSING_WORDS)


def test_the_height_fits_the_rows_then_scrolls():
    # header + rows + borders; no empty grid rows below the last
    assert fitted_height(6) == 35 + 6 * 35 + 3
    assert fitted_height(0) == fitted_height(1)  # an empty table still shows one row
    assert fitted_height(MAX_FITTED_ROWS) == 35 + MAX_FITTED_ROWS * 35 + 3
    # past MAX_FITTED_ROWS the table keeps that height and scrolls
    assert fitted_height(MAX_FITTED_ROWS + 1) == fitted_height(MAX_FITTED_ROWS)
    assert fitted_height(5_000) == fitted_height(MAX_FITTED_ROWS)
    # rows tall enough to wrap fill the same most height
    assert fitted_height(3, WRAPPED_ROW_HEIGHT) == 35 + 3 * WRAPPED_ROW_HEIGHT + 3
    assert fitted_height(100, WRAPPED_ROW_HEIGHT) == fitted_height(MAX_FITTED_ROWS)
    # an explicit height is the most a table takes: six rows do not get 14 empty ones
    assert fitted_height(6, most=600) == 248
    assert fitted_height(100, most=600) == 600


def test_a_view_carries_its_fitted_height(plan, frames_at):
    status = frames_at("2014Q2").status
    chosen = risk_controls("zh").statuses.options
    view = risks_view(plan, status, chosen, as_of="2014Q2", lang="zh").table
    # the at-risk list asks for no height: its three rows take what they need
    assert view.height == "auto" and len(view.frame) == 3
    assert view.fitted_height == 35 + 3 * view.row_height + 3
    many = pd.DataFrame({"indicator_id": [f"T{i:03d}" for i in range(200)]})
    assert table_view(many, ["indicator_id"], "zh", key="many").fitted_height == (
        35 + MAX_FITTED_ROWS * ROW_HEIGHT + 3
    )


def test_a_missing_value_says_a_dash_and_numbers_stay_numbers():
    rows = pd.DataFrame(
        {
            "indicator_id": ["T01-1", "T01-2", "T01-3", "T01-4"],
            "name": ["A项目", None, "None", pd.NA],
            "lead_unit": [np.nan, "市发改局", "<NA>", "nan"],
            "note": pd.array(["好", None, "", pd.NA], dtype="string"),
            "value": [1.5, np.nan, 3.0, None],
            "upload_id": pd.array([1, None, 3, None], dtype="Int64"),
        }
    )
    keys = ["indicator_id", "name", "lead_unit", "note", "value", "upload_id"]
    view = table_view(rows, keys, "zh", key="missing")
    assert view.frame["指标名称"].tolist() == ["A项目", "—", "—", "—"]
    assert view.frame["牵头单位"].tolist() == ["—", "市发改局", "—", "—"]
    assert view.frame["进展情况"].tolist() == ["好", "—", "", "—"]  # "" is said as nothing
    assert_no_missing_words(view)
    # numbers keep their type (they sort and export as numbers; the grid shows NaN as —)
    assert view.frame["完成值"].dtype == float and view.frame["完成值"].isna().sum() == 2
    assert str(view.frame["上传批次"].dtype) == "Int64"
    assert rows["name"].isna().tolist() == [False, True, False, True]  # the caller's, as it was


def test_every_table_of_the_views_says_no_none(plan, frames_at):
    frames = frames_at("2014Q2")  # T03-1 has no report: no value, period, note or upload
    chosen = risk_controls("zh").statuses.options
    views: list[TableView] = []
    for lang in ("zh", "en"):
        risks = risks_view(plan, frames.status, chosen, as_of="2014Q2", lang=lang)
        sections = sections_view(
            plan, frames.status, frames.tasks, frames.sections, has_figures=True,
            requested_task="T03", as_of="2014Q2", lang=lang, sample_in_use=False,
        )  # fmt: skip
        detail = task_detail_view(plan, frames.status, frames.tasks, "T03", lang)
        views += [risks.table, detail.indicators, tasks_view(plan, frames.tasks, "", lang).table]
        views += [part.tasks for part in sections.section_parts]
    unreported = views[0].frame.set_index("指标编号").loc["T03-1"]
    assert unreported["状态"] == "未报送"
    assert "—" in set(unreported.astype(str))
    for view in views:
        assert_no_missing_words(view)


def test_id_and_name_are_pinned_statuses_coloured_reasons_wrapped(plan, frames_at):
    status = frames_at("2014Q2").status
    chosen = risk_controls("zh").statuses.options
    zh = risks_view(plan, status, chosen, as_of="2014Q2", lang="zh").table
    assert zh.pinned_columns == ("指标编号", "指标名称")
    assert zh.status_columns == ("状态",)
    assert "原因" in zh.wrapped_columns
    en = tasks_view(plan, frames_at("2014Q2").tasks, "", "en").table
    assert en.pinned_columns == ("Task", "Task title")
    assert en.status_columns == ("Status",)
    # every status label in both languages has its status's colour
    assert STATUS_LABEL_COLORS["落后"] == STATUS_LABEL_COLORS["Behind"] == STATUS_COLORS["behind"]
    assert len(STATUS_LABEL_COLORS) == 2 * len(STATUS_COLORS)


def test_rows_grow_to_wrap_long_text_only():
    short = pd.DataFrame({"indicator_id": ["T01-1"], "reason": ["进度正常"]})
    assert table_view(short, ["indicator_id", "reason"], "zh", key="s").row_height == ROW_HEIGHT
    long = short.assign(
        reason=["数据已超过两个报告期未更新，显示的是2014Q1的数值，请牵头单位尽快报送"]
    )
    view = table_view(long, ["indicator_id", "reason"], "zh", key="l")
    assert view.row_height == WRAPPED_ROW_HEIGHT
    assert view.wrapped_columns == (view.headings[1],)
    assert view.fitted_height == 35 + WRAPPED_ROW_HEIGHT + 3


def test_the_ledger_is_on_the_office_clock_with_its_states_in_words(store):
    # conftest's upload 1 was made at 2014-07-10 09:00 UTC: 17:00 in the offices (UTC+8)
    zh = upload_history_view(store.uploads(), analyst("wang"), "zh").ledger
    assert zh.frame.loc[0, ["上传时间", "批次状态"]].tolist() == ["2014-07-10 17:00", "有效"]
    assert_no_missing_words(zh)
    at = datetime(2014, 7, 10, 20, 30, tzinfo=UTC)  # the next morning in the offices
    withdraw_chosen_upload(store, 1, user=analyst("wang"), now=at, lang="zh")
    en = upload_history_view(store.uploads(), analyst("wang"), "en").ledger
    assert en.frame.loc[0, ["Uploaded at", "Upload status"]].tolist() == [
        "2014-07-10 17:00",
        "Withdrawn",
    ]
    text = " ".join(text_cells(en))
    assert "+00:00" not in text and "T09:00" not in text and "withdrawn" not in text


def test_the_file_chooser_is_explained_in_chinese(plan):
    zh = upload_view(plan, analyst("wang"), "local", "zh", max_upload_mb=10)
    assert zh.choose_file_hint == (
        "把文件拖到下方框内（Drag and drop a file here），或点击框内的“Upload”按钮选择文件；"
        "格式 XLSX、XLS、CSV，每个文件不超过 10 MB（Limit 10MB per file）。"
    )
    # English is what the chooser itself says: nothing to add
    assert upload_view(plan, analyst("wang"), "local", "en").choose_file_hint is None
