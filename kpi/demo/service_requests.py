"""Service requests (服务请求): calls, app requests, roadside help, walk-ins.

Response times follow the assigned dealer's `responsiveness`: good dealers answer
nearly everything within the 24-hour promise, bad ones have a long tail and lose
some requests altogether. Requests made outside office hours wait for the morning,
except roadside help. What has not happened by the snapshot is NULL.
"""
from __future__ import annotations

import numpy as np

from kpi.contract import REQUEST_CHANNELS
from kpi.demo.calendar import SECONDS_PER_DAY, SECONDS_PER_HOUR, History, next_business_moment
from kpi.demo.columns import Columns, length, lognormal_around, pick_within, take
from kpi.demo.fleet import Fleet
from kpi.demo.network import Network

REQUESTS_PER_REPAIR_ORDER = 0.22
CHANNEL_SHARES = {"phone": 0.45, "app": 0.28, "roadside": 0.10, "walk_in": 0.12, "other": 0.05}
CHANNEL = {name: code for code, name in enumerate(REQUEST_CHANNELS)}
# (mean hour, spread) of the moment a request is made, per channel.
CREATED_HOURS = {"phone": (13.0, 3.5), "app": (14.0, 5.0), "roadside": (14.0, 5.5), "walk_in": (12.5, 2.8), "other": (12.0, 3.0)}
# Hours in which phone/app/walk-in requests are answered.
OFFICE_OPENS, OFFICE_CLOSES = 8.5, 20.0
LOST_SHARE = 0.002  # requests nobody ever answers, at a typical dealer


def generate_service_requests(
    rng: np.random.Generator, network: Network, fleet: Fleet, history: History, n_repair_orders: int
) -> Columns:
    n = int(n_repair_orders * REQUESTS_PER_REPAIR_ORDER)
    size = network.trait("size")
    dealer = rng.choice(len(size), n, p=size / size.sum())
    vehicle = pick_within(rng, fleet.dealer_first[dealer], fleet.dealer_count[dealer])
    names = list(CHANNEL_SHARES)
    channel = np.array([CHANNEL[c] for c in names], dtype=np.int8)[
        rng.choice(len(names), n, p=np.array(list(CHANNEL_SHARES.values())))
    ]
    earliest = np.maximum(fleet.first_visit_day[vehicle], _open_day(network, history)[dealer])
    # Breakdowns and questions come on holidays too: a flatter calendar.
    day = history.sample_days(rng, earliest, n, flatten=0.5)
    created = history.first_day_seconds + day * SECONDS_PER_DAY + _created_seconds(rng, channel)
    requests: Columns = {
        "dealer": dealer.astype(np.int32),
        "vehicle": vehicle,
        "product": fleet.product[vehicle].astype(np.int16),
        # The caller does not always give the car.
        "vehicle_known": rng.random(n) < 0.82,
        "channel": channel,
        "created": created,
    }
    requests = take(requests, np.flatnonzero(created <= history.snapshot_seconds))
    _respond(rng, network, history, requests)
    return take(requests, np.argsort(requests["created"], kind="stable"))


def _open_day(network: Network, history: History) -> np.ndarray:
    return np.array([max(0, history.day_index(d)) for d in network.dealers["opened_on"]])


def _created_seconds(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    hours = np.empty(len(channel))
    for name, (mean, spread) in CREATED_HOURS.items():
        rows = np.flatnonzero(channel == CHANNEL[name])
        hours[rows] = rng.normal(mean, spread, len(rows))
    return (np.mod(hours, 24.0) * SECONDS_PER_HOUR).astype(np.int64)


def _respond(rng: np.random.Generator, network: Network, history: History, requests: Columns) -> None:
    n = length(requests)
    skill = network.trait("responsiveness")[requests["dealer"]]
    median_hours = np.exp(0.7 - 0.5 * skill)
    sigma = 1.25 + 0.25 * np.maximum(-skill, 0) - 0.15 * np.maximum(skill, 0)
    wait = lognormal_around(rng, median_hours, sigma, n)
    roadside = requests["channel"] == CHANNEL["roadside"]
    # Roadside help is dispatched around the clock and quickly.
    wait = np.where(roadside, wait * 0.35, wait)
    created = requests["created"]
    start = np.where(roadside, created, next_business_moment(created, OFFICE_OPENS, OFFICE_CLOSES))
    responded = start + (wait * SECONDS_PER_HOUR).astype(np.int64)
    lost = rng.random(n) < LOST_SHARE * np.exp(-1.0 * skill)
    snapshot = history.snapshot_seconds
    requests["responded"] = responded
    requests["has_response"] = (responded <= snapshot) & ~lost
    # A technician goes out for roadside help and some on-site repairs.
    on_site = roadside | ((requests["channel"] == CHANNEL["phone"]) & (rng.random(n) < 0.25))
    arrived = responded + (lognormal_around(rng, 1.2, 0.5, n) * SECONDS_PER_HOUR).astype(np.int64)
    requests["arrived"] = arrived
    requests["has_arrival"] = on_site & requests["has_response"] & (arrived <= snapshot)
    begin = np.where(on_site, arrived, responded)
    resolved = begin + (lognormal_around(rng, 5.0, 1.0, n) * SECONDS_PER_HOUR).astype(np.int64)
    requests["resolved"] = resolved
    requests["has_resolution"] = requests["has_response"] & (resolved <= snapshot) & (~on_site | requests["has_arrival"])
    requests["response_hours"] = (responded - created) / SECONDS_PER_HOUR
