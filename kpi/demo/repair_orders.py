"""Repair orders (工单): visits of the fleet's vehicles to the workshops.

First the ordinary visits are drawn (dealer by size, vehicle from the dealer's
customers, day by the workload calendar). Then comebacks: a repair-type visit
brings the same vehicle back with the same fault code, mostly within the 30-day
window, with a probability set by the repairing dealer's `fix` trait; comebacks can
come back again. Each visit's duration follows the dealer's `speed`; what has not
been handed back by the snapshot is still open.
"""
from __future__ import annotations

import numpy as np

from kpi.contract import RO_TYPES
from kpi.demo.calendar import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    History,
    add_working_hours,
    next_business_moment,
)
from kpi.demo.columns import Columns, concat, length, lognormal_around, pick_within, take
from kpi.demo.fleet import Fleet
from kpi.demo.network import FAULT_CODES, POWERTRAIN_LETTER, PRODUCTS, Network

TYPE = {name: code for code, name in enumerate(RO_TYPES)}
# Visit mix before recalls are added; maintenance is the bread and butter.
TYPE_SHARES = {"maintenance": 0.52, "repair": 0.22, "warranty": 0.12, "accident": 0.08, "other": 0.06}
# Typical workshop hours per visit type (promises are made from these).
EXPECTED_HOURS = np.array([1.8, 5.0, 8.0, 40.0, 2.0, 1.2])
# Share of visits that wait for parts (days instead of hours).
PARTS_WAIT_SHARE = np.array([0.005, 0.04, 0.08, 0.10, 0.02, 0.0])
# Median labour and parts amounts in yuan at a 4S store's prices.
LABOR_MEDIAN = np.array([260.0, 550.0, 480.0, 2200.0, 180.0, 120.0])
PARTS_MEDIAN = np.array([420.0, 850.0, 1300.0, 3800.0, 260.0, 60.0])
WARRANTY_YEARS = 3
# Recall campaigns: model, campaign code (stored as the RO's fault_code), the part
# of the history it runs in, and the share of that model's visits it turns into.
RECALL_CAMPAIGNS = (
    ("T5", "RCL-T5-2401", 0.15, 0.45, 0.25),
    ("A5", "RCL-A5-2502", 0.55, 0.85, 0.20),
    ("E5", "RCL-E5-2603", 0.80, 1.00, 0.30),
)
FAULT_CODE_LABELS = tuple(f.code for f in FAULT_CODES) + tuple(c[1] for c in RECALL_CAMPAIGNS)
NO_FAULT = -1
# Comebacks: baseline chance that a repair does not hold, for a typical dealer.
COMEBACK_BASE = 0.05
COMEBACK_FIX_EFFECT = 0.45
COMEBACK_ROUNDS = 3
COMEBACK_OTHER_DEALER = 0.2  # the customer tries another workshop in the region
# Orders a careless dealer never closes in the DMS (open for months).
FORGOTTEN_SHARE = 0.0002


def generate_repair_orders(
    rng: np.random.Generator, network: Network, fleet: Fleet, history: History, n: int
) -> Columns:
    """Exactly `n` repair orders in opening order, with the flags the complaints
    and surveys are drawn from (late, long, parts_wait, is_comeback, price_high)."""
    base = _ordinary_visits(rng, network, fleet, history, n)
    _assign_types(rng, base, fleet, history)
    _service_outcome(rng, network, base)
    generations = [base]
    parents = base
    for _ in range(COMEBACK_ROUNDS):
        children = _comebacks(rng, network, history, parents)
        if length(children) == 0:
            break
        _service_outcome(rng, network, children)
        generations.append(children)
        parents = children
    orders = _keep_exactly(rng, generations, n)
    _mileage_and_amounts(rng, network, fleet, orders)
    _close_at_snapshot(rng, network, history, orders)
    return take(orders, np.argsort(orders["opened"], kind="stable"))


def _ordinary_visits(rng: np.random.Generator, network: Network, fleet: Fleet, history: History, n: int) -> Columns:
    size = network.trait("size")
    dealer = rng.choice(len(size), n, p=size / size.sum())
    region = network.dealers["region_index"].to_numpy()[dealer]
    # Most customers come back to the dealer that sold or usually services the car.
    own_customer = rng.random(n) < 0.88
    vehicle = np.where(
        own_customer,
        pick_within(rng, fleet.dealer_first[dealer], fleet.dealer_count[dealer]),
        pick_within(rng, fleet.region_first[region], fleet.region_count[region]),
    )
    dealer_open_day = _dealer_open_day(network, history)
    earliest = np.maximum(fleet.first_visit_day[vehicle], dealer_open_day[dealer])
    day = history.sample_days(rng, earliest, n)
    return {
        "dealer": dealer.astype(np.int32),
        "vehicle": vehicle.astype(np.int64),
        "product": fleet.product[vehicle].astype(np.int16),
        "opened": history.first_day_seconds + day * SECONDS_PER_DAY + _check_in_seconds(rng, n),
        "is_comeback": np.zeros(n, dtype=bool),
        "has_comeback": np.zeros(n, dtype=bool),
    }


def _dealer_open_day(network: Network, history: History) -> np.ndarray:
    return np.array([max(0, history.day_index(d)) for d in network.dealers["opened_on"]])


def _check_in_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Time of day a car is handed in: a morning peak before work, then steady."""
    morning = rng.normal(9.2, 0.7, n)
    daytime = rng.uniform(10.0, 17.5, n)
    hours = np.clip(np.where(rng.random(n) < 0.55, morning, daytime), 7.5, 17.95)
    return (hours * SECONDS_PER_HOUR).astype(np.int64)


def _assign_types(rng: np.random.Generator, orders: Columns, fleet: Fleet, history: History) -> None:
    n = length(orders)
    names = list(TYPE_SHARES)
    shares = np.array(list(TYPE_SHARES.values()))
    ro_type = np.array([TYPE[t] for t in names], dtype=np.int8)[
        rng.choice(len(names), n, p=shares / shares.sum())
    ]
    # Out of warranty, a defect is a paid repair.
    age_years = (orders["opened"] - fleet.sold_seconds[orders["vehicle"]]) / (365.25 * SECONDS_PER_DAY)
    ro_type[(ro_type == TYPE["warranty"]) & (age_years > WARRANTY_YEARS)] = TYPE["repair"]
    fault = _fault_codes(rng, orders["product"], ro_type)
    _apply_recalls(rng, orders, history, ro_type, fault)
    orders["ro_type"] = ro_type
    orders["fault"] = fault


def _fault_codes(rng: np.random.Generator, product: np.ndarray, ro_type: np.ndarray) -> np.ndarray:
    """A fault code for repair and warranty visits, from the codes of the car's
    powertrain; a few orders lack one, as real DMS exports do."""
    fault = np.full(len(product), NO_FAULT, dtype=np.int16)
    needs_code = np.isin(ro_type, (TYPE["repair"], TYPE["warranty"])) & (rng.random(len(product)) > 0.005)
    powertrain_of_product = np.array([POWERTRAIN_LETTER[p.powertrain] for p in PRODUCTS])
    for letter in "IHPB":
        rows = np.flatnonzero(needs_code & (powertrain_of_product[product] == letter))
        weights = np.array([f.weight if letter in f.powertrains else 0.0 for f in FAULT_CODES])
        fault[rows] = rng.choice(len(FAULT_CODES), len(rows), p=weights / weights.sum())
    return fault


def _apply_recalls(
    rng: np.random.Generator, orders: Columns, history: History, ro_type: np.ndarray, fault: np.ndarray
) -> None:
    product_ids = [p.product_id for p in PRODUCTS]
    day = (orders["opened"] - history.first_day_seconds) / SECONDS_PER_DAY / history.n_days
    for number, (product_id, _, start, end, share) in enumerate(RECALL_CAMPAIGNS):
        in_campaign = (
            (orders["product"] == product_ids.index(product_id))
            & (day >= start) & (day <= end)
            & (ro_type == TYPE["maintenance"])
            & (rng.random(len(day)) < share)
        )
        ro_type[in_campaign] = TYPE["recall"]
        fault[in_campaign] = len(FAULT_CODES) + number


def _service_outcome(rng: np.random.Generator, network: Network, orders: Columns) -> None:
    """Promised and actual delivery, counted in workshop hours from check-in.

    Slow dealers take longer and vary more, so they miss more promises."""
    n = length(orders)
    speed = network.trait("speed")[orders["dealer"]]
    ro_type = orders["ro_type"]
    expected = EXPECTED_HOURS[ro_type]
    promised_hours = np.ceil(expected * rng.uniform(1.0, 1.6, n) * 2) / 2
    sigma = 0.4 + 0.06 * np.maximum(-speed, 0)
    actual_hours = expected * lognormal_around(rng, np.exp(-0.32 - 0.16 * speed), sigma, n)
    parts_wait = rng.random(n) < PARTS_WAIT_SHARE[ro_type] * np.exp(-0.35 * speed)
    actual_hours = np.maximum(np.where(parts_wait, actual_hours * rng.uniform(3, 12, n), actual_hours), 0.25)
    orders["has_promise"] = rng.random(n) < 0.93
    orders["promised"] = add_working_hours(orders["opened"], promised_hours)
    orders["closed"] = add_working_hours(orders["opened"], actual_hours)
    orders["late"] = orders["has_promise"] & (orders["closed"] > orders["promised"])
    orders["long"] = actual_hours > 2 * expected
    orders["parts_wait"] = parts_wait


def _comebacks(rng: np.random.Generator, network: Network, history: History, parents: Columns) -> Columns:
    """Repeat visits for the same fault, charged to the dealer of the first repair."""
    repair_type = np.isin(parents["ro_type"], (TYPE["repair"], TYPE["warranty"])) & (parents["fault"] >= 0)
    fix = network.trait("fix")[parents["dealer"]]
    hard = np.array([f.hard_to_fix for f in FAULT_CODES] + [1.0] * len(RECALL_CAMPAIGNS))[parents["fault"]]
    chance = np.clip(COMEBACK_BASE * np.exp(-COMEBACK_FIX_EFFECT * fix) * hard, 0.0, 0.6)
    failed = repair_type & (parents["closed"] <= history.snapshot_seconds) & (rng.random(len(fix)) < chance)
    rows = np.flatnonzero(failed)
    n = len(rows)
    # Mostly within days; some come back after the 30-day window (not a comeback
    # by definition, but the same car and fault).
    gap_days = lognormal_around(rng, 7.0, 0.8, n) * np.where(rng.random(n) < 0.12, rng.uniform(1.5, 5.0, n), 1.0)
    opened = parents["closed"][rows] + (gap_days * SECONDS_PER_DAY).astype(np.int64)
    moved = next_business_moment(opened, 7.5, 18.0)
    opened = np.where(moved != opened, moved + rng.integers(0, 5400, n), opened)
    dealer = _comeback_dealer(rng, network, parents["dealer"][rows])
    keep = opened <= history.snapshot_seconds
    parents["has_comeback"][rows[keep]] = True
    children = {
        "dealer": dealer,
        "vehicle": parents["vehicle"][rows],
        "product": parents["product"][rows],
        "opened": opened,
        "is_comeback": np.ones(n, dtype=bool),
        "has_comeback": np.zeros(n, dtype=bool),
        "ro_type": parents["ro_type"][rows],
        "fault": parents["fault"][rows],
    }
    return take(children, np.flatnonzero(keep))


def _comeback_dealer(rng: np.random.Generator, network: Network, first_dealer: np.ndarray) -> np.ndarray:
    """The same workshop, or another established one in the same region."""
    dealers = network.dealers
    established = np.flatnonzero((dealers["opened_on"] <= network.first_day).to_numpy())
    region = dealers["region_index"].to_numpy()
    by_region = established[np.argsort(region[established], kind="stable")]
    counts = np.bincount(region[by_region], minlength=region.max() + 1)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    home_region = region[first_dealer]
    other = by_region[pick_within(rng, firsts[home_region], counts[home_region])]
    return np.where(rng.random(len(first_dealer)) < COMEBACK_OTHER_DEALER, other, first_dealer).astype(np.int32)


def _keep_exactly(rng: np.random.Generator, generations: list[Columns], n: int) -> Columns:
    """Drop as many ordinary visits as comebacks were added, so the total is `n`.

    Only visits without a comeback are dropped, so every comeback keeps its first
    repair; ordinary visits are a random sample anyway, so thinning them changes
    nothing but the count."""
    orders = concat(generations)
    excess = length(orders) - n
    if excess <= 0:
        return orders
    droppable = np.flatnonzero(~orders["is_comeback"] & ~orders["has_comeback"])
    drop = rng.choice(droppable, excess, replace=False)
    keep = np.ones(length(orders), dtype=bool)
    keep[drop] = False
    return take(orders, np.flatnonzero(keep))


def _mileage_and_amounts(rng: np.random.Generator, network: Network, fleet: Fleet, orders: Columns) -> None:
    n = length(orders)
    vehicle = orders["vehicle"]
    age_days = np.maximum(orders["opened"] - fleet.sold_seconds[vehicle], 0) / SECONDS_PER_DAY
    # Odometer grows with the car's own daily use, so a vehicle's visits line up.
    orders["mileage"] = (5 + age_days * fleet.km_per_day[vehicle]).astype(np.int64)
    ro_type = orders["ro_type"]
    price = network.trait("price_level")[orders["dealer"]]
    is_bev = np.array([p.powertrain == "BEV" for p in PRODUCTS])[orders["product"]]
    # A battery car's service has no oil, filters or plugs.
    parts_factor = np.where(is_bev & (ro_type == TYPE["maintenance"]), 0.45, 1.0)
    labor = lognormal_around(rng, LABOR_MEDIAN[ro_type] * price, 0.45, n)
    parts = lognormal_around(rng, PARTS_MEDIAN[ro_type] * price * parts_factor, 0.8, n)
    parts = np.where((ro_type == TYPE["other"]) & (rng.random(n) < 0.6), 0.0, parts)
    orders["labor"] = np.round(labor)  # labour is billed in whole yuan
    orders["parts"] = np.round(parts, 2)
    expected_total = (LABOR_MEDIAN[ro_type] + PARTS_MEDIAN[ro_type] * parts_factor) * price
    orders["price_high"] = orders["labor"] + orders["parts"] > 2.5 * expected_total


def _close_at_snapshot(rng: np.random.Generator, network: Network, history: History, orders: Columns) -> None:
    """Cars not handed back by the snapshot are still in the workshop; careless
    dealers also leave a few orders open in the DMS long after the car left."""
    care = network.trait("care")[orders["dealer"]]
    forgotten = rng.random(length(orders)) < FORGOTTEN_SHARE * np.exp(-0.8 * care)
    orders["is_closed"] = (orders["closed"] <= history.snapshot_seconds) & ~forgotten
