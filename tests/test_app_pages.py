"""Numbers on the pages equal kpi.compute on the same database."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import kpi
from kpi.engine import default_as_of
from tests.signin import sign_in
from ui.filters import ALL_OPTION
from ui.i18n import format_value

ROOT = Path(__file__).resolve().parent.parent
STORE_DAILY = ROOT / "pages" / "1_门店日报_Store_daily.py"
COMPARISON = ROOT / "pages" / "2_经销商对比_Dealer_comparison.py"
HEADLINE = (
    "first_time_fix_rate", "repeat_repair_rate", "avg_repair_cycle_hours", "on_time_delivery_rate",
    "response_sla_rate", "complaint_count", "satisfied_rate", "survey_coverage_rate",
)


def run(path: Path, **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(path), default_timeout=30))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def as_of(app_db):
    with duckdb.connect(str(app_db), read_only=True) as con:
        return default_as_of(con)


@pytest.mark.parametrize("metric_id", ["satisfied_rate", "avg_repair_cycle_hours", "complaint_count", "response_sla_rate"])
def test_store_daily_month_to_date_card(app_db, as_of, metric_id: str) -> None:
    report_day = as_of.date() - timedelta(days=1)
    expected = kpi.compute(app_db, [metric_id], start=report_day.replace(day=1), end=report_day,
                           filters={"dealer_id": ["D001"], "region_id": ["EAST"]}).iloc[0][metric_id]
    at = run(STORE_DAILY, dealer="D001")
    mtd_card = at.metric[len(HEADLINE) + HEADLINE.index(metric_id)]
    assert mtd_card.value == format_value(metric_id, expected, "zh")


def test_store_daily_yesterday_card_in_english(app_db, as_of) -> None:
    report_day = as_of.date() - timedelta(days=1)
    expected = kpi.compute(app_db, ["on_time_delivery_rate"], start=report_day, end=report_day,
                           filters={"dealer_id": ["D002"]}).iloc[0]["on_time_delivery_rate"]
    at = run(STORE_DAILY, dealer="D002", lang="en")
    card = at.metric[HEADLINE.index("on_time_delivery_rate")]
    assert card.label == "On-time delivery rate"
    assert card.value == format_value("on_time_delivery_rate", expected, "en")


def test_store_daily_asks_for_a_dealer(app_db) -> None:
    at = run(STORE_DAILY)
    assert not at.metric
    assert any("经销商" in i.value for i in at.info)


def test_dealer_without_data_gets_a_message(app_db) -> None:
    at = run(STORE_DAILY, dealer="D099")
    assert any("没有数据" in i.value for i in at.info)


def test_unknown_url_value_is_ignored_with_a_note(app_db) -> None:
    at = run(STORE_DAILY, dealer="NOPE")
    assert any("NOPE" in w.value for w in at.warning)
    assert at.sidebar.selectbox(key="filter_dealer").value == ALL_OPTION


def test_league_table_network_row_is_ratio_of_sums(app_db, as_of) -> None:
    at = run(COMPARISON, start="2024-05-01", end="2024-05-31")
    summary = at.dataframe[0].value
    network = summary.iloc[0]
    expected = kpi.compute(app_db, ["satisfied_rate", "on_time_delivery_rate", "ro_count"],
                           start="2024-05-01", end="2024-05-31").iloc[0]
    assert network["满意率"] == pytest.approx(expected["satisfied_rate"] * 100)
    assert network["按时交车率"] == pytest.approx(expected["on_time_delivery_rate"] * 100)
    assert network["进厂台次"] == expected["ro_count"]
    league = at.dataframe[1].value
    by_dealer = kpi.compute(app_db, ["satisfied_rate"], by="dealer_id", start="2024-05-01", end="2024-05-31")
    assert sorted(league["满意率"].round(6)) == sorted((by_dealer["satisfied_rate"] * 100).round(6))


def test_region_filter_limits_dealers(app_db) -> None:
    at = run(COMPARISON, region="NORTH")
    league = at.dataframe[1].value
    assert set(league["区域"]) == {"华北"}
    dealer_options = at.sidebar.selectbox(key="filter_dealer").options
    assert "上海浦东4S店" not in dealer_options


def test_filters_persist_across_pages(app_db) -> None:
    at = run(ROOT / "app.py")
    at.switch_page("pages/2_经销商对比_Dealer_comparison.py").run()
    at.sidebar.selectbox(key="filter_region").set_value("SOUTH").run()
    at.sidebar.selectbox(key="filter_dealer").set_value("D005").run()
    at.switch_page("pages/1_门店日报_Store_daily.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="filter_dealer").value == "D005"
    assert at.query_params["dealer"] == ["D005"] or at.query_params["dealer"] == "D005"


def test_language_switch(app_db) -> None:
    at = run(STORE_DAILY, dealer="D001")
    at.sidebar.radio(key="filter_lang").set_value("en").run()
    assert at.metric[0].label == "First-time fix rate"
    assert at.title[0].value == "Store daily"
