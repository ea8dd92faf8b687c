"""Running compiled queries: the one door to numbers is `compute`."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import duckdb
import pandas as pd

from kpi.compiler import KpiQuery, QueryError, compile_query
from kpi.db import quiet
from kpi.rollup import available_columns
from kpi.scope import Scope

DbLike = duckdb.DuckDBPyConnection | str | Path
NO_DATA_AS_OF = datetime(1900, 1, 1)


@contextmanager
def cursor(db: DbLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of a shared connection (connections are not thread-safe), or a
    read-only connection of its own for a path."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        cur = db.cursor()
        try:
            yield cur
        finally:
            cur.close()
    else:
        path = Path(db)
        if not path.exists():
            raise FileNotFoundError(f"database file not found: {path}")
        con = quiet(duckdb.connect(str(path), read_only=True))
        try:
            yield con
        finally:
            con.close()


def default_as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The moment the data is complete up to: the latest opened_at or closed_at of
    any repair order (over the whole network, whatever the query's scope)."""
    row = con.execute("SELECT greatest(max(opened_at), max(closed_at)) FROM repair_orders").fetchone()
    return row[0] if row else None


def compute(
    db: DbLike,
    metrics: Sequence[str] | str,
    by: Sequence[str] | str = (),
    grain: str | None = None,
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    filters: Mapping[str, Any] | None = None,
    window_days: float = 30,
    response_sla_hours: float = 24,
    complaint_sla_hours: float = 72,
    scope: Scope | None = None,
) -> pd.DataFrame:
    """One row per group: the `by` columns, `period` (with a grain), then each
    metric's value; rates and ratios add `<id>__num` and `<id>__den`, means and
    quantiles `<id>__n` (the rows behind the value)."""
    query = KpiQuery.build(
        metrics, by, grain, start, end, as_of, filters,
        window_days, response_sla_hours, complaint_sla_hours, scope,
    )
    with cursor(db) as con:
        resolved_as_of = query.as_of
        if resolved_as_of is None and query.needs_as_of:
            resolved_as_of = default_as_of(con)
            if resolved_as_of is None:
                # No repair orders at all: as_of is the dawn of the data, so nothing
                # has matured and no SLA has run out.
                resolved_as_of = NO_DATA_AS_OF
        statement = compile_query(query, resolved_as_of, available_columns(con))
        frame = con.execute(statement.sql, statement.params).df()
    if "period" in frame:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


__all__ = ["compute", "QueryError", "default_as_of", "cursor"]
