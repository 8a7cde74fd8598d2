"""The status model: progress, expected pace and status of every indicator at an as-of
quarter (`indicators`), their roll-ups to tasks, sections and the overview (`rollups`), unit
workload and the unit x section matrix (`units`), the completion trend (`trend`), the
status codes (`codes`), the headline figure of each indicator among the figures of every
reporting unit (`headline`), the current figures with their row keys (`figures`), the
quarter's 报送情况 (`submissions`), whether the figure shown of each indicator is confirmed
(`confirmation`) and the 督办单 state and latest reply of each indicator (`replies`).
Functions are pure and vectorised and never change their inputs. It may import only
lib.core, lib.plan, the standard library and third-party packages.
"""
