"""CSV text to a `RawTable`: the delimiter, the header row, then the rows.

Owns reading CSV with the csv module: candidate delimiters ordered by frequency, the one
under which the header row is found wins (csv.Sniffer's regular expressions can take
seconds on hostile input); the header is looked for in the text's start only, so a 50 MB
text is not copied to look at its first rows. The data rows are then read by Arrow when
`csv_arrow` finds the text plain, and by the csv module otherwise. A UTF-8 file over
HEAD_PREFIX_BYTES is read without decoding it whole (`big_utf8_csv_table`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from itertools import islice

from lib.core.errors import ProgressFileError
from lib.ingest.csv_arrow import arrow_csv_table
from lib.ingest.header import RawTable, header_row, table_from_rows
from lib.ingest.limits import HEADER_SEARCH_ROWS, refuse
from lib.ingest.sniff import decoded_utf8_head

HEAD_PREFIX_CHARS = 1 << 20  # where the header row is looked for first (see _head_records)
HEAD_PREFIX_BYTES = 4 * HEAD_PREFIX_CHARS  # a big file's start decoded alone
CSV_DELIMITERS = (",", "\t", ";")

_NOT_SEPARATOR = re.compile(r"[^ \t\r\n,;\ufeff\u3000]")


def csv_table(
    text: str, encoding: str, max_rows: int, content: bytes, *, whole: bool = True
) -> RawTable | None:
    """The table of CSV `text` (decoded from `content` as `encoding`), read with the
    delimiter under which the header row is found; raise ProgressFileError when it cannot be
    read. Unless `whole`, `text` is only the start of the content and None is returned
    wherever more of it would be needed (see `big_utf8_csv_table`)."""
    if not _NOT_SEPARATOR.search(text):  # nothing but separators
        if not whole:
            return None
        refuse("empty_file", "文件为空", "the file is empty")
    failures: list[ProgressFileError] = []
    for delimiter in delimiter_order(text):
        head = _head_records(text, delimiter, whole=whole)
        if head is None:
            return None
        try:
            header = header_row(head)
        except ProgressFileError as exc:
            if exc.problems[0].code != "missing_columns":
                raise
            failures.append(exc)
            continue
        # UTF-8 bytes as uploaded (a byte-order mark sits in the first line, above the data
        # rows, so it needs no copy without it); other encodings encoded again
        utf8 = content if encoding.startswith("utf-8") else text.encode("utf-8")
        table = arrow_csv_table(
            utf8, delimiter, header.row, header.cells, header.positions, max_rows
        )
        if table is None and not whole:
            return None
        if table is None:
            records = csv_records(text, delimiter, limit=None)
            table = table_from_rows(records, "csv", max_rows)
        # (the csv module's table knows these too; the Arrow reader's does not)
        return replace(
            table,
            encoding=encoding,
            delimiter=delimiter,
            indicator_by_name=header.by_name,
            value_quarter_only=header.value_quarter_only,
        )
    if not whole:
        return None
    # report the delimiter that came closest (fewest missing columns)
    raise min(failures, key=lambda exc: len((exc.problems[0].value or "").split(",")))


def big_utf8_csv_table(content: bytes, max_rows: int) -> RawTable | None:
    """The table of a UTF-8 file over HEAD_PREFIX_BYTES, read without decoding it whole
    (0.07 s for 50 MB); None for any other file, or when anything is amiss.

    Only its first HEAD_PREFIX_BYTES are decoded, to find the header; Arrow checks that
    every data cell is valid UTF-8 as it reads the rest. A file this cannot read alike
    (invalid UTF-8 anywhere, an unusual header, text the csv module must read) gives None,
    and the caller decodes it whole and words whatever is wrong. It raises
    ProgressFileError only as reading the whole text would (a heading given twice, too
    many rows).
    """
    if len(content) <= HEAD_PREFIX_BYTES:
        return None
    head = decoded_utf8_head(content, HEAD_PREFIX_BYTES)
    if head is None:
        return None
    text, encoding = head
    return csv_table(text, encoding, max_rows, content, whole=False)


def _head_records(
    text: str, delimiter: str, *, whole: bool = True
) -> list[tuple[int, list[str]]] | None:
    """The first HEADER_SEARCH_ROWS records, as `csv_records` reads them from the whole text.

    They are read from the text's first HEAD_PREFIX_CHARS characters when those hold one
    more record (so the last one looked at is whole): the csv module would otherwise copy a
    50 MB text to look at its first rows. When the text is not `whole` (only the start of
    the file) and that prefix is not enough, None.
    """
    if len(text) > HEAD_PREFIX_CHARS or not whole:
        try:
            head = csv_records(text[:HEAD_PREFIX_CHARS], delimiter, HEADER_SEARCH_ROWS + 1)
        except ProgressFileError:
            head = []  # a quoted cell cut by the prefix: read from the whole text
        if len(head) > HEADER_SEARCH_ROWS:
            return head[:HEADER_SEARCH_ROWS]
        if not whole:
            return None
    return csv_records(text, delimiter, limit=HEADER_SEARCH_ROWS)


def delimiter_order(text: str) -> list[str]:
    """Candidate delimiters, the most frequent in the first rows first."""
    head = "\n".join(text[:65536].splitlines()[:HEADER_SEARCH_ROWS])
    return sorted(CSV_DELIMITERS, key=lambda d: -head.count(d))


def csv_records(text: str, delimiter: str, limit: int | None) -> list[tuple[int, list[str]]]:
    """(row number, cells) of the first `limit` records (all when None); raise
    ProgressFileError on malformed CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(islice(enumerate(reader, start=1), limit))
    except csv.Error as exc:
        refuse(
            "csv_malformed",
            f"CSV 格式错误：{exc}（是否有未闭合的引号？）",
            f"malformed CSV: {exc} (an unclosed quote?)",
            row=reader.line_num,
        )
    return records
