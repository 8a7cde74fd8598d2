"""What an upload may be, and the one way a reader refuses a file.

Owns the size and row limits (a web upload's and the command line's bulk load's), how far
down the header row may sit, and `refuse`: every reader raises a `ProgressFileError`
carrying one bilingual `Problem` through it.
"""

from __future__ import annotations

from typing import NoReturn

from lib.core.errors import Problem, ProgressFileError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 50_000
# An administrator's bulk load from the command line (a province's quarters at once) is
# read under larger limits; every other check is the same.
BULK_MAX_FILE_BYTES = 1024 * 1024 * 1024
BULK_MAX_DATA_ROWS = 5_000_000
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100
HEADER_SEARCH_ROWS = 60


def max_bytes_and_rows(*, bulk: bool) -> tuple[int, int]:
    """(largest file in bytes, most data rows) for a web upload or, when `bulk`, a bulk load."""
    if bulk:
        return BULK_MAX_FILE_BYTES, BULK_MAX_DATA_ROWS
    return MAX_FILE_BYTES, MAX_DATA_ROWS


def refuse(code: str, zh: str, en: str, **where: object) -> NoReturn:
    """Raise a ProgressFileError with one problem: the file cannot be read."""
    raise ProgressFileError([Problem(code, zh, en, **where)])  # type: ignore[arg-type]


def refuse_too_many_rows(max_rows: int) -> NoReturn:
    refuse(
        "too_many_rows",
        f"数据行过多（上限 {max_rows} 行）",
        f"too many rows (the limit is {max_rows})",
    )
