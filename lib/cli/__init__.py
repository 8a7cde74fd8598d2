"""lib.cli.main."""
