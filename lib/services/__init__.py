"""The use cases the app and the command line share, above the engine packages.

`settings` resolves the environment (PLAN_FILE, PROGRESS_DB) to paths and is the only
reader of environment variables; `workspace` turns settings into the loaded plan and the
opened (and, for the demo, seeded) store; `uploads` is the upload use case (authorise,
validate, preview, import, withdraw), the one place where roles guard the store's writes;
`views/` holds one view model per page. It may import every package below it (core, plan,
auth, ingest, store, status, output), never lib.ui or lib.cli, and never streamlit.
"""
