"""The progress template: one row per indicator, styled XLSX and BOM CSV, and it round-trips."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib.core.labels import MILESTONE_WORDS
from lib.ingest.report import validate_progress
from lib.output.template import (
    INSTRUCTIONS_SHEET,
    progress_template_frame,
    template_bytes,
    write_template,
)
from lib.plan.loader import parse_plan
from lib.plan.model import Plan
from tests.support import TEST_PLAN_HEADER

# A plan of its own, so it begins like the other test plans (test_progress_file.py's too): the
# template must show a milestone due mid-year and a name that a spreadsheet would take for a
# formula ('=网上办理率').
PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市编办, aliases: [市委编办], kind: party_department}
  - {name: 市林业局, kind: municipal_department}
sections:
  - id: S01
    title: 改革
    tasks:
      - id: T01
        title: 转变政府职能
        text: 公布权责清单。网上办理率达到80%。
        units: [市编办]
        indicators:
          - {id: T01-1, name: 权责清单公布, kind: milestone, target: 100, unit: '%',
             direction: increase, deadline: 2014-06-30, source: 公布权责清单}
          - {id: T01-2, name: =网上办理率, kind: quantity, target: 80, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 网上办理率达到80%}
      - id: T02
        title: 林业
        text: 森林面积达到1532.87万亩。
        units: [市林业局]
        indicators:
          - {id: T02-1, name: 森林面积, kind: quantity, target: 1532.87, unit: 万亩,
             direction: increase, deadline: 2014-12-31, source: 森林面积达到1532.87万亩}
"""
)

INPUT_HEADINGS = ["指标编号", "报告期", "完成值", "进展情况", "填报单位"]
HELPER_HEADINGS = ["指标名称", "单位", "目标值", "完成时限", "所属任务", "牵头单位"]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_YAML)


def test_frame_has_one_row_per_indicator_with_helper_columns(plan):
    frame = progress_template_frame(plan)
    assert set(INPUT_HEADINGS + HELPER_HEADINGS) == set(frame.columns)
    assert list(frame["指标编号"]) == ["T01-1", "T01-2", "T02-1"]
    assert list(frame["目标值"]) == [100.0, 80.0, 1532.87]
    assert list(frame["完成时限"]) == ["2014-06-30", "2014-12-31", "2014-12-31"]
    assert list(frame["牵头单位"]) == ["市编办", "市编办", "市林业局"]
    assert (frame["报告期"] == "").all() and (frame["完成值"] == "").all()
    prefilled = progress_template_frame(plan, period="2014Q3")
    assert (prefilled["报告期"] == "2014Q3").all()
    english = progress_template_frame(plan, lang="en")
    assert {"indicator_id", "period", "value", "note", "reporter"} <= set(english.columns)


def test_xlsx_template_styles_helpers_and_explains_the_rules(plan):
    workbook = load_workbook(io.BytesIO(template_bytes(plan, "xlsx")))
    assert workbook.sheetnames == ["进度填报", INSTRUCTIONS_SHEET]
    sheet = workbook["进度填报"]
    headings = [c.value for c in sheet[1]]
    assert headings[:4] == ["指标编号", "指标名称", "报告期", "完成值"]
    assert sheet.freeze_panes == "C2"
    assert sheet.protection.sheet is True
    name_cell, value_cell = sheet.cell(2, headings.index("指标名称") + 1), sheet["D2"]
    assert name_cell.protection.locked and name_cell.fill.fgColor.rgb.endswith("E7E6E6")
    assert not value_cell.protection.locked
    hostile = sheet.cell(3, headings.index("指标名称") + 1)  # a name that looks like a formula
    assert hostile.value == "'=网上办理率" and hostile.data_type == "s"
    assert [v.sqref for v in sheet.data_validations.dataValidation] != []
    text = " ".join(
        str(c) for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row
    )
    for form in ("2014Q1", "2014-Q2", "2014年第二季度", "2014年第2季度", "2014年二季度"):
        assert form in text
    for word in MILESTONE_WORDS:
        assert word in text
    assert "Milestones" in text and "percent done" in text


def test_filled_xlsx_template_round_trips(plan, tmp_path):
    path = tmp_path / "模板.xlsx"
    write_template(plan, path)
    workbook = load_workbook(path)
    sheet = workbook["进度填报"]
    sheet["C2"], sheet["D2"] = "2014年第二季度", "已完成"
    sheet["C3"], sheet["D3"], sheet["F3"], sheet["G3"] = "2014Q2", 0.62, "进展顺利", "市委编办"
    sheet["D3"].number_format = "0%"
    sheet["C4"], sheet["D4"] = "2014Q2", 1530.1
    workbook.save(path)
    report = validate_progress(path.read_bytes(), path.name, plan)
    assert report.ok and report.problems == []
    rows = report.rows.set_index("indicator_id")
    assert list(rows["value"]) == [100.0, 62.0, 1530.1]
    assert rows.loc["T01-2", "reporter"] == "市编办"
    assert set(rows["period"]) == {"2014Q2"}


def test_filled_csv_template_round_trips(plan, tmp_path):
    content = template_bytes(plan, "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame["指标名称"]) == ["权责清单公布", "'=网上办理率", "森林面积"]
    frame.loc[0, ["报告期", "完成值"]] = ["2014Q1", "未开始"]
    frame.loc[2, ["报告期", "完成值"]] = ["2014Q1", "1,528.5"]
    path = tmp_path / "模板.csv"
    frame.to_csv(path, index=False, encoding="gb18030")  # as Excel's plain "CSV" saves it
    report = validate_progress(path.read_bytes(), path.name, plan)
    assert report.ok, report.problems
    assert list(report.rows["value"]) == [0.0, 1528.5]
    assert report.skipped_rows == (3,)


def test_prefilled_period_template_validates_when_partly_filled(plan):
    workbook = load_workbook(io.BytesIO(template_bytes(plan, "xlsx", period="2014Q3")))
    workbook["进度填报"]["D4"] = 1531
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_progress(buffer.getvalue(), "x.xlsx", plan)
    assert report.ok and list(report.rows["indicator_id"]) == ["T02-1"]


def test_write_template_to_a_buffer_matches_the_file(plan, tmp_path):
    buffer = io.BytesIO()
    write_template(plan, buffer, fmt="csv")
    write_template(plan, tmp_path / "t.csv", fmt="csv")
    assert buffer.getvalue() == Path(tmp_path / "t.csv").read_bytes()
    with pytest.raises(ValueError, match="pdf"):
        template_bytes(plan, "pdf")  # type: ignore[arg-type]
