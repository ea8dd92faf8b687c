"""Sign-in and roles in a real browser: the form in both languages, a wrong
password, sign-out, and each role trying to reach outside its scope through the
URL. Screenshots go to tests/artifacts/ (signin_*, role_*)."""
from __future__ import annotations

import json

import pytest

from tests.browser.harness import ARTIFACTS, SIGN_IN_FORM, open_page, received_from_app, screenshot, sign_in, wait_ready
from tests.fixture_db import DEALERS, EMPTY_DEALER, FIXTURE_PASSWORD, REGIONS

ALL_DEALERS = DEALERS + [EMPTY_DEALER]
COMPARISON = "经销商对比_Dealer_comparison"
STORE_DAILY = "门店日报_Store_daily"
COMPLAINTS = "投诉分析_Complaints"


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def everything_on(page) -> str:
    """The page's visible text, its HTML, its address, and every message the app
    sent the tab (tables and charts are canvas: their cells are only there)."""
    sent = received_from_app(page).decode("utf-8", errors="replace")
    return "\n".join([page.locator("body").inner_text(), page.content(), page.url, sent])


def leaked(page, dealer_ids: list[str], region_ids: list[str]) -> list[str]:
    """Those ids and names found anywhere, also as JSON escapes (chart specs)."""
    text = everything_on(page)
    words = dealer_ids + [d[1] for d in ALL_DEALERS if d[0] in dealer_ids]
    words += region_ids + [r[1] for r in REGIONS if r[0] in region_ids]
    return [word for word in words if word in text or json.dumps(word)[1:-1] in text]


def assert_shows_no_data(page) -> None:
    for testid in ("stDataFrame", "stMetric", "stPlotlyChart", "stSelectbox"):
        assert page.locator(f"[data-testid='{testid}']").count() == 0, testid


# ---------------------------------------------------------------- the form

@pytest.mark.parametrize("lang, title", [("zh", "售后服务 KPI 看板 · 登录"), ("en", "After-sales KPI dashboard · Sign in")])
def test_sign_in_form_comes_before_any_data(anonymous_page, app_url: str, lang: str, title: str) -> None:
    page = anonymous_page
    open_page(page, app_url, COMPARISON, lang=lang, dealer="D005")
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator(SIGN_IN_FORM).count() == 1
    assert_shows_no_data(page)
    screenshot(page, f"signin_form_{lang}")


def test_wrong_password_says_so_and_shows_nothing(anonymous_page, app_url: str) -> None:
    page = anonymous_page
    open_page(page, app_url, STORE_DAILY, lang="en")
    sign_in(page, "store", "not-the-password", expect_success=False)
    assert page.get_by_text("Wrong user name or password").count() == 1
    assert_shows_no_data(page)
    screenshot(page, "signin_wrong_password_en")


def test_sign_out_returns_to_the_form_and_clears_the_link(signed_in_page, app_url: str) -> None:
    page = signed_in_page("region")
    open_page(page, app_url, STORE_DAILY, dealer="D002")
    assert page.locator("[data-testid='stSidebar']").get_by_text("已登录：east").count() == 1
    page.locator(".st-key-sign_out_button").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "role_east_sidebar_account.png"))
    page.locator(".st-key-sign_out_button button").click()
    page.wait_for_selector(SIGN_IN_FORM)
    wait_ready(page)
    assert page.get_by_text("已退出登录").count() == 1
    assert "dealer=" not in page.url
    assert_shows_no_data(page)


# ---------------------------------------------------------------- roles and URLs

STORE_OTHERS = [d[0] for d in ALL_DEALERS if d[0] != "D001"]
EAST_OUTSIDE = [d[0] for d in ALL_DEALERS if d[2] != "EAST"]


@pytest.mark.parametrize("path, query", [
    (COMPARISON, {"dealer": "D005"}),
    (COMPARISON, {"region": "SOUTH"}),
    (STORE_DAILY, {"dealer": "D002"}),
    (COMPLAINTS, {"region": "SOUTH", "dealer": "D006"}),
], ids=["comparison-other-dealer", "comparison-other-region", "daily-neighbour", "complaints-south"])
def test_store_user_sees_nothing_of_other_dealers(signed_in_page, app_url: str, path: str, query: dict) -> None:
    page = signed_in_page("dealer")
    open_page(page, app_url, path, **query)
    assert_no_exception(page)
    assert leaked(page, STORE_OTHERS, ["NORTH", "SOUTH"]) == []
    assert "dealer=D001" in page.url
    screenshot(page, f"role_store_{path.split('_', 1)[1].lower()}_{'_'.join(query.values()).lower()}")


def test_store_comparison_is_against_the_anonymous_network(signed_in_page, app_url: str) -> None:
    page = signed_in_page("dealer")
    open_page(page, app_url, COMPARISON, lang="en")
    assert page.get_by_text("Your store against the network").count() == 1
    assert page.get_by_text("League table").count() == 0
    assert leaked(page, STORE_OTHERS, ["NORTH", "SOUTH"]) == []
    screenshot(page, "role_store_comparison_en")


def test_region_user_opening_a_south_dealer_sees_none_of_it(signed_in_page, app_url: str) -> None:
    page = signed_in_page("region")
    open_page(page, app_url, STORE_DAILY, dealer="D005", region="SOUTH")
    assert_no_exception(page)
    assert leaked(page, EAST_OUTSIDE, ["NORTH", "SOUTH"]) == []
    assert page.get_by_text("不在您的权限范围内").count() == 2  # the region and the dealer
    screenshot(page, "role_east_daily_south_dealer")
    open_page(page, app_url, COMPARISON, region="SOUTH")
    assert leaked(page, EAST_OUTSIDE, ["NORTH", "SOUTH"]) == []
    assert page.get_by_text("经销商排名（2 家）").count() == 1
    screenshot(page, "role_east_comparison")


def test_network_user_sees_every_dealer(signed_in_page, app_url: str) -> None:
    """The same check finds the names when they are there: it reads the tables."""
    page = signed_in_page("network")
    open_page(page, app_url, COMPARISON)
    assert sorted(leaked(page, STORE_OTHERS, [])) == sorted(d[1] for d in ALL_DEALERS if d[0] != "D001")
    assert page.get_by_text("经销商排名（6 家）").count() == 1
    screenshot(page, "role_hq_comparison")


def test_data_page_upload_only_for_the_network(signed_in_page, app_url: str) -> None:
    store = signed_in_page("dealer")
    open_page(store, app_url, "数据_Data")
    assert store.locator("[data-testid='stFileUploader']").count() == 0
    screenshot(store, "role_store_data")
    hq = signed_in_page("network")
    open_page(hq, app_url, "数据_Data")
    assert hq.locator("[data-testid='stFileUploader']").count() == 1


def test_fixture_password_is_not_a_demo_password() -> None:
    assert FIXTURE_PASSWORD not in ("demo-hq-2026", "demo-east-2026", "demo-store-2026")
