"""Roles in the app: default single analyst, login when required, viewers cannot upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import lib.ui.auth
from lib.auth.accounts import password_hash

APP = str(Path(__file__).resolve().parents[2] / "app.py")
HASH = password_hash("correct horse", salt=b"page-test-salt!!")
ACCOUNTS = {
    "wang": {"password_hash": HASH, "role": "analyst"},
    "li": {"password_hash": HASH, "role": "viewer"},
}


def app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    return at


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    button = next(b for b in at.button if b.label in ("登录", "Log in"))
    return button.click().run()


def test_without_accounts_the_upload_page_says_single_local_analyst(sample_store):
    at = app().run().switch_page("pages/upload.py").run()
    assert not at.exception
    assert any("单一本地分析员" in i.value for i in at.info)
    assert at.get("file_uploader")


def test_login_required_shows_only_the_form(sample_store):
    secrets = {"accounts": ACCOUNTS, "access": {"viewers_must_log_in": True}}
    at = app(secrets).run()
    assert not at.exception
    assert any("请先登录" in i.value for i in at.info)
    assert not at.metric and not at.get("plotly_chart")
    at = log_in(at, "wang", "wrong password")
    assert any("账户名或密码错误" in e.value for e in at.error)
    assert not at.metric
    at = log_in(at, "wang", "correct horse")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "重点任务").value == "39"
    assert any("wang" in c.value for c in at.sidebar.caption)


def test_a_viewer_cannot_upload(sample_store):
    secrets = {"accounts": ACCOUNTS, "access": {"viewers_must_log_in": True}}
    at = app(secrets).run()
    at = log_in(at, "li", "correct horse")
    at = at.switch_page("pages/upload.py").run()
    assert not at.exception
    assert any("分析员权限" in w.value for w in at.warning)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key == "withdraw_button"]


def test_an_analyst_may_withdraw_only_own_uploads(sample_store):
    secrets = {"accounts": ACCOUNTS}
    at = app(secrets).run()
    # guests browse read-only when login is not required
    assert any("访客" in c.value for c in at.sidebar.caption)
    at = at.switch_page("pages/upload.py").run()
    assert not at.get("file_uploader")
    at = log_in(at, "wang", "correct horse")
    assert at.get("file_uploader")
    # the sample upload belongs to someone else: nothing is offered for withdrawal
    assert not [b for b in at.button if b.key == "withdraw_button"]


@pytest.fixture
def fresh_login_limits():
    """The process-wide login throttle, emptied before and after the test."""
    lib.ui.auth.login_throttle.clear()
    yield
    lib.ui.auth.login_throttle.clear()


def test_wrong_passwords_pause_logins_for_that_name(sample_store, fresh_login_limits, monkeypatch):
    checked: list[str] = []
    real_authenticate = lib.ui.auth.authenticate

    def counting_authenticate(settings, name, password):
        checked.append(name)
        return real_authenticate(settings, name, password)

    monkeypatch.setattr(lib.ui.auth, "authenticate", counting_authenticate)
    secrets = {"accounts": ACCOUNTS, "access": {"viewers_must_log_in": True}}
    at = app(secrets).run()
    for _ in range(5):
        at = log_in(at, "wang", "wrong password")
        assert any("账户名或密码错误" in e.value for e in at.error)
    at = log_in(at, "wang", "correct horse")
    assert not at.exception
    assert [e.value for e in at.error] == ["登录失败次数过多，已暂停登录。请在 15 分钟后再试。"]
    assert checked == ["wang"] * 5  # the sixth attempt never reached the password check
    assert not at.metric
    # the pause is for that name only: another account still logs in
    at = log_in(at, "li", "correct horse")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "重点任务").value == "39"
