"""Web uploads and the command line's bulk loads are read under different size limits."""

from __future__ import annotations

import pytest

from lib.cli.main import main as lib_cli
from lib.core.errors import ProgressFileError
from lib.ingest.limits import MAX_DATA_ROWS
from lib.ingest.read import read_table


def many_rows(count: int) -> bytes:
    lines = ["指标编号,报告期,完成值", *(f"T01-1,2014Q{1 + n % 4},{n}" for n in range(count))]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_uploads_refuse_more_rows_than_the_limit():
    with pytest.raises(ProgressFileError) as error:
        read_table(many_rows(MAX_DATA_ROWS + 1), "big.csv")
    assert error.value.problems[0].code == "too_many_rows"


def test_bulk_reading_takes_them():
    table = read_table(many_rows(MAX_DATA_ROWS + 1), "big.csv", bulk=True)
    assert len(table.frame) == MAX_DATA_ROWS + 1
    assert table.frame["row"].iloc[-1] == MAX_DATA_ROWS + 2


def test_cli_validate_reads_a_file_over_the_upload_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "store.sqlite3"))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    path = tmp_path / "big.csv"
    path.write_bytes(many_rows(MAX_DATA_ROWS + 1))
    # read (exit 2 would mean unreadable); the repeated rows are errors, so exit 1
    assert lib_cli(["validate", str(path)]) == 1
    assert "duplicate_row" in capsys.readouterr().out
