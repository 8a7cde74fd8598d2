"""Province-scale benchmark: a synthetic plan and progress file, and the timings table.

`python -m bench generate` writes a plan YAML and a progress CSV of any size (same schema
and format as the real ones); `python -m bench run` (`make bench`) measures ingest, page
reruns, cold start and memory against the targets of issue 6. Nothing in lib/ or the
pages imports this package.
"""
