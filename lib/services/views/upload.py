"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from lib.auth.accounts import User
from lib.core.errors import UserInputError
from lib.core.labels import tr
from lib.ingest.report import ValidationReport
from lib.output.tabular_export import csv_bytes, xlsx_bytes
from lib.output.template import template_bytes
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
    Download,
    TableView,
    problem_messages,
    table_view,
)
from lib.store.repository import ProgressStore

HISTORY_KEYS = ["id", "file_name", "uploaded_by", "uploaded_at", "row_count", "upload_status"]


@dataclass(frozen=True)
class UploadView:
    """The top of the page: introduction, templates, and whether the user may upload."""

    intro: str
    single_user_note: str | None  # without accounts: everything is the local analyst's
    templates: tuple[Download, ...]  # xlsx, csv
    may_upload: bool
    analyst_needed: str | None  # said instead of the file chooser
    choose_file_label: str


@dataclass(frozen=True, eq=False)
class CheckedUploadView:
    """An uploaded file checked against the plan: why it cannot be read, or its report
    (verdict, every problem, the report as downloads) and, when it may be imported, the
    changes it would make."""

    unreadable: tuple[str, ...]  # messages when the file cannot be read at all
    report: ValidationReport | None
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


def upload_view(plan: Plan, user: User | None, auth_mode: str, lang: str) -> UploadView:
    """Introduction, the two templates (written on click), and the user's right to upload."""
    may_upload = may_import(user)
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
    )


def checked_upload_view(
    plan: Plan, figures: pd.DataFrame, content: bytes, file_name: str, lang: str
) -> CheckedUploadView:
    """Validate an uploaded file against the plan and the stored figures."""
    confirm, preview_heading = tr("confirm_import", lang), tr("preview", lang)
    try:
        report = checked_upload(plan, content, file_name, figures)
    except UserInputError as exc:
        return CheckedUploadView(
            unreadable=problem_messages(exc.problems, lang), report=None, verdict="",
            verdict_ok=False, warnings_note=None, problems=None, report_downloads=(),
            preview_heading=preview_heading, preview=None, confirm_label=confirm,
        )  # fmt: skip
    verdict = (
        tr("validation_errors", lang, n=len(report.errors))
        if report.errors
        else tr("validation_ok", lang)
    )
    warnings = tr("validation_warnings", lang, n=len(report.warnings)) if report.warnings else None
    problems = report.problems_frame(lang)
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
        changes = upload_preview(report, figures)
        preview = table_view(changes, list(changes.columns), lang, key="preview")
    return CheckedUploadView(
        unreadable=(), report=report, verdict=verdict, verdict_ok=report.ok,
        warnings_note=warnings, problems=table, report_downloads=downloads,
        preview_heading=preview_heading, preview=preview, confirm_label=confirm,
    )  # fmt: skip


def import_checked_upload(
    store: ProgressStore,
    checked: CheckedUploadView,
    *,
    content: bytes,
    file_name: str,
    user: User,
    now: datetime,
    lang: str,
) -> ActionOutcome:
    """Import a file that passed its check (lib.services.uploads checks the user's role);
    what to say afterwards: the new upload's id, or why it was refused."""
    if checked.report is None:
        raise ValueError("only a checked, readable upload can be imported")
    try:
        upload_id = import_upload(
            store, checked.report, content=content, file_name=file_name, user=user, now=now
        )
    except UserInputError as exc:
        return ActionOutcome(None, problem_messages(exc.problems, lang))
    return ActionOutcome(tr("imported", lang, id=upload_id))


def upload_history_view(uploads: pd.DataFrame, user: User | None, lang: str) -> UploadHistoryView:
    """The ledger (newest first) and the active uploads `user` may withdraw."""
    heading, label = tr("history", lang), tr("withdraw_id", lang)
    button = tr("withdraw", lang)
    if uploads.empty:
        return UploadHistoryView(heading, tr("no_uploads", lang), None, (), label, button)
    shown = uploads.rename(columns={"status": "upload_status"})
    mine = tuple(withdrawable_upload_ids(uploads, user))
    ledger = table_view(shown, HISTORY_KEYS, lang, key="uploads")
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
