"""The complaints, service-process and satisfaction pages in chromium: they open in
both languages, a click on a bar drills region → dealer → model and the breadcrumb
leads back up, and a number on screen equals kpi.compute. Screenshots go to
tests/artifacts/ (analysis_*.png)."""
from __future__ import annotations

from pathlib import Path

import pytest

import kpi
from kpi.engine import cursor, default_as_of
from tests.browser.harness import open_page, screenshot, wait_ready
from ui.filters import default_date_range
from ui.i18n import format_percent, format_value

PAGES = {
    "complaints": "投诉分析_Complaints",
    "service": "服务过程_Service_process",
    "satisfaction": "满意度_Satisfaction",
}


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def metric_value(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']:visible").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    ).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def click_first_bar(page, chart_index: int = 0) -> None:
    """Click the top bar of a horizontal bar chart (the worst one)."""
    chart = page.locator("[data-testid='stPlotlyChart']").nth(chart_index)
    chart.scroll_into_view_if_needed()
    chart.locator("g.trace.bars g.point path").first.click(force=True)
    page.wait_for_timeout(500)
    wait_ready(page)


@pytest.fixture(scope="module")
def period(browser_db: Path):
    with cursor(browser_db) as con:
        as_of = default_as_of(con)
    return default_date_range(as_of)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_opens_at_network_and_dealer_level(page, app_url: str, name: str, lang: str) -> None:
    open_page(page, app_url, PAGES[name], lang=lang)
    assert_no_exception(page)
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 2
    screenshot(page, f"analysis_{name}_{lang}")
    open_page(page, app_url, PAGES[name], lang=lang, dealer="D002")
    assert_no_exception(page)
    screenshot(page, f"analysis_{name}_D002_{lang}")


def test_complaints_drill_down_by_clicking_and_back_up(page, app_url: str, browser_db: Path, period) -> None:
    start, end = period
    by_region = kpi.compute(browser_db, ["complaint_rate"], by=["region_id"], start=start, end=end)
    worst_region = by_region.sort_values("complaint_rate", ascending=False).iloc[0]["region_id"]
    region_name = {"EAST": "华东", "NORTH": "华北", "SOUTH": "华南"}[worst_region]

    open_page(page, app_url, PAGES["complaints"])
    assert page.get_by_role("heading", name="各区域投诉").count() == 1
    click_first_bar(page)
    assert page.get_by_role("heading", name="各经销商投诉").count() == 1
    # the breadcrumb and the sidebar both say where we are
    assert page.get_by_role("button", name="全网络").count() == 1
    assert page.locator("[data-testid='stMain'] strong", has_text=region_name).count() >= 1
    assert f"region={worst_region}" in page.url

    click_first_bar(page)
    assert page.get_by_role("heading", name="各车型投诉").count() == 1
    assert "dealer=" in page.url
    screenshot(page, "analysis_complaints_drilled_to_dealer")

    page.get_by_role("button", name=region_name).click()
    wait_ready(page)
    assert page.get_by_role("heading", name="各经销商投诉").count() == 1
    # the sidebar shows the same level as the page, not the dealer it came from
    assert sidebar_choices(page) == [region_name, "全部经销商", "全部车型"]
    page.get_by_role("button", name="全网络").click()
    wait_ready(page)
    assert page.get_by_role("heading", name="各区域投诉").count() == 1
    assert sidebar_choices(page) == ["全部区域", "全部经销商", "全部车型"]
    screenshot(page, "analysis_complaints_back_up_to_network")


def sidebar_choices(page) -> list[str]:
    """What the region, dealer and model selectboxes show, as the user sees them."""
    boxes = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input[role='combobox']")
    return [boxes.nth(i).input_value() for i in range(boxes.count())]


def test_complaint_numbers_equal_compute_in_both_languages(page, app_url: str, browser_db: Path, period) -> None:
    start, end = period
    expected = kpi.compute(browser_db, ["complaint_count", "complaint_rate"], start=start, end=end,
                           filters={"region_id": ["NORTH"]}).iloc[0]
    open_page(page, app_url, PAGES["complaints"], region="NORTH")
    assert metric_value(page, "投诉量") == format_value("complaint_count", expected["complaint_count"], "zh")
    assert metric_value(page, "投诉率") == format_percent(expected["complaint_rate"], 2)
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_ready(page)
    assert metric_value(page, "Complaint rate") == format_percent(expected["complaint_rate"], 2)
    assert page.get_by_role("heading", name="Complaints by dealer").count() == 1
    screenshot(page, "analysis_complaints_NORTH_en")


def test_service_and_satisfaction_numbers_equal_compute(page, app_url: str, browser_db: Path, period) -> None:
    start, end = period
    expected = kpi.compute(browser_db, ["median_repair_cycle_hours", "satisfied_rate"], start=start, end=end,
                           filters={"dealer_id": ["D003"], "region_id": ["NORTH"]}).iloc[0]
    open_page(page, app_url, PAGES["service"], dealer="D003")
    assert metric_value(page, "维修周期中位数") == format_value("median_repair_cycle_hours",
                                                              expected["median_repair_cycle_hours"], "zh")
    open_page(page, app_url, PAGES["satisfaction"], dealer="D003")
    assert metric_value(page, "满意率") == format_value("satisfied_rate", expected["satisfied_rate"], "zh")


def test_dealer_without_data_says_so(page, app_url: str) -> None:
    for name in PAGES:
        open_page(page, app_url, PAGES[name], dealer="D099")
        assert_no_exception(page)
        assert "新开业门店（无数据）" in page.locator("[data-testid='stAlert']").first.inner_text()
    screenshot(page, "analysis_empty_dealer")
