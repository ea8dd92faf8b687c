"""The demo network: a believable dealer network written through the loader.

    python -m kpi demo --db data/demo.duckdb [--repair-orders N] [--seed S] [--end YYYY-MM-DD]

`generate(...)` builds the contract tables in memory (vectorised numpy, one seed
for everything); `write_demo(...)` loads them with `kpi.ingest.load_frames`, the
same validated path as a file import. Which dealers were made good or bad is in
`DemoNetwork.network.dealers` (`tier`, `quality`), never in the database.
"""
from __future__ import annotations

from kpi.demo.command import DemoReport, register, write_demo
from kpi.demo.generate import DEFAULT_END, DEFAULT_REPAIR_ORDERS, DEFAULT_SEED, DemoNetwork, generate

__all__ = [
    "DEFAULT_END",
    "DEFAULT_REPAIR_ORDERS",
    "DEFAULT_SEED",
    "DemoNetwork",
    "DemoReport",
    "generate",
    "register",
    "write_demo",
]
