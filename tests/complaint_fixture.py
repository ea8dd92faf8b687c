"""A tiny network for the case list, the closed loop and the distributions, every
expected row worked out by hand in the tests.

Regions R1 (dealers D1, D2) and R2 (D3); products P1 "Model One", P2 "Model Two".

Complaints (C = 72 h), read with as_of 2026-03-10 00:00 (SLA cut-off 03-07 00:00):
  id  dealer prod category   sev    channel created      closed                    follow-up
  K1  D1     P1   quality    high   hotline 03-01 09:00  03-04 09:00 (72 h exactly) 03-05 -> within SLA, followed up
  K2  D1     P2   attitude   low    dealer  03-02 10:00  03-05 10:00:01 (72 h + 1 s) -      -> closed past SLA
  K3  D2     NULL price      medium online  03-05 00:00  open (120 h at as_of)       -      -> open past SLA
  K4  D1     P1   timeliness medium oem     03-07 00:00  open (72 h at as_of)        -      -> open past SLA (cut-off is inclusive)
  K5  D3     P2   quality    low    hotline 03-08 12:00  open (36 h at as_of)        -      -> pending
  K6  D3     P1   parts      high   dealer  02-27 08:00  02-27 20:00 (12 h)          02-28  -> within SLA, followed up

Repair orders (cycle hours):
  RO1 D1 P1 repair F1      opened 03-01 08:00  closed 03-09 12:00 (196 h)
  RO2 D2 P2 maintenance    opened 03-02 08:00  closed 03-02 10:00 (2 h)
  RO3 D3 P1 repair F1      opened 03-03 08:00  closed 03-03 12:00 (4 h)
  RO4 D1 P1 repair F2      opened 03-05 08:00  open
  Default as_of = latest opened/closed = 03-09 12:00 (SLA cut-off 03-06 12:00).

Service requests (response hours): Q1 D1 phone 03-01 08:00 -> 2 h; Q2 D1 app 03-02 08:00
  -> 30 h; Q3 D3 phone 03-03 08:00 -> 0.5 h; Q4 D2 phone 03-04 08:00 unanswered.
"""
from __future__ import annotations

from pathlib import Path

from kpi import db

AS_OF = "2026-03-10 00:00:00"

REGIONS = [("R1", "华东"), ("R2", "华南")]
DEALERS = [
    ("D1", "上海一店", "R1", "上海", "4S"),
    ("D2", "杭州二店", "R1", "杭州", "chain"),
    ("D3", "广州三店", "R2", "广州", "4S"),
]
PRODUCTS = [("P1", "Model One", "S1", "ICE"), ("P2", "Model Two", "S2", "BEV")]

# complaint_id, dealer, product, category, severity, channel, created, closed, followed_up, description
COMPLAINTS = [
    ("K1", "D1", "P1", "quality", "high", "hotline", "2026-03-01 09:00:00", "2026-03-04 09:00:00", "2026-03-05 09:00:00", "刹车异响，修后复发"),
    ("K2", "D1", "P2", "attitude", "low", "dealer", "2026-03-02 10:00:00", "2026-03-05 10:00:01", None, "接待人员态度冷淡"),
    ("K3", "D2", None, "price", "medium", "online", "2026-03-05 00:00:00", None, None, "保养收费高于报价"),
    ("K4", "D1", "P1", "timeliness", "medium", "oem", "2026-03-07 00:00:00", None, None, "交车比承诺晚两天"),
    ("K5", "D3", "P2", "quality", "low", "hotline", "2026-03-08 12:00:00", None, None, None),
    ("K6", "D3", "P1", "parts", "high", "dealer", "2026-02-27 08:00:00", "2026-02-27 20:00:00", "2026-02-28 10:00:00", "配件缺货"),
]
REPAIR_ORDERS = [
    ("RO1", "D1", "V1", "P1", "repair", "F1", "2026-03-01 08:00:00", None, "2026-03-09 12:00:00"),
    ("RO2", "D2", "V2", "P2", "maintenance", None, "2026-03-02 08:00:00", None, "2026-03-02 10:00:00"),
    ("RO3", "D3", "V3", "P1", "repair", "F1", "2026-03-03 08:00:00", None, "2026-03-03 12:00:00"),
    ("RO4", "D1", "V4", "P1", "repair", "F2", "2026-03-05 08:00:00", None, None),
]
SERVICE_REQUESTS = [
    ("Q1", "D1", "phone", "2026-03-01 08:00:00", "2026-03-01 10:00:00"),
    ("Q2", "D1", "app", "2026-03-02 08:00:00", "2026-03-03 14:00:00"),
    ("Q3", "D3", "phone", "2026-03-03 08:00:00", "2026-03-03 08:30:00"),
    ("Q4", "D2", "phone", "2026-03-04 08:00:00", None),
]


def build(path: Path) -> Path:
    con = db.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?)", REGIONS)
        con.executemany("INSERT INTO dealers VALUES (?, ?, ?, ?, ?, NULL)", DEALERS)
        con.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", PRODUCTS)
        con.executemany(
            "INSERT INTO complaints (complaint_id, dealer_id, product_id, category, severity, channel,"
            " created_at, closed_at, followed_up_at, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            COMPLAINTS,
        )
        con.executemany(
            "INSERT INTO repair_orders (ro_id, dealer_id, vin, product_id, ro_type, fault_code, opened_at,"
            " promised_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            REPAIR_ORDERS,
        )
        con.executemany(
            "INSERT INTO service_requests (request_id, dealer_id, channel, created_at, responded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            SERVICE_REQUESTS,
        )
        db.refresh_derived(con)
    finally:
        con.close()
    return path
