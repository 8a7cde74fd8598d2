"""The 督办 page's view model over the real 2014 plan and a real SQLite store holding the
sample figures (confirmed, as the demo store holds them): who still owes figures and the
催报 notices, the 核准 queue and decisions by the right role only, 督办单 to the lagging
lead units with their documents, a unit's replies (own unit only), the trail and its
spreadsheet; and the upload page's word on figures waiting for confirmation."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from lib.auth.accounts import Role, User
from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.services import cycle
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample
from lib.services.views import supervision as sv
from lib.services.views.upload import (
    checked_upload_view,
    import_checked_upload,
    upload_history_view,
)
from lib.status.indicators import indicator_status
from lib.store.repository import ProgressStore
from tests.support import admin, analyst, unit_upload, viewer

NOW = datetime(2014, 10, 20, 3, 0, tzinfo=UTC)  # after 2014Q3's figures were due (10-10)
CONFIRMER = User("统计局 王核准", Role.CONFIRMER, "local", "市统计局")
OFFICE = admin("督查室 陈")


@pytest.fixture(scope="module")
def plan():
    return load_plan(Path("data/tasks_2014.yaml"))


@pytest.fixture
def store(tmp_path, plan) -> ProgressStore:
    store = ProgressStore(tmp_path / "progress.sqlite")
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    import_sample(store, report, content=content, file_name="progress.csv", now=NOW, plan=plan)
    return store


def upload_of(store, plan, rows, unit: str, by: User) -> int:
    return unit_upload(store, plan, rows, unit, by, NOW)


def leaders_status(store, plan, period="2014Q3"):
    figures = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    return indicator_status(plan, figures, period)


def page(store, plan, user, lang="zh", period="2014Q3", made=()) -> sv.SupervisionView:
    return sv.supervision_view(
        plan, store, user, period=period, now=NOW, lang=lang,
        unit_figures=store.current_values(), leaders_status=leaders_status(store, plan, period),
        queue=cycle.confirmation_queue(plan, store), made=made,
    )  # fmt: skip


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- 报送与催报 --------------------------------------------------------------------------------


def test_units_owing_figures_are_listed_and_the_overdue_ones_chosen_to_remind(store, plan):
    view = page(store, plan, viewer("v")).reminders
    targets = cycle.reminder_targets(plan, store.current_values(), store.trail(), "2014Q3", NOW)
    assert list(view.units.options) == targets["reporter"].tolist()
    overdue = targets.loc[targets["state"] == "overdue", "reporter"].tolist()
    assert view.units.default == overdue and overdue
    frame = view.table.frame
    assert list(frame.columns) == [
        "填报单位", "报送状态", "应报数", "已报数", "未报数", "未报指标", "已催报次数", "最近催报",
        "最近报送时间",
    ]  # fmt: skip
    assert frame["未报指标"].tolist() == targets["missing_ids"].tolist()
    assert set(frame["报送状态"]) <= {"逾期未报齐", "待报送", "部分报送"}
    assert "2014-10-10" in view.caption  # due 10 days after the quarter, office time
    assert not view.may_send and view.not_allowed == "只有督查室（管理员）可以发送催报通知。"
    assert page(store, plan, OFFICE).reminders.may_send


def test_reminders_made_by_the_office_are_recorded_and_downloadable_again(store, plan):
    view = page(store, plan, OFFICE).reminders
    unit = view.units.options[0]
    refused = sv.send_chosen_reminders(
        store, plan, store.current_values(), units=[unit], period="2014Q3", user=analyst("a"),
        now=NOW, lang="en",
    )  # fmt: skip
    assert not refused.ok and refused.problems and store.trail(("reminded",)).empty
    outcome = sv.send_chosen_reminders(
        store, plan, store.current_values(), units=[unit], period="2014Q3", user=OFFICE,
        now=NOW, lang="zh",
    )  # fmt: skip
    assert outcome.message == "已生成 1 份催报通知并记入留痕。"
    [entry_id] = outcome.entry_ids
    again = page(store, plan, OFFICE, made=outcome.entry_ids).reminders
    [made] = again.made.files
    assert again.made.zip is None  # one document: nothing to bundle
    assert made.file_name == f"催报通知_{unit}_2014Q3.docx"
    text = docx_text(made.data())
    missing = view.table.frame.set_index("填报单位").at[unit, "未报指标"].split("、")
    assert unit in text and "催报" in text and all(i in text for i in missing)
    row = again.table.frame.set_index("填报单位").loc[unit]
    assert row["已催报次数"] == 1 and row["最近催报"] == "2014-10-20 11:00"
    assert again.sent.frame[["记录号", "填报单位", "催报人"]].values.tolist() == [
        [entry_id, unit, "督查室 陈"]
    ]
    assert docx_text(again.document_of(entry_id).files[0].data()) == text
    assert page(store, plan, OFFICE, made=outcome.entry_ids).notices.made is None


def test_a_unit_owing_nothing_is_refused_in_the_pages_language(store, plan):
    owing = set(page(store, plan, OFFICE).reminders.units.options)
    settled = next(u for u in plan.indicators["reporter"].unique() if u not in owing)
    outcome = sv.send_chosen_reminders(
        store, plan, store.current_values(), units=[settled], period="2014Q3", user=OFFICE,
        now=NOW, lang="en",
    )  # fmt: skip
    assert outcome.message is None
    assert outcome.problems[0].startswith(f"'{settled}' owes nothing for 2014 Q3")
    assert store.trail(("reminded",)).empty


# --- 核准 ---------------------------------------------------------------------------------------


def test_the_confirmer_confirms_an_upload_and_leaders_numbers_move_only_then(store, plan):
    before = leaders_status(store, plan).set_index("indicator_id").at["T16-1", "value"]
    upload = upload_of(store, plan, [("T16-1", "2014Q3", 82.5)], "市住建局", analyst("住建 李"))
    view = page(store, plan, viewer("v")).confirmation
    assert "市统计局" in view.caption and "数量指标" in view.caption
    assert view.uploads.default == upload  # the pending one is chosen first
    queue = view.table.frame.set_index("批次号")
    assert queue.loc[upload, ["需核准数", "待核准", "核准状态"]].tolist() == [1, 1, "待核准"]
    assert queue.loc[1, "核准状态"] == "已核准"  # the sample, confirmed as the demo holds it
    assert not view.may_decide and "只有核准人员（市统计局）" in view.not_allowed
    [label_confirm, label_return, *_] = [a.label for a in view.actions]
    assert (label_confirm, label_return) == ("核准整批", "退回整批")
    refused = sv.decide_upload(
        store, plan, upload, confirm=True, user=analyst("a"), now=NOW, lang="zh"
    )
    assert not refused.ok and "权限" in refused.problems[0]
    assert page(store, plan, CONFIRMER).confirmation.may_decide
    outcome = sv.decide_upload(
        store, plan, upload, confirm=True, user=CONFIRMER, now=NOW, lang="zh"
    )
    assert outcome.message == f"第 {upload} 批需核准的数据已核准，领导视图即按其统计。"
    after = leaders_status(store, plan).set_index("indicator_id").at["T16-1", "value"]
    assert (before, after) != (82.5, 82.5) and after == 82.5
    figures = page(store, plan, CONFIRMER).confirmation.figures_of(upload).table.frame
    assert figures[["指标编号", "报告期", "完成值", "核准状态"]].values.tolist() == [
        ["T16-1", "2014Q3", 82.5, "已核准"]
    ]


def test_a_return_needs_a_reason_and_one_figure_can_be_decided_alone(store, plan):
    upload = upload_of(
        store, plan, [("T16-1", "2014Q3", 81), ("T16-2", "2014Q3", 5)], "市住建局",
        analyst("住建 李"),
    )  # fmt: skip
    no_reason = sv.decide_upload(
        store, plan, upload, confirm=False, user=CONFIRMER, now=NOW, lang="en", reason=" "
    )
    assert no_reason.problems[0].startswith("say why the figures are returned")
    figures = page(store, plan, CONFIRMER, lang="en").confirmation.figures_of(upload)
    one = next(k for k in figures.figures.options if k.indicator_id == "T16-2")
    assert figures.figures.label_of(one) == "T16-2 · 2014 Q3 · 市住房城乡建设局"  # its full name
    returned = sv.decide_upload(
        store, plan, upload, confirm=False, user=CONFIRMER, now=NOW, lang="zh",
        figure=one, reason="口径与统计年报不符",
    )  # fmt: skip
    assert returned.message == "第 2 批的 T16-2 2014年第三季度 已退回（口径与统计年报不符）。"
    shown = page(store, plan, CONFIRMER).confirmation.figures_of(upload).table.frame
    assert shown[["指标编号", "核准状态", "退回原因"]].values.tolist() == [
        ["T16-1", "待核准", ""],
        ["T16-2", "已退回", "口径与统计年报不符"],
    ]


def test_a_plan_without_confirmation_says_so_and_offers_no_decision(store, plan, tmp_path):
    text = Path("data/tasks_2014.yaml").read_text(encoding="utf-8")
    off = tmp_path / "plan.yaml"
    off.write_text(text.replace("  required: true\n", "  required: false\n", 1), encoding="utf-8")
    plain = load_plan(off)
    view = page(store, plain, CONFIRMER).confirmation
    assert view.caption == "本计划不需要核准数据：各单位报送的数据直接计入。"
    assert view.table is None and view.note is None and not view.may_decide


# --- 督办单 and replies ---------------------------------------------------------------------


def a_lagging_unit(store, plan) -> tuple[str, list[str]]:
    targets = cycle.notice_targets(leaders_status(store, plan), store.trail(), "2014Q3")
    row = targets.sort_values("count", ascending=False, kind="stable").iloc[0]
    return str(row["unit"]), list(row["indicators"])


def issue(store, plan, unit: str) -> int:
    outcome = sv.issue_chosen_notices(
        store, plan, leaders_status(store, plan), units=[unit], period="2014Q3", user=OFFICE,
        now=NOW, sample=True, lang="zh",
    )  # fmt: skip
    assert outcome.ok, outcome.problems
    return outcome.entry_ids[0]


def test_notice_targets_are_the_lagging_lead_units_and_only_the_office_issues(store, plan):
    view = page(store, plan, viewer("v")).notices
    targets = cycle.notice_targets(leaders_status(store, plan), store.trail(), "2014Q3")
    shown = view.targets.frame
    assert list(shown.columns) == ["牵头单位", "指标数", "督办指标", "未办结督办单"]
    assert shown["牵头单位"].tolist() == targets["unit"].tolist()
    assert shown["督办指标"].tolist() == ["、".join(i) for i in targets["indicators"]]
    assert set(shown["未办结督办单"]) == {"—"}
    assert "仅已核准数据" in view.caption
    assert not view.may_issue and view.not_allowed == "只有督查室（管理员）可以签发、办结督办单。"
    unit, listed = a_lagging_unit(store, plan)
    refused = sv.issue_chosen_notices(
        store, plan, leaders_status(store, plan), units=[unit], period="2014Q3",
        user=analyst("a"), now=NOW, sample=True, lang="zh",
    )  # fmt: skip
    assert not refused.ok and store.trail(("issued",)).empty
    notice = issue(store, plan, unit)
    after = page(store, plan, OFFICE, made=(notice,)).notices
    assert (
        after.targets.frame.set_index("牵头单位").at[unit, "未办结督办单"]
        == f"督办〔2014〕{notice}号"
    )
    assert after.units.label_of(unit) == f"{unit}（已有未办结的督办〔2014〕{notice}号）"
    notice_doc, form = after.made.files
    assert notice_doc.file_name == f"督办单_{unit}_2014Q3.docx" and after.made.zip is not None
    text = docx_text(notice_doc.data())
    assert unit in text and all(i in text for i in listed) and "示例数据" in text
    book = openpyxl.load_workbook(io.BytesIO(form.data()))
    assert [c.value for c in book["回复"]["B"][1 : 1 + len(listed)]] == listed
    row = after.notices.frame.iloc[0]
    assert row[["督办单编号", "单位", "督办指标数", "已回复指标数", "办理状态"]].tolist() == [
        notice, unit, len(listed), 0, "待回复",
    ]  # fmt: skip
    again = sv.issue_chosen_notices(
        store, plan, leaders_status(store, plan), units=[unit], period="2014Q3", user=OFFICE,
        now=NOW, sample=True, lang="zh",
    )  # fmt: skip
    assert "已有未办结的督办单" in again.problems[0]


def test_a_units_analyst_sees_and_answers_only_their_own_units_notice(store, plan):
    targets = cycle.notice_targets(leaders_status(store, plan), store.trail(), "2014Q3")
    unit, other = targets["unit"].iloc[0], targets["unit"].iloc[1]
    own_notice, other_notice = issue(store, plan, unit), issue(store, plan, other)
    own = User("本单位 刘", Role.ANALYST, "local", unit)
    view = page(store, plan, own)
    assert view.notices.list_heading == f"本单位的督办单（{unit}）"
    assert view.notices.notices.frame["督办单编号"].tolist() == [own_notice]
    assert view.notices.closable == frozenset()
    assert view.replies.notices.options == (own_notice,)
    indicator = view.replies.indicators_of(own_notice).default
    stray = sv.submit_reply(
        store, plan, notice_id=other_notice, indicator_id=indicator, reason="x", measures="y",
        expected_by=None, user=own, now=NOW, lang="zh",
    )  # fmt: skip
    assert not stray.ok and "只能回复本单位的督办单" in stray.problems[0]
    stored = sv.submit_reply(
        store, plan, notice_id=own_notice, indicator_id=indicator, reason="前期手续未完成",
        measures="倒排工期，每周调度", expected_by=date(2014, 12, 20), user=own, now=NOW,
        lang="zh",
    )  # fmt: skip
    assert stored.message == "已保存 1 条回复。"
    replies = page(store, plan, own).replies.replies_of(own_notice).frame
    assert replies[["指标编号", "原因分析", "整改措施", "预计完成", "回复人"]].values.tolist() == [
        [indicator, "前期手续未完成", "倒排工期，每周调度", "2014-12-20", "本单位 刘"]
    ]
    assert page(store, plan, own).replies.replies_of(other_notice) is None
    # what the unit sees of the trail: its own notice and reply, not the other unit's
    steps = page(store, plan, own).trail(False).table.frame
    assert steps["单位"].tolist() == [unit, unit]
    assert steps["步骤"].tolist() == ["签发督办单", "回复"]


def test_a_filled_reply_form_is_stored_and_a_bad_one_lists_rows_and_columns(store, plan):
    unit, listed = a_lagging_unit(store, plan)
    notice = issue(store, plan, unit)
    form = page(store, plan, OFFICE).notices.documents_of(notice).files[1]
    book = openpyxl.load_workbook(io.BytesIO(form.data()))
    sheet = book["回复"]
    headings = [c.value for c in sheet[1]]
    at = {name: headings.index(name) + 1 for name in ("原因分析", "整改措施", "预计完成时间")}
    sheet.cell(2, at["原因分析"]).value = "资金未到位"
    sheet.cell(2, at["整改措施"]).value = "协调财政提前拨付"
    sheet.cell(2, at["预计完成时间"]).value = "年底"
    bad = io.BytesIO()
    book.save(bad)
    refused = sv.import_reply_form_file(
        store, plan, bad.getvalue(), "回复.xlsx", user=OFFICE, now=NOW, lang="en"
    )
    assert refused.refusal == "Nothing was stored: fix these and try again."
    problems = refused.problem_table.frame
    assert list(problems.columns) == ["Row", "Column", "Message"]
    assert problems[["Row", "Column"]].values.tolist()[0] == [2, "预计完成时间"]
    assert store.trail(("replied",)).empty
    sheet.cell(2, at["预计完成时间"]).value = "2014-12-31"
    good = io.BytesIO()
    book.save(good)
    stored = sv.import_reply_form_file(
        store, plan, good.getvalue(), "回复.xlsx", user=OFFICE, now=NOW, lang="zh"
    )
    assert stored.message == "已保存 1 条回复。"
    assert store.trail(("replied",))["indicator_id"].tolist() == [listed[0]]


def test_the_office_closes_a_notice_and_it_takes_no_more_replies(store, plan):
    unit, _ = a_lagging_unit(store, plan)
    notice = issue(store, plan, unit)
    assert page(store, plan, OFFICE).notices.closable == frozenset({notice})
    refused = sv.close_chosen_notice(store, notice, note="", user=analyst("a"), now=NOW, lang="zh")
    assert not refused.ok
    closed = sv.close_chosen_notice(store, notice, note="已整改", user=OFFICE, now=NOW, lang="zh")
    assert closed.message == f"督办〔2014〕{notice}号已办结。"
    view = page(store, plan, OFFICE)
    assert view.notices.closable == frozenset()
    assert view.notices.notices.frame.at[0, "办理状态"] == "已办结"
    assert view.replies.note == "没有您可回复的未办结督办单。"
    assert view.notices.targets.frame.set_index("牵头单位").at[unit, "未办结督办单"] == "—"


# --- 留痕 ---------------------------------------------------------------------------------------


def test_the_trail_of_the_period_and_of_every_period_with_its_spreadsheet(store, plan):
    upload = upload_of(store, plan, [("T16-1", "2014Q3", 82.5)], "市住建局", analyst("住建 李"))
    sv.decide_upload(store, plan, upload, confirm=True, user=CONFIRMER, now=NOW, lang="zh")
    unit, _ = a_lagging_unit(store, plan)
    issue(store, plan, unit)
    view = page(store, plan, OFFICE, lang="en")
    of_period = view.trail(False)
    assert list(of_period.table.frame.columns) == [
        "Entry", "At", "Step", "By", "Unit", "Period", "About", "Details",
    ]  # fmt: skip
    # a decision on a whole upload has no period: it is in the trail of every period
    assert of_period.table.frame["Step"].tolist() == ["督办单 issued"]
    every = view.trail(True).table.frame
    assert every["Step"].tolist() == ["confirmed", "confirmed", "督办单 issued"]
    assert every["About"].tolist()[1] == f"upload {upload}"
    assert every["At"].tolist()[1] == "2014-10-20 11:00"
    assert "every period" in view.trail(True).caption
    sheet = openpyxl.load_workbook(io.BytesIO(view.trail(True).download.data())).active
    assert [c.value for c in sheet[1]] == list(every.columns)
    assert sheet.max_row == 1 + len(every)
    empty = page(store, plan, OFFICE, period="2014Q1").trail(False)
    assert empty.table is None and empty.download is None and empty.note == "尚无记录。"


# --- the upload page: figures waiting for the confirmer -------------------------------------------


def test_an_import_says_which_figures_wait_and_the_history_shows_each_uploads_state(store, plan):
    content = "指标编号,报告期,完成值,填报单位\nT16-1,2014Q4,90,市住建局\nT02-1,2014Q4,95,\n"
    data = content.encode("utf-8-sig")
    checked = checked_upload_view(plan, store.current_values(), data, "q4.csv", "zh")
    outcome = import_checked_upload(
        store, checked, content=data, file_name="q4.csv", user=analyst("住建 李"), now=NOW,
        lang="zh", plan=plan,
    )  # fmt: skip
    assert outcome.message == "已导入，批次号 2。其中 1 项数据待市统计局核准后计入领导视图。"
    milestones = "指标编号,报告期,完成值,填报单位\nT02-1,2014Q4,96,\n".encode("utf-8-sig")
    checked = checked_upload_view(plan, store.current_values(), milestones, "m.csv", "zh")
    plain = import_checked_upload(
        store, checked, content=milestones, file_name="m.csv", user=analyst("住建 李"),
        now=NOW, lang="zh", plan=plan,
    )  # fmt: skip
    assert plain.message == "已导入，批次号 3。"
    history = upload_history_view(
        store.uploads(), OFFICE, "zh", plan, cycle.confirmation_queue(plan, store)
    )
    ledger = history.ledger.frame.set_index("批次号")
    assert ledger["核准"].to_dict() == {3: "—", 2: "待核准", 1: "已核准"}
    assert "核准" not in upload_history_view(store.uploads(), OFFICE, "zh").ledger.headings


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_has_distinct_headings(store, plan, lang):
    unit, _ = a_lagging_unit(store, plan)
    notice = issue(store, plan, unit)
    sv.submit_reply(
        store, plan, notice_id=notice, indicator_id=a_lagging_unit(store, plan)[1][0],
        reason="r", measures="m", expected_by=None, user=OFFICE, now=NOW, lang=lang,
    )  # fmt: skip
    view = page(store, plan, OFFICE, lang=lang)
    tables = [
        view.reminders.table, view.confirmation.table, view.confirmation.figures_of(1).table,
        view.notices.targets, view.notices.notices, view.replies.replies_of(notice),
        view.trail(True).table,
    ]  # fmt: skip
    for shown in tables:
        assert len(set(shown.headings)) == len(shown.headings), shown.headings
