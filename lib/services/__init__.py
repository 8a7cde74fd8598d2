"""lib.services."""
