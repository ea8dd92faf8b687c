"""WHERE clauses for row-level queries (case lists, distributions) that must select
exactly the rows `kpi.compute` counts for the same filters, dates and scope.

The rows are read through the fact table aliased `f`, joined to `dealers d` and
`products p`; a dimension maps to one qualified column from an allow-list, and
every value is a bound parameter.
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
) -> tuple[str, dict[str, Any]]:
    """The conditions and their parameters. `anchor` is a qualified timestamp column;
    dates are inclusive days as in `kpi.compute`; a None among a filter's values
    selects the NULL group."""
    params: dict[str, Any] = {}
    where = [f"{anchor} IS NOT NULL"]
    start_d, end_d = as_date(start), as_date(end)
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
        # Scope goes through the dealers table, never through a column the caller picked.
        params[f"scope_{dim}"] = value
        where.append(f"d.{dim} = $scope_{dim}")
    return " AND ".join(where), params
