"""`check-plan`: validate a plan YAML and print a summary or every problem."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.core.errors import PlanError
from lib.plan.loader import load_plan, plan_problems, plan_summary
from lib.services.settings import settings_from_env


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the check-plan command."""
    parser = subparsers.add_parser("check-plan", help="validate a plan YAML / 校验计划文件")
    parser.add_argument(
        "plan", nargs="?", help="plan YAML (default: PLAN_FILE or data/tasks_2014.yaml)"
    )
    parser.add_argument("--json", action="store_true", help="print problems as JSON")
    parser.set_defaults(handler=cmd_check_plan)


def cmd_check_plan(args: argparse.Namespace) -> int:
    """Exit 0 with a summary when valid, 1 with every problem when invalid, 2 when unreadable."""
    path = args.plan or settings_from_env().plan_file
    try:
        plan = load_plan(path)
    except PlanError as exc:
        if args.json:
            print(json.dumps([p.as_dict() for p in exc.problems], ensure_ascii=False, indent=2))
        else:
            print(
                f"{path}: {len(exc.problems)} problem(s) / 发现 {len(exc.problems)} 个问题",
                file=sys.stderr,
            )
            for p in exc.problems:
                print(f"  {p}", file=sys.stderr)
        return 2 if any(p.code == "plan_unreadable" for p in exc.problems) else 1
    print(f"{path}: OK - {plan_summary(plan)}")
    # A drafted plan loads with its review notes; each is a warning a person must clear
    # (a plan without any is not parsed a second time).
    text = Path(path).read_text("utf-8")
    warnings = (
        [p for p in plan_problems(text) if p.severity != "error"] if "review:" in text else []
    )
    if warnings:
        if args.json:
            print(json.dumps([p.as_dict() for p in warnings], ensure_ascii=False, indent=2))
        else:
            print(f"  {len(warnings)} item(s) need a person / {len(warnings)} 项待人工核对")
            for p in warnings:
                print(f"  {p}")
    return 0
