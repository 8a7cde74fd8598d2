"""The plan: the one machine-readable copy of the document (sections, tasks, indicators,
responsible units, thresholds). `model` defines a Plan, `source` reads the YAML, `schema`
(pydantic) and `rules` validate it, `tabulate` turns it into frames, `cache` keeps those
frames on disk, `loader` ties them together (`load_plan`), `units` resolves unit names, `reporting`
says whose figure a reported figure is (whole area, an area's breakdown, another unit's)
and `search` finds tasks. It may import only lib.core, the standard library and third-party
packages.
"""
