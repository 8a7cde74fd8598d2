"""The upload use case on a real store: roles guard every import and withdrawal, a report
with errors is never imported, and the preview compares the upload with the stored figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.core.errors import PermissionDeniedError, StoreError
from lib.ingest.report import ValidationReport
from lib.plan.model import Plan

# The names the upload view imports as well: these tests drive the use case the page drives.
from lib.services.uploads import (
    checked_upload,
    import_upload,
    may_import,
    upload_preview,
    withdraw_upload,
    withdrawable_upload_ids,
)
from lib.store.repository import ProgressStore
from tests.support import admin, analyst, forest_plan, progress_csv, viewer

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return forest_plan()


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "uploads.sqlite3")


def checked(store: ProgressStore, plan: Plan, content: bytes) -> ValidationReport:
    return checked_upload(plan, content, "x.csv", store.current_values())


def upload_as(user, store: ProgressStore, plan: Plan, *rows: tuple[str, str, object]) -> int:
    content = progress_csv(rows)
    report = checked(store, plan, content)
    return import_upload(store, report, content=content, file_name="x.csv", user=user, now=NOW)


def test_import_needs_the_analyst_role(store, plan):
    for user, code in ((viewer("v"), "permission_denied"), (None, "login_required")):
        with pytest.raises(PermissionDeniedError) as refused:
            upload_as(user, store, plan, ("T01-1", "2014Q1", "10"))
        assert refused.value.problems[0].code == code
    assert store.uploads().empty and store.data_version() == 0
    upload_id = upload_as(analyst("wang"), store, plan, ("T01-1", "2014Q1", "10"))
    assert store.uploads().loc[0, ["id", "uploaded_by"]].tolist() == [upload_id, "wang"]
    assert (may_import(viewer("v")), may_import(None), may_import(analyst("a"))) == (
        False, False, True,
    )  # fmt: skip


def test_report_with_errors_stores_nothing(store, plan):
    content = progress_csv([("T01-1", "2014Q1", "很多")])
    report = checked(store, plan, content)
    assert report.errors
    with pytest.raises(StoreError) as caught:
        import_upload(store, report, content=content, file_name="x.csv", user=admin("a"), now=NOW)
    assert caught.value.problems[0].code == "has_errors"
    assert store.uploads().empty and store.data_version() == 0


def test_analysts_withdraw_only_their_own_uploads_and_admins_any(store, plan):
    upload_id = upload_as(analyst("wang"), store, plan, ("T01-1", "2014Q1", "10"))
    other = upload_as(analyst("li"), store, plan, ("T01-1", "2014Q2", "20"))
    with pytest.raises(PermissionDeniedError) as not_own:
        withdraw_upload(store, upload_id, user=analyst("zhang"), now=NOW)
    assert not_own.value.problems[0].code == "not_own_upload"
    with pytest.raises(PermissionDeniedError) as read_only:
        withdraw_upload(store, upload_id, user=viewer("wang"), now=NOW)
    assert read_only.value.problems[0].code == "permission_denied"
    assert set(store.uploads()["status"]) == {"active"} and store.data_version() == 2

    withdraw_upload(store, upload_id, user=analyst("wang"), now=NOW)
    withdraw_upload(store, other, user=admin("组长"), now=NOW)
    ledger = store.uploads().set_index("id")
    assert ledger.loc[upload_id, "withdrawn_by"] == "wang"
    assert ledger.loc[other, "withdrawn_by"] == "组长"
    assert store.data_version() == 4 and store.current_values().empty


def test_withdrawing_what_cannot_be_withdrawn_says_why(store, plan):
    upload_id = upload_as(analyst("wang"), store, plan, ("T01-1", "2014Q1", "10"))
    withdraw_upload(store, upload_id, user=analyst("wang"), now=NOW)
    # the upload's state is the reason, whoever asks (as long as they may withdraw at all)
    for target, code in ((upload_id, "already_withdrawn"), (999, "unknown_upload")):
        with pytest.raises(StoreError) as caught:
            withdraw_upload(store, target, user=analyst("zhang"), now=NOW)
        assert caught.value.problems[0].code == code
    with pytest.raises(PermissionDeniedError) as refused:
        withdraw_upload(store, 999, user=viewer("v"), now=NOW)
    assert refused.value.problems[0].code == "permission_denied"
    assert store.data_version() == 2


def test_withdrawable_upload_ids_follow_the_roles(store, plan):
    first = upload_as(analyst("wang"), store, plan, ("T01-1", "2014Q1", "10"))
    second = upload_as(analyst("li"), store, plan, ("T01-1", "2014Q2", "20"))
    third = upload_as(analyst("wang"), store, plan, ("T01-1", "2014Q3", "30"))
    withdraw_upload(store, third, user=analyst("wang"), now=NOW)
    ledger = store.uploads()
    assert withdrawable_upload_ids(ledger, analyst("wang")) == [first]
    assert withdrawable_upload_ids(ledger, admin("组长")) == [second, first]  # newest first
    assert withdrawable_upload_ids(ledger, viewer("wang")) == []
    assert withdrawable_upload_ids(ledger, None) == []


def test_preview_compares_the_upload_with_the_stored_figures(store, plan):
    upload_as(admin("a"), store, plan, ("T01-1", "2014Q1", "10"), ("T01-2", "2014Q1", "1500"))
    content = progress_csv(
        [("T01-1", "2014Q1", "10"), ("T01-2", "2014Q1", "1520"), ("T01-1", "2014Q2", "20")]
    )
    stored = store.current_values()
    preview = upload_preview(plan, checked_upload(plan, content, "x.csv", stored), stored)
    assert preview[["indicator_id", "period", "change"]].values.tolist() == [
        ["T01-1", "2014Q1", "unchanged"],
        ["T01-2", "2014Q1", "changed"],
        ["T01-1", "2014Q2", "new"],
    ]
    assert preview.loc[1, ["old_value", "new_value"]].tolist() == [1500.0, 1520.0]
