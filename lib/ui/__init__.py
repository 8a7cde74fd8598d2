"""The only part of lib/ that imports streamlit: page chrome, filters, cached loaders, widgets.

Pages call `lib.ui.chrome.page_setup(...)` first; it returns a `PageContext` with the plan,
the current figures, the filters (kept in the URL query string) and the language.
"""
