"""Funnel plots: is a dealer's rate out of line with the network, given its volume?

A funnel plot draws each dealer's rate against its denominator, with control
limits around the network's (or the target's) rate p0 that narrow as the volume
grows. A dealer outside the 95 % limits is worth a look; outside the 99.8 % limits
it is very unlikely to be chance (Spiegelhalter 2005, "Funnel plots for comparing
institutional performance").

Two ways to draw the limits, `method=`:

- ``"exact"`` (default): binomial quantiles. With R ~ Binomial(n, p0), F its CDF and
  a = 1 − level, the lower limit is r_lo/n with r_lo the smallest r such that
  F(r) ≥ a/2, the upper limit r_hi/n with r_hi the smallest r such that
  F(r) ≥ 1 − a/2. A dealer is *above* when k > r_hi, i.e. P(R ≥ k) ≤ a/2, and
  *below* when k < r_lo, i.e. P(R ≤ k) < a/2: the flag is an exact one-sided
  binomial test at a/2, so a small dealer is never flagged by an approximation.
  The limits are steps (only whole counts exist); they are not smoothed, so a
  point and the line it is compared with always agree.
- ``"normal"``: p0 ± z·√(p0(1−p0)/n), clipped to [0, 1]; z = 1.959964 for 95 %,
  3.090232 for 99.8 %. Smooth, the textbook picture, but at rates near 0 or 1 and
  small n it is too wide on one side and too narrow on the other.

A point exactly on a limit is inside. n = 0 gives NaN limits and no flag.
"""
from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from kpi.stats._arrays import ArrayLike, as_float_array, index_of
from kpi.stats.intervals import check_counts, z_for_confidence

FunnelMethod = Literal["exact", "normal"]
DEFAULT_LEVELS: tuple[float, ...] = (0.95, 0.998)
INSIDE, ABOVE, BELOW = "inside", "above", "below"


def level_label(level: float) -> str:
    """Column suffix for a level: 0.95 -> '95', 0.998 -> '99_8'."""
    return f"{level * 100:g}".replace(".", "_")


def pooled_rate(successes: ArrayLike, trials: ArrayLike) -> float:
    """Σk / Σn over the rows with a known count (a ratio of sums); NaN when Σn = 0."""
    k, n = np.broadcast_arrays(as_float_array(successes), as_float_array(trials))
    known = ~(np.isnan(k) | np.isnan(n))
    total = n[known].sum()
    return float(k[known].sum() / total) if total > 0 else float("nan")


def _binomial_cdf(n: int, p0: float) -> tuple[int, np.ndarray]:
    """(r0, F(r) for r = r0..r1) of Binomial(n, p0), 0 < p0 < 1.

    Only r within 12 standard deviations (+10) of the mean is computed: the mass
    outside is below 1e-30, far under any tail of interest, and it keeps the cost
    at O(√n) per denominator instead of O(n). Built in log space —
    log pmf(r) = log C(n, r) + r·log p0 + (n−r)·log(1−p0), with log C(n, r) from
    lgamma at r0 and a running sum of log((n−j)/(j+1)) after — because
    (1−p0)^n underflows for a few hundred trials at p0 near 1.
    """
    spread = 12 * math.sqrt(n * p0 * (1 - p0)) + 10
    r0 = max(0, int(math.floor(n * p0 - spread)))
    r1 = min(n, int(math.ceil(n * p0 + spread)))
    r = np.arange(r0, r1 + 1, dtype=float)
    log_binom_r0 = math.lgamma(n + 1) - math.lgamma(r0 + 1) - math.lgamma(n - r0 + 1)
    log_binom = log_binom_r0 + np.concatenate(([0.0], np.cumsum(np.log(n - r[:-1]) - np.log(r[:-1] + 1))))
    log_pmf = log_binom + r * math.log(p0) + (n - r) * math.log1p(-p0)
    pmf = np.exp(log_pmf - log_pmf.max())
    return r0, np.cumsum(pmf) / pmf.sum()


def _exact_limit_counts(n: int, p0: float, tails: Sequence[float]) -> list[tuple[int, int]]:
    """Per tail: (r_lo, r_hi), the smallest r with F(r) ≥ tail and with F(r) ≥ 1 − tail."""
    r0, cdf = _binomial_cdf(n, p0)
    # A relative slack of 1e-12 keeps an exact tie (F(r) == tail in real numbers)
    # from being lost to rounding in the cumulative sum.
    def quantile(probability: float) -> int:
        return min(r0 + int(np.searchsorted(cdf, probability * (1 - 1e-12), side="left")), n)

    return [(quantile(tail), quantile(1 - tail)) for tail in tails]


def _exact_limits(p0: float, n: np.ndarray, levels: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    limits = [(np.full(n.shape, np.nan), np.full(n.shape, np.nan)) for _ in levels]
    tails = [(1 - level) / 2 for level in levels]
    valid = ~np.isnan(n) & (n > 0)
    for size in np.unique(n[valid]):
        if size != np.floor(size):
            raise ValueError(f"exact funnel limits need whole denominators, got {size!r}")
        at = n == size
        for (lower, upper), (r_lo, r_hi) in zip(limits, _exact_limit_counts(int(size), p0, tails)):
            lower[at], upper[at] = r_lo / size, r_hi / size
    return limits


def _limits(p0: float, n: np.ndarray, level: float, method: FunnelMethod) -> tuple[np.ndarray, np.ndarray]:
    """Limits at one level, for p0 in {0, 1} or NaN (any method) or the normal method."""
    lower = np.full(n.shape, np.nan)
    upper = np.full(n.shape, np.nan)
    valid = ~np.isnan(n) & (n > 0)
    if np.isnan(p0):
        return lower, upper
    if p0 <= 0 or p0 >= 1:
        # No variation is possible around a rate of 0 or 1: the limits are the rate.
        lower[valid] = upper[valid] = p0
        return lower, upper
    if method == "normal":
        z = z_for_confidence(level)
        half = z * np.sqrt(p0 * (1 - p0) / n[valid])
        lower[valid] = np.clip(p0 - half, 0.0, 1.0)
        upper[valid] = np.clip(p0 + half, 0.0, 1.0)
        return lower, upper
    raise AssertionError(method)


def funnel_limits(
    p0: float,
    trials: ArrayLike,
    levels: Sequence[float] = DEFAULT_LEVELS,
    method: FunnelMethod = "exact",
) -> pd.DataFrame:
    """Control limits of a funnel plot around rate `p0` for each denominator in `trials`.

    Columns: n, p0, then lower_<L>, upper_<L> per level (lower_95, upper_95,
    lower_99_8, upper_99_8 by default). For the curve pass a grid of n, e.g.
    np.unique(np.geomspace(1, n_max, 200).round()).

    Worked examples (p0 = 0.5, n = 10; P(R ≤ r) of Binomial(10, ½) for r = 0..10 is
    1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024 over 1024):
      exact 95 %: a/2 = 0.025. F(1) = 11/1024 = 0.0107 < 0.025 ≤ F(2) = 0.0547, so
        r_lo = 2; F(7) = 0.9453 < 0.975 ≤ F(8) = 0.9893, so r_hi = 8 → [0.2, 0.8].
      normal 95 %: 0.5 ± 1.959964 × √(0.25/10) = 0.5 ± 1.959964 × 0.158114
        = 0.5 ± 0.309898 → [0.190102, 0.809898].
    """
    n = as_float_array(trials).reshape(-1)
    if np.any(n[~np.isnan(n)] < 0):
        raise ValueError("a denominator (trials) is negative")
    p0 = float(p0)
    if not np.isnan(p0) and not 0 <= p0 <= 1:
        raise ValueError(f"p0 must be a rate in [0, 1], got {p0!r}")
    if method not in ("exact", "normal"):
        raise ValueError(f"method must be 'exact' or 'normal', got {method!r}")
    out = pd.DataFrame({"n": n, "p0": p0}, index=index_of(trials))
    degenerate = np.isnan(p0) or p0 <= 0 or p0 >= 1
    if method == "exact" and not degenerate:
        # One CDF per denominator serves every level.
        per_level = _exact_limits(p0, n, levels)
    else:
        per_level = [_limits(p0, n, level, method) for level in levels]
    for level, (lower, upper) in zip(levels, per_level):
        label = level_label(level)
        out[f"lower_{label}"] = lower
        out[f"upper_{label}"] = upper
    return out


def funnel_flags(
    successes: ArrayLike,
    trials: ArrayLike,
    p0: float | None = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    method: FunnelMethod = "exact",
) -> pd.DataFrame:
    """Where each dealer's (k, n) falls against the funnel limits around p0.

    p0 defaults to the pooled rate Σk/Σn of the rows given; pass the target or the
    network rate to compare against that instead. Returns, on the input's index:
    successes, trials, rate, the limit columns of `funnel_limits`, and per level a
    column funnel_<L> with 'above', 'below' or 'inside' (None when n = 0). Above and
    below are positions, not verdicts: whether above is good depends on the metric's
    direction.

    Example (p0 = 0.5, exact): k = 9 of n = 10 → rate 0.9 > upper_95 = 0.8, so
    funnel_95 = 'above'; the 99.8 % limit is r_hi/10 with F(r_hi) ≥ 0.999:
    F(8) = 0.9893, F(9) = 0.99902 → r_hi = 9, upper_99_8 = 0.9, and 0.9 is not
    beyond it, so funnel_99_8 = 'inside'.
    """
    index = index_of(successes, trials)
    k, n = np.broadcast_arrays(as_float_array(successes), as_float_array(trials))
    k, n = k.reshape(-1).astype(float), n.reshape(-1).astype(float)
    check_counts(k, n)
    if p0 is None:
        p0 = pooled_rate(k, n)
    limits = funnel_limits(p0, n, levels, method)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    out = pd.DataFrame({"successes": k, "trials": n, "rate": rate}, index=index)
    limits.index = out.index
    out = pd.concat([out, limits.drop(columns="n")], axis=1)
    has_rate = ~np.isnan(rate)
    for level in levels:
        label = level_label(level)
        lower, upper = out[f"lower_{label}"].to_numpy(), out[f"upper_{label}"].to_numpy()
        # Compare in counts (k vs n·limit) to avoid k/n rounding on an exact tie.
        with np.errstate(invalid="ignore"):
            above = k > upper * n + 1e-9
            below = k < lower * n - 1e-9
        flag = np.select([above, below], [ABOVE, BELOW], INSIDE).astype(object)
        flag[~has_rate | np.isnan(lower)] = None
        out[f"funnel_{label}"] = flag
    return out
