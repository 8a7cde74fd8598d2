"""The units page's heatmap and the scorecard a click on it opens.

The unit whose scorecard is open is the page's `unit` filter, the sidebar's, kept in the URL
(`?unit=<name>`): a click on any cell of a heatmap row writes it there, the sidebar's
selector follows on the rerun, and a shared link opens the same card. The heatmap is drawn
as two figures in one box of fixed height: the header (title, legend, column headings)
sticks to the box's top while the rows scroll under it.
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from lib.services.views.units import ChosenUnit, UnitsView, unit_of_selection
from lib.ui.components import PLOTLY_CONFIG, download, metric, table

# The box's first element (the header) sticks to its top; no gap between header and rows
# (static CSS only, never data).
HEATMAP_CSS = """
<style>
.st-key-heatmap_scroll { gap: 0; }
.st-key-heatmap_scroll > div:first-child {
  position: sticky; top: 0; z-index: 3; background: white;
}
</style>
"""
HEATMAP_CONFIG = {**PLOTLY_CONFIG, "displayModeBar": False}  # the button under it exports
# After a click on a row the page goes to its top, where the unit's scorecard now is (a
# static script, never data).
SCROLL_TO_TOP = """<script>
document.querySelector('[data-testid="stMain"]')?.scrollTo({top: 0});
</script>"""
_SCROLL_FLAG = "units_scroll_top"


def every_unit() -> None:
    """No unit chosen (nor lead-only, which needs one): in the URL, so the sidebar follows."""
    for name in ("unit", "lead"):
        st.query_params.pop(name, None)


def back_to_all_units(label: str) -> None:
    """Back to every unit: a button drawn as a link (a page link to the page itself would
    leave the address bar as it was)."""
    st.button(label, icon=":material/arrow_back:", type="tertiary", on_click=every_unit)


def chosen_scorecard(chosen: ChosenUnit) -> None:
    """The chosen unit's scorecard: the way back, its title, counts and tasks (or why it
    has none); the page is taken to its top when a click just chose the unit."""
    back_to_all_units(chosen.back_label)
    st.subheader(chosen.title)
    if chosen.card is None:
        st.info(chosen.note)
    else:
        for column, kpi in zip(st.columns(len(chosen.card.kpis)), chosen.card.kpis, strict=True):
            metric(column, kpi)
        table(chosen.card.tasks)
    if st.session_state.pop(_SCROLL_FLAG, False):
        st.html(SCROLL_TO_TOP, unsafe_allow_javascript=True)


def _choose_unit_of_row(key: str, units: Collection[str], current: str | None) -> None:
    """A click on a heatmap row: its unit becomes the page's unit filter, in the URL."""
    event = st.session_state.get(key)
    unit = unit_of_selection(event.get("selection") if event else None, units)
    if unit is not None and unit != current:
        st.query_params["unit"] = unit
        st.session_state[_SCROLL_FLAG] = True


def heatmap_with_rows(view: UnitsView, units: Collection[str], current: str | None) -> None:
    """The heatmap's header over its rows in a box of at most `view.heatmap_height` px, the
    hint above it and its slide images under it. A click on a row of one of `units` (the
    units the URL filter accepts) chooses it; `current` is the unit chosen now."""
    panes = view.heatmap_panes
    st.caption(view.heatmap_hint)
    st.markdown(HEATMAP_CSS, unsafe_allow_html=True)
    with st.container(height=view.heatmap_height, border=False, key="heatmap_scroll"):
        st.plotly_chart(panes.header, key="heatmap_header", config=HEATMAP_CONFIG, width="stretch")
        if panes.body is not None:
            # keyed by the unit chosen: a fresh chart after each choice, so a click on the
            # row chosen before (after going back) is a new selection, not a deselection
            key = f"heatmap_rows_{current or ''}"
            st.plotly_chart(
                panes.body,
                key=key,
                config=HEATMAP_CONFIG,
                width="stretch",
                on_select=lambda: _choose_unit_of_row(key, units, current),
                selection_mode="points",
            )
    download(view.heatmap_download)
