"""A 督办回复表 read back: the form the office sends, filled in with openpyxl as a unit would
(or saved as CSV), read by read_reply_form; every refusal with its code, row and column."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib.ingest.replies import read_reply_form
from lib.output.notices import reply_form_bytes
from lib.plan.loader import load_plan

REAL_PLAN = Path(__file__).resolve().parents[3] / "data" / "tasks_2014.yaml"
NOTICE = 7
# the at-risk list the form is made from: rows 2 to 5 of its 回复 sheet
AT_RISK = pd.DataFrame(
    {
        "indicator_id": ["T01-3", "T01-2", "T01-4", "T01-1"],
        "name": ["乡镇(街道)网上办事站建成", "行政审批事项减少比例", "网上办事点数", "权责清单"],
        "reason_zh": ["已逾期（时限 2014-06-30）", "落后预期 50 个百分点", "本期未报送", "落后"],
    }
)
CSV_HEADER = "督办单编号,指标编号,指标名称,情况,原因分析,整改措施,预计完成时间"


@pytest.fixture(scope="module")
def form() -> bytes:
    plan = load_plan(REAL_PLAN)
    return reply_form_bytes(
        plan, unit="市编办", period="2014Q3", indicators=AT_RISK, notice_id=NOTICE
    )


def _filled(form: bytes, cells: dict[str, object]) -> bytes:
    """The form with `cells` ({"E2": "...", ...}) written, as a unit saves it in Excel."""
    workbook = load_workbook(io.BytesIO(form))
    sheet = workbook["回复"]
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _codes(read) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.row, p.column) for p in read.problems]


def test_a_filled_form_reads_back_as_one_reply_per_row_filled(form):
    content = _filled(
        form,
        {
            "E2": "试点方案待省批复",
            "F2": "主动对接省编办，争取10月底前批复",
            "G2": datetime(2014, 11, 30),  # an Excel date cell
            "E4": "部分镇街网络未通",
            "F4": "协调电信部门\n限期开通",
            "G4": "2014年12月31日",
        },
    )
    read = read_reply_form(content, "督办回复表_市编办_2014Q3.xlsx")

    assert read.problems == []
    assert read.storable
    assert read.rows.to_dict("records") == [
        {
            "row": 2,
            "notice_id": NOTICE,
            "indicator_id": "T01-3",
            "reason": "试点方案待省批复",
            "measures": "主动对接省编办，争取10月底前批复",
            "expected_by": date(2014, 11, 30),
        },
        {
            "row": 4,
            "notice_id": NOTICE,
            "indicator_id": "T01-4",
            "reason": "部分镇街网络未通",
            "measures": "协调电信部门\n限期开通",
            "expected_by": date(2014, 12, 31),
        },
    ]
    assert read.rows["notice_id"].dtype == "int64"


def test_an_untouched_form_is_no_reply(form):
    read = read_reply_form(form, "form.xlsx")

    assert _codes(read) == [("reply_empty", None, None)]
    assert read.rows.empty
    assert not read.storable


def test_a_reply_without_its_reason_or_measures_is_incomplete(form):
    content = _filled(form, {"E2": "原因", "G3": "2014-12-31", "F5": "措施"})
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [
        ("reply_incomplete", 2, "整改措施"),
        ("reply_incomplete", 3, "原因分析"),
        ("reply_incomplete", 3, "整改措施"),
        ("reply_incomplete", 5, "原因分析"),
    ]
    assert read.rows.empty
    assert not read.storable


@pytest.mark.parametrize(
    "written",
    ["2014-12-31", "2014/12/31", "2014年12月31日", "2014.12.31", "2014/12/31 0:00",
     "２０１４－１２－３１", datetime(2014, 12, 31), date(2014, 12, 31),
     42004],  # a serial number in the form's date cell: Excel shows it as 2014-12-31
)  # fmt: skip
def test_the_expected_date_may_be_written_as_offices_write_it(form, written):
    content = _filled(form, {"E3": "原因", "F3": "措施", "G3": written})
    read = read_reply_form(content, "form.xlsx")

    assert read.problems == []
    assert read.rows["expected_by"].tolist() == [date(2014, 12, 31)]


def test_the_expected_date_may_be_left_empty(form):
    read = read_reply_form(_filled(form, {"E3": "原因", "F3": "措施"}), "form.xlsx")

    assert read.problems == []
    assert read.rows["expected_by"].tolist() == [None]


@pytest.mark.parametrize("written", ["年底前", "2014-02-30", "2014年12月", "12/31/2014", "42004"])
def test_an_expected_date_that_is_no_day_is_refused(form, written):
    content = _filled(form, {"E3": "原因", "F3": "措施", "G3": written})
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [("reply_bad_date", 3, "预计完成时间")]
    assert read.problems[0].value == str(written)
    assert read.rows.empty


def test_a_notice_number_that_is_no_whole_number_is_refused(form):
    content = _filled(
        form,
        {"A2": "七", "E2": "原因", "F2": "措施", "A3": 7.5, "E3": "原因", "F3": "措施"},
    )
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [
        ("reply_bad_notice_id", 2, "督办单编号"),
        ("reply_bad_notice_id", 3, "督办单编号"),
    ]
    assert [p.value for p in read.problems] == ["七", "7.5"]


def test_every_problem_of_the_form_is_reported_not_only_the_first(form):
    content = _filled(
        form,
        {
            "E2": "原因", "F2": "措施", "G2": "2014-12-31",  # fine: still not stored
            "E3": "原因",  # no measures
            "E4": "原因", "F4": "措施", "G4": "下月",  # no date
            "B5": None, "E5": "原因", "F5": "措施",  # no indicator
        },
    )  # fmt: skip
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [
        ("reply_incomplete", 3, "整改措施"),
        ("reply_bad_date", 4, "预计完成时间"),
        ("reply_no_indicator", 5, "指标编号"),
    ]
    assert read.rows["row"].tolist() == [2]
    assert not read.storable


def test_two_replies_to_one_indicator_are_refused(form):
    content = _filled(
        form,
        {"E2": "原因", "F2": "措施", "B3": "t01-3", "E3": "另一原因", "F3": "另一措施"},
    )
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [("reply_duplicate", 3, "指标编号")]
    assert read.problems[0].value == "T01-3"


def test_a_form_without_a_reply_column_names_it(form):
    content = _filled(form, {"F1": "备注", "E2": "原因", "F2": "措施"})
    read = read_reply_form(content, "form.xlsx")

    assert _codes(read) == [("reply_missing_columns", 1, "整改措施")]
    assert read.rows.empty


def test_a_reason_longer_than_a_paragraph_is_refused(form):
    read = read_reply_form(_filled(form, {"E2": "长" * 2001, "F2": "措施"}), "form.xlsx")

    assert _codes(read) == [("reply_too_long", 2, "原因分析")]


def test_a_csv_saved_by_chinese_excel_is_read_in_gb18030():
    text = "\r\n".join(
        [
            CSV_HEADER,
            "7,T01-2,行政审批事项减少比例,落后预期 50 个百分点,审批事项清理滞后，涉及省级事权,"
            "对照省目录逐项清理,2014/12/31",
            "7,T01-4,网上办事点数,本期未报送,,,",
        ]
    )
    read = read_reply_form(text.encode("gb18030"), "回复.csv")

    assert read.problems == []
    assert read.rows.to_dict("records") == [
        {
            "row": 2,
            "notice_id": 7,
            "indicator_id": "T01-2",
            "reason": "审批事项清理滞后，涉及省级事权",
            "measures": "对照省目录逐项清理",
            "expected_by": date(2014, 12, 31),
        }
    ]


def test_a_bare_number_in_a_csv_is_no_date():
    text = f"{CSV_HEADER}\n7,T01-2,名称,情况,原因,措施,42004\n"
    read = read_reply_form(text.encode("utf-8"), "reply.csv")

    assert _codes(read) == [("reply_bad_date", 2, "预计完成时间")]


def test_a_csv_with_a_title_row_english_headings_and_a_bom_is_read():
    text = "\n".join(
        [
            "督办回复表",
            "notice,indicator_id,reason,measures,expected_by",
            "7,T01-2,原因,措施,2014-11-30",
        ]
    )
    read = read_reply_form(text.encode("utf-8-sig"), "reply.xlsx")

    assert read.rows[["row", "indicator_id"]].to_dict("records") == [
        {"row": 3, "indicator_id": "T01-2"}
    ]
    # named like a workbook, read as the CSV it is: said, not refused
    assert _codes(read) == [("extension_mismatch", None, None)]
    assert read.problems[0].severity == "warning"
    assert read.storable


def test_a_file_that_is_no_spreadsheet_is_refused_as_a_problem():
    read = read_reply_form(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "reply.xlsx")

    assert [p.code for p in read.problems] == ["not_spreadsheet"]
    assert read.rows.empty and not read.storable


def test_a_workbook_without_the_reply_headings_names_every_missing_column():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["指标编号", "完成值"])
    workbook.active.append(["T01-2", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_reply_form(buffer.getvalue(), "x.xlsx")

    assert [(p.code, p.column) for p in read.problems] == [
        ("reply_missing_columns", "督办单编号"),
        ("reply_missing_columns", "原因分析"),
        ("reply_missing_columns", "整改措施"),
        ("reply_missing_columns", "预计完成时间"),
    ]
