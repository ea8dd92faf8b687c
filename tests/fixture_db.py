"""A small, deterministic DuckDB for UI tests: 3 regions, 6 dealers, 3 models,
about 90 days of repair orders, requests, complaints, surveys and a few targets,
and one sign-in per role (FIXTURE_ACCOUNTS, all with FIXTURE_PASSWORD).

Written straight through `kpi.db` (schema, then derived facts), so UI tests do
not depend on the loader. The numbers the tests check are always recomputed with
`kpi.compute` on this file, never hard-coded.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from kpi import db as kpi_db
from kpi.accounts import add_users

REGIONS = [("EAST", "华东"), ("NORTH", "华北"), ("SOUTH", "华南")]
DEALERS = [
    ("D001", "上海浦东4S店", "EAST", "上海", "4S"),
    ("D002", "杭州西湖4S店", "EAST", "杭州", "4S"),
    ("D003", "北京朝阳4S店", "NORTH", "北京", "4S"),
    ("D004", "天津滨海特约服务站", "NORTH", "天津", "authorized"),
    ("D005", "广州天河4S店", "SOUTH", "广州", "4S"),
    ("D006", "深圳南山连锁店", "SOUTH", "深圳", "chain"),
]
# A dealer with no facts at all: pages must say so instead of failing.
EMPTY_DEALER = ("D099", "新开业门店（无数据）", "SOUTH", "珠海", "independent")
PRODUCTS = [("P1", "星途 S7", "星途", "ICE"), ("P2", "星途 E5", "星途", "BEV"), ("P3", "远航 X9", "远航", "PHEV")]
FAULTS = ["ENG01", "BRK02", "ELC03", "AC04"]
# role -> (user name, role, scope id): the store manager of D001, the lead of EAST.
FIXTURE_ACCOUNTS = {
    "network": ("hq", "network", None),
    "region": ("east", "region", "EAST"),
    "dealer": ("store", "dealer", "D001"),
}
FIXTURE_PASSWORD = "fixture-pass-2024"
END_DAY = date(2024, 6, 15)
SNAPSHOT = datetime(2024, 6, 15, 18, 0)


def _insert(con, table: str, rows: list[tuple], columns: str) -> None:
    names = columns.split()
    frame = pd.DataFrame(rows, columns=names)
    for name in names:
        if name.endswith("_at"):
            frame[name] = pd.to_datetime(frame[name])
        elif frame[name].isna().all():
            frame[name] = frame[name].astype("string")
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM incoming")
    con.unregister("incoming")


def build_fixture_db(path: str | Path, days: int = 90, ros_per_day: int = 6, seed: int = 7) -> Path:
    path = Path(path)
    if path.exists():
        path.unlink()
    rng = random.Random(seed)
    con = kpi_db.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?)", REGIONS)
        con.executemany(
            "INSERT INTO dealers VALUES (?, ?, ?, ?, ?, DATE '2015-01-01')", DEALERS + [EMPTY_DEALER]
        )
        con.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", PRODUCTS)
        ros, requests, complaints, surveys = [], [], [], []
        vins = [f"LVIN{n:013d}" for n in range(400)]
        start = END_DAY - timedelta(days=days - 1)
        for day_offset in range(days):
            day = start + timedelta(days=day_offset)
            for dealer_id, *_ in DEALERS:
                quality = 0.05 + 0.03 * int(dealer_id[-1])
                for k in range(rng.randint(max(1, ros_per_day - 3), ros_per_day + 3)):
                    opened = datetime.combine(day, datetime.min.time()) + timedelta(hours=8 + rng.random() * 9)
                    if opened > SNAPSHOT:
                        continue
                    ro_id = f"RO{dealer_id}{day:%Y%m%d}{k:02d}"
                    ro_type = rng.choice(["maintenance", "repair", "repair", "warranty", "accident"])
                    fault = rng.choice(FAULTS) if ro_type in ("repair", "warranty") else None
                    promised = opened + timedelta(hours=rng.choice([4, 8, 24, 48]))
                    cycle = timedelta(hours=rng.uniform(1, 60))
                    closed = opened + cycle
                    if closed > SNAPSHOT:
                        closed = None
                    vin = rng.choice(vins)
                    ros.append((ro_id, dealer_id, vin, rng.choice(PRODUCTS)[0], ro_type, fault, opened, promised, closed))
                    if closed is not None and rng.random() < 0.7:
                        when = closed + timedelta(hours=rng.uniform(2, 72))
                        if when <= SNAPSHOT:
                            score = 5 if rng.random() > quality * 3 else rng.randint(1, 4)
                            surveys.append((f"S{ro_id}", dealer_id, ro_id, None, when, score))
                    if rng.random() < quality:
                        created = opened + timedelta(hours=rng.uniform(1, 48))
                        if created <= SNAPSHOT:
                            closed_c = created + timedelta(hours=rng.uniform(5, 150))
                            complaints.append((
                                f"C{ro_id}", dealer_id, None, ro_id, vin,
                                rng.choice(["attitude", "quality", "price", "timeliness"]),
                                rng.choice(["low", "medium", "high"]), rng.choice(["hotline", "dealer", "oem"]),
                                created, closed_c if closed_c <= SNAPSHOT else None, "客户反映等待时间过长",
                            ))
                for k in range(rng.randint(1, 3)):
                    created = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.uniform(7, 20))
                    if created > SNAPSHOT:
                        continue
                    responded = created + timedelta(hours=rng.expovariate(1 / 10))
                    requests.append((
                        f"R{dealer_id}{day:%Y%m%d}{k}", dealer_id, rng.choice(["phone", "app", "roadside"]),
                        created, responded if responded <= SNAPSHOT else None,
                    ))
        # Bulk inserts through DataFrames: executemany is row by row in DuckDB.
        _insert(con, "repair_orders", ros,
                "ro_id dealer_id vin product_id ro_type fault_code opened_at promised_at closed_at")
        _insert(con, "service_requests", requests, "request_id dealer_id channel created_at responded_at")
        _insert(con, "complaints", complaints,
                "complaint_id dealer_id product_id ro_id vin category severity channel created_at closed_at description")
        _insert(con, "surveys", surveys, "survey_id dealer_id ro_id product_id surveyed_at overall_score")
        con.executemany(
            "INSERT INTO targets VALUES (?, ?, ?, DATE '2024-01-01', NULL, ?, NULL, NULL)",
            [
                ("first_time_fix_rate", "network", None, 0.9),
                ("satisfied_rate", "network", None, 0.85),
                ("avg_repair_cycle_hours", "network", None, 24),
                ("response_sla_rate", "region", "EAST", 0.8),
                ("on_time_delivery_rate", "dealer", "D001", 0.7),
            ],
        )
        kpi_db.refresh_derived(con)
        con.execute(
            "INSERT INTO load_log (loaded_at, source, summary) VALUES (?, 'tests/fixture_db.py', ?)",
            [SNAPSHOT, json.dumps({"repair_orders": {"inserted": len(ros), "updated": 0}})],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    add_users(path, [(*spec, FIXTURE_PASSWORD) for spec in FIXTURE_ACCOUNTS.values()])
    return path


if __name__ == "__main__":
    import sys

    print(build_fixture_db(sys.argv[1] if len(sys.argv) > 1 else "data/fixture.duckdb"))
