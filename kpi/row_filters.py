"""WHERE clauses for date range, filters and scope: one implementation for the KPI
compiler and the row-level queries (case lists, distributions), so a case list
selects exactly the rows `kpi.compute` counts for the same filters, dates and scope.

A dimension maps to one column from the caller module's allow-list (qualified, for
row queries that join `f` to `dealers d` and `products p`), and every value is a
bound parameter.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping

from kpi.scope import Scope

# Dimension -> the column that holds it once f is joined to dealers d and products p.
SHARED_COLUMNS = {
    "dealer_id": "f.dealer_id",
    "region_id": "d.region_id",
    "dealer_type": "d.dealer_type",
    "city": "d.city",
    "product_id": "f.product_id",
    "series": "p.series",
    "powertrain": "p.powertrain",
}


class RowQueryError(ValueError):
    """A filter or grouping the row query cannot honour; the message names it."""


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value).replace("/", "-"))


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value).replace("/", "-")[:10])


def where_clause(
    anchor: str,
    columns: Mapping[str, str],
    start: Any = None,
    end: Any = None,
    filters: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    *,
    anchor_nullable: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The conditions joined by AND ("" when there are none) and their parameters.
    `anchor` is a timestamp column; dates are inclusive days; a None among a
    filter's values selects the NULL group. A row whose anchor is NULL has no
    period and is never counted."""
    params: dict[str, Any] = {}
    where = []
    start_d, end_d = as_date(start), as_date(end)
    if anchor_nullable and not (start_d or end_d):
        where.append(f"{anchor} IS NOT NULL")  # a range test excludes NULL by itself
    if start_d:
        params["start"] = datetime.combine(start_d, datetime.min.time())
        where.append(f"{anchor} >= $start")
    if end_d:
        params["end_exclusive"] = datetime.combine(end_d + timedelta(days=1), datetime.min.time())
        where.append(f"{anchor} < $end_exclusive")
    for i, (dim, values) in enumerate((filters or {}).items()):
        if dim not in columns:
            raise RowQueryError(f"cannot filter on {dim!r}; possible filters: {', '.join(columns)}")
        if isinstance(values, (str, bytes)) or values is None or not hasattr(values, "__iter__"):
            values = (values,)
        values = tuple(values)
        if not values:
            raise RowQueryError(f"filter on {dim!r} allows no value")
        present = [v for v in values if v is not None]
        parts = []
        if present:
            names = []
            for j, value in enumerate(present):
                params[f"f{i}_{j}"] = str(value)
                names.append(f"$f{i}_{j}")
            parts.append(f"{columns[dim]} IN ({', '.join(names)})")
        if len(present) < len(values):
            parts.append(f"{columns[dim]} IS NULL")
        where.append("(" + " OR ".join(parts) + ")")
    for dim, value in (scope or Scope.network()).restrictions:
        # Scope columns come from the same allow-list: dealer_id and region_id.
        params[f"scope_{dim}"] = value
        where.append(f"{columns[dim]} = $scope_{dim}")
    return " AND ".join(where), params
