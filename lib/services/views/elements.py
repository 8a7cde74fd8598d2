"""The pieces every page renders: a chart with its slide stamp, a table under its headings,
a KPI, a download, a list of messages. Views build them; lib.ui.components draws them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from lib.core.errors import Problem
from lib.core.labels import column_labels
from lib.core.periods import period_label
from lib.output.images import source_line
from lib.plan.model import Plan

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class ChartStamp:
    """What every exported chart image carries: as-of stamp and source line."""

    as_of_label: str
    source_line: str
    lang: str
    period: str


@dataclass(frozen=True, eq=False)
class ChartView:
    """A built figure, the key of its element and the stamp of its slide-PNG download."""

    figure: go.Figure
    key: str
    stamp: ChartStamp


@dataclass(frozen=True, eq=False)
class TableView:
    """Rows as shown: the chosen columns, in order, under their headings. Columns named in
    `progress_columns` (headings of 0-100 figures) are drawn as progress bars."""

    frame: pd.DataFrame
    key: str
    progress_columns: tuple[str, ...] = ()
    height: int | str = "auto"

    @property
    def headings(self) -> list[str]:
        return list(self.frame.columns)


@dataclass(frozen=True)
class Kpi:
    """One metric: label, value (a count or formatted text) and an optional delta text."""

    label: str
    value: int | str
    delta: str | None = None


@dataclass(frozen=True, eq=False)
class Download:
    """A download button. `data` is a callable where the file is written only on click
    (a province's files take seconds to write), or bytes already at hand."""

    label: str
    data: bytes | Callable[[], bytes]
    file_name: str
    mime: str
    key: str | None = None
    icon: str | None = None
    rerun_on_click: bool = True


@dataclass(frozen=True)
class Choices:
    """Options of a selector with the text shown for each, and the one chosen by default."""

    options: tuple[object, ...]
    labels: Mapping[object, str] = field(default_factory=dict)
    default: object = None

    def label_of(self, option: object) -> str:
        return self.labels.get(option, str(option))


def chart_stamp(
    plan: Plan, status: pd.DataFrame, as_of: str | None, lang: str, sample_in_use: bool
) -> ChartStamp:
    """As-of stamp and source line (document, upload batches in `status`) for chart images."""
    line = source_line(plan.meta.document_number, status["upload_id"], lang, sample_in_use)
    label = period_label(as_of, lang) if as_of else "-"
    return ChartStamp(label, line, lang, as_of or "")


def table_view(
    rows: pd.DataFrame, keys: Iterable[str], lang: str, key: str, height: int | str = "auto"
) -> TableView:
    """The `keys` columns of `rows` under their headings in `lang` (lib.core.labels)."""
    labels = column_labels(list(keys), lang)
    shown = rows[list(labels)].rename(columns=labels)
    progress = tuple(labels[column] for column in labels if column.endswith("_pct"))
    return TableView(shown, key, progress, height)


def with_confirmation_key(keys: Iterable[str], rows: pd.DataFrame) -> list[str]:
    """`keys` with the figure's 核准 state after its value when the rows carry one (a view
    that includes unconfirmed figures marks them; lib/output/tables.indicator_rows)."""
    keys = list(keys)
    if "confirmation" not in rows.columns or "confirmation" in keys:
        return keys
    at = keys.index("value") + 1 if "value" in keys else len(keys)
    return [*keys[:at], "confirmation", *keys[at:]]


def problem_messages(problems: Iterable[Problem], lang: str) -> tuple[str, ...]:
    """One message per problem in `lang`, with its location when it has one."""
    messages = []
    for p in problems:
        message = p.message_en if lang == "en" else p.message_zh
        where = p.location()
        messages.append(message + (f"（{where}）" if where != "-" else ""))
    return tuple(messages)


def percent(value: float | None) -> str:
    """'62.5%' or '-' for a missing value."""
    return "-" if value is None or pd.isna(value) else f"{value * 100:.1f}%"
