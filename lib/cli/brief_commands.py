"""`brief` and `chart-png`: the briefing deck and slide-ready chart images from the command line.

Both read the plan from PLAN_FILE and the figures from PROGRESS_DB (or the demo store, seeded
from the sample file the way the app seeds it). The period defaults to the latest one with
reported figures. Where the plan requires confirmation (核准) they count, as the leaders'
pages do, only confirmed figures of the indicators that need it, and the deck's sources
slide says so; `--include-unconfirmed` counts every unit's latest figure. This is the one
place in the briefing path that reads the clock: the deck's "made on" date is today's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from lib.cli.status_commands import add_unconfirmed_argument, figures_shown_line
from lib.core.errors import Problem, UserInputError, problem
from lib.core.periods import parse_period, period_label
from lib.output import charts
from lib.output.briefing import briefing_deck
from lib.output.images import ExportError, numbered_names, slide_pngs, source_line
from lib.plan.model import Plan
from lib.services.settings import settings_from_env
from lib.services.workspace import chosen_plan_and_store, open_workspace
from lib.status.indicators import indicator_status, latest_reported_period
from lib.status.replies import supervision_by_indicator
from lib.status.rollups import section_completion, task_completion
from lib.status.units import responsibility_matrix

CHARTS = ("section", "status", "heatmap")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the brief and chart-png commands."""
    brief = subparsers.add_parser("brief", help="build the briefing deck / 生成汇报 PPT")
    _common_arguments(brief, default_output="brief.pptx")
    brief.set_defaults(handler=cmd_brief)
    chart = subparsers.add_parser("chart-png", help="slide-ready chart PNG / 导出图表图片")
    chart.add_argument("--chart", choices=CHARTS, required=True, help="which chart")
    _common_arguments(chart, default_output="chart.png")
    chart.set_defaults(handler=cmd_chart_png)


def _common_arguments(parser: argparse.ArgumentParser, default_output: str) -> None:
    parser.add_argument("--period", help="as-of period, e.g. 2014Q2 (default: latest reported)")
    parser.add_argument("-o", "--output", default=default_output, help="output file")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language")
    add_unconfirmed_argument(parser)


@dataclass(frozen=True)
class _Inputs:
    plan: Plan
    progress: pd.DataFrame
    period: str
    sample: bool
    confirmed_only: bool

    def figures_shown(self, lang: str) -> str:
        """Which figures count, in words ("" for a plan without confirmation)."""
        return figures_shown_line(self.plan, self.confirmed_only, lang)


def _inputs(period_text: str | None, *, include_unconfirmed: bool) -> _Inputs:
    """Plan, current figures (confirmed only unless `include_unconfirmed`), the as-of
    period and whether the figures are sample data."""
    workspace = open_workspace(settings_from_env(), now=datetime.now(UTC))
    plan = workspace.plan
    needing = frozenset() if include_unconfirmed else plan.confirmed_indicator_ids()
    progress = workspace.store.current_values(confirmed_only=needing)
    period = parse_period(period_text) if period_text else latest_reported_period(progress)
    if period is None:
        raise UserInputError([_period_problem(period_text)])
    sample = workspace.store.has_sample_data()
    return _Inputs(plan, progress, period, sample, not include_unconfirmed)


def _period_problem(period_text: str | None) -> Problem:
    if period_text:
        zh, en = "无法识别的报告期（例如 2014Q2）", "unrecognised period (e.g. 2014Q2)"
    else:
        zh, en = "尚无上报数据，请用 --period 指定报告期", "no figures reported yet: pass --period"
    return problem("period", zh, en, path="--period", value=period_text)


def _run(action: Callable[[], int]) -> int:
    """Run a command body: invalid input or a failed render exit 1, unreadable files exit 2."""
    try:
        return action()
    except (UserInputError, ExportError) as exc:
        print(f"error / 错误: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error / 错误: {exc}", file=sys.stderr)
        return 2


def cmd_brief(args: argparse.Namespace) -> int:
    """Write the .pptx briefing deck."""

    def build() -> int:
        inputs = _inputs(args.period, include_unconfirmed=args.include_unconfirmed)
        shown = inputs.figures_shown(args.lang)
        deck = briefing_deck(
            inputs.plan,
            inputs.progress,
            inputs.period,
            made_on=date.today(),
            lang=args.lang,
            sample=inputs.sample,
            figures_note=shown,
            replies=_replies(inputs.period),
        )
        Path(args.output).write_bytes(deck)
        print(f"{args.output}: {period_label(inputs.period, args.lang)}, {len(deck):,} bytes")
        if shown:
            print(shown, file=sys.stderr)
        return 0

    return _run(build)


def cmd_chart_png(args: argparse.Namespace) -> int:
    """Write one chart as 1920x1080 PNGs with its as-of stamp and source line: the heatmap
    in as many images as keep its text at 14 px or more (`-o heatmap.png` writes
    heatmap-1.png, heatmap-2.png, …; one image keeps the name given), any other in one."""

    def build() -> int:
        inputs = _inputs(args.period, include_unconfirmed=args.include_unconfirmed)
        figures, upload_ids = _chart(args.chart, inputs, args.lang)
        line = source_line(inputs.plan.meta.document_number, upload_ids, args.lang, inputs.sample)
        label = period_label(inputs.period, args.lang)
        pngs = slide_pngs(figures, as_of_label=label, source_line=line, lang=args.lang)
        for name, png in zip(numbered_names(args.output, len(pngs)), pngs, strict=True):
            Path(name).write_bytes(png)
            print(f"{name}: {args.chart}, {label}, {len(png):,} bytes")
        shown = inputs.figures_shown(args.lang)
        if shown:
            print(shown, file=sys.stderr)
        return 0

    return _run(build)


def _chart(name: str, inputs: _Inputs, lang: str) -> tuple[list[go.Figure], list[object]]:
    """The named chart at the as-of period, as the figures of its images (the heatmap's
    parts, each at most charts.HEATMAP_ROWS_PER_PART rows), and the upload ids of the
    figures behind it."""
    status = indicator_status(inputs.plan, inputs.progress, inputs.period)
    upload_ids = status["upload_id"].dropna().tolist()
    if name == "status":
        return [charts.status_distribution_figure(status, lang)], upload_ids
    tasks = task_completion(inputs.plan, status)
    sections = section_completion(inputs.plan, tasks)
    if name == "section":
        return [
            charts.completion_by_section_figure(sections, lang, inputs.plan.thresholds)
        ], upload_ids
    matrix = responsibility_matrix(inputs.plan, tasks)
    groups = charts.heatmap_row_groups(inputs.plan)
    parts = charts.responsibility_heatmap_parts(
        matrix, sections, lang, "status", row_groups=groups
    )  # as leaders see it on the units page, grouped, the worst rows first
    return parts, upload_ids


def _replies(period: str) -> pd.DataFrame:
    """Each indicator's 督办 state and latest reply at `period`, from the store's trail; a
    reply not sent by its 督办单's reply day is overdue from the next day (today's date)."""
    store = chosen_plan_and_store(settings_from_env())[1]
    return supervision_by_indicator(store.trail(), period, date.today())
