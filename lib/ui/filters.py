"""Filters that live in the URL query string, so a shared link restores the exact view.

Every widget is bound to a query parameter: before it renders, its session key is set from
the URL; when the user changes it, a callback writes the new value back to the URL. Page
links carry the query string, so filters survive page switches and reloads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from lib.core.periods import parse_period


@dataclass(frozen=True)
class Filters:
    """The view a user has chosen: language, as-of period, sections, unit, lead-only,
    presentation view and whether unconfirmed figures are shown too (only offered by a plan
    that requires confirmation; leaders' views count confirmed figures otherwise), and the
    plan of the library chosen in the URL (None: the default plan)."""

    lang: str
    period: str | None
    sections: tuple[str, ...]
    unit: str | None
    lead_only: bool
    view: str
    unconfirmed: bool = False
    plan: str | None = None

    def query_params(self) -> dict[str, str]:
        """The non-default filters as URL query parameters."""
        params = {"lang": self.lang}
        if self.plan:
            params["plan"] = self.plan
        if self.period:
            params["period"] = self.period
        if self.sections:
            params["sections"] = ",".join(self.sections)
        if self.unit:
            params["unit"] = self.unit
        if self.lead_only:
            params["lead"] = "1"
        if self.view != "normal":
            params["view"] = self.view
        if self.unconfirmed:
            params["unconfirmed"] = "1"
        return params


def unconfirmed_from_query(params: dict[str, str], offered: bool) -> bool:
    """Whether the URL asks for unconfirmed figures too (`unconfirmed=1`); never when the
    plan does not offer the choice (`offered`: it requires confirmation)."""
    return offered and params.get("unconfirmed") == "1"


def filters_from_query(
    params: dict[str, str],
    periods: list[str],
    section_ids: list[str],
    units: list[str],
    default_period: str | None,
    *,
    unconfirmed_offered: bool = False,
    plan_id: str | None = None,
) -> Filters:
    """Parse and sanitise query parameters; anything unknown falls back to its default.
    `unconfirmed_offered`: the plan requires confirmation, so `unconfirmed=1` counts;
    `plan_id`: the plan the URL chose, once the library has checked it."""
    lang = "en" if params.get("lang") == "en" else "zh"
    period = parse_period(params.get("period"))
    sections = tuple(s for s in (params.get("sections") or "").split(",") if s in section_ids)
    unit = params.get("unit") if params.get("unit") in units else None
    return Filters(
        lang=lang,
        period=period if period in periods else default_period,
        sections=sections,
        unit=unit,
        lead_only=params.get("lead") == "1" and unit is not None,
        view="present" if params.get("view") == "present" else "normal",
        unconfirmed=unconfirmed_from_query(params, unconfirmed_offered),
        plan=plan_id,
    )


def plan_switch_callback(widget_key: str, plan_ids: dict[str, str]) -> Callable[[], None]:
    """The on_change of the plan selector (its options: labels naming `plan_ids`): the
    chosen plan into the URL, and the filters that name another plan's periods, sections
    and units out of it."""

    def switch() -> None:
        st.query_params["plan"] = plan_ids[st.session_state[widget_key]]
        for name in ("period", "sections", "unit", "lead"):
            st.query_params.pop(name, None)

    return switch


def _write_param(name: str, widget_key: str, encode: Callable[[object], str | None]) -> None:
    value = encode(st.session_state.get(widget_key))
    if value in (None, ""):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value


def bind_widget(name: str, widget_key: str, value: object, encode: Callable[[object], str | None]):
    """Set the widget's state from the URL value; return the on_change callback for it."""
    st.session_state[widget_key] = value
    return lambda: _write_param(name, widget_key, encode)
