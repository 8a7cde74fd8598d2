"""Command-line interface: `python -m lib <command>`.

Each command lives in a function `cmd_<name>(args) -> int` in its own module under
lib/commands/; this module only wires them into argparse. Exit codes: 0 success,
1 invalid input (problems printed), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lib.services.settings import plan_chosen

# Each module defines `register(subparsers)`; add it here with the commands it registers.
COMMAND_MODULES = {
    "lib.cli.plan_commands": ("check-plan",),
    "lib.cli.draft_commands": ("draft-plan",),
    "lib.cli.progress_commands": (
        "validate",
        "import",
        "conflicts",
        "uploads",
        "withdraw",
        "template",
    ),
    "lib.cli.brief_commands": ("brief", "chart-png"),
    "lib.cli.status_commands": ("status",),
    "lib.cli.cycle_commands": ("submissions",),
    "lib.cli.supervision_commands": (
        "confirm",
        "return",
        "confirmations",
        "remind",
        "notice",
        "reply",
        "chase",
        "close",
        "notices",
        "trail",
    ),
    "lib.cli.auth_commands": ("add-user",),
    "lib.cli.store_commands": ("migrate-store", "grant-app-role", "copy-store"),
}


# Commands that take a plan file, a document or no plan at all, not a library plan.
_PLAN_FREE_COMMANDS = frozenset(
    {"check-plan", "add-user", "draft-plan", "migrate-store", "grant-app-role", "copy-store"}
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argparse tree with every registered sub-command, or, when `command` names one,
    with only the module that registers it imported: `import` then starts without the
    slide and chart libraries (0.4 s of a million-row import)."""
    parser = argparse.ArgumentParser(prog="python -m lib", description="督办看板 command line")
    subparsers = parser.add_subparsers(dest="command", required=True)
    owners = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in owners or COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for name, sub in subparsers.choices.items():
        if name not in _PLAN_FREE_COMMANDS:
            sub.add_argument(
                "--plan",
                dest="plan_id",
                metavar="ID",
                help="the library's plan to work on (default: PLAN_ID, else the only or newest)",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command (for the plan `--plan` names), return its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    with plan_chosen(getattr(args, "plan_id", None)):
        return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
