"""责任单位 Units: workload table, unit x section responsibility heatmap, a unit's scorecard.

The unit whose scorecard is open is the page's `unit` filter (the sidebar's, in the URL): a
click on a heatmap row chooses it (`unit_of_selection`), so a shared link opens the card.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lib.core.labels import SUBMISSION_STATE_LABELS, UNIT_KIND_LABELS, column_labels, pick, tr
from lib.output import charts
from lib.output.images import pngs_zip, slide_pngs
from lib.output.tables import local_dates, unit_names, unit_task_rows, workload_rows
from lib.output.tabular_export import xlsx_bytes
from lib.plan.model import Plan
from lib.plan.reporting import BREAKDOWN
from lib.services.views.elements import (
    XLSX_MIME,
    ChartStamp,
    ChartView,
    Choices,
    Download,
    Kpi,
    TableView,
    chart_stamp,
    table_view,
)
from lib.status.frames import values_in
from lib.status.submissions import SUBMISSION_STATES, submissions
from lib.status.units import heaviest_heatmap_cells, responsibility_matrix, unit_workload

# Units in the heatmap: the heaviest first. 60 shows every unit of a city's plan (the 2014
# plan names 55); a province's hundreds of units x sections need a part at a time.
HEATMAP_UNIT_CHOICES = (60, 30, 120, 0)  # 0: every unit
HEATMAP_MAX_SECTIONS = 40
# Status first: a leader opens the page to see where the trouble is, worst rows on top.
COLOR_BY_CHOICES = ("status", "load")
SCORECARD_KEYS = ["task_id", "title", "role_label", "completion_pct", "expected_pct"]
SCORECARD_KEYS += ["status_label"]
# The most pixels the heatmap takes on the page: its rows scroll inside, under column
# headings and a legend that stay in view (the 2014 plan's 58 rows would take ~1,900 px).
HEATMAP_VIEW_PX = 680
PNG_MIME, ZIP_MIME = "image/png", "application/zip"
REPORTED_KEYS = ["unit_name", "kind", "figures_sent", "breakdown_figures", "last_upload_date"]


@dataclass(frozen=True)
class UnitsControls:
    """The heatmap's options, shown above it: colour, how many units, expand groups."""

    notice: str | None  # shown instead of the page when no task is in view
    color_label: str
    color_by: Choices
    units_label: str
    units: Choices
    expand_label: str
    back_label: str = ""  # the link back from one unit's scorecard to every unit


@dataclass(frozen=True)
class ScorecardView:
    """One unit's counts and the tasks it answers for, with its role in each."""

    kpis: tuple[Kpi, ...]
    tasks: TableView


@dataclass(frozen=True, eq=False)
class ChosenUnit:
    """The unit whose scorecard is open: its title, its card (None when it has no task in
    view, `note` says so) and the link text back to every unit."""

    unit: str
    title: str
    back_label: str
    card: ScorecardView | None
    note: str | None


@dataclass(frozen=True, eq=False)
class UnitsView:
    """Heatmap, workload chart and table, and the units a scorecard can be shown for."""

    heatmap: ChartView
    heatmap_note: str | None  # says what the heatmap leaves out
    # the heatmap as the page draws it: a header over rows that scroll (`heatmap_height`
    # px at most), a click on a row choosing its unit; its slide images in parts
    heatmap_panes: charts.HeatmapPanes
    heatmap_height: int
    heatmap_hint: str
    heatmap_download: Download
    chosen: ChosenUnit | None
    workload_chart: ChartView
    workload_heading: str
    workload_table: TableView
    scorecard_heading: str
    unit_label: str
    units: tuple[str, ...]  # heaviest load first
    scorecard: Callable[[str], ScorecardView]  # of one of `units`
    # who sent figures for the as-of period (None when the figures by unit were not given);
    # `reported_note` is said instead of the table when nobody has
    reported_heading: str = ""
    reported: TableView | None = None
    reported_note: str | None = None


def units_controls(tasks: pd.DataFrame, lang: str) -> UnitsControls:
    """Labels and choices of the heatmap's options, or the notice that no task is in view."""
    return UnitsControls(
        notice=tr("empty_scope", lang) if tasks.empty else None,
        color_label=tr("heatmap_color", lang),
        color_by=Choices(
            COLOR_BY_CHOICES,
            {"status": tr("color_status", lang), "load": tr("color_load", lang)},
            COLOR_BY_CHOICES[0],
        ),
        units_label=tr("heatmap_units", lang),
        units=Choices(
            HEATMAP_UNIT_CHOICES,
            {n: str(n) if n else tr("all_units", lang) for n in HEATMAP_UNIT_CHOICES},
            HEATMAP_UNIT_CHOICES[0],
        ),
        expand_label=tr("expand_groups", lang),
        back_label=tr("scorecard_back", lang),
    )


def units_view(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    color_by: str | None,
    max_units: int | None,
    expand_groups: bool,
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
    unit_figures: pd.DataFrame | None = None,
    uploads: pd.DataFrame | None = None,
    chosen_unit: str | None = None,
) -> UnitsView:
    """The units of the tasks in view (at least one task). `color_by` None (nothing chosen)
    colours by worst status; the heatmap's rows are grouped by kind of unit. `max_units` 0
    or None draws every unit. `unit_figures`: every unit's latest figures with their role
    (a HeadlineFigures' `by_unit`), for who reported for `as_of`; `uploads` the ledger, for
    their upload times by id. `chosen_unit` (the page's unit filter): whose scorecard is
    open, its row outlined in the heatmap."""
    matrix = responsibility_matrix(plan, tasks, expand_groups=expand_groups)
    cells = heaviest_heatmap_cells(matrix, max_units or None, HEATMAP_MAX_SECTIONS)
    stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
    colour = color_by or COLOR_BY_CHOICES[0]
    groups = charts.heatmap_row_groups(plan)
    heatmap = charts.responsibility_heatmap_figure(
        cells.matrix, plan.sections, lang, colour, part_of=cells, row_groups=groups
    )
    panes = charts.heatmap_panes(
        heatmap, chosen=chosen_unit, click_hint=tr("heatmap_click_hint", lang)
    )
    parts = charts.heatmap_part_units(cells.matrix, colour, row_groups=groups)

    def heatmap_figures() -> list:
        return charts.responsibility_heatmap_parts(
            cells.matrix, plan.sections, lang, colour, part_of=cells, row_groups=groups
        )

    workload = unit_workload(plan, tasks, expand_groups=expand_groups)
    rows = workload_rows(workload, lang)
    reported, reported_note = None, None
    if unit_figures is not None and as_of:
        sent = reported_rows(plan, tasks, unit_figures, as_of, lang, uploads)
        if sent.empty:
            reported_note = tr("reported_none", lang, period=as_of)
        else:
            reported = table_view(sent, REPORTED_KEYS, lang, key="reported_units")

    def scorecard(unit: str) -> ScorecardView:
        return _scorecard(plan, tasks, workload, unit, lang)

    return UnitsView(
        heatmap=ChartView(heatmap, "responsibility_heatmap", stamp),
        heatmap_note=tr("heatmap_part_note", lang, **cells.counts()) if cells.is_partial else None,
        heatmap_panes=panes,
        heatmap_height=min(HEATMAP_VIEW_PX, panes.header_height + panes.body_height),
        heatmap_hint=tr("heatmap_rows_hint", lang),
        heatmap_download=heatmap_images(heatmap_figures, max(1, len(parts)), stamp),
        chosen=_chosen(plan, tasks, workload, chosen_unit, lang) if chosen_unit else None,
        workload_chart=ChartView(
            charts.unit_workload_figure(workload, lang), "unit_workload", stamp
        ),
        workload_heading=tr("workload_table", lang),
        workload_table=table_view(rows, list(rows.columns), lang, key="workload"),
        scorecard_heading=tr("scorecard", lang),
        unit_label=tr("choose_unit", lang),
        units=tuple(workload["unit"]),
        scorecard=scorecard,
        reported_heading=tr("reported_heading", lang, period=as_of or "-"),
        reported=reported,
        reported_note=reported_note,
    )


# what `reported_rows` reads of the unit figures (the page asks for no more)
# (an upload's time comes from the ledger by its id: the figures' own text column of times
# would be read whole for one period's rows)
REPORTED_FIGURE_COLUMNS = ["indicator_id", "period", "value", "reporter", "role", "upload_id"]


def reported_rows(
    plan: Plan,
    tasks: pd.DataFrame,
    unit_figures: pd.DataFrame,
    as_of: str,
    lang: str,
    uploads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every unit that sent figures for `as_of` for the indicators of the tasks in view:
    its kind, how many figures, how many of them its area's breakdown, and the date of its
    latest upload; most figures first, then in registry order (REPORTED_KEYS; "" units as
    not recorded). Upload times are the figures' `uploaded_at`, else the ledger's
    (`uploads`: id, uploaded_at) by `upload_id`."""
    indicators = plan.indicators.loc[
        values_in(plan.indicators["task_id"], set(tasks["task_id"])), "indicator_id"
    ]
    sent = unit_figures[
        (unit_figures["period"] == as_of)
        & unit_figures["value"].notna()
        & values_in(unit_figures["indicator_id"], set(indicators))
    ]
    if sent.empty:
        return pd.DataFrame(columns=REPORTED_KEYS)
    reporter = sent["reporter"].fillna("").astype("str") if "reporter" in sent else ""
    role = sent["role"] if "role" in sent else pd.Series("", sent.index)
    if "uploaded_at" in sent:
        at = sent["uploaded_at"]
    elif uploads is not None and "upload_id" in sent:
        by_id = pd.Series(uploads["uploaded_at"].to_numpy(), index=uploads["id"].to_numpy())
        at = pd.Series(by_id.reindex(sent["upload_id"].to_numpy()).to_numpy(), index=sent.index)
    else:
        at = pd.Series("", sent.index)
    times = pd.to_datetime(at, utc=True, errors="coerce", format="ISO8601")
    by_unit = (
        pd.DataFrame({"unit": reporter, "breakdown": role.eq(BREAKDOWN), "time": times})
        .groupby("unit", sort=False)
        .agg(
            figures_sent=("breakdown", "size"),
            breakdown_figures=("breakdown", "sum"),
            last=("time", "max"),
        )
        .reset_index()
    )
    position = (
        by_unit["unit"]
        .map({unit: i for i, unit in enumerate(plan.units["unit"])})
        .fillna(len(plan.units))
    )
    by_unit = by_unit.assign(_position=position).sort_values(
        ["figures_sent", "_position"], ascending=[False, True], kind="stable"
    )
    kinds = dict(zip(plan.units["unit"], plan.units["kind"], strict=True))
    return pd.DataFrame(
        {
            "unit_name": unit_names(by_unit["unit"], lang),
            "kind": by_unit["unit"].map(
                lambda u: pick(UNIT_KIND_LABELS[kinds[u]], lang) if kinds.get(u) else ""
            ),
            "figures_sent": by_unit["figures_sent"].astype("int64"),
            "breakdown_figures": by_unit["breakdown_figures"].astype("int64"),
            "last_upload_date": local_dates(by_unit["last"]),
        }
    ).reset_index(drop=True)


def unit_of_selection(selection: Mapping[str, object] | None, units: Collection[str]) -> str | None:
    """The unit a heatmap selection event chose: the customdata of its last point that is
    one of `units` (a click on a heading row, or a deselection, chooses none). `selection`
    is what st.plotly_chart reports: {"points": [{"customdata": unit, ...}, ...], ...}."""
    points = (selection or {}).get("points") or []
    for point in reversed(list(points)):
        unit = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(unit, list | tuple):
            unit = unit[0] if unit else None
        if isinstance(unit, str) and unit in units:
            return unit
    return None


def heatmap_images(figures: Callable[[], list], parts: int, stamp: ChartStamp) -> Download:
    """The heatmap's slide images as a download: one PNG, or a ZIP of `parts` PNGs
    (heatmap-1.png …), rendered on click from `figures` (the parts, in order)."""
    name = f"responsibility_heatmap_{stamp.period}.png"

    def images() -> bytes:
        pngs = slide_pngs(
            figures(),
            as_of_label=stamp.as_of_label,
            source_line=stamp.source_line,
            lang=stamp.lang,
        )
        return pngs[0] if len(pngs) == 1 else pngs_zip("heatmap.png", pngs)

    if parts == 1:
        label, file_name, mime = tr("chart_png", stamp.lang), name, PNG_MIME
    else:
        label = tr("heatmap_pngs", stamp.lang, n=parts)
        file_name, mime = name.removesuffix(".png") + ".zip", ZIP_MIME
    return Download(
        label,
        images,
        file_name,
        mime,
        key="png_responsibility_heatmap",
        icon=":material/image:",
        rerun_on_click=False,
    )


def _chosen(
    plan: Plan, tasks: pd.DataFrame, workload: pd.DataFrame, unit: str, lang: str
) -> ChosenUnit:
    title = tr("scorecard_of", lang, unit=unit)
    back = tr("scorecard_back", lang)
    card = _scorecard(plan, tasks, workload, unit, lang)
    if card.tasks.frame.empty:
        return ChosenUnit(unit, title, back, None, tr("scorecard_no_tasks", lang, unit=unit))
    return ChosenUnit(unit, title, back, card, None)


def _scorecard(
    plan: Plan, tasks: pd.DataFrame, workload: pd.DataFrame, unit: str, lang: str
) -> ScorecardView:
    """The unit's counts and tasks; a member of a group (a county under '各县(市、区)政府')
    counts the group's tasks as its own, as its task list does."""
    if unit in set(plan.group_members["member"]) or unit not in set(workload["unit"]):
        workload = unit_workload(plan, tasks, expand_groups=True)
    if unit not in set(workload["unit"]):
        nothing = {"tasks_led": 0, "tasks_partner": 0, "tasks_behind_or_overdue": 0}
        workload = pd.DataFrame([{"unit": unit, "weighted_load": 0.0, **nothing}])
    card = workload.set_index("unit").loc[unit]
    labels = column_labels(
        ["tasks_led", "tasks_partner", "weighted_load", "tasks_behind_or_overdue"], lang
    )
    kpis = (
        Kpi(labels["tasks_led"], int(card["tasks_led"])),
        Kpi(labels["tasks_partner"], int(card["tasks_partner"])),
        Kpi(labels["weighted_load"], f"{card['weighted_load']:g}"),
        Kpi(labels["tasks_behind_or_overdue"], int(card["tasks_behind_or_overdue"])),
    )
    rows = unit_task_rows(plan, tasks, unit, lang)
    return ScorecardView(kpis, table_view(rows, SCORECARD_KEYS, lang, key="scorecard_tasks"))


# --- 报送情况: who owes which figures for the quarter, what came, on time or late ------------

SUBMISSION_KEYS = [
    "reporter", "expected", "sent", "missing", "missing_ids", "state", "last_upload", "due",
]  # fmt: skip
# what `submissions_view` reads of the unit figures (upload times come from the ledger)
SUBMISSION_FIGURE_COLUMNS = ["indicator_id", "period", "value", "reporter", "upload_id"]


@dataclass(frozen=True)
class SubmissionsView:
    """The quarter's 报送情况: the table (or a note) and its spreadsheet."""

    heading: str
    caption: str
    table: TableView | None
    note: str | None
    download: Download | None


def submission_state_choices(lang: str) -> tuple[str, str, Choices]:
    """The label, the placeholder (nothing chosen: every state) and the options of the
    报送状态 filter (worst first)."""
    labels = {state: pick(SUBMISSION_STATE_LABELS[state], lang) for state in SUBMISSION_STATES}
    choices = Choices(tuple(SUBMISSION_STATES), labels, None)
    return tr("submissions_states", lang), tr("submissions_every_state", lang), choices


def submissions_view(
    plan: Plan,
    unit_figures: pd.DataFrame,
    uploads: pd.DataFrame,
    as_of: str | None,
    now: datetime,
    lang: str,
    *,
    states: list[str] | None = None,
    sample_in_use: bool = False,
) -> SubmissionsView:
    """Every unit expected to report for `as_of`: owed, sent, missing, on time / late / not
    yet (lib/status/submissions.py), the worst first, limited to `states` when given, with
    the table as .xlsx. `unit_figures`: the period's unit figures (SUBMISSION_FIGURE_COLUMNS
    at least); `uploads`: the ledger, for the upload times."""
    heading = tr("submissions_heading", lang, period=as_of or "-")
    caption = tr("submissions_caption", lang, days=plan.calendar.due_days)
    if sample_in_use:
        caption += tr("submissions_sample", lang)
    if not as_of:
        return SubmissionsView(heading, caption, None, tr("submissions_none", lang), None)
    times = pd.Series(uploads["uploaded_at"].to_numpy(), index=uploads["id"].to_numpy())
    figures = unit_figures.assign(
        uploaded_at=times.reindex(unit_figures["upload_id"].to_numpy()).to_numpy()
    )
    frame = submissions(plan, figures, as_of, now)
    if states:
        frame = frame[frame["state"].isin(states)]
    shown = frame.assign(
        reporter=unit_names(frame["reporter"], lang),
        state=[pick(SUBMISSION_STATE_LABELS[state], lang) for state in frame["state"]],
        last_upload=local_dates(frame["last_upload"]),
        # the deadline is the end of a day: the day is what the office writes
        due=[
            (pd.Timestamp(due) - pd.Timedelta(seconds=1)).strftime("%Y-%m-%d")
            for due in frame["due"]
        ],
    ).reset_index(drop=True)
    table = table_view(shown, SUBMISSION_KEYS, lang, key="submissions") if len(shown) else None
    name = f"{as_of}报送情况" if lang == "zh" else f"submissions_{as_of}"
    sheet = shown.rename(columns=column_labels(SUBMISSION_KEYS, lang))[
        list(column_labels(SUBMISSION_KEYS, lang).values())
    ]
    download = Download(
        tr("submissions_download", lang),
        lambda: xlsx_bytes({name[:31]: sheet}),
        f"{name}.xlsx",
        XLSX_MIME,
        key="submissions_xlsx",
    )
    note = None if table is not None else tr("submissions_none", lang)
    return SubmissionsView(heading, caption, table, note, download)
