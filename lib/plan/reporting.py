"""Whose figure a reported figure is, in a plan's terms: the whole plan area's (the
headline), an area's breakdown, or another city-level unit's.

The plan names, per indicator, the unit whose figure stands for the whole area (`reporter`,
by default the task's lead unit). A figure with no unit recorded keeps the meaning figures
had before units were recorded, the lead's whole-area figure; so does one whose unit the
registry does not know (only stores written before unknown units were refused hold such
figures). A county's or zone's figure (AREA_UNIT_KINDS) is a breakdown of its own area;
any other unit's is kept as that unit's, never as the headline. Ingest words its messages
with these roles, and the status model picks the headline figures with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.plan.model import AREA_UNIT_KINDS, Plan

HEADLINE, BREAKDOWN, OTHER = "headline", "breakdown", "other"
_ROLE_CODES = np.array([HEADLINE, BREAKDOWN, OTHER], dtype=object)


def figure_roles(plan: Plan, indicator_ids: pd.Series, reporters: pd.Series) -> np.ndarray:
    """Per figure its role (HEADLINE, BREAKDOWN or OTHER) for `plan`."""
    return _ROLE_CODES[figure_role_codes(plan, indicator_ids, reporters)]


def figure_role_codes(plan: Plan, indicator_ids: pd.Series, reporters: pd.Series) -> np.ndarray:
    """`figure_roles` as codes into ROLES (a byte a figure)."""
    if len(indicator_ids) == 0:
        return np.array([], dtype=np.int8)
    id_codes, ids = text_codes(indicator_ids)
    unit_codes, units = text_codes(reporters)
    return role_codes(plan, id_codes, ids, unit_codes, units)


def text_codes(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(per row a code, the distinct texts) of a text column, null read as "": encoded by
    Arrow, so a million texts never become a million Python strings."""
    arrow = pa.array(texts.array, from_pandas=True)
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        arrow = arrow.cast(pa.string())  # an all-null or empty object column
    encoded = pc.dictionary_encode(pc.fill_null(arrow, ""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)  # int32: half the memory
    return codes, np.asarray(encoded.dictionary.to_pylist(), dtype=object)


def role_codes(
    plan: Plan, id_codes: np.ndarray, ids: np.ndarray, unit_codes: np.ndarray, units: np.ndarray
) -> np.ndarray:
    """Per figure its role as a code into ROLES (0 headline, 1 breakdown, 2 other), from its
    indicator and unit as codes into `ids` and `units` (texts; repeats allowed; an id code
    of -1 is no indicator): decided per distinct id and unit, compared as integers."""
    named = plan.indicators.set_index("indicator_id")["reporter"]
    named = named.reindex(pd.Index(ids, dtype=object)).fillna("").to_numpy(dtype=object)
    # texts may repeat in `units` (two spellings mapped to one name): compare distinct names
    distinct_codes, distinct = pd.factorize(pd.Index(units, dtype=object))
    rows_unit = distinct_codes[unit_codes] if len(distinct_codes) else unit_codes
    # each indicator's named reporter as a distinct-name code (-1: no row names it; -2: the
    # code of "no indicator", id code -1)
    named_codes = np.append(pd.Index(distinct, dtype=object).get_indexer(named), -2)
    kinds = pd.Series(plan.units["kind"].to_numpy(), index=plan.units["unit"])
    kind_of_unit = kinds.reindex(pd.Index(distinct, dtype=object)).to_numpy(dtype=object)
    whole_area = np.asarray(distinct == "") | pd.isna(kind_of_unit)  # not recorded/registered
    code = np.where(np.isin(kind_of_unit, AREA_UNIT_KINDS), 1, 2).astype(np.int8)
    code[whole_area] = 0
    roles = code[rows_unit] if len(code) else np.zeros(len(unit_codes), dtype=np.int8)
    roles[rows_unit == named_codes[id_codes]] = 0  # the named reporter's own figure
    return roles


ROLES = _ROLE_CODES


def breakdown_parts(plan: Plan) -> dict[str, list[str]]:
    """Per indicator that adds up over its areas (`breakdown: sum`), the area units that
    answer for its task (groups such as 各县(市、区)政府 expanded to their members), in
    the task's order."""
    additive = plan.indicators[plan.indicators["breakdown"] == "sum"]
    if additive.empty:
        return {}
    kinds = dict(zip(plan.units["unit"], plan.units["kind"], strict=True))
    members = plan.group_members.groupby("group", sort=False)["member"].apply(list).to_dict()
    by_task: dict[str, list[str]] = {}
    for task_id, unit in plan.responsibilities[["task_id", "unit"]].itertuples(index=False):
        for member in members.get(unit, [unit]):
            areas = by_task.setdefault(task_id, [])
            if kinds.get(member) in AREA_UNIT_KINDS and member not in areas:
                areas.append(member)
    return {
        indicator: by_task.get(task, [])
        for indicator, task in additive[["indicator_id", "task_id"]].itertuples(index=False)
    }


def reported_indicators(plan: Plan) -> pd.DataFrame:
    """Who is expected to report what: per (unit, indicator) the figure's role — the
    indicator's whole-area figure (HEADLINE) for its named reporter (by default the task's
    lead unit), and its area's BREAKDOWN for every county or zone answering for the task
    of an additive (`breakdown: sum`) indicator. Columns unit, indicator_id, task_id, role;
    in plan order, whole-area rows first within an indicator."""
    indicators = plan.indicators
    rows = [
        (unit, indicator, task, HEADLINE)
        for unit, indicator, task in indicators[["reporter", "indicator_id", "task_id"]].itertuples(
            index=False
        )
    ]
    parts = breakdown_parts(plan)
    task_of = dict(zip(indicators["indicator_id"], indicators["task_id"], strict=True))
    for indicator, areas in parts.items():
        rows.extend((area, indicator, task_of[indicator], BREAKDOWN) for area in areas)
    frame = pd.DataFrame(rows, columns=["unit", "indicator_id", "task_id", "role"])
    order = pd.Index(indicators["indicator_id"]).get_indexer(frame["indicator_id"])
    frame = frame.assign(_order=order, _whole=(frame["role"] != HEADLINE).astype(int))
    frame = frame.sort_values(["_order", "_whole"], kind="stable")
    return frame.drop(columns=["_order", "_whole"]).reset_index(drop=True)
