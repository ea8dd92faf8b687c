"""Scope is enforced where SQL is written: every source of every metric is restricted."""
from __future__ import annotations

from datetime import datetime

import pytest

import kpi
from kpi import registry
from kpi.compiler import KpiQuery, compile_query
from tests import kpi_fixture

AS_OF = datetime(2026, 3, 10)


@pytest.mark.parametrize("metric_id", list(registry.METRICS))
@pytest.mark.parametrize(
    "scope, clause, value",
    [(kpi.Scope.dealer("D1"), "dealer_id = $scope_dealer_id", "D1"),
     (kpi.Scope.region("R1"), "region_id = $scope_region_id", "R1")],
)
def test_every_source_select_carries_the_scope(metric_id, scope, clause, value):
    """Each FROM of the compiled SQL (one per source the metric reads) is followed by
    the scope's restriction, and the scope's id is a bound parameter, not text."""
    statement = compile_query(KpiQuery.build([metric_id], by=["product_id"], scope=scope), AS_OF)
    sources = statement.sql.count("\nFROM fact_")
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
