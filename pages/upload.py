"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from datetime import UTC, datetime

import streamlit as st

from lib.auth.accounts import Role, can_withdraw, has_role
from lib.core.errors import UserInputError
from lib.core.labels import column_labels, tr
from lib.ingest.progress_file import import_preview, validate_progress
from lib.output.template import template_bytes
from lib.ui import data
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import XLSX_MIME, show_problems, show_validation_report, table

ctx = page_setup("upload")
lang, store_path, user = ctx.lang, str(ctx.settings.store_file), ctx.user
st.caption(tr("upload_intro", lang))
if ctx.auth.mode == "none":
    st.info(tr("single_user_upload", lang), icon=":material/person:")

left, right = st.columns(2)
for column, fmt, mime in ((left, "xlsx", XLSX_MIME), (right, "csv", "text/csv")):
    # written on click: a province's template (30,000 rows, styled) takes seconds
    column.download_button(
        tr(f"template_{fmt}", lang),
        lambda fmt=fmt: template_bytes(ctx.plan, fmt),
        f"进度填报模板.{fmt}",
        mime=mime,
    )

may_upload = has_role(user, Role.ANALYST)
if not may_upload:
    st.warning(tr("analyst_needed", lang), icon=":material/lock:")
uploaded = (
    st.file_uploader(tr("choose_file", lang), type=["xlsx", "csv"], key="progress_upload")
    if may_upload
    else None
)
if uploaded is not None:
    content = uploaded.getvalue()
    try:
        report = validate_progress(content, uploaded.name, ctx.plan, stored=ctx.figures)
    except UserInputError as exc:
        show_problems(exc.problems, lang)
        report = None
    if report is not None:
        show_validation_report(report, lang)
        if report.ok:
            st.subheader(tr("preview", lang))
            preview = import_preview(report, ctx.figures)
            table(preview, column_labels(list(preview.columns), lang), key="preview")
            if st.button(tr("confirm_import", lang), type="primary", key="confirm_import"):
                try:
                    upload_id = ctx.store.import_report(
                        report, content=content, file_name=uploaded.name, by=user,
                        now=datetime.now(UTC),
                    )  # fmt: skip
                    st.success(tr("imported", lang, id=upload_id))
                except UserInputError as exc:
                    show_problems(exc.problems, lang)

st.subheader(tr("history", lang))
if flash := st.session_state.pop("upload_flash", None):
    st.success(flash)
uploads = data.uploads_at(store_path, ctx.store.data_version())
if uploads.empty:
    st.caption(tr("no_uploads", lang))
else:
    shown = uploads.rename(columns={"status": "upload_status"})
    keys = ["id", "file_name", "uploaded_by", "uploaded_at", "row_count", "upload_status"]
    table(shown, column_labels(keys, lang), key="uploads")
    active = uploads[uploads["status"] == "active"]
    mine = [int(u.id) for u in active.itertuples() if can_withdraw(user, u.uploaded_by)]
    if mine:
        chosen = st.selectbox(tr("withdraw_id", lang), mine, key="withdraw_id")
        if st.button(tr("withdraw", lang), key="withdraw_button"):
            try:
                ctx.store.withdraw(int(chosen), by=user, now=datetime.now(UTC))
                st.session_state["upload_flash"] = tr("withdrawn", lang, id=chosen)
                st.rerun()
            except UserInputError as exc:
                show_problems(exc.problems, lang)
present_view_footer(ctx, "upload")
