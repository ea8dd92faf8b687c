"""Confidence intervals for rates: the Wilson score interval."""
from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from kpi.stats._arrays import ArrayLike, as_float_array, index_of, is_scalar, like_input

DEFAULT_CONFIDENCE = 0.95


def z_for_confidence(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level.

    z_for_confidence(0.95) = Φ⁻¹(0.975) ≈ 1.959963984540054;
    z_for_confidence(0.998) = Φ⁻¹(0.999) ≈ 3.090232306167813.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def check_counts(successes: np.ndarray, trials: np.ndarray) -> None:
    """Refuse counts no rate can come from (NaN is allowed: it means unknown)."""
    with np.errstate(invalid="ignore"):
        if np.any(trials < 0):
            raise ValueError("a denominator (trials) is negative")
        if np.any(successes < 0):
            raise ValueError("a numerator (successes) is negative")
        if np.any(successes > trials):
            raise ValueError("a numerator (successes) is larger than its denominator (trials)")


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[Any, Any]:
    """Wilson score interval (lower, upper) of the rate successes / trials.

    With p̂ = k/n and z the two-sided normal quantile of `confidence`:

        centre    = (p̂ + z²/(2n)) / (1 + z²/n)
        half      = z / (1 + z²/n) · √( p̂(1−p̂)/n + z²/(4n²) )
        interval  = centre ± half

    Unlike p̂ ± z·√(p̂(1−p̂)/n) it never leaves [0, 1], is not zero-width at k = 0 or
    k = n, and keeps close to its nominal coverage for small n — the case of a
    dealer with a dozen surveys.

    Worked example, k = 87, n = 95, z = 1.959963984540054:
        p̂ = 87/95 = 0.915789;  z² = 3.841459;  z²/n = 0.040436;  z²/(2n) = 0.020218
        centre = (0.915789 + 0.020218) / 1.040436 = 0.936008 / 1.040436 = 0.899630
        p̂(1−p̂)/n = 0.000811780;  z²/(4n²) = 0.000106412;  √(sum) = 0.030302
        half = 1.959964 / 1.040436 × 0.030302 = 0.057082
        interval = [0.842548, 0.956712]

    Vectorised: numbers give floats, arrays give arrays, a Series gives Series on
    its index. n = 0 (or a NaN count) gives NaN bounds. Negative counts or k > n
    raise ValueError. Counts need not be integers (weighted counts work).
    """
    scalar = is_scalar(successes, trials)
    index = index_of(successes, trials)
    k, n = np.broadcast_arrays(as_float_array(successes), as_float_array(trials))
    check_counts(k, n)
    z = z_for_confidence(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = n > 0
        safe_n = np.where(valid, n, np.nan)
        p_hat = k / safe_n
        z2_over_n = z * z / safe_n
        denominator = 1 + z2_over_n
        centre = (p_hat + z2_over_n / 2) / denominator
        half = z / denominator * np.sqrt(p_hat * (1 - p_hat) / safe_n + z2_over_n / (4 * safe_n))
        # Rounding can push the bounds a hair outside [0, 1] at k = 0 or k = n.
        lower = np.clip(centre - half, 0.0, 1.0)
        upper = np.clip(centre + half, 0.0, 1.0)
    return (
        like_input(lower, index, scalar, "lower"),
        like_input(upper, index, scalar, "upper"),
    )
