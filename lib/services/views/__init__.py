"""One view model per page: pure functions that turn the plan, the figures in view, the filters
and the language into frozen dataclasses holding everything a page renders (plotly figures,
tables under their headings, KPI values with their text, captions, selector choices, and
callables that write download files on click). `elements` holds the pieces every page
shares (ChartView, TableView, Kpi, Download). These modules may import lib.core, lib.plan,
lib.auth, lib.ingest, lib.store, lib.status, lib.output and the other services modules;
never lib.ui, lib.cli or streamlit, so every view is testable without a running app.
"""
