"""The units page's 报送进度 view on the real plan and a real store: states worst first,
the state filter, office dates, the spreadsheet, and the sample-data caveat."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.services.uploads import checked_upload, import_upload
from lib.services.views.units import (
    SUBMISSION_FIGURE_COLUMNS,
    submission_state_choices,
    submissions_view,
)
from lib.status.headline import headline_figures
from lib.store.repository import ProgressStore
from tests.lib.ingest.ingest_files import csv_content
from tests.support import analyst


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def _view(plan, store, now, lang="zh", states=None):
    by_unit = headline_figures(plan, store.current_values()).figures_of_period(
        "2014Q3", SUBMISSION_FIGURE_COLUMNS
    )
    return submissions_view(plan, by_unit, store.uploads(), "2014Q3", now, lang, states=states)


def test_the_quarter_shows_each_unit_owed_sent_and_its_state(plan, tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    content = csv_content([["T16-1", "2014Q3", "81", "", "住建局"]])
    report = checked_upload(plan, content, "a.csv", None)
    import_upload(store, report, content=content, file_name="a.csv", user=analyst("a"),
                  now=datetime(2014, 10, 12, 2, tzinfo=UTC))  # fmt: skip
    view = _view(plan, store, datetime(2014, 10, 20, tzinfo=UTC))
    frame = view.table.frame.set_index("填报单位")
    city = frame.loc["市住房城乡建设局"]
    assert (city["应报数"], city["已报数"], city["未报数"]) == (3, 1, 2)
    assert city["报送状态"] == "逾期未报齐" and city["未报指标"] == "T16-2、T16-3"
    assert city["最近报送时间"] == "2014-10-12" and city["报送截止日"] == "2014-10-10"
    assert view.table.frame["报送状态"].iloc[0] == "逾期未报齐"
    assert "第 10 天" in view.caption
    only = _view(plan, store, datetime(2014, 10, 20, tzinfo=UTC), states=["on_time"])
    assert only.table is None and only.note == "没有符合条件的单位。"
    sheet = openpyxl.load_workbook(io.BytesIO(view.download.data())).worksheets[0]
    assert sheet.title == "2014Q3报送情况" and sheet.max_row == len(view.table.frame) + 1
    label, placeholder, choices = submission_state_choices("en")
    assert (label, placeholder) == ("Filter by state", "Every state")
    assert choices.label_of("late") == "sent late"
