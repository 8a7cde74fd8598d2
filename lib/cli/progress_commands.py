"""`validate`, `import`, `uploads`, `withdraw`, `template`: progress files and the store.

Paths come from `lib.services.settings.settings_from_env()` (PLAN_FILE, PROGRESS_DB).
Exit codes follow lib/cli/main.py: 0 success, 1 invalid input or a refused store operation,
2 unreadable input.
`import` prints only the new upload id on stdout; messages go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import pandas as pd

from lib.auth.accounts import Role, User
from lib.core.errors import PlanError, Problem, ProgressFileError, StoreError, UserInputError
from lib.ingest.report import ValidationReport
from lib.plan.model import Plan
from lib.services.plans import plan_library
from lib.services.settings import settings_from_env
from lib.services.uploads import checked_upload, import_upload, upload_preview, withdraw_upload
from lib.services.workspace import chosen_plan_and_store
from lib.status.headline import headline_figures
from lib.store.repository import ProgressStore

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
_UNIT_HELP = (
    "reporting unit of rows whose 填报单位 is empty (a registered name or alias, e.g. 鼎湖区); "
    "without it such rows are the whole-area figures of each indicator's lead unit"
)
JSON_FIELDS = ("row", "column", "value", "code", "severity", "message_zh", "message_en")


def cli_user(name: str) -> User:
    """Whoever runs the CLI can open the store file directly, so they act as an admin;
    the name they give is what the ledger records."""
    return User(name, Role.ADMIN, "cli")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the progress commands."""
    validate = subparsers.add_parser("validate", help="check a progress file / 校验进度文件")
    validate.add_argument("file", help="CSV or XLSX progress file")
    validate.add_argument("--json", action="store_true", help="print problems as JSON")
    validate.add_argument("--sheet", help="worksheet to read (default: first visible)")
    validate.add_argument("--unit", help=_UNIT_HELP)
    validate.set_defaults(handler=cmd_validate)

    imp = subparsers.add_parser("import", help="validate and store a progress file / 导入")
    imp.add_argument("file", help="CSV or XLSX progress file")
    imp.add_argument("--by", required=True, help="who is importing (recorded in the ledger)")
    imp.add_argument("--sheet", help="worksheet to read (default: first visible)")
    imp.add_argument("--unit", help=_UNIT_HELP)
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would change (old -> new, whose old value); store nothing / 预览",
    )
    imp.add_argument(
        "--limit", type=int, default=50, help="changes listed by --dry-run (default 50; 0: all)"
    )
    imp.set_defaults(handler=cmd_import)

    conflicts = subparsers.add_parser(
        "conflicts", help="whole-area figures of different units that disagree / 数据冲突"
    )
    conflicts.set_defaults(handler=cmd_conflicts)

    uploads = subparsers.add_parser("uploads", help="list the upload ledger / 上传记录")
    uploads.set_defaults(handler=cmd_uploads)

    withdraw = subparsers.add_parser("withdraw", help="withdraw an upload / 撤回上传")
    withdraw.add_argument("id", type=int, help="upload id (see `uploads`)")
    withdraw.add_argument("--by", required=True, help="who is withdrawing")
    withdraw.set_defaults(handler=cmd_withdraw)

    template = subparsers.add_parser("template", help="write the progress template / 填报模板")
    template.add_argument(
        "-o", "--output", required=True, help="FILE.xlsx or FILE.csv (FILE.zip with --all-units)"
    )
    template.add_argument("--period", help="pre-fill 报告期 with this quarter, e.g. 2014Q3")
    forms = template.add_mutually_exclusive_group()
    forms.add_argument(
        "--unit",
        help="one unit's form / 单位填报表: only the indicators it reports, with its name and "
        "its previous figures (from PROGRESS_DB when it exists)",
    )
    forms.add_argument(
        "--all-units", action="store_true", help="a zip of one .xlsx form per reporting unit"
    )
    template.set_defaults(handler=cmd_template)


def cmd_validate(args: argparse.Namespace) -> int:
    """0 valid (warnings printed), 1 invalid, 2 unreadable file or plan."""
    plan = _plan()
    if plan is None:
        return EXIT_UNREADABLE
    exists = settings_from_env().store_exists
    store = _store() if exists else None  # only for "value decreased" warnings
    outcome = _validated(Path(args.file), plan, store, args, as_json=args.json)
    if isinstance(outcome, int):
        return outcome
    _, report, _ = outcome
    if args.json:
        print(_problems_json(report.problems))
    else:
        _print_report(report, Path(args.file), sys.stdout)
    return EXIT_OK if report.ok else EXIT_INVALID


def cmd_import(args: argparse.Namespace) -> int:
    """Print the new upload id; exit 1 (nothing stored) if the file has errors. With
    --dry-run, print what the import would change and store nothing."""
    plan = _plan()
    if plan is None:
        return EXIT_UNREADABLE
    store = _store()
    if store is None:
        return EXIT_INVALID
    path = Path(args.file)
    outcome = _validated(path, plan, store, args, as_json=False)
    if isinstance(outcome, int):
        return outcome
    content, report, stored = outcome
    _print_report(report, path, sys.stderr)
    if not report.ok:
        print("未导入任何数据 / nothing was imported", file=sys.stderr)
        return EXIT_INVALID
    if args.dry_run:
        _print_preview(upload_preview(plan, report, stored), args.limit, sys.stdout)
        print("预览，未导入任何数据 / dry run: nothing was imported", file=sys.stderr)
        return EXIT_OK
    try:
        upload_id = import_upload(
            store,
            report,
            content=content,  # the very bytes that were validated
            file_name=path.name,
            user=cli_user(args.by),
            now=datetime.now(UTC),
        )
    except UserInputError as exc:  # a refusal: the same bytes again, a busy store...
        _print_problems(exc.problems, sys.stderr)
        return EXIT_INVALID
    print(
        f"已导入第 {upload_id} 批，共 {len(report.rows)} 行 / "
        f"imported upload {upload_id} ({len(report.rows)} rows)",
        file=sys.stderr,
    )
    print(upload_id)
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    """Print whole-area figures of one indicator and period that different units sent and
    that disagree; exit 0 either way (a conflict is for an analyst to resolve)."""
    plan = _plan()
    if plan is None:
        return EXIT_UNREADABLE
    store = _store()
    if store is None:
        return EXIT_INVALID
    try:
        conflicts = headline_figures(plan, store.current_values()).conflicts
    except StoreError as exc:
        _print_problems(exc.problems, sys.stderr)
        return EXIT_INVALID
    if conflicts.empty:
        print("没有相互矛盾的全市数据 / no conflicting whole-area figures")
        return EXIT_OK
    shown = conflicts.assign(headline_reporter=conflicts["headline_reporter"].replace("", "-"))
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(shown.to_string(index=False))
    return EXIT_OK


def cmd_uploads(args: argparse.Namespace) -> int:
    """Print the ledger, newest first."""
    store = _store()
    if store is None:
        return EXIT_INVALID
    ledger = store.uploads()
    if ledger.empty:
        print("暂无上传记录 / no uploads yet")
        return EXIT_OK
    shown = ledger.drop(columns=["sha256"]).assign(sha256=ledger["sha256"].str[:12])
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(shown.to_string(index=False))
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw an upload; its earlier values become current again."""
    store = _store()
    if store is None:
        return EXIT_INVALID
    try:
        withdraw_upload(store, args.id, user=cli_user(args.by), now=datetime.now(UTC))
    except UserInputError as exc:
        _print_problems(exc.problems, sys.stderr)
        return EXIT_INVALID
    print(f"已撤回第 {args.id} 批 / withdrew upload {args.id}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """Write the template as .xlsx or .csv, chosen by the output file's extension; with
    --unit that unit's form, with --all-units a zip of every reporting unit's form (previous
    figures from the store at PROGRESS_DB, when there is one). An unknown unit exits 2."""
    output = Path(args.output)
    fmt = output.suffix.lower().lstrip(".")
    wanted = ("zip",) if args.all_units else ("xlsx", "csv")
    if fmt not in wanted:
        zh, en = " 或 .".join(wanted), " or .".join(wanted)
        print(f"{output}: 请使用 .{zh} / use .{en}", file=sys.stderr)
        return EXIT_UNREADABLE
    plan = _plan()
    if plan is None:
        return EXIT_UNREADABLE
    # openpyxl: not loaded for an import
    from lib.output.template import (
        form_unit,
        reporting_units,
        unit_forms_zip,
        unit_indicators,
        write_template,
    )

    if not (args.unit or args.all_units):
        write_template(plan, output, fmt=fmt, period=args.period)
        print(f"{output}: {len(plan.indicators)} 个指标 / indicators")
        return EXIT_OK
    try:
        unit = form_unit(plan, args.unit) if args.unit else None
        stored = _stored_figures()
    except UserInputError as exc:  # an unknown unit, or a store that cannot be read
        _print_problems(exc.problems, sys.stderr)
        return EXIT_UNREADABLE
    if unit is None:
        output.write_bytes(unit_forms_zip(plan, args.period, stored))
        print(f"{output}: {len(reporting_units(plan))} 个单位 / unit forms")
        return EXIT_OK
    write_template(plan, output, fmt=fmt, period=args.period, unit=unit, stored=stored)
    count = len(unit_indicators(plan, unit))
    print(f"{output}: {unit} {count} 个指标 / indicators")
    return EXIT_OK


# --- helpers ----------------------------------------------------------------------------------


def _plan() -> Plan | None:
    """The chosen plan of the library (--plan, PLAN_ID, or the only or newest)."""
    settings = settings_from_env()
    try:
        return plan_library(settings).chosen(settings.plan_id).plan
    except PlanError as exc:
        print(f"{settings.plan_file}: 计划文件无效 / invalid plan", file=sys.stderr)
        _print_problems(exc.problems, sys.stderr)
        return None


def _store() -> ProgressStore | None:
    """The store, opened for the chosen plan's uploads."""
    try:
        return chosen_plan_and_store(settings_from_env())[1]
    except (StoreError, PlanError) as exc:
        _print_problems(exc.problems, sys.stderr)
        return None


def _stored_figures() -> pd.DataFrame | None:
    """The chosen plan's latest figures in the store at PROGRESS_DB; None when there is no
    store yet (a form is not worth creating one). StoreError when it cannot be read."""
    settings = settings_from_env()
    if not settings.store_exists:
        return None
    return chosen_plan_and_store(settings)[1].current_values()


def _validated(
    path: Path, plan: Plan, store: ProgressStore | None, args: argparse.Namespace, as_json: bool
) -> tuple[bytes, ValidationReport, pd.DataFrame | None] | int:
    """The file's bytes, its report and the stored figures it was checked against, or an
    exit code when it cannot be read at all."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        problem = Problem("file_unreadable", f"无法读取文件：{exc}", f"cannot read the file: {exc}")
        _emit_unreadable([problem], path, as_json)
        return EXIT_UNREADABLE
    try:
        stored = store.current_values() if store is not None else None
    except StoreError as exc:
        _print_problems(exc.problems, sys.stderr)
        return EXIT_INVALID
    try:
        # the operator's own file on the server: read under the bulk limits (a province's
        # quarters in one file), every other rule as for a web upload
        report = checked_upload(
            plan, content, path.name, stored, args.sheet, bulk=True, unit=args.unit
        )
        return content, report, stored
    except ProgressFileError as exc:
        _emit_unreadable(exc.problems, path, as_json)
        return EXIT_UNREADABLE


def _emit_unreadable(problems: list[Problem], path: Path, as_json: bool) -> None:
    if as_json:
        print(_problems_json(problems))
    else:
        print(f"{path}: 无法读取 / unreadable", file=sys.stderr)
        _print_problems(problems, sys.stderr)


def _problems_json(problems: list[Problem]) -> str:
    records = [{key: p.as_dict()[key] for key in JSON_FIELDS} for p in problems]
    return json.dumps(records, ensure_ascii=False, indent=2)


def _print_report(report: ValidationReport, path: Path, stream: TextIO) -> None:
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "通过 / valid" if report.ok else "未通过 / invalid"
    print(
        f"{path}: {verdict} - {len(report.rows)} 行数据, {errors} 个错误, {warnings} 个警告 / "
        f"{len(report.rows)} rows, {errors} error(s), {warnings} warning(s)",
        file=stream,
    )
    _print_problems(report.problems, stream)


def _print_preview(preview: pd.DataFrame, limit: int, stream: TextIO) -> None:
    """Counts of new, changed, unchanged and kept-beside figures, then the figures an import
    would change (up to `limit`; 0: all): indicator, period, unit, old -> new, whose old."""
    counts = preview["change"].value_counts()
    print(
        "  ".join(f"{change}: {int(counts.get(change, 0))}" for change in _CHANGE_ORDER),
        file=stream,
    )
    changes = preview[preview["change"] != "unchanged"]
    shown = changes if limit <= 0 else changes.head(limit)
    for row in shown.itertuples(index=False):
        unit = row.reporter or "(未注明 / not recorded)"
        old = "-" if pd.isna(row.old_value) else f"{row.old_value:g}"
        whose = (
            f" ({row.old_reporter or '未注明 / not recorded'})" if row.change == "beside" else ""
        )
        print(
            f"{row.indicator_id}\t{row.period}\t{unit}\t{row.role}\t"
            f"{old}{whose} -> {row.new_value:g}\t{row.change}",
            file=stream,
        )
    if len(shown) < len(changes):
        print(f"... {len(changes) - len(shown)} more (--limit 0 lists all)", file=stream)


_CHANGE_ORDER = ("new", "changed", "beside", "unchanged")


def _print_problems(problems: list[Problem], stream: TextIO) -> None:
    for p in problems:
        print(f"  [{p.severity}] {p}", file=stream)
