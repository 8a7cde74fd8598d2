"""A unit's own progress form: only its indicators, its name and its previous figures, and it
round-trips through validation and a real store import as that unit's figures."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lib.core.errors import UserInputError
from lib.ingest.report import validate_progress
from lib.output.template import (
    INSTRUCTIONS_SHEET,
    progress_template_frame,
    reporting_units,
    template_bytes,
    unit_forms_zip,
    write_template,
)
from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from lib.plan.reporting import figure_roles, reported_indicators
from lib.store.repository import ProgressStore
from tests.support import TEST_PLAN_HEADER, progress_csv

REAL_PLAN = Path(__file__).resolve().parents[3] / "data" / "tasks_2014.yaml"
NOW = datetime(2014, 10, 12, 9, 0, tzinfo=UTC)

# 市水务局 leads both indicators and reports their whole-area figures; T01-1 adds up over the
# two counties, which report their own area's part of it; 市环保局 answers for the task but
# reports nothing.
COUNTY_PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市水务局, aliases: [水务局], kind: municipal_department}
  - {name: 市环保局, kind: municipal_department}
  - {name: 鼎湖区政府, aliases: [鼎湖区], kind: county_government}
  - {name: 怀集县政府, aliases: [怀集县], kind: county_government}
  - {name: 各县(市、区)政府, kind: group, members: [鼎湖区政府, 怀集县政府]}
sections:
  - id: S01
    title: 水利
    tasks:
      - id: T01
        title: 水利建设
        text: 完成病险水库除险加固56宗。污水处理率达到83%。
        units: [市水务局, 市环保局, 各县(市、区)政府]
        indicators:
          - {id: T01-1, name: 病险水库, kind: quantity, target: 56, unit: 宗,
             direction: increase, deadline: 2014-12-31, source: 病险水库除险加固56宗,
             breakdown: sum}
          - {id: T01-2, name: 污水处理率, kind: quantity, target: 83, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 污水处理率达到83%}
"""
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(COUNTY_PLAN_YAML)


@pytest.fixture(scope="module")
def real_plan() -> Plan:
    return load_plan(REAL_PLAN)


def stored_store(tmp_path: Path, plan: Plan) -> ProgressStore:
    """A store where 市水务局 sent Q1 and Q2, and 鼎湖区 its Q1 part of T01-1."""
    store = ProgressStore(tmp_path / "forms.sqlite3")
    for rows, unit in (
        ([("T01-1", "2014Q1", 10), ("T01-2", "2014Q1", 60)], "市水务局"),
        ([("T01-1", "2014Q2", 20), ("T01-2", "2014Q2", 70)], "市水务局"),
        ([("T01-1", "2014Q1", 4)], "鼎湖区政府"),
    ):
        content = progress_csv(rows, reporter=unit)
        report = validate_progress(content, f"{unit}.csv", plan, store.current_values())
        assert report.ok, report.problems
        store.import_rows(
            report.rows, file_name=f"{unit}.csv", content=content, uploaded_by="wang", now=NOW
        )
    return store


@pytest.mark.parametrize("unit", ["市住房城乡建设局", "鼎湖区政府"])
def test_a_units_form_holds_exactly_the_indicators_it_reports(real_plan, unit):
    expected = reported_indicators(real_plan)
    expected = expected.loc[expected["unit"] == unit, "indicator_id"].drop_duplicates().tolist()
    assert expected  # the real plan gives both units something to report
    frame = progress_template_frame(real_plan, period="2014Q3", unit=unit)
    assert frame["指标编号"].tolist() == expected
    assert (frame["填报单位"] == unit).all() and (frame["报告期"] == "2014Q3").all()
    assert (frame["完成值"] == "").all() and (frame["进展情况"] == "").all()


def test_a_county_form_says_its_figures_are_its_areas_part(real_plan):
    frame = progress_template_frame(real_plan, unit="鼎湖区")  # the short name is enough
    assert set(frame["数据口径"]) == {"本地区分项"}
    assert set(progress_template_frame(real_plan, unit="市住房城乡建设局")["数据口径"]) == {
        "全市数据"
    }


def test_unknown_units_groups_and_units_without_indicators_are_refused(plan):
    for name, code in (
        ("市不存在局", "unknown_unit"),
        ("各县(市、区)政府", "unknown_unit"),
        ("市环保局", "unit_reports_nothing"),
    ):
        with pytest.raises(UserInputError) as caught:
            progress_template_frame(plan, unit=name)
        (problem,) = caught.value.problems
        assert (problem.code, problem.value) == (code, name)
        assert problem.message_zh and problem.message_en


def test_the_previous_figure_is_the_units_own_latest_before_the_period(plan, tmp_path):
    stored = stored_store(tmp_path, plan).current_values()
    lead = progress_template_frame(plan, period="2014Q3", unit="市水务局", stored=stored)
    assert lead["上期完成值"].tolist() == [20.0, 70.0]
    assert lead["上期报告期"].tolist() == ["2014Q2", "2014Q2"]
    before_q2 = progress_template_frame(plan, period="2014Q2", unit="水务局", stored=stored)
    assert before_q2["上期完成值"].tolist() == [10.0, 60.0]
    county = progress_template_frame(plan, period="2014Q3", unit="鼎湖区政府", stored=stored)
    assert county["指标编号"].tolist() == ["T01-1"]  # a rate is no sum of the areas' parts
    assert county["上期完成值"].tolist() == [4.0] and county["上期报告期"].tolist() == ["2014Q1"]
    other = progress_template_frame(plan, period="2014Q3", unit="怀集县政府", stored=stored)
    assert other["上期完成值"].isna().all() and (other["上期报告期"] == "").all()
    assert (lead["完成值"] == "").all()  # the old figure is never put in the input


def test_the_xlsx_form_greys_the_previous_figure_and_names_the_unit(plan, tmp_path):
    stored = stored_store(tmp_path, plan).current_values()
    content = template_bytes(plan, "xlsx", period="2014Q3", unit="鼎湖区", stored=stored)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["进度填报"]
    headings = [c.value for c in sheet[1]]
    previous = sheet.cell(2, headings.index("上期完成值") + 1)
    assert previous.value == 4 and previous.protection.locked
    assert previous.fill.fgColor.rgb.endswith("E7E6E6")
    assert not sheet.cell(2, headings.index("完成值") + 1).protection.locked
    assert sheet.cell(2, headings.index("填报单位") + 1).value == "鼎湖区政府"
    text = " ".join(
        str(c) for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row
    )
    assert "鼎湖区政府" in text and "本地区分项" in text and "breakdown" in text
    assert "全市数据”的指标" not in text  # the county reports no whole-area figure here
    lead = load_workbook(io.BytesIO(template_bytes(plan, "xlsx", unit="市水务局")))
    lead_text = " ".join(
        str(c) for row in lead[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row
    )
    assert "市水务局" in lead_text and "whole area" in lead_text


def test_filled_forms_import_as_the_units_figures(plan, tmp_path):
    store = stored_store(tmp_path, plan)
    for unit, values in (("市水务局", {2: 30, 3: 75}), ("怀集县政府", {2: 6})):
        path = tmp_path / f"{unit}.xlsx"
        write_template(plan, path, period="2014Q3", unit=unit, stored=store.current_values())
        workbook = load_workbook(path)
        sheet = workbook["进度填报"]
        value_column = [c.value for c in sheet[1]].index("完成值") + 1
        for row, value in values.items():
            sheet.cell(row, value_column).value = value
        workbook.save(path)
        content = path.read_bytes()
        report = validate_progress(content, path.name, plan, store.current_values())
        assert report.ok and not report.errors, report.problems
        store.import_rows(
            report.rows, file_name=path.name, content=content, uploaded_by="wang", now=NOW
        )
    q3 = store.current_values()
    q3 = q3[q3["period"] == "2014Q3"].sort_values(["indicator_id", "reporter"])
    assert list(zip(q3["indicator_id"], q3["reporter"], q3["value"], strict=True)) == [
        ("T01-1", "市水务局", 30.0),
        ("T01-1", "怀集县政府", 6.0),
        ("T01-2", "市水务局", 75.0),
    ]
    roles = figure_roles(plan, q3["indicator_id"], q3["reporter"]).tolist()
    assert roles == ["headline", "breakdown", "headline"]


def test_an_untouched_form_imports_nothing(plan, tmp_path):
    stored = stored_store(tmp_path, plan).current_values()
    content = template_bytes(plan, "xlsx", period="2014Q3", unit="市水务局", stored=stored)
    report = validate_progress(content, "untouched.xlsx", plan, stored)
    assert report.rows.empty and report.skipped_rows == (2, 3)
    # no error about any row: only that the file (header on row 1) holds no figure at all
    assert [(p.code, p.row) for p in report.errors] == [("no_data_rows", 1)]
    assert [p.code for p in report.warnings] == ["nothing_reported_skipped"]


def test_the_zip_holds_one_form_per_reporting_unit(plan):
    archive = zipfile.ZipFile(io.BytesIO(unit_forms_zip(plan, "2014Q3")))
    assert archive.namelist() == [
        "市水务局_2014Q3.xlsx",
        "鼎湖区政府_2014Q3.xlsx",
        "怀集县政府_2014Q3.xlsx",
    ]
    sheet = load_workbook(io.BytesIO(archive.read("怀集县政府_2014Q3.xlsx")))["进度填报"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["T01-1"]


def test_every_unit_of_the_real_plan_gets_a_form_and_groups_none(real_plan):
    units = reporting_units(real_plan)
    groups = set(real_plan.units.loc[real_plan.units["kind"] == "group", "unit"])
    assert "市住房城乡建设局" in units and "鼎湖区政府" in units and not groups & set(units)
    names = zipfile.ZipFile(io.BytesIO(unit_forms_zip(real_plan))).namelist()
    assert names == [f"{unit}.xlsx" for unit in units]
