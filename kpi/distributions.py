"""Distributions of durations, binned in DuckDB: repair cycle, response time and
time to close a complaint. A page draws the histogram from the bin counts and never
fetches the rows.

Each quantity reads exactly the rows of the metric that averages it, under the same
anchor, dates, filters and scope: `repair_cycle_hours` those of
`avg_repair_cycle_hours` (closed ROs, by closed_at), `response_hours` those of
`avg_response_hours` (answered requests, by created_at), `complaint_close_hours`
those of `avg_complaint_close_hours` (closed complaints, by created_at). So the
bins add up to the metric's `__n`, and the quantiles here equal the registry's
(`quantile_cont`, linear interpolation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from kpi.engine import DbLike, cursor
from kpi.row_filters import SHARED_COLUMNS, RowQueryError, where_clause
from kpi.scope import Scope


@dataclass(frozen=True)
class Quantity:
    table: str
    anchor: str
    value_sql: str  # hours, over the row aliased f
    present_sql: str  # the rows that have a value
    own_columns: tuple[tuple[str, str], ...]  # dimensions of the fact table itself

    @property
    def columns(self) -> dict[str, str]:
        return {**SHARED_COLUMNS, **dict(self.own_columns)}


QUANTITIES: dict[str, Quantity] = {
    "repair_cycle_hours": Quantity(
        "fact_repair_orders", "f.closed_at", "f.cycle_hours", "f.closed_at IS NOT NULL",
        (("ro_type", "f.ro_type"), ("fault_code", "f.fault_code")),
    ),
    "response_hours": Quantity(
        "service_requests", "f.created_at", "(epoch(f.responded_at) - epoch(f.created_at)) / 3600.0",
        "f.responded_at IS NOT NULL", (("channel", "f.channel"),),
    ),
    "complaint_close_hours": Quantity(
        "complaints", "f.created_at", "(epoch(f.closed_at) - epoch(f.created_at)) / 3600.0",
        "f.closed_at IS NOT NULL",
        (("channel", "f.channel"), ("category", "f.category"), ("severity", "f.severity")),
    ),
}
# The metric whose rows each quantity reads (its __n is the histogram's total).
METRIC_OF = {
    "repair_cycle_hours": "avg_repair_cycle_hours",
    "response_hours": "avg_response_hours",
    "complaint_close_hours": "avg_complaint_close_hours",
}


@dataclass(frozen=True)
class Histogram:
    """`bins`: bin_start, bin_end, count, is_overflow (the last bin holds every value
    at or above `upper` when the tail is long). `n` is the number of values."""

    quantity: str
    bins: pd.DataFrame
    bin_width: float
    upper: float
    n: int
    quantiles: dict[float, float | None]

    @property
    def empty(self) -> bool:
        return self.n == 0


def _values_sql(quantity: str, start: Any, end: Any, filters, scope) -> tuple[str, dict[str, Any]]:
    if quantity not in QUANTITIES:
        raise RowQueryError(f"unknown quantity {quantity!r}; quantities are: {', '.join(QUANTITIES)}")
    q = QUANTITIES[quantity]
    where, params = where_clause(q.anchor, q.columns, start, end, filters, scope)
    sql = (
        f"SELECT {q.value_sql} AS value FROM {q.table} f "
        "JOIN dealers d ON d.dealer_id = f.dealer_id "
        "LEFT JOIN products p ON p.product_id = f.product_id "
        f"WHERE {where} AND {q.present_sql}"
    )
    return sql, params


def nice_width(span: float, bins: int) -> float:
    """A bin width of 1, 2 or 5 × 10^k that cuts `span` into at most about `bins` bins,
    so the axis reads 0, 5, 10 ... rather than 0, 4.37, 8.74."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if step * power >= raw:
            return float(step * power)
    return float(10 * power)


def histogram(
    db: DbLike,
    quantity: str,
    start: Any = None,
    end: Any = None,
    filters: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    bins: int = 30,
    bin_width: float | None = None,
    tail_quantile: float = 0.98,
    quantiles: tuple[float, ...] = (0.5, 0.9),
    reach_at_least: float | None = None,
) -> Histogram:
    """Bin counts of one quantity. Without a `bin_width`, the bins cover 0 up to the
    `tail_quantile` of the values and one overflow bin takes the rest, so a few
    cars that stood a month in the workshop do not squash the histogram.
    `reach_at_least` stretches the regular bins to cover a value worth seeing in
    place, such as an SLA line."""
    if bins < 1:
        raise RowQueryError("bins must be at least 1")
    if bin_width is not None and bin_width <= 0:
        raise RowQueryError("bin_width must be positive")
    values_sql, params = _values_sql(quantity, start, end, filters, scope)
    wanted = tuple(quantiles) + (tail_quantile,)
    with cursor(db) as con:
        stats = con.execute(
            f"SELECT count(*), max(value), {', '.join(f'quantile_cont(value, {float(p)!r})' for p in wanted)} "
            f"FROM ({values_sql})",
            params,
        ).fetchone()
        n, maximum, *qs = stats
        n = int(n)
        found = {p: (None if v is None else float(v)) for p, v in zip(wanted, qs)}
        if n == 0:
            empty = pd.DataFrame({"bin_start": [], "bin_end": [], "count": [], "is_overflow": []})
            return Histogram(quantity, empty.astype({"count": "int64", "is_overflow": bool}), bin_width or 1.0, 0.0, 0,
                             {p: None for p in quantiles})
        # Regular bins reach just past the tail (or the maximum, for a fixed width);
        # anything at or beyond `upper` falls into the overflow bin.
        reach = float(maximum) if bin_width else (found[tail_quantile] or 0.0)
        if reach_at_least is not None and bin_width is None:
            reach = max(reach, min(float(reach_at_least), float(maximum)))
        width = float(bin_width) if bin_width else nice_width(reach, bins)
        regular = math.floor(reach / width) + 1
        upper = regular * width
        counted = con.execute(
            f"SELECT least(CAST(floor(value / $width) AS BIGINT), $regular) AS bin, count(*) AS count "
            f"FROM ({values_sql}) GROUP BY bin ORDER BY bin",
            {**params, "width": width, "regular": regular},
        ).df()
    # Empty bins are part of the picture: fill them with 0 (a reindex, not a count).
    index = range(regular + 1)
    counts = counted.set_index("bin")["count"].reindex(index, fill_value=0).astype("int64")
    frame = pd.DataFrame({
        "bin_start": [i * width for i in index],
        "bin_end": [(i + 1) * width if i < regular else float(maximum) for i in index],
        "count": counts.to_numpy(),
        "is_overflow": [i == regular for i in index],
    })
    if frame["count"].iloc[-1] == 0:
        frame = frame.iloc[:-1]
    return Histogram(quantity, frame.reset_index(drop=True), width, upper, n, {p: found[p] for p in quantiles})
