"""The app in a real browser: every page opens, filters and language work, and a
number on screen equals kpi.compute. Screenshots go to tests/artifacts/."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

import kpi
from kpi.engine import default_as_of
from tests.browser.harness import ROOT, open_page, screenshot, wait_ready
from ui.i18n import format_value

PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))


def url_path(page_file: Path) -> str:
    """pages/1_门店日报_Store_daily.py is served at /门店日报_Store_daily."""
    return page_file.stem.split("_", 1)[1]


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_opens(page, app_url: str, lang: str) -> None:
    open_page(page, app_url, "", lang=lang)
    assert_no_exception(page)
    screenshot(page, f"home_{lang}")
    for page_file in PAGE_FILES:
        open_page(page, app_url, url_path(page_file), lang=lang, dealer="D001")
        assert_no_exception(page)
        screenshot(page, f"{page_file.stem.split('_', 1)[0]}_{url_path(page_file).split('_', 1)[-1]}_{lang}")


def metric_value(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']:visible").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    ).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_store_daily_card_matches_compute(page, app_url: str, browser_db: Path) -> None:
    with duckdb.connect(str(browser_db), read_only=True) as con:
        report_day = default_as_of(con).date() - timedelta(days=1)
    expected = kpi.compute(browser_db, ["avg_repair_cycle_hours", "satisfied_rate"], start=report_day,
                           end=report_day, filters={"dealer_id": ["D003"]}).iloc[0]
    open_page(page, app_url, "门店日报_Store_daily", dealer="D003")
    assert metric_value(page, "平均维修周期") == format_value("avg_repair_cycle_hours", expected["avg_repair_cycle_hours"], "zh")
    assert metric_value(page, "满意率") == format_value("satisfied_rate", expected["satisfied_rate"], "zh")
    screenshot(page, "store_daily_D003")


def choose(page, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox by its label."""
    page.locator("[data-testid='stSidebar']").get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_ready(page)


def test_region_filter_changes_table_and_url(page, app_url: str) -> None:
    open_page(page, app_url, "经销商对比_Dealer_comparison")
    choose(page, "区域", "华北")
    assert "region=NORTH" in page.url
    assert_no_exception(page)
    heading = page.get_by_text("经销商排名（2 家）")
    assert heading.count() == 1
    screenshot(page, "comparison_north")


def test_language_switch_keeps_filters(page, app_url: str) -> None:
    open_page(page, app_url, "门店日报_Store_daily", dealer="D002")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_ready(page)
    assert page.locator("h1").first.inner_text().strip() == "Store daily"
    assert "lang=en" in page.url and "dealer=D002" in page.url
    assert page.locator("[data-testid='stMetricLabel']", has_text="First-time fix rate").count() >= 1
    screenshot(page, "store_daily_en_after_switch")


def test_shared_link_reproduces_view_and_flags_unknown_values(page, app_url: str) -> None:
    open_page(page, app_url, "经销商对比_Dealer_comparison", region="SOUTH", dealer="NOPE", lang="zh")
    assert page.get_by_text("NOPE").count() >= 1  # the visible note
    region = page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="区域", exact=True)
    assert region.input_value() == "华南"
