"""`add-user`: create or update a local account (`[accounts.NAME]`) in secrets.toml.

The password is read from stdin (`--password-stdin`, first line) or asked twice without echo,
and only its scrypt hash is written. The rest of secrets.toml is kept byte for byte: the
command removes the old `[accounts.NAME]` table if there is one, appends the new table, and
writes the result only if parsing it gives exactly the old data with that one account
replaced (otherwise it asks for a manual edit). The file is replaced atomically, mode 0600.
Exit codes follow lib/cli/main.py: 0 written, 1 invalid name or password, 2 unreadable or
unwritable secrets file.
"""

from __future__ import annotations

import argparse
import copy
import getpass
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from lib.auth.accounts import (
    MAX_NAME_LENGTH,
    MIN_PASSWORD_LENGTH,
    AuthConfigError,
    auth_settings,
    password_hash,
    role_from_text,
    role_label,
    valid_account_name,
)

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
DEFAULT_SECRETS = Path(".streamlit") / "secrets.toml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the add-user command."""
    parser = subparsers.add_parser(
        "add-user", help="create or update a local account / 添加或更新本地账户"
    )
    parser.add_argument("name", help="account name (recorded as uploaded_by)")
    parser.add_argument(
        "--role", required=True, choices=("viewer", "analyst", "confirmer", "admin")
    )
    parser.add_argument(
        "--unit",
        default="",
        help="the unit the account belongs to (its analysts answer its 督办单)",
    )
    parser.add_argument(
        "--secrets",
        type=Path,
        default=DEFAULT_SECRETS,
        help=f"secrets file to update (default {DEFAULT_SECRETS})",
    )
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    parser.set_defaults(handler=cmd_add_user)


def cmd_add_user(args: argparse.Namespace) -> int:
    """Write the account's hash and role; 1 for a bad name or password, 2 for file trouble."""
    name, path = args.name, Path(args.secrets)
    if not valid_account_name(name):
        _say(
            f"账户名无效：须为 1-{MAX_NAME_LENGTH} 个可打印字符，首尾不能有空格",
            f"invalid account name: 1-{MAX_NAME_LENGTH} printable characters, no surrounding "
            "spaces",
        )
        return EXIT_INVALID
    password = _password(args.password_stdin)
    if password is None:
        return EXIT_INVALID
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        before = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        _say(f"无法读取 {path}：{exc}", f"cannot read {path}: {exc}")
        return EXIT_UNREADABLE
    role = role_from_text(args.role)
    entry = {"password_hash": password_hash(password), "role": role_label(role, "en")}
    if args.unit.strip():
        entry["unit"] = args.unit.strip()
    try:
        updated = secrets_with_account(text, name, entry)
        _write_private(path, updated)
    except (ValueError, OSError) as exc:
        _say(f"未修改 {path}：{exc}", f"{path} was not changed: {exc}")
        return EXIT_UNREADABLE
    existed = name in before.get("accounts", {})
    print(
        f"已{'更新' if existed else '添加'}账户“{name}”（{role_label(role)}）：{path} / "
        f"{'updated' if existed else 'added'} account '{name}' ({role_label(role, 'en')}) "
        f"in {path}"
    )
    _warn_about_settings(tomllib.loads(updated))
    return EXIT_OK


def secrets_with_account(text: str, name: str, entry: dict[str, str]) -> str:
    """`text` with `[accounts.NAME]` replaced by (or extended with) `entry`; else ValueError.

    Only string values are written. The result is checked by parsing it: it must equal the
    old data with exactly that account replaced.
    """
    before = tomllib.loads(text)
    lines = text.splitlines(keepends=True)
    headers = [(i, path) for i, line in enumerate(lines) if (path := _header_path(line))]
    target = ["accounts", name]
    kept = lines
    for position, (index, path) in enumerate(headers):
        if path == target:
            end = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
            kept = lines[:index] + lines[end:]
            break
    body = "".join(kept)
    if body and not body.endswith("\n"):
        body += "\n"
    block = [f"[accounts.{_toml_string(name)}]"]
    block += [f"{key} = {_toml_string(value)}" for key, value in entry.items()]
    result = body + ("\n" if body.strip() else "") + "\n".join(block) + "\n"
    expected = copy.deepcopy(before)
    accounts = expected.setdefault("accounts", {})
    if not isinstance(accounts, dict):
        raise ValueError("'accounts' is not a table; edit the file by hand")
    accounts[name] = dict(entry)
    try:
        after = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        message = f"the account is defined in a form this command cannot edit ({exc})"
        raise ValueError(message) from exc
    if after != expected:
        raise ValueError("the file could not be updated safely; edit [accounts] by hand")
    return result


def _header_path(line: str) -> list[str] | None:
    """The key path of a `[table]` or `[[array]]` header line, else None."""
    stripped = line.strip()
    if not stripped.startswith("["):
        return None
    try:
        parsed: object = tomllib.loads(stripped + "\n")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(parsed, dict) and len(parsed) == 1:
        key, parsed = next(iter(parsed.items()))
        path.append(key)
    if parsed == {} and path:
        return path
    return [*path, "[]"] if isinstance(parsed, list) and path else None


def _toml_string(text: str) -> str:
    """A TOML basic string (also valid as a quoted key)."""
    escaped = []
    for ch in text:
        if ch in ('"', "\\"):
            escaped.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def _write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _password(from_stdin: bool) -> str | None:
    """The new password, or None (message printed) when it is unusable."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码 / password: ")
        if getpass.getpass("再次输入 / repeat: ") != password:
            _say("两次输入的密码不一致", "the passwords do not match")
            return None
    if len(password) < MIN_PASSWORD_LENGTH:
        _say(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符",
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
        )
        return None
    return password


def _warn_about_settings(data: dict[str, object]) -> None:
    try:
        settings = auth_settings(data)
    except AuthConfigError as exc:
        _say(
            "注意：secrets.toml 的登录配置仍有问题：",
            "note: the auth settings still have problems:",
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return
    if settings.mode == "oidc":
        _say(
            "注意：已配置 [auth]（OIDC 登录），本地账户不会生效",
            "note: [auth] (OIDC login) is configured, so local accounts are not used",
        )


def _say(zh: str, en: str) -> None:
    print(f"{zh} / {en}", file=sys.stderr)
