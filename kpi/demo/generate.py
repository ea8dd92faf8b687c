"""The whole demo network in memory: `generate(...)` returns the contract tables."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from kpi.demo.calendar import History, build_history
from kpi.demo.complaints import generate_complaints
from kpi.demo.fleet import build_fleet
from kpi.demo.network import Network, build_network
from kpi.demo.repair_orders import generate_repair_orders
from kpi.demo.service_requests import generate_service_requests
from kpi.demo.surveys import generate_surveys
from kpi.demo.tables import complaints_table, repair_orders_table, service_requests_table, surveys_table
from kpi.demo.targets import build_targets

DEFAULT_REPAIR_ORDERS = 300_000
DEFAULT_SEED = 42
# A fixed end, not today: the same seed gives the same database on any day.
DEFAULT_END = date(2026, 11, 21)
MIN_REPAIR_ORDERS = 1_000
HISTORY_YEARS = 2
# Independent random streams per part, so changing how one table is drawn does
# not reshuffle the others.
STREAMS = ("network", "fleet", "repair_orders", "service_requests", "complaints", "surveys")


@dataclass
class DemoNetwork:
    """The generated tables (contract names and columns), and what lies behind them."""

    tables: dict[str, pa.Table | pd.DataFrame]
    network: Network
    history: History
    seconds: float
    # Rows per table, in load order.
    counts: dict[str, int] = field(default_factory=dict)

    def dealer_ids(self, tier: str) -> list[str]:
        """Dealers the generator made `good`, `bad` or `typical`."""
        return self.network.dealer_ids(tier)


def generate(
    repair_orders: int = DEFAULT_REPAIR_ORDERS,
    seed: int = DEFAULT_SEED,
    end: date = DEFAULT_END,
) -> DemoNetwork:
    """A believable dealer network with `repair_orders` ROs over two years up to `end`.

    Deterministic: the same arguments give identical tables.
    """
    if repair_orders < MIN_REPAIR_ORDERS:
        raise ValueError(f"repair_orders must be at least {MIN_REPAIR_ORDERS}, got {repair_orders}")
    started = time.perf_counter()
    rng = dict(zip(STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS)))))
    history = build_history(end, HISTORY_YEARS)
    network = build_network(rng["network"], history.first_day)
    fleet = build_fleet(rng["fleet"], network, history, repair_orders)
    orders = generate_repair_orders(rng["repair_orders"], network, fleet, history, repair_orders)
    requests = generate_service_requests(rng["service_requests"], network, fleet, history, repair_orders)
    complaints = generate_complaints(rng["complaints"], network, history, orders, requests)
    complained = np.zeros(len(orders["opened"]), dtype=bool)
    complained[complaints["ro"][complaints["ro"] >= 0]] = True
    surveys = generate_surveys(rng["surveys"], network, history, orders, complained)

    ro_table = repair_orders_table(network, fleet, orders)
    tables: dict[str, pa.Table | pd.DataFrame] = {
        **network.contract_tables(),
        "repair_orders": ro_table,
        "service_requests": service_requests_table(network, fleet, requests),
        "complaints": complaints_table(network, fleet, complaints, ro_table["ro_id"].combine_chunks()),
        "surveys": surveys_table(network, surveys, ro_table["ro_id"].combine_chunks()),
        "targets": build_targets(network, history.first_day, history.last_day),
    }
    counts = {name: len(table) for name, table in tables.items()}
    return DemoNetwork(tables, network, history, time.perf_counter() - started, counts)
