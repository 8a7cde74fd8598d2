"""The upload use case: authorise, validate, preview, then import or withdraw.

Every import and withdrawal, from a page or the command line, goes through here, so the
role checks cannot be skipped: importing needs the analyst role; withdrawing needs the
analyst role and, for someone else's upload, the admin role. The store below only
records what it is given (lib/store/repository.py); the file is validated by lib/ingest/.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib.auth.accounts import (
    Role,
    User,
    can_withdraw,
    has_role,
    require_role,
    require_withdraw_permission,
)
from lib.ingest.report import ValidationReport, import_preview, validate_progress
from lib.plan.model import Plan
from lib.store.failures import refusal
from lib.store.repository import ProgressStore

SAMPLE_UPLOADER = "示例数据 / sample"  # the ledger's name for the bundled demonstration data


def may_import(user: User | None) -> bool:
    """Whether the user may import figures (analysts and admins)."""
    return has_role(user, Role.ANALYST)


def withdrawable_upload_ids(ledger: pd.DataFrame, user: User | None) -> list[int]:
    """Ids of the active uploads of `ledger` (ProgressStore.uploads) the user may withdraw,
    in ledger order: any for an admin, their own for an analyst, none for a viewer."""
    active = ledger[ledger["status"] == "active"]
    return [
        int(upload_id)
        for upload_id, uploaded_by in zip(active["id"], active["uploaded_by"], strict=True)
        if can_withdraw(user, uploaded_by)
    ]


def checked_upload(
    plan: Plan,
    content: bytes,
    file_name: str,
    stored: pd.DataFrame | None,
    sheet: str | None = None,
    *,
    bulk: bool = False,
    unit: str | None = None,
) -> ValidationReport:
    """The validation report of an uploaded file against the plan and the stored figures
    (`stored`: every unit's latest figures, for the warnings about values that went down or
    differ from another unit's). Raises ProgressFileError when the file cannot be read at
    all. `bulk`: the command line's larger limits for an operator's own file on the server.
    `unit`: the reporting unit chosen at upload, for rows that name none."""
    return validate_progress(
        content, file_name, plan, stored=stored, sheet=sheet, bulk=bulk, unit=unit
    )


def upload_preview(
    plan: Plan, report: ValidationReport, stored: pd.DataFrame | None
) -> pd.DataFrame:
    """Per row of the upload what an import would change, unit by unit (see
    lib.ingest.report.import_preview)."""
    return import_preview(plan, report, stored)


def import_upload(
    store: ProgressStore,
    report: ValidationReport,
    *,
    content: bytes,
    file_name: str,
    user: User,
    now: datetime,
) -> int:
    """Store an error-free report of the file `content` as a new upload made by `user`;
    its id. PermissionDeniedError unless the user is at least an analyst; StoreError for a
    report with errors or no rows, and for bytes identical to an active upload."""
    require_role(user, Role.ANALYST, "导入数据", "import figures")
    return _import(store, report, content, file_name, user.name, now, is_sample=False)


def import_sample(
    store: ProgressStore,
    report: ValidationReport,
    *,
    content: bytes,
    file_name: str,
    now: datetime,
    plan: Plan,
) -> int:
    """Store the report of the bundled demonstration file, recorded as SAMPLE_UPLOADER and
    marked as sample data; its id. Where `plan` requires confirmation the sample is
    confirmed in the same transaction, in the name of `sample_confirmer`, so leaders' views
    (confirmed figures only) show it from the start."""
    return _import(
        store,
        report,
        content,
        file_name,
        SAMPLE_UPLOADER,
        now,
        is_sample=True,
        confirmed_by=sample_confirmer(plan),
    )


def sample_confirmer(plan: Plan) -> str | None:
    """Who the trail says confirmed the bundled sample: the plan's confirmer, marked as
    sample data (nobody confirmed invented figures); None when the plan requires no
    confirmation."""
    if not plan.confirmation.required:
        return None
    return f"{plan.confirmation.confirmer}（示例数据）"


def withdraw_upload(store: ProgressStore, upload_id: int, *, user: User, now: datetime) -> None:
    """Withdraw an upload (its earlier values become current again). PermissionDeniedError
    unless the user is an analyst withdrawing their own upload or an admin; StoreError for
    an unknown upload or one already withdrawn."""
    require_role(user, Role.ANALYST, f"撤回第 {upload_id} 批上传", f"withdraw upload {upload_id}")
    owner = store.active_upload_owner(upload_id)
    if owner is not None:  # otherwise the store refuses it: unknown or already withdrawn
        require_withdraw_permission(user, owner, int(upload_id))
    store.withdraw(upload_id, withdrawn_by=user.name, now=now)


def _import(
    store: ProgressStore,
    report: ValidationReport,
    content: bytes,
    file_name: str,
    uploaded_by: str,
    now: datetime,
    *,
    is_sample: bool,
    confirmed_by: str | None = None,
) -> int:
    if report.errors:
        raise refusal(
            "has_errors",
            f"文件有 {len(report.errors)} 个错误，未导入任何数据",
            f"the file has {len(report.errors)} error(s); nothing was imported",
        )
    return store.import_rows(
        report.rows,
        file_name=file_name,
        content=content,
        uploaded_by=uploaded_by,
        now=now,
        is_sample=is_sample,
        confirmed_by=confirmed_by,
    )
