"""AppTest of the overview's first screen: the conclusion above the KPIs, the completion
delta with its unit, status counts linking to the at-risk page filtered, the top risks."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.labels import STATUS_COLORS
from lib.status.codes import RISK_STATUSES

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(path: str = APP, **query: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def page_links(at: AppTest) -> list:
    return [element.proto for element in at.get("page_link")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_first_screen_of_the_overview(sample_store, lang):
    at = open_page(lang=lang)
    assert not at.exception, at.exception
    opening = {"zh": "39 项任务中 ", "en": " of 39 tasks are behind or overdue, mainly in S"}
    # the conclusion comes before the top risks' heading, and both before the charts
    heading = {"zh": "最需督办的指标", "en": "Indicators most in need of follow-up"}[lang]
    texts = [m.value.replace("\\", "") for m in at.markdown]  # as shown: unescaped
    conclusion = next(i for i, t in enumerate(texts) if opening[lang] in t)
    assert conclusion < next(i for i, t in enumerate(texts) if heading in t)
    completion = at.metric[2]
    assert completion.label == {"zh": "总体完成度", "en": "Overall completion"}[lang]
    unit = {"zh": " 个百分点（比应达）", "en": " pts vs expected"}[lang]
    assert completion.proto.delta.endswith(unit)
    top = at.dataframe[0].value
    assert len(top) == 6 and top.columns[1] == {"zh": "牵头单位", "en": "Lead unit"}[lang]
    assert top.iloc[0, 0] == "乡镇(街道)网上办事站建成"  # the one overdue indicator first


def test_status_counts_link_the_risk_page_filtered_to_their_status(sample_store):
    at = open_page()
    links = [p for p in page_links(at) if "statuses=" in p.query_string]
    assert [p.query_string.split("statuses=")[1] for p in links] == list(RISK_STATUSES)
    assert all(p.page.endswith("risks.py") or "risks" in p.page for p in links)
    assert all("lang=zh" in p.query_string for p in links)  # the filters go along
    overdue = links[0].label
    assert "已逾期" in overdue and f'background="{STATUS_COLORS["overdue"]}"' in overdue
    # on track and met are counted, not linked: the at-risk page does not list them
    assert any("正常" in c.value and STATUS_COLORS["on_track"] in c.value for c in at.caption)


def risk_page(**query: str) -> AppTest:
    at = open_page(**query)
    return at.switch_page("pages/risks.py").run()


def test_the_risk_page_opens_on_the_statuses_of_the_link(sample_store):
    at = risk_page(statuses="overdue")
    assert not at.exception, at.exception
    assert at.get("button_group")[0].value == ["overdue"]
    assert len(at.dataframe[0].value) == 1  # the one overdue indicator
    assert risk_page().get("button_group")[0].value == list(RISK_STATUSES)
