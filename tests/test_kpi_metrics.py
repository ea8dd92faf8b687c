"""Every metric of KPI_DEFINITIONS.md on the hand-built network of kpi_fixture.

The fixture's docstring lists the rows; each test's docstring gives the arithmetic.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

import kpi
from kpi import registry
from tests import kpi_fixture

AS_OF = "2026-03-10 00:00:00"


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    return kpi_fixture.build(tmp_path_factory.mktemp("kpi") / "network.duckdb")


def rows(frame, key: str) -> dict:
    """{key value: row as dict}; a NULL key becomes None."""
    out = {}
    for record in frame.to_dict("records"):
        k = record[key]
        out[None if k is None or k != k else k] = record
    return out


def is_null(value) -> bool:
    return value is None or value != value


# ------------------------------------------------------------------ service process


def test_first_time_fix_rate_by_dealer(network):
    """as_of 03-10 00:00, W = 30 d: matured means closed on or before 02-08 00:00.
    D1: matured repair-type A1, A2, A3, B2 (N5 has no fault code) = 4. A1 comes back
        (B1, 29 d later, at D2), A2 comes back (B2, exactly 30 d); A3 does not (B3 is
        30 d + 1 s later); B2 has no later visit -> 2 / 4 = 0.5.
    D2: B1 matured, no comeback -> 1 / 1. M4 is maintenance.
    D3: B3 closed 02-09 18:00:01, not matured; O6 open -> 0 / 0 = NULL."""
    frame = kpi.compute(network, ["first_time_fix_rate"], by=["dealer_id"], as_of=AS_OF)
    r = rows(frame, "dealer_id")
    assert (r["D1"]["first_time_fix_rate__num"], r["D1"]["first_time_fix_rate__den"]) == (2, 4)
    assert r["D1"]["first_time_fix_rate"] == 0.5
    assert (r["D2"]["first_time_fix_rate__num"], r["D2"]["first_time_fix_rate__den"]) == (1, 1)
    assert r["D3"]["first_time_fix_rate__den"] == 0
    assert is_null(r["D3"]["first_time_fix_rate"])


def test_maturity_boundary_is_inclusive(network):
    """B3 closed 02-09 18:00:01; with as_of exactly 30 days later (03-11 18:00:01) it
    is matured (closed_at + W <= as_of), one second earlier it is not.
    D3: 1 / 1 at the boundary, 0 / 0 (NULL) a second before."""
    at = kpi.compute(network, ["first_time_fix_rate"], by=["dealer_id"], as_of="2026-03-11 18:00:01")
    before = kpi.compute(network, ["first_time_fix_rate"], by=["dealer_id"], as_of="2026-03-11 18:00:00")
    assert rows(at, "dealer_id")["D3"]["first_time_fix_rate__den"] == 1
    assert rows(at, "dealer_id")["D3"]["first_time_fix_rate"] == 1.0
    assert rows(before, "dealer_id")["D3"]["first_time_fix_rate__den"] == 0


def test_comeback_window_is_configurable(network):
    """W = 29 d: A1 -> B1 (exactly 29 d) is still a pair, A2 -> B2 (30 d) no longer.
    Matured by as_of 03-10 00:00 means closed by 02-09 00:00: D1's A1, A2, A3, B2.
    D1 FTFR = (A2, A3, B2) 3 / 4 = 0.75; repeat rate D1 = 0 / 4, D2 = B1 1 / 1."""
    frame = kpi.compute(
        network, ["first_time_fix_rate", "repeat_repair_rate"], by=["dealer_id"], as_of=AS_OF, window_days=29
    )
    r = rows(frame, "dealer_id")
    assert r["D1"]["first_time_fix_rate"] == 0.75
    assert (r["D1"]["repeat_repair_rate__num"], r["D1"]["repeat_repair_rate__den"]) == (0, 4)
    assert r["D2"]["repeat_repair_rate"] == 1.0


def test_repeat_repair_rate_counts_at_the_repeat_visits_dealer(network):
    """Repair-type ROs opened: D1 A1, A2, A3, B2 -> B2 is a repeat (30 d) -> 1 / 4;
    D2 B1 is a repeat of D1's A1 (29 d) -> 1 / 1; D3 B3 (30 d + 1 s) and O6 -> 0 / 2.
    Region R1 = (1 + 1) / (4 + 1) = 0.4, not the mean of 0.25 and 1.0."""
    by_dealer = rows(kpi.compute(network, ["repeat_repair_rate"], by=["dealer_id"]), "dealer_id")
    assert by_dealer["D1"]["repeat_repair_rate"] == 0.25
    assert by_dealer["D2"]["repeat_repair_rate"] == 1.0
    assert (by_dealer["D3"]["repeat_repair_rate__num"], by_dealer["D3"]["repeat_repair_rate__den"]) == (0, 2)
    by_region = rows(kpi.compute(network, ["repeat_repair_rate"], by=["region_id"]), "region_id")
    assert by_region["R1"]["repeat_repair_rate"] == pytest.approx(0.4, abs=0)


def test_ro_count_by_month_and_iso_week(network):
    """Opened: January A1, A2, A3, M4, N5, B1 = 6; February B2, B3 = 2; March O6 = 1.
    Weeks are ISO, labelled by their Monday: A1 (Thu 2026-01-01) falls in the week of
    Mon 2025-12-29 with A2 (Mon 01-05 is the next week, so alone: 1)."""
    months = kpi.compute(network, ["ro_count"], grain="month")
    assert list(months["period"]) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert list(months["ro_count"]) == [6, 2, 1]
    weeks = rows(kpi.compute(network, ["ro_count"], grain="week"), "period")
    assert weeks[date(2025, 12, 29)]["ro_count"] == 1
    assert weeks[date(2026, 1, 5)]["ro_count"] == 2  # A2 (Mon 01-05), A3 (Sat 01-10)


def test_date_range_is_inclusive_of_whole_days(network):
    """start = end = 2026-01-31: B1 opened 01-31 08:00 is in, nothing else -> 1.
    2026-01-01 .. 2026-01-05 : A1 (01-01 08:00), A2 (01-05 10:00) -> 2."""
    assert kpi.compute(network, ["ro_count"], start="2026-01-31", end="2026-01-31")["ro_count"][0] == 1
    assert kpi.compute(network, ["ro_count"], start="2026-01-01", end="2026-01-05")["ro_count"][0] == 2


def test_repair_cycle_mean_and_median(network):
    """Closed ROs, all types, anchored at closed_at.
    D1: A1 24, A2 10, A3 8, B2 4, N5 6 h -> mean 52 / 5 = 10.4; median of 4 6 8 10 24 = 8.
    D2: B1 4, M4 2 h -> mean 3; median interpolates between 2 and 4 -> 3.
    D3: B3 1 h (O6 is open)."""
    frame = kpi.compute(network, ["avg_repair_cycle_hours", "median_repair_cycle_hours"], by=["dealer_id"])
    r = rows(frame, "dealer_id")
    assert r["D1"]["avg_repair_cycle_hours"] == pytest.approx(10.4, rel=1e-15)
    assert r["D1"]["avg_repair_cycle_hours__n"] == 5
    assert r["D1"]["median_repair_cycle_hours"] == 8.0
    assert r["D2"]["median_repair_cycle_hours"] == 3.0
    assert r["D3"]["avg_repair_cycle_hours"] == 1.0


def test_on_time_delivery_rate(network):
    """Closed ROs with promised_at, D1: A1 (closed = promised: on time), A2 (20:00 vs
    18:00: late), B2 (equal: on time), N5 (15:00 vs 14:00: late) -> 2 / 4.
    D2 and D3 closed ROs have no promise -> 0 / 0 = NULL."""
    r = rows(kpi.compute(network, ["on_time_delivery_rate"], by=["dealer_id"]), "dealer_id")
    assert (r["D1"]["on_time_delivery_rate__num"], r["D1"]["on_time_delivery_rate__den"]) == (2, 4)
    assert is_null(r["D2"]["on_time_delivery_rate"])


def test_response_times(network):
    """D1 answered: Q1 2 h, Q2 24 h, Q3 24 h + 1 s = 24 + 1/3600 h.
    mean = (50 + 1/3600) / 3; median = 24;
    p90: rank 0.9 × (3 − 1) = 1.8 -> 24 + 0.8 × (1/3600) h."""
    frame = kpi.compute(
        network, ["avg_response_hours", "median_response_hours", "p90_response_hours"], by=["dealer_id"]
    )
    d1 = rows(frame, "dealer_id")["D1"]
    assert d1["avg_response_hours"] == pytest.approx((50 + 1 / 3600) / 3, rel=1e-14)
    assert d1["median_response_hours"] == 24.0
    assert d1["p90_response_hours"] == pytest.approx(24 + 0.8 / 3600, rel=1e-14)
    assert d1["avg_response_hours__n"] == 3


def test_response_sla_rate_boundaries(network):
    """S = 24 h, as_of 03-10 00:00. D1 denominator: Q1, Q2, Q3, Q4 (ran out 03-09
    23:00), Q6 (runs out exactly at as_of: counted); Q5 (runs out a second after
    as_of) is left out -> 5. Within 24 h: Q1, Q2 (exactly 24 h) -> 2 / 5 = 0.4."""
    r = rows(kpi.compute(network, ["response_sla_rate"], by=["dealer_id"], as_of=AS_OF), "dealer_id")
    assert (r["D1"]["response_sla_rate__num"], r["D1"]["response_sla_rate__den"]) == (2, 5)
    assert r["D1"]["response_sla_rate"] == 0.4
    assert r["D2"]["response_sla_rate"] == 1.0


def test_response_sla_unanswered_before_it_runs_out(network):
    """as_of 03-09 12:00: the SLAs of Q4 (03-09 23:00), Q6 (03-10 00:00) and Q5
    (03-10 00:00:01) have not run out, so all three are left out.
    D1 denominator: Q1, Q2, Q3 -> 3, numerator Q1, Q2 -> 2 / 3."""
    r = rows(kpi.compute(network, ["response_sla_rate"], by=["dealer_id"], as_of="2026-03-09 12:00:00"), "dealer_id")
    assert (r["D1"]["response_sla_rate__num"], r["D1"]["response_sla_rate__den"]) == (2, 3)


def test_null_product_is_its_own_group(network):
    """By product, answered requests: P1 Q1 2, Q2 24, Q7 0.5 -> 26.5 / 3; NULL Q3;
    P2 has only unanswered requests -> NULL mean, n = 0."""
    r = rows(kpi.compute(network, ["avg_response_hours"], by=["product_id"]), "product_id")
    assert r["P1"]["avg_response_hours"] == pytest.approx(26.5 / 3, rel=1e-15)
    assert r[None]["avg_response_hours"] == pytest.approx(24 + 1 / 3600, rel=1e-15)
    assert is_null(r["P2"]["avg_response_hours"]) and r["P2"]["avg_response_hours__n"] == 0


# ------------------------------------------------------------------ satisfaction


def test_complaint_counts_and_rate_by_dealer(network):
    """Complaints D1 C1, C2, C4 = 3, D2 C3 = 1, D3 none. ROs opened D1 5, D2 2, D3 2.
    Rate: D1 3/5 = 0.6, D2 1/2 = 0.5, D3 0/2 = 0."""
    r = rows(kpi.compute(network, ["complaint_count", "complaint_rate"], by=["dealer_id"]), "dealer_id")
    assert [r[d]["complaint_count"] for d in ("D1", "D2", "D3")] == [3, 1, 0]
    assert [r[d]["complaint_rate"] for d in ("D1", "D2", "D3")] == [0.6, 0.5, 0.0]


def test_complaint_rate_by_product_with_null_group(network):
    """P1: complaints C1, C4 = 2 over ROs A1, B1, A3, B3, M4 = 5 -> 0.4.
    P2: C2 = 1 over A2, B2, N5, O6 = 4 -> 0.25. NULL product: C3 over 0 ROs -> NULL."""
    r = rows(kpi.compute(network, ["complaint_rate"], by=["product_id"]), "product_id")
    assert r["P1"]["complaint_rate"] == 0.4
    assert r["P2"]["complaint_rate"] == 0.25
    assert (r[None]["complaint_rate__num"], r[None]["complaint_rate__den"]) == (1, 0)
    assert is_null(r[None]["complaint_rate"])


def test_complaint_close_sla_and_time_to_close(network):
    """C = 72 h, as_of 03-10. D1: C1 closed in exactly 72 h (in), C2 72 h + 1 s (out),
    C4 open but its 72 h run out 03-11 (left out) -> 1 / 2. D2: C3 open, ran out
    03-08 -> 0 / 1. Mean close hours D1: (72 + 72 + 1/3600) / 2."""
    frame = kpi.compute(
        network, ["complaint_close_sla_rate", "avg_complaint_close_hours"], by=["dealer_id"], as_of=AS_OF
    )
    r = rows(frame, "dealer_id")
    assert (r["D1"]["complaint_close_sla_rate__num"], r["D1"]["complaint_close_sla_rate__den"]) == (1, 2)
    assert (r["D2"]["complaint_close_sla_rate__num"], r["D2"]["complaint_close_sla_rate__den"]) == (0, 1)
    assert r["D1"]["avg_complaint_close_hours"] == pytest.approx(72 + 1 / 7200, rel=1e-15)
    assert is_null(r["D2"]["avg_complaint_close_hours"])


def test_survey_shares_and_score(network):
    """D1 surveys S1 (5), S2 (4), S4 (no score), S5 (3): count 4; with a score 3.
    satisfied (>= 4) 2/3, very satisfied (= 5) 1/3, dissatisfied (<= 2) 0/3, mean 4.
    D2: S3 (2): satisfied 0/1, dissatisfied 1/1, mean 2."""
    metrics = ["survey_count", "satisfied_rate", "very_satisfied_rate", "dissatisfied_rate", "avg_satisfaction_score"]
    r = rows(kpi.compute(network, metrics, by=["dealer_id"]), "dealer_id")
    d1, d2 = r["D1"], r["D2"]
    assert d1["survey_count"] == 4
    assert (d1["satisfied_rate__num"], d1["satisfied_rate__den"]) == (2, 3)
    assert (d1["very_satisfied_rate__num"], d1["dissatisfied_rate__num"]) == (1, 0)
    assert d1["avg_satisfaction_score"] == 4.0
    assert (d2["satisfied_rate"], d2["dissatisfied_rate"], d2["avg_satisfaction_score"]) == (0.0, 1.0, 2.0)


def test_survey_coverage(network):
    """Closed ROs with a survey carrying their ro_id. D1 closed A1, A2, A3, B2, N5;
    A1 has two surveys (counted once) -> 1 / 5. D2: B1 yes, M4 no -> 1 / 2."""
    r = rows(kpi.compute(network, ["survey_coverage_rate"], by=["dealer_id"]), "dealer_id")
    assert (r["D1"]["survey_coverage_rate__num"], r["D1"]["survey_coverage_rate__den"]) == (1, 5)
    assert r["D2"]["survey_coverage_rate"] == 0.5


# ------------------------------------------------------------------ SERVQUAL


def test_servqual_gaps_weighted_gap_and_csi(network):
    """Network, perc − exp per survey (S1, S2, S3):
    reliability -1, -1, -3 -> -5/3;  responsiveness 0, 0, (S3 missing) -> 0;
    assurance +1, -1, -2 -> -2/3;     empathy 0, +1, -2 -> -1/3;  tangibles +1, +1, -1 -> 1/3.
    weighted = 0.32(-5/3) + 0.22(0) + 0.19(-2/3) + 0.16(-1/3) + 0.11(1/3) = -2.03 / 3.
    CSI over surveys with all ten answers (S1, S2), in weight points:
    perc S1 32·5+22·6+19·7+16·6+11·7 = 598, S2 32·6+22·5+19·5+16·6+11·5 = 548;
    exp  S1 100·6 = 600,                  S2 32·7+22·5+19·6+16·5+11·4 = 572;
    CSI = 100 × 1146 / 1172."""
    metrics = [f"servqual_gap_{d}" for d in registry.SERVQUAL_WEIGHT_POINTS] + ["servqual_weighted_gap", "csi"]
    r = kpi.compute(network, metrics).iloc[0]
    assert r["servqual_gap_reliability"] == pytest.approx(-5 / 3, rel=1e-15)
    assert r["servqual_gap_responsiveness"] == 0.0
    assert r["servqual_gap_responsiveness__n"] == 2
    assert r["servqual_gap_assurance"] == pytest.approx(-2 / 3, rel=1e-15)
    assert r["servqual_gap_empathy"] == pytest.approx(-1 / 3, rel=1e-15)
    assert r["servqual_gap_tangibles"] == pytest.approx(1 / 3, rel=1e-15)
    assert r["servqual_weighted_gap"] == pytest.approx(-2.03 / 3, rel=1e-14)
    assert (r["csi__num"], r["csi__den"]) == (1146, 1172)
    assert r["csi"] == pytest.approx(100 * 1146 / 1172, rel=1e-15)


def test_weighted_gap_is_null_when_a_gap_is_null(network):
    """D2 has only S3, whose responsiveness perception is missing: that gap is NULL,
    so the weighted gap is NULL; CSI has no complete survey -> 0 / 0 = NULL."""
    r = rows(kpi.compute(network, ["servqual_weighted_gap", "csi"], by=["dealer_id"]), "dealer_id")["D2"]
    assert is_null(r["servqual_weighted_gap"])
    assert is_null(r["csi"])


# ------------------------------------------------------------------ common rules


RATES = [m.id for m in registry.METRICS.values() if m.kind == "rate"]


def test_region_parts_are_sums_of_its_dealers(network):
    """For every rate, a region's numerator and denominator equal the sums of its
    dealers' (ratio of sums); the region's value is their quotient."""
    by_dealer = kpi.compute(network, RATES, by=["region_id", "dealer_id"], as_of=AS_OF)
    by_region = rows(kpi.compute(network, RATES, by=["region_id"], as_of=AS_OF), "region_id")
    for metric in RATES:
        for region, group in by_dealer.groupby("region_id"):
            num, den = group[f"{metric}__num"].sum(), group[f"{metric}__den"].sum()
            assert (by_region[region][f"{metric}__num"], by_region[region][f"{metric}__den"]) == (num, den), metric
            if den:
                assert by_region[region][metric] == num / den


def test_default_as_of_is_latest_repair_order_timestamp(network):
    """Latest opened_at is O6 03-01 08:00, latest closed_at B3 02-09 18:00:01."""
    with kpi.engine.cursor(network) as con:
        assert kpi.engine.default_as_of(con) == datetime(2026, 3, 1, 8, 0)


def test_filters_and_null_filter_values(network):
    """complaint_count with product_id in (NULL) -> C3 only; in (P1, NULL) -> C1, C3, C4."""
    assert kpi.compute(network, ["complaint_count"], filters={"product_id": [None]})["complaint_count"][0] == 1
    assert kpi.compute(network, ["complaint_count"], filters={"product_id": ["P1", None]})["complaint_count"][0] == 3


def test_scope_restricts_every_source(network):
    """Region R2 holds only D3: ROs B3, O6 = 2; complaints 0; rate 0 / 2."""
    frame = kpi.compute(network, ["ro_count", "complaint_rate"], scope=kpi.Scope.region("R2"))
    assert (frame["ro_count"][0], frame["complaint_rate__num"][0], frame["complaint_rate__den"][0]) == (2, 0, 2)
    dealer = kpi.compute(network, ["ro_count"], by=["dealer_id"], scope=kpi.Scope.dealer("D2"))
    assert list(dealer["dealer_id"]) == ["D2"]


def test_dimension_attributes_through_dealer_and_product(network):
    """dealer_type 4S = D1 + D3: ROs 5 + 2 = 7; chain = D2: 2. powertrain BEV = P2: 4."""
    r = rows(kpi.compute(network, ["ro_count"], by=["dealer_type"]), "dealer_type")
    assert (r["4S"]["ro_count"], r["chain"]["ro_count"]) == (7, 2)
    assert rows(kpi.compute(network, ["ro_count"], by=["powertrain"]), "powertrain")["BEV"]["ro_count"] == 4


@pytest.mark.parametrize(
    "kwargs, culprit",
    [
        ({"metrics": ["no_such_metric"]}, "no_such_metric"),
        ({"metrics": ["complaint_rate"], "by": ["category"]}, "category"),
        ({"metrics": ["first_time_fix_rate"], "by": ["channel"]}, "channel"),
        ({"metrics": ["ro_count"], "by": ["colour"]}, "colour"),
        ({"metrics": ["ro_count"], "grain": "fortnight"}, "fortnight"),
        ({"metrics": ["ro_count"], "start": "2026-13-01"}, "2026-13-01"),
        ({"metrics": ["ro_count"], "start": "2026-02-01", "end": "2026-01-01"}, "2026-02-01"),
        ({"metrics": ["ro_count"], "filters": {"severity": ["high"]}}, "severity"),
    ],
)
def test_errors_name_the_culprit(network, kwargs, culprit):
    with pytest.raises(kpi.QueryError, match=culprit):
        kpi.compute(network, **kwargs)


def test_empty_database_gives_counts_zero_and_rates_null(tmp_path):
    """No rows: one row, ro_count 0, first_time_fix_rate 0 / 0 = NULL."""
    from kpi import db

    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    frame = kpi.compute(path, ["ro_count", "first_time_fix_rate"])
    assert frame["ro_count"][0] == 0 and is_null(frame["first_time_fix_rate"][0])
