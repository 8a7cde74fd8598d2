"""Labels in Chinese (default) and English, shared by charts, exports and pages.

Pure data plus one lookup function, so lib code that builds figures and spreadsheets can
speak the user's language without importing streamlit.
"""

from __future__ import annotations

Lang = str  # "zh" or "en"
LANGS = ("zh", "en")

# Worst first: the order risk lists and "worst status" use.
STATUS_ORDER = ("overdue", "behind", "no_report", "watch", "on_track", "met")

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("已逾期", "Overdue"),
    "behind": ("落后", "Behind"),
    "no_report": ("未报送", "No report"),
    "watch": ("关注", "Watch"),
    "on_track": ("正常", "On track"),
    "met": ("已完成", "Met"),
}

STATUS_COLORS: dict[str, str] = {
    "overdue": "#8B1A1A",
    "behind": "#D62728",
    "no_report": "#9E9E9E",
    "watch": "#F0A202",
    "on_track": "#2E86AB",
    "met": "#2CA02C",
}

ROLE_LABELS: dict[str, tuple[str, str]] = {
    "lead": ("牵头", "Lead"),
    "partner": ("配合", "Partner"),
}

KIND_LABELS: dict[str, tuple[str, str]] = {
    "quantity": ("数量指标", "Quantity"),
    "milestone": ("节点指标", "Milestone"),
}

UNIT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "municipal_department": ("市直部门", "Municipal department"),
    "party_department": ("市委部门", "Party department"),
    "county_government": ("县(市、区)政府", "County/district government"),
    "zone_committee": ("园区管委会", "Zone committee"),
    "central_agency": ("驻肇单位", "Central/provincial agency"),
    "group": ("单位组", "Group"),
}

SAMPLE_DATA_NOTICE = (
    "示例数据，非真实统计：当前显示的进度数据为演示用虚构数据。",
    "Sample data, not real statistics: the progress figures shown are invented for demonstration.",
)


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """The Chinese or English half of a (zh, en) label pair."""
    return pair[1] if lang == "en" else pair[0]


def status_label(status: str, lang: Lang) -> str:
    """Display label of a status code."""
    return pick(STATUS_LABELS[status], lang)


# Chart titles, axis titles, trace names and cell marks, (zh, en); used by lib/charts.py.
# Entries with {n} are format strings.
CHART_TEXT: dict[str, tuple[str, str]] = {
    "no_data": ("暂无数据", "No data"),
    "section_title": ("各分节完成度", "Completion by section"),
    "task_title": ("各任务完成度", "Completion by task"),
    "status_title": ("指标状态分布", "Indicators by status"),
    "trend_title": ("完成度走势", "Completion over time"),
    "workload_title": ("责任单位任务量", "Unit workload"),
    "workload_top": ("（前 {n} 名）", " (top {n})"),
    "heatmap_title": ("责任单位 × 分节 责任分布", "Responsibilities by unit and section"),
    "heatmap_by_load": ("（按加权工作量着色）", " (colour: weighted load)"),
    "heatmap_by_status": ("（按最差状态着色）", " (colour: worst status)"),
    "heatmap_part": (
        "：负荷最重的 {units}/{units_total} 个单位，{sections}/{sections_total} 个分节",
        ": heaviest {units} of {units_total} units, {sections} of {sections_total} sections",
    ),
    "completion": ("完成度", "Completion"),
    "expected": ("应达进度", "Expected pace"),
    "completion_axis": ("完成度（%）", "Completion (%)"),
    "indicator_count": ("指标数", "Indicators"),
    "task_count": ("任务数", "Tasks"),
    "period_axis": ("报告期", "Period"),
    "status": ("状态", "Status"),
    "worst_status": ("最差状态", "Worst status"),
    "weighted_load": ("加权工作量", "Weighted load"),
    "lagging_tasks": ("落后/逾期任务", "Tasks behind/overdue"),
    "lead_unit": ("牵头单位", "Lead unit"),
    "unit_axis": ("责任单位", "Unit"),
    "section_axis": ("分节", "Section"),
    "lead_mark": ("牵{n}", "L{n}"),
    "partner_mark": ("配{n}", "P{n}"),
    "lead_tasks": ("牵头", "Lead"),
    "partner_tasks": ("配合", "Partner"),
}
