"""The briefing deck: a 16:9 PowerPoint of the plan's status at one reporting period.

`briefing_deck` turns a plan and its progress figures into .pptx bytes, in the order a
meeting reads it: a cover; the conclusion in words (completion against the expected pace,
how many indicators are behind, overdue or unreported and where they are), with the status
counts; the at-risk indicators as native tables (with the units' replies to 督办单 when there
are any) within the first five slides; the completion-by-section chart and every section's
tasks, several sections to a slide; the responsibility heatmap coloured by worst status
(rendered by lib.output.images without a title of its own, its units split over slides so
every row label stays legible); and a closing slide naming the data sources.

Tables are set at 14 pt and body text at 18 pt or more, rows measured before they are
placed so nothing runs off its slide. Every run names the deck's faces from
lib.output.fonts (微软雅黑 for East-Asian text, with substitution hints) so a Windows PC
shows it in a face it has. Words are the pages' words (lib.core.labels), and the document's
titles keep the full-width punctuation it prints. The "made on" date comes in as an
argument: the deck is a pure function of its inputs.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from io import BytesIO
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
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
from lib.core.text import document_text
from lib.output import charts
from lib.output.fonts import DECK_EA_FONT, DECK_EA_HINTS, DECK_LATIN_FONT
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
FOOTER_H = Inches(0.4)
FOOTER_TOP = SLIDE_H - FOOTER_H - Inches(0.05)
BODY_BOTTOM = FOOTER_TOP - Inches(0.1)
TABLE_ROWS_PER_SLIDE = 12
# Projected in a meeting room: nothing in a table under 14 pt, no body text under 18 pt.
TABLE_FONT_PT, HEADER_FONT_PT = 14, 14
BODY_FONT_PT = 18
CONCLUSION_FONT_PT = 22
TITLE_FONT_PT = 26
FOOTER_FONT_PT = 12
REPLY_PART_EM = 20  # a reply's 原因 and 措施 each about a line of the at-risk reply column
CELL_MARGIN = Inches(0.06)
LINE_SPACING = 1.5  # Noto Sans CJK's ascent + descent is about 1.45 em
CONCERN_STATUSES = ("overdue", "behind", "no_report")  # what the conclusion counts as lagging
CONCENTRATION_TOP = 3  # sections and lead units named in the conclusion

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
INK = RGBColor(0x26, 0x26, 0x26)
NOTICE_RED = RGBColor(0xA6, 0x1B, 0x1B)
HEADER_FILL = RGBColor(0xD9, 0xE1, 0xF2)
BAND_FILL = "#EEF2F8"

ChartRenderer = Callable[[go.Figure], bytes]

_CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    width: float  # inches
    align: PP_ALIGN = PP_ALIGN.LEFT


@dataclass(frozen=True)
class _Row:
    """A table's body row: its cell texts, the fill of its status cell, or one band of text
    across every column (a section's heading in the tasks table)."""

    cells: tuple[str, ...]
    fill: str | None = None
    band: bool = False


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

    def paged(self, key: str, k: int, n: int) -> str:
        """The slide title `key`, with '（k/n）' when it runs over n > 1 slides."""
        return self.t(key) if n == 1 else self.t("page", self.t(key), k, n)


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
    _conclusion_slide(prs, deck, status, tasks, sections)
    _at_risk_slides(prs, deck, at_risk_indicators(status), replies)
    _chart_slide(
        prs,
        deck,
        deck.t("section_chart"),
        charts.completion_by_section_figure(sections, lang, plan.thresholds),
    )
    _section_slides(prs, deck, sections, tasks)
    groups = charts.heatmap_row_groups(plan)
    _heatmap_slides(prs, deck, responsibility_matrix(plan, tasks), sections, groups)
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
    _set_theme_fonts(prs)
    return prs


def _set_theme_fonts(prs: PptxPresentation) -> None:
    """The theme's heading and body faces: the deck's, for any text a user adds later
    (the default theme names Calibri and, for simplified Chinese, 宋体)."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    scheme = root.find(f".//{qn('a:fontScheme')}")
    for kind in ("a:majorFont", "a:minorFont"):
        fonts = scheme.find(qn(kind))
        fonts.find(qn("a:latin")).set("typeface", DECK_LATIN_FONT)
        ea = fonts.find(qn("a:ea"))
        ea.set("typeface", DECK_EA_FONT)
        for name, value in DECK_EA_HINTS.items():
            ea.set(name, value)
        for script in fonts.findall(qn("a:font")):
            if script.get("script") == "Hans":
                script.set("typeface", DECK_EA_FONT)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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
    _write(frame.paragraphs[0], title, size=TITLE_FONT_PT, bold=True, color=NAVY)
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
    """Replace a paragraph's text with one run in the deck's faces at a fixed size."""
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
    _set_deck_font(run)


def _set_deck_font(run: _Run) -> None:
    """a:latin and a:cs = DECK_LATIN_FONT, a:ea = DECK_EA_FONT with its substitution hints,
    in the order the schema wants them on the run's a:rPr."""
    run.font.name = DECK_LATIN_FONT  # creates a:latin
    rpr = run._r.get_or_add_rPr()
    anchor = rpr.find(qn("a:latin"))
    for tag, face, hints in (("a:ea", DECK_EA_FONT, DECK_EA_HINTS), ("a:cs", DECK_LATIN_FONT, {})):
        element = rpr.find(qn(tag))
        if element is None:  # never `or`: an lxml element without children is falsy
            element = rpr.makeelement(qn(tag), {})
            anchor.addnext(element)
        element.set("typeface", face)
        for name, value in hints.items():
            element.set(name, value)
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
    space_after: float = 0,
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
        if space_after:
            paragraph.space_after = Pt(space_after)


# --- measured tables -------------------------------------------------------------------------


def _text_em(text: str) -> float:
    """Width of text in em: CJK and full-width characters 1, others about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _line_count(text: str, width_in: float, size_pt: float) -> int:
    usable = width_in - 2 * CELL_MARGIN.inches - 0.05
    per_line = max(1.0, usable * 72 / size_pt)  # em per line
    return max(1, math.ceil(_text_em(text) * 1.08 / per_line))


def _lines_height_in(lines: int, size_pt: float) -> float:
    return lines * size_pt * LINE_SPACING / 72 + 2 * 0.05 + 0.04


def _row_height_in(row: _Row, columns: Sequence[_Column], size_pt: float) -> float:
    if row.band:
        width = sum(c.width for c in columns)
        return _lines_height_in(_line_count(row.cells[0], width, size_pt), size_pt)
    lines = max(
        _line_count(text, col.width, size_pt) for text, col in zip(row.cells, columns, strict=True)
    )
    return _lines_height_in(lines, size_pt)


def _header_row(columns: Sequence[_Column]) -> _Row:
    return _Row(tuple(c.label for c in columns))


def _add_table(
    slide: Slide, top: Emu, columns: Sequence[_Column], rows: Sequence[_Row], fill_column: int = 0
) -> None:
    """A native table under a heading row; each row's `fill` colours its `fill_column` cell,
    a band row is one merged cell across the table."""
    header = _header_row(columns)
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
    for i, row in enumerate([header, *rows]):
        if row.band:
            table.cell(i, 0).merge(table.cell(i, len(columns) - 1))
            _fill_cell(table.cell(i, 0), row.cells[0], BAND_FILL, PP_ALIGN.LEFT, True, NAVY)
            continue
        for j, (text, col) in enumerate(zip(row.cells, columns, strict=True)):
            fill = None
            color = INK
            if i == 0:
                fill = "#" + str(HEADER_FILL)
            elif j == fill_column and row.fill:
                fill, color = row.fill, _text_on(row.fill)
            _fill_cell(table.cell(i, j), text, fill, col.align, i == 0, color)
    frame.height = Inches(sum(heights))


def _fill_cell(
    cell: Any, text: str, fill: str | None, align: PP_ALIGN, bold: bool, color: RGBColor
) -> None:
    cell.margin_left = cell.margin_right = CELL_MARGIN
    cell.margin_top = cell.margin_bottom = Inches(0.05)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(fill.lstrip("#"))
    _write(
        cell.text_frame.paragraphs[0], text, size=TABLE_FONT_PT, bold=bold, color=color, align=align
    )


def _text_on(fill_hex: str) -> RGBColor:
    """Black or white, whichever reads better on the fill colour."""
    r, g, b = (int(fill_hex.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4))
    light = 0.299 * r + 0.587 * g + 0.114 * b > 150
    return RGBColor(0, 0, 0) if light else RGBColor(0xFF, 0xFF, 0xFF)


def _pages(rows: Sequence[_Row], columns: Sequence[_Column], budget_in: float) -> list[range]:
    """Consecutive row ranges that each fit `budget_in` inches (header included), <= 12 rows."""
    header = _row_height_in(_header_row(columns), columns, HEADER_FONT_PT)
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


def _grouped_pages(
    groups: Sequence[Sequence[_Row]],
    columns: Sequence[_Column],
    budget_in: float,
    continued: Callable[[_Row], _Row],
) -> list[list[_Row]]:
    """Groups of rows (a band, then its rows) packed onto as few slides as fit `budget_in`:
    a group that fits whole on the next slide never starts at the foot of this one; a group
    taller than a slide runs on, its band repeated as `continued(band)`."""
    header = _row_height_in(_header_row(columns), columns, HEADER_FONT_PT)
    pages: list[list[_Row]] = [[]]
    used = header

    def height(row: _Row) -> float:
        return _row_height_in(row, columns, TABLE_FONT_PT)

    for group in groups:
        whole = sum(height(r) for r in group)
        if pages[-1] and used + whole > budget_in and header + whole <= budget_in:
            pages.append([])
            used = header
        band = group[0]
        for k, row in enumerate(group):
            if pages[-1] and used + height(row) > budget_in:
                pages.append([] if k == 0 else [continued(band)])
                used = header + sum(height(r) for r in pages[-1])
            pages[-1].append(row)
            used += height(row)
    return [page for page in pages if page]


# --- slides ----------------------------------------------------------------------------------


def _title_slide(prs: PptxPresentation, deck: _Deck, made_on: date) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    meta = deck.plan.meta
    width = SLIDE_W - 2 * Inches(0.8)
    _text_box(
        slide,
        (Inches(0.8), Inches(1.9), width, Inches(1.5)),
        [document_text(meta.title)],
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


def conclusion_lines(plan: Plan, status: pd.DataFrame, tasks: pd.DataFrame, lang: str) -> list[str]:
    """The conclusion in words, every number counted from the status table `status`:
    completion against the expected pace, the indicators behind / overdue / unreported,
    and the sections and lead units where most of them are."""

    def t(key: str, *args: object) -> str:
        return pick(BRIEFING_TEXT[key], lang).format(*args)

    summary = overall_summary(status, tasks)
    completion, expected = summary["completion"], summary["expected"]
    if pd.isna(completion) or pd.isna(expected):
        pace = t("concl_no_pace")
    else:
        points = round((completion - expected) * 100, 1)
        pace = (
            t("concl_ahead", f"{points:.1f}")
            if points > 0
            else t("concl_behind", f"{-points:.1f}")
            if points < 0
            else t("concl_on_pace")
        )
    counts = summary["counts"]
    lines = [
        t("concl_pace", _pct(completion), _pct(expected), pace),
        t(
            "concl_counts",
            summary["task_count"],
            summary["indicator_count"],
            *(counts[code] for code in (*CONCERN_STATUSES, "watch")),
        ),
    ]
    lagging = status[status["status"].isin(CONCERN_STATUSES)]
    if lagging.empty:
        return [*lines, t("concl_none")]
    titles = plan.sections.set_index("section_id")
    by_section = _most(lagging["section_id"], list(plan.sections["section_id"]))
    where = [
        t("concl_item", _section_name(titles.loc[sid], lang, short=True), n)
        for sid, n in by_section
    ]
    by_unit = _most(lagging["lead_unit"], list(dict.fromkeys(lagging["lead_unit"])))
    units = [t("concl_item", unit, n) for unit, n in by_unit]
    separator = "、" if lang == "zh" else ", "
    return [
        *lines,
        t("concl_where", separator.join(where)),
        t("concl_units", separator.join(units)),
    ]


def _most(values: pd.Series, order: list[object]) -> list[tuple[object, int]]:
    """The CONCENTRATION_TOP most frequent values with their counts; ties in `order`."""
    counts = values.value_counts()
    ranked = sorted(counts.index, key=lambda v: (-counts[v], order.index(v)))
    return [(v, int(counts[v])) for v in ranked[:CONCENTRATION_TOP]]


def _section_name(section: pd.Series, lang: str, *, short: bool = False) -> str:
    """'一、开拓创新，加大改革攻坚力度' (short: '一、开拓创新'); 'Section 1: …' in English."""
    number = int(section["section_no"])
    label = _CN_NUMERALS[number - 1] if lang == "zh" and number <= 10 else number
    title = document_text(str(section["title"]))
    if short:
        title = re.split(r"[，、]", title, maxsplit=1)[0]
    return pick(BRIEFING_TEXT["section"], lang).format(label, title)


def _conclusion_slide(
    prs: PptxPresentation,
    deck: _Deck,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    sections: pd.DataFrame,
) -> None:
    slide = _blank_slide(prs, deck.t("conclusion"))
    lines = conclusion_lines(deck.plan, status, tasks, deck.lang)
    width = SLIDE_W - 2 * MARGIN
    line_count = sum(_line_count(line, width / Inches(1), CONCLUSION_FONT_PT) for line in lines)
    text_h = Inches(line_count * CONCLUSION_FONT_PT * LINE_SPACING / 72 + 0.15 * len(lines))
    _text_box(
        slide,
        (MARGIN, BODY_TOP, width, text_h),
        lines,
        size=CONCLUSION_FONT_PT,
        color=INK,
        name="Conclusion",
        space_after=6,
    )
    summary = overall_summary(status, tasks)
    codes = list(STATUS_ORDER)
    columns = [_Column("row", "", 2.0)]
    columns += [_Column(c, status_label(c, deck.lang), 1.75, PP_ALIGN.CENTER) for c in codes]
    rows = [
        _Row((deck.t("indicators"), *(str(summary["counts"][c]) for c in codes))),
        _Row((deck.t("tasks"), *(str(summary["task_counts"][c]) for c in codes))),
    ]
    _add_table(slide, BODY_TOP + text_h + Inches(0.2), columns, rows)
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
    """A chart under the slide title: the image carries no title, stamp or source of its own
    (the slide's title, footer and sources slide say them once)."""
    slide = _blank_slide(prs, title)
    styled = slide_figure(
        fig, as_of_label=deck.as_of_label, source_line=deck.source, lang=deck.lang, bare=True
    )
    png = deck.chart_png(styled)
    px_w, px_h = _png_size(png)
    box_w, box_h = SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
    scale = min(box_w / px_w, box_h / px_h)
    width, height = int(px_w * scale), int(px_h * scale)
    left = int((SLIDE_W - width) / 2)
    slide.shapes.add_picture(BytesIO(png), left, BODY_TOP, width, height)


def _heatmap_slides(
    prs: PptxPresentation,
    deck: _Deck,
    matrix: pd.DataFrame,
    sections: pd.DataFrame,
    groups: Mapping[str, str],
) -> None:
    """The unit x section heatmap coloured by worst status, split as the slide images are
    (charts.responsibility_heatmap_parts: at most HEATMAP_ROWS_PER_PART rows with the group
    headings, so every label stays at 14 px or more; groups as the page groups them, each
    group's trouble first), one slide per part."""
    figures = charts.responsibility_heatmap_parts(
        matrix, sections, deck.lang, "status", row_groups=groups
    )
    for k, fig in enumerate(figures, start=1):
        title = deck.t("heatmap") if len(figures) == 1 else deck.paged("heatmap", k, len(figures))
        _chart_slide(prs, deck, title, fig)


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; 16:9 if the bytes are not a PNG."""
    if png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR":
        return struct.unpack(">II", png[16:24])
    return 1920, 1080


def _section_slides(
    prs: PptxPresentation, deck: _Deck, sections: pd.DataFrame, tasks: pd.DataFrame
) -> None:
    """Every section's tasks under a band naming the section and its figures, as many
    sections to a slide as fit."""
    columns = [
        _Column("task_id", deck.heading("task_id"), 1.2),
        _Column("title", deck.heading("title"), 4.9),
        _Column("lead_unit", deck.heading("lead_unit"), 2.9),
        _Column("completion", deck.heading("completion_pct"), 1.25, PP_ALIGN.RIGHT),
        _Column("expected", deck.heading("expected_pct"), 1.25, PP_ALIGN.RIGHT),
        _Column("status", deck.heading("status_label"), 1.0, PP_ALIGN.CENTER),
    ]
    groups = []
    for _, section in sections.sort_values("section_no").iterrows():
        mine = tasks[tasks["section_id"] == section["section_id"]].sort_values("task_no")
        line = deck.t(
            "section_line",
            len(mine),
            _pct(section["completion"]),
            _pct(section["expected"]),
            _status_text(section["status"], deck.lang),
        )
        band = _Row((f"{_section_name(section, deck.lang)}　{line}",), band=True)
        shown = mine.assign(
            title=mine["title"].map(document_text),
            completion=mine["completion"].map(_pct),
            expected=mine["expected"].map(_pct),
            status=mine["status"].map(lambda code: _status_text(code, deck.lang)),
        )
        fills = [STATUS_COLORS.get(c) if isinstance(c, str) else None for c in mine["status"]]
        rows = [
            _Row(tuple(cells), fill)
            for cells, fill in zip(_cells(shown, columns), fills, strict=True)
        ]
        groups.append([band, *rows])

    def continued(band: _Row) -> _Row:
        return _Row((band.cells[0].split("　")[0] + deck.t("continued"),), band=True)

    budget = (BODY_BOTTOM - BODY_TOP) / Inches(1)
    pages = _grouped_pages(groups, columns, budget, continued)
    for k, page in enumerate(pages, start=1):
        slide = _blank_slide(prs, deck.paged("sections", k, len(pages)))
        _add_table(slide, BODY_TOP, columns, page, fill_column=5)


def _status_text(code: object, lang: str) -> str:
    return status_label(code, lang) if isinstance(code, str) else "—"


def _at_risk_slides(
    prs: PptxPresentation, deck: _Deck, at_risk: pd.DataFrame, replies: pd.DataFrame | None
) -> None:
    """The at-risk indicators as native tables, as many slides as they need; with the
    replies (when there are any) in a column of their own beside the reason."""
    if at_risk.empty:
        slide = _blank_slide(prs, deck.t("at_risk"))
        box = (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, Inches(0.7))
        _text_box(slide, box, [deck.t("no_risk")], size=BODY_FONT_PT)
        return
    with_replies = replies is not None and not replies.empty
    # the same 12.5 inches either way: the reply takes its room from the name and the reason
    widths = (1.15, 2.35, 1.6, 0.95, 2.75, 3.7) if with_replies else (1.15, 3.75, 1.95, 1.1, 4.55)
    columns = [
        _Column("indicator_id", deck.heading("indicator_id"), widths[0]),
        _Column("name", deck.heading("name"), widths[1]),
        _Column("lead_unit", deck.heading("lead_unit"), widths[2]),
        _Column("status", deck.heading("status_label"), widths[3], PP_ALIGN.CENTER),
        _Column("reason", deck.heading("reason"), widths[4]),
    ]
    shown = at_risk.assign(
        name=at_risk["name"].map(lambda v: document_text(_plain(v))),
        status=at_risk["status"].map(lambda code: _status_text(code, deck.lang)),
        reason=at_risk["reason_en" if deck.lang == "en" else "reason_zh"].map(_plain),
    )
    if with_replies:
        columns.append(_Column("reply", deck.heading("reply_summary"), widths[5]))
        shown = shown.assign(reply=_reply_cells(at_risk["indicator_id"], replies, deck))
    fills = [STATUS_COLORS.get(code) for code in at_risk["status"]]
    rows = [_Row(tuple(c), f) for c, f in zip(_cells(shown, columns), fills, strict=True)]
    pages = _pages(rows, columns, (BODY_BOTTOM - BODY_TOP) / Inches(1))
    for k, page in enumerate(pages, start=1):
        slide = _blank_slide(prs, deck.paged("at_risk", k, len(pages)))
        _add_table(slide, BODY_TOP, columns, [rows[i] for i in page], fill_column=3)


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
        deck.t("src_plan", document_text(meta.title), meta.document_number, meta.issuer),
        deck.t("src_as_of", deck.as_of_label),
        *([figures_note] if figures_note else []),
        deck.t("src_batches", batches) if batches else deck.t("src_no_batches"),
        deck.t("src_made", made_on.isoformat()),
    ]
    if sample:
        lines.append(pick(SAMPLE_DATA_NOTICE, deck.lang))
    _text_box(
        slide,
        (MARGIN, BODY_TOP, SLIDE_W - 2 * MARGIN, BODY_BOTTOM - BODY_TOP),
        lines,
        size=BODY_FONT_PT,
        space_after=6,
    )


def _add_footers(prs: PptxPresentation, deck: _Deck, sample: bool) -> None:
    """Document, as-of period, the sample-data notice (when used) and 'n / N' on every slide."""
    total = len(prs.slides)
    left_text = f"{deck.plan.meta.document_number} · {deck.t('as_of', deck.as_of_label)}"
    for n, slide in enumerate(prs.slides, start=1):
        _text_box(
            slide,
            (MARGIN, FOOTER_TOP, Inches(5.6), FOOTER_H),
            [left_text],
            size=FOOTER_FONT_PT,
            name="Footer",
        )
        if sample:
            _text_box(
                slide,
                (Inches(6.1), FOOTER_TOP, Inches(5.6), FOOTER_H),
                [deck.t("sample")],
                size=FOOTER_FONT_PT,
                bold=True,
                color=NOTICE_RED,
                name="SampleNotice",
            )
        _text_box(
            slide,
            (SLIDE_W - MARGIN - Inches(1.0), FOOTER_TOP, Inches(1.0), FOOTER_H),
            [f"{n} / {total}"],
            size=FOOTER_FONT_PT,
            align=PP_ALIGN.RIGHT,
            name="FooterPage",
        )
