"""Reading a column of 完成值 cells at once (plain decimals in one pass, the rest once per
(text, indicator) pair) gives per cell what `parsed_value` gives for that cell alone."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.labels import MILESTONE_WORDS
from lib.ingest.cells import parsed_value, parsed_values
from lib.ingest.coded import coded

TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789.,%+-e 个10")), max_size=7),
    st.sampled_from([*MILESTONE_WORDS, "", "inf", "NaN", "1e309", "101", "100", "12.5", "510"]),
)
INDICATORS = [  # (kind, unit); None for an indicator the plan does not have
    ("quantity", "%"),
    ("milestone", "%"),
    ("quantity", "个"),
    ("quantity", "10"),  # a unit of digits: stripped as a suffix
    ("quantity", "万亩"),
    (None, None),
]


@settings(deadline=None, max_examples=300)
@given(cells=st.lists(st.tuples(TEXTS, st.integers(0, len(INDICATORS) - 1)), max_size=30))
def test_values_read_together_as_one_by_one(cells):
    texts = coded(pd.Series([text for text, _ in cells], dtype="str"))
    ids = coded(pd.Series([f"T0{i}" for _, i in cells], dtype="str"))
    indicator_of = [int(name[2:]) for name in ids.texts]
    kinds = np.array([INDICATORS[i][0] for i in indicator_of], dtype=object)
    units = np.array([INDICATORS[i][1] for i in indicator_of], dtype=object)
    values, codes = parsed_values(texts, ids, kinds, units)
    for index, (text, i) in enumerate(cells):
        value, code = parsed_value(text, *INDICATORS[i])
        assert codes.get(index) == code, (text, INDICATORS[i])
        expected = math.nan if value is None else value
        assert values[index] == expected or (math.isnan(values[index]) and math.isnan(expected))
