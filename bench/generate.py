"""Synthetic plan and progress data at any scale, reproducible from a seed.

`plan_yaml_text` writes a plan in the schema of data/tasks_2014.yaml (passing `check-plan`):
a registry of a province's departments, city governments, zones and groups, sections of
tasks, and indicators whose `source` is quoted verbatim in the task text. `progress_csv_bytes`
writes cumulative quarterly figures for a plan's indicators in the upload format (UTF-8 with
BOM, CRLF, Chinese headings), valid against the plan with no errors and no warnings: values
never go backwards, stay below 150% of target and within 0-100 for percentages, and each row
names the task's lead unit. Both are vectorised with numpy; the same seed gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

FIRST_YEAR = 2015
TASKS_PER_SECTION = 33
KEEP_SHARE = 0.83  # share of (indicator, quarter) cells reported: 30,000 x 40 -> ~1,000,000
CSV_HEADINGS = ("指标编号", "报告期", "完成值", "进展情况", "填报单位")

CITIES = (
    "广州", "深圳", "珠海", "汕头", "佛山", "韶关", "河源", "梅州", "惠州", "汕尾", "东莞",
    "中山", "江门", "阳江", "湛江", "茂名", "肇庆", "清远", "潮州", "揭阳", "云浮",
)  # fmt: skip
PRD_CITIES = ("广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆")
# (short name, full name) of the departments every city has
DEPARTMENTS = (
    ("发展改革局", "发展和改革局"), ("经济信息化局", "经济和信息化局"), ("财政局", "财政局"),
    ("自然资源局", "自然资源局"), ("住房城乡建设局", "住房和城乡建设局"),
    ("交通运输局", "交通运输局"), ("水务局", "水务局"), ("农业农村局", "农业农村局"),
    ("商务局", "商务局"), ("教育局", "教育局"), ("卫生健康局", "卫生健康局"),
    ("生态环境局", "生态环境局"),
)  # fmt: skip
PROVINCE_DEPARTMENTS = (
    ("省发展改革委", "广东省发展和改革委员会"), ("省工业和信息化厅", "广东省工业和信息化厅"),
    ("省财政厅", "广东省财政厅"), ("省自然资源厅", "广东省自然资源厅"),
    ("省住房城乡建设厅", "广东省住房和城乡建设厅"), ("省交通运输厅", "广东省交通运输厅"),
    ("省水利厅", "广东省水利厅"), ("省农业农村厅", "广东省农业农村厅"),
    ("省商务厅", "广东省商务厅"), ("省教育厅", "广东省教育厅"),
    ("省卫生健康委", "广东省卫生健康委员会"), ("省生态环境厅", "广东省生态环境厅"),
    ("省科技厅", "广东省科学技术厅"), ("省人力资源社会保障厅", "广东省人力资源和社会保障厅"),
    ("省统计局", "广东省统计局"),
)  # fmt: skip
ZONE_CITIES = ("广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆", "湛江")
THEMES = (
    "深化改革开放", "推动产业转型升级", "建设现代基础设施", "推进新型城镇化", "加强生态文明建设",
    "发展社会事业", "保障和改善民生", "提升科技创新能力", "促进区域协调发展", "加强社会治理",
)  # fmt: skip
TOPICS = (
    "推进重点项目建设", "优化营商环境", "加快交通网络建设", "实施创新驱动发展", "推动制造业升级",
    "发展现代服务业", "建设美丽乡村", "加强水利设施建设", "推进教育现代化", "完善医疗卫生服务",
    "治理大气和水污染", "扩大对外开放合作", "推进数字政府建设", "加强住房保障", "促进就业创业",
)  # fmt: skip
# (name stem, unit, smallest target, largest target, direction): a table, one kind of
# quantity a row, so its rows share one shape.
QUANTITIES = (
    ("新建5G基站", "个", 200, 5000, "increase"),
    ("高速公路通车里程", "公里", 20, 600, "increase"),
    ("新增就业人数", "万人", 1, 40, "increase"),
    ("固定资产投资完成额", "亿元", 50, 3000, "increase"),
    ("新增高新技术企业", "家", 20, 800, "increase"),
    ("农村生活污水处理率", "%", 50, 100, "increase"),
    ("城镇保障性住房开工", "套", 500, 20000, "increase"),
    ("新建学位", "个", 1000, 40000, "increase"),
    ("森林覆盖率", "%", 55, 75, "increase"),
    ("二级以上医院数量", "家", 5, 60, "increase"),
    ("工业固体废物产生量", "万吨", 10, 300, "decrease"),
    ("PM2.5年均浓度", "微克/立方米", 20, 40, "decrease"),
)
MILESTONES = (
    "综合交通枢纽规划编制", "智慧城市平台上线", "产业园区扩容工程", "水资源配置工程",
    "政务服务一网通办改革", "污水处理厂提标改造", "区域医疗中心建设", "城市更新试点",
)  # fmt: skip
INTEGER_UNITS = frozenset({"个", "家", "套"})
NOTES = (
    "按计划推进", "已完成年度阶段目标", "受天气影响进度略缓", "资金已到位，正在施工",
    "已报省审批", "正在开展前期工作", "进度符合预期",
)  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """A registry entry as written to the YAML."""

    name: str
    full_name: str
    kind: str
    members: tuple[str, ...] = ()


def quarter_periods(count: int, first_year: int = FIRST_YEAR) -> list[str]:
    """`count` consecutive quarters from the first quarter of `first_year`: 2015Q1, 2015Q2 ..."""
    return [f"{first_year + i // 4}Q{i % 4 + 1}" for i in range(count)]


def quarter_end(period: str) -> date:
    """Last day of a quarter like 2015Q2."""
    return (pd.Period(period, freq="Q").end_time).date()


def unit_registry() -> list[Unit]:
    """Province departments, city governments and departments, zones and groups (~330)."""
    units = [Unit(name, full, "municipal_department") for name, full in PROVINCE_DEPARTMENTS]
    units += [Unit(f"{c}市政府", f"{c}市人民政府", "county_government") for c in CITIES]
    units += [
        Unit(f"{city}市{short}", f"{city}市{full}", "municipal_department")
        for city in CITIES
        for short, full in DEPARTMENTS
    ]
    units += [
        Unit(f"{c}高新区管委会", f"{c}高新技术产业开发区管理委员会", "zone_committee")
        for c in ZONE_CITIES
    ]
    groups = [
        Unit("各地级以上市政府", "广东省各地级以上市人民政府", "group", _govs(CITIES)),
        Unit("珠三角各市政府", "珠江三角洲各市人民政府", "group", _govs(PRD_CITIES)),
        Unit(
            "粤东西北各市政府",
            "粤东粤西粤北各市人民政府",
            "group",
            _govs(tuple(c for c in CITIES if c not in PRD_CITIES)),
        ),
    ]
    groups += [
        Unit(
            f"各市{short}",
            f"广东省各地级以上市{full}",
            "group",
            tuple(f"{c}市{short}" for c in CITIES),
        )
        for short, full in DEPARTMENTS
    ]
    return units + groups


def _govs(cities: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{c}市政府" for c in cities)


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticPlan:
    """Frames of a generated plan, in the column names lib.plan.model uses."""

    period_start: date
    period_end: date
    units: list[Unit]
    sections: pd.DataFrame  # section_id, title
    tasks: pd.DataFrame  # task_id, section_id, title, text, units (tuple)
    indicators: pd.DataFrame  # indicator_id, task_id, name, kind, target, unit, direction,
    # baseline (NaN = none), deadline (Timestamp), source, lead_unit


def synthetic_plan(task_count: int, period_count: int, rng: np.random.Generator) -> SyntheticPlan:
    """A plan of `task_count` tasks (~3 indicators each) over `period_count` quarters."""
    if task_count < 1 or period_count < 1:
        raise ValueError(f"need at least one task and one period, got {task_count}, {period_count}")
    periods = quarter_periods(period_count)
    units = unit_registry()
    section_count = max(1, round(task_count / TASKS_PER_SECTION))
    width = max(3, len(str(task_count)))
    task_ids = np.array([f"T{i:0{width}d}" for i in range(1, task_count + 1)], dtype=object)
    section_of_task = np.repeat(
        np.arange(section_count), [len(c) for c in np.array_split(range(task_count), section_count)]
    )
    section_width = max(2, len(str(section_count)))
    section_ids = [f"S{i:0{section_width}d}" for i in range(1, section_count + 1)]
    sections = pd.DataFrame(
        {
            "section_id": section_ids,
            "title": [f"{THEMES[i % len(THEMES)]}（第{i + 1}部分）" for i in range(section_count)],
        }
    )
    indicators = _indicators(task_ids, periods, rng)
    tasks = _tasks(task_ids, section_of_task, sections, units, indicators, rng)
    lead_of = dict(zip(tasks["task_id"], [u[0] for u in tasks["units"]], strict=True))
    indicators["lead_unit"] = indicators["task_id"].map(lead_of)
    return SyntheticPlan(
        period_start=date(FIRST_YEAR, 1, 1),
        period_end=quarter_end(periods[-1]),
        units=units,
        sections=sections,
        tasks=tasks,
        indicators=indicators,
    )


def _indicators(task_ids: np.ndarray, periods: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """1-5 indicators per task: kinds, targets, baselines, deadlines and source clauses."""
    per_task = rng.integers(1, 6, size=len(task_ids))
    task_of = np.repeat(np.arange(len(task_ids)), per_task)
    count = len(task_of)
    seq = np.arange(count) - np.repeat(np.cumsum(per_task) - per_task, per_task) + 1
    milestone = rng.random(count) < 0.25
    template = rng.integers(0, len(QUANTITIES), size=count)
    stems, units, lows, highs, directions = (
        np.array(c, dtype=object) for c in zip(*QUANTITIES, strict=True)
    )
    low, high = lows.astype(float)[template], highs.astype(float)[template]
    target = np.round(low + (high - low) * rng.random(count))
    unit = np.where(milestone, "%", units[template])
    direction = np.where(milestone, "increase", directions[template])
    decrease = direction == "decrease"
    target = np.where(milestone, 100.0, np.maximum(target, 1.0))
    # A decrease starts above its target; some increases start from a stated baseline.
    has_baseline = ~milestone & (decrease | (rng.random(count) < 0.4))
    start_share = np.where(decrease, 1.2 + 0.6 * rng.random(count), 0.1 + 0.4 * rng.random(count))
    baseline = np.where(has_baseline, np.round(target * start_share), np.nan)
    baseline = np.where(has_baseline & (baseline == target), target + 1, baseline)
    # Deadlines at quarter ends, mostly year ends, anywhere in the plan period.
    quarter = rng.integers(0, len(periods), size=count)
    year_end = np.minimum(quarter // 4 * 4 + 3, len(periods) - 1)
    deadline_q = np.where(rng.random(count) < 0.7, year_end, quarter)
    period_ends = np.array([quarter_end(p) for p in periods], dtype="datetime64[D]")
    deadline = period_ends[deadline_q]
    city = np.array(CITIES, dtype=object)[rng.integers(0, len(CITIES), size=count)]
    milestone_stems = np.array(MILESTONES, dtype=object)[rng.integers(0, len(MILESTONES), count)]
    name = np.where(milestone, city + milestone_stems, city + stems[template])
    years = pd.DatetimeIndex(deadline).year.astype(str).to_numpy(dtype=object)
    months = pd.DatetimeIndex(deadline).month.astype(str).to_numpy(dtype=object)
    target_text = np.array([_number(t) for t in target], dtype=object)
    verb = np.where(decrease, "降至", "达到")
    quantity_clause = "到" + years + "年" + months + "月底" + name + verb + target_text + unit
    milestone_clause = years + "年" + months + "月底前完成" + name
    return pd.DataFrame(
        {
            "indicator_id": task_ids[task_of] + "-" + seq.astype(str).astype(object),
            "task_id": task_ids[task_of],
            "name": name,
            "kind": np.where(milestone, "milestone", "quantity"),
            "target": target,
            "unit": unit,
            "direction": direction,
            "baseline": baseline,
            "deadline": pd.DatetimeIndex(deadline),
            "source": np.where(milestone, milestone_clause, quantity_clause),
        }
    )


def _tasks(
    task_ids: np.ndarray,
    section_of_task: np.ndarray,
    sections: pd.DataFrame,
    units: list[Unit],
    indicators: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Titles, texts quoting every indicator's source, and 1-6 distinct units (lead first)."""
    count = len(task_ids)
    names = np.array([u.name for u in units], dtype=object)
    can_lead = np.array([u.kind != "group" for u in units])
    # distinct units per task: the smallest random keys of each row; leads never a group
    keys = rng.random((count, len(units)))
    keys[:, ~can_lead] += 1.0  # groups sort after every other unit, so position 0 never is one
    lead = np.argmin(keys, axis=1)
    partner_keys = rng.random((count, len(units)))
    partner_keys[np.arange(count), lead] = 2.0
    partners = np.argsort(partner_keys, axis=1)[:, :5]
    partner_count = rng.integers(0, 6, size=count)
    task_units = [(names[lead[i]], *names[partners[i, : partner_count[i]]]) for i in range(count)]
    topic = np.array(TOPICS, dtype=object)[rng.integers(0, len(TOPICS), size=count)]
    titles = topic + "（" + task_ids + "）"
    clauses = indicators.groupby("task_id", sort=False)["source"].agg("；".join)
    texts = titles + "：" + pd.Series(task_ids).map(clauses).to_numpy(dtype=object) + "。"
    return pd.DataFrame(
        {
            "task_id": task_ids,
            "section_id": sections["section_id"].to_numpy()[section_of_task],
            "title": titles,
            "text": texts,
            "units": task_units,
        }
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# --- YAML ------------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def plan_yaml_text(plan: SyntheticPlan, label: str) -> str:
    """The plan as YAML in the schema of data/tasks_2014.yaml."""
    lines = [
        f"# Synthetic benchmark plan ({label}); made by `python -m bench generate`, not real.",
        "schema_version: 1",
        "plan:",
        f"  id: {_q('bench-' + label)}",
        f"  title: {_q('基准测试合成计划（' + label + '）')}",
        f"  issuer: {_q('基准测试 benchmark')}",
        f"  document_number: {_q('基准〔' + str(FIRST_YEAR) + '〕1号')}",
        f"  issue_date: {plan.period_start.isoformat()}",
        f"  period_start: {plan.period_start.isoformat()}",
        f"  period_end: {plan.period_end.isoformat()}",
        "thresholds:",
        "  amber_gap: 0.1",
        "  red_gap: 0.25",
        "  above_target_warning_ratio: 1.5",
        "  lead_weight: 1.0",
        "  partner_weight: 0.5",
        "units:",
    ]
    for unit in plan.units:
        lines += [
            f"- name: {_q(unit.name)}",
            f"  full_name: {_q(unit.full_name)}",
            "  aliases:",
            f"  - {_q(unit.full_name)}",
            f"  kind: {unit.kind}",
        ]
        if unit.members:
            lines.append("  members:")
            lines += [f"  - {_q(member)}" for member in unit.members]
    lines.append("sections:")
    # Tasks come in section order and indicators in task order: walk plain lists, since
    # pandas row access costs microseconds per cell at 30,000 indicators.
    tasks, ind = plan.tasks, plan.indicators
    task_rows = list(zip(tasks["task_id"], tasks["section_id"], tasks["title"], tasks["text"],
                         tasks["units"], strict=True))  # fmt: skip
    ind_rows = list(
        zip(
            ind["indicator_id"], ind["task_id"], ind["name"], ind["kind"], ind["target"],
            ind["unit"], ind["direction"], ind["baseline"],
            ind["deadline"].dt.strftime("%Y-%m-%d"), ind["source"],
            strict=True,
        )
    )  # fmt: skip
    t, i = 0, 0
    for section_id, section_title in zip(
        plan.sections["section_id"], plan.sections["title"], strict=True
    ):
        lines += [f"- id: {section_id}", f"  title: {_q(section_title)}", "  tasks:"]
        while t < len(task_rows) and task_rows[t][1] == section_id:
            task_id, _, title, text, units = task_rows[t]
            lines += [
                f"  - id: {task_id}",
                f"    title: {_q(title)}",
                f"    text: {_q(text)}",
                "    units:",
                *(f"    - {_q(u)}" for u in units),
                "    indicators:",
            ]
            while i < len(ind_rows) and ind_rows[i][1] == task_id:
                ind_id, _, name, kind, target, unit, direction, baseline, due, source = ind_rows[i]
                lines += [
                    f"    - id: {ind_id}",
                    f"      name: {_q(name)}",
                    f"      kind: {kind}",
                    f"      target: {_number(target)}",
                    f"      unit: {_q(unit)}",
                    f"      direction: {direction}",
                ]
                if not np.isnan(baseline):
                    lines.append(f"      baseline: {_number(baseline)}")
                lines += [f"      deadline: {due}", f"      source: {_q(source)}"]
                i += 1
            t += 1
    return "\n".join(lines) + "\n"


# --- progress --------------------------------------------------------------------------------


def progress_frame(
    indicators: pd.DataFrame,
    periods: list[str],
    rng: np.random.Generator,
    keep_share: float = KEEP_SHARE,
    aliases: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Cumulative figures per (indicator, quarter), quarter by quarter, as upload cells.

    `indicators` needs indicator_id, kind, unit, target, baseline (NaN or 0 = none),
    direction, deadline and lead_unit (lib.plan's frame has them). About `keep_share` of the
    cells are reported; a value never moves away from the target from one quarter to the
    next. `aliases` maps some unit names to a full name written instead, as people do.
    """
    count, quarters = len(indicators), len(periods)
    target = indicators["target"].to_numpy(dtype=float)
    baseline = np.nan_to_num(indicators["baseline"].to_numpy(dtype=float), nan=0.0)
    milestone = (indicators["kind"] == "milestone").to_numpy()
    percent = (indicators["unit"] == "%").to_numpy()
    decrease = (indicators["direction"] == "decrease").to_numpy()
    deadline_key = _quarter_index(pd.DatetimeIndex(indicators["deadline"]), periods[0])
    # Share of the way from baseline to target: a pace per indicator, noise, never backwards.
    elapsed = (np.arange(quarters) + 1)[np.newaxis, :] / np.maximum(deadline_key + 1, 1)[
        :, np.newaxis
    ]
    pace = rng.uniform(0.55, 1.15, size=count)[:, np.newaxis]
    share = pace * elapsed + rng.normal(0.0, 0.04, size=(count, quarters))
    cap = np.where(milestone | percent | decrease, 1.0, 1.25)[:, np.newaxis]
    share = np.maximum.accumulate(np.clip(share, 0.0, cap), axis=1)
    values = baseline[:, np.newaxis] + share * (target - baseline)[:, np.newaxis]
    integer = indicators["unit"].isin(INTEGER_UNITS).to_numpy()[:, np.newaxis]
    values = np.where(milestone[:, np.newaxis], np.round(share * 10) * 10, values)
    values = np.where(integer, np.round(values), np.round(values, 1))
    # Rounding is monotone, so figures still never go backwards; decreases stay >= target.
    keep = rng.random((count, quarters)) < keep_share
    period_of, indicator_of = np.nonzero(keep.T)  # quarter by quarter, plan order within
    cell_values = values[indicator_of, period_of]
    text = np.char.mod("%.10g", cell_values).astype(object)
    # A percentage of 1 or less carries its sign, as the upload rules require of an office
    # (a bare 0.3 for a percent indicator is refused: 0.3% or 30%?).
    small_percent = percent[indicator_of] & (cell_values > 0) & (cell_values <= 1)
    text[small_percent] = text[small_percent] + "%"
    done_word = milestone[indicator_of] & (cell_values == 100) & (indicator_of % 3 == 0)
    text[done_word] = "已完成"
    notes = np.array(("", *NOTES), dtype=object)
    note_pick = np.where(rng.random(len(text)) < 0.2, rng.integers(1, len(notes), len(text)), 0)
    leads = indicators["lead_unit"].to_numpy(dtype=object)
    if aliases:
        written = np.array([aliases.get(u, u) for u in leads], dtype=object)
        leads = np.where(np.arange(count) % 20 == 7, written, leads)
    return pd.DataFrame(
        {
            CSV_HEADINGS[0]: indicators["indicator_id"].to_numpy(dtype=object)[indicator_of],
            CSV_HEADINGS[1]: np.array(periods, dtype=object)[period_of],
            CSV_HEADINGS[2]: text,
            CSV_HEADINGS[3]: notes[note_pick],
            CSV_HEADINGS[4]: leads[indicator_of],
        }
    )


def _quarter_index(days: pd.DatetimeIndex, first_period: str) -> np.ndarray:
    """Quarters from `first_period` to each date's quarter (0 = the first quarter)."""
    first = int(first_period[:4]) * 4 + int(first_period[5]) - 1
    return (days.year * 4 + days.quarter - 1).to_numpy(dtype=np.int64) - first


def progress_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Upload cells as a CSV saved by Excel's "CSV UTF-8": BOM, CRLF line ends."""
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# --- entry point -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """What `generate` wrote."""

    plan_file: Path
    progress_file: Path
    tasks: int
    indicators: int
    rows: int


def generate(task_count: int, period_count: int, seed: int, out: Path) -> Generated:
    """Write out/tasks.yaml and out/progress.csv; the same arguments give the same bytes."""
    rng = np.random.default_rng(seed)
    plan = synthetic_plan(task_count, period_count, rng)
    label = f"{task_count} tasks x {period_count} quarters, seed {seed}"
    aliases = {u.name: u.full_name for u in plan.units}
    progress = progress_frame(plan.indicators, quarter_periods(period_count), rng, aliases=aliases)
    out.mkdir(parents=True, exist_ok=True)
    plan_file, progress_file = out / "tasks.yaml", out / "progress.csv"
    plan_file.write_text(plan_yaml_text(plan, label), encoding="utf-8")
    progress_file.write_bytes(progress_csv_bytes(progress))
    return Generated(plan_file, progress_file, task_count, len(plan.indicators), len(progress))
