"""Command-line interface: `python -m lib <command>`.

Each command lives in a function `cmd_<name>(args) -> int` in its own module under
lib/commands/; this module only wires them into argparse. Exit codes: 0 success,
1 invalid input (problems printed), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines `register(subparsers)`; add a line when a command module is added.
COMMAND_MODULES = (
    "lib.commands.plan_commands",
    "lib.commands.progress_commands",
    "lib.commands.brief_commands",
    "lib.commands.status_commands",
    "lib.commands.auth_commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="python -m lib", description="督办看板 command line")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command, return its exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
