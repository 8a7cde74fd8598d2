"""The units page with a unit chosen: `?unit=<name>` (the sidebar's unit filter) opens that
unit's scorecard above the heatmap, with the way back to every unit; a click on a heatmap
row chooses its unit through `unit_of_selection` (the click itself: tests/browser/
test_heatmap_click.py)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.plan.model import Plan
from lib.services.views.units import unit_of_selection

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UNIT = "市发展改革局"


def units_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    at.run().switch_page("pages/units.py").run()
    assert not at.exception, at.exception
    return at


def main_elements(at: AppTest) -> list[tuple[str, str]]:
    """(type, text) of every element of the main area, top to bottom."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        for _, child in sorted(node.children.items()):
            if hasattr(child, "children"):
                walk(child)
            else:
                text = child.value if child.type in ("subheader", "caption", "markdown") else ""
                found.append((child.type, str(text)))

    walk(at.main)
    return found


def scorecard_rows(at: AppTest):
    return next(
        d.value for d in at.dataframe if "角色" in d.value.columns or "Role" in d.value.columns
    )


def tasks_of(plan: Plan, unit: str) -> set[str]:
    """Tasks a unit answers for, by name or through a group it belongs to."""
    members = plan.group_members
    names = {unit, *members.loc[members["member"] == unit, "group"]}
    resp = plan.responsibilities
    return set(resp.loc[resp["unit"].isin(names), "task_id"])


def test_a_unit_in_the_url_opens_its_scorecard_above_the_heatmap(sample_store, plan):
    at = units_page({"lang": "zh", "unit": UNIT})
    elements = main_elements(at)
    heading = ("subheader", f"{UNIT} · 单位记分卡")
    assert heading in elements
    first_chart = next(i for i, (kind, _) in enumerate(elements) if kind == "plotly_chart")
    assert elements.index(heading) < first_chart  # on top, not under the tables
    assert [b.label for b in at.button] == ["返回全部单位"]
    assert [m.label for m in at.metric] == [
        "牵头任务数",
        "配合任务数",
        "加权工作量",
        "落后/逾期任务数",
    ]
    led, partner = int(at.metric[0].value), int(at.metric[1].value)
    rows = scorecard_rows(at)
    assert set(rows["任务编号"]) == tasks_of(plan, UNIT)
    assert led + partner == len(rows) and (rows["角色"] == "牵头").sum() == led
    # one state with the sidebar's unit filter: its selector shows the unit
    assert at.selectbox(key="_w_unit").value == UNIT


def test_the_heatmap_rows_are_clickable_and_the_chosen_row_outlined(sample_store):
    at = units_page({"lang": "zh", "unit": UNIT})
    header, body = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
    assert header["layout"]["title"]["text"].startswith("责任单位 × 分节")
    assert header["layout"]["xaxis"]["side"] == "top"
    rows = at.get("plotly_chart")[1].proto
    assert list(rows.selection_mode) == [0]  # "points": a click selects its cell's marker
    # every cell names its row's unit ('' on a heading row): what a click chooses
    layer, rows_drawn = body["data"][1], set(body["data"][0]["y"])
    assert UNIT in layer["customdata"] and set(layer["customdata"]) <= rows_drawn | {""}
    outlined = [s for s in body["layout"]["shapes"] if s.get("name") == "chosen_unit"]
    assert len(outlined) == 1
    # the hint says how to open a scorecard
    assert any("点击某单位所在行" in text for kind, text in main_elements(at) if kind == "caption")


def test_back_to_all_units_clears_the_unit_and_lead_only(sample_store):
    at = units_page({"lang": "zh", "unit": UNIT, "lead": "1"})
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "unit" not in at.query_params and "lead" not in at.query_params
    assert not any("单位记分卡" in s.value for s in at.subheader)
    assert at.selectbox(key="_w_unit").value == ""
    assert not at.button  # nothing to go back from


def test_english_scorecard(sample_store):
    at = units_page({"lang": "en", "unit": UNIT})
    assert f"{UNIT} · unit scorecard" in [s.value for s in at.subheader]
    assert [b.label for b in at.button] == ["Back to all units"]
    assert [m.label for m in at.metric][:2] == ["Tasks led", "Tasks as partner"]


def test_a_county_answering_through_its_group_has_its_card(sample_store, plan):
    county = "怀集县政府"
    at = units_page({"lang": "zh", "unit": county})
    assert f"{county} · 单位记分卡" in [s.value for s in at.subheader]
    rows = scorecard_rows(at)
    assert set(rows["任务编号"]) == tasks_of(plan, county)
    assert int(at.metric[0].value) + int(at.metric[1].value) == len(rows) > 0


def test_a_unit_without_tasks_in_view_still_has_the_way_back(sample_store):
    # 市发展改革局 answers for nothing in section S07
    at = units_page({"lang": "zh", "unit": UNIT, "sections": "S07"})
    assert [b.label for b in at.button] == ["返回全部单位"]
    assert "当前筛选条件下没有任务。" in [i.value for i in at.info]
    at.button[0].click().run()
    assert "unit" not in at.query_params and at.query_params["sections"] == "S07"
    assert not at.exception


def test_without_a_unit_there_is_no_scorecard_but_the_heatmap_says_how_to_open_one(
    sample_store,
):
    at = units_page({"lang": "en"})
    assert not any("scorecard" in s.value for s in at.subheader)
    assert not at.button and not at.metric
    assert any("Click any cell in a unit's row" in c.value for c in at.caption)
    download = next(d for d in at.get("download_button") if "ZIP" in d.proto.label)
    assert download.proto.label == "Download slide images (3, ZIP)"


# --- a selection event -> the unit it chose -------------------------------------------------

EVENT = {
    "points": [
        {
            "curve_number": 1,
            "point_number": 4,
            "point_index": 4,
            "x": "S05",
            "y": "市编办",
            "customdata": "市编办",
        }
    ],
    "point_indices": [4],
    "box": [],
    "lasso": [],
}
UNITS = {"市编办", "市财政局", "<b>坏</b>&单位"}


def point(unit: object) -> dict[str, object]:
    return {"curve_number": 1, "point_index": 0, "customdata": unit}


def test_a_click_on_a_cell_chooses_its_row_unit():
    assert unit_of_selection(EVENT, UNITS) == "市编办"
    # a name with markup comes as itself (the click layer carries it unescaped)
    assert unit_of_selection({"points": [point("<b>坏</b>&单位")]}, UNITS) == "<b>坏</b>&单位"
    # the last point chosen wins (shift-click adds points); list customdata is read too
    assert unit_of_selection({"points": [point("市编办"), point(["市财政局"])]}, UNITS) == (
        "市财政局"
    )


def test_nothing_is_chosen_by_a_heading_row_a_deselection_or_an_unknown_unit():
    assert unit_of_selection({"points": [point("")]}, UNITS) is None  # a heading row
    assert unit_of_selection({"points": [], "point_indices": []}, UNITS) is None
    assert unit_of_selection(None, UNITS) is None
    assert unit_of_selection({}, UNITS) is None
    assert unit_of_selection({"points": [point("市外星局")]}, UNITS) is None
    assert unit_of_selection({"points": [point(None), point([])]}, UNITS) is None
    # a unit after an unknown one is still found
    assert unit_of_selection({"points": [point("市财政局"), point("?")]}, UNITS) == "市财政局"
