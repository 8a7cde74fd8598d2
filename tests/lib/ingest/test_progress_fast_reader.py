"""The two CSV readers agree: Arrow's (a million rows in a fraction of a second) answers only
for text both read alike, and then returns exactly the table the csv module's reader builds.

Hypothesis writes CSV texts from the characters that matter to either reader (delimiters,
quotes, line breaks, whitespace of every kind, full-width forms); each text is read by both
and the tables compared cell by cell, with their row numbers and headings.
"""

from __future__ import annotations

import codecs

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.core.errors import ProgressFileError
from lib.ingest import csv_text, read
from lib.ingest.csv_arrow import arrow_csv_table
from lib.ingest.header import INPUT_COLUMNS
from lib.ingest.read import read_table

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TRICKY = list(',;\t"\r\n \u3000\xa0\x1c\x85\u2028\ufeffT01-1Q2014年进度，１２.%')
CELL = st.text(alphabet=st.sampled_from(TRICKY), max_size=8)
LINE_BREAKS = st.sampled_from(["\n", "\r\n"])
HEADERS = st.sampled_from(
    [
        ["指标编号", "报告期", "完成值", "进展情况", "填报单位"],
        ["indicator_id", "period", "value"],
        ["报告期", "完成值", "备注", "指标编号"],
    ]
)


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@st.composite
def csv_texts(draw: st.DrawFn) -> tuple[str, str]:
    """(text, delimiter): optional title rows, a header, data rows of any width, some cells
    quoted the way Excel quotes them and some not, sometimes blank lines."""
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    newline = draw(LINE_BREAKS)
    header = draw(HEADERS)
    titles = draw(st.integers(0, 2))
    lines = [delimiter.join(draw(st.lists(CELL, max_size=3))) for _ in range(titles)]
    lines.append(delimiter.join(header))
    for _ in range(draw(st.integers(0, 12))):
        width = draw(st.sampled_from([len(header), len(header), len(header) - 1, len(header) + 1]))
        cells = [draw(CELL) for _ in range(max(width, 0))]
        if draw(st.booleans()):
            cells = [quoted(c) if draw(st.booleans()) else c for c in cells]
        lines.append(delimiter.join(cells))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    return text, delimiter


def both_tables(text: str) -> tuple[object, object]:
    """What each reader makes of `text`: a RawTable, or the problem codes it raised."""
    return both_readings(codecs.BOM_UTF8 + text.encode("utf-8"))


def reading(content: bytes) -> object:
    """What `read_table` makes of `content`: a RawTable, or the problem codes it raised."""
    try:
        return read_table(content, "x.csv")
    except ProgressFileError as exc:
        return [p.code for p in exc.problems]


def both_readings(content: bytes) -> tuple[object, object]:
    """What `read_table` makes of `content` as it is, and with the file always decoded
    whole and read by the csv module."""
    fast = reading(content)
    with pytest.MonkeyPatch.context() as patch:  # always decoded whole, always the csv module
        patch.setattr(csv_text, "arrow_csv_table", lambda *args: None)
        patch.setattr(read, "big_utf8_csv_table", lambda *args: None)
        slow = reading(content)
    return fast, slow


def assert_same(fast: object, slow: object) -> None:
    if isinstance(slow, list) or isinstance(fast, list):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert (fast.headers, fast.header_row, fast.delimiter, fast.encoding) == (
        slow.headers,
        slow.header_row,
        slow.delimiter,
        slow.encoding,
    )
    assert fast.problems == slow.problems


@SETTINGS
@given(case=csv_texts())
def test_arrow_reader_reads_every_text_as_the_csv_module(case):
    text, _ = case
    fast, slow = both_tables(text)
    assert_same(fast, slow)


@SETTINGS
@given(case=csv_texts(), prefix=st.integers(1, 60))
def test_header_found_in_a_prefix_as_in_the_whole_text(case, prefix):
    """Big files look for the header in their first HEAD_PREFIX_CHARS characters; shrunk
    here so that the prefix cuts the header rows and quoted cells anywhere."""
    text, _ = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_text, "HEAD_PREFIX_CHARS", prefix)
        fast, slow = both_tables(text)
    assert_same(fast, slow)
    assert_same(fast, both_tables(text)[1])  # and as read without any prefix


@SETTINGS
@given(
    case=csv_texts(),
    bom=st.booleans(),
    damage=st.lists(
        st.tuples(
            st.integers(0, 400), st.sampled_from([b"\xff", b"\xc3", "进度".encode("gb18030")])
        ),
        max_size=2,
    ),
    prefix=st.integers(4, 80),
)
def test_big_file_read_undecoded_as_decoded_whole(monkeypatch, case, bom, damage, prefix):
    """A file over HEAD_PREFIX_BYTES is read without decoding it whole (shrunk here, so
    that it applies); with invalid UTF-8 anywhere, before or after the prefix, the outcome
    is the same as decoding it whole: the same table, or the same refusal."""
    text, _ = case
    content = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    for position, damaged in damage:
        position = min(position, len(content))
        content = content[:position] + damaged + content[position:]
    monkeypatch.setattr(csv_text, "HEAD_PREFIX_BYTES", prefix)
    monkeypatch.setattr(csv_text, "HEAD_PREFIX_CHARS", prefix // 4 or 1)
    fast, slow = both_readings(content)
    assert_same(fast, slow)


def test_a_big_utf8_file_is_not_decoded_whole(monkeypatch):
    rows = "\n".join(f"T{n:05d}-1,2015Q{n % 4 + 1},{n},进展{n % 7},市编办" for n in range(3_000))
    content = ("指标编号,报告期,完成值,进展情况,填报单位\n" + rows + "\n").encode("utf-8")
    monkeypatch.setattr(csv_text, "HEAD_PREFIX_BYTES", 4096)

    def refuse(*args, **kwargs):
        raise AssertionError("the whole file was decoded")

    monkeypatch.setattr(read, "decoded_text", refuse)
    table = read_table(content, "big.csv")
    assert len(table.frame) == 3_000 and table.encoding == "utf-8"
    assert table.frame["note"].iloc[-1] == "进展3"


@pytest.mark.parametrize(
    ("body", "arrow_reads_it"),
    [
        ("T01-1,2014Q1,5,好,市编办", True),
        ('T01-1,2014Q1,5,"逗号,在内",市编办', True),
        ('T01-1,2014Q1,5,"引号""在内",市编办', True),
        ('T01-1,2014Q1,5,"跨\n行",市编办', False),  # a record over two lines
        ('T01-1,2014Q1,5,中间"引号,市编办', False),  # a quote inside a bare cell
        ('T01-1,2014Q1,5,"引号"之后,市编办', False),  # text after the closing quote
        ("T01-1,2014Q1,5,好,市编办\n\nT01-1,2014Q2,6,好,市编办", False),  # an empty line
        ("T01-1,2014Q1,5,好", False),  # a short row
        ("T01-1,2014Q1,5,好,市编办\rT01-1,2014Q2,6,好,市编办", False),  # a bare CR
        ("  ,\u3000, , ,\nT01-1,2014Q1,5,好,市编办", True),  # a whitespace row
    ],
)
def test_arrow_reader_declines_what_it_cannot_read_alike(body, arrow_reads_it):
    text = "指标编号,报告期,完成值,进展情况,填报单位\n" + body + "\n"
    data = text.encode("utf-8")
    header = ["指标编号", "报告期", "完成值", "进展情况", "填报单位"]
    positions = {c: i for i, c in enumerate(INPUT_COLUMNS)}
    table = arrow_csv_table(data, ",", 1, header, positions, 100)
    assert (table is not None) == arrow_reads_it
    fast, slow = both_tables(text)
    assert_same(fast, slow)
    if arrow_reads_it:
        # the rows Excel shows: the header is row 1; a whitespace-only row is dropped
        expected = [3] if body.startswith("  ") else [2]
        assert fast.frame["row"].tolist() == expected


def test_a_province_sized_file_is_read_by_arrow(monkeypatch):
    """The bulk path really is the Arrow one: the csv module never sees the data rows."""
    rows = "\n".join(f"T{n:05d}-1,2015Q{n % 4 + 1},{n}.5,,市编办" for n in range(60_000))
    content = ("指标编号,报告期,完成值,进展情况,填报单位\n" + rows + "\n").encode("utf-8")

    def refuse(*args, **kwargs):
        raise AssertionError("the csv module read the data rows")

    monkeypatch.setattr(csv_text, "table_from_rows", refuse)
    table = read_table(content, "big.csv", bulk=True)
    assert len(table.frame) == 60_000
    assert table.frame["row"].iloc[[0, -1]].tolist() == [2, 60_001]
    assert table.frame["value"].iloc[-1] == "59999.5"
    assert table.frame["note"].eq("").all()
