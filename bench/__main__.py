"""`python -m bench generate ...` writes a plan and a progress file; `python -m bench run ...`
measures the dashboard and prints the table (see bench/run.py)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """The two commands and their options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write DIR/tasks.yaml and DIR/progress.csv")
    _scale_arguments(generate)
    generate.add_argument("--out", type=Path, required=True, help="output directory")
    run = commands.add_parser("run", help="measure and print the benchmark table")
    _scale_arguments(run)
    run.add_argument("--quick", action="store_true", help="one repetition, one filter change")
    run.add_argument("--workdir", type=Path, help="where data and stores go (default: a temp dir)")
    return parser


def _scale_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks (default 10,000)")
    parser.add_argument("--periods", type=int, default=40, help="quarters (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def main(argv: list[str] | None = None) -> int:
    """Run a command; 0 on success."""
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        from bench.generate import generate  # numpy and pandas only where needed

        started = time.perf_counter()
        made = generate(args.tasks, args.periods, args.seed, args.out)
        print(
            f"{made.plan_file}: {made.tasks:,} tasks, {made.indicators:,} indicators; "
            f"{made.progress_file}: {made.rows:,} rows ({time.perf_counter() - started:.1f} s)"
        )
        return 0
    from bench.run import run_benchmark

    return run_benchmark(
        args.tasks, args.periods, args.seed, quick=args.quick, workdir=args.workdir
    )


if __name__ == "__main__":
    sys.exit(main())
