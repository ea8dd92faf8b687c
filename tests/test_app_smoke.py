"""Every page of the app runs without an exception and draws the shared sidebar.

Pages are found by listing pages/, so pages added later are covered too.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.signin import sign_in

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "app.py"] + sorted((ROOT / "pages").glob("*.py"))
TIMEOUT = 30


def run_page(path: Path, **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(path), default_timeout=TIMEOUT))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
@pytest.mark.parametrize("query", [{}, {"dealer": "D001", "lang": "en"}], ids=["default", "dealer-en"])
def test_page_runs_with_sidebar(app_db, page: Path, query: dict) -> None:
    at = run_page(page, **query)
    assert_ok(at)
    keys = {w.key for w in at.sidebar.selectbox}
    assert {"filter_region", "filter_dealer"} <= keys
    assert at.sidebar.radio(key="filter_lang").value == query.get("lang", "zh")
    assert at.sidebar.date_input(key="filter_dates").value


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_handles_dealer_without_data(app_db, page: Path) -> None:
    at = run_page(page, dealer="D099")
    assert_ok(at)


def test_store_daily_widgets(app_db) -> None:
    at = run_page(ROOT / "pages" / "1_门店日报_Store_daily.py", dealer="D001")
    assert_ok(at)
    assert len(at.metric) == 16  # eight headline KPIs, yesterday and month to date
    assert at.get("plotly_chart")
    assert len(at.tabs) >= 6


def test_dealer_comparison_widgets(app_db) -> None:
    at = run_page(ROOT / "pages" / "2_经销商对比_Dealer_comparison.py")
    assert_ok(at)
    assert len(at.dataframe) >= 3
    assert at.get("plotly_chart")
    assert len(at.get("download_button")) == 2
