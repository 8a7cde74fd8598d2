"""Shared page chrome: page config, translated navigation, the filter sidebar and banners.

Every page starts with `ctx = page_setup("key")`, which renders the sidebar and returns a
`PageContext` holding the plan, the figures in view and the chosen filters; pages pass its
pieces to their view model (lib.services.views) and render what that returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import streamlit as st

from lib.auth.accounts import AuthSettings, User
from lib.core.errors import PlanError
from lib.core.labels import SAMPLE_DATA_NOTICE, pick, tr
from lib.core.periods import period_label, periods_between
from lib.plan.model import Plan
from lib.services.plans import PlanLibrary
from lib.services.settings import Settings, settings_from_env
from lib.services.workspace import Workspace
from lib.status.confirmation import figure_confirmation
from lib.status.figures import CurrentFigures
from lib.status.rollups import section_completion, task_completion
from lib.status.submissions import OFFICE_TIME
from lib.store.confirmations import confirmation_states
from lib.store.repository import ProgressStore
from lib.ui import data
from lib.ui.auth import current_settings, current_user, login_form, user_panel
from lib.ui.filters import (
    Filters,
    bind_widget,
    filters_from_query,
    plan_switch_callback,
    unconfirmed_from_query,
)
from lib.ui.startup import configure_process

PAGES = (
    ("overview", "app.py", "nav_overview", ":material/dashboard:"),
    ("sections", "pages/sections.py", "nav_sections", ":material/account_tree:"),
    ("units", "pages/units.py", "nav_units", ":material/groups:"),
    ("risks", "pages/risks.py", "nav_risks", ":material/warning:"),
    ("supervision", "pages/supervision.py", "nav_supervision", ":material/assignment_late:"),
    ("tasks", "pages/tasks.py", "nav_tasks", ":material/list:"),
    ("upload", "pages/upload.py", "nav_upload", ":material/upload_file:"),
    ("plans", "pages/plans.py", "nav_plans", ":material/library_books:"),
)

# Pages that show every unit's latest figures as sent, confirmed or not: the upload page
# compares a new file with them and fills them into a unit's form.
AS_SENT_PAGES = ("upload",)
# Pages that act on the leaders' figures whatever the switch says: a 督办单 lists what is
# behind on confirmed figures (its reminders count figures as sent on their own).
CONFIRMED_PAGES = ("supervision",)

# Which figures a page counts (PageContext.figures_shown): every figure, for a plan that
# needs no confirmation; the leaders' default, confirmed figures only; confirmed and
# unconfirmed ones, by the user's choice; or a page of figures as sent (AS_SENT_PAGES).
FIGURES_SHOWN = ("all", "confirmed", "unconfirmed", "as_sent")

# Pages that show fixed 16:9 panels in presentation view (lib/ui/present.py): each panel
# carries its own title, stamp and source line, so the page's header is left out.
PANEL_PAGES = ("overview", "risks", "units")

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stDownloadButton"],
[data-testid="stElementToolbar"], footer { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
  max-width: 1280px !important; width: 1280px !important; padding: 24px 32px !important;
  margin: 0 auto !important;
}
@media print {
  @page { size: A4 landscape; margin: 8mm; }
  .block-container, [data-testid="stMainBlockContainer"] { width: 100% !important; }
}
</style>
"""


@dataclass(frozen=True)
class PageContext:
    """What a page needs: plan, store, filters and the figures in view."""

    settings: Settings
    plan: Plan
    store: ProgressStore
    version: int
    filters: Filters
    current_figures: CurrentFigures
    sample_in_use: bool
    task_ids: frozenset[str]
    auth: AuthSettings
    user: User | None
    figures_shown: str = "all"  # one of FIGURES_SHOWN
    # what status(), tasks() and sections() computed in this rerun: each is asked for
    # several times per page, and filtering 30,000 statuses again each time adds up
    _memo: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def lang(self) -> str:
        return self.filters.lang

    @property
    def store_address(self) -> data.StoreAddress:
        """The store and plan as the caches key them."""
        return data.address_of(self.store)

    @property
    def as_of(self) -> str | None:
        return self.filters.period

    @property
    def figures(self) -> pd.DataFrame:
        """The current figures (read only)."""
        return self.current_figures.frame

    @property
    def has_figures(self) -> bool:
        return not self.figures.empty

    @property
    def today(self) -> date:
        """Today in the office's time (UTC+8), where deadlines and reply dates fall."""
        return datetime.now(OFFICE_TIME).date()

    @property
    def sent_figures(self) -> CurrentFigures:
        """Every unit's latest figure as sent, confirmed or not (read only): what 报送情况
        and "who reported" count, whichever figures the page's statuses count."""
        if self.figures_shown == "confirmed":
            return data.figures_at(self.store_address, self.version, frozenset())
        return self.current_figures

    @property
    def figures_note(self) -> str:
        """Which figures the page counts, in words, where the plan requires confirmation
        ("" otherwise): for the header, and for a deck made from this page's figures."""
        confirmer = self.plan.confirmation.confirmer
        if self.figures_shown == "confirmed":
            return tr("confirmed_only_banner", self.lang, confirmer=confirmer)
        if self.figures_shown == "unconfirmed":
            return tr("unconfirmed_banner", self.lang, confirmer=confirmer)
        if self.figures_shown == "as_sent":
            return tr("figures_as_sent", self.lang)
        return ""

    @property
    def marks_confirmation(self) -> bool:
        """Whether unconfirmed figures may be in view, so each status row says whether its
        figure is confirmed (a `confirmation` column, lib/status/confirmation.py)."""
        return self.figures_shown in ("unconfirmed", "as_sent")

    def status(self) -> pd.DataFrame:
        """Indicator statuses at the as-of period, limited to the tasks in view (read only);
        with a `confirmation` column when `marks_confirmation`."""
        if "status" not in self._memo:
            full = data.status_at(self.plan, self.current_figures, self.as_of)
            # object dtype: pandas 3's str isin converts each of 10,000 ids on its own
            in_view = full["task_id"].astype(object).isin(self.task_ids)
            shown = full[in_view].reset_index(drop=True)
            if self.marks_confirmation:
                decisions = data.decisions_at(self.store_address, self.version)
                shown = shown.assign(
                    confirmation=figure_confirmation(
                        shown,
                        decisions,
                        self.plan.confirmed_indicator_ids(),
                        states_of=confirmation_states,
                    )
                )
            self._memo["status"] = shown
        return self._memo["status"]

    def tasks(self) -> pd.DataFrame:
        """Task completion for the tasks in view (read only)."""
        if "tasks" not in self._memo:
            self._memo["tasks"] = task_completion(self.plan, self.status())
        return self._memo["tasks"]

    def sections(self) -> pd.DataFrame:
        """Section completion for the tasks in view (read only)."""
        if "sections" not in self._memo:
            self._memo["sections"] = section_completion(self.plan, self.tasks())
        return self._memo["sections"]

    def trend(self) -> pd.DataFrame:
        """Completion and expected pace per reported period over the tasks in view."""
        f = self.filters
        return data.trend_at(self.plan, self.current_figures, f.sections, f.unit, f.lead_only)

    def status_changes(self) -> pd.DataFrame:
        """Indicators of the whole plan whose status changed since the previous period."""
        return data.status_changes_at(self.plan, self.current_figures, self.as_of)

    def uploads(self) -> pd.DataFrame:
        """The upload ledger as it is now: the data version is read again, so an import or a
        withdrawal made earlier in this rerun is listed."""
        return data.uploads_at(self.store_address, self.store.data_version())

    def replies(self) -> pd.DataFrame:
        """The 督办单, replies and closings of the trail (kinds issued, replied, closed) as
        they are now, read like `uploads`; lib/status/replies.py reads them."""
        trail = data.trail_at(self.store_address, self.store.data_version())
        return trail[trail["kind"].isin(("issued", "replied", "closed"))].reset_index(drop=True)


def page_setup(page: str) -> PageContext:
    """Configure the process and the page, render navigation, filters and banners; return
    the context."""
    configure_process()  # first: before this rerun reads anything into Arrow buffers
    title = tr(next(p[2] for p in PAGES if p[0] == page), _lang_hint())
    st.set_page_config(page_title=f"{title} · 督办看板", page_icon="📊", layout="wide")
    auth = current_settings(_lang_hint())
    user = current_user(auth)
    if user is None:
        st.title(tr("app_title", _lang_hint()))
        st.info(tr("login_needed", _lang_hint()))
        login_form(auth, _lang_hint())
        st.stop()
    settings = settings_from_env()
    params = st.query_params.to_dict()
    workspace, plan_id = _chosen_workspace(settings, params.get("plan"))
    plan, store = workspace.plan, workspace.store
    address = data.address_of(store)
    version = store.data_version()
    offered = plan.confirmation.required
    shown = figures_shown(plan, unconfirmed_from_query(params, offered), page)
    confirmed_only = plan.confirmed_indicator_ids() if shown == "confirmed" else frozenset()
    figures = data.figures_at(address, version, confirmed_only)
    periods = periods_between(plan.meta.period_start, plan.meta.period_end)
    filters = filters_from_query(
        params,
        periods,
        list(plan.sections["section_id"]),
        list(plan.units["unit"]),
        data.latest_period_at(address, version, confirmed_only) or periods[0],
        unconfirmed_offered=offered,
        plan_id=plan_id,
    )
    if filters.view == "present":
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)  # static CSS only, never data
    else:
        _sidebar(plan, filters, periods, page, workspace.library)
        with st.sidebar:
            user_panel(auth, user, filters.lang)
    task_ids = data.scope_at(plan, filters.sections, filters.unit, filters.lead_only)
    ctx = PageContext(
        settings=settings,
        plan=plan,
        store=store,
        version=version,
        filters=filters,
        current_figures=figures,
        sample_in_use=data.sample_in_use_at(address, version),
        task_ids=task_ids,
        auth=auth,
        user=user,
        figures_shown=shown,
    )
    if not (filters.view == "present" and page in PANEL_PAGES and ctx.has_figures):
        _header(ctx, title)
    return ctx


def _chosen_workspace(settings: Settings, wanted: str | None) -> tuple[Workspace, str | None]:
    """The workspace of the plan the URL names and that id; for an id the library does not
    have, the default plan with a warning saying which plans there are."""
    if wanted:
        try:
            return data.current_workspace(settings, wanted), wanted
        except PlanError as exc:
            if exc.problems[0].code != "unknown_plan":
                raise
            problem = exc.problems[0]
            st.warning(pick((problem.message_zh, problem.message_en), _lang_hint()))
    return data.current_workspace(settings), None


def figures_shown(plan: Plan, unconfirmed: bool, page: str) -> str:
    """Which figures `page` counts (FIGURES_SHOWN): leaders' views count confirmed figures
    only unless the user asked for `unconfirmed` ones too; AS_SENT_PAGES count every
    figure as sent; a plan without confirmation counts every figure everywhere."""
    if not plan.confirmation.required:
        return "all"
    if page in AS_SENT_PAGES:
        return "as_sent"
    return "unconfirmed" if unconfirmed and page not in CONFIRMED_PAGES else "confirmed"


def _lang_hint() -> str:
    return "en" if st.query_params.get("lang") == "en" else "zh"


def _page_path(page: str) -> str:
    return next(p[1] for p in PAGES if p[0] == page)


def _sidebar(
    plan: Plan, filters: Filters, periods: list[str], page: str, library: PlanLibrary | None
) -> None:
    lang = filters.lang
    with st.sidebar:
        st.markdown(f"### {tr('app_title', lang)}")
        if library is not None and len(library.plans) > 1:
            # options are the shown labels (no format_func): a label names its plan's id, the
            # document number first (the title is under the page heading; a sidebar cuts it)
            labels = {
                f"{e.plan.meta.document_number}（{e.plan_id}）": e.plan_id for e in library.plans
            }
            st.session_state["_w_plan"] = next(k for k, v in labels.items() if v == plan.meta.id)
            st.selectbox(
                tr("plan_choice", lang),
                options=list(labels),
                key="_w_plan",
                on_change=plan_switch_callback("_w_plan", labels),
            )
        for _, path, key, icon in PAGES:
            st.page_link(path, label=tr(key, lang), icon=icon, query_params=filters.query_params())
        st.page_link(
            _page_path(page),
            label=tr("present_view", lang),
            icon=":material/slideshow:",
            query_params={**filters.query_params(), "view": "present"},
            help=tr("present_help", lang),
        )
        st.divider()
        st.segmented_control(
            tr("language", lang),
            options=["zh", "en"],
            format_func=lambda code: "中文" if code == "zh" else "English",
            key="_w_lang",
            on_change=bind_widget("lang", "_w_lang", filters.lang, lambda v: v or "zh"),
        )
        st.markdown(f"**{tr('filters', lang)}**")
        st.selectbox(
            tr("as_of", lang),
            options=periods,
            format_func=lambda p: period_label(p, lang),
            key="_w_period",
            on_change=bind_widget("period", "_w_period", filters.period, lambda v: v),
        )
        titles = dict(zip(plan.sections["section_id"], plan.sections["title"], strict=True))
        st.multiselect(
            tr("sections_filter", lang),
            options=list(titles),
            format_func=lambda s: f"{s} {titles[s]}",
            placeholder=tr("all_sections", lang),
            key="_w_sections",
            on_change=bind_widget(
                "sections", "_w_sections", list(filters.sections), lambda v: ",".join(v or [])
            ),
        )
        units = ["", *sorted(plan.units["unit"], key=_unit_sort_key(plan))]
        st.selectbox(
            tr("unit_filter", lang),
            options=units,
            format_func=lambda u: u or tr("all_units", lang),
            key="_w_unit",
            on_change=bind_widget("unit", "_w_unit", filters.unit or "", lambda v: v or None),
        )
        st.toggle(
            tr("lead_only", lang),
            key="_w_lead",
            disabled=filters.unit is None,
            on_change=bind_widget(
                "lead", "_w_lead", filters.lead_only, lambda v: "1" if v else None
            ),
        )
        if plan.confirmation.required and page not in (*AS_SENT_PAGES, *CONFIRMED_PAGES):
            st.toggle(
                tr("include_unconfirmed", lang),
                key="_w_unconfirmed",
                help=tr("include_unconfirmed_help", lang, confirmer=plan.confirmation.confirmer),
                on_change=bind_widget(
                    "unconfirmed",
                    "_w_unconfirmed",
                    filters.unconfirmed,
                    lambda v: "1" if v else None,
                ),
            )
        st.caption(tr("share_hint", lang))


def _unit_sort_key(plan: Plan):
    order = {u: i for i, u in enumerate(plan.responsibilities["unit"].drop_duplicates())}
    return lambda unit: order.get(unit, len(order))


def present_view_footer(ctx: PageContext, page: str) -> None:
    """In presentation view, a small link back to the normal view at the page's end."""
    if ctx.filters.view == "present":
        params = {k: v for k, v in ctx.filters.query_params().items() if k != "view"}
        st.page_link(_page_path(page), label=tr("leave_present", ctx.lang), query_params=params)


# The normal view's header made compact, so a 1280x800 screen shows what is at risk under
# it: less space above the title, a smaller title (static CSS only, never data).
COMPACT_HEADER_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0 0 0.25rem 0; }
</style>
"""


def _header(ctx: PageContext, title: str) -> None:
    lang = ctx.lang
    if ctx.filters.view != "present":
        st.markdown(COMPACT_HEADER_CSS, unsafe_allow_html=True)  # static CSS only, never data
    st.title(title)
    as_of = period_label(ctx.as_of, lang) if ctx.as_of else "-"
    meta = ctx.plan.meta
    subtitle = tr("plan_subtitle", lang, number=meta.document_number, title=meta.title)
    st.caption(f"{subtitle} · {tr('as_of_banner', lang, period=as_of)}")
    _figures_shown_banner(ctx)
    if ctx.sample_in_use:
        st.warning(pick(SAMPLE_DATA_NOTICE, lang), icon=":material/science:")
    elif not ctx.has_figures:
        st.info(tr("no_figures", lang), icon=":material/info:")


def _figures_shown_banner(ctx: PageContext) -> None:
    """Say which figures the page counts when the plan requires confirmation: a warning
    when a leaders' view includes unconfirmed ones, a caption otherwise."""
    if ctx.figures_shown == "unconfirmed":
        st.warning(ctx.figures_note, icon=":material/pending:")
    elif ctx.figures_note:
        st.caption(ctx.figures_note)
