"""lib.status."""
