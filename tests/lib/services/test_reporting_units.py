"""A figure belongs to the unit that reported it, through real files, the real plan and a
real SQLite store: a county's figure is a breakdown and never the city's, a unit's newer
upload corrects only its own figure, whole-area figures that disagree are listed, and an
additive indicator's headline may be the sum of its areas, said as such."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.services.uploads import checked_upload, import_upload, upload_preview
from lib.status.figures import CurrentFigures
from lib.status.indicators import indicator_status
from lib.store.repository import ProgressStore
from tests.lib.ingest.ingest_files import csv_content, xlsx_content
from tests.support import analyst

NOW = datetime(2014, 7, 10, 9, 0, tzinfo=UTC)
CITY = "市住房城乡建设局"  # the lead unit of T16 (宜居城乡建设)


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.sqlite3")


def _upload(store, plan, content, name, unit=None):
    """Check, preview and import a file as an analyst would; the report and the preview."""
    stored = store.current_values()
    report = checked_upload(plan, content, name, stored, unit=unit)
    assert report.ok, [str(p) for p in report.errors]
    preview = upload_preview(plan, report, stored)
    import_upload(store, report, content=content, file_name=name, user=analyst("a"), now=NOW)
    return report, preview


def _headline(store, plan, indicator, as_of="2014Q2"):
    figures = CurrentFigures(store.current_values(), key=f"v{store.data_version()}")
    status = indicator_status(plan, figures, as_of).set_index("indicator_id")
    return status.loc[indicator], figures.headline(plan)


def test_a_county_chain_keeps_the_city_figure_as_the_headline(store, plan):
    city = csv_content([["T16-1", "2014Q2", "81.2", "", CITY], ["T16-3", "2014Q2", "31", "", CITY]])
    _upload(store, plan, city, "city.csv")

    # 鼎湖区 sends its own figures in a file without a 填报单位 column, its unit chosen at upload
    dinghu = csv_content(
        [["T16-1", "2014Q2", "76.5"], ["T16-3", "2014Q2", "3"]],
        header=["指标编号", "报告期", "完成值"],
    )
    report, preview = _upload(store, plan, dinghu, "dinghu.csv", unit="鼎湖区")
    (notice,) = [p for p in report.problems if p.code == "breakdown_figures"]
    assert notice.severity == "notice" and notice.value == "鼎湖区政府"
    assert "分项数据" in notice.message_zh and "不替换全市数据" in notice.message_zh
    assert "breakdown" in notice.message_en
    assert preview.values.tolist()[0] == [
        "T16-1", "2014Q2", "鼎湖区政府", "breakdown", 81.2, CITY, 76.5, "beside"
    ]  # fmt: skip

    # 怀集县 writes its short name in the 填报单位 column of a workbook
    huaiji = xlsx_content(
        [["T16-1", "2014Q2", 70.1, "", "怀集县"], ["T16-3", "2014Q2", 5, "", "怀集县"]]
    )
    report, _ = _upload(store, plan, huaiji, "huaiji.xlsx")
    assert [p.value for p in report.problems if p.code == "breakdown_figures"] == ["怀集县政府"]

    row, headline = _headline(store, plan, "T16-1")
    assert (row["value"], row["reported_by"], row["basis"]) == (81.2, CITY, "reported")
    assert row["status"] != "no_report"

    # the city corrects its figure: its own figure changes, the counties' stay
    correction = csv_content([["T16-1", "2014Q2", "82", "修订", CITY]])
    _, preview = _upload(store, plan, correction, "city-fix.csv")
    assert preview[["old_value", "old_reporter", "new_value", "change"]].values.tolist() == [
        [81.2, CITY, 82.0, "changed"]
    ]
    row, headline = _headline(store, plan, "T16-1")
    assert (row["value"], row["reported_by"]) == (82.0, CITY)
    breakdown = headline.by_unit[headline.by_unit["indicator_id"] == "T16-1"]
    assert sorted(
        zip(breakdown["reporter"], breakdown["role"], breakdown["value"], strict=True)
    ) == [
        ("市住房城乡建设局", "headline", 82.0),
        ("怀集县政府", "breakdown", 70.1),
        ("鼎湖区政府", "breakdown", 76.5),
    ]
    assert headline.conflicts.empty  # counties' figures are breakdowns, never conflicts


def test_a_unit_corrects_only_its_own_figure(store, plan):
    header = ["指标编号", "报告期", "完成值"]
    _upload(
        store, plan, csv_content([["T16-1", "2014Q2", "76.5"]], header=header), "a.csv", "鼎湖区"
    )
    _upload(store, plan, csv_content([["T16-1", "2014Q2", "70"]], header=header), "b.csv", "怀集县")
    _, preview = _upload(
        store, plan, csv_content([["T16-1", "2014Q2", "77"]], header=header), "c.csv", "鼎湖区"
    )
    assert preview[["old_value", "old_reporter", "change"]].values.tolist() == [
        [76.5, "鼎湖区政府", "changed"]
    ]
    stored = store.current_values().set_index("reporter")["value"]
    assert stored.to_dict() == {"怀集县政府": 70.0, "鼎湖区政府": 77.0}


def test_another_city_units_figure_is_kept_beside_and_listed_as_a_conflict(store, plan):
    _upload(store, plan, csv_content([["T16-1", "2014Q2", "81.2", "", CITY]]), "city.csv")
    water = csv_content([["T16-1", "2014Q2", "80", "", "水务局"]])
    report, preview = _upload(store, plan, water, "water.csv")
    codes = {p.code: p for p in report.warnings}
    assert codes["not_whole_area_reporter"].value == "市水务局"
    assert CITY in codes["not_whole_area_reporter"].message_zh
    differs = codes["differs_from_other_unit"]
    assert (differs.row, differs.column) == (2, "完成值")
    assert "81.2" in differs.message_zh and "-1.2" in differs.message_zh
    assert preview["change"].tolist() == ["beside"]
    row, headline = _headline(store, plan, "T16-1")
    assert row["value"] == 81.2
    assert headline.conflicts[
        ["reporter", "value", "headline_reporter", "headline_value"]
    ].values.tolist() == [["市水务局", 80.0, CITY, 81.2]]


def test_an_additive_indicator_sums_its_areas_when_no_city_figure_came(store, plan):
    header = ["指标编号", "报告期", "完成值"]
    _upload(store, plan, csv_content([["T16-3", "2014Q2", "3"]], header=header), "a.csv", "鼎湖区")
    _upload(store, plan, csv_content([["T16-3", "2014Q2", "5"]], header=header), "b.csv", "怀集县")
    row, _ = _headline(store, plan, "T16-3")
    assert (row["value"], row["basis"]) == (8.0, "sum_of_parts")
    missing = row["parts_missing"].split("、")
    assert "鼎湖区政府" not in missing and "怀集县政府" not in missing
    assert {"端州区政府", "高要市政府", "四会市政府"} <= set(missing)
    # a non-additive indicator is never summed: the county's 76.5% is not the city's
    _upload(
        store, plan, csv_content([["T16-1", "2014Q2", "76.5"]], header=header), "c.csv", "鼎湖区"
    )
    row, _ = _headline(store, plan, "T16-1")
    assert row["status"] == "no_report" and row["basis"] == ""
    # the city's own figure, once sent, is the headline
    _upload(store, plan, csv_content([["T16-3", "2014Q2", "31", "", CITY]]), "city.csv")
    row, _ = _headline(store, plan, "T16-3")
    assert (row["value"], row["basis"], row["reported_by"]) == (31.0, "reported", CITY)


def test_a_file_naming_no_unit_keeps_the_lead_units_meaning_and_says_so(store, plan):
    header = ["指标编号", "报告期", "完成值"]
    report, _ = _upload(
        store, plan, csv_content([["T16-1", "2014Q2", "80"]], header=header), "x.csv"
    )
    (notice,) = report.notices
    assert (notice.code, notice.row, notice.column) == ("reporter_not_recorded", 1, "填报单位")
    row, _ = _headline(store, plan, "T16-1")
    assert (row["value"], row["reported_by"]) == (80.0, "")
    # the lead unit's own figure later is a correction of that whole-area figure
    _, preview = _upload(store, plan, csv_content([["T16-1", "2014Q2", "81", "", CITY]]), "y.csv")
    assert preview[["old_value", "old_reporter", "change"]].values.tolist() == [
        [80.0, "", "changed"]
    ]
    row, _ = _headline(store, plan, "T16-1")
    assert (row["value"], row["reported_by"]) == (81.0, CITY)


def test_an_unknown_unit_chosen_at_upload_refuses_the_file(store, plan):
    from lib.core.errors import ProgressFileError

    content = csv_content([["T16-1", "2014Q2", "80"]], header=["指标编号", "报告期", "完成值"])
    with pytest.raises(ProgressFileError) as caught:
        checked_upload(plan, content, "x.csv", None, unit="鼎湖县")
    (problem,) = caught.value.problems
    assert problem.code == "unknown_upload_unit" and "鼎湖县" in problem.message_zh


def test_one_file_may_hold_a_city_figure_and_its_counties(store, plan):
    rows = [
        ["T16-3", "2014Q2", "31", "", CITY],
        ["T16-3", "2014Q2", "3", "", "鼎湖区"],
        ["T16-3", "2014Q2", "5", "", "怀集县"],
        ["T16-3", "2014Q2", "6", "", "怀集县"],  # the same unit twice: refused
    ]
    report = checked_upload(plan, csv_content(rows), "x.csv", None)
    assert [(p.code, p.row) for p in report.errors] == [("duplicate_row", 5)]
    report = checked_upload(plan, csv_content(rows[:3]), "x.csv", None)
    assert report.ok and report.rows["reporter"].tolist() == [CITY, "鼎湖区政府", "怀集县政府"]


def test_a_partial_sum_never_stands_in_for_a_later_period_after_a_city_figure(store, plan):
    _upload(store, plan, csv_content([["T16-3", "2014Q2", "31", "", CITY]]), "city.csv")
    header = ["指标编号", "报告期", "完成值"]
    _upload(store, plan, csv_content([["T16-3", "2014Q3", "4"]], header=header), "a.csv", "鼎湖区")
    row, _ = _headline(store, plan, "T16-3", as_of="2014Q3")
    # the city's Q2 figure stays the latest headline, not one area's 4 of ten
    assert (row["value"], row["value_period"], row["basis"]) == (31.0, "2014Q2", "reported")


def test_a_store_written_before_units_counted_keeps_every_figure(store, plan):
    """The store's tables are unchanged (schema 2): what changes is how its rows are read.
    Rows written by the previous version keep their figures; a row with no unit, or with a
    name the registry does not know, is read as the lead's whole-area figure, as it was; a
    county's row, which used to replace the city figure, is now its breakdown."""
    import pandas as pd

    def rows(*figures):
        frame = pd.DataFrame(
            figures, columns=["indicator_id", "period", "value", "note", "reporter"]
        )
        return frame.assign(row=range(2, len(frame) + 2))

    written = [
        rows(("T16-1", "2014Q2", 81.2, "", ""), ("T16-3", "2014Q2", 31.0, "", "")),
        rows(("T16-1", "2014Q2", 76.5, "", "鼎湖区政府")),  # replaced 81.2 before
        rows(("T16-2", "2014Q2", 4.0, "", "卫生科")),  # a name typed when it was allowed
    ]
    for number, upload in enumerate(written):
        store.import_rows(
            upload, file_name=f"{number}.csv", content=f"{number}".encode(),
            uploaded_by="old", now=NOW,
        )  # fmt: skip
    reopened = ProgressStore(store.path)
    kept = reopened.current_values()
    assert len(kept) == 4 and sorted(kept["value"]) == [4.0, 31.0, 76.5, 81.2]
    for indicator, value, whose in [
        ("T16-1", 81.2, ""),
        ("T16-3", 31.0, ""),
        ("T16-2", 4.0, "卫生科"),
    ]:
        row, _ = _headline(reopened, plan, indicator)
        assert (row["value"], row["reported_by"]) == (value, whose)
