"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lib.auth.accounts import User
from lib.core.errors import UserInputError
from lib.core.labels import (
    CONFIRMATION_LABELS,
    PREVIEW_CHANGE_LABELS,
    UPLOAD_STATUS_LABELS,
    pick,
    tr,
)
from lib.core.periods import period_label, periods_between
from lib.ingest.report import ValidationReport
from lib.output.tables import figure_role_labels, unit_names
from lib.output.tabular_export import csv_bytes, xlsx_bytes
from lib.output.template import (
    reporting_units,
    template_bytes,
    unit_form_file_name,
    unit_forms_zip,
)
from lib.plan.model import Plan
from lib.services.uploads import (  # the page offers every use case: the list their test has
    checked_upload,
    import_upload,
    may_import,
    upload_preview,
    withdraw_upload,
    withdrawable_upload_ids,
)
from lib.services.views.elements import (
    XLSX_MIME,
    Choices,
    Download,
    TableView,
    office_times,
    problem_messages,
    table_view,
)
from lib.store.repository import ProgressStore

FILE_TYPES = ("xlsx", "xls", "csv")  # what the file chooser accepts
HISTORY_KEYS = ["id", "file_name", "uploaded_by", "uploaded_at", "row_count", "upload_status"]
NO_CONFIRMATION = "—"  # an upload holding no figure that needs confirming
CONFLICT_KEYS = [
    "indicator_id", "name", "period", "headline_reporter", "headline_value", "reporter", "value",
    "difference",
]  # fmt: skip


@dataclass(frozen=True)
class UploadView:
    """The top of the page: introduction, templates, and whether the user may upload."""

    intro: str
    single_user_note: str | None  # without accounts: everything is the local analyst's
    templates: tuple[Download, ...]  # xlsx, csv
    may_upload: bool
    analyst_needed: str | None  # said instead of the file chooser
    choose_file_label: str
    file_types: tuple[str, ...]  # what the file chooser accepts
    unit_label: str  # the unit of rows whose 填报单位 is empty
    unit_help: str
    units: Choices  # "" (none chosen) first, then every registered unit (no groups)
    form_unit_label: str
    form_help: str
    form_units: Choices  # the units that report some indicator, registry order
    form_period_label: str
    form_periods: Choices  # "" (not pre-filled), then the plan's quarters
    # said above the file chooser, whose own words ("Drag and drop a file here", "Limit
    # 10MB per file") Streamlit shows in English only; None where that is the chosen language
    choose_file_hint: str | None = None


@dataclass(frozen=True, eq=False)
class ConflictsView:
    """Whole-area figures of one indicator and period sent by two city-level units that
    disagree, for an analyst to resolve; `table` None when there are none."""

    heading: str
    intro: str
    table: TableView | None


@dataclass(frozen=True, eq=False)
class CheckedUploadView:
    """An uploaded file checked against the plan: why it cannot be read, or its report
    (verdict, every problem, the report as downloads) and, when it may be imported, the
    changes it would make."""

    unreadable: tuple[str, ...]  # messages when the file cannot be read at all
    report: ValidationReport | None
    sheet_label: str
    sheet_help: str
    sheets: Choices | None  # the sheets with a matching header, when there are several
    verdict: str
    verdict_ok: bool
    warnings_note: str | None
    problems: TableView | None
    report_downloads: tuple[Download, ...]  # csv, xlsx
    preview_heading: str
    preview: TableView | None  # None unless the file may be imported
    confirm_label: str


@dataclass(frozen=True)
class ActionOutcome:
    """What an import or a withdrawal says: its success message, or its problems."""

    message: str | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class UploadHistoryView:
    """The upload ledger and the uploads this user may withdraw."""

    heading: str
    note: str | None  # said instead of the ledger when there is none
    ledger: TableView | None
    withdrawable: tuple[int, ...]
    withdraw_label: str
    withdraw_button: str


def upload_view(
    plan: Plan,
    user: User | None,
    auth_mode: str,
    lang: str,
    stored: pd.DataFrame | None = None,
    max_upload_mb: int = 10,
) -> UploadView:
    """Introduction, the two templates (written on click), the choices of a unit's form
    (`stored`: the store's latest figures, whose last period sets the default quarter), the
    user's right to upload, and the file chooser's words in `lang` (`max_upload_mb`: the
    server's limit of one file, .streamlit/config.toml)."""
    may_upload = may_import(user)
    units = reporting_units(plan)
    templates = tuple(
        Download(
            tr(f"template_{fmt}", lang),
            # written on click: a province's template (30,000 rows, styled) takes seconds
            lambda fmt=fmt: template_bytes(plan, fmt),
            f"进度填报模板.{fmt}",
            mime=mime,
        )
        for fmt, mime in (("xlsx", XLSX_MIME), ("csv", "text/csv"))
    )
    return UploadView(
        intro=tr("upload_intro", lang),
        single_user_note=tr("single_user_upload", lang) if auth_mode == "none" else None,
        templates=templates,
        may_upload=may_upload,
        analyst_needed=None if may_upload else tr("analyst_needed", lang),
        choose_file_label=tr("choose_file", lang),
        file_types=FILE_TYPES,
        unit_label=tr("upload_unit", lang),
        unit_help=tr("upload_unit_help", lang),
        units=upload_unit_choices(plan, lang),
        form_unit_label=tr("unit_form_unit", lang),
        form_help=tr("unit_form_help", lang),
        form_units=Choices(tuple(units), {}, units[0] if units else ""),
        form_period_label=tr("unit_form_period", lang),
        form_periods=form_period_choices(plan, stored, lang),
        choose_file_hint=None
        if lang == "en"
        else tr("choose_file_hint", lang, types="、".join(FILE_TYPES).upper(), mb=max_upload_mb),
    )


def form_period_choices(plan: Plan, stored: pd.DataFrame | None, lang: str) -> Choices:
    """The quarters a unit's form may be for: none first, then the plan's; by default the
    quarter after the latest stored figure's (the plan's first when nothing is stored, its
    last when the latest is already the last)."""
    periods = periods_between(plan.period_start, plan.period_end)
    labels = {"": tr("unit_form_no_period", lang)} | {p: period_label(p, lang) for p in periods}
    default = periods[0] if periods else ""
    if stored is not None and not stored.empty and periods:
        latest = str(stored["period"].max())
        later = [p for p in periods if p > latest]
        default = later[0] if later else periods[-1]
    return Choices(("", *periods), labels, default)


def unit_form_download(
    plan: Plan, unit: str, period: str, stored: pd.DataFrame | None, lang: str
) -> Download:
    """One unit's form as .xlsx, written on click (`period` "" leaves 报告期 empty)."""
    return Download(
        tr("unit_form_download", lang),
        lambda: template_bytes(plan, "xlsx", "zh", period or None, unit, stored),
        unit_form_file_name(unit, period or None),
        mime=XLSX_MIME,
        key="unit_form_download",
    )


def unit_forms_download(
    plan: Plan, period: str, stored: pd.DataFrame | None, lang: str
) -> Download:
    """Every reporting unit's form in one zip, written on click."""
    return Download(
        tr("unit_forms_zip", lang),
        lambda: unit_forms_zip(plan, period or None, stored),
        f"各单位填报表_{period}.zip" if period else "各单位填报表.zip",
        mime="application/zip",
        key="unit_forms_download",
    )


def upload_unit_choices(plan: Plan, lang: str) -> Choices:
    """The reporting units one may choose at upload: none ("", each figure its indicator's
    whole-area one) first, then every registered unit in registry order; groups such as
    各县(市、区)政府 are not units that report."""
    units = plan.units.loc[plan.units["kind"] != "group", "unit"].tolist()
    return Choices(("", *units), {"": tr("upload_unit_none", lang)}, "")


def checked_upload_view(
    plan: Plan,
    figures: pd.DataFrame,
    content: bytes,
    file_name: str,
    lang: str,
    *,
    sheet: str | None = None,
    unit: str | None = None,
) -> CheckedUploadView:
    """Validate an uploaded file against the plan and the stored figures (every unit's
    latest); `sheet` the workbook sheet chosen, `unit` the reporting unit chosen for rows
    that name none."""
    confirm, preview_heading = tr("confirm_import", lang), tr("preview", lang)
    sheet_label, sheet_help = tr("upload_sheet", lang), tr("upload_sheet_help", lang)
    try:
        report = checked_upload(
            plan, content, file_name, figures, sheet=sheet or None, unit=unit or None
        )
    except UserInputError as exc:
        return CheckedUploadView(
            unreadable=problem_messages(exc.problems, lang), report=None,
            sheet_label=sheet_label, sheet_help=sheet_help, sheets=None, verdict="",
            verdict_ok=False, warnings_note=None, problems=None, report_downloads=(),
            preview_heading=preview_heading, preview=None, confirm_label=confirm,
        )  # fmt: skip
    sheets = None
    if len(report.sheets) > 1:
        read = report.sheet if report.sheet in report.sheets else report.sheets[0]
        sheets = Choices(report.sheets, {}, read)
    verdict = (
        tr("validation_errors", lang, n=len(report.errors))
        if report.errors
        else tr("validation_ok", lang)
    )
    warnings = tr("validation_warnings", lang, n=len(report.warnings)) if report.warnings else None
    problems = report.problems_frame(lang)
    problems["severity"] = problems["severity"].map(lambda s: tr(f"severity_{s}", lang))
    table, downloads = None, ()
    if not problems.empty:
        table = table_view(problems, list(problems.columns), lang, key="problems")
        name = "校验报告" if lang == "zh" else "validation_report"
        downloads = (
            Download(tr("report_csv", lang), csv_bytes(problems), f"{name}.csv", "text/csv"),
            Download(
                tr("report_xlsx", lang), xlsx_bytes({name: problems}), f"{name}.xlsx", XLSX_MIME
            ),
        )
    preview = None
    if report.ok:
        changes = shown_preview(upload_preview(plan, report, figures), lang)
        preview = table_view(changes, list(changes.columns), lang, key="preview")
    return CheckedUploadView(
        unreadable=(), report=report, sheet_label=sheet_label, sheet_help=sheet_help,
        sheets=sheets, verdict=verdict, verdict_ok=report.ok,
        warnings_note=warnings, problems=table, report_downloads=downloads,
        preview_heading=preview_heading, preview=preview, confirm_label=confirm,
    )  # fmt: skip


def shown_preview(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The preview's codes as words in `lang`: each figure's role and change, and "" units
    (none recorded) as NOT_RECORDED_UNIT (an old unit only where there is an old value)."""
    changes = changes.copy()
    changes["role"] = figure_role_labels(changes["role"], lang)
    labels = {change: pick(pair, lang) for change, pair in PREVIEW_CHANGE_LABELS.items()}
    changes["change"] = changes["change"].map(labels).fillna(changes["change"])
    changes["reporter"] = unit_names(changes["reporter"], lang)
    old = changes["old_value"].notna()
    changes["old_reporter"] = unit_names(changes["old_reporter"], lang).where(old, "")
    return changes


def conflicts_view(plan: Plan, conflicts: pd.DataFrame, lang: str) -> ConflictsView:
    """The conflicting whole-area figures (lib.status.headline's CONFLICT_COLUMNS: a
    HeadlineFigures' `conflicts`) with each indicator's name, units as shown."""
    heading, intro = tr("conflicts_heading", lang), tr("conflicts_intro", lang)
    if conflicts.empty:
        return ConflictsView(heading, intro, None)
    names = plan.indicators.set_index("indicator_id")["name"]
    rows = conflicts.assign(
        name=conflicts["indicator_id"].map(names).fillna(""),
        headline_reporter=unit_names(conflicts["headline_reporter"], lang),
        reporter=unit_names(conflicts["reporter"], lang),
    ).sort_values(["indicator_id", "period", "reporter"], kind="stable")
    return ConflictsView(heading, intro, table_view(rows, CONFLICT_KEYS, lang, key="conflicts"))


def import_checked_upload(
    store: ProgressStore,
    checked: CheckedUploadView,
    *,
    content: bytes,
    file_name: str,
    user: User,
    now: datetime,
    lang: str,
    plan: Plan | None = None,
) -> ActionOutcome:
    """Import a file that passed its check (lib.services.uploads checks the user's role);
    what to say afterwards: the new upload's id, or why it was refused, and (with `plan`)
    how many of its figures wait for the confirmer before leaders' views count them."""
    if checked.report is None:
        raise ValueError("only a checked, readable upload can be imported")
    try:
        upload_id = import_upload(
            store, checked.report, content=content, file_name=file_name, user=user, now=now
        )
    except UserInputError as exc:
        return ActionOutcome(None, problem_messages(exc.problems, lang))
    waiting = 0
    if plan is not None and plan.confirmation.required:
        ids = plan.confirmed_indicator_ids()
        waiting = int(checked.report.rows["indicator_id"].astype(object).isin(ids).sum())
    if waiting:
        confirmer = plan.confirmation.confirmer
        said = tr("imported_needs_confirmation", lang, id=upload_id, n=waiting, confirmer=confirmer)
        return ActionOutcome(said)
    return ActionOutcome(tr("imported", lang, id=upload_id))


def upload_history_view(
    uploads: pd.DataFrame,
    user: User | None,
    lang: str,
    plan: Plan | None = None,
    confirmations: pd.DataFrame | None = None,
) -> UploadHistoryView:
    """The ledger (newest first, times on the office's clock, states 有效/已撤回) and the
    active uploads `user` may withdraw; where `plan` requires confirmation, each upload's
    核准 state from `confirmations` (lib/services/cycle.py confirmation_queue), "—" for one
    with nothing to confirm."""
    heading, label = tr("history", lang), tr("withdraw_id", lang)
    button = tr("withdraw", lang)
    if uploads.empty:
        return UploadHistoryView(heading, tr("no_uploads", lang), None, (), label, button)
    statuses = {state: pick(pair, lang) for state, pair in UPLOAD_STATUS_LABELS.items()}
    shown = uploads.assign(
        uploaded_at=office_times(uploads["uploaded_at"]),
        upload_status=uploads["status"].map(statuses).fillna(uploads["status"]),
    )
    keys = HISTORY_KEYS
    if plan is not None and plan.confirmation.required and confirmations is not None:
        states = pd.Series(confirmations["state"].to_numpy(), index=confirmations["id"].to_numpy())
        labels = {state: pick(pair, lang) for state, pair in CONFIRMATION_LABELS.items()}
        found = states.reindex(shown["id"].to_numpy()).map(labels).fillna(NO_CONFIRMATION)
        shown = shown.assign(confirmation=found.to_numpy())
        keys = [*HISTORY_KEYS, "confirmation"]
    mine = tuple(withdrawable_upload_ids(uploads, user))
    ledger = table_view(shown, keys, lang, key="uploads")
    return UploadHistoryView(heading, None, ledger, mine, label, button)


def withdraw_chosen_upload(
    store: ProgressStore, upload_id: int, *, user: User, now: datetime, lang: str
) -> ActionOutcome:
    """Withdraw an upload (lib.services.uploads checks the user's right); what to say
    afterwards."""
    try:
        withdraw_upload(store, int(upload_id), user=user, now=now)
    except UserInputError as exc:
        return ActionOutcome(None, problem_messages(exc.problems, lang))
    return ActionOutcome(tr("withdrawn", lang, id=upload_id))
