"""Satisfaction surveys (回访) after closed repair orders.

About half to two thirds of closed visits are surveyed, a day or a few after the
car was handed back. The overall score (1-5) and the SERVQUAL perceptions follow
one latent satisfaction: the dealer's `care` and `quality`, minus what went wrong
on the visit (a comeback, a broken promise, a long wait, a complaint). Expectations
belong to the customer. Perceptions of tangibles are best and of empathy worst, as
the mystery-shopper audits found. Some answers are missing, as in real call logs.
"""
from __future__ import annotations

import numpy as np

from kpi.contract import SERVQUAL_DIMENSIONS
from kpi.demo.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR, History
from kpi.demo.columns import Columns, length, lognormal_around, take
from kpi.demo.network import Network

# Score cut points on the latent satisfaction: below the first is 1, above the last 5.
SCORE_CUTS = np.array([-2.3, -1.5, -0.6, 0.75])
# Typical perception minus expectation per dimension, for an average dealer.
BASE_GAP = {"reliability": -0.4, "responsiveness": -0.5, "assurance": -0.3, "empathy": -0.7, "tangibles": 0.1}
EXPECTATION_SHIFT = {"reliability": 0.3, "responsiveness": 0.1, "assurance": 0.0, "empathy": -0.1, "tangibles": -0.3}
SHORT_FORM_SHARE = 0.08  # calls that only asked for the overall score
MISSING_SCORE_SHARE = 0.02
MISSING_ITEM_SHARE = 0.015


def generate_surveys(
    rng: np.random.Generator, network: Network, history: History, orders: Columns, complained: np.ndarray
) -> Columns:
    """`complained` marks the repair orders (by row) that drew a complaint."""
    coverage = np.clip(0.6 + 0.04 * network.trait("care"), 0.45, 0.72)[orders["dealer"]]
    surveyed = orders["is_closed"] & (rng.random(length(orders)) < coverage)
    rows = np.flatnonzero(surveyed)
    n = len(rows)
    visit = take(orders, rows)
    days_after = np.maximum(1, np.round(lognormal_around(rng, 2.0, 0.6, n))).astype(np.int64)
    call_hour = rng.uniform(9.0, 20.0, n)
    at = (visit["closed"] // SECONDS_PER_DAY + days_after) * SECONDS_PER_DAY + (call_hour * SECONDS_PER_HOUR).astype(np.int64)
    keep = at <= history.snapshot_seconds
    rows, at, visit = rows[keep], at[keep], take(visit, np.flatnonzero(keep))
    n = len(rows)
    surveys: Columns = {
        "dealer": visit["dealer"],
        "ro": rows.astype(np.int64),
        "product": visit["product"],
        "surveyed": at,
    }
    mood = _latent_satisfaction(rng, network, visit, complained[rows])
    surveys["score"] = (1 + np.searchsorted(SCORE_CUTS, mood)).astype(np.int64)
    surveys["has_score"] = rng.random(n) >= MISSING_SCORE_SHARE
    _servqual(rng, network, visit, mood, surveys)
    return take(surveys, np.argsort(surveys["surveyed"], kind="stable"))


def _latent_satisfaction(rng: np.random.Generator, network: Network, visit: Columns, complained: np.ndarray) -> np.ndarray:
    n = length(visit)
    dealer = visit["dealer"]
    return (
        0.9
        + 0.25 * network.trait("care")[dealer]
        + 0.12 * network.trait("quality")[dealer]
        - 1.3 * visit["is_comeback"]
        - 0.9 * visit["late"]
        - 0.6 * visit["long"]
        - 0.5 * visit["price_high"]
        - 1.8 * complained
        + rng.normal(0.0, 0.85, n)
    )


def _servqual(rng: np.random.Generator, network: Network, visit: Columns, mood: np.ndarray, surveys: Columns) -> None:
    n = length(visit)
    dealer = visit["dealer"]
    expectation_level = rng.normal(5.9, 0.55, n)
    is_4s = (network.dealers["dealer_type"] == "4S").to_numpy()[dealer]
    # What each dimension reacts to besides the customer's overall mood.
    drivers = {
        "reliability": 0.2 * network.trait("fix")[dealer] - 0.8 * visit["is_comeback"],
        "responsiveness": 0.2 * network.trait("speed")[dealer] - 0.6 * visit["late"] - 0.4 * visit["long"],
        "assurance": 0.15 * network.trait("quality")[dealer],
        "empathy": 0.25 * network.trait("care")[dealer],
        "tangibles": 0.3 * is_4s - 0.2,
    }
    short_form = rng.random(n) < SHORT_FORM_SHARE
    for dim in SERVQUAL_DIMENSIONS:
        expected = expectation_level + EXPECTATION_SHIFT[dim] + rng.normal(0.0, 0.45, n)
        perceived = expected + BASE_GAP[dim] + drivers[dim] + 0.3 * (mood - 0.9) + rng.normal(0.0, 0.5, n)
        surveys[f"exp_{dim}"] = np.clip(np.round(expected), 1, 7).astype(np.int64)
        surveys[f"perc_{dim}"] = np.clip(np.round(perceived), 1, 7).astype(np.int64)
        surveys[f"has_exp_{dim}"] = ~short_form & (rng.random(n) >= MISSING_ITEM_SHARE)
        surveys[f"has_perc_{dim}"] = ~short_form & (rng.random(n) >= MISSING_ITEM_SHARE)
