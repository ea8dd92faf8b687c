"""The loader: contract files or in-memory tables -> the DuckDB database, all or nothing.

    load_files(db_path, ["exports/"])          # CSV / XLSX / Parquet named after tables
    load_frames(db_path, {"repair_orders": df}) # the demo generator's tables

Both validate every rule of DATA_CONTRACT.md over the whole load and raise
`LoadRefused` with every problem found (the database is then unchanged), or upsert
by key and return a `LoadReport`.
"""
from __future__ import annotations

from kpi.ingest.load import MAX_PROBLEMS_KEPT, load_files, load_frames
from kpi.ingest.problems import LoadRefused, LoadReport, Problem, TableCounts

__all__ = [
    "MAX_PROBLEMS_KEPT",
    "LoadRefused",
    "LoadReport",
    "Problem",
    "TableCounts",
    "load_files",
    "load_frames",
]
