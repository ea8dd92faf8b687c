"""Month-to-date projection to month end (指标结果预先控制: act before the month closes).

Counts (complaints, ROs): linear pace by default,

    projection = count_to_date × D / d

for data through day d of a month of D days. Workshops and call centres are not
equally busy every weekday, so `weekday_weights` (seven numbers, Monday first:
e.g. a day's average share of a week's ROs) makes the pace weekday-aware:

    projection = count_to_date × Σ w(day) over the month / Σ w(day) over days 1..d

Linear is the default because it needs nothing but the count; with equal weights
the two are the same. Days are counted as days of data: pass the last complete day,
not today if today is still running.

Rates (first-time fix, satisfied, complaint rate): the month-to-date rate k/n is the
projection — the rest of the month is expected to look like what has been seen —
with its Wilson interval, which says how sure the projection is: the verdict is
`decided` when the whole interval lies on one side of the target.

Verdict: `on_track` is whether the projected value meets the target (≥ when higher
is better, ≤ when lower is better; equal meets it); `status` is the red/amber/green
of the projected value against the target and its band (kpi.targets.rag_status).
With no target (None) there is no verdict: on_track and status are None, never a
made-up target.
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from kpi.stats.intervals import DEFAULT_CONFIDENCE, wilson_interval
from kpi.targets import meets_target, rag_status


@dataclass(frozen=True)
class Projection:
    value: float  # the projected month-end value; NaN when nothing can be projected
    lower: float | None  # interval of a rate projection (None for counts)
    upper: float | None
    days_elapsed: int  # d
    days_in_month: int  # D
    target: float | None
    on_track: bool | None  # the projection meets the target; None without target or value
    decided: bool | None  # rates: the whole interval is on one side of the target
    status: str | None  # 'green' / 'amber' / 'red' of the projection, None = grey
    gap_to_target: float | None  # counts: target − count so far (room left, or still needed)


def _known(number: float | None) -> float | None:
    """None for a missing number (None or NaN, as a NULL arrives from pandas)."""
    return None if number is None or math.isnan(float(number)) else float(number)


def _month_days(through: date) -> tuple[int, int]:
    return through.day, calendar.monthrange(through.year, through.month)[1]


def _verdict(value: float, target: float | None, lower: float | None, upper: float | None, higher_is_better: bool):
    if target is None or math.isnan(value):
        return None, None
    return meets_target(value, target, higher_is_better=higher_is_better), rag_status(
        value, target, lower, upper, higher_is_better=higher_is_better
    )


def project_count(
    count_to_date: float,
    through: date,
    *,
    target: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
    higher_is_better: bool,
    weekday_weights: Sequence[float] | None = None,
) -> Projection:
    """Project a month-to-date count to the month's end and judge it against a target.

    `through` is the last day the count covers (d = through.day of D days).
    `lower`/`upper` are the target's band (for the status only).

    Worked example: 14 complaints through 10 June (D = 30), target ≤ 36, lower is
    better: projection = 14 × 30/10 = 42 > 36 → off track (on_track False; red
    without a band); gap_to_target = 36 − 14 = 22 complaints of room left, i.e. at
    most 22/20 = 1.1 a day for the 20 days to come against 1.4 so far.

    Weekday-weighted: 2024-06-01 is a Saturday; weights Mon–Fri 1, Sat 0.5, Sun 0:
    days 1–10 hold Sat, Sun, Mon–Fri, Sat, Sun, Mon → 0.5 + 0 + 5 + 0.5 + 0 + 1 = 7;
    the month holds 20 weekdays, 5 Saturdays, 5 Sundays → 20 + 2.5 = 22.5;
    projection = 14 × 22.5/7 = 45.
    """
    days_elapsed, days_in_month = _month_days(through)
    target = _known(target)
    count_to_date = float(count_to_date)
    if count_to_date < 0:
        raise ValueError("a count cannot be negative")
    if weekday_weights is None:
        value = count_to_date * days_in_month / days_elapsed
    else:
        if len(weekday_weights) != 7 or any(w < 0 for w in weekday_weights):
            raise ValueError("weekday_weights needs seven non-negative numbers, Monday first")
        weights = [
            weekday_weights[date(through.year, through.month, day).weekday()] for day in range(1, days_in_month + 1)
        ]
        elapsed_weight = sum(weights[:days_elapsed])
        # Nothing can be said of the pace if no weighted day has passed yet.
        value = count_to_date * sum(weights) / elapsed_weight if elapsed_weight > 0 else math.nan
    on_track, status = _verdict(value, target, lower, upper, higher_is_better)
    return Projection(
        value=value,
        lower=None,
        upper=None,
        days_elapsed=days_elapsed,
        days_in_month=days_in_month,
        target=target,
        on_track=on_track,
        decided=None,
        status=status,
        gap_to_target=None if target is None else float(target) - count_to_date,
    )


def project_rate(
    numerator_to_date: float,
    denominator_to_date: float,
    through: date,
    *,
    target: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
    higher_is_better: bool,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Projection:
    """Project a month-to-date rate: the MTD rate k/n, with its Wilson interval.

    Worked example: 87 first-time fixes of 95 through 20 June, target ≥ 0.92,
    higher is better: projection 87/95 = 0.915789 < 0.92 → not on track; the 95 %
    Wilson interval [0.842548, 0.956712] contains 0.92, so decided = False: too early
    to call, the rest of the month can still make it.
    With no cases yet (n = 0) the value is NaN and there is no verdict.
    """
    days_elapsed, days_in_month = _month_days(through)
    target = _known(target)
    k, n = float(numerator_to_date), float(denominator_to_date)
    low, high = wilson_interval(k, n, confidence)
    value = k / n if n > 0 else math.nan
    on_track, status = _verdict(value, target, lower, upper, higher_is_better)
    decided = None
    if on_track is not None:
        decided = bool(low > target or high < target) if not math.isnan(low) else None
    return Projection(
        value=value,
        lower=None if math.isnan(low) else low,
        upper=None if math.isnan(high) else high,
        days_elapsed=days_elapsed,
        days_in_month=days_in_month,
        target=target,
        on_track=on_track,
        decided=decided,
        status=status,
        gap_to_target=None,
    )
