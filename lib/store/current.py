"""Picking the current figure of every (indicator_id, period, reporter) from decoded batches.

A figure belongs to the unit that reported it: the current value of a key is the one of the
newest active upload holding it (and, within that upload, its last row), so a unit's newer
upload corrects its own figure and never another unit's. Whose figure stands for the whole
plan area is the status model's decision (lib/status/headline.py), not the store's. The
choice is made in Arrow and numpy on whole columns, never row by row: the keys come from
ranking the dictionaries' distinct texts, so a million rows sort as integers, not as
strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def newest_rows(stored: pa.Table, columns: list[str]) -> pa.Table:
    """`columns` of the stored row of the newest upload (and its last row) per
    (indicator_id, period, reporter), ordered by indicator_id, period, reporter (no reporter
    first). `stored` holds decoded batches
    in upload order (each key's rows then run in upload and row order); it may be freed
    once this returns."""
    order, keys = _key_order(stored)
    last_of_key = np.flatnonzero(np.diff(keys, append=keys[-1:] + 1))
    return stored.select(columns).take(order[last_of_key])


def _key_order(figures: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(order, keys): the rows' stable order by indicator_id, period, then reporter (byte
    order, as SQLite's ORDER BY) and each row's key in that order. Stable: within a key the
    rows keep their upload and row order."""
    indicators, periods = _dense_ranks(figures["indicator_id"]), _dense_ranks(figures["period"])
    reporters = _dense_ranks(figures["reporter"])
    keys = indicators * (periods.max(initial=0) + 1) + periods
    keys = keys * (reporters.max(initial=0) + 1) + reporters
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _dense_ranks(texts: pa.ChunkedArray) -> np.ndarray:
    """Each row's rank among the distinct texts of a dictionary column (equal texts, even
    from different batches' dictionaries, share a rank; a null, an empty reporter, ranks 0
    and the texts from 1)."""
    combined = texts.combine_chunks()  # one dictionary for every batch
    ranks = pc.rank(combined.dictionary, sort_keys="ascending", tiebreaker="dense")
    ranks = np.concatenate([[0], ranks.to_numpy().astype(np.int64)])
    return ranks[pc.fill_null(combined.indices, -1).to_numpy() + 1]


def figures_frame(figures: pa.Table, columns: list[str]) -> pd.DataFrame:
    """`columns` of stored figures with the store's frame types: text as str ("" for
    null), value float64, ids int64."""
    arrays = {}
    for name in columns:
        column = figures[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        arrays[name] = pc.fill_null(column, "") if name in ("note", "reporter") else column
    return pa.table(arrays).to_pandas()


def with_ledger(figures: pd.DataFrame, ledger: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`figures` with the ledger's `columns` of each row's upload (every upload_id must be
    in the ledger's `id` column: read both in one transaction)."""
    position = pd.Index(ledger["id"]).get_indexer(figures["upload_id"])
    return figures.assign(
        **{column: ledger[column].take(position).reset_index(drop=True) for column in columns}
    )
