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

from lib import progress_file
from lib.errors import ProgressFileError
from lib.progress_file import read_table

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
    content = codecs.BOM_UTF8 + text.encode("utf-8")
    outcomes = []
    for fast in (True, False):
        original = progress_file._arrow_csv_table
        if not fast:
            progress_file._arrow_csv_table = lambda *args: None  # always the csv module
        try:
            outcomes.append(read_table(content, "x.csv"))
        except ProgressFileError as exc:
            outcomes.append([p.code for p in exc.problems])
        finally:
            progress_file._arrow_csv_table = original
    return outcomes[0], outcomes[1]


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
    original = progress_file.HEAD_PREFIX_CHARS
    progress_file.HEAD_PREFIX_CHARS = prefix
    try:
        fast, slow = both_tables(text)
    finally:
        progress_file.HEAD_PREFIX_CHARS = original
    assert_same(fast, slow)
    assert_same(fast, both_tables(text)[1])  # and as read without any prefix


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
    positions = {c: i for i, c in enumerate(progress_file.INPUT_COLUMNS)}
    table = progress_file._arrow_csv_table(data, ",", 1, header, positions, 100)
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

    monkeypatch.setattr(progress_file, "_table_from_rows", refuse)
    table = read_table(content, "big.csv", bulk=True)
    assert len(table.frame) == 60_000
    assert table.frame["row"].iloc[[0, -1]].tolist() == [2, 60_001]
    assert table.frame["value"].iloc[-1] == "59999.5"
    assert table.frame["note"].eq("").all()
