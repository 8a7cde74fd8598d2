"""报送情况 on the real plan through a real store: one unit on time, one late, one missing,
one partial before the deadline, and a file without units counted as the lead's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.plan.loader import load_plan
from lib.plan.reporting import reported_indicators
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.services.uploads import checked_upload, import_upload
from lib.status.submissions import due_at, submissions
from lib.store.repository import ProgressStore
from tests.lib.ingest.ingest_files import csv_content
from tests.support import analyst

HEADER = ["指标编号", "报告期", "完成值", "进展情况", "填报单位"]


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def _send(store, plan, rows, at, name):
    content = csv_content(rows, header=HEADER)
    report = checked_upload(plan, content, name, store.current_values())
    assert report.ok, [str(p) for p in report.errors]
    import_upload(store, report, content=content, file_name=name, user=analyst("a"), now=at)


def _owed(plan, unit):
    owed = reported_indicators(plan)
    return owed.loc[owed["unit"] == unit, "indicator_id"].tolist()


def test_the_deadline_is_the_end_of_the_tenth_day_office_time(plan):
    assert plan.calendar.due_days == 10
    assert due_at(plan, "2014Q3").isoformat() == "2014-10-11T00:00:00+08:00"


def test_a_quarter_with_units_on_time_late_missing_and_partial(plan, tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    city, water = "市住房城乡建设局", "市发展改革局"
    on_time = datetime(2014, 10, 9, 3, tzinfo=UTC)
    late = datetime(2014, 10, 11, 1, tzinfo=UTC)  # 09:00 on the 11th in Zhaoqing
    _send(store, plan, [[i, "2014Q3", "50", "", city] for i in _owed(plan, city)], on_time, "a")
    owed = _owed(plan, water)
    _send(store, plan, [[i, "2014Q3", "50", "", "发改局"] for i in owed], late, "b")
    # 鼎湖区 owes its breakdown of the additive indicators and sends one of them
    _send(store, plan, [["T16-3", "2014Q3", "3", "", "鼎湖区"]], on_time, "c")

    after = submissions(plan, store.current_values(), "2014Q3", datetime(2014, 10, 20, tzinfo=UTC))
    by_unit = after.set_index("reporter")
    assert by_unit.loc[city, ["state", "missing"]].tolist() == ["on_time", 0]
    assert by_unit.loc[water, ["state", "sent"]].tolist() == ["late", len(owed)]
    dinghu = by_unit.loc["鼎湖区政府"]
    assert (dinghu["state"], dinghu["sent"]) == ("overdue", 1)
    assert "T16-2" in dinghu["missing_ids"] and "T16-3" not in dinghu["missing_ids"]
    assert by_unit.loc["市编办", "state"] == "overdue" and by_unit.loc["市编办", "sent"] == 0
    assert after["state"].iloc[0] == "overdue"  # worst first
    assert set(after["reporter"]) == set(reported_indicators(plan)["unit"])

    before = submissions(plan, store.current_values(), "2014Q3", datetime(2014, 10, 5, tzinfo=UTC))
    states = before.set_index("reporter")["state"]
    assert states["市编办"] == "not_yet" and states["鼎湖区政府"] == "partial"


def test_a_file_naming_no_unit_counts_for_the_lead(plan, tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    owed = _owed(plan, "市编办")
    _send(
        store,
        plan,
        [[i, "2014Q3", "50", "", ""] for i in owed],
        datetime(2014, 10, 2, tzinfo=UTC),
        "x",
    )
    rows = submissions(plan, store.current_values(), "2014Q3", datetime(2014, 10, 20, tzinfo=UTC))
    assert rows.set_index("reporter").loc["市编办", ["state", "sent"]].tolist() == [
        "on_time",
        len(owed),
    ]
