#!/usr/bin/env python3
"""KPI speed against a plain DuckDB pass over the same file.

    .venv/bin/python -m kpi demo --db /tmp/big.duckdb --repair-orders 10000000
    .venv/bin/python benchmarks/bench_kpi.py --db /tmp/big.duckdb

Prints, in one run: the time of the six headline KPIs by dealer × month through
kpi.compute, the time of one plain `GROUP BY dealer_id, month` count over
repair_orders, and their ratio. For context it also times the same KPIs read from
the fact rows alone (what a query the daily rollups cannot answer costs, e.g. with
another comeback window). Each is the median of --runs timed runs after one
warm-up run, alternating them so background load hits all alike.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kpi  # noqa: E402
from kpi.compiler import KpiQuery, compile_query  # noqa: E402
from kpi.db import connect  # noqa: E402
from kpi.engine import default_as_of  # noqa: E402

HEADLINE = (
    "first_time_fix_rate",
    "avg_response_hours",
    "avg_repair_cycle_hours",
    "repeat_repair_rate",
    "complaint_rate",
    "satisfied_rate",
)
PLAIN = "SELECT dealer_id, date_trunc('month', opened_at) AS month, count(*) FROM repair_orders GROUP BY ALL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    con = connect(args.db, read_only=True)
    rows = con.execute("SELECT count(*) FROM repair_orders").fetchone()[0]

    def headline() -> int:
        return len(kpi.compute(con, HEADLINE, by=["dealer_id"], grain="month"))

    def plain() -> int:
        return len(con.execute(PLAIN).fetchall())

    rows_only = compile_query(KpiQuery.build(HEADLINE, by=["dealer_id"], grain="month"), default_as_of(con), None)

    def headline_from_rows() -> int:
        return len(con.execute(rows_only.sql, rows_only.params).fetchall())

    groups_kpi, groups_plain, groups_rows = headline(), plain(), headline_from_rows()  # warm-up
    kpi_times, plain_times, rows_times = [], [], []
    for _ in range(args.runs):
        for fn, times in ((headline, kpi_times), (plain, plain_times), (headline_from_rows, rows_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    k, p, r = statistics.median(kpi_times), statistics.median(plain_times), statistics.median(rows_times)
    print(f"database           {args.db} ({rows:,} repair orders)")
    print(f"six headline KPIs  {k:.3f} s  by dealer × month, {groups_kpi} groups")
    print(f"plain DuckDB pass  {p:.3f} s  count(*) by dealer × month, {groups_plain} groups")
    print(f"ratio              {k / p:.2f}×")
    print(f"same KPIs, rows    {r:.3f} s  without the daily rollups, {groups_rows} groups ({r / p:.2f}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
