"""Scope is enforced where SQL is written: every source of every metric is restricted."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

import kpi
from kpi import registry
from kpi.compiler import KpiQuery, compile_query
from kpi.rollup import available_columns
from tests import kpi_fixture

AS_OF = datetime(2026, 3, 10)


@pytest.fixture(scope="module")
def rollups(ui_db_path):
    with duckdb.connect(str(ui_db_path), read_only=True) as con:
        return available_columns(con)


@pytest.mark.parametrize("metric_id", list(registry.METRICS))
@pytest.mark.parametrize(
    "scope, clause, value",
    [(kpi.Scope.dealer("D1"), "dealer_id = $scope_dealer_id", "D1"),
     (kpi.Scope.region("R1"), "region_id = $scope_region_id", "R1")],
)
@pytest.mark.parametrize("read_rollups", [False, True], ids=["rows", "rollups"])
def test_every_source_select_carries_the_scope(metric_id, scope, clause, value, read_rollups, rollups):
    """Each FROM of the compiled SQL (a fact table or a rollup, one or two per source
    the metric reads) is followed by the scope's restriction, and the scope's id is
    a bound parameter, not text."""
    query = KpiQuery.build([metric_id], by=["product_id"], scope=scope)
    statement = compile_query(query, AS_OF, rollups if read_rollups else None)
    sources = statement.sql.count("\nFROM fact_") + statement.sql.count("\nFROM rollup_")
    assert sources >= 1
    assert statement.sql.count(clause) == sources
    assert value not in statement.sql.replace("$scope", "")
    assert list(statement.params.values()).count(value) == 1


def test_scope_values_are_never_spliced_into_sql():
    """A hostile id stays a parameter: the query runs and matches nothing."""
    hostile = "D1' OR '1'='1"
    statement = compile_query(KpiQuery.build(["ro_count"], scope=kpi.Scope.dealer(hostile)), AS_OF)
    assert hostile not in statement.sql


def test_out_of_scope_filters_see_nothing(tmp_path):
    """A D2 user filtering on D1 gets D2's rows restricted further to D1: nothing
    (ro_count 0), never D1's 5 repair orders."""
    path = kpi_fixture.build(tmp_path / "n.duckdb")
    frame = kpi.compute(path, ["ro_count"], filters={"dealer_id": ["D1"]}, scope=kpi.Scope.dealer("D2"))
    assert frame["ro_count"][0] == 0
    by_dealer = kpi.compute(path, ["ro_count"], by=["dealer_id"], scope=kpi.Scope.region("R2"))
    assert list(by_dealer["dealer_id"]) == ["D3"]


# --------------------------------------------------------------- row-level queries
# Action lists, case lists and histograms read rows, not KPIs; they take the same
# scope, and a user asking for rows of another dealer or region gets none.


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    return kpi_fixture.build(tmp_path_factory.mktemp("scope") / "n.duckdb")


def test_action_lists_of_another_dealer_are_empty(network):
    """O6 at D3 is open past its promise (03-01 18:00) at as_of 03-10: D3's own user,
    and a network user, see it; a D2 user or an R1 user asking for D3 see nothing."""
    from kpi import records

    with kpi.engine.cursor(network) as con:
        for scope, expected in [
            (kpi.Scope.dealer("D3"), ["O6"]),
            (kpi.Scope.network(), ["O6"]),
            (kpi.Scope.dealer("D2"), []),
            (kpi.Scope.region("R1"), []),
        ]:
            rows = records.overdue_repair_orders(con, "D3", AS_OF, scope=scope)
            assert list(rows["ro_id"]) == expected, scope
        for fetch in (records.unanswered_requests, records.open_complaints, records.repair_orders_without_survey):
            assert fetch(con, "D1", AS_OF, scope=kpi.Scope.dealer("D2")).empty, fetch.__name__


def test_dimension_lists_offer_only_what_is_in_scope(network):
    from kpi import records

    with kpi.engine.cursor(network) as con:
        assert list(records.dealers(con, kpi.Scope.dealer("D2"))["dealer_id"]) == ["D2"]
        assert sorted(records.dealers(con, kpi.Scope.region("R1"))["dealer_id"]) == ["D1", "D2"]
        assert list(records.regions(con, kpi.Scope.dealer("D3"))["region_id"]) == ["R2"]


def test_case_lists_and_histograms_stay_in_scope(network):
    """A D2 user: complaint cases only C3 (D2's one complaint), even filtering on D1;
    the repair-cycle histogram counts D2's closed ROs B1 and M4 only (2)."""
    from kpi import complaint_cases, distributions

    cases = complaint_cases.complaint_cases(network, scope=kpi.Scope.dealer("D2"))
    assert list(cases["complaint_id"]) == ["C3"]
    assert complaint_cases.complaint_cases(
        network, filters={"dealer_id": ["D1"]}, scope=kpi.Scope.dealer("D2")
    ).empty
    histogram = distributions.histogram(network, "repair_cycle_hours", scope=kpi.Scope.dealer("D2"))
    assert histogram.n == 2 and int(histogram.bins["count"].sum()) == 2
