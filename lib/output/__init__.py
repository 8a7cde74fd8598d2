"""lib.output."""
