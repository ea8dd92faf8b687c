"""kpi.fairness on the tiny network of tests/fairness_fixture.py: every expected
number is worked out by hand in the test's docstring.

z = 1.959963984540054 (95 %), z² = 3.841459. Wilson interval of k of n:
centre = (p̂ + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import kpi
from kpi import fairness
from kpi.scope import Scope
from tests.fairness_fixture import build

JUNE_1, JUNE_14 = date(2026, 6, 1), date(2026, 6, 14)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = build(tmp_path_factory.mktemp("fairness") / "fairness.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def league(con, scope=Scope.network(), **kwargs) -> pd.DataFrame:
    return fairness.league_table(con, "satisfied_rate", scope=scope, start=JUNE_1, end=JUNE_14, **kwargs)


# ---------------------------------------------------------------- league table


def test_league_wilson_bounds(con) -> None:
    """D1 6 of 10: p̂ = 0.6, z²/n = 0.384146
        centre = (0.6 + 0.192073)/1.384146 = 0.572247
        half = 1.959964/1.384146 × √(0.024 + 0.009604) = 1.416010 × 0.183313 = 0.259573
        → [0.312674, 0.831820]
    D2 32 of 40: p̂ = 0.8, z²/n = 0.096036
        centre = (0.8 + 0.048018)/1.096036 = 0.773714
        half = 1.788238 × √(0.004 + 0.000600) = 1.788238 × 0.067825 = 0.121287
        → [0.652427, 0.895000]
    D3 42 of 50: p̂ = 0.84, z²/n = 0.076829
        centre = (0.84 + 0.038415)/1.076829 = 0.815742
        half = 1.820123 × √(0.002688 + 0.000384) = 1.820123 × 0.055427 = 0.100884
        → [0.714858, 0.916626]
    D5 3 of 3: p̂ = 1, centre = (1 + 0.640243)/2.280486 = 0.719252 = half
        → lower = 1/(1 + z²/3) = 3/6.841459 = 0.438503, upper 1.
    D4 and D6 have no survey: no rate, no row.
    """
    table = league(con).set_index("dealer_id")
    assert sorted(table.index) == ["D1", "D2", "D3", "D5"]
    expected = {"D1": (0.312674, 0.831820), "D2": (0.652427, 0.895000), "D3": (0.714858, 0.916626),
                "D5": (0.438503, 1.0)}
    for dealer, (lower, upper) in expected.items():
        assert table.loc[dealer, "wilson_lower"] == pytest.approx(lower, abs=1e-6)
        assert table.loc[dealer, "wilson_upper"] == pytest.approx(upper, abs=1e-6)
    assert table["successes"].to_dict() == {"D3": 42, "D2": 32, "D5": 3, "D1": 6}


def test_league_shrunk_rates_and_ranks(con) -> None:
    """Beta-binomial prior over k = (6, 32, 42, 3), n = (10, 40, 50, 3):
        N = 103, μ̂ = 83/103 = 0.805825; rates 0.6, 0.8, 0.84, 1.0
        S = 10(−0.205825)² + 40(−0.005825)² + 50(0.034175)² + 3(0.194175)²
          = 0.423640 + 0.001357 + 0.058396 + 0.113112 = 0.596505
        S/(μ̂(1−μ̂)) = 0.596505/0.156470 = 3.812241;  m − 1 = 3
        Σn²/N = (100 + 1600 + 2500 + 9)/103 = 40.864078;  N − 40.864078 − 3 = 59.135922
        ρ̂ = 0.812241/59.135922 = 0.013735;  α+β = 1/ρ̂ − 1 = 71.805885
        α = 0.805825 × 71.805885 = 57.862995;  β = 13.942890
    shrunk = (k + α)/(n + α + β):
        D1 63.862995/81.805885 = 0.780665    D2 89.862995/111.805885 = 0.803741
        D3 99.862995/121.805885 = 0.819854   D5 60.862995/74.805885 = 0.813612
    Raw ranks: D5 (1.0) 1, D3 2, D2 3, D1 4 — three perfect surveys come first.
    Fair rank by the Wilson lower bound: D3 0.714858, D2 0.652427, D5 0.438503, D1 0.312674.
    By the shrunk rate: D3 0.819854, D5 0.813612, D2 0.803741, D1 0.780665.
    """
    table = league(con).set_index("dealer_id")
    shrunk = {"D1": 0.780665, "D2": 0.803741, "D3": 0.819854, "D5": 0.813612}
    for dealer, value in shrunk.items():
        assert table.loc[dealer, "shrunk_rate"] == pytest.approx(value, abs=1e-6)
    assert table["raw_rank"].to_dict() == {"D3": 2, "D2": 3, "D5": 1, "D1": 4}
    assert table["fair_rank"].to_dict() == {"D3": 1, "D2": 2, "D5": 3, "D1": 4}
    assert list(league(con).dealer_id) == ["D3", "D2", "D5", "D1"]  # best first
    by_shrunk = league(con, rank_by="shrunk").set_index("dealer_id")["fair_rank"].to_dict()
    assert by_shrunk == {"D3": 1, "D5": 2, "D2": 3, "D1": 4}
    assert set(table["ranked"]) == {4}


def test_league_targets_status_and_attainment(con) -> None:
    """Targets valid on 14 June:
      D1 (R1, no own row) → region R1 0.82, lower 0.78: 0.6 < 0.78 → red, outside the band;
         attainment 0.6/0.82 = 0.731707
      D2 (R1) → 0.82, lower 0.78: 0.78 ≤ 0.8 < 0.82 → amber; 0.8/0.82 = 0.975610
      D3 (own row from 10 June) → 0.83, lower 0.80: 0.84 ≥ 0.83 → green; 0.84/0.83 = 1.012048
      D5 (R2, no region row) → network 0.80, no band: 1.0 ≥ 0.8 → green; 1.0/0.8 = 1.25
    """
    table = league(con).set_index("dealer_id")
    assert table["target"].to_dict() == {"D3": 0.83, "D2": 0.82, "D5": 0.80, "D1": 0.82}
    assert table["target_scope"].to_dict() == {"D3": "dealer", "D2": "region", "D5": "network", "D1": "region"}
    assert table["status"].to_dict() == {"D3": "green", "D2": "amber", "D5": "green", "D1": "red"}
    assert table["status_reason"].to_dict() == {
        "D3": "meets", "D2": "tolerance", "D5": "meets", "D1": "outside_band_worse"}
    expected = {"D1": 0.731707, "D2": 0.975610, "D3": 1.012048, "D5": 1.25}
    for dealer, value in expected.items():
        assert table.loc[dealer, "attainment"] == pytest.approx(value, abs=1e-6)


def test_league_before_a_dealer_target_starts(con) -> None:
    """On 9 June D3's own target (from 10 June) does not apply yet; R2 has no
    region row, so the network's 0.80 does: 0.84 ≥ 0.80 → green, 0.84/0.80 = 1.05.
    The surveys all fall on 1..10 June; those of 10 June (D1 s9, D2 s9, s19,
    s29, s39, D3 s9, s19, s29, s39, s49) drop out of 1..9 June, so D3 is 38 of 45
    (surveys 0–41 score 5; numbers 9, 19, 29, 39 are among them, 49 is not)."""
    table = fairness.league_table(con, "satisfied_rate", scope=Scope.network(), start=JUNE_1,
                                  end=date(2026, 6, 9)).set_index("dealer_id")
    assert table.loc["D3", "target"] == 0.80 and table.loc["D3", "target_scope"] == "network"
    assert (table.loc["D3", "successes"], table.loc["D3", "trials"]) == (38, 45)
    assert table.loc["D3", "attainment"] == pytest.approx((38 / 45) / 0.80)


def test_league_no_target_is_said_not_invented(con) -> None:
    """complaint_rate has no target anywhere: every dealer's target is NaN,
    status None, reason no_target, attainment NaN."""
    table = fairness.league_table(con, "complaint_rate", scope=Scope.network(), start=JUNE_1, end=JUNE_14)
    assert table["target"].isna().all()
    assert table["status"].isna().all()
    assert set(table["status_reason"]) == {"no_target"}
    assert table["attainment"].isna().all()


def test_league_region_scope_is_the_region(con) -> None:
    """R1's dealers with surveys are D1 and D2 only; ranks count 2 dealers."""
    table = league(con, scope=Scope.region("R1"))
    assert list(table["dealer_id"]) == ["D2", "D1"]
    assert set(table["ranked"]) == {2}


def test_league_dealer_scope_shows_only_itself(con, monkeypatch) -> None:
    """A dealer user gets one row. Its rank is counted among the network's 4
    ranked dealers — fewer than MIN_BENCHMARK_DEALERS (5), so it is withheld;
    with the threshold at 4 it is shown: D1 is 4th of 4."""
    table = league(con, scope=Scope.dealer("D1"))
    assert list(table["dealer_id"]) == ["D1"]
    assert table["fair_rank"].isna().all() and table["raw_rank"].isna().all()
    monkeypatch.setattr(fairness, "MIN_BENCHMARK_DEALERS", 4)
    table = league(con, scope=Scope.dealer("D1"))
    assert (int(table.loc[0, "fair_rank"]), int(table.loc[0, "ranked"])) == (4, 4)


def test_league_needs_a_rate(con) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        fairness.league_table(con, "avg_repair_cycle_hours", scope=Scope.network(), start=JUNE_1, end=JUNE_14)


# ---------------------------------------------------------------- funnel


def test_funnel_against_a_target(con) -> None:
    """p0 = 0.9 given. D1 6 of 10: P(R ≤ 6 | n = 10, p = 0.9) = 0.012795 < 0.025, so
    6 is below the 95 % lower limit; the limit is r_lo/10 with r_lo the smallest r
    with F(r) ≥ 0.025: F(6) = 0.012795, F(7) = 0.070191 → r_lo = 7, lower_95 = 0.7.
    Higher is better, so D1 is 'worse'. At the 99.8 % level (tail 0.001):
    F(5) = 0.001635 ≥ 0.001 → lower_99_8 = 0.5, and 0.6 is inside.
    D5 3 of 3: F(0) = 0.001, F(1) = 0.028 ≥ 0.025 → lower_95 = 1/3; F(2) = 0.271 <
    0.975 ≤ F(3) = 1 → upper_95 = 1: 3/3 is inside."""
    data = fairness.funnel_data(con, "satisfied_rate", scope=Scope.network(), start=JUNE_1, end=JUNE_14, p0=0.9)
    assert data.centre == "target" and data.p0 == 0.9
    points = data.points.set_index("dealer_id")
    assert points.loc["D1", "lower_95"] == pytest.approx(0.7)
    assert points.loc["D1", "funnel_95"] == "below" and points.loc["D1", "verdict_95"] == "worse"
    assert points.loc["D1", "lower_99_8"] == pytest.approx(0.5) and points.loc["D1", "verdict_99_8"] == "inside"
    assert points.loc["D5", "lower_95"] == pytest.approx(1 / 3) and points.loc["D5", "upper_95"] == 1.0
    assert points.loc["D5", "verdict_95"] == "inside"
    assert points.loc["D1", "dealer_name"] == "一号店"


def test_funnel_pooled_centre_and_grid(con) -> None:
    """Without a target the centre is Σk/Σn = 83/103 = 0.805825; the limit curve
    runs from n = 1 to past the largest dealer (50)."""
    data = fairness.funnel_data(con, "satisfied_rate", scope=Scope.network(), start=JUNE_1, end=JUNE_14)
    assert data.p0 == pytest.approx(83 / 103)
    assert data.centre == "pooled" and not data.benchmark_only and data.dealers == 4
    assert data.limits["n"].min() == 1 and data.limits["n"].max() >= 50
    assert list(data.points["trials"]) == sorted(data.points["trials"])


def test_funnel_dealer_scope_is_own_point_only(con, monkeypatch) -> None:
    """A dealer user sees one point, their own. The network rate behind the centre
    rests on 4 dealers, under MIN_BENCHMARK_DEALERS: withheld (NaN, no limits).
    With the threshold at 4 the centre is the network's 83/103, and the limit
    curve stops at 1.6 × the dealer's own 10 surveys, not at the largest dealer."""
    data = fairness.funnel_data(con, "satisfied_rate", scope=Scope.dealer("D1"), start=JUNE_1, end=JUNE_14)
    assert list(data.points["dealer_id"]) == ["D1"] and data.points["is_self"].all()
    assert pd.isna(data.p0) and data.limits["lower_95"].isna().all()
    monkeypatch.setattr(fairness, "MIN_BENCHMARK_DEALERS", 4)
    data = fairness.funnel_data(con, "satisfied_rate", scope=Scope.dealer("D1"), start=JUNE_1, end=JUNE_14)
    assert data.p0 == pytest.approx(83 / 103) and data.benchmark_only
    assert list(data.points["dealer_id"]) == ["D1"]
    assert data.limits["n"].max() == 16


# ---------------------------------------------------------------- SPC and alerts


def spc(con, **kwargs) -> pd.DataFrame:
    return fairness.complaint_spc(con, scope=Scope.network(), end=JUNE_14, periods=14, recent=4, **kwargs)


def test_spc_rate_chart_of_d1(con) -> None:
    """D1, 1..14 June, 10 ROs a day; alert window the last 4 days (11..14 June),
    baseline 1..10 June: 2 complaints over 100 ROs.
        ū = 2/100 = 0.02;  σ = √(0.02/10) = 0.044721
        ucl = 0.02 + 3 × 0.044721 = 0.154164;  lcl = 0.02 − 0.134164 < 0 → 0
        12 June: 3/10 = 0.3 > 0.154164 → above_ucl (3 complaints: an alert)
        3 June: 1/10 = 0.1 < ucl → no signal."""
    rate = spc(con)
    rate = rate[(rate["dealer_id"] == "D1") & (rate["chart"] == "rate")].set_index("period")
    assert len(rate) == 14
    assert rate["centre"].iloc[0] == pytest.approx(0.02)
    assert rate["ucl"].iloc[0] == pytest.approx(0.154164, abs=1e-6)
    assert (rate["lcl"] == 0).all()
    assert rate.loc[date(2026, 6, 12), "value"] == pytest.approx(0.3)
    assert rate.loc[date(2026, 6, 12), "adverse"] == ("above_ucl",)
    assert rate.loc[date(2026, 6, 3), "adverse"] == ()
    assert list(rate["in_recent"]) == [False] * 10 + [True] * 4


def test_spc_count_chart_of_d1(con) -> None:
    """Counts per day; baseline 1..10 June: c̄ = 2/10 = 0.2;
    ucl = 0.2 + 3√0.2 = 0.2 + 1.341641 = 1.541641; 12 June: 3 > ucl → above_ucl,
    and 3 complaints reach MIN_ALERT_COUNT: an alert.
    A day with no row (no ROs, no complaints) counts 0."""
    count = spc(con)
    count = count[(count["dealer_id"] == "D1") & (count["chart"] == "count")].set_index("period")
    assert count["centre"].iloc[0] == pytest.approx(0.2)
    assert count["ucl"].iloc[0] == pytest.approx(1.541641, abs=1e-6)
    assert count.loc[date(2026, 6, 12), "adverse"] == ("above_ucl",)
    assert count["count"].sum() == 5


def test_spc_quiet_dealers_raise_nothing(con) -> None:
    """D4: 80 ROs and 1 complaint, both on 3 June: ū = 1/80 = 0.0125 and 3 June is
    exactly on the centre; c̄ = 1/10 = 0.1, ucl = 0.1 + 3√0.1 = 1.048683 > 1.
    The other dealers have no complaint: centre 0, nothing above it."""
    frame = spc(con)
    d4 = frame[(frame["dealer_id"] == "D4") & (frame["chart"] == "rate")].set_index("period")
    assert d4.loc[date(2026, 6, 3), "value"] == pytest.approx(0.0125) == d4.loc[date(2026, 6, 3), "centre"]
    d4_count = frame[(frame["dealer_id"] == "D4") & (frame["chart"] == "count")]
    assert d4_count["ucl"].iloc[0] == pytest.approx(1.048683, abs=1e-6)
    assert not frame[frame["dealer_id"] != "D1"]["adverse"].map(len).any()


def test_alerts_list_recent_adverse_points(con) -> None:
    """Only D1's 12 June, on both charts (rate first)."""
    alerts = fairness.spc_alerts(spc(con))
    assert list(zip(alerts["dealer_id"], alerts["period"], alerts["chart"])) == [
        ("D1", date(2026, 6, 12), "rate"), ("D1", date(2026, 6, 12), "count")]


def test_alerts_follow_scope_and_filters(con) -> None:
    """R2 has no complaint, so no alert; a region filter does the same for R1's
    dealers except D1; the dealer scope of D1 sees its own."""
    assert fairness.complaint_alerts(con, scope=Scope.region("R2"), end=JUNE_14).empty
    r1 = fairness.complaint_alerts(con, scope=Scope.network(), end=JUNE_14, filters={"dealer_id": ["D2", "D4"]})
    assert r1.empty
    mine = fairness.complaint_alerts(con, scope=Scope.dealer("D1"), end=JUNE_14)
    assert set(mine["dealer_id"]) == {"D1"} and set(mine["dealer_name"]) == {"一号店"}


def test_weekly_spc_sums_days(con) -> None:
    """Weekly points are ISO weeks (Monday first): 1 June 2026 is a Monday, so
    the weeks of 1 and 8 June hold D1's complaints 2 (3rd, 7th) and 3 (12th)."""
    weekly = fairness.complaint_spc(con, scope=Scope.dealer("D1"), end=JUNE_14, grain="week", periods=2, recent=1)
    counts = weekly[weekly["chart"] == "count"].set_index("period")["count"].to_dict()
    assert counts == {date(2026, 6, 1): 2, date(2026, 6, 8): 3}
    assert weekly["complete"].all()  # 14 June is a Sunday: the second week is whole


# ---------------------------------------------------------------- projection


def projections(con) -> pd.DataFrame:
    return fairness.mtd_projections(
        con, ["complaint_count", "satisfied_rate", "first_time_fix_rate", "ro_count", "avg_repair_cycle_hours"],
        scope=Scope.dealer("D1"), through=JUNE_14, dealer_id="D1",
    ).set_index("metric_id")


def test_projection_of_a_count_against_target(con) -> None:
    """D1: 5 complaints through 14 June (of 30 days): 5 × 30/14 = 10.714286.
    Target 6 (dealer row), band upper 8: 10.714286 > 8 → red; not on track;
    gap_to_target = 6 − 5 = 1 complaint of room left."""
    row = projections(con).loc["complaint_count"]
    assert row["to_date"] == 5 and row["projected"] == pytest.approx(10.714286, abs=1e-6)
    assert (row["target"], row["target_upper"], row["target_scope"]) == (6, 8, "dealer")
    assert row["on_track"] == False  # noqa: E712 (a numpy bool from the frame)
    assert row["status"] == "red" and row["gap_to_target"] == 1
    assert (row["days_elapsed"], row["days_in_month"]) == (14, 30)


def test_projection_of_a_rate_against_target(con) -> None:
    """D1 satisfied 6 of 10: projection 0.6, Wilson [0.312674, 0.831820]. Target
    0.82 (region R1), lower 0.78: 0.6 < 0.78 → red, not on track; 0.82 lies inside
    the interval, so decided = False: too early to call."""
    row = projections(con).loc["satisfied_rate"]
    assert row["projected"] == pytest.approx(0.6)
    assert row["lower"] == pytest.approx(0.312674, abs=1e-6) and row["upper"] == pytest.approx(0.831820, abs=1e-6)
    assert (row["target"], row["status"]) == (0.82, "red")
    assert row["on_track"] == False and row["decided"] == False  # noqa: E712


def test_projection_notes_and_no_invented_target(con) -> None:
    """First-time fix matures 30 days after closing: no projection. ROs are a
    volume: 140 × 30/14 = 300, no target, no verdict. The cycle (all 2 h) has no
    target: projected 2.0, status None."""
    rows = projections(con)
    assert rows.loc["first_time_fix_rate", "note"] == "matures_later"
    assert pd.isna(rows.loc["first_time_fix_rate", "projected"])
    assert rows.loc["ro_count", "projected"] == pytest.approx(300)
    assert pd.isna(rows.loc["ro_count", "status"]) and pd.isna(rows.loc["ro_count", "target"])
    assert rows.loc["avg_repair_cycle_hours", "projected"] == pytest.approx(2.0)
    assert pd.isna(rows.loc["avg_repair_cycle_hours", "status"])


# ---------------------------------------------------------------- peer groups


def test_peer_groups_by_type_and_volume(con) -> None:
    """ROs in the 14 days up to 14 June (the data starts 1 June):
    D2 20, D3 60, D4 80, D5 100, D6 120, D1 140; monthly = count × 30.4375/14
    (D1: 304.375). Terciles of six volumes: q1 at rank 5/3 → between the 2nd and
    3rd, q2 at rank 10/3 → between the 4th and 5th: small D2 D3, medium D4 D5,
    large D6 D1. With types: 4S/small {D2, D3}, chain/medium {D4, D5},
    4S/large {D1, D6}, two dealers each."""
    groups = fairness.peer_groups(con, scope=Scope.network(), end=JUNE_14, volume_days=14).set_index("dealer_id")
    assert groups.loc["D1", "monthly_ro_volume"] == pytest.approx(304.375)
    assert groups["peer_group"].to_dict() == {
        "D1": "4S/large", "D2": "4S/small", "D3": "4S/small", "D4": "chain/medium", "D5": "chain/medium",
        "D6": "4S/large"}
    assert set(groups["peer_group_size"]) == {2}
    # Classes come from the network even for a region user.
    assert fairness.peer_groups(con, scope=Scope.region("R2"), end=JUNE_14, volume_days=14).set_index(
        "dealer_id")["peer_group"].to_dict() == {"D3": "4S/small", "D5": "chain/medium", "D6": "4S/large"}


def test_peer_values_are_ratios_of_sums(con) -> None:
    """Complaint rate 1..14 June:
      D1 5/140 = 0.035714; its group 4S/large {D1, D6}: (5 + 0)/(140 + 120) = 0.019231
      D4 1/80 = 0.0125;    chain/medium {D4, D5}: 1/(80 + 100) = 0.005556
      network 6/520 = 0.011538 — not the mean of dealer rates (0.008036)."""
    peers = fairness.peer_comparison(con, ["complaint_rate"], scope=Scope.network(), start=JUNE_1, end=JUNE_14,
                                     volume_days=14).set_index("dealer_id")
    assert peers.loc["D1", "value"] == pytest.approx(5 / 140)
    assert peers.loc["D1", "peer_value"] == pytest.approx(5 / 260)
    assert peers.loc["D4", "peer_value"] == pytest.approx(1 / 180)
    assert peers.loc["D1", "network_value"] == pytest.approx(6 / 520)
    check = kpi.compute(con, ["complaint_rate"], start=JUNE_1, end=JUNE_14, filters={"dealer_id": ["D1", "D6"]})
    assert peers.loc["D1", "peer_value"] == pytest.approx(check.loc[0, "complaint_rate"])


def test_peer_values_withheld_for_a_dealer_user(con) -> None:
    """A dealer user sees its own value; its group has 2 dealers (< 5), so the
    group's value, which would be the other dealer's, is withheld. The network's
    complaint rate rests on 6 dealers: shown."""
    peers = fairness.peer_comparison(con, ["complaint_rate"], scope=Scope.dealer("D1"), start=JUNE_1, end=JUNE_14,
                                     volume_days=14)
    assert list(peers["dealer_id"]) == ["D1"]
    assert peers.loc[0, "peer_value"] is None
    assert peers.loc[0, "network_value"] == pytest.approx(6 / 520)


# ---------------------------------------------------------------- targets over time


def test_target_series_follows_validity(con) -> None:
    """D3 (R2): network 0.80 until its own 0.83 starts on 10 June.
    D1 (R1): region 0.82 through 30 June (valid_to inclusive), network 0.80 from 1 July.
    complaint_rate: no row at all → NaN every period."""
    days = [date(2026, 6, 1), date(2026, 6, 9), date(2026, 6, 10), date(2026, 6, 30), date(2026, 7, 1)]
    d3 = fairness.target_series(con, "satisfied_rate", days, Scope.network(), dealer_id="D3")
    assert list(d3["target"]) == [0.80, 0.80, 0.83, 0.83, 0.83]
    assert list(d3["lower"].fillna(-1)) == [-1, -1, 0.80, 0.80, 0.80]
    d1 = fairness.target_series(con, "satisfied_rate", days, Scope.network(), dealer_id="D1")
    assert list(d1["target"]) == [0.82, 0.82, 0.82, 0.82, 0.80]
    assert fairness.target_series(con, "complaint_rate", days, Scope.network(), dealer_id="D1")["target"].isna().all()


def test_target_rows_stay_in_scope(con) -> None:
    """A D1 user reads network rows and rows of R1 and D1, never D3's."""
    rows = fairness.target_rows(con, ["satisfied_rate", "complaint_count"], Scope.dealer("D1"))
    assert set(zip(rows["scope"], rows["scope_id"].fillna("-"))) == {("network", "-"), ("region", "R1"),
                                                                   ("dealer", "D1")}
    assert fairness.target_for(con, "satisfied_rate", JUNE_14, Scope.dealer("D1"), dealer_id="D1") == {
        "target": 0.82, "lower": 0.78, "upper": None, "scope": "region"}


def test_league_too_good_needs_evidence(tmp_path) -> None:
    """Band of satisfied_rate given an upper edge 0.95 (network row, target 0.80):
    D5 3 of 3 = 1.0 is beyond it, but its Wilson interval [0.438503, 1] reaches
    back to 0.95: green, 'meets'. No dealer here has a lower bound above 0.95."""
    path = build(tmp_path / "band.duckdb")
    with duckdb.connect(str(path)) as writable:
        writable.execute("UPDATE targets SET upper = 0.95 WHERE scope = 'network'")
    with duckdb.connect(str(path), read_only=True) as con:
        table = league(con).set_index("dealer_id")
    assert (table.loc["D5", "status"], table.loc["D5", "status_reason"]) == ("green", "meets")


def test_projection_too_good_needs_evidence(tmp_path) -> None:
    """satisfied_rate for D3 through 14 June: 42 of 50 = 0.84, Wilson [0.714858,
    0.916626]. With D3's band given an upper edge of 0.83 (below its own target, a
    contrived band), 0.84 is beyond it on the good side, but the interval reaches
    back to 0.83: green, not the rule's red."""
    path = build(tmp_path / "band.duckdb")
    with duckdb.connect(str(path)) as writable:
        writable.execute("UPDATE targets SET target = 0.82, upper = 0.83 WHERE scope = 'dealer' AND scope_id = 'D3'")
    with duckdb.connect(str(path), read_only=True) as con:
        row = fairness.mtd_projections(con, ["satisfied_rate"], scope=Scope.network(), through=JUNE_14,
                                       dealer_id="D3", filters={"dealer_id": ["D3"]}).iloc[0]
    assert row["projected"] == pytest.approx(0.84) and row["status"] == "green"
