"""`status`: every indicator's value, progress, expected pace, status and reason at a quarter.

Runs the same `lib.status.indicators.indicator_status` as the pages on the store's current values
(PLAN_FILE and PROGRESS_DB via `lib.services.settings.settings_from_env()`, opened by
`lib.services.workspace.open_workspace` as the app does: without PROGRESS_DB the demo store,
seeded from the bundled sample). Prints an aligned table, or JSON with `--json`. Exit
codes follow lib/cli/main.py: 0 success, 1 bad period or refused store, 2 unreadable plan.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from lib.core.errors import PlanError, Problem, StoreError
from lib.core.labels import column_labels, status_label
from lib.core.periods import parse_period, period_label, periods_between
from lib.plan.model import Plan
from lib.services.settings import settings_from_env
from lib.services.workspace import open_workspace
from lib.status.indicators import indicator_status, latest_reported_period
from lib.status.rollups import overall_summary, task_completion

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
JSON_COLUMNS = [
    "indicator_id", "task_id", "name", "kind", "unit", "target", "baseline", "direction",
    "deadline", "value", "value_period", "upload_id", "progress", "expected", "gap", "status",
    "status_label", "stale", "reason", "reason_zh", "reason_en", "needed_per_quarter",
    "forecast",
]  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the status command."""
    parser = subparsers.add_parser("status", help="indicator status at a quarter / 指标状态")
    parser.add_argument("--period", help="as-of quarter, e.g. 2014Q2 (default: latest reported)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="labels (default zh)")
    parser.set_defaults(handler=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    """Print the status of every indicator at --period (default: the latest reported)."""
    opened = opened_figures()
    if isinstance(opened, int):
        return opened
    plan, figures, sample = opened
    period = as_of_period(args.period, plan, figures)
    if period is None:
        return EXIT_INVALID
    status = indicator_status(plan, figures, period)
    if args.json:
        print(json.dumps(_payload(plan, status, period, sample, args.lang), ensure_ascii=False))
    else:
        print(_table(plan, status, period, sample, args.lang))
    return EXIT_OK


def opened_figures() -> tuple[Plan, pd.DataFrame, bool] | int:
    """The plan, the store's current figures and whether they are the bundled sample, opened
    as the app opens them; an exit code (after printing the problems) when the plan or the
    store cannot be opened. Shared by the commands that read the figures."""
    settings = settings_from_env()
    try:
        workspace = open_workspace(settings, now=datetime.now(UTC))
        figures = workspace.store.current_values()
        sample = workspace.store.has_sample_data()
    except PlanError as exc:
        print(f"{settings.plan_file}: 计划文件无效 / invalid plan file", file=sys.stderr)
        _print_problems(exc.problems)
        return EXIT_UNREADABLE
    except StoreError as exc:
        _print_problems(exc.problems)
        return EXIT_INVALID
    return workspace.plan, figures, sample


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


def _table(plan: Plan, status: pd.DataFrame, period: str, sample: bool, lang: str) -> str:
    heading = f"数据截至 {period_label(period, 'zh')}" if lang == "zh" else "Data as of"
    if lang == "en":
        heading += f" {period_label(period, 'en')}"
    if sample:
        heading += "（示例数据，非真实统计）" if lang == "zh" else " (sample data, not real)"
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
