"""A tiny network whose every KPI is worked out by hand in the tests.

Regions R1 (dealers D1, D2) and R2 (D3); products P1 (ICE, series S1), P2 (BEV, S2).

Repair orders (W = 30 days):
  id  dealer prod type        vin fault opened            closed               promised
  A1  D1     P1   repair      V1  F1    01-01 08:00       01-02 08:00 (24 h)   01-02 08:00 (on time, equal)
  B1  D2     P1   repair      V1  F1    01-31 08:00       01-31 12:00 (4 h)    -
      -> opened 29 days after A1 closed: comeback pair (A1, B1), across dealers
  A2  D1     P2   warranty    V2  F2    01-05 10:00       01-05 20:00 (10 h)   01-05 18:00 (late)
  B2  D1     P2   repair      V2  F2    02-04 20:00       02-05 00:00 (4 h)    02-05 00:00 (on time, equal)
      -> opened exactly 30 days after A2 closed: comeback pair (A2, B2)
  A3  D1     P1   repair      V3  F3    01-10 09:00       01-10 17:00 (8 h)    -
  B3  D3     P1   repair      V3  F3    02-09 17:00:01    02-09 18:00:01 (1 h) -
      -> opened 30 days + 1 s after A3 closed: no pair
  M4  D2     P1   maintenance V4  -     01-15 09:00       01-15 11:00 (2 h)    -
  N5  D1     P2   repair      V5  NULL  01-20 09:00       01-20 15:00 (6 h)    01-20 14:00 (late)
      -> no fault code: not a repair-type RO
  O6  D3     P2   repair      V6  F6    03-01 08:00       open                 03-01 18:00
All in 2026. Default as_of = latest opened/closed = 2026-03-01 08:00.

Service requests (S = 24 h), used with as_of 2026-03-10 00:00:
  Q1 D1 P1   created 03-01 08:00  responded 03-01 10:00     (2 h)
  Q2 D1 P1   created 03-02 08:00  responded 03-03 08:00     (24 h, SLA met exactly)
  Q3 D1 NULL created 03-03 08:00  responded 03-04 08:00:01  (24 h + 1 s)
  Q4 D1 P2   created 03-08 23:00  unanswered, SLA ran out 03-09 23:00
  Q5 D1 P2   created 03-09 00:00:01 unanswered, SLA runs out 03-10 00:00:01 > as_of
  Q6 D1 P2   created 03-09 00:00  unanswered, SLA runs out 03-10 00:00 = as_of
  Q7 D2 P1   created 03-05 08:00  responded 03-05 08:30     (0.5 h)

Complaints (C = 72 h), used with as_of 2026-03-10 00:00:
  C1 D1 P1   quality    high   hotline created 01-03 09:00 closed 01-06 09:00 (72 h exactly)
  C2 D1 P2   attitude   low    dealer  created 01-10 10:00 closed 01-13 10:00:01 (72 h + 1 s)
  C3 D2 NULL price      medium online  created 03-05 00:00 open, SLA ran out 03-08 00:00
  C4 D1 P1   timeliness medium oem     created 03-08 00:00 open, SLA runs out 03-11 > as_of

Surveys (exp / perc for reliability, responsiveness, assurance, empathy, tangibles):
  S1 D1 ro A1 P1   01-04 10:00 score 5  exp 6 6 6 6 6   perc 5 6 7 6 7
  S2 D1 ro A1 P1   01-05 10:00 score 4  exp 7 5 6 5 4   perc 6 5 5 6 5
  S3 D2 ro B1 P1   02-01 10:00 score 2  exp 6 6 6 6 6   perc 3 - 4 4 5
  S4 D1 -     NULL 02-10 10:00 score -  (no SERVQUAL)
  S5 D1 -     P1   02-11 10:00 score 3  (no SERVQUAL)
"""
from __future__ import annotations

from pathlib import Path

from kpi import db

REGIONS = [("R1", "华东 East"), ("R2", "华南 South")]
DEALERS = [
    ("D1", "上海一店", "R1", "上海", "4S", None),
    ("D2", "杭州二店", "R1", "杭州", "chain", None),
    ("D3", "广州三店", "R2", "广州", "4S", None),
]
PRODUCTS = [("P1", "Model One", "S1", "ICE"), ("P2", "Model Two", "S2", "BEV")]

# ro_id, dealer, vin, product, type, fault, opened, promised, closed
REPAIR_ORDERS = [
    ("A1", "D1", "V1", "P1", "repair", "F1", "2026-01-01 08:00:00", "2026-01-02 08:00:00", "2026-01-02 08:00:00"),
    ("B1", "D2", "V1", "P1", "repair", "F1", "2026-01-31 08:00:00", None, "2026-01-31 12:00:00"),
    ("A2", "D1", "V2", "P2", "warranty", "F2", "2026-01-05 10:00:00", "2026-01-05 18:00:00", "2026-01-05 20:00:00"),
    ("B2", "D1", "V2", "P2", "repair", "F2", "2026-02-04 20:00:00", "2026-02-05 00:00:00", "2026-02-05 00:00:00"),
    ("A3", "D1", "V3", "P1", "repair", "F3", "2026-01-10 09:00:00", None, "2026-01-10 17:00:00"),
    ("B3", "D3", "V3", "P1", "repair", "F3", "2026-02-09 17:00:01", None, "2026-02-09 18:00:01"),
    ("M4", "D2", "V4", "P1", "maintenance", None, "2026-01-15 09:00:00", None, "2026-01-15 11:00:00"),
    ("N5", "D1", "V5", "P2", "repair", None, "2026-01-20 09:00:00", "2026-01-20 14:00:00", "2026-01-20 15:00:00"),
    ("O6", "D3", "V6", "P2", "repair", "F6", "2026-03-01 08:00:00", "2026-03-01 18:00:00", None),
]

# request_id, dealer, product, channel, created, responded
SERVICE_REQUESTS = [
    ("Q1", "D1", "P1", "phone", "2026-03-01 08:00:00", "2026-03-01 10:00:00"),
    ("Q2", "D1", "P1", "app", "2026-03-02 08:00:00", "2026-03-03 08:00:00"),
    ("Q3", "D1", None, "roadside", "2026-03-03 08:00:00", "2026-03-04 08:00:01"),
    ("Q4", "D1", "P2", "phone", "2026-03-08 23:00:00", None),
    ("Q5", "D1", "P2", "phone", "2026-03-09 00:00:01", None),
    ("Q6", "D1", "P2", "phone", "2026-03-09 00:00:00", None),
    ("Q7", "D2", "P1", "phone", "2026-03-05 08:00:00", "2026-03-05 08:30:00"),
]

# complaint_id, dealer, product, ro, category, severity, channel, created, closed, followed_up
COMPLAINTS = [
    ("C1", "D1", "P1", "A1", "quality", "high", "hotline", "2026-01-03 09:00:00", "2026-01-06 09:00:00", "2026-01-07 09:00:00"),
    ("C2", "D1", "P2", None, "attitude", "low", "dealer", "2026-01-10 10:00:00", "2026-01-13 10:00:01", None),
    ("C3", "D2", None, None, "price", "medium", "online", "2026-03-05 00:00:00", None, None),
    ("C4", "D1", "P1", None, "timeliness", "medium", "oem", "2026-03-08 00:00:00", None, None),
]

# survey_id, dealer, ro, product, surveyed, score, exp x5, perc x5
SURVEYS = [
    ("S1", "D1", "A1", "P1", "2026-01-04 10:00:00", 5, (6, 6, 6, 6, 6), (5, 6, 7, 6, 7)),
    ("S2", "D1", "A1", "P1", "2026-01-05 10:00:00", 4, (7, 5, 6, 5, 4), (6, 5, 5, 6, 5)),
    ("S3", "D2", "B1", "P1", "2026-02-01 10:00:00", 2, (6, 6, 6, 6, 6), (3, None, 4, 4, 5)),
    ("S4", "D1", None, None, "2026-02-10 10:00:00", None, (None,) * 5, (None,) * 5),
    ("S5", "D1", None, "P1", "2026-02-11 10:00:00", 3, (None,) * 5, (None,) * 5),
]


def build(path: Path) -> Path:
    """Write the network above into a new DuckDB file and derive its facts."""
    con = db.connect(path)
    try:
        con.executemany("INSERT INTO regions VALUES (?, ?)", REGIONS)
        con.executemany("INSERT INTO dealers VALUES (?, ?, ?, ?, ?, ?)", DEALERS)
        con.executemany("INSERT INTO products VALUES (?, ?, ?, ?)", PRODUCTS)
        con.executemany(
            "INSERT INTO repair_orders (ro_id, dealer_id, vin, product_id, ro_type, fault_code, opened_at, promised_at, closed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            REPAIR_ORDERS,
        )
        con.executemany(
            "INSERT INTO service_requests (request_id, dealer_id, product_id, channel, created_at, responded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            SERVICE_REQUESTS,
        )
        con.executemany(
            "INSERT INTO complaints (complaint_id, dealer_id, product_id, ro_id, category, severity, channel,"
            " created_at, closed_at, followed_up_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            COMPLAINTS,
        )
        con.executemany(
            "INSERT INTO surveys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sid, d, ro, p, at, score, *exp, *perc) for sid, d, ro, p, at, score, exp, perc in SURVEYS],
        )
        db.refresh_derived(con)
    finally:
        con.close()
    return path
