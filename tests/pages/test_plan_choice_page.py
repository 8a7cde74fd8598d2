"""Several plans in the library: the sidebar and the URL choose one; each plan shows its own
title and figures from the one store."""

from __future__ import annotations

import pytest

from lib.services.plans import published_plan_file
from lib.services.settings import settings_from_env
from tests.lib.services.test_plans import second_plan_text
from tests.pages.test_pages import all_text, open_app

SAMPLE_NOTICE = "示例数据，非真实统计"


@pytest.fixture
def two_plans(sample_store, tmp_path, monkeypatch):
    """The sample store (its figures are the home plan's) and a second plan, issued later."""
    monkeypatch.setenv("PLANS_DIR", str(tmp_path / "plans"))
    published_plan_file(settings_from_env(), second_plan_text())
    return sample_store


def plan_selector(at):
    return next(s for s in at.sidebar.selectbox if s.label == "计划（文件）")


def test_the_newest_plan_opens_by_default_and_the_url_chooses(two_plans):
    at = open_app()
    assert not at.exception, at.exception
    assert "《第二份》" in all_text(at) and SAMPLE_NOTICE not in all_text(at)
    assert "zq-second" in plan_selector(at).value

    home = open_app({"plan": "zhaoqing-prd-2014"})
    text = all_text(home)
    assert "肇府办〔2014〕9号《实施珠三角规划纲要2014年重点工作任务安排》" in text
    assert SAMPLE_NOTICE in text  # the sample figures belong to the home plan only
    links = [link.proto.query_string for link in home.sidebar.get("page_link")]
    assert links and all("plan=zhaoqing-prd-2014" in q for q in links)


def test_choosing_a_plan_in_the_sidebar_writes_it_to_the_url(two_plans):
    at = open_app({"plan": "zq-second", "sections": "S01", "unit": "市编办"})
    selector = plan_selector(at)
    home = next(i for i, o in enumerate(selector.options) if "zhaoqing-prd-2014" in o)
    selector.select_index(home).run()
    assert not at.exception, at.exception
    assert at.query_params["plan"] in ("zhaoqing-prd-2014", ["zhaoqing-prd-2014"])
    assert "sections" not in at.query_params and "unit" not in at.query_params
    assert SAMPLE_NOTICE in all_text(at)


def test_an_unknown_plan_in_the_url_says_which_plans_there_are(two_plans):
    at = open_app({"plan": "nope"})
    assert not at.exception, at.exception
    warning = next(w.value for w in at.warning if "nope" in w.value)
    assert "zq-second" in warning and "zhaoqing-prd-2014" in warning


def test_a_library_of_one_shows_no_plan_selector(sample_store):
    at = open_app()
    assert all(s.label != "计划（文件）" for s in at.sidebar.selectbox)
    assert "《实施珠三角规划纲要2014年重点工作任务安排》" in all_text(at)
