"""lib.store.progress_store."""
