"""AppTest over every page: opens in both languages, filters change the data, URLs restore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")

PAGES = [
    "pages/sections.py",
    "pages/units.py",
    "pages/risks.py",
    "pages/supervision.py",
    "pages/tasks.py",
    "pages/upload.py",
    "pages/plans.py",
]


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [t.value for t in at.title] + [w.value for w in at.warning] + [i.value for i in at.info]
    )
    parts += [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_opens_with_sample_notice(sample_store, page, lang):
    at = open_app({"lang": lang})
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    notice = "示例数据，非真实统计" if lang == "zh" else "Sample data, not real statistics"
    assert any(notice in w.value for w in at.warning)
    expected_heading = {"zh": "数据截至", "en": "Data as of"}[lang]
    assert expected_heading in all_text(at)


def test_overview_charts_and_kpis(sample_store):
    at = open_app()
    labels = [m.label for m in at.metric]
    assert "重点任务" in labels and "跟踪指标" in labels
    tasks = next(m for m in at.metric if m.label == "重点任务")
    assert tasks.value == "39"
    titles = [figure(at, i)["layout"]["title"]["text"] for i in range(len(at.get("plotly_chart")))]
    assert any("分节" in t or "完成" in t for t in titles)


def test_section_filter_changes_chart_data(sample_store):
    at = open_app()
    bars_all = figure(at)["data"][0]
    at = open_app({"sections": "S01,S02"})
    assert not at.exception
    tasks = next(m for m in at.metric if m.label == "重点任务")
    assert tasks.value == "10"  # S01 has T01-T04, S02 has T05-T10
    bars_two = figure(at)["data"][0]
    assert len(bars_two["y"] if "y" in bars_two else bars_two["x"]) < len(
        bars_all["y"] if "y" in bars_all else bars_all["x"]
    )


def test_query_string_restores_filters(sample_store):
    at = open_app({"lang": "en", "period": "2014Q1", "sections": "S04", "unit": "市住房城乡建设局"})
    assert not at.exception
    assert at.selectbox(key="_w_period").value == "2014Q1"
    assert at.multiselect(key="_w_sections").value == ["S04"]
    assert at.selectbox(key="_w_unit").value == "市住房城乡建设局"
    assert "Data as of 2014 Q1" in all_text(at)
    tasks = next(m for m in at.metric if m.label == "Tasks")
    assert tasks.value == "2"  # T14 and T16 in section 4 list 市住房城乡建设局


def test_changing_a_filter_writes_the_url(sample_store):
    at = open_app()
    at.selectbox(key="_w_period").set_value("2014Q1").run()
    assert at.query_params["period"] == ["2014Q1"] or at.query_params["period"] == "2014Q1"
    at.multiselect(key="_w_sections").set_value(["S06"]).run()
    assert "S06" in str(at.query_params["sections"])
    tasks = next(m for m in at.metric if m.label == "重点任务")
    assert tasks.value == "4"


def test_empty_store_says_no_figures(empty_store):
    at = open_app()
    assert not at.exception
    assert any("暂无进度数据" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert not at.warning  # no sample notice on a real (empty) store
