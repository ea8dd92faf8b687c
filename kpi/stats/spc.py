"""Statistical process control (SPC) charts for complaint counts and rates.

Input: a DataFrame of aggregated numbers, one row per period (day or week), in
period order; with `by=` several series at once (one per dealer), each in period
order. Output: the same frame (same index and row order) plus

    value     the plotted statistic (p_i, u_i or c_i; NaN when n_i = 0)
    centre    the centre line
    lcl, ucl  the control limits, centre ∓ sigma·σ_i (lcl clipped at 0; a p-chart's
              ucl clipped at 1)
    z_score   (value − centre)/σ_i, the point in standard errors
    flag_<rule id>   one bool column per rule of SPC_RULES
    signals   the ids of the rules a point triggers, as a tuple (() = none)

Charts:
- p-chart, proportion with varying n (complaints per RO):
  p̄ = Σk/Σn, σ_i = √(p̄(1−p̄)/n_i).
- u-chart, events per unit of exposure, more than one event per unit possible:
  ū = Σc/Σn, σ_i = √(ū/n_i).
- c-chart, plain counts with a constant opportunity: c̄ = mean(c), σ = √c̄.

The centre is computed from all rows of the series (per `by` group) unless
`baseline=` names a boolean column choosing the rows to compute it from (e.g. the
previous quarter, so that this month's drift does not move its own yardstick), or
`centre=` gives it outright (e.g. the network rate, or the target).

Rules (a subset of Western Electric / Nelson, ids stable for the UI to translate):
- above_ucl / below_lcl: the point is strictly beyond a control limit (WE 1, Nelson 1).
- run_above / run_below: this point and the 7 before it (RUN_LENGTH = 8) are all
  strictly above / below the centre line (WE 4 uses 8; Nelson 2 uses 9 — 8 warns a
  period sooner at a false-alarm rate of 2·0.5⁸ ≈ 0.8 % per point).
- trend_up / trend_down: this point and the 5 before it (TREND_LENGTH = 6) each
  strictly higher / lower than the one before (Nelson 3).
A run or trend flags the point that completes it and every later point while it
lasts, not the points leading up to it. A point on the centre line, a tie, or a
missing point (n = 0) breaks a run or trend: a gap is not evidence either way.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from kpi.stats._arrays import as_float_array

RUN_LENGTH = 8
TREND_LENGTH = 6
DEFAULT_SIGMA = 3.0

SPC_RULES: dict[str, dict[str, str]] = {
    "above_ucl": {"en": "Above the upper control limit", "zh": "高于控制上限"},
    "below_lcl": {"en": "Below the lower control limit", "zh": "低于控制下限"},
    "run_above": {
        "en": f"{RUN_LENGTH} points in a row above the centre line",
        "zh": f"连续{RUN_LENGTH}点高于中心线",
    },
    "run_below": {
        "en": f"{RUN_LENGTH} points in a row below the centre line",
        "zh": f"连续{RUN_LENGTH}点低于中心线",
    },
    "trend_up": {"en": f"{TREND_LENGTH} points in a row rising", "zh": f"连续{TREND_LENGTH}点上升"},
    "trend_down": {"en": f"{TREND_LENGTH} points in a row falling", "zh": f"连续{TREND_LENGTH}点下降"},
}

# (value, count, size, in_baseline, given centre) of one series -> (centre, σ of each point)
_CentreAndSigma = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float | None], tuple[float, np.ndarray]]


def _streak(mask: np.ndarray) -> np.ndarray:
    """How many consecutive True values end at each position (0 where False)."""
    positions = np.arange(len(mask))
    last_false = np.maximum.accumulate(np.where(mask, -1, positions))
    return positions - last_false


def _rule_flags(value: np.ndarray, centre: float, lcl: np.ndarray, ucl: np.ndarray) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore"):
        above_centre = value > centre
        below_centre = value < centre
        step = np.diff(value, prepend=np.nan)
        rising = step > 0
        falling = step < 0
        return {
            "above_ucl": value > ucl,
            "below_lcl": value < lcl,
            "run_above": _streak(above_centre) >= RUN_LENGTH,
            "run_below": _streak(below_centre) >= RUN_LENGTH,
            # TREND_LENGTH points make TREND_LENGTH − 1 consecutive steps.
            "trend_up": _streak(rising) >= TREND_LENGTH - 1,
            "trend_down": _streak(falling) >= TREND_LENGTH - 1,
        }


def _chart(
    frame: pd.DataFrame,
    count: str,
    size: str | None,
    by: str | list[str] | None,
    centre: float | None,
    baseline: str | None,
    sigma: float,
    centre_and_sigma: _CentreAndSigma,
    upper_bound: float | None,
) -> pd.DataFrame:
    out = frame.copy()
    columns = {name: np.full(len(frame), np.nan) for name in ("value", "centre", "lcl", "ucl", "z_score")}
    flags = {rule: np.zeros(len(frame), dtype=bool) for rule in SPC_RULES}
    if by is None:
        groups = [np.arange(len(frame))]
    else:
        groups = list(frame.groupby(by, sort=False, dropna=False).indices.values())
    counts = as_float_array(frame[count])
    sizes = as_float_array(frame[size]) if size is not None else np.ones(len(frame))
    in_baseline = frame[baseline].fillna(False).to_numpy(dtype=bool) if baseline else np.ones(len(frame), bool)
    if np.any(counts[~np.isnan(counts)] < 0) or np.any(sizes[~np.isnan(sizes)] < 0):
        raise ValueError("SPC counts and sizes must not be negative")
    for rows in groups:
        c, n, base = counts[rows], sizes[rows], in_baseline[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(n > 0, c / np.where(n > 0, n, 1.0), np.nan)
            group_centre, point_sigma = centre_and_sigma(value, c, n, base, centre)
            half = sigma * point_sigma
            lcl = np.maximum(group_centre - half, 0.0)
            ucl = group_centre + half
            if upper_bound is not None:
                ucl = np.minimum(ucl, upper_bound)
            z = (value - group_centre) / point_sigma
        z[np.isnan(value)] = np.nan
        columns["value"][rows] = value
        columns["centre"][rows] = group_centre
        columns["lcl"][rows] = np.where(np.isnan(value), np.nan, lcl)
        columns["ucl"][rows] = np.where(np.isnan(value), np.nan, ucl)
        columns["z_score"][rows] = z
        for rule, flagged in _rule_flags(value, group_centre, lcl, ucl).items():
            flags[rule][rows] = flagged
    for name, values in columns.items():
        out[name] = values
    for rule, flagged in flags.items():
        out[f"flag_{rule}"] = flagged
    rule_ids = list(SPC_RULES)
    flag_matrix = np.column_stack([flags[rule] for rule in rule_ids])
    out["signals"] = pd.Series(
        [tuple(r for r, hit in zip(rule_ids, row) if hit) for row in flag_matrix], index=out.index, dtype=object
    )
    return out


def _pooled_centre(c: np.ndarray, n: np.ndarray, base: np.ndarray, centre: float | None) -> float:
    if centre is not None:
        return float(centre)
    known = base & (n > 0) & ~np.isnan(c)
    total = n[known].sum()
    return float(c[known].sum() / total) if total > 0 else np.nan


def p_chart(
    frame: pd.DataFrame,
    *,
    numerator: str,
    denominator: str,
    by: str | list[str] | None = None,
    centre: float | None = None,
    baseline: str | None = None,
    sigma: float = DEFAULT_SIGMA,
) -> pd.DataFrame:
    """p-chart: proportion k/n per period with limits p̄ ± 3·√(p̄(1−p̄)/n_i).

    Worked example, n = (40, 50, 60, 50), k = (2, 3, 3, 12):
        p̄ = 20/200 = 0.1;  p̄(1−p̄) = 0.09
        n = 40: σ = √(0.09/40) = 0.047434, ucl = 0.1 + 0.142302 = 0.242302
        n = 50: σ = √(0.09/50) = 0.042426, ucl = 0.1 + 0.127279 = 0.227279
        n = 60: σ = √(0.09/60) = 0.038730, ucl = 0.1 + 0.116190 = 0.216190
        every lcl = 0.1 − (≥ 0.116) < 0 → 0
        values 0.05, 0.06, 0.05, 0.24: the last is above its ucl 0.227279 (at
        n = 40 it would have been inside, 0.24 < 0.242302).
    """
    def centre_and_sigma(value, c, n, base, given):
        if np.any(c[~np.isnan(c)] > n[~np.isnan(c)]):
            raise ValueError("a p-chart needs numerator ≤ denominator; use a u-chart for events per unit")
        p_bar = _pooled_centre(c, n, base, given)
        return p_bar, np.sqrt(p_bar * (1 - p_bar) / n)

    return _chart(frame, numerator, denominator, by, centre, baseline, sigma, centre_and_sigma, 1.0)


def u_chart(
    frame: pd.DataFrame,
    *,
    count: str,
    exposure: str,
    by: str | list[str] | None = None,
    centre: float | None = None,
    baseline: str | None = None,
    sigma: float = DEFAULT_SIGMA,
) -> pd.DataFrame:
    """u-chart: events per unit of exposure c/n with limits ū ± 3·√(ū/n_i).

    Worked example, c = (1, 0, 1, 10) complaints over n = 100 ROs each week:
        ū = 12/400 = 0.03;  σ = √(0.03/100) = 0.017321
        ucl = 0.03 + 0.051962 = 0.081962;  lcl = 0.03 − 0.051962 < 0 → 0
        week 4: 10/100 = 0.10 > 0.081962 → above_ucl.
    """
    def centre_and_sigma(value, c, n, base, given):
        u_bar = _pooled_centre(c, n, base, given)
        return u_bar, np.sqrt(u_bar / n)

    return _chart(frame, count, exposure, by, centre, baseline, sigma, centre_and_sigma, None)


def c_chart(
    frame: pd.DataFrame,
    *,
    count: str,
    by: str | list[str] | None = None,
    centre: float | None = None,
    baseline: str | None = None,
    sigma: float = DEFAULT_SIGMA,
) -> pd.DataFrame:
    """c-chart: plain counts per period with limits c̄ ± 3·√c̄ — only when the
    opportunity (ROs, days open) is about the same each period; otherwise u-chart.

    Worked example, c = (4, 6, 5, 5): c̄ = 5, ucl = 5 + 3·√5 = 11.708204,
    lcl = 5 − 6.708204 < 0 → 0.
    """
    def centre_and_sigma(value, c, n, base, given):
        if given is not None:
            c_bar = float(given)
        else:
            known = base & ~np.isnan(c)
            c_bar = float(c[known].mean()) if known.any() else np.nan
        return c_bar, np.full(len(c), np.sqrt(c_bar))

    return _chart(frame, count, None, by, centre, baseline, sigma, centre_and_sigma, None)
