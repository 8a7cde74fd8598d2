"""The quarter's supervision steps from the command line: 核准, 催报, 督办单, replies, trail.

`confirm` / `return` decide on an upload (or one figure of it, with --indicator and
--period); `confirmations` lists the uploads waiting; `remind` and `notice` record reminders
and 督办单 and write their Word files (and the reply forms) to a folder or a .zip;
`reply` stores a unit's answer, typed or from a filled reply form; `chase` reminds a unit of
the indicators of a 督办单 it has not answered; `close` closes a 督办单;
`notices` and `trail` list what happened. Every step goes through lib/services/cycle.py,
which checks who may take it; the command line acts as the office (admin) in the name given
with --by. Exit codes follow lib/cli/main.py: 0 done, 1 refused (problems printed), 2 an
unreadable plan or file.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from lib.auth.accounts import Role, User
from lib.cli.status_commands import _print_problems, as_of_period, opened_workspace
from lib.core.errors import UserInputError
from lib.services import cycle
from lib.services.workspace import Workspace
from lib.status.indicators import indicator_status
from lib.status.submissions import OFFICE_TIME

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the supervision commands."""
    for name, help_text in (
        ("confirm", "confirm an upload's figures (or one) / 核准"),
        ("return", "return an upload's figures (or one) with a reason / 退回"),
    ):
        parser = subparsers.add_parser(name, help=help_text)
        parser.add_argument("upload_id", type=int)
        parser.add_argument("--by", required=True, help="who decides (recorded in the trail)")
        parser.add_argument("--indicator", help="decide on this indicator's figure only")
        parser.add_argument("--period", help="the figure's quarter (with --indicator)")
        parser.add_argument("--reporter", default="", help="the figure's reporting unit")
        if name == "return":
            parser.add_argument("--reason", required=True, help="why it is returned")
        parser.set_defaults(handler=cmd_decide, decision=name)

    parser = subparsers.add_parser("confirmations", help="uploads waiting for 核准")
    parser.set_defaults(handler=cmd_confirmations)

    for name, help_text in (
        ("remind", "record and write 催报 notices (Word) for units still owing figures"),
        ("notice", "issue 督办单 (Word, with reply forms) to lead units of lagging indicators"),
    ):
        parser = subparsers.add_parser(name, help=help_text)
        parser.add_argument("--period", help="quarter, e.g. 2014Q3 (default: latest reported)")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--unit", action="append", help="a unit (repeat for several)")
        which.add_argument("--all", action="store_true", help="every unit concerned")
        parser.add_argument("--by", required=True, help="who issues it (recorded)")
        parser.add_argument("-o", "--output", required=True, help="a folder or a .zip")
        parser.add_argument("--now", help="act at this ISO time (default: now)")
        parser.set_defaults(handler=cmd_remind if name == "remind" else cmd_notice)

    parser = subparsers.add_parser("reply", help="store a unit's reply to a 督办单")
    parser.add_argument("notice_id", type=int, nargs="?", help="the 督办单 number")
    parser.add_argument("--form", help="a filled reply form (.xlsx or .csv) instead")
    parser.add_argument("--indicator", help="the indicator answered")
    parser.add_argument("--reason", default="", help="原因分析")
    parser.add_argument("--measures", default="", help="整改措施")
    parser.add_argument("--expected-by", help="预计完成时间 YYYY-MM-DD")
    parser.add_argument("--by", required=True, help="who enters it (recorded)")
    parser.set_defaults(handler=cmd_reply)

    parser = subparsers.add_parser("chase", help="chase (催办) a 督办单's missing replies")
    parser.add_argument("notice_id", type=int)
    parser.add_argument("--by", required=True)
    parser.set_defaults(handler=cmd_chase)

    parser = subparsers.add_parser("close", help="close (办结) a 督办单")
    parser.add_argument("notice_id", type=int)
    parser.add_argument("--by", required=True)
    parser.add_argument("--note", default="")
    parser.set_defaults(handler=cmd_close)

    parser = subparsers.add_parser("notices", help="every 督办单 and its state")
    parser.set_defaults(handler=cmd_notices)
    parser = subparsers.add_parser("trail", help="the trail of every step (留痕)")
    parser.add_argument("--period", help="only this quarter's steps")
    parser.add_argument("-o", "--output", help="write FILE.xlsx instead of printing")
    parser.set_defaults(handler=cmd_trail)


def _office_user(name: str) -> User:
    """Whoever runs the command line on the server acts for the office."""
    return User(name, Role.ADMIN, "cli")


def _workspace() -> Workspace | int:
    return opened_workspace(lambda workspace: workspace)


def _now(text: str | None) -> datetime | None:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        print(f"时间无法识别 / unrecognised time: {text}", file=sys.stderr)
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=OFFICE_TIME)


def _refused(exc: UserInputError) -> int:
    print("未执行 / not done:", file=sys.stderr)
    _print_problems(exc.problems)
    return EXIT_INVALID


def cmd_decide(args: argparse.Namespace) -> int:
    """confirm / return an upload or one figure of it."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    figure = None
    if args.indicator:
        if not args.period:
            print("--indicator 需同时给出 --period / --indicator needs --period", file=sys.stderr)
            return EXIT_INVALID
        figure = cycle.FigureKey(args.indicator, args.period, args.reporter)
    user, now = _office_user(args.by), datetime.now(UTC)
    try:
        if args.decision == "confirm":
            entry = cycle.confirm_figures(
                ws.store, ws.plan, args.upload_id, user=user, now=now, figure=figure
            )
        else:
            entry = cycle.return_figures(
                ws.store, ws.plan, args.upload_id, user=user, reason=args.reason, now=now,
                figure=figure,
            )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc)
    what = f"{figure.indicator_id} {figure.period}" if figure else "全部需核准数据 / all"
    done = "已核准 / confirmed" if args.decision == "confirm" else "已退回 / returned"
    print(f"第 {args.upload_id} 批 / upload {args.upload_id}: {what} {done} (留痕 #{entry})")
    return EXIT_OK


def cmd_confirmations(args: argparse.Namespace) -> int:
    """List the uploads with figures needing 核准 and their state."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    queue = cycle.confirmation_queue(ws.plan, ws.store)
    if not ws.plan.confirmation.required:
        print("本计划不需要核准 / this plan does not require confirmation")
        return EXIT_OK
    print(f"核准单位 / confirmer: {ws.plan.confirmation.confirmer}")
    print(queue.to_string(index=False) if not queue.empty else "（无 / none）")
    return EXIT_OK


def cmd_remind(args: argparse.Namespace) -> int:
    """Record reminders for the chosen units and write the notices."""
    ws = _workspace()
    now = _now(args.now)
    if isinstance(ws, int) or now is None:
        return ws if isinstance(ws, int) else EXIT_INVALID
    figures = ws.store.current_values()  # what arrived, confirmed or not
    period = as_of_period(args.period, ws.plan, figures)
    if period is None:
        return EXIT_INVALID
    units = args.unit or []
    if args.all:
        targets = cycle.reminder_targets(ws.plan, figures, ws.store.trail(), period, now)
        units = list(targets["reporter"])
    try:
        units = [cycle.resolved_unit(ws.plan, unit) for unit in units]
        documents = cycle.send_reminders(
            ws.store, ws.plan, figures, units=units, period=period, user=_office_user(args.by),
            now=now,
        )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc)
    return _written(documents, Path(args.output), "催报通知 / reminders")


def cmd_notice(args: argparse.Namespace) -> int:
    """Issue 督办单 to the chosen lead units and write them with their reply forms."""
    ws = _workspace()
    now = _now(args.now)
    if isinstance(ws, int) or now is None:
        return ws if isinstance(ws, int) else EXIT_INVALID
    figures = ws.store.current_values(confirmed_only=ws.plan.confirmed_indicator_ids())
    period = as_of_period(args.period, ws.plan, figures)
    if period is None:
        return EXIT_INVALID
    status = indicator_status(ws.plan, figures, period)
    units = args.unit or []
    if args.all:
        units = list(cycle.notice_targets(status, ws.store.trail(), period)["unit"])
    try:
        units = [cycle.resolved_unit(ws.plan, unit) for unit in units]
        notices = cycle.issue_notices(
            ws.store, ws.plan, status, units=units, period=period, user=_office_user(args.by),
            now=now, sample=ws.store.has_sample_data(),
        )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc)
    issued = ws.store.trail(("issued",))
    forms = [cycle.reply_form(ws.plan, issued[issued["id"] == d.entry_id].iloc[0]) for d in notices]
    return _written([*notices, *forms], Path(args.output), "督办单及回复表 / notices and forms")


def _written(documents: list[cycle.IssuedDocument], output: Path, what: str) -> int:
    """Write the documents into a folder, or a .zip; how many."""
    if output.suffix.lower() == ".zip":
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for document in documents:
                archive.writestr(document.file_name, document.content)
    else:
        output.mkdir(parents=True, exist_ok=True)
        for document in documents:
            (output / document.file_name).write_bytes(document.content)
    numbers = ", ".join(f"#{d.entry_id}" for d in documents)
    print(f"{output}: {len(documents)} 个文件 / files, {what} (留痕 / trail {numbers})")
    return EXIT_OK


def cmd_reply(args: argparse.Namespace) -> int:
    """Store a reply typed on the command line, or every reply of a filled form."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    user, now = _office_user(args.by), datetime.now(UTC)
    try:
        if args.form:
            path = Path(args.form)
            try:
                content = path.read_bytes()
            except OSError as exc:
                print(f"{path}: 无法读取 / cannot read: {exc}", file=sys.stderr)
                return EXIT_UNREADABLE
            ids = cycle.import_reply_form(ws.store, ws.plan, content, path.name, user=user, now=now)
        else:
            if args.notice_id is None or not args.indicator:
                print("需给出督办单号和 --indicator / give the notice id and --indicator",
                      file=sys.stderr)  # fmt: skip
                return EXIT_INVALID
            expected = _date(args.expected_by)
            if expected is False:
                return EXIT_INVALID
            reply = cycle.Reply(args.notice_id, args.indicator, args.reason, args.measures,
                                expected)  # fmt: skip
            ids = cycle.record_replies(ws.store, ws.plan, [reply], user=user, now=now)
    except UserInputError as exc:
        return _refused(exc)
    print(
        f"已保存 {len(ids)} 条回复 / {len(ids)} replies stored (留痕 / trail #{ids[0]}..#{ids[-1]})"
    )
    return EXIT_OK


def _date(text: str | None) -> date | bool | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(f"日期应为 YYYY-MM-DD / a date is YYYY-MM-DD: {text}", file=sys.stderr)
        return False


def cmd_close(args: argparse.Namespace) -> int:
    """Close a 督办单."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    try:
        entry = cycle.close_notice(
            ws.store, notice_id=args.notice_id, user=_office_user(args.by),
            now=datetime.now(UTC), note=args.note,
        )  # fmt: skip
    except UserInputError as exc:
        return _refused(exc)
    print(f"第 {args.notice_id} 号督办单已办结 / notice {args.notice_id} closed (留痕 #{entry})")
    return EXIT_OK


def cmd_chase(args: argparse.Namespace) -> int:
    """Record a 催办 of a 督办单's unanswered indicators."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    try:
        entry = cycle.chase_reply(
            ws.store, notice_id=args.notice_id, user=_office_user(args.by), now=datetime.now(UTC)
        )
    except UserInputError as exc:
        return _refused(exc)
    print(f"第 {args.notice_id} 号督办单已催办 / notice {args.notice_id} chased (留痕 #{entry})")
    return EXIT_OK


def cmd_notices(args: argparse.Namespace) -> int:
    """List every 督办单 with its state."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    table = cycle.notices_table(ws.store.trail(), datetime.now(OFFICE_TIME).date())
    print(table.to_string(index=False) if not table.empty else "（无督办单 / no notices）")
    return EXIT_OK


def cmd_trail(args: argparse.Namespace) -> int:
    """Print or write the trail."""
    ws = _workspace()
    if isinstance(ws, int):
        return ws
    table = cycle.trail_table(ws.store.trail(), ws.plan, period=args.period, lang="zh")
    if args.output:
        from lib.output.tabular_export import xlsx_bytes  # openpyxl only when writing

        Path(args.output).write_bytes(xlsx_bytes({"留痕": table}))
        print(f"{args.output}: {len(table)} 条 / entries")
        return EXIT_OK
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(table.to_string(index=False) if not table.empty else "（无 / none）")
    return EXIT_OK
