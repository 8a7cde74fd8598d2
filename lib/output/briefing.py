"""The briefing deck: a 16:9 PowerPoint of the plan's status at one reporting period.

`briefing_deck` turns a plan and its progress figures into .pptx bytes: a title slide,
overview KPIs, the completion-by-section chart and the responsibility heatmap (rendered by
lib.output.images; the heatmap's units are split over slides so every row label stays legible),
one status table per section, the at-risk indicators as native tables split over as many
slides as they need, and a closing slide naming the data sources. Every run of
text carries the CJK font as its Latin, East-Asian (`a:ea`) and complex-script (`a:cs`)
face so PowerPoint never substitutes a font without Chinese glyphs; font sizes are fixed
and table rows are measured before they are placed, so nothing runs off its slide. The
"made on" date comes in as an argument: the deck is a pure function of its inputs.
"""

from __future__ import annotations

import math
import struct
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from io import BytesIO
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from lib.core.labels import (
    BRIEFING_TEXT,
    COLUMN_LABELS,
    SAMPLE_DATA_NOTICE,
    STATUS_COLORS,
    SUPERVISION_STATE_LABELS,
    pick,
    status_label,
)
from lib.core.periods import period_label
from lib.output import charts
from lib.output.fonts import CJK_FONT
from lib.output.images import figure_png, slide_figure, source_line, upload_batches_text
from lib.plan.model import Plan
from lib.status.codes import STATUS_ORDER
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.status.rollups import overall_summary, section_completion, task_completion
from lib.status.units import responsibility_matrix

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PptxPresentation
    from pptx.text.text import _Paragraph, _Run

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.4)
TITLE_TOP, TITLE_H = Inches(0.3), Inches(0.75)
BODY_TOP = Inches(1.2)
LEAD_H = Inches(0.6)  # a line of text above a table
FOOTER_H = Inches(0.4)
FOOTER_TOP = SLIDE_H - FOOTER_H - Inches(0.05)
BODY_BOTTOM = FOOTER_TOP - Inches(0.1)
TABLE_ROWS_PER_SLIDE = 12
HEATMAP_UNITS_PER_SLIDE = 28  # about 28 px per row in a 1080 px image: labels stay readable
TABLE_FONT_PT, HEADER_FONT_PT = 11, 12
REPLY_PART_EM = 20  # a reply's 原因 and 措施 each about a line of the at-risk reply column
CELL_MARGIN = Inches(0.06)
LINE_SPACING = 1.5  # Noto Sans CJK's ascent + descent is about 1.45 em

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
NOTICE_RED = RGBColor(0xA6, 0x1B, 0x1B)
HEADER_FILL = RGBColor(0xD9, 0xE1, 0xF2)

ChartRenderer = Callable[[go.Figure], bytes]

_CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    width: float  # inches
    align: PP_ALIGN = PP_ALIGN.LEFT


@dataclass(frozen=True)
class _Deck:
    """What every slide builder needs besides its own data."""

    plan: Plan
    lang: str
    as_of_label: str
    source: str
    chart_png: ChartRenderer

    def t(self, key: str, *args: object) -> str:
        return pick(BRIEFING_TEXT[key], self.lang).format(*args)

    def heading(self, column: str) -> str:
        """A table's column heading, as every other table shown or exported words it."""
        return pick(COLUMN_LABELS[column], self.lang)


def briefing_deck(
    plan: Plan,
    progress: CurrentFigures | pd.DataFrame,
    as_of: str,
    *,
    made_on: date,
    lang: str = "zh",
    sample: bool,
    chart_png: ChartRenderer = figure_png,
    replies: pd.DataFrame | None = None,
    figures_note: str = "",
) -> bytes:
    """The .pptx bytes of the briefing deck for `as_of` (a period such as '2014Q2'), from
    the current figures `progress` (a CurrentFigures reuses its row keys). `figures_note`
    says on the sources slide which figures count (e.g. confirmed ones only). With `replies`
    (lib/status/replies.py supervision_by_indicator at `as_of`) the at-risk tables add a
    column with each indicator's latest reply, or its 督办 state where it has none; None or
    no row (nothing issued or replied for the period): no such column."""
    status = indicator_status(plan, progress, as_of)
    tasks = task_completion(plan, status)
    sections = section_completion(plan, tasks)
    upload_ids = _upload_ids(status)
    deck = _Deck(
        plan=plan,
        lang=lang,
        as_of_label=period_label(as_of, lang),
        source=source_line(plan.meta.document_number, upload_ids, lang, sample),
        chart_png=chart_png,
    )
    prs = _new_presentation(plan, made_on)
    _title_slide(prs, deck, made_on)
    _overview_slide(prs, deck, overall_summary(status, tasks))
    _chart_slide(
        prs, deck, deck.t("section_chart"), charts.completion_by_section_figure(sections, lang)
    )
    _heatmap_slides(prs, deck, responsibility_matrix(plan, tasks), sections)
    for _, section in sections.sort_values("section_no").iterrows():
        _section_slide(prs, deck, section, tasks[tasks["section_id"] == section["section_id"]])
    _at_risk_slides(prs, deck, at_risk_indicators(status), replies)
    _sources_slide(prs, deck, upload_ids, made_on, sample, figures_note)
    _add_footers(prs, deck, sample)
    out = BytesIO()
    prs.save(out)
    return out.getvalue()


def _upload_ids(status: pd.DataFrame) -> list[int]:
    """Distinct upload batches whose figures the status frame used."""
    return sorted({int(u) for u in status["upload_id"].dropna()})


# --- presentation and text primitives ---------------------------------------------------------


def _new_presentation(plan: Plan, made_on: date) -> PptxPresentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    props = prs.core_properties
    props.title = f"{plan.meta.title}（{plan.meta.document_number}）"
    props.author = props.last_modified_by = "督办看板"
    # python-pptx would stamp the wall clock here; the deck depends only on its inputs.
    props.created = props.modified = datetime.combine(made_on, time())
    props.revision = 1
    return prs


def _blank_slide(prs: PptxPresentation, title: str) -> Slide:
    """A 'Title Only' slide with its title placeholder moved and styled for 16:9."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    shape = slide.shapes.title
    shape.left, shape.top = MARGIN, TITLE_TOP
    shape.width, shape.height = SLIDE_W - 2 * MARGIN, TITLE_H
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(frame.paragraphs[0], title, size=26, bold=True, color=NAVY)
    return slide


def _write(
    paragraph: _Paragraph,
    text: str,
    *,
    size: float,
    bold: bool = False,
    color: RGBColor | None = None,
    align: PP_ALIGN | None = None,
) -> None:
    """Replace a paragraph's text with one run in the CJK font at a fixed size."""
    paragraph.clear()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    if color is not None:
        font.color.rgb = color
    _set_cjk_font(run)


def _set_cjk_font(run: _Run) -> None:
    """Latin, East-Asian and complex-script typeface = CJK_FONT on the run's a:rPr."""
    run.font.name = CJK_FONT  # creates a:latin
    rpr = run._r.get_or_add_rPr()
    anchor = rpr.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:  # never `or`: an lxml element without children is falsy
            element = rpr.makeelement(qn(tag), {})
            anchor.addnext(element)
        element.set("typeface", CJK_FONT)
        anchor = element


def _text_box(
    slide: Slide,
    box: tuple[Emu, Emu, Emu, Emu],
    lines: Sequence[str],
    *,
    size: float,
    bold: bool = False,
    color: RGBColor = GREY,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    name: str | None = None,
) -> None:
    shape = slide.shapes.add_textbox(*box)
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _write(paragraph, line, size=size, bold=bold, color=color, align=align)


# --- measured tables -------------------------------------------------------------------------


def _text_em(text: str) -> float:
    """Width of text in em: CJK and full-width characters 1, others about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _line_count(text: str, width_in: float, size_pt: float) -> int:
    usable = width_in - 2 * CELL_MARGIN.inches - 0.05
    per_line = max(1.0, usable * 72 / size_pt)  # em per line
    return max(1, math.ceil(_text_em(text) * 1.08 / per_line))


def _row_height_in(cells: Sequence[str], columns: Sequence[_Column], size_pt: float) -> float:
    lines = max(
        _line_count(text, col.width, size_pt) for text, col in zip(cells, columns, strict=True)
    )
    return lines * size_pt * LINE_SPACING / 72 + 2 * 0.05 + 0.04


def _add_table(
    slide: Slide,
    top: Emu,
    columns: Sequence[_Column],
    rows: Sequence[Sequence[str]],
    *,
    fills: Sequence[str | None] | None = None,
    fill_column: int = 0,
) -> None:
    """A native table; `fills` gives each body row's colour for its cell in `fill_column`."""
    header = [c.label for c in columns]
    heights = [_row_height_in(header, columns, HEADER_FONT_PT)]
    heights += [_row_height_in(r, columns, TABLE_FONT_PT) for r in rows]
    width = Inches(sum(c.width for c in columns))
    left = int((SLIDE_W - width) / 2)
    frame = slide.shapes.add_table(
        len(rows) + 1, len(columns), left, top, width, Inches(sum(heights))
    )
    table = frame.table
    for j, col in enumerate(columns):
        table.columns[j].width = Inches(col.width)
    for i, height in enumerate(heights):
        table.rows[i].height = Inches(height)
    for i, values in enumerate([header, *rows]):
        for j, (text, col) in enumerate(zip(values, columns, strict=True)):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = CELL_MARGIN
            cell.margin_top = cell.margin_bottom = Inches(0.05)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            color = RGBColor(0x26, 0x26, 0x26)
            if i == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEADER_FILL
            elif fills is not None and j == fill_column and fills[i - 1]:
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(fills[i - 1].lstrip("#"))
                color = _text_on(fills[i - 1])
            size = HEADER_FONT_PT if i == 0 else TABLE_FONT_PT
            _write(
                cell.text_frame.paragraphs[0],
                text,
                size=size,
                bold=i == 0,
                color=color,
                align=col.align,
            )
    frame.height = Inches(sum(heights))


def _text_on(fill_hex: str) -> RGBColor:
    """Black or white, whichever reads better on the fill colour."""
    r, g, b = (int(fill_hex.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4))
    light = 0.299 * r + 0.587 * g + 0.114 * b > 150
    return RGBColor(0, 0, 0) if light else RGBColor(0xFF, 0xFF, 0xFF)


def _pages(
    rows: Sequence[Sequence[str]], columns: Sequence[_Column], budget_in: float
) -> list[range]:
    """Consecutive row ranges that each fit `budget_in` inches (header included), <= 12 rows."""
    header = _row_height_in([c.label for c in columns], columns, HEADER_FONT_PT)
    pages: list[range] = []
    start, used = 0, header
    for i, row in enumerate(rows):
        height = _row_height_in(row, columns, TABLE_FONT_PT)
        if i > start and (used + height > budget_in or i - start >= TABLE_ROWS_PER_SLIDE):
            pages.append(range(start, i))
            start, used = i, header
        used += height
    pages.append(range(start, len(rows)))
    return pages


# --- slides ----------------------------------------------------------------------------------


def _title_slide(prs: PptxPresentation, deck: _Deck, made_on: date) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    meta = deck.plan.meta
    width = SLIDE_W - 2 * Inches(0.8)
    _text_box(
        slide,
        (Inches(0.8), Inches(1.9), width, Inches(1.5)),
        [meta.title],
        size=34,
        bold=True,
        color=NAVY,
        align=PP_ALIGN.CENTER,
        name="Title",
    )
    _text_box(
        slide,
        (Inches(0.8), Inches(3.6), width, Inches(0.6)),
        [f"{meta.issuer}  {meta.document_number}"],
        size=20,
        align=PP_ALIGN.CENTER,
    )
    lines = [deck.t("as_of", deck.as_of_label), deck.t("made_on", made_on.isoformat())]
    _text_box(
        slide,
        (Inches(0.8), Inches(4.5), width, Inches(1.2)),
        lines,
        size=20,
        color=NAVY,
        align=PP_ALIGN.CENTER,
    )


def _pct(value: object) -> str:
    return "—" if pd.isna(value) else f"{float(value) * 100:.1f}%"


def _overview_slide(prs: PptxPresentation, deck: _Deck, summary: dict[str, Any]) -> None:
    slide = _blank_slide(prs, deck.t("overview"))
    kpis = [
        (deck.t("tasks"), str(summary["task_count"])),
        (deck.t("indicators"), str(summary["indicator_count"])),
        (deck.t("completion"), _pct(summary["completion"])),
        (deck.t("expected"), _pct(summary["expected"])),
    ]
    card_w, gap = Inches(2.9), Inches(0.21)
    for k, (label, value) in enumerate(kpis):
        left = MARGIN + k * (card_w + gap)
        _text_box(
            slide,
            (left, BODY_TOP + Inches(0.1), card_w, Inches(1.0)),
            [value],
            size=40,
            bold=True,
            color=NAVY,
            align=PP_ALIGN.CENTER,
        )
        _text_box(
            slide,
            (left, BODY_TOP + Inches(1.1), card_w, Inches(0.5)),
            [label],
            size=16,
            align=PP_ALIGN.CENTER,
        )
    _text_box(
        slide,
        (MARGIN, BODY_TOP + Inches(2.1), SLIDE_W - 2 * MARGIN, Inches(0.5)),
        [deck.t("status_counts")],
        size=16,
        bold=True,
        color=NAVY,
    )
    codes = list(STATUS_ORDER)
    columns = [_Column("row", "", 2.0)]
    columns += [_Column(c, status_label(c, deck.lang), 1.75, PP_ALIGN.CENTER) for c in codes]
    rows = [[deck.t("indicators"), *(str(summary["counts"].get(c, 0)) for c in codes)]]
    if "task_counts" in summary:
        rows.append([deck.t("tasks"), *(str(summary["task_counts"].get(c, 0)) for c in codes)])
    _add_table(slide, BODY_TOP + Inches(2.7), columns, rows)
    _color_header_by_status(slide, codes, first_column=1)


def _color_header_by_status(slide: Slide, codes: Sequence[str], first_column: int) -> None:
    table = next(s for s in slide.shapes if s.has_table).table
    for j, code in enumerate(codes, start=first_column):
        cell = table.cell(0, j)
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(STATUS_COLORS[code].lstrip("#"))
        for run in cell.text_frame.paragraphs[0].runs:
            run.font.color.rgb = _text_on(STATUS_COLORS[code])


def _chart_slide(prs: PptxPresentation, deck: _Deck, title: str, fig: go.Figure) -> None:
    slide = _blank_slide(prs, title)
    styled = slide_figure(
        fig, as_of_label=deck.as_of_label, source_line=deck.source, lang=deck.lang
    )
    png = deck.chart_png(styled)
    px_w, px_h = _png_size(png)
    box_w, box_h = SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
    scale = min(box_w / px_w, box_h / px_h)
    width, height = int(px_w * scale), int(px_h * scale)
    left = int((SLIDE_W - width) / 2)
    slide.shapes.add_picture(BytesIO(png), left, BODY_TOP, width, height)


def _heatmap_slides(
    prs: PptxPresentation, deck: _Deck, matrix: pd.DataFrame, sections: pd.DataFrame
) -> None:
    """The unit x section heatmap, its units (heaviest first) split so every label is legible.

    All parts share one colour scale, so a shade means the same load on every slide.
    """
    units = list(matrix["unit"].drop_duplicates())
    parts = max(1, math.ceil(len(units) / HEATMAP_UNITS_PER_SLIDE))
    size = max(1, math.ceil(len(units) / parts))
    whole = charts.responsibility_heatmap_figure(matrix, sections, deck.lang)
    if parts == 1:
        _chart_slide(prs, deck, deck.t("heatmap"), whole)
        return
    columns = whole.layout.xaxis  # every part shows every section column, in the same place
    top_load = float(matrix["load"].max())
    for k in range(parts):
        chunk = matrix[matrix["unit"].isin(units[k * size : (k + 1) * size])]
        fig = charts.responsibility_heatmap_figure(chunk, sections, deck.lang)
        fig.update_traces(zmin=0, zmax=top_load, selector={"type": "heatmap"})
        _pad_heatmap_columns(fig, list(columns.tickvals or ()))
        fig.update_xaxes(tickvals=columns.tickvals, ticktext=columns.ticktext)
        _chart_slide(prs, deck, f"{deck.t('heatmap')} ({k + 1}/{parts})", fig)


def _pad_heatmap_columns(fig: go.Figure, column_ids: list[object]) -> None:
    """Give the heatmap one (empty) column for every id in `column_ids`, in that order.

    A part whose units have nothing in a section would otherwise drop that column; and
    reordering categories on the axis instead misplaces plotly's cell texts.
    """
    for trace in fig.select_traces(selector={"type": "heatmap"}):
        where = {x: i for i, x in enumerate(trace.x)}
        for name, blank in (("z", None), ("text", ""), ("hovertext", ""), ("customdata", "")):
            grid = getattr(trace, name)
            if grid is None:
                continue
            padded = [[row[where[c]] if c in where else blank for c in column_ids] for row in grid]
            setattr(trace, name, padded)
        trace.x = column_ids


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; 16:9 if the bytes are not a PNG."""
    if png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR":
        return struct.unpack(">II", png[16:24])
    return 1920, 1080


def _section_slide(
    prs: PptxPresentation, deck: _Deck, section: pd.Series, tasks: pd.DataFrame
) -> None:
    number = int(section["section_no"])
    label = _CN_NUMERALS[number - 1] if deck.lang == "zh" and number <= 10 else number
    title = deck.t("section", label, section["title"])
    line = deck.t(
        "section_line",
        len(tasks),
        _pct(section["completion"]),
        _pct(section["expected"]),
        _status_text(section["status"], deck.lang),
    )
    columns = [
        _Column("task_id", deck.heading("task_id"), 1.2),
        _Column("title", deck.heading("title"), 4.6),
        _Column("lead_unit", deck.heading("lead_unit"), 2.9),
        _Column("completion", deck.heading("completion_pct"), 1.3, PP_ALIGN.RIGHT),
        _Column("expected", deck.heading("expected_pct"), 1.3, PP_ALIGN.RIGHT),
        _Column("status", deck.heading("status_label"), 1.2, PP_ALIGN.CENTER),
    ]
    ordered = tasks.sort_values("task_no")
    shown = ordered.assign(
        completion=ordered["completion"].map(_pct),
        expected=ordered["expected"].map(_pct),
        status=ordered["status"].map(lambda code: _status_text(code, deck.lang)),
    )
    rows = _cells(shown, columns)
    fills = [
        STATUS_COLORS.get(code) if isinstance(code, str) else None for code in ordered["status"]
    ]
    _table_slides(
        prs,
        lambda k, n: title if n == 1 else f"{title} ({k}/{n})",
        columns,
        rows,
        fills=fills,
        fill_column=5,
        lead=line,
    )


def _status_text(code: object, lang: str) -> str:
    return status_label(code, lang) if isinstance(code, str) else "—"


def _at_risk_slides(
    prs: PptxPresentation, deck: _Deck, at_risk: pd.DataFrame, replies: pd.DataFrame | None
) -> None:
    """The at-risk indicators as native tables, as many slides as they need; with the
    replies (when there are any) in a column of their own beside the reason."""
    if at_risk.empty:
        slide = _blank_slide(prs, deck.t("at_risk", 1, 1))
        box = (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, Inches(0.6))
        _text_box(slide, box, [deck.t("no_risk")], size=18)
        return
    with_replies = replies is not None and not replies.empty
    # the same 12.5 inches either way: the reply takes its room from the name and the reason
    widths = (1.15, 2.55, 1.6, 1.0, 2.9, 3.3) if with_replies else (1.15, 3.75, 1.95, 1.1, 4.55)
    columns = [
        _Column("indicator_id", deck.heading("indicator_id"), widths[0]),
        _Column("name", deck.heading("name"), widths[1]),
        _Column("lead_unit", deck.heading("lead_unit"), widths[2]),
        _Column("status", deck.heading("status_label"), widths[3], PP_ALIGN.CENTER),
        _Column("reason", deck.heading("reason"), widths[4]),
    ]
    shown = at_risk.assign(
        status=at_risk["status"].map(lambda code: _status_text(code, deck.lang)),
        reason=at_risk["reason_en" if deck.lang == "en" else "reason_zh"].map(_plain),
    )
    if with_replies:
        columns.append(_Column("reply", deck.heading("reply_summary"), widths[5]))
        shown = shown.assign(reply=_reply_cells(at_risk["indicator_id"], replies, deck))
    fills = [STATUS_COLORS.get(code) for code in at_risk["status"]]
    titles = partial(deck.t, "at_risk")
    _table_slides(prs, titles, columns, _cells(shown, columns), fills=fills, fill_column=3)


def _reply_cells(indicator_ids: pd.Series, replies: pd.DataFrame, deck: _Deck) -> list[str]:
    """Per indicator its latest reply in one cell, 原因 and 措施 each clipped to
    REPLY_PART_EM so a row stays a few lines high ("（已办结）" after a closed 督办单's);
    its 督办 state in words where it has no reply (未督办 where it has no 督办单 either)."""
    by_id = replies.astype({"indicator_id": "str"}).set_index("indicator_id")
    cells = []
    for indicator_id in indicator_ids.astype("str"):
        row = by_id.loc[indicator_id] if indicator_id in by_id.index else None
        state = "none" if row is None else str(row["state"])
        parts = [] if row is None else [_plain(row[k]) for k in ("reason", "measures")]
        expected_by = "" if row is None else _plain(row["expected_by"])
        if not any(parts) and not expected_by:
            cells.append(pick(SUPERVISION_STATE_LABELS[state], deck.lang))
            continue
        reason, measures = (_clip(text, REPLY_PART_EM) or "—" for text in parts)
        text = deck.t("reply_cell", reason, measures, expected_by or "—")
        cells.append(text + (deck.t("reply_closed") if state == "closed" else ""))
    return cells


def _clip(text: str, em: float) -> str:
    """`text` on one line, cut to about `em` wide with "…" where it was cut."""
    text = " ".join(text.split())
    if _text_em(text) <= em:
        return text
    kept, width = [], 0.0
    for ch in text:
        width += _text_em(ch)
        if width > em - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def _table_slides(
    prs: PptxPresentation,
    titles: Callable[[int, int], str],
    columns: Sequence[_Column],
    rows: Sequence[Sequence[str]],
    *,
    fills: Sequence[str | None],
    fill_column: int,
    lead: str | None = None,
) -> None:
    """One table over as many slides as its rows need; `titles(k, n)` names slide k of n."""
    top = BODY_TOP + (LEAD_H if lead else 0)
    pages = _pages(rows, columns, (BODY_BOTTOM - top) / Inches(1))
    for k, page in enumerate(pages, start=1):
        slide = _blank_slide(prs, titles(k, len(pages)))
        if lead:
            box = (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, LEAD_H - Inches(0.15))
            _text_box(slide, box, [lead], size=14)
        page_rows, page_fills = [rows[i] for i in page], [fills[i] for i in page]
        _add_table(slide, top, columns, page_rows, fills=page_fills, fill_column=fill_column)


def _cells(frame: pd.DataFrame, columns: Sequence[_Column]) -> list[list[str]]:
    """Cell texts of a frame's rows in the order of the table's columns."""
    return [[_plain(v) for v in row] for row in frame[[c.key for c in columns]].itertuples(False)]


def _plain(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _sources_slide(
    prs: PptxPresentation,
    deck: _Deck,
    upload_ids: Sequence[int],
    made_on: date,
    sample: bool,
    figures_note: str = "",
) -> None:
    slide = _blank_slide(prs, deck.t("sources"))
    meta = deck.plan.meta
    batches = upload_batches_text(upload_ids)
    lines = [
        deck.t("src_plan", meta.title, meta.document_number, meta.issuer),
        deck.t("src_as_of", deck.as_of_label),
        *([figures_note] if figures_note else []),
        deck.t("src_batches", batches) if batches else deck.t("src_no_batches"),
        deck.t("src_made", made_on.isoformat()),
    ]
    if sample:
        lines.append(pick(SAMPLE_DATA_NOTICE, deck.lang))
    _text_box(
        slide, (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP), lines, size=18
    )


def _add_footers(prs: PptxPresentation, deck: _Deck, sample: bool) -> None:
    """Document, as-of period, the sample-data notice (when used) and 'n / N' on every slide."""
    total = len(prs.slides)
    left_text = f"{deck.plan.meta.document_number} · {deck.t('as_of', deck.as_of_label)}"
    for n, slide in enumerate(prs.slides, start=1):
        _text_box(slide, (MARGIN, FOOTER_TOP, Inches(4.3), FOOTER_H), [left_text], size=10)
        if sample:
            _text_box(
                slide,
                (Inches(4.8), FOOTER_TOP, Inches(7.1), FOOTER_H),
                [deck.t("sample")],
                size=10,
                bold=True,
                color=NOTICE_RED,
                name="SampleNotice",
            )
        _text_box(
            slide,
            (SLIDE_W - MARGIN - Inches(1.0), FOOTER_TOP, Inches(1.0), FOOTER_H),
            [f"{n} / {total}"],
            size=10,
            align=PP_ALIGN.RIGHT,
        )
