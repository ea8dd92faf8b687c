"""The vehicles the network services: VIN, model, home dealer, sale date, usage.

Visits are drawn per vehicle, so maintenance history, mileage and comebacks all
belong to one car.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpi.demo.calendar import SECONDS_PER_DAY, History
from kpi.demo.network import BEV_APPEAL, PRODUCTS, Network

WMI = b"LSV"  # world manufacturer identifier; Chinese-built cars start with L
# Model-year letters of the VIN from 2010 on (I, O, Q, U, Z and 0 are never used).
MODEL_YEAR_CODES = b"ABCDEFGHJKLMNPRSTVWXY123456789"
PLANT_CODES = b"ABCDEFGHJKLMNPRSTVWXY"
VIN_WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2])
MAX_VEHICLE_AGE_DAYS = 8 * 365
VISITS_PER_VEHICLE = 3.2  # over the two years of history


@dataclass(frozen=True)
class Fleet:
    home_dealer: np.ndarray  # int, index into network.dealers; vehicles sorted by it
    product: np.ndarray  # int, index into PRODUCTS
    sold_seconds: np.ndarray  # int64 epoch seconds
    first_visit_day: np.ndarray  # history day index of the earliest possible visit
    km_per_day: np.ndarray
    vin: np.ndarray  # bytes, dtype S17
    dealer_first: np.ndarray  # first vehicle of each dealer's pool
    dealer_count: np.ndarray  # vehicles in each dealer's pool
    region_first: np.ndarray
    region_count: np.ndarray

    @property
    def size(self) -> int:
        return len(self.product)


def build_fleet(rng: np.random.Generator, network: Network, history: History, n_repair_orders: int) -> Fleet:
    n_vehicles = max(len(network.dealers) * 20, int(n_repair_orders / VISITS_PER_VEHICLE))
    size = network.trait("size")
    counts = np.floor(n_vehicles * size / size.sum()).astype(np.int64) + 1
    home_dealer = np.repeat(np.arange(len(size)), counts)
    n = len(home_dealer)
    region_of_dealer = network.dealers["region_index"].to_numpy()
    product = _products(rng, region_of_dealer[home_dealer], network)
    sold_seconds = _sale_moments(rng, product, history)
    first_visit = (sold_seconds - history.first_day_seconds) // SECONDS_PER_DAY + 1
    dealer_first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    region_first, region_count = _region_pools(region_of_dealer, dealer_first, counts)
    return Fleet(
        home_dealer=home_dealer,
        product=product,
        sold_seconds=sold_seconds,
        first_visit_day=np.maximum(first_visit, 0),
        km_per_day=np.minimum(rng.lognormal(np.log(38.0), 0.45, n), 120.0),  # ride-hailing cars top out
        vin=_vins(product, sold_seconds),
        dealer_first=dealer_first,
        dealer_count=counts,
        region_first=region_first,
        region_count=region_count,
    )


def _products(rng: np.random.Generator, region_index: np.ndarray, network: Network) -> np.ndarray:
    """Model mix per region: battery cars sell better in the warm south and east."""
    product = np.empty(len(region_index), dtype=np.int64)
    popularity = np.array([p.popularity for p in PRODUCTS])
    is_bev = np.array([p.powertrain == "BEV" for p in PRODUCTS])
    for index, region_id in enumerate(network.regions["region_id"]):
        weights = popularity * np.where(is_bev, BEV_APPEAL[region_id], 1.0)
        members = np.flatnonzero(region_index == index)
        product[members] = rng.choice(len(PRODUCTS), len(members), p=weights / weights.sum())
    return product


def _sale_moments(rng: np.random.Generator, product: np.ndarray, history: History) -> np.ndarray:
    """Sold between the model's launch (at most eight years back) and two weeks
    before the end; more recent sales are more common as the network grows."""
    launched = np.array([min(p.launched_days_before_end, MAX_VEHICLE_AGE_DAYS) for p in PRODUCTS])
    oldest = launched[product]
    age_days = 14 + (oldest - 14) * rng.random(len(product)) ** 1.3
    end_seconds = history.snapshot_seconds
    return (end_seconds - age_days * SECONDS_PER_DAY).astype(np.int64)


def _region_pools(
    region_of_dealer: np.ndarray, dealer_first: np.ndarray, dealer_count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    # Dealers are listed region by region, so a region's vehicles are contiguous.
    n_regions = int(region_of_dealer.max()) + 1
    first = np.array([dealer_first[region_of_dealer == r].min() for r in range(n_regions)])
    count = np.array([dealer_count[region_of_dealer == r].sum() for r in range(n_regions)])
    return first, count


def _vins(product: np.ndarray, sold_seconds: np.ndarray) -> np.ndarray:
    """17-character VINs with a valid check digit (position 9), unique per vehicle:
    the plant letter and serial number count the vehicles through."""
    n = len(product)
    if n >= len(PLANT_CODES) * 1_000_000:
        raise ValueError(f"{n} vehicles exceed the VIN serial range")
    chars = np.empty((n, 17), dtype=np.uint8)
    chars[:, 0:3] = np.frombuffer(WMI, dtype=np.uint8)
    vds = np.array([list(p.vds.encode()) for p in PRODUCTS], dtype=np.uint8)
    chars[:, 3:8] = vds[product]
    model_year = sold_seconds.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    year_codes = np.frombuffer(MODEL_YEAR_CODES, dtype=np.uint8)
    chars[:, 9] = year_codes[(model_year - 2010) % len(year_codes)]
    index = np.arange(n)
    chars[:, 10] = np.frombuffer(PLANT_CODES, dtype=np.uint8)[index // 1_000_000]
    serial = index % 1_000_000
    for position in range(16, 10, -1):
        chars[:, position] = ord("0") + serial % 10
        serial //= 10
    chars[:, 8] = ord("0")
    chars[:, 8] = _check_digits(chars)
    return chars.view("S17").ravel()


def _check_digits(chars: np.ndarray) -> np.ndarray:
    value = np.zeros(256, dtype=np.int64)
    for digit in range(10):
        value[ord("0") + digit] = digit
    for letters, start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)):
        for offset, letter in enumerate(letters):
            value[ord(letter)] = start + offset
    remainder = (value[chars] * VIN_WEIGHTS).sum(axis=1) % 11
    return np.where(remainder == 10, ord("X"), ord("0") + remainder).astype(np.uint8)
