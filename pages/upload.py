"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from datetime import UTC, datetime

import streamlit as st

from lib.services.views.upload import (
    checked_upload_view,
    import_checked_upload,
    upload_history_view,
    upload_view,
    withdraw_chosen_upload,
)
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import download, show_problems, show_validation_report, table

ctx = page_setup("upload")
lang, user = ctx.lang, ctx.user
view = upload_view(ctx.plan, user, ctx.auth.mode, lang)
st.caption(view.intro)
if view.single_user_note:
    st.info(view.single_user_note, icon=":material/person:")

for column, template in zip(st.columns(2), view.templates, strict=True):
    download(template, column)  # written on click

if view.analyst_needed:
    st.warning(view.analyst_needed, icon=":material/lock:")
uploaded = (
    st.file_uploader(view.choose_file_label, type=["xlsx", "csv"], key="progress_upload")
    if view.may_upload
    else None
)
if uploaded is not None:
    content = uploaded.getvalue()
    checked = checked_upload_view(ctx.plan, ctx.figures, content, uploaded.name, lang)
    show_problems(checked.unreadable)
    if checked.report is not None:
        show_validation_report(checked)
        if checked.preview is not None:
            st.subheader(checked.preview_heading)
            table(checked.preview)
            if st.button(checked.confirm_label, type="primary", key="confirm_import"):
                outcome = import_checked_upload(
                    ctx.store, checked, content=content, file_name=uploaded.name, user=user,
                    now=datetime.now(UTC), lang=lang,
                )  # fmt: skip
                if outcome.message:
                    st.success(outcome.message)
                show_problems(outcome.problems)

history = upload_history_view(ctx.uploads(), user, lang)
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
