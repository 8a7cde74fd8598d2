"""AppTest of the figures by reporting unit on the sections and units pages: a task's
breakdown (the city's figure first, then the counties') and who reported for the period."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from lib.auth.accounts import Role, User
from lib.services import cycle
from lib.services.uploads import checked_upload, import_upload
from tests.support import analyst

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def send_county_figures(store, plan) -> None:
    """Two counties' own T16-3 figures for 2014Q3, beside the city's 46 in the sample."""
    for unit, value, day in (("鼎湖区", 3, 16), ("怀集县", 5, 17)):
        content = f"指标编号,报告期,完成值,进展情况,填报单位\nT16-3,2014Q3,{value},,{unit}\n"
        report = checked_upload(plan, content.encode(), f"{unit}.csv", store.current_values())
        assert not report.errors, report.problems
        import_upload(
            store, report, content=content.encode(), file_name=f"{unit}.csv",
            user=analyst("wang"), now=datetime(2014, 10, day, 2, tzinfo=UTC),
        )  # fmt: skip


def page(path: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(path).run()


def table_with(at: AppTest, heading: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if heading in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def confirm_all(store, plan) -> None:
    """The statistics bureau confirms every upload waiting (leaders' views count them)."""
    bureau = User("统计局 王", Role.CONFIRMER, "local", "市统计局")
    for upload_id in cycle.confirmation_queue(plan, store).query("state == 'pending'")["id"]:
        cycle.confirm_figures(store, plan, int(upload_id), user=bureau, now=datetime.now(UTC))


def test_a_tasks_detail_shows_its_figures_by_unit(sample_store, plan):
    send_county_figures(sample_store, plan)
    at = page("pages/sections.py", {"task": "T16", "period": "2014Q3"})
    assert not at.exception  # unconfirmed, the counties' figures are not the leaders' yet
    assert "鼎湖区政府" not in table_with(at, "数据来源单位")["数据来源单位"].tolist()
    confirm_all(sample_store, plan)
    at = page("pages/sections.py", {"task": "T16", "period": "2014Q3"})
    assert not at.exception
    assert any("各单位报送数据（截至 2014Q3）" in m.value for m in at.markdown)
    breakdown = table_with(at, "数据来源单位")
    rows = breakdown[breakdown["指标编号"] == "T16-3"]
    assert rows[["数据来源单位", "数据性质", "完成值", "上传日期"]].values.tolist() == [
        ["市住房城乡建设局", "全市数据", 46.0, "2014-10-15"],
        ["怀集县政府", "分项（本地区）", 5.0, "2014-10-17"],
        ["鼎湖区政府", "分项（本地区）", 3.0, "2014-10-16"],
    ]
    # the headline stays the city's figure
    indicators = table_with(at, "完成进度")
    assert indicators.set_index("指标编号").loc["T16-3", "完成值"] == 46


def test_the_units_page_says_who_reported_for_the_period(sample_store, plan):
    send_county_figures(sample_store, plan)
    at = page("pages/units.py", {"period": "2014Q3", "lang": "en"})
    assert not at.exception
    assert "Who reported for the period (2014Q3)" in [s.value for s in at.subheader]
    reported = table_with(at, "Figures sent").set_index("Unit")
    assert reported.loc["鼎湖区政府", ["Figures sent", "Of which breakdown"]].tolist() == [1, 1]
    assert reported.loc["怀集县政府", "Latest upload"] == "2014-10-17"
    assert reported.loc["市住房城乡建设局", "Of which breakdown"] == 0


def test_the_units_page_shows_the_reporting_status_and_filters_it(sample_store, plan):
    send_county_figures(sample_store, plan)
    at = page("pages/units.py", {"period": "2014Q3"})
    assert not at.exception
    assert "报送进度（2014Q3）" in [s.value for s in at.subheader]
    assert any("示例数据" in c.value for c in at.caption)  # the sample is never real reporting
    status = table_with(at, "报送状态").set_index("填报单位")
    # 鼎湖区 owes its breakdown of T09-1, T16-2 and T16-3 and sent T16-3 (on 16 Oct)
    dinghu = status.loc["鼎湖区政府"]
    assert (dinghu["已报数"], dinghu["未报指标"]) == (1, "T09-1、T16-2")
    at.multiselect(key="submission_states").set_value(["late"]).run()
    late = table_with(at, "报送状态")
    assert set(late["报送状态"]) == {"逾期报送"}
