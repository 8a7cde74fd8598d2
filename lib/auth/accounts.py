"""Who is using the dashboard and what they may do: roles, accounts, password hashes.

Four roles in order, viewer < analyst < confirmer < admin: viewers read every page,
analysts also upload, import and withdraw their own uploads and reply to their own unit's
督办单, confirmers (the statistics bureau, task 三十八's 核准) also confirm or return others'
figures, admins (the supervision office) may do all that, withdraw anyone's upload and issue
reminders and 督办单. An account may belong to a unit (`unit = "市水务局"`): its analysts see
and answer that unit's 督办单 only. Identity comes
from one of three modes, chosen by what `secrets.toml` holds (`auth_settings`): 'oidc' when
an `[auth]` section configures Streamlit's built-in `st.login` (roles from a `[roles]` table
of e-mail or subject -> role, everyone else a viewer); 'local' when `[accounts.<name>]`
tables hold scrypt password hashes and roles; 'none' (the `make run` default) when neither
is configured: then everyone is the single local analyst `DEFAULT_USER`. Pages resolve the
user again on every rerun with `session_user` (so a role change or a removed account takes
effect at once), and the lib functions that change data call `require_role` /
`require_withdraw_permission` themselves, not only the buttons. Pure Python: no streamlit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache
from typing import Literal

from lib.core.errors import PermissionDeniedError, Problem, UserInputError
from lib.core.labels import ACCOUNT_ROLE_LABELS, pick

AuthMode = Literal["oidc", "local", "none"]
UserSource = Literal["oidc", "local", "default", "cli"]

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
# Bounds on parameters read back from a stored hash, so a crafted entry cannot make one
# login attempt take seconds or gigabytes (n=2**20, r=32 would need 4 GiB).
_MAX_SCRYPT_N, _MAX_SCRYPT_R, _MAX_SCRYPT_P = 2**20, 32, 16
_SCRYPT_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
OIDC_REQUIRED_KEYS = ("redirect_uri", "cookie_secret")
_SECTIONS = ("auth", "roles", "units", "accounts", "access")


class Role(IntEnum):
    """Roles in increasing power; compare with `>=`."""

    VIEWER = 1
    ANALYST = 2
    CONFIRMER = 3
    ADMIN = 4


class AuthConfigError(UserInputError):
    """The auth part of secrets.toml is inconsistent; the app must refuse to start."""


@dataclass(frozen=True)
class User:
    """A resolved user: `name` is what the ledger records as uploaded_by / withdrawn_by;
    `unit` the unit the account belongs to ("" for the supervision office's own staff)."""

    name: str
    role: Role
    source: UserSource
    unit: str = ""


DEFAULT_USER = User("本地分析员 local analyst", Role.ANALYST, "default")
GUEST_USER = User("访客 guest", Role.VIEWER, "default")


# Shaped like the small frozen records of lib/services/views (three fields and a docstring),
# but an account is its own type: there is nothing to share beyond @dataclass.
@dataclass(frozen=True)
class LocalAccount:
    """One `[accounts.<name>]` table."""

    name: str
    password_hash: str
    role: Role
    unit: str = ""


@dataclass(frozen=True)
class AuthSettings:
    """The auth configuration read from secrets; build it with `auth_settings`."""

    mode: AuthMode
    viewers_must_log_in: bool = False
    accounts: dict[str, LocalAccount] = field(default_factory=dict, hash=False)
    oidc_roles: dict[str, Role] = field(default_factory=dict, hash=False)
    oidc_providers: tuple[str, ...] = ()
    oidc_units: dict[str, str] = field(default_factory=dict, hash=False)


# --- roles --------------------------------------------------------------------------------


def role_from_text(text: object) -> Role:
    """The Role named 'viewer', 'analyst' or 'admin' (any case); ValueError otherwise."""
    if isinstance(text, str):
        for role in Role:
            zh, en = ACCOUNT_ROLE_LABELS[role.name.lower()]
            if text.strip().lower() in (en, zh):
                return role
    names = ", ".join(en for _, en in ACCOUNT_ROLE_LABELS.values())
    raise ValueError(f"unknown role {text!r} (expected one of: {names})")


def role_label(role: Role, lang: str = "zh") -> str:
    """'分析员' or 'analyst'."""
    return pick(ACCOUNT_ROLE_LABELS[role.name.lower()], lang)


def has_role(user: User | None, minimum: Role) -> bool:
    """True when the user exists and holds at least `minimum`."""
    return user is not None and user.role >= minimum


def require_role(user: User | None, minimum: Role, action_zh: str, action_en: str) -> None:
    """Raise PermissionDeniedError (bilingual, naming the action) unless the user may act."""
    if has_role(user, minimum):
        return
    if user is None:
        raise PermissionDeniedError(
            [
                Problem(
                    "login_required",
                    f"请先登录后再{action_zh}",
                    f"please log in to {action_en}",
                    value=action_en,
                )
            ]
        )
    raise PermissionDeniedError(
        [
            Problem(
                "permission_denied",
                f"{action_zh}需要{role_label(minimum)}权限；"
                f"当前用户“{user.name}”是{role_label(user.role)}",
                f"{action_en} needs the {role_label(minimum, 'en')} role; "
                f"'{user.name}' is a {role_label(user.role, 'en')}",
                value=user.name,
            )
        ]
    )


def can_withdraw(user: User | None, upload_uploaded_by: str) -> bool:
    """Admins may withdraw any upload, analysts only their own, viewers none."""
    if user is None or user.role < Role.ANALYST:
        return False
    return user.role >= Role.ADMIN or user.name == upload_uploaded_by


def require_withdraw_permission(user: User | None, upload_uploaded_by: str, upload_id: int) -> None:
    """Raise PermissionDeniedError unless `can_withdraw`; the message names the upload."""
    require_role(user, Role.ANALYST, f"撤回第 {upload_id} 批上传", f"withdraw upload {upload_id}")
    if user is None or can_withdraw(user, upload_uploaded_by):
        return  # None was refused by require_role above
    raise PermissionDeniedError(
        [
            Problem(
                "not_own_upload",
                f"第 {upload_id} 批由“{upload_uploaded_by}”上传；分析员只能撤回自己的上传，"
                "撤回他人的上传需要管理员权限",
                f"upload {upload_id} was made by '{upload_uploaded_by}'; analysts may withdraw "
                "only their own uploads, withdrawing others' needs the admin role",
                value=user.name,
            )
        ]
    )


# --- settings -----------------------------------------------------------------------------


def auth_settings(secrets_map: Mapping[str, object]) -> AuthSettings:
    """AuthSettings from `st.secrets` or a parsed secrets.toml; AuthConfigError if invalid.

    Mode 'oidc' when `[auth]` is present (local accounts are then ignored), 'local' when
    `[accounts]` has entries, else 'none'. `[access] viewers_must_log_in` (bool, default
    false) says whether reading pages needs a login; it has no effect in mode 'none'.
    Passing `st.secrets` directly is fine, also when no secrets.toml exists.
    """
    try:
        secrets_map = {k: secrets_map[k] for k in _SECTIONS if k in secrets_map}
    except FileNotFoundError:  # st.secrets without any secrets.toml: nothing is configured
        secrets_map = {}
    problems: list[Problem] = []
    access = _table(secrets_map, "access", problems)
    must_log_in = access.get("viewers_must_log_in", False)
    if not isinstance(must_log_in, bool):
        problems.append(
            _config_problem(
                "access.viewers_must_log_in",
                "应为 true 或 false",
                "must be true or false",
                must_log_in,
            )
        )
        must_log_in = True  # fail closed if anyone ever ignores the error
    auth = _table(secrets_map, "auth", problems)
    if "auth" in secrets_map:
        providers = _oidc_providers(auth, problems)
        roles = _oidc_roles(_table(secrets_map, "roles", problems), problems)
        units = _oidc_units(_table(secrets_map, "units", problems), problems)
        if problems:
            raise AuthConfigError(problems)
        return AuthSettings(
            "oidc", must_log_in, oidc_roles=roles, oidc_providers=providers, oidc_units=units
        )
    accounts = _accounts(_table(secrets_map, "accounts", problems), problems)
    if problems:
        raise AuthConfigError(problems)
    return AuthSettings("local" if accounts else "none", must_log_in, accounts=accounts)


def _table(source: Mapping[str, object], key: str, problems: list[Problem]) -> Mapping:
    value = source.get(key, {})
    if isinstance(value, Mapping):
        return value
    problems.append(_config_problem(key, "应为一个表（[section]）", "must be a table", value))
    return {}


def _config_problem(path: str, zh: str, en: str, value: object = None) -> Problem:
    return Problem(
        "auth_config",
        f"secrets.toml 中 {path} {zh}",
        f"{path} in secrets.toml {en}",
        path=path,
        value=None if value is None else str(value)[:80],
    )


def _oidc_providers(auth: Mapping, problems: list[Problem]) -> tuple[str, ...]:
    """Named providers ([auth.<name>] tables); () when [auth] itself holds client_id."""
    for key in OIDC_REQUIRED_KEYS:
        if not auth.get(key):
            problems.append(_config_problem(f"auth.{key}", "缺失", "is missing"))
    providers = tuple(str(k) for k, v in auth.items() if isinstance(v, Mapping))
    if not providers and not auth.get("client_id"):
        problems.append(
            _config_problem(
                "auth",
                "缺少 client_id 或 [auth.<provider>] 表",
                "needs client_id or an [auth.<provider>] table",
            )
        )
    return providers


def _oidc_roles(table: Mapping, problems: list[Problem]) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for who, text in table.items():
        try:
            roles[str(who).strip().lower()] = role_from_text(text)
        except ValueError:
            problems.append(
                _config_problem(
                    f"roles.{who}", "不是有效角色", "is not viewer/analyst/confirmer/admin", text
                )
            )
    return roles


def _oidc_units(table: Mapping, problems: list[Problem]) -> dict[str, str]:
    """`[units]`: e-mail or subject -> the unit the person answers for (as `unit` does for a
    local account)."""
    units: dict[str, str] = {}
    for who, unit in table.items():
        if isinstance(unit, str) and unit.strip():
            units[str(who).strip().lower()] = unit.strip()
        else:
            problems.append(
                _config_problem(f"units.{who}", "应为单位名称", "must be a unit name", unit)
            )
    return units


def _accounts(table: Mapping, problems: list[Problem]) -> dict[str, LocalAccount]:
    accounts: dict[str, LocalAccount] = {}
    for name, entry in table.items():
        path = f"accounts.{name}"
        if not isinstance(entry, Mapping):
            problems.append(_config_problem(path, "应为一个表", "must be a table", entry))
            continue
        encoded = entry.get("password_hash")
        if not isinstance(encoded, str) or _parsed_hash(encoded) is None:
            problems.append(
                _config_problem(
                    f"{path}.password_hash",
                    "缺失或格式不正确（请用 python -m lib add-user 生成）",
                    "is missing or malformed (create it with python -m lib add-user)",
                )
            )
            continue
        try:
            role = role_from_text(entry.get("role"))
        except ValueError:
            problems.append(
                _config_problem(
                    f"{path}.role",
                    "不是有效角色",
                    "is not viewer/analyst/confirmer/admin",
                    entry.get("role"),
                )
            )
            continue
        unit = entry.get("unit", "")
        if not isinstance(unit, str):
            problems.append(
                _config_problem(f"{path}.unit", "应为单位名称", "must be a unit name", unit)
            )
            continue
        accounts[str(name)] = LocalAccount(str(name), encoded, role, unit.strip())
    return accounts


# --- passwords ----------------------------------------------------------------------------


def password_hash(password: str, salt: bytes | None = None) -> str:
    """'scrypt$16384$8$1$<salt b64>$<hash b64>' for the password, with a random salt."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = _scrypt_digest(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return "$".join(
        ("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest))
    )


def password_matches(password: str, encoded: str) -> bool:
    """True when `password` hashes to `encoded` (constant-time); False for malformed hashes."""
    parsed = _parsed_hash(encoded)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt_digest(password, salt, n, r, p, len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt_digest(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    """The scrypt hash of the UTF-8 password, `length` bytes, within _SCRYPT_MAXMEM."""
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=length
    )


def _parsed_hash(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, hash) of a well-formed, reasonably bounded scrypt string; else None."""
    if not isinstance(encoded, str):
        return None
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = (int(x, 10) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not (1 < n <= _MAX_SCRYPT_N and n & (n - 1) == 0):
        return None
    if not (1 <= r <= _MAX_SCRYPT_R and 1 <= p <= _MAX_SCRYPT_P):
        return None
    if len(salt) < 8 or not 16 <= len(expected) <= 64:
        return None
    return n, r, p, salt, expected


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name costs as long as a wrong password
    and login timing does not reveal which account names exist (made on first use)."""
    return password_hash(secrets.token_urlsafe(16))


# --- users --------------------------------------------------------------------------------


def authenticate(settings: AuthSettings, name: str, password: str) -> User | None:
    """The local user when name and password match an account; None otherwise."""
    if settings.mode != "local":
        return None
    account = settings.accounts.get(name.strip())
    if account is None:
        password_matches(password, _dummy_hash())
        return None
    if not password_matches(password, account.password_hash):
        return None
    return User(account.name, account.role, "local")


def local_user(settings: AuthSettings, name: str) -> User | None:
    """The user for a name remembered at login, with today's role; None if removed."""
    account = settings.accounts.get(name) if settings.mode == "local" else None
    return None if account is None else User(account.name, account.role, "local", account.unit)


def oidc_user(settings: AuthSettings, user_info: Mapping[str, object]) -> User | None:
    """The user behind `st.user` (None unless logged in); role from [roles], else viewer;
    unit from [units], else none (the office's own staff).

    The name is the lower-cased e-mail (or the subject when the provider gives none). An
    e-mail the provider marks unverified never grants a role.
    """
    if settings.mode != "oidc" or not user_info.get("is_logged_in"):
        return None
    email = str(user_info.get("email") or "").strip().lower()
    subject = str(user_info.get("sub") or "").strip()
    verified = user_info.get("email_verified", True) is not False
    name = email or subject
    if not name:
        return None
    role = settings.oidc_roles.get(subject.lower(), Role.VIEWER) if subject else Role.VIEWER
    unit = settings.oidc_units.get(subject.lower(), "") if subject else ""
    if email and verified:
        role = max(role, settings.oidc_roles.get(email, Role.VIEWER))
        unit = settings.oidc_units.get(email, unit)
    return User(name, role, "oidc", unit)


def visitor(settings: AuthSettings) -> User | None:
    """Who someone is before logging in: the local analyst, a guest viewer, or nobody."""
    if settings.mode == "none":
        return DEFAULT_USER
    return None if settings.viewers_must_log_in else GUEST_USER


def session_user(
    settings: AuthSettings,
    *,
    logged_in_name: str | None = None,
    oidc_info: Mapping[str, object] | None = None,
) -> User | None:
    """The user for this rerun; None means "show the login form and nothing else".

    Pass `logged_in_name` (the account name kept in session state after `authenticate`) in
    local mode and `oidc_info` (`st.user`) in OIDC mode.
    """
    user = None
    if settings.mode == "local" and logged_in_name:
        user = local_user(settings, logged_in_name)
    elif settings.mode == "oidc" and oidc_info is not None:
        user = oidc_user(settings, oidc_info)
    return user or visitor(settings)


def valid_account_name(name: str) -> bool:
    """Account names: 1-64 printable characters without surrounding white space."""
    return 0 < len(name) <= MAX_NAME_LENGTH and name == name.strip() and name.isprintable()
