"""Hostile and broken files: each is refused with a clear bilingual message, store unchanged.

Every case goes through `attempt_import` (validate against the store, import if clean), then
checks the code of the message a person sees and that the store holds exactly what it held
before (current values, ledger, stored figures, data version, PRAGMA integrity_check). Cases
where the file is legitimately readable (a CSV named .xlsx, a hidden first sheet) check what
was read instead.
"""

from __future__ import annotations

import codecs
import io
import random
import struct
import tomllib
import zipfile
from datetime import date, datetime

import pytest
from adversarial_support import (
    HEADER,
    assert_clear,
    attempt_import,
    csv_content,
    forged_size,
    rewritten_zip,
    valid_rows,
    xlsx_content,
)

from lib.ingest.limits import MAX_FILE_BYTES
from lib.services.settings import REPO_ROOT
from tests.support import stored_figures

SHEET = "xl/worksheets/sheet1.xml"


def refused(store, snapshot, plan, content, name, code, *, kind="unreadable", sheet=None):
    """Attempt the upload; assert it was refused with `code` and nothing was stored."""
    outcome = attempt_import(store, plan, content, name, sheet=sheet)
    assert outcome.kind == kind, [str(p) for p in outcome.problems]
    found = assert_clear(outcome.problems, code)
    snapshot.assert_same(store)
    return found


def good_xlsx(plan, rows=None) -> bytes:
    return xlsx_content([("进度", [HEADER, *(rows or valid_rows(plan, 3))], "visible")])


# --- size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "name"),
    [(b"\xef\xbb\xbf" + ",".join(HEADER).encode(), "big.csv"), (b"PK\x03\x04", "big.xlsx")],
    ids=["csv", "xlsx"],
)
def test_file_over_the_size_limit_is_refused_before_parsing(store, snapshot, plan, prefix, name):
    content = prefix + b"\r\n" + b"x" * (MAX_FILE_BYTES + 1 - len(prefix) - 2)
    assert len(content) == MAX_FILE_BYTES + 1
    (problem,) = refused(store, snapshot, plan, content, name, "file_too_large")
    assert "20 MB" in problem.message_en


def test_file_at_the_size_limit_is_not_refused_for_size(store, snapshot, plan):
    content = b"a" * MAX_FILE_BYTES
    outcome = attempt_import(store, plan, content, "limit.csv")
    assert "file_too_large" not in [p.code for p in outcome.problems]
    assert outcome.kind != "imported"
    snapshot.assert_same(store)


def test_streamlit_refuses_uploads_the_reader_would_refuse():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 <= MAX_FILE_BYTES
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] in (False, "none")


# --- not a spreadsheet --------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(64)
BINARIES = {
    "png": (PNG, "not_spreadsheet"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "not_spreadsheet"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_spreadsheet"),
    "gif": (b"GIF89a\x01\x00\x01\x00" + bytes(32), "not_spreadsheet"),
    "gzip": (b"\x1f\x8b\x08\x00" + bytes(32), "not_spreadsheet"),
    "elf": (b"\x7fELF\x02\x01\x01" + bytes(120), "not_spreadsheet"),
    "xls_ole2": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "not_spreadsheet"),
    "random": (random.Random(7).randbytes(4096), None),  # not text: either code is clear
}


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx", "report"])
@pytest.mark.parametrize("kind", list(BINARIES))
def test_binary_file_under_a_spreadsheet_name_is_refused(store, snapshot, plan, kind, name):
    content, code = BINARIES[kind]
    outcome = attempt_import(store, plan, content, name)
    assert outcome.kind == "unreadable"
    codes = [p.code for p in outcome.problems]
    expected = {code} if code else {"not_spreadsheet", "bad_encoding"}
    assert set(codes) & expected, codes
    assert_clear(outcome.problems, codes[0])
    snapshot.assert_same(store)


def test_word_document_renamed_xlsx_is_refused(store, snapshot, plan):
    docx = rewritten_zip(
        good_xlsx(plan), lambda n, d: (n.replace("xl/", "word/"), d)
    )  # a zip without xl/workbook.xml
    refused(store, snapshot, plan, docx, "report.xlsx", "not_spreadsheet")


def test_xlsb_renamed_xlsx_is_refused(store, snapshot, plan):
    xlsb = rewritten_zip(
        good_xlsx(plan),
        lambda n, d: (n.replace("workbook.xml", "workbook.bin"), d),
    )
    refused(store, snapshot, plan, xlsb, "report.xlsx", "not_spreadsheet")


def test_csv_renamed_xlsx_is_read_as_csv_with_a_warning(store, plan):
    content = csv_content(valid_rows(plan, 4))
    outcome = attempt_import(store, plan, content, "进度.xlsx")
    assert outcome.kind == "imported"
    assert_clear(outcome.problems, "extension_mismatch")
    assert len(outcome.report.rows) == 4


# --- empty --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \r\n\r\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"\r\n",
        b"\x00" * 16,
        b",,,,\r\n,,,,",
    ],
    ids=["zero-bytes", "blank-lines", "bom-only", "bom-newline", "nul-bytes", "only-commas"],
)
def test_empty_file_is_refused(store, snapshot, plan, content):
    outcome = attempt_import(store, plan, content, "empty.csv")
    assert outcome.kind == "unreadable"
    assert_clear(outcome.problems, outcome.problems[0].code)
    assert outcome.problems[0].code in {"empty_file", "missing_columns", "not_spreadsheet"}
    snapshot.assert_same(store)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_file_is_refused_as_having_no_data(store, snapshot, plan, fmt):
    content = csv_content([]) if fmt == "csv" else xlsx_content([("进度", [HEADER], "visible")])
    refused(store, snapshot, plan, content, f"header.{fmt}", "no_data_rows", kind="refused")


def test_empty_workbook_is_refused(store, snapshot, plan):
    content = xlsx_content([("空", [], "visible")])
    refused(store, snapshot, plan, content, "empty.xlsx", "empty_file")


# --- broken and hostile workbooks ---------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
def test_truncated_xlsx_is_refused(store, snapshot, plan, fraction):
    content = good_xlsx(plan)
    truncated = content[: int(len(content) * fraction)]
    refused(store, snapshot, plan, truncated, "cut.xlsx", "xlsx_corrupt")


def test_xlsx_with_a_damaged_compressed_sheet_is_refused(store, snapshot, plan):
    content = bytearray(good_xlsx(plan))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    content[start + 5] ^= 0xFF
    refused(store, snapshot, plan, bytes(content), "damaged.xlsx", "xlsx_corrupt")


def test_zip_bomb_over_the_uncompressed_limit_is_refused(store, snapshot, plan):
    bomb = rewritten_zip(good_xlsx(plan), extra=[("xl/media/pad.bin", bytes(60_000_000))])
    assert len(bomb) < 200_000
    refused(store, snapshot, plan, bomb, "bomb.xlsx", "xlsx_bomb")


def with_padded_sheet(name: str, data: bytes) -> tuple[str, bytes]:
    """A `rewritten_zip` transform: 5 MB of spaces into the sheet, which compress to almost
    nothing."""
    if name == SHEET:
        data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 5_000_000)
    return name, data


def test_zip_bomb_with_an_extreme_compression_ratio_is_refused(store, snapshot, plan):
    bomb = rewritten_zip(good_xlsx(plan), with_padded_sheet)
    refused(store, snapshot, plan, bomb, "ratio.xlsx", "xlsx_bomb")


def test_zip_bomb_lying_about_its_sizes_is_refused(store, snapshot, plan):
    liar = forged_size(rewritten_zip(good_xlsx(plan), with_padded_sheet), SHEET, 2000)
    refused(store, snapshot, plan, liar, "liar.xlsx", "xlsx_corrupt")


def _patched_zip(content: bytes, field: str) -> bytes:
    """A workbook whose zip headers say something a reader must refuse, not crash on."""
    patched = bytearray(content)
    eocd = patched.rfind(b"PK\x05\x06")
    central = struct.unpack_from("<I", patched, eocd + 16)[0]
    if field == "encrypted":  # general-purpose flag bit 0 of the first member
        patched[central + 8] |= 0x01
    elif field == "version":  # "version needed to extract" 8.6, newer than zipfile knows
        patched[central + 6] = 86
    elif field == "directory-offset":  # central directory said to start 256 MB further on
        struct.pack_into("<I", patched, eocd + 16, central + 0x10000000)
    return bytes(patched)


@pytest.mark.parametrize("field", ["encrypted", "version", "directory-offset"])
def test_xlsx_with_unreadable_zip_headers_is_refused(store, snapshot, plan, field):
    hostile = _patched_zip(good_xlsx(plan), field)
    refused(store, snapshot, plan, hostile, "headers.xlsx", "xlsx_corrupt")


XML_PARTS = [
    "xl/workbook.xml",
    "xl/styles.xml",
    "[Content_Types].xml",
    "xl/_rels/workbook.xml.rels",
    "docProps/core.xml",
]


@pytest.mark.parametrize("member", XML_PARTS)
def test_xlsx_with_a_malformed_xml_part_is_refused(store, snapshot, plan, member):
    hostile = rewritten_zip(good_xlsx(plan), lambda n, d: (n, b"<a>" if n == member else d))
    refused(store, snapshot, plan, hostile, "malformed.xlsx", "xlsx_corrupt")


LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _with_prolog(member: str, prolog: bytes, reference: bytes, encoding: str = "utf-8"):
    def transform(name, data):
        if name != member:
            return name, data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        body = body.replace(b"<sheetData>", b"<sheetData>" + reference, 1)
        text = (prolog + body).decode("utf-8")
        if encoding != "utf-8":
            text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
        return name, text.encode(encoding)

    return transform


@pytest.mark.parametrize(
    ("member", "prolog", "encoding"),
    [
        (SHEET, LAUGHS, "utf-8"),
        ("xl/workbook.xml", XXE, "utf-8"),
        ("[Content_Types].xml", LAUGHS, "utf-8"),
        (SHEET, LAUGHS, "utf-16"),
    ],
    ids=["billion-laughs-sheet", "xxe-workbook", "laughs-content-types", "laughs-utf16"],
)
def test_xlsx_with_dtd_or_entities_is_refused(store, snapshot, plan, member, prolog, encoding):
    hostile = rewritten_zip(good_xlsx(plan), _with_prolog(member, prolog, b"", encoding))
    (problem,) = refused(store, snapshot, plan, hostile, "laughs.xlsx", "xlsx_dtd")
    assert problem.value == member


def test_dtd_in_a_sheet_part_not_named_xml_is_still_refused(store, snapshot, plan):
    def renamed(name, data):
        if name == SHEET:
            return "xl/worksheets/sheet1.dat", _with_prolog(SHEET, LAUGHS, b"")(name, data)[1]
        if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            return name, data.replace(b"sheet1.xml", b"sheet1.dat")
        return name, data

    hostile = rewritten_zip(good_xlsx(plan), renamed)
    outcome = attempt_import(store, plan, hostile, "hidden-dtd.xlsx")
    assert outcome.kind == "unreadable"
    assert {p.code for p in outcome.problems} & {"xlsx_dtd", "xlsx_corrupt"}
    assert_clear(outcome.problems, outcome.problems[0].code)
    snapshot.assert_same(store)


# --- sheets -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_first_visible_sheet_is_read_not_a_hidden_one(store, plan, state):
    junk = [HEADER, ["T01-1", "2014Q4", "99999", "隐藏表的内容", ""]]
    content = xlsx_content(
        [("隐藏", junk, state), ("说明", [["请填写下一页"]], "hidden"),
         ("进度", [HEADER, *valid_rows(plan, 3)], "visible")]
    )  # fmt: skip
    outcome = attempt_import(store, plan, content, "hidden.xlsx")
    assert outcome.kind == "imported", [str(p) for p in outcome.problems]
    assert outcome.report.sheet == "进度"
    stored = stored_figures(store.path)
    mine = stored[stored["upload_id"] == outcome.upload_id]
    assert "隐藏表的内容" not in set(mine["note"])
    assert len(mine) == 3


def test_the_data_sheet_is_found_by_its_content_and_a_named_sheet_wins(store, plan):
    rows = valid_rows(plan, 2)
    content = xlsx_content(
        [
            ("填报说明", [["说明文字"]], "visible"),  # no header: passed over
            ("数据", [HEADER, *rows[:1]], "visible"),
            ("数据二", [HEADER, *rows[1:]], "visible"),
        ]
    )
    first = attempt_import(store, plan, content, "three.xlsx")
    assert first.kind == "imported" and first.report.sheet == "数据"
    assert first.report.sheets == ("数据", "数据二")
    snapshot_rows = len(store.current_values())
    other = xlsx_content([("数据二", [HEADER, *rows[1:]], "visible"), ("空", [], "visible")])
    chosen = attempt_import(store, plan, other, "other.xlsx", sheet="数据二")
    assert chosen.kind == "imported" and chosen.report.sheet == "数据二"
    assert len(store.current_values()) == snapshot_rows + 1


def test_designated_sheet_that_does_not_exist_names_the_sheets(store, snapshot, plan):
    content = xlsx_content([("甲", [HEADER], "visible"), ("乙", [HEADER], "hidden")])
    (problem,) = refused(store, snapshot, plan, content, "x.xlsx", "sheet_not_found", sheet="丙")
    assert "甲" in problem.message_zh and "乙" in problem.message_zh


# --- text encodings -----------------------------------------------------------------------


def _with_stray_bytes(text: str, encoding: str, stray: bytes) -> bytes:
    raw = text.encode(encoding)
    middle = raw.index("按期".encode(encoding.removesuffix("-sig")))
    return raw[:middle] + stray + raw[middle:]


NOTES_TEXT = (
    "指标编号,报告期,完成值,进展情况\r\nT01-1,2014Q4,100,进展顺利\r\nT01-2,2014Q4,40,按期推进\r\n"
)


@pytest.mark.parametrize(
    ("encoding", "stray"),
    [
        ("gb18030", b"\xff"),
        ("gb18030", b"\x81\x20"),
        ("gb18030", b"\x80"),
        ("utf-8", b"\xff"),
        ("utf-8", b"\xc3"),
        ("utf-8-sig", b"\xe5\xb8"),
    ],
)
def test_invalid_bytes_mid_file_are_an_error_not_mojibake(store, snapshot, plan, encoding, stray):
    content = _with_stray_bytes(NOTES_TEXT, encoding, stray)
    refused(store, snapshot, plan, content, "stray.csv", "bad_encoding")


def test_utf8_file_with_a_stray_gbk_pair_is_not_imported_as_mojibake(store, snapshot, plan):
    text = NOTES_TEXT.replace("指标编号,报告期,完成值,进展情况", "indicator_id,period,value,note")
    content = _with_stray_bytes(text, "utf-8", "啊".encode("gb18030"))
    refused(store, snapshot, plan, content, "stray.csv", "bad_encoding")


def test_gbk_file_from_excel_is_read_correctly(store, plan):
    content = NOTES_TEXT.encode("gb18030")
    outcome = attempt_import(store, plan, content, "excel-gbk.csv")
    assert outcome.kind == "imported"
    assert list(outcome.report.rows["note"]) == ["进展顺利", "按期推进"]


# --- formulas and dates -------------------------------------------------------------------


def test_formula_value_without_cached_result_is_an_error_in_its_cell(store, snapshot, plan):
    rows = [HEADER, ["T01-1", "2014Q4", "=SUM(40,60)", "公式", ""], *valid_rows(plan, 2)[1:]]
    content = xlsx_content([("进度", rows, "visible")])
    (problem,) = refused(store, snapshot, plan, content, "f.xlsx", "value_missing", kind="refused")
    assert (problem.row, problem.column) == (2, "完成值")
    assert "公式" in problem.message_zh and "formula" in problem.message_en


def test_formula_only_row_is_not_skipped_silently(store, snapshot, plan):
    rows = [HEADER, *valid_rows(plan, 1), ["T01-2", "2014Q4", "=20*2", "", ""]]
    content = xlsx_content([("进度", rows, "visible")])
    outcome = attempt_import(store, plan, content, "f.xlsx")
    assert outcome.kind == "refused"
    (problem,) = [p for p in outcome.problems if p.row == 3 and p.severity == "error"]
    assert problem.column == "完成值" and "formula" in problem.message_en
    snapshot.assert_same(store)


def _date_formatted(workbook):
    workbook.active["B2"].number_format = "yyyy-mm-dd"


@pytest.mark.parametrize(
    ("cell", "edit", "period"),
    [
        (datetime(2014, 12, 31), None, "2014Q4"),
        (date(2014, 9, 30), None, "2014Q3"),
        (41729, _date_formatted, "2014Q1"),  # a serial with a date format: 2014-03-31
        ("2014-12-31", None, "2014Q4"),
        ("2014-06-30 00:00:00", None, "2014Q2"),
    ],
    ids=["datetime", "date", "serial-date-format", "iso-text", "iso-datetime-text"],
)
def test_a_quarters_last_day_in_the_period_column_is_that_quarter(store, plan, cell, edit, period):
    rows = [HEADER, ["T01-1", cell, "100", "日期", ""]]
    content = xlsx_content([("进度", rows, "visible")], edit=edit)
    outcome = attempt_import(store, plan, content, "d.xlsx")
    assert outcome.kind == "imported", [str(p) for p in outcome.problems]
    stored = stored_figures(store.path)
    mine = stored[stored["upload_id"] == outcome.upload_id]
    assert list(zip(mine["indicator_id"], mine["period"], mine["value"], strict=True)) == [
        ("T01-1", period, 100.0)
    ]


@pytest.mark.parametrize(
    ("cell", "edit", "shown"),
    [
        (datetime(2014, 6, 15), None, "2014-06-15"),
        (date(2014, 7, 1), None, "2014-07-01"),
        (41790, _date_formatted, "2014-05-31"),  # a serial with a date format
        (41729, None, "41729"),  # a bare serial
        ("2014-12-30", None, "2014-12-30"),
    ],
    ids=["datetime", "date", "serial-date-format", "serial-general", "iso-text"],
)
def test_other_dates_in_the_period_column_are_an_error_per_cell(
    store, snapshot, plan, cell, edit, shown
):
    rows = [HEADER, ["T01-1", cell, "100", "日期", ""]]
    content = xlsx_content([("进度", rows, "visible")], edit=edit)
    (problem,) = refused(store, snapshot, plan, content, "d.xlsx", "bad_period", kind="refused")
    assert (problem.row, problem.column, problem.value) == (2, "报告期", shown)
    assert "2014Q2" in problem.message_en
