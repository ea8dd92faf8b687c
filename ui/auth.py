"""Sign-in: nobody sees a number before the app knows who they are and what they
may see.

`require_account()` is the gate; `ui.layout.setup_page` calls it, so every page
passes through it before drawing anything else. It returns the signed-in
`Account`, whose `scope` is the only scope pages and filters use.

What a session keeps is the user name alone. Role and scope are read again from
the `users` table on every run, so disabling an account, changing its scope or
swapping in a database without it takes effect on the user's next click.

Two ways in:
- a user name and password form, checked by `kpi.accounts.authenticate`;
  repeated failures are slowed down by one `LoginThrottle` per process;
- OIDC through `st.login`, when `.streamlit/secrets.toml` has an `[auth]`
  section: the identity's e-mail address must be the user name of an enabled
  account, which gives the role and scope (the identity provider proves who,
  the `users` table says what they see).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import duckdb
import streamlit as st

from kpi.accounts import Account, LoginThrottle, authenticate, list_users
from kpi.scope import Scope
from ui.data import Database, get_database
from ui.i18n import DEFAULT_LANG, LANG_STATE_KEY, LANGS, pick

USERNAME_KEY = "_auth_username"  # set only after a successful sign-in
VIA_KEY = "_auth_via"  # "password" or "oidc"
ACCOUNT_KEY = "_auth_account"  # the account as read from the database this run
NOTICE_KEY = "_auth_notice"  # a message for the sign-in form after a sign-out
FORM_USERNAME_KEY = "sign_in_username"
FORM_PASSWORD_KEY = "sign_in_password"

TEXT = {
    "title": ("售后服务 KPI 看板 · 登录", "After-sales KPI dashboard · Sign in"),
    "intro": ("请使用您的账号登录。您只能看到账号权限范围内的数据。",
              "Sign in with your account. You see only the data your account covers."),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "submit": ("登录", "Sign in"),
    "failed": ("用户名或密码错误，或账号已停用。", "Wrong user name or password, or the account is disabled."),
    "missing": ("请输入用户名和密码。", "Enter a user name and a password."),
    "wait": ("登录失败次数过多，请 {seconds} 秒后再试。",
             "Too many failed sign-ins: try again in {seconds} s."),
    "sso": ("使用单点登录（SSO）", "Sign in with single sign-on"),
    "sso_unknown": ("身份 {email} 没有本看板的账号，请联系管理员开通。",
                    "The identity {email} has no account on this dashboard; ask an administrator for one."),
    "sso_unverified": ("身份提供方未确认该邮箱地址，无法登录。",
                       "The identity provider has not verified this e-mail address; it cannot sign in."),
    "gone": ("您的账号已停用或已不存在，请重新登录。", "Your account is disabled or no longer exists; sign in again."),
    "signed_out": ("已退出登录。", "Signed out."),
    "signed_in_as": ("已登录：{user}", "Signed in: {user}"),
    "sign_out": ("退出登录", "Sign out"),
    "demo_heading": ("演示账号", "Demo accounts"),
    "demo_note": ("仅用于演示数据库，切勿在真实数据上使用。", "For the demo database only; never use them with real data."),
    "role": ("角色", "Role"),
    "sees": ("可见范围", "Sees"),
}
ROLE_NAMES = {
    "network": ("厂家售后部（全网络）", "Manufacturer (whole network)"),
    "region": ("区域经理", "Regional lead"),
    "dealer": ("门店服务经理", "Store service manager"),
}


def _text(key: str, **fields: Any) -> str:
    text = pick(TEXT[key])
    return text.format(**fields) if fields else text


# ---------------------------------------------------------------- accounts

@st.cache_resource(show_spinner=False)
def login_throttle() -> LoginThrottle:
    """One throttle per process: failures count across every session."""
    return LoginThrottle()


@st.cache_data(max_entries=4, show_spinner=False)
def _accounts(_con: duckdb.DuckDBPyConnection, db_key: str) -> dict[str, Account]:
    # Keyed by the database file's signature: any account change swaps the file.
    with _con.cursor() as cur:
        return {account.username: account for account in list_users(cur)}


def enabled_account(db: Database, username: str | None) -> Account | None:
    """The enabled account of that user name, or None."""
    if not username:
        return None
    account = _accounts(db.con, db.key).get(username)
    return account if account is not None and not account.disabled else None


def account_for_identity(accounts: Mapping[str, Account], claims: Mapping[str, Any]) -> tuple[Account | None, str]:
    """The enabled account an OIDC identity maps to, and why not when None.

    The identity's e-mail is the user name, compared without case (e-mail
    providers ignore it). An address the provider says it has not verified is
    refused: anyone can put any address on an unverified profile."""
    email = str(claims.get("email") or "").strip()
    if not email:
        return None, "unknown"
    if claims.get("email_verified") is False:
        return None, "unverified"
    matches = [a for name, a in accounts.items() if name.lower() == email.lower()]
    if len(matches) != 1 or matches[0].disabled:
        return None, "unknown"
    return matches[0], ""


# ---------------------------------------------------------------- OIDC

def _auth_section() -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: OIDC is simply not configured
        return None
    return section if isinstance(section, Mapping) and section else None


def oidc_configured() -> bool:
    return _auth_section() is not None


def _oidc_provider() -> str | None:
    """None for a single `[auth]` provider, else the first `[auth.<name>]`."""
    section = _auth_section() or {}
    if "client_id" in section:
        return None
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return named[0] if named else None


def _oidc_claims() -> Mapping[str, Any] | None:
    if not oidc_configured():
        return None
    try:
        claims = st.user.to_dict()
    except Exception:
        return None
    return claims if claims.get("is_logged_in") else None


# ---------------------------------------------------------------- the gate

def _start_session(account: Account, via: str) -> None:
    st.session_state[USERNAME_KEY] = account.username
    st.session_state[VIA_KEY] = via


def _clear_session() -> None:
    """Forget everything but the language: filters of one user must not carry
    over to the next one on the same browser tab."""
    lang = st.session_state.get(LANG_STATE_KEY)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if lang:
        st.session_state[LANG_STATE_KEY] = lang


def _signed_in(db: Database) -> Account | None:
    username = st.session_state.get(USERNAME_KEY)
    if username:
        account = enabled_account(db, username)
        if account is None:
            _clear_session()
            st.session_state[NOTICE_KEY] = "gone"
        return account
    claims = _oidc_claims()
    if claims is None:
        return None
    account, problem = account_for_identity(_accounts(db.con, db.key), claims)
    if account is None:
        _refuse_identity(claims, problem)
    _start_session(account, "oidc")
    return account


def require_account() -> Account:
    """The signed-in account; otherwise draws the sign-in form and stops the run.

    On a first run with no database, `get_database` builds the demo one first,
    so the form can offer its demo accounts."""
    db = get_database()
    account = _signed_in(db)
    if account is None:
        st.session_state.pop(ACCOUNT_KEY, None)
        render_sign_in(db)
        st.stop()
    st.session_state[ACCOUNT_KEY] = account
    return account


def current_account() -> Account:
    """The account the gate let in on this run; stops the run if there is none,
    so code that forgot the gate shows nothing rather than everything."""
    account = st.session_state.get(ACCOUNT_KEY)
    if not isinstance(account, Account) or st.session_state.get(USERNAME_KEY) != account.username:
        st.stop()
    return account


def account_scope() -> Scope:
    return current_account().scope


# ---------------------------------------------------------------- sign-in form

def _language_switch() -> None:
    """The same language choice as the sidebar's, so it carries over after sign-in."""
    if LANG_STATE_KEY not in st.session_state:
        from_url = st.query_params.get("lang")
        st.session_state[LANG_STATE_KEY] = from_url if from_url in LANGS else DEFAULT_LANG
    st.radio(
        "语言 / Language", LANGS, key=LANG_STATE_KEY, horizontal=True, label_visibility="collapsed",
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
    )
    # Keep the URL in step, or the filters would take its old value for news.
    if "lang" in st.query_params and st.query_params.get("lang") != st.session_state[LANG_STATE_KEY]:
        st.query_params["lang"] = st.session_state[LANG_STATE_KEY]


def _attempt(db: Database, username: str, password: str) -> None:
    throttle = login_throttle()
    wait = throttle.wait_seconds(username)
    if wait > 0:
        # Refused before the password is even checked: guessing gains nothing.
        st.error(_text("wait", seconds=math.ceil(wait)), icon=":material/hourglass_top:")
        return
    with db.con.cursor() as cur:
        account = authenticate(cur, username, password)
    if account is None:
        throttle.failed(username)
        st.error(_text("failed"), icon=":material/lock:")
        return
    throttle.succeeded(username)
    _clear_session()
    _start_session(account, "password")
    st.rerun()


def render_sign_in(db: Database) -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _language_switch()
        st.title(_text("title"))
        st.caption(_text("intro"))
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.info(_text(notice), icon=":material/info:")
        with st.form("sign_in_form", border=True):
            username = st.text_input(_text("username"), key=FORM_USERNAME_KEY, autocomplete="username")
            password = st.text_input(_text("password"), type="password", key=FORM_PASSWORD_KEY,
                                     autocomplete="current-password")
            submitted = st.form_submit_button(_text("submit"), type="primary", width="stretch")
        if submitted:
            username = (username or "").strip()
            if not username or not password:
                st.warning(_text("missing"))
            else:
                _attempt(db, username, password)
        if oidc_configured():
            if st.button(_text("sso"), icon=":material/badge:", width="stretch", key="sign_in_sso"):
                st.login(_oidc_provider())
        if is_demo_database(db):
            _demo_accounts()


def _refuse_identity(claims: Mapping[str, Any], problem: str) -> None:
    """An OIDC identity without an account: say so, offer to leave, show nothing."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(_text("title"))
        if problem == "unverified":
            st.error(_text("sso_unverified"), icon=":material/lock:")
        else:
            # the person's own address, escaped: it is text from outside
            st.error(_text("sso_unknown", email=escape_markdown(str(claims.get("email") or "—"))),
                     icon=":material/lock:")
        if st.button(_text("sign_out"), key="sign_in_sso_out"):
            st.logout()
    st.stop()


@st.cache_data(max_entries=4, show_spinner=False)
def _load_sources(_con: duckdb.DuckDBPyConnection, db_key: str) -> tuple[str, ...]:
    with _con.cursor() as cur:  # a constant query: nothing from the user goes in
        return tuple(row[0] for row in cur.execute("SELECT DISTINCT source FROM load_log").fetchall())


def is_demo_database(db: Database) -> bool:
    """Only the demo's own loads: `python -m kpi demo` wrote it, demo accounts and all."""
    sources = _load_sources(db.con, db.key)
    return bool(sources) and all(source == "demo" for source in sources)


def _demo_accounts() -> None:
    from kpi.demo.command import DEMO_ACCOUNTS

    with st.container(border=True):
        st.markdown(f"**{_text('demo_heading')}** · {_text('demo_note')}")
        st.dataframe(
            [{_text("username"): name, _text("password"): password, _text("role"): pick(ROLE_NAMES[role]),
              _text("sees"): scope_id or "—"} for name, role, scope_id, password in DEMO_ACCOUNTS],
            hide_index=True, width="stretch", key="demo_accounts_table",
        )


# ---------------------------------------------------------------- sidebar box

def account_label(account: Account, scope_name: str | None = None) -> str:
    role = pick(ROLE_NAMES[account.role])
    if account.role == "network":
        return f"{account.username} · {role}"
    return f"{account.username} · {role} · {scope_name or account.scope_id}"


def render_account_box(container: Any, account: Account, scope_name: str | None = None) -> None:
    """Who is signed in and a way out, at the foot of the sidebar."""
    container.caption(_text("signed_in_as", user=escape_markdown(account_label(account, scope_name))))
    if container.button(_text("sign_out"), key="sign_out_button", icon=":material/logout:"):
        sign_out()


def sign_out() -> None:
    via = st.session_state.get(VIA_KEY)
    _clear_session()
    st.session_state[NOTICE_KEY] = "signed_out"
    # A link left in the address bar would otherwise open the next user's view there.
    for param in [p for p in st.query_params if p != "lang"]:
        del st.query_params[param]
    if via == "oidc":
        st.logout()
    st.rerun()


# ---------------------------------------------------------------- escaping

_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$=^\"'")


def escape_markdown(text: str) -> str:
    """Text from outside (a URL, a data file) shown as it is in Markdown: no
    links, images, emphasis, colour or icon directives can be slipped in."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))


__all__ = [
    "require_account", "current_account", "account_scope", "render_account_box", "sign_out",
    "enabled_account", "account_for_identity", "is_demo_database", "login_throttle", "escape_markdown",
    "oidc_configured", "USERNAME_KEY", "ACCOUNT_KEY",
]
