"""AppTest of the 督办 page with local accounts over a real store holding the sample figures
(confirmed, as the demo store holds them): the office issues a 督办单; a viewer sees every
step's button disabled; a unit's analyst sees and answers only their own unit's 督办单;
the confirmer confirms an upload and the leaders' figure moves on the task's page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.auth.accounts import password_hash
from lib.ingest.report import validate_progress
from lib.services import cycle
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample, import_upload
from lib.status.indicators import indicator_status
from lib.store.repository import ProgressStore
from tests.support import admin, analyst

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/supervision.py"
NOW = datetime(2014, 10, 15, tzinfo=UTC)
HASH = password_hash("correct horse", salt=b"page-test-salt!!")


@pytest.fixture
def store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """PROGRESS_DB naming a store with the sample imported as sample data (confirmed)."""
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    store = ProgressStore(path)
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    import_sample(store, report, content=content, file_name="progress.csv", now=NOW, plan=plan)
    return store


def leaders_status(store, plan, period="2014Q3") -> pd.DataFrame:
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    return indicator_status(plan, figures, period)


def lagging_units(store, plan) -> list[str]:
    return cycle.notice_targets(leaders_status(store, plan), store.trail(), "2014Q3")[
        "unit"
    ].tolist()


def accounts(unit: str = "") -> dict:
    return {
        "office": {"password_hash": HASH, "role": "admin"},
        "stats": {"password_hash": HASH, "role": "confirmer", "unit": "市统计局"},
        "unit_analyst": {"password_hash": HASH, "role": "analyst", "unit": unit},
        "reader": {"password_hash": HASH, "role": "viewer"},
    }


def open_page(who: str, unit: str = "", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["accounts"] = accounts(unit)
    at.session_state["auth_account"] = who
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def table_keyed(at: AppTest, heading: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if heading in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def test_the_office_issues_a_notice_and_gets_its_documents(store, plan):
    unit = lagging_units(store, plan)[0]
    at = open_page("office")
    assert [t.label for t in at.tabs] == ["报送与催报", "核准", "督办单", "回复", "留痕"]
    assert not at.button(key="sv_issue").disabled
    at.multiselect(key="sv_notice_units").set_value([unit]).run()
    at.button(key="sv_issue").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("已签发 1 份督办单并记入留痕") for s in at.success)
    issued = store.trail(("issued",))
    assert issued[["unit", "period", "actor"]].values.tolist() == [[unit, "2014Q3", "office"]]
    assert issued["details"].iloc[0]["sample"] is True  # the sample figures say so
    labels = [b.label for b in at.get("download_button")]
    assert f"下载 督办单_{unit}_2014Q3.docx" in labels
    assert f"下载 督办回复表_{unit}_2014Q3.xlsx" in labels and "全部下载（zip）" in labels
    notices = table_keyed(at, "办理状态")
    assert notices[["单位", "办理状态"]].values.tolist() == [[unit, "待回复"]]
    assert at.button(key="sv_close")  # the office may close it
    steps = table_keyed(at, "步骤")
    assert steps["步骤"].tolist() == ["签发督办单"]


def test_a_viewer_sees_every_step_disabled(store, plan):
    at = open_page("reader", query={"lang": "en"})
    for key in ("sv_send_reminders", "sv_issue", "sv_confirm_all", "sv_return_one"):
        assert at.button(key=key).disabled, key
    assert at.multiselect(key="sv_remind_units").disabled
    captions = [c.value for c in at.caption]
    assert "Only the supervision office (admin) may send reminders." in captions
    assert "Only the supervision office (admin) may issue or close 督办单." in captions
    assert not [b for b in at.button if b.key in ("sv_close", "sv_reply_submit")]
    assert any("no open 督办单 you may answer" in i.value for i in at.info)


def test_a_units_analyst_answers_their_own_notice_and_sees_no_other(store, plan):
    own, other = lagging_units(store, plan)[:2]
    status = leaders_status(store, plan)
    for unit in (own, other):
        cycle.issue_notices(
            store, plan, status, units=[unit], period="2014Q3", user=admin("督查室"), now=NOW,
            sample=True,
        )  # fmt: skip
    own_id = int(store.trail(("issued",)).set_index("unit").at[own, "id"])
    at = open_page("unit_analyst", unit=own)
    assert table_keyed(at, "办理状态")["单位"].tolist() == [own]
    assert at.selectbox(key="sv_reply_notice").options == [
        f"督办〔2014〕{own_id}号 · {own} · 2014年第三季度"
    ]
    assert at.button(key="sv_issue").disabled and not [b for b in at.button if b.key == "sv_close"]
    indicator = at.selectbox(key="sv_reply_indicator").value
    at.text_area(key="sv_reply_reason").input("前期手续未完成")
    at.text_area(key="sv_reply_measures").input("倒排工期，每周调度")
    at.button(key="sv_reply_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已保存 1 条回复。"]
    replies = store.trail(("replied",))
    assert replies[["notice_id", "indicator_id", "unit", "actor"]].values.tolist() == [
        [own_id, indicator, own, "unit_analyst"]
    ]
    assert replies["details"].iloc[0]["reason"] == "前期手续未完成"
    shown = table_keyed(at, "整改措施")
    assert shown[["指标编号", "原因分析"]].values.tolist() == [[indicator, "前期手续未完成"]]
    assert at.text_area(key="sv_reply_reason").value == ""  # not offered again
    assert other not in set(table_keyed(at, "步骤")["单位"])


def test_the_confirmer_confirms_an_upload_and_the_leaders_figure_moves(store, plan):
    content = "指标编号,报告期,完成值,填报单位\nT16-1,2014Q3,82.5,市住建局\n".encode("utf-8-sig")
    report = validate_progress(content, "住建.csv", plan, stored=store.current_values())
    upload = import_upload(
        store, report, content=content, file_name="住建.csv", user=analyst("住建 李"), now=NOW
    )
    assert leaders_status(store, plan).set_index("indicator_id").at["T16-1", "value"] == 81.6
    at = open_page("stats")
    assert at.selectbox(key="sv_upload").index == 0  # the pending upload, chosen first
    assert not at.button(key="sv_confirm_all").disabled
    at.button(key="sv_confirm_all").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        f"第 {upload} 批需核准的数据已核准，领导视图即按其统计。"
    ]
    decided = store.trail(("confirmed",))
    assert decided[["upload_id", "actor"]].values.tolist()[-1] == [upload, "stats"]
    queue = table_keyed(at, "需核准数").set_index("批次号")
    assert queue.at[upload, "核准状态"] == "已核准"
    task = AppTest.from_file(APP, default_timeout=90)
    task.query_params["task"] = "T16"
    task.run()
    task.switch_page("pages/sections.py").run()
    assert not task.exception, task.exception
    indicators = next(
        d.value for d in task.dataframe if "T16-1" in set(d.value.get("指标编号", []))
    )
    assert indicators.set_index("指标编号").at["T16-1", "完成值"] == 82.5


def test_the_page_opens_in_english_with_the_sample_notice(store):
    at = open_page("office", query={"lang": "en"})
    assert [t.label for t in at.tabs] == [
        "Reporting & reminders", "Confirmation", "Notices (督办单)", "Replies", "Trail",
    ]  # fmt: skip
    assert any("Sample data, not real statistics" in w.value for w in at.warning)
    assert [t.value for t in at.title] == ["Supervision"]


def test_the_office_reminds_the_overdue_units_and_may_download_the_notices_again(store, plan):
    at = open_page("office")
    chosen = at.multiselect(key="sv_remind_units").value
    assert chosen  # the overdue units, chosen at first
    at.button(key="sv_send_reminders").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"已生成 {len(chosen)} 份催报通知并记入留痕。"]
    reminded = store.trail(("reminded",))
    assert reminded["unit"].tolist() == chosen and set(reminded["actor"]) == {"office"}
    labels = [b.label for b in at.get("download_button")]
    assert f"下载 催报通知_{chosen[0]}_2014Q3.docx" in labels and "全部下载（zip）" in labels
    sent = table_keyed(at, "催报人")
    assert sorted(sent["填报单位"]) == sorted(chosen)
    owing = table_keyed(at, "已催报次数").set_index("填报单位")
    assert (owing.loc[chosen, "已催报次数"] == 1).all()
    assert len(at.selectbox(key="sv_reminder_doc").options) == len(chosen)
