"""Plotly figures for the pages and for slides: one pure function per chart, frame in, figure out.

Each `*_figure` takes a frame from lib.status plus plain options and returns a
`go.Figure` with a title in the chosen language, the CJK font stack, a white template and
the status colours of lib.core.labels. Status colours mean a status and nothing else; every
chart says what its colours mean in a legend, a colour bar or a caption under its title.
Any text that comes from the plan or from uploads (names, titles, units) is HTML-escaped
before it reaches a label or hover text, because plotly renders a subset of HTML there. An
empty frame gives a titled figure saying "暂无数据 / No data" rather than a blank chart.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.core.labels import CHART_TEXT, RESPONSIBILITY_ROLES, STATUS_COLORS, pick, status_label
from lib.core.periods import period_label
from lib.core.text import document_text
from lib.output.fonts import FONT_FAMILY
from lib.plan.model import Plan, Thresholds
from lib.status.codes import RISK_STATUSES, STATUS_ORDER, STATUS_RANK
from lib.status.units import HeatmapCells

TEMPLATE = "plotly_white"
EXPECTED_COLOR = "#333333"
# Neutral navy (the theme's primaryColor) for quantities that are not a status: the
# completion line, led tasks. Partner tasks a lighter navy-grey, apart from on-track blue.
NEUTRAL_COLOR = "#1F4E79"
LEAD_COLOR = NEUTRAL_COLOR
PARTNER_COLOR = "#8A9BB0"
LOAD_COLORSCALE = "Blues"
DARK_INK, LIGHT_INK = "#222222", "#FFFFFF"
_ROW_PX, _MIN_HEIGHT = 30, 360
# The section chart's x axis runs past 100 % to leave room for the worst-status dots and
# their words to the right of the bars.
_STATUS_DOT_X, _X_MAX = 104.0, 132.0


def _text(key: str, lang: str, **values: object) -> str:
    text = pick(CHART_TEXT[key], lang)
    return text.format(**values) if values else text


def _escaped(values: Iterable[object]) -> list[str]:
    """Plain text made safe for plotly labels: `<`, `>` and `&` as entities."""
    return [html.escape(str(v), quote=False) for v in values]


def _status_labels(codes: Iterable[str], lang: str) -> list[str]:
    return [status_label(code, lang) for code in codes]


def relative_luminance(color: str) -> float:
    """WCAG relative luminance (0 black .. 1 white) of a '#RRGGBB' colour."""
    channels = np.array([int(color.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4)]) / 255
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def ink_on(fill: str) -> str:
    """Dark or white text, whichever has the higher WCAG contrast on `fill`."""
    y = relative_luminance(fill)
    on_white = (1.0 + 0.05) / (y + 0.05)
    on_dark = (y + 0.05) / (relative_luminance(DARK_INK) + 0.05)
    return LIGHT_INK if on_white > on_dark else DARK_INK


def _styled(
    fig: go.Figure, title: str, height: int | None = None, caption: str | None = None
) -> go.Figure:
    """The house look: white template, CJK font, title top left, legend above the plot;
    `caption` (what the colours mean, where no legend says it) goes under the title."""
    heading: dict[str, object] = {"text": title, "x": 0.01, "xanchor": "left"}
    if caption:
        heading["subtitle"] = {"text": caption, "font": {"color": "#555555"}}
    fig.update_layout(
        template=TEMPLATE,
        title=heading,
        font={"family": FONT_FAMILY, "size": 14, "color": "#222222"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 20, "r": 20, "t": 90, "b": 40},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def _no_data_figure(title: str, lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=_text("no_data", lang),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 20, "color": "#888888"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _styled(fig, title)


def _legend_entries(entries: Iterable[tuple[str, str, str]], group: str) -> list[go.Scatter]:
    """Legend-only traces, one square per (key, name, colour), legendgroup '<group>:<key>'
    (one group per entry keeps a horizontal legend in one row); the data stays in its own
    traces. What the colours stand for is the legend's title (`_colour_legend`)."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": color},
            name=name,
            legendgroup=f"{group}:{key}",
            hoverinfo="skip",
        )
        for key, name, color in entries
    ]


def _status_legend(statuses: Iterable[str], lang: str) -> list[go.Scatter]:
    """Legend entries for the statuses present, worst first."""
    present = set(statuses)
    entries = [(s, status_label(s, lang), STATUS_COLORS[s]) for s in STATUS_ORDER if s in present]
    return _legend_entries(entries, "status")


def _colour_legend(fig: go.Figure, meaning: str) -> go.Figure:
    """A legend headed by what its colours mean ('条形颜色 = …：'), the entries in a row under
    it; clicking an entry hides that entry only."""
    fig.update_layout(
        legend={"title": {"text": meaning, "side": "top left"}, "groupclick": "toggleitem"}
    )
    return fig


def _height(rows: int) -> int:
    return max(_MIN_HEIGHT, 150 + _ROW_PX * rows)


# --- completion bars -------------------------------------------------------------------------

# Pace classes of a completion bar, worst first: the status whose colour the bar takes and
# the CHART_TEXT key of its legend words. The gap rule is the indicators' (lib.status):
# expected - completion over red_gap is behind, over amber_gap is watch, else on pace.
PACE_CLASSES: dict[str, tuple[str, str]] = {
    "far_behind": ("behind", "pace_behind"),
    "behind": ("watch", "pace_watch"),
    "on_pace": ("on_track", "pace_on"),
    "complete": ("met", "pace_done"),
}


def pace_classes(frame: pd.DataFrame, thresholds: Thresholds) -> np.ndarray:
    """Per row of a completion frame: its PACE_CLASSES key, from the gap to expected pace
    alone (a section ahead of pace is on pace whatever its worst indicator)."""
    completion = frame["completion"].to_numpy(dtype=float)
    gap = np.round(frame["expected"].to_numpy(dtype=float) - completion, 6)
    return np.select(
        [completion >= 1, gap > thresholds.red_gap, gap > thresholds.amber_gap],
        ["complete", "far_behind", "behind"],
        default="on_pace",
    )


def _points(share: float) -> str:
    return f"{share * 100:g}"


def _completion_bars(
    frame: pd.DataFrame,
    ids: pd.Series,
    labels: list[str],
    count_key: str,
    lang: str,
    thresholds: Thresholds,
) -> list[go.BaseTraceType]:
    """Bars of completion % coloured by gap to expected pace, diamonds at expected %, a dot
    in the worst status's colour (with its word) right of each bar, and the pace legend.

    customdata per bar: [id, status label, expected %, count, pace words].
    """
    completion = (frame["completion"] * 100).to_numpy(dtype=float)
    expected = (frame["expected"] * 100).to_numpy(dtype=float)
    statuses = list(frame["status"])
    status_words = _status_labels(statuses, lang)
    limits = {"amber": _points(thresholds.amber_gap), "red": _points(thresholds.red_gap)}
    classes = list(pace_classes(frame, thresholds))
    fills = [STATUS_COLORS[PACE_CLASSES[c][0]] for c in classes]
    pace_words = [_text(PACE_CLASSES[c][1], lang, **limits) for c in classes]
    customdata = list(
        zip(
            ids,
            status_words,
            expected.round(1),
            frame[count_key].astype(int),
            pace_words,
            strict=True,
        )
    )
    bars = go.Bar(
        x=completion,
        y=labels,
        orientation="h",
        name=_text("completion", lang),
        marker={"color": fills, "line": {"color": "#666666", "width": 0.5}},
        texttemplate="%{x:.1f}%",
        # inside the bar at its base, away from the expected-pace diamond near its end
        textposition="auto",
        insidetextanchor="start",
        insidetextfont={"color": [ink_on(f) for f in fills]},
        outsidetextfont={"color": DARK_INK},
        cliponaxis=False,
        customdata=customdata,
        hovertemplate=(
            f"<b>%{{y}}</b><br>{_text('completion', lang)} %{{x:.1f}}%"
            f"<br>{_text('expected', lang)} %{{customdata[2]:.1f}}%"
            f"<br>{_text('pace', lang)} %{{customdata[4]}}"
            f"<br>{_text('worst_status', lang)} %{{customdata[1]}}"
            f"<br>{_text(count_key, lang)} %{{customdata[3]}}<extra></extra>"
        ),
        showlegend=False,
    )
    # A second trace over the same rows, not a copy of the bars: diamonds at the expected
    # pace, with their own marker and hover text.
    pace = go.Scatter(
        x=expected,
        y=labels,
        mode="markers",
        name=_text("expected", lang),
        marker={
            "symbol": "diamond",
            "size": 13,
            "color": EXPECTED_COLOR,
            "line": {"color": "white", "width": 1.5},
        },
        customdata=list(ids),
        hovertemplate=f"<b>%{{y}}</b><br>{_text('expected', lang)} %{{x:.1f}}%<extra></extra>",
    )
    # The worst status apart from the bar: a dot in its colour and its word, so a section on
    # pace with one overdue indicator reads as both.
    worst = go.Scatter(
        x=[_STATUS_DOT_X] * len(labels),
        y=labels,
        mode="markers+text",
        name=_text("worst_status", lang),
        marker={
            "symbol": "circle",
            "size": 13,
            "color": [STATUS_COLORS[s] for s in statuses],
            "line": {"color": "#666666", "width": 0.5},
        },
        text=status_words,
        textposition="middle right",
        textfont={"color": DARK_INK},
        cliponaxis=False,
        customdata=list(ids),
        hovertemplate=f"<b>%{{y}}</b><br>{_text('worst_status', lang)} %{{text}}<extra></extra>",
        showlegend=False,
    )
    pace_legend = _legend_entries(
        [
            (cls, _text(key, lang, **limits), STATUS_COLORS[status])
            for cls, (status, key) in PACE_CLASSES.items()
            if cls in classes
        ],
        "pace",
    )
    return [bars, pace, worst, *pace_legend]


def _completion_layout(fig: go.Figure, labels: list[str], lang: str) -> go.Figure:
    fig.update_xaxes(
        range=[0, _X_MAX],
        tickvals=list(range(0, 101, 20)),
        ticksuffix="%",
        title_text=_text("completion_axis", lang),
        showgrid=True,
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True
    )
    # The dots' column heading: each dot carries its status word, so no legend is needed.
    fig.add_annotation(
        name="worst_status_header",
        text=_text("worst_header", lang),
        x=_STATUS_DOT_X,
        xref="x",
        xanchor="left",
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        font={"color": "#555555"},
    )
    return _colour_legend(fig, _text("pace_legend", lang))


def completion_by_section_figure(
    sections: pd.DataFrame, lang: str, thresholds: Thresholds | None = None
) -> go.Figure:
    """Horizontal completion bars per section (document order) coloured by the gap to
    expected pace (`thresholds`: the plan's, default the plan defaults), expected pace as
    diamonds, each section's worst status as a dot beside its bar."""
    title = _text("section_title", lang)
    if sections.empty:
        return _no_data_figure(title, lang)
    titles = sections["title"].map(document_text)
    labels = _escaped(titles)
    if len(set(labels)) < len(labels):  # two sections with one title would share a bar
        labels = _escaped(sections["section_id"] + " " + titles)
    traces = _completion_bars(
        sections, sections["section_id"], labels, "task_count", lang, thresholds or Thresholds()
    )
    fig = _styled(go.Figure(traces), title, _height(len(sections)))
    return _completion_layout(fig, labels, lang)


# --- status mix and trend --------------------------------------------------------------------


def status_distribution_figure(status: pd.DataFrame, lang: str) -> go.Figure:
    """Indicator count per status, worst first, in status colours; customdata = status code."""
    title = _text("status_title", lang)
    if status.empty:
        return _no_data_figure(title, lang)
    counts = status["status"].value_counts().reindex(list(STATUS_ORDER), fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=_status_labels(STATUS_ORDER, lang),
            y=counts.to_numpy(),
            name=_text("indicator_count", lang),
            marker={"color": [STATUS_COLORS[s] for s in STATUS_ORDER]},
            text=counts.to_numpy(),
            textposition="outside",
            cliponaxis=False,
            customdata=list(STATUS_ORDER),
            hovertemplate=f"%{{x}}<br>{_text('indicator_count', lang)} %{{y}}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_traces(marker_line={"color": "#666666", "width": 0.5})
    fig.update_yaxes(title_text=_text("indicator_count", lang), rangemode="tozero")
    return _styled(fig, title, caption=_text("status_caption", lang))


def completion_trend_figure(trend: pd.DataFrame, lang: str) -> go.Figure:
    """Overall completion and expected pace (%) per period; customdata = period code."""
    title = _text("trend_title", lang)
    if trend.empty:
        return _no_data_figure(title, lang)
    periods = list(trend["period"])
    labels = [period_label(p, lang) for p in periods]
    lines = [
        ("completion", NEUTRAL_COLOR, "solid", "circle"),
        ("expected", EXPECTED_COLOR, "dash", "diamond"),
    ]
    fig = go.Figure(
        [
            go.Scatter(
                x=labels,
                y=(trend[column] * 100).to_numpy(dtype=float),
                mode="lines+markers",
                name=_text(column, lang),
                line={"color": color, "dash": dash, "width": 3},
                marker={"symbol": symbol, "size": 10},
                customdata=periods,
                hovertemplate=f"%{{x}}<br>{_text(column, lang)} %{{y:.1f}}%<extra></extra>",
            )
            for column, color, dash, symbol in lines
        ]
    )
    fig.update_yaxes(range=[0, 105], ticksuffix="%", title_text=_text("completion_axis", lang))
    fig.update_xaxes(title_text=_text("period_axis", lang), type="category")
    return _styled(fig, title)


# --- units -----------------------------------------------------------------------------------


def unit_workload_figure(workload: pd.DataFrame, lang: str, top: int = 25) -> go.Figure:
    """Stacked bars of tasks led and tasks as partner for the `top` units by weighted load.

    customdata per bar: [weighted load, tasks behind/overdue, worst status label].
    """
    title = _text("workload_title", lang)
    if workload.empty:
        return _no_data_figure(title, lang)
    if len(workload) > top:
        title += _text("workload_top", lang, n=top)
    shown = workload.sort_values("weighted_load", ascending=False, kind="stable").head(top)
    units = _escaped(shown["unit"])
    customdata = list(
        zip(
            shown["weighted_load"].astype(float),
            shown["tasks_behind_or_overdue"].astype(int),
            _status_labels(shown["worst_status"], lang),
            strict=True,
        )
    )
    hover_tail = (
        f"<br>{_text('weighted_load', lang)} %{{customdata[0]:g}}"
        f"<br>{_text('lagging_tasks', lang)} %{{customdata[1]}}"
        f"<br>{_text('worst_status', lang)} %{{customdata[2]}}<extra></extra>"
    )
    bars = [
        go.Bar(
            x=shown[column].to_numpy(dtype=int),
            y=units,
            orientation="h",
            name=pick(RESPONSIBILITY_ROLES[role], lang),
            marker={"color": color},
            customdata=customdata,
            hovertemplate=f"<b>%{{y}}</b><br>{pick(RESPONSIBILITY_ROLES[role], lang)} %{{x}}"
            + hover_tail,
        )
        for column, role, color in [
            ("tasks_led", "lead", LEAD_COLOR),
            ("tasks_partner", "partner", PARTNER_COLOR),
        ]
    ]
    fig = _styled(go.Figure(bars), title, _height(len(shown)))
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(title_text=_text("task_count", lang))
    fig.update_yaxes(
        categoryorder="array", categoryarray=units, autorange="reversed", automargin=True
    )
    return fig


def short_title(title: str) -> str:
    """The words before the first comma, as the document prints them (full-width
    punctuation beside Chinese): '开拓创新,加大改革攻坚力度' -> '开拓创新'."""
    return document_text(re.split(r"[,，、]", title, maxsplit=1)[0][:10])


# The heatmap's row groups, in drawing order, and the unit kinds (lib.plan.model.UNIT_KINDS)
# in each; a kind not listed joins "central". Generic names ('各项目牵头部门') come last.
HEATMAP_ROW_GROUPS = ("municipal", "county", "central", "generic")
_GROUP_OF_KIND = {
    "municipal_department": "municipal",
    "party_department": "municipal",
    "county_government": "county",
    "zone_committee": "county",
    "central_agency": "central",
}
# Text in the cells and on the axes of the heatmap, on the page and on a slide: 14 px is
# the least that stays legible projected in a meeting room.
HEATMAP_TEXT_PX = 14
_GROUP_LINE_COLOR = "#888888"


def heatmap_row_groups(plan: Plan) -> dict[str, str]:
    """Each registry unit's heatmap row group (HEATMAP_ROW_GROUPS): its kind's; a group
    ('各县(市、区)政府') goes with its members when they all fall in one row group, and a
    group without members, a generic name, is 'generic'."""
    kinds = dict(zip(plan.units["unit"], plan.units["kind"], strict=True))
    groups = {unit: _GROUP_OF_KIND.get(kind, "central") for unit, kind in kinds.items()}
    members = plan.group_members.groupby("group", sort=False)["member"].agg(list)
    for unit, kind in kinds.items():
        if kind != "group":
            continue
        of_members = {groups.get(m, "central") for m in members.get(unit, [])}
        groups[unit] = of_members.pop() if len(of_members) == 1 else "generic"
    return groups


def responsibility_heatmap_figure(
    matrix: pd.DataFrame,
    sections: pd.DataFrame,
    lang: str,
    color_by: str = "load",
    *,
    part_of: HeatmapCells | None = None,
    row_groups: Mapping[str, str] | None = None,
    column_ids: Sequence[str] | None = None,
    group_headings: bool | None = None,
    part: tuple[int, int] | None = None,
) -> go.Figure:
    """Units (rows) x sections (columns, document order) heatmap.

    Rows by load, heaviest first; coloured by status, by risk: the worst status first, then
    the most at-risk cells, then load. With `row_groups` (unit -> HEATMAP_ROW_GROUPS key,
    e.g. `heatmap_row_groups(plan)`), rows are grouped in HEATMAP_ROW_GROUPS order and
    ordered within their group; when more than one group is present each starts with a
    bold heading row (y '<b>…</b>', no cells) under a rule. Cells read '牵2 配1' / 'L2 P1';
    colour is the weighted load (continuous) or the worst status of the unit's tasks there
    (status colours, with a legend). customdata holds each cell's comma-separated task ids
    ('' where the unit has none, and on heading rows). With `part_of` (the heaviest part of
    a larger matrix), the title says how many units and sections it shows out of how many.

    For one part of a heatmap split over images (`responsibility_heatmap_parts`):
    `column_ids` draws exactly those section columns (empty where the part has nothing),
    `group_headings` True heads even a single group, `part` (k, n) ends the title '（k/n）'.
    """
    if color_by not in ("load", "status"):
        raise ValueError(f"color_by must be 'load' or 'status', got {color_by!r}")
    title = _text("heatmap_title", lang) + _text(f"heatmap_by_{color_by}", lang)
    if part_of is not None and part_of.is_partial:
        title += _text("heatmap_part", lang, **part_of.counts())
    if part is not None:
        title += _text("heatmap_part_of", lang, k=part[0], n=part[1])
    if matrix.empty:
        return _no_data_figure(title, lang)
    rows = _heatmap_rows(matrix, color_by, row_groups, lang, group_headings)
    units = [unit for unit, _ in rows]
    headings = [i for i, (_, heading) in enumerate(rows) if heading]
    if column_ids is None:
        shown = sections[sections["section_id"].isin(matrix["section_id"])]
    else:
        shown = sections.set_index("section_id").reindex(list(column_ids)).reset_index()
    section_ids = list(shown["section_id"])
    cells = _heatmap_cells(matrix, shown, lang)

    def grid(column: str, fill: object) -> np.ndarray:
        wide = cells.pivot(index="unit", columns="section_id", values=column)
        wide = wide.reindex(index=units, columns=section_ids)
        # a column no unit has a cell in comes back as floats: text fills need objects
        return (wide.astype(object) if isinstance(fill, str) else wide).fillna(fill).to_numpy()

    ranks = grid("rank", np.nan).astype(float)
    heatmap = go.Heatmap(
        x=section_ids,
        y=[heading or html.escape(unit, quote=False) for unit, heading in rows],
        z=grid("load", np.nan).astype(float) if color_by == "load" else ranks,
        text=grid("mark", ""),
        texttemplate="%{text}",
        textfont={"size": HEATMAP_TEXT_PX},
        hovertext=grid("hover", ""),
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=grid("task_ids", ""),
        xgap=2,
        ygap=2,
        hoverongaps=False,
        name=_text("weighted_load" if color_by == "load" else "worst_status", lang),
        **_heatmap_colours(color_by, lang, float(matrix["load"].max())),
    )
    legend = _status_legend(matrix["worst_status"], lang) if color_by == "status" else []
    fig = _styled(go.Figure([heatmap, *legend]), title, _height(len(rows)) + 40)
    fig.update_xaxes(
        tickmode="array",
        tickvals=section_ids,
        ticktext=[f"{s}<br>{t}" for s, t in zip(section_ids, _short_titles(shown), strict=True)],
        tickfont={"size": HEATMAP_TEXT_PX},
        side="top",
        showgrid=False,
    )
    fig.update_yaxes(
        autorange="reversed",
        automargin=True,
        showgrid=False,
        tickfont={"size": HEATMAP_TEXT_PX},
    )
    for at in headings[1:]:  # a rule above each group but the first, across the grid
        fig.add_shape(
            type="line",
            xref="paper",
            x0=0,
            x1=1,
            yref="y",
            y0=at - 0.5,
            y1=at - 0.5,
            line={"color": _GROUP_LINE_COLOR, "width": 1.5},
        )
    # The section names sit on top, so the status legend goes under the grid.
    fig.update_layout(margin={"t": 140}, legend={"y": -0.01, "yanchor": "top"})
    return _colour_legend(fig, _text("cell_legend", lang)) if legend else fig


def _unit_totals(matrix: pd.DataFrame) -> pd.Series:
    """Each unit's load, in matrix order: over all sections where the matrix says it
    (`unit_load`), else over the sections it has."""
    if "unit_load" in matrix:
        return matrix.groupby("unit", sort=False)["unit_load"].first()
    return matrix.groupby("unit", sort=False)["load"].sum()


def _units_by_load(matrix: pd.DataFrame) -> pd.Index:
    """Units by total load, heaviest first; ties keep the matrix's order."""
    return _unit_totals(matrix).sort_values(ascending=False, kind="stable").index


def units_by_risk(matrix: pd.DataFrame) -> pd.Index:
    """Units by their worst cell status (STATUS_ORDER), then by how many of their cells are
    at risk (RISK_STATUSES), then by total load; ties keep the matrix's order."""
    rank = matrix["worst_status"].map(STATUS_RANK).fillna(len(STATUS_ORDER))
    by_unit = pd.DataFrame(
        {"unit": matrix["unit"], "rank": rank, "risk": matrix["worst_status"].isin(RISK_STATUSES)}
    ).groupby("unit", sort=False)
    keys = pd.DataFrame(
        {"rank": by_unit["rank"].min(), "risk": by_unit["risk"].sum(), "load": _unit_totals(matrix)}
    )
    return keys.sort_values(
        ["rank", "risk", "load"], ascending=[True, False, False], kind="stable"
    ).index


def _heatmap_rows(
    matrix: pd.DataFrame,
    color_by: str,
    row_groups: Mapping[str, str] | None,
    lang: str,
    group_headings: bool | None = None,
) -> list[tuple[str, str]]:
    """The heatmap's rows in drawing order: (unit, '') or ('', heading), by risk when
    coloured by status, else by load, grouped by `row_groups`."""
    ordered = units_by_risk(matrix) if color_by == "status" else _units_by_load(matrix)
    return _grouped_rows(list(ordered), row_groups, lang, group_headings)


def _grouped_rows(
    units: list[str],
    row_groups: Mapping[str, str] | None,
    lang: str,
    group_headings: bool | None = None,
) -> list[tuple[str, str]]:
    """(unit, '') per row, grouped in HEATMAP_ROW_GROUPS order (`units`' order kept within a
    group; a unit without a group is 'central'); when more than one group is present (or
    `group_headings` is True), each group opens with a heading row ('', '<b>市直部门</b>'),
    which no escaped name can equal. `group_headings` False: no heading rows."""
    if not row_groups:
        return [(unit, "") for unit in units]
    of_group: dict[str, list[str]] = {group: [] for group in HEATMAP_ROW_GROUPS}
    for unit in units:
        of_group.get(row_groups.get(unit, "central"), of_group["central"]).append(unit)
    present = [(group, members) for group, members in of_group.items() if members]
    if group_headings is False or (len(present) == 1 and not group_headings):
        return [(unit, "") for group, members in present for unit in members]
    rows: list[tuple[str, str]] = []
    for group, members in present:
        rows.append(("", f"<b>{_text(f'row_group_{group}', lang)}</b>"))
        rows += [(unit, "") for unit in members]
    return rows


def _short_titles(sections: pd.DataFrame) -> list[str]:
    return _escaped(sections["title"].map(short_title))


def _heatmap_cells(matrix: pd.DataFrame, sections: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per (unit, section): the lead/partner mark, status rank and escaped hover text."""
    lead = _text("lead_mark", lang, n="") + matrix["lead_count"].astype(str)
    partner = _text("partner_mark", lang, n="") + matrix["partner_count"].astype(str)
    mark = (
        lead.where(matrix["lead_count"] > 0, "")
        + np.where((matrix["lead_count"] > 0) & (matrix["partner_count"] > 0), " ", "")
        + partner.where(matrix["partner_count"] > 0, "")
    )
    titles = matrix["section_id"].map(sections.set_index("section_id")["title"]).fillna("")
    statuses = matrix["worst_status"].map(lambda s: status_label(s, lang))
    lead_ids = matrix.get("lead_task_ids", pd.Series("", index=matrix.index))
    partner_ids = matrix.get("partner_task_ids", pd.Series("", index=matrix.index))
    hover = (
        "<b>"
        + pd.Series(_escaped(matrix["unit"]), index=matrix.index)
        + "</b><br>"
        + matrix["section_id"]
        + " "
        + pd.Series(_escaped(titles), index=matrix.index)
        + f"<br>{pick(RESPONSIBILITY_ROLES['lead'], lang)}："
        + lead_ids.fillna("").replace("", "-")
        + f"<br>{pick(RESPONSIBILITY_ROLES['partner'], lang)}："
        + partner_ids.fillna("").replace("", "-")
        + f"<br>{_text('weighted_load', lang)}："
        + matrix["load"].map("{:g}".format)
        + f"<br>{_text('worst_status', lang)}："
        + statuses
    )
    return pd.DataFrame(
        {
            "unit": matrix["unit"],
            "section_id": matrix["section_id"],
            "load": matrix["load"],
            "rank": matrix["worst_status"].map(dict(zip(STATUS_ORDER, range(6), strict=True))),
            "mark": mark,
            "hover": hover,
            "task_ids": matrix["task_ids"],
        }
    )


def _heatmap_colours(color_by: str, lang: str, max_load: float) -> dict[str, object]:
    """Continuous blues from 0 for load; for status, one flat band per status rank 0..5."""
    if color_by == "load":
        return {
            "colorscale": LOAD_COLORSCALE,
            "zmin": 0,
            "zmax": max(max_load, 1.0),
            "colorbar": {"title": {"text": _text("weighted_load", lang)}},
        }
    n = len(STATUS_ORDER)
    scale = []
    for rank, status in enumerate(STATUS_ORDER):
        scale += [[rank / n, STATUS_COLORS[status]], [(rank + 1) / n, STATUS_COLORS[status]]]
    return {"colorscale": scale, "zmin": -0.5, "zmax": n - 0.5, "showscale": False}


# --- the heatmap split over slide images ------------------------------------------------------

# Rows (group headings included) of one slide-sized image of the heatmap: at 1920x1080 a
# row keeps about 28 px, so its 14 px cell text and its label stay whole and legible.
HEATMAP_ROWS_PER_PART = 28


def heatmap_part_units(
    matrix: pd.DataFrame,
    color_by: str = "status",
    *,
    row_groups: Mapping[str, str] | None = None,
    rows_per_part: int = HEATMAP_ROWS_PER_PART,
) -> list[list[str]]:
    """The units of each image when the heatmap is split into images of at most
    `rows_per_part` rows (a group's heading row counted): whole row groups while they fit,
    a group too big for one image spread evenly over as few as it needs, every unit once, in
    the heatmap's own row order. [] for an empty matrix; one list when it all fits."""
    if matrix.empty:
        return []
    if rows_per_part < 2:
        raise ValueError(f"rows_per_part must be at least 2, got {rows_per_part}")
    rows = _heatmap_rows(matrix, color_by, row_groups, "zh")
    headed = int(any(heading for _, heading in rows))
    groups: list[list[str]] = []
    for unit, heading in rows:
        if heading or not groups:
            groups.append([])
        if unit:
            groups[-1].append(unit)
    parts: list[list[str]] = []
    current: list[str] = []
    used = 0
    for members in groups:
        need = len(members) + headed
        if current and used + need > rows_per_part:
            parts.append(current)
            current, used = [], 0
        if need <= rows_per_part:
            current += members
            used += need
            continue
        pieces = math.ceil(len(members) / (rows_per_part - headed))
        size = math.ceil(len(members) / pieces)
        chunks = [members[i : i + size] for i in range(0, len(members), size)]
        parts += chunks[:-1]
        current, used = list(chunks[-1]), len(chunks[-1]) + headed
    if current:
        parts.append(current)
    return parts


def responsibility_heatmap_parts(
    matrix: pd.DataFrame,
    sections: pd.DataFrame,
    lang: str,
    color_by: str = "status",
    *,
    part_of: HeatmapCells | None = None,
    row_groups: Mapping[str, str] | None = None,
    rows_per_part: int = HEATMAP_ROWS_PER_PART,
) -> list[go.Figure]:
    """The heatmap of `responsibility_heatmap_figure` as one figure per image of at most
    `rows_per_part` rows (`heatmap_part_units`): each part draws every section column of the
    whole in the same place, heads its groups (a group carried over is headed again), keeps
    the whole's load scale and says '（k/n）' in its title. One figure when it all fits."""
    units_of_parts = heatmap_part_units(
        matrix, color_by, row_groups=row_groups, rows_per_part=rows_per_part
    )
    whole = responsibility_heatmap_figure(
        matrix, sections, lang, color_by, part_of=part_of, row_groups=row_groups
    )
    if len(units_of_parts) <= 1:
        return [whole]
    columns = list(sections.loc[sections["section_id"].isin(matrix["section_id"]), "section_id"])
    headed = any(str(y).startswith("<b>") for y in whole.data[0].y)
    figures = []
    for k, units in enumerate(units_of_parts, start=1):
        fig = responsibility_heatmap_figure(
            matrix[matrix["unit"].isin(units)],
            sections,
            lang,
            color_by,
            part_of=part_of,
            row_groups=row_groups,
            column_ids=columns,
            group_headings=headed,
            part=(k, len(units_of_parts)),
        )
        if color_by == "load":  # one scale for every part
            fig.update_traces(zmax=whole.data[0].zmax, selector={"type": "heatmap"})
        figures.append(fig)
    return figures


# --- the page's heatmap: column headings and legend that stay put over rows that scroll --------

# A click anywhere in a unit's row selects the unit: an invisible marker sits on every cell
# (plotly reports no selection on a heatmap itself); a heading row's markers carry no unit.
_CLICK_MARKER_PX = 24
_CLICK_DISTANCE_PX = 60
_CHOSEN_ROW_COLOR = NEUTRAL_COLOR
_BODY_PAD_PX = 4
_HEADER_TITLE_PX = 44  # the title line
_HEADER_LEGEND_LINE_PX = 28  # a line of the colour legend (or the load colour bar) under it
_HEADER_LINE_PX = 18  # a line of a column heading: the section id, its short title wrapped
_HEADER_PLOT_PX = 8
# The page's narrowest heatmap (px): the main column of a 1280 px screen beside the sidebar.
# Column headings are wrapped and the legend laid out so that they fit there.
_NARROW_PAGE_PX = 820
_LEGEND_ENTRY_PX = 44  # a legend entry's square and gaps, besides its words
_HEADER_COLOUR_BAR_PX = 50  # coloured by load: the colour bar, its numbers under it
_LABEL_PAD_PX = 16
_RIGHT_PX = 24


@dataclass(frozen=True, eq=False)
class HeatmapPanes:
    """The page's heatmap in two figures drawn one over the other with the same columns:
    `header` (title, colour legend, the section columns) stays in view while `body` (the
    rows, `body_height` px) scrolls under it. `body` is None for an empty heatmap, whose
    `header` then says so."""

    header: go.Figure
    body: go.Figure | None
    header_height: int
    body_height: int


def heatmap_panes(
    fig: go.Figure, *, chosen: str | None = None, click_hint: str = ""
) -> HeatmapPanes:
    """Split a `responsibility_heatmap_figure` into a fixed header and scrolling rows. The
    body's rows keep their labels; every cell carries an invisible marker whose customdata
    is its row's unit (unescaped; '' on heading rows) and whose hover is the cell's, ending
    with `click_hint`; `chosen` (a unit) is outlined. Both figures get the same left margin
    (wide enough for the longest row label) and right margin, so the columns line up."""
    heat = next(iter(fig.select_traces(selector={"type": "heatmap"})), None)
    if heat is None:
        height = int(fig.layout.height or _MIN_HEIGHT)
        return HeatmapPanes(go.Figure(fig), None, height, 0)
    columns = list(heat.x)
    labels = [str(y) for y in heat.y]
    left = _label_width_px(labels, HEATMAP_TEXT_PX) + _LABEL_PAD_PX
    x_range = [-0.5, len(columns) - 0.5]
    legend = [t for t in fig.data if t.type == "scatter"]
    by_load = heat.showscale is not False

    column_px = (_NARROW_PAGE_PX - left - _RIGHT_PX) / max(1, len(columns))
    per_line = max(2, int((column_px - 8) // HEATMAP_TEXT_PX))
    ticks = fig.layout.xaxis.ticktext or _escaped(columns)
    headings = [_wrapped_heading(str(text), per_line) for text in ticks]
    heading_lines = max(text.count("<br>") + 1 for text in headings)
    legend_lines = 1
    if legend:
        words = [str(fig.layout.legend.title.text or "")] + [str(t.name) for t in legend]
        wide = sum(_label_width_px([w], HEATMAP_TEXT_PX) + _LEGEND_ENTRY_PX for w in words)
        legend_lines = math.ceil(wide / _NARROW_PAGE_PX)
    legend_px = legend_lines * _HEADER_LEGEND_LINE_PX + 8
    if by_load:  # the colour bar and its numbers under it
        legend_px = _HEADER_COLOUR_BAR_PX
    top = _HEADER_TITLE_PX + legend_px + heading_lines * _HEADER_LINE_PX + 10
    header_height = top + _HEADER_PLOT_PX
    # one row out of the header's view: what gives the axis its columns and, coloured by
    # load, the colour bar (plotly draws no colour bar for a trace without values)
    scale = go.Heatmap(
        x=columns,
        y=[""],
        z=[[heat.zmin or 0] * len(columns)],
        colorscale=heat.colorscale,
        zmin=heat.zmin,
        zmax=heat.zmax,
        showscale=by_load,
        hoverinfo="skip",
    )
    header = go.Figure([scale, *legend], layout=fig.layout)
    header.layout.shapes = ()
    header.update_layout(
        height=header_height,
        margin={"l": left, "r": _RIGHT_PX, "t": top, "b": 0, "autoexpand": False},
        title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 10}},
        legend={
            "title": {"side": "left", "font": {"size": HEATMAP_TEXT_PX}},
            "font": {"size": HEATMAP_TEXT_PX},
            "xref": "container",
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - _HEADER_TITLE_PX / header_height,
            "yanchor": "top",
        },
    )
    if by_load:
        header.update_traces(
            colorbar={
                "orientation": "h",
                "yref": "container",
                "y": 1 - _HEADER_TITLE_PX / header_height,
                "yanchor": "top",
                "xref": "container",
                "x": 0.01,
                "xanchor": "left",
                "len": 320,
                "lenmode": "pixels",
                "thickness": 12,
                "title": {
                    "text": heat.colorbar.title.text,
                    "side": "right",
                    "font": {"size": HEATMAP_TEXT_PX},
                },
                "tickfont": {"size": HEATMAP_TEXT_PX},
            },
            selector={"type": "heatmap"},
        )
    columns_axis = {"type": "category", "categoryorder": "array", "categoryarray": columns}
    header.update_xaxes(
        columns_axis,
        tickvals=columns,
        ticktext=headings,
        tickangle=0,
        range=x_range,
        fixedrange=True,
        automargin=False,
    )
    header.update_yaxes(visible=False, fixedrange=True, autorange=False, range=[1, 2])

    body_height = _ROW_PX * len(labels) + 2 * _BODY_PAD_PX
    body = go.Figure([go.Heatmap(heat), _click_layer(heat, click_hint)], layout=fig.layout)
    # the click layer says each cell's hover and carries its unit: not sent twice
    body.update_traces(
        hoverinfo="skip",
        hovertext=None,
        hovertemplate=None,
        customdata=None,
        showscale=False,
        selector={"type": "heatmap"},
    )
    body.update_layout(
        title_text="",
        showlegend=False,
        height=body_height,
        margin={
            "l": left,
            "r": _RIGHT_PX,
            "t": _BODY_PAD_PX,
            "b": _BODY_PAD_PX,
            "autoexpand": False,
        },
        hovermode="closest",
        hoverdistance=_CLICK_DISTANCE_PX,
        dragmode=False,
    )
    body.update_xaxes(
        columns_axis, showticklabels=False, range=x_range, fixedrange=True, automargin=False
    )
    # top row first; the invisible markers must not pad the range
    body.update_yaxes(
        fixedrange=True, automargin=False, autorange=False, range=[len(labels) - 0.5, -0.5]
    )
    if chosen is not None:
        escaped = html.escape(chosen, quote=False)
        if escaped in labels:
            at = labels.index(escaped)
            body.add_shape(
                name="chosen_unit",
                type="rect",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=at - 0.5,
                y1=at + 0.5,
                line={"color": _CHOSEN_ROW_COLOR, "width": 3},
            )
    return HeatmapPanes(header, body, header_height, body_height)


def _click_layer(heat: go.Heatmap, click_hint: str) -> go.Scatter:
    """One invisible marker per cell: customdata the row's unit ('' on a heading row),
    hover the cell's text (or the unit's name on an empty cell) and `click_hint`."""
    xs, ys, units, hovers, infos = [], [], [], [], []
    hover_grid = heat.hovertext if heat.hovertext is not None else None
    for i, label in enumerate(heat.y):
        label = str(label)
        heading = label.startswith("<b>")
        unit = "" if heading else html.unescape(label)
        for j, column in enumerate(heat.x):
            xs.append(column)
            ys.append(label)
            units.append(unit)
            cell = str(hover_grid[i][j]) if hover_grid is not None else ""
            text = cell or f"<b>{label}</b>"
            hovers.append(f"{text}<br><i>{click_hint}</i>" if click_hint else text)
            infos.append("none" if heading else "text")
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers",
        marker={"symbol": "square", "size": _CLICK_MARKER_PX, "opacity": 0},
        customdata=units,
        hovertext=hovers,
        hoverinfo=infos,
        showlegend=False,
        name="rows",
    )


def _wrapped_heading(text: str, per_line: int) -> str:
    """A column heading ('S01<br>开拓创新') with the words after its first line wrapped into
    lines of at most `per_line` characters, as even as they go ('开拓<br>创新')."""
    first, _, rest = text.partition("<br>")
    words = html.unescape(rest.replace("<br>", ""))
    if not words:
        return first
    lines = math.ceil(len(words) / per_line)
    size = math.ceil(len(words) / lines)
    pieces = [html.escape(words[i : i + size], quote=False) for i in range(0, len(words), size)]
    return "<br>".join([first, *pieces])


def _label_width_px(labels: Iterable[str], size: int) -> int:
    """A generous width of the widest label at `size` px: a CJK character 1 em, anything
    else 0.56 em, bold (a '<b>' heading) 6 % wider; entities and tags not counted."""
    widest = 0.0
    for label in labels:
        bold = label.startswith("<b>")
        text = html.unescape(re.sub(r"<[^>]*>", "", label))
        ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.56 for c in text)
        widest = max(widest, ems * size * (1.06 if bold else 1.0))
    return math.ceil(widest)
