"""A tiny network for the fairness wiring, every number worked out by hand in
tests/test_fairness.py. All dates are in June 2026 (1 June is a Monday).

Regions R1 (D1, D2, D4) and R2 (D3, D5, D6); types D1 D2 D3 D6 4S, D4 D5 chain.

Repair orders (maintenance, closed 2 h after opening, so every cycle is 2.0 h):
  D1  10 a day, 1..14 June, opened 09:00..09:09      140
  D2  20 on 1 June;  D3 60 on 2 June;  D4 80 on 3 June;  D5 100 on 4 June;
  D6 120 on 5 June                                    520 in all
  as_of = the last close = 14 June 11:09.

Complaints: D1 on 3 June, 7 June and three on 12 June (5); D4 on 3 June (1).

Surveys (overall score), all between 1 and 10 June:
  D1 10 surveys: 6 score 5, 4 score 2       satisfied 6 / 10
  D2 40 surveys: 32 score 4, 8 score 3      satisfied 32 / 40
  D3 50 surveys: 42 score 5, 8 score 1      satisfied 42 / 50
  D5  3 surveys: 3 score 5                  satisfied 3 / 3

Targets:
  satisfied_rate   network        0.80  from 2026-01-01, open, no band
  satisfied_rate   region R1      0.82  2026-06-01 .. 2026-06-30, lower 0.78
  satisfied_rate   dealer D3      0.83  from 2026-06-10, lower 0.80
  complaint_count  dealer D1      6     from 2026-06-01, upper 8
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from kpi import db

REGIONS = [("R1", "华东 East"), ("R2", "华南 South")]
DEALERS = [
    ("D1", "一号店", "R1", "上海", "4S"),
    ("D2", "二号店", "R1", "杭州", "4S"),
    ("D3", "三号店", "R2", "广州", "4S"),
    ("D4", "四号店", "R1", "南京", "chain"),
    ("D5", "五号店", "R2", "深圳", "chain"),
    ("D6", "六号店", "R2", "佛山", "4S"),
]
# dealer -> [(day of June, ROs opened that day)]
RO_DAYS = {
    "D1": [(day, 10) for day in range(1, 15)],
    "D2": [(1, 20)],
    "D3": [(2, 60)],
    "D4": [(3, 80)],
    "D5": [(4, 100)],
    "D6": [(5, 120)],
}
COMPLAINTS = [("D1", 3), ("D1", 7), ("D1", 12), ("D1", 12), ("D1", 12), ("D4", 3)]
# dealer -> [(score, how many)]
SURVEYS = {
    "D1": [(5, 6), (2, 4)],
    "D2": [(4, 32), (3, 8)],
    "D3": [(5, 42), (1, 8)],
    "D5": [(5, 3)],
}
TARGETS = [
    ("satisfied_rate", "network", None, "2026-01-01", None, 0.80, None, None),
    ("satisfied_rate", "region", "R1", "2026-06-01", "2026-06-30", 0.82, 0.78, None),
    ("satisfied_rate", "dealer", "D3", "2026-06-10", None, 0.83, 0.80, None),
    ("complaint_count", "dealer", "D1", "2026-06-01", None, 6, None, 8),
]


def _june(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute)


def build(path: Path) -> Path:
    con = db.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?)", REGIONS)
        con.executemany("INSERT INTO dealers VALUES (?, ?, ?, ?, ?, NULL)", DEALERS)
        con.execute("INSERT INTO products VALUES ('P1', 'Model One', 'S1', 'ICE')")
        ros = []
        for dealer_id, days in RO_DAYS.items():
            for day, count in days:
                for i in range(count):
                    opened = _june(day) + timedelta(minutes=i % 10)
                    ros.append((f"{dealer_id}-{day:02d}-{i:03d}", dealer_id, f"V{dealer_id}{day}{i}", "P1",
                                "maintenance", None, opened, None, opened + timedelta(hours=2)))
        frame = pd.DataFrame(ros, columns="ro_id dealer_id vin product_id ro_type fault_code opened_at promised_at closed_at".split())
        frame["fault_code"] = frame["fault_code"].astype("string")
        frame["promised_at"] = pd.to_datetime(frame["promised_at"])
        con.register("incoming", frame)
        con.execute("INSERT INTO repair_orders (ro_id, dealer_id, vin, product_id, ro_type, fault_code, opened_at,"
                    " promised_at, closed_at) SELECT * FROM incoming")
        con.unregister("incoming")
        con.executemany(
            "INSERT INTO complaints (complaint_id, dealer_id, category, severity, channel, created_at)"
            " VALUES (?, ?, 'quality', 'medium', 'hotline', ?)",
            [(f"C{i}", dealer_id, _june(day, 10, i)) for i, (dealer_id, day) in enumerate(COMPLAINTS)],
        )
        surveys = []
        for dealer_id, scores in SURVEYS.items():
            n = 0
            for score, count in scores:
                for _ in range(count):
                    surveys.append((f"S{dealer_id}{n:03d}", dealer_id, _june(1 + n % 10, 15), score))
                    n += 1
        con.executemany("INSERT INTO surveys (survey_id, dealer_id, surveyed_at, overall_score) VALUES (?, ?, ?, ?)",
                        surveys)
        con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?)", TARGETS)
        db.refresh_derived(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path
