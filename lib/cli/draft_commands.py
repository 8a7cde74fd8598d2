"""`draft-plan`: draft a plan YAML from a published document (.txt, .docx, .pdf, .html)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from lib.core.errors import UserInputError
from lib.drafting.draft import draft_counts, draft_plan, draft_yaml
from lib.plan.loader import plan_problems


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the draft-plan command."""
    parser = subparsers.add_parser(
        "draft-plan", help="draft a plan YAML from a document / 由文件起草计划"
    )
    parser.add_argument("document", help="the document: .txt, .docx, .pdf or .html")
    parser.add_argument(
        "-o", "--output", help="where to write the draft YAML (default: standard output)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the output file if it exists"
    )
    parser.add_argument(
        "--year",
        type=int,
        help="the plan's year when the document names none (default: this year)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=cmd_draft_plan)


def cmd_draft_plan(args: argparse.Namespace) -> int:
    """Write the draft, then print its summary and its check-plan problems. Exit 0 when the
    draft passes check-plan (warnings: items a person should look at), 1 when it has
    errors (it is written all the same, for a person to finish), 2 when the document cannot
    be read or the output would overwrite a file."""
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        print(
            f"{output}: 文件已存在，未覆盖（如需覆盖请加 --force） / the file exists and was not "
            "overwritten (add --force to overwrite)",
            file=sys.stderr,
        )
        return 2
    try:
        plan = draft_plan(args.document, fallback_year=args.year or date.today().year)
    except UserInputError as exc:
        print(f"{args.document}: 无法读取 / cannot be read", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    text = draft_yaml(plan)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    problems = plan_problems(text)
    errors = [p for p in problems if p.severity == "error"]
    counts = draft_counts(plan)
    lead_rule = plan["draft"]["lead_rule"]
    report = sys.stdout if output is not None else sys.stderr
    if args.json:
        summary = {
            "document": str(args.document),
            "output": str(output) if output else None,
            **counts,
            "lead_rule": lead_rule,
            "problems": [p.as_dict() for p in problems],
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str), file=report)
        return 1 if errors else 0
    where = f" -> {output}" if output else ""
    print(
        f"{args.document}{where}: {counts['sections']} sections 分节, {counts['tasks']} tasks "
        f"任务, {counts['units']} units 单位, {counts['indicators']} indicators 指标, "
        f"{counts['review_notes']} review notes 待核对说明",
        file=report,
    )
    print(f"lead rule 牵头规则: {lead_rule['rule']} — {lead_rule['evidence']}", file=report)
    warnings = len(problems) - len(errors)
    print(
        f"check-plan: {len(errors)} error(s) 错误, {warnings} warning(s) 待核对",
        file=report,
    )
    for p in problems:
        print(f"  [{p.severity}] {p}", file=report)
    return 1 if errors else 0
