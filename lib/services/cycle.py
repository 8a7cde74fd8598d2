"""The quarter as the supervision office runs it: 核准, 催报, 督办单, replies and the trail.

Every step goes through here, from a page or the command line, so who may take it is
checked in one place: a confirmer (or the office) confirms or returns figures, never their
own upload; only the office (admin) sends reminders, issues and closes 督办单; an analyst
answers the 督办单 of their own unit (an account without a unit is the office's own staff
entering a reply received on paper). Each step is one append-only trail row
(lib/store/trail.py), so the trail is the record of who did what when; documents (Word
reminders and 督办单, the reply form) are made again from the row whenever they are asked
for, so what was issued and what is downloaded later cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from lib.auth.accounts import Role, User, has_role, require_role
from lib.core.errors import PermissionDeniedError, Problem, UserInputError
from lib.core.labels import TRAIL_DETAIL_LABELS, TRAIL_KIND_LABELS, pick
from lib.core.periods import period_label
from lib.ingest.replies import read_reply_form
from lib.output.notices import (
    reminder_docx,
    reminder_file_name,
    reply_form_bytes,
    reply_form_file_name,
    supervision_notice_docx,
    supervision_notice_file_name,
)
from lib.plan.model import Plan
from lib.plan.units import resolve_unit
from lib.status.indicators import at_risk_indicators
from lib.status.submissions import OFFICE_TIME, due_at, submissions
from lib.store.confirmations import DECISION_COLUMNS, DECISION_KINDS, confirmation_states
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

# the statuses a 督办单 is about (落后, 已逾期, 未报送); 关注 (watch) is only watched
NOTICE_STATUSES = ("behind", "overdue", "no_report")
# what a 督办单 keeps of each indicator as it stood when issued
_NOTICE_FIELDS = [
    "indicator_id", "name", "kind", "unit", "target", "value", "progress", "expected",
    "reason_zh", "reason_en", "needed_per_quarter", "deadline", "status",
]  # fmt: skip
NOTICE_COLUMNS = [
    "notice_id", "period", "unit", "number", "issued_at", "issued_by", "reply_by",
    "indicators", "replied", "reminders", "state",
]  # fmt: skip
NOTICE_STATES = ("reply_overdue", "awaiting_reply", "partly_replied", "replied", "closed")


@dataclass(frozen=True)
class IssuedDocument:
    """A document made for a trail entry: the entry's id, the file name and its bytes."""

    entry_id: int
    file_name: str
    content: bytes


@dataclass(frozen=True)
class FigureKey:
    """One figure of an upload: what a confirmer decides on when not the whole upload."""

    indicator_id: str
    period: str
    reporter: str = ""


# --- who may do what --------------------------------------------------------------------------


def may_confirm(user: User | None) -> bool:
    """Confirmers (the statistics bureau) and the office may confirm or return figures."""
    return has_role(user, Role.CONFIRMER)


def may_run_cycle(user: User | None) -> bool:
    """Only the office (admin) sends reminders and issues or closes 督办单."""
    return has_role(user, Role.ADMIN)


def may_reply(user: User | None, unit: str) -> bool:
    """An analyst of `unit`, the office's own staff (no unit) or an admin may answer."""
    if not has_role(user, Role.ANALYST) or user is None:
        return False
    return user.role >= Role.ADMIN or user.unit in ("", unit)


# --- 核准 (confirmation) ----------------------------------------------------------------------


def confirm_figures(
    store: ProgressStore,
    plan: Plan,
    upload_id: int,
    *,
    user: User,
    now: datetime,
    figure: FigureKey | None = None,
) -> int:
    """Confirm an upload's figures that need confirmation (or one `figure` of it); the
    trail id. Leaders' views use them from now on; no figure is edited."""
    return _decide(store, plan, upload_id, "confirmed", user=user, now=now, figure=figure)


def return_figures(
    store: ProgressStore,
    plan: Plan,
    upload_id: int,
    *,
    user: User,
    reason: str,
    now: datetime,
    figure: FigureKey | None = None,
) -> int:
    """Return an upload's figures (or one `figure`) to the unit with `reason`; the trail id.
    Leaders' views keep the unit's earlier confirmed figure."""
    if not reason.strip():
        raise UserInputError(
            [
                Problem(
                    "return_reason_missing",
                    "退回须写明原因（如：口径与统计局数据不一致）",
                    "say why the figures are returned (e.g. the scope differs from the"
                    " bureau's statistics)",
                )
            ]
        )
    return _decide(
        store, plan, upload_id, "returned", user=user, now=now, figure=figure, reason=reason.strip()
    )


def _decide(
    store: ProgressStore,
    plan: Plan,
    upload_id: int,
    kind: str,
    *,
    user: User,
    now: datetime,
    figure: FigureKey | None,
    reason: str = "",
) -> int:
    action_zh, action_en = ("核准", "confirm") if kind == "confirmed" else ("退回", "return")
    require_role(user, Role.CONFIRMER, f"{action_zh}数据", f"{action_en} figures")
    if not plan.confirmation.required:
        raise UserInputError(
            [
                Problem(
                    "confirmation_off",
                    "本计划不需要核准数据（confirmation.required 为 false）",
                    "this plan does not require figures to be confirmed",
                )
            ]
        )
    owner = store.active_upload_owner(upload_id)
    if owner is not None and owner == user.name:
        raise PermissionDeniedError(
            [
                Problem(
                    "own_upload",
                    f"第 {upload_id} 批由您本人上传，须由其他核准人员{action_zh}",
                    f"upload {upload_id} is your own; someone else must {action_en} it",
                    value=user.name,
                )
            ]
        )
    rows = _figures_needing_confirmation(plan, store, upload_id)
    if owner is not None and figure is not None:
        figure = _figure_in(rows, figure, upload_id)
    elif owner is not None and rows.empty:
        raise UserInputError(
            [
                Problem(
                    "nothing_to_confirm",
                    f"第 {upload_id} 批没有需要核准的数据（只有进度类指标等无需核准的数据）",
                    f"upload {upload_id} holds no figure that needs confirming",
                    value=str(upload_id),
                )
            ]
        )
    entry = TrailEntry(
        kind,
        user.name,
        upload_id=int(upload_id),
        indicator_id=figure.indicator_id if figure else "",
        period=figure.period if figure else "",
        reporter=figure.reporter if figure else "",
        details={"reason": reason} if reason else {},
    )
    return store.record(entry, now=now)  # the store refuses an unknown or withdrawn upload


def _figure_in(rows: pd.DataFrame, figure: FigureKey, upload_id: int) -> FigureKey:
    """The upload's figure meant by `figure`, with its reporting unit: a figure named
    without a unit is found when the upload holds exactly one of that indicator and
    quarter; otherwise the unit must be named."""
    chosen = rows[(rows["indicator_id"] == figure.indicator_id) & (rows["period"] == figure.period)]
    if figure.reporter:
        chosen = chosen[chosen["reporter"] == figure.reporter]
    if len(chosen) == 1:
        return FigureKey(figure.indicator_id, figure.period, str(chosen["reporter"].iloc[0]))
    if chosen.empty:
        raise UserInputError(
            [
                Problem(
                    "figure_not_in_upload",
                    f"第 {upload_id} 批没有需核准的 {figure.indicator_id} {figure.period} 数据",
                    f"upload {upload_id} holds no figure of {figure.indicator_id} for"
                    f" {figure.period} that needs confirming",
                    value=figure.indicator_id,
                )
            ]
        )
    units = "、".join(chosen["reporter"].replace("", "（未注明）"))
    raise UserInputError(
        [
            Problem(
                "figure_ambiguous",
                f"第 {upload_id} 批有多个单位的 {figure.indicator_id} {figure.period} 数据"
                f"（{units}），请指明填报单位",
                f"upload {upload_id} holds {figure.indicator_id} {figure.period} of several"
                f" units ({units}); name the reporting unit",
                value=figure.indicator_id,
            )
        ]
    )


def _figures_needing_confirmation(plan: Plan, store: ProgressStore, upload_id: int) -> pd.DataFrame:
    rows = store.upload_figures(upload_id)
    return rows[rows["indicator_id"].isin(plan.confirmed_indicator_ids())].reset_index(drop=True)


def upload_confirmation(plan: Plan, store: ProgressStore, upload_id: int) -> pd.DataFrame:
    """The figures of an upload that need confirmation, each with its state (confirmed,
    pending, returned) and the reason of its latest return."""
    rows = _figures_needing_confirmation(plan, store, upload_id).assign(upload_id=int(upload_id))
    decisions = store.trail(DECISION_KINDS)
    return rows.assign(
        state=confirmation_states(rows, decisions[DECISION_COLUMNS]),
        reason=_return_reasons(rows, decisions),
    )


def _return_reasons(rows: pd.DataFrame, decisions: pd.DataFrame) -> list[str]:
    returned = decisions[decisions["kind"] == "returned"]
    reasons = []
    for upload_id, indicator, period, reporter in rows[
        ["upload_id", "indicator_id", "period", "reporter"]
    ].itertuples(index=False):  # an upload's figures: tens, not thousands
        applies = returned[
            (returned["upload_id"] == upload_id)
            & (
                (returned["indicator_id"] == "")
                | (
                    (returned["indicator_id"] == indicator)
                    & (returned["period"] == period)
                    & (returned["reporter"] == reporter)
                )
            )
        ]
        reasons.append(str(applies["details"].iloc[-1].get("reason", "")) if len(applies) else "")
    return reasons


def confirmation_queue(plan: Plan, store: ProgressStore) -> pd.DataFrame:
    """Per active upload holding figures that need confirmation: id, file_name,
    uploaded_by, uploaded_at, figures (how many need it), confirmed, pending, returned,
    state ('pending' while any is, else 'returned' if any was, else 'confirmed'); newest
    first. Empty when the plan does not require confirmation."""
    columns = [
        "id", "file_name", "uploaded_by", "uploaded_at", "figures", "confirmed", "pending",
        "returned", "state",
    ]  # fmt: skip
    ledger = store.uploads()
    active = ledger[(ledger["status"] == "active")]
    if not plan.confirmation.required or active.empty:
        return pd.DataFrame(columns=columns)
    decisions = store.trail(DECISION_KINDS)
    rows = []
    for upload in active.itertuples(index=False):
        figures = _figures_needing_confirmation(plan, store, int(upload.id))
        if figures.empty:
            continue
        states = pd.Series(
            confirmation_states(figures.assign(upload_id=int(upload.id)), decisions)
        ).value_counts()
        counts = {
            state: int(states.get(state, 0)) for state in ("confirmed", "pending", "returned")
        }
        state = (
            "pending" if counts["pending"] else "returned" if counts["returned"] else "confirmed"
        )
        rows.append(
            [upload.id, upload.file_name, upload.uploaded_by, upload.uploaded_at, len(figures),
             counts["confirmed"], counts["pending"], counts["returned"], state]
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# --- 催报 (reminders) -------------------------------------------------------------------------


def reminder_targets(
    plan: Plan, unit_figures: pd.DataFrame, trail: pd.DataFrame, period: str, now: datetime
) -> pd.DataFrame:
    """The units still owing figures for `period` (lib/status/submissions.py rows with
    something missing), worst first, with how many reminders they were sent for it and
    when the last one went (`reminders`, `last_reminded`)."""
    owed = submissions(plan, unit_figures, period, now)
    owed = owed[owed["missing"] > 0].reset_index(drop=True)
    sent = trail[
        (trail["kind"] == "reminded") & (trail["period"] == period) & trail["notice_id"].isna()
    ]  # a reminder to send figures, not a chase of a 督办单's reply
    counts = sent.groupby("unit")["id"].count()
    last = sent.groupby("unit")["at"].max()
    return owed.assign(
        reminders=owed["reporter"].map(counts).fillna(0).astype(int),
        last_reminded=owed["reporter"].map(last).astype(object).fillna("").astype(str),
    )


def send_reminders(
    store: ProgressStore,
    plan: Plan,
    unit_figures: pd.DataFrame,
    *,
    units: Iterable[str],
    period: str,
    user: User,
    now: datetime,
) -> list[IssuedDocument]:
    """Record a reminder (催报) to each of `units` for what it still owes for `period`, in
    one transaction, and return the notices (Word). Only the office may send them; a unit
    that owes nothing is refused (nothing is recorded then)."""
    require_role(user, Role.ADMIN, "发送催报通知", "send reminders")
    owed = submissions(plan, unit_figures, period, now).set_index("reporter")
    chosen = list(dict.fromkeys(units))
    problems = [
        Problem(
            "nothing_missing",
            f"“{unit}”{period_label(period, 'zh')}的数据已报齐或无需报送，无需催报",
            f"'{unit}' owes nothing for {period_label(period, 'en')}; no reminder needed",
            value=unit,
        )
        for unit in chosen
        if unit not in owed.index or owed.at[unit, "missing"] == 0
    ]
    if problems or not chosen:
        raise UserInputError(problems or [_nothing_chosen()])
    due = due_at(plan, period)
    entries = [
        TrailEntry(
            "reminded",
            user.name,
            period=period,
            unit=unit,
            details={"missing": owed.at[unit, "missing_ids"].split("、"), "due": due.isoformat()},
        )
        for unit in chosen
    ]
    ids = store.record_all(entries, now=now)
    trail = store.trail(("reminded",))
    return [reminder_document(plan, trail[trail["id"] == entry_id].iloc[0]) for entry_id in ids]


def reminder_document(plan: Plan, entry: pd.Series) -> IssuedDocument:
    """The Word reminder of a recorded 'reminded' trail row."""
    details = entry["details"]
    missing = plan.indicators.set_index("indicator_id").loc[details["missing"]].reset_index()
    titles = plan.tasks.set_index("task_id")["title"]
    missing = missing.assign(task_title=missing["task_id"].map(titles))[
        ["indicator_id", "name", "task_id", "task_title"]
    ]
    content = reminder_docx(
        plan,
        unit=entry["unit"],
        period=entry["period"],
        missing=missing,
        due=datetime.fromisoformat(details["due"]),
        office=plan.issuing_office,
        issued_on=_office_day(entry["at"]),
        number=_number("督催", entry),
    )
    return IssuedDocument(
        int(entry["id"]), reminder_file_name(entry["unit"], entry["period"]), content
    )


# --- 督办单 and replies ----------------------------------------------------------------------


def notice_targets(status: pd.DataFrame, trail: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per lead unit with indicators 落后 / 已逾期 / 未报送 in `status` (the leaders'
    statuses at `period`): unit, indicators (ids, worst first), count, and the open 督办单
    already issued to it for the period (`open_notice`, 0 when none)."""
    risky = at_risk_indicators(status)
    risky = risky[risky["status"].isin(NOTICE_STATUSES)]
    grouped = risky.groupby("lead_unit", sort=False)["indicator_id"].agg(list)
    open_notices = _open_notices(trail, period)
    return pd.DataFrame(
        {
            "unit": grouped.index.astype(str),
            "indicators": grouped.to_numpy(),
            "count": grouped.map(len).to_numpy(),
            "open_notice": [int(open_notices.get(unit, 0)) for unit in grouped.index],
        }
    )


def _open_notices(trail: pd.DataFrame, period: str) -> dict[str, int]:
    issued = trail[(trail["kind"] == "issued") & (trail["period"] == period)]
    closed = set(trail.loc[trail["kind"] == "closed", "notice_id"].dropna().astype(int))
    return {
        unit: int(notice_id)
        for notice_id, unit in zip(issued["id"], issued["unit"], strict=True)
        if int(notice_id) not in closed
    }


def issue_notices(
    store: ProgressStore,
    plan: Plan,
    status: pd.DataFrame,
    *,
    units: Iterable[str],
    period: str,
    user: User,
    now: datetime,
    sample: bool,
) -> list[IssuedDocument]:
    """Issue a 督办单 to each lead unit of `units` listing its indicators 落后 / 已逾期 /
    未报送 in `status` at `period`, as they stand now (kept in the trail), with a reply
    deadline `plan.calendar.reply_days` days on; one transaction. Only the office may;
    a unit with nothing lagging, or with an open 督办单 for the period, is refused."""
    require_role(user, Role.ADMIN, "签发督办单", "issue 督办单 (supervision notices)")
    trail = store.trail()
    targets = notice_targets(status, trail, period).set_index("unit")
    chosen = list(dict.fromkeys(units))
    problems = []
    for unit in chosen:
        if unit not in targets.index:
            problems.append(
                Problem(
                    "nothing_lagging",
                    f"“{unit}”牵头的指标在{period_label(period, 'zh')}没有落后、逾期或未报送的",
                    f"no indicator led by '{unit}' is behind, overdue or unreported at"
                    f" {period_label(period, 'en')}",
                    value=unit,
                )
            )
        elif targets.at[unit, "open_notice"]:
            problems.append(
                Problem(
                    "notice_open",
                    f"“{unit}”本期已有未办结的督办单（第 {targets.at[unit, 'open_notice']} 号），"
                    "请先办结再签发",
                    f"'{unit}' already has an open 督办单 ({targets.at[unit, 'open_notice']})"
                    " for this period; close it first",
                    value=unit,
                )
            )
    if problems or not chosen:
        raise UserInputError(problems or [_nothing_chosen()])
    reply_by = _office_day(now.isoformat()) + timedelta(days=plan.calendar.reply_days)
    by_id = status.set_index("indicator_id")
    entries = [
        TrailEntry(
            "issued",
            user.name,
            period=period,
            unit=unit,
            details={
                "indicators": list(targets.at[unit, "indicators"]),
                "reply_by": reply_by.isoformat(),
                "sample": bool(sample),
                "rows": _snapshot(by_id.loc[list(targets.at[unit, "indicators"])]),
            },
        )
        for unit in chosen
    ]
    ids = store.record_all(entries, now=now)
    trail = store.trail(("issued",))
    return [notice_document(plan, trail[trail["id"] == entry_id].iloc[0]) for entry_id in ids]


def _snapshot(rows: pd.DataFrame) -> list[dict[str, object]]:
    """The indicators' figures as issued, as JSON-safe values (None for a missing one)."""
    frame = rows.reset_index()[_NOTICE_FIELDS].astype(object)
    frame["deadline"] = pd.to_datetime(frame["deadline"]).dt.strftime("%Y-%m-%d")
    return [
        {key: (None if _missing(value) else value) for key, value in record.items()}
        for record in frame.to_dict("records")
    ]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _notice_rows(entry: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(entry["details"]["rows"], columns=_NOTICE_FIELDS)
    for column in ("target", "value", "progress", "expected", "needed_per_quarter"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    return frame


def notice_document(plan: Plan, entry: pd.Series) -> IssuedDocument:
    """The Word 督办单 of a recorded 'issued' trail row."""
    details = entry["details"]
    content = supervision_notice_docx(
        plan,
        unit=entry["unit"],
        period=entry["period"],
        indicators=_notice_rows(entry),
        reply_by=date.fromisoformat(details["reply_by"]),
        office=plan.issuing_office,
        issued_on=_office_day(entry["at"]),
        number=_number("督办", entry),
        sample=bool(details.get("sample", False)),
    )
    return IssuedDocument(
        int(entry["id"]), supervision_notice_file_name(entry["unit"], entry["period"]), content
    )


def reply_form(plan: Plan, entry: pd.Series) -> IssuedDocument:
    """The reply form (.xlsx) of a recorded 'issued' trail row, for the unit to fill."""
    content = reply_form_bytes(
        plan,
        unit=entry["unit"],
        period=entry["period"],
        indicators=_notice_rows(entry),
        notice_id=int(entry["id"]),
    )
    return IssuedDocument(
        int(entry["id"]), reply_form_file_name(entry["unit"], entry["period"]), content
    )


@dataclass(frozen=True)
class Reply:
    """A unit's answer on one indicator of a 督办单."""

    notice_id: int
    indicator_id: str
    reason: str
    measures: str
    expected_by: date | None


def record_replies(
    store: ProgressStore,
    plan: Plan,
    replies: list[Reply],
    *,
    user: User,
    now: datetime,
    rows: list[int] | None = None,
) -> list[int]:
    """Store the replies (one transaction, appended: an earlier reply stays in the trail);
    their trail ids. Every problem with any of them refuses all of them; `rows` are the
    replies' rows in a form, named in the problems."""
    require_role(user, Role.ANALYST, "填报督办回复", "reply to a 督办单")
    notices = store.trail(("issued", "closed"))
    places = rows or [None] * len(replies)
    problems = [p for reply, row in zip(replies, places, strict=True) for p in
                _reply_problems(plan, notices, reply, user, row)]  # fmt: skip
    if problems or not replies:
        raise UserInputError(problems or [_nothing_chosen()])
    issued = notices[notices["kind"] == "issued"].set_index("id")
    entries = [
        TrailEntry(
            "replied",
            user.name,
            period=str(issued.at[reply.notice_id, "period"]),
            unit=str(issued.at[reply.notice_id, "unit"]),
            indicator_id=reply.indicator_id,
            notice_id=reply.notice_id,
            details={
                "reason": reply.reason.strip(),
                "measures": reply.measures.strip(),
                "expected_by": reply.expected_by.isoformat() if reply.expected_by else "",
            },
        )
        for reply in replies
    ]
    return store.record_all(entries, now=now)


def import_reply_form(
    store: ProgressStore,
    plan: Plan,
    content: bytes,
    file_name: str,
    *,
    user: User,
    now: datetime,
) -> list[int]:
    """Read a filled reply form and store its replies; any problem (the form's, or a reply
    the user may not give) refuses the whole file with every problem listed."""
    read = read_reply_form(content, file_name)
    errors = [p for p in read.problems if p.severity == "error"]
    if errors:
        raise UserInputError(errors)
    replies = [
        Reply(int(r.notice_id), str(r.indicator_id), str(r.reason), str(r.measures), r.expected_by)
        for r in read.rows.itertuples(index=False)
    ]
    rows = [int(row) for row in read.rows["row"]]
    return record_replies(store, plan, replies, user=user, now=now, rows=rows)


def _reply_problems(
    plan: Plan, notices: pd.DataFrame, reply: Reply, user: User, number: int | None
) -> list[Problem]:
    issued = notices[(notices["kind"] == "issued") & (notices["id"] == reply.notice_id)]
    if issued.empty:
        return [
            Problem(
                "unknown_notice",
                f"没有编号为 {reply.notice_id} 的督办单",
                f"there is no 督办单 {reply.notice_id}",
                row=number,
                value=str(reply.notice_id),
            )
        ]
    notice = issued.iloc[0]
    problems = []
    if not may_reply(user, notice["unit"]):
        problems.append(
            Problem(
                "not_own_notice",
                f"第 {reply.notice_id} 号督办单发给“{notice['unit']}”；"
                f"“{user.name}”属于“{user.unit or '—'}”，只能回复本单位的督办单",
                f"督办单 {reply.notice_id} was sent to '{notice['unit']}'; '{user.name}' of"
                f" '{user.unit or '-'}' may answer only their own unit's",
                row=number,
                value=user.name,
            )
        )
    closed = notices[(notices["kind"] == "closed") & (notices["notice_id"] == reply.notice_id)]
    if not closed.empty:
        problems.append(
            Problem(
                "notice_closed",
                f"第 {reply.notice_id} 号督办单已办结，不再接收回复",
                f"督办单 {reply.notice_id} is closed and takes no more replies",
                row=number,
                value=str(reply.notice_id),
            )
        )
    if reply.indicator_id not in notice["details"]["indicators"]:
        problems.append(
            Problem(
                "indicator_not_in_notice",
                f"指标 {reply.indicator_id} 不在第 {reply.notice_id} 号督办单中",
                f"indicator {reply.indicator_id} is not on 督办单 {reply.notice_id}",
                row=number,
                column="指标编号",
                value=reply.indicator_id,
            )
        )
    for text, column, zh, en in (
        (reply.reason, "原因分析", "原因分析", "the reason"),
        (reply.measures, "整改措施", "整改措施", "the measures"),
    ):
        if not text.strip():
            problems.append(
                Problem(
                    "reply_incomplete",
                    f"请填写{zh}",
                    f"fill in {en}",
                    row=number,
                    column=column,
                )
            )
    if reply.expected_by is not None and reply.expected_by < plan.period_start:
        problems.append(
            Problem(
                "reply_bad_date",
                f"预计完成时间 {reply.expected_by} 早于计划开始（{plan.period_start}）",
                f"expected completion {reply.expected_by} is before the plan starts"
                f" ({plan.period_start})",
                row=number,
                column="预计完成时间",
                value=str(reply.expected_by),
            )
        )
    return problems


def close_notice(
    store: ProgressStore, *, notice_id: int, user: User, now: datetime, note: str = ""
) -> int:
    """Close (办结) a 督办单; its trail id. Only the office; a closed one is refused."""
    require_role(user, Role.ADMIN, "办结督办单", "close a 督办单")
    trail = store.trail(("issued", "closed"))
    if int(notice_id) in set(
        trail.loc[trail["kind"] == "closed", "notice_id"].dropna().astype(int)
    ):
        raise UserInputError(
            [
                Problem(
                    "notice_closed",
                    f"第 {notice_id} 号督办单已办结",
                    f"督办单 {notice_id} is already closed",
                    value=str(notice_id),
                )
            ]
        )
    entry = TrailEntry(
        "closed", user.name, notice_id=int(notice_id), details={"note": note.strip()}
    )
    return store.record(entry, now=now)  # the store refuses an id that is not a 督办单


def chase_reply(store: ProgressStore, *, notice_id: int, user: User, now: datetime) -> int:
    """Remind (催办) the unit of an open 督办单 of the indicators it has not yet answered;
    the trail id. Only the office; refused for a closed or fully answered 督办单."""
    require_role(user, Role.ADMIN, "催办督办回复", "chase a 督办单's reply")
    trail = store.trail(("issued", "replied", "closed"))
    issued = trail[(trail["kind"] == "issued") & (trail["id"] == int(notice_id))]
    if issued.empty:
        raise UserInputError(
            [
                Problem(
                    "unknown_notice",
                    f"没有编号为 {notice_id} 的督办单",
                    f"there is no 督办单 {notice_id}",
                    value=str(notice_id),
                )
            ]
        )
    notice = issued.iloc[0]
    of_notice = trail["notice_id"] == int(notice_id)
    if (of_notice & (trail["kind"] == "closed")).any():
        raise UserInputError(
            [
                Problem(
                    "notice_closed",
                    f"第 {notice_id} 号督办单已办结，无需催办",
                    f"督办单 {notice_id} is closed; there is nothing to chase",
                    value=str(notice_id),
                )
            ]
        )
    answered = set(trail.loc[of_notice & (trail["kind"] == "replied"), "indicator_id"])
    unanswered = [i for i in notice["details"]["indicators"] if i not in answered]
    if not unanswered:
        raise UserInputError(
            [
                Problem(
                    "all_replied",
                    f"第 {notice_id} 号督办单的指标均已回复，无需催办",
                    f"every indicator of 督办单 {notice_id} has a reply; nothing to chase",
                    value=str(notice_id),
                )
            ]
        )
    entry = TrailEntry(
        "reminded",
        user.name,
        period=str(notice["period"]),
        unit=str(notice["unit"]),
        notice_id=int(notice_id),
        details={"unanswered": unanswered, "reply_by": notice["details"]["reply_by"]},
    )
    return store.record(entry, now=now)


def notices_table(trail: pd.DataFrame, today: date, user: User | None = None) -> pd.DataFrame:
    """Every 督办单 (NOTICE_COLUMNS), newest first, with how many of its indicators have a
    reply and its state (NOTICE_STATES); for an analyst of a unit, only that unit's."""
    issued = trail[trail["kind"] == "issued"]
    if user is not None and user.role < Role.ADMIN and user.unit:
        issued = issued[issued["unit"] == user.unit]
    replies = trail[trail["kind"] == "replied"]
    chases = trail.loc[trail["kind"] == "reminded", "notice_id"].dropna().astype(int)
    closed = set(trail.loc[trail["kind"] == "closed", "notice_id"].dropna().astype(int))
    rows = []
    for entry in issued.itertuples(index=False):
        listed = entry.details["indicators"]
        answered = replies.loc[replies["notice_id"] == entry.id, "indicator_id"].nunique()
        reply_by = date.fromisoformat(entry.details["reply_by"])
        if entry.id in closed:
            state = "closed"
        elif answered >= len(listed):
            state = "replied"
        elif today > reply_by:
            state = "reply_overdue"
        else:
            state = "partly_replied" if answered else "awaiting_reply"
        rows.append(
            [int(entry.id), entry.period, entry.unit, _number("督办", entry._asdict()), entry.at,
             entry.actor, reply_by, len(listed), int(answered), int((chases == entry.id).sum()),
             state]
        )  # fmt: skip
    return pd.DataFrame(rows, columns=NOTICE_COLUMNS).iloc[::-1].reset_index(drop=True)


TRAIL_TABLE_COLUMNS = ["id", "at", "kind", "actor", "unit", "period", "subject", "details"]


def trail_table(
    trail: pd.DataFrame, plan: Plan, *, period: str | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """The trail as people read it (TRAIL_TABLE_COLUMNS): office time, the step in words,
    who, for which unit and quarter, on what (upload, figure or 督办单) and what it said."""
    if period:
        notices_of_period = set(trail.loc[trail["period"] == period, "id"])
        trail = trail[(trail["period"] == period) | trail["notice_id"].isin(notices_of_period)]
    rows = [
        [
            int(entry.id),
            _office_time(entry.at),
            pick(TRAIL_KIND_LABELS[_step(entry)], lang),
            entry.actor,
            entry.unit,
            entry.period,
            _subject(entry, lang),
            _said(entry.details, lang),
        ]
        for entry in trail.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=TRAIL_TABLE_COLUMNS)


def _step(entry: object) -> str:
    """The step's name: a reminder about a 督办单's reply is a 催办, not a 催报."""
    return "chased" if entry.kind == "reminded" and not pd.isna(entry.notice_id) else entry.kind


def _subject(entry: object, lang: str) -> str:
    parts = []
    if not pd.isna(entry.upload_id):
        parts.append(f"第 {entry.upload_id} 批" if lang == "zh" else f"upload {entry.upload_id}")
    if entry.indicator_id:
        parts.append(entry.indicator_id)
    if not pd.isna(entry.notice_id):
        parts.append(
            f"督办单 {entry.notice_id} 号" if lang == "zh" else f"督办单 {entry.notice_id}"
        )
    return " · ".join(parts)


def _said(details: dict[str, object], lang: str) -> str:
    """The step's details in one line, each under its name in `lang`."""
    shown = []
    for key, value in details.items():
        if key in ("rows", "sample") or value in ("", None, []):
            continue
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        if key == "due":
            text = _office_time(text)
        shown.append(f"{pick(TRAIL_DETAIL_LABELS.get(key, (key, key)), lang)}：{text}")
    return "；".join(shown)


def _office_time(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(OFFICE_TIME).strftime("%Y-%m-%d %H:%M")


# --- small shared pieces ------------------------------------------------------------------------


def _office_day(at: str) -> date:
    """The office's calendar day of a stored moment (ISO text, UTC)."""
    return datetime.fromisoformat(at).astimezone(OFFICE_TIME).date()


def _number(prefix: str, entry: pd.Series | dict) -> str:
    """A document number made from the trail id, so a document made again has the same:
    督办〔2014〕12号."""
    year = str(entry["period"])[:4]
    return f"{prefix}〔{year}〕{int(entry['id'])}号"


def _nothing_chosen() -> Problem:
    return Problem("nothing_chosen", "未选择任何单位或事项", "nothing was chosen")


def resolved_unit(plan: Plan, name: str) -> str:
    """A unit name as the registry has it (short forms accepted); UserInputError for a
    name that is not one registered unit."""
    found = resolve_unit(plan, name)
    if found is None:
        raise UserInputError(
            [
                Problem(
                    "unknown_unit",
                    f"单位“{name}”未在计划的单位名录中",
                    f"'{name}' is not a unit of the plan",
                    value=name,
                )
            ]
        )
    return found
