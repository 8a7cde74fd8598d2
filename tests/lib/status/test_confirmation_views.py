"""核准 in leaders' views: the figure each status row shows is marked confirmed, pending,
returned or not required; leaders' figures change only once a new figure is confirmed; the
demo's sample is confirmed (and still sample data); a plan without confirmation counts
every figure. Real SQLite stores, real CSV bytes, the bundled plan and sample."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from lib.output.tables import INDICATOR_COLUMNS, indicator_rows
from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.uploads import checked_upload, import_sample, import_upload
from lib.services.workspace import ensure_demo_store
from lib.status.confirmation import figure_confirmation
from lib.status.indicators import indicator_status
from lib.store.confirmations import DECISION_COLUMNS, DECISION_KINDS, confirmation_states
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry
from tests.support import FOREST_PLAN_YAML, analyst, forest_plan, progress_csv

NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)
LATER = datetime(2014, 10, 20, 9, 0, tzinfo=UTC)
SAMPLE_CONFIRMER = "市统计局（示例数据）"
# The forest plan with task (三十八)'s rule: its quantities wait for 市统计局.
CONFIRMED_FOREST_YAML = FOREST_PLAN_YAML.replace(
    "units:\n",
    "confirmation: {required: true, confirmer: 市统计局}\n"
    "units:\n  - {name: 市统计局, kind: municipal_department}\n",
    1,
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_FILE)


def sample_store(path: Path, plan: Plan) -> ProgressStore:
    """A store holding the bundled sample as the demo store holds it."""
    store = ProgressStore(path)
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = checked_upload(plan, content, SAMPLE_PROGRESS_FILE.name, stored=None)
    import_sample(
        store, report, content=content, file_name=SAMPLE_PROGRESS_FILE.name, now=NOW, plan=plan
    )
    return store


def upload(store: ProgressStore, plan: Plan, rows, reporter: str, name: str) -> int:
    """An analyst's upload of (indicator, period, value) rows sent by `reporter`."""
    content = progress_csv(rows, reporter=reporter)
    report = checked_upload(plan, content, name, store.current_values())
    assert report.ok, report.errors
    return import_upload(
        store, report, content=content, file_name=name, user=analyst("填报员"), now=NOW
    )


def leaders_status(store: ProgressStore, plan: Plan, period: str) -> pd.DataFrame:
    """Statuses as the leaders' pages and `status` compute them: confirmed figures only."""
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    return indicator_status(plan, figures, period).set_index("indicator_id")


def marked_status(store: ProgressStore, plan: Plan, period: str) -> pd.DataFrame:
    """Statuses of every unit's latest figure, each marked with its confirmation (the
    pages' and `status --include-unconfirmed`'s view)."""
    status = indicator_status(plan, store.current_values(), period)
    decisions = store.trail(DECISION_KINDS)[DECISION_COLUMNS]
    marks = figure_confirmation(
        status, decisions, plan.confirmed_indicator_ids(), states_of=confirmation_states
    )
    return status.assign(confirmation=marks)


# --- the state of each row's figure ------------------------------------------------------


def test_each_row_is_marked_by_its_own_figure():
    status = pd.DataFrame(
        {
            "indicator_id": ["T01-1", "T01-2", "T01-1", "T01-2", "T01-3", "T01-1", "T01-2"],
            "value_period": ["2014Q3", "2014Q3", "2014Q2", "2014Q2", "2014Q3", None, "2014Q1"],
            "reported_by": ["市林业局", "市林业局", "", "市林业局", "市林业局", "", ""],
            "upload_id": pd.array([2, 2, 1, 3, 2, None, 0], dtype="Int64"),
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    decisions = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "kind": ["confirmed", "returned", "returned"],
            "upload_id": [1, 2, 3],
            "indicator_id": ["", "T01-2", ""],
            "period": ["", "2014Q3", ""],
            "reporter": ["", "市林业局", ""],
        }
    )
    marks = figure_confirmation(
        status, decisions, frozenset({"T01-1", "T01-2"}), states_of=confirmation_states
    )
    assert list(marks.index) == [10, 11, 12, 13, 14, 15, 16]
    assert list(marks) == [
        "pending",  # upload 2 as a whole: no decision
        "returned",  # that one figure of upload 2 was returned
        "confirmed",  # upload 1 confirmed as a whole
        "returned",  # upload 3 returned as a whole
        "not_required",  # a milestone
        "",  # no figure
        "",  # upload id 0: no figure
    ]


def test_indicator_rows_show_the_mark_only_when_the_status_has_it(plan, tmp_path):
    store = sample_store(tmp_path / "p.sqlite3", plan)
    upload(store, plan, [("T16-1", "2014Q3", 83)], "市住房城乡建设局", "t16.csv")
    plain = indicator_status(plan, store.current_values(), "2014Q3")
    assert list(indicator_rows(plain, plan, "zh").columns) == INDICATOR_COLUMNS
    status = marked_status(store, plan, "2014Q3")
    zh = indicator_rows(status, plan, "zh").set_index("indicator_id")["confirmation"]
    en = indicator_rows(status, plan, "en").set_index("indicator_id")["confirmation"]
    assert (zh["T16-1"], zh["T16-2"], zh["T01-3"]) == ("待核准", "已核准", "无需核准")
    assert (en["T16-1"], en["T16-2"], en["T01-3"]) == (
        "awaiting confirmation",
        "confirmed",
        "not required",
    )
    unreported = status.loc[status["value"].isna(), "indicator_id"]
    assert set(zh[unreported]) <= {""}


# --- leaders' figures change only once confirmed -----------------------------------------


def test_a_new_figure_counts_for_leaders_only_once_confirmed(plan, tmp_path):
    store = sample_store(tmp_path / "p.sqlite3", plan)
    before = leaders_status(store, plan, "2014Q3")
    assert before.loc["T16-1", "value"] == pytest.approx(81.6)  # the sample, confirmed
    assert before.loc["T01-3", "value"] == pytest.approx(60.0)
    new = upload(store, plan, [("T16-1", "2014Q3", 83)], "市住房城乡建设局", "t16.csv")
    upload(store, plan, [("T01-3", "2014Q3", 80)], "市编办", "t01.csv")

    waiting = leaders_status(store, plan, "2014Q3")
    assert waiting.loc["T16-1", "value"] == pytest.approx(81.6)  # held back: pending
    assert waiting.loc["T16-1", "upload_id"] == 1
    assert waiting.loc["T01-3", "value"] == pytest.approx(80.0)  # a milestone: not held back
    shown = marked_status(store, plan, "2014Q3").set_index("indicator_id")
    assert shown.loc["T16-1", "value"] == pytest.approx(83.0)
    assert shown.loc["T16-1", "confirmation"] == "pending"
    assert shown.loc["T01-3", "confirmation"] == "not_required"

    store.record(
        TrailEntry("returned", "市统计局核准员", upload_id=new, details={"reason": "口径不符"}),
        now=LATER,
    )
    assert leaders_status(store, plan, "2014Q3").loc["T16-1", "value"] == pytest.approx(81.6)
    shown = marked_status(store, plan, "2014Q3").set_index("indicator_id")
    assert shown.loc["T16-1", "confirmation"] == "returned"

    store.record(TrailEntry("confirmed", "市统计局核准员", upload_id=new), now=LATER)
    after = leaders_status(store, plan, "2014Q3")
    assert after.loc["T16-1", "value"] == pytest.approx(83.0)
    assert after.loc["T16-1", "upload_id"] == new
    shown = marked_status(store, plan, "2014Q3").set_index("indicator_id")
    assert shown.loc["T16-1", "confirmation"] == "confirmed"


def test_a_decision_on_one_figure_counts_that_figure_only(tmp_path):
    plan = parse_plan(CONFIRMED_FOREST_YAML)
    assert plan.confirmed_indicator_ids() == {"T01-1", "T01-2"}
    store = ProgressStore(tmp_path / "p.sqlite3")
    new = upload(
        store, plan, [("T01-1", "2014Q3", 900), ("T01-2", "2014Q3", 1500)], "市林业局", "a.csv"
    )
    assert leaders_status(store, plan, "2014Q3")["value"].isna().all()
    one = TrailEntry(
        "confirmed", "市统计局核准员", upload_id=new, indicator_id="T01-2", period="2014Q3",
        reporter="市林业局",
    )  # fmt: skip
    store.record(one, now=LATER)
    leaders = leaders_status(store, plan, "2014Q3")
    assert pd.isna(leaders.loc["T01-1", "value"])
    assert leaders.loc["T01-2", "value"] == pytest.approx(1500.0)
    shown = marked_status(store, plan, "2014Q3").set_index("indicator_id")
    assert list(shown.loc[["T01-1", "T01-2", "T01-3"], "confirmation"]) == [
        "pending", "confirmed", "",
    ]  # fmt: skip


# --- the demo's sample -------------------------------------------------------------------


def test_demo_sample_is_confirmed_and_still_sample_data(plan, tmp_path):
    store = ProgressStore(tmp_path / "demo.sqlite3")
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, NOW)
    ledger = store.uploads()
    assert len(ledger) == 1 and ledger.loc[0, "is_sample"] and store.has_sample_data()
    decisions = store.trail(DECISION_KINDS)
    assert list(decisions["kind"]) == ["confirmed"]
    assert decisions.loc[0, "actor"] == SAMPLE_CONFIRMER
    assert decisions.loc[0, "upload_id"] == ledger.loc[0, "id"]
    assert decisions.loc[0, "indicator_id"] == ""  # the whole upload
    leaders = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    pd.testing.assert_frame_equal(leaders, store.current_values())


def test_demo_store_seeded_before_confirmation_has_its_sample_confirmed(plan, tmp_path):
    store = ProgressStore(tmp_path / "demo.sqlite3")
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = checked_upload(plan, content, SAMPLE_PROGRESS_FILE.name, stored=None)
    # the sample as a store seeded before confirmation existed holds it: no decision
    old = store.import_rows(
        report.rows,
        file_name="progress.csv",
        content=content,
        uploaded_by="示例数据 / sample",
        now=NOW,
        is_sample=True,
    )
    assert store.trail(DECISION_KINDS).empty
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, LATER)
    decisions = store.trail(DECISION_KINDS)
    assert decisions[["kind", "upload_id", "actor"]].to_numpy().tolist() == [
        ["confirmed", old, SAMPLE_CONFIRMER]
    ]
    assert len(store.uploads()) == 1  # not seeded again
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, LATER)
    assert len(store.trail(DECISION_KINDS)) == 1  # decided once


def test_a_returned_sample_stays_returned(plan, tmp_path):
    store = ProgressStore(tmp_path / "demo.sqlite3")
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, NOW)
    sample_id = int(store.uploads().loc[0, "id"])
    store.record(TrailEntry("returned", "市统计局核准员", upload_id=sample_id), now=LATER)
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, LATER)
    assert list(store.trail(DECISION_KINDS)["kind"]) == ["confirmed", "returned"]


def test_without_confirmation_the_sample_is_not_confirmed_and_every_figure_counts(tmp_path):
    plan = forest_plan()
    assert not plan.confirmation.required and plan.confirmed_indicator_ids() == frozenset()
    sample = tmp_path / "progress.csv"
    sample.write_bytes(progress_csv([("T01-1", "2014Q1", 5)], note="示例数据：演示"))
    store = ProgressStore(tmp_path / "demo.sqlite3")
    ensure_demo_store(store, plan, sample, NOW)
    upload(store, plan, [("T01-1", "2014Q2", 40)], "市林业局", "a.csv")
    assert store.trail().empty
    leaders = leaders_status(store, plan, "2014Q2")
    assert leaders.loc["T01-1", "value"] == pytest.approx(40.0)
    shown = marked_status(store, plan, "2014Q2").set_index("indicator_id")
    assert list(shown.loc[["T01-1", "T01-2"], "confirmation"]) == ["not_required", ""]
