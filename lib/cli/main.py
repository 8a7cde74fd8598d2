"""Command-line interface: `python -m lib <command>`.

Each command lives in a function `cmd_<name>(args) -> int` in its own module under
lib/commands/; this module only wires them into argparse. Exit codes: 0 success,
1 invalid input (problems printed), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines `register(subparsers)`; add it here with the commands it registers.
COMMAND_MODULES = {
    "lib.cli.plan_commands": ("check-plan",),
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
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argparse tree with every registered sub-command, or, when `command` names one,
    with only the module that registers it imported: `import` then starts without the
    slide and chart libraries (0.4 s of a million-row import)."""
    parser = argparse.ArgumentParser(prog="python -m lib", description="督办看板 command line")
    subparsers = parser.add_subparsers(dest="command", required=True)
    owners = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in owners or COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command, return its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
