"""Small rendering helpers shared by pages: charts, tables, KPI rows, status badges.

Tables go through `st.dataframe`, which renders cell text as text (never HTML), so notes
and names from uploads cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.core.labels import STATUS_ORDER, column_labels, status_label, tr
from lib.ingest.progress_file import ValidationReport
from lib.output.images import figure_png, slide_figure
from lib.output.tabular_export import csv_bytes, xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
}


@dataclass(frozen=True)
class ChartStamp:
    """What every exported chart image carries: as-of stamp and source line."""

    as_of_label: str
    source_line: str
    lang: str
    period: str


def chart(fig: go.Figure, key: str, stamp: ChartStamp) -> None:
    """Render a figure full width, with a slide-ready PNG download rendered on click."""
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, width="stretch")

    def slide_png() -> bytes:
        slide = slide_figure(
            fig, as_of_label=stamp.as_of_label, source_line=stamp.source_line, lang=stamp.lang
        )
        return figure_png(slide)

    st.download_button(
        tr("chart_png", stamp.lang),
        data=slide_png,
        file_name=f"{key}_{stamp.period}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
        icon=":material/image:",
    )


def table(
    frame: pd.DataFrame, labels: dict[str, str], key: str, height: int | str = "auto"
) -> None:
    """Show selected columns under translated headers; *_pct columns as progress bars."""
    shown = frame[list(labels)].rename(columns=labels)
    config = {
        labels[column]: st.column_config.ProgressColumn(
            labels[column], min_value=0, max_value=100, format="%.1f%%"
        )
        for column in labels
        if column.endswith("_pct")
    }
    st.dataframe(
        shown, hide_index=True, width="stretch", height=height, key=key, column_config=config
    )


def with_status_labels(frame: pd.DataFrame, lang: str, column: str = "status") -> pd.DataFrame:
    """Copy of the frame with a translated status column `status_label`."""
    result = frame.copy()
    result["status_label"] = result[column].map(lambda s: status_label(s, lang) if s else "")
    return result


def status_counts_row(counts: dict[str, int], lang: str) -> None:
    """One metric per status, worst first."""
    columns = st.columns(len(STATUS_ORDER))
    for column, status in zip(columns, STATUS_ORDER, strict=True):
        column.metric(status_label(status, lang), int(counts.get(status, 0)))


def percent(value: float | None) -> str:
    """'62.5%' or '-' for a missing value."""
    return "-" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def show_problems(problems: list, lang: str) -> None:
    """One error box per problem, in the user's language, with its location."""
    for p in problems:
        message = p.message_en if lang == "en" else p.message_zh
        where = p.location()
        st.error(f"{message}" + (f"（{where}）" if where != "-" else ""))


def show_validation_report(report: ValidationReport, lang: str) -> None:
    """Verdict, every problem with row and column, and the report as CSV/XLSX downloads."""
    if report.errors:
        st.error(tr("validation_errors", lang, n=len(report.errors)))
    else:
        st.success(tr("validation_ok", lang))
    if report.warnings:
        st.warning(tr("validation_warnings", lang, n=len(report.warnings)))
    problems = report.problems_frame(lang)
    if problems.empty:
        return
    table(problems, column_labels(list(problems.columns), lang), key="problems")
    name = "校验报告" if lang == "zh" else "validation_report"
    left, right = st.columns(2)
    left.download_button(tr("report_csv", lang), csv_bytes(problems), f"{name}.csv", "text/csv")
    right.download_button(
        tr("report_xlsx", lang), xlsx_bytes({name: problems}), f"{name}.xlsx", XLSX_MIME
    )
