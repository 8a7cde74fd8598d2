"""Whose figures an upload holds, and what they would change: the reporting unit of each
row, the report's words about it, and the preview of old -> new per unit.

A row's unit is its 填报单位 cell, else the unit chosen at upload, else none (the figure
keeps the meaning it had before units were recorded: its indicator's whole-area figure).
What a unit's figure counts for is the plan's (lib/plan/reporting.py): a county's figure is
its area's breakdown and never replaces the city's; another city-level unit's figure is
kept as that unit's. A unit's new figure replaces only its own earlier one; where it differs
from another unit's stored whole-area figure the report says whose and by how much, so no
figure changes another unit's silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.errors import Problem, ProgressFileError
from lib.ingest.coded import Coded
from lib.ingest.trend import FigureKeys
from lib.plan.model import Plan
from lib.plan.reporting import BREAKDOWN, HEADLINE, OTHER, ROLES, figure_roles, role_codes
from lib.plan.units import resolve_unit

PREVIEW_COLUMNS = [
    "indicator_id", "period", "reporter", "role", "old_value", "old_reporter", "new_value",
    "change",
]  # fmt: skip
_KEYS = ["indicator_id", "period"]
_BREAKDOWN_CODE, _OTHER_CODE = list(ROLES).index(BREAKDOWN), list(ROLES).index(OTHER)
_LISTED = 5  # indicators named in one message before "…"


def chosen_unit(plan: Plan, unit: str | None) -> str | None:
    """The registered name of the unit chosen at upload (None when none was chosen); raise
    ProgressFileError when it names no registered unit."""
    if unit is None or not unit.strip():
        return None
    found = resolve_unit(plan, unit)
    if found is None:
        raise ProgressFileError(
            [
                Problem(
                    "unknown_upload_unit",
                    f"上传时选择的填报单位“{unit}”不在单位名录中",
                    f"the reporting unit chosen at upload, '{unit}', is not a registered unit",
                    value=unit,
                )
            ]
        )
    return found


def with_chosen_unit(reporters: Coded, unit: str | None) -> Coded:
    """The reporter cells with the chosen unit where a cell is empty."""
    if unit is None:
        return reporters
    return reporters.mapped(lambda text: text or unit)


def unit_identities(plan: Plan, figures: pd.DataFrame) -> np.ndarray:
    """Per figure whose it is for corrections: "" for the whole area's figure (the named
    reporter's, or no unit recorded: one identity), else the reporting unit."""
    reporters = figures["reporter"].fillna("")
    roles = figure_roles(plan, figures["indicator_id"], reporters)
    return np.where(roles == HEADLINE, "", reporters.to_numpy(dtype=object))


@dataclass(frozen=True)
class RowUnits:
    """Whose each checked row is: its role code (lib.plan.reporting.ROLES), its identity for
    corrections (-1 the whole area's, else a code into `names`, the reporting units)."""

    roles: np.ndarray
    identity: np.ndarray
    names: np.ndarray

    def role_names(self) -> np.ndarray:
        return ROLES[self.roles]


def row_units(plan: Plan, keys: FigureKeys, reporters: Coded) -> RowUnits:
    """The RowUnits of checked rows from their indicator keys and reporter cells, worked
    out per distinct indicator and unit (a million rows of one unit cost a few vector
    operations)."""
    roles = role_codes(plan, keys.indicator, keys.indicator_names, reporters.codes, reporters.texts)
    distinct_codes, distinct = pd.factorize(pd.Index(reporters.texts, dtype=object))
    unit = distinct_codes[reporters.codes] if len(distinct_codes) else reporters.codes
    identity = np.where(roles == 0, -1, unit)
    return RowUnits(roles, identity, np.asarray(distinct, dtype=object))


def reporter_problems(
    plan: Plan,
    rows: pd.DataFrame,
    units: RowUnits,
    error_rows: set[int],
    stored: pd.DataFrame | None,
    headers: dict[str, str],
    header_row: int | None,
) -> list[Problem]:
    """What the report says about whose figures the checked `rows` (whose `units`) are:
    none recorded, an area's breakdown, a unit that does not report the whole-area figure,
    and each figure that differs from another unit's stored whole-area figure."""
    column = headers["reporter"]
    if len(rows) and (units.names == "").all():
        return [_not_recorded(column, header_row)]
    keep = ~rows["row"].isin(error_rows).to_numpy() if error_rows else None
    good = rows[keep] if keep is not None else rows
    if good.empty:
        return []
    roles = units.roles if keep is None else units.roles[keep]  # codes into ROLES
    problems = []
    for unit, of_unit in good[roles == _BREAKDOWN_CODE].groupby("reporter", sort=False):
        problems.append(_breakdown_notice(unit, of_unit, column))
    headline_reporter = plan.indicators.set_index("indicator_id")["reporter"]
    for unit, of_unit in good[roles == _OTHER_CODE].groupby("reporter", sort=False):
        problems.append(_not_whole_area_notice(unit, of_unit, headline_reporter, column))
    problems.extend(_differences(plan, good, roles, stored, headline_reporter, headers))
    return problems


def _not_recorded(column: str, header_row: int | None) -> Problem:
    return Problem(
        "reporter_not_recorded",
        "文件未注明填报单位（没有“填报单位”列或该列为空），上传时也未选择单位：各数据按其指标的"
        "全市数据（牵头单位或计划指定的填报单位）保存。县区、部门报送本地区或本部门的数据时，"
        "请填写填报单位或在上传时选择单位",
        "the file names no reporting unit (no 填报单位 column, or it is empty) and none was "
        "chosen at upload: each figure is stored as its indicator's whole-area figure (the "
        "lead unit's, or the reporter the plan names). A county or bureau sending its own "
        "figures should fill in 填报单位 or choose its unit at upload",
        severity="notice",
        row=header_row,
        column=column,
    )


def _breakdown_notice(unit: str, rows: pd.DataFrame, column: str) -> Problem:
    count, first = len(rows), int(rows["row"].min())
    return Problem(
        "breakdown_figures",
        f"{unit} 的 {count} 个数据是该地区的分项数据，作为 {unit} 的数据单独保存，"
        "不替换全市数据（全市数据由各指标的牵头单位填报）",
        f"{count} figure(s) of {unit} are a breakdown for its own area, stored as its "
        "figures; they never replace the whole-area figures (reported by each indicator's "
        "lead unit)",
        severity="notice",
        row=first,
        column=column,
        value=unit,
    )


def _not_whole_area_notice(
    unit: str, rows: pd.DataFrame, headline_reporter: pd.Series, column: str
) -> Problem:
    ids = list(dict.fromkeys(rows["indicator_id"].tolist()))
    listed = "、".join(ids[:_LISTED]) + ("…" if len(ids) > _LISTED else "")
    owners = "、".join(dict.fromkeys(headline_reporter.reindex(ids).dropna().tolist()))
    return Problem(
        "not_whole_area_reporter",
        f"{unit} 不是指标 {listed} 的全市数据填报单位（应为 {owners}）：这些数据作为 {unit} "
        "的数据保存，不作为全市数据；若该单位负责填报全市数据，请在计划中为指标设置 reporter",
        f"{unit} does not report the whole-area figure of {listed.replace('、', ', ')} "
        f"({owners.replace('、', ', ')} does): its figures are stored as {unit}'s, not as the "
        "whole-area figures; if it does report them, name it as the indicators' reporter in "
        "the plan",
        severity="warning",
        row=int(rows["row"].min()),
        column=column,
        value=unit,
    )


def _differences(
    plan: Plan,
    rows: pd.DataFrame,
    roles: np.ndarray,
    stored: pd.DataFrame | None,
    headline_reporter: pd.Series,
    headers: dict[str, str],
) -> list[Problem]:
    """A warning on each whole-area figure (headline or another city-level unit's) that
    differs from a stored whole-area figure of another unit for the same key."""
    if stored is None or stored.empty or "reporter" not in stored.columns:
        return []
    whole = rows[roles != _BREAKDOWN_CODE]
    if whole.empty:
        return []
    mine = whole.assign(identity=unit_identities(plan, whole))
    theirs = stored[_among(stored["indicator_id"], mine["indicator_id"])]
    theirs = theirs.assign(identity=unit_identities(plan, theirs))
    theirs = theirs[figure_roles(plan, theirs["indicator_id"], theirs["reporter"]) != BREAKDOWN]
    paired = mine.merge(
        theirs[[*_KEYS, "identity", "reporter", "value"]], on=_KEYS, suffixes=("", "_stored")
    )
    paired = paired[paired["identity"] != paired["identity_stored"]]
    differs = ~np.isclose(paired["value"], paired["value_stored"], rtol=1e-9, atol=0.0)
    problems = []
    for found in paired[differs].itertuples(index=False):
        whose = found.reporter_stored or headline_reporter.get(found.indicator_id, "")
        difference = found.value - found.value_stored
        headline_is_new = found.identity == ""
        keeps_zh = "本数据作为全市数据" if headline_is_new else "本数据不替换全市数据"
        keeps_en = (
            "this one is the whole-area figure"
            if headline_is_new
            else ("the whole-area figure is unchanged")
        )
        problems.append(
            Problem(
                "differs_from_other_unit",
                f"与 {whose} 已报的 {found.value_stored:g} 不同（相差 {difference:+g}）；"
                f"两者分别保存，{keeps_zh}，请核实",
                f"differs from {whose}'s stored {found.value_stored:g} by {difference:+g}; "
                f"both are kept as each unit's figure and {keeps_en}; please check",
                severity="warning",
                row=int(found.row),
                column=headers["value"],
                value=f"{found.value:g}",
            )
        )
    return problems


def import_preview_by_unit(
    plan: Plan, rows: pd.DataFrame, stored: pd.DataFrame | None
) -> pd.DataFrame:
    """Per row: indicator_id, period, reporter, role, old_value, old_reporter, new_value,
    change. `change` is "new" (nothing stored for the key), "changed" / "unchanged" (the
    unit's own earlier figure), or "beside" (another unit's figure is stored for the key:
    old_value and old_reporter are that one's, the whole-area one first; it stays)."""
    new = rows[[*_KEYS, "reporter", "value"]].rename(columns={"value": "new_value"})
    new = new.assign(
        role=figure_roles(plan, new["indicator_id"], new["reporter"]),
        identity=unit_identities(plan, new),
        _order=np.arange(len(new)),
    )
    columns = [*_KEYS, "identity", "old_reporter", "old_value", "_rank"]
    old = pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    if stored is not None and not stored.empty and {*_KEYS, "value"} <= set(stored.columns):
        old = stored[_among(stored["indicator_id"], new["indicator_id"])]
        old = old.assign(reporter=old.get("reporter", ""))
        old = old.assign(identity=unit_identities(plan, old), _rank=_newest_rank(old))
        old = old.rename(columns={"reporter": "old_reporter", "value": "old_value"})[columns]
    old = old.astype({"old_value": "float64", "_rank": "int64"})
    own = new.merge(old, on=[*_KEYS, "identity"], how="left")
    own = own.sort_values("_rank", kind="stable").drop_duplicates("_order", keep="last")
    beside = new.merge(old, on=_KEYS, how="inner", suffixes=("", "_old"))
    beside = beside[beside["identity"] != beside["identity_old"]]
    # the whole-area figure first, then the newest of the others
    beside = beside.assign(_first=(beside["identity_old"] == "").astype(int) * 2**40)
    beside = beside.assign(_rank=beside["_rank"] + beside["_first"])
    beside = beside.sort_values("_rank", kind="stable").drop_duplicates("_order", keep="last")
    merged = own.sort_values("_order").reset_index(drop=True)
    other = beside.set_index("_order")
    missing = merged["old_value"].isna() & merged["_order"].isin(other.index)
    at = merged.loc[missing, "_order"]
    merged.loc[missing, "old_value"] = other["old_value"].reindex(at).to_numpy()
    merged.loc[missing, "old_reporter"] = other["old_reporter"].reindex(at).to_numpy()
    same = (merged["old_value"] - merged["new_value"]).abs() <= 1e-9 * merged["new_value"].abs()
    change = np.select(
        [missing.to_numpy(), merged["old_value"].isna().to_numpy(), same.to_numpy()],
        ["beside", "new", "unchanged"],
        default="changed",
    )
    merged["change"] = change
    merged["old_reporter"] = merged["old_reporter"].fillna("").astype("str")
    return merged[PREVIEW_COLUMNS].astype({"role": "str", "change": "str"})


def _among(values: pd.Series, wanted: pd.Series) -> pd.Series:
    """`values.isin(wanted)` hashing plain strings: pandas' text isin converts each wanted
    value on its own, which a bulk upload's 30,000 indicators make slow."""
    return values.astype(object).isin(set(wanted))


def _newest_rank(stored: pd.DataFrame) -> np.ndarray:
    """Per stored figure a rank that grows with its upload (its position when there is no
    upload id): the store holds one figure per key and unit, so ties do not matter."""
    if "upload_id" in stored.columns:
        return stored["upload_id"].to_numpy(dtype=np.int64)
    return np.arange(len(stored), dtype=np.int64)


def rows_by_unit(
    plan: Plan, units: RowUnits, stored: pd.DataFrame | None
) -> list[tuple[np.ndarray, pd.DataFrame | None]]:
    """The rows split by whose figures they are (see `unit_identities`), each part as (its
    row mask, the stored figures of the same unit): a cumulative figure is compared with
    its own unit's earlier ones only. One part for the usual file of one unit's figures."""
    distinct = np.unique(units.identity)
    stored_identities = None
    if stored is not None and not stored.empty and "reporter" in stored.columns:
        stored_identities = unit_identities(plan, stored)
    parts = []
    for identity in distinct.tolist() or [-1]:
        if len(distinct) > 1:
            mask = units.identity == identity
        else:
            mask = np.ones(len(units.identity), dtype=bool)
        if stored_identities is None:
            parts.append((mask, stored))
        else:
            name = "" if identity < 0 else units.names[identity]
            parts.append((mask, stored[stored_identities == name]))
    return parts
