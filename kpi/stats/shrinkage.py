"""Ranking that does not punish small samples.

A raw league table puts a dealer with 12 surveys and one angry customer last and
one with 3 of 3 first. Two remedies, both offered by `rank_rates`:

- rank by the Wilson bound on the pessimistic side (the lower bound when higher is
  better, the upper bound when lower is better): a dealer must *show* it is good;
- rank by the empirical-Bayes shrunk rate: each dealer's rate pulled towards the
  network's by as much as its small sample warrants.

Empirical-Bayes estimator (beta-binomial, method of moments)
-------------------------------------------------------------
Model: dealer i has a true rate θ_i ~ Beta(α, β) and k_i ~ Binomial(n_i, θ_i).
With μ = α/(α+β) and ρ = 1/(α+β+1) (the intra-dealer correlation),
Var(k_i/n_i) = μ(1−μ)·(1/n_i + ρ·(1 − 1/n_i)).

Over the m dealers with n_i > 0, N = Σn_i and p_i = k_i/n_i:

    μ̂ = Σk_i / N                                   (the pooled rate)
    S  = Σ n_i (p_i − μ̂)²
    E[S] = μ(1−μ)·[(m − 1) + ρ·(N − Σn_i²/N − (m − 1))]
    ρ̂ = (S / (μ̂(1−μ̂)) − (m − 1)) / (N − Σn_i²/N − (m − 1))      (Kleinman 1973)

clipped to [0, 1]; prior strength α+β = 1/ρ̂ − 1, α = μ̂(α+β), β = (1−μ̂)(α+β).
The shrunk rate is the posterior mean

    θ̂_i = (k_i + α) / (n_i + α + β) = (1 − B_i)·p_i + B_i·μ̂,   B_i = (α+β)/(α+β+n_i).

Unlike fitting a beta to the raw rates, this subtracts the binomial noise from the
spread, so the small dealers' own noise does not pass for real differences.

Degenerate cases:
- ρ̂ ≤ 0 (all rates equal, or spread no wider than chance): no real difference is
  detectable; α+β = ∞ and every dealer gets μ̂ (full pooling).
- ρ̂ ≥ 1: α+β = 0, no shrinkage (the raw rates).
- μ̂ = 0 or 1: every rate equals μ̂; it is returned as is.
- A single dealer (m = 1), or every n_i = 1 (the denominator is 0): ρ cannot be
  estimated; full pooling, which for one dealer is its own rate.
- n_i = 0: no data, no number — NaN (and no rank), like a rate with a zero
  denominator everywhere else. Such dealers take no part in the fit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from kpi.stats._arrays import ArrayLike, as_float_array, index_of, is_scalar, like_input
from kpi.stats.intervals import DEFAULT_CONFIDENCE, check_counts, wilson_interval

RankBy = Literal["wilson", "shrunk"]


@dataclass(frozen=True)
class BetaBinomialPrior:
    """The network's distribution of true rates, Beta(α, β), fitted across dealers."""

    mean: float  # μ̂ = Σk/Σn
    rho: float  # ρ̂ in [0, 1]; NaN when it cannot be estimated
    strength: float  # α + β: how many observations the prior is worth; inf = full pooling
    dealers: int  # m, the dealers with n > 0 that the fit used

    @property
    def alpha(self) -> float:
        return self.mean * self.strength if self.strength > 0 else 0.0

    @property
    def beta(self) -> float:
        return (1 - self.mean) * self.strength if self.strength > 0 else 0.0


def _counts(successes: ArrayLike, trials: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    k, n = np.broadcast_arrays(as_float_array(successes), as_float_array(trials))
    k, n = k.reshape(-1).astype(float), n.reshape(-1).astype(float)
    check_counts(k, n)
    return k, n


def fit_beta_binomial_prior(successes: ArrayLike, trials: ArrayLike) -> BetaBinomialPrior:
    """Method-of-moments beta-binomial prior across dealers (see the module docstring).

    Worked example, three dealers k = (6, 32, 42), n = (10, 40, 50):
        N = 100, μ̂ = 80/100 = 0.8, rates 0.6, 0.8, 0.84
        S = 10·(−0.2)² + 40·0² + 50·0.04² = 0.4 + 0 + 0.08 = 0.48
        S/(μ̂(1−μ̂)) = 0.48/0.16 = 3;  m − 1 = 2
        Σn²/N = (100 + 1600 + 2500)/100 = 42;  N − 42 − 2 = 56
        ρ̂ = (3 − 2)/56 = 1/56;  α+β = 56 − 1 = 55;  α = 44, β = 11
    """
    k, n = _counts(successes, trials)
    used = ~(np.isnan(k) | np.isnan(n)) & (n > 0)
    k, n = k[used], n[used]
    m = int(used.sum())
    if m == 0:
        return BetaBinomialPrior(mean=math.nan, rho=math.nan, strength=math.nan, dealers=0)
    total = n.sum()
    mean = float(k.sum() / total)
    binomial_variance = mean * (1 - mean)
    denominator = total - (n * n).sum() / total - (m - 1)
    # A relative tolerance, because for one dealer or all n = 1 the denominator is 0
    # in exact arithmetic but may come out as a rounding crumb.
    if m == 1 or binomial_variance <= 0 or denominator <= 1e-9 * total:
        return BetaBinomialPrior(mean=mean, rho=math.nan, strength=math.inf, dealers=m)
    spread = float((n * (k / n - mean) ** 2).sum())
    rho = (spread / binomial_variance - (m - 1)) / denominator
    if rho <= 0:
        return BetaBinomialPrior(mean=mean, rho=0.0, strength=math.inf, dealers=m)
    if rho >= 1:
        return BetaBinomialPrior(mean=mean, rho=1.0, strength=0.0, dealers=m)
    return BetaBinomialPrior(mean=mean, rho=float(rho), strength=float(1 / rho - 1), dealers=m)


def shrink_rates(
    successes: ArrayLike, trials: ArrayLike, prior: BetaBinomialPrior | None = None
) -> ArrayLike:
    """Empirical-Bayes rates (k + α)/(n + α + β); NaN where n = 0.

    The prior is fitted on the same dealers unless given (pass one fitted on the
    whole network to shrink a region's dealers towards the network).

    Worked example (the three dealers of `fit_beta_binomial_prior`, α = 44, β = 11):
        (6 + 44)/(10 + 55) = 50/65 = 0.769231   (raw 0.6: pulled up most, smallest n)
        (32 + 44)/(40 + 55) = 76/95 = 0.8        (raw 0.8: already at the mean)
        (42 + 44)/(50 + 55) = 86/105 = 0.819048  (raw 0.84)
    """
    scalar = is_scalar(successes, trials)
    index = index_of(successes, trials)
    k, n = _counts(successes, trials)
    if prior is None:
        prior = fit_beta_binomial_prior(k, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        has_data = n > 0
        if math.isinf(prior.strength):
            shrunk = np.where(has_data, prior.mean, np.nan)
        else:
            shrunk = np.where(has_data, (k + prior.alpha) / (n + prior.strength), np.nan)
    return like_input(shrunk, index, scalar, "shrunk_rate")


def rank_rates(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    higher_is_better: bool,
    by: RankBy = "wilson",
    confidence: float = DEFAULT_CONFIDENCE,
    prior: BetaBinomialPrior | None = None,
) -> pd.DataFrame:
    """A league table that does not punish small samples; rank 1 is the best.

    by='wilson': score = Wilson lower bound when higher is better (ranked
    descending), upper bound when lower is better (ranked ascending): the rate a
    dealer has shown it reaches at least / at most.
    by='shrunk': score = the empirical-Bayes shrunk rate, descending when higher is
    better, ascending otherwise.

    Returns on the input's index: successes, trials, rate, wilson_lower,
    wilson_upper, shrunk_rate, score and rank (Int64; ties share the better rank —
    1, 2, 2, 4; NA where n = 0).

    Example: A = 12/12 (raw 1.0), B = 190/200 (raw 0.95), higher is better.
    Wilson lower bounds: A = 1/(1 + z²/12) = 12/15.841459 = 0.757506; B = 0.910422,
    so B ranks 1 and A 2 — twelve perfect surveys do not yet prove more than 76 %.
    """
    index = index_of(successes, trials)
    k, n = _counts(successes, trials)
    lower, upper = wilson_interval(k, n, confidence)
    shrunk = shrink_rates(k, n, prior)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    if by == "wilson":
        score = lower if higher_is_better else upper
    elif by == "shrunk":
        score = shrunk
    else:
        raise ValueError(f"by must be 'wilson' or 'shrunk', got {by!r}")
    out = pd.DataFrame(
        {
            "successes": k,
            "trials": n,
            "rate": rate,
            "wilson_lower": lower,
            "wilson_upper": upper,
            "shrunk_rate": shrunk,
            "score": score,
        },
        index=index,
    )
    out["rank"] = out["score"].rank(method="min", ascending=not higher_is_better).astype("Int64")
    return out
