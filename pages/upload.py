"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from datetime import UTC, datetime

import streamlit as st

from lib.services.views.upload import (
    checked_upload_view,
    conflicts_view,
    import_checked_upload,
    unit_form_download,
    unit_forms_download,
    upload_history_view,
    upload_view,
    withdraw_chosen_upload,
)
from lib.ui import data
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import download, show_problems, show_validation_report, table

ctx = page_setup("upload")
lang, user = ctx.lang, ctx.user
view = upload_view(
    ctx.plan, user, ctx.auth.mode, lang, ctx.figures,
    max_upload_mb=int(st.get_option("server.maxUploadSize")),
)  # fmt: skip
st.caption(view.intro)
if view.single_user_note:
    st.info(view.single_user_note, icon=":material/person:")

for column, template in zip(st.columns(2), view.templates, strict=True):
    download(template, column)  # written on click

if view.form_units.options:  # a unit's own form: its indicators, name and last figures
    unit_column, period_column = st.columns(2)
    form_unit = unit_column.selectbox(
        view.form_unit_label,
        options=list(view.form_units.options),
        help=view.form_help,
        key="form_unit",
    )
    form_periods = list(view.form_periods.options)
    form_period = period_column.selectbox(
        view.form_period_label,
        options=form_periods,
        index=form_periods.index(view.form_periods.default),
        format_func=view.form_periods.label_of,
        key="form_period",
    )
    one, every = st.columns(2)
    download(unit_form_download(ctx.plan, form_unit, form_period, ctx.figures, lang), one)
    download(unit_forms_download(ctx.plan, form_period, ctx.figures, lang), every)

if view.analyst_needed:
    st.warning(view.analyst_needed, icon=":material/lock:")
uploaded, unit = None, ""
if view.may_upload:
    unit = st.selectbox(
        view.unit_label,
        options=list(view.units.options),
        format_func=view.units.label_of,
        help=view.unit_help,
        key="upload_unit",
    )
    if view.choose_file_hint:  # the chooser's own words are English whatever the language
        st.caption(view.choose_file_hint)
    uploaded = st.file_uploader(
        view.choose_file_label, type=list(view.file_types), key="progress_upload"
    )
if uploaded is not None:
    content = uploaded.getvalue()
    # the sheet chosen for this file (a new file starts from the sheet found by its header)
    sheet_key = f"upload_sheet_{uploaded.file_id}"
    checked = checked_upload_view(
        ctx.plan, ctx.figures, content, uploaded.name, lang,
        sheet=st.session_state.get(sheet_key), unit=unit,
    )  # fmt: skip
    show_problems(checked.unreadable)
    if checked.sheets is not None:
        sheets = list(checked.sheets.options)
        st.selectbox(
            checked.sheet_label,
            options=sheets,
            index=sheets.index(checked.sheets.default),
            help=checked.sheet_help,
            key=sheet_key,
        )
    if checked.report is not None:
        show_validation_report(checked)
        if checked.preview is not None:
            st.subheader(checked.preview_heading)
            table(checked.preview)
            if st.button(checked.confirm_label, type="primary", key="confirm_import"):
                outcome = import_checked_upload(
                    ctx.store, checked, content=content, file_name=uploaded.name, user=user,
                    now=datetime.now(UTC), lang=lang, plan=ctx.plan,
                )  # fmt: skip
                if outcome.message:
                    st.success(outcome.message)
                show_problems(outcome.problems)

if view.may_upload:
    conflicts = conflicts_view(ctx.plan, ctx.current_figures.headline(ctx.plan).conflicts, lang)
    if conflicts.table is not None:
        st.subheader(conflicts.heading)
        st.caption(conflicts.intro)
        table(conflicts.table)

version = ctx.store.data_version()  # an import or withdrawal of this rerun included
queue = data.confirmation_queue_at(ctx.plan, ctx.store_address, version)
history = upload_history_view(ctx.uploads(), user, lang, ctx.plan, queue)
st.subheader(history.heading)
if flash := st.session_state.pop("upload_flash", None):
    st.success(flash)
if history.ledger is None:
    st.caption(history.note)
else:
    table(history.ledger)
    if history.withdrawable:
        chosen = st.selectbox(history.withdraw_label, list(history.withdrawable), key="withdraw_id")
        if st.button(history.withdraw_button, key="withdraw_button"):
            outcome = withdraw_chosen_upload(
                ctx.store, chosen, user=user, now=datetime.now(UTC), lang=lang
            )
            if outcome.message:
                st.session_state["upload_flash"] = outcome.message
                st.rerun()
            show_problems(outcome.problems)
present_view_footer(ctx, "upload")
