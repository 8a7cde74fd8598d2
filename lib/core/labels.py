"""The one label catalogue: every word the app, the charts, the exports and the command line
show, in Chinese (default) and English, and the headings accepted in uploaded files.

Pure data plus small lookups (`pick`, `tr`, `column_labels`, `status_label`), so code that
builds figures, spreadsheets and pages speaks the user's language from one place without
importing streamlit. Keys are stable codes; a new label goes here, never beside its user.
"""

from __future__ import annotations

Lang = str  # "zh" or "en"
LANGS = ("zh", "en")

# The tables below share one shape, a key and its (zh, en) pair a line: they are data, kept
# apart by the surface that shows them (statuses, charts, deck, columns, pages), so the same
# words may stand under two keys where two surfaces say them.

# --- statuses, roles, kinds ---------------------------------------------------------------

# Words and colours of the status codes (their order, worst first, is lib.status.codes').
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("已逾期", "Overdue"),
    "behind": ("落后", "Behind"),
    "no_report": ("未报送", "No report"),
    "watch": ("关注", "Watch"),
    "on_track": ("正常", "On track"),
    "met": ("已完成", "Met"),
}

# One colour per status, for status only, on every page, chart, PNG and slide. The risks are
# strong reds/oranges, no report a neutral grey, on track and met muted light blue and green.
# Relative luminance (WCAG) rises as severity falls, so the order survives a grey print:
# overdue 0.050, behind 0.180, no_report 0.319, watch 0.498, on_track 0.637, met 0.761 (each
# pair >= 0.12 apart). Under simulated protanopia/deuteranopia (Machado 2009) each pair stays
# >= 0.08 apart in luminance and >= 24 apart in CIELAB dE76, where the old red #D62728 and
# green #2CA02C merged; tests/lib/output/test_colours.py checks both.
STATUS_COLORS: dict[str, str] = {
    "overdue": "#7F1212",
    "behind": "#C85000",
    "no_report": "#999999",
    "watch": "#F0B030",
    "on_track": "#B5D5F0",
    "met": "#D0EAC0",
}

RESPONSIBILITY_ROLES: dict[str, tuple[str, str]] = {
    "lead": ("牵头", "Lead"),
    "partner": ("配合", "Partner"),
}

# Account roles (lib.auth.Role by lower-case name): the English word is also what
# secrets.toml and `add-user --role` accept.
ACCOUNT_ROLE_LABELS: dict[str, tuple[str, str]] = {
    "viewer": ("查看者", "viewer"),
    "analyst": ("分析员", "analyst"),
    "confirmer": ("核准员", "confirmer"),
    "admin": ("管理员", "admin"),
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


# Chart titles, axis titles, trace names and cell marks, (zh, en); used by lib/output/charts.py.
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
    "pace": ("进度差距", "Pace"),
    "pace_legend": ("条形颜色 = 与应达进度的差距：", "Bar colour = gap to expected pace:"),
    "pace_on": ("超前或落后不超过 {amber} 个百分点", "Ahead or at most {amber} points behind"),
    "pace_watch": ("落后 {amber}–{red} 个百分点", "{amber}–{red} points behind"),
    "pace_behind": ("落后 {red} 个百分点以上", "Over {red} points behind"),
    "pace_done": ("已全部完成", "Complete"),
    "worst_header": ("最差指标状态", "Worst indicator status"),
    "cell_legend": ("单元格颜色 = 最差状态：", "Cell colour = worst status:"),
    # the heatmap's row groups, in the order they are drawn (charts.HEATMAP_ROW_GROUPS)
    "row_group_municipal": ("市直部门", "Municipal departments"),
    "row_group_county": ("县(市、区)", "Counties and districts"),
    "row_group_central": ("驻肇单位", "Central and provincial agencies"),
    "row_group_generic": ("牵头部门泛称", "Generic lead units"),
    "status_caption": ("颜色表示指标状态", "Colour shows indicator status"),
}

# Slide titles, lines and notes of the briefing deck, (zh, en); used by lib/output/briefing.py.
# Entries with {} are format strings, filled in order. The deck's table headings are
# COLUMN_LABELS, as in every other table.
BRIEFING_TEXT: dict[str, tuple[str, str]] = {
    "as_of": ("数据截至 {}", "Data as of {}"),
    "made_on": ("制作日期 {}", "Made on {}"),
    "overview": ("总体情况", "Overview"),
    "tasks": ("重点任务", "Tasks"),
    "indicators": ("跟踪指标", "Indicators"),
    "completion": ("总体完成度", "Overall completion"),
    "expected": ("应达进度", "Expected by now"),
    "status_counts": (
        "按状态统计（任务取其指标中最差的状态）",
        "By status (a task takes the worst status of its indicators)",
    ),
    "section_chart": ("各分节完成度", "Completion by section"),
    "heatmap": (
        "责任单位 × 分节 · 按最差状态着色",
        "Units and sections · colour: worst status",
    ),
    "page": ("{}（{}/{}）", "{} ({}/{})"),
    "conclusion": ("总体结论", "Conclusion"),
    "concl_pace": (
        "总体完成度 {}，按时序应达 {}，{}。",
        "Overall completion {}, {} expected by now: {}.",
    ),
    "concl_ahead": ("快于应达进度 {} 个百分点", "{} points ahead of pace"),
    "concl_behind": ("慢于应达进度 {} 个百分点", "{} points behind pace"),
    "concl_on_pace": ("与应达进度持平", "on pace"),
    "concl_no_pace": ("尚无可比较的进度", "no pace to compare yet"),
    "concl_counts": (
        "{} 项重点任务、{} 项跟踪指标中：已逾期 {} 项，落后 {} 项，未报送 {} 项；另有关注 {} 项。",
        "Of {} tasks and {} indicators: {} overdue, {} behind, {} not reported; {} more on watch.",
    ),
    "concl_where": ("落后、逾期和未报送主要集中在：{}。", "Mostly in: {}."),
    "concl_units": ("涉及最多的牵头单位：{}。", "Lead units with most of them: {}."),
    "concl_item": ("{}（{} 项）", "{} ({})"),
    "concl_none": (
        "没有落后、已逾期或未报送的跟踪指标。",
        "No indicator is behind, overdue or unreported.",
    ),
    "sections": ("各分节任务进展", "Tasks by section"),
    "continued": ("（续）", " (continued)"),
    "section": ("{}、{}", "Section {}: {}"),
    "section_line": (
        "{} 项任务 · 完成度 {} · 应达进度 {} · 状态：{}",
        "{} tasks · completion {} · expected {} · status: {}",
    ),
    "at_risk": ("风险预警", "At-risk indicators"),
    "no_risk": (
        "本期无落后、逾期或未报送的指标。",
        "No indicator is behind, overdue or unreported.",
    ),
    "sources": ("数据来源", "Data sources"),
    "sample": ("示例数据，非真实统计", "Sample data, not real statistics"),
    "src_plan": ("计划文件：{}（{}，{}）", "Plan: {} ({}, {})"),
    "src_as_of": (
        "数据截至：{}（按各指标截至该季度末的最新累计数）",
        "As of: {} (latest cumulative figures up to the quarter end)",
    ),
    "src_batches": ("使用的数据批次：{}", "Upload batches used: {}"),
    "src_no_batches": (
        "使用的数据批次：无（尚无上报数据）",
        "Upload batches used: none (no figures reported)",
    ),
    "src_made": ("由督办看板生成，制作日期 {}", "Generated by 督办看板 on {}"),
}

# --- uploaded files --------------------------------------------------------------------------

# canonical column -> accepted headings (compared after `_header_key`)
# The headings an upload's input columns may have: the English key and the template's
# Chinese heading first, then the synonyms offices write. A synonym beside its column's
# template heading is ignored (the template's wins); two synonyms of one column are refused
# as a duplicate. Headings not listed here (序号, 指标名称 beside 指标编号, 单位, 目标值) are
# ignored; 指标名称 identifies the indicator only when the file has no 指标编号 column.
INPUT_HEADINGS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator_id", "指标编号", "编号", "指标代码"),
    "period": ("period", "报告期", "时间", "报告期间", "填报期", "报告时间", "统计期"),
    "value": (
        "value", "完成值", "截至本季度完成", "截至本季度末完成", "累计完成", "完成数",
        "实际完成", "累计完成值", "完成数值",
    ),
    "note": ("note", "进展情况", "完成情况", "进展", "工作进展", "备注"),
    "reporter": ("reporter", "填报单位", "报送单位", "责任单位"),
}  # fmt: skip
# Words accepted in 完成值 for a milestone (percent done); the template states this list.
MILESTONE_WORDS: dict[str, float] = {"已完成": 100.0, "完成": 100.0, "未开始": 0.0, "未启动": 0.0}
# Multipliers a unit may start with (万元 = 10^4 元) or a figure may end with (1.2万).
UNIT_MULTIPLIERS: dict[str, int] = {"万": 10**4, "亿": 10**8}
# Units a figure or a 完成值 heading may be written in, besides the plan's own (each may
# carry a multiplier): a text after a number that is none of these is no unit.
COUNTED_UNITS: tuple[str, ...] = (
    "%", "元", "人", "人次", "户", "套", "个", "家", "件", "宗", "条", "项", "所", "座", "台",
    "辆", "间", "张", "处", "床", "名", "位", "艘", "栋", "幢", "次", "批", "期", "份", "场",
    "亩", "公顷", "平方米", "平方公里", "立方米", "米", "公里", "千米", "吨", "千瓦", "千瓦时",
    "度", "标准箱", "人日",
)  # fmt: skip
# Words in brackets after 完成值 that name no unit (完成值（累计）): read as plain 完成值.
VALUE_HEADING_PLAIN_WORDS: tuple[str, ...] = (
    "累计", "累计值", "累计数", "累计完成", "截至本季度末", "截至季末", "截至本季度末累计",
    "必填", "数值", "数字", "实际", "实际值", "实际完成",
    # this quarter's figure only: no unit (the column is made cumulative or refused)
    "本季度", "本季", "当季", "单季", "季度", "本季度完成", "当季完成",
)  # fmt: skip
# Read-only helper columns the template puts beside the inputs (ignored when read back).
TEMPLATE_HELPER_HEADINGS: dict[str, tuple[str, str]] = {
    "name": ("指标名称", "indicator_name"),
    "unit": ("单位", "unit"),
    "target": ("目标值", "target"),
    "deadline": ("完成时限", "deadline"),
    "task": ("所属任务", "task"),
    "lead_unit": ("牵头单位", "lead_unit"),
}


# --- column headings of every table shown or exported ------------------------------------

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "indicator_id": ("指标编号", "Indicator"),
    "task_id": ("任务编号", "Task"),
    "section_id": ("分节", "Section"),
    "title": ("任务", "Task title"),
    "task_title": ("任务", "Task title"),
    "name": ("指标名称", "Indicator name"),
    "kind_label": ("类型", "Kind"),
    "target": ("目标值", "Target"),
    "unit": ("单位", "Unit"),
    "deadline": ("完成时限", "Deadline"),
    "lead_unit": ("牵头单位", "Lead unit"),
    "value": ("完成值", "Value"),
    "value_period": ("数据期", "Figure period"),
    "progress_pct": ("完成进度", "Progress"),
    "expected_pct": ("应达进度", "Expected"),
    "completion_pct": ("完成度", "Completion"),
    "status_label": ("状态", "Status"),
    "previous_status_label": ("上期状态", "Previous status"),
    "reason": ("原因", "Reason"),
    "needed_per_quarter": ("每季度还需完成", "Needed per quarter"),
    "forecast": ("到期预测值", "Forecast at deadline"),
    "source": ("文件原文", "Source clause"),
    "upload_id": ("上传批次", "Upload"),
    "note": ("进展情况", "Note"),
    "reporter": ("填报单位", "Reporter"),
    "unit_name": ("责任单位", "Unit"),
    "kind": ("类别", "Kind"),
    "tasks_led": ("牵头任务数", "Tasks led"),
    "tasks_partner": ("配合任务数", "Tasks as partner"),
    "indicators_led": ("牵头指标数", "Indicators led"),
    "weighted_load": ("加权工作量", "Weighted load"),
    "tasks_behind_or_overdue": ("落后/逾期任务数", "Tasks behind/overdue"),
    "worst_status_label": ("最差状态", "Worst status"),
    "role_label": ("角色", "Role"),
    "indicator_count": ("指标数", "Indicators"),
    "task_count": ("任务数", "Tasks"),
    "id": ("批次号", "Upload id"),
    "file_name": ("文件名", "File"),
    "uploaded_by": ("上传人", "Uploaded by"),
    "uploaded_at": ("上传时间", "Uploaded at"),
    "row_count": ("行数", "Rows"),
    "upload_status": ("批次状态", "Upload status"),
    "period": ("报告期", "Period"),
    "old_value": ("原值", "Stored value"),
    "old_reporter": ("原值填报单位", "Stored value from"),
    "expected": ("应报数", "Owed"),
    "sent": ("已报数", "Sent"),
    "missing": ("未报数", "Missing"),
    "missing_ids": ("未报指标", "Missing indicators"),
    "state": ("报送状态", "State"),
    "last_upload": ("最近报送时间", "Last sent"),
    "due": ("报送截止日", "Due by"),
    "role": ("数据性质", "Figure for"),
    "reported_by": ("数据来源单位", "Figure from"),
    "basis": ("口径", "Basis"),
    "parts_missing": ("未报送的县区", "Areas not yet reported"),
    "headline_reporter": ("全市数据填报单位", "Whole-area reporter"),
    "headline_value": ("全市数据", "Whole-area figure"),
    "difference": ("差额", "Difference"),
    "new_value": ("新值", "New value"),
    "change": ("变化", "Change"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "code": ("规则", "Rule"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
    "status": ("状态", "Status"),
    "p": ("进度 p", "Progress p"),
    "e": ("应达 e", "Expected e"),
    # figures by reporting unit (sections page breakdown, units page, upload conflicts)
    "upload_date": ("上传日期", "Uploaded on"),
    "figures_sent": ("报送数据数", "Figures sent"),
    "breakdown_figures": ("其中分项", "Of which breakdown"),
    "last_upload_date": ("最近上传日期", "Latest upload"),
    "confirmation": ("核准", "Confirmation"),
}


# What a figure counts for (lib/plan/reporting.py roles), how a headline figure was made,
# and what an import does to a stored figure, as the preview and the breakdown show them.
FIGURE_ROLE_LABELS: dict[str, tuple[str, str]] = {
    "headline": ("全市数据", "whole area"),
    "breakdown": ("分项（本地区）", "breakdown (own area)"),
    "other": ("本单位数据（非全市）", "unit's own (not whole area)"),
}
FIGURE_BASIS_LABELS: dict[str, tuple[str, str]] = {
    "reported": ("填报数", "as reported"),
    "sum_of_parts": ("各县区合计", "sum of the areas"),
}
PREVIEW_CHANGE_LABELS: dict[str, tuple[str, str]] = {
    "new": ("新增", "new"),
    "changed": ("修改本单位原值", "corrects the unit's figure"),
    "unchanged": ("无变化", "unchanged"),
    "beside": ("另存（不替换他单位数据）", "kept beside another unit's"),
}
# 报送情况: a unit's state for a quarter (lib/status/submissions.py), worst first.
SUBMISSION_STATE_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("逾期未报齐", "overdue"),
    "not_yet": ("待报送", "not yet due"),
    "partial": ("部分报送", "partly sent"),
    "late": ("逾期报送", "sent late"),
    "on_time": ("按时报送", "on time"),
}
NOT_RECORDED_UNIT: tuple[str, str] = ("未注明（按牵头单位）", "not recorded (lead unit's)")
# 核准: whether the figure shown counts in leaders' views (lib/status/confirmation.py).
CONFIRMATION_LABELS: dict[str, tuple[str, str]] = {
    "confirmed": ("已核准", "confirmed"),
    "pending": ("待核准", "awaiting confirmation"),
    "returned": ("已退回", "returned"),
    "not_required": ("无需核准", "not required"),
}
# An upload batch's state in the ledger (lib/store/repository.py `uploads.status`).
UPLOAD_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "active": ("有效", "Active"),
    "withdrawn": ("已撤回", "Withdrawn"),
}


def column_labels(keys: list[str], lang: str) -> dict[str, str]:
    """{column: heading} for the given columns in the chosen language."""
    index = 1 if lang == "en" else 0
    return {key: COLUMN_LABELS[key][index] for key in keys}


# --- page text -------------------------------------------------------------------------------

UI_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("督办看板", "Key-task supervision dashboard"),
    "plan_subtitle": ("{number}《{title}》", "{title} ({number})"),
    "nav_overview": ("总览", "Overview"),
    "nav_sections": ("分项进展", "Sections"),
    "nav_units": ("责任单位", "Units"),
    "nav_risks": ("风险预警", "At risk"),
    "nav_tasks": ("任务清单", "Tasks"),
    "nav_upload": ("数据上传", "Upload"),
    "language": ("语言 / Language", "Language / 语言"),
    "filters": ("筛选", "Filters"),
    "as_of": ("数据截至", "As of"),
    "sections_filter": ("分节", "Sections"),
    "all_sections": ("全部分节", "All sections"),
    "unit_filter": ("责任单位", "Responsible unit"),
    "plan_choice": ("计划（文件）", "Plan (document)"),
    # the plans page: the library, drafting a plan from a document, review and publishing
    "nav_plans": ("计划库", "Plans"),
    "pr_library": ("库中计划", "Plans in the library"),
    "pr_col_plan_id": ("计划编号", "Plan id"),
    "pr_col_document_number": ("文号", "Document number"),
    "pr_col_title": ("标题", "Title"),
    "pr_col_period": ("计划期", "Period"),
    "pr_col_file": ("文件", "File"),
    "pr_col_home": ("原有计划", "Home plan"),
    "pr_col_severity": ("级别", "Severity"),
    "pr_col_where": ("位置", "Where"),
    "pr_col_message": ("说明", "Message"),
    "pr_draft_heading": ("从文件起草计划", "Draft a plan from a document"),
    "pr_admin_only": (
        "只有督查室（管理员）可以起草和发布计划。",
        "Only the supervision office (admin) may draft and publish plans.",
    ),
    "pr_draft_help": (
        "上传一份重点工作任务文件（txt、docx、pdf 或 html），系统按原文起草计划：任务、责任单位"
        "（牵头在前）和带数字或时限的指标，每项注明出处；带“待核对”说明的项目请逐项核对后发布。",
        "Upload a key-task document (txt, docx, pdf or html): the plan is drafted from its text "
        "— tasks, units (lead first) and indicators for every number or deadline, each with "
        "its source; check every item with a review note, then publish.",
    ),
    "pr_document": ("任务文件", "Document"),
    "pr_count_sections": ("部分", "Sections"),
    "pr_count_tasks": ("任务", "Tasks"),
    "pr_count_indicators": ("指标", "Indicators"),
    "pr_count_units": ("单位", "Units"),
    "pr_count_review_notes": ("待核对", "Review notes"),
    "pr_count_errors": ("错误", "Errors"),
    "pr_text": ("原文", "Document text"),
    "pr_task": ("逐项审核：任务", "Review task"),
    "pr_title": ("任务标题", "Task title"),
    "pr_units": ("责任单位（第一个为牵头单位）", "Responsible units (the first leads)"),
    "pr_units_help": (
        "用“、”分隔，括号内的“、”不分隔，如 各县(市、区)政府",
        "separated by 、 (a 、 inside brackets does not separate, as in 各县(市、区)政府)",
    ),
    "pr_save_task": ("保存本任务", "Save this task"),
    "pr_units_registry": ("单位名录", "Unit registry"),
    "pr_save_units": ("保存单位名录", "Save the registry"),
    "pr_problems": ("检查结果", "Checks"),
    "pr_no_problems": ("检查通过，没有问题。", "The plan passes every check."),
    "pr_download": ("下载计划草稿（YAML）", "Download the draft (YAML)"),
    "pr_publish": ("发布为新计划", "Publish as a new plan"),
    "pr_publish_help": (
        "写入计划库的一个新文件；不会覆盖已发布的计划，同编号时发布为新版本（-v2 …）",
        "writes a new file into the library; a published plan is never replaced — the same "
        "id becomes a new version (-v2 …)",
    ),
    "pr_published": ("已发布为计划 {plan_id}（{file}）", "Published as plan {plan_id} ({file})"),
    "pr_open_plan": ("打开新计划", "Open the new plan"),
    "all_units": ("全部单位", "All units"),
    "lead_only": ("仅看牵头任务", "Lead tasks only"),
    "share_hint": (
        "筛选条件已写入网址，复制浏览器地址即可分享当前视图。",
        "The filters are in the URL: copy the address to share this exact view.",
    ),
    "as_of_banner": ("数据截至 {period}", "Data as of {period}"),
    "no_figures": (
        "暂无进度数据：数据库中尚未导入任何季度报表。请在“数据上传”页面导入。",
        "No figures yet: no quarterly report has been imported. Use the Upload page.",
    ),
    "empty_scope": (
        "当前筛选条件下没有任务。",
        "No task matches the current filters.",
    ),
    "kpi_tasks": ("重点任务", "Tasks"),
    "kpi_indicators": ("跟踪指标", "Indicators"),
    "kpi_completion": ("总体完成度", "Overall completion"),
    "kpi_expected": ("按时序应达", "Expected by now"),
    "kpi_at_risk": ("需督办指标", "Indicators needing follow-up"),
    # the overview's first screen: the completion KPI's delta, the conclusion, the top risks
    "kpi_gap_delta": ("{gap} 个百分点（比应达）", "{gap} pts vs expected"),
    "conclusion_behind": (
        "{tasks} 项任务中 {n} 项落后或逾期，主要在 {where}",
        "{n} of {tasks} tasks are behind or overdue, mainly in {where}",
    ),
    "conclusion_none_behind": (
        "{tasks} 项任务均未落后或逾期",
        "None of the {tasks} tasks is behind or overdue",
    ),
    "conclusion_section": ("{section}（{n} 项）", "{section} ({n})"),
    "conclusion_indicators": (
        "{indicators} 项指标中 {parts}",
        "of {indicators} indicators, {parts}",
    ),
    "conclusion_no_report": ("{n} 项未报送", "{n} not reported"),
    "conclusion_watch": ("{n} 项需关注", "{n} on watch"),
    "top_risks": ("最需督办的指标", "Indicators most in need of follow-up"),
    "top_risks_all": ("查看全部 {n} 项需督办指标", "All {n} indicators needing follow-up"),
    "status_count_help": (
        "在风险预警页查看这些指标",
        "Open these indicators on the At-risk page",
    ),
    "status_changes": ("本期状态变化的指标", "Indicators whose status changed this period"),
    "no_status_changes": (
        "与上期相比没有状态变化。",
        "No status changed since the previous period.",
    ),
    "no_previous": (
        "这是第一个报告期，没有可比较的上期。",
        "First reporting period: nothing to compare.",
    ),
    "task_detail": ("任务详情", "Task detail"),
    "choose_task": ("选择任务", "Choose a task"),
    "task_text": ("任务原文", "Task text"),
    "units_label": ("责任单位（★牵头）", "Responsible units (★ lead)"),
    "indicators_label": ("指标", "Indicators"),
    "workload_table": ("责任单位工作量", "Unit workload"),
    "heatmap_color": ("热力图着色", "Heatmap colour"),
    "tasks_of_sections": (
        "{sections} 个分节的 {tasks} 项任务（点击列标题排序，右上角可搜索）",
        "{tasks} tasks in {sections} sections (click a heading to sort; search at the top right)",
    ),
    "heatmap_units": ("热力图显示单位", "Units in heatmap"),
    "heatmap_part_note": (
        "热力图显示负荷最重的 {units} 个单位（共 {units_total} 个）及其负荷最重的 {sections} 个分节"
        "（共 {sections_total} 个）。其余单位见下方工作量表；在侧栏选择分节可查看其他分节。",
        "The heatmap shows the {units} units with the heaviest load (of {units_total}) and the "
        "{sections} sections where they carry most (of {sections_total}). Every unit is in the "
        "workload table below; choose sections in the sidebar to see others.",
    ),
    "color_load": ("按工作量", "By load"),
    "color_status": ("按最差状态", "By worst status"),
    "expand_groups": (
        "将“各县(市、区)政府”展开为各县(市、区)",
        "Expand county groups to member governments",
    ),
    "scorecard": ("单位记分卡", "Unit scorecard"),
    "choose_unit": ("选择单位", "Choose a unit"),
    "risk_intro": (
        "以下指标处于关注、落后、逾期或未报送状态，按严重程度排序。",
        "Indicators on watch, behind, overdue or without report, worst first.",
    ),
    "no_risks": (
        "当前筛选条件下没有需要督办的指标。",
        "No indicator needs follow-up under these filters.",
    ),
    "status_filter": ("状态", "Status"),
    "download_csv": ("下载督办清单 (CSV)", "Download follow-up list (CSV)"),
    "download_xlsx": ("下载督办清单 (Excel)", "Download follow-up list (Excel)"),
    "search": ("搜索（任务编号、标题、原文或单位）", "Search (task id, title, text or unit)"),
    "no_search_hits": ("没有匹配的任务。", "No task matches the search."),
    "upload_intro": (
        "上传季度进度报表（Excel 或 CSV）。系统先逐格校验，所有错误一次列出；"
        "无错误时可预览变化并确认导入。",
        "Upload a quarterly progress file (Excel or CSV). Every cell is checked and all problems "
        "are listed at once; with no errors you can preview the changes and confirm the import.",
    ),
    "template_xlsx": ("下载填报模板 (Excel)", "Download template (Excel)"),
    "template_csv": ("下载填报模板 (CSV)", "Download template (CSV)"),
    "choose_file": ("选择文件", "Choose a file"),
    # said above the file chooser, whose own words Streamlit shows only in English
    "choose_file_hint": (
        "把文件拖到下方框内（Drag and drop a file here），或点击框内的“Upload”按钮选择文件；"
        "格式 {types}，每个文件不超过 {mb} MB（Limit {mb}MB per file）。",
        "Drag a file onto the box below or click its Upload button; {types}, "
        "at most {mb} MB per file.",
    ),
    "validation_ok": ("校验通过，可以导入。", "Validation passed: ready to import."),
    "validation_errors": (
        "发现 {n} 个错误，文件未导入。请修改后重新上传。",
        "{n} error(s) found; nothing was imported. Fix the file and upload it again.",
    ),
    "validation_warnings": ("{n} 个提示（不影响导入）", "{n} warning(s) (import still allowed)"),
    "report_csv": ("下载校验报告 (CSV)", "Download validation report (CSV)"),
    "report_xlsx": ("下载校验报告 (Excel)", "Download validation report (Excel)"),
    "preview": ("导入预览：与已存数据相比的变化", "Preview: changes against stored figures"),
    "confirm_import": ("确认导入", "Confirm import"),
    "reporter_name": ("填报人", "Submitted by"),
    "imported": ("已导入，批次号 {id}。", "Imported as upload #{id}."),
    "history": ("上传记录", "Upload history"),
    "withdraw": ("撤回所选批次", "Withdraw selected upload"),
    "withdraw_id": ("要撤回的批次号", "Upload id to withdraw"),
    "withdrawn": (
        "批次 {id} 已撤回，之前的数值已恢复。",
        "Upload #{id} withdrawn; earlier values restored.",
    ),
    "no_uploads": ("尚无上传记录。", "No uploads yet."),
    "source_doc": ("数据来源", "Source"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "account": ("账户名", "Account"),
    "password": ("密码", "Password"),
    "login_failed": ("账户名或密码错误。", "Wrong account name or password."),
    "login_needed": ("请先登录。", "Please log in."),
    "guest": ("当前以访客身份浏览（只读）。", "Browsing as a guest (read only)."),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "single_user": (
        "未配置账户：本机以单一本地分析员身份运行。",
        "No accounts configured: running as the single local analyst.",
    ),
    "single_user_upload": (
        "未配置账户：本机以单一本地分析员身份运行，上传与撤回均记录为“本地分析员”。"
        "多人使用时请配置账户（见 SECURITY.md）。",
        "No accounts are configured: this app runs as a single local analyst and records "
        "uploads and withdrawals as 'local analyst'. Configure accounts for shared use "
        "(see SECURITY.md).",
    ),
    "analyst_needed": (
        "上传与撤回需要分析员权限。请以分析员或管理员账户登录。",
        "Uploading and withdrawing need the analyst role: log in as an analyst or admin.",
    ),
    "chart_png": ("下载幻灯片图片 (PNG)", "Download slide image (PNG)"),
    "present_view": ("演示视图（16:9）", "Presentation view (16:9)"),
    "present_help": (
        "隐藏侧栏与工具栏，按 16:9 固定宽度排版，便于截图放入汇报材料或打印（A4 横向）。",
        "Hides the sidebar and toolbar and lays the page out at a fixed 16:9 width for "
        "screenshots and printing (A4 landscape).",
    ),
    "leave_present": ("退出演示视图", "Leave presentation view"),
    "brief_pptx": ("下载汇报材料 (PPT)", "Download briefing deck (PPT)"),
    # --- figures by reporting unit: upload page, task breakdown, who reported ---
    "upload_unit": ("填报单位（文件未注明时）", "Reporting unit (when the file names none)"),
    "upload_unit_none": (
        "未选择：按各指标牵头单位的全市数据",
        "none: each indicator's whole-area figure",
    ),
    "upload_unit_help": (
        "文件的“填报单位”列为空或没有该列时，各行按所选单位的数据保存。县区、部门报送本地区或"
        "本部门的数据时请选择本单位；不选则各数据作为其指标的全市数据。",
        "Rows whose 填报单位 is empty (or a file without that column) are stored as the chosen "
        "unit's figures. A county or bureau sending its own figures should choose itself; "
        "with none chosen each figure is its indicator's whole-area figure.",
    ),
    "upload_sheet": ("数据工作表", "Data sheet"),
    "upload_sheet_help": (
        "工作簿中有多个工作表的表头符合填报模板，请选择要导入的一个。",
        "Several sheets of the workbook have a matching header: choose the one to import.",
    ),
    "severity_error": ("错误", "error"),
    "severity_warning": ("警告", "warning"),
    "severity_notice": ("说明", "notice"),
    "validation_notices": ("{n} 条说明", "{n} notice(s)"),
    "conflicts_heading": ("数据冲突", "Conflicting whole-area figures"),
    "conflicts_intro": (
        "同一指标、同一报告期有两个市级单位报送了不同的全市数据。看板采用计划指定的填报单位"
        "（默认为牵头单位）的数据；请核实后由相关单位更正。",
        "Two city-level units sent different whole-area figures for the same indicator and "
        "period. The dashboard uses the figure of the reporter the plan names (by default the "
        "lead unit); please check and have the units correct it.",
    ),
    "breakdown_heading": ("各单位报送数据（截至 {period}）", "Figures by unit (to {period})"),
    "breakdown_intro": (
        "每个单位截至本期的最新数据，全市数据在前。全市数据用于状态、图表和汇报材料；县区数据"
        "为本地区分项，单独保存，不替换全市数据。",
        "Each unit's latest figure up to this period, the whole-area figure first. The "
        "whole-area figure drives statuses, charts and the deck; a county's figure is a "
        "breakdown of its own area and never replaces it.",
    ),
    "breakdown_none": (
        "该任务的指标截至本期尚无报送数据。",
        "No figure has been reported for this task's indicators up to this period.",
    ),
    "all_areas": ("各县区", "the areas"),
    "sum_of_parts_missing": ("各县区合计，缺：{missing}", "sum of the areas; missing: {missing}"),
    "reported_heading": ("本期报送情况（{period}）", "Who reported for the period ({period})"),
    "reported_none": ("{period} 尚无单位报送数据。", "No unit has reported for {period} yet."),
    # 报送情况 (units page)
    "submissions_heading": ("报送进度（{period}）", "Reporting status ({period})"),
    "submissions_caption": (
        "各单位本期应报的指标（牵头或计划指定的填报单位报全市数据，县区报本地区分项）、已报、"
        "未报及是否按时；报送截止为季度结束后第 {days} 天。",
        "What each unit owes for the quarter (whole-area figures from the lead or named "
        "reporter, area figures from counties), what it sent, what is missing, and whether "
        "on time; figures are due {days} days after the quarter ends.",
    ),
    "submissions_sample": (
        "当前为示例数据，报送时间不是真实报送。",
        " The figures are sample data: these are not real submissions.",
    ),
    "submissions_states": ("按报送状态筛选", "Filter by state"),
    "submissions_every_state": ("全部状态", "Every state"),
    "submissions_none": ("没有符合条件的单位。", "No unit matches."),
    "submissions_download": ("下载报送情况 (Excel)", "Download reporting status (Excel)"),
}


def tr(key: str, lang: str, **fmt: object) -> str:
    """The string for `key` in `lang`, formatted with `fmt`."""
    zh, en = UI_TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


# --- the units page's heatmap: a row opens its unit's scorecard; images in parts -------------

CHART_TEXT["heatmap_part_of"] = ("（{k}/{n}）", " ({k}/{n})")
UI_TEXT.update(
    {
        "heatmap_click_hint": ("点击打开该单位记分卡", "Click to open this unit's scorecard"),
        "heatmap_rows_hint": (
            "点击某单位所在行的任一格，打开该单位记分卡（也可在侧栏“责任单位”中选择）；"
            "热力图可上下滚动，列标题和图例保持可见。",
            "Click any cell in a unit's row to open its scorecard (or choose the unit in the "
            "sidebar); the heatmap scrolls under its column headings and legend.",
        ),
        "scorecard_of": ("{unit} · 单位记分卡", "{unit} · unit scorecard"),
        "scorecard_back": ("返回全部单位", "Back to all units"),
        "scorecard_no_tasks": (
            "{unit} 在当前筛选条件下没有任务。",
            "{unit} has no task under the current filters.",
        ),
        "heatmap_pngs": (
            "下载幻灯片图片（{n} 张，ZIP）",
            "Download slide images ({n}, ZIP)",
        ),
    }
)


# --- which figures count: confirmed only, or unconfirmed ones too (核准) --------------------

UI_TEXT.update(
    {
        "include_unconfirmed": ("含待核准数据", "Include unconfirmed figures"),
        "include_unconfirmed_help": (
            "默认只统计经{confirmer}核准的数据；打开后显示各单位报送的最新数据，未核准者标“待核准”。",
            "By default only figures confirmed by {confirmer} count; switched on, the units' "
            "latest figures are shown, the unconfirmed ones marked “pending”.",
        ),
        "confirmed_only_banner": (
            "仅统计已核准数据（核准单位：{confirmer}）",
            "Confirmed figures only (confirmer: {confirmer})",
        ),
        "unconfirmed_banner": (
            "含待核准数据（标“待核准”者未经{confirmer}核准）",
            "Unconfirmed figures included (those marked “pending” are not yet confirmed by "
            "{confirmer})",
        ),
        "figures_as_sent": (
            "本页按各单位报送的最新数据（含待核准数据）",
            "This page shows the units' latest figures as sent (unconfirmed ones included)",
        ),
    }
)


# --- a unit's own progress form (lib/output/template.py, the upload page) -----------------

# Read-only helper columns only a unit's form has (ignored when read back: no input heading).
FORM_HELPER_HEADINGS: dict[str, tuple[str, str]] = {
    "role": ("数据口径", "counts_as"),
    "previous_value": ("上期完成值", "previous_value"),
    "previous_period": ("上期报告期", "previous_period"),
}
FORM_ROLE_WORDS: dict[str, tuple[str, str]] = {
    "headline": ("全市数据", "whole area"),
    "breakdown": ("本地区分项", "own area's breakdown"),
}
UI_TEXT.update(
    {
        "unit_form_unit": ("下载哪个单位的填报表", "Form for unit"),
        "unit_form_period": ("报告期", "Period"),
        "unit_form_no_period": ("（不预填）", "(not pre-filled)"),
        "unit_form_download": ("下载本单位填报表", "Download this unit's form"),
        "unit_forms_zip": ("全部单位（zip）", "All units (zip)"),
        "unit_form_help": (
            "只含该单位应报送的指标，已预填填报单位、报告期和上期完成值（灰色，仅供参考）。",
            "Only the indicators the unit reports, with its name, the period and its previous "
            "figures (grey, for reference) filled in.",
        ),
    }
)


# --- 催报通知, 督办单 and the 督办回复表 (lib/output/notices.py, lib/ingest/replies.py) -------

# The reply form's columns: key -> (Chinese heading written, English key, other headings
# accepted when read back). The writer and the reader share them, so they live here.
REPLY_FORM_HEADINGS: dict[str, tuple[str, ...]] = {
    "notice_id": ("督办单编号", "notice", "notice_id", "督办编号"),
    "indicator_id": ("指标编号", "indicator_id", "编号"),
    "name": ("指标名称", "name"),
    "situation": ("情况", "situation"),
    "reason": ("原因分析", "reason", "原因"),
    "measures": ("整改措施", "measures", "措施"),
    "expected_by": ("预计完成时间", "expected_by", "预计完成日期"),
}
# The tables of the Word notices (the documents are issued in Chinese; English for logs).
NOTICE_TABLE_HEADINGS: dict[str, tuple[str, str]] = {
    "seq": ("序号", "No."),
    "indicator_id": ("指标编号", "Indicator"),
    "name": ("指标名称", "Name"),
    "task": ("所属任务", "Task"),
    "target": ("目标", "Target"),
    "value": ("当前值", "Current value"),
    "expected": ("应达进度", "Expected"),
    "progress": ("实际进度", "Progress"),
    "reason": ("情况", "Situation"),
    "needed_per_quarter": ("每季度还需完成", "Needed per quarter"),
    "deadline": ("完成时限", "Deadline"),
}


# The quarter's trail (lib/store/trail.py kinds) and what its steps record.
TRAIL_KIND_LABELS: dict[str, tuple[str, str]] = {
    "confirmed": ("核准", "confirmed"),
    "returned": ("退回", "returned"),
    "reminded": ("催报", "reminder sent"),
    "chased": ("催办", "reply chased"),
    "issued": ("签发督办单", "督办单 issued"),
    "replied": ("回复", "reply"),
    "closed": ("办结", "closed"),
}
TRAIL_DETAIL_LABELS: dict[str, tuple[str, str]] = {
    "reason": ("原因", "reason"),
    "measures": ("整改措施", "measures"),
    "expected_by": ("预计完成", "expected by"),
    "missing": ("未报指标", "missing"),
    "due": ("报送时限", "due"),
    "indicators": ("督办指标", "indicators"),
    "reply_by": ("回复时限", "reply by"),
    "note": ("说明", "note"),
    "unanswered": ("未回复指标", "not yet answered"),
}
NOTICE_STATE_LABELS: dict[str, tuple[str, str]] = {
    "reply_overdue": ("回复逾期", "reply overdue"),
    "awaiting_reply": ("待回复", "awaiting reply"),
    "partly_replied": ("部分回复", "partly replied"),
    "replied": ("已回复", "replied"),
    "closed": ("已办结", "closed"),
}


# --- an indicator's 督办 state and its unit's reply (the at-risk page, the deck) -------------

# lib/status/replies.py SUPERVISION_STATES, worst first
SUPERVISION_STATE_LABELS: dict[str, tuple[str, str]] = {
    "reply_overdue": ("回复逾期", "reply overdue"),
    "awaiting_reply": ("已督办待回复", "notice sent, awaiting reply"),
    "replied": ("已回复", "replied"),
    "closed": ("已办结", "closed"),
    "none": ("未督办", "no notice"),
}
COLUMN_LABELS.update(
    {
        "supervision_label": ("督办", "Follow-up"),
        "reply_reason": ("原因分析", "Unit's reason"),
        "reply_measures": ("整改措施", "Measures"),
        "reply_expected_by": ("预计完成", "Expected done by"),
        "reply_by": ("回复期限", "Reply due"),
        "replied_by": ("回复人", "Replied by"),
        "replied_at": ("回复日期", "Replied on"),
        "reply_summary": ("督办回复", "Follow-up and reply"),
    }
)
UI_TEXT.update(
    {
        "reply_details": ("督办回复详情", "Replies in full"),
        "no_replies": (
            "所列指标本期尚无督办单或回复。",
            "No 督办单 (supervision notice) or reply yet for the indicators listed.",
        ),
    }
)
BRIEFING_TEXT.update(
    {
        "reply_cell": ("原因：{} 措施：{} 预计：{}", "Reason: {} Measures: {} Expected: {}"),
        "reply_closed": ("（已办结）", " (closed)"),
    }
)


# --- 督办 Supervision page: 催报, 核准, 督办单, replies, trail (lib/services/views/supervision.py)

COLUMN_LABELS.update(
    {
        "reminders": ("已催报次数", "Reminders sent"),
        "last_reminded": ("最近催报", "Last reminded"),
        "reminded_at": ("催报时间", "Reminded at"),
        "reminded_by": ("催报人", "Reminded by"),
        "figures_to_confirm": ("需核准数", "To confirm"),
        "confirmed_count": ("已核准", "Confirmed"),
        "pending_count": ("待核准", "Pending"),
        "returned_count": ("已退回", "Returned"),
        "confirmation_state": ("核准状态", "Confirmation"),
        "return_reason": ("退回原因", "Why returned"),
        "indicator_ids": ("督办指标", "Indicator ids"),
        "open_notice": ("未办结督办单", "Open 督办单"),
        "notice_id": ("督办单编号", "督办单 no."),
        "notice_number": ("文号", "Number"),
        "issued_at": ("签发时间", "Issued at"),
        "issued_by": ("签发人", "Issued by"),
        "notice_indicators": ("督办指标数", "Indicators listed"),
        "replied_count": ("已回复指标数", "Answered"),
        "notice_reminders": ("催办次数", "Chased"),
        "notice_state": ("办理状态", "State"),
        "trail_id": ("记录号", "Entry"),
        "trail_at": ("时间", "At"),
        "trail_step": ("步骤", "Step"),
        "trail_actor": ("经办人", "By"),
        "trail_subject": ("事项", "About"),
        "trail_details": ("内容", "Details"),
    }
)
UI_TEXT.update(
    {
        "nav_supervision": ("督办", "Supervision"),
        "sv_tab_reminders": ("报送与催报", "Reporting & reminders"),
        "sv_tab_confirm": ("核准", "Confirmation"),
        "sv_tab_notices": ("督办单", "Notices (督办单)"),
        "sv_tab_replies": ("回复", "Replies"),
        "sv_tab_trail": ("留痕", "Trail"),
        "sv_reminders_caption": (
            "{period}应报而未报齐的单位，最严重的在前（已报送即计入，不论是否已核准）；"
            "报送截止 {due}。",
            "Units still owing figures for {period}, worst first (a figure counts as sent once "
            "it arrives, confirmed or not); due by {due}.",
        ),
        "sv_reminders_none": (
            "{period}各单位均已报齐，无需催报。",
            "Every unit has sent its figures for {period}: nobody to remind.",
        ),
        "sv_remind_units": ("催报单位", "Units to remind"),
        "sv_remind_button": ("生成催报通知并记录", "Make reminder notices and record them"),
        "sv_office_only_reminders": (
            "只有督查室（管理员）可以发送催报通知。",
            "Only the supervision office (admin) may send reminders.",
        ),
        "sv_reminders_sent": (
            "已生成 {n} 份催报通知并记入留痕。",
            "{n} reminder notice(s) made and recorded in the trail.",
        ),
        "sv_download_file": ("下载 {name}", "Download {name}"),
        "sv_download_zip": ("全部下载（zip）", "Download all (zip)"),
        "sv_earlier_reminders": ("本期已发催报（{period}）", "Reminders sent for {period}"),
        "sv_no_earlier_reminders": (
            "本期尚未发过催报。",
            "No reminder has been sent for this period.",
        ),
        "sv_choose_document": ("重新下载文书", "Download a document again"),
        "sv_confirmer": (
            "核准单位：{confirmer}。{kinds}的数据经核准后才计入领导视图；退回须写明原因，"
            "领导视图仍用此前核准的数据。本人上传的数据须由他人核准。",
            "Confirmer: {confirmer}. Figures of {kinds} indicators count in leaders' views only "
            "once confirmed; a return needs a reason, and leaders' views keep the earlier "
            "confirmed figure. Nobody confirms their own upload.",
        ),
        "sv_confirmation_off": (
            "本计划不需要核准数据：各单位报送的数据直接计入。",
            "This plan needs no confirmation: the units' figures count as sent.",
        ),
        "sv_queue_none": (
            "没有含需核准数据的上传批次。",
            "No upload holds figures that need confirmation.",
        ),
        "sv_confirmer_only": (
            "只有核准人员（{confirmer}）或督查室可以核准、退回数据。",
            "Only confirmers ({confirmer}) or the office may confirm or return figures.",
        ),
        "sv_choose_upload": ("选择批次", "Choose an upload"),
        "sv_upload_choice": ("第 {id} 批 · {file} · {state}", "#{id} · {file} · {state}"),
        "sv_confirm_all": ("核准整批", "Confirm the whole upload"),
        "sv_return_all": ("退回整批", "Return the whole upload"),
        "sv_return_reason": ("退回原因（退回时必填）", "Reason for returning (needed to return)"),
        "sv_choose_figure": ("逐项核准或退回：选择数据", "One figure at a time: choose it"),
        "sv_confirm_one": ("核准此项", "Confirm this figure"),
        "sv_return_one": ("退回此项", "Return this figure"),
        "sv_confirmed_upload": (
            "第 {id} 批需核准的数据已核准，领导视图即按其统计。",
            "Upload #{id} confirmed: leaders' views count its figures now.",
        ),
        "sv_confirmed_figure": (
            "第 {id} 批的 {figure} 已核准，领导视图即按其统计。",
            "Upload #{id}: {figure} confirmed; leaders' views count it now.",
        ),
        "sv_returned_upload": (
            "第 {id} 批已退回（{reason}），领导视图仍用此前核准的数据。",
            "Upload #{id} returned ({reason}); leaders' views keep the earlier confirmed figures.",
        ),
        "sv_returned_figure": (
            "第 {id} 批的 {figure} 已退回（{reason}）。",
            "Upload #{id}: {figure} returned ({reason}).",
        ),
        "sv_notices_caption": (
            "{period}各牵头单位落后、已逾期或未报送的指标，按领导视图的数据（{basis}）、"
            "全部任务计算，不受侧栏分节和单位筛选影响。每单位每期只有一份未办结的督办单。",
            "Each lead unit's indicators behind, overdue or not reported at {period}, from the "
            "figures leaders' views count ({basis}) over the whole plan, whatever the sidebar's "
            "section and unit filters. A unit has at most one open 督办单 per period.",
        ),
        "sv_basis_confirmed": ("仅已核准数据", "confirmed figures only"),
        "sv_basis_all": ("各单位报送的数据", "the units' figures"),
        "sv_notice_targets_none": (
            "{period}没有落后、已逾期或未报送的指标，无需督办。",
            "No indicator is behind, overdue or unreported at {period}: nothing to follow up.",
        ),
        "sv_notice_units": ("签发对象（牵头单位）", "Lead units to send a 督办单"),
        "sv_issue_button": ("签发督办单", "Issue 督办单"),
        "sv_office_only_notices": (
            "只有督查室（管理员）可以签发、办结督办单。",
            "Only the supervision office (admin) may issue or close 督办单.",
        ),
        "sv_notices_issued": (
            "已签发 {n} 份督办单并记入留痕，回复期限 {reply_by}。",
            "{n} 督办单 issued and recorded in the trail; replies due by {reply_by}.",
        ),
        "sv_open_notice_of": ("（已有未办结的{number}）", " (open: {number})"),
        "sv_all_notices": ("督办单", "督办单 issued"),
        "sv_own_notices": ("本单位的督办单（{unit}）", "Your unit's 督办单 ({unit})"),
        "sv_no_notices": ("尚无督办单。", "No 督办单 yet."),
        "sv_choose_notice": ("选择督办单", "Choose a 督办单"),
        "sv_notice_choice": ("{number} · {unit} · {period}", "{number} · {unit} · {period}"),
        "sv_notice_docx": ("下载督办单 (Word)", "Download the 督办单 (Word)"),
        "sv_reply_form_xlsx": ("下载回复表 (Excel)", "Download the reply form (Excel)"),
        "sv_close_note": ("办结说明（可选）", "Closing note (optional)"),
        "sv_close_button": ("办结", "Close (办结)"),
        "sv_chase_button": ("催办回复", "Chase the reply (催办)"),
        "sv_chased": (
            "已就{number}催办未回复的指标，并记入留痕。",
            "The unit of {number} was chased for its unanswered indicators (recorded).",
        ),
        "sv_closed_done": ("{number}已办结。", "{number} closed."),
        "sv_replies_caption": (
            "回复须写明原因分析和整改措施；可逐项在此填写，也可上传填好的回复表"
            "（在“督办单”一栏下载）。回复只增不改，后一次回复不覆盖前一次。",
            "A reply gives the reason and the measures; enter it here indicator by indicator, "
            "or upload the filled reply form (download it under Notices). Replies are added, "
            "never overwritten.",
        ),
        "sv_no_open_notice": (
            "没有您可回复的未办结督办单。",
            "There is no open 督办单 you may answer.",
        ),
        "sv_reply_indicator": ("指标", "Indicator"),
        "sv_reply_reason": ("原因分析", "Reason"),
        "sv_reply_measures": ("整改措施", "Measures"),
        "sv_reply_expected": ("预计完成时间", "Expected completion"),
        "sv_reply_submit": ("提交回复", "Submit the reply"),
        "sv_reply_form_upload": (
            "或上传填好的回复表（.xlsx）",
            "Or upload a filled reply form (.xlsx)",
        ),
        "sv_reply_form_import": ("导入回复表", "Import the reply form"),
        "sv_replies_stored": ("已保存 {n} 条回复。", "{n} reply/replies stored."),
        "sv_replies_of_notice": ("该督办单的回复", "Replies to this 督办单"),
        "sv_no_replies_yet": ("该督办单尚无回复。", "No reply to this 督办单 yet."),
        "sv_nothing_stored": (
            "未保存任何回复，请修改后重试。",
            "Nothing was stored: fix these and try again.",
        ),
        "sv_trail_caption": (
            "{period}的每一步（核准、退回、催报、签发、回复、办结）：谁、何时、对谁、说了什么；"
            "只增不改。",
            "Every step for {period} (confirmed, returned, reminded, issued, replied, closed): "
            "who, when, to whom and what it said; nothing is ever changed.",
        ),
        "sv_trail_every_period": (
            "显示全部报告期（含整批核准）",
            "Every period (whole-upload decisions too)",
        ),
        "sv_trail_none": ("尚无记录。", "Nothing recorded yet."),
        "sv_every_period": ("全部报告期", "every period"),
        "sv_trail_download": ("下载留痕 (Excel)", "Download the trail (Excel)"),
        "imported_needs_confirmation": (
            "已导入，批次号 {id}。其中 {n} 项数据待{confirmer}核准后计入领导视图。",
            "Imported as upload #{id}. {n} of its figures count in leaders' views once "
            "{confirmer} confirms them.",
        ),
    }
)

# --- presentation view: fixed 16:9 panels (lib/services/views/present.py) --------------------

UI_TEXT.update(
    {
        "present_overview_title": ("总体进展", "Overall progress"),
        "present_risks_title": (
            "需督办的指标（{page}/{pages}）",
            "Indicators needing follow-up ({page}/{pages})",
        ),
        "present_risks_more": (
            "另有 {n} 项需督办的指标，见“风险预警”页。",
            "{n} more indicators need follow-up: see the At risk page.",
        ),
        "present_heatmap_part": (
            "风险最高的 {units} 个单位（共 {units_total} 个），完整分布见“责任单位”页。",
            "The {units} units most at risk (of {units_total}); every unit on the Units page.",
        ),
        "present_scorecard_more": (
            "另有 {n} 项任务，见“责任单位”页。",
            "{n} more tasks: see the Units page.",
        ),
        "present_sample": ("示例数据，非真实统计", "Sample data, not real statistics"),
    }
)
