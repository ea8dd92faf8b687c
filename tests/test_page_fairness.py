"""The fair-comparison page (AppTest): what it shows equals kpi.fairness on the
same database and dates, and a dealer user never sees another dealer."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpi import fairness
from kpi.scope import Scope
from tests.fixture_db import DEALERS, EMPTY_DEALER
from tests.signin import sign_in
from ui.i18n import format_value

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "pages" / "8_公平对比_Fair_comparison.py"


def run(role: str = "network", **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(PAGE), default_timeout=60), role)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_dates(at: AppTest):
    start, end = at.sidebar.date_input(key="filter_dates").value
    return start, end


def league_frame(at: AppTest):
    # The league is the first table (keys are not exposed on AppTest dataframes).
    return at.dataframe[0].value


def test_league_equals_fairness(app_db) -> None:
    at = run()
    start, end = shown_dates(at)
    with duckdb.connect(str(app_db), read_only=True) as con:
        expected = fairness.league_table(con, "satisfied_rate", scope=Scope.network(), start=start, end=end)
    shown = league_frame(at)
    assert list(shown["经销商"]) == list(expected["dealer_name"])
    assert list(shown["名次"]) == list(expected["fair_rank"])
    assert list(shown["满意率"]) == [format_value("satisfied_rate", v, "zh") for v in expected["rate"]]
    # satisfied_rate has a network target in the fixture: every dealer has one
    assert "未设目标" not in set(shown["目标"])
    assert len(at.get("plotly_chart")) == 3  # funnel, u-chart, c-chart


def test_metric_and_ranking_choice(app_db) -> None:
    at = run(lang="en")
    at.selectbox(key="fair_metric").set_value("complaint_rate").run()
    assert not at.exception
    shown = league_frame(at)
    assert "Complaint rate" in shown.columns
    # No complaint-rate target in the fixture: said, not invented.
    assert set(shown["Target"]) == {"No target set"}
    start, end = shown_dates(at)
    with duckdb.connect(str(app_db), read_only=True) as con:
        expected = fairness.league_table(con, "complaint_rate", scope=Scope.network(), start=start, end=end,
                                         rank_by="shrunk")
    at.segmented_control(key="fair_rank_by").set_value("shrunk").run()
    assert list(league_frame(at)["Dealer"]) == list(expected["dealer_name"])


def all_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "info", "warning", "success") for e in at.get(kind)]
    for frame in at.dataframe:
        data = frame.value
        data = getattr(data, "data", data)
        parts.append(data.to_csv())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def test_dealer_user_sees_no_other_dealer(app_db) -> None:
    at = run("dealer")
    text = all_text(at)
    assert "上海浦东4S店" in text
    for dealer_id, name, *_ in DEALERS[1:] + [EMPTY_DEALER]:
        assert dealer_id not in text and name not in text
    assert list(league_frame(at)["经销商"]) == ["上海浦东4S店"]


@pytest.mark.parametrize("role", ["region", "network"])
def test_region_user_sees_region_dealers(app_db, role: str) -> None:
    at = run(role)
    names = set(league_frame(at)["经销商"])
    if role == "region":
        assert names <= {"上海浦东4S店", "杭州西湖4S店"}
    else:
        assert "北京朝阳4S店" in names


# ---------------------------------------------------------------- the other pages

STORE_DAILY = ROOT / "pages" / "1_门店日报_Store_daily.py"
COMPARISON = ROOT / "pages" / "2_经销商对比_Dealer_comparison.py"
COMPLAINTS = ROOT / "pages" / "3_投诉分析_Complaints.py"


def run_file(path: Path, role: str = "network", **query: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(path), default_timeout=60), role)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str):
    for frame in at.dataframe:
        data = frame.value
        if column in data.columns:
            return data
    raise AssertionError(f"no table with a column {column!r}")


def test_store_daily_projection_and_alerts(app_db) -> None:
    """The projection table has one row per headline KPI, its month-to-date values
    from kpi.fairness.mtd_projections over the 1st .. the report day."""
    at = run_file(STORE_DAILY, dealer="D001")
    projection = table_with(at, "月末预测")
    assert len(projection) == 8
    with duckdb.connect(str(app_db), read_only=True) as con:
        from kpi.engine import default_as_of
        report_day = default_as_of(con).date() - timedelta(days=1)
        expected = fairness.mtd_projections(con, ["satisfied_rate"], scope=Scope.network(), through=report_day,
                                            dealer_id="D001", filters={"dealer_id": ["D001"], "region_id": ["EAST"]})
    row = projection.set_index("指标").loc["满意率"]
    assert row["本月至今"].startswith(format_value("satisfied_rate", expected.loc[0, "to_date"], "zh"))
    assert row["目标"] == format_value("satisfied_rate", expected.loc[0, "target"], "zh")  # fixture: network 85 %
    assert projection.set_index("指标").loc["一次修复率", "月末预测"].startswith("关闭满 30 天后")
    headers = [h.value for h in at.subheader]
    assert "月末预测" in headers and "投诉预警" in headers


def test_store_daily_cards_carry_interval_and_status(app_db) -> None:
    at = run_file(STORE_DAILY, dealer="D001")
    captions = " ".join(c.value for c in at.caption)
    assert "95% 区间" in captions
    assert "-badge[" in captions  # satisfied_rate has a target: a status badge on its card


def test_comparison_league_in_fair_order(app_db) -> None:
    at = run_file(COMPARISON)
    league = table_with(at, "公平名次")
    ranks = [r for r in league["公平名次"] if r is not None and r == r]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert "满意率 95% 区间" in league.columns and "满意率 达成率" in league.columns


def test_complaints_page_lists_alerts(app_db) -> None:
    at = run_file(COMPLAINTS)
    assert "投诉预警" in [h.value for h in at.subheader]


def test_comparison_rank_choice_reorders(app_db) -> None:
    at = run_file(COMPARISON)
    at.selectbox(key="league_rank_metric").set_value("on_time_delivery_rate").run()
    assert not at.exception
    league = table_with(at, "公平名次")
    assert "按时交车率 95% 区间" in league.columns
    start, end = shown_dates(at)
    with duckdb.connect(str(app_db), read_only=True) as con:
        expected = fairness.league_table(con, "on_time_delivery_rate", scope=Scope.network(), start=start, end=end)
    assert list(league["经销商"]) == list(expected["dealer_name"])
