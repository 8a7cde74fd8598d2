"""Column headings in Chinese and English for every table the app shows or exports."""

from __future__ import annotations

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
    "new_value": ("新值", "New value"),
    "change": ("变化", "Change"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "code": ("规则", "Rule"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
}


def column_labels(keys: list[str], lang: str) -> dict[str, str]:
    """{column: heading} for the given columns in the chosen language."""
    index = 1 if lang == "en" else 0
    return {key: COLUMN_LABELS[key][index] for key in keys}
