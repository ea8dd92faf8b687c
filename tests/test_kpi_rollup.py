"""The daily rollups give the numbers the rows give, to the last digit.

`kpi.compute` reads a source's rollup for the days before its as_of cut-off day
and the fact rows from that day on; without rollups every source reads its rows.
Both paths are compiled here from the same query and must return identical frames.
"""
from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import pytest

import kpi
from kpi import registry
from kpi.compiler import KpiQuery, compile_query
from kpi.engine import default_as_of
from kpi.rollup import available_columns
from tests import kpi_fixture

ALL_METRICS = list(registry.METRICS)
HEADLINE = [
    "first_time_fix_rate", "avg_response_hours", "avg_repair_cycle_hours",
    "repeat_repair_rate", "complaint_rate", "satisfied_rate",
]


@pytest.fixture(scope="module")
def fixture_con(ui_db_path):
    con = duckdb.connect(str(ui_db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def hand_worked(tmp_path_factory):
    path = kpi_fixture.build(tmp_path_factory.mktemp("rollup") / "network.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def both_paths(con, query: KpiQuery, as_of: datetime | None = None):
    """(frame via rollups, frame via rows, SQL via rollups)."""
    as_of = as_of or default_as_of(con)
    via_rollups = compile_query(query, as_of, available_columns(con))
    via_rows = compile_query(query, as_of, None)
    assert "rollup_" not in via_rows.sql
    return (
        con.execute(via_rollups.sql, via_rollups.params).df(),
        con.execute(via_rows.sql, via_rows.params).df(),
        via_rollups.sql,
    )


# as_of values around the fixture's data (2024-03-18 .. 2024-06-15 18:00): the
# default, mid-day, exactly midnight, exactly one RO's close + 30 days (that RO sits
# on the maturity line), before all data (nothing from rollups) and long after (all).
AS_OF_CASES = [
    None,
    datetime(2024, 5, 20, 13, 17, 5),
    datetime(2024, 6, 1, 0, 0, 0),
    "close_plus_window",
    datetime(2024, 3, 1),
    datetime(2030, 1, 1),
]
SHAPES = [
    dict(),
    dict(by=["dealer_id"], grain="month"),
    dict(by=["region_id", "product_id"], grain="week"),
    dict(by=["series", "powertrain"], grain="day", start="2024-04-10", end="2024-05-31"),
    dict(by=["dealer_type", "city"], grain="quarter"),
    dict(by=["product_id"], filters={"product_id": [None, "P1"]}),
    dict(by=["dealer_id"], grain="month", scope=kpi.Scope.region("EAST")),
    dict(grain="year", scope=kpi.Scope.dealer("D001"), filters={"series": ["星途"]}),
]


@pytest.mark.parametrize("as_of_case", AS_OF_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(f"{k}" for k in s) or "total")
def test_every_metric_is_identical_through_rollups_and_rows(fixture_con, shape, as_of_case):
    """All 28 metrics at once, for each shape of query and each as_of: the same
    groups, the same counts and bitwise the same values either way."""
    if as_of_case == "close_plus_window":
        closed = fixture_con.execute(
            "SELECT closed_at FROM fact_repair_orders WHERE is_repair_type AND closed_at IS NOT NULL"
            " ORDER BY closed_at LIMIT 1 OFFSET 700"
        ).fetchone()[0]
        as_of_case = closed + pd.Timedelta(days=30).to_pytimedelta()
    query = KpiQuery.build(ALL_METRICS, **shape)
    via_rollups, via_rows, sql = both_paths(fixture_con, query, as_of_case)
    assert "FROM rollup_" in sql
    assert len(via_rows) > 0
    pd.testing.assert_frame_equal(via_rollups, via_rows, check_exact=True)


@pytest.mark.parametrize(
    "shape, rows_of",
    [
        (dict(metrics=HEADLINE, window_days=14), ("repair_orders_by_opened", "repair_orders_by_closed")),
        (dict(metrics=["response_sla_rate"], response_sla_hours=48), ("service_requests",)),
        (dict(metrics=["complaint_close_sla_rate"], complaint_sla_hours=24), ("complaints",)),
        (dict(metrics=["repeat_repair_rate"], by=["fault_code"]), ("repair_orders_by_opened",)),
        (dict(metrics=["complaint_count"], filters={"severity": ["high"]}), ("complaints",)),
        (dict(metrics=["median_repair_cycle_hours", "p90_response_hours"], by=["dealer_id"]),
         ("repair_orders_by_closed", "service_requests")),
    ],
    ids=["W=14", "S=48", "C=24", "by fault_code", "filter on severity", "quantiles"],
)
def test_what_the_rollups_cannot_answer_is_read_from_the_rows(fixture_con, shape, rows_of):
    """A W, S or C other than the rollups' (30 d, 24 h, 72 h), a table's own column,
    or a quantile: the sources concerned read their rows, and the numbers are the
    row path's. (With W = 14 the requests, complaints and surveys still use rollups.)"""
    shape = dict(shape)
    query = KpiQuery.build(shape.pop("metrics"), **shape)
    via_rollups, via_rows, sql = both_paths(fixture_con, query)
    for source in rows_of:
        assert f"FROM rollup_{source}" not in sql
    pd.testing.assert_frame_equal(via_rollups, via_rows, check_exact=True)


def test_the_headline_query_reads_rollups_and_only_the_days_after_a_cut_off(fixture_con):
    """Six headline KPIs by dealer × month: every source reads its rollup; only the
    repair orders closed on or after the maturity cut-off day are read as rows."""
    query = KpiQuery.build(HEADLINE, by=["dealer_id"], grain="month")
    statement = compile_query(query, datetime(2024, 6, 15, 18, 0), available_columns(fixture_con))
    assert statement.sql.count("FROM rollup_") == 5
    assert statement.sql.count("FROM fact_") == 1
    assert "closed_at >= $repair_orders_by_closed_cutoff_day" in statement.sql
    # as_of 2024-06-15 18:00 − 30 days = 2024-05-16 18:00: rows from 2024-05-16 00:00 on.
    assert statement.params["repair_orders_by_closed_cutoff_day"] == datetime(2024, 5, 16)


@pytest.mark.parametrize(
    "as_of, expected",
    [
        # matured_before = 01-10 17:00 = A3's close: A1, A2 (rollup days) and A3
        # (the cut-off day, read as rows) are matured; only A3 has no comeback
        # (B3 came 30 days + 1 s later). 1 / 3.
        ("2026-02-09 17:00:00", (1, 3)),
        # One second earlier A3 is not matured yet: A1 and A2 both came back. 0 / 2.
        ("2026-02-09 16:59:59", (0, 2)),
    ],
)
def test_the_maturity_line_inside_the_cut_off_day(hand_worked, as_of, expected):
    """First-time fix rate of D1 in the hand-worked network (tests/kpi_fixture.py)
    with the maturity line on A3's close, 2026-01-10 17:00: A3 is read from the
    rows of the cut-off day 01-10, A1 (closed 01-02) and A2 (01-05) from the rollup."""
    frame = kpi.compute(hand_worked, ["first_time_fix_rate"], by=["dealer_id"], as_of=as_of)
    d1 = frame.set_index("dealer_id").loc["D1"]
    assert (d1["first_time_fix_rate__num"], d1["first_time_fix_rate__den"]) == expected
    assert d1["first_time_fix_rate"] == expected[0] / expected[1]
    query = KpiQuery.build(["first_time_fix_rate"], by=["dealer_id"], as_of=as_of)
    statement = compile_query(query, query.as_of, available_columns(hand_worked))
    assert statement.params["repair_orders_by_closed_cutoff_day"] == datetime(2026, 1, 10)
    assert "FROM rollup_repair_orders_by_closed" in statement.sql


def test_a_database_without_rollups_is_answered_from_rows(tmp_path):
    """A file written before the rollups existed (here: rollup tables dropped) still
    gives the hand-worked numbers: ro_count by dealer D1 5 (A1, A2, B2, A3, N5),
    D2 2 (B1, M4), D3 2 (B3, O6) (tests/kpi_fixture.py)."""
    path = kpi_fixture.build(tmp_path / "network.duckdb")
    con = duckdb.connect(str(path))
    for source in registry.SOURCES:
        con.execute(f"DROP TABLE rollup_{source}")
    con.close()
    frame = kpi.compute(path, ["ro_count"], by=["dealer_id"])
    assert dict(zip(frame["dealer_id"], frame["ro_count"])) == {"D1": 5, "D2": 2, "D3": 2}
