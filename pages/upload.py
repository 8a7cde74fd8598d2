"""数据上传 Upload: template, validation report, change preview, import, history, withdraw."""

from datetime import UTC, datetime
from io import BytesIO

import streamlit as st

from lib.columns import column_labels
from lib.errors import UserInputError
from lib.progress_file import import_preview, validate_progress
from lib.tabular_export import csv_bytes, xlsx_bytes
from lib.template import write_template
from lib.ui import data
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import show_problems, table
from lib.ui.text import tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ctx = page_setup("upload")
lang, store_path = ctx.lang, str(ctx.settings.store_file)
st.caption(tr("upload_intro", lang))

left, right = st.columns(2)
for column, fmt, mime in ((left, "xlsx", XLSX_MIME), (right, "csv", "text/csv")):
    buffer = BytesIO()
    write_template(ctx.plan, buffer, fmt=fmt)
    column.download_button(
        tr(f"template_{fmt}", lang), buffer.getvalue(), f"进度填报模板.{fmt}", mime=mime
    )

uploaded = st.file_uploader(tr("choose_file", lang), type=["xlsx", "csv"], key="progress_upload")
if uploaded is not None:
    content = uploaded.getvalue()
    try:
        report = validate_progress(content, uploaded.name, ctx.plan, stored=ctx.figures)
    except UserInputError as exc:
        show_problems(exc.problems, lang)
        report = None
    if report is not None:
        problems = report.problems_frame(lang)
        if report.errors:
            st.error(tr("validation_errors", lang, n=len(report.errors)))
        else:
            st.success(tr("validation_ok", lang))
        if report.warnings:
            st.warning(tr("validation_warnings", lang, n=len(report.warnings)))
        if not problems.empty:
            table(problems, column_labels(list(problems.columns), lang), key="problems")
            a, b = st.columns(2)
            a.download_button(
                tr("report_csv", lang), csv_bytes(problems), "校验报告.csv", "text/csv"
            )
            b.download_button(
                tr("report_xlsx", lang),
                xlsx_bytes({"校验报告": problems}),
                "校验报告.xlsx",
                XLSX_MIME,
            )
        if report.ok:
            st.subheader(tr("preview", lang))
            preview = import_preview(report, ctx.figures)
            table(preview, column_labels(list(preview.columns), lang), key="preview")
            who = st.text_input(tr("reporter_name", lang), value="本地分析员 local analyst")
            if st.button(tr("confirm_import", lang), type="primary", key="confirm_import"):
                try:
                    upload_id = ctx.store.import_report(
                        report, content=content, file_name=uploaded.name, by=who,
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
    active = list(uploads.loc[uploads["status"] == "active", "id"])
    if active:
        chosen = st.selectbox(tr("withdraw_id", lang), active, key="withdraw_id")
        if st.button(tr("withdraw", lang), key="withdraw_button"):
            try:
                ctx.store.withdraw(
                    int(chosen), by="本地分析员 local analyst", now=datetime.now(UTC)
                )
                st.session_state["upload_flash"] = tr("withdrawn", lang, id=chosen)
                st.rerun()
            except UserInputError as exc:
                show_problems(exc.problems, lang)
present_view_footer(ctx, "upload")
