"""The progress store, which keeps every accepted figure forever: an embedded SQLite file, or
a PostgreSQL database that several app processes share (`engines` chooses by the location;
`sqlite_engine`, `postgres_engine`).

It owns each engine's schema and migrations (`schema`, `postgres_schema`), what an
administrator does to a store (`maintenance`: its version, the app role's rights; `copy`: a
SQLite store moved to PostgreSQL), the codec of an upload's batch of figures
(`batches`), the SQL of imports, withdrawals, the ledger and the current values
(`repository`, whose `ProgressStore` is the one entry point), how the current value of a key
is picked from the batches (`current`), the memory-mapped current-figures cache
(`figures_cache`), the quarter's trail of confirmations, reminders, 督办单 and replies
(`trail`) and which figures a confirmation lets count (`confirmations`), typed frames from
SQL rows (`sql_frames`) and the messages of refusals and SQLite failures (`failures`;
PostgreSQL's are in `postgres_engine`). It
takes plain data (rows, file bytes, names, moments): it may import lib.core and lib.plan
only, never lib.auth (who may write is decided in lib.services.uploads) nor lib.ingest (what
a valid row is).
"""
