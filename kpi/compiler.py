"""KpiQuery -> one SQL statement with bound parameters.

Each source (a fact table read through one anchor) is aggregated once at the
requested grain into the partials of the measures the query needs (a count, a
sum, or a mean's sum and count; see `kpi.rollup`). A source reads its daily
rollup where the rollup can answer and its fact rows for the rest. The per-source
results are stacked with UNION ALL BY NAME and regrouped, so a group that only
one source has still gets every metric (counts 0, rates NULL). Values are always
`$parameters`; identifiers come only from the registry's allow-lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from kpi import registry, rollup
from kpi.registry import GRAINS, SOURCES, Measure, Metric
from kpi.row_filters import where_clause
from kpi.scope import Scope

# The fact tables carry every dimension as a column of its own name.
FACT_COLUMNS = {dim: dim for dim in registry.ALL_DIMENSIONS}


class QueryError(ValueError):
    """A query that cannot be answered as asked; the message names the culprit."""


@dataclass(frozen=True)
class SqlStatement:
    sql: str
    params: dict[str, Any]


@dataclass(frozen=True)
class KpiQuery:
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    grain: str | None = None
    start: date | None = None
    end: date | None = None
    as_of: datetime | None = None
    filters: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    window_days: float = 30
    response_sla_hours: float = 24
    complaint_sla_hours: float = 72
    scope: Scope = field(default_factory=Scope.network)

    @staticmethod
    def build(
        metrics: Sequence[str] | str,
        by: Sequence[str] | str = (),
        grain: str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
        as_of: datetime | str | None = None,
        filters: Mapping[str, Any] | None = None,
        window_days: float = 30,
        response_sla_hours: float = 24,
        complaint_sla_hours: float = 72,
        scope: Scope | None = None,
    ) -> "KpiQuery":
        """Check and normalise user input; every error names what is wrong."""
        metric_ids = _as_tuple(metrics)
        if not metric_ids:
            raise QueryError("no metric asked for")
        for metric_id in metric_ids:
            if metric_id not in registry.METRICS:
                raise QueryError(f"unknown metric {metric_id!r}; known metrics: {', '.join(registry.METRICS)}")
        by_dims = _as_tuple(by)
        filter_items = tuple((dim, _filter_values(dim, values)) for dim, values in (filters or {}).items())
        for dim in by_dims + tuple(d for d, _ in filter_items):
            if dim not in registry.ALL_DIMENSIONS:
                raise QueryError(f"unknown dimension {dim!r}; dimensions are: {', '.join(registry.ALL_DIMENSIONS)}")
            for metric_id in metric_ids:
                if dim not in registry.dimensions_of(registry.METRICS[metric_id]):
                    raise QueryError(
                        f"metric {metric_id!r} has no dimension {dim!r}: its rows have only "
                        f"{', '.join(registry.dimensions_of(registry.METRICS[metric_id]))}"
                    )
        if len(set(by_dims)) != len(by_dims):
            raise QueryError(f"a dimension appears twice in by: {', '.join(by_dims)}")
        if grain is not None and grain not in GRAINS:
            raise QueryError(f"unknown grain {grain!r}; grains are: {', '.join(GRAINS)}")
        start_d, end_d = _as_date(start, "start"), _as_date(end, "end")
        if start_d and end_d and start_d > end_d:
            raise QueryError(f"start {start_d} is after end {end_d}")
        for name, number in (
            ("window_days", window_days),
            ("response_sla_hours", response_sla_hours),
            ("complaint_sla_hours", complaint_sla_hours),
        ):
            if not isinstance(number, (int, float)) or isinstance(number, bool) or number <= 0:
                raise QueryError(f"{name} must be a positive number, got {number!r}")
        return KpiQuery(
            metrics=metric_ids,
            by=by_dims,
            grain=grain,
            start=start_d,
            end=end_d,
            as_of=_as_datetime(as_of),
            filters=filter_items,
            window_days=window_days,
            response_sla_hours=response_sla_hours,
            complaint_sla_hours=complaint_sla_hours,
            scope=scope or Scope.network(),
        )

    @property
    def metric_objects(self) -> tuple[Metric, ...]:
        return tuple(registry.METRICS[m] for m in self.metrics)

    @property
    def needs_as_of(self) -> bool:
        return any(b.uses_as_of for m in self.metric_objects for b in registry.base_metrics(m))


def _as_tuple(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


def _filter_values(dim: str, values: Any) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or values is None or not hasattr(values, "__iter__"):
        values = (values,)
    values = tuple(values)
    if not values:
        raise QueryError(f"filter on {dim!r} allows no value")
    return values


def _as_date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value).replace("/", "-"))
    except ValueError:
        raise QueryError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value).replace("/", "-"))
    except ValueError:
        raise QueryError(f"as_of {value!r} is not a timestamp (YYYY-MM-DD HH:MM:SS)") from None


# ---------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------

def compile_query(
    query: KpiQuery,
    as_of: datetime | None,
    rollups: Mapping[str, frozenset[str]] | None = None,
) -> SqlStatement:
    """The SQL for a checked query. `as_of` must be given when the query needs it.
    `rollups` (table -> columns, from `kpi.rollup.available_columns`) are read
    where they can answer; without them every source reads its rows."""
    if query.needs_as_of and as_of is None:
        raise QueryError("this query needs as_of")

    # Each distinct measure is computed once, even when several metrics share it.
    measures: dict[Measure, str] = {}
    for metric in query.metric_objects:
        for base in registry.base_metrics(metric):
            for m in base.measures:
                measures.setdefault(m, f"m{len(measures)}")

    params: dict[str, Any] = _window_and_sla_parameters(query, as_of)
    source_selects = [
        _source_select(
            source_id, [(m, n) for m, n in measures.items() if m.source == source_id], query, params, rollups or {}
        )
        for source_id in dict.fromkeys(m.source for m in measures)
    ]
    keys = list(query.by) + (["period"] if query.grain else [])
    key_prefix = "".join(f"{k}, " for k in keys)
    # Id dimensions are ENUMs in the fact tables; results carry plain text.
    out_prefix = "".join(f"CAST({k} AS VARCHAR) AS {k}, " for k in query.by)
    out_prefix += "CAST(period AS DATE) AS period, " if query.grain else ""
    stacked = "\nUNION ALL BY NAME\n".join(f"({s})" for s in source_selects)
    # Each partial comes from exactly one source row per group, so max() just picks it.
    partial_names = [name + p.suffix for m, name in measures.items() for p in rollup.partials(m)]
    measure_columns = ", ".join(f"max({name}) AS {name}" for name in partial_names)
    group_by = f"\nGROUP BY {', '.join(keys)}" if keys else ""
    values = {m: rollup.value_sql(m, name) for m, name in measures.items()}
    metric_columns = ",\n    ".join(col for m in query.metric_objects for col in _metric_columns(m, values))
    order_by = f"\nORDER BY {', '.join(k + ' NULLS LAST' for k in keys)}" if keys else ""
    sql = (
        f"WITH grouped AS (\nSELECT {key_prefix}{measure_columns}\nFROM (\n{stacked}\n) stacked{group_by}\n)\n"
        f"SELECT {out_prefix}{metric_columns}\nFROM grouped{order_by}"
    )
    # Bind exactly the parameters the statement names.
    return SqlStatement(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def _source_select(
    source_id: str,
    source_measures: list[tuple[Measure, str]],
    query: KpiQuery,
    params: dict[str, Any],
    rollups: Mapping[str, frozenset[str]],
) -> str:
    """One row per group of this source's partials: from its rollup where that can
    answer (days before the as_of cut-off), from its fact rows otherwise."""
    source = SOURCES[source_id]
    partial_columns = [
        (name + p.suffix, p, rollup.column_name(m, p, params)) for m, name in source_measures for p in rollup.partials(m)
    ]
    rollup_table = rollup.table_name(source_id)
    asked_dimensions = set(query.by) | {dim for dim, _ in query.filters}
    use_rollup = (
        all(m.additive for m, _ in source_measures)
        and not asked_dimensions & set(source.own_dimensions)
        and all(column in rollups.get(rollup_table, ()) for _, _, column in partial_columns)
    )
    row_columns = [(name, p.row_sql) for name, p, _ in partial_columns]
    if not use_rollup:
        return _grouped_select(source.table, source.anchor, row_columns, query, params, source.anchor_nullable)

    cutoff_names = tuple(dict.fromkeys(c for m, _ in source_measures for c in rollup.cutoffs_of(m)))
    cutoff = rollup.cutoff_day(params, cutoff_names)
    rollup_columns = [(name, rollup.summed(column, p)) for name, p, column in partial_columns]
    rollup_select = _grouped_select(
        rollup_table, "day", rollup_columns, query, params, False,
        extra_where=f"day < ${source_id}_cutoff_day" if cutoff else None,
    )
    if not cutoff:
        return rollup_select
    params[f"{source_id}_cutoff_day"] = cutoff
    row_select = _grouped_select(
        source.table, source.anchor, row_columns, query, params, source.anchor_nullable,
        extra_where=f"{source.anchor} >= ${source_id}_cutoff_day",
    )
    keys = list(query.by) + (["period"] if query.grain else [])
    combined = ", ".join(f"{rollup.summed(name, p)} AS {name}" for name, p, _ in partial_columns)
    group = " GROUP BY ALL" if keys else ""
    return (
        f"SELECT {''.join(k + ', ' for k in keys)}{combined}\nFROM (\n({rollup_select})\nUNION ALL BY NAME\n"
        f"({row_select})\n) parts{group}"
    )


def _grouped_select(
    table: str,
    anchor: str,
    columns: list[tuple[str, str]],
    query: KpiQuery,
    params: dict[str, Any],
    anchor_nullable: bool,
    extra_where: str | None = None,
) -> str:
    where_sql, where_params = where_clause(
        anchor, FACT_COLUMNS, query.start, query.end, dict(query.filters), query.scope,
        anchor_nullable=anchor_nullable,
    )
    params.update(where_params)
    conditions = " AND ".join(c for c in (where_sql, extra_where) if c)
    selects = list(query.by)
    if query.grain:
        # Grouped as a timestamp; cast to DATE only on the aggregated rows.
        selects.append(f"CAST(date_trunc('{query.grain}', {anchor}) AS TIMESTAMP) AS period")
    selects += [f"{sql} AS {name}" for name, sql in columns]
    group = " GROUP BY ALL" if query.by or query.grain else ""
    where_sql = f"\nWHERE {conditions}" if conditions else ""
    return f"SELECT {', '.join(selects)}\nFROM {table}{where_sql}{group}"


def _metric_columns(metric: Metric, values: dict[Measure, str]) -> list[str]:
    mid = metric.id
    if metric.kind == "count":
        return [f"coalesce({values[metric.numerator]}, 0) AS {mid}"]
    if metric.kind in ("rate", "ratio"):
        num, den = f"coalesce({values[metric.numerator]}, 0)", f"coalesce({values[metric.denominator]}, 0)"
        scale = f"{metric.scale!r} * " if metric.scale != 1 else ""
        return [
            f"{scale}CAST({num} AS DOUBLE) / NULLIF({den}, 0) AS {mid}",
            f"{num} AS {mid}__num",
            f"{den} AS {mid}__den",
        ]
    if metric.kind in ("mean", "quantile"):
        return [
            f"CAST({values[metric.value]} AS DOUBLE) AS {mid}",
            f"coalesce({values[metric.sample_size]}, 0) AS {mid}__n",
        ]
    if metric.kind == "weighted":
        terms = " + ".join(
            f"{weight!r} * {values[registry.METRICS[ref].value]}" for ref, weight in metric.weights
        )
        return [f"CAST({terms} AS DOUBLE) AS {mid}"]
    raise AssertionError(metric.kind)


def _window_and_sla_parameters(query: KpiQuery, as_of: datetime | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "window_seconds": float(query.window_days) * 86400.0,
        "response_sla_seconds": float(query.response_sla_hours) * 3600.0,
        "complaint_sla_seconds": float(query.complaint_sla_hours) * 3600.0,
    }
    if as_of is not None:
        params["matured_before"] = as_of - timedelta(days=query.window_days)
        params["response_sla_cutoff"] = as_of - timedelta(hours=query.response_sla_hours)
        params["complaint_sla_cutoff"] = as_of - timedelta(hours=query.complaint_sla_hours)
    return params
