"""Generated columns -> Arrow tables with the contract's names and types.

Arrow keeps ten million rows of ids and VINs compact (no Python string objects),
and the loader stages Arrow tables directly.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpi.contract import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, REQUEST_CHANNELS, RO_TYPES, SERVQUAL_DIMENSIONS, SEVERITIES
from kpi.demo.columns import Columns
from kpi.demo.complaints import DESCRIPTION_LABELS
from kpi.demo.fleet import Fleet
from kpi.demo.network import PRODUCTS, Network
from kpi.demo.repair_orders import FAULT_CODE_LABELS

PRODUCT_IDS = tuple(p.product_id for p in PRODUCTS)


def sequential_ids(prefix: str, n: int, width: int = 9) -> pa.Array:
    """`RO000000001`, `RO000000002`, ...: numbered in time order, as a DMS does."""
    numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width=width, padding="0"), "")


def labelled(codes: np.ndarray, labels: Sequence[str], present: np.ndarray | None = None) -> pa.Array:
    """Text from integer codes; NULL where `present` is False (or the code is < 0)."""
    missing = codes < 0 if present is None else ~present | (codes < 0)
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    return pa.array(list(labels), type=pa.string()).take(indices)


def timestamps(seconds: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    mask = None if present is None else ~present
    return pa.array(seconds.astype("datetime64[s]"), mask=mask).cast(pa.timestamp("us"))


def integers(values: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    mask = None if present is None else ~present
    return pa.array(values.astype(np.int64), mask=mask)


def vins(fleet: Fleet, vehicle: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    all_vins = pa.array(fleet.vin).cast(pa.string())
    mask = None if present is None else ~present
    return all_vins.take(pa.array(vehicle, mask=mask))


def repair_orders_table(network: Network, fleet: Fleet, orders: Columns) -> pa.Table:
    dealer_ids = network.dealers["dealer_id"].tolist()
    n = len(orders["opened"])
    return pa.table({
        "ro_id": sequential_ids("RO", n),
        "dealer_id": labelled(orders["dealer"], dealer_ids),
        "vin": vins(fleet, orders["vehicle"]),
        "product_id": labelled(orders["product"], PRODUCT_IDS),
        "ro_type": labelled(orders["ro_type"], RO_TYPES),
        "fault_code": labelled(orders["fault"], FAULT_CODE_LABELS),
        "opened_at": timestamps(orders["opened"]),
        "promised_at": timestamps(orders["promised"], orders["has_promise"]),
        "closed_at": timestamps(orders["closed"], orders["is_closed"]),
        "mileage_km": integers(orders["mileage"]),
        "labor_amount": pa.array(orders["labor"]),
        "parts_amount": pa.array(orders["parts"]),
    })


def service_requests_table(network: Network, fleet: Fleet, requests: Columns) -> pa.Table:
    n = len(requests["created"])
    known = requests["vehicle_known"]
    return pa.table({
        "request_id": sequential_ids("SR", n),
        "dealer_id": labelled(requests["dealer"], network.dealers["dealer_id"].tolist()),
        "product_id": labelled(requests["product"], PRODUCT_IDS, known),
        "vin": vins(fleet, requests["vehicle"], known),
        "channel": labelled(requests["channel"], REQUEST_CHANNELS),
        "created_at": timestamps(requests["created"]),
        "responded_at": timestamps(requests["responded"], requests["has_response"]),
        "arrived_at": timestamps(requests["arrived"], requests["has_arrival"]),
        "resolved_at": timestamps(requests["resolved"], requests["has_resolution"]),
    })


def complaints_table(network: Network, fleet: Fleet, complaints: Columns, ro_ids: pa.Array) -> pa.Table:
    n = len(complaints["created"])
    from_visit = complaints["ro"] >= 0
    known = complaints["vehicle_known"]
    return pa.table({
        "complaint_id": sequential_ids("CP", n),
        "dealer_id": labelled(complaints["dealer"], network.dealers["dealer_id"].tolist()),
        "product_id": labelled(complaints["product"], PRODUCT_IDS, known),
        "ro_id": ro_ids.take(pa.array(np.where(from_visit, complaints["ro"], 0), mask=~from_visit)),
        "vin": vins(fleet, complaints["vehicle"], known),
        "category": labelled(complaints["category"], COMPLAINT_CATEGORIES),
        "severity": labelled(complaints["severity"], SEVERITIES),
        "channel": labelled(complaints["channel"], COMPLAINT_CHANNELS),
        "created_at": timestamps(complaints["created"]),
        "resolved_at": timestamps(complaints["resolved"], complaints["is_resolved"]),
        "closed_at": timestamps(complaints["closed"], complaints["is_closed"]),
        "followed_up_at": timestamps(complaints["followed"], complaints["is_followed"]),
        "description": labelled(complaints["description"], DESCRIPTION_LABELS),
    })


def surveys_table(network: Network, surveys: Columns, ro_ids: pa.Array) -> pa.Table:
    n = len(surveys["surveyed"])
    columns = {
        "survey_id": sequential_ids("SV", n),
        "dealer_id": labelled(surveys["dealer"], network.dealers["dealer_id"].tolist()),
        "ro_id": ro_ids.take(pa.array(surveys["ro"])),
        "product_id": labelled(surveys["product"], PRODUCT_IDS),
        "surveyed_at": timestamps(surveys["surveyed"]),
        "overall_score": integers(surveys["score"], surveys["has_score"]),
    }
    for side in ("exp", "perc"):
        for dim in SERVQUAL_DIMENSIONS:
            columns[f"{side}_{dim}"] = integers(surveys[f"{side}_{dim}"], surveys[f"has_{side}_{dim}"])
    return pa.table(columns)
