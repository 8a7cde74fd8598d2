"""A three-task plan and a real store holding its figures for the view-model tests.

Figures (uploaded by analyst 'wang' as upload 1): at 2014Q2 T01-1 is on track (50 of 100),
T01-2 (10 of 80) and T02-1 (an H1 indicator, 20 of 40) are behind, T03-1 has no report; both
behind indicators were on watch at 2014Q1. So at 2014Q2: 4 indicators, 3 tasks, 2 sections,
3 indicators at risk, 2 status changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import pytest

from lib.plan.loader import parse_plan
from lib.plan.model import Plan
from lib.services.uploads import checked_upload, import_upload
from lib.status.indicators import indicator_status
from lib.status.rollups import section_completion, task_completion
from lib.store.repository import ProgressStore
from tests.support import TEST_PLAN_HEADER, analyst, progress_csv

NOW = datetime(2014, 7, 10, 9, 0, tzinfo=UTC)
# A plan of its own (not tests.support's forest plan), so it begins like the other test
# plans: the views need several sections, tasks shared by units and a half-year deadline.
PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市发改局, kind: municipal_department}
  - {name: 市财政局, kind: municipal_department}
  - {name: 市环保局, kind: municipal_department}
sections:
  - id: S01
    title: 改革
    tasks:
      - id: T01
        title: 任务一
        text: 建成A项目100个。建成B项目80个。
        units: [市发改局, 市财政局]
        indicators:
          - {id: T01-1, name: A项目, kind: quantity, target: 100, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成A项目100个}
          - {id: T01-2, name: B项目, kind: quantity, target: 80, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成B项目80个}
      - id: T02
        title: 任务二
        text: 上半年C达到40。
        units: [市财政局]
        indicators:
          - {id: T02-1, name: C数量, kind: quantity, target: 40, unit: 个,
             direction: increase, deadline: 2014-06-30, source: 上半年C达到40}
  - id: S02
    title: 环境
    tasks:
      - id: T03
        title: 任务三
        text: 建成D设施10座。
        units: [市环保局, 市发改局]
        indicators:
          - {id: T03-1, name: D设施, kind: quantity, target: 10, unit: 座,
             direction: increase, deadline: 2014-12-31, source: 建成D设施10座}
"""
)
# Chosen for this plan's statuses (see the module docstring); other suites' figure lists
# look alike only because all are (indicator, period, value) rows.
FIGURES = [
    ("T01-1", "2014Q1", 30),
    ("T01-1", "2014Q2", 50),
    ("T01-2", "2014Q1", 5),
    ("T01-2", "2014Q2", 10),
    ("T02-1", "2014Q1", 10),
    ("T02-1", "2014Q2", 20),
]


def unsigned_csv(rows: list[tuple[str, str, object]]) -> bytes:
    """An upload file of (indicator_id, period, value) rows with no reporter named."""
    return progress_csv(rows, reporter="")


@pytest.fixture
def upload_file():
    """`unsigned_csv`, for tests that upload a file of their own."""
    return unsigned_csv


# Declared like the adversarial suite's StoreSnapshot (a frozen record of frames) but holds
# what a view is given, not what a store holds.
@dataclass(frozen=True)
class Frames:
    """What a page's context hands its view: the figures and the frames at an as-of."""

    figures: pd.DataFrame
    status: pd.DataFrame
    tasks: pd.DataFrame
    sections: pd.DataFrame


@pytest.fixture(scope="session")
def plan() -> Plan:
    return parse_plan(PLAN_YAML)


@pytest.fixture
def store(tmp_path, plan) -> ProgressStore:
    """A store holding FIGURES as upload 1, made by analyst 'wang'."""
    store = ProgressStore(tmp_path / "views.sqlite3")
    content = unsigned_csv(FIGURES)
    report = checked_upload(plan, content, "q2.csv", None)
    assert not report.errors, report.problems
    import_upload(store, report, content=content, file_name="q2.csv", user=analyst("wang"), now=NOW)
    return store


@pytest.fixture
def frames_at(plan, store):
    """Frames at an as-of period, optionally limited to some tasks (the filters in view)."""

    def frames(as_of: str, task_ids: set[str] | None = None) -> Frames:
        figures = store.current_values()
        status = indicator_status(plan, figures, as_of)
        if task_ids is not None:
            status = status[status["task_id"].isin(task_ids)].reset_index(drop=True)
        tasks = task_completion(plan, status)
        return Frames(figures, status, tasks, section_completion(plan, tasks))

    return frames


# A plan whose indicators are reported by a city bureau (市水务局, the lead) and broken down
# by two counties: T01-1 adds up over the areas (breakdown: sum), T01-2 (a rate) does not.
COUNTY_PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市水务局, aliases: [水务局], kind: municipal_department}
  - {name: 市环保局, kind: municipal_department}
  - {name: 鼎湖区政府, aliases: [鼎湖区], kind: county_government}
  - {name: 怀集县政府, aliases: [怀集县], kind: county_government}
  - {name: 各县(市、区)政府, kind: group, members: [鼎湖区政府, 怀集县政府]}
sections:
  - id: S01
    title: 水利
    tasks:
      - id: T01
        title: 水利建设
        text: 完成病险水库除险加固56宗。污水处理率达到83%。
        units: [市水务局, 市环保局, 各县(市、区)政府]
        indicators:
          - {id: T01-1, name: 病险水库, kind: quantity, target: 56, unit: 宗,
             direction: increase, deadline: 2014-12-31, source: 病险水库除险加固56宗,
             breakdown: sum}
          - {id: T01-2, name: 污水处理率, kind: quantity, target: 83, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 污水处理率达到83%}
"""
)


@pytest.fixture(scope="session")
def county_plan() -> Plan:
    return parse_plan(COUNTY_PLAN_YAML)


@pytest.fixture
def county_store(tmp_path, county_plan):
    """An empty store for the county plan and `send(rows, unit, at)`, which imports a file
    of (indicator_id, period, value) rows with 填报单位 `unit`, uploaded at `at` (UTC)."""
    store = ProgressStore(tmp_path / "county.sqlite3")

    def send(rows: list[tuple[str, str, object]], unit: str, at: datetime) -> None:
        content = progress_csv(rows, reporter=unit)
        report = checked_upload(county_plan, content, f"{unit}.csv", store.current_values())
        assert not report.errors, report.problems
        name = f"{unit}_{at:%H%M}.csv"
        import_upload(store, report, content=content, file_name=name, user=analyst("wang"), now=at)

    return store, send
