"""Row-level look-ups the pages need beside KPI numbers: names for ids, action
lists, table statistics, load history and targets.

Numbers that are KPIs come from `kpi.compute`; this module returns records
(which dealers exist, which repair order is late), never a rate. Every function
takes a connection (a cursor is opened per call, connections are not
thread-safe) and a `Scope`, so a user never sees rows outside their scope.
Values are bound parameters; no identifier comes from the caller.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from kpi.contract import TABLES
from kpi.engine import cursor
from kpi.scope import Scope

FACT_TIME_COLUMNS = {
    "repair_orders": "opened_at",
    "service_requests": "created_at",
    "complaints": "created_at",
    "surveys": "surveyed_at",
}


def _scope_sql(scope: Scope, alias: str = "d") -> tuple[str, dict[str, Any]]:
    """A WHERE fragment restricting a dealers-joined query to the scope."""
    if scope.level == "network":
        return "TRUE", {}
    column = "region_id" if scope.level == "region" else "dealer_id"
    return f"{alias}.{column} = $scope_id", {"scope_id": scope.id}


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    with cursor(con) as cur:
        return cur.execute(sql, params or {}).df()


# ---------------------------------------------------------------- dimensions

def regions(con: duckdb.DuckDBPyConnection, scope: Scope = Scope.network()) -> pd.DataFrame:
    """region_id, region_name of the regions that have a dealer in scope."""
    where, params = _scope_sql(scope)
    return _df(
        con,
        f"""
        SELECT DISTINCT r.region_id, r.region_name
        FROM regions r JOIN dealers d USING (region_id)
        WHERE {where}
        ORDER BY r.region_id
        """,
        params,
    )


def dealers(con: duckdb.DuckDBPyConnection, scope: Scope = Scope.network()) -> pd.DataFrame:
    """Dealers in scope with their region name: dealer_id, dealer_name, region_id,
    region_name, city, dealer_type."""
    where, params = _scope_sql(scope)
    return _df(
        con,
        f"""
        SELECT d.dealer_id, d.dealer_name, d.region_id,
               coalesce(r.region_name, d.region_id) AS region_name, d.city, d.dealer_type
        FROM dealers d LEFT JOIN regions r USING (region_id)
        WHERE {where}
        ORDER BY d.region_id, d.dealer_id
        """,
        params,
    )


def products(con: duckdb.DuckDBPyConnection, scope: Scope = Scope.network()) -> pd.DataFrame:
    """Models that have at least one repair order in scope: product_id, model_name,
    series, powertrain. Offering a model nobody in scope ever serviced would only
    lead to empty pages."""
    where, params = _scope_sql(scope)
    return _df(
        con,
        f"""
        SELECT p.product_id, p.model_name, p.series, p.powertrain
        FROM products p
        WHERE p.product_id IN (
            SELECT ro.product_id FROM repair_orders ro JOIN dealers d USING (dealer_id) WHERE {where}
        )
        ORDER BY p.series NULLS LAST, p.model_name, p.product_id
        """,
        params,
    )


def data_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """First and last day any fact table has a row for."""
    parts = " UNION ALL ".join(
        f"SELECT min({col}) AS lo, max({col}) AS hi FROM {table}" for table, col in FACT_TIME_COLUMNS.items()
    )
    with cursor(con) as cur:
        lo, hi = cur.execute(f"SELECT min(lo), max(hi) FROM ({parts})").fetchone()
    return (lo.date() if lo else None, hi.date() if hi else None)


# ---------------------------------------------------------------- action lists

def _dealer_filter(dealer_id: str, scope: Scope) -> tuple[str, dict[str, Any]]:
    where, params = _scope_sql(scope)
    return f"d.dealer_id = $dealer_id AND {where}", {**params, "dealer_id": dealer_id}


def overdue_repair_orders(
    con: duckdb.DuckDBPyConnection, dealer_id: str, as_of: datetime, scope: Scope = Scope.network()
) -> pd.DataFrame:
    """Repair orders still open at as_of whose promised time has passed, the most
    overdue first."""
    where, params = _dealer_filter(dealer_id, scope)
    return _df(
        con,
        f"""
        SELECT ro.ro_id, ro.vin, p.model_name, ro.ro_type, ro.opened_at, ro.promised_at,
               (epoch($as_of::TIMESTAMP) - epoch(ro.promised_at)) / 3600.0 AS overdue_hours
        FROM repair_orders ro
        JOIN dealers d USING (dealer_id)
        LEFT JOIN products p USING (product_id)
        WHERE {where}
          AND ro.opened_at <= $as_of
          AND (ro.closed_at IS NULL OR ro.closed_at > $as_of)
          AND ro.promised_at < $as_of
        ORDER BY overdue_hours DESC, ro.ro_id
        """,
        {**params, "as_of": as_of},
    )


def unanswered_requests(
    con: duckdb.DuckDBPyConnection,
    dealer_id: str,
    as_of: datetime,
    sla_hours: float = 24,
    scope: Scope = Scope.network(),
) -> pd.DataFrame:
    """Service requests with no response at as_of, past the response SLA, the
    longest waiting first."""
    where, params = _dealer_filter(dealer_id, scope)
    return _df(
        con,
        f"""
        SELECT sr.request_id, sr.channel, sr.vin, sr.created_at,
               (epoch($as_of::TIMESTAMP) - epoch(sr.created_at)) / 3600.0 AS waiting_hours
        FROM service_requests sr
        JOIN dealers d USING (dealer_id)
        WHERE {where}
          AND sr.created_at <= $as_of
          AND (sr.responded_at IS NULL OR sr.responded_at > $as_of)
          AND epoch($as_of::TIMESTAMP) - epoch(sr.created_at) > $sla_seconds
        ORDER BY waiting_hours DESC, sr.request_id
        """,
        {**params, "as_of": as_of, "sla_seconds": sla_hours * 3600},
    )


def open_complaints(
    con: duckdb.DuckDBPyConnection, dealer_id: str, as_of: datetime, scope: Scope = Scope.network()
) -> pd.DataFrame:
    """Complaints not closed at as_of: high severity first, then the oldest."""
    where, params = _dealer_filter(dealer_id, scope)
    return _df(
        con,
        f"""
        SELECT c.complaint_id, c.severity, c.category, c.channel, c.ro_id, c.created_at,
               (epoch($as_of::TIMESTAMP) - epoch(c.created_at)) / 86400.0 AS age_days,
               c.description
        FROM complaints c
        JOIN dealers d USING (dealer_id)
        WHERE {where}
          AND c.created_at <= $as_of
          AND (c.closed_at IS NULL OR c.closed_at > $as_of)
        ORDER BY CASE c.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
                 age_days DESC, c.complaint_id
        """,
        {**params, "as_of": as_of},
    )


def repair_orders_without_survey(
    con: duckdb.DuckDBPyConnection,
    dealer_id: str,
    as_of: datetime,
    days: int = 7,
    scope: Scope = Scope.network(),
) -> pd.DataFrame:
    """Repair orders closed in the last `days` days before as_of with no follow-up
    survey yet: the callbacks still worth making, the oldest (closest to going
    stale) first."""
    where, params = _dealer_filter(dealer_id, scope)
    return _df(
        con,
        f"""
        SELECT ro.ro_id, ro.vin, p.model_name, ro.ro_type, ro.closed_at,
               (epoch($as_of::TIMESTAMP) - epoch(ro.closed_at)) / 86400.0 AS days_since_close
        FROM repair_orders ro
        JOIN dealers d USING (dealer_id)
        LEFT JOIN products p USING (product_id)
        WHERE {where}
          AND ro.closed_at <= $as_of
          AND ro.closed_at > $since
          AND NOT EXISTS (
              SELECT 1 FROM surveys s WHERE s.ro_id = ro.ro_id AND s.surveyed_at <= $as_of
          )
        ORDER BY ro.closed_at, ro.ro_id
        """,
        {**params, "as_of": as_of, "since": as_of - timedelta(days=days)},
    )


# ---------------------------------------------------------------- data page

def table_statistics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """table, rows, first, last (the time column of fact tables) for every contract table."""
    rows = []
    with cursor(con) as cur:
        for table in TABLES:
            count = cur.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
            first = last = None
            column = FACT_TIME_COLUMNS.get(table.name)
            if column:
                first, last = cur.execute(f"SELECT min({column}), max({column}) FROM {table.name}").fetchone()
            rows.append({"table": table.name, "rows": int(count), "time_column": column, "first": first, "last": last})
    return pd.DataFrame(rows)


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """The latest accepted loads: load_id, loaded_at, source, summary."""
    return _df(
        con,
        "SELECT load_id, loaded_at, source, summary FROM load_log ORDER BY load_id DESC LIMIT $limit",
        {"limit": limit},
    )


# ---------------------------------------------------------------- targets

def active_targets(
    con: duckdb.DuckDBPyConnection,
    metric_ids: list[str] | tuple[str, ...],
    on: date,
    dealer_id: str | None = None,
    region_id: str | None = None,
) -> dict[str, dict[str, float | None]]:
    """The target of each metric that applies on a day to a dealer, a region or
    the network: {metric_id: {"target", "lower", "upper", "scope"}}.

    The most specific target wins (dealer, then the dealer's region, then the
    network); among several of the same level, the one valid from the latest date.
    A metric with no target is left out: a target is never invented.
    """
    if not metric_ids:
        return {}
    with cursor(con) as cur:
        if dealer_id and not region_id:
            row = cur.execute("SELECT region_id FROM dealers WHERE dealer_id = $d", {"d": dealer_id}).fetchone()
            region_id = row[0] if row else None
        frame = cur.execute(
            """
            SELECT metric_id, scope, target, lower, upper
            FROM targets
            WHERE metric_id IN (SELECT unnest($metrics::VARCHAR[]))
              AND valid_from <= $on AND (valid_to IS NULL OR valid_to >= $on)
              AND (   scope = 'network'
                   OR (scope = 'region' AND scope_id = $region_id)
                   OR (scope = 'dealer' AND scope_id = $dealer_id))
            QUALIFY row_number() OVER (
                PARTITION BY metric_id
                ORDER BY CASE scope WHEN 'dealer' THEN 0 WHEN 'region' THEN 1 ELSE 2 END, valid_from DESC
            ) = 1
            """,
            {"metrics": list(metric_ids), "on": on, "region_id": region_id, "dealer_id": dealer_id},
        ).df()

    def number(value: Any) -> float | None:
        return None if value is None or pd.isna(value) else float(value)

    return {
        row.metric_id: {
            "target": number(row.target),
            "lower": number(row.lower),
            "upper": number(row.upper),
            "scope": row.scope,
        }
        for row in frame.itertuples()
    }
