"""AppTest of the at-risk page showing each indicator's 督办 state and its unit's latest reply,
recorded in the trail of a real store holding the sample figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.workspace import ensure_demo_store
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

APP = str(Path(__file__).resolve().parents[2] / "app.py")
REASON = "部分项目用地审批滞后"
MEASURES = "专班跟踪审批，每周调度"


@pytest.fixture
def store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """PROGRESS_DB naming a store seeded with the sample figures, as the demo store is; at
    2014Q3 T01-3 (市编办) is overdue and T07-1, T07-2 (市科技局) are behind."""
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    store = ProgressStore(path)
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, datetime(2014, 10, 15, tzinfo=UTC))
    return store


def record_notice_and_reply(store: ProgressStore) -> None:
    """A 督办单 to 市科技局 on T07-1 and T07-2, due 25 Oct 2014; its reply on T07-1 only."""
    details = {"indicators": ["T07-1", "T07-2"], "reply_by": "2014-10-25", "number": "督办1号"}
    notice = store.record(
        TrailEntry("issued", "office", "2014Q3", "市科技局", details=details),
        now=datetime(2014, 10, 18, 2, tzinfo=UTC),
    )
    answer = {"reason": REASON, "measures": MEASURES, "expected_by": "2014-12-20"}
    store.record(
        TrailEntry(
            "replied", "kjj", "2014Q3", "市科技局", indicator_id="T07-1", notice_id=notice,
            details=answer,
        ),
        now=datetime(2014, 10, 22, 3, tzinfo=UTC),
    )  # fmt: skip


def risks_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/risks.py").run()


def table_with(at: AppTest, heading: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if heading in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def test_the_at_risk_table_shows_the_units_reply_beside_the_indicator(store):
    record_notice_and_reply(store)
    at = risks_page({"period": "2014Q3"})
    assert not at.exception, at.exception
    risks = table_with(at, "完成进度").set_index("指标编号")
    shown = ["督办", "原因分析", "整改措施", "预计完成"]
    assert risks.loc["T07-1", shown].tolist() == ["已回复", REASON, MEASURES, "2014-12-20"]
    # its reply day has long passed (the page reads today's date)
    assert risks.loc["T07-2", shown].tolist() == ["回复逾期", "—", "—", "—"]
    assert risks.loc["T01-3", shown].tolist() == ["未督办", "—", "—", "—"]
    [details] = at.expander
    assert details.label == "督办回复详情"
    replies = table_with(at, "回复期限")
    assert replies[["指标编号", "原因分析", "回复人", "回复日期"]].values.tolist() == [
        ["T07-1", REASON, "kjj", "2014-10-22"],
        ["T07-2", "—", "—", "—"],
    ]


def test_in_english_and_without_any_notice(store):
    at = risks_page({"period": "2014Q3", "lang": "en"})
    assert not at.exception, at.exception
    risks = table_with(at, "Progress")
    assert set(risks["Follow-up"]) == {"no notice"}
    assert any("No 督办单 (supervision notice) or reply yet" in c.value for c in at.caption)
    record_notice_and_reply(store)
    at = risks_page({"period": "2014Q3", "lang": "en"})  # a new reply is read on the next run
    risks = table_with(at, "Progress").set_index("Indicator")
    assert risks.loc["T07-1", ["Follow-up", "Unit's reason"]].tolist() == ["replied", REASON]
    assert table_with(at, "Reply due")["Indicator"].tolist() == ["T07-1", "T07-2"]
