"""The plans page's blocks that only show things: the library, the draft's counts, the
check results and what publishing said."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.core.labels import pick, tr
from lib.services.plans import PlanLibrary
from lib.services.views import plans as pv

_COUNTS = ("sections", "tasks", "indicators", "units", "review_notes", "errors")


def library_section(library: PlanLibrary | None, lang: str) -> None:
    """The library's plans, newest first, and the files that did not load."""
    st.subheader(tr("pr_library", lang))
    if library is None:
        return
    st.dataframe(
        pv.library_table(library).rename(columns=lambda c: tr(f"pr_col_{c}", lang)),
        hide_index=True,
        width="stretch",
    )
    for problem in library.problems:
        st.warning(f"{problem.location()}：{pick((problem.message_zh, problem.message_en), lang)}")


def draft_counts(counts: dict[str, int], lang: str) -> None:
    for column, key in zip(st.columns(len(_COUNTS)), _COUNTS, strict=True):
        column.metric(tr(f"pr_count_{key}", lang), counts[key])


def check_results(problems: pd.DataFrame, lang: str) -> None:
    """check-plan's findings on the reviewed draft, errors first; or that it passes."""
    st.markdown(f"**{tr('pr_problems', lang)}**")
    if problems.empty:
        st.success(tr("pr_no_problems", lang))
    else:
        st.dataframe(
            problems.rename(columns=lambda c: tr(f"pr_col_{c}", lang)),
            hide_index=True,
            width="stretch",
        )


def publish_result(outcome: pv.PublishOutcome | None, lang: str) -> None:
    """The new plan and a link that opens it, or why nothing was published."""
    if outcome is None:
        return
    if outcome.ok:
        st.success(tr("pr_published", lang, plan_id=outcome.plan_id, file=outcome.file_name))
        st.page_link(
            "app.py",
            label=tr("pr_open_plan", lang),
            query_params={"plan": outcome.plan_id, "lang": lang},
        )
        return
    for problem in outcome.problems:
        st.error(f"{problem.location()} {pick((problem.message_zh, problem.message_en), lang)}")
