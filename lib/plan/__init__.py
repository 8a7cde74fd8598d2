"""lib.plan.catalog."""
