"""Roles, password hashes, auth modes and the add-user command (lib/auth/accounts.py)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

from lib.auth.accounts import (
    DEFAULT_USER,
    GUEST_USER,
    AuthConfigError,
    AuthSettings,
    LocalAccount,
    Role,
    User,
    auth_settings,
    authenticate,
    can_withdraw,
    has_role,
    local_user,
    oidc_user,
    password_hash,
    password_matches,
    require_role,
    require_withdraw_permission,
    role_from_text,
    session_user,
    visitor,
)
from lib.cli.auth_commands import secrets_with_account
from lib.cli.main import main
from lib.core.errors import PermissionDeniedError

REPO = Path(__file__).resolve().parents[3]
# One real hash for the whole module: scrypt with n=2**14 takes ~50 ms.
PASSWORD = "正确的马 battery staple"
HASH = password_hash(PASSWORD, salt=b"fixed-test-salt!")  # fixed: xdist workers must agree
OIDC = {
    "auth": {
        "redirect_uri": "https://dash.example.gov.cn/oauth2callback",
        "cookie_secret": "s3cr3t",
        "client_id": "dash",
        "client_secret": "x",
        "server_metadata_url": "https://idp.example.gov.cn/.well-known/openid-configuration",
    },
    "roles": {"Li.Ming@example.gov.cn": "admin", "sub-42": "analyst"},
}
LOCAL = {
    "accounts": {
        "alice": {"password_hash": HASH, "role": "analyst"},
        "root": {"password_hash": HASH, "role": "admin"},
        "guest": {"password_hash": HASH, "role": "viewer"},
    },
    "access": {"viewers_must_log_in": True},
}


# --- hashing ------------------------------------------------------------------------------


def test_hash_has_the_documented_format_and_round_trips():
    parts = HASH.split("$")
    assert parts[:4] == ["scrypt", "16384", "8", "1"]
    assert len(parts) == 6
    assert password_matches(PASSWORD, HASH)


def test_same_password_gets_a_new_salt_each_time():
    assert password_hash("abcdefgh") != password_hash("abcdefgh")


@pytest.mark.parametrize("wrong", ["", "正确的马 battery stapl", PASSWORD + " ", PASSWORD.upper()])
def test_wrong_password_does_not_match(wrong):
    assert not password_matches(wrong, HASH)


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "plain-text-password",
        HASH.replace("scrypt", "bcrypt", 1),
        HASH.rsplit("$", 1)[0],  # hash missing
        HASH + "$extra",
        HASH.replace("$16384$", "$16385$"),  # n not a power of two
        HASH.replace("$16384$", "$1073741824$"),  # n far too large (memory exhaustion)
        HASH.replace("$8$1$", "$9999$1$"),  # r far too large
        HASH.replace("$16384$", "$abc$"),
        "scrypt$16384$8$1$!!notbase64!!$AAAA",
        "scrypt$16384$8$1$c2FsdA==$AAAA",  # salt and hash too short
    ],
)
def test_malformed_hash_never_matches_and_never_raises(malformed):
    assert password_matches(PASSWORD, malformed) is False


# --- roles --------------------------------------------------------------------------------


def test_roles_are_ordered_viewer_analyst_confirmer_admin():
    assert Role.VIEWER < Role.ANALYST < Role.CONFIRMER < Role.ADMIN
    texts = ("viewer", "Analyst", "confirmer", " ADMIN ")
    assert [role_from_text(t) for t in texts] == list(Role)
    with pytest.raises(ValueError, match="superuser"):
        role_from_text("superuser")


@pytest.mark.parametrize(
    ("role", "minimum", "allowed"),
    [(r, m, r >= m) for r in Role for m in Role],
)
def test_require_role_follows_the_order(role, minimum, allowed):
    user = User("u", role, "local")
    assert has_role(user, minimum) is allowed
    if allowed:
        require_role(user, minimum, "导入", "import")
    else:
        with pytest.raises(PermissionDeniedError) as caught:
            require_role(user, minimum, "导入", "import")
        problem = caught.value.problems[0]
        assert problem.code == "permission_denied"
        assert "导入" in problem.message_zh and "import" in problem.message_en


def test_require_role_without_a_user_asks_to_log_in():
    with pytest.raises(PermissionDeniedError) as caught:
        require_role(None, Role.VIEWER, "查看", "view pages")
    assert caught.value.problems[0].code == "login_required"


@pytest.mark.parametrize(
    ("role", "own", "allowed"),
    [
        (Role.VIEWER, True, False),
        (Role.VIEWER, False, False),
        (Role.ANALYST, True, True),
        (Role.ANALYST, False, False),
        (Role.ADMIN, True, True),
        (Role.ADMIN, False, True),
    ],
)
def test_can_withdraw_matrix(role, own, allowed):
    user = User("alice", role, "local")
    uploaded_by = "alice" if own else "bob"
    assert can_withdraw(user, uploaded_by) is allowed
    if allowed:
        require_withdraw_permission(user, uploaded_by, 7)
    else:
        with pytest.raises(PermissionDeniedError) as caught:
            require_withdraw_permission(user, uploaded_by, 7)
        assert "7" in caught.value.problems[0].message_en


def test_nobody_withdraws_without_a_user():
    assert can_withdraw(None, "alice") is False


# --- settings and modes -------------------------------------------------------------------


def test_no_configuration_means_the_single_local_analyst():
    settings = auth_settings({})
    assert settings.mode == "none"
    assert session_user(settings) == DEFAULT_USER
    assert DEFAULT_USER.name == "本地分析员 local analyst"
    assert (DEFAULT_USER.role, DEFAULT_USER.source) == (Role.ANALYST, "default")
    assert visitor(settings) == DEFAULT_USER  # nobody has to log in
    assert authenticate(settings, "alice", PASSWORD) is None


class _NoSecretsFile(Mapping):
    """Behaves like st.secrets when no secrets.toml exists: any access raises."""

    def __getitem__(self, key):
        raise FileNotFoundError("No secrets found")

    def __iter__(self):
        raise FileNotFoundError("No secrets found")

    def __len__(self):
        raise FileNotFoundError("No secrets found")


def test_a_missing_secrets_file_means_no_configuration():
    assert auth_settings(_NoSecretsFile()).mode == "none"


def test_local_accounts_mode_authenticates_with_the_stored_role():
    settings = auth_settings(LOCAL)
    assert settings.mode == "local"
    assert settings.viewers_must_log_in is True
    assert authenticate(settings, "alice", PASSWORD) == User("alice", Role.ANALYST, "local")
    assert authenticate(settings, "root", PASSWORD).role is Role.ADMIN
    assert authenticate(settings, "alice", "wrong password") is None
    assert authenticate(settings, "mallory", PASSWORD) is None
    assert visitor(settings) is None  # everyone has to log in
    assert session_user(settings) is None
    assert session_user(settings, logged_in_name="alice").role is Role.ANALYST


def test_role_is_reread_on_every_rerun():
    settings = auth_settings(LOCAL)
    demoted = auth_settings(
        {"accounts": {**LOCAL["accounts"], "alice": {"password_hash": HASH, "role": "viewer"}}}
    )
    removed = auth_settings({"accounts": {"root": LOCAL["accounts"]["root"]}})
    assert local_user(settings, "alice").role is Role.ANALYST
    assert local_user(demoted, "alice").role is Role.VIEWER
    assert local_user(removed, "alice") is None
    assert session_user(removed, logged_in_name="alice") == GUEST_USER  # viewers need no login


def test_oidc_mode_maps_email_and_subject_to_roles():
    settings = auth_settings(OIDC)
    assert settings.mode == "oidc"
    assert settings.oidc_providers == ()
    admin = {"is_logged_in": True, "email": "li.ming@EXAMPLE.gov.cn", "sub": "x1"}
    by_subject = {"is_logged_in": True, "email": "wang@example.gov.cn", "sub": "sub-42"}
    stranger = {"is_logged_in": True, "email": "zhao@example.gov.cn", "sub": "x9"}
    assert oidc_user(settings, admin) == User("li.ming@example.gov.cn", Role.ADMIN, "oidc")
    assert oidc_user(settings, by_subject).role is Role.ANALYST
    assert oidc_user(settings, stranger).role is Role.VIEWER
    assert oidc_user(settings, {"is_logged_in": False}) is None
    assert session_user(settings, oidc_info={"is_logged_in": False}) == GUEST_USER


def test_oidc_units_name_whose_督办单_a_person_answers():
    settings = auth_settings(
        {**OIDC, "units": {"Wang@example.gov.cn": "市水务局", "sub-42": "市林业局"}}
    )
    by_email = {"is_logged_in": True, "email": "wang@example.gov.cn", "sub": "sub-42"}
    by_subject = {"is_logged_in": True, "email": "zhou@example.gov.cn", "sub": "sub-42"}
    unverified = {**by_email, "email_verified": False}
    assert oidc_user(settings, by_email).unit == "市水务局"  # the e-mail wins over the subject
    assert oidc_user(settings, by_subject).unit == "市林业局"
    assert oidc_user(settings, unverified).unit == "市林业局"  # an unverified e-mail grants nothing
    assert oidc_user(auth_settings(OIDC), by_email).unit == ""
    with pytest.raises(AuthConfigError) as refused:
        auth_settings({**OIDC, "units": {"x@example.gov.cn": 3}})
    assert refused.value.problems[0].path == "units.x@example.gov.cn"


def test_local_accounts_carry_their_unit():
    settings = auth_settings(
        {"accounts": {"li": {"password_hash": HASH, "role": "analyst", "unit": " 市林业局 "}}}
    )
    assert local_user(settings, "li") == User("li", Role.ANALYST, "local", "市林业局")


def test_oidc_unverified_email_grants_no_role():
    settings = auth_settings(OIDC)
    info = {"is_logged_in": True, "email": "li.ming@example.gov.cn", "email_verified": False}
    assert oidc_user(settings, info).role is Role.VIEWER


def test_oidc_wins_over_local_accounts_and_names_providers():
    secrets = {
        "auth": {"redirect_uri": "https://x/cb", "cookie_secret": "s", "microsoft": {"a": 1}},
        "accounts": LOCAL["accounts"],
    }
    settings = auth_settings(secrets)
    assert settings.mode == "oidc"
    assert settings.oidc_providers == ("microsoft",)
    assert authenticate(settings, "alice", PASSWORD) is None


@pytest.mark.parametrize(
    ("secrets", "path"),
    [
        ({"auth": {"client_id": "x"}}, "auth.redirect_uri"),
        ({**OIDC, "roles": {"x@y": "owner"}}, "roles.x@y"),
        (
            {"accounts": {"a": {"password_hash": "nope", "role": "admin"}}},
            "accounts.a.password_hash",
        ),
        ({"accounts": {"a": {"password_hash": HASH, "role": "root"}}}, "accounts.a.role"),
        ({"accounts": {"a": "secret"}}, "accounts.a"),
        ({"access": {"viewers_must_log_in": "yes"}}, "access.viewers_must_log_in"),
    ],
)
def test_inconsistent_configuration_is_refused_with_the_path(secrets, path):
    with pytest.raises(AuthConfigError) as caught:
        auth_settings(secrets)
    assert path in [p.path for p in caught.value.problems]
    assert all(p.code == "auth_config" for p in caught.value.problems)


def test_settings_are_plain_values():
    settings = AuthSettings("local", accounts={"a": LocalAccount("a", HASH, Role.ADMIN)})
    assert settings == auth_settings({"accounts": {"a": {"password_hash": HASH, "role": "admin"}}})


# --- add-user -----------------------------------------------------------------------------


def _add_user(secrets: Path, name: str, role: str, password: str) -> subprocess.CompletedProcess:
    options = ("--role", role, "--secrets", str(secrets), "--password-stdin")
    return subprocess.run(
        [sys.executable, "-m", "lib", "add-user", name, *options],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def test_add_user_writes_an_account_that_authenticates(tmp_path):
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    result = _add_user(secrets, "张三", "analyst", "a long pass phrase")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    settings = auth_settings(tomllib.loads(secrets.read_text(encoding="utf-8")))
    assert authenticate(settings, "张三", "a long pass phrase") == User(
        "张三", Role.ANALYST, "local"
    )
    assert "a long pass phrase" not in secrets.read_text(encoding="utf-8")


def test_add_user_keeps_the_rest_of_the_file_and_replaces_the_account(tmp_path):
    secrets = tmp_path / "secrets.toml"
    original = (
        "# keep this comment\n"
        '[connections.db]\nurl = "sqlite:///x"  # and this one\n\n'
        f'[accounts.bob]\npassword_hash = "{HASH}"\nrole = "viewer"\n\n'
        "[access]\nviewers_must_log_in = true\n"
    )
    secrets.write_text(original, encoding="utf-8")
    assert _add_user(secrets, "bob", "admin", "new password!").returncode == 0
    text = secrets.read_text(encoding="utf-8")
    assert text.startswith("# keep this comment\n[connections.db]\n")
    assert "[access]\nviewers_must_log_in = true\n" in text
    settings = auth_settings(tomllib.loads(text))
    assert authenticate(settings, "bob", "new password!").role is Role.ADMIN
    assert authenticate(settings, "bob", PASSWORD) is None
    assert tomllib.loads(text)["connections"] == {"db": {"url": "sqlite:///x"}}


def _add_user_in_process(monkeypatch, capsys, secrets: Path, name: str, password: str):
    """(exit code, stderr) of add-user run in this process, password on stdin."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    argv = ["add-user", name, "--role", "viewer", "--secrets", str(secrets), "--password-stdin"]
    return main(argv), capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "password"),
    [
        (" padded", "long enough"),
        ("ok", "short"),
        ("tab\tname", "long enough"),
        ("", "long enough"),
    ],
)
def test_add_user_refuses_bad_names_and_short_passwords(
    tmp_path, monkeypatch, capsys, name, password
):
    secrets = tmp_path / "secrets.toml"
    code, err = _add_user_in_process(monkeypatch, capsys, secrets, name, password)
    assert code == 1
    assert not secrets.exists()
    assert " / " in err  # bilingual message


def test_add_user_refuses_an_unparsable_secrets_file_and_leaves_it(tmp_path, monkeypatch, capsys):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[broken\n", encoding="utf-8")
    code, err = _add_user_in_process(monkeypatch, capsys, secrets, "alice", "long enough")
    assert code == 2
    assert "secrets.toml" in err
    assert secrets.read_text(encoding="utf-8") == "[broken\n"


def test_secrets_writer_refuses_forms_it_cannot_edit_safely():
    inline = f'[accounts]\nalice = {{ password_hash = "{HASH}", role = "viewer" }}\n'
    with pytest.raises(ValueError):
        secrets_with_account(inline, "alice", {"password_hash": HASH, "role": "admin"})


def test_secrets_writer_quotes_awkward_names():
    name = 'we"ird\\name.with dots'
    text = secrets_with_account("", name, {"password_hash": HASH, "role": "viewer"})
    assert tomllib.loads(text)["accounts"][name]["role"] == "viewer"
