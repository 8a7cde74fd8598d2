"""督办看板 engine: plan catalog, progress files, store, status metrics, charts and exports.

Everything here is pure Python (no streamlit) except the `lib.ui` sub-package.
"""
