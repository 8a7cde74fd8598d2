"""The progress store: an embedded SQLite file that keeps every accepted figure forever.

It owns the schema and its migrations (`schema`), the codec of an upload's batch of figures
(`batches`), the SQL of imports, withdrawals, the ledger and the current values
(`repository`, whose `ProgressStore` is the one entry point), how the current value of a key
is picked from the batches (`current`), the memory-mapped current-figures cache
(`figures_cache`), the quarter's trail of confirmations, reminders, 督办单 and replies
(`trail`) and which figures a confirmation lets count (`confirmations`), typed frames from
SQL rows (`sql_frames`) and the messages of refusals and SQLite failures (`failures`). It
takes plain data (rows, file bytes, names, moments): it may import lib.core and lib.plan
only, never lib.auth (who may write is decided in lib.services.uploads) nor lib.ingest (what
a valid row is).
"""
