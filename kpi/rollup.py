"""Daily rollups: every additive measure, summed per dealer × product × day once
per load, so a KPI query reads ~500 thousand rollup rows instead of 10 million
repair orders.

A measure's *partials* are what can be summed across rows: a count or a sum as
such, a mean as its sum and its count (durations in whole microseconds, so the
sums are exact and a mean read from the rollup equals the mean over the rows to
the last digit). A quantile has no partials and is always read from the rows.

Two things a measure may depend on besides its rows:

* **as_of** (maturity of a repair, an SLA running out): the rollup counts as if
  as_of were infinitely late, i.e. every repair matured and every SLA run out.
  That is exact for each day before the query's cut-off day (as_of − W, − S or − C),
  so the compiler reads rollup days before the cut-off day and rows from it on.
* **W, S and C**: the rollup is built with the defaults. A column's name carries
  the parameter values it was built with, so a query with other values finds no
  column and reads the rows instead.

A rollup row keys only the dimensions every fact row has (dealer and product and
their attributes); grouping or filtering by a table's own column (`ro_type`,
`fault_code`, `channel`, ...) reads the rows.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import duckdb

from kpi.registry import METRICS, SHARED_DIMENSIONS, SOURCES, Measure

# The parameter values the rollups are built with: the definitions' defaults.
BUILD_PARAMETERS = {
    "window_seconds": 30 * 86400.0,
    "response_sla_seconds": 24 * 3600.0,
    "complaint_sla_seconds": 72 * 3600.0,
}
# as_of − W, − S, − C: in the rollup, infinitely late (everything matured, run out).
AS_OF_CUTOFFS = ("matured_before", "response_sla_cutoff", "complaint_sla_cutoff")
_INFINITELY_LATE = {name: "infinity" for name in AS_OF_CUTOFFS}


@dataclass(frozen=True)
class Partial:
    suffix: str  # appended to the measure's name in a query
    row_sql: str  # the aggregate over fact rows
    is_count: bool


def table_name(source_id: str) -> str:
    return f"rollup_{source_id}"


def partials(measure: Measure) -> tuple[Partial, ...]:
    """What a query aggregates for the measure: a mean as its sum and count, any
    other measure (a count, a sum, a quantile) as itself."""
    if measure.agg != "avg":
        return (Partial("", measure.sql, measure.agg == "count"),)
    filtered = f" FILTER (WHERE {measure.where})" if measure.where else ""
    return (
        Partial("_sum", f"sum({measure.expr}){filtered}", False),
        Partial("_n", f"count({measure.expr}){filtered}", True),
    )


def summed(column: str, partial: Partial) -> str:
    """The sum of a partial over rollup rows or stacked parts. Sums of counts come
    back as HUGEINT; counts stay BIGINT, as the row path gives them."""
    return f"CAST(sum({column}) AS BIGINT)" if partial.is_count else f"sum({column})"


def value_sql(measure: Measure, name: str) -> str:
    """The measure's value from its partials, named `name` + suffix."""
    if measure.agg != "avg":
        return name
    divided = f" / {measure.divisor!r}" if measure.divisor != 1 else ""
    return f"(CAST({name}_sum AS DOUBLE) / NULLIF({name}_n, 0){divided})"


def cutoffs_of(measure: Measure) -> tuple[str, ...]:
    """The as_of cut-off parameters the measure's rows are judged against."""
    return tuple(c for c in AS_OF_CUTOFFS if f"${c}" in measure.sql)


def column_name(measure: Measure, partial: Partial, parameters: Mapping[str, Any]) -> str:
    """The rollup column holding a partial, computed with the W, S, C values of
    `parameters` (a query's, or BUILD_PARAMETERS)."""
    used = sorted((k, float(parameters[k])) for k in BUILD_PARAMETERS if f"${k}" in measure.sql)
    key = repr((measure.agg, measure.expr, measure.where, used, partial.suffix))
    return "p_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _additive_measures(source_id: str) -> list[Measure]:
    found = dict.fromkeys(
        m for metric in METRICS.values() for m in metric.measures if m.source == source_id and m.additive
    )
    return list(found)


def build_sql(source_id: str) -> str:
    source = SOURCES[source_id]
    columns = {
        column_name(m, p, BUILD_PARAMETERS): p.row_sql for m in _additive_measures(source_id) for p in partials(m)
    }
    selects = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return (
        f"CREATE OR REPLACE TABLE {table_name(source_id)} AS\n"
        f"SELECT {', '.join(SHARED_DIMENSIONS)}, CAST({source.anchor} AS DATE) AS day, {selects}\n"
        f"FROM {source.table}\nWHERE {source.anchor} IS NOT NULL\nGROUP BY ALL\nORDER BY day"
    )


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every source's rollup from its fact table (after the facts)."""
    values = {**BUILD_PARAMETERS, **_INFINITELY_LATE}
    for source_id in SOURCES:
        sql = build_sql(source_id)
        con.execute(sql, {k: v for k, v in values.items() if f"${k}" in sql})


def available_columns(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """Rollup table -> its columns, as this database has them (none before a load
    built them, or after the registry gained a measure the file predates)."""
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND starts_with(table_name, 'rollup_')"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return {table: frozenset(columns) for table, columns in found.items()}


def cutoff_day(cutoffs: Mapping[str, Any], names: tuple[str, ...]) -> datetime | None:
    """The first day whose rows the rollup cannot answer for: the earliest of the
    cut-offs' days (midnight), or None when the measures use none."""
    days = [datetime.combine(cutoffs[n].date(), datetime.min.time()) for n in names]
    return min(days) if days else None
