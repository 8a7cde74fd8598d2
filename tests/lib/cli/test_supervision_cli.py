"""The supervision commands (`confirm`, `return`, `remind`, `notice`, `reply`, `close`,
`notices`, `trail`) on a real SQLite store holding the sample figures, writing real Word
and Excel files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
import openpyxl
import pytest

from lib.cli.main import main
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.store.repository import ProgressStore
from tests.support import analyst, sample_store_in_env


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture
def store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """The sample file imported by an analyst (not yet confirmed)."""
    path, now = tmp_path / "progress.sqlite3", datetime(2014, 10, 15, tzinfo=UTC)
    return sample_store_in_env(monkeypatch, path, plan, now, analyst("统计员 甲"))


def test_confirm_and_return_record_decisions_and_refuse_without_reason(store, capsys):
    assert main(["confirmations"]) == 0
    assert "市统计局" in capsys.readouterr().out
    assert main(["confirm", "1", "--by", "统计员 甲"]) == 1  # one's own upload
    assert "own_upload" in capsys.readouterr().err
    assert main(["confirm", "1", "--by", "统计局 王", "--indicator", "T16-1"]) == 1
    assert (
        main(["confirm", "1", "--by", "统计局 王", "--indicator", "T16-1", "--period", "2014Q3"])
        == 0
    )
    assert main(["return", "1", "--by", "统计局 王", "--reason", "口径不符"]) == 0
    assert main(["return", "9", "--by", "统计局 王", "--reason", "x"]) == 1
    assert "unknown_upload" in capsys.readouterr().err
    decisions = store.trail(("confirmed", "returned"))
    assert decisions[["kind", "indicator_id", "actor"]].values.tolist() == [
        ["confirmed", "T16-1", "统计局 王"],
        ["returned", "", "统计局 王"],
    ]


def test_remind_writes_a_zip_of_word_notices_and_records_them(store, tmp_path, capsys):
    out = tmp_path / "催报.zip"
    args = ["remind", "--period", "2014Q4", "--all", "--by", "督查室 陈", "-o", str(out)]
    assert main([*args, "--now", "2015-01-12T09:00"]) == 0
    reminded = store.trail(("reminded",))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        first = docx.Document(io.BytesIO(archive.read(names[0])))
    assert len(names) == len(reminded) > 1
    assert reminded["unit"].iloc[0] in "\n".join(p.text for p in first.paragraphs)


def test_a_quarter_of_notices_replies_and_closing_through_the_command_line(store, tmp_path, capsys):
    assert main(["confirm", "1", "--by", "统计局 王"]) == 0
    out = tmp_path / "notices"
    assert main(["notice", "--period", "2014Q3", "--all", "--by", "督查室 陈", "-o", str(out)]) == 0
    issued = store.trail(("issued",))
    assert len(issued) >= 1
    forms = sorted(out.glob("*.xlsx"))
    assert len(forms) == len(issued) and len(list(out.glob("*.docx"))) == len(issued)
    notice = issued.iloc[0]
    form = next(f for f in forms if notice["unit"] in f.name)
    book = openpyxl.load_workbook(form)
    sheet = book["回复"]
    headings = [c.value for c in sheet[1]]
    for name, value in (
        ("原因分析", "资金未到位"),
        ("整改措施", "提前拨付"),
        ("预计完成时间", "2014-12-31"),
    ):
        sheet.cell(2, headings.index(name) + 1).value = value
    book.save(form)
    assert main(["reply", "--form", str(form), "--by", "督查室 录入"]) == 0
    indicator = notice["details"]["indicators"][0]
    assert main(["reply", str(notice["id"]), "--indicator", indicator, "--by", "x"]) == 1
    assert "reply_incomplete" in capsys.readouterr().err
    assert main(["close", str(notice["id"]), "--by", "督查室 陈"]) == 0
    assert main(["close", str(notice["id"]), "--by", "督查室 陈"]) == 1
    assert main(["notices"]) == 0
    assert "closed" in capsys.readouterr().out
    trail_file = tmp_path / "trail.xlsx"
    assert main(["trail", "--period", "2014Q3", "-o", str(trail_file)]) == 0
    rows = list(openpyxl.load_workbook(trail_file).active.iter_rows(values_only=True))
    steps = [row[2] for row in rows[1:]]
    assert steps[-2:] == ["回复", "办结"] and "签发督办单" in steps
