"""The review steps on a real draft (the 2014 document): task edits, indicator rows added and
removed, registry edits, checks and publishing rights."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lib.drafting.draft import draft_plan
from lib.services.settings import DEFAULT_PLAN_FILE, Settings
from lib.services.views import plans as pv
from tests.support import admin, analyst

DOC_2014 = (
    Path(__file__).resolve().parents[3] / "data" / "documents"
    / "zhaoqing_2014_zhongdian_renwu_anpai.txt"
)  # fmt: skip


@pytest.fixture(scope="module")
def draft() -> dict:
    return draft_plan(DOC_2014)


def task(draft: dict, task_id: str) -> dict:
    return next(t for t in pv.tasks(draft) if t["id"] == task_id)


def test_a_task_edit_changes_that_task_only_and_registers_new_units(draft):
    before = pv.reviewed_yaml(draft)
    edited = pv.with_task_edits(
        draft, "T02", title="新标题", units_text="市新设局、市编办、各县(市、区)政府"
    )
    assert task(edited, "T02")["title"] == "新标题"
    assert task(edited, "T02")["units"] == ["市新设局", "市编办", "各县(市、区)政府"]
    added = next(u for u in edited["units"] if u["name"] == "市新设局")
    assert added["kind"] == "municipal_department" and "added during review" in added["review"][0]
    assert task(edited, "T03") == task(draft, "T03")
    assert pv.reviewed_yaml(draft) == before  # the drafted original is untouched


def test_indicator_rows_edited_added_and_removed(draft):
    frame = pv.indicator_table(task(draft, "T01"))
    assert frame["indicator_id"].tolist()[:2] == ["T01-1", "T01-2"]
    frame.loc[1, "target"] = 45.0
    frame = frame.drop(index=0)  # the reviewer removed T01-1
    extra = {
        "indicator_id": None, "name": "新增指标", "kind": "quantity", "target": 3.0, "unit": "个",
        "direction": "increase", "deadline": date(2014, 12, 31), "source": "某句原文",
        "review": "",
    }  # fmt: skip
    frame.loc[len(frame) + 5] = extra
    edited = pv.with_task_edits(
        draft, "T01", title=task(draft, "T01")["title"],
        units_text="、".join(task(draft, "T01")["units"]), indicators=frame,
    )  # fmt: skip
    indicators = task(edited, "T01")["indicators"]
    ids = [i["id"] for i in indicators]
    assert "T01-1" not in ids and ids[0] == "T01-2" and ids[-1] == f"T01-{len(frame) + 1}"
    assert indicators[0]["target"] == 45 and isinstance(indicators[0]["target"], int)
    assert indicators[0]["baseline_note"] == "2011年底"  # fields the editor does not show stay
    assert indicators[0]["span"] == task(draft, "T01")["indicators"][1]["span"]
    assert indicators[-1]["deadline"] == date(2014, 12, 31)


def test_a_blanked_target_is_an_error_the_checks_name(draft):
    frame = pv.indicator_table(task(draft, "T05"))
    frame.loc[0, "target"] = None
    edited = pv.with_task_edits(
        draft, "T05", title=task(draft, "T05")["title"],
        units_text="、".join(task(draft, "T05")["units"]), indicators=frame,
    )  # fmt: skip
    problems = pv.problem_table(pv.reviewed_yaml(edited), "en")
    errors = problems[problems["severity"] == "error"]
    assert len(errors) == 1 and "target" in errors["where"].iloc[0]
    assert pv.draft_summary(edited, problems)["errors"] == 1
    assert (pv.problem_table(pv.reviewed_yaml(draft), "en")["severity"] != "error").all()


def test_registry_edits_keep_units_tasks_name(draft):
    units = pv.unit_table(draft)
    units.loc[units["name"] == "市编办", "full_name"] = "中共肇庆市委机构编制委员会办公室"
    edited = pv.with_unit_edits(draft, units[units["name"] != "市社工委"])
    registry = {u["name"]: u for u in edited["units"]}
    assert registry["市编办"]["full_name"] == "中共肇庆市委机构编制委员会办公室"
    assert "市社工委" in registry  # T01 still names it: not removed


def test_only_an_admin_publishes_and_an_invalid_plan_writes_nothing(draft, tmp_path):
    settings = Settings(DEFAULT_PLAN_FILE, tmp_path / "s.sqlite3", False, tmp_path / "plans")
    refused = pv.publish(settings, analyst("分析员"), pv.reviewed_yaml(draft))
    assert not refused.ok and refused.problems[0].code == "not_allowed"
    broken = pv.with_task_edits(draft, "T01", title="", units_text="")
    failed = pv.publish(settings, admin("督查室"), pv.reviewed_yaml(broken))
    assert not failed.ok and not (tmp_path / "plans").exists()
    done = pv.publish(settings, admin("督查室"), pv.reviewed_yaml(draft))
    assert done.ok and done.plan_id == draft["plan"]["id"]
    again = pv.publish(settings, admin("督查室"), pv.reviewed_yaml(draft))
    assert again.plan_id == f"{draft['plan']['id']}-v2"
