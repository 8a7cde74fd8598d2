"""Settings of the app's server process, made explicitly by `page_setup` before a page reads
anything, never as a side effect of importing a module."""

from __future__ import annotations

import os

import pyarrow as pa


def configure_process() -> None:
    """Take Arrow buffers from the system allocator unless the operator chose one
    (ARROW_DEFAULT_MEMORY_POOL). Idempotent: every rerun of every page calls it.

    pyarrow's default, mimalloc, kept the buffers freed by earlier reruns: at province scale
    the process peaked at 475-493 MB instead of 427-438 MB, with reruns equally fast
    (`make bench`, 2026-11-28).
    """
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
