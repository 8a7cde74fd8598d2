"""Write data/progress.csv: invented, deterministic demonstration figures for 2014Q1-2014Q3.

Usage: python tools/make_sample_progress.py [--plan data/tasks_2014.yaml] [-o data/progress.csv]

Every figure is made up (示例数据，非真实统计) and every note says so. The mix is meant to look
like a real quarter: most indicators on pace, about 15% lagging, about 8% missing their latest
report (a few only Q3, two never reported), several milestones already done. Values are
cumulative and never decrease; counts are whole numbers; rates stay near their targets. The
generator is seeded, so re-running it reproduces the same file, and it refuses to write a file
that would not validate cleanly against the plan.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.core.periods import period_end
from lib.ingest.report import validate_progress
from lib.output.tabular_export import csv_bytes
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE

SEED = 20140930
PERIODS = ("2014Q1", "2014Q2", "2014Q3")
COUNT_UNITS = {"个", "家", "宗", "条", "套", "件", "项", "所", "座", "户", "人"}
NEVER_REPORTED, MISSING_Q3, LAGGING = 2, 4, 11
NOTES = {
    "on_track": ("示例数据：按计划推进", "示例数据：各项工作有序开展", "示例数据：进度符合预期"),
    "lagging": ("示例数据：进度滞后，正在协调推进", "示例数据：受前期手续影响，进度偏慢"),
    "done": ("示例数据：已完成",),
    "not_started": ("示例数据：尚未启动，正在筹备",),
}


def indicator_categories(plan: Plan, rng: random.Random) -> dict[str, str]:
    """indicator_id -> never | missing_q3 | lagging | on_track, in fixed proportions."""
    ids = list(plan.indicators["indicator_id"])
    rng.shuffle(ids)
    categories = {}
    for position, indicator_id in enumerate(ids):
        if position < NEVER_REPORTED:
            categories[indicator_id] = "never"
        elif position < NEVER_REPORTED + MISSING_Q3:
            categories[indicator_id] = "missing_q3"
        elif position < NEVER_REPORTED + MISSING_Q3 + LAGGING:
            categories[indicator_id] = "lagging"
        else:
            categories[indicator_id] = "on_track"
    return categories


def elapsed_share(start: date, deadline: date, period: str) -> float:
    """Share of the time to the deadline that has passed at the end of the period (max 1)."""
    total = (deadline - start).days or 1
    return min(1.0, max(0.0, (period_end(period) - start).days / total))


def cumulative_values(
    indicator: pd.Series, start: date, lagging: bool, rng: random.Random
) -> list[float]:
    """Q1..Q3 cumulative values for one indicator, non-decreasing and plausible."""
    deadline = indicator["deadline"].date()
    target, unit, name = float(indicator["target"]), indicator["unit"], indicator["name"]
    pace = rng.uniform(0.55, 0.72) if lagging else rng.uniform(0.96, 1.12)
    finishes_early = not lagging and rng.random() < 0.25
    values, previous = [], 0.0
    for period in PERIODS:
        share = elapsed_share(start, deadline, period)
        if indicator["kind"] == "milestone":
            done = not lagging and (share >= 1 or (finishes_early and period == PERIODS[-1]))
            value = 100.0 if done else min(95.0, 5 * round(share * 100 * pace / 5))
        elif unit == "%" and ("率" in name or "比重" in name):  # a rate: measured, near target
            floor = rng.uniform(0.80, 0.86) if lagging else rng.uniform(0.88, 0.93)
            value = round(min(100.0, target * (floor + (1 - floor) * share * pace)), 1)
        elif "标准" in name:  # a standard is raised once, mid-year when on pace
            raised = share >= 0.45 and not lagging
            value = float(round(target if raised else target * 0.9, -1))
        elif name.startswith("森林") and "造林" not in name:  # a stock: grows slowly
            value = round(target * (0.993 + 0.006 * share * pace), 2)
        elif unit in COUNT_UNITS:
            value = float(math.floor(target * share * pace))
        else:
            value = round(target * share * pace, 2 if target < 100 else 1)
        previous = max(previous, value)
        values.append(previous)
    return values


def written_value(value: float, indicator: pd.Series, rng: random.Random) -> str:
    """How an analyst might write the figure: 已完成, 1,234, 83%, or plain."""
    if indicator["kind"] == "milestone" and value == 100 and rng.random() < 0.6:
        return "已完成"
    if indicator["unit"] in COUNT_UNITS:
        return f"{int(value):,}" if value >= 1000 else str(int(value))
    text = f"{value:g}"
    if indicator["unit"] == "%" and indicator["kind"] == "quantity" and rng.random() < 0.3:
        return text + "%"
    return text


def reporter_name(plan: Plan, unit: str, rng: random.Random) -> str:
    """The lead unit, sometimes under a short alias people use."""
    row = plan.units.set_index("unit").loc[unit]
    short = [a for a in row["aliases"] if a != row["full_name"]]
    return rng.choice(short) if short and rng.random() < 0.35 else unit


def sample_frame(plan: Plan, seed: int = SEED) -> pd.DataFrame:
    """The sample figures as the text cells of data/progress.csv."""
    rng = random.Random(seed)
    categories = indicator_categories(plan, rng)
    start = plan.period_start
    records = []
    for _, indicator in plan.indicators.iterrows():
        category = categories[indicator["indicator_id"]]
        if category == "never":
            continue
        values = cumulative_values(indicator, start, category == "lagging", rng)
        periods = PERIODS[:-1] if category == "missing_q3" else PERIODS
        for period, value in zip(periods, values, strict=False):
            records.append(
                {
                    "指标编号": indicator["indicator_id"],
                    "报告期": period,
                    "完成值": written_value(value, indicator, rng),
                    "进展情况": _note(indicator, value, category, rng),
                    "填报单位": reporter_name(plan, indicator["lead_unit"], rng),
                    "指标名称": indicator["name"],
                }
            )
    return pd.DataFrame(records)


def _note(indicator: pd.Series, value: float, category: str, rng: random.Random) -> str:
    if indicator["kind"] == "milestone" and value >= 100:
        return rng.choice(NOTES["done"])
    if value == 0:
        return rng.choice(NOTES["not_started"])
    return rng.choice(NOTES["lagging" if category == "lagging" else "on_track"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(DEFAULT_PLAN_FILE))
    parser.add_argument("-o", "--output", default=str(SAMPLE_PROGRESS_FILE))
    args = parser.parse_args(argv)
    plan = load_plan(args.plan)
    content = csv_bytes(sample_frame(plan))
    report = validate_progress(content, Path(args.output).name, plan)
    if report.errors:
        for problem in report.errors:
            print(problem, file=sys.stderr)
        return 1
    Path(args.output).write_bytes(content)
    print(
        f"{args.output}: {len(report.rows)} rows, {report.rows['indicator_id'].nunique()} "
        f"indicators, {len(report.warnings)} warning(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
