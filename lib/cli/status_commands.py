"""`status`: every indicator's value, progress, expected pace, status and reason at a quarter.

Runs the same `lib.status.indicators.indicator_status` as the pages on the store's current values
(PLAN_FILE and PROGRESS_DB via `lib.services.settings.settings_from_env()`, opened by
`lib.services.workspace.open_workspace` as the app does: without PROGRESS_DB the demo store,
seeded from the bundled sample). Where the plan requires confirmation (核准) it counts, as
the leaders' pages do, only confirmed figures of the indicators that need it, and says so;
`--include-unconfirmed` counts every unit's latest figure and marks each figure's
confirmation. Prints an aligned table, or JSON with `--json`. Exit codes follow
lib/cli/main.py: 0 success, 1 bad period or refused store, 2 unreadable plan.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd

from lib.core.errors import PlanError, Problem, StoreError
from lib.core.labels import CONFIRMATION_LABELS, column_labels, pick, status_label, tr
from lib.core.periods import parse_period, period_label, periods_between
from lib.plan.model import Plan
from lib.services.settings import settings_from_env
from lib.services.workspace import Workspace, open_workspace
from lib.status.confirmation import figure_confirmation
from lib.status.indicators import indicator_status, latest_reported_period
from lib.status.rollups import overall_summary, task_completion
from lib.store.confirmations import DECISION_COLUMNS, DECISION_KINDS, confirmation_states

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
JSON_COLUMNS = [
    "indicator_id", "task_id", "name", "kind", "unit", "target", "baseline", "direction",
    "deadline", "value", "value_period", "upload_id", "progress", "expected", "gap", "status",
    "status_label", "stale", "reason", "reason_zh", "reason_en", "needed_per_quarter",
    "forecast", "confirmation",
]  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the status command."""
    parser = subparsers.add_parser("status", help="indicator status at a quarter / 指标状态")
    parser.add_argument("--period", help="as-of quarter, e.g. 2014Q2 (default: latest reported)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="labels (default zh)")
    add_unconfirmed_argument(parser)
    parser.set_defaults(handler=cmd_status)


def add_unconfirmed_argument(parser: argparse.ArgumentParser) -> None:
    """The `--include-unconfirmed` switch of the commands that show leaders' figures."""
    parser.add_argument(
        "--include-unconfirmed",
        action="store_true",
        help="count figures not yet confirmed too (default: confirmed only) / 含待核准数据",
    )


def cmd_status(args: argparse.Namespace) -> int:
    """Print the status of every indicator at --period (default: the latest reported)."""
    opened = _opened(confirmed_only=not args.include_unconfirmed)
    if isinstance(opened, int):
        return opened
    plan, figures = opened.workspace.plan, opened.figures
    period = as_of_period(args.period, plan, figures)
    if period is None:
        return EXIT_INVALID
    status = indicator_status(plan, figures, period)
    status = status.assign(confirmation=_confirmation(opened.workspace, status))
    shown = figures_shown_line(plan, not args.include_unconfirmed, args.lang)
    if args.json:
        payload = _payload(plan, status, period, opened.sample, args.lang)
        payload["confirmed_only"] = bool(plan.confirmation.required and opened.confirmed_only)
        payload["figures_shown"] = shown
        print(json.dumps(payload, ensure_ascii=False))
    else:
        marked = plan.confirmation.required and args.include_unconfirmed
        print(_table(plan, status, period, opened.sample, args.lang, shown, marked=marked))
    return EXIT_OK


def figures_shown_line(plan: Plan, confirmed_only: bool, lang: str) -> str:
    """What the figures counted are, where the plan requires confirmation: confirmed only,
    or unconfirmed ones too ("" for a plan without confirmation). The pages' words."""
    if not plan.confirmation.required:
        return ""
    key = "confirmed_only_banner" if confirmed_only else "unconfirmed_banner"
    return tr(key, lang, confirmer=plan.confirmation.confirmer)


T = TypeVar("T")


@dataclass(frozen=True)
class _Opened:
    workspace: Workspace
    figures: pd.DataFrame
    sample: bool
    confirmed_only: bool


def opened_figures(*, confirmed_only: bool = False) -> tuple[Plan, pd.DataFrame, bool] | int:
    """The plan, the store's current figures and whether they are the bundled sample, opened
    as the app opens them; an exit code (after printing the problems) when the plan or the
    store cannot be opened. Shared by the commands that read the figures. `confirmed_only`:
    the leaders' figures (those of the indicators that need confirmation count only once
    confirmed); otherwise every unit's latest figure as sent."""
    opened = _opened(confirmed_only=confirmed_only)
    if isinstance(opened, int):
        return opened
    return opened.workspace.plan, opened.figures, opened.sample


def _opened(*, confirmed_only: bool) -> _Opened | int:
    def read(workspace: Workspace) -> _Opened:
        needing = workspace.plan.confirmed_indicator_ids() if confirmed_only else frozenset()
        figures = workspace.store.current_values(confirmed_only=needing)
        return _Opened(workspace, figures, workspace.store.has_sample_data(), confirmed_only)

    return opened_workspace(read)


def opened_workspace(read: Callable[[Workspace], T]) -> T | int:
    """What `read` takes from the workspace (plan and store) the settings name, opened as
    the app opens them; an exit code, after printing the problems, when the plan or the
    store cannot be opened or read. Shared by every command that works on the store."""
    settings = settings_from_env()
    try:
        return read(open_workspace(settings, now=datetime.now(UTC)))
    except PlanError as exc:
        print(f"{settings.plan_file}: 计划文件无效 / invalid plan file", file=sys.stderr)
        _print_problems(exc.problems)
        return EXIT_UNREADABLE
    except StoreError as exc:
        _print_problems(exc.problems)
        return EXIT_INVALID


def _confirmation(workspace: Workspace, status: pd.DataFrame) -> pd.Series:
    """Per status row its figure's confirmation (lib/status/confirmation.py)."""
    decisions = workspace.store.trail(DECISION_KINDS)[DECISION_COLUMNS]
    needing = workspace.plan.confirmed_indicator_ids()
    return figure_confirmation(status, decisions, needing, states_of=confirmation_states)


def as_of_period(requested: str | None, plan: Plan, figures: pd.DataFrame) -> str | None:
    """The canonical quarter asked for, or the latest reported one; None (after a message)
    when the request is not a quarter of the plan."""
    periods = periods_between(plan.meta.period_start, plan.meta.period_end)
    if requested is None:
        latest = latest_reported_period(figures)
        if latest is None:
            print("暂无进度数据，按首个报告期显示 / no figures yet", file=sys.stderr)
        return latest or periods[0]
    period = parse_period(requested)
    if period not in periods:
        print(
            f"报告期“{requested}”无效，应为 {', '.join(periods)} 之一 / "
            f"period '{requested}' must be one of {', '.join(periods)}",
            file=sys.stderr,
        )
        return None
    return period


def _payload(
    plan: Plan, status: pd.DataFrame, period: str, sample: bool, lang: str
) -> dict[str, Any]:
    summary = overall_summary(status, task_completion(plan, status))
    rows = status.assign(
        deadline=status["deadline"].dt.strftime("%Y-%m-%d"),
        status_label=status["status"].map(lambda s: status_label(s, lang)),
        reason=status["reason_en" if lang == "en" else "reason_zh"],
    )[JSON_COLUMNS]
    return {
        "as_of": period,
        "as_of_label": period_label(period, lang),
        "document_number": plan.meta.document_number,
        "sample_data": sample,
        "summary": {k: _plain(v) for k, v in summary.items()},
        "indicators": json.loads(rows.to_json(orient="records", force_ascii=False)),
    }


def _plain(value: object) -> object:
    """NaN as null for JSON."""
    return None if isinstance(value, float) and value != value else value


def _table(
    plan: Plan,
    status: pd.DataFrame,
    period: str,
    sample: bool,
    lang: str,
    shown: str,
    *,
    marked: bool,
) -> str:
    """The aligned table: a heading (the period, sample data, which figures count), a row
    per indicator (with each figure's confirmation when `marked`), the status counts."""
    heading = f"数据截至 {period_label(period, 'zh')}" if lang == "zh" else "Data as of"
    if lang == "en":
        heading += f" {period_label(period, 'en')}"
    if sample:
        heading += "（示例数据，非真实统计）" if lang == "zh" else " (sample data, not real)"
    if shown:
        heading += f" · {shown}"
    values = status["value"].map(lambda v: "-" if pd.isna(v) else f"{v:g}")
    cells = pd.DataFrame(
        {
            "indicator_id": status["indicator_id"],
            "value": values.where(status["value"].isna(), values + _unit_suffix(status["unit"])),
            "p": status["progress"].map(_percent),
            "e": status["expected"].map(_percent),
            "status": status["status"].map(lambda s: status_label(s, lang)),
            "reason": status["reason_en" if lang == "en" else "reason_zh"],
        }
    )
    if marked:
        labels = {state: pick(pair, lang) for state, pair in CONFIRMATION_LABELS.items()}
        marks = status["confirmation"].map(labels).fillna("")
        cells.insert(cells.columns.get_loc("value") + 1, "confirmation", marks)
    header = list(column_labels(list(cells.columns), lang).values())
    lines = _aligned([header, *cells.astype(str).to_numpy().tolist()])
    counts = overall_summary(status, task_completion(plan, status))["counts"]
    footer = "  ".join(f"{status_label(s, lang)} {n}" for s, n in counts.items())
    return "\n".join([heading, *lines, footer])


def _unit_suffix(units: pd.Series) -> pd.Series:
    """' 个' after a count, but '%' straight after a number."""
    return units.where(units == "%", " " + units)


def _percent(value: float) -> str:
    return "-" if pd.isna(value) else f"{value * 100:.1f}%"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(f"  [{p.severity}] {p}", file=sys.stderr)
