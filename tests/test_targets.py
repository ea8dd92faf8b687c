"""Targets: resolution, red/amber/green status, attainment. Numbers worked by hand."""
from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from kpi.targets import (
    AMBER,
    GREEN,
    RED,
    AmbiguousTargetError,
    attainment,
    meets_target,
    rag_status,
    rag_statuses,
    resolve_target,
    resolve_targets,
)

DEALER_REGIONS = {"D1": "EAST", "D2": "EAST", "D3": "WEST"}


def row(scope, scope_id, valid_from, valid_to, target, lower=None, upper=None, metric_id="first_time_fix_rate"):
    return dict(
        metric_id=metric_id, scope=scope, scope_id=scope_id, valid_from=valid_from,
        valid_to=valid_to, target=target, lower=lower, upper=upper,
    )


# network 0.90 from 2024-01-01 open; region EAST 0.92 for H1 2024; dealer D1 0.95 from March.
ROWS = [
    row("network", None, "2024-01-01", None, 0.90),
    row("region", "EAST", "2024-01-01", "2024-06-30", 0.92, 0.88, None),
    row("dealer", "D1", "2024-03-01", None, 0.95),
    row("network", None, "2020-01-01", None, 0.10, metric_id="repeat_repair_rate"),
]


def target_of(on, **who):
    found = resolve_target(ROWS, "first_time_fix_rate", on, dealers=DEALER_REGIONS, **who)
    return None if found is None else (found.scope, found.target)


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def test_dealer_row_wins_from_its_first_day_and_region_applies_the_day_before():
    assert target_of("2024-02-29", dealer_id="D1") == ("region", 0.92)
    assert target_of("2024-03-01", dealer_id="D1") == ("dealer", 0.95)


def test_region_row_valid_to_is_inclusive_then_network_takes_over():
    assert target_of("2024-06-30", dealer_id="D2") == ("region", 0.92)
    assert target_of("2024-07-01", dealer_id="D2") == ("network", 0.90)


def test_dealer_of_another_region_gets_the_network_target():
    assert target_of("2024-04-01", dealer_id="D3") == ("network", 0.90)


def test_no_target_before_any_row_is_valid():
    assert target_of("2023-12-31", dealer_id="D1") is None
    assert target_of("2023-12-31") is None


def test_region_and_network_scopes():
    assert target_of("2024-04-01", region_id="EAST") == ("region", 0.92)
    assert target_of("2024-04-01", region_id="WEST") == ("network", 0.90)
    assert target_of("2024-04-01") == ("network", 0.90)


def test_other_metrics_rows_are_ignored_and_an_unknown_metric_has_no_target():
    found = resolve_target(ROWS, "repeat_repair_rate", "2024-04-01", dealer_id="D1", dealers=DEALER_REGIONS)
    assert (found.scope, found.target) == ("network", 0.10)
    assert resolve_target(ROWS, "csi", "2024-04-01", dealer_id="D1", dealers=DEALER_REGIONS) is None
    assert resolve_target([], "csi", "2024-04-01") is None


def test_resolved_row_carries_band_and_dates():
    found = resolve_target(ROWS, "first_time_fix_rate", date(2024, 5, 1), dealer_id="D2", dealers=DEALER_REGIONS)
    assert found.scope_id == "EAST"
    assert found.valid_from == date(2024, 1, 1) and found.valid_to == date(2024, 6, 30)
    assert (found.lower, found.upper) == (0.88, None)


def test_date_types_and_a_time_of_day_on_the_last_valid_day():
    # A timestamp late on valid_to's day is still that day.
    assert target_of(datetime(2024, 6, 30, 23, 59), dealer_id="D2") == ("region", 0.92)
    assert target_of(pd.Timestamp("2024-06-30"), dealer_id="D2") == ("region", 0.92)
    assert target_of(date(2024, 7, 1), dealer_id="D2") == ("network", 0.90)


def test_frame_as_read_from_the_database_with_nulls_as_nan_and_nat():
    frame = pd.DataFrame(ROWS)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])  # None -> NaT
    frame["lower"] = frame["lower"].astype(float)  # None -> NaN
    dealers = pd.DataFrame({"dealer_id": ["D1", "D2"], "region_id": ["EAST", "EAST"]})
    found = resolve_target(frame, "first_time_fix_rate", "2024-05-01", dealer_id="D2", dealers=dealers)
    assert (found.scope, found.target, found.lower, found.upper) == ("region", 0.92, 0.88, None)
    network = resolve_target(frame, "first_time_fix_rate", "2025-05-01")
    assert network.valid_to is None and network.lower is None


def test_overlapping_rows_of_one_scope_latest_valid_from_wins():
    rows = [
        row("network", None, "2024-01-01", None, 0.90),
        row("network", None, "2024-07-01", None, 0.93),  # the old row was never closed
    ]
    assert resolve_target(rows, "first_time_fix_rate", "2024-06-30").target == 0.90
    assert resolve_target(rows, "first_time_fix_rate", "2024-07-01").target == 0.93


def test_two_rows_starting_the_same_day_are_ambiguous():
    rows = [row("dealer", "D1", "2024-01-01", None, 0.90), row("dealer", "D1", "2024-01-01", "2024-12-31", 0.95)]
    with pytest.raises(AmbiguousTargetError, match="D1"):
        resolve_target(rows, "first_time_fix_rate", "2024-03-01", dealer_id="D1", dealers=DEALER_REGIONS)


def test_dealer_missing_from_mapping_is_an_error_only_when_a_region_target_could_apply():
    with pytest.raises(ValueError, match="D9"):
        resolve_target(ROWS, "first_time_fix_rate", "2024-04-01", dealer_id="D9", dealers=DEALER_REGIONS)
    # After the region row has ended there is nothing the mapping could change.
    found = resolve_target(ROWS, "first_time_fix_rate", "2024-08-01", dealer_id="D9", dealers=DEALER_REGIONS)
    assert found.scope == "network"


def test_region_id_given_with_the_dealer_overrides_the_mapping():
    found = resolve_target(ROWS, "first_time_fix_rate", "2024-04-01", dealer_id="D3", region_id="EAST",
                           dealers=DEALER_REGIONS)
    assert (found.scope, found.target) == ("region", 0.92)


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match="scope"):
        resolve_target([row("country", None, "2024-01-01", None, 1.0)], "first_time_fix_rate", "2024-02-01")
    with pytest.raises(ValueError, match="scope_id"):
        resolve_target([row("dealer", None, "2024-01-01", None, 1.0)], "first_time_fix_rate", "2024-02-01")
    with pytest.raises(ValueError, match="target"):
        resolve_target([{"metric_id": "x", "scope": "network", "valid_from": "2024-01-01"}], "x", "2024-02-01")


def test_resolve_targets_for_a_league_table():
    table = resolve_targets(ROWS, "first_time_fix_rate", "2024-03-01", ["D1", "D2", "D3"], DEALER_REGIONS)
    assert table["dealer_id"].tolist() == ["D1", "D2", "D3"]
    assert table["target"].tolist() == [0.95, 0.92, 0.90]
    assert table["target_scope"].tolist() == ["dealer", "region", "network"]
    assert table["lower"].iloc[1] == 0.88 and math.isnan(table["lower"].iloc[0])
    none_yet = resolve_targets(ROWS, "first_time_fix_rate", "2023-01-01", ["D1"], DEALER_REGIONS)
    assert math.isnan(none_yet["target"].iloc[0]) and none_yet["target_scope"].iloc[0] is None
    assert resolve_targets(ROWS, "first_time_fix_rate", "2024-03-01", [], DEALER_REGIONS).empty


# ---------------------------------------------------------------------------
# Red / amber / green
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(0.95, GREEN), (0.92, GREEN), (0.90, AMBER), (0.88, AMBER), (0.87, RED), (1.00, GREEN)],
)
def test_rag_higher_is_better_target_092_band_088_to_100(value, expected):
    assert rag_status(value, 0.92, 0.88, 1.00, higher_is_better=True) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(0.00, GREEN), (0.03, GREEN), (0.05, GREEN), (0.07, AMBER), (0.08, AMBER), (0.09, RED)],
)
def test_rag_lower_is_better_target_005_band_000_to_008(value, expected):
    assert rag_status(value, 0.05, 0.00, 0.08, higher_is_better=False) == expected


def test_rag_without_band_a_miss_is_red():
    assert rag_status(0.91, 0.92, higher_is_better=True) == RED
    assert rag_status(0.92, 0.92, higher_is_better=True) == GREEN
    assert rag_status(0.06, 0.05, higher_is_better=False) == RED
    assert rag_status(0.05, 0.05, higher_is_better=False) == GREEN


def test_rag_outside_the_band_on_the_good_side_is_red():
    # 100 % satisfied above an upper edge of 0.98: flagged for a look.
    assert rag_status(1.00, 0.92, 0.88, 0.98, higher_is_better=True) == RED
    # No complaints at all below a lower edge of 0.01.
    assert rag_status(0.0, 0.05, 0.01, 0.08, higher_is_better=False) == RED


def test_rag_only_the_edge_on_the_missing_side_gives_tolerance():
    assert rag_status(0.90, 0.92, 0.88, None, higher_is_better=True) == AMBER
    assert rag_status(0.90, 0.92, None, 0.98, higher_is_better=True) == RED
    assert rag_status(0.07, 0.05, None, 0.08, higher_is_better=False) == AMBER
    assert rag_status(0.07, 0.05, 0.01, None, higher_is_better=False) == RED


def test_rag_missing_value_or_target_is_grey():
    assert rag_status(None, 0.92, higher_is_better=True) is None
    assert rag_status(float("nan"), 0.92, higher_is_better=True) is None
    assert rag_status(0.9, None, 0.8, 1.0, higher_is_better=True) is None
    assert rag_status(pd.NA, 0.92, higher_is_better=True) is None


def test_rag_statuses_vectorised_keeps_the_index_and_broadcasts():
    values = pd.Series([0.95, 0.90, 0.80, None], index=["D1", "D2", "D3", "D4"])
    statuses = rag_statuses(values, 0.92, 0.88, None, higher_is_better=True)
    assert statuses.index.tolist() == ["D1", "D2", "D3", "D4"]
    assert statuses.tolist() == [GREEN, AMBER, RED, None]
    per_dealer_targets = pd.Series([0.96, 0.92, np.nan, 0.9], index=values.index)
    assert rag_statuses(values, per_dealer_targets, higher_is_better=True).tolist() == [RED, RED, None, None]
    assert rag_statuses(pd.Series([], dtype=float), 0.9, higher_is_better=True).tolist() == []


def test_meets_target_equal_meets_in_both_directions():
    assert meets_target(0.92, 0.92, higher_is_better=True)
    assert meets_target(0.92, 0.92, higher_is_better=False)
    assert not meets_target(0.91, 0.92, higher_is_better=True)
    assert not meets_target(0.93, 0.92, higher_is_better=False)


# ---------------------------------------------------------------------------
# Attainment
# ---------------------------------------------------------------------------


def test_attainment_both_directions():
    assert attainment(0.874, 0.92, higher_is_better=True) == pytest.approx(0.95)  # 0.874/0.92
    assert attainment(0.04, 0.05, higher_is_better=False) == pytest.approx(1.25)  # 0.05/0.04
    assert attainment(0.06, 0.05, higher_is_better=False) == pytest.approx(0.833333, abs=1e-6)
    assert attainment(30, 24, higher_is_better=False) == pytest.approx(0.8)  # hours: 24/30


def test_attainment_zeros_missing_and_negative():
    assert attainment(0, 0, higher_is_better=False) == 1.0
    assert attainment(0, 0, higher_is_better=True) == 1.0
    assert attainment(0, 3, higher_is_better=False) == math.inf
    assert attainment(5, 0, higher_is_better=True) == math.inf
    assert attainment(0, 5, higher_is_better=True) == 0.0
    assert math.isnan(attainment(None, 5, higher_is_better=True))
    assert math.isnan(attainment(-0.4, -0.2, higher_is_better=True))  # SERVQUAL gaps


def test_attainment_series():
    values = pd.Series([0.9, 0.0, np.nan], index=["a", "b", "c"])
    result = attainment(values, 0.9, higher_is_better=True)
    assert result.index.tolist() == ["a", "b", "c"]
    assert result.iloc[0] == pytest.approx(1.0) and result.iloc[1] == 0.0 and math.isnan(result.iloc[2])
