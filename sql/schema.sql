-- The tables of DATA_CONTRACT.md, one per contract table, same names and columns.
--
-- References between tables (dealer -> region, fact -> dealer/product, complaint ->
-- repair order ...) are checked by the loader across the files of a load and the rows
-- already here, not declared as FOREIGN KEY: DuckDB forbids replacing a parent row
-- that children point to, and a daily re-export replaces dealers and products.
-- Everything else the contract says is declared here, so a row that slips past the
-- loader still cannot break a rule.

CREATE TABLE IF NOT EXISTS regions (
    region_id   VARCHAR PRIMARY KEY,
    region_name VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS dealers (
    dealer_id   VARCHAR PRIMARY KEY,
    dealer_name VARCHAR NOT NULL,
    region_id   VARCHAR NOT NULL,
    city        VARCHAR,
    dealer_type VARCHAR NOT NULL CHECK (dealer_type IN ('4S', 'chain', 'authorized', 'independent')),
    opened_on   DATE
);

CREATE TABLE IF NOT EXISTS products (
    product_id VARCHAR PRIMARY KEY,
    model_name VARCHAR NOT NULL,
    series     VARCHAR,
    powertrain VARCHAR CHECK (powertrain IN ('ICE', 'HEV', 'PHEV', 'BEV'))
);

CREATE TABLE IF NOT EXISTS repair_orders (
    ro_id        VARCHAR PRIMARY KEY,
    dealer_id    VARCHAR NOT NULL,
    vin          VARCHAR NOT NULL,
    product_id   VARCHAR NOT NULL,
    ro_type      VARCHAR NOT NULL CHECK (ro_type IN ('maintenance', 'repair', 'warranty', 'accident', 'recall', 'other')),
    fault_code   VARCHAR,
    opened_at    TIMESTAMP NOT NULL,
    promised_at  TIMESTAMP,
    closed_at    TIMESTAMP CHECK (closed_at >= opened_at),
    mileage_km   BIGINT CHECK (mileage_km >= 0),
    labor_amount DECIMAL(18, 2) CHECK (labor_amount >= 0),
    parts_amount DECIMAL(18, 2) CHECK (parts_amount >= 0)
);

CREATE TABLE IF NOT EXISTS service_requests (
    request_id   VARCHAR PRIMARY KEY,
    dealer_id    VARCHAR NOT NULL,
    product_id   VARCHAR,
    vin          VARCHAR,
    channel      VARCHAR NOT NULL CHECK (channel IN ('phone', 'app', 'roadside', 'walk_in', 'other')),
    created_at   TIMESTAMP NOT NULL,
    responded_at TIMESTAMP CHECK (responded_at >= created_at),
    arrived_at   TIMESTAMP,
    resolved_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS complaints (
    complaint_id   VARCHAR PRIMARY KEY,
    dealer_id      VARCHAR NOT NULL,
    product_id     VARCHAR,
    ro_id          VARCHAR,
    vin            VARCHAR,
    category       VARCHAR NOT NULL CHECK (category IN ('attitude', 'quality', 'price', 'parts', 'timeliness', 'other')),
    severity       VARCHAR NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    channel        VARCHAR NOT NULL CHECK (channel IN ('hotline', 'dealer', 'oem', 'online', 'other')),
    created_at     TIMESTAMP NOT NULL,
    resolved_at    TIMESTAMP,
    closed_at      TIMESTAMP CHECK (closed_at >= created_at),
    followed_up_at TIMESTAMP,
    description    VARCHAR
);

CREATE TABLE IF NOT EXISTS surveys (
    survey_id            VARCHAR PRIMARY KEY,
    dealer_id            VARCHAR NOT NULL,
    ro_id                VARCHAR,
    product_id           VARCHAR,
    surveyed_at          TIMESTAMP NOT NULL,
    overall_score        INTEGER CHECK (overall_score BETWEEN 1 AND 5),
    exp_reliability      INTEGER CHECK (exp_reliability BETWEEN 1 AND 7),
    exp_responsiveness   INTEGER CHECK (exp_responsiveness BETWEEN 1 AND 7),
    exp_assurance        INTEGER CHECK (exp_assurance BETWEEN 1 AND 7),
    exp_empathy          INTEGER CHECK (exp_empathy BETWEEN 1 AND 7),
    exp_tangibles        INTEGER CHECK (exp_tangibles BETWEEN 1 AND 7),
    perc_reliability     INTEGER CHECK (perc_reliability BETWEEN 1 AND 7),
    perc_responsiveness  INTEGER CHECK (perc_responsiveness BETWEEN 1 AND 7),
    perc_assurance       INTEGER CHECK (perc_assurance BETWEEN 1 AND 7),
    perc_empathy         INTEGER CHECK (perc_empathy BETWEEN 1 AND 7),
    perc_tangibles       INTEGER CHECK (perc_tangibles BETWEEN 1 AND 7)
);

-- No declared key: scope_id is NULL for network targets. The loader keeps
-- (metric_id, scope, scope_id, valid_from) unique, comparing NULLs as equal.
CREATE TABLE IF NOT EXISTS targets (
    metric_id  VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL CHECK (scope IN ('network', 'region', 'dealer')),
    scope_id   VARCHAR,
    valid_from DATE NOT NULL,
    valid_to   DATE CHECK (valid_to >= valid_from),
    target     DECIMAL(18, 6) NOT NULL,
    lower      DECIMAL(18, 6),
    upper      DECIMAL(18, 6)
);

-- One row per accepted load: what the Data page shows, and the data version that
-- query caches are keyed by.
CREATE SEQUENCE IF NOT EXISTS load_log_seq START 1;
CREATE TABLE IF NOT EXISTS load_log (
    load_id   BIGINT PRIMARY KEY DEFAULT nextval('load_log_seq'),
    loaded_at TIMESTAMP NOT NULL,
    source    VARCHAR NOT NULL,  -- the files (or "demo") the load came from
    summary   VARCHAR NOT NULL   -- JSON: {table: {"inserted": n, "updated": m}}
);

-- Sign-in accounts. A user sees the network, one region or one dealer (scope_id).
-- Passwords are stored only as argon2id hashes (salted, slow); never in clear.
CREATE TABLE IF NOT EXISTS users (
    username      VARCHAR PRIMARY KEY,
    role          VARCHAR NOT NULL CHECK (role IN ('network', 'region', 'dealer')),
    scope_id      VARCHAR CHECK ((role = 'network') = (scope_id IS NULL)),
    password_hash VARCHAR NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL,
    changed_at    TIMESTAMP NOT NULL
);
