"""Quarterly progress files: read an uploaded CSV/XLSX safely, then check every cell.

`read_table` owns the bytes: it decides the real file type from the content (never the
extension), decodes CSV as BOM -> UTF-8 -> GB18030 (never latin-1), refuses binary files, zip
bombs and XML with DTD/ENTITY declarations, finds the header row below any title rows and
returns every cell as text. `validate_progress` owns the meaning: it normalises cells
(NFKC, stray and zero-width spaces), checks each row against the plan and the stored
figures, and returns a `ValidationReport` listing every problem at once, located by the row
number Excel shows and the column heading the user wrote. `import_preview` shows what an
import would change. Nothing here touches the store or the file system.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Literal, NoReturn
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from defusedxml.ElementTree import iterparse

from lib.core.collector import collector_paused
from lib.core.errors import Problem, ProgressFileError
from lib.core.labels import INPUT_HEADINGS, MILESTONE_WORDS
from lib.core.periods import parse_period, periods_between
from lib.core.text import CONTROL, clean_id, clean_text, compact_text
from lib.plan.catalog import Plan, resolve_unit

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_DATA_ROWS = 50_000
# An administrator's bulk load from the command line (a province's quarters at once) is
# read under larger limits; every other check is the same.
BULK_MAX_FILE_BYTES = 1024 * 1024 * 1024
BULK_MAX_DATA_ROWS = 5_000_000
HEADER_SEARCH_ROWS = 20
HEAD_PREFIX_CHARS = 1 << 20  # where the header row is looked for first (see _head_records)
DENSE_MAX_CELLS = 2_000_000  # indicators x periods worked on as a grid (_maybe_decreasing)
HEAD_PREFIX_BYTES = 4 * HEAD_PREFIX_CHARS  # a big file's start decoded alone (_big_utf8_table)
CSV_DELIMITERS = (",", "\t", ";")

REQUIRED_COLUMNS = ("indicator_id", "period", "value")
INPUT_COLUMNS = ("indicator_id", "period", "value", "note", "reporter")

ROW_COLUMNS = ["row", "indicator_id", "period", "value", "note", "reporter", "reporter_raw"]
PROBLEM_COLUMNS = ["row", "column", "value", "code", "severity", "message"]
PREVIEW_COLUMNS = ["indicator_id", "period", "old_value", "new_value", "change"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NOT_BLANK_BYTE = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf]")  # not whitespace, NUL or BOM
_NOT_SEPARATOR = re.compile(r"[^ \t\r\n,;\ufeff\u3000]")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_DIGIT_UNIT = re.compile(r"[0-9.]+")
_NOT_FINITE_WORDS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"}
_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"%PDF-", "PDF 文件", "a PDF file"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"\x1f\x8b", "gzip 压缩文件", "a gzip archive"),
    (b"Rar!", "RAR 压缩文件", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩文件", "a 7z archive"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What zipfile, the XML parsers (lxml's XMLSyntaxError and ElementTree's ParseError are both
# SyntaxErrors) and openpyxl raise on a damaged workbook; ProgressFileError is none of these.
_XLSX_FAILURES = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    ParseError,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawTable:
    """The data rows of an upload as text, before any meaning is checked.

    `frame` has a `row` column (the row number Excel shows) and one text column per input
    column found (`indicator_id`, `period`, `value`, and `note`/`reporter` when present;
    absent optional columns are filled with ""). `headers` maps each of those to the heading
    as the user wrote it. `problems` holds warnings about the file itself. `formula_cells`
    lists input cells holding a formula whose result was never saved (they read as "").
    """

    frame: pd.DataFrame
    headers: dict[str, str]
    header_row: int
    file_type: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    problems: tuple[Problem, ...] = ()
    formula_cells: frozenset[tuple[int, str]] = frozenset()  # (row, column) without a result


def read_table(
    content: bytes, file_name: str, sheet: str | None = None, *, bulk: bool = False
) -> RawTable:
    """The upload's data rows as text; raise ProgressFileError if the file cannot be read.

    `bulk` raises the size and row limits to BULK_MAX_FILE_BYTES and BULK_MAX_DATA_ROWS.
    """
    max_bytes, max_rows = (
        (BULK_MAX_FILE_BYTES, BULK_MAX_DATA_ROWS) if bulk else (MAX_FILE_BYTES, MAX_DATA_ROWS)
    )
    if len(content) > max_bytes:
        _fail(
            "file_too_large",
            f"文件过大（{len(content) // 1024} KB），上限为 {max_bytes // 1024 // 1024} MB",
            f"file is too large ({len(content) // 1024} KB); the limit is "
            f"{max_bytes // 1024 // 1024} MB",
        )
    if not _NOT_BLANK_BYTE.search(content):  # (strip() would copy a 50 MB file to say so)
        _fail("empty_file", "文件为空", "the file is empty")
    if _detect_type(content) == "xlsx":
        rows, used_sheet, formulas = _xlsx_rows(content, sheet, max_rows)
        return _table_from_rows(rows, "xlsx", max_rows, sheet=used_sheet, formulas=formulas)
    table = _big_utf8_table(content, max_rows)
    if table is None:
        text, encoding = _decoded_text(content)
        table = _csv_table(text, encoding, max_rows, content)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        notice = Problem(
            "extension_mismatch",
            "文件扩展名是 Excel，但内容是 CSV 文本，已按 CSV 读取",
            "the file name says Excel but the content is CSV text; it was read as CSV",
            severity="warning",
            value=file_name,
        )
        table = replace(table, problems=(*table.problems, notice))
    return table


def _fail(code: str, zh: str, en: str, **where: object) -> NoReturn:
    raise ProgressFileError([Problem(code, zh, en, **where)])  # type: ignore[arg-type]


def _detect_type(content: bytes) -> Literal["xlsx", "text"]:
    """'xlsx' for an Office Open XML workbook, 'text' for anything that may be CSV."""
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except _XLSX_FAILURES:
            _fail(
                "xlsx_corrupt",
                "文件是损坏或不完整的压缩包/Excel 文件，请重新保存后上传",
                "the file is a damaged or truncated zip/Excel file; save it again and retry",
            )
        if {"[Content_Types].xml", "xl/workbook.xml"} <= names:
            return "xlsx"
        if "xl/workbook.bin" in names:
            _fail(
                "not_spreadsheet",
                "不支持 .xlsb 二进制工作簿，请另存为 .xlsx 或 CSV",
                "binary .xlsb workbooks are not supported; save as .xlsx or CSV",
            )
        _fail(
            "not_spreadsheet",
            "文件是 ZIP 压缩包（如 Word 文档），不是 Excel 工作簿或 CSV",
            "the file is a zip archive (e.g. a Word document), not an Excel workbook or CSV",
        )
    if content.startswith(_OLE2):
        _fail(
            "not_spreadsheet",
            "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV",
            "old .xls workbooks are not supported; save as .xlsx or CSV in Excel",
        )
    for magic, zh, en in _BINARY_SIGNATURES:
        if content.startswith(magic):
            _fail(
                "not_spreadsheet",
                f"文件内容是{zh}，不是 Excel 工作簿或 CSV",
                f"the file is {en}, not an Excel workbook or CSV",
            )
    return "text"


# --- CSV --------------------------------------------------------------------------------------


def _decoded_text(content: bytes) -> tuple[str, str]:
    """Text and encoding name: BOM first, then strict UTF-8, then GB18030; never latin-1."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return _checked_text(content.decode(encoding)), encoding
            except UnicodeDecodeError:
                _fail(
                    "bad_encoding",
                    f"文件声明为 {encoding} 编码，但内容无法按此解码",
                    f"the file starts with a {encoding} byte-order mark but does not decode",
                )
    if b"\x00" in content[:65536]:
        _not_text()
    try:
        return _checked_text(content.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_damaged_utf8(content, exc)
    try:
        return _checked_text(content.decode("gb18030")), "gb18030"
    except UnicodeDecodeError:
        pass
    _fail(
        "bad_encoding",
        "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030），请另存为“CSV UTF-8”",
        "unknown text encoding (UTF-8, UTF-8 with BOM and GBK/GB18030 are supported); "
        "save as 'CSV UTF-8'",
    )


def _big_utf8_table(content: bytes, max_rows: int) -> RawTable | None:
    """The table of a UTF-8 file over HEAD_PREFIX_BYTES, read without decoding it whole
    (0.07 s for 50 MB); None for any other file, or when anything is amiss.

    Only its first HEAD_PREFIX_BYTES are decoded, to find the header; Arrow checks that
    every data cell is valid UTF-8 as it reads the rest. A file this cannot read alike
    (invalid UTF-8 anywhere, an unusual header, text the csv module must read) gives None,
    and `read_table` decodes it whole and words whatever is wrong.
    """
    if len(content) <= HEAD_PREFIX_BYTES:
        return None
    encoding = "utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-8"
    if encoding == "utf-8" and b"\x00" in content[:65536]:
        return None
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
        head = _checked_text(decoder.decode(content[:HEAD_PREFIX_BYTES], final=False))
    except (UnicodeDecodeError, ProgressFileError):
        return None
    return _csv_table(head, encoding, max_rows, content, whole=False)


def _refuse_damaged_utf8(content: bytes, exc: UnicodeDecodeError) -> None:
    """Refuse a UTF-8 file with a few bad bytes instead of reading it as GB18030 mojibake.

    GB18030 decodes almost any bytes, so it is only tried for text that is not mostly UTF-8:
    in real GBK text about one multi-byte sequence in four happens to be valid UTF-8, while a
    damaged UTF-8 file has far more valid sequences than invalid bytes.
    """
    valid = len(_UTF8_MULTIBYTE.findall(content))
    invalid = content.decode("utf-8", errors="replace").count("\ufffd")
    if valid > invalid:
        line = content[: exc.start].count(b"\n") + 1
        _fail(
            "bad_encoding",
            f"文件是 UTF-8 编码，但第 {line} 行附近有无法识别的字节（文件损坏或混入了其他编码），"
            "请另存为“CSV UTF-8”后重新上传",
            f"the file is UTF-8 but has invalid bytes near line {line} (damaged, or mixed "
            "encodings); save it again as 'CSV UTF-8'",
            row=line,
        )


def _checked_text(text: str) -> str:
    sample = text[:65536]
    if "\x00" in sample or len(CONTROL.findall(sample)) > max(8, len(sample) // 100):
        _not_text()
    return text


def _not_text() -> NoReturn:
    _fail(
        "not_spreadsheet",
        "文件内容不是文本，也不是 Excel 工作簿（是否把其他文件改了扩展名？）",
        "the file is neither text nor an Excel workbook (was another file renamed?)",
    )


def _csv_table(
    text: str, encoding: str, max_rows: int, content: bytes, *, whole: bool = True
) -> RawTable | None:
    """Parse CSV text (decoded from `content`) with the delimiter under which the header row
    is found. Unless `whole`, `text` is only the start of the content and None is returned
    wherever more of it would be needed (see `_big_utf8_table`)."""
    if not _NOT_SEPARATOR.search(text):  # nothing but separators
        if not whole:
            return None
        _fail("empty_file", "文件为空", "the file is empty")
    failures: list[ProgressFileError] = []
    for delimiter in _delimiter_order(text):
        head = _head_records(text, delimiter, whole=whole)
        if head is None:
            return None
        try:
            header_row, positions = _find_header(head)
        except ProgressFileError as exc:
            if exc.problems[0].code != "missing_columns":
                raise
            failures.append(exc)
            continue
        header_cells = next(cells for number, cells in head if number == header_row)
        # UTF-8 bytes as uploaded (a byte-order mark sits in the first line, above the data
        # rows, so it needs no copy without it); other encodings encoded again
        utf8 = content if encoding.startswith("utf-8") else text.encode("utf-8")
        table = _arrow_csv_table(utf8, delimiter, header_row, header_cells, positions, max_rows)
        if table is None and not whole:
            return None
        if table is None:
            with collector_paused():  # a list per row: see lib/core/collector.py
                records = _csv_records(text, delimiter, limit=None)
                table = _table_from_rows(records, "csv", max_rows)
        return replace(table, encoding=encoding, delimiter=delimiter)
    if not whole:
        return None
    # report the delimiter that came closest (fewest missing columns)
    raise min(failures, key=lambda exc: len((exc.problems[0].value or "").split(",")))


def _head_records(
    text: str, delimiter: str, *, whole: bool = True
) -> list[tuple[int, list[str]]] | None:
    """The first HEADER_SEARCH_ROWS records, as `_csv_records` reads them from the whole text.

    They are read from the text's first HEAD_PREFIX_CHARS characters when those hold one
    more record (so the last one looked at is whole): the csv module would otherwise copy a
    50 MB text to look at its first rows. When the text is not `whole` (only the start of
    the file) and that prefix is not enough, None.
    """
    if len(text) > HEAD_PREFIX_CHARS or not whole:
        try:
            head = _csv_records(text[:HEAD_PREFIX_CHARS], delimiter, HEADER_SEARCH_ROWS + 1)
        except ProgressFileError:
            head = []  # a quoted cell cut by the prefix: read from the whole text
        if len(head) > HEADER_SEARCH_ROWS:
            return head[:HEADER_SEARCH_ROWS]
        if not whole:
            return None
    return _csv_records(text, delimiter, limit=HEADER_SEARCH_ROWS)


def _delimiter_order(text: str) -> list[str]:
    """Candidate delimiters, the most frequent in the first rows first.

    The header row then decides (see `_csv_table`); csv.Sniffer is not used because its
    regular expressions can take seconds on hostile input.
    """
    head = "\n".join(text[:65536].splitlines()[:HEADER_SEARCH_ROWS])
    return sorted(CSV_DELIMITERS, key=lambda d: -head.count(d))


def _csv_records(text: str, delimiter: str, limit: int | None) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(islice(enumerate(reader, start=1), limit))
    except csv.Error as exc:
        _fail(
            "csv_malformed",
            f"CSV 格式错误：{exc}（是否有未闭合的引号？）",
            f"malformed CSV: {exc} (an unclosed quote?)",
            row=reader.line_num,
        )
    return records


def _arrow_csv_table(
    data: bytes,
    delimiter: str,
    header_row: int,
    header_cells: list[str],
    positions: dict[str, int],
    max_rows: int,
) -> RawTable | None:
    """The table `_table_from_rows` builds from the csv module's records, read instead by
    Arrow's multi-threaded CSV reader (a million rows: 0.3 s instead of 3 s); None when the
    text is not plain enough for both readers to agree, and the csv module reads it.

    Plain means: no NUL, no carriage return outside CRLF, no empty line below the header
    and no line break inside a quoted cell (so a record is one line and keeps the row number
    Excel shows), quotes only around whole cells (see `_plainly_quoted`), and every data row
    as wide as the header. Rows holding nothing but whitespace are dropped as
    `_table_from_rows` drops them.
    """
    if b"\x00" in data:
        return None
    start = 0
    for _ in range(header_row):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return None
    if data.find(b'"', 0, start) >= 0:  # a quoted line break above would shift the rows
        return None
    if data.startswith(codecs.BOM_UTF8, start):  # Arrow would drop it as a byte-order mark
        return None
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":  # trailing line breaks end no record
        end -= 1
    if end == start or not _one_record_per_line(data, start, end):
        return None
    if data.find(b'"', start, end) >= 0 and not _plainly_quoted(data[start:end], delimiter):
        return None
    names = [f"c{position}" for position in range(len(header_cells))]
    ragged: list[object] = []

    def skip_ragged(row: object) -> str:
        ragged.append(row)
        return "skip"

    try:
        read = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start, end - start)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=skip_ragged,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if ragged:
        return None
    # a row is blank when every cell is whitespace: decided by the first column for most
    # rows, and by the next columns only for the rows still blank so far
    blank = _coded(read.column(names[0])).where(lambda text: not text.strip())
    for name in names[1:]:
        if not blank.any():
            break
        maybe = np.flatnonzero(blank)
        cells = read.column(name).take(pa.array(maybe)).to_pylist()
        blank[maybe] = [not text.strip() for text in cells]
    kept = np.flatnonzero(~blank)
    if len(kept) > max_rows:
        _too_many_rows(max_rows)
    if len(kept) < read.num_rows:
        read = read.take(pa.array(kept))
    columns: dict[str, object] = {"row": pd.array(kept + header_row + 1, dtype="int64")}
    for column in INPUT_COLUMNS:
        position = positions.get(column)
        texts = pa.repeat("", len(kept)) if position is None else read.column(names[position])
        columns[column] = texts.to_pandas()
    headers = _headings(header_cells, positions)
    return RawTable(
        frame=pd.DataFrame(columns), headers=headers, header_row=header_row, file_type="csv"
    )


def _one_record_per_line(data: bytes, start: int, end: int) -> bool:
    """True when `data` has no carriage return outside CRLF and `data[start:end]` no empty
    line.

    Scanned as bytes with numpy: `bytes.find` of a two-byte pattern took 0.1 s on 50 MB.
    """
    everything = np.frombuffer(data, dtype=np.uint8)
    returns = np.flatnonzero(everything == 13)
    if len(returns) and (returns[-1] + 1 >= len(data) or (everything[returns + 1] != 10).any()):
        return False
    body = everything[start:end]
    newlines = np.flatnonzero(body == 10)
    gaps = np.diff(newlines)
    return not ((gaps == 1).any() or ((gaps == 2) & (body[newlines[:-1] + 1] == 13)).any())


def _plainly_quoted(body: bytes, delimiter: str) -> bool:
    """True when every line holding a quote is cells joined by `delimiter`, each cell either
    without quotes or wholly quoted with inner quotes doubled ("a ""b"", c"): the form Excel
    writes, which the csv module and Arrow read alike. Checked in Arrow (RE2), so a file
    with a quote on every line costs a fraction of a second."""
    try:  # (the cast checks UTF-8 too: a file not yet decoded may hold invalid bytes)
        text = pa.array([body], pa.large_binary()).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    lines = pc.split_pattern(text, "\n")
    lines = lines.flatten()
    quoted = lines.filter(pc.match_substring(lines, '"'))
    separator = {"\t": "\\t"}.get(delimiter, delimiter)  # RE2 has no escaped tab
    cell = f'(?:[^"{separator}\\r\\n]*|"(?:[^"\\r\\n]|"")*")'
    pattern = f"^{cell}(?:{separator}{cell})*\\r?$"
    return bool(pc.all(pc.match_substring_regex(quoted, pattern)).as_py())


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_rows(
    content: bytes, sheet: str | None, max_rows: int
) -> tuple[list[tuple[int, list[str]]], str, set[tuple[int, int]]]:
    """Rows of the chosen sheet as text, its title, and the (row, column index) of formula
    cells without a saved result; after bomb and DTD checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except _XLSX_FAILURES as exc:
        _corrupt(exc)
    _check_zip_size(archive, len(content))
    _check_no_dtd(archive)
    try:
        from openpyxl import load_workbook  # only for workbooks: CSV is read without it

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _XLSX_FAILURES as exc:
        _corrupt(exc)
    try:
        worksheet = _chosen_sheet(workbook, sheet)
        formulas = _uncached_formula_cells(archive, worksheet._worksheet_path)
        worksheet.reset_dimensions()  # some writers store a wrong <dimension>
        rows: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
            texts = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            if any(t.strip() for t in texts):  # blank rows carry nothing; numbering is kept
                rows.append((number, texts))
                if len(rows) > max_rows + HEADER_SEARCH_ROWS:
                    _too_many_rows(max_rows)
        return rows, worksheet.title, formulas
    except _XLSX_FAILURES as exc:
        _corrupt(exc)
    finally:
        workbook.close()
        archive.close()


def _uncached_formula_cells(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """(row, 0-based column) of cells with a formula but no saved value.

    openpyxl's data_only mode reads those as empty; a workbook written by a program and never
    opened in Excel has them. The sheet XML is scanned only if it contains a formula at all.
    """
    from openpyxl.utils.cell import coordinate_to_tuple

    data = archive.read(part.lstrip("/"))
    if b"<f" not in data and b":f" not in data:
        return set()
    found = set()
    for _, element in iterparse(io.BytesIO(data)):
        if element.tag.rsplit("}", 1)[-1] != "c":
            continue
        children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
        value = children.get("v")
        if "f" in children and (value is None or not (value.text or "").strip()):
            row, column = coordinate_to_tuple(element.get("r", "A1"))
            found.add((row, column - 1))
        element.clear()
    return found


def _corrupt(exc: Exception) -> NoReturn:
    _fail(
        "xlsx_corrupt",
        f"Excel 文件已损坏或不完整，无法读取（{type(exc).__name__}），请重新保存后上传",
        f"the Excel file is damaged or truncated ({type(exc).__name__}); save it again and retry",
    )


def _check_zip_size(archive: zipfile.ZipFile, packed_size: int) -> None:
    """Refuse archives that would expand to too much XML (zip bombs)."""
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    ratio = total / max(packed_size, 1)
    if total > MAX_XLSX_UNCOMPRESSED or (ratio > MAX_XLSX_RATIO and total > 1024 * 1024):
        _fail(
            "xlsx_bomb",
            f"Excel 文件解压后过大（{total // 1024 // 1024} MB，压缩比 {ratio:.0f}），疑似压缩炸弹",
            f"the workbook expands to {total // 1024 // 1024} MB (ratio {ratio:.0f}); "
            "refused as a possible zip bomb",
        )


def _check_no_dtd(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part declaring a DTD or entities (billion laughs, external entities)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            data = archive.read(info)
        except _XLSX_FAILURES as exc:
            _corrupt(exc)
        flat = data.replace(b"\x00", b"").lower()
        if b"<!doctype" in flat or b"<!entity" in flat:
            _fail(
                "xlsx_dtd",
                "Excel 文件包含 DTD/实体声明（正常的 Excel 文件不会有），已拒绝",
                "the workbook's XML declares a DTD or entities (real Excel files never do); "
                "refused",
                value=info.filename,
            )


def _chosen_sheet(workbook: Workbook, sheet: str | None) -> ReadOnlyWorksheet:
    names = [ws.title for ws in workbook.worksheets]
    if sheet is not None:
        wanted = compact_text(sheet)
        for ws in workbook.worksheets:
            if compact_text(ws.title) == wanted:
                return ws
        _fail(
            "sheet_not_found",
            f"找不到工作表“{sheet}”（现有：{'、'.join(names)}）",
            f"no sheet named '{sheet}' (sheets: {', '.join(names)})",
            value=sheet,
        )
    for ws in workbook.worksheets:
        if ws.sheet_state == "visible":
            return ws
    _fail("no_visible_sheet", "工作簿中没有可见的工作表", "the workbook has no visible sheet")


def _cell_text(value: object, number_format: str | None) -> str:
    """A cell as the text Excel shows for it (percent-formatted 0.83 -> '83%')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if number_format and "%" in number_format:
            return _number_text(value * 100) + "%"
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _number_text(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    rounded = round(number, 10)
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)


def _too_many_rows(max_rows: int) -> NoReturn:
    _fail(
        "too_many_rows",
        f"数据行过多（上限 {max_rows} 行）",
        f"too many rows (the limit is {max_rows})",
    )


# --- header row -------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    """How headings are compared: NFKC, no spaces/underscores, no trailing '(单位)' or '*'."""
    key = compact_text(text).lower().replace("_", "").replace("-", "")
    return re.sub(r"(\([^()]*\)|\*)+$", "", key)


_HEADING_LOOKUP = {_header_key(h): col for col, hs in INPUT_HEADINGS.items() for h in hs}


def _find_header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """(row number, {column: position}) of the first row holding every required heading."""
    best: tuple[int, set[str]] = (0, set())
    for number, cells in records:
        if number > HEADER_SEARCH_ROWS:
            break
        found: dict[str, list[int]] = {}
        for position, cell in enumerate(cells):
            column = _HEADING_LOOKUP.get(_header_key(cell)) if cell else None
            if column:
                found.setdefault(column, []).append(position)
        if all(c in found for c in REQUIRED_COLUMNS):
            _check_duplicate_headings(number, cells, found)
            return number, {c: positions[0] for c, positions in found.items()}
        if len(set(found) & set(REQUIRED_COLUMNS)) > len(best[1]):
            best = (number, set(found) & set(REQUIRED_COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in best[1]]
    zh = "、".join(f"{INPUT_HEADINGS[c][1]}({c})" for c in missing)
    where = f"（最接近的是第 {best[0]} 行）" if best[0] else ""
    where_en = f" (closest: row {best[0]})" if best[0] else ""
    _fail(
        "missing_columns",
        f"前 {HEADER_SEARCH_ROWS} 行中找不到表头：缺少必填列 {zh}{where}",
        f"no header row in the first {HEADER_SEARCH_ROWS} rows: missing required column(s) "
        f"{', '.join(missing)}{where_en}",
        row=best[0] or None,
        value=", ".join(missing),
    )


def _check_duplicate_headings(number: int, cells: list[str], found: dict[str, list[int]]) -> None:
    problems = []
    for positions in found.values():
        first = positions[0]
        for other in positions[1:]:
            a, b = _column_letter(first), _column_letter(other)
            problems.append(
                Problem(
                    "duplicate_header",
                    f"表头重复：{a} 列“{cells[first]}”与 {b} 列“{cells[other]}”是同一列",
                    f"duplicate header: column {a} '{cells[first]}' and column {b} "
                    f"'{cells[other]}' mean the same column",
                    row=number,
                    column=cells[other],
                    value=f"{a}:{cells[first]}, {b}:{cells[other]}",
                )
            )
    if problems:
        raise ProgressFileError(problems)


def _headings(header_cells: list[str], positions: dict[str, int]) -> dict[str, str]:
    """Each input column's heading as the user wrote it; the template's for a column the
    file does not have."""
    headers = {c: header_cells[p] for c, p in positions.items()}
    for column in INPUT_COLUMNS:
        headers.setdefault(column, INPUT_HEADINGS[column][1])
    return headers


def _column_letter(position: int) -> str:
    letters, n = "", position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _table_from_rows(
    records: list[tuple[int, list[str]]],
    file_type: Literal["csv", "xlsx"],
    max_rows: int,
    sheet: str | None = None,
    formulas: Iterable[tuple[int, int]] = (),
) -> RawTable:
    # "".join(cells).strip() is any(c.strip() for c in cells) in one call per row
    records = [(n, cells) for n, cells in records if "".join(cells).strip()]
    if not records:
        _fail("empty_file", "文件为空（没有任何内容）", "the file has no content")
    header_row, positions = _find_header(records)
    header_cells = next(cells for number, cells in records if number == header_row)
    data = [(n, cells) for n, cells in records if n > header_row]
    if len(data) > max_rows:
        _too_many_rows(max_rows)
    numbers, rows = [n for n, _ in data], [cells for _, cells in data]
    shortest = min(map(len, rows), default=0)
    columns: dict[str, object] = {"row": pd.array(numbers, dtype="int64")}
    for column in INPUT_COLUMNS:
        position = positions.get(column)
        if position is None:
            texts = [""] * len(rows)
        elif position < shortest:  # every row has the cell: take it in C
            texts = list(map(itemgetter(position), rows))
        else:
            texts = [cells[position] if position < len(cells) else "" for cells in rows]
        columns[column] = pd.array(texts, dtype="str")  # typed at once, not inferred
    frame = pd.DataFrame(columns)
    headers = _headings(header_cells, positions)
    by_position = {p: c for c, p in positions.items()}
    formula_cells = frozenset(
        (row, by_position[col]) for row, col in formulas if row > header_row and col in by_position
    )
    return RawTable(
        frame=frame,
        headers=headers,
        header_row=header_row,
        file_type=file_type,
        sheet=sheet,
        formula_cells=formula_cells,
    )


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationReport:
    """Normalised rows of an upload and every problem found in it."""

    rows: pd.DataFrame
    problems: list[Problem]
    file_name: str = ""
    header_row: int | None = None
    sheet: str | None = None
    skipped_rows: tuple[int, ...] = field(default=())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import (warnings allowed)."""
        return not self.errors

    def problems_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Problems as a table: row, column, value, code, severity, message (in `lang`)."""
        frame = pd.DataFrame(
            {
                "row": pd.array([p.row for p in self.problems], dtype="Int64"),
                "column": [p.column or "" for p in self.problems],
                "value": [p.value or "" for p in self.problems],
                "code": [p.code for p in self.problems],
                "severity": [p.severity for p in self.problems],
                "message": [p.message_en if lang == "en" else p.message_zh for p in self.problems],
            },
            columns=PROBLEM_COLUMNS,
        )
        return frame.astype({c: "str" for c in PROBLEM_COLUMNS[1:]})


def validate_progress(
    content: bytes,
    file_name: str,
    plan: Plan,
    stored: pd.DataFrame | None = None,
    sheet: str | None = None,
    *,
    bulk: bool = False,
) -> ValidationReport:
    """Read and check an upload against the plan (and stored figures); list every problem.

    Raises ProgressFileError only when the file cannot be read at all; everything wrong in
    the cells is reported in the returned report. Rows without value, note and reporter
    (template rows not filled in, blank lines) are skipped and listed in `skipped_rows`.
    `bulk` reads under the command line's larger size and row limits (see `read_table`).
    """
    table = read_table(content, file_name, sheet, bulk=bulk)
    # the columns are coded side by side: Arrow's hashing runs outside the GIL
    with ThreadPoolExecutor(max_workers=2) as pool:
        coded = pool.map(_coded, (table.frame[column] for column in INPUT_COLUMNS))
        raw = dict(zip(INPUT_COLUMNS, coded, strict=True))
    cells = {
        "indicator_id": raw["indicator_id"].mapped(clean_id),
        "period": raw["period"].mapped(clean_text),
        "value": raw["value"].mapped(clean_text),
        "note": raw["note"].mapped(_cleaned_note),
        "reporter": raw["reporter"].mapped(clean_text),
    }
    numbers = table.frame["row"].to_numpy(dtype=np.int64)
    # a row says something only through value, note or reporter: id and period may be
    # pre-filled by the template, and such a row left alone means "not reported"
    blank = np.ones(len(numbers), dtype=bool)
    for column in ("value", "note", "reporter"):
        blank &= cells[column].where(lambda text: text == "")
    blank &= ~np.isin(numbers, [row for row, _ in table.formula_cells])
    skipped = tuple(numbers[blank].tolist())
    if skipped:
        kept = np.flatnonzero(~blank)
        raw = {column: coded.take(kept) for column, coded in raw.items()}
        cells = {column: coded.take(kept) for column, coded in cells.items()}
        numbers = numbers[kept]
    checker = _RowChecker(plan, table.headers, raw, table.formula_cells)
    rows = checker.checked_rows(cells, numbers)
    problems = [*table.problems, *checker.problems]
    if rows.empty:
        problems.append(
            Problem(
                "no_data_rows",
                "文件中没有填写任何数据行（完成值等均为空）",
                "the file has no filled-in data rows",
                row=table.header_row,
            )
        )
    problems.extend(
        _trend_warnings(rows, checker.keys, checker.error_rows, plan, stored, table.headers)
    )
    return ValidationReport(
        rows=rows,
        problems=_sorted_problems(problems, table.headers),
        file_name=file_name,
        header_row=table.header_row,
        sheet=table.sheet,
        skipped_rows=skipped,
    )


@dataclass(frozen=True)
class _Coded:
    """A text column as one code per cell into a list of texts.

    A province's file has a million cells per column but only a few thousand different
    texts in it (ids, quarters, units' names, recurring figures), so every rule below runs
    once per text and reaches the cells through the codes.
    """

    codes: np.ndarray  # one int per cell, an index into `texts`
    texts: np.ndarray  # object array; may hold the same text twice after `mapped`
    column: pd.Series | None = None  # the cells as a "str" column, when it is at hand

    def text(self, index: int) -> str:
        return self.texts[self.codes[index]]

    def with_texts(self, texts: list[object]) -> _Coded:
        """The same cells reading `texts` (one per text); the column is kept if none changed."""
        same = self.column is not None and all(
            new is old or new == old for new, old in zip(texts, self.texts, strict=True)
        )
        return _Coded(self.codes, _objects(texts), self.column if same else None)

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        """Per cell, test(its text), with `test` called once per text."""
        per_text = np.fromiter(map(test, self.texts), dtype=bool, count=len(self.texts))
        return per_text[self.codes]

    def mapped(self, transform: Callable[[str], object]) -> _Coded:
        """The same cells with every text transformed (once per text)."""
        return self.with_texts([transform(text) for text in self.texts])

    def take(self, indices: np.ndarray) -> _Coded:
        return _Coded(self.codes[indices], self.texts)

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(per cell a code shared exactly by the cells of equal text, -1 where it is None;
        the text of each code)."""
        codes, names = pd.factorize(pd.Series(self.texts, dtype=object), use_na_sentinel=True)
        cells = codes[self.codes] if len(self.texts) else self.codes
        return cells, np.asarray(names, dtype=object)

    def series(self) -> pd.Series:
        """The cells as a pandas "str" column (NaN where the text is None), built in Arrow
        unless the column is at hand."""
        if self.column is not None:
            return self.column.reset_index(drop=True)
        texts = pa.array(self.texts, type=pa.large_string(), from_pandas=True)
        coded = pa.DictionaryArray.from_arrays(pa.array(self.codes, type=pa.int64()), texts)
        return pd.Series(coded.cast(pa.large_string()).to_pandas(), dtype="str")


@dataclass(frozen=True)
class _RowKeys:
    """Per checked row, its indicator and its period as codes (-1: no period), with the
    text of each code: what the trend warnings group and order the rows by."""

    ids: np.ndarray
    id_names: np.ndarray
    periods: np.ndarray
    period_names: np.ndarray
    unique: bool = True  # no (indicator, period) given twice

    @classmethod
    def empty(cls) -> _RowKeys:
        nothing = np.array([], dtype=np.intp)
        return cls(nothing, _objects([]), nothing, _objects([]))


def _coded(column: pd.Series | pa.ChunkedArray) -> _Coded:
    """A text column (pandas "str" or Arrow strings) as codes into its distinct texts."""
    values = pa.array(column.array) if isinstance(column, pd.Series) else column
    encoded = pc.dictionary_encode(pc.fill_null(values, ""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], encoded.type)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    texts = _objects(encoded.dictionary.to_pylist())
    keep = isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype)
    return _Coded(codes, texts, column if keep and not column.hasnans else None)


def _objects(values: list[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _cleaned_note(text: str) -> str:
    return clean_text(text, nfkc=False)


class _RowChecker:
    """Per-row rules; collects problems and the rows that had errors."""

    def __init__(
        self,
        plan: Plan,
        headers: dict[str, str],
        raw: dict[str, _Coded],
        formula_cells: frozenset[tuple[int, str]] = frozenset(),
    ) -> None:
        self.plan = plan
        self.formula_cells = formula_cells
        self.headers = headers
        self.raw = raw
        self.indicators = plan.indicators.set_index("indicator_id")
        self.plan_periods = periods_between(plan.period_start, plan.period_end)
        self.problems: list[Problem] = []
        self.error_rows: set[int] = set()
        self.responsible_pairs = _responsible_pairs(plan)
        self.keys = _RowKeys.empty()  # set by checked_rows

    def add(
        self,
        index: int,
        row: int,
        column: str,
        code: str,
        zh: str,
        en: str,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        """Record a problem in a cell (index into the checked rows, spreadsheet row)."""
        self.problems.append(
            Problem(
                code,
                zh,
                en,
                severity=severity,
                row=row,
                column=self.headers[column],
                value=_short(str(self.raw[column].text(index))),
            )
        )
        if severity == "error":
            self.error_rows.add(row)

    def checked_rows(self, cells: dict[str, _Coded], numbers: np.ndarray) -> pd.DataFrame:
        """The normalised rows (value NaN where it did not parse); problems are collected.

        Each rule is decided once per distinct text (or pair of texts) and spread to the
        cells by their codes; only the cells that break a rule go through the per-cell
        methods that word the problem, so a clean file of a million rows costs a few
        passes over integer arrays instead of a Python loop over every cell.
        """
        ids = cells["indicator_id"]
        info = self.indicators[["kind", "unit", "task_id"]].reindex(ids.texts)
        known_by_id = info["kind"].notna().to_numpy()  # NaN for an unknown indicator
        kinds_by_id = np.where(known_by_id, info["kind"].to_numpy(dtype=object), None)
        units_by_id = np.where(known_by_id, info["unit"].to_numpy(dtype=object), None)
        tasks_by_id = np.where(known_by_id, info["task_id"].to_numpy(dtype=object), None)

        for index in np.flatnonzero(~known_by_id[ids.codes]).tolist():
            self._check_indicator(index, int(numbers[index]), ids.text(index), False)

        periods = cells["period"].mapped(parse_period)
        plan_periods = set(self.plan_periods)
        in_plan = periods.where(lambda period: period in plan_periods)
        for index in np.flatnonzero(~in_plan).tolist():
            period = periods.text(index)
            period = period if isinstance(period, str) else None
            self._check_period(index, int(numbers[index]), cells["period"].text(index), period)

        values = self._checked_values(cells["value"], ids, kinds_by_id, units_by_id, numbers)
        reporters = self._checked_reporters(cells["reporter"], ids, tasks_by_id, numbers)
        rows = pd.DataFrame(
            {
                "row": pd.Series(numbers, dtype="int64"),
                "indicator_id": ids.series(),
                "period": periods.series(),
                "value": pd.Series(values, dtype="float64"),
                "note": cells["note"].series(),
                "reporter": reporters.series(),
                "reporter_raw": self.raw["reporter"].mapped(_cleaned_note).series(),
            },
            columns=ROW_COLUMNS,
        )
        self._check_duplicates(ids, periods, numbers)
        return rows

    def _check_indicator(self, index: int, row: int, indicator_id: str, known: bool) -> None:
        if indicator_id == "":
            self.add(
                index,
                row,
                "indicator_id",
                "indicator_missing",
                "指标编号为空",
                "the indicator id is empty",
            )
        elif not known:
            self.add(
                index,
                row,
                "indicator_id",
                "unknown_indicator",
                f"计划中没有指标“{indicator_id}”（编号形如 T01-1，见模板）",
                f"no indicator '{indicator_id}' in the plan (ids look like T01-1; "
                "see the template)",
            )

    def _check_period(self, index: int, row: int, text: str, period: str | None) -> None:
        allowed = f"{self.plan_periods[0]}..{self.plan_periods[-1]}" if self.plan_periods else "-"
        if period is None:
            forms = "2014Q2、2014-Q2、2014年第二季度"
            zh, en = (
                (f"报告期“{text}”无法识别（应如 {forms}）", f"period '{text}' is not recognised")
                if text
                else (f"报告期为空（应如 {forms}）", "the period is empty")
            )
            self.add(index, row, "period", "bad_period", zh, f"{en} (use e.g. 2014Q2)")
        elif period not in self.plan_periods:
            self.add(
                index,
                row,
                "period",
                "period_outside_plan",
                f"报告期 {period} 不在计划期内（{allowed}）",
                f"period {period} is outside the plan period ({allowed})",
            )

    def _checked_values(
        self,
        texts: _Coded,
        ids: _Coded,
        kinds_by_id: np.ndarray,
        units_by_id: np.ndarray,
        numbers: np.ndarray,
    ) -> np.ndarray:
        """Per cell the value (NaN where it is wrong, with the problem recorded).

        Plain decimals (1234, 12.5) are read in one pass; every other text goes through
        `_parsed_value` once per (text, indicator) pair.
        """
        values = _plain_values(texts, ids, units_by_id)
        doubtful = np.flatnonzero(np.isnan(values))
        if not len(doubtful):
            return values
        pairs = texts.codes[doubtful].astype(np.int64) * len(ids.texts) + ids.codes[doubtful]
        which, distinct = pd.factorize(pairs)
        per_id = len(ids.texts)
        parsed = [
            _parsed_value(texts.texts[pair // per_id], kinds_by_id[pair % per_id], units)
            for pair in distinct.tolist()
            for units in [units_by_id[pair % per_id]]
        ]
        read = np.array([math.nan if v is None else v for v, _ in parsed], dtype=np.float64)
        values[doubtful] = read[which]
        wrong = np.array([code is not None for _, code in parsed], dtype=bool)[which]
        for position in np.flatnonzero(wrong).tolist():
            index = int(doubtful[position])
            code = parsed[which[position]][1]
            unit = units_by_id[ids.codes[index]]
            self._value_problem(index, int(numbers[index]), texts.text(index), code, unit)
        return values

    def _value_problem(self, index: int, row: int, text: str, code: str, unit: str | None) -> None:
        zh, en = _value_messages(code, text, unit)
        if code == "value_missing" and (row, "value") in self.formula_cells:
            zh = "完成值单元格是公式，但文件中没有保存计算结果；请在 Excel 中打开并保存，或改填数值"
            en = "the value cell holds a formula whose result was never saved; open and save "
            en += "the file in Excel, or type the number"
        self.add(index, row, "value", code, zh, en)

    def _checked_reporters(
        self, written: _Coded, ids: _Coded, tasks_by_id: np.ndarray, numbers: np.ndarray
    ) -> _Coded:
        """Canonical unit names (or the text as written when unknown), warnings added."""
        canonical = written.mapped(lambda text: resolve_unit(self.plan, text) if text else None)
        has_text = np.array([text != "" for text in written.texts], dtype=bool)
        unknown = has_text & pd.isna(canonical.texts)
        # whether the unit answers for the task, once per (indicator, unit) pair
        check = (has_text & ~unknown)[written.codes] & pd.notna(tasks_by_id)[ids.codes]
        pairs = ids.codes[check].astype(np.int64) * len(written.texts) + written.codes[check]
        which, distinct = pd.factorize(pairs)
        per_id = max(len(written.texts), 1)
        answerable = self.responsible_pairs
        responsible = np.array(
            [
                pair in answerable
                for pair in zip(
                    tasks_by_id[distinct // per_id].tolist(),
                    canonical.texts[distinct % per_id].tolist(),
                    strict=True,
                )
            ],
            dtype=bool,
        )
        stray = np.zeros(len(written.codes), dtype=bool)
        stray[check] = ~responsible[which]
        stray |= unknown[written.codes]
        for index in np.flatnonzero(stray).tolist():
            task_id = tasks_by_id[ids.codes[index]]
            self._checked_reporter(index, int(numbers[index]), written.text(index), task_id)
        shown = np.where(has_text, np.where(unknown, written.texts, canonical.texts), "")
        return written.with_texts(shown.tolist())

    def _checked_reporter(self, index: int, row: int, written: str, task_id: str | None) -> str:
        if not written:
            return ""
        canonical = resolve_unit(self.plan, written)
        if canonical is None:
            self.add(
                index,
                row,
                "reporter",
                "reporter_not_responsible",
                f"填报单位“{written}”不在单位名录中",
                f"reporter '{written}' is not a registered unit",
                severity="warning",
            )
        elif task_id is not None and (task_id, canonical) not in self.responsible_pairs:
            self.add(
                index,
                row,
                "reporter",
                "reporter_not_responsible",
                f"填报单位“{canonical}”不是任务 {task_id} 的责任单位",
                f"reporter '{canonical}' is not responsible for task {task_id}",
                severity="warning",
            )
        return canonical or written

    def _check_duplicates(self, ids: _Coded, periods: _Coded, numbers: np.ndarray) -> None:
        """An (indicator, period) given again below its first row is an error on that row."""
        (id_keys, id_names), (period_keys, period_names) = ids.keys(), periods.keys()
        keyed = np.flatnonzero(ids.where(lambda text: text != "") & (period_keys >= 0))
        key = id_keys[keyed].astype(np.int64) * (len(period_names) or 1) + period_keys[keyed]
        repeated = _repeats(key, len(id_names) * (len(period_names) or 1))
        self.keys = _RowKeys(id_keys, id_names, period_keys, period_names, not repeated.any())
        if self.keys.unique:
            return
        distinct, first = np.unique(key, return_index=True)
        for position in np.flatnonzero(repeated).tolist():
            index = int(keyed[position])
            row = int(numbers[index])
            first_row = int(numbers[keyed[first[np.searchsorted(distinct, key[position])]]])
            indicator_id, period = ids.text(index), periods.text(index)
            self.add(
                index,
                row,
                "indicator_id",
                "duplicate_row",
                f"第 {row} 行与第 {first_row} 行重复："
                f"指标 {indicator_id} 的报告期 {period} 出现两次",
                f"row {row} repeats row {first_row}: indicator {indicator_id}, period {period} "
                "appears twice",
            )


def _repeats(key: np.ndarray, key_space: int) -> np.ndarray:
    """Per key, whether an earlier one equals it. Keys lie in range(key_space): when that is
    not much larger than their number they are counted (one pass) before any is looked up."""
    if key_space <= 4 * len(key) + 1024 and not (np.bincount(key, minlength=1) > 1).any():
        return np.zeros(len(key), dtype=bool)
    return pd.Series(key).duplicated().to_numpy()


def _responsible_pairs(plan: Plan) -> set[tuple[str, str]]:
    """(task_id, unit) for every unit answerable for a task: listed units plus members of
    listed groups, as `units_responsible_for` gives them one task at a time."""
    listed = plan.responsibilities[["task_id", "unit"]]
    members = listed.merge(plan.group_members, left_on="unit", right_on="group")
    return set(zip(listed["task_id"].tolist(), listed["unit"].tolist(), strict=True)) | set(
        zip(members["task_id"].tolist(), members["member"].tolist(), strict=True)
    )


def _plain_values(texts: _Coded, ids: _Coded, units_by_id: np.ndarray) -> np.ndarray:
    """Per cell float(text) where `_parsed_value` would accept the text as it stands, NaN
    for the rest.

    A plain decimal like 1234 or 12.5 needs no rule beyond the 0-100 range of a percentage
    and no unit suffix to strip (units made of digits would be stripped, so they are left
    out); every other cell is for `_parsed_value` to judge.
    """
    plain = _PLAIN_DECIMAL.fullmatch
    per_text = np.array(
        [float(text) if plain(text) else math.nan for text in texts.texts], dtype=np.float64
    )
    values = per_text[texts.codes] if len(texts.texts) else np.full(len(texts.codes), np.nan)
    percent = np.array([unit == "%" for unit in units_by_id], dtype=bool)[ids.codes]
    digit_unit = np.array(
        [isinstance(unit, str) and _DIGIT_UNIT.fullmatch(unit) is not None for unit in units_by_id],
        dtype=bool,
    )[ids.codes]
    values[~np.isfinite(values) | (percent & (values > 100)) | digit_unit] = np.nan
    return values


def _parsed_value(text: str, kind: str | None, unit: str | None) -> tuple[float | None, str | None]:
    """(value, None) or (None, error code) for a 完成值 cell; `kind` None = unknown indicator."""
    if text == "":
        return None, "value_missing"
    if text in MILESTONE_WORDS:
        if kind == "quantity":
            return None, "value_not_numeric"
        return MILESTONE_WORDS[text], None
    number = text.replace(" ", "")
    percent = number.endswith("%")
    if percent:
        number = number[:-1]
    elif unit and unit != "%" and number.endswith(unit):
        number = number[: -len(unit)]
    if _GROUPED_NUMBER.match(number):
        number = number.replace(",", "")
    if not _NUMBER.match(number):
        code = "value_not_finite" if number.lower() in _NOT_FINITE_WORDS else "value_not_numeric"
        return None, code
    value = float(number)
    if not math.isfinite(value):
        return None, "value_not_finite"
    if percent and unit is not None and unit != "%":
        return None, "value_unit_mismatch"
    if value < 0:
        return None, "value_negative"
    if unit == "%" and value > 100:
        return None, "percent_out_of_range"
    return value, None


def _value_messages(code: str, text: str, unit: str | None) -> tuple[str, str]:
    words = "、".join(MILESTONE_WORDS)
    if code == "value_not_numeric" and text in MILESTONE_WORDS:
        return (
            f"“{text}”只能用于节点类指标；本指标为数量指标，请填写数字（单位：{unit}）",
            f"'{text}' is only for milestones; this is a quantity indicator, enter a number "
            f"(unit: {unit})",
        )
    messages = {
        "value_missing": ("完成值为空", "the value is empty"),
        "value_not_numeric": (
            f"完成值“{text}”不是数字（可填 1234、1,234、83%；节点类指标可填 {words}）",
            f"value '{text}' is not a number (use 1234, 1,234 or 83%; milestones also accept "
            f"{words})",
        ),
        "value_not_finite": (
            f"完成值“{text}”不是有限数值",
            f"value '{text}' is not a finite number",
        ),
        "value_negative": (f"完成值“{text}”不能为负数", f"value '{text}' must not be negative"),
        "value_unit_mismatch": (
            f"本指标单位为“{unit}”，不能填写百分数",
            f"this indicator is measured in '{unit}', not in percent",
        ),
        "percent_out_of_range": (
            f"完成值“{text}”超出 0-100%",
            f"value '{text}' is outside 0-100%",
        ),
    }
    return messages[code]


def _trend_warnings(
    rows: pd.DataFrame,
    keys: _RowKeys,
    error_rows: set[int],
    plan: Plan,
    stored: pd.DataFrame | None,
    headers: dict[str, str],
) -> list[Problem]:
    """Warnings that compare figures: value above target, cumulative value going down.

    Rows with an error are left out; `keys` (the rows' indicators and periods as codes)
    let every rule look an indicator up once rather than once per row.
    """
    good = ~rows["row"].isin(error_rows).to_numpy() if error_rows else np.ones(len(rows), bool)
    if not good.any():
        return []
    ratio = plan.thresholds.above_target_warning_ratio
    info = plan.indicators.set_index("indicator_id")[["direction", "kind", "target"]]
    info = info.reindex(keys.id_names)
    increasing = good & (info["direction"] == "increase").to_numpy(dtype=bool)[keys.ids]
    quantity = (info["kind"] == "quantity").to_numpy(dtype=bool)[keys.ids]
    target = info["target"].to_numpy(dtype=np.float64)[keys.ids]
    values = rows["value"].to_numpy(dtype=np.float64)
    problems = []
    for index in np.flatnonzero(increasing & quantity & (values > ratio * target)).tolist():
        value = values[index]
        problems.append(
            Problem(
                "above_target",
                f"完成值 {value:g} 超过目标值 {target[index]:g} 的 {ratio:g} 倍，请核实",
                f"value {value:g} is more than {ratio:g} x the target {target[index]:g}; "
                "please check",
                severity="warning",
                row=int(rows["row"].iat[index]),
                column=headers["value"],
                value=f"{value:g}",
            )
        )
    problems.extend(_decrease_warnings(rows, keys, increasing, stored, headers))
    return problems


def _decrease_warnings(
    rows: pd.DataFrame,
    keys: _RowKeys,
    cumulative: np.ndarray,
    stored: pd.DataFrame | None,
    headers: dict[str, str],
) -> list[Problem]:
    """A cumulative figure (of the rows marked in `cumulative`) lower than an earlier
    period's (stored or in this file), or higher than a stored later period's. The file's
    figures replace stored ones for the same period."""
    # Word warnings only for indicators that may have one: the history walk below costs a
    # pass over each indicator's periods per row, 40 million steps for a province's file.
    values = rows["value"].to_numpy(dtype=np.float64)
    maybe = _maybe_decreasing(keys, values, cumulative, stored)
    if not maybe:
        return []
    rows = rows[cumulative & rows["indicator_id"].isin(list(maybe)).to_numpy()]
    # indicator -> period -> (value, row in this file or None when stored)
    effective: dict[str, dict[str, tuple[float, int | None]]] = {}
    if stored is not None and {"indicator_id", "period", "value"} <= set(stored.columns):
        mine = stored[stored["indicator_id"].isin(set(rows["indicator_id"]))]
        for ind, period, value in mine[["indicator_id", "period", "value"]].itertuples(index=False):
            effective.setdefault(str(ind), {})[str(period)] = (float(value), None)
    own = list(rows[["indicator_id", "period", "value", "row"]].itertuples(index=False))
    for ind, period, value, row in own:
        effective.setdefault(ind, {})[period] = (float(value), int(row))
    problems = []
    for ind, period, value, row in own:
        history = effective[ind].items()
        earlier = [(v, p, src) for p, (v, src) in history if p < period and v > value]
        later = [(v, p) for p, (v, src) in history if p > period and v < value and src is None]
        if earlier:
            v, p, src = max(earlier, key=lambda e: e[0])
            where_zh = "已存数据" if src is None else f"本文件第 {src} 行"
            where_en = "stored figures" if src is None else f"this file, row {src}"
            zh = f"累计值 {value:g} 低于 {p} 的 {v:g}（{where_zh}），累计数一般不应下降，请核实"
            en = f"cumulative value {value:g} is lower than {v:g} for {p} ({where_en})"
        elif later:
            v, p = min(later)
            zh = f"累计值 {value:g} 高于已存的后续报告期 {p} 的 {v:g}，导入后累计数将出现下降"
            en = f"value {value:g} is higher than the stored {v:g} for the later period {p}"
        else:
            continue
        problems.append(
            Problem(
                "value_decreased",
                zh,
                f"{en}; please check",
                severity="warning",
                row=int(row),
                column=headers["value"],
                value=f"{value:g}",
            )
        )
    return problems


def _maybe_decreasing(
    keys: _RowKeys, values: np.ndarray, counted: np.ndarray, stored: pd.DataFrame | None
) -> set[str]:
    """Indicators `_decrease_warnings` may warn about (among the `counted` rows); those left
    out cannot have a warning.

    Vectorised on integer codes: per indicator, order the figures that count (stored ones
    replaced by this file's for the same period) by period, and flag a row of this file
    when an earlier period holds a higher value or a later stored period a lower one.
    """
    indicator, period, value = keys.ids[counted], keys.periods[counted], values[counted]
    indicators, periods = keys.id_names, keys.period_names
    own = np.ones(len(indicator), dtype=bool)
    columns = ["indicator_id", "period", "value"]
    if stored is not None and not stored.empty and set(columns) <= set(stored.columns):
        wanted = indicators[pd.unique(indicator)]
        mine = stored.loc[stored["indicator_id"].isin(wanted), columns]
        if mine.isna().any(axis=None) or not _all_text(mine["period"]):
            return set(wanted)  # odd stored figures: let the exact walk decide
        stored_periods = pd.Index(periods).get_indexer(mine["period"])
        if (stored_periods < 0).any():  # periods only the store has
            periods = np.concatenate([periods, pd.unique(mine["period"][stored_periods < 0])])
            stored_periods = pd.Index(periods).get_indexer(mine["period"])
        indicator = np.concatenate(
            [pd.Index(indicators).get_indexer(mine["indicator_id"]), indicator]
        )
        period = np.concatenate([stored_periods, period])
        value = np.concatenate([mine["value"].to_numpy(dtype=np.float64), value])
        own = np.concatenate([np.zeros(len(mine), dtype=bool), own])
    rank = {p: r for r, p in enumerate(sorted(periods))}  # periods compare as text
    key = indicator * max(len(periods), 1) + np.array([rank[p] for p in periods])[period]
    # a key repeated in this file: let the exact walk decide
    repeated = np.zeros(int(own.sum()), dtype=bool)
    if not keys.unique:
        repeated = pd.Series(key[own]).duplicated(keep=False).to_numpy()
    unsure = set(indicators[np.unique(indicator[own][repeated])])
    kept = np.ones(len(key), dtype=bool)
    if repeated.any() or not own.all():
        kept = ~pd.Series(key).duplicated(keep="last").to_numpy()  # the file replaces stored
    if len(indicators) * max(len(periods), 1) <= DENSE_MAX_CELLS:
        period_rank = np.array([rank[p] for p in periods], dtype=np.int64)[period]
        flagged_ids = _decreasing_in_grid(
            indicator[kept], period_rank[kept], value[kept], ~own[kept], len(indicators), len(rank)
        )
        return unsure | set(indicators[flagged_ids])
    order = np.flatnonzero(kept)[np.argsort(key[kept], kind="stable")]
    group, value = indicator[order], value[order]
    is_stored = ~own[order]
    first = np.ones(len(group), dtype=bool)  # the first figure of each indicator
    first[1:] = group[1:] != group[:-1]
    earlier_max = _shifted(pd.Series(value).groupby(group).cummax().to_numpy(), first)
    flagged = ~is_stored & (earlier_max > value)
    if is_stored.any():
        last = np.roll(first, -1)  # the last figure of each indicator
        stored_value = pd.Series(np.where(is_stored, value, np.inf)[::-1])
        later_min = stored_value.groupby(group[::-1]).cummin().to_numpy()
        flagged |= ~is_stored & (_shifted(later_min, last[::-1])[::-1] < value)
    return unsure | set(indicators[np.unique(group[flagged])])


def _decreasing_in_grid(
    indicator: np.ndarray,
    period: np.ndarray,
    value: np.ndarray,
    is_stored: np.ndarray,
    indicators: int,
    periods: int,
) -> np.ndarray:
    """The indicators (codes) where a figure of this file is below an earlier period's or
    above a later stored one's, worked out on an indicators x periods grid: no sort, a few
    passes over at most DENSE_MAX_CELLS cells. One figure per (indicator, period)."""
    grid = np.full((indicators, max(periods, 1)), np.nan)
    grid[indicator, period] = value
    earlier = np.full_like(grid, np.nan)
    earlier[:, 1:] = np.fmax.accumulate(grid, axis=1)[:, :-1]
    own = ~is_stored
    flagged = earlier[indicator[own], period[own]] > value[own]
    if is_stored.any():
        stored = np.full_like(grid, np.inf)
        stored[indicator[is_stored], period[is_stored]] = value[is_stored]
        later = np.full_like(grid, np.inf)
        later[:, :-1] = np.minimum.accumulate(stored[:, ::-1], axis=1)[:, ::-1][:, 1:]
        flagged |= later[indicator[own], period[own]] < value[own]
    return np.unique(indicator[own][flagged])


def _shifted(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each value moved one place down within its group (NaN at each group's `first`)."""
    result = np.empty_like(values)
    result[1:] = values[:-1]
    result[first] = np.nan
    return result


def _all_text(column: pd.Series) -> bool:
    """True when every cell is a str (a "str" column is; an object column is checked)."""
    if isinstance(column.dtype, pd.StringDtype):
        return True
    return bool(column.map(type).eq(str).all())


def _sorted_problems(problems: list[Problem], headers: dict[str, str]) -> list[Problem]:
    order = {headers.get(c, c): i for i, c in enumerate(INPUT_COLUMNS)}
    return sorted(
        problems,
        key=lambda p: (p.row if p.row is not None else -1, order.get(p.column or "", -1), p.code),
    )


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


# --- preview ----------------------------------------------------------------------------------


def import_preview(report: ValidationReport, stored: pd.DataFrame | None) -> pd.DataFrame:
    """Per row of the upload: indicator_id, period, old_value, new_value, change."""
    new = report.rows[["indicator_id", "period", "value"]].rename(columns={"value": "new_value"})
    if stored is None or stored.empty or not {"indicator_id", "period", "value"} <= set(stored):
        old = pd.DataFrame({"indicator_id": [], "period": [], "old_value": []}).astype(
            {"indicator_id": "str", "period": "str", "old_value": "float64"}
        )
    else:
        old = stored[["indicator_id", "period", "value"]].rename(columns={"value": "old_value"})
        old = old.astype({"indicator_id": "str", "period": "str", "old_value": "float64"})
    merged = new.merge(old, on=["indicator_id", "period"], how="left")
    same = (merged["old_value"] - merged["new_value"]).abs() <= 1e-9 * merged["new_value"].abs()
    merged["change"] = "changed"
    merged.loc[merged["old_value"].isna(), "change"] = "new"
    merged.loc[merged["old_value"].notna() & same, "change"] = "unchanged"
    return merged[PREVIEW_COLUMNS].reset_index(drop=True)
