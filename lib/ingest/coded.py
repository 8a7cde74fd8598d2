"""A text column as one integer code per cell into its distinct texts.

A province's file has a million cells per column but only a few thousand different texts
in it (ids, quarters, units' names, recurring figures), so every rule runs once per text
and reaches the cells through the codes. Owns `Coded` and building one from a pandas or
Arrow text column (Arrow's dictionary encoding, which runs outside the GIL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Coded:
    """Cells as codes into texts: cell i reads `texts[codes[i]]`."""

    codes: np.ndarray  # one int per cell, an index into `texts`
    texts: np.ndarray  # object array; may hold the same text twice after `mapped`
    column: pd.Series | None = None  # the cells as a "str" column, when it is at hand

    def text(self, index: int) -> str:
        return self.texts[self.codes[index]]

    def with_texts(self, texts: list[object]) -> Coded:
        """The same cells reading `texts` (one per text); the column is kept if none changed."""
        same = self.column is not None and all(
            new is old or new == old for new, old in zip(texts, self.texts, strict=True)
        )
        return Coded(self.codes, objects(texts), self.column if same else None)

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        """Per cell, test(its text), with `test` called once per text."""
        per_text = np.fromiter(map(test, self.texts), dtype=bool, count=len(self.texts))
        return per_text[self.codes]

    def mapped(self, transform: Callable[[str], object]) -> Coded:
        """The same cells with every text transformed (once per text)."""
        return self.with_texts([transform(text) for text in self.texts])

    def take(self, indices: np.ndarray) -> Coded:
        return Coded(self.codes[indices], self.texts)

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(per cell a code shared exactly by the cells of equal text, -1 where it is None;
        the text of each code)."""
        codes, names = pd.factorize(pd.Series(self.texts, dtype=object), use_na_sentinel=True)
        cells = codes[self.codes] if len(self.texts) else self.codes
        return cells, np.asarray(names, dtype=object)

    def series(self) -> pd.Series:
        """The cells as a pandas "str" column (NaN where the text is None), built in Arrow
        unless the column is at hand."""
        if self.column is not None:
            return self.column.reset_index(drop=True)
        texts = pa.array(self.texts, type=pa.large_string(), from_pandas=True)
        coded = pa.DictionaryArray.from_arrays(pa.array(self.codes, type=pa.int64()), texts)
        return pd.Series(coded.cast(pa.large_string()).to_pandas(), dtype="str")


def coded(column: pd.Series | pa.ChunkedArray) -> Coded:
    """A text column (pandas "str" or Arrow strings) as codes into its distinct texts."""
    values = pa.array(column.array) if isinstance(column, pd.Series) else column
    encoded = pc.dictionary_encode(pc.fill_null(values, ""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], encoded.type)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    texts = objects(encoded.dictionary.to_pylist())
    keep = isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype)
    return Coded(codes, texts, column if keep and not column.hasnans else None)


def objects(values: list[object]) -> np.ndarray:
    """`values` as a 1-d object array (np.array would make fixed-width text of strings)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
