"""Who is using the app: OIDC (st.login), local accounts, or the single local analyst.

`current_user()` runs on every rerun, so a role changed or an account removed in
secrets.toml applies at once; only the account name is kept in session state. The sidebar
shows who is signed in and the login/logout controls; when viewers must log in, a page
shows the login form and nothing else. Local logins go through one `LoginThrottle` per
server process, so repeated wrong passwords for a name or from a client pause its logins.
"""

from __future__ import annotations

import streamlit as st

from lib.auth.accounts import (
    AuthConfigError,
    AuthSettings,
    User,
    auth_settings,
    authenticate,
    role_label,
    session_user,
)
from lib.auth.attempts import LoginThrottle, client_key, too_many_attempts
from lib.core.labels import tr

ACCOUNT_KEY = "auth_account"


def current_settings(lang: str) -> AuthSettings:
    """Auth settings from st.secrets; a broken configuration stops the app with its problems."""
    try:
        return auth_settings(st.secrets)
    except AuthConfigError as exc:
        for p in exc.problems:
            st.error(f"{p.message_en if lang == 'en' else p.message_zh} ({p.path or '-'})")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def current_user(settings: AuthSettings) -> User | None:
    """The user for this rerun, or None when a login is required first."""
    oidc_info = st.user.to_dict() if settings.mode == "oidc" else None
    return session_user(
        settings, logged_in_name=st.session_state.get(ACCOUNT_KEY), oidc_info=oidc_info
    )


@st.cache_resource(show_spinner=False)
def login_throttle() -> LoginThrottle:
    """The attempt limits, one per process and shared by every session: counts kept in
    session state would start afresh with each page reload."""
    return LoginThrottle()


def current_client() -> str:
    """The key this browser's attempts are counted under (see `client_key`)."""
    return client_key(st.context.ip_address)


def login_form(settings: AuthSettings, lang: str) -> None:
    """Local name/password form, or the OIDC login button."""
    if settings.mode == "oidc":
        provider = settings.oidc_providers[0] if settings.oidc_providers else None
        if st.button(tr("login", lang), key="oidc_login"):
            st.login(provider) if provider else st.login()
        return
    with st.form("login_form"):
        name = st.text_input(tr("account", lang), key="login_name")
        password = st.text_input(tr("password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(tr("login", lang))
    if submitted:
        throttle, client = login_throttle(), current_client()
        wait_seconds = throttle.admit(name, client)
        if wait_seconds:  # refused before the password is looked at
            refusal = too_many_attempts(wait_seconds)
            st.error(refusal.message_en if lang == "en" else refusal.message_zh)
            return
        user = authenticate(settings, name, password)
        if user is None:
            st.error(tr("login_failed", lang))
        else:
            throttle.record_success(name, client)
            st.session_state[ACCOUNT_KEY] = user.name
            st.rerun()


def user_panel(settings: AuthSettings, user: User | None, lang: str) -> None:
    """Sidebar block: who is signed in and the login/logout controls."""
    if settings.mode == "none":
        st.caption(tr("single_user", lang))
        return
    if user is None or user.source == "default":
        st.caption(tr("guest", lang))
        with st.expander(tr("login", lang)):
            login_form(settings, lang)
        return
    st.caption(tr("signed_in_as", lang, name=user.name, role=role_label(user.role, lang)))
    if st.button(tr("logout", lang), key="logout"):
        st.session_state.pop(ACCOUNT_KEY, None)
        if settings.mode == "oidc":
            st.logout()
        st.rerun()
