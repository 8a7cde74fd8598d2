"""The project's own error types and the `Problem` record they carry.

Every problem a person can fix (a broken plan file, a bad cell in an upload, a busy store)
is reported as a `Problem` with where it is (YAML path and line, or spreadsheet row and
column), the offending value, a stable rule code and a message in Chinese and English.
Pages catch only `UserInputError` and its subclasses; anything else is a bug and propagates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

# error: blocks an import; warning: imports, but a person should check; notice: what was
# done with the file, said so nobody is surprised (whose figures they were taken to be)
Severity = Literal["error", "warning", "notice"]


# Shaped like other frozen records with defaulted fields (bench/run.py's Row), but it is
# the one record every error carries: it shares nothing with them beyond @dataclass.
@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    code: str
    message_zh: str
    message_en: str
    severity: Severity = "error"
    row: int | None = None
    column: str | None = None
    value: str | None = None
    path: str | None = None
    line: int | None = None

    def location(self) -> str:
        """Human-readable place: 'line 12 (sections[0].tasks[1])' or 'row 5, column 完成值'."""
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.path:
            parts.append(f"({self.path})" if parts else self.path)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts) if parts else "-"

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON output and report tables."""
        return asdict(self)

    def __str__(self) -> str:
        value = f" [{self.value}]" if self.value not in (None, "") else ""
        return f"{self.location()}: {self.code}{value}: {self.message_zh} / {self.message_en}"


@dataclass
class UserInputError(Exception):
    """Input a person must fix; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class PlanError(UserInputError):
    """The plan YAML is not a valid plan."""


class ProgressFileError(UserInputError):
    """An uploaded progress file cannot be read at all (wrong type, empty, bomb...)."""


class StoreError(UserInputError):
    """The store refused an operation (busy, read-only, full, unknown upload...)."""


class PermissionDeniedError(UserInputError):
    """The current user's role does not allow the operation."""


def problem(code: str, zh: str, en: str, **where: object) -> Problem:
    """Shorthand constructor used by validators."""
    return Problem(code=code, message_zh=zh, message_en=en, **where)  # type: ignore[arg-type]
