"""Targets (目标): which one applies, how a value stands against it.

Plain Python / pandas in, no SQL: the KPI layer reads the `targets` table
(DATA_CONTRACT.md) and passes its rows in.

Resolution
----------
For a metric, a date and a dealer / region / the network, the rows considered are
those of that metric with valid_from ≤ date ≤ valid_to (valid_to NULL = open
ended; both ends inclusive, compared as calendar dates). The most specific scope
wins: the dealer's own row, else its region's, else the network's; a region looks
at region then network rows; the network only at network rows. A dealer's region
comes from the `dealers` mapping passed in. Where nothing applies the answer is
None: a target is never invented (no fallback to last year's, no default).
Within one scope, if several rows are valid on the date (an open-ended old target
that nobody closed and a new one), the one with the latest valid_from wins — it is
the newer decision; two rows starting the same day are a data error and raise
AmbiguousTargetError.

Status (red / amber / green)
----------------------------
A value *meets* its target when value ≥ target (higher is better) or
value ≤ target (lower is better); equal meets it. Then, in this order:

1. value or target missing            → None (shown grey)
2. value outside the band [lower, upper] (strictly; a missing edge is no limit)
                                       → red, on whichever side: the contract says a
   value outside the band is flagged, and a too-good number (no complaints at all,
   100 % satisfied) deserves a look as much as a bad one. Leave the good-side edge
   empty to have no such check.
3. value meets the target             → green
4. value misses the target, and the band has an edge on the missing side (lower
   when higher is better, upper when lower is better), so the value is inside the
   tolerance                          → amber
5. value misses, no edge on that side → red (no band = no tolerance).

Attainment (达成率)
-------------------
value / target when higher is better, target / value when lower is better, so
> 1 is always better than the target (1.10 = 10 % better). Zeros: 0/0 = 1 (met
exactly, e.g. no complaints against a target of none); x/0 with x > 0 = inf (a
lower-is-better value of 0 against a positive target, or any value against a
higher-is-better target of 0). Missing or negative inputs give NaN: a ratio of
signed numbers (a SERVQUAL gap) means nothing — compare such values by difference.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

SCOPES = ("network", "region", "dealer")
GREEN, AMBER, RED = "green", "amber", "red"
TARGET_COLUMNS = ("metric_id", "scope", "scope_id", "valid_from", "valid_to", "target", "lower", "upper")


class AmbiguousTargetError(ValueError):
    """Two targets of the same metric and scope start on the same day and overlap."""


@dataclass(frozen=True)
class ResolvedTarget:
    metric_id: str
    scope: str  # the scope of the row that won: 'dealer', 'region' or 'network'
    scope_id: str | None
    valid_from: date
    valid_to: date | None
    target: float
    lower: float | None
    upper: float | None


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _as_day(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _target_frame(targets: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    frame = targets.copy() if isinstance(targets, pd.DataFrame) else pd.DataFrame(list(targets))
    if frame.empty and len(frame.columns) == 0:
        # No rows at all (an empty targets table): nothing applies anywhere.
        frame = pd.DataFrame(columns=list(TARGET_COLUMNS))
    for column in TARGET_COLUMNS:
        if column not in frame.columns:
            if column in ("scope_id", "valid_to", "lower", "upper"):
                frame[column] = None
            else:
                raise ValueError(f"targets: required column {column!r} is missing")
    unknown = set(frame["scope"].dropna()) - set(SCOPES)
    if unknown or frame["scope"].isna().any():
        raise ValueError(f"targets: scope must be one of {SCOPES}, got {sorted(map(str, unknown)) or [None]}")
    unscoped = frame["scope"].ne("network") & frame["scope_id"].isna()
    if unscoped.any():
        raise ValueError("targets: a region or dealer target needs a scope_id")
    frame = frame.astype({"valid_from": object, "valid_to": object})
    frame["valid_from"] = [_as_day(v) for v in frame["valid_from"]]
    frame["valid_to"] = [pd.NaT if _missing(v) else _as_day(v) for v in frame["valid_to"]]
    return frame


def _dealer_regions(dealers: pd.DataFrame | Mapping[str, str] | None) -> Mapping[str, str]:
    if dealers is None:
        return {}
    if isinstance(dealers, pd.DataFrame):
        return dict(zip(dealers["dealer_id"], dealers["region_id"]))
    return dealers


def _valid_rows(frame: pd.DataFrame, metric_id: str, on: pd.Timestamp) -> pd.DataFrame:
    open_ended = pd.isna(frame["valid_to"])
    ends_later = np.array([False if pd.isna(v) else v >= on for v in frame["valid_to"]], dtype=bool)
    starts_before = np.array([v <= on for v in frame["valid_from"]], dtype=bool)
    return frame[(frame["metric_id"] == metric_id).to_numpy(dtype=bool) & starts_before & (open_ended.to_numpy() | ends_later)]


def _pick(rows: pd.DataFrame, scope: str, scope_id: str | None) -> ResolvedTarget | None:
    if scope == "network":
        rows = rows[rows["scope"] == "network"]
    else:
        rows = rows[(rows["scope"] == scope) & (rows["scope_id"] == scope_id)]
    if rows.empty:
        return None
    latest = max(rows["valid_from"])
    newest = rows[[v == latest for v in rows["valid_from"]]]
    if len(newest) > 1:
        raise AmbiguousTargetError(
            f"targets: {len(newest)} rows for metric {newest['metric_id'].iloc[0]!r}, scope {scope} "
            f"{scope_id or ''} start on {latest.date()} and overlap"
        )
    row = newest.iloc[0]
    return ResolvedTarget(
        metric_id=str(row["metric_id"]),
        scope=scope,
        scope_id=None if scope == "network" else str(row["scope_id"]),
        valid_from=row["valid_from"].date(),
        valid_to=None if pd.isna(row["valid_to"]) else row["valid_to"].date(),
        target=float(row["target"]),
        lower=None if _missing(row["lower"]) else float(row["lower"]),
        upper=None if _missing(row["upper"]) else float(row["upper"]),
    )


def _resolve_in(
    rows: pd.DataFrame, dealer_id: str | None, region_id: str | None, regions: Mapping[str, str]
) -> ResolvedTarget | None:
    if dealer_id is not None:
        found = _pick(rows, "dealer", dealer_id)
        if found is not None:
            return found
        if region_id is None:
            region_id = regions.get(dealer_id)
            if region_id is None and (rows["scope"] == "region").any():
                # Falling through to the network would hide the region's target.
                raise ValueError(f"dealer {dealer_id!r} is not in the dealers mapping; its region is unknown")
    if region_id is not None:
        found = _pick(rows, "region", region_id)
        if found is not None:
            return found
    return _pick(rows, "network", None)


def resolve_target(
    targets: pd.DataFrame | Iterable[Mapping[str, Any]],
    metric_id: str,
    on: date | datetime | str,
    *,
    dealer_id: str | None = None,
    region_id: str | None = None,
    dealers: pd.DataFrame | Mapping[str, str] | None = None,
) -> ResolvedTarget | None:
    """The target of `metric_id` on day `on` for a dealer, a region or (neither
    given) the network; None when no row applies. See the module docstring.

    `dealers` maps dealer_id → region_id (a dict, or a frame with those columns);
    `region_id` given together with `dealer_id` overrides the mapping.

    Example: rows network 0.90 (2024-01-01, open), region EAST 0.92
    (2024-01-01 .. 2024-06-30), dealer D1 0.95 (2024-03-01, open); D1 and D2 in EAST:
      D1 on 2024-02-29 → 0.92 (its own row starts the next day)
      D1 on 2024-03-01 → 0.95 (dealer over region; valid_from inclusive)
      D2 on 2024-06-30 → 0.92 (valid_to inclusive);  D2 on 2024-07-01 → 0.90
      any dealer on 2023-12-31 → None
    """
    rows = _valid_rows(_target_frame(targets), metric_id, _as_day(on))
    return _resolve_in(rows, dealer_id, region_id, _dealer_regions(dealers))


def resolve_targets(
    targets: pd.DataFrame | Iterable[Mapping[str, Any]],
    metric_id: str,
    on: date | datetime | str,
    dealer_ids: Iterable[str],
    dealers: pd.DataFrame | Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`resolve_target` for many dealers at once (a league table): one row per
    dealer_id, in the order given, with columns dealer_id, target, lower, upper,
    target_scope, target_scope_id (NaN / None where no target applies)."""
    rows = _valid_rows(_target_frame(targets), metric_id, _as_day(on))
    regions = _dealer_regions(dealers)
    records = []
    for dealer_id in dealer_ids:
        found = _resolve_in(rows, dealer_id, None, regions)
        records.append(
            {
                "dealer_id": dealer_id,
                "target": np.nan if found is None else found.target,
                "lower": np.nan if found is None or found.lower is None else found.lower,
                "upper": np.nan if found is None or found.upper is None else found.upper,
                "target_scope": None if found is None else found.scope,
                "target_scope_id": None if found is None else found.scope_id,
            }
        )
    columns = ["dealer_id", "target", "lower", "upper", "target_scope", "target_scope_id"]
    return pd.DataFrame.from_records(records, columns=columns)


# ---------------------------------------------------------------------------
# Status and attainment
# ---------------------------------------------------------------------------


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(values, dtype=object)
    return np.array([np.nan if _missing(v) else float(v) for v in array.reshape(-1)], dtype=float).reshape(array.shape)


def meets_target(value: float, target: float, *, higher_is_better: bool) -> bool:
    """value ≥ target when higher is better, value ≤ target otherwise (equal meets)."""
    return bool(value >= target) if higher_is_better else bool(value <= target)


def rag_statuses(
    values: Any, targets: Any, lowers: Any = None, uppers: Any = None, *, higher_is_better: bool
) -> Any:
    """Vectorised `rag_status`: arrays or Series in (scalars broadcast), an object
    array or a Series (on the first Series' index) of 'green'/'amber'/'red'/None."""
    index = next((v.index for v in (values, targets, lowers, uppers) if isinstance(v, pd.Series)), None)
    value, target, lower, upper = np.broadcast_arrays(
        _floats(values), _floats(targets), _floats(lowers), _floats(uppers)
    )
    with np.errstate(invalid="ignore"):
        missing = np.isnan(value) | np.isnan(target)
        outside_band = (~np.isnan(lower) & (value < lower)) | (~np.isnan(upper) & (value > upper))
        meets = value >= target if higher_is_better else value <= target
        tolerance_edge = lower if higher_is_better else upper
        has_tolerance = ~np.isnan(tolerance_edge)
    status = np.select(
        [missing, outside_band, meets, has_tolerance], [None, RED, GREEN, AMBER], RED
    ).astype(object)
    status[missing] = None
    if index is not None:
        return pd.Series(status.reshape(-1), index=index, dtype=object)
    return status


def rag_status(
    value: float | None,
    target: float | None,
    lower: float | None = None,
    upper: float | None = None,
    *,
    higher_is_better: bool,
) -> str | None:
    """'green', 'amber', 'red', or None (grey) for one value; rules in the module docstring.

    Higher is better, target 0.92, band [0.88, 1.00]:
      0.95 → green; 0.92 → green (equal meets); 0.90 → amber; 0.88 → amber (edge
      inside); 0.87 → red; no band: 0.90 → red; value None → None.
    Lower is better, target 0.05, band [0.00, 0.08]:
      0.03 → green; 0.05 → green; 0.07 → amber; 0.08 → amber; 0.09 → red.
    """
    return rag_statuses(value, target, lower, upper, higher_is_better=higher_is_better).reshape(-1)[0]


def attainment(value: Any, target: Any, *, higher_is_better: bool) -> Any:
    """value/target (higher is better) or target/value (lower is better): > 1 beats
    the target. 0/0 = 1, x/0 = inf, missing or negative → NaN. Floats for numbers,
    arrays for arrays, a Series on a Series' index.

    Examples: satisfied 0.874 vs 0.92 → 0.95; complaint rate 0.04 vs target 0.05
    (lower is better) → 0.05/0.04 = 1.25; 0 complaints vs target 0 → 1.0;
    0 complaints vs target 3 → inf.
    """
    index = next((v.index for v in (value, target) if isinstance(v, pd.Series)), None)
    scalar = np.ndim(value) == 0 and np.ndim(target) == 0 and index is None
    v, t = np.broadcast_arrays(_floats(value), _floats(target))
    numerator, denominator = (v, t) if higher_is_better else (t, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
        ratio = np.where((numerator == 0) & (denominator == 0), 1.0, ratio)
        ratio = np.where((v < 0) | (t < 0), np.nan, ratio)
    if scalar:
        return float(ratio.reshape(-1)[0])
    if index is not None:
        return pd.Series(ratio.reshape(-1), index=index)
    return ratio
