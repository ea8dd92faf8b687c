"""The fair-comparison page in chromium: both languages, the charts drawn, the
ranking equal to kpi.fairness, and a store manager seeing no other dealer.
Screenshots go to tests/artifacts/ (8_Fair_comparison_*)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from kpi import fairness
from kpi.scope import Scope
from tests.browser.harness import open_page, received_from_app, screenshot
from tests.fixture_db import DEALERS, EMPTY_DEALER

FAIR = "公平对比_Fair_comparison"


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def shown_range(page) -> tuple[date, date]:
    """The date range the page used, from the URL the filters wrote."""
    query = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    return date.fromisoformat(query["start"]), date.fromisoformat(query["end"])


@pytest.mark.parametrize("lang, title", [("zh", "公平对比"), ("en", "Fair comparison")])
def test_fair_comparison_page(page, app_url: str, browser_db: Path, lang: str, title: str) -> None:
    open_page(page, app_url, FAIR, lang=lang)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator("[data-testid='stPlotlyChart']").count() == 3
    # The best dealer of the fair ranking is named in the first row of the table.
    start, end = shown_range(page)
    with duckdb.connect(str(browser_db), read_only=True) as con:
        best = fairness.league_table(con, "satisfied_rate", scope=Scope.network(), start=start, end=end)
    # The table is a canvas: its cells are in what the app sent.
    assert best["dealer_name"].iloc[0] in received_from_app(page).decode("utf-8", "replace")
    screenshot(page, f"8_Fair_comparison_{lang}")


def test_fair_comparison_for_a_store_manager(signed_in_page, app_url: str) -> None:
    page = signed_in_page("dealer")
    open_page(page, app_url, FAIR, lang="zh")
    assert_no_exception(page)
    # Tables and charts are canvas: every message the app sent counts, not just the DOM text.
    text = page.locator("body").inner_text() + page.content() + received_from_app(page).decode("utf-8", "replace")
    assert "上海浦东4S店" in text
    for dealer_id, name, *_ in DEALERS[1:] + [EMPTY_DEALER]:
        assert dealer_id not in text and name not in text, name
    screenshot(page, "8_Fair_comparison_dealer_zh")
