"""The pre-check for cumulative values going down (which indicators need the exact, per-row
walk) gives the same answer on an indicators x periods grid as by sorting the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import progress_file

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(
    figures=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 9)), max_size=40
    ),
    stored=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 9)), max_size=30
    ),
)
def test_decrease_check_on_a_grid_as_by_sorting(figures, stored):
    """The indicators that may have a cumulative value going down are the same whether
    worked out on an indicators x periods grid or by sorting the figures (beyond
    DENSE_MAX_CELLS)."""
    ids = [f"T0{i}-1" for i, _, _ in figures]
    periods = [f"2014Q{p % 4 + 1}" if p < 4 else f"2015Q{p - 3}" for _, p, _ in figures]
    id_keys, id_names = pd.factorize(pd.Series(ids, dtype=object))
    period_keys, period_names = pd.factorize(pd.Series(periods, dtype=object))
    keys = progress_file._RowKeys(
        id_keys,
        np.asarray(id_names, dtype=object),
        period_keys,
        np.asarray(period_names, dtype=object),
        unique=not pd.Series(list(zip(ids, periods, strict=True))).duplicated().any(),
    )
    values = np.array([float(v) for _, _, v in figures])
    counted = np.ones(len(figures), dtype=bool)
    store = pd.DataFrame(
        {
            "indicator_id": pd.array([f"T0{i}-1" for i, _, _ in stored], dtype="str"),
            "period": pd.array([f"2014Q{p % 4 + 1}" for _, p, _ in stored], dtype="str"),
            "value": [float(v) for _, _, v in stored],
        }
    ).drop_duplicates(["indicator_id", "period"])
    found = []
    for cells in (10**9, 0):
        original = progress_file.DENSE_MAX_CELLS
        progress_file.DENSE_MAX_CELLS = cells
        try:
            found.append(progress_file._maybe_decreasing(keys, values, counted, store))
        finally:
            progress_file.DENSE_MAX_CELLS = original
    assert found[0] == found[1]
