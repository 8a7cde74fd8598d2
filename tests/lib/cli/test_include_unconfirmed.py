"""`status` and `brief` count confirmed figures by default and say so; with
`--include-unconfirmed` they count every unit's latest figure, `status` marking each one's
confirmation. A real store: the bundled sample (confirmed, as the demo store holds it) and
an analyst's newer, unconfirmed T16-1 of 2014Q3 (83 where the sample says 81.6)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pptx import Presentation

from lib.cli.main import main
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.services.uploads import checked_upload, import_upload
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry
from tests.support import (
    FOREST_PLAN_YAML,
    analyst,
    progress_csv,
    sample_store_in_env,
    unit_upload,
)

NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)
CONFIRMED_ONLY = "仅统计已核准数据（核准单位：市统计局）"
UNCONFIRMED = "含待核准数据（标“待核准”者未经市统计局核准）"


@pytest.fixture
def store(tmp_path, monkeypatch) -> tuple[ProgressStore, int]:
    """PROGRESS_DB naming the store; the bundled plan; the id of the unconfirmed upload."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = sample_store_in_env(monkeypatch, tmp_path / "progress.sqlite3", plan, NOW)
    housing = [("T16-1", "2014Q3", 83)]
    upload_id = unit_upload(store, plan, housing, "市住房城乡建设局", analyst("填报员"), NOW)
    return store, upload_id


def status_json(capsys, *args: str) -> dict:
    assert main(["status", "--json", "--period", "2014Q3", *args]) == 0
    return json.loads(capsys.readouterr().out)


def by_id(payload: dict) -> dict[str, dict]:
    return {row["indicator_id"]: row for row in payload["indicators"]}


def test_status_json_counts_confirmed_figures_unless_asked(store, capsys):
    leaders = status_json(capsys)
    assert leaders["confirmed_only"] is True
    assert leaders["figures_shown"] == CONFIRMED_ONLY
    assert by_id(leaders)["T16-1"]["value"] == pytest.approx(81.6)
    assert by_id(leaders)["T16-1"]["confirmation"] == "confirmed"
    assert by_id(leaders)["T01-3"]["confirmation"] == "not_required"  # a milestone

    every = status_json(capsys, "--include-unconfirmed")
    assert every["confirmed_only"] is False
    assert every["figures_shown"] == UNCONFIRMED
    assert by_id(every)["T16-1"]["value"] == pytest.approx(83.0)
    assert by_id(every)["T16-1"]["confirmation"] == "pending"
    assert by_id(every)["T16-2"]["confirmation"] == "confirmed"


def test_status_after_confirmation_counts_the_new_figure(store, capsys):
    store, upload_id = store
    store.record(TrailEntry("confirmed", "市统计局核准员", upload_id=upload_id), now=NOW)
    leaders = by_id(status_json(capsys))
    assert leaders["T16-1"]["value"] == pytest.approx(83.0)
    assert leaders["T16-1"]["upload_id"] == upload_id


def test_status_table_says_which_figures_and_marks_unconfirmed_ones(store, capsys):
    assert main(["status", "--period", "2014Q3"]) == 0
    out = capsys.readouterr().out
    heading, header = out.splitlines()[:2]
    assert heading.startswith("数据截至 2014年第三季度") and heading.endswith(CONFIRMED_ONLY)
    assert "核准" not in header
    row = next(line for line in out.splitlines() if line.startswith("T16-1 "))
    assert row.split()[1] == "81.6%"

    assert main(["status", "--period", "2014Q3", "--include-unconfirmed"]) == 0
    out = capsys.readouterr().out
    heading, header = out.splitlines()[:2]
    assert heading.endswith(UNCONFIRMED)
    assert header.split()[:3] == ["指标编号", "完成值", "核准"]
    row = next(line for line in out.splitlines() if line.startswith("T16-1 "))
    assert row.split()[1:3] == ["83%", "待核准"]

    assert main(["status", "--period", "2014Q3", "--include-unconfirmed", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Unconfirmed figures included" in out.splitlines()[0]
    row = next(line for line in out.splitlines() if line.startswith("T16-1 "))
    assert row.split()[1:4] == ["83%", "awaiting", "confirmation"]


def test_a_plan_without_confirmation_counts_every_figure_and_says_nothing(
    tmp_path, monkeypatch, capsys
):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(FOREST_PLAN_YAML, encoding="utf-8")
    monkeypatch.setenv("PLAN_FILE", str(plan_file))
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "progress.sqlite3"))
    plan = load_plan(plan_file)
    content = progress_csv([("T01-1", "2014Q2", 1200)])
    report = checked_upload(plan, content, "a.csv", None)
    import_upload(
        ProgressStore(tmp_path / "progress.sqlite3"), report, content=content, file_name="a.csv",
        user=analyst("甲"), now=NOW,
    )  # fmt: skip
    payload = status_json(capsys)
    assert payload["confirmed_only"] is False and payload["figures_shown"] == ""
    assert by_id(payload)["T01-1"]["value"] == pytest.approx(1200.0)
    assert by_id(payload)["T01-1"]["confirmation"] == "not_required"
    assert main(["status", "--period", "2014Q2"]) == 0
    assert "核准" not in capsys.readouterr().out


def sources_text(path: Path) -> str:
    slide = next(
        s
        for s in Presentation(path).slides
        if s.shapes.title is not None and s.shapes.title.text_frame.text == "数据来源"
    )
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_brief_says_which_figures_it_counts(store, tmp_path, capsys):
    out = tmp_path / "brief.pptx"
    assert main(["brief", "--period", "2014Q3", "-o", str(out)]) == 0
    assert CONFIRMED_ONLY in capsys.readouterr().err
    assert CONFIRMED_ONLY in sources_text(out)
    assert main(["brief", "--period", "2014Q3", "--include-unconfirmed", "-o", str(out)]) == 0
    assert UNCONFIRMED in capsys.readouterr().err
    text = sources_text(out)
    assert UNCONFIRMED in text and CONFIRMED_ONLY not in text
