"""The complaint case list, the closed-loop counts and the duration histograms on
the hand-built network of tests/complaint_fixture.py (its docstring lists the rows)."""
from __future__ import annotations

import math

import pytest

import kpi
from kpi import distributions
from kpi.complaint_cases import closed_loop_summary, complaint_cases
from kpi.row_filters import RowQueryError
from kpi.scope import Scope
from tests import complaint_fixture
from tests.complaint_fixture import AS_OF


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    return complaint_fixture.build(tmp_path_factory.mktemp("cases") / "cases.duckdb")


def ids(frame) -> list[str]:
    return list(frame["complaint_id"])


# ------------------------------------------------------------------ case list


def test_case_list_newest_first_with_closed_loop_flags(network):
    """K5 (03-08) ... K6 (02-27). Past SLA: K2 closed 72 h + 1 s; K3 open 120 h; K4 open
    exactly 72 h at as_of (the rate counts it as a miss). K1 closed at 72 h exactly is
    within. Followed up: K1 and K6 (closed, with a call)."""
    cases = complaint_cases(network, as_of=AS_OF)
    assert ids(cases) == ["K5", "K4", "K3", "K2", "K1", "K6"]
    by_id = cases.set_index("complaint_id")
    assert dict(by_id["past_sla"]) == {"K5": False, "K4": True, "K3": True, "K2": True, "K1": False, "K6": False}
    assert dict(by_id["followed_up"]) == {"K5": False, "K4": False, "K3": False, "K2": False, "K1": True, "K6": True}
    assert dict(by_id["is_closed"]) == {"K5": False, "K4": False, "K3": False, "K2": True, "K1": True, "K6": True}
    assert by_id.loc["K1", "hours_to_close"] == 72
    assert by_id.loc["K2", "hours_to_close"] == pytest.approx(72 + 1 / 3600)
    assert by_id.loc["K6", "hours_to_close"] == 12
    assert (by_id.loc["K3", "hours_open"], by_id.loc["K4", "hours_open"], by_id.loc["K5", "hours_open"]) == (120, 72, 36)
    assert math.isnan(by_id.loc["K1", "hours_open"])
    assert math.isnan(by_id.loc["K3", "hours_to_close"])


def test_case_list_carries_names_and_descriptions(network):
    k1 = complaint_cases(network, as_of=AS_OF).set_index("complaint_id").loc["K1"]
    assert (k1["region_id"], k1["region_name"], k1["dealer_name"], k1["model_name"]) == ("R1", "华东", "上海一店", "Model One")
    assert (k1["category"], k1["severity"], k1["channel"]) == ("quality", "high", "hotline")
    assert k1["description"] == "刹车异响，修后复发"


def test_drill_down_filters(network):
    """Region R1 -> D1, D2's K4, K3, K2, K1; then dealer D1 -> K4, K2, K1; then model P1 -> K4, K1.
    The NULL model group holds K3 only."""
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"region_id": "R1"})) == ["K4", "K3", "K2", "K1"]
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"region_id": "R1", "dealer_id": "D1"})) == ["K4", "K2", "K1"]
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"dealer_id": "D1", "product_id": ["P1"]})) == ["K4", "K1"]
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"product_id": [None]})) == ["K3"]
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"category": "quality", "severity": ["high", "low"]})) == ["K5", "K1"]
    assert ids(complaint_cases(network, as_of=AS_OF, filters={"series": "S2"})) == ["K5", "K2"]


def test_scope_restricts_through_dealers(network):
    """A region-R2 user sees D3's K5, K6 only; asking for D1 inside that scope gives nothing."""
    assert ids(complaint_cases(network, as_of=AS_OF, scope=Scope.region("R2"))) == ["K5", "K6"]
    assert ids(complaint_cases(network, as_of=AS_OF, scope=Scope.dealer("D2"))) == ["K3"]
    assert complaint_cases(network, as_of=AS_OF, scope=Scope.region("R2"), filters={"dealer_id": "D1"}).empty


def test_dates_are_inclusive_days_of_created_at(network):
    """03-01..03-05 takes K3 (created 03-05 00:00), K2, K1; ending 03-04 leaves K3 out."""
    assert ids(complaint_cases(network, start="2026-03-01", end="2026-03-05", as_of=AS_OF)) == ["K3", "K2", "K1"]
    assert ids(complaint_cases(network, start="2026-03-01", end="2026-03-04", as_of=AS_OF)) == ["K2", "K1"]


def test_status_and_limit(network):
    assert ids(complaint_cases(network, as_of=AS_OF, status="past_sla")) == ["K4", "K3", "K2"]
    assert ids(complaint_cases(network, as_of=AS_OF, status="pending")) == ["K5"]
    assert ids(complaint_cases(network, as_of=AS_OF, status="not_followed_up")) == ["K2"]
    assert ids(complaint_cases(network, as_of=AS_OF, limit=2)) == ["K5", "K4"]


def test_default_as_of_is_that_of_kpi_compute(network):
    """Default as_of = RO1's close 03-09 12:00, cut-off 03-06 12:00: K4 (03-07 00:00) is
    still pending, K3 (03-05) is past SLA."""
    by_id = complaint_cases(network).set_index("complaint_id")
    assert not by_id.loc["K4", "past_sla"]
    assert by_id.loc["K3", "past_sla"]
    assert by_id.loc["K4", "hours_open"] == 60


def test_values_are_bound_never_spliced(network):
    assert complaint_cases(network, as_of=AS_OF, filters={"dealer_id": "D1' OR '1'='1"}).empty


def test_bad_requests_say_what_is_wrong(network):
    with pytest.raises(RowQueryError, match="fault_code"):
        complaint_cases(network, filters={"fault_code": "F1"})
    with pytest.raises(RowQueryError, match="unknown status"):
        complaint_cases(network, status="lost")
    with pytest.raises(RowQueryError, match="group by"):
        closed_loop_summary(network, by=["description"])


# ------------------------------------------------------------------ closed loop


def test_closed_loop_overall(network):
    """6 complaints: closed K1, K2, K6; open K3, K4, K5. Within SLA K1, K6; closed past K2;
    open past K3, K4; pending K5. Followed up K1, K6; closed without a call K2."""
    row = closed_loop_summary(network, as_of=AS_OF).iloc[0].to_dict()
    assert row == {
        "complaints": 6, "closed": 3, "open": 3, "closed_within_sla": 2, "closed_past_sla": 1,
        "open_past_sla": 2, "pending": 1, "followed_up": 2, "closed_not_followed_up": 1,
    }


def test_closed_loop_by_dealer(network):
    frame = closed_loop_summary(network, by=["dealer_id"], as_of=AS_OF).set_index("dealer_id")
    assert frame.loc["D1"].to_dict() == {
        "complaints": 3, "closed": 2, "open": 1, "closed_within_sla": 1, "closed_past_sla": 1,
        "open_past_sla": 1, "pending": 0, "followed_up": 1, "closed_not_followed_up": 1,
    }
    assert frame.loc["D2"].to_dict() == {
        "complaints": 1, "closed": 0, "open": 1, "closed_within_sla": 0, "closed_past_sla": 0,
        "open_past_sla": 1, "pending": 0, "followed_up": 0, "closed_not_followed_up": 0,
    }
    assert frame.loc["D3", "pending"] == 1 and frame.loc["D3", "closed_within_sla"] == 1


def test_closed_loop_empty_selection_is_zeros(network):
    row = closed_loop_summary(network, as_of=AS_OF, filters={"dealer_id": "NOPE"}).iloc[0]
    assert all(int(v) == 0 for v in row.to_dict().values())


@pytest.mark.parametrize("as_of", [AS_OF, None])
def test_closed_loop_agrees_with_kpi_compute(network, as_of):
    """The same rows as the metrics: complaints = complaint_count, closed = the n of
    avg_complaint_close_hours, within = the SLA rate's numerator, and every miss is
    its denominator minus its numerator."""
    loop = closed_loop_summary(network, by=["region_id"], as_of=as_of).set_index("region_id")
    metrics = kpi.compute(
        network, ["complaint_count", "complaint_close_sla_rate", "avg_complaint_close_hours"],
        by=["region_id"], as_of=as_of,
    ).set_index("region_id")
    for region in ("R1", "R2"):
        m, c = metrics.loc[region], loop.loc[region]
        assert c["complaints"] == m["complaint_count"]
        assert c["closed"] == m["avg_complaint_close_hours__n"]
        assert c["closed_within_sla"] == m["complaint_close_sla_rate__num"]
        assert c["closed_past_sla"] + c["open_past_sla"] == m["complaint_close_sla_rate__den"] - m["complaint_close_sla_rate__num"]


# ------------------------------------------------------------------ distributions


def test_complaint_close_histogram_with_fixed_width(network):
    """Closed: K6 12 h, K1 72 h, K2 72 h + 1 s. Width 24: [0,24) 1, [24,48) 0, [48,72) 0,
    [72,96) 2. p50 = 72; p90 = 72 + 0.8 × 1 s (linear between the 2nd and 3rd)."""
    h = distributions.histogram(network, "complaint_close_hours", bin_width=24)
    assert list(h.bins["bin_start"]) == [0, 24, 48, 72]
    assert list(h.bins["count"]) == [1, 0, 0, 2]
    assert not h.bins["is_overflow"].any()
    assert h.n == 3
    assert h.quantiles[0.5] == 72
    assert h.quantiles[0.9] == pytest.approx(72 + 0.8 / 3600)


def test_repair_cycle_histogram_puts_the_long_tail_in_an_overflow_bin(network):
    """Cycles 2 h, 4 h, 196 h. The 98th percentile is 4 + 0.96 × 192 = 188.32; bins of 10 h
    up to 190, so 196 h lands in the overflow bin, and 2 h and 4 h in [0, 10)."""
    h = distributions.histogram(network, "repair_cycle_hours")
    assert h.bin_width == 10 and h.upper == 190
    assert h.bins["count"].iloc[0] == 2
    assert h.bins["is_overflow"].iloc[-1] and h.bins["count"].iloc[-1] == 1
    assert h.bins["count"].sum() == 3


@pytest.mark.parametrize(
    "quantity, filters",
    [
        ("repair_cycle_hours", None),
        ("repair_cycle_hours", {"region_id": "R1"}),
        ("response_hours", None),
        ("response_hours", {"channel": "phone"}),
        ("complaint_close_hours", {"dealer_id": "D1"}),
    ],
)
def test_histogram_counts_the_rows_of_its_metric(network, quantity, filters):
    metric = distributions.METRIC_OF[quantity]
    median = {"repair_cycle_hours": "median_repair_cycle_hours", "response_hours": "median_response_hours"}.get(quantity)
    frame = kpi.compute(network, [metric] + ([median] if median else []), filters=filters)
    h = distributions.histogram(network, quantity, filters=filters)
    assert h.n == frame[f"{metric}__n"].iloc[0] == h.bins["count"].sum()
    if median:
        assert h.quantiles[0.5] == pytest.approx(frame[median].iloc[0])


def test_histogram_honours_scope_and_empty_selection(network):
    """Region R2: D3's RO3 only (4 h). An unknown dealer: no values, no bins."""
    h = distributions.histogram(network, "repair_cycle_hours", scope=Scope.region("R2"))
    assert h.n == 1 and h.quantiles[0.5] == 4
    empty = distributions.histogram(network, "repair_cycle_hours", filters={"dealer_id": "NOPE"})
    assert empty.empty and empty.bins.empty and empty.quantiles[0.5] is None


def test_nice_widths():
    assert distributions.nice_width(188.32, 30) == 10
    assert distributions.nice_width(30, 30) == 1
    assert distributions.nice_width(45, 30) == 2
    assert distributions.nice_width(0, 30) == 1


def test_histogram_can_be_stretched_to_cover_an_sla_line(network):
    """Cycles 2, 4, 196 h; stretched to 200 h the bins still stop at the maximum:
    width 10 (196 / 30 rounds up to 10), 20 regular bins, nothing in overflow."""
    h = distributions.histogram(network, "repair_cycle_hours", reach_at_least=200)
    assert h.upper == 200 and not h.bins["is_overflow"].any()
    assert h.bins["count"].sum() == 3
