"""The upload page's view model: templates, the checked file, import, ledger and withdrawal."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from lib.services.views.upload import (
    checked_upload_view,
    import_checked_upload,
    upload_history_view,
    upload_view,
    withdraw_chosen_upload,
)
from tests.support import admin, analyst, viewer

NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)


def test_top_of_the_page_by_role(plan):
    local = upload_view(plan, analyst("本地分析员"), "none", "zh")
    assert local.may_upload and local.analyst_needed is None
    assert local.single_user_note.startswith("未配置账户")
    assert [t.file_name for t in local.templates] == ["进度填报模板.xlsx", "进度填报模板.csv"]
    assert all(callable(t.data) for t in local.templates)
    assert local.templates[1].data().decode("utf-8-sig").startswith("指标编号")
    guest = upload_view(plan, viewer("li"), "local", "en")
    assert not guest.may_upload and guest.single_user_note is None
    assert guest.analyst_needed.startswith("Uploading and withdrawing need the analyst role")
    assert not upload_view(plan, None, "local", "en").may_upload


def test_a_good_file_is_previewed_then_imported(plan, store, upload_file):
    content = upload_file([("T01-1", "2014Q3", 70), ("T03-1", "2014Q3", 4)])
    figures = store.current_values()
    checked = checked_upload_view(plan, figures, content, "q3.csv", "zh")
    assert checked.unreadable == () and checked.verdict_ok
    assert checked.verdict == "校验通过，可以导入。" and checked.problems is None
    assert checked.preview.key == "preview"
    preview = checked.preview.frame
    assert list(preview.columns) == ["指标编号", "报告期", "原值", "新值", "变化"]
    assert preview[["指标编号", "新值", "变化"]].values.tolist() == [
        ["T01-1", 70.0, "new"],
        ["T03-1", 4.0, "new"],
    ]
    assert preview["原值"].isna().all()
    outcome = import_checked_upload(
        store, checked, content=content, file_name="q3.csv", user=analyst("wang"), now=NOW,
        lang="zh",
    )  # fmt: skip
    assert (outcome.message, outcome.problems) == ("已导入，批次号 2。", ())
    assert store.uploads()["id"].tolist() == [2, 1]


def test_a_viewer_cannot_import_and_is_told_why(plan, store, upload_file):
    content = upload_file([("T01-1", "2014Q3", 70)])
    checked = checked_upload_view(plan, store.current_values(), content, "q3.csv", "en")
    outcome = import_checked_upload(
        store, checked, content=content, file_name="q3.csv", user=viewer("li"), now=NOW,
        lang="en",
    )  # fmt: skip
    assert outcome.message is None and len(outcome.problems) == 1
    assert store.uploads()["id"].tolist() == [1]


def test_a_bad_file_lists_its_problems_with_the_report_as_files(plan, store, upload_file):
    content = upload_file([("T99-1", "2014Q3", 5), ("T01-1", "2014Q3", "很多")])
    checked = checked_upload_view(plan, store.current_values(), content, "bad.csv", "zh")
    assert not checked.verdict_ok and checked.preview is None
    assert checked.verdict.startswith("发现 2 个错误")
    assert checked.problems.key == "problems"
    assert checked.problems.headings[:2] == ["行号", "列"]
    assert checked.problems.frame["行号"].tolist() == [2, 3]
    csv, xlsx = checked.report_downloads
    assert (csv.file_name, xlsx.file_name) == ("校验报告.csv", "校验报告.xlsx")
    assert csv.data.decode("utf-8-sig").startswith("row,column")


def test_an_unreadable_file_gets_its_messages(plan, store, upload_file):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    checked = checked_upload_view(plan, store.current_values(), png, "fake.csv", "zh")
    assert checked.report is None and checked.unreadable
    assert checked.preview is None and checked.problems is None


def test_ledger_and_withdrawal_by_role(store):
    ledger = store.uploads()
    mine = upload_history_view(ledger, analyst("wang"), "zh")
    assert mine.note is None and mine.withdrawable == (1,)
    assert mine.ledger.key == "uploads"
    assert mine.ledger.headings == ["批次号", "文件名", "上传人", "上传时间", "行数", "批次状态"]
    first = mine.ledger.frame.loc[0, ["批次号", "上传人", "批次状态"]]
    assert first.tolist() == [1, "wang", "active"]
    assert upload_history_view(ledger, analyst("li"), "zh").withdrawable == ()
    assert upload_history_view(ledger, admin("组长"), "zh").withdrawable == (1,)

    refused = withdraw_chosen_upload(store, 1, user=analyst("li"), now=NOW, lang="zh")
    assert refused.message is None and refused.problems
    done = withdraw_chosen_upload(store, 1, user=analyst("wang"), now=NOW, lang="en")
    assert done.message == "Upload #1 withdrawn; earlier values restored." and not done.problems
    assert upload_history_view(store.uploads(), analyst("wang"), "en").withdrawable == ()

    empty = upload_history_view(pd.DataFrame(columns=ledger.columns), None, "en")
    assert empty.ledger is None and empty.note == "No uploads yet."
