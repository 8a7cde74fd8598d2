"""Leaders' pages count confirmed figures only, say so, and switch to unconfirmed ones on
request (`?unconfirmed=1`, a sidebar toggle) with a visible warning; a plan without
confirmation shows neither. AppTest against a real SQLite store: the bundled sample
(confirmed, as the demo store holds it) and an analyst's newer figure of T16-1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

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

APP = str(Path(__file__).resolve().parents[2] / "app.py")
NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)
CONFIRMED_ONLY = "仅统计已核准数据（核准单位：市统计局）"
UNCONFIRMED = "含待核准数据（标“待核准”者未经市统计局核准）"
TOGGLE = "含待核准数据"


@pytest.fixture
def store_and_upload(tmp_path, monkeypatch) -> tuple[ProgressStore, int]:
    """PROGRESS_DB naming a store with the sample (confirmed) and an analyst's unconfirmed
    T16-1 of 2014Q3 (83 where the sample says 81.6); the bundled plan."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = sample_store_in_env(monkeypatch, tmp_path / "progress.sqlite3", plan, NOW)
    housing = [("T16-1", "2014Q3", 83)]
    upload_id = unit_upload(store, plan, housing, "市住房城乡建设局", analyst("填报员"), NOW)
    return store, upload_id


def open_page(query: dict[str, str], page: str | None = "pages/sections.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def task_value(at: AppTest, indicator_id: str) -> float:
    """The value the sections page's task detail shows for `indicator_id`."""
    tables = [d.value for d in at.dataframe if "指标编号" in d.value.columns]
    rows = pd.concat(tables).drop_duplicates("指标编号").set_index("指标编号")
    return float(rows.loc[indicator_id, "完成值"])


def unconfirmed_toggles(at: AppTest) -> list:
    return [t for t in at.toggle if t.label in (TOGGLE, "Include unconfirmed figures")]


def test_default_view_counts_confirmed_figures_and_says_so(store_and_upload):
    at = open_page({"task": "T16", "period": "2014Q3"})
    assert CONFIRMED_ONLY in captions(at)
    assert not any(UNCONFIRMED in w for w in warnings(at))
    assert any("示例数据" in w for w in warnings(at))  # still labelled sample data
    assert task_value(at, "T16-1") == pytest.approx(81.6)  # the confirmed sample figure
    [toggle] = unconfirmed_toggles(at)
    assert toggle.value is False


def test_unconfirmed_in_the_url_shows_them_with_a_warning(store_and_upload):
    at = open_page({"task": "T16", "period": "2014Q3", "unconfirmed": "1"})
    assert any(UNCONFIRMED in w for w in warnings(at))
    assert CONFIRMED_ONLY not in captions(at)
    assert task_value(at, "T16-1") == pytest.approx(83.0)
    [toggle] = unconfirmed_toggles(at)
    assert toggle.value is True


def test_the_toggle_writes_the_url_and_switches_the_figures(store_and_upload):
    at = open_page({"task": "T16", "period": "2014Q3"})
    unconfirmed_toggles(at)[0].set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["unconfirmed"] == "1"
    assert any(UNCONFIRMED in w for w in warnings(at))
    assert task_value(at, "T16-1") == pytest.approx(83.0)


def test_english_banners(store_and_upload):
    at = open_page({"lang": "en", "period": "2014Q3"}, page=None)
    assert "Confirmed figures only (confirmer: 市统计局)" in captions(at)
    at = open_page({"lang": "en", "period": "2014Q3", "unconfirmed": "1"}, page=None)
    assert any("Unconfirmed figures included" in w for w in warnings(at))


def test_a_confirmed_figure_reaches_the_default_view(store_and_upload):
    store, upload_id = store_and_upload
    store.record(TrailEntry("confirmed", "市统计局核准员", upload_id=upload_id), now=NOW)
    at = open_page({"task": "T16", "period": "2014Q3"})
    assert task_value(at, "T16-1") == pytest.approx(83.0)
    assert CONFIRMED_ONLY in captions(at)


def test_the_upload_page_shows_figures_as_sent(store_and_upload):
    at = open_page({}, page="pages/upload.py")
    assert "本页按各单位报送的最新数据（含待核准数据）" in captions(at)
    assert not unconfirmed_toggles(at)
    assert CONFIRMED_ONLY not in captions(at)


def test_a_plan_without_confirmation_has_no_toggle_and_counts_every_figure(tmp_path, monkeypatch):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(FOREST_PLAN_YAML, encoding="utf-8")
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("PLAN_FILE", str(plan_file))
    monkeypatch.setenv("PROGRESS_DB", str(path))
    plan = load_plan(plan_file)
    store = ProgressStore(path)
    content = progress_csv([("T01-1", "2014Q2", 1200)])
    report = checked_upload(plan, content, "a.csv", None)
    import_upload(store, report, content=content, file_name="a.csv", user=analyst("甲"), now=NOW)
    for query in ({"task": "T01"}, {"task": "T01", "unconfirmed": "1"}):
        at = open_page(query)
        assert not unconfirmed_toggles(at)
        shown = captions(at) + warnings(at)
        assert not any("核准" in text for text in shown), shown
        assert task_value(at, "T01-1") == pytest.approx(1200.0)
