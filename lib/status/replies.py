"""督办单 and the units' replies at a period, read from the quarter's trail.

The trail (lib/store/trail.py: id, kind, period, unit, indicator_id, notice_id, actor, at,
details) is append-only. A 督办单 (`issued`) lists indicators of one lead unit and the day its
reply is due (details `indicators`, `reply_by`, `number`); a unit answers one indicator of
it (`replied`, details `reason`, `measures`, `expected_by`); the office closes a 督办单
(`closed`). A later reply on the same indicator and period stands in for an earlier one on
screen, and both stay on record. Trails are small (a few rows per indicator and quarter),
so reading the JSON details row by row costs nothing.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

NOTICE_KINDS = ("issued", "replied", "closed")
REPLY_COLUMNS = [
    "indicator_id", "period", "unit", "reason", "measures", "expected_by", "replied_by",
    "replied_at", "notice_id", "notice_state",
]  # fmt: skip
NOTICE_STATE_COLUMNS = [
    "indicator_id", "period", "unit", "notice_id", "number", "reply_by", "state",
]  # fmt: skip
# an indicator's 督办 state, worst first; "none": no 督办单 and no reply for the period
SUPERVISION_STATES = ("reply_overdue", "awaiting_reply", "replied", "closed", "none")
SUPERVISION_COLUMNS = [
    "indicator_id", "state", "notice_id", "reply_by", "reason", "measures", "expected_by",
    "replied_by", "replied_at",
]  # fmt: skip
_REPLY_TEXTS = ("reason", "measures", "expected_by")


def latest_replies(trail: pd.DataFrame, period: str) -> pd.DataFrame:
    """The newest reply (by trail id) on each indicator for `period`, REPLY_COLUMNS, by
    indicator_id: the reply's unit, its 原因分析 (`reason`), 整改措施 (`measures`) and
    预计完成时间 (`expected_by`, as written), who sent it and when (`replied_by`,
    `replied_at`: the trail's ISO time, UTC), its 督办单 (`notice_id`) and whether that
    督办单 has been closed (`notice_state`: 'closed' or 'open')."""
    replies = trail[(trail["kind"] == "replied") & (trail["period"] == period)]
    newest = replies.sort_values("id").drop_duplicates("indicator_id", keep="last")
    newest = newest.sort_values("indicator_id").reset_index(drop=True)
    closed = _closed_notices(trail)
    frame = pd.DataFrame(
        {
            "indicator_id": newest["indicator_id"],
            "period": newest["period"],
            "unit": newest["unit"],
            **{key: _detail(newest["details"], key) for key in _REPLY_TEXTS},
            "replied_by": newest["actor"],
            "replied_at": newest["at"],
            "notice_id": pd.array(newest["notice_id"], dtype="Int64"),
            "notice_state": np.where(newest["notice_id"].isin(closed), "closed", "open"),
        },
        columns=REPLY_COLUMNS,
    )
    return frame.astype({c: "str" for c in REPLY_COLUMNS if c != "notice_id"})


def notice_state_by_indicator(trail: pd.DataFrame, period: str, today: date) -> pd.DataFrame:
    """Every indicator listed in a 督办单 of `period`, NOTICE_STATE_COLUMNS, by indicator_id:
    the newest 督办单 naming it (`notice_id`, its unit, `number`, `reply_by`) and its state:
    'closed' (the 督办单 was closed), 'replied' (the unit answered this indicator of it),
    'reply_overdue' (no answer and `reply_by` is before `today`) or 'awaiting_reply'."""
    issued = trail[(trail["kind"] == "issued") & (trail["period"] == period)].sort_values("id")
    details = issued["details"]
    listed = pd.DataFrame(
        {
            "indicator_id": details.map(lambda d: list(d.get("indicators") or ())),
            "period": issued["period"],
            "unit": issued["unit"],
            "notice_id": issued["id"],
            "number": _detail(details, "number"),
            "reply_by": _detail(details, "reply_by"),
        }
    ).explode("indicator_id")
    listed = listed[listed["indicator_id"].notna()].astype({"indicator_id": "str"})
    listed = listed.drop_duplicates("indicator_id", keep="last")  # a later 督办单 stands
    listed = listed.sort_values("indicator_id").reset_index(drop=True)
    answered = _answered(trail)
    replied = pd.Series(
        [
            (n, i) in answered
            for n, i in zip(listed["notice_id"], listed["indicator_id"], strict=True)
        ],
        dtype=bool,
    )
    due = pd.to_datetime(listed["reply_by"], format="%Y-%m-%d", errors="coerce")
    overdue = (due < pd.Timestamp(today)).fillna(False).to_numpy(dtype=bool)
    closed = listed["notice_id"].isin(_closed_notices(trail)).to_numpy()
    state = np.select(
        [closed, replied.to_numpy(), overdue],
        ["closed", "replied", "reply_overdue"],
        "awaiting_reply",
    )
    frame = listed.assign(notice_id=pd.array(listed["notice_id"], dtype="Int64"), state=state)
    return frame[NOTICE_STATE_COLUMNS].astype(
        {c: "str" for c in NOTICE_STATE_COLUMNS if c != "notice_id"}
    )


def supervision_by_indicator(trail: pd.DataFrame, period: str, today: date) -> pd.DataFrame:
    """Each indicator with a 督办单 or a reply for `period`, SUPERVISION_COLUMNS, by
    indicator_id: its 督办 state (SUPERVISION_STATES; the state of the newest 督办单 naming
    it, else 'replied' or 'closed' from its reply), that 督办单 and its `reply_by`, and the
    newest reply ("" where there is none). An indicator not listed has state 'none'."""
    states = notice_state_by_indicator(trail, period, today)
    replies = latest_replies(trail, period)
    merged = states[["indicator_id", "notice_id", "reply_by", "state"]].merge(
        replies, on="indicator_id", how="outer", suffixes=("", "_of_reply")
    )
    from_reply = np.where(merged["notice_state"] == "closed", "closed", "replied")
    merged["state"] = merged["state"].where(merged["state"].notna(), from_reply)
    merged["notice_id"] = merged["notice_id"].fillna(merged["notice_id_of_reply"])
    texts = ["reply_by", *_REPLY_TEXTS, "replied_by", "replied_at"]
    merged[texts] = merged[texts].fillna("")
    frame = merged.sort_values("indicator_id").reset_index(drop=True)[SUPERVISION_COLUMNS]
    return frame.astype({c: "str" for c in SUPERVISION_COLUMNS if c != "notice_id"})


def _detail(details: pd.Series, key: str) -> pd.Series:
    """The `key` of each row's details as text ("" when absent)."""
    values = details.map(lambda d: d.get(key) if isinstance(d, dict) else None)
    return values.map(lambda v: "" if v is None else str(v)).astype("str")


def _closed_notices(trail: pd.DataFrame) -> list[int]:
    return [int(n) for n in trail.loc[trail["kind"] == "closed", "notice_id"].dropna()]


def _answered(trail: pd.DataFrame) -> set[tuple[int, str]]:
    """(notice_id, indicator_id) of every reply, whatever its period."""
    replies = trail[(trail["kind"] == "replied") & trail["notice_id"].notna()]
    pairs = zip(replies["notice_id"], replies["indicator_id"], strict=True)
    return {(int(n), str(i)) for n, i in pairs}
