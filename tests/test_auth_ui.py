"""Sign-in, roles and data scope in the app (AppTest).

No page shows data before sign-in; a wrong password shows a message and no data;
repeated failures are slowed down; sign-out works; OIDC identities map to
accounts by e-mail. A store manager sees no other dealer's name or id anywhere,
a regional lead nothing of another region, whatever the URL asks for.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from google.protobuf.json_format import MessageToJson
from streamlit.testing.v1 import AppTest

from kpi.accounts import Account, add_user, set_disabled
from tests.fixture_db import DEALERS, EMPTY_DEALER, FIXTURE_ACCOUNTS, FIXTURE_PASSWORD, REGIONS
from tests.signin import sign_in
from ui.auth import USERNAME_KEY, account_for_identity, escape_markdown, login_throttle
from ui.filters import ALL_OPTION

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "app.py"] + sorted((ROOT / "pages").glob("*.py"))
COMPARISON = ROOT / "pages" / "2_经销商对比_Dealer_comparison.py"
DATA_PAGE = ROOT / "pages" / "6_数据_Data.py"
ALL_DEALERS = DEALERS + [EMPTY_DEALER]
TIMEOUT = 30


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle is one per process: each test starts with no failures counted."""
    login_throttle.clear()
    yield
    login_throttle.clear()


def new_app(path: Path = ROOT / "app.py", **query: str) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def submit_sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click().run()
    assert_ok(at)
    return at


def shows_sign_in_form(at: AppTest) -> bool:
    return {"sign_in_username", "sign_in_password"} <= {w.key for w in at.text_input}


def assert_no_data(at: AppTest) -> None:
    assert not at.metric and not at.get("plotly_chart")
    assert not [df for df in at.dataframe if df.key != "demo_accounts_table"]
    assert not at.sidebar.selectbox  # no filters, so not even dealer or region names


def page_text(at: AppTest, with_url: bool = True) -> str:
    """Everything the page sends to the browser, as text: every element's content,
    every table's cells, every chart's spec and the URL parameters."""
    parts = [json.dumps(dict(at.query_params), ensure_ascii=False)] if with_url else []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(MessageToJson(proto, ensure_ascii=False))
            spec = getattr(proto, "spec", None)
            if isinstance(spec, str) and spec:
                parts.append(json.dumps(json.loads(spec), ensure_ascii=False))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    parts += [df.value.to_csv() for df in at.dataframe]
    for box in at.selectbox:
        parts += [str(option) for option in box.options]
    return "\n".join(parts)


def leaked(text: str, dealer_ids: list[str], region_ids: list[str]) -> list[str]:
    """Ids and names of those dealers and regions that appear in the text."""
    names = [d[1] for d in ALL_DEALERS if d[0] in dealer_ids] + [r[1] for r in REGIONS if r[0] in region_ids]
    return [word for word in dealer_ids + region_ids + names if word in text]


# ---------------------------------------------------------------- the gate

@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_shows_data_before_sign_in(app_db, page: Path) -> None:
    at = new_app(page, dealer="D001")
    at.run()
    assert_ok(at)
    assert shows_sign_in_form(at)
    assert_no_data(at)
    # the URL is the user's own typing; the page itself names nothing
    assert leaked(page_text(at, with_url=False), [d[0] for d in ALL_DEALERS], [r[0] for r in REGIONS]) == []


def test_wrong_password_shows_a_message_and_no_data(app_db) -> None:
    at = new_app(COMPARISON)
    at.run()
    submit_sign_in(at, "hq", "not-the-password")
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert shows_sign_in_form(at)
    assert_no_data(at)
    assert USERNAME_KEY not in at.session_state


def test_unknown_user_gets_the_same_message(app_db) -> None:
    at = new_app()
    at.run()
    submit_sign_in(at, "nobody", "whatever-password")
    assert any("用户名或密码错误" in e.value for e in at.error)


def test_sign_in_shows_the_account_and_sign_out_returns_to_the_form(app_db) -> None:
    at = new_app(COMPARISON, lang="en")
    at.run()
    submit_sign_in(at, "east", FIXTURE_PASSWORD)
    assert not shows_sign_in_form(at)
    assert at.dataframe
    assert any(c.value.startswith("Signed in: east") for c in at.sidebar.caption)
    at.sidebar.button(key="sign_out_button").click().run()
    assert_ok(at)
    assert shows_sign_in_form(at)
    assert_no_data(at)
    assert any("Signed out" in i.value for i in at.info)
    assert dict(at.query_params) == {"lang": "en"}  # no view of the last user is left in the URL


def test_sign_in_form_in_both_languages(app_db) -> None:
    at = new_app(lang="en")
    at.run()
    assert at.title[0].value == "After-sales KPI dashboard · Sign in"
    at.radio[0].set_value("zh").run()
    assert at.title[0].value == "售后服务 KPI 看板 · 登录"
    submit_sign_in(at, "hq", FIXTURE_PASSWORD)
    assert at.sidebar.radio(key="filter_lang").value == "zh"  # the choice carries over


def test_repeated_failures_are_slowed_down(app_db) -> None:
    at = new_app()
    at.run()
    for _ in range(3):
        submit_sign_in(at, "store", "wrong-password")
    # even the right password is refused while the wait runs: guessing gains nothing
    submit_sign_in(at, "store", FIXTURE_PASSWORD)
    assert any("请" in e.value and "秒后再试" in e.value for e in at.error)
    assert shows_sign_in_form(at)
    assert USERNAME_KEY not in at.session_state
    # another user is not held up by it
    submit_sign_in(at, "hq", FIXTURE_PASSWORD)
    assert not shows_sign_in_form(at)


def test_disabled_account_is_signed_out_on_its_next_click(ui_db_path: Path, tmp_path: Path, monkeypatch) -> None:
    db_path = tmp_path / "copy.duckdb"
    shutil.copy(ui_db_path, db_path)
    monkeypatch.setenv("AFTERSALES_DB", str(db_path))
    at = sign_in(new_app(COMPARISON), "region")
    at.run()
    assert_ok(at)
    assert at.dataframe
    set_disabled(db_path, "east", True)
    at.run()
    assert_ok(at)
    assert shows_sign_in_form(at)
    assert_no_data(at)
    assert any("停用" in i.value for i in at.info)


# ---------------------------------------------------------------- scope

STORE_FORBIDDEN_DEALERS = [d[0] for d in ALL_DEALERS if d[0] != "D001"]
EAST_FORBIDDEN_DEALERS = [d[0] for d in ALL_DEALERS if d[2] != "EAST"]
OTHER_REGIONS = ["NORTH", "SOUTH"]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
@pytest.mark.parametrize("query", [{}, {"dealer": "D005"}, {"region": "SOUTH"}, {"dealer": "D002", "lang": "en"}],
                         ids=["plain", "other-dealer", "other-region", "same-region-en"])
def test_store_user_sees_no_other_dealer_anywhere(app_db, page: Path, query: dict) -> None:
    at = sign_in(new_app(page, **query), "dealer")
    at.run()
    assert_ok(at)
    assert leaked(page_text(at), STORE_FORBIDDEN_DEALERS, OTHER_REGIONS) == []
    if at.sidebar.selectbox:
        assert at.sidebar.selectbox(key="filter_dealer").value == "D001"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
@pytest.mark.parametrize("query", [{"dealer": "D005"}, {"region": "SOUTH"}], ids=["south-dealer", "south-region"])
def test_region_user_sees_nothing_of_another_region(app_db, page: Path, query: dict) -> None:
    at = sign_in(new_app(page, **query), "region")
    at.run()
    assert_ok(at)
    assert leaked(page_text(at), EAST_FORBIDDEN_DEALERS, OTHER_REGIONS) == []
    if at.sidebar.selectbox:
        assert at.sidebar.selectbox(key="filter_region").options == ["华东"]
        assert at.sidebar.selectbox(key="filter_dealer").value == ALL_OPTION


def test_the_checker_finds_names_when_they_are_there(app_db) -> None:
    """The network user's league table names every dealer: the leak check reads them."""
    at = sign_in(new_app(COMPARISON), "network")
    at.run()
    assert sorted(leaked(page_text(at), STORE_FORBIDDEN_DEALERS, [])) == sorted(
        [d[1] for d in ALL_DEALERS if d[0] != "D001"])


def test_store_comparison_is_against_anonymous_benchmarks(app_db) -> None:
    at = sign_in(new_app(COMPARISON, lang="en"), "dealer")
    at.run()
    assert_ok(at)
    [table] = [df.value for df in at.dataframe]
    assert list(table.columns) == ["Metric", "Your store", "Network average", "Top quartile (best in class)",
                                   "At best in class"]
    assert table["Network average"].ne("—").all() and table["Top quartile (best in class)"].ne("—").all()
    assert not at.get("plotly_chart")


def test_region_user_league_lists_only_their_dealers(app_db) -> None:
    at = sign_in(new_app(COMPARISON, lang="en"), "region")
    at.run()
    assert_ok(at)
    summary, league = at.dataframe[0].value, at.dataframe[1].value
    assert len(summary) == 2 and summary["Scope"].iloc[0] == "Network"  # the anonymous network row, then EAST
    assert set(league["Dealer"]) == {d[1] for d in DEALERS if d[2] == "EAST"}


@pytest.mark.parametrize("role", ["region", "dealer"])
def test_data_page_offers_upload_to_network_accounts_only(app_db, role: str) -> None:
    at = sign_in(new_app(DATA_PAGE), role)
    at.run()
    assert_ok(at)
    assert not at.get("file_uploader") and not at.dataframe
    network = sign_in(new_app(DATA_PAGE), "network")
    network.run()
    assert network.get("file_uploader") and network.dataframe


def test_url_values_are_escaped_in_the_note(app_db) -> None:
    at = sign_in(new_app(ROOT / "pages" / "1_门店日报_Store_daily.py", dealer="![x](https://example.com/t.png)"))
    at.run()
    assert_ok(at)
    [note] = [w.value for w in at.warning]
    assert "![x](" not in note and r"\!\[x\]\(https\:" in note


# ---------------------------------------------------------------- demo accounts on the form

def test_demo_accounts_are_offered_only_on_the_demo_database(ui_db_path: Path, tmp_path: Path, monkeypatch) -> None:
    at = new_app()
    monkeypatch.setenv("AFTERSALES_DB", str(ui_db_path))
    at.run()
    assert not at.dataframe  # fixture loads are not the demo's
    demo_like = tmp_path / "demo_like.duckdb"
    shutil.copy(ui_db_path, demo_like)
    with duckdb.connect(str(demo_like)) as con:
        con.execute("UPDATE load_log SET source = 'demo'")
    monkeypatch.setenv("AFTERSALES_DB", str(demo_like))
    at = new_app()
    at.run()
    assert_ok(at)
    [table] = [df.value for df in at.dataframe]
    assert set(table["用户名"]) == {"hq", "east", "store"}
    assert any("仅用于演示" in m.value for m in at.markdown)


def test_first_run_builds_the_demo_and_then_asks_for_sign_in(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "first_run.duckdb"
    monkeypatch.setenv("AFTERSALES_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert_ok(at)
    assert path.exists()
    assert shows_sign_in_form(at) and at.dataframe  # the demo's accounts, named as demo-only
    submit_sign_in(at, "store", "demo-store-2026")
    assert not shows_sign_in_form(at)
    assert at.sidebar.selectbox(key="filter_dealer").value == "EAST-01"


# ---------------------------------------------------------------- OIDC

OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                         "client_id": "dashboard", "client_secret": "s",
                         "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration"}}


@pytest.fixture
def oidc_db(ui_db_path: Path, tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "oidc.duckdb"
    shutil.copy(ui_db_path, path)
    add_user(path, "lead@example.com", "region", "EAST", "unused-password-1")
    monkeypatch.setenv("AFTERSALES_DB", str(path))
    return path


def oidc_app(claims: dict) -> AppTest:
    at = new_app(COMPARISON)
    at.secrets.update(OIDC_SECRETS)
    at.user = claims
    at.run()
    assert_ok(at)
    return at


def test_oidc_identity_signs_in_as_the_account_named_by_its_email(oidc_db: Path) -> None:
    at = oidc_app({"is_logged_in": True, "email": "Lead@Example.com", "email_verified": True})
    assert not shows_sign_in_form(at)
    assert at.session_state[USERNAME_KEY] == "lead@example.com"
    assert at.sidebar.selectbox(key="filter_region").options == ["华东"]


@pytest.mark.parametrize("claims, message", [
    ({"is_logged_in": True, "email": "stranger@example.com"}, "没有本看板的账号"),
    ({"is_logged_in": True, "email": "lead@example.com", "email_verified": False}, "未确认"),
])
def test_oidc_identity_without_an_account_sees_nothing(oidc_db: Path, claims: dict, message: str) -> None:
    at = oidc_app(claims)
    assert any(message in e.value for e in at.error)
    assert_no_data(at)
    assert not at.dataframe


def test_oidc_configured_offers_single_sign_on_beside_the_form(oidc_db: Path) -> None:
    at = oidc_app({"is_logged_in": False})
    assert shows_sign_in_form(at)
    assert any(b.key == "sign_in_sso" for b in at.button)


def test_identity_mapping_rules() -> None:
    accounts = {"a@x.cn": Account("a@x.cn", "dealer", "D001"), "off@x.cn": Account("off@x.cn", "network", None, True)}
    assert account_for_identity(accounts, {"email": "A@X.cn"})[0] == accounts["a@x.cn"]
    assert account_for_identity(accounts, {"email": "off@x.cn"}) == (None, "unknown")
    assert account_for_identity(accounts, {"email": "a@x.cn", "email_verified": False}) == (None, "unverified")
    assert account_for_identity(accounts, {}) == (None, "unknown")


def test_escape_markdown_keeps_text_and_drops_syntax() -> None:
    assert escape_markdown("上海浦东4S店") == "上海浦东4S店"
    assert escape_markdown("[a](b) **c** :red[d]") == r"\[a\]\(b\) \*\*c\*\* \:red\[d\]"


def test_fixture_accounts_cover_every_role() -> None:
    assert {spec[1] for spec in FIXTURE_ACCOUNTS.values()} == {"network", "region", "dealer"}
