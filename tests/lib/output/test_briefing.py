"""The briefing deck, opened again with python-pptx: slides, titles, fonts, bounds, tables."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide
from pptx.text.text import _Run
from pptx.util import Inches

from lib.cli.main import main
from lib.output.briefing import (
    CJK_FONT,
    HEATMAP_UNITS_PER_SLIDE,
    TABLE_ROWS_PER_SLIDE,
    briefing_deck,
)
from lib.output.images import renderer_starts
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.workspace import ensure_demo_store
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.status.rollups import task_completion
from lib.status.units import responsibility_matrix
from lib.store.repository import ProgressStore

REPO = Path(__file__).resolve().parents[3]
MADE_ON = date(2026, 11, 28)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
SECTION_TITLES_ZH = [
    "一、开拓创新,加大改革攻坚力度",
    "二、转型升级,加快经济结构调整",
    "三、全力推进,加快枢纽门户城市建设",
    "四、扩容提质,提高新型城市化发展水平",
    "五、深化一体化,促进区域协调发展",
    "六、节源整治,切实加强生态保护",
    "七、强化建设,努力提高文化发展水平",
    "八、深化合作,提升开放型经济水平",
    "九、改善民生,大力发展社会事业",
    "十、强化保障,努力完成评估考核各项任务",
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")


def progress_frame(plan: Plan, fractions: tuple[float, ...], *, gaps: bool = True) -> pd.DataFrame:
    """Store-shaped figures at cycling fractions of target; every fifth one missing if `gaps`."""
    rows = []
    for i, ind in enumerate(plan.indicators.itertuples(index=False)):
        if gaps and i % 5 == 0:
            continue
        fraction = fractions[i % len(fractions)]
        period, upload = ("2014Q1", 1) if i % 7 == 0 else ("2014Q2", 2)
        value = ind.baseline + (ind.target - ind.baseline) * fraction
        rows.append(
            {
                "indicator_id": ind.indicator_id,
                "period": period,
                "value": round(value, 2),
                "note": "",
                "reporter": ind.lead_unit,
                "upload_id": upload,
                "uploaded_at": "2014-07-10T09:00:00+08:00",
                "uploaded_by": "test",
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def progress(plan: Plan) -> pd.DataFrame:
    return progress_frame(plan, (0.1, 0.35, 0.5, 1.0, 0.45, 0.2))


def fake_png(fig: go.Figure) -> bytes:
    """A small 16:9 PNG standing in for kaleido in structure tests."""
    assert fig.layout.width == 1920  # the deck asks for slide-sized figures
    out = BytesIO()
    Image.new("RGB", (192, 108), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def deck_bytes(plan: Plan, progress: pd.DataFrame) -> bytes:
    """The Chinese sample-data deck, charts rendered by the real kaleido renderer."""
    return briefing_deck(plan, progress, "2014Q2", made_on=MADE_ON, sample=True)


@pytest.fixture(scope="module")
def deck(deck_bytes: bytes) -> PptxPresentation:
    return Presentation(BytesIO(deck_bytes))


@pytest.fixture(scope="module")
def at_risk_ids(plan: Plan, progress: pd.DataFrame) -> list[str]:
    status = indicator_status(plan, progress, "2014Q2")
    return at_risk_indicators(status)["indicator_id"].tolist()


@pytest.fixture(scope="module")
def heatmap_parts(plan: Plan, progress: pd.DataFrame) -> int:
    status = indicator_status(plan, progress, "2014Q2")
    matrix = responsibility_matrix(plan, task_completion(plan, status))
    return math.ceil(matrix["unit"].nunique() / HEATMAP_UNITS_PER_SLIDE)


def slide_title(slide: Slide) -> str:
    if slide.shapes.title is not None:
        return slide.shapes.title.text_frame.text
    return next(s.text_frame.text for s in slide.shapes if s.name == "Title")


def all_text(slide: Slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def all_runs(prs: PptxPresentation) -> Iterator[_Run]:
    for slide in prs.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    yield from paragraph.runs


def table_rows(slide: Slide) -> list[list[str]]:
    table = next(s for s in slide.shapes if s.has_table).table
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_deck_is_16_by_9(deck: PptxPresentation) -> None:
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))


def test_slide_count_and_titles(
    deck: PptxPresentation, at_risk_ids: list[str], heatmap_parts: int
) -> None:
    titles = [slide_title(s) for s in deck.slides]
    assert heatmap_parts == 2  # 54 units on two slides
    risk_titles = [t for t in titles if t.startswith("风险预警")]
    pages = len(risk_titles)
    assert pages >= math.ceil(len(at_risk_ids) / TABLE_ROWS_PER_SLIDE)
    assert titles == [
        "实施珠三角规划纲要2014年重点工作任务安排",
        "总体情况",
        "各部分完成情况",
        *[f"责任单位分工 ({k}/{heatmap_parts})" for k in range(1, heatmap_parts + 1)],
        *SECTION_TITLES_ZH,
        *[f"风险预警 ({k}/{pages})" for k in range(1, pages + 1)],
        "数据来源",
    ]
    assert len(deck.slides) == 15 + heatmap_parts - 1 + pages


def test_title_slide_names_plan_period_and_date(deck: PptxPresentation) -> None:
    text = all_text(deck.slides[0])
    for expected in ("肇府办〔2014〕9号", "数据截至 2014年第二季度", "制作日期 2026-11-28"):
        assert expected in text
    assert deck.core_properties.created == datetime(2026, 11, 28)


def test_every_cjk_run_has_the_east_asian_font(deck: PptxPresentation) -> None:
    cjk_runs = [run for run in all_runs(deck) if CJK.search(run.text)]
    assert len(cjk_runs) > 100
    for run in cjk_runs:
        rpr = run._r.find(qn("a:rPr"))
        assert rpr is not None, run.text
        for tag in ("a:latin", "a:ea", "a:cs"):
            element = rpr.find(qn(tag))
            assert element is not None and element.get("typeface") == CJK_FONT, (tag, run.text)


def test_every_shape_lies_inside_the_slide(deck: PptxPresentation) -> None:
    width, height = deck.slide_width, deck.slide_height
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = (number, shape.name)
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width, where
            assert shape.top + shape.height <= height, where
            if shape.has_table:  # the frame must be as tall as the rows it holds
                rows_height = sum(row.height for row in shape.table.rows)
                assert abs(rows_height - shape.height) < Inches(0.01), where


def test_tables_fit_the_rows_they_show(deck: PptxPresentation) -> None:
    risk = [s for s in deck.slides if slide_title(s).startswith("风险预警")]
    for slide in risk:
        assert 2 <= len(table_rows(slide)) <= TABLE_ROWS_PER_SLIDE + 1


def test_at_risk_tables_hold_exactly_the_at_risk_indicators(
    deck: PptxPresentation, at_risk_ids: list[str]
) -> None:
    risk = [s for s in deck.slides if slide_title(s).startswith("风险预警")]
    shown = [row[0] for slide in risk for row in table_rows(slide)[1:]]
    assert len(at_risk_ids) > TABLE_ROWS_PER_SLIDE  # the test data spans several slides
    assert shown == at_risk_ids
    assert table_rows(risk[0])[0] == ["指标编号", "指标名称", "牵头单位", "状态", "原因"]


def test_section_slides_list_their_tasks(
    deck: PptxPresentation, plan: Plan, heatmap_parts: int
) -> None:
    first = 3 + heatmap_parts
    slides = list(deck.slides)[first : first + len(plan.sections)]
    for slide, (_, section) in zip(slides, plan.sections.iterrows(), strict=True):
        tasks = plan.tasks.loc[plan.tasks["section_id"] == section["section_id"], "task_id"]
        rows = table_rows(slide)
        assert rows[0][0] == "任务编号"
        assert [r[0] for r in rows[1:]] == tasks.tolist()


def test_chart_slides_carry_the_rendered_png(deck: PptxPresentation, heatmap_parts: int) -> None:
    for slide in list(deck.slides)[2 : 3 + heatmap_parts]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1
        assert Image.open(BytesIO(pictures[0].image.blob)).size == (1920, 1080)
    assert renderer_starts() == 1


def test_sample_notice_on_every_slide(deck: PptxPresentation) -> None:
    for slide in deck.slides:
        assert "示例数据，非真实统计" in all_text(slide), slide_title(slide)


def test_no_sample_notice_for_real_data(plan: Plan, progress: pd.DataFrame) -> None:
    data = briefing_deck(
        plan, progress, "2014Q2", made_on=MADE_ON, sample=False, chart_png=fake_png
    )
    prs = Presentation(BytesIO(data))
    assert not any("示例数据" in all_text(slide) for slide in prs.slides)


def test_english_deck(plan: Plan, progress: pd.DataFrame, at_risk_ids: list[str]) -> None:
    data = briefing_deck(
        plan, progress, "2014Q2", made_on=MADE_ON, lang="en", sample=True, chart_png=fake_png
    )
    prs = Presentation(BytesIO(data))
    titles = [slide_title(s) for s in prs.slides]
    assert titles[1:5] == [
        "Overview",
        "Completion by section",
        "Responsibilities by unit (1/2)",
        "Responsibilities by unit (2/2)",
    ]
    assert titles[5] == "Section 1: 开拓创新,加大改革攻坚力度"
    assert titles[-1] == "Data sources"
    risk = [s for s in prs.slides if slide_title(s).startswith("At-risk indicators (")]
    assert [row[0] for s in risk for row in table_rows(s)[1:]] == at_risk_ids
    assert "Sample data, not real statistics" in all_text(prs.slides[0])
    assert "Data as of 2014 Q2" in all_text(prs.slides[0])


def test_no_at_risk_indicators_gives_one_slide_saying_so(plan: Plan) -> None:
    everything_met = progress_frame(plan, (1.0,), gaps=False)
    data = briefing_deck(
        plan, everything_met, "2014Q2", made_on=MADE_ON, sample=False, chart_png=fake_png
    )
    prs = Presentation(BytesIO(data))
    risk = [s for s in prs.slides if slide_title(s).startswith("风险预警")]
    assert [slide_title(s) for s in risk] == ["风险预警 (1/1)"]
    assert "本期无落后、逾期或未报送的指标" in all_text(risk[0])


def test_deck_does_not_change_its_inputs(plan: Plan, progress: pd.DataFrame) -> None:
    before = progress.copy()
    indicators = plan.indicators.copy()
    briefing_deck(plan, progress, "2014Q2", made_on=MADE_ON, sample=True, chart_png=fake_png)
    pd.testing.assert_frame_equal(progress, before)
    pd.testing.assert_frame_equal(plan.indicators, indicators)


def test_sources_slide_names_document_period_and_batches(deck: PptxPresentation) -> None:
    text = all_text(deck.slides[-1])
    for expected in ("肇府办〔2014〕9号", "2014年第二季度", "#1–#2", "2026-11-28"):
        assert expected in text


# --- the command line, on the bundled sample data -------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    """A fresh store holding data/progress.csv, marked as sample data (as the demo store is)."""
    path = tmp_path_factory.mktemp("store") / "progress.sqlite3"
    ensure_demo_store(
        ProgressStore(path), plan, SAMPLE_PROGRESS_FILE, datetime(2026, 11, 28, tzinfo=UTC)
    )
    return path


def test_cli_brief_on_the_sample_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_store: Path, plan: Plan
) -> None:
    monkeypatch.setenv("PROGRESS_DB", str(sample_store))
    out = tmp_path / "brief.pptx"
    assert main(["brief", "--period", "2014Q2", "-o", str(out)]) == 0
    prs = Presentation(out)
    status = indicator_status(plan, ProgressStore(sample_store).current_values(), "2014Q2")
    expected_ids = at_risk_indicators(status)["indicator_id"].tolist()
    risk = [s for s in prs.slides if slide_title(s).startswith("风险预警")]
    assert [row[0] for s in risk for row in table_rows(s)[1:]] == expected_ids
    assert len(prs.slides) == 16 + len(risk)
    assert all("示例数据，非真实统计" in all_text(s) for s in prs.slides)
    assert f"制作日期 {date.today().isoformat()}" in all_text(prs.slides[0])


def test_cli_chart_png(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_store: Path) -> None:
    monkeypatch.setenv("PROGRESS_DB", str(sample_store))
    out = tmp_path / "section.png"
    assert main(["chart-png", "--chart", "section", "--period", "2014Q2", "-o", str(out)]) == 0
    assert Image.open(out).size == (1920, 1080)


def test_cli_rejects_an_unknown_period(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sample_store: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PROGRESS_DB", str(sample_store))
    assert main(["brief", "--period", "2014Q7", "-o", str(tmp_path / "x.pptx")]) == 1
    assert "2014Q7" in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()
