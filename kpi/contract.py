"""The import contract (DATA_CONTRACT.md) as data: tables, columns, types and rules.

The loader validates against this; `sql/schema.sql` declares the same tables for
DuckDB, and a test keeps the two in agreement.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Logical types of the contract. `decimal` is money or a target value.
TEXT, INT, DECIMAL, DATE, TIMESTAMP = "text", "int", "decimal", "date", "timestamp"

RO_TYPES = ("maintenance", "repair", "warranty", "accident", "recall", "other")
DEALER_TYPES = ("4S", "chain", "authorized", "independent")
POWERTRAINS = ("ICE", "HEV", "PHEV", "BEV")
REQUEST_CHANNELS = ("phone", "app", "roadside", "walk_in", "other")
COMPLAINT_CATEGORIES = ("attitude", "quality", "price", "parts", "timeliness", "other")
SEVERITIES = ("low", "medium", "high")
COMPLAINT_CHANNELS = ("hotline", "dealer", "oem", "online", "other")
TARGET_SCOPES = ("network", "region", "dealer")
SERVQUAL_DIMENSIONS = ("reliability", "responsiveness", "assurance", "empathy", "tangibles")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    references: str | None = None  # "table.column"
    decimals: int | None = None  # most decimal places a `decimal` may carry


@dataclass(frozen=True)
class Ordering:
    """`later` must not be before `earlier` on the same row (both non-NULL)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Table:
    name: str
    # The columns that identify a row; a load replaces rows with the same key.
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    orderings: tuple[Ordering, ...] = ()
    # The column the table is kept sorted by, so date filters prune row groups.
    time_order: str | None = None
    is_fact: bool = False
    # column names, for convenience
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


def _money(name: str) -> Column:
    return Column(name, DECIMAL, min=0, decimals=2)


def _servqual(prefix: str) -> tuple[Column, ...]:
    return tuple(Column(f"{prefix}_{dim}", INT, min=1, max=7) for dim in SERVQUAL_DIMENSIONS)


REGIONS = Table(
    "regions",
    ("region_id",),
    (Column("region_id", TEXT, True), Column("region_name", TEXT, True)),
)

DEALERS = Table(
    "dealers",
    ("dealer_id",),
    (
        Column("dealer_id", TEXT, True),
        Column("dealer_name", TEXT, True),
        Column("region_id", TEXT, True, references="regions.region_id"),
        Column("city", TEXT),
        Column("dealer_type", TEXT, True, enum=DEALER_TYPES),
        Column("opened_on", DATE),
    ),
)

PRODUCTS = Table(
    "products",
    ("product_id",),
    (
        Column("product_id", TEXT, True),
        Column("model_name", TEXT, True),
        Column("series", TEXT),
        Column("powertrain", TEXT, enum=POWERTRAINS),
    ),
)

REPAIR_ORDERS = Table(
    "repair_orders",
    ("ro_id",),
    (
        Column("ro_id", TEXT, True),
        Column("dealer_id", TEXT, True, references="dealers.dealer_id"),
        Column("vin", TEXT, True),
        Column("product_id", TEXT, True, references="products.product_id"),
        Column("ro_type", TEXT, True, enum=RO_TYPES),
        Column("fault_code", TEXT),
        Column("opened_at", TIMESTAMP, True),
        Column("promised_at", TIMESTAMP),
        Column("closed_at", TIMESTAMP),
        Column("mileage_km", INT, min=0),
        _money("labor_amount"),
        _money("parts_amount"),
    ),
    orderings=(Ordering("opened_at", "closed_at"),),
    time_order="opened_at",
    is_fact=True,
)

SERVICE_REQUESTS = Table(
    "service_requests",
    ("request_id",),
    (
        Column("request_id", TEXT, True),
        Column("dealer_id", TEXT, True, references="dealers.dealer_id"),
        Column("product_id", TEXT, references="products.product_id"),
        Column("vin", TEXT),
        Column("channel", TEXT, True, enum=REQUEST_CHANNELS),
        Column("created_at", TIMESTAMP, True),
        Column("responded_at", TIMESTAMP),
        Column("arrived_at", TIMESTAMP),
        Column("resolved_at", TIMESTAMP),
    ),
    orderings=(Ordering("created_at", "responded_at"),),
    time_order="created_at",
    is_fact=True,
)

COMPLAINTS = Table(
    "complaints",
    ("complaint_id",),
    (
        Column("complaint_id", TEXT, True),
        Column("dealer_id", TEXT, True, references="dealers.dealer_id"),
        Column("product_id", TEXT, references="products.product_id"),
        Column("ro_id", TEXT, references="repair_orders.ro_id"),
        Column("vin", TEXT),
        Column("category", TEXT, True, enum=COMPLAINT_CATEGORIES),
        Column("severity", TEXT, True, enum=SEVERITIES),
        Column("channel", TEXT, True, enum=COMPLAINT_CHANNELS),
        Column("created_at", TIMESTAMP, True),
        Column("resolved_at", TIMESTAMP),
        Column("closed_at", TIMESTAMP),
        Column("followed_up_at", TIMESTAMP),
        Column("description", TEXT),
    ),
    orderings=(Ordering("created_at", "closed_at"),),
    time_order="created_at",
    is_fact=True,
)

SURVEYS = Table(
    "surveys",
    ("survey_id",),
    (
        Column("survey_id", TEXT, True),
        Column("dealer_id", TEXT, True, references="dealers.dealer_id"),
        Column("ro_id", TEXT, references="repair_orders.ro_id"),
        Column("product_id", TEXT, references="products.product_id"),
        Column("surveyed_at", TIMESTAMP, True),
        Column("overall_score", INT, min=1, max=5),
        *_servqual("exp"),
        *_servqual("perc"),
    ),
    time_order="surveyed_at",
    is_fact=True,
)

TARGETS = Table(
    "targets",
    # The contract gives targets no key column. A target is identified by what it is
    # for and from when, so loading the same target again replaces it instead of
    # adding a second, conflicting one. scope_id is NULL for `network`, so this key
    # is compared NULL-safely by the loader rather than declared in SQL.
    ("metric_id", "scope", "scope_id", "valid_from"),
    (
        Column("metric_id", TEXT, True),
        Column("scope", TEXT, True, enum=TARGET_SCOPES),
        Column("scope_id", TEXT),
        Column("valid_from", DATE, True),
        Column("valid_to", DATE),
        Column("target", DECIMAL, True, decimals=6),
        Column("lower", DECIMAL, decimals=6),
        Column("upper", DECIMAL, decimals=6),
    ),
    orderings=(Ordering("valid_from", "valid_to"),),
)

# In load order: a table's references point only to tables before it.
TABLES: tuple[Table, ...] = (
    REGIONS,
    DEALERS,
    PRODUCTS,
    REPAIR_ORDERS,
    SERVICE_REQUESTS,
    COMPLAINTS,
    SURVEYS,
    TARGETS,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
