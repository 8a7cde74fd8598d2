"""AppTest of the upload page: a good GB18030 file imports, a bad one stores nothing; a
county's file is its own figures beside the city's; a unit and a sheet may be chosen;
conflicting whole-area figures are listed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from streamlit.testing.v1 import AppTest

from lib.services.uploads import checked_upload, import_upload
from tests.support import analyst

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def upload_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("pages/upload.py").run()


def csv_gb18030(rows: list[str]) -> bytes:
    return ("指标编号,报告期,完成值,进展情况,填报单位\n" + "\n".join(rows) + "\n").encode("gb18030")


def test_good_file_previews_then_imports(sample_store):
    before = len(sample_store.uploads())
    at = upload_page()
    content = csv_gb18030(
        ["T16-1,2014年第四季度,81%,污水厂二期投运,市住建局", "T21-3,2014Q4,4700,,"]
    )
    at.file_uploader(key="progress_upload").set_value(("四季度.csv", content, "text/csv")).run()
    assert not at.exception
    assert any("校验通过" in s.value for s in at.success)
    assert at.button(key="confirm_import")
    at.button(key="confirm_import").click().run()
    assert any("已导入" in s.value for s in at.success)
    uploads = sample_store.uploads()
    assert len(uploads) == before + 1
    current = sample_store.current_values().set_index(["indicator_id", "period"])
    assert current.loc[("T16-1", "2014Q4"), "value"] == 81
    assert current.loc[("T21-3", "2014Q4"), "value"] == 4700


def test_bad_file_lists_errors_and_stores_nothing(sample_store):
    before = sample_store.current_values()
    at = upload_page()
    content = csv_gb18030(["T99-1,2014Q4,5,,", "T16-1,2015Q1,80,,", "T16-2,2014Q4,很多,,"])
    at.file_uploader(key="progress_upload").set_value(("bad.csv", content, "text/csv")).run()
    assert not at.exception
    assert any("3 个错误" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "confirm_import"]
    problems = at.dataframe[0].value
    errors = problems[problems["级别"] == "错误"]
    assert set(errors.iloc[:, 0]) == {2, 3, 4}  # spreadsheet rows of the three bad lines
    # no unit named in the file or chosen: said once, on the header row
    notices = problems[problems["级别"] == "说明"]
    assert notices[["行号", "规则"]].values.tolist() == [[1, "reporter_not_recorded"]]
    assert sample_store.current_values().equals(before)


def test_unreadable_file_gets_a_clear_message(sample_store):
    at = upload_page()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    at.file_uploader(key="progress_upload").set_value(("fake.csv", png, "text/csv")).run()
    assert not at.exception
    assert at.error, "a renamed PNG must be rejected with a message"


def table_with(at: AppTest, heading: str) -> pd.DataFrame:
    """The one table shown with a column headed `heading`."""
    tables = [d.value for d in at.dataframe if heading in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def test_a_countys_file_previews_as_its_breakdown_beside_the_city_figure(sample_store):
    city = sample_store.current_values().set_index(["indicator_id", "period", "reporter"])
    assert city.loc[("T16-3", "2014Q3", "市住房城乡建设局"), "value"] == 46
    at = upload_page()
    content = csv_gb18030(["T16-3,2014Q3,3,三宗完工,鼎湖区"])
    at.file_uploader(key="progress_upload").set_value(("鼎湖区.csv", content, "text/csv")).run()
    assert not at.exception
    preview = table_with(at, "数据性质")
    assert preview.drop(columns="报告期").values.tolist() == [
        ["T16-3", "鼎湖区政府", "分项（本地区）", 46.0, "市住房城乡建设局", 3.0,
         "另存（不替换他单位数据）"],
    ]  # fmt: skip
    problems = table_with(at, "规则")
    assert problems["规则"].tolist() == ["breakdown_figures"]
    assert problems["级别"].tolist() == ["说明"]
    at.button(key="confirm_import").click().run()
    current = sample_store.current_values().set_index(["indicator_id", "period", "reporter"])
    assert current.loc[("T16-3", "2014Q3", "鼎湖区政府"), "value"] == 3
    assert current.loc[("T16-3", "2014Q3", "市住房城乡建设局"), "value"] == 46


def test_the_unit_chosen_is_the_reporter_of_rows_that_name_none(sample_store):
    at = upload_page()
    units = at.selectbox(key="upload_unit")
    assert units.label == "填报单位（文件未注明时）"
    assert units.value == "" and units.options[0] == "未选择：按各指标牵头单位的全市数据"
    assert "怀集县政府" in units.options and "各县(市、区)政府" not in units.options
    units.set_value("怀集县政府").run()
    content = csv_gb18030(["T16-3,2014Q3,5,,", "T16-2,2014Q3,1,,"])
    at.file_uploader(key="progress_upload").set_value(("怀集.csv", content, "text/csv")).run()
    assert not at.exception
    preview = table_with(at, "数据性质")
    assert preview[["指标编号", "填报单位", "数据性质"]].values.tolist() == [
        ["T16-3", "怀集县政府", "分项（本地区）"],
        ["T16-2", "怀集县政府", "分项（本地区）"],
    ]
    assert "reporter_not_recorded" not in table_with(at, "规则")["规则"].tolist()


def two_sheet_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["每季度报送一次"])
    for title, period, value in (("三季度", "2014Q3", 82), ("四季度", "2014Q4", 83)):
        sheet = book.create_sheet(title)
        sheet.append(["指标编号", "报告期", "完成值", "进展情况", "填报单位"])
        sheet.append(["T16-1", period, value, "", "市住房城乡建设局"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_picker_when_several_sheets_hold_data(sample_store):
    at = upload_page()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="progress_upload").set_value(("进度.xlsx", two_sheet_workbook(), xlsx))
    at.run()
    assert not at.exception
    [picker] = [s for s in at.selectbox if s.label == "数据工作表"]
    assert picker.options == ["三季度", "四季度"] and picker.value == "三季度"
    assert table_with(at, "数据性质")["报告期"].tolist() == ["2014Q3"]
    picker.set_value("四季度").run()
    assert not at.exception
    assert table_with(at, "数据性质")[["报告期", "新值"]].values.tolist() == [["2014Q4", 83.0]]


def test_conflicting_whole_area_figures_are_listed(sample_store, plan):
    at = upload_page()
    assert "数据冲突" not in [s.value for s in at.subheader]
    content = "指标编号,报告期,完成值,进展情况,填报单位\nT16-1,2014Q3,80,,市环保局\n".encode()
    report = checked_upload(plan, content, "环保局.csv", sample_store.current_values())
    assert not report.errors
    import_upload(
        sample_store, report, content=content, file_name="环保局.csv", user=analyst("wang"),
        now=datetime(2014, 10, 16, tzinfo=UTC),
    )  # fmt: skip
    at = upload_page()
    assert not at.exception
    assert "数据冲突" in [s.value for s in at.subheader]
    conflicts = table_with(at, "全市数据填报单位")
    assert conflicts[
        ["指标编号", "全市数据填报单位", "全市数据", "填报单位", "完成值"]
    ].values.tolist() == [["T16-1", "市住房城乡建设局", 81.6, "市环境保护局", 80.0]]


def test_a_units_own_form_is_offered_for_each_unit_that_reports(sample_store):
    at = upload_page()
    units = at.selectbox(key="form_unit")
    assert "市住房城乡建设局" in units.options and "鼎湖区政府" in units.options
    assert at.selectbox(key="form_period").value == "2014Q4"  # after the latest figures
    units.set_value("鼎湖区政府").run()
    assert not at.exception and at.selectbox(key="form_unit").value == "鼎湖区政府"
