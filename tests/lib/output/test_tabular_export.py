"""Safe CSV/XLSX writers: formula-looking text is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pandas.testing import assert_frame_equal

from lib.output.tabular_export import FORMULA_PREFIXES, csv_bytes, escape_formula, xlsx_bytes


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "note": ['=HYPERLINK("http://x","点我")', "+1", "-1+2", "@SUM(A1)", "\tx", "正常"],
            "value": [-12.5, 1.0, np.nan, 3.25, 0.0, 1e6],
            "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "=header": ["a", "b", "c", "d", "\rx", "f"],
        }
    )


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_starting_with_a_formula_character_gets_a_quote(prefix):
    assert escape_formula(prefix + "1+1") == "'" + prefix + "1+1"


@pytest.mark.parametrize("text", ["正常文本", "1-2", "a=b", "", "'已转义", " =1"])
def test_ordinary_text_is_unchanged(text):
    assert escape_formula(text) == text


@given(st.text())
def test_escaped_text_never_starts_a_formula_and_keeps_the_original(text):
    escaped = escape_formula(text)
    assert not escaped.startswith(FORMULA_PREFIXES)
    assert escaped in (text, "'" + text)


def test_csv_is_utf8_with_bom_and_escapes_text_only():
    frame = hostile_frame()
    before = frame.copy()
    content = csv_bytes(frame)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["note", "value", "count", "'=header"]
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x","点我")',
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\tx",
        "正常",
    ]
    assert [r[1] for r in rows[1:]] == ["-12.5", "1.0", "", "3.25", "0.0", "1000000.0"]
    assert [r[2] for r in rows[1:]] == ["1", "", "3", "4", "5", "6"]
    assert rows[5][3] == "'\rx"
    assert_frame_equal(frame, before)  # the caller's frame is not touched


def test_xlsx_escapes_text_keeps_numbers_and_blanks_missing():
    frame = hostile_frame()
    workbook = load_workbook(io.BytesIO(xlsx_bytes({"报告": frame})))
    sheet = workbook["报告"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("note", "value", "count", "'=header")
    assert rows[1][0] == '\'=HYPERLINK("http://x","点我")'
    assert sheet["A2"].data_type == "s"  # stored as text, never as a formula
    assert [r[1] for r in rows[1:]] == [-12.5, 1, None, 3.25, 0, 1000000]
    assert sheet["B2"].data_type == "n"
    assert [r[2] for r in rows[1:]] == [1, None, 3, 4, 5, 6]
    assert sheet.freeze_panes == "A2"


def test_xlsx_handles_dates_tuples_and_awkward_sheet_names():
    frame = pd.DataFrame(
        {
            "when": [pd.Timestamp("2014-10-15 08:00", tz="UTC"), pd.NaT],
            "units": [("市编办", "市林业局"), ()],
            "flag": [True, False],
        }
    )
    content = xlsx_bytes({"a/b:c?": frame, "a_b_c_": frame, "": frame.iloc[0:0]})
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["a_b_c_", "a_b_c__2", "Sheet"]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0].isoformat() == "2014-10-15T08:00:00"
    assert rows[1][1] == "市编办、市林业局"
    assert rows[1][2] is True and rows[2][0] is None
    assert list(workbook.worksheets[2].iter_rows(values_only=True)) == [("when", "units", "flag")]


def test_control_characters_that_break_xlsx_are_dropped():
    frame = pd.DataFrame({"note": ["正常\x01\x0b进展"]})
    sheet = load_workbook(io.BytesIO(xlsx_bytes({"x": frame}))).active
    assert sheet["A2"].value == "正常进展"
