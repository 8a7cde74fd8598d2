"""Frames kept on disk as uncompressed Arrow IPC files, the format both caches map back.

Used by the plan cache (lib/plan/) and the current-figures cache (lib/store/).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa


def write_arrow_file(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` (without its index) to `path` as an uncompressed Arrow IPC file, which
    a reader can memory-map instead of decoding."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
