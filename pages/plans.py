"""计划库 Plans: the plans of the library, and (admins) a document drafted into a plan,
reviewed task by task beside its text, checked and published as a new plan."""

from datetime import UTC, datetime

import streamlit as st

from lib.core.labels import tr
from lib.services.views import plans as pv
from lib.ui import data
from lib.ui.chrome import page_setup
from lib.ui.plan_review import check_results, draft_counts, library_section, publish_result

ctx = page_setup("plans")
lang, user = ctx.lang, ctx.user
library = data.current_workspace(ctx.settings, ctx.filters.plan).library

library_section(library, lang)

st.subheader(tr("pr_draft_heading", lang))
if not pv.may_publish(user):
    st.info(tr("pr_admin_only", lang))
    st.stop()
st.caption(tr("pr_draft_help", lang))
uploaded = st.file_uploader(
    tr("pr_document", lang), type=list(pv.DOCUMENT_TYPES), key="pr_document"
)
if uploaded is not None and not pv.is_same_file(
    st.session_state.get("pr_working"), uploaded.name, uploaded.getvalue()
):
    drafted, refused = pv.drafted_or_problems(
        uploaded.getvalue(), uploaded.name, datetime.now(UTC).date(), lang
    )
    st.session_state.pop("pr_published", None)
    st.session_state.pop("pr_working", None)
    if drafted is not None:
        st.session_state["pr_working"] = drafted
    for message in refused:
        st.error(message)
working = st.session_state.get("pr_working")
if working is None:
    st.stop()

draft = working.draft
yaml_text = pv.reviewed_yaml(draft)
problems = pv.problem_table(yaml_text, lang)
counts = pv.draft_summary(draft, problems)
draft_counts(counts, lang)

text_column, review_column = st.columns([2, 3])
with text_column:
    st.markdown(f"**{tr('pr_text', lang)}** · {working.file_name}")
    with st.container(height=620):
        st.text(working.text)
with review_column:
    task_ids = list(pv.task_table(draft)["task_id"])
    chosen = st.selectbox(tr("pr_task", lang), task_ids, key="pr_task",
                          format_func=lambda t: f"{t} {pv.task_text(draft, t)[:30]}")  # fmt: skip
    task = next(t for t in pv.tasks(draft) if t["id"] == chosen)
    st.caption(task.get("text", ""))
    for note in task.get("review", []):
        st.warning(note, icon=":material/rate_review:")
    title = st.text_input(tr("pr_title", lang), task.get("title", ""), key=f"pr_title_{chosen}")
    units_text = st.text_area(
        tr("pr_units", lang), "、".join(task.get("units", [])), key=f"pr_units_{chosen}",
        help=tr("pr_units_help", lang), height=80,
    )  # fmt: skip
    indicators = st.data_editor(
        pv.indicator_table(task),
        key=f"pr_indicators_{chosen}",
        num_rows="dynamic",
        hide_index=True,
        disabled=["indicator_id", "review"],
        column_config={
            "kind": st.column_config.SelectboxColumn(options=["quantity", "milestone"]),
            "direction": st.column_config.SelectboxColumn(options=["increase", "decrease"]),
            "deadline": st.column_config.DateColumn(format="YYYY-MM-DD"),
        },
    )
    if st.button(tr("pr_save_task", lang), key="pr_save_task", type="primary"):
        edited = pv.with_task_edits(
            draft, chosen, title=title, units_text=units_text, indicators=indicators
        )
        st.session_state["pr_working"] = pv.WorkingDraft(
            edited, working.text, working.file_name, working.digest
        )
        st.rerun()

with st.expander(tr("pr_units_registry", lang)):
    registry = st.data_editor(
        pv.unit_table(draft), key="pr_registry", hide_index=True, num_rows="dynamic",
        disabled=["name", "review"],
    )  # fmt: skip
    if st.button(tr("pr_save_units", lang), key="pr_save_units"):
        st.session_state["pr_working"] = pv.WorkingDraft(
            pv.with_unit_edits(draft, registry), working.text, working.file_name, working.digest
        )
        st.rerun()

check_results(problems, lang)

left, right = st.columns(2)
left.download_button(
    tr("pr_download", lang), yaml_text.encode("utf-8"), file_name=f"{draft['plan']['id']}.yaml",
    mime="application/x-yaml", key="pr_download",
)  # fmt: skip
if right.button(tr("pr_publish", lang), key="pr_publish", disabled=counts["errors"] > 0,
                help=tr("pr_publish_help", lang)):  # fmt: skip
    st.session_state["pr_published"] = pv.publish(ctx.settings, user, yaml_text)
publish_result(st.session_state.get("pr_published"), lang)
