"""The briefing deck, opened again with python-pptx: slide order, titles, the conclusion's
numbers, font faces and sizes, bounds, tables and the chart images under the titles."""

from __future__ import annotations

import math
import re
import zipfile
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
from lib.output import charts
from lib.output.briefing import (
    BODY_FONT_PT,
    TABLE_FONT_PT,
    TABLE_ROWS_PER_SLIDE,
    briefing_deck,
    document_text,
)
from lib.output.fonts import DECK_EA_FONT, DECK_LATIN_FONT
from lib.output.images import renderer_starts
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.workspace import ensure_demo_store
from lib.status.codes import STATUS_ORDER
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.status.rollups import task_completion
from lib.status.units import responsibility_matrix
from lib.store.repository import ProgressStore

REPO = Path(__file__).resolve().parents[3]
MADE_ON = date(2026, 11, 28)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# The section titles as the document prints them (the plan's YAML has ASCII commas).
SECTION_TITLES_ZH = [
    "一、开拓创新，加大改革攻坚力度",
    "二、转型升级，加快经济结构调整",
    "三、全力推进，加快枢纽门户城市建设",
    "四、扩容提质，提高新型城市化发展水平",
    "五、深化一体化，促进区域协调发展",
    "六、节源整治，切实加强生态保护",
    "七、强化建设，努力提高文化发展水平",
    "八、深化合作，提升开放型经济水平",
    "九、改善民生，大力发展社会事业",
    "十、强化保障，努力完成评估考核各项任务",
]
# Faces a Windows PC in a Chinese government office has (Office and Windows fonts).
WINDOWS_CJK_FONTS = {"微软雅黑", "Microsoft YaHei", "等线", "DengXian", "宋体", "SimSun"}
FOOTERS = {"Footer", "SampleNotice", "FooterPage"}


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
    groups = charts.heatmap_row_groups(plan)
    return len(charts.heatmap_part_units(matrix, "status", row_groups=groups))


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


def titles_of(prs: PptxPresentation) -> list[str]:
    return [slide_title(s) for s in prs.slides]


def is_band(row: list[str]) -> bool:
    """A section's band: one cell merged across the row (the cells it spans are empty)."""
    return bool(row[0]) and not any(row[1:])


def table_rows(slide: Slide) -> list[list[str]]:
    table = next(s for s in slide.shapes if s.has_table).table
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_deck_is_16_by_9(deck: PptxPresentation) -> None:
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))


def test_slide_order_for_a_meeting(
    deck: PptxPresentation, at_risk_ids: list[str], heatmap_parts: int
) -> None:
    """Cover, conclusion, the risks, the section chart and tables, the heatmap, sources."""
    titles = titles_of(deck)
    assert heatmap_parts == 3  # 54 units and their group headings, 28 rows a slide
    risk = [t for t in titles if t.startswith("风险预警")]
    sections = [t for t in titles if t.startswith("各分节任务进展")]
    assert len(risk) >= math.ceil(len(at_risk_ids) / TABLE_ROWS_PER_SLIDE)
    assert titles == [
        "实施珠三角规划纲要2014年重点工作任务安排",
        "总体结论",
        *[f"风险预警（{k}/{len(risk)}）" for k in range(1, len(risk) + 1)],
        "各分节完成度",
        *[f"各分节任务进展（{k}/{len(sections)}）" for k in range(1, len(sections) + 1)],
        *[f"责任单位 × 分节 · 按最差状态着色（{k}/3）" for k in (1, 2, 3)],
        "数据来源",
    ]


def test_risk_slides_come_within_the_first_five(deck: PptxPresentation) -> None:
    first = next(n for n, t in enumerate(titles_of(deck), start=1) if t.startswith("风险预警"))
    assert first == 3 <= 5


def test_title_slide_names_plan_period_and_date(deck: PptxPresentation) -> None:
    text = all_text(deck.slides[0])
    for expected in ("肇府办〔2014〕9号", "数据截至 2014年第二季度", "制作日期 2026-11-28"):
        assert expected in text
    assert deck.core_properties.created == datetime(2026, 11, 28)


def test_every_run_names_a_face_windows_has(deck: PptxPresentation) -> None:
    runs = list(all_runs(deck))
    assert sum(1 for run in runs if CJK.search(run.text)) > 100
    assert DECK_EA_FONT == "微软雅黑" and DECK_LATIN_FONT == "Microsoft YaHei"
    for run in runs:
        rpr = run._r.find(qn("a:rPr"))
        assert rpr is not None, run.text
        faces = {tag: rpr.find(qn(tag)) for tag in ("a:latin", "a:ea", "a:cs")}
        assert all(element is not None for element in faces.values()), run.text
        assert faces["a:ea"].get("typeface") in WINDOWS_CJK_FONTS, run.text
        assert faces["a:latin"].get("typeface") in WINDOWS_CJK_FONTS, run.text
        # where 微软雅黑 is missing PowerPoint substitutes a GB2312 sans (等线, then others)
        assert faces["a:ea"].get("charset") == "-122", run.text


def test_the_theme_names_the_deck_faces(deck_bytes: bytes) -> None:
    with zipfile.ZipFile(BytesIO(deck_bytes)) as package:
        theme = package.read("ppt/theme/theme1.xml").decode()
    assert theme.count('<a:ea typeface="微软雅黑"') == 2  # heading and body fonts
    assert '<a:font script="Hans" typeface="微软雅黑"/>' in theme
    assert 'typeface="Calibri"' not in theme


def test_no_table_text_under_14_pt_no_body_text_under_18_pt(deck: PptxPresentation) -> None:
    assert TABLE_FONT_PT >= 14 and BODY_FONT_PT >= 18
    table_sizes, body_sizes = set(), set()
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_table:
                cells = [cell for row in shape.table.rows for cell in row.cells]
                table_sizes |= {
                    run.font.size.pt
                    for cell in cells
                    for paragraph in cell.text_frame.paragraphs
                    for run in paragraph.runs
                }
            elif shape.has_text_frame and shape.name not in FOOTERS:
                body_sizes |= {
                    run.font.size.pt
                    for paragraph in shape.text_frame.paragraphs
                    for run in paragraph.runs
                    if run.text
                }
    assert table_sizes and min(table_sizes) >= 14
    assert body_sizes and min(body_sizes) >= 18


def test_the_conclusion_counts_from_the_status_table(
    deck: PptxPresentation, plan: Plan, progress: pd.DataFrame
) -> None:
    status = indicator_status(plan, progress, "2014Q2")
    counts = status["status"].value_counts()
    slide = deck.slides[1]
    text = next(s for s in slide.shapes if s.name == "Conclusion").text_frame.text
    n = {code: int(counts.get(code, 0)) for code in ("overdue", "behind", "no_report", "watch")}
    assert (
        f"{plan.tasks.shape[0]} 项重点任务、{len(status)} 项跟踪指标中：已逾期 {n['overdue']} 项，"
        f"落后 {n['behind']} 项，未报送 {n['no_report']} 项；另有关注 {n['watch']} 项。"
    ) in text
    lagging = status[status["status"].isin(["overdue", "behind", "no_report"])]
    section = lagging["section_id"].value_counts()
    top = plan.sections.set_index("section_id").loc[section.index[0]]
    short = document_text(top["title"]).split("，")[0]
    number = "一二三四五六七八九十"[int(top["section_no"]) - 1]
    assert f"主要集中在：{number}、{short}（{section.iloc[0]} 项）" in text
    unit = lagging["lead_unit"].value_counts()
    assert f"涉及最多的牵头单位：{unit.index[0]}（{unit.iloc[0]} 项）" in text
    rows = table_rows(slide)
    assert rows[0][1:] == ["已逾期", "落后", "未报送", "关注", "正常", "已完成"]
    assert rows[1] == ["跟踪指标", *(str(int(counts.get(c, 0))) for c in STATUS_ORDER)]
    assert "总体完成度" in text and "按时序应达" in text


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
    # with 14 pt text a slide holds fewer rows; the table must still end above the footer
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


def test_sections_are_merged_onto_few_slides(deck: PptxPresentation, plan: Plan) -> None:
    slides = [s for s in deck.slides if slide_title(s).startswith("各分节任务进展")]
    assert 1 < len(slides) < len(plan.sections) // 2 + 1  # was one slide per section
    rows = [row for slide in slides for row in table_rows(slide)[1:]]
    bands = [row[0] for row in rows if is_band(row)]
    assert [b.split("　")[0] for b in bands if "（续）" not in b] == SECTION_TITLES_ZH
    task_ids = [row[0] for row in rows if not is_band(row)]
    assert task_ids == plan.tasks.sort_values(["section_id", "task_no"])["task_id"].tolist()
    assert table_rows(slides[0])[0][0] == "任务编号"
    for slide in slides:  # every slide's table starts with a section's band
        first = table_rows(slide)[1]
        assert is_band(first) and re.match("[一二三四五六七八九十]+、", first[0])


def test_chart_slides_carry_the_rendered_png(deck: PptxPresentation, heatmap_parts: int) -> None:
    charts = [s for s in deck.slides if any(p.shape_type == 13 for p in s.shapes)]
    assert slide_title(charts[0]) == "各分节完成度"
    assert len(charts) == 1 + heatmap_parts
    for slide in charts:
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1
        assert Image.open(BytesIO(pictures[0].image.blob)).size == (1920, 1080)
    assert renderer_starts() == 1


def test_chart_images_carry_no_title_of_their_own(plan: Plan, progress: pd.DataFrame) -> None:
    """The slide's title, footer and sources say what the image would say again."""
    rendered: list[go.Figure] = []

    def recording_png(fig: go.Figure) -> bytes:
        rendered.append(fig)
        return fake_png(fig)

    data = briefing_deck(
        plan, progress, "2014Q2", made_on=MADE_ON, sample=True, chart_png=recording_png
    )
    assert len(rendered) == 4  # the section chart and three heatmap parts
    for fig in rendered:
        assert not fig.layout.title.text
        names = {a.name for a in fig.layout.annotations}
        assert not names & {"as_of_stamp", "source_line"}
        assert not any("数据截至" in (a.text or "") for a in fig.layout.annotations)
    heatmaps = [t for f in rendered for t in f.data if t.type == "heatmap"]
    assert heatmaps and all(t.showscale is False for t in heatmaps)  # coloured by status
    titles = titles_of(Presentation(BytesIO(data)))
    assert titles.count("各分节完成度") == 1


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
    titles = titles_of(prs)
    assert titles[1] == "Conclusion" and titles[2].startswith("At-risk indicators (1/")
    assert "Completion by section" in titles
    assert titles[-4:-1] == [
        f"Units and sections · colour: worst status ({k}/3)" for k in (1, 2, 3)
    ]
    assert titles[-1] == "Data sources"
    sections = [s for s in prs.slides if slide_title(s).startswith("Tasks by section (")]
    assert table_rows(sections[0])[1][0].startswith("Section 1: 开拓创新，加大改革攻坚力度")
    risk = [s for s in prs.slides if slide_title(s).startswith("At-risk indicators (")]
    assert [row[0] for s in risk for row in table_rows(s)[1:]] == at_risk_ids
    conclusion = all_text(prs.slides[1])
    assert "Overall completion" in conclusion and "indicators:" in conclusion
    assert "Sample data, not real statistics" in all_text(prs.slides[0])
    assert "Data as of 2014 Q2" in all_text(prs.slides[0])


def test_document_text_takes_the_documents_full_width_punctuation() -> None:
    assert document_text("开拓创新,加大改革攻坚力度") == "开拓创新，加大改革攻坚力度"
    assert document_text("各县(市、区)政府;其他:事项") == "各县（市、区）政府；其他：事项"
    assert document_text("GDP growth (%), 2014") == "GDP growth (%), 2014"  # no Chinese beside
    assert document_text("完成 80%,其余") == "完成 80%，其余"


def test_no_at_risk_indicators_gives_one_slide_saying_so(plan: Plan) -> None:
    everything_met = progress_frame(plan, (1.0,), gaps=False)
    data = briefing_deck(
        plan, everything_met, "2014Q2", made_on=MADE_ON, sample=False, chart_png=fake_png
    )
    prs = Presentation(BytesIO(data))
    risk = [s for s in prs.slides if slide_title(s).startswith("风险预警")]
    assert [slide_title(s) for s in risk] == ["风险预警"]
    assert "没有落后、已逾期或未报送的跟踪指标" in all_text(prs.slides[1])
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
    titles = titles_of(prs)
    assert titles[1] == "总体结论" and titles[2].startswith("风险预警")
    assert titles[-1] == "数据来源"
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
