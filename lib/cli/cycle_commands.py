"""`submissions`: the quarter's 报送情况, who owes which figures, what came, on time or late.

The store and plan come from `lib.services.settings.settings_from_env()` (PLAN_FILE,
PROGRESS_DB) through `open_workspace`, as for `status`. Prints a table, or writes it with
`-o FILE.xlsx` (or .csv). Exit codes follow lib/cli/main.py: 0 success, 1 a bad period or a
refused store, 2 an unreadable plan.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from lib.cli.status_commands import as_of_period, opened_figures
from lib.core.labels import SUBMISSION_STATE_LABELS, column_labels, pick
from lib.status.submissions import OFFICE_TIME, SUBMISSION_COLUMNS, submissions

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the reporting-cycle commands."""
    parser = subparsers.add_parser(
        "submissions", help="who has reported for a quarter, on time or late / 报送情况"
    )
    parser.add_argument("--period", help="quarter, e.g. 2014Q3 (default: latest reported)")
    parser.add_argument("--now", help="judge the deadline at this ISO time (default: now)")
    parser.add_argument("-o", "--output", help="write FILE.xlsx or FILE.csv instead of printing")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="labels (default zh)")
    parser.set_defaults(handler=cmd_submissions)


def cmd_submissions(args: argparse.Namespace) -> int:
    """Print or write every expected unit's submission state for --period."""
    opened = opened_figures()
    if isinstance(opened, int):
        return opened
    plan, figures, sample = opened
    period = as_of_period(args.period, plan, figures)
    if period is None:
        return EXIT_INVALID
    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    except ValueError:
        print(f"时间无法识别 / unrecognised time: {args.now}", file=sys.stderr)
        return EXIT_INVALID
    if now.tzinfo is None:
        now = now.replace(tzinfo=OFFICE_TIME)
    table = _shown(submissions(plan, figures, period, now), args.lang)
    if args.output:
        return _write(table, Path(args.output), period, sample)
    heading = f"{period} 报送情况 / submissions ({len(table)} units)"
    if sample:  # the bundled figures are invented: never shown as real reporting
        heading += " - 示例数据，非真实报送 / sample data, not real submissions"
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(heading)
        print(table.to_string(index=False))
    return EXIT_OK


def _shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table in `lang`: state labels, times in office time, headings translated."""
    shown = frame.assign(
        state=frame["state"].map(lambda state: pick(SUBMISSION_STATE_LABELS[state], lang)),
        last_upload=[_office_time(t) for t in frame["last_upload"]],
        due=[_last_day(t) for t in frame["due"]],
    )
    return shown.rename(columns=column_labels(SUBMISSION_COLUMNS, lang))


def _office_time(moment: object) -> str:
    if moment is None or pd.isna(moment):
        return ""
    return pd.Timestamp(moment).tz_convert(OFFICE_TIME).strftime("%Y-%m-%d %H:%M")


def _last_day(deadline: object) -> str:
    """The last day to report on (the deadline is the end of it)."""
    moment = pd.Timestamp(deadline).tz_convert(OFFICE_TIME) - pd.Timedelta(seconds=1)
    return moment.strftime("%Y-%m-%d")


def _write(table: pd.DataFrame, output: Path, period: str, sample: bool) -> int:
    fmt = output.suffix.lower()
    if fmt not in (".xlsx", ".csv"):
        print(f"{output}: 请使用 .xlsx 或 .csv / use .xlsx or .csv", file=sys.stderr)
        return EXIT_UNREADABLE
    from lib.output.tabular_export import csv_bytes, xlsx_bytes  # openpyxl only when writing

    sheet = f"{period}报送情况" + ("（示例数据）" if sample else "")
    data = xlsx_bytes({sheet: table}) if fmt == ".xlsx" else csv_bytes(table)
    output.write_bytes(data)
    print(f"{output}: {len(table)} 个单位 / units")
    return EXIT_OK
