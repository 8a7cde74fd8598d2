"""The at-risk page's view model: the status filter, the list worst first, the 督办清单 files."""

from __future__ import annotations

import io

import pandas as pd

from lib.services.views.risks import RISK_KEYS, risk_controls, risks_view


def test_the_filter_offers_every_risk_status_worst_first(frames_at):
    controls = risk_controls("zh")
    assert controls.statuses.options == ("overdue", "behind", "no_report", "watch")
    assert controls.statuses.default == controls.statuses.options
    assert [controls.statuses.label_of(s) for s in controls.statuses.options] == [
        "已逾期", "落后", "未报送", "关注",
    ]  # fmt: skip
    assert controls.status_label == "状态" and controls.intro.startswith("以下指标")


def test_indicators_of_the_chosen_statuses_worst_first(plan, frames_at):
    status = frames_at("2014Q2").status
    view = risks_view(plan, status, risk_controls("zh").statuses.options, as_of="2014Q2", lang="zh")
    assert view.notice is None
    table = view.table
    assert (table.key, table.height) == ("risk_table", "auto")  # fitted to its rows
    assert len(table.headings) == len(RISK_KEYS)
    # behind first (T02-1 has the wider gap), then no report
    assert table.frame[["指标编号", "状态"]].values.tolist() == [
        ["T02-1", "落后"],
        ["T01-2", "落后"],
        ["T03-1", "未报送"],
    ]
    assert table.progress_columns == ("完成进度", "应达进度")
    only = risks_view(plan, status, ["no_report"], as_of="2014Q2", lang="zh")
    assert only.table.frame["指标编号"].tolist() == ["T03-1"]


def test_nothing_chosen_or_nothing_at_risk_is_an_all_clear(plan, frames_at):
    status = frames_at("2014Q2").status
    for chosen in (None, [], ["overdue"]):
        view = risks_view(plan, status, chosen, as_of="2014Q2", lang="en")
        assert view.table is None and view.downloads == ()
        assert view.notice == "No indicator needs follow-up under these filters."


def test_follow_up_list_files_are_written_on_click_with_headings(plan, frames_at):
    status = frames_at("2014Q2").status
    zh = risks_view(plan, status, ["behind"], as_of="2014Q2", lang="zh")
    xlsx, csv = zh.downloads
    assert xlsx.file_name == "督办清单_2014年第二季度.xlsx"
    assert csv.file_name == "督办清单_2014年第二季度.csv"
    assert callable(xlsx.data) and callable(csv.data)
    exported = pd.read_csv(io.BytesIO(csv.data()), encoding="utf-8-sig")
    assert list(exported.columns[-2:]) == ["文件原文", "上传批次"]
    assert exported["指标编号"].tolist() == ["T02-1", "T01-2"]
    sheets = pd.read_excel(io.BytesIO(xlsx.data()), sheet_name=None)
    assert list(sheets) == ["督办清单"] and len(sheets["督办清单"]) == 2
    en = risks_view(plan, status, ["behind"], as_of="2014Q2", lang="en")
    assert [d.file_name for d in en.downloads] == ["follow-up_2014Q2.xlsx", "follow-up_2014Q2.csv"]
    assert list(pd.read_excel(io.BytesIO(en.downloads[0].data()), sheet_name=None)) == ["follow-up"]
