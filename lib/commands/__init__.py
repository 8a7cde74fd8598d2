"""Sub-commands of `python -m lib`, one module per area."""
