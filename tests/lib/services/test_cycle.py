"""The quarter's supervision steps (lib/services/cycle.py) over the real 2014 plan and a
real SQLite store: 核准 by the right role only and the leaders' numbers moving only then,
催报 notices as real Word files and recorded, 督办单 holding exactly the unit's at-risk
indicators, replies by the unit's own analyst, closing, and the trail of every step."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from lib.auth.accounts import Role, User
from lib.core.errors import PermissionDeniedError, StoreError, UserInputError
from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.services import cycle
from lib.services.uploads import import_upload
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry
from tests.support import SAMPLE_PROGRESS_FILE, admin, analyst, unit_upload, viewer

NOW = datetime(2014, 10, 20, 3, 0, tzinfo=UTC)  # after 2014Q3's figures were due (10-10)
CONFIRMER = User("统计局 王核准", Role.CONFIRMER, "local", "市统计局")


@pytest.fixture(scope="module")
def plan():
    return load_plan(Path("data/tasks_2014.yaml"))


@pytest.fixture
def store(tmp_path, plan) -> ProgressStore:
    """The sample figures, imported and confirmed (as the demo store holds them)."""
    store = ProgressStore(tmp_path / "progress.sqlite")
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    upload = import_upload(
        store, report, content=content, file_name="sample.csv", user=admin("office"), now=NOW
    )
    store.record(TrailEntry("confirmed", "统计局 初核", upload_id=upload), now=NOW)
    return store


def _upload(store, plan, rows: list[tuple[str, str, object]], unit: str, by: User) -> int:
    return unit_upload(store, plan, rows, unit, by, NOW)


def _leaders_value(store, plan, indicator: str, period: str) -> float:
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    status = indicator_status(plan, figures, period).set_index("indicator_id")
    return float(status.at[indicator, "value"])


# --- 核准 -------------------------------------------------------------------------------------


def test_leaders_numbers_change_only_after_confirmation_by_a_confirmer(store, plan):
    before = _leaders_value(store, plan, "T16-1", "2014Q3")
    upload = _upload(store, plan, [("T16-1", "2014Q3", 82.5)], "市住建局", analyst("住建 李"))
    assert _leaders_value(store, plan, "T16-1", "2014Q3") == before  # waiting: not counted
    for who in (viewer("v"), analyst("a"), User("住建 李", Role.CONFIRMER, "local")):
        with pytest.raises((PermissionDeniedError,)) as refused:
            cycle.confirm_figures(store, plan, upload, user=who, now=NOW)
        assert refused.value.problems[0].code in ("permission_denied", "own_upload")
    assert _leaders_value(store, plan, "T16-1", "2014Q3") == before
    assert store.trail(("confirmed",))["upload_id"].tolist() == [1]  # only the sample's
    cycle.confirm_figures(store, plan, upload, user=CONFIRMER, now=NOW)
    assert _leaders_value(store, plan, "T16-1", "2014Q3") == 82.5
    queue = cycle.confirmation_queue(plan, store).set_index("id")
    assert queue.at[upload, "state"] == "confirmed"


def test_a_returned_upload_never_counts_and_says_why(store, plan):
    before = _leaders_value(store, plan, "T16-1", "2014Q3")
    upload = _upload(store, plan, [("T16-1", "2014Q3", 99)], "市住建局", analyst("住建 李"))
    with pytest.raises(UserInputError) as refused:
        cycle.return_figures(store, plan, upload, user=CONFIRMER, reason="  ", now=NOW)
    assert refused.value.problems[0].code == "return_reason_missing"
    cycle.return_figures(store, plan, upload, user=CONFIRMER, reason="口径与统计年报不符", now=NOW)
    assert _leaders_value(store, plan, "T16-1", "2014Q3") == before
    figures = cycle.upload_confirmation(plan, store, upload)
    assert figures[["indicator_id", "state", "reason"]].values.tolist() == [
        ["T16-1", "returned", "口径与统计年报不符"]
    ]
    # every figure is still kept as sent: a decision never edits one
    assert store.upload_figures(upload)["value"].tolist() == [99.0]


def test_one_figure_of_an_upload_can_be_confirmed_alone(store, plan):
    upload = _upload(
        store, plan, [("T16-1", "2014Q3", 81), ("T16-2", "2014Q3", 5)], "市住建局",
        analyst("住建 李"),
    )  # fmt: skip
    cycle.confirm_figures(
        store, plan, upload, user=CONFIRMER, now=NOW, figure=cycle.FigureKey("T16-2", "2014Q3")
    )
    states = cycle.upload_confirmation(plan, store, upload).set_index("indicator_id")["state"]
    assert states.to_dict() == {"T16-1": "pending", "T16-2": "confirmed"}
    assert _leaders_value(store, plan, "T16-2", "2014Q3") == 5
    assert _leaders_value(store, plan, "T16-1", "2014Q3") != 81
    with pytest.raises(UserInputError) as refused:
        cycle.confirm_figures(
            store, plan, upload, user=CONFIRMER, now=NOW, figure=cycle.FigureKey("T01-1", "2014Q3")
        )
    assert refused.value.problems[0].code == "figure_not_in_upload"


def test_milestones_need_no_confirmation_and_a_milestone_upload_has_nothing_to_confirm(store, plan):
    upload = _upload(store, plan, [("T02-1", "2014Q3", 90)], "市发展改革局", analyst("发改 张"))
    assert _leaders_value(store, plan, "T02-1", "2014Q3") == 90
    with pytest.raises(UserInputError) as refused:
        cycle.confirm_figures(store, plan, upload, user=CONFIRMER, now=NOW)
    assert refused.value.problems[0].code == "nothing_to_confirm"


def test_a_withdrawn_upload_cannot_be_confirmed(store, plan):
    upload = _upload(store, plan, [("T16-1", "2014Q3", 70)], "市住建局", analyst("住建 李"))
    store.withdraw(upload, withdrawn_by="住建 李", now=NOW)
    with pytest.raises(StoreError) as refused:
        cycle.confirm_figures(store, plan, upload, user=CONFIRMER, now=NOW)
    assert refused.value.problems[0].code == "upload_withdrawn"


# --- 催报 ---------------------------------------------------------------------------------------


def test_reminders_go_to_units_still_owing_as_word_notices_and_are_recorded(store, plan):
    figures = store.current_values()
    targets = cycle.reminder_targets(plan, figures, store.trail(), "2014Q4", NOW)
    assert (targets["missing"] > 0).all() and len(targets) > 1
    unit = str(targets["reporter"].iloc[-1])
    with pytest.raises(PermissionDeniedError):
        cycle.send_reminders(
            store, plan, figures, units=[unit], period="2014Q4", user=analyst("a"), now=NOW
        )
    sent = cycle.send_reminders(
        store, plan, figures, units=[unit], period="2014Q4", user=admin("督查室 陈"), now=NOW
    )
    assert len(sent) == 1 and sent[0].file_name.endswith(".docx")
    document = docx.Document(io.BytesIO(sent[0].content))
    text = "\n".join(p.text for p in document.paragraphs)
    table_text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    owed = targets.set_index("reporter").at[unit, "missing_ids"].split("、")
    assert unit in text and "催报" in text and "肇庆市人民政府办公室督查室" in text
    assert "2015年1月10日" in text  # 2014Q4 is due 10 days after the quarter ends
    assert all(indicator in table_text for indicator in owed)
    recorded = store.trail(("reminded",))
    assert recorded[["unit", "period", "actor"]].values.tolist() == [[unit, "2014Q4", "督查室 陈"]]
    assert recorded["details"].iloc[0]["missing"] == owed
    again = cycle.reminder_targets(plan, figures, store.trail(), "2014Q4", NOW)
    assert again.set_index("reporter").at[unit, "reminders"] == 1


def test_a_unit_that_owes_nothing_gets_no_reminder_and_nothing_is_recorded(store, plan):
    figures = store.current_values()
    owes = cycle.reminder_targets(plan, figures, store.trail(), "2014Q3", NOW)["reporter"]
    settled = next(u for u in plan.indicators["reporter"].unique() if u not in set(owes))
    with pytest.raises(UserInputError) as refused:
        cycle.send_reminders(
            store, plan, figures, units=[next(iter(owes)), settled], period="2014Q3",
            user=admin("o"), now=NOW,
        )  # fmt: skip
    assert [p.code for p in refused.value.problems] == ["nothing_missing"]
    assert store.trail(("reminded",)).empty


# --- 督办单 and replies ---------------------------------------------------------------------


def _leaders_status(store, plan, period="2014Q3"):
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    return indicator_status(plan, figures, period)


def _a_lagging_unit(status) -> tuple[str, list[str]]:
    risky = at_risk_indicators(status)
    risky = risky[risky["status"].isin(cycle.NOTICE_STATUSES)]
    unit = risky["lead_unit"].value_counts().index[0]
    return unit, risky.loc[risky["lead_unit"] == unit, "indicator_id"].tolist()


def test_a_notice_lists_exactly_the_units_at_risk_indicators(store, plan):
    status = _leaders_status(store, plan)
    unit, expected = _a_lagging_unit(status)
    with pytest.raises(PermissionDeniedError):
        cycle.issue_notices(
            store, plan, status, units=[unit], period="2014Q3", user=analyst("a"), now=NOW,
            sample=False,
        )  # fmt: skip
    [issued] = cycle.issue_notices(
        store, plan, status, units=[unit], period="2014Q3", user=admin("督查室 陈"), now=NOW,
        sample=True,
    )  # fmt: skip
    document = docx.Document(io.BytesIO(issued.content))
    [table] = document.tables
    assert [row.cells[0].text for row in table.rows[1:]] == expected
    text = "\n".join(p.text for p in document.paragraphs)
    assert unit in text and "示例数据" in text
    reply_by = (NOW.astimezone(cycle.OFFICE_TIME).date() + timedelta(days=10)).isoformat()
    entry = store.trail(("issued",)).iloc[0]
    assert entry["details"]["indicators"] == expected and entry["details"]["reply_by"] == reply_by
    # made again from the trail: the same document
    again = cycle.notice_document(plan, entry)
    assert [r.cells[0].text for r in docx.Document(io.BytesIO(again.content)).tables[0].rows] == [
        r.cells[0].text for r in table.rows
    ]
    with pytest.raises(UserInputError) as refused:
        cycle.issue_notices(
            store, plan, status, units=[unit], period="2014Q3", user=admin("o"), now=NOW,
            sample=False,
        )  # fmt: skip
    assert refused.value.problems[0].code == "notice_open"


def test_replies_by_the_units_own_analyst_then_closing_with_the_trail_complete(store, plan):
    status = _leaders_status(store, plan)
    unit, listed = _a_lagging_unit(status)
    [issued] = cycle.issue_notices(
        store, plan, status, units=[unit], period="2014Q3", user=admin("督查室 陈"), now=NOW,
        sample=False,
    )  # fmt: skip
    notice = issued.entry_id
    reply = cycle.Reply(
        notice, listed[0], "前期手续未完成", "倒排工期，每周调度", date(2014, 12, 20)
    )
    other = User("水务 赵", Role.ANALYST, "local", "某其他单位")
    with pytest.raises(UserInputError) as refused:
        cycle.record_replies(store, plan, [reply], user=other, now=NOW)
    assert refused.value.problems[0].code == "not_own_notice"
    own = User("本单位 刘", Role.ANALYST, "local", unit)
    stray = cycle.Reply(notice, "T99-9", "x", "y", None)
    with pytest.raises(UserInputError) as refused:
        cycle.record_replies(store, plan, [reply, stray], user=own, now=NOW)
    assert [p.code for p in refused.value.problems] == ["indicator_not_in_notice"]
    assert store.trail(("replied",)).empty  # one bad reply stores none
    with pytest.raises(PermissionDeniedError):
        cycle.chase_reply(store, notice_id=notice, user=own, now=NOW)
    cycle.chase_reply(store, notice_id=notice, user=admin("督查室 陈"), now=NOW)
    chased = store.trail(("reminded",)).iloc[-1]
    assert (chased["notice_id"], chased["details"]["unanswered"]) == (notice, listed)
    cycle.record_replies(store, plan, [reply], user=own, now=NOW)
    if len(listed) == 1:
        with pytest.raises(UserInputError) as refused:
            cycle.chase_reply(store, notice_id=notice, user=admin("督查室 陈"), now=NOW)
        assert refused.value.problems[0].code == "all_replied"
    table = cycle.notices_table(store.trail(), date(2014, 10, 21)).set_index("notice_id")
    assert table.at[notice, "reminders"] == 1
    expected_state = "replied" if len(listed) == 1 else "partly_replied"
    assert table.at[notice, "state"] == expected_state and table.at[notice, "replied"] == 1
    with pytest.raises(PermissionDeniedError):
        cycle.close_notice(store, notice_id=notice, user=own, now=NOW)
    cycle.close_notice(store, notice_id=notice, user=admin("督查室 陈"), now=NOW, note="已整改")
    with pytest.raises(UserInputError) as refused:
        cycle.record_replies(store, plan, [reply], user=own, now=NOW)
    assert refused.value.problems[0].code == "notice_closed"
    steps = cycle.trail_table(store.trail(), plan, period="2014Q3")
    assert steps["kind"].tolist()[-4:] == ["签发督办单", "催办", "回复", "办结"]
    assert f"督办单 {notice} 号" in steps["subject"].iloc[-3]
    assert "前期手续未完成" in steps["details"].iloc[-2]


def test_a_filled_reply_form_is_stored_and_a_bad_one_stores_nothing(store, plan, tmp_path):
    status = _leaders_status(store, plan)
    unit, listed = _a_lagging_unit(status)
    [issued] = cycle.issue_notices(
        store, plan, status, units=[unit], period="2014Q3", user=admin("o"), now=NOW,
        sample=False,
    )  # fmt: skip
    entry = store.trail(("issued",)).iloc[0]
    form = cycle.reply_form(plan, entry)
    book = openpyxl.load_workbook(io.BytesIO(form.content))
    sheet = book["回复"]
    headings = [c.value for c in sheet[1]]
    at = {name: headings.index(name) + 1 for name in ("原因分析", "整改措施", "预计完成时间")}
    assert [sheet.cell(r, 2).value for r in range(2, 2 + len(listed))] == listed
    sheet.cell(2, at["原因分析"]).value = "资金未到位"
    sheet.cell(2, at["整改措施"]).value = "协调财政提前拨付"
    sheet.cell(2, at["预计完成时间"]).value = "2014-12-31"
    bad = io.BytesIO()
    sheet.cell(2, at["预计完成时间"]).value = "年底"
    book.save(bad)
    with pytest.raises(UserInputError) as refused:
        cycle.import_reply_form(store, plan, bad.getvalue(), "回复.xlsx", user=admin("o"), now=NOW)
    problem = refused.value.problems[0]
    assert (problem.code, problem.row) == ("reply_bad_date", 2)
    assert store.trail(("replied",)).empty
    sheet.cell(2, at["预计完成时间"]).value = "2014-12-31"
    good = io.BytesIO()
    book.save(good)
    cycle.import_reply_form(store, plan, good.getvalue(), "回复.xlsx", user=admin("o"), now=NOW)
    replies = store.trail(("replied",))
    assert replies[["notice_id", "indicator_id", "unit"]].values.tolist() == [
        [issued.entry_id, listed[0], unit]
    ]
    assert replies["details"].iloc[0] == {
        "reason": "资金未到位", "measures": "协调财政提前拨付", "expected_by": "2014-12-31"
    }  # fmt: skip


def test_the_trail_refuses_changes_even_through_sql(store, plan):
    import sqlite3

    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE cycle_events SET actor = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM cycle_events")
    conn.close()
    assert pd.DataFrame(store.trail())["actor"].tolist() == ["统计局 初核"]
