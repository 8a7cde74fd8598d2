"""督办 Supervision: the quarter as the supervision office (督查室) runs it.

Five parts, one per tab: who has reported and the 催报 notices (Word) to the late units;
核准 of uploads by the confirmer; 督办单 (Word, with a reply form) to the lead units of
lagging indicators; the units' replies; and the trail of every step. The steps themselves
and who may take them are lib/services/cycle.py's; this module shapes what the page shows
and turns each step's outcome (or its refusal) into what to say. Documents are made again
from the trail whenever they are downloaded, written on click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from lib.auth.accounts import GUEST_USER, Role, User
from lib.core.errors import Problem, UserInputError
from lib.core.labels import (
    CONFIRMATION_LABELS,
    KIND_LABELS,
    NOTICE_STATE_LABELS,
    SUBMISSION_STATE_LABELS,
    column_labels,
    pick,
    tr,
)
from lib.core.periods import period_label
from lib.output.notices import (
    notices_zip,
    reminder_file_name,
    reply_form_file_name,
    supervision_notice_file_name,
)
from lib.output.tables import local_dates, unit_names
from lib.output.tabular_export import xlsx_bytes
from lib.plan.model import Plan
from lib.services import cycle
from lib.services.views.elements import (
    XLSX_MIME,
    Choices,
    Download,
    TableView,
    office_times,
    problem_messages,
    table_view,
)
from lib.status.submissions import OFFICE_TIME, due_at
from lib.store.repository import ProgressStore

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_MIME = "application/zip"
NONE_SHOWN = "—"  # a cell with nothing to say (no open 督办单, no decision needed)

REMINDER_KEYS = [
    "reporter", "state", "expected", "sent", "missing", "missing_ids", "reminders",
    "last_reminded", "last_upload",
]  # fmt: skip
SENT_REMINDER_KEYS = ["trail_id", "reminded_at", "reporter", "reminded_by", "missing_ids"]
QUEUE_KEYS = [
    "id", "file_name", "uploaded_by", "uploaded_at", "figures_to_confirm", "confirmed_count",
    "pending_count", "returned_count", "confirmation_state",
]  # fmt: skip
UPLOAD_FIGURE_KEYS = [
    "indicator_id", "name", "period", "reporter", "value", "confirmation_state", "return_reason",
]  # fmt: skip
TARGET_KEYS = ["lead_unit", "indicator_count", "indicator_ids", "open_notice"]
NOTICE_KEYS = [
    "notice_id", "notice_number", "period", "unit", "issued_at", "issued_by", "reply_by",
    "notice_indicators", "replied_count", "notice_reminders", "notice_state",
]  # fmt: skip
REPLY_KEYS = [
    "indicator_id", "name", "reply_reason", "reply_measures", "reply_expected_by", "replied_by",
    "replied_at",
]  # fmt: skip
TRAIL_KEYS = [
    "trail_id", "trail_at", "trail_step", "trail_actor", "unit", "period", "trail_subject",
    "trail_details",
]  # fmt: skip
PROBLEM_KEYS = ["row", "column", "message"]
# trail_table's columns under the headings of this page (its "id" is not an upload's)
_TRAIL_RENAMES = {
    "id": "trail_id", "at": "trail_at", "kind": "trail_step", "actor": "trail_actor",
    "subject": "trail_subject", "details": "trail_details",
}  # fmt: skip


# --- what a step says afterwards ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StepOutcome:
    """What a step says: its success message and the trail ids it wrote, or why it was
    refused (one message per problem, and a table of row / column / message when the
    problems are about rows of a file)."""

    message: str | None
    entry_ids: tuple[int, ...] = ()
    problems: tuple[str, ...] = ()
    problem_table: TableView | None = None
    refusal: str | None = None  # said above the problem table

    @property
    def ok(self) -> bool:
        return self.message is not None


def _refused(error: UserInputError, lang: str) -> StepOutcome:
    table, refusal = None, None
    if any(p.row is not None for p in error.problems):
        table = table_view(problem_rows(error.problems, lang), PROBLEM_KEYS, lang, "sv_problems")
        refusal = tr("sv_nothing_stored", lang)
    return StepOutcome(None, (), problem_messages(error.problems, lang), table, refusal)


def problem_rows(problems: Iterable[Problem], lang: str) -> pd.DataFrame:
    """Problems as rows: the form's row (blank when none), its column and the message."""
    listed = list(problems)
    return pd.DataFrame(
        {
            "row": pd.array([p.row for p in listed], dtype="Int64"),
            "column": [p.column or "" for p in listed],
            "message": [p.message_en if lang == "en" else p.message_zh for p in listed],
        }
    )


# --- documents made again from the trail ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DocumentsView:
    """Downloads of documents recorded in the trail: one per file, and all as a zip when
    there are several."""

    files: tuple[Download, ...]
    zip: Download | None


# what each kind of trail entry issued: (file name of unit and period, maker, mime)
_DOCUMENTS = {
    "reminded": ((reminder_file_name, cycle.reminder_document, DOCX_MIME),),
    "issued": (
        (supervision_notice_file_name, cycle.notice_document, DOCX_MIME),
        (reply_form_file_name, cycle.reply_form, XLSX_MIME),
    ),
}


def documents_view(
    plan: Plan,
    trail: pd.DataFrame,
    entry_ids: Iterable[int],
    lang: str,
    key: str,
    kind: str | None = None,
) -> DocumentsView | None:
    """The documents of the trail entries `entry_ids` (of `kind` only, when given): a
    reminder's Word notice; a 督办单's Word notice and its reply form; each written on
    click. None when none of the ids is such an entry."""
    rows = trail[trail["id"].isin([int(i) for i in entry_ids])]
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    if rows.empty:
        return None
    makers: list[tuple[str, Callable[[], cycle.IssuedDocument], str]] = []
    for _, entry in rows.iterrows():
        for name_of, make, mime in _DOCUMENTS.get(str(entry["kind"]), ()):
            name = name_of(str(entry["unit"]), str(entry["period"]))
            makers.append((name, _maker(make, plan, entry), mime))
    files = tuple(
        Download(
            tr("sv_download_file", lang, name=name),
            lambda make=make: make().content,
            name,
            mime,
            key=f"{key}_{index}",
            icon=":material/download:",
        )
        for index, (name, make, mime) in enumerate(makers)
    )
    bundle = None
    if len(makers) > 1:
        bundle = Download(
            tr("sv_download_zip", lang),
            lambda: notices_zip({name: make().content for name, make, _ in makers}),
            f"{_zip_stem(rows)}.zip",
            ZIP_MIME,
            key=f"{key}_zip",
            icon=":material/folder_zip:",
        )
    return DocumentsView(files, bundle)


def _maker(
    make: Callable[[Plan, pd.Series], cycle.IssuedDocument], plan: Plan, entry: pd.Series
) -> Callable[[], cycle.IssuedDocument]:
    return lambda: make(plan, entry)


def _zip_stem(rows: pd.DataFrame) -> str:
    kinds = set(rows["kind"])
    periods = "_".join(sorted(set(rows["period"])))
    return f"{'催报通知' if kinds == {'reminded'} else '督办单'}_{periods}"


# --- 报送与催报 --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RemindersView:
    """Who still owes figures for the period, the units to remind (the overdue ones
    chosen at first), whether this user may send reminders, and the reminders already sent
    for the period with their documents."""

    caption: str
    table: TableView | None
    note: str | None  # said instead of the table when nobody owes anything
    units_label: str
    units: Choices
    may_send: bool
    send_label: str
    not_allowed: str | None
    sent_heading: str
    sent: TableView | None
    sent_note: str | None
    document_label: str
    documents: Choices  # trail ids of the reminders sent, labelled unit · time
    document_of: Callable[[int], DocumentsView | None]
    made: DocumentsView | None = None  # the reminders this user just made


def reminders_view(
    plan: Plan,
    unit_figures: pd.DataFrame,
    trail: pd.DataFrame,
    period: str,
    user: User | None,
    now: datetime,
    lang: str,
    made: Iterable[int] = (),
) -> RemindersView:
    """The period's 报送 and 催报: `unit_figures` every unit's latest figures as sent,
    confirmed or not (a unit that sent a figure has reported it); `made` the trail ids of
    the steps this user just took, whose reminders are offered for download."""
    targets = cycle.reminder_targets(plan, unit_figures, trail, period, now)
    due = (pd.Timestamp(due_at(plan, period)) - pd.Timedelta(seconds=1)).strftime("%Y-%m-%d")
    caption = tr("sv_reminders_caption", lang, period=period_label(period, lang), due=due)
    shown = targets.assign(
        reporter=unit_names(targets["reporter"], lang),
        state=[pick(SUBMISSION_STATE_LABELS[s], lang) for s in targets["state"]],
        last_reminded=office_times(targets["last_reminded"]),
        last_upload=local_dates(targets["last_upload"]),
    )
    table = table_view(shown, REMINDER_KEYS, lang, "sv_reminder_targets") if len(shown) else None
    owing = tuple(str(u) for u in targets["reporter"])
    overdue = [str(u) for u, s in zip(targets["reporter"], targets["state"], strict=True)
               if s == "overdue"]  # fmt: skip
    may_send = cycle.may_run_cycle(user)
    sent = trail[(trail["kind"] == "reminded") & (trail["period"] == period)].iloc[::-1]
    sent_rows = pd.DataFrame(
        {
            "trail_id": sent["id"].astype("int64"),
            "reminded_at": office_times(sent["at"]),
            "reporter": sent["unit"].astype(str),
            "reminded_by": sent["actor"].astype(str),
            "missing_ids": ["、".join(d.get("missing", [])) for d in sent["details"]],
        }
    )
    labels = {
        int(i): f"{u} · {at}"
        for i, u, at in zip(sent_rows["trail_id"], sent_rows["reporter"],
                            sent_rows["reminded_at"], strict=True)
    }  # fmt: skip
    return RemindersView(
        caption=caption,
        table=table,
        note=None if table else tr("sv_reminders_none", lang, period=period_label(period, lang)),
        units_label=tr("sv_remind_units", lang),
        units=Choices(owing, {}, overdue),
        may_send=may_send and bool(owing),
        send_label=tr("sv_remind_button", lang),
        not_allowed=None if may_send else tr("sv_office_only_reminders", lang),
        sent_heading=tr("sv_earlier_reminders", lang, period=period_label(period, lang)),
        sent=table_view(sent_rows, SENT_REMINDER_KEYS, lang, "sv_reminders_sent")
        if len(sent_rows)
        else None,
        sent_note=None if len(sent_rows) else tr("sv_no_earlier_reminders", lang),
        document_label=tr("sv_choose_document", lang),
        documents=Choices(tuple(labels), labels, next(iter(labels), None)),
        document_of=lambda entry_id: documents_view(plan, trail, [entry_id], lang, "sv_reminder"),
        made=documents_view(plan, trail, made, lang, "sv_made_reminders", kind="reminded"),
    )


def send_chosen_reminders(
    store: ProgressStore,
    plan: Plan,
    unit_figures: pd.DataFrame,
    *,
    units: Iterable[str],
    period: str,
    user: User | None,
    now: datetime,
    lang: str,
) -> StepOutcome:
    """Record a reminder to each chosen unit (cycle checks the user and what is owed)."""
    try:
        made = cycle.send_reminders(
            store, plan, unit_figures, units=list(units), period=period, user=_someone(user),
            now=now,
        )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc, lang)
    ids = tuple(d.entry_id for d in made)
    return StepOutcome(tr("sv_reminders_sent", lang, n=len(ids)), ids)


# --- 核准 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UploadFiguresView:
    """One upload's figures that need confirmation and the choice of one of them."""

    table: TableView
    figure_label: str
    figures: Choices  # cycle.FigureKey options


@dataclass(frozen=True)
class DecisionControl:
    """A button of a confirmer's decision: confirm or return, the upload or one figure."""

    key: str
    label: str
    confirm: bool
    one_figure: bool


@dataclass(frozen=True, eq=False)
class ConfirmationView:
    """Who confirms, the uploads waiting (or decided), and the controls of a decision."""

    caption: str
    table: TableView | None
    note: str | None  # said instead of the table
    may_decide: bool
    not_allowed: str | None
    upload_label: str
    uploads: Choices  # upload ids, the first still pending chosen at first
    figures_of: Callable[[int], UploadFiguresView]
    reason_label: str
    actions: tuple[DecisionControl, ...]  # confirm / return the upload, then one figure


def confirmation_view(
    plan: Plan, store: ProgressStore, queue: pd.DataFrame, user: User | None, lang: str
) -> ConfirmationView:
    """The 核准 queue (`queue`: cycle.confirmation_queue) and its controls."""
    confirmer = plan.confirmation.confirmer
    if plan.confirmation.required:
        kinds = "、".join(pick(KIND_LABELS.get(k, (k, k)), lang) for k in plan.confirmation.kinds)
        caption = tr("sv_confirmer", lang, confirmer=confirmer, kinds=kinds)
    else:
        caption = tr("sv_confirmation_off", lang)
    shown = queue.assign(
        uploaded_at=office_times(queue["uploaded_at"]),
        figures_to_confirm=queue["figures"],
        confirmed_count=queue["confirmed"],
        pending_count=queue["pending"],
        returned_count=queue["returned"],
        confirmation_state=[pick(CONFIRMATION_LABELS[s], lang) for s in queue["state"]],
    )
    table = table_view(shown, QUEUE_KEYS, lang, "sv_queue") if len(shown) else None
    ids = tuple(int(i) for i in queue["id"])
    pending = [int(i) for i, s in zip(queue["id"], queue["state"], strict=True) if s == "pending"]
    labels = {
        int(i): tr("sv_upload_choice", lang, id=int(i), file=f, state=state)
        for i, f, state in zip(queue["id"], queue["file_name"], shown["confirmation_state"],
                               strict=True)
    }  # fmt: skip
    may = cycle.may_confirm(user) and plan.confirmation.required
    note = None
    if table is None:
        note = tr("sv_queue_none", lang) if plan.confirmation.required else None
    return ConfirmationView(
        caption=caption,
        table=table,
        note=note,
        may_decide=may and bool(ids),
        not_allowed=None
        if may or not plan.confirmation.required
        else tr("sv_confirmer_only", lang, confirmer=confirmer),
        upload_label=tr("sv_choose_upload", lang),
        uploads=Choices(ids, labels, pending[0] if pending else next(iter(ids), None)),
        figures_of=lambda upload_id: upload_figures_view(plan, store, upload_id, lang),
        reason_label=tr("sv_return_reason", lang),
        actions=tuple(
            DecisionControl(
                key, tr(f"sv_{key}", lang), key.startswith("confirm"), key.endswith("one")
            )
            for key in ("confirm_all", "return_all", "confirm_one", "return_one")
        ),
    )


def upload_figures_view(
    plan: Plan, store: ProgressStore, upload_id: int, lang: str
) -> UploadFiguresView:
    """An upload's figures that need confirmation, each with its state and the reason of
    its latest return."""
    figures = cycle.upload_confirmation(plan, store, int(upload_id))
    names = plan.indicators.set_index("indicator_id")["name"]
    shown = figures.assign(
        name=figures["indicator_id"].map(names).fillna(""),
        reporter=unit_names(figures["reporter"], lang),
        confirmation_state=[pick(CONFIRMATION_LABELS[s], lang) for s in figures["state"]],
        return_reason=figures["reason"],
    )
    keys = [
        cycle.FigureKey(str(i), str(p), str(r))
        for i, p, r in zip(figures["indicator_id"], figures["period"], figures["reporter"],
                           strict=True)
    ]  # fmt: skip
    labels = {
        key: f"{key.indicator_id} · {period_label(key.period, lang)} · {unit}"
        for key, unit in zip(keys, shown["reporter"], strict=True)
    }
    return UploadFiguresView(
        table=table_view(shown, UPLOAD_FIGURE_KEYS, lang, "sv_upload_figures"),
        figure_label=tr("sv_choose_figure", lang),
        figures=Choices(tuple(keys), labels, keys[0] if keys else None),
    )


def decide_upload(
    store: ProgressStore,
    plan: Plan,
    upload_id: int,
    *,
    confirm: bool,
    user: User | None,
    now: datetime,
    lang: str,
    figure: cycle.FigureKey | None = None,
    reason: str = "",
) -> StepOutcome:
    """Confirm or return an upload (or one `figure` of it); cycle checks the role."""
    try:
        if confirm:
            entry = cycle.confirm_figures(
                store, plan, int(upload_id), user=_someone(user), now=now, figure=figure
            )
        else:
            entry = cycle.return_figures(
                store, plan, int(upload_id), user=_someone(user), reason=reason, now=now,
                figure=figure,
            )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc, lang)
    what = "figure" if figure else "upload"
    said = f"{figure.indicator_id} {period_label(figure.period, lang)}" if figure else ""
    key = f"sv_{'confirmed' if confirm else 'returned'}_{what}"
    return StepOutcome(
        tr(key, lang, id=int(upload_id), figure=said, reason=reason.strip()), (entry,)
    )


# --- 督办单 -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NoticesView:
    """The lead units a 督办单 may go to, the controls to issue one, every 督办单 this user
    may see, and a chosen one's documents and closing."""

    caption: str
    targets: TableView | None
    targets_note: str | None
    units_label: str
    units: Choices  # lead units with lagging indicators; none chosen at first
    may_issue: bool
    issue_label: str
    not_allowed: str | None
    list_heading: str
    notices: TableView | None
    notices_note: str | None
    notice_label: str
    notice_choices: Choices  # notice ids this user may see, newest first
    documents_of: Callable[[int], DocumentsView | None]
    closable: frozenset[int]  # open notices this user may close
    close_note_label: str
    close_label: str
    chase_label: str  # 催办: remind the unit of the indicators it has not answered
    made: DocumentsView | None = None  # the 督办单 this user just issued


def notices_view(
    plan: Plan,
    leaders_status: pd.DataFrame,
    trail: pd.DataFrame,
    period: str,
    user: User | None,
    now: datetime,
    lang: str,
    made: Iterable[int] = (),
) -> NoticesView:
    """督办单 for the period from `leaders_status` (the whole plan's statuses as leaders'
    views count them at `period`), and every 督办单 issued; `made` the trail ids of the
    steps this user just took, whose 督办单 are offered for download."""
    today = now.astimezone(OFFICE_TIME).date()
    every = cycle.notices_table(trail, today)
    numbers = dict(zip(every["notice_id"], every["number"], strict=True))
    targets = cycle.notice_targets(leaders_status, trail, period)
    basis = "sv_basis_confirmed" if plan.confirmation.required else "sv_basis_all"
    shown_period = period_label(period, lang)
    target_rows = pd.DataFrame(
        {
            "lead_unit": targets["unit"],
            "indicator_count": targets["count"].astype("int64"),
            "indicator_ids": ["、".join(ids) for ids in targets["indicators"]],
            "open_notice": [numbers.get(int(n), NONE_SHOWN) if n else NONE_SHOWN
                            for n in targets["open_notice"]],
        }
    )  # fmt: skip
    unit_labels = {
        str(u): str(u) + (tr("sv_open_notice_of", lang, number=numbers.get(int(n), n)) if n else "")
        for u, n in zip(targets["unit"], targets["open_notice"], strict=True)
    }
    may = cycle.may_run_cycle(user)
    visible = cycle.notices_table(trail, today, user)
    listed = visible.assign(
        notice_number=visible["number"],
        issued_at=office_times(visible["issued_at"]),
        reply_by=[d.isoformat() for d in visible["reply_by"]],
        notice_indicators=visible["indicators"],
        replied_count=visible["replied"],
        notice_reminders=visible["reminders"],
        notice_state=[pick(NOTICE_STATE_LABELS[s], lang) for s in visible["state"]],
    )
    own_unit = user.unit if user is not None and user.role < Role.ADMIN and user.unit else ""
    return NoticesView(
        caption=tr("sv_notices_caption", lang, period=shown_period, basis=tr(basis, lang)),
        targets=table_view(target_rows, TARGET_KEYS, lang, "sv_notice_targets")
        if len(target_rows)
        else None,
        targets_note=None
        if len(target_rows)
        else tr("sv_notice_targets_none", lang, period=shown_period),
        units_label=tr("sv_notice_units", lang),
        units=Choices(tuple(unit_labels), unit_labels, []),
        may_issue=may and bool(unit_labels),
        issue_label=tr("sv_issue_button", lang),
        not_allowed=None if may else tr("sv_office_only_notices", lang),
        list_heading=tr("sv_own_notices", lang, unit=own_unit)
        if own_unit
        else tr("sv_all_notices", lang),
        notices=table_view(listed, NOTICE_KEYS, lang, "sv_notices") if len(listed) else None,
        notices_note=None if len(listed) else tr("sv_no_notices", lang),
        notice_label=tr("sv_choose_notice", lang),
        notice_choices=_notice_choices(visible, lang),
        documents_of=lambda notice_id: documents_view(plan, trail, [notice_id], lang, "sv_notice"),
        closable=frozenset(
            int(i)
            for i, s in zip(visible["notice_id"], visible["state"], strict=True)
            if s != "closed"
        )
        if may
        else frozenset(),
        close_note_label=tr("sv_close_note", lang),
        close_label=tr("sv_close_button", lang),
        chase_label=tr("sv_chase_button", lang),
        made=documents_view(plan, trail, made, lang, "sv_made_notices", kind="issued"),
    )


def _notice_choices(notices: pd.DataFrame, lang: str) -> Choices:
    labels = {
        int(i): tr("sv_notice_choice", lang, number=n, unit=u, period=period_label(p, lang))
        for i, n, u, p in zip(notices["notice_id"], notices["number"], notices["unit"],
                              notices["period"], strict=True)
    }  # fmt: skip
    return Choices(tuple(labels), labels, next(iter(labels), None))


def issue_chosen_notices(
    store: ProgressStore,
    plan: Plan,
    leaders_status: pd.DataFrame,
    *,
    units: Iterable[str],
    period: str,
    user: User | None,
    now: datetime,
    sample: bool,
    lang: str,
) -> StepOutcome:
    """Issue a 督办单 to each chosen lead unit (cycle checks the user and the units)."""
    try:
        made = cycle.issue_notices(
            store, plan, leaders_status, units=list(units), period=period, user=_someone(user),
            now=now, sample=sample,
        )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc, lang)
    ids = tuple(d.entry_id for d in made)
    issued = store.trail(("issued",))
    reply_by = str(issued.loc[issued["id"] == ids[0], "details"].iloc[0]["reply_by"])
    return StepOutcome(tr("sv_notices_issued", lang, n=len(ids), reply_by=reply_by), ids)


def close_chosen_notice(
    store: ProgressStore,
    notice_id: int,
    *,
    note: str,
    user: User | None,
    now: datetime,
    lang: str,
) -> StepOutcome:
    """Close (办结) a 督办单 (cycle checks the user)."""
    try:
        entry = cycle.close_notice(
            store, notice_id=int(notice_id), user=_someone(user), now=now, note=note
        )
    except UserInputError as exc:
        return _refused(exc, lang)
    number = cycle.notices_table(store.trail(), now.date()).set_index("notice_id")
    said = number.at[int(notice_id), "number"] if int(notice_id) in number.index else notice_id
    return StepOutcome(tr("sv_closed_done", lang, number=said), (entry,))


def chase_chosen_notice(
    store: ProgressStore, notice_id: int, *, user: User | None, now: datetime, lang: str
) -> StepOutcome:
    """Remind (催办) the unit of a 督办单 of what it has not answered (cycle checks)."""
    try:
        entry = cycle.chase_reply(store, notice_id=int(notice_id), user=_someone(user), now=now)
    except UserInputError as exc:
        return _refused(exc, lang)
    number = cycle.notices_table(store.trail(), now.date()).set_index("notice_id")
    return StepOutcome(tr("sv_chased", lang, number=number.at[int(notice_id), "number"]), (entry,))


# --- 回复 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RepliesView:
    """The open 督办单 this user may answer, their indicators, and the reply's fields."""

    caption: str
    note: str | None  # said instead of the form when there is nothing to answer
    notice_label: str
    notices: Choices  # open notice ids this user may answer
    indicators_of: Callable[[int], Choices]  # a notice's indicator ids, labelled with names
    replies_of: Callable[[int], TableView | None]  # what was answered so far
    replies_heading: str
    no_replies: str
    indicator_label: str
    reason_label: str
    measures_label: str
    expected_label: str
    submit_label: str
    form_label: str
    import_label: str


def replies_view(
    plan: Plan, trail: pd.DataFrame, user: User | None, now: datetime, lang: str
) -> RepliesView:
    """The reply form's choices: the open 督办单 that `user` may answer (their own unit's;
    any for the office)."""
    today = now.astimezone(OFFICE_TIME).date()
    visible = cycle.notices_table(trail, today, user)
    own = pd.Series([cycle.may_reply(user, str(unit)) for unit in visible["unit"]], visible.index)
    answerable = visible[(visible["state"] != "closed") & own.astype(bool)]
    issued = trail[trail["kind"] == "issued"].set_index("id")
    names = plan.indicators.set_index("indicator_id")["name"]

    def indicators_of(notice_id: int) -> Choices:
        listed = tuple(issued.at[int(notice_id), "details"]["indicators"])
        labels = {i: f"{i} {names.get(i, '')}".strip() for i in listed}
        return Choices(listed, labels, listed[0] if listed else None)

    def replies_of(notice_id: int) -> TableView | None:
        replies = trail[(trail["kind"] == "replied") & (trail["notice_id"] == int(notice_id))]
        if replies.empty:
            return None
        rows = pd.DataFrame(
            {
                "indicator_id": replies["indicator_id"].astype(str),
                "name": replies["indicator_id"].map(names).fillna(""),
                "reply_reason": [d.get("reason", "") for d in replies["details"]],
                "reply_measures": [d.get("measures", "") for d in replies["details"]],
                "reply_expected_by": [d.get("expected_by", "") for d in replies["details"]],
                "replied_by": replies["actor"].astype(str),
                "replied_at": office_times(replies["at"]),
            }
        ).iloc[::-1]
        return table_view(rows, REPLY_KEYS, lang, "sv_replies")

    note = None
    if answerable.empty:
        note = tr("sv_no_open_notice", lang)
    return RepliesView(
        caption=tr("sv_replies_caption", lang),
        note=note,
        notice_label=tr("sv_choose_notice", lang),
        notices=_notice_choices(answerable, lang),
        indicators_of=indicators_of,
        replies_of=replies_of,
        replies_heading=tr("sv_replies_of_notice", lang),
        no_replies=tr("sv_no_replies_yet", lang),
        indicator_label=tr("sv_reply_indicator", lang),
        reason_label=tr("sv_reply_reason", lang),
        measures_label=tr("sv_reply_measures", lang),
        expected_label=tr("sv_reply_expected", lang),
        submit_label=tr("sv_reply_submit", lang),
        form_label=tr("sv_reply_form_upload", lang),
        import_label=tr("sv_reply_form_import", lang),
    )


def submit_reply(
    store: ProgressStore,
    plan: Plan,
    *,
    notice_id: int,
    indicator_id: str,
    reason: str,
    measures: str,
    expected_by: date | None,
    user: User | None,
    now: datetime,
    lang: str,
) -> StepOutcome:
    """Store one reply (cycle checks that the user may answer this 督办单 and what it says)."""
    reply = cycle.Reply(int(notice_id), str(indicator_id), reason, measures, expected_by)
    try:
        ids = cycle.record_replies(store, plan, [reply], user=_someone(user), now=now)
    except UserInputError as exc:
        return _refused(exc, lang)
    return StepOutcome(tr("sv_replies_stored", lang, n=len(ids)), tuple(ids))


def import_reply_form_file(
    store: ProgressStore,
    plan: Plan,
    content: bytes,
    file_name: str,
    *,
    user: User | None,
    now: datetime,
    lang: str,
) -> StepOutcome:
    """Store the replies of a filled reply form; any problem stores none and lists every
    problem by row and column."""
    try:
        ids = cycle.import_reply_form(store, plan, content, file_name, user=_someone(user), now=now)
    except UserInputError as exc:
        return _refused(exc, lang)
    return StepOutcome(tr("sv_replies_stored", lang, n=len(ids)), tuple(ids))


# --- 留痕 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrailView:
    """The trail as people read it, and as a spreadsheet."""

    caption: str
    table: TableView | None
    note: str | None
    download: Download | None


def trail_view(
    plan: Plan,
    trail: pd.DataFrame,
    period: str,
    user: User | None,
    lang: str,
    *,
    every_period: bool = False,
) -> TrailView:
    """The steps of `period` (of every period when `every_period`: a decision on a whole
    upload has none), newest last; an account of a unit below the office sees its own
    unit's steps only."""
    trail = _visible_trail(trail, user)
    rows = cycle.trail_table(trail, plan, period=None if every_period else period, lang=lang)
    rows = rows.rename(columns=_TRAIL_RENAMES)
    shown_period = tr("sv_every_period", lang) if every_period else period_label(period, lang)
    caption = tr("sv_trail_caption", lang, period=shown_period)
    if rows.empty:
        return TrailView(caption, None, tr("sv_trail_none", lang), None)
    labels = column_labels(TRAIL_KEYS, lang)
    sheet = rows[TRAIL_KEYS].rename(columns=labels)
    name = "留痕" if lang == "zh" else "trail"
    stem = f"{name}_{'all' if every_period else period}"
    return TrailView(
        caption=caption,
        table=table_view(rows, TRAIL_KEYS, lang, "sv_trail"),
        note=None,
        download=Download(
            tr("sv_trail_download", lang),
            lambda: xlsx_bytes({name: sheet}),
            f"{stem}.xlsx",
            XLSX_MIME,
            key="sv_trail_xlsx",
        ),
    )


def _visible_trail(trail: pd.DataFrame, user: User | None) -> pd.DataFrame:
    """The whole trail for the office and confirmers without a unit; for an account of a
    unit below the office, the steps addressed to that unit and those on its 督办单."""
    if user is None or user.role >= Role.ADMIN or not user.unit:
        return trail
    own = trail["unit"] == user.unit
    notices = set(trail.loc[own & (trail["kind"] == "issued"), "id"])
    return trail[own | trail["notice_id"].isin(notices)]


# --- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SupervisionView:
    """The five parts of the page, with the tabs' titles."""

    tabs: tuple[str, ...]
    reminders: RemindersView
    confirmation: ConfirmationView
    notices: NoticesView
    replies: RepliesView
    trail_every_label: str
    trail: Callable[[bool], TrailView]  # of the period, or of every period


def supervision_view(
    plan: Plan,
    store: ProgressStore,
    user: User | None,
    *,
    period: str,
    now: datetime,
    lang: str,
    unit_figures: pd.DataFrame,
    leaders_status: pd.DataFrame,
    queue: pd.DataFrame,
    made: Iterable[int] = (),
) -> SupervisionView:
    """The page for `period` at `now`: `unit_figures` every unit's latest figures as sent
    (for who reported); `leaders_status` the whole plan's statuses as leaders' views count
    them at `period` (for 督办单); `queue` cycle.confirmation_queue; `made` the trail ids
    of the reminders or 督办单 this user just made (their documents are offered)."""
    trail = store.trail()
    tabs = ("sv_tab_reminders", "sv_tab_confirm", "sv_tab_notices", "sv_tab_replies",
            "sv_tab_trail")  # fmt: skip
    return SupervisionView(
        tabs=tuple(tr(t, lang) for t in tabs),
        reminders=reminders_view(plan, unit_figures, trail, period, user, now, lang, made),
        confirmation=confirmation_view(plan, store, queue, user, lang),
        notices=notices_view(plan, leaders_status, trail, period, user, now, lang, made),
        replies=replies_view(plan, trail, user, now, lang),
        trail_every_label=tr("sv_trail_every_period", lang),
        trail=lambda every: trail_view(plan, trail, period, user, lang, every_period=every),
    )


# --- small shared pieces ------------------------------------------------------------------------


def _someone(user: User | None) -> User:
    """The user a step is taken by; a visitor with no account is a viewer, refused by
    cycle's role checks with their message."""
    return user if user is not None else GUEST_USER
