"""AppTest of the presentation view (`view=present`) of the overview, the at-risk page and
the units page: panels with their title, stamp and source, no widgets; and the at-risk
page's status filter written to the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
WIDGETS = (
    "selectbox", "multiselect", "button", "download_button", "button_group", "toggle",
    "segmented_control", "text_input", "file_uploader", "radio", "checkbox", "slider",
)  # fmt: skip


def open_page(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


def widgets(at: AppTest) -> list[str]:
    return [kind for kind in WIDGETS if len(at.get(kind))]


def captions(at: AppTest) -> list[str]:
    return [c.value.replace("\\", "") for c in at.caption]  # as shown: unescaped


def statuses_shown(at: AppTest) -> set[str]:
    """The status chips of the risk table (each cell a list of one label)."""
    return {label for chips in at.dataframe[0].value["状态"] for label in chips}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_in_presentation_view_is_three_panels_without_widgets(sample_store, lang):
    at = open_page(view="present", lang=lang)
    assert not at.exception, at.exception
    assert widgets(at) == []
    titles = [t.value for t in at.title]
    assert (
        titles
        == {
            "zh": ["总体进展", "最需督办的指标", "责任单位 × 分节 责任分布（按最差状态着色）"],
            "en": [
                "Overall progress",
                "Indicators most in need of follow-up",
                "Responsibilities by unit and section (colour: worst status)",
            ],
        }[lang]
    )
    stamp = {"zh": "数据截至 2014年第三季度", "en": "Data as of 2014 Q3"}[lang]
    source = {"zh": "来源：肇府办〔2014〕9号", "en": "Source: 肇府办〔2014〕9号"}[lang]
    sample = {"zh": "示例数据，非真实统计", "en": "sample data, not real statistics"}[lang]
    shown = captions(at)
    assert sum(c.startswith(stamp) for c in shown) == 3
    assert sum(c.startswith(source) and c.endswith(sample) for c in shown) == 3
    # the page's own header and sample banner are left out: each panel says them
    assert not at.warning and len(at.get("plotly_chart")) == 2 and len(at.table) == 1
    assert [link.proto.label for link in at.get("page_link")] == [
        {"zh": "退出演示视图", "en": "Leave presentation view"}[lang]
    ]


def test_the_risk_page_in_presentation_view_pages_through_the_chosen_statuses(sample_store):
    at = open_page("pages/risks.py", view="present", statuses="overdue,behind")
    assert not at.exception, at.exception
    assert widgets(at) == []
    assert [t.value for t in at.title] == ["最需督办的指标"]
    table = at.table[0].value
    assert set(table["状态"]) == {"已逾期", "落后"} and table["状态"].iloc[0] == "已逾期"
    every = open_page("pages/risks.py", view="present")
    assert [t.value for t in every.title] == [f"需督办的指标（{i}/3）" for i in (1, 2, 3)]


def test_the_units_page_in_presentation_view_shows_the_unit_of_the_url(sample_store):
    at = open_page("pages/units.py", view="present", unit="市发展改革局")
    assert not at.exception, at.exception
    assert widgets(at) == []
    assert [t.value for t in at.title] == ["市发展改革局 · 单位记分卡"]
    assert [m.label for m in at.metric][:2] == ["牵头任务数", "配合任务数"]
    heatmap = open_page("pages/units.py", view="present", lang="en")
    assert [t.value for t in heatmap.title] == [
        "Responsibilities by unit and section (colour: worst status)"
    ]
    assert widgets(heatmap) == [] and len(heatmap.get("plotly_chart")) == 1


def test_the_risk_status_filter_is_written_to_the_url(sample_store):
    at = open_page("pages/risks.py")
    pills = at.get("button_group")[0]
    assert "statuses" not in at.query_params  # every status: nothing to say
    pills.set_value(["behind", "overdue"]).run()
    assert not at.exception, at.exception
    assert at.query_params["statuses"] == "overdue,behind"
    assert statuses_shown(at) == {"已逾期", "落后"}
    at.get("button_group")[0].set_value([]).run()
    assert at.query_params["statuses"] == "none"
    assert at.success[0].value == "当前筛选条件下没有需要督办的指标。"
    at.get("button_group")[0].set_value(["overdue", "behind", "no_report", "watch"]).run()
    assert "statuses" not in at.query_params


def test_a_copied_url_with_statuses_opens_on_them(sample_store):
    at = open_page("pages/risks.py", statuses="no_report")
    assert at.get("button_group")[0].value == ["no_report"]
    assert statuses_shown(at) == {"未报送"}
    none = open_page("pages/risks.py", statuses="none")
    assert none.get("button_group")[0].value == []


def test_a_view_without_tasks_is_one_panel_saying_so(sample_store):
    at = open_page(view="present", sections="S01", unit="市教育局")  # no S01 task of theirs
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["总体进展"]
    assert "当前筛选条件下没有任务。" in captions(at)
    assert [m.value for m in at.metric] == ["0", "0"] and widgets(at) == []
