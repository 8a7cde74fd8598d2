"""The current figures kept on disk as a memory-mapped Arrow file named by the ledger.

Figures are append-only, so the upload ledger (ids, file hashes, statuses) fixes the
current values: `figures_cache_file` names the file after a hash of the ledger (and of the
formats that read it back), `saved_figures` maps it back, and `save_figures` writes it. A
cache that cannot be read or written is simply not used: it only ever costs speed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lib.core.arrow_files import write_arrow_file

FIGURES_CACHE_FORMAT = 3  # bump when current_values' columns or types change
FIGURES_CACHE_KEEP = 2  # newest cached current values kept per cache directory


def figures_cache_file(cache_dir: Path, ledger: list[object]) -> Path:
    """Where the current values of this ledger are kept (a hash of the ledger, with the
    confirmation decisions when only confirmed figures count, and of the formats that read
    it back)."""
    key = hashlib.sha256(f"{FIGURES_CACHE_FORMAT}|{pd.__version__}|{ledger!r}".encode())
    return cache_dir / f"figures-{key.hexdigest()[:32]}.arrow"


def saved_figures(path: Path, dtypes: Mapping[str, str]) -> pd.DataFrame | None:
    """The figures saved at `path`, or None (none there, unreadable, or not exactly the
    columns and dtypes of `dtypes`, in its order).

    The file is memory-mapped and its text columns stay in the mapped pages (pandas' "str"
    columns are Arrow arrays): a million figures open in milliseconds, and the pages are
    the page cache's, read once, not a decoded copy next to a read buffer as with Parquet
    (270 MB of RSS for a 134 MB frame). Cache files are therefore never changed in place:
    they are written under another name and renamed, and removed by unlinking.
    """
    try:
        with pa.memory_map(str(path)) as source:
            frame = pa.ipc.open_file(source).read_all().to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        return None
    if list(frame.columns) != list(dtypes) or any(
        frame[column].dtype != dtype for column, dtype in dtypes.items()
    ):
        return None
    return frame


def save_figures(frame: pd.DataFrame, path: Path) -> None:
    """Save atomically (uncompressed Arrow IPC), keep the newest FIGURES_CACHE_KEEP files,
    never fail."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        write_arrow_file(frame, partial)
        os.replace(partial, path)
        older = sorted(path.parent.glob("figures-*.arrow"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-FIGURES_CACHE_KEEP]:
            stale.unlink(missing_ok=True)  # unlinking leaves a mapped file readable
    except (OSError, ValueError, pa.ArrowException):
        pass  # a read-only or full disk only costs the next restart its speed
