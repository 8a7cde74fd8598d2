"""The briefing deck's at-risk tables with the units' replies to 督办单, from the trail of a
real store holding the sample figures, opened again with python-pptx."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide
from pptx.util import Pt

from lib.cli.main import main
from lib.output.briefing import (
    BODY_BOTTOM,
    HEADER_FONT_PT,
    REPLY_PART_EM,
    TABLE_FONT_PT,
    TABLE_ROWS_PER_SLIDE,
    briefing_deck,
)
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.workspace import ensure_demo_store
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.status.replies import SUPERVISION_COLUMNS, supervision_by_indicator
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

MADE_ON = date(2014, 10, 30)
PERIOD = "2014Q3"
REASON, MEASURES = "部分项目用地审批滞后", "专班跟踪审批，每周调度"
LONG_REASON = "受汛期持续降雨影响，多个在建项目被迫停工，" * 3
LONG_MEASURES = "倒排工期、增加施工班组并实行周调度和月通报制度，" * 3
REPLY_HEADINGS = ["指标编号", "指标名称", "牵头单位", "状态", "原因", "督办回复"]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> ProgressStore:
    """The sample figures (at 2014Q3 T01-3 of 市编办 is overdue, T07-1, T07-2 and T07-4 of
    市科技局 are behind) and this trail: a 督办单 to 市科技局 on T07-1, T07-2, T07-4 due
    25 Oct, answered on T07-1 (short) and T07-4 (long), not on T07-2; one to 市编办 on
    T01-3, answered and closed."""
    path = tmp_path_factory.mktemp("deck") / "progress.sqlite3"
    store = ProgressStore(path)
    ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, datetime(2014, 10, 15, tzinfo=UTC))

    def issue(unit: str, indicators: list[str], reply_by: str) -> int:
        details = {"indicators": indicators, "reply_by": reply_by, "number": "督办1号"}
        entry = TrailEntry("issued", "office", PERIOD, unit, details=details)
        return store.record(entry, now=datetime(2014, 10, 18, tzinfo=UTC))

    def reply(notice: int, unit: str, indicator: str, reason: str, measures: str) -> None:
        details = {"reason": reason, "measures": measures, "expected_by": "2014-12-20"}
        entry = TrailEntry(
            "replied", "unit", PERIOD, unit, indicator_id=indicator, notice_id=notice,
            details=details,
        )  # fmt: skip
        store.record(entry, now=datetime(2014, 10, 22, tzinfo=UTC))

    science = issue("市科技局", ["T07-1", "T07-2", "T07-4"], "2014-10-25")
    reply(science, "市科技局", "T07-1", REASON, MEASURES)
    reply(science, "市科技局", "T07-4", LONG_REASON, LONG_MEASURES)
    staffing = issue("市编办", ["T01-3"], "2014-11-05")
    reply(staffing, "市编办", "T01-3", "方案待省批复", "加强与省对接")
    closing = TrailEntry("closed", "office", notice_id=staffing, details={"note": "已批复"})
    store.record(closing, now=datetime(2014, 10, 28, tzinfo=UTC))
    return store


@pytest.fixture(scope="module")
def at_risk_ids(plan: Plan, store: ProgressStore) -> list[str]:
    status = indicator_status(plan, store.current_values(), PERIOD)
    return at_risk_indicators(status)["indicator_id"].tolist()


def fake_png(fig) -> bytes:
    """A small 16:9 PNG standing in for the chart renderer: these tests are about tables."""
    out = BytesIO()
    Image.new("RGB", (192, 108), "white").save(out, "PNG")
    return out.getvalue()


def deck(plan: Plan, store: ProgressStore, replies: pd.DataFrame | None, lang: str = "zh"):
    data = briefing_deck(
        plan, store.current_values(), PERIOD, made_on=MADE_ON, lang=lang, sample=True,
        chart_png=fake_png, replies=replies,
    )  # fmt: skip
    return Presentation(BytesIO(data))


def risk_slides(prs: PptxPresentation, lang: str = "zh") -> list[Slide]:
    title = "风险预警" if lang == "zh" else "At-risk indicators"
    return [s for s in prs.slides if s.shapes.title and s.shapes.title.text.startswith(title)]


def risk_rows(prs: PptxPresentation, lang: str = "zh") -> list[list[str]]:
    """Every at-risk slide's table rows, the heading row of the first only."""
    rows: list[list[str]] = []
    for k, slide in enumerate(risk_slides(prs, lang)):
        table = next(s for s in slide.shapes if s.has_table).table
        found = [[cell.text for cell in row.cells] for row in table.rows]
        rows += found if k == 0 else found[1:]
    return rows


@pytest.fixture(scope="module")
def replies(store: ProgressStore) -> pd.DataFrame:
    return supervision_by_indicator(store.trail(), PERIOD, MADE_ON)


def test_the_reply_stands_beside_its_indicator(plan, store, replies, at_risk_ids):
    rows = risk_rows(deck(plan, store, replies))
    assert rows[0] == REPLY_HEADINGS
    assert [row[0] for row in rows[1:]] == at_risk_ids  # the same indicators, the same order
    cell = {row[0]: row[5] for row in rows[1:]}
    assert cell["T07-1"] == f"原因：{REASON} 措施：{MEASURES} 预计：2014-12-20"
    assert cell["T07-2"] == "回复逾期"  # due 25 Oct, no answer by the 30th
    assert cell["T01-3"] == "原因：方案待省批复 措施：加强与省对接 预计：2014-12-20（已办结）"
    without_notice = [i for i in at_risk_ids if i not in ("T07-1", "T07-2", "T07-4", "T01-3")]
    assert without_notice and {cell[i] for i in without_notice} == {"未督办"}


def test_a_long_reply_is_clipped_to_keep_the_row_short(plan, store, replies):
    cell = {row[0]: row[5] for row in risk_rows(deck(plan, store, replies))[1:]}
    long = cell["T07-4"]
    assert long.startswith("原因：受汛期持续降雨影响") and long.endswith("预计：2014-12-20")
    reason, measures = long.removeprefix("原因：").split(" 预计：")[0].split(" 措施：")
    for part, whole in ((reason, LONG_REASON), (measures, LONG_MEASURES)):
        assert part.endswith("…") and whole.startswith(part[:-1])
        assert len(part) <= REPLY_PART_EM


def test_reply_tables_keep_the_font_sizes_and_fit_their_slides(plan, store, replies):
    prs = deck(plan, store, replies)
    slides = risk_slides(prs)
    assert slides
    for slide in slides:
        frame = next(s for s in slide.shapes if s.has_table)
        table = frame.table
        assert 2 <= len(table.rows) <= TABLE_ROWS_PER_SLIDE + 1
        assert frame.left >= 0 and frame.left + frame.width <= prs.slide_width
        assert frame.top + frame.height <= BODY_BOTTOM
        for i, row in enumerate(table.rows):
            size = Pt(HEADER_FONT_PT if i == 0 else TABLE_FONT_PT)
            runs = [run for cell in row.cells for p in cell.text_frame.paragraphs for run in p.runs]
            assert {run.font.size for run in runs} == {size}


def test_the_english_deck_words_the_reply_and_the_states(plan, store, replies):
    rows = risk_rows(deck(plan, store, replies, "en"), "en")
    assert rows[0][5] == "Follow-up and reply"
    cell = {row[0]: row[5] for row in rows[1:]}
    assert cell["T07-1"] == f"Reason: {REASON} Measures: {MEASURES} Expected: 2014-12-20"
    assert cell["T07-2"] == "reply overdue"
    assert cell["T01-3"].endswith(" (closed)")
    assert "no notice" in cell.values()


def test_no_replies_no_column(plan, store):
    for replies in (None, pd.DataFrame(columns=SUPERVISION_COLUMNS)):
        rows = risk_rows(deck(plan, store, replies))
        assert rows[0] == REPLY_HEADINGS[:5]


def test_the_brief_command_shows_the_replies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: ProgressStore, at_risk_ids
) -> None:
    monkeypatch.setenv("PROGRESS_DB", str(store.path))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    out = tmp_path / "brief.pptx"
    assert main(["brief", "--period", PERIOD, "-o", str(out)]) == 0
    rows = risk_rows(Presentation(out))
    assert rows[0] == REPLY_HEADINGS
    cell = {row[0]: row[5] for row in rows[1:]}
    assert list(cell) == at_risk_ids
    assert cell["T07-1"] == f"原因：{REASON} 措施：{MEASURES} 预计：2014-12-20"
    assert cell["T07-2"] == "回复逾期"  # the command counts from today's date


def test_the_reply_slides_open_the_deck_after_the_conclusion(plan, store, replies):
    prs = deck(plan, store, replies)
    titles = [s.shapes.title.text if s.shapes.title else "" for s in prs.slides]
    assert titles[1] == "总体结论"
    first = titles.index(risk_slides(prs)[0].shapes.title.text)
    assert first + 1 <= 5  # 1-based: a meeting sees the risks and replies by slide five
    assert TABLE_FONT_PT >= 14 and HEADER_FONT_PT >= 14
