"""Reading and validating progress files: real CSV/XLSX bytes built in the tests.

Every rule is checked for its code, the spreadsheet row a person would look at and the
column heading they wrote; hostile files (renamed images, zip bombs, XML entities) are
refused with a bilingual ProgressFileError.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from pandas.testing import assert_frame_equal

from lib.core.errors import ProgressFileError
from lib.ingest.cells import ROW_COLUMNS
from lib.ingest.read import read_table
from lib.ingest.report import PROBLEM_COLUMNS, import_preview, validate_progress
from lib.ingest.reporters import PREVIEW_COLUMNS
from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from tests.lib.ingest.ingest_files import HEADER, csv_content, xlsx_content
from tests.support import TEST_PLAN_HEADER

REPO = Path(__file__).resolve().parents[3]

PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市编办, full_name: 中共肇庆市委机构编制委员会办公室, aliases: [市委编办],
     kind: party_department}
  - {name: 市林业局, full_name: 肇庆市林业局, kind: municipal_department}
  - {name: 市住房城乡建设局, aliases: [市住建局], kind: municipal_department}
  - {name: 端州区政府, kind: county_government}
  - {name: 各县(市、区)政府, kind: group, members: [端州区政府]}
sections:
  - id: S01
    title: 改革
    tasks:
      - id: T01
        title: 转变政府职能
        text: 公布权责清单。网上办理率达到80%。
        units: [市编办, 各县(市、区)政府]
        indicators:
          - {id: T01-1, name: 权责清单公布, kind: milestone, target: 100, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 公布权责清单}
          - {id: T01-2, name: 网上办理率, kind: quantity, target: 80, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 网上办理率达到80%}
  - id: S02
    title: 生态与住房
    tasks:
      - id: T02
        title: 林业
        text: 森林面积达到1532.87万亩。建成村级站30个。
        units: [市林业局]
        indicators:
          - {id: T02-1, name: 森林面积, kind: quantity, target: 1532.87, unit: 万亩,
             direction: increase, deadline: 2014-12-31, source: 森林面积达到1532.87万亩}
          - {id: T02-2, name: 村级站, kind: quantity, target: 30, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成村级站30个}
      - id: T03
        title: 住房
        text: 保障性住房开工4649套。能耗降到0.6吨。
        units: [市住房城乡建设局]
        indicators:
          - {id: T03-1, name: 开工套数, kind: quantity, target: 4649, unit: 套,
             direction: increase, deadline: 2014-12-31, source: 保障性住房开工4649套}
          - {id: T03-2, name: 能耗, kind: quantity, target: 0.6, baseline: 0.7, unit: 吨,
             direction: decrease, deadline: 2014-12-31, source: 能耗降到0.6吨}
"""
)


PLAN = parse_plan(PLAN_YAML)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return PLAN


def problem_at(report, code: str) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in report.problems if p.code == code]


def file_error(content: bytes, name: str, sheet: str | None = None) -> ProgressFileError:
    with pytest.raises(ProgressFileError) as caught:
        read_table(content, name, sheet)
    problem = caught.value.problems[0]
    assert problem.message_zh and problem.message_en
    return caught.value


# --- encodings and layouts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")],
)
def test_csv_encodings_from_chinese_excel_read_without_mojibake(plan, encoding, detected):
    content = csv_content(
        [["T02-1", "2014年第二季度", "1530.5", "造林顺利，进度正常", "市林业局"]], encoding
    )
    table = read_table(content, "进度.csv")
    assert table.encoding == detected
    report = validate_progress(content, "进度.csv", plan)
    assert report.ok, report.problems
    row = report.rows.iloc[0]
    assert (row["indicator_id"], row["period"], row["value"]) == ("T02-1", "2014Q2", 1530.5)
    assert row["note"] == "造林顺利，进度正常"  # Chinese punctuation kept, not NFKC'd
    assert row["reporter"] == "市林业局"


def test_gb18030_is_not_mistaken_for_utf8_and_latin1_is_never_used(plan):
    content = "指标编号,报告期,完成值,进展情况\nT02-2,2014Q1,3,镇村站点建设\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    report = validate_progress(content, "gbk.csv", plan)
    assert report.rows.loc[0, "note"] == "镇村站点建设"


def test_utf16_with_bom_from_excel_unicode_text_is_read(plan):
    content = codecs.BOM_UTF16_LE + "指标编号\t报告期\t完成值\nT02-2\t2014Q1\t3\n".encode(
        "utf-16-le"
    )
    report = validate_progress(content, "unicode.txt", plan)
    assert report.ok and report.rows.loc[0, "value"] == 3


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_delimiters_are_detected_from_the_header(plan, delimiter):
    rows = [["T02-2", "2014Q1", "3", "备注,含逗号" if delimiter != "," else "备注", ""]]
    content = csv_content(rows, delimiter=delimiter)
    table = read_table(content, "x.csv")
    assert table.delimiter == delimiter
    assert validate_progress(content, "x.csv", plan).rows.loc[0, "value"] == 3


def test_title_rows_above_the_header_keep_spreadsheet_row_numbers(plan):
    content = csv_content(
        [["T02-2", "2014Q1", "abc", "", ""], ["T02-2", "2014Q2", "5", "", ""]],
        above=["肇庆市2014年重点工作进度表", "填报日期：2014-04-10,,,", ""],
    )
    report = validate_progress(content, "x.csv", plan)
    assert read_table(content, "x.csv").header_row == 4
    assert problem_at(report, "value_not_numeric") == [(5, "完成值")]
    assert list(report.rows["row"]) == [5, 6]


def test_quoted_line_break_counts_as_one_spreadsheet_row(plan):
    content = (
        '指标编号,报告期,完成值,进展情况\nT02-2,2014Q1,3,"第一段\n第二段"\nT02-2,2014Q2,x,\n'
    ).encode()
    report = validate_progress(content, "x.csv", plan)
    assert report.rows.loc[0, "note"] == "第一段\n第二段"
    assert problem_at(report, "value_not_numeric") == [(3, "完成值")]


def test_xlsx_with_title_rows_and_numeric_cells(plan):
    content = xlsx_content(
        [
            ["T03-1", "2014Q1", 1234, "开工顺利", "市住建局"],
            ["T02-1", "2014Q1", 1530.25, None, None],
        ],
        above=[["肇庆市重点工作进度"], [], ["单位：市住建局"]],
    )
    table = read_table(content, "进度.xlsx")
    assert (table.file_type, table.header_row) == ("xlsx", 4)
    report = validate_progress(content, "进度.xlsx", plan)
    assert report.ok, report.problems
    assert list(report.rows["row"]) == [5, 6]
    assert list(report.rows["value"]) == [1234.0, 1530.25]
    assert list(report.rows["reporter"]) == ["市住房城乡建设局", ""]
    assert list(report.rows["reporter_raw"]) == ["市住建局", ""]


def test_xlsx_percent_formatted_cell_reads_as_shown(plan):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["T01-2", "2014Q3", 0.83])
    sheet["C2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_progress(buffer.getvalue(), "x.xlsx", plan)
    assert report.ok and report.rows.loc[0, "value"] == 83.0


def test_hidden_first_sheet_is_skipped_but_can_be_named(plan):
    content = xlsx_content(
        [["T02-2", "2014Q2", 7, "", ""]],
        hidden_first=[HEADER, ["T02-2", "2014Q1", 1, "", ""]],
    )
    first_visible = validate_progress(content, "x.xlsx", plan)
    assert first_visible.sheet == "本季度"
    assert list(first_visible.rows["period"]) == ["2014Q2"]
    named = validate_progress(content, "x.xlsx", plan, sheet="旧数据")
    assert list(named.rows["period"]) == ["2014Q1"]
    error = file_error(content, "x.xlsx", sheet="没有这个表")
    assert error.problems[0].code == "sheet_not_found"


def test_full_width_whitespace_and_zero_width_variants_normalise(plan):
    header = ["\u200b 指标 编号 ", "报告期\u3000", "完成值（累计）", "进展情况", "填报单位\xa0"]
    rows = [
        [
            "ｔ０２－１",
            " 2014年第二季度\u3000",
            "\u200b１，５３０．５\xa0",
            " 说明\u200b ",
            "\u3000市林业局",
        ],
        ["T01-2\ufeff", "２０１４Ｑ３", "８３％", "", "市委编办"],
        ["T03-1", "2014年三季度", '"\u200b1,234"', "", ""],
    ]
    report = validate_progress(csv_content(rows, "utf-8-sig", header=header), "x.csv", plan)
    assert report.ok, report.problems
    assert list(report.rows["indicator_id"]) == ["T02-1", "T01-2", "T03-1"]
    assert list(report.rows["period"]) == ["2014Q2", "2014Q3", "2014Q3"]
    assert list(report.rows["value"]) == [1530.5, 83.0, 1234.0]
    assert list(report.rows["note"]) == ["说明", "", ""]
    assert list(report.rows["reporter"]) == ["市林业局", "市编办", ""]


def test_english_headers_any_case_are_accepted(plan):
    header = ["Indicator_ID", "PERIOD", "Value", "Note", "Reporter", "task title"]
    content = csv_content([["T02-2", "2014-Q2", "4", "ok", "市林业局", "林业"]], header=header)
    report = validate_progress(content, "x.csv", plan)
    assert report.ok and report.rows.loc[0, "period"] == "2014Q2"


def test_text_is_never_turned_into_missing_values_or_numbers(plan):
    content = csv_content(
        [["0101", "2014Q1", "NA", "NA", "null"], ["T02-2", "2014Q1", "007", "N/A", ""]]
    )
    report = validate_progress(content, "x.csv", plan)
    unknown = [p for p in report.problems if p.code == "unknown_indicator"]
    assert unknown[0].value == "0101"
    assert problem_at(report, "value_not_numeric") == [(2, "完成值")]
    assert report.rows.loc[1, "value"] == 7.0
    assert list(report.rows["note"]) == ["NA", "N/A"]


def test_milestone_words_are_accepted_for_milestones_only(plan):
    rows = [
        ["T01-1", "2014Q1", "未开始", "", ""],
        ["T01-1", "2014Q2", "完成", "", ""],
        ["T01-1", "2014Q3", "已完成", "", ""],
        ["T02-2", "2014Q1", "已完成", "", ""],
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert list(report.rows["value"].iloc[:3]) == [0.0, 100.0, 100.0]
    [problem] = report.errors
    assert (problem.code, problem.row, problem.column) == ("value_not_numeric", 5, "完成值")
    assert "数量" in problem.message_zh and "quantity" in problem.message_en


def test_rows_without_value_note_or_reporter_are_skipped(plan):
    rows = [["T02-1", "", "", "", ""], ["", "", "", "", ""], ["T02-2", "2014Q3", "", "", ""]]
    rows.append(["T02-2", "2014Q1", "2", "", ""])
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert report.ok
    assert report.skipped_rows == (2, 4)  # the fully blank line 3 is not even listed
    assert list(report.rows["row"]) == [5]


# --- one rule at a time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "code", "column"),
    [
        (["T99-1", "2014Q1", "5", "", ""], "unknown_indicator", "指标编号"),
        (["", "2014Q1", "5", "", ""], "indicator_missing", "指标编号"),
        (["T02-2", "2014年第五季度", "5", "", ""], "bad_period", "报告期"),
        (["T02-2", "", "5", "", ""], "bad_period", "报告期"),
        (["T02-2", "2015Q1", "5", "", ""], "period_outside_plan", "报告期"),
        (["T02-2", "2013年第四季度", "5", "", ""], "period_outside_plan", "报告期"),
        (["T02-2", "2014Q1", "", "有进展", ""], "value_missing", "完成值"),
        (["T02-2", "2014Q1", "很多", "", ""], "value_not_numeric", "完成值"),
        (["T02-2", "2014Q1", '"1,2"', "", ""], "value_not_numeric", "完成值"),
        (["T02-2", "2014Q1", "inf", "", ""], "value_not_finite", "完成值"),
        (["T02-2", "2014Q1", "NaN", "", ""], "value_not_finite", "完成值"),
        (["T02-2", "2014Q1", "1e309", "", ""], "value_not_finite", "完成值"),
        (["T02-2", "2014Q1", "-3", "", ""], "value_negative", "完成值"),
        (["T01-1", "2014Q1", "120", "", ""], "percent_out_of_range", "完成值"),
        (["T01-2", "2014Q1", "101%", "", ""], "percent_out_of_range", "完成值"),
        (["T03-1", "2014Q1", "83%", "", ""], "value_unit_mismatch", "完成值"),
    ],
)
def test_each_cell_rule_names_code_row_and_column(plan, cells, code, column):
    report = validate_progress(
        csv_content([["T02-2", "2014Q2", "6", "", ""], cells]), "x.csv", plan
    )
    assert not report.ok
    assert [(p.code, p.row, p.column) for p in report.errors] == [(code, 3, column)]
    assert report.errors[0].message_zh and report.errors[0].message_en


def test_duplicate_rows_name_both_row_numbers(plan):
    rows = [
        ["T02-2", "2014Q1", "3", "", ""],
        ["T02-1", "2014Q1", "1530", "", ""],
        ["t02-2", "2014年第一季度", "4", "", ""],
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    [problem] = report.errors
    assert (problem.code, problem.row, problem.column) == ("duplicate_row", 4, "指标编号")
    assert "第 4 行" in problem.message_zh and "第 2 行" in problem.message_zh
    assert "row 4" in problem.message_en and "row 2" in problem.message_en


def test_every_bad_cell_is_listed(plan):
    rows = [[f"X{i}", "2014Q1", f"坏{i}", "", ""] for i in range(500)]
    report = validate_progress(csv_content(rows), "bad.csv", plan)
    assert len(report.errors) == 1000
    assert {p.row for p in report.errors} == set(range(2, 502))
    assert {p.code for p in report.errors} == {"unknown_indicator", "value_not_numeric"}
    assert (report.problems_frame()["severity"] == "error").sum() == 1000


# --- warnings -----------------------------------------------------------------------------


def stored_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "period", "value"]).assign(
        note="", reporter="", upload_id=1, uploaded_at="2014-07-01T00:00:00", uploaded_by="x"
    )


def test_value_lower_than_stored_earlier_period_warns_but_imports(plan):
    stored = stored_frame([("T02-2", "2014Q1", 10.0), ("T02-2", "2014Q2", 12.0)])
    before = stored.copy()
    report = validate_progress(
        csv_content([["T02-2", "2014Q3", "11", "", ""]]), "x.csv", plan, stored
    )
    assert report.ok
    [warning] = report.warnings
    assert (warning.code, warning.row, warning.column) == ("value_decreased", 2, "完成值")
    assert "2014Q2" in warning.message_zh and "12" in warning.message_en
    assert_frame_equal(stored, before)  # the caller's frame is not touched


def test_value_lower_than_earlier_period_in_same_file_warns(plan):
    rows = [["T02-2", "2014Q1", "9", "", ""], ["T02-2", "2014Q2", "8", "", ""]]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert problem_at(report, "value_decreased") == [(3, "完成值")]
    assert "第 2 行" in report.warnings[0].message_zh


def test_revising_an_earlier_period_uses_the_new_figure(plan):
    stored = stored_frame([("T02-2", "2014Q1", 10.0)])
    rows = [["T02-2", "2014Q1", "4", "", ""], ["T02-2", "2014Q2", "6", "", ""]]
    report = validate_progress(csv_content(rows), "x.csv", plan, stored)
    assert report.warnings == []  # 6 >= the revised 4, so nothing goes down


def test_value_above_a_stored_later_period_warns(plan):
    stored = stored_frame([("T02-2", "2014Q2", 5.0)])
    report = validate_progress(
        csv_content([["T02-2", "2014Q1", "9", "", ""]]), "x.csv", plan, stored
    )
    assert problem_at(report, "value_decreased") == [(2, "完成值")]


def test_decreasing_indicators_may_go_down(plan):
    stored = stored_frame([("T03-2", "2014Q1", 0.68)])
    report = validate_progress(
        csv_content([["T03-2", "2014Q2", "0.65", "", ""]]), "x.csv", plan, stored
    )
    assert report.errors == [] and report.warnings == []


def test_value_far_above_target_warns(plan):
    rows = [["T02-2", "2014Q3", "46", "", ""], ["T02-2", "2014Q2", "45", "", ""]]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    assert problem_at(report, "above_target") == [(2, "完成值")]
    assert report.ok


@pytest.mark.parametrize(
    ("reporter", "warned"),
    [("市编办", False), ("中共肇庆市委机构编制委员会办公室", False), ("市委编办", False),
     ("端州区政府", False), ("市林业局", True)],
)  # fmt: skip
def test_reporter_must_be_responsible_for_the_task(plan, reporter, warned):
    report = validate_progress(
        csv_content([["T01-2", "2014Q1", "20", "", reporter]]), "x.csv", plan
    )
    assert report.ok
    expected = [(2, "填报单位")] if warned else []
    assert problem_at(report, "reporter_not_responsible") == expected


def test_an_unregistered_reporter_is_refused_with_the_names_it_may_mean(plan):
    report = validate_progress(
        csv_content([["T01-2", "2014Q1", "20", "", "市编委办"]]), "x.csv", plan
    )
    (problem,) = report.errors
    assert (problem.code, problem.row, problem.column) == ("unknown_reporter", 2, "填报单位")
    assert "市编办" in problem.message_zh and "did you mean" in problem.message_en


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", codecs.BOM_UTF8, b"\r\n \r\n", b",,,\r\n,,\r\n"])
def test_empty_files_are_refused(content):
    assert file_error(content, "x.csv").problems[0].code == "empty_file"


def test_missing_required_columns_are_named():
    content = csv_content([["T02-2", "3"]], header=["指标编号", "完成值"], above=["标题"])
    problem = file_error(content, "x.csv").problems[0]
    assert problem.code == "missing_columns"
    assert "报告期" in problem.message_zh and "period" in problem.message_en
    assert "完成值" not in problem.value and problem.row == 2


def test_duplicate_headers_name_both_columns():
    header = ["指标编号", "报告期", "完成值", "value", "进展情况"]
    problem = file_error(csv_content([["T02-2", "2014Q1", "3", "4", ""]], header=header), "x.csv")
    problem = problem.problems[0]
    assert (problem.code, problem.row, problem.column) == ("duplicate_header", 1, "value")
    assert (
        "C" in problem.message_zh and "D" in problem.message_zh and "完成值" in problem.message_zh
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "进度.csv"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"\x00" * 64, "进度.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "进度.xls"),
        (bytes(range(256)) * 8, "进度.csv"),
    ],
)
def test_binary_files_are_refused_whatever_their_extension(content, name):
    assert file_error(content, name).problems[0].code == "not_spreadsheet"


def test_other_zip_archives_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert file_error(buffer.getvalue(), "x.xlsx").problems[0].code == "not_spreadsheet"


def test_text_in_neither_utf8_nor_gb18030_is_refused_not_guessed():
    content = "指标编号,报告期,完成值\n".encode() + b"T02-2,2014Q1,\x80\xff\x80\n"
    assert file_error(content, "x.csv").problems[0].code == "bad_encoding"


def test_damaged_utf8_is_refused_instead_of_read_as_gb18030_mojibake():
    good = "指标编号,报告期,完成值,进展情况\nT02-2,2014Q1,3,进展顺利\nT02-2,2014Q2,5,按期推进\n"
    raw = good.encode()
    at = raw.index("按期".encode())
    damaged = raw[:at] + "啊".encode("gb18030") + raw[at:]
    problem = file_error(damaged, "x.csv").problems[0]
    assert (problem.code, problem.row) == ("bad_encoding", 3)


def test_formula_without_a_saved_result_is_an_error_not_a_skipped_row(plan):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["T02-2", "2014Q1", "=1+2"])  # openpyxl saves no cached result
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_progress(buffer.getvalue(), "x.xlsx", plan)
    [problem] = report.errors
    assert (problem.code, problem.row, problem.column) == ("value_missing", 2, "完成值")
    assert "公式" in problem.message_zh and "formula" in problem.message_en
    saved = rebuilt_xlsx(  # the same cell as Excel saves it, with its result
        buffer.getvalue(),
        {
            "xl/worksheets/sheet1.xml": zipfile.ZipFile(buffer)
            .read("xl/worksheets/sheet1.xml")
            .replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>")
        },
    )
    report = validate_progress(saved, "x.xlsx", plan)
    assert report.ok and list(report.rows["value"]) == [3.0]


def test_csv_renamed_xlsx_is_read_as_csv_with_a_notice(plan):
    content = csv_content([["T02-2", "2014Q1", "3", "", ""]], "gb18030")
    report = validate_progress(content, "进度.xlsx", plan)
    assert report.ok and report.rows.loc[0, "value"] == 3
    assert [w.code for w in report.warnings] == ["extension_mismatch"]


def test_truncated_xlsx_is_refused():
    content = xlsx_content([["T02-2", "2014Q1", 3, "", ""]])
    assert file_error(content[: len(content) // 2], "x.xlsx").problems[0].code == "xlsx_corrupt"


def rebuilt_xlsx(content: bytes, extra: dict[str, bytes]) -> bytes:
    """The workbook with some members replaced or added."""
    source, buffer = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in extra:
                target.writestr(item, source.read(item))
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 51 * 1024 * 1024])
def test_zip_bomb_xlsx_is_refused_before_parsing(size):
    base = xlsx_content([["T02-2", "2014Q1", 3, "", ""]])
    content = rebuilt_xlsx(base, {"xl/media/padding.bin": b"\x00" * size})
    assert len(content) < 200 * 1024
    assert file_error(content, "x.xlsx").problems[0].code == "xlsx_bomb"


def test_xlsx_with_dtd_and_entities_is_refused():
    base = xlsx_content([["T02-2", "2014Q1", 3, "", ""]])
    sheet_xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml").decode()
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    )
    hostile = laughs + sheet_xml.split("?>", 1)[-1]
    content = rebuilt_xlsx(base, {"xl/worksheets/sheet1.xml": hostile.encode()})
    problem = file_error(content, "x.xlsx").problems[0]
    assert (problem.code, problem.value) == ("xlsx_dtd", "xl/worksheets/sheet1.xml")


def test_utf16_encoded_dtd_is_refused_too():
    base = xlsx_content([["T02-2", "2014Q1", 3, "", ""]])
    hostile = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    content = rebuilt_xlsx(base, {"docProps/custom.xml": hostile.encode("utf-16")})
    assert file_error(content, "x.xlsx").problems[0].code == "xlsx_dtd"


# --- report, preview and the sample -------------------------------------------------------


def test_report_frames_have_the_documented_columns(plan):
    content = csv_content(
        [["T02-2", "2014Q1", "x", "", ""], ["T02-2", "2014Q2", "2", "", "市编办"]]
    )
    report = validate_progress(content, "x.csv", plan)
    assert list(report.rows.columns) == ROW_COLUMNS
    assert report.rows["value"].dtype == "float64"
    zh, en = report.problems_frame("zh"), report.problems_frame("en")
    assert list(zh.columns) == PROBLEM_COLUMNS
    # row 3: 市编办 answers for no part of T02, and is not T02-2's whole-area reporter
    assert list(zh["row"]) == [2, 3, 3]
    assert list(zh["code"]) == [
        "value_not_numeric",
        "not_whole_area_reporter",
        "reporter_not_responsible",
    ]
    assert list(zh["severity"]) == ["error", "warning", "warning"]
    assert zh.loc[0, "message"].startswith("完成值") and en.loc[0, "message"].startswith("value")
    assert not report.ok and len(report.errors) == 1 and len(report.warnings) == 2


def test_import_preview_marks_new_changed_and_unchanged(plan):
    stored = stored_frame([("T02-2", "2014Q1", 3.0), ("T02-2", "2014Q2", 5.0)])
    rows = [["T02-2", "2014Q1", "3", "", ""], ["T02-2", "2014Q2", "6", "", ""]]
    rows.append(["T02-2", "2014Q3", "7", "", ""])
    report = validate_progress(csv_content(rows), "x.csv", plan, stored)
    preview = import_preview(plan, report, stored)
    expected = pd.DataFrame(
        {
            "indicator_id": ["T02-2"] * 3,
            "period": ["2014Q1", "2014Q2", "2014Q3"],
            "reporter": [""] * 3,
            "role": ["headline"] * 3,
            "old_value": [3.0, 5.0, float("nan")],
            "old_reporter": [""] * 3,
            "new_value": [3.0, 6.0, 7.0],
            "change": ["unchanged", "changed", "new"],
        }
    )
    assert list(preview.columns) == PREVIEW_COLUMNS
    assert_frame_equal(preview, expected, check_dtype=False)
    empty = import_preview(plan, report, stored.iloc[0:0])
    assert list(empty["change"]) == ["new"] * 3


@settings(deadline=None, max_examples=40)
@given(st.integers(min_value=0, max_value=10**12))
def test_any_whole_number_in_full_width_or_grouped_digits_parses(number):
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in str(number))
    grouped = f"{number:,}"
    rows = [["T03-1", "2014Q1", full_width, "", ""], ["T03-1", "2014Q2", f'"{grouped}"', "", ""]]
    report = validate_progress(csv_content(rows), "x.csv", PLAN)
    assert list(report.rows["value"]) == [float(number), float(number)]


def test_bundled_sample_validates_with_no_errors():
    plan = load_plan(REPO / "data" / "tasks_2014.yaml")  # a broken plan fails here
    content = (REPO / "data" / "progress.csv").read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    report = validate_progress(content, "progress.csv", plan)
    assert report.errors == []
    assert set(report.rows["period"]) == {"2014Q1", "2014Q2", "2014Q3"}
    assert report.rows["note"].str.startswith("示例数据").all()
    reported = set(report.rows["indicator_id"])
    assert 0 < len(set(plan.indicators["indicator_id"]) - reported) <= 3  # one or two never
    values = report.rows.sort_values(["indicator_id", "period"]).groupby("indicator_id")["value"]
    assert values.apply(lambda v: v.is_monotonic_increasing).all()
