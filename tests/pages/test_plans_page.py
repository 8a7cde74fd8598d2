"""The plans page round trip (AppTest): draft a document, edit a task's units, publish it as
a new plan, switch to it, upload a figure for it and see its status; who may do what."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from lib.plan.loader import load_plan
from lib.services.views.plans import split_units
from lib.store.repository import ProgressStore
from tests.pages.test_supervision_page import accounts

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DOCUMENTS = Path(__file__).resolve().parents[1] / "data" / "documents"
DOC_2016 = DOCUMENTS / "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt"


@pytest.fixture
def library(tmp_path, monkeypatch) -> Path:
    plans = tmp_path / "plans"
    monkeypatch.setenv("PLANS_DIR", str(plans))
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "progress.sqlite3"))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    monkeypatch.delenv("PLAN_ID", raising=False)
    return plans


def open_as(who: str, page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["accounts"] = accounts()
    at.session_state["auth_account"] = who
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_draft_edit_publish_switch_upload_and_see_the_status(library):
    at = open_as("office", "pages/plans.py")
    content = DOC_2016.read_bytes()
    at.file_uploader(key="pr_document").set_value((DOC_2016.name, content, "text/plain")).run()
    assert not at.exception, at.exception
    # the excerpt names no units: the draft cannot be published until a person adds them
    assert metric(at, "任务") == "1" and metric(at, "错误") == "2"
    assert at.button(key="pr_publish").disabled
    text = at.text_area(key="pr_units_T01")
    assert text.value == ""
    text.set_value("市经济信息化局、各县(市、区)政府").run()
    at.button(key="pr_save_task").click().run()
    assert not at.exception, at.exception
    assert metric(at, "错误") == "0" and not at.button(key="pr_publish").disabled
    at.button(key="pr_publish").click().run()
    published = next(s.value for s in at.success if s.value.startswith("已发布为计划"))
    (path,) = library.glob("*.yaml")
    assert path.stem in published
    plan = load_plan(path)
    assert plan.tasks["task_id"].tolist() == ["T01"]
    units = plan.responsibilities.query("task_id == 'T01'")["unit"].tolist()
    assert units == ["市经济信息化局", "各县(市、区)政府"]  # lead first, the group kept whole
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["draft"]["source"].startswith("http://www.zhaoqing.gov.cn/gkmlpt/")
    targets = [i["target"] for i in saved["sections"][0]["tasks"][0]["indicators"]]
    assert targets == [50, 2]

    # the new plan in the sidebar's library: open it, upload a figure, see its status
    upload = open_as("office", "pages/upload.py", {"plan": path.stem})
    csv = "指标编号,报告期,完成值,进展情况,填报单位\nT01-1,2016Q2,30,新增30家,市经济信息化局\n"
    upload.file_uploader(key="progress_upload").set_value(
        ("2016二季度.csv", csv.encode("gb18030"), "text/csv")
    ).run()
    assert not upload.exception, upload.exception
    upload.button(key="confirm_import").click().run()
    assert any("已导入" in s.value for s in upload.success)
    store = ProgressStore(library.parent / "progress.sqlite3", plan_id=path.stem)
    assert store.current_values()[["indicator_id", "value"]].values.tolist() == [["T01-1", 30.0]]

    tasks = open_as("office", "pages/tasks.py", {"plan": path.stem, "period": "2016Q2"})
    (frame,) = [d.value for d in tasks.dataframe if "完成度" in d.value.columns]
    row = frame.set_index("任务编号").loc["T01"]
    assert row["牵头单位"] == "市经济信息化局"
    # 30 of 50 enterprises is 60%; the other indicator (2 家) has no report yet: 0
    assert row["完成度"] == pytest.approx(30.0) and list(row["状态"]) == ["未报送"]


def test_only_the_office_may_draft(library):
    at = open_as("unit_analyst", "pages/plans.py", {"lang": "en"})
    assert any("Only the supervision office" in i.value for i in at.info)
    assert not [u for u in at.get("file_uploader") if u.key == "pr_document"]
    assert "zhaoqing-prd-2014" in at.dataframe[0].value.to_string()  # the library is listed


def test_units_typed_in_one_cell_split_outside_brackets():
    assert split_units("市发展改革局、各县(市、区)政府；肇庆新区管委会\n") == [
        "市发展改革局",
        "各县(市、区)政府",
        "肇庆新区管委会",
    ]
    assert split_units(" 、 ") == []
