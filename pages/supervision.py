"""督办 Supervision: 报送与催报, 核准, 督办单, 回复 and 留痕 for the as-of period."""

from datetime import UTC, datetime

import streamlit as st

from lib.services.views import supervision as sv
from lib.ui import data
from lib.ui.chrome import page_setup
from lib.ui.components import choose, documents, download, show_outcome, table, table_or_note

REPLY_FIELDS = ("sv_reply_reason", "sv_reply_measures", "sv_reply_expected")

ctx = page_setup("supervision")
lang, user, plan, store, period = ctx.lang, ctx.user, ctx.plan, ctx.store, ctx.as_of
now, path = datetime.now(UTC), ctx.store_address
sent_figures = data.figures_as_sent_at(path, ctx.version)
leaders = data.leaders_status_at(plan, path, ctx.version, period)
view = sv.supervision_view(
    plan, store, user, period=period, now=now, lang=lang, unit_figures=sent_figures,
    leaders_status=leaders, queue=data.confirmation_queue_at(plan, path, ctx.version),
    made=st.session_state.get("sv_made", ()),
)  # fmt: skip


def done(part: str, outcome) -> None:
    """Keep what a step said (and what it made) for the rerun that shows the new state."""
    st.session_state["sv_said"] = (part, outcome)
    if outcome.ok and part in ("reminders", "notices"):
        st.session_state["sv_made"] = outcome.entry_ids
    if outcome.ok and part == "replies":
        for key in REPLY_FIELDS:  # a stored reply is not offered again
            st.session_state.pop(key, None)
    st.rerun()


def said(part: str, caption: str) -> None:
    if st.session_state.get("sv_said", ("",))[0] == part:
        show_outcome(st.session_state.pop("sv_said")[1])
    st.caption(caption)


reminders, confirm, notices, replies, trail = st.tabs(view.tabs)
with reminders:
    r = view.reminders
    said("reminders", r.caption)
    table_or_note(r.table, r.note)
    units = st.multiselect(r.units_label, list(r.units.options), r.units.default,
                           key="sv_remind_units", disabled=not r.may_send)  # fmt: skip
    if st.button(r.send_label, key="sv_send_reminders", type="primary", disabled=not r.may_send):
        done("reminders", sv.send_chosen_reminders(store, plan, sent_figures, units=units,
             period=period, user=user, now=now, lang=lang))  # fmt: skip
    table_or_note(None, r.not_allowed)
    documents(r.made)
    st.subheader(r.sent_heading)
    table_or_note(r.sent, r.sent_note)
    if r.documents.options:
        documents(r.document_of(choose(r.document_label, r.documents, "sv_reminder_doc")))
with confirm:
    c = view.confirmation
    said("confirm", c.caption)
    table_or_note(None, c.not_allowed)
    table_or_note(c.table, c.note)
    if c.uploads.options:
        upload = choose(c.upload_label, c.uploads, "sv_upload")
        figures = c.figures_of(upload)
        table(figures.table)
        reason = st.text_input(c.reason_label, key="sv_return_reason", disabled=not c.may_decide)
        figure = choose(figures.figure_label, figures.figures, "sv_figure")
        for column, act in zip(st.columns(4), c.actions, strict=True):
            if column.button(act.label, key=f"sv_{act.key}", disabled=not c.may_decide):
                done("confirm", sv.decide_upload(store, plan, upload, confirm=act.confirm,
                     user=user, now=now, lang=lang, reason=reason,
                     figure=figure if act.one_figure else None))  # fmt: skip
with notices:
    n = view.notices
    said("notices", n.caption)
    table_or_note(n.targets, n.targets_note)
    units = st.multiselect(n.units_label, list(n.units.options), format_func=n.units.label_of,
                           key="sv_notice_units", disabled=not n.may_issue)  # fmt: skip
    if st.button(n.issue_label, key="sv_issue", type="primary", disabled=not n.may_issue):
        done("notices", sv.issue_chosen_notices(store, plan, leaders, units=units, period=period,
             user=user, now=now, sample=ctx.sample_in_use, lang=lang))  # fmt: skip
    table_or_note(None, n.not_allowed)
    documents(n.made)
    st.subheader(n.list_heading)
    table_or_note(n.notices, n.notices_note)
    if n.notice_choices.options:
        notice = choose(n.notice_label, n.notice_choices, "sv_notice")
        documents(n.documents_of(notice))
        if notice in n.closable:
            if st.button(n.chase_label, key="sv_chase"):
                done(
                    "notices", sv.chase_chosen_notice(store, notice, user=user, now=now, lang=lang)
                )
            note = st.text_input(n.close_note_label, key="sv_close_note")
            if st.button(n.close_label, key="sv_close"):
                done("notices", sv.close_chosen_notice(store, notice, note=note, user=user,
                     now=now, lang=lang))  # fmt: skip
with replies:
    p = view.replies
    said("replies", p.caption)
    if p.note:
        st.info(p.note)
    else:
        notice = choose(p.notice_label, p.notices, "sv_reply_notice")
        indicator = choose(p.indicator_label, p.indicators_of(notice), "sv_reply_indicator")
        reason = st.text_area(p.reason_label, key="sv_reply_reason")
        measures = st.text_area(p.measures_label, key="sv_reply_measures")
        expected = st.date_input(p.expected_label, value=None, key="sv_reply_expected")
        if st.button(p.submit_label, key="sv_reply_submit", type="primary"):
            done("replies", sv.submit_reply(store, plan, notice_id=notice, indicator_id=indicator,
                 reason=reason, measures=measures, expected_by=expected, user=user, now=now,
                 lang=lang))  # fmt: skip
        st.markdown(f"**{p.replies_heading}**")
        table_or_note(p.replies_of(notice), p.no_replies)
        form = st.file_uploader(p.form_label, type=["xlsx", "csv"], key="sv_reply_form")
        if form is not None and st.button(p.import_label, key="sv_reply_import"):
            done("replies", sv.import_reply_form_file(store, plan, form.getvalue(), form.name,
                 user=user, now=now, lang=lang))  # fmt: skip
with trail:
    t = view.trail(st.toggle(view.trail_every_label, key="sv_trail_every"))
    st.caption(t.caption)
    table_or_note(t.table, t.note)
    if t.download is not None:
        download(t.download)
