"""The upload page's view model: templates, the checked file, import, ledger and withdrawal."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pandas as pd

from lib.services.views.upload import (
    checked_upload_view,
    conflicts_view,
    import_checked_upload,
    unit_form_download,
    unit_forms_download,
    upload_history_view,
    upload_view,
    withdraw_chosen_upload,
)
from lib.status.headline import headline_figures
from tests.support import admin, analyst, progress_csv, viewer

NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)
BESIDE = "另存（不替换他单位数据）"  # the preview's word for a figure kept beside another unit's


def test_top_of_the_page_by_role(plan):
    local = upload_view(plan, analyst("本地分析员"), "none", "zh")
    assert local.may_upload and local.analyst_needed is None
    assert local.single_user_note.startswith("未配置账户")
    assert [t.file_name for t in local.templates] == ["进度填报模板.xlsx", "进度填报模板.csv"]
    assert all(callable(t.data) for t in local.templates)
    assert local.templates[1].data().decode("utf-8-sig").startswith("指标编号")
    guest = upload_view(plan, viewer("li"), "local", "en")
    assert not guest.may_upload and guest.single_user_note is None
    assert guest.analyst_needed.startswith("Uploading and withdrawing need the analyst role")
    assert not upload_view(plan, None, "local", "en").may_upload
    assert local.file_types == ("xlsx", "xls", "csv")


def test_the_units_one_may_choose_at_upload(county_plan):
    view = upload_view(county_plan, analyst("wang"), "local", "zh")
    assert view.unit_label == "填报单位（文件未注明时）"
    # none first, then every registered unit in registry order; a group reports nothing
    assert view.units.options == ("", "市水务局", "市环保局", "鼎湖区政府", "怀集县政府")
    assert view.units.default == ""
    assert view.units.label_of("") == "未选择：按各指标牵头单位的全市数据"
    assert view.units.label_of("鼎湖区政府") == "鼎湖区政府"
    english = upload_view(county_plan, analyst("wang"), "local", "en")
    assert english.units.label_of("") == "none: each indicator's whole-area figure"


def test_a_good_file_is_previewed_then_imported(plan, store, upload_file):
    content = upload_file([("T01-1", "2014Q3", 70), ("T03-1", "2014Q3", 4)])
    figures = store.current_values()
    checked = checked_upload_view(plan, figures, content, "q3.csv", "zh")
    assert checked.unreadable == () and checked.verdict_ok and checked.sheets is None
    assert checked.verdict == "校验通过，可以导入。"
    # a file naming no unit is taken as the whole-area figures, and the report says so
    problems = checked.problems.frame
    assert problems[["行号", "列", "规则", "级别"]].values.tolist() == [
        [1, "填报单位", "reporter_not_recorded", "说明"]
    ]
    assert problems.loc[0, "说明"].startswith("文件未注明填报单位")
    assert checked.preview.key == "preview"
    preview = checked.preview.frame
    assert list(preview.columns) == [
        "指标编号", "报告期", "填报单位", "数据性质", "原值", "原值填报单位", "新值", "变化",
    ]  # fmt: skip
    assert preview[["指标编号", "填报单位", "数据性质", "新值", "变化"]].values.tolist() == [
        ["T01-1", "未注明（按牵头单位）", "全市数据", 70.0, "新增"],
        ["T03-1", "未注明（按牵头单位）", "全市数据", 4.0, "新增"],
    ]
    assert preview["原值"].isna().all() and (preview["原值填报单位"] == "").all()
    outcome = import_checked_upload(
        store, checked, content=content, file_name="q3.csv", user=analyst("wang"), now=NOW,
        lang="zh",
    )  # fmt: skip
    assert (outcome.message, outcome.problems) == ("已导入，批次号 2。", ())
    assert store.uploads()["id"].tolist() == [2, 1]


def test_a_viewer_cannot_import_and_is_told_why(plan, store, upload_file):
    content = upload_file([("T01-1", "2014Q3", 70)])
    checked = checked_upload_view(plan, store.current_values(), content, "q3.csv", "en")
    outcome = import_checked_upload(
        store, checked, content=content, file_name="q3.csv", user=viewer("li"), now=NOW,
        lang="en",
    )  # fmt: skip
    assert outcome.message is None and len(outcome.problems) == 1
    assert store.uploads()["id"].tolist() == [1]


def test_a_bad_file_lists_its_problems_with_the_report_as_files(plan, store, upload_file):
    content = upload_file([("T99-1", "2014Q3", 5), ("T01-1", "2014Q3", "很多")])
    checked = checked_upload_view(plan, store.current_values(), content, "bad.csv", "zh")
    assert not checked.verdict_ok and checked.preview is None
    assert checked.verdict.startswith("发现 2 个错误")
    assert checked.problems.key == "problems"
    assert checked.problems.headings[:2] == ["行号", "列"]
    assert checked.problems.frame["行号"].tolist() == [1, 2, 3]
    assert checked.problems.frame["级别"].tolist() == ["说明", "错误", "错误"]
    csv, xlsx = checked.report_downloads
    assert (csv.file_name, xlsx.file_name) == ("校验报告.csv", "校验报告.xlsx")
    assert csv.data.decode("utf-8-sig").startswith("row,column")


def test_an_unreadable_file_gets_its_messages(plan, store, upload_file):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    checked = checked_upload_view(plan, store.current_values(), png, "fake.csv", "zh")
    assert checked.report is None and checked.unreadable
    assert checked.preview is None and checked.problems is None


def test_ledger_and_withdrawal_by_role(store):
    ledger = store.uploads()
    mine = upload_history_view(ledger, analyst("wang"), "zh")
    assert mine.note is None and mine.withdrawable == (1,)
    assert mine.ledger.key == "uploads"
    assert mine.ledger.headings == ["批次号", "文件名", "上传人", "上传时间", "行数", "批次状态"]
    first = mine.ledger.frame.loc[0, ["批次号", "上传人", "批次状态"]]
    assert first.tolist() == [1, "wang", "有效"]
    assert upload_history_view(ledger, analyst("li"), "zh").withdrawable == ()
    assert upload_history_view(ledger, admin("组长"), "zh").withdrawable == (1,)

    refused = withdraw_chosen_upload(store, 1, user=analyst("li"), now=NOW, lang="zh")
    assert refused.message is None and refused.problems
    done = withdraw_chosen_upload(store, 1, user=analyst("wang"), now=NOW, lang="en")
    assert done.message == "Upload #1 withdrawn; earlier values restored." and not done.problems
    assert upload_history_view(store.uploads(), analyst("wang"), "en").withdrawable == ()

    empty = upload_history_view(pd.DataFrame(columns=ledger.columns), None, "en")
    assert empty.ledger is None and empty.note == "No uploads yet."


def test_a_unit_chosen_at_upload_makes_every_row_its_figure(county_plan, county_store):
    store, _ = county_store
    content = progress_csv([("T01-1", "2014Q3", 3), ("T01-2", "2014Q3", 76.5)], reporter="")
    checked = checked_upload_view(
        county_plan, store.current_values(), content, "dh.csv", "en", unit="鼎湖区"
    )
    assert checked.verdict_ok
    assert checked.report.rows["reporter"].tolist() == ["鼎湖区政府", "鼎湖区政府"]
    preview = checked.preview.frame
    assert preview[["Reporter", "Figure for", "Change"]].values.tolist() == [
        ["鼎湖区政府", "breakdown (own area)", "new"],
        ["鼎湖区政府", "breakdown (own area)", "new"],
    ]
    problems = checked.problems.frame
    assert problems[["Rule", "Severity", "Value"]].values.tolist() == [
        ["breakdown_figures", "notice", "鼎湖区政府"]
    ]
    # a 填报单位 written in the file wins over the unit chosen
    named = progress_csv([("T01-1", "2014Q3", 5)], reporter="怀集县")
    checked = checked_upload_view(
        county_plan, store.current_values(), named, "hj.csv", "zh", unit="鼎湖区政府"
    )
    assert checked.report.rows["reporter"].tolist() == ["怀集县政府"]
    unknown = checked_upload_view(
        county_plan, store.current_values(), content, "dh.csv", "zh", unit="清远市"
    )
    assert unknown.report is None and unknown.preview is None
    assert unknown.unreadable[0].startswith("上传时选择的填报单位“清远市”不在单位名录中")


def test_a_countys_file_is_previewed_as_a_breakdown_beside_the_city_figure(
    county_plan, county_store
):
    store, send = county_store
    send(
        [("T01-1", "2014Q3", 31), ("T01-2", "2014Q3", 81.2)],
        "市水务局",
        datetime(2014, 10, 9, tzinfo=UTC),
    )
    content = progress_csv([("T01-1", "2014Q3", 3), ("T01-2", "2014Q3", 76.5)], reporter="鼎湖区")
    checked = checked_upload_view(county_plan, store.current_values(), content, "dh.csv", "zh")
    assert checked.verdict_ok
    preview = checked.preview.frame
    assert preview.drop(columns="报告期").values.tolist() == [
        ["T01-1", "鼎湖区政府", "分项（本地区）", 31.0, "市水务局", 3.0, BESIDE],
        ["T01-2", "鼎湖区政府", "分项（本地区）", 81.2, "市水务局", 76.5, BESIDE],
    ]
    assert checked.problems.frame["规则"].tolist() == ["breakdown_figures"]
    # the county's corrected figure replaces only its own
    send([("T01-1", "2014Q3", 3)], "鼎湖区", datetime(2014, 10, 10, tzinfo=UTC))
    again = progress_csv([("T01-1", "2014Q3", 4)], reporter="鼎湖区政府")
    checked = checked_upload_view(county_plan, store.current_values(), again, "dh2.csv", "en")
    assert checked.preview.frame[
        ["Stored value", "Stored value from", "Change"]
    ].values.tolist() == [[3.0, "鼎湖区政府", "corrects the unit's figure"]]


def test_conflicting_whole_area_figures_are_listed_for_the_analyst(county_plan, county_store):
    store, send = county_store
    at = datetime(2014, 10, 9, tzinfo=UTC)
    send([("T01-2", "2014Q3", 81.2)], "市水务局", at)
    empty = conflicts_view(
        county_plan, headline_figures(county_plan, store.current_values()).conflicts, "zh"
    )
    assert empty.table is None and empty.heading == "数据冲突"
    send([("T01-2", "2014Q3", 80.0), ("T01-1", "2014Q3", 31)], "市环保局", at)
    send([("T01-2", "2014Q3", 70.0)], "鼎湖区", at)  # a breakdown never conflicts
    figures = store.current_values()
    view = conflicts_view(county_plan, headline_figures(county_plan, figures).conflicts, "zh")
    assert view.intro.startswith("同一指标、同一报告期有两个市级单位报送了不同的全市数据")
    assert view.table.key == "conflicts"
    assert view.table.headings == [
        "指标编号", "指标名称", "报告期", "全市数据填报单位", "全市数据", "填报单位", "完成值",
        "差额",
    ]  # fmt: skip
    rows = view.table.frame.values.tolist()
    assert rows == [
        ["T01-2", "污水处理率", "2014Q3", "市水务局", 81.2, "市环保局", 80.0, rows[0][7]]
    ]
    assert round(rows[0][7], 6) == -1.2
    english = conflicts_view(county_plan, headline_figures(county_plan, figures).conflicts, "en")
    assert english.heading == "Conflicting whole-area figures"


def workbook_with_sheets(sheets: dict[str, list[tuple[str, str, object]]]) -> bytes:
    """An .xlsx with a 填表说明 sheet first, then one progress sheet per entry."""
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按模板填写，每季度报送一次。"])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(["指标编号", "报告期", "完成值", "进展情况", "填报单位"])
        for indicator, period, value in rows:
            sheet.append([indicator, period, value, "", "市水务局"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_is_chosen_when_several_sheets_hold_data(county_plan, county_store):
    store, _ = county_store
    content = workbook_with_sheets(
        {"一季度": [("T01-1", "2014Q1", 10)], "二季度": [("T01-1", "2014Q2", 20)]}
    )
    first = checked_upload_view(county_plan, store.current_values(), content, "q.xlsx", "zh")
    assert first.sheet_label == "数据工作表"
    assert first.sheets.options == ("一季度", "二季度") and first.sheets.default == "一季度"
    assert first.report.rows["value"].tolist() == [10.0]
    second = checked_upload_view(
        county_plan, store.current_values(), content, "q.xlsx", "zh", sheet="二季度"
    )
    assert second.sheets.default == "二季度"
    assert second.report.rows[["period", "value"]].values.tolist() == [["2014Q2", 20.0]]
    single = workbook_with_sheets({"进度": [("T01-1", "2014Q1", 10)]})
    alone = checked_upload_view(county_plan, store.current_values(), single, "q.xlsx", "zh")
    assert alone.sheets is None and alone.verdict_ok


def test_unit_forms_are_offered_beside_the_templates(county_plan, county_store):
    store, send = county_store
    send([("T01-1", "2014Q2", 20)], "市水务局", NOW)
    stored = store.current_values()
    view = upload_view(county_plan, viewer("li"), "local", "zh", stored)
    # every unit that reports something, and the quarter after the latest figure
    assert view.form_units.options == ("市水务局", "鼎湖区政府", "怀集县政府")
    assert view.form_periods.options[0] == "" and view.form_periods.default == "2014Q3"
    assert view.form_periods.label_of("") == "（不预填）"
    assert upload_view(county_plan, None, "local", "en").form_periods.default == "2014Q1"
    form = unit_form_download(county_plan, "市水务局", "2014Q3", stored, "en")
    assert (form.label, form.file_name) == ("Download this unit's form", "市水务局_2014Q3.xlsx")
    assert callable(form.data)  # written on click
    sheet = openpyxl.load_workbook(io.BytesIO(form.data()))["进度填报"]
    headings = [c.value for c in sheet[1]]
    assert sheet.cell(2, headings.index("上期完成值") + 1).value == 20
    assert sheet.cell(2, headings.index("填报单位") + 1).value == "市水务局"
    every = unit_forms_download(county_plan, "2014Q3", stored, "zh")
    assert (every.label, every.file_name) == ("全部单位（zip）", "各单位填报表_2014Q3.zip")
    assert len(zipfile.ZipFile(io.BytesIO(every.data())).namelist()) == 3
    unnamed = unit_form_download(county_plan, "鼎湖区政府", "", stored, "zh")
    assert unnamed.file_name == "鼎湖区政府.xlsx"
