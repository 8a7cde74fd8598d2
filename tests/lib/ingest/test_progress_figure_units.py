"""Nothing silently wrong: fractions for percentages, units in the value heading or the
cell, "this quarter only" columns, and hidden rows and sheets, in real CSV and XLSX files.

Each case asserts the exact refusal (code, row, column, message) or what the report's rows
hold, and that a conversion is said in a warning.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.errors import Problem, ProgressFileError
from lib.ingest.cells import parsed_value, parsed_values
from lib.ingest.coded import coded
from lib.ingest.report import validate_progress
from lib.ingest.value_units import conversion_factor
from lib.ingest.xlsx import _hidden_rows
from lib.plan.loader import parse_plan
from lib.plan.model import Plan
from tests.lib.ingest.ingest_files import HEADER, csv_content, xlsx_content
from tests.support import TEST_PLAN_HEADER

PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市住建局, kind: municipal_department}
  - {name: 甲县政府, kind: county_government}
sections:
  - id: S01
    title: 城建
    tasks:
      - id: T01
        title: 城建
        text: 污水处理率达到83%。开工4649套。投资512亿元。建站30个。造林1500万亩。
        units: [市住建局]
        indicators:
          - {id: T01-1, name: 污水处理率, kind: quantity, target: 83, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 污水处理率达到83%}
          - {id: T01-2, name: 规划公布, kind: milestone, target: 100, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 污水处理率达到83%}
          - {id: T01-3, name: 开工套数, kind: quantity, target: 4649, unit: 套,
             direction: increase, deadline: 2014-12-31, source: 开工4649套}
          - {id: T01-4, name: 投资, kind: quantity, target: 512, unit: 亿元,
             direction: increase, deadline: 2014-12-31, source: 投资512亿元}
          - {id: T01-5, name: 站点, kind: quantity, target: 30, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建站30个}
          - {id: T01-6, name: 造林, kind: quantity, target: 1500, unit: 万亩,
             direction: increase, deadline: 2014-12-31, source: 造林1500万亩}
"""
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_YAML)


def only(report, code: str) -> Problem:
    (problem,) = [p for p in report.problems if p.code == code]
    return problem


def refusal(content: bytes, name: str, plan: Plan) -> Problem:
    with pytest.raises(ProgressFileError) as caught:
        validate_progress(content, name, plan)
    (problem,) = caught.value.problems
    return problem


# --- a fraction for a percentage ----------------------------------------------------------


def test_fraction_for_a_percent_indicator_is_refused_with_the_percentage_suggested(plan):
    rows = [
        ["T01-1", "2014Q1", "0.812", "", ""],
        ["T01-2", "2014Q1", "0.6", "", ""],
        ["T01-1", "2014Q2", "1%", "", ""],
        ["T01-2", "2014Q2", "已完成", "", ""],
        ["T01-1", "2014Q3", "1", "", ""],
        ["T01-1", "2014Q4", "0", "", ""],
        ["T01-5", "2014Q1", "0.5", "", ""],  # a count: no percentage rule
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    errors = [(p.code, p.row, p.column, p.value) for p in report.errors]
    assert errors == [
        ("fraction_for_percent", 2, "完成值", "0.812"),
        ("fraction_for_percent", 3, "完成值", "0.6"),
        ("fraction_for_percent", 6, "完成值", "1"),
    ]
    first, _, whole = report.errors
    assert first.message_zh == (
        "0.812 看起来是 81.2%：请填写 81.2 或 81.2%（若确为 0.812%，请填写 0.812%）"
    )
    assert first.message_en == (
        "0.812 looks like 81.2%: write 81.2 or 81.2% (if it really is 0.812%, write 0.812%)"
    )
    assert whole.message_zh.startswith("1 看起来是 100%：请填写 100 或 100%")
    values = report.rows.set_index("row")["value"]
    assert values[4] == 1.0 and values[5] == 100.0 and values[7] == 0.0 and values[8] == 0.5
    assert math.isnan(values[2]) and math.isnan(values[3])


def test_fraction_in_a_general_xlsx_cell_is_refused_but_a_percent_formatted_one_is_read(plan):
    rows = [["T01-1", "2014Q1", 0.83, "", ""], ["T01-1", "2014Q2", 0.83, "", ""]]
    report = validate_progress(xlsx_content(rows, percent_cells=("C3",)), "x.xlsx", plan)
    assert [(p.code, p.row, p.column) for p in report.errors] == [
        ("fraction_for_percent", 2, "完成值")
    ]
    assert report.errors[0].message_en.startswith("0.83 looks like 83%: write 83 or 83%")
    assert report.rows.set_index("row")["value"][3] == 83.0


# --- units in the heading or the cell -----------------------------------------------------


def test_value_heading_unit_converts_exactly_and_says_so(plan):
    header = ["指标编号", "报告期", "完成值（万元）", "进展情况", "填报单位"]
    rows = [
        ["T01-4", "2014Q1", "5123000", "", ""],
        ["T01-4", "2014Q2", "5200000", "", ""],
        ["T01-3", "2014Q1", "12", "", ""],
        ["T01-1", "2014Q1", "83%", "", ""],  # the cell's own unit wins
    ]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    warning = only(report, "heading_unit_converted")
    assert (warning.row, warning.column, warning.severity) == (2, "完成值（万元）", "warning")
    assert warning.message_zh == (
        "“完成值（万元）”列中单位为“亿元”的指标共 2 行"
        "按“万元”换算为“亿元”：5123000 万元 = 512.3 亿元（如第 2 行）"
    )
    assert warning.message_en == (
        "column '完成值（万元）': 2 row(s) of indicators in '亿元' converted from '万元' to "
        "'亿元': 5123000 万元 = 512.3 亿元 (e.g. row 2)"
    )
    (error,) = report.errors
    assert (error.code, error.row, error.column, error.value) == (
        "heading_unit_not_convertible",
        4,
        "完成值（万元）",
        "12",
    )
    assert error.message_zh == (
        "列标题“完成值（万元）”的单位“万元”无法换算为本指标的单位“套”；请按“套”填写"
        "（或在数字后写明单位）"
    )
    values = report.rows.set_index("row")["value"]
    assert values[2] == 512.3 and values[3] == 520.0 and values[5] == 83.0


def test_value_heading_in_ten_thousands_of_the_counted_unit(plan):
    header = ["指标编号", "报告期", "完成值(万套)", "进展情况", "填报单位"]
    report = validate_progress(
        csv_content([["T01-3", "2014Q1", "0.19", "", ""]], header=header), "x.csv", plan
    )
    assert report.ok and report.rows["value"].tolist() == [1900.0]
    assert only(report, "heading_unit_converted").message_en.endswith(
        "converted from '万套' to '套': 0.19 万套 = 1900 套 (e.g. row 2)"
    )


def test_value_heading_in_the_indicators_own_unit_needs_no_conversion(plan):
    header = ["指标编号", "报告期", "完成值（%）", "进展情况", "填报单位"]
    rows = [["T01-1", "2014Q1", "81.2", "", ""], ["T01-5", "2014Q1", "3", "", ""]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert [(p.code, p.row, p.severity) for p in report.problems] == [
        ("reporter_not_recorded", 1, "notice"),  # no 填报单位 in these rows: said once
        ("heading_unit_not_convertible", 3, "error"),
    ]
    assert report.rows["value"].tolist()[0] == 81.2


@pytest.mark.parametrize("heading", ["完成值（单位：米长）", "完成值(千元)"])
def test_an_unknown_unit_in_the_value_heading_refuses_the_file(plan, heading):
    header = ["指标编号", "报告期", heading, "进展情况", "填报单位"]
    problem = refusal(csv_content([["T01-4", "2014Q1", "5", "", ""]], header=header), "x.csv", plan)
    assert (problem.code, problem.row, problem.column) == (
        "value_heading_unit_unknown",
        1,
        heading,
    )
    assert "不是可识别的单位" in problem.message_zh and "not a unit" in problem.message_en


@pytest.mark.parametrize("heading", ["完成值（累计）", "完成值(必填)", "完成值*"])
def test_plain_words_in_the_value_heading_are_no_unit(plan, heading):
    header = ["指标编号", "报告期", heading, "进展情况", "填报单位"]
    report = validate_progress(
        csv_content([["T01-4", "2014Q1", "5", "", ""]], header=header), "x.csv", plan
    )
    assert report.ok and not report.warnings and report.rows["value"].tolist() == [5.0]


def test_units_in_cells_convert_exactly_or_are_refused_naming_the_indicators_unit(plan):
    rows = [
        ["T01-3", "2014Q1", "0.19万套", "", ""],
        ["T01-4", "2014Q1", "4649万元", "", ""],
        ["T01-4", "2014Q2", "3亿元", "", ""],
        ["T01-5", "2014Q1", "1.2万", "", ""],
        ["T01-6", "2014Q1", "1.2万", "", ""],
        ["T01-5", "2014Q2", "5公里", "", ""],
        ["T01-1", "2014Q1", "5万元", "", ""],
        ["T01-5", "2014Q3", "12e", "", ""],
        ["T01-3", "2014Q2", '"4,649套"', "", ""],
    ]
    report = validate_progress(csv_content(rows), "x.csv", plan)
    values = report.rows.set_index("row")["value"]
    assert values[2] == 1900.0 and values[3] == 0.4649 and values[4] == 3.0
    assert values[5] == 12000.0 and values[6] == 1.2 and values[10] == 4649.0
    converted = [(p.row, p.message_zh) for p in report.warnings if p.code != "above_target"]
    assert converted == [
        (2, "按“万套”换算为“套”：0.19万套 = 1900 套"),
        (3, "按“万元”换算为“亿元”：4649万元 = 0.4649 亿元"),
        (5, "按“万”换算为“个”：1.2万 = 12000 个"),
        (6, "按“万”换算为“万亩”：1.2万 = 1.2 万亩"),
    ]
    assert {p.code for p in report.warnings} == {"value_unit_converted", "above_target"}
    assert [(p.code, p.row, p.column) for p in report.errors] == [
        ("value_unit_not_convertible", 7, "完成值"),
        ("value_unit_not_convertible", 8, "完成值"),
        ("value_not_numeric", 9, "完成值"),
    ]
    km = report.errors[0]
    assert km.message_zh == "完成值“5公里”的单位“公里”无法换算为本指标的单位“个”；请按“个”填写"
    assert km.message_en == (
        "value '5公里' is in '公里', which does not convert to this indicator's unit '个'; "
        "give the figure in 个"
    )
    assert "单位“万元”无法换算为本指标的单位“%”" in report.errors[1].message_zh


def test_conversion_factors_are_exact_powers_of_ten_or_none():
    assert str(conversion_factor("万元", "亿元")) == "0.0001"
    assert conversion_factor("亿元", "万元") == 10000
    assert conversion_factor("万人", "人") == 10000
    assert conversion_factor("万套", "套") == 10000
    assert conversion_factor("万元", "%") is None
    assert conversion_factor("公里", "个") is None
    assert conversion_factor("万", "%") is None


# --- "this quarter only" -------------------------------------------------------------------


def _quarter_stored(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    """Stored figures (indicator, period, value, reporter), each its own upload."""
    frame = pd.DataFrame(rows, columns=["indicator_id", "period", "value", "reporter"])
    return frame.assign(note="", upload_id=range(1, len(rows) + 1))


@pytest.mark.parametrize("heading", ["完成值（本季度）", "本季度完成", "当季完成", "4-6月完成"])
def test_a_this_quarter_only_column_adds_the_units_previous_cumulative_figure(plan, heading):
    header = ["指标编号", "报告期", heading, "进展情况", "填报单位"]
    stored = _quarter_stored(
        [("T01-3", "2014Q1", 1200.0, ""), ("T01-3", "2014Q1", 50.0, "甲县政府")]
    )
    rows = [["T01-3", "2014Q2", "800", "", ""], ["T01-3", "2014Q3", "700", "", ""]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan, stored)
    assert report.ok
    # the whole-area figure's own Q1 (not the district's) + Q2, then + Q3 from this file
    assert report.rows["value"].tolist() == [2000.0, 2700.0]
    (warning,) = [p for p in report.warnings if p.code == "quarter_values_converted"]
    assert (warning.column, warning.value) == (heading, heading)
    assert "2014Q1 累计 1200 + 本季度 800 = 2000" in warning.message_zh
    assert "2014Q1 cumulative 1200 + this quarter 800 = 2000" in warning.message_en


def test_a_this_quarter_figure_is_refused_where_it_cannot_be_made_cumulative(plan):
    header = ["指标编号", "报告期", "本季度完成", "进展情况", "填报单位"]
    rows = [
        ["T01-3", "2014Q1", "900", "", ""],  # the plan's first quarter: it is the cumulative
        ["T01-3", "2014Q3", "700", "", ""],  # no Q2 of this unit anywhere
        ["T01-1", "2014Q2", "81", "", ""],  # a rate does not add up over quarters
        ["T01-2", "2014Q2", "50", "", ""],  # nor does a milestone
    ]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert [(p.code, p.row, p.column) for p in report.errors] == [
        ("quarter_value_no_previous", 3, "本季度完成"),
        ("quarter_value_not_additive", 4, "本季度完成"),
        ("quarter_value_not_additive", 5, "本季度完成"),
    ]
    assert "2014Q2 的累计数尚未报送" in report.errors[0].message_zh
    assert report.rows["value"].tolist()[0] == 900.0


def test_two_this_quarter_columns_refuse_the_file(plan):
    header = ["指标编号", "报告期", "本季度完成", "当季完成"]
    problem = refusal(csv_content([["T01-3", "2014Q2", "5", "6"]], header=header), "x.csv", plan)
    assert (problem.code, problem.row, problem.column) == (
        "value_heading_quarter_only",
        1,
        "本季度完成",
    )
    assert "give the cumulative figure at the quarter's end" in problem.message_en


def test_a_this_quarter_column_beside_the_cumulative_one_is_ignored(plan):
    header = ["指标编号", "报告期", "本季度完成", "完成值", "进展情况"]
    rows = [["T01-4", "2014Q2", "2", "7", "说明"]]
    report = validate_progress(csv_content(rows, header=header), "x.csv", plan)
    assert report.ok and report.rows["value"].tolist() == [7.0]


# --- hidden rows and sheets ----------------------------------------------------------------


def test_hidden_rows_are_skipped_and_counted(plan):
    rows = [
        ["T01-4", "2014Q1", 1, "上季度", ""],
        ["T01-4", "2014Q2", 2, "上季度", ""],
        ["T01-4", "2014Q3", 3, "本季度", ""],
    ]
    report = validate_progress(xlsx_content(rows, hidden_rows=(2, 3)), "x.xlsx", plan)
    assert report.rows[["row", "period", "value"]].values.tolist() == [[4, "2014Q3", 3.0]]
    (warning,) = report.warnings
    assert (warning.code, warning.severity, warning.row, warning.value) == (
        "hidden_rows_skipped",
        "warning",
        None,
        "2, 3",
    )
    assert warning.message_zh == (
        "跳过了 2 个隐藏行（第 2、3 行）：隐藏行不作为数据读取；如需导入，请取消隐藏后重新上传"
    )
    assert warning.message_en == (
        "2 hidden row(s) skipped (rows 2, 3): hidden rows are not read as data; unhide them "
        "and upload again to import them"
    )


def test_a_hidden_sheet_passed_over_is_named(plan):
    content = xlsx_content(
        [["T01-4", "2014Q2", 2, "", ""]],
        hidden_first=[HEADER, ["T01-4", "2014Q1", 1, "", ""]],
        hidden_title="上季度",
    )
    report = validate_progress(content, "x.xlsx", plan)
    assert report.sheet == "本季度" and report.rows["period"].tolist() == ["2014Q2"]
    (warning,) = report.warnings
    assert (warning.code, warning.severity, warning.value) == (
        "hidden_sheet_skipped",
        "warning",
        "上季度",
    )
    assert warning.message_zh == (
        "未读取隐藏的工作表：上季度（已读取“本季度”）；如需读取隐藏表，请取消隐藏或指定工作表"
    )
    named = validate_progress(content, "x.xlsx", plan, sheet="上季度")
    assert named.rows["period"].tolist() == ["2014Q1"] and not named.warnings


def test_hidden_rows_are_read_from_any_row_tag_form():
    xml = (
        b'<x:worksheet xmlns:x="s"><x:sheetData><x:row r="2" hidden="1"/>'
        b"<x:row spans='1:3' hidden='true'/><x:row r=\"7\" customHeight=\"1\"/>"
        b'<x:row r="9" hidden="0"/><x:rowBreaks/></x:sheetData></x:worksheet>'
    )
    assert _hidden_rows(xml) == {2, 3}
    assert _hidden_rows(b'<row r="1"/>') == set()


# --- the column-at-once reading agrees with the one-cell rules ------------------------------

TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789.,%万亿元套个 ")), max_size=7),
    st.sampled_from(["", "0.812", "1", "0.5", "0", "1%", "已完成", "4649万元", "0.19万套"]),
)
INDICATORS = [("quantity", "%"), ("milestone", "%"), ("quantity", "亿元"), ("quantity", "套")]


@settings(deadline=None, max_examples=300)
@given(
    cells=st.lists(st.tuples(TEXTS, st.integers(0, len(INDICATORS) - 1)), max_size=30),
    column_unit=st.sampled_from([None, "%", "万元", "万套", "亿元"]),
)
def test_values_with_units_read_together_as_one_by_one(cells, column_unit):
    texts = coded(pd.Series([text for text, _ in cells], dtype="str"))
    ids = coded(pd.Series([f"T0{i}" for _, i in cells], dtype="str"))
    indicator_of = [int(name[2:]) for name in ids.texts]
    kinds = np.array([INDICATORS[i][0] for i in indicator_of], dtype=object)
    units = np.array([INDICATORS[i][1] for i in indicator_of], dtype=object)
    values, codes = parsed_values(texts, ids, kinds, units, column_unit)
    for index, (text, i) in enumerate(cells):
        value, code = parsed_value(text, *INDICATORS[i], column_unit)
        assert codes.get(index) == code, (text, INDICATORS[i], column_unit)
        expected = math.nan if value is None else value
        assert values[index] == expected or (math.isnan(values[index]) and math.isnan(expected))
