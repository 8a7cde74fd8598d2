"""Files as offices make them are read: real workbooks, CSV and web pages built in the tests.

The data sheet found by its content after a 说明 sheet, a header under an instructions
block, merged cells, two-row headers, heading synonyms, indicators named instead of
numbered, total rows and signature lines, "nothing to report" marks, legacy .xls and the
HTML tables OA systems save as .xls. Each test asserts what is read (value, period, row)
or the exact refusal with its row and column.
"""

from __future__ import annotations

import dataclasses
import datetime

import pandas as pd
import pytest

from lib.core.errors import ProgressFileError
from lib.ingest import read
from lib.ingest.csv_text import HEAD_PREFIX_BYTES
from lib.ingest.read import read_table
from lib.ingest.report import validate_progress
from lib.plan.model import Plan
from tests.lib.ingest.ingest_files import (
    HEADER,
    csv_content,
    html_content,
    workbook_content,
    xls_content,
)
from tests.lib.ingest.test_progress_file import PLAN

FOREST = ["T02-1", "2014Q2", "1530.5", "造林顺利", "市林业局"]
STATIONS = ["T02-2", "2014Q2", "12", "", "市林业局"]
INSTRUCTIONS = [["填表说明"], ["1. 完成值填截至本季度末的累计数"], ["2. 报告期填 2014Q2"]]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return PLAN


def refusal(content: bytes, name: str, sheet: str | None = None):
    with pytest.raises(ProgressFileError) as caught:
        read_table(content, name, sheet)
    problem = caught.value.problems[0]
    assert problem.message_zh and problem.message_en
    return problem


def figures(report) -> list[tuple[int, str, str, float]]:
    rows = report.rows
    return list(
        zip(
            rows["row"].tolist(),
            rows["indicator_id"].tolist(),
            rows["period"].tolist(),
            rows["value"].tolist(),
            strict=True,
        )
    )


def coded(report, code: str) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.severity) for p in report.problems if p.code == code]


def errors(report) -> list[str]:
    return [p.code for p in report.errors]


# --- the data sheet found by its content ---------------------------------------------------


def test_data_sheet_after_an_instructions_sheet_is_found_and_named(plan):
    content = workbook_content(
        [
            ("封面", [["肇庆市重点工作进度表"], ["2014年第二季度"]]),
            ("填表说明", INSTRUCTIONS),
            ("数据", [HEADER, FOREST, STATIONS]),
            ("上季度", [HEADER, ["T02-1", "2014Q1", "1500", "", "市林业局"]]),
        ]
    )
    report = validate_progress(content, "进度.xlsx", plan)
    assert not errors(report)
    assert report.sheet == "数据"
    assert figures(report) == [(2, "T02-1", "2014Q2", 1530.5), (3, "T02-2", "2014Q2", 12.0)]
    table = read_table(content, "进度.xlsx")
    assert (table.sheet, table.sheets) == ("数据", ("数据", "上季度"))
    named = validate_progress(content, "进度.xlsx", plan, sheet="上季度")
    assert named.sheet == "上季度" and figures(named) == [(2, "T02-1", "2014Q1", 1500.0)]
    assert read_table(content, "进度.xlsx", "上季度").sheets == ("数据", "上季度")


def test_a_hidden_sheet_is_passed_over_with_its_warning_kept(plan):
    content = workbook_content(
        [("旧表", [HEADER, FOREST]), ("说明", INSTRUCTIONS), ("本季度", [HEADER, STATIONS])],
        hidden=["旧表"],
    )
    table = read_table(content, "x.xlsx")
    assert (table.sheet, table.sheets) == ("本季度", ("本季度",))
    assert [p.code for p in table.problems] == ["hidden_sheet_skipped"]
    assert "旧表" in table.problems[0].message_zh


def test_no_sheet_with_a_header_is_refused_naming_every_sheet_tried():
    content = workbook_content(
        [("说明", INSTRUCTIONS), ("汇总", [["指标编号", "完成值"], ["T02-1", "3"]])]
    )
    problem = refusal(content, "x.xlsx")
    assert problem.code == "missing_columns"
    assert "“说明”" in problem.message_zh and "“汇总”" in problem.message_zh
    assert "说明, 汇总" in problem.message_en and problem.value == "说明, 汇总"


# --- the header below an instructions block ------------------------------------------------


def test_header_on_row_22_under_an_instructions_block_is_found(plan):
    above = [["填表说明"], *[[f"{n}. 说明文字第 {n} 条"] for n in range(1, 21)]]
    content = workbook_content([("进度", [*above, HEADER, FOREST])])
    report = validate_progress(content, "x.xlsx", plan)
    assert report.header_row == 22 and figures(report) == [(23, "T02-1", "2014Q2", 1530.5)]
    csv = csv_content([FOREST], above=[line[0] for line in above])
    assert validate_progress(csv, "x.csv", plan).header_row == 22


def test_a_header_too_far_down_is_refused_saying_how_far_was_searched():
    content = csv_content([FOREST], above=["说明"] * 70)
    problem = refusal(content, "x.csv")
    assert problem.code == "missing_columns" and "前 60 行" in problem.message_zh


# --- merged cells ------------------------------------------------------------------------


def test_a_merged_period_and_reporter_give_their_value_to_every_row_they_cover(plan):
    rows = [
        HEADER,
        ["T02-1", "2014年第二季度", "1530.5", "", "市林业局"],
        ["T02-2", None, "12", "", None],
        ["T03-1", None, "2000", "", "市住房城乡建设局"],
    ]
    content = workbook_content([("进度", rows)], merged=[("进度", "B2:B4"), ("进度", "E2:E3")])
    report = validate_progress(content, "x.xlsx", plan)
    assert not errors(report)
    assert report.rows["period"].tolist() == ["2014Q2"] * 3
    assert report.rows["reporter"].tolist()[:2] == ["市林业局", "市林业局"]


def test_a_heading_merged_over_two_columns_is_refused_as_given_twice():
    rows = [
        ["指标编号", "报告期", "完成值", None, "填报单位"],
        ["T02-1", "2014Q2", "1530.5", "备用", "市林业局"],
    ]
    content = workbook_content([("进度", rows)], merged=[("进度", "C1:D1")])
    with pytest.raises(ProgressFileError) as caught:
        read_table(content, "x.xlsx")
    (problem,) = caught.value.problems  # both cells now read 完成值: one column, given twice
    assert (problem.code, problem.row, problem.column) == ("duplicate_header", 1, "完成值")


# --- two-row headers ---------------------------------------------------------------------


def test_a_merged_group_heading_over_two_sub_headings_is_one_header(plan):
    rows = [
        ["指标编号", "报告期", "完成情况", None, "填报单位"],
        [None, None, "完成值", "进展情况", None],
        FOREST,
    ]
    content = workbook_content(
        [("进度", rows)],
        merged=[("进度", "A1:A2"), ("进度", "B1:B2"), ("进度", "C1:D1"), ("进度", "E1:E2")],
    )
    report = validate_progress(content, "x.xlsx", plan)
    assert report.header_row == 2 and figures(report) == [(3, "T02-1", "2014Q2", 1530.5)]
    assert report.rows["note"].tolist() == ["造林顺利"]  # not the group heading's column


def test_a_two_row_header_without_merges_combines_its_headings(plan):
    upper = ["指标", "", "报告期", "完成情况", "", "填报单位"]
    lower = ["编号", "名称", "", "完成值", "进展情况", ""]
    content = csv_content(
        [["T02-1", "森林面积", "2014Q2", "1530.5", "造林顺利", "市林业局"]],
        header=lower,
        above=[",".join(upper)],
    )
    table = read_table(content, "x.csv")
    assert table.header_row == 2
    assert table.headers["indicator_id"] == "编号" and table.headers["note"] == "进展情况"
    report = validate_progress(content, "x.csv", plan)
    assert figures(report) == [(3, "T02-1", "2014Q2", 1530.5)]


def test_a_this_quarter_group_heading_over_the_value_makes_it_this_quarters(plan):
    upper = ["指标编号", "报告期", "本季度完成情况", ""]
    lower = ["", "", "完成值", "进展情况"]
    content = workbook_content([("进度", [upper, lower, ["T02-2", "2014Q2", "3", ""]])])
    table = read_table(content, "x.xlsx")
    assert table.value_quarter_only and table.headers["value"] == "本季度完成情况完成值"
    report = validate_progress(content, "x.xlsx", plan)
    assert [(p.code, p.row) for p in report.errors] == [("quarter_value_no_previous", 3)]


# --- heading synonyms --------------------------------------------------------------------


def test_heading_synonyms_are_read_and_a_serial_number_column_ignored(plan):
    header = ["序号", "指标代码", "时间", "截至本季度完成", "工作进展", "报送单位"]
    rows = [["1", *FOREST], ["2", *STATIONS]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert not errors(report)
    assert figures(report) == [(2, "T02-1", "2014Q2", 1530.5), (3, "T02-2", "2014Q2", 12.0)]
    assert report.rows["note"].tolist()[0] == "造林顺利"
    assert report.rows["reporter"].tolist() == ["市林业局", "市林业局"]


def test_the_template_heading_wins_over_a_synonym_beside_it(plan):
    header = ["指标编号", "报告期", "完成值", "进展情况", "填报单位", "责任单位"]
    rows = [[*FOREST, "市林业局、市财政局"]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert not errors(report) and report.rows["reporter"].tolist() == ["市林业局"]


def test_two_synonyms_of_one_column_are_refused_as_a_duplicate():
    header = ["指标编号", "报告期", "累计完成", "实际完成"]
    problem = refusal(csv_content([["T02-1", "2014Q2", "3", "4"]], header=header), "x.csv")
    assert (problem.code, problem.row, problem.column) == ("duplicate_header", 1, "实际完成")


@pytest.mark.parametrize("heading", ["本季度完成", "当季完成", "4-6月完成"])
def test_a_this_quarter_value_heading_is_read_as_this_quarters(heading):
    header = ["指标编号", "报告期", heading]
    table = read_table(csv_content([["T02-1", "2014Q2", "3"]], header=header), "x.csv")
    assert table.value_quarter_only and table.headers["value"] == heading


# --- an indicator by its exact name ------------------------------------------------------


def test_indicators_are_found_by_their_exact_name_without_an_id_column(plan):
    header = ["序号", "指标名称", "报告期", "完成值", "填报单位"]
    rows = [
        ["1", "森林面积", "2014Q2", "1530.5", "市林业局"],
        ["2", "村级 站", "2014Q2", "12", "市林业局"],  # spaces as typed
        ["3", "森林覆盖率", "2014Q2", "58", "市林业局"],
    ]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert figures(report) == [(2, "T02-1", "2014Q2", 1530.5), (3, "T02-2", "2014Q2", 12.0)]
    (problem,) = [p for p in report.errors]
    assert (problem.code, problem.row, problem.column) == ("unknown_indicator_name", 4, "指标名称")
    assert "T02-1 森林面积" in problem.message_zh  # the close name is suggested


def test_a_name_shared_by_two_indicators_is_refused_listing_them(plan):
    indicators = plan.indicators.copy()
    indicators.loc[indicators["indicator_id"] == "T03-1", "name"] = "村级站"
    twin = dataclasses.replace(plan, indicators=indicators)
    header = ["指标名称", "报告期", "完成值", "填报单位"]
    rows = [["村级站", "2014Q2", "12", "市林业局"], ["森林面积", "2014Q2", "1530.5", "市林业局"]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", twin)
    (problem,) = report.errors
    assert (problem.code, problem.row, problem.column) == (
        "indicator_name_ambiguous",
        2,
        "指标名称",
    )
    assert "T02-2" in problem.message_zh and "T03-1" in problem.message_en
    assert figures(report) == [(3, "T02-1", "2014Q2", 1530.5)]


def test_an_id_column_wins_over_the_name_column(plan):
    header = ["指标编号", "指标名称", "报告期", "完成值", "填报单位"]
    rows = [["T02-1", "不是这个名字", "2014Q2", "1530.5", "市林业局"]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert not errors(report) and figures(report) == [(2, "T02-1", "2014Q2", 1530.5)]


# --- total rows and lines below the table ------------------------------------------------


SUMMARY_AND_FOOTER = [
    ["序号", *HEADER],
    ["1", *FOREST],
    ["小计", "", "", "1530.5", "", ""],
    ["2", *STATIONS],
    ["合 计", "", "2014Q2", "1542.5", "", ""],
    ["填报人：张三", "", "联系电话：0758-1234567", "", "", ""],
    ["审核人：李四", "", "", "", "", ""],
    ["", "填表日期：2014年7月5日", "", "", "", ""],
]


def test_total_rows_and_signature_lines_are_skipped_with_one_warning_each(plan):
    header, *rows = SUMMARY_AND_FOOTER
    for content, name in (
        (csv_content(rows, header=header), "x.csv"),  # Arrow's reader
        (csv_content([*rows, ['"多行\n备注"', "", "", "", "", ""]], header=header), "y.csv"),
        (workbook_content([("进度", SUMMARY_AND_FOOTER)]), "x.xlsx"),
    ):
        report = validate_progress(content, name, plan)
        assert not errors(report), (name, report.errors)
        assert figures(report) == [(2, "T02-1", "2014Q2", 1530.5), (4, "T02-2", "2014Q2", 12.0)]
        assert coded(report, "summary_rows_skipped") == [(3, None, "warning")]
        assert coded(report, "footer_rows_skipped") == [(6, None, "warning")]
        footer = next(p for p in report.problems if p.code == "footer_rows_skipped")
        assert footer.value == "6, 7, 8"
        assert {3, 5, 6, 7, 8} <= set(report.skipped_rows)


def test_the_big_csv_reader_skips_total_rows_too(monkeypatch):
    header, *rows = SUMMARY_AND_FOOTER
    note = "长" * 40  # 40,000 rows of 130 bytes: too big to decode whole
    many = [[str(n), "T02-2", "2014Q2", "12", note, "市林业局"] for n in range(40_000)]
    content = csv_content([*many, *rows[1:], many[0]], header=header)
    assert len(content) > HEAD_PREFIX_BYTES

    def decoded_whole(*args: object) -> None:
        raise AssertionError("the big file was decoded whole")

    monkeypatch.setattr(read, "decoded_text", decoded_whole)
    table = read_table(content, "big.csv")
    assert table.frame["row"].tolist() == [*range(2, 40_002), 40_003, 40_008]
    assert table.skipped_rows == (40_002, 40_004, 40_005, 40_006, 40_007)
    assert [p.code for p in table.problems] == ["summary_rows_skipped", "footer_rows_skipped"]


# --- "nothing to report" -----------------------------------------------------------------


@pytest.mark.parametrize("mark", ["/", "—", "-", "无", "－", "／", "——"])
def test_nothing_reported_marks_skip_the_row_with_one_warning(plan, mark):
    rows = [
        ["T02-1", "2014Q2", mark, "", "市林业局"],
        ["T02-1", "2014Q1", "1500", "", "市林业局"],
        ["T02-2", "2014Q2", mark, "", "市林业局"],
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert not errors(report) and figures(report) == [(3, "T02-1", "2014Q1", 1500.0)]
    assert report.skipped_rows == (2, 4)
    (problem,) = [p for p in report.problems if p.code == "nothing_reported_skipped"]
    assert (problem.row, problem.severity, problem.value) == (2, "warning", "2, 4")
    assert "未保存" not in problem.message_zh  # the reporter alone is no loss worth naming


def test_an_empty_value_with_only_a_reporter_is_nothing_reported(plan):
    rows = [["T02-1", "2014Q2", "", "", "市林业局"], STATIONS]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert not errors(report) and report.skipped_rows == (2,)
    assert coded(report, "nothing_reported_skipped") == [(2, None, "warning")]


def test_a_note_beside_a_nothing_reported_mark_is_said_not_to_be_stored(plan):
    rows = [["T02-1", "2014Q2", "无", "本季度无新增", "市林业局"], STATIONS]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    (problem,) = [p for p in report.problems if p.code == "nothing_reported_skipped"]
    assert "未保存" in problem.message_zh and "not stored" in problem.message_en


def test_an_empty_value_with_a_note_is_still_an_error_and_milestone_words_still_count(plan):
    rows = [
        ["T02-1", "2014Q2", "", "有进展", "市林业局"],
        ["T01-1", "2014Q2", "已完成", "", "市编办"],
        ["T01-1", "2014Q1", "未开始", "", "市编办"],
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert coded(report, "value_missing") == [(2, "完成值", "error")]
    assert report.rows.loc[report.rows["indicator_id"] == "T01-1", "value"].tolist() == [
        100.0,
        0.0,
    ]


# --- legacy .xls -------------------------------------------------------------------------


def test_a_legacy_xls_is_read_like_an_xlsx(plan):
    data = [
        HEADER,
        ["T02-1", "2014年第二季度", 1530.5, "造林顺利", "市林业局"],
        ["T02-2", None, 12, "", "市林业局"],
        ["T01-2", "2014年上半年", 0.812, "", "市编办"],
        ["T03-1", datetime.date(2014, 6, 30), 2000, "", "市住房城乡建设局"],
    ]
    content = xls_content(
        [("旧表", [HEADER, FOREST]), ("说明", INSTRUCTIONS), ("数据", data)],
        hidden=["旧表"],
        merged=[("数据", 1, 2, 1, 1)],
        percent_cells=[("数据", 3, 2)],
    )
    table = read_table(content, "进度.xls")
    assert (table.file_type, table.sheet, table.sheets) == ("xls", "数据", ("数据",))
    report = validate_progress(content, "进度.xls", plan)
    assert report.rows["period"].tolist() == ["2014Q2"] * 4
    assert report.rows["value"].tolist()[:2] == [1530.5, 12.0]
    assert report.rows["value"].tolist()[3] == 2000.0
    # no number formats from .xls: a percent-formatted 0.812 is refused, never 0.812%
    assert coded(report, "fraction_for_percent") == [(4, "完成值", "error")]
    assert coded(report, "hidden_sheet_skipped") == [(None, None, "warning")]
    named = read_table(content, "进度.xls", "旧表")
    assert named.sheet == "旧表" and named.frame["indicator_id"].tolist() == ["T02-1"]


def test_a_damaged_xls_and_other_old_office_files_are_refused_clearly():
    content = xls_content([("数据", [HEADER, FOREST])])
    damaged = content[:4096]  # the workbook stream cut short (the Rust reader panics)
    assert refusal(damaged + content[-1024:], "x.xls").code == "xls_corrupt"
    word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le")
    problem = refusal(word, "x.xls")
    assert problem.code == "not_spreadsheet" and "Word" in problem.message_en
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le")
    assert refusal(encrypted, "x.xlsx").code == "file_encrypted"


def test_an_xls_without_a_header_names_its_sheets():
    content = xls_content([("说明", INSTRUCTIONS), ("表二", [["随便", "写写"]])])
    problem = refusal(content, "x.xls")
    assert problem.code == "missing_columns" and problem.value == "说明, 表二"


# --- a web page saved as .xls ------------------------------------------------------------


def test_an_html_table_saved_as_xls_is_read_with_a_warning(plan):
    body = (
        "<table><tr><td colspan=5>肇庆市重点工作进度表</td></tr>"
        "<tr><th>指标编号</th><th>报告期</th><th>完成值</th><th>进展情况</th><th>填报单位</th>"
        "</tr><tr><td>T02-1</td><td rowspan=3>2014年第二季度</td><td>1,530.5</td>"
        "<td>造林&amp;护林<br>顺利</td><td>市林业局</td></tr>"
        "<tr style='display:none'><td>T02-2</td><td>99</td><td></td><td>市林业局</td></tr>"
        "<tr><td>T02-2</td><td>12</td><td>&nbsp;</td><td>市林业局</td></tr></table>"
    )
    content = html_content(body)
    report = validate_progress(content, "导出.xls", plan)
    assert not errors(report)
    assert figures(report) == [(3, "T02-1", "2014Q2", 1530.5), (5, "T02-2", "2014Q2", 12.0)]
    assert report.rows["note"].tolist()[0] == "造林&护林 顺利"
    assert coded(report, "html_table_read") == [(None, None, "warning")]
    assert coded(report, "hidden_rows_skipped") == [(None, None, "warning")]


def test_a_web_page_without_a_progress_table_is_named_for_what_it_is():
    content = html_content("<p>登录超时，请重新登录</p><table><tr><td>菜单</td></tr></table>")
    problem = refusal(content, "导出.xls")
    assert problem.code == "html_no_table"
    assert "网页" in problem.message_zh and "web page" in problem.message_en
    excel_xml = (
        b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
    )
    assert "2003" in refusal(excel_xml, "x.xls").message_en


# --- periods as offices write them -------------------------------------------------------


def test_a_date_cell_and_a_half_year_both_import_as_the_second_quarter(plan):
    rows = [
        HEADER,
        ["T02-1", datetime.datetime(2014, 6, 30), 1530.5, "", "市林业局"],
        ["T02-2", "2014年上半年", 12, "", "市林业局"],
    ]
    report = validate_progress(workbook_content([("进度", rows)]), "x.xlsx", plan)
    assert not errors(report) and report.rows["period"].tolist() == ["2014Q2", "2014Q2"]


def test_a_near_miss_period_says_why_it_is_refused(plan):
    rows = [["T02-1", "2014年5月", "1530.5", "", "市林业局"]]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    (problem,) = report.errors
    assert (problem.code, problem.row, problem.column) == ("bad_period", 2, "报告期")
    assert "5月不是季度末月份" in problem.message_zh and "May" in problem.message_en


def test_frames_stay_text_for_every_reader(plan):
    content = xls_content([("数据", [HEADER, FOREST])])
    frame = read_table(content, "x.xls").frame
    assert all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns if c != "row")
