"""The display tables built from status frames, on the real plan."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.output.tables import INDICATOR_COLUMNS, indicator_rows, task_rows, unit_task_rows
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.indicators import indicator_status
from lib.status.rollups import task_completion

EMPTY = pd.DataFrame(
    {
        "indicator_id": pd.Series(dtype="str"),
        "period": pd.Series(dtype="str"),
        "value": pd.Series(dtype="float"),
        "note": pd.Series(dtype="str"),
        "reporter": pd.Series(dtype="str"),
        "upload_id": pd.Series(dtype="Int64"),
        "uploaded_at": pd.Series(dtype="str"),
        "uploaded_by": pd.Series(dtype="str"),
    }
)


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def test_indicator_rows_translate_and_scale(plan):
    progress = EMPTY.copy()
    progress.loc[0] = ["T16-1", "2014Q2", 41.5, "note", "市住建局", 1, "", ""]
    status = indicator_status(plan, progress, "2014Q2")
    rows = indicator_rows(status, plan, "en")
    assert list(rows.columns) == INDICATOR_COLUMNS
    row = rows.set_index("indicator_id").loc["T16-1"]
    assert row["progress_pct"] == 50.0  # 41.5 of 83
    assert row["task_title"] == "推进宜居城乡建设"
    assert row["deadline"] == "2014-12-31"
    assert row["status_label"] in {"On track", "Watch", "Behind"}
    unreported = rows.set_index("indicator_id").loc["T01-1"]
    assert unreported["status_label"] == "No report"


def test_unit_task_rows_include_group_membership(plan):
    status = indicator_status(plan, EMPTY, "2014Q1")
    tasks = task_completion(plan, status)
    rows = unit_task_rows(plan, tasks, "鼎湖区政府", "zh")
    # 鼎湖区政府 is never named directly: it answers through 各县(市、区)政府 (partner) and
    # 各县(市)政府 leads T17 but has no districts, so T17 is not among its tasks.
    assert "T01" in set(rows["task_id"]) and "T17" not in set(rows["task_id"])
    assert set(rows["role_label"]) == {"配合"}
    four_counties = unit_task_rows(plan, tasks, "德庆县政府", "zh").set_index("task_id")
    assert four_counties.loc["T17", "role_label"] == "牵头"


def test_task_rows_percentages(plan):
    status = indicator_status(plan, EMPTY, "2014Q1")
    rows = task_rows(task_completion(plan, status), "zh")
    assert len(rows) == 39
    assert (rows["completion_pct"] == 0).all()
    assert set(rows["status_label"]) == {"未报送"}
