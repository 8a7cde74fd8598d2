"""The shared pieces of the view models: tables under their headings, chart stamps, messages."""

from __future__ import annotations

import pandas as pd

from lib.core.errors import Problem
from lib.services.views.elements import (
    Choices,
    chart_stamp,
    percent,
    problem_messages,
    table_view,
)


def test_table_view_keeps_the_chosen_columns_in_order_under_their_headings():
    rows = pd.DataFrame(
        {"task_id": ["T01"], "title": ["任务一"], "completion_pct": [12.5], "extra": [1]}
    )
    zh = table_view(rows, ["completion_pct", "task_id"], "zh", key="k", height=600)
    assert zh.headings == ["完成度", "任务编号"]
    assert zh.frame.values.tolist() == [[12.5, "T01"]]
    assert zh.progress_columns == ("完成度",)
    assert (zh.key, zh.height) == ("k", 600)
    en = table_view(rows, ["task_id", "title"], "en", key="k")
    assert en.headings == ["Task", "Task title"] and en.progress_columns == ()
    assert en.height == "auto"
    assert list(rows.columns) == ["task_id", "title", "completion_pct", "extra"]  # untouched


def test_chart_stamp_names_the_period_document_and_batches(plan, frames_at):
    status = frames_at("2014Q2").status
    zh = chart_stamp(plan, status, "2014Q2", "zh", sample_in_use=False)
    assert zh.as_of_label == "2014年第二季度" and zh.period == "2014Q2"
    assert "测试〔2014〕1号" in zh.source_line and "#1" in zh.source_line
    assert "示例数据" not in zh.source_line
    en = chart_stamp(plan, status, None, "en", sample_in_use=True)
    assert en.as_of_label == "-" and en.period == "" and en.lang == "en"
    assert en.source_line == (
        "Source: 测试〔2014〕1号; upload batches #1; sample data, not real statistics"
    )


def test_problem_messages_add_the_location_when_there_is_one():
    located = Problem("bad_value", "数值无效", "bad value", row=3, column="完成值")
    nowhere = Problem("empty", "文件为空", "empty file")
    assert problem_messages([located, nowhere], "zh") == (
        "数值无效（row 3, column 完成值）",
        "文件为空",
    )
    assert problem_messages([nowhere], "en") == ("empty file",)


def test_percent_and_choice_labels():
    assert (percent(0.625), percent(None), percent(float("nan"))) == ("62.5%", "-", "-")
    choices = Choices((60, 0), {0: "全部单位"}, 60)
    assert (choices.label_of(0), choices.label_of(60)) == ("全部单位", "60")
