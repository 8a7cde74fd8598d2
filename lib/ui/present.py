"""Presentation view (`?view=present`): fixed 1280x720 panels, one under another, so a
1280x720 screen scrolled to a panel shows exactly that panel, as a slide.

Each panel is a keyed container (`present-panel-<key>`) sized by static CSS: its title, the
数据截至 stamp (with 示例数据 marked when the sample is in use), its content, and the source
line at its foot; no selector, button or download. lib/services/views/present.py decides
what each panel holds; pages call one function here in their presentation branch.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from lib.core.labels import tr
from lib.output.charts import ink_on
from lib.services.views.elements import MISSING_TEXT, STATUS_LABEL_COLORS, Kpi, TableView
from lib.services.views.overview import OverviewView, StatusCount
from lib.services.views.present import (
    ChartPanel,
    OverviewPanel,
    Panel,
    PanelHead,
    TablePanel,
    overview_panel,
    panel_head,
    risk_panels,
    units_panel,
)
from lib.ui.chrome import PageContext, present_view_footer
from lib.ui.components import metric, plain_markdown

# Static CSS only, never data. The page's padding and the gaps between its elements go, so
# panel n starts at n x 720 px; inside a panel the content takes what the title, stamp and
# source line leave, and the source line sits at the foot.
PANEL_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding: 0 !important; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { gap: 0 !important; }
[class*="st-key-present-panel-"] {
  width: 1280px !important; height: 720px !important; min-height: 720px; max-height: 720px;
  box-sizing: border-box; overflow: hidden; gap: 6px !important;
  padding: 22px 48px 14px; background: #FFFFFF; border-bottom: 1px solid #D0D7E2;
  break-after: page; break-inside: avoid;
}
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-present-panel-"]) { flex: 0 0 720px; }
[class*="st-key-present-panel-"] > * { flex-shrink: 0; height: auto !important; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-present-foot-"]) { margin-top: auto; }
[class*="st-key-present-panel-"] h1 {
  font-size: 32px; line-height: 40px; padding: 0; margin: 0; color: #1F4E79;
}
[class*="st-key-present-panel-"] [data-testid="stHeading"] > * { margin-bottom: 0 !important; }
[class*="st-key-present-panel-"] [data-testid="stCaptionContainer"] { font-size: 16px; }
[class*="st-key-present-body-"] { gap: 10px !important; }
[class*="st-key-present-foot-"] [data-testid="stCaptionContainer"] { font-size: 15px; }
[class*="st-key-present-panel-"] [data-testid="stCaptionContainer"] { margin-bottom: 0 !important; }
[class*="st-key-present-panel-"] [data-testid="stCaptionContainer"] p { margin-bottom: 0; }
[class*="st-key-present-panel-"] [data-testid="stMetricLabel"] * { font-size: 17px !important; }
[class*="st-key-present-panel-"] [data-testid="stMetricValue"] * { font-size: 34px !important; }
[class*="st-key-present-panel-"] [data-testid="stMetricDelta"] * { font-size: 16px !important; }
[class*="st-key-present-lead-"] p { font-size: 19px; }
[class*="st-key-present-panel-"] table { font-size: 19px; width: 100%; }
[class*="st-key-present-panel-"] td, [class*="st-key-present-panel-"] th {
  padding: 6px 10px; white-space: normal; line-height: 1.35;
}
/* a cell's text follows its cell (short columns stay on one line, lib.ui.present._styled) */
[class*="st-key-present-panel-"] td * { white-space: inherit !important; }
[class*="st-key-present-panel-"] th { font-size: 16px; }
[class*="st-key-present-panel-"] th, [class*="st-key-present-panel-"] th * {
  white-space: nowrap !important;
}
.st-key-present-leave { padding: 12px 48px; }
@media print {
  [class*="st-key-present-panel-"] { border-bottom: none; }
}
</style>
"""
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}
NOWRAP_CHARS = 12  # a table column whose every text is this short stays on one line


def overview_panels(ctx: PageContext, view: OverviewView) -> None:
    """The overview as panels: KPIs and sections, the top of the indicators needing
    follow-up, and the heatmap (or the chosen unit's scorecard); then the way back."""
    head = _head(ctx, "overview", "present_overview_title")
    first = overview_panel(view, head)
    if first is None:  # no figures, or no task in view: the counts and why
        _draw([TablePanel(head, None, kpis=view.headline, note=view.notice)], ctx, "overview")
        return
    risks = risk_panels(
        ctx.plan, ctx.status(), _head(ctx, "risks", "top_risks"), lang=ctx.lang, pages=1
    )
    _draw([first, *risks, _units_panel(ctx)], ctx, "overview")


def risks_panels(ctx: PageContext, statuses: str | None) -> None:
    """The indicators needing follow-up of the chosen `statuses` (the URL's), a panel per
    page of rows; then the way back."""
    panels = risk_panels(
        ctx.plan, ctx.status(), _head(ctx, "risks", "top_risks"), lang=ctx.lang,
        statuses=statuses,
    )  # fmt: skip
    _draw(panels, ctx, "risks")


def units_panels(ctx: PageContext) -> None:
    """The heatmap of the units most at risk, or the scorecard of the URL's unit; then the
    way back."""
    _draw([_units_panel(ctx)], ctx, "units")


def _units_panel(ctx: PageContext) -> Panel:
    return units_panel(
        ctx.plan, ctx.status(), ctx.tasks(), unit=ctx.filters.unit, as_of=ctx.as_of,
        lang=ctx.lang, sample_in_use=ctx.sample_in_use, figures_note=ctx.figures_note,
    )  # fmt: skip


def _head(ctx: PageContext, key: str, title_key: str) -> PanelHead:
    return panel_head(
        key, tr(title_key, ctx.lang), ctx.plan, ctx.status(), as_of=ctx.as_of, lang=ctx.lang,
        sample_in_use=ctx.sample_in_use, figures_note=ctx.figures_note,
    )  # fmt: skip


def _draw(panels: Iterable[Panel], ctx: PageContext, page: str) -> None:
    st.markdown(PANEL_CSS, unsafe_allow_html=True)  # static CSS only, never data
    for panel in panels:
        body = _frame(panel.head)
        with body:
            if isinstance(panel, OverviewPanel):
                _overview(panel)
            elif isinstance(panel, TablePanel):
                _table_panel(panel)
            elif isinstance(panel, ChartPanel):
                _chart_panel(panel)
    with st.container(key="present-leave"):
        present_view_footer(ctx, page)


def _frame(head: PanelHead):
    """The panel's box with its title, stamp and source line; the container its content
    goes in (between stamp and source)."""
    panel = st.container(key=f"present-panel-{head.key}")
    with panel:
        st.title(head.title, anchor=False)
        stamp = plain_markdown(head.stamp)
        if head.sample:
            stamp += f" :orange-badge[{plain_markdown(head.sample)}]"
        st.caption(stamp)
        body = st.container(key=f"present-body-{head.key}")
        with st.container(key=f"present-foot-{head.key}"):
            st.caption(plain_markdown(head.source))
    return body


def _overview(panel: OverviewPanel) -> None:
    with st.container(key=f"present-lead-{panel.head.key}"):
        st.markdown(f"**{plain_markdown(panel.conclusion)}**")
    _kpis(panel.kpis)
    with st.container(key=f"present-lead-counts-{panel.head.key}"):
        _status_counts(panel.status_counts)
    _chart(panel.section_chart, panel.head.key)


def _kpis(kpis: tuple[Kpi, ...]) -> None:
    if kpis:
        for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
            metric(column, kpi)


def _status_counts(counts: Iterable[StatusCount]) -> None:
    """The status counts as chips in their colours, not links: nothing to click on a slide."""
    chips = (
        f':color[**{c.count}** {plain_markdown(c.label)}]{{foreground="{c.text_color}" '
        f'background="{c.color}"}}'
        for c in counts
    )
    st.markdown("&ensp;".join(chips))


def _table_panel(panel: TablePanel) -> None:
    _kpis(panel.kpis)
    if panel.table is not None:
        st.table(_styled(panel.table), hide_index=True)
    if panel.note:
        st.caption(plain_markdown(panel.note))


def _chart_panel(panel: ChartPanel) -> None:
    _chart(panel.figure, panel.head.key)
    if panel.note:
        st.caption(plain_markdown(panel.note))


def _chart(figure, key: str) -> None:
    """The figure as lib.output.charts styled it (its fonts and colours, not the theme's),
    at its own height, without the toolbar."""
    st.plotly_chart(figure, key=f"present_chart_{key}", config=PLOTLY_CONFIG, theme=None)


def _styled(view: TableView) -> Styler:
    """The table as a static grid: 0-100 columns as '62.5%', status cells filled in their
    status colour. st.table draws each cell as Markdown without HTML, so every text is
    escaped to show as written (a name with '*' or '[x](y)' stays text)."""
    frame = view.frame.assign(
        **{
            heading: view.frame[heading].map(_percent_text).astype(object)
            for heading in view.progress_columns
        }
    )
    styler = frame.style
    short = [
        heading
        for heading in frame.columns
        if frame[heading].astype("str").str.len().max() <= NOWRAP_CHARS
    ]
    if short:  # ids, units, dates and statuses on one line; names and reasons wrap
        styler = styler.set_properties(subset=short, **{"white-space": "nowrap"})
    for heading in view.status_columns:
        styler = styler.map(_status_cell_css, subset=[heading])
    return styler.format(_as_text)  # what is shown; the styles above read the values


def _as_text(value: object) -> str:
    return plain_markdown(value if isinstance(value, str) else str(value))


def _percent_text(value: object) -> str:
    return MISSING_TEXT if value is None or pd.isna(value) else f"{float(value):.1f}%"


def _status_cell_css(label: object) -> str:
    color = STATUS_LABEL_COLORS.get(label) if isinstance(label, str) else None
    if color is None:
        return ""
    return f"background-color: {color}; color: {ink_on(color)}; font-weight: 600;"
