"""Single complaint cases and the complaint closed loop (受理 → 关闭 → 回访).

The case list is the bottom of the drill-down region → dealer → model → case;
the closed-loop figures say how many complaints are open or closed, closed within
the SLA or past it, and followed up. Rates and counts that are metrics come from
`kpi.compute`; this module counts the same rows case by case, under the same rules:

- a complaint is in the period when its `created_at` is (inclusive days);
- it is *past the SLA* when `complaint_close_sla_rate` counts it as a miss: closed
  more than C hours after it was registered, or still open and registered at or
  before as_of − C. So `closed_past_sla + open_past_sla` is that rate's
  denominator minus its numerator, to the case;
- an open complaint whose C hours have not yet run out at as_of is *pending*;
- *followed up* means a closed complaint with a follow-up call (`followed_up_at`).

Filters and the user's Scope restrict rows exactly as `kpi.compute` does (scope
through the dealers table); every value is a bound parameter.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

import duckdb
import pandas as pd

from kpi.engine import DbLike, NO_DATA_AS_OF, cursor, default_as_of
from kpi.row_filters import SHARED_COLUMNS, RowQueryError, as_datetime, where_clause
from kpi.scope import Scope

DEFAULT_SLA_HOURS = 72.0

COLUMNS = {
    **SHARED_COLUMNS,
    "channel": "f.channel",
    "category": "f.category",
    "severity": "f.severity",
}
# Which cases a list may be narrowed to, beside the dimension filters.
STATUSES = ("open", "closed", "past_sla", "pending", "not_followed_up")

_FROM = """
FROM complaints f
JOIN dealers d ON d.dealer_id = f.dealer_id
LEFT JOIN regions r ON r.region_id = d.region_id
LEFT JOIN products p ON p.product_id = f.product_id
"""
_CLOSE_SECONDS = "(epoch(f.closed_at) - epoch(f.created_at))"
_WITHIN_SLA = f"(f.closed_at IS NOT NULL AND {_CLOSE_SECONDS} <= $sla_seconds)"
_CLOSED_PAST_SLA = f"(f.closed_at IS NOT NULL AND {_CLOSE_SECONDS} > $sla_seconds)"
# Same boundary as complaint_close_sla_rate's denominator: an open complaint
# registered exactly C hours before as_of is already a miss.
_OPEN_PAST_SLA = "(f.closed_at IS NULL AND f.created_at <= $sla_cutoff)"
_PENDING = "(f.closed_at IS NULL AND f.created_at > $sla_cutoff)"
_STATUS_SQL = {
    "open": "f.closed_at IS NULL",
    "closed": "f.closed_at IS NOT NULL",
    "past_sla": f"({_CLOSED_PAST_SLA} OR {_OPEN_PAST_SLA})",
    "pending": _PENDING,
    "not_followed_up": "(f.closed_at IS NOT NULL AND f.followed_up_at IS NULL)",
}


def _resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: Any) -> datetime:
    # The default is kpi.compute's, so a page's list and its rate agree.
    resolved = as_datetime(as_of) if as_of is not None else default_as_of(con)
    return resolved if resolved is not None else NO_DATA_AS_OF


def _prepare(
    con: duckdb.DuckDBPyConnection,
    start: Any,
    end: Any,
    as_of: Any,
    filters: Mapping[str, Any] | None,
    scope: Scope | None,
    complaint_sla_hours: float,
) -> tuple[str, dict[str, Any], datetime]:
    if not isinstance(complaint_sla_hours, (int, float)) or complaint_sla_hours <= 0:
        raise RowQueryError(f"complaint_sla_hours must be a positive number, got {complaint_sla_hours!r}")
    where, params = where_clause("f.created_at", COLUMNS, start, end, filters, scope)
    resolved = _resolve_as_of(con, as_of)
    params.update(
        sla_seconds=float(complaint_sla_hours) * 3600.0,
        sla_cutoff=resolved - timedelta(hours=float(complaint_sla_hours)),
    )
    return where, params, resolved


def complaint_cases(
    db: DbLike,
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    filters: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    complaint_sla_hours: float = DEFAULT_SLA_HOURS,
    status: str | None = None,
    limit: int | None = 500,
) -> pd.DataFrame:
    """One row per complaint, the newest first: ids and names (region, dealer, model),
    category, severity, channel, ro_id, created_at, closed_at, followed_up_at,
    is_closed, hours_to_close (closed), hours_open (open, up to as_of), past_sla,
    followed_up, description. `status` narrows to one of STATUSES."""
    if status is not None and status not in _STATUS_SQL:
        raise RowQueryError(f"unknown status {status!r}; statuses are: {', '.join(STATUSES)}")
    if limit is not None and (not isinstance(limit, int) or limit <= 0):
        raise RowQueryError(f"limit must be a positive whole number, got {limit!r}")
    with cursor(db) as con:
        where, params, resolved = _prepare(con, start, end, as_of, filters, scope, complaint_sla_hours)
        if status:
            where += f" AND {_STATUS_SQL[status]}"
        params["as_of"] = resolved
        limit_sql = ""
        if limit is not None:
            params["limit"] = limit
            limit_sql = "\nLIMIT $limit"
        sql = f"""
SELECT f.complaint_id,
       d.region_id, coalesce(r.region_name, d.region_id) AS region_name,
       f.dealer_id, d.dealer_name,
       f.product_id, p.model_name,
       f.category, f.severity, f.channel, f.ro_id,
       f.created_at, f.closed_at, f.followed_up_at,
       f.closed_at IS NOT NULL AS is_closed,
       {_CLOSE_SECONDS} / 3600.0 AS hours_to_close,
       CASE WHEN f.closed_at IS NULL
            THEN greatest(epoch($as_of::TIMESTAMP) - epoch(f.created_at), 0) / 3600.0 END AS hours_open,
       ({_CLOSED_PAST_SLA} OR {_OPEN_PAST_SLA}) AS past_sla,
       (f.closed_at IS NOT NULL AND f.followed_up_at IS NOT NULL) AS followed_up,
       f.description
{_FROM}WHERE {where}
ORDER BY f.created_at DESC, f.complaint_id{limit_sql}"""
        return con.execute(sql, params).df()


LOOP_COLUMNS = (
    "complaints",
    "closed",
    "open",
    "closed_within_sla",
    "closed_past_sla",
    "open_past_sla",
    "pending",
    "followed_up",
    "closed_not_followed_up",
)


def closed_loop_summary(
    db: DbLike,
    by: Sequence[str] = (),
    start: Any = None,
    end: Any = None,
    as_of: Any = None,
    filters: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    complaint_sla_hours: float = DEFAULT_SLA_HOURS,
) -> pd.DataFrame:
    """Counts of the closed loop, one row per group of `by` (one row overall when
    empty, zeros when there are no complaints): LOOP_COLUMNS. The parts add up:
    closed = within + past SLA, open = past SLA + pending, closed = followed up + not."""
    by = tuple(by)
    for dim in by:
        if dim not in COLUMNS:
            raise RowQueryError(f"cannot group by {dim!r}; possible groups: {', '.join(COLUMNS)}")
    with cursor(db) as con:
        where, params, _ = _prepare(con, start, end, as_of, filters, scope, complaint_sla_hours)
        keys = ", ".join(f"{COLUMNS[dim]} AS {dim}" for dim in by)
        counts = {
            "complaints": "count(*)",
            "closed": "count(*) FILTER (WHERE f.closed_at IS NOT NULL)",
            "open": "count(*) FILTER (WHERE f.closed_at IS NULL)",
            "closed_within_sla": f"count(*) FILTER (WHERE {_WITHIN_SLA})",
            "closed_past_sla": f"count(*) FILTER (WHERE {_CLOSED_PAST_SLA})",
            "open_past_sla": f"count(*) FILTER (WHERE {_OPEN_PAST_SLA})",
            "pending": f"count(*) FILTER (WHERE {_PENDING})",
            "followed_up": "count(*) FILTER (WHERE f.closed_at IS NOT NULL AND f.followed_up_at IS NOT NULL)",
            "closed_not_followed_up": "count(*) FILTER (WHERE f.closed_at IS NOT NULL AND f.followed_up_at IS NULL)",
        }
        selects = ([keys] if keys else []) + [f"{sql} AS {name}" for name, sql in counts.items()]
        group = f"\nGROUP BY {', '.join(COLUMNS[dim] for dim in by)}\nORDER BY {', '.join(by)} NULLS LAST" if by else ""
        sql = f"SELECT {', '.join(selects)}\n{_FROM}WHERE {where}{group}"
        frame = con.execute(sql, params).df()
    for name in LOOP_COLUMNS:
        frame[name] = frame[name].astype("int64")
    return frame
