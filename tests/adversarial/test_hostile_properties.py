"""Property-based: whatever bytes or cells arrive, the reader returns a report or raises
the project's own error (a UserInputError subclass), never anything else."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from adversarial_support import HEADER, csv_content, valid_rows, xlsx_content
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lib.core.errors import UserInputError
from lib.ingest.report import ValidationReport, validate_progress

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NAMES = st.sampled_from(["进度.csv", "进度.xlsx", "progress", "x.xls"])
# Characters that matter to the reader, mixed into otherwise arbitrary text.
TRICKY = list("=+-@\t\r\n\"',;%.eE0123456789TQ年第季度一二三四Ｔ０１－\u200b\u3000\xa0\ufeff\x00")
CELL_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=40
)


def report_or_own_error(content: bytes, name: str, plan) -> None:
    try:
        result = validate_progress(content, name, plan)
    except UserInputError as exc:
        assert exc.problems, "a UserInputError must say what is wrong"
        return
    assert isinstance(result, ValidationReport)


@SETTINGS
@given(content=st.binary(max_size=4096), name=NAMES)
def test_arbitrary_bytes(plan, content, name):
    report_or_own_error(content, name, plan)


@SETTINGS
@given(
    prefix=st.sampled_from([b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0"]),
    rest=st.binary(max_size=2048),
)
def test_arbitrary_bytes_behind_magic_numbers(plan, prefix, rest):
    report_or_own_error(prefix + rest, "x.xlsx", plan)


@pytest.fixture(scope="module")
def good_xlsx(plan) -> bytes:
    """Built once: openpyxl stamps the time into every file, and examples must replay."""
    return xlsx_content([("进度", [HEADER, *valid_rows(plan, 5)], "visible")])


@SETTINGS
@given(data=st.data())
def test_damaged_workbooks(plan, good_xlsx, data):
    content = bytearray(good_xlsx)
    for _ in range(data.draw(st.integers(1, 6))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(1, len(content)))]
    report_or_own_error(bytes(content), "damaged.xlsx", plan)


PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]


@SETTINGS
@given(data=st.data())
def test_workbooks_with_arbitrary_xml_parts(plan, good_xlsx, data):
    part = data.draw(st.sampled_from(PARTS))
    xml = data.draw(st.binary(max_size=512) | st.text(max_size=200).map(str.encode))
    prefix = data.draw(st.sampled_from([b"", b"<worksheet><sheetData>", b"<?xml version='1.0'?>"]))
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(good_xlsx))
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == part:
                body = prefix + xml
            target.writestr(info.filename, body)
    report_or_own_error(out.getvalue(), "odd.xlsx", plan)


ROWS = st.lists(st.lists(CELL_TEXT, min_size=5, max_size=6), max_size=25)


@SETTINGS
@given(rows=ROWS, encoding=st.sampled_from(["utf-8-sig", "utf-8", "gb18030", "utf-16"]))
def test_arbitrary_cell_strings_in_csv(plan, rows, encoding):
    try:
        content = csv_content(rows, encoding=encoding)
    except UnicodeEncodeError:
        content = csv_content(rows)  # gb18030 covers all of Unicode, but surrogates do not
    report_or_own_error(content, "cells.csv", plan)


XLSX_CELL = st.one_of(
    CELL_TEXT.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.booleans(),
    st.none(),
)


@SETTINGS
@given(rows=st.lists(st.lists(XLSX_CELL, min_size=5, max_size=6), max_size=15))
def test_arbitrary_cell_values_in_xlsx(plan, rows):
    content = xlsx_content([("进度", [HEADER, *rows], "visible")])
    report_or_own_error(content, "cells.xlsx", plan)
