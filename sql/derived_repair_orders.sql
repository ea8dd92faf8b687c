-- fact_repair_orders: repair_orders with per-row flags computed once per load, so
-- that every KPI query over repair orders is a single pass with no self-join.
--
-- Comeback pairs (KPI_DEFINITIONS.md): repair-type ROs A, B with the same vin and
-- fault_code form a pair when A is closed and A.closed_at < B.opened_at <= A.closed_at + W.
-- Whether a pair exists depends on W only through the nearest neighbour, so we store
-- the gap to it and each query compares the gap with its own W:
--   comeback_gap_seconds: from A's close to the first same-vin, same-fault repair
--                         visit opened after it (A has a comeback iff gap <= W);
--   repeat_gap_seconds:   from the latest same-vin, same-fault repair closed before
--                         B opened, to B's opening (B is a repeat iff gap <= W).
-- The neighbour may be at any dealer. Both gaps are > 0 by construction.
CREATE OR REPLACE TABLE fact_repair_orders AS
WITH repair AS (
    SELECT ro_id, vin, fault_code, opened_at, closed_at
    FROM repair_orders
    WHERE ro_type IN ('repair', 'warranty') AND fault_code IS NOT NULL
),
closed_repair AS (
    SELECT * FROM repair WHERE closed_at IS NOT NULL
),
next_visit AS (
    SELECT a.ro_id, epoch(b.opened_at) - epoch(a.closed_at) AS comeback_gap_seconds
    FROM closed_repair a
    ASOF JOIN repair b
      ON a.vin = b.vin AND a.fault_code = b.fault_code AND b.opened_at > a.closed_at
),
previous_close AS (
    SELECT b.ro_id, epoch(b.opened_at) - epoch(a.closed_at) AS repeat_gap_seconds
    FROM repair b
    ASOF JOIN closed_repair a
      ON b.vin = a.vin AND b.fault_code = a.fault_code AND a.closed_at < b.opened_at
),
surveyed AS (
    SELECT DISTINCT ro_id FROM surveys WHERE ro_id IS NOT NULL
)
SELECT
    r.ro_id,
    r.dealer_id,
    r.product_id,
    r.ro_type,
    r.fault_code,
    r.opened_at,
    r.promised_at,
    r.closed_at,
    (epoch(r.closed_at) - epoch(r.opened_at)) / 3600.0 AS cycle_hours,
    (r.ro_type IN ('repair', 'warranty') AND r.fault_code IS NOT NULL) AS is_repair_type,
    n.comeback_gap_seconds,
    p.repeat_gap_seconds,
    (s.ro_id IS NOT NULL) AS has_survey
FROM repair_orders r
LEFT JOIN next_visit n USING (ro_id)
LEFT JOIN previous_close p USING (ro_id)
LEFT JOIN surveyed s USING (ro_id)
ORDER BY r.opened_at;
