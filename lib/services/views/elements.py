"""The pieces every page renders: a chart with its slide stamp, a table under its headings,
a KPI, a download, a list of messages. Views build them; lib.ui.components draws them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from lib.core.errors import Problem
from lib.core.labels import STATUS_COLORS, STATUS_LABELS, column_labels
from lib.core.periods import period_label
from lib.output.images import source_line
from lib.plan.model import Plan
from lib.status.submissions import OFFICE_TIME

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# st.dataframe's geometry (px): a one-line row, its header row and the frame's borders.
ROW_HEIGHT = 35
HEADER_HEIGHT = 35
BORDER_HEIGHT = 3
MAX_FITTED_ROWS = 40  # a taller table scrolls inside this many one-line rows
WRAPPED_ROW_HEIGHT = 84  # above 4rem the grid wraps a cell's text (about three lines)
WRAP_FROM_CHARS = 24  # longer text in a wrapped column makes every row that tall
MISSING_TEXT = "—"  # what a missing value says in every table
# the columns kept in view when a wide table scrolls sideways: what a row is about
PINNED_KEYS = ("indicator_id", "task_id", "name", "title")
STATUS_KEYS = ("status_label", "worst_status_label")
WRAPPED_KEYS = (
    "reason", "reply_reason", "reply_measures", "note", "message", "return_reason",
    "trail_details",
)  # fmt: skip
# a missing value written out as text by an upstream str(): never a real cell's whole text
_MISSING_WORDS = ("None", "nan", "NaN", "NaT", "<NA>")
# every status label, in both languages, to its colour (lib.core.labels.STATUS_COLORS)
STATUS_LABEL_COLORS: dict[str, str] = {
    label: STATUS_COLORS[code] for code, pair in STATUS_LABELS.items() for label in pair
}


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
    `progress_columns` (headings of 0-100 figures) are drawn as progress bars, those in
    `status_columns` (headings of status labels) as chips in their status colour, those in
    `pinned_columns` (id and name) stay on the left when the table scrolls sideways, and
    those in `wrapped_columns` (long text) are drawn wide with `row_height` rows tall
    enough to wrap. `height` is "auto" (fitted to the rows, scrolling past
    MAX_FITTED_ROWS) or the most pixels the table may take (fewer when it has fewer rows)."""

    frame: pd.DataFrame
    key: str
    progress_columns: tuple[str, ...] = ()
    height: int | str = "auto"
    status_columns: tuple[str, ...] = ()
    pinned_columns: tuple[str, ...] = ()
    wrapped_columns: tuple[str, ...] = ()
    row_height: int = ROW_HEIGHT
    # the pixel width of some columns by heading (the grid stretches them all in
    # proportion where there is more room), so that a wrapped column fits beside the rest
    column_widths: Mapping[str, int] = field(default_factory=dict)

    @property
    def headings(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def fitted_height(self) -> int:
        """The pixels the table takes: its rows up to MAX_FITTED_ROWS (then it scrolls),
        within an explicit `height`."""
        return fitted_height(
            len(self.frame), self.row_height, self.height if isinstance(self.height, int) else None
        )


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


def fitted_height(row_count: int, row_height: int = ROW_HEIGHT, most: int | None = None) -> int:
    """Pixels of a table with `row_count` rows: header, rows and borders, no empty grid rows
    below the last; past MAX_FITTED_ROWS one-line rows it scrolls. `most` caps it."""
    body = min(max(row_count, 1) * row_height, MAX_FITTED_ROWS * ROW_HEIGHT)
    height = HEADER_HEIGHT + body + BORDER_HEIGHT
    return min(height, most) if most is not None else height


def table_view(
    rows: pd.DataFrame, keys: Iterable[str], lang: str, key: str, height: int | str = "auto"
) -> TableView:
    """The `keys` columns of `rows` under their headings in `lang` (lib.core.labels), every
    missing text as MISSING_TEXT; which columns are progress bars, status chips, pinned and
    wrapped; rows tall enough to wrap when a wrapped column holds long text."""
    labels = column_labels(list(keys), lang)
    shown = _missing_as_dash(rows[list(labels)]).rename(columns=labels)
    progress = tuple(labels[column] for column in labels if column.endswith("_pct"))
    status = tuple(labels[column] for column in labels if column in STATUS_KEYS)
    pinned = tuple(labels[column] for column in labels if column in PINNED_KEYS)
    wrapped = tuple(labels[column] for column in labels if column in WRAPPED_KEYS)
    long_text = any(
        shown[heading].astype("str").str.len().max() > WRAP_FROM_CHARS
        for heading in wrapped
        if len(shown)
    )
    row_height = WRAPPED_ROW_HEIGHT if long_text else ROW_HEIGHT
    return TableView(shown, key, progress, height, status, pinned, wrapped, row_height)


def _missing_as_dash(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every missing value of its text columns (None, NaN, NA, or those written
    out as text) as MISSING_TEXT; number and date columns keep theirs (the grid shows them
    as MISSING_TEXT, lib.ui.components.table) so they still sort and export as numbers."""
    texts = [
        column
        for column in frame.columns
        if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype)
    ]
    if not texts:
        return frame
    fixed = {}
    for column in texts:
        values = frame[column].astype(object)
        missing = values.map(_is_missing)
        if missing.any():
            fixed[column] = values.where(~missing, MISSING_TEXT)
    return frame.assign(**fixed) if fixed else frame


def _is_missing(value: object) -> bool:
    if isinstance(value, str):
        return value in _MISSING_WORDS
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


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


def office_times(moments: pd.Series) -> pd.Series:
    """Stored moments (ISO text in UTC, or times) as the office's clock, YYYY-MM-DD HH:MM
    ("" where there is none)."""
    times = pd.to_datetime(moments.astype(object), utc=True, errors="coerce", format="ISO8601")
    shown = times.dt.tz_convert(OFFICE_TIME).dt.strftime("%Y-%m-%d %H:%M")
    return pd.Series(shown.fillna("").astype("str").to_numpy(), index=moments.index)
