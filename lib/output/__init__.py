"""What people take away from the dashboard: plotly figures (`charts`), display tables
(`tables`), spreadsheet and CSV exports (`tabular_export`), the upload template
(`template`), slide-ready PNG images (`images`), the briefing deck (`briefing`) and the one
font setting (`fonts`). It turns plans, statuses and figures that it is handed into those
artefacts and reads nothing itself. It may import core, plan, auth, ingest, store and status;
never services, ui or cli.
"""
