"""Fair comparison, targets and early warning, wired to the data.

Every number comes from `kpi.compute` (aggregated in DuckDB, scope applied by the
compiler); the statistics of `kpi.stats` and the target rules of `kpi.targets`
then work on those aggregates only. Each function takes the database, the user's
`Scope` and the query's dates and filters, and returns a frame the pages show.

Scope and benchmarks
--------------------
A region user compares the dealers of the region, by name. A dealer user must
never see another dealer's name, id or own number, yet a comparison of one is no
comparison: for a dealer scope the population is the whole network (a benchmark
query made here, on purpose, with `Scope.network()`), and only aggregates of it
come back: the network's pooled rate as the funnel's centre, the dealer's rank
among the network, its peer group's ratio of sums. With fewer than
MIN_BENCHMARK_DEALERS dealers behind an aggregate, it is withheld (the same rule
as ui.data.anonymous_benchmarks): with two, the network's number minus one's own
*is* the competitor's.

`compute=` lets a caller pass a cached stand-in with kpi.compute's signature.
"""
from __future__ import annotations

import calendar
import dataclasses
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi import records
from kpi.engine import DbLike, compute as kpi_compute, cursor
from kpi.registry import METRICS
from kpi.scope import Scope
from kpi.stats import (
    assign_peer_groups,
    c_chart,
    funnel_flags,
    funnel_limits,
    pooled_rate,
    project_count,
    project_rate,
    rank_rates,
    u_chart,
)
from kpi.targets import attainment, rag_status, rag_statuses, resolve_target, resolve_targets

ComputeFn = Callable[..., pd.DataFrame]

# Wilson intervals, funnels and shrinkage need k of n: the metrics of kind "rate".
FAIR_METRICS: tuple[str, ...] = tuple(m.id for m in METRICS.values() if m.kind == "rate")
# Filters that pick dealers: a network benchmark ignores them (it is the whole network).
DEALER_FILTERS = ("dealer_id", "region_id", "dealer_type", "city")
# Fewer dealers than this behind a benchmark, and a dealer user could work a
# competitor's number out of it: withheld (as in ui.data.anonymous_benchmarks).
MIN_BENCHMARK_DEALERS = 5
DAYS_PER_MONTH = 365.25 / 12
# Complaints are bad news: these signals warn; below_lcl, run_below and
# trend_down are good news and never raise an alert.
ADVERSE_SIGNALS = ("above_ucl", "run_above", "trend_up")
# Three-sigma limits around a mean of a few tenths of a complaint are crossed by one
# or two complaints (c̄ = 0.24 puts the upper limit at 1.71), and with sixty dealers
# watched daily for two weeks a 2-complaint day somewhere is near certain by chance
# (P(X ≥ 2 | 0.24) = 2.5 % a day): a point beyond the limit alerts only with at least
# three complaints (P(X ≥ 3 | 0.24) = 0.2 %).
MIN_ALERT_COUNT = 3
SPC_LOOKBACK = {"day": 56, "week": 26}  # periods drawn
SPC_RECENT = {"day": 14, "week": 4}  # periods whose signals are alerts


def as_number(value: Any) -> float | None:
    """A float, or None for None, NaN, NA and NaT (frames mix all of them)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return float(value)


def _benchmark_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (filters or {}).items() if k not in DEALER_FILTERS}


def _population(scope: Scope, filters: Mapping[str, Any] | None) -> tuple[Scope, dict[str, Any]]:
    """Whose rows a comparison is made over: the scope itself, or the network for a dealer."""
    if scope.level == "dealer":
        return Scope.network(), _benchmark_filters(filters)
    return scope, dict(filters or {})


def _require_rate(metric_id: str) -> None:
    if metric_id not in FAIR_METRICS:
        raise ValueError(f"{metric_id!r} is not a rate (k of n); fair comparison needs one of: {', '.join(FAIR_METRICS)}")


def _usable_counts(k: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Counts an interval can be drawn from. complaint_rate divides complaints by
    ROs opened, which are not one-to-one: a tiny dealer can have more complaints
    than ROs in a period. Such a group has no binomial interval; it gets NaN."""
    k = pd.to_numeric(k, errors="coerce").astype(float)
    n = pd.to_numeric(n, errors="coerce").astype(float)
    bad = k > n
    return k.mask(bad), n.mask(bad)


# ---------------------------------------------------------------- targets


def target_rows(db: DbLike, metric_ids: Sequence[str], scope: Scope) -> pd.DataFrame:
    """Rows of the targets table for these metrics that can apply inside the scope:
    network rows, and region / dealer rows of the regions and dealers in scope."""
    where, params = records._scope_sql(scope)
    sql = f"""
        SELECT metric_id, scope, scope_id, valid_from, valid_to,
               CAST(target AS DOUBLE) AS target, CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper
        FROM targets
        WHERE metric_id IN (SELECT unnest($metrics::VARCHAR[]))
          AND (scope = 'network'
               OR (scope = 'region' AND scope_id IN (SELECT d.region_id FROM dealers d WHERE {where}))
               OR (scope = 'dealer' AND scope_id IN (SELECT d.dealer_id FROM dealers d WHERE {where})))
        ORDER BY metric_id, scope, scope_id, valid_from
    """
    with cursor(db) as cur:
        return cur.execute(sql, {**params, "metrics": list(metric_ids)}).df()


def _dealer_map(db: DbLike, scope: Scope) -> pd.DataFrame:
    with cursor(db) as cur:
        return records.dealers(cur, scope)


def target_for(
    db: DbLike, metric_id: str, on: date, scope: Scope, *, dealer_id: str | None = None, region_id: str | None = None
) -> dict[str, Any] | None:
    """The target that applies on a day to a dealer, a region, or (neither) the
    network: {"target", "lower", "upper", "scope"}; None when none is set."""
    dealers = _dealer_map(db, scope)
    found = resolve_target(
        target_rows(db, [metric_id], scope), metric_id, on, dealer_id=dealer_id, region_id=region_id, dealers=dealers
    )
    if found is None:
        return None
    return {"target": found.target, "lower": found.lower, "upper": found.upper, "scope": found.scope}


def target_series(
    db: DbLike,
    metric_id: str,
    periods: Iterable[date],
    scope: Scope,
    *,
    dealer_id: str | None = None,
    region_id: str | None = None,
) -> pd.DataFrame:
    """The target of each period (resolved on the period's first day, as the
    period is labelled): period, target, lower, upper — NaN where none applies.
    Targets change over time; a trend's target line follows them."""
    rows = target_rows(db, [metric_id], scope)
    dealers = _dealer_map(db, scope)
    out = []
    for period in periods:
        found = resolve_target(rows, metric_id, period, dealer_id=dealer_id, region_id=region_id, dealers=dealers)
        out.append({
            "period": period,
            "target": np.nan if found is None else found.target,
            "lower": np.nan if found is None or found.lower is None else found.lower,
            "upper": np.nan if found is None or found.upper is None else found.upper,
        })
    return pd.DataFrame(out, columns=["period", "target", "lower", "upper"])


def status_reasons(values: Any, targets: Any, lowers: Any, uppers: Any, *, higher_is_better: bool) -> list[str]:
    """Why a value got its colour, for a tooltip or a legend: no_target,
    no_value, meets (green), tolerance (amber), misses (red), or
    outside_band_better / outside_band_worse (red: beyond the band's edge)."""
    reasons = []
    for value, target, lower, upper in zip(values, targets, lowers, uppers):
        value, target, lower, upper = (as_number(v) for v in (value, target, lower, upper))
        if target is None:
            reasons.append("no_target")
            continue
        if value is None:
            reasons.append("no_value")
            continue
        status = rag_status(value, target, lower, upper, higher_is_better=higher_is_better)
        below_band = lower is not None and value < lower
        above_band = upper is not None and value > upper
        if below_band or above_band:
            reasons.append("outside_band_better" if above_band == higher_is_better else "outside_band_worse")
        else:
            reasons.append({"green": "meets", "amber": "tolerance", "red": "misses"}[status])
    return reasons


# ---------------------------------------------------------------- league table


def _rates_by_dealer(
    db: DbLike, metric_id: str, scope: Scope, start: date, end: date, filters: Mapping[str, Any] | None,
    compute: ComputeFn,
) -> pd.DataFrame:
    frame = compute(db, [metric_id], by=["dealer_id"], start=start, end=end, filters=filters or None, scope=scope)
    k, n = _usable_counts(frame[f"{metric_id}__num"], frame[f"{metric_id}__den"])
    out = pd.DataFrame({"dealer_id": frame["dealer_id"], "successes": k, "trials": n})
    return out[out["trials"] > 0].reset_index(drop=True)


def league_table(
    db: DbLike,
    metric_id: str,
    *,
    scope: Scope,
    start: date,
    end: date,
    filters: Mapping[str, Any] | None = None,
    rank_by: str = "wilson",
    confidence: float = 0.95,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """One rate per dealer with what makes the comparison fair, best first.

    Columns: dealer_id, dealer_name, region_id, dealer_type, successes, trials,
    rate, wilson_lower, wilson_upper, shrunk_rate, fair_rank (by `rank_by`:
    "wilson" or "shrunk"), raw_rank (by the rate itself), ranked (how many
    dealers were ranked), target, target_lower, target_upper, target_scope
    (whose target: dealer / region / network; None = no target set), status
    (green / amber / red / None; a value beyond the band on the good side whose
    Wilson interval still reaches the band counts as green), status_reason (see
    status_reasons) and attainment, against the target valid on
    `end`. Dealers with no cases (n = 0) are left out: no data, no rank.
    For a dealer scope: only that dealer's row, ranked among the network (no
    rank with fewer than MIN_BENCHMARK_DEALERS ranked dealers).
    """
    _require_rate(metric_id)
    higher = bool(METRICS[metric_id].higher_is_better)
    population, population_filters = _population(scope, filters)
    counts = _rates_by_dealer(db, metric_id, population, start, end, population_filters, compute)
    ranked = rank_rates(counts["successes"], counts["trials"], higher_is_better=higher, by=rank_by,
                        confidence=confidence)
    table = pd.concat([counts[["dealer_id"]], ranked.drop(columns=["score"])], axis=1)
    table = table.rename(columns={"rank": "fair_rank"})
    table["raw_rank"] = table["rate"].rank(method="min", ascending=not higher).astype("Int64")
    table["ranked"] = int(table["fair_rank"].notna().sum())
    if scope.level == "dealer":
        table = table[table["dealer_id"] == scope.id].copy()
        if table["ranked"].lt(MIN_BENCHMARK_DEALERS).any():
            table[["fair_rank", "raw_rank"]] = pd.NA
    dealers = _dealer_map(db, scope)
    table = dealers[["dealer_id", "dealer_name", "region_id", "dealer_type"]].merge(table, on="dealer_id", how="inner")
    targets = resolve_targets(target_rows(db, [metric_id], scope), metric_id, end, table["dealer_id"], dealers)
    table["target"] = targets["target"].to_numpy()
    table["target_lower"] = targets["lower"].to_numpy()
    table["target_upper"] = targets["upper"].to_numpy()
    table["target_scope"] = targets["target_scope"].to_numpy()
    table["status"] = rag_statuses(table["rate"], table["target"], table["target_lower"], table["target_upper"],
                                   higher_is_better=higher).to_numpy()
    table["status_reason"] = status_reasons(table["rate"], table["target"], table["target_lower"],
                                            table["target_upper"], higher_is_better=higher)
    # "Too good, check" needs evidence: the whole interval beyond the band's edge.
    # 7 of 7 against a band up to 97 % (interval 64.6 %–100 %) is a good month, on target.
    edge = table["target_upper"] if higher else table["target_lower"]
    reaches_back = (table["wilson_lower"] <= edge) if higher else (table["wilson_upper"] >= edge)
    chance = (table["status_reason"] == "outside_band_better") & reaches_back.fillna(False)
    table.loc[chance, "status_reason"] = "meets"
    table.loc[chance, "status"] = "green"
    table["attainment"] = attainment(table["rate"], table["target"], higher_is_better=higher).to_numpy()
    return table.sort_values(["fair_rank", "dealer_id"], na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------- funnel plot


@dataclass(frozen=True)
class FunnelData:
    metric_id: str
    points: pd.DataFrame  # one row per dealer (see funnel_data)
    limits: pd.DataFrame  # n, p0, lower_95, upper_95, lower_99_8, upper_99_8 on a grid of n
    p0: float  # the centre line
    centre: str  # "pooled" (Σk/Σn of the points) or "target"
    benchmark_only: bool  # a dealer user: only their own point, p0 = the network's rate
    dealers: int  # dealers with cases behind p0


def funnel_data(
    db: DbLike,
    metric_id: str,
    *,
    scope: Scope,
    start: date,
    end: date,
    filters: Mapping[str, Any] | None = None,
    p0: float | None = None,
    grid_points: int = 120,
    compute: ComputeFn = kpi_compute,
) -> FunnelData:
    """Each dealer's rate against its volume, with exact binomial limits around
    p0 (the pooled rate of the dealers compared unless a target is given).

    For a dealer scope the points are that dealer's alone, p0 is the whole
    network's rate (NaN, so no limits, with fewer than MIN_BENCHMARK_DEALERS
    dealers behind it).

    points: dealer_id, dealer_name, is_self,
    successes, trials, rate, the limits at the dealer's own n, funnel_95 /
    funnel_99_8 ('above' / 'below' / 'inside') and verdict_95 / verdict_99_8
    ('better' / 'worse' / 'inside', by the metric's direction).
    """
    _require_rate(metric_id)
    higher = bool(METRICS[metric_id].higher_is_better)
    population, population_filters = _population(scope, filters)
    counts = _rates_by_dealer(db, metric_id, population, start, end, population_filters, compute)
    benchmark_only = scope.level == "dealer"
    population_size = len(counts)
    centre = "pooled" if p0 is None else "target"
    if p0 is None:
        withheld = benchmark_only and len(counts) < MIN_BENCHMARK_DEALERS
        p0 = float("nan") if withheld else pooled_rate(counts["successes"], counts["trials"])
    if benchmark_only:
        # From here on only the dealer's own counts: nothing else of the network leaves.
        counts = counts[counts["dealer_id"] == scope.id].reset_index(drop=True)
    flags = funnel_flags(counts["successes"], counts["trials"], p0=p0)
    points = pd.concat([counts, flags.drop(columns=["successes", "trials"])], axis=1)
    better, worse = ("above", "below") if higher else ("below", "above")
    for label in ("95", "99_8"):
        points[f"verdict_{label}"] = points[f"funnel_{label}"].map({better: "better", worse: "worse", "inside": "inside"})
    points["is_self"] = benchmark_only
    dealers = _dealer_map(db, scope)
    names = dict(zip(dealers["dealer_id"], dealers["dealer_name"]))
    points["dealer_name"] = [names.get(d) for d in points["dealer_id"]]
    points = points.sort_values(["trials", "rate"], kind="stable").reset_index(drop=True)
    n_max = float(points["trials"].max()) if len(points) else 1.0
    # A dealer's own funnel reaches a little beyond its own volume, not the network's largest.
    reach = 1.6 if benchmark_only else 1.05
    grid = np.unique(np.concatenate([np.geomspace(1, max(n_max, 1.0) * reach, grid_points).round(), [1.0]]))
    limits = funnel_limits(p0, grid)
    return FunnelData(metric_id, points, limits, float(p0), centre, benchmark_only, population_size)


# ---------------------------------------------------------------- SPC


def _period_grid(end: date, grain: str, periods: int) -> list[date]:
    if grain == "day":
        return [end - timedelta(days=i) for i in range(periods - 1, -1, -1)]
    if grain == "week":
        monday = end - timedelta(days=end.weekday())
        return [monday - timedelta(weeks=i) for i in range(periods - 1, -1, -1)]
    raise ValueError(f"SPC grain must be 'day' or 'week', got {grain!r}")


def complaint_spc(
    db: DbLike,
    *,
    scope: Scope,
    end: date,
    grain: str = "day",
    periods: int | None = None,
    recent: int | None = None,
    filters: Mapping[str, Any] | None = None,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """Control charts of complaints per dealer, the last `periods` days or weeks
    up to `end`, in long form: one row per dealer, period and chart.

    chart "rate": complaints per RO opened, a u-chart (ū ± 3·√(ū/n)). A complaint
    is not tied to an RO of the same day, so a day can have more complaints than
    ROs; a p-chart would refuse that, the u-chart (events per unit of exposure)
    does not, and at complaint rates of a few percent the two limits differ by
    under 1 %. chart "count": complaints per period, a c-chart (c̄ ± 3·√c̄).

    Each dealer is its own yardstick: the centre comes from its periods *before*
    the last `recent` ones (the baseline), so a drift in the recent window does
    not move its own centre line; a dealer with no ROs in the baseline uses all
    its periods. Periods with no row are zero complaints and zero ROs (for a
    weekly grain the last week may be partial: `complete` says so).

    Columns: dealer_id, period, chart, count, exposure (ROs; NaN for counts),
    value, centre, lcl, ucl, z_score, flag_<rule>..., signals, adverse (the
    signals that are bad news), in_recent, complete.
    """
    periods = periods or SPC_LOOKBACK[grain]
    recent = recent if recent is not None else SPC_RECENT[grain]
    grid = _period_grid(end, grain, periods)
    frame = compute(db, ["complaint_count", "ro_count"], by=["dealer_id"], grain=grain, start=grid[0], end=end,
                    filters=filters or None, scope=scope)
    dealer_ids = sorted(frame["dealer_id"].dropna().unique())
    if not dealer_ids:
        return pd.DataFrame(columns=["dealer_id", "period", "chart", "count", "exposure", "value", "centre", "lcl",
                                     "ucl", "z_score", "signals", "adverse", "in_recent", "complete"])
    full = pd.MultiIndex.from_product([dealer_ids, grid], names=["dealer_id", "period"]).to_frame(index=False)
    data = full.merge(frame[["dealer_id", "period", "complaint_count", "ro_count"]], on=["dealer_id", "period"],
                      how="left")
    data[["complaint_count", "ro_count"]] = data[["complaint_count", "ro_count"]].fillna(0).astype(float)
    recent_from = grid[-recent] if recent > 0 else None
    data["in_recent"] = [recent_from is not None and p >= recent_from for p in data["period"]]
    baseline_exposure = data[~data["in_recent"]].groupby("dealer_id")["ro_count"].sum()
    no_baseline = set(baseline_exposure[baseline_exposure <= 0].index) | (set(dealer_ids) - set(baseline_exposure.index))
    data["baseline"] = ~data["in_recent"] | data["dealer_id"].isin(no_baseline)
    data["complete"] = [grain == "day" or (p + timedelta(days=6)) <= end for p in data["period"]]

    rate = u_chart(data, count="complaint_count", exposure="ro_count", by="dealer_id", baseline="baseline")
    rate = rate.assign(chart="rate", count=rate["complaint_count"], exposure=rate["ro_count"])
    count = c_chart(data, count="complaint_count", by="dealer_id", baseline="baseline")
    count = count.assign(chart="count", count=count["complaint_count"], exposure=np.nan)
    out = pd.concat([rate, count], ignore_index=True)
    out["adverse"] = [
        tuple(rule for rule in signals if rule in ADVERSE_SIGNALS and (rule != "above_ucl" or count >= MIN_ALERT_COUNT))
        for signals, count in zip(out["signals"], out["count"])
    ]
    flag_columns = [c for c in out.columns if c.startswith("flag_")]
    columns = ["dealer_id", "period", "chart", "count", "exposure", "value", "centre", "lcl", "ucl", "z_score",
               *flag_columns, "signals", "adverse", "in_recent", "complete"]
    return out[columns].sort_values(["dealer_id", "chart", "period"]).reset_index(drop=True)


def spc_alerts(spc: pd.DataFrame) -> pd.DataFrame:
    """The early warnings: points of the recent window with an adverse signal,
    newest first. Columns: dealer_id, period, chart, count, exposure, value,
    centre, ucl, adverse."""
    columns = ["dealer_id", "period", "chart", "count", "exposure", "value", "centre", "ucl", "adverse"]
    if spc.empty:
        return pd.DataFrame(columns=columns)
    hits = spc[spc["in_recent"] & (spc["adverse"].map(len) > 0)]
    return hits[columns].sort_values(["period", "dealer_id", "chart"], ascending=[False, True, False]).reset_index(drop=True)


def complaint_alerts(
    db: DbLike,
    *,
    scope: Scope,
    end: date,
    grain: str = "day",
    filters: Mapping[str, Any] | None = None,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """spc_alerts(complaint_spc(...)) with each dealer's name."""
    alerts = spc_alerts(complaint_spc(db, scope=scope, end=end, grain=grain, filters=filters, compute=compute))
    dealers = _dealer_map(db, scope)
    names = dict(zip(dealers["dealer_id"], dealers["dealer_name"]))
    alerts.insert(1, "dealer_name", [names.get(d, d) for d in alerts["dealer_id"]])
    alerts["grain"] = grain
    return alerts


# ---------------------------------------------------------------- month-end projection


def _matures_later(metric_id: str) -> bool:
    """A metric whose cases are only counted W days after closing has next to
    nothing month to date: no projection can be made from it."""
    metric = METRICS[metric_id]
    return any("$matured_before" in m.sql for m in metric.measures)


def mtd_projections(
    db: DbLike,
    metric_ids: Sequence[str],
    *,
    scope: Scope,
    through: date,
    dealer_id: str | None = None,
    region_id: str | None = None,
    filters: Mapping[str, Any] | None = None,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """Month to date (1st .. `through`, the last complete day) projected to the
    month's end and judged against the target valid on `through` for the dealer
    (or region, or network). One row per metric:

    metric_id, kind, to_date, numerator, denominator, projected, lower, upper
    (Wilson interval of a rate), target, target_lower, target_upper,
    target_scope, on_track, decided, status, gap_to_target, days_elapsed,
    days_in_month, note. A count's target is read as the month's total.
    Averages project as the month-to-date mean (no interval). note says why
    there is no projection: "matures_later" (first-time fix), "not_projectable"
    (a quantile or a weighted score), "no_data".
    """
    month_start = through.replace(day=1)
    frame = compute(db, list(metric_ids), start=month_start, end=through, filters=filters or None, scope=scope)
    row = frame.iloc[0] if len(frame) else pd.Series(dtype=float)
    rows = target_rows(db, list(metric_ids), scope)
    dealers = _dealer_map(db, scope)
    out = []
    for metric_id in metric_ids:
        metric = METRICS[metric_id]
        higher = metric.higher_is_better
        found = resolve_target(rows, metric_id, through, dealer_id=dealer_id, region_id=region_id, dealers=dealers)
        target = None if found is None else found.target
        lower = None if found is None else found.lower
        upper = None if found is None else found.upper
        record: dict[str, Any] = {
            "metric_id": metric_id, "kind": metric.kind, "to_date": as_number(row.get(metric_id)),
            "numerator": as_number(row.get(f"{metric_id}__num")), "denominator": as_number(row.get(f"{metric_id}__den")),
            "target": target, "target_lower": lower, "target_upper": upper,
            "target_scope": None if found is None else found.scope,
            "projected": None, "lower": None, "upper": None, "on_track": None, "decided": None, "status": None,
            "gap_to_target": None, "days_elapsed": through.day,
            "days_in_month": calendar.monthrange(through.year, through.month)[1],
            "note": None,
        }
        projection = None
        if _matures_later(metric_id):
            record["note"] = "matures_later"
        elif metric.kind == "count":
            # A volume (ROs, surveys) has no better direction: its pace, no verdict.
            judged = higher is not None
            projection = project_count(record["to_date"] or 0.0, through, target=target if judged else None,
                                       lower=lower, upper=upper, higher_is_better=bool(higher))
        elif metric.kind == "rate":
            if not record["denominator"]:
                record["note"] = "no_data"
            else:
                k, n = record["numerator"] or 0.0, record["denominator"]
                if k > n:
                    record["note"] = "not_projectable"
                else:
                    projection = project_rate(k, n, through, target=target, lower=lower, upper=upper,
                                              higher_is_better=bool(higher))
        elif metric.kind == "mean":
            value = record["to_date"]
            if value is None:
                record["note"] = "no_data"
            else:
                record["projected"] = value
                if target is not None:
                    record["on_track"] = bool(value >= target) if higher else bool(value <= target)
                    record["status"] = rag_status(value, target, lower, upper, higher_is_better=bool(higher))
        else:
            record["note"] = "not_projectable"
        if projection is not None and projection.status == "red" and projection.lower is not None:
            # As in the league: "too good" needs the whole interval beyond the band's edge.
            edge = upper if higher else lower
            beyond_good_side = edge is not None and ((projection.value > edge) if higher else (projection.value < edge))
            reaches_back = edge is not None and ((projection.lower <= edge) if higher else (projection.upper >= edge))
            if beyond_good_side and reaches_back:
                projection = dataclasses.replace(projection, status="green")
        if projection is not None:
            record.update(
                projected=None if math.isnan(projection.value) else projection.value,
                lower=projection.lower, upper=projection.upper, on_track=projection.on_track,
                decided=projection.decided, status=projection.status, gap_to_target=projection.gap_to_target,
            )
        out.append(record)
    return pd.DataFrame(out)


# ---------------------------------------------------------------- peer groups


def peer_groups(
    db: DbLike,
    *,
    scope: Scope,
    end: date,
    volume_days: int = 365,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """Each dealer in scope with its peer group: dealer_id, dealer_name,
    dealer_type, monthly_ro_volume, volume_class, peer_group, peer_group_size.

    Monthly RO volume = ROs opened in the `volume_days` days up to `end` (from
    the first day of data if that is later) × 30.44 / those days. The terciles
    are taken over the whole network (a benchmark query), so "large" means the
    same whatever the user's scope. A dealer without ROs in the window has no
    volume and no group.
    """
    window_start = end - timedelta(days=volume_days - 1)
    with cursor(db) as cur:
        first_day, _ = records.data_bounds(cur)
    if first_day is not None and first_day > window_start:
        window_start = first_day
    days = max((end - window_start).days + 1, 1)
    volumes = compute(db, ["ro_count"], by=["dealer_id"], start=window_start, end=end, scope=Scope.network())
    network_dealers = _dealer_map(db, Scope.network())
    frame = network_dealers[["dealer_id", "dealer_type"]].merge(volumes[["dealer_id", "ro_count"]], on="dealer_id",
                                                                how="left")
    count = pd.to_numeric(frame["ro_count"], errors="coerce")
    frame["monthly_ro_volume"] = (count * DAYS_PER_MONTH / days).where(count > 0)
    grouped = assign_peer_groups(frame.drop(columns="ro_count"))
    in_scope = _dealer_map(db, scope)[["dealer_id", "dealer_name"]]
    return in_scope.merge(grouped, on="dealer_id", how="inner").reset_index(drop=True)


def peer_comparison(
    db: DbLike,
    metric_ids: Sequence[str],
    *,
    scope: Scope,
    start: date,
    end: date,
    filters: Mapping[str, Any] | None = None,
    volume_days: int = 365,
    compute: ComputeFn = kpi_compute,
) -> pd.DataFrame:
    """Each dealer in scope (and in the filters) against its peer group and the
    network, in long form: dealer_id, dealer_name, peer_group, peer_group_size,
    metric_id, value, basis (k / n or n), peer_value, network_value.

    A peer group's value is its own kpi.compute over all its dealers' rows (a
    ratio of sums, not a mean of dealer rates), made with the network scope: the
    peers may be outside the user's scope, only the group's aggregate is
    returned. For a dealer user a peer group, or a network, of fewer than
    MIN_BENCHMARK_DEALERS dealers gets no value (with two, the group's number
    would reveal the other dealer's).
    """
    groups = peer_groups(db, scope=scope, end=end, volume_days=volume_days, compute=compute)
    shown = compute(db, list(metric_ids), by=["dealer_id"], start=start, end=end, filters=filters or None,
                    scope=scope)
    benchmark_filters = _benchmark_filters(filters)
    network = compute(db, list(metric_ids), start=start, end=end, filters=benchmark_filters or None,
                      scope=Scope.network())
    network_row = network.iloc[0].copy() if len(network) else pd.Series(dtype=float)
    if scope.level == "dealer":
        per_dealer = compute(db, list(metric_ids), by=["dealer_id"], start=start, end=end,
                             filters=benchmark_filters or None, scope=Scope.network())
        for metric_id in metric_ids:
            if per_dealer[metric_id].notna().sum() < MIN_BENCHMARK_DEALERS:
                network_row[metric_id] = np.nan
    all_groups = peer_groups(db, scope=Scope.network(), end=end, volume_days=volume_days, compute=compute)
    peer_rows: dict[str, pd.Series] = {}
    for group in groups["peer_group"].dropna().unique():
        members = sorted(all_groups.loc[all_groups["peer_group"] == group, "dealer_id"])
        result = compute(db, list(metric_ids), start=start, end=end,
                         filters={**benchmark_filters, "dealer_id": members}, scope=Scope.network())
        peer_rows[group] = result.iloc[0] if len(result) else pd.Series(dtype=float)
    dealers = groups.merge(shown, on="dealer_id", how="inner")
    out = []
    for _, dealer in dealers.iterrows():
        group = dealer["peer_group"]
        size = dealer["peer_group_size"]
        disclosed = group is not None and not pd.isna(size) and (scope.level != "dealer" or int(size) >= MIN_BENCHMARK_DEALERS)
        for metric_id in metric_ids:
            peer = peer_rows.get(group) if disclosed else None
            out.append({
                "dealer_id": dealer["dealer_id"],
                "dealer_name": dealer["dealer_name"],
                "peer_group": group,
                "peer_group_size": size,
                "metric_id": metric_id,
                "value": as_number(dealer.get(metric_id)),
                "numerator": as_number(dealer.get(f"{metric_id}__num")),
                "denominator": as_number(dealer.get(f"{metric_id}__den", dealer.get(f"{metric_id}__n"))),
                "peer_value": None if peer is None else as_number(peer.get(metric_id)),
                "network_value": as_number(network_row.get(metric_id)),
            })
    return pd.DataFrame(out, columns=["dealer_id", "dealer_name", "peer_group", "peer_group_size", "metric_id",
                                      "value", "numerator", "denominator", "peer_value", "network_value"])


__all__ = [
    "ADVERSE_SIGNALS", "FAIR_METRICS", "MIN_BENCHMARK_DEALERS", "FunnelData", "complaint_alerts", "complaint_spc",
    "funnel_data", "league_table", "mtd_projections", "peer_comparison", "peer_groups", "spc_alerts",
    "target_for", "target_rows", "target_series",
]
