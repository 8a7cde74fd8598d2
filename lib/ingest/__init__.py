"""lib.ingest."""
