"""lib.auth.accounts."""
