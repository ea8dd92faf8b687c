"""load_frames: in-memory tables take the same checks and upsert as files.

Typed frames (datetimes, floats with NaN for missing integers, categoricals) must
load to the same rows as the CSV of the same data, and break the same rules.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kpi.ingest import LoadRefused, load_files, load_frames
from tests.fixtures.ingest_data import VALID, dump, table_rows, write_tables

DIMS = ("regions", "dealers", "products")


def typed_repair_orders() -> pd.DataFrame:
    frame = pd.DataFrame(VALID["repair_orders"]).replace("", None)
    for column in ("opened_at", "promised_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column], format="mixed")
    frame["mileage_km"] = pd.to_numeric(frame["mileage_km"])  # float64 with NaN
    for column in ("labor_amount", "parts_amount"):
        frame[column] = pd.to_numeric(frame[column])
    frame["ro_type"] = frame["ro_type"].astype("category")
    return frame


def dims_frames() -> dict[str, pd.DataFrame]:
    frames = {name: pd.DataFrame(VALID[name]).replace("", None) for name in DIMS}
    frames["dealers"]["opened_on"] = pd.to_datetime(frames["dealers"]["opened_on"])
    return frames


def test_typed_frames_load_like_the_csv_files(tmp_path: Path) -> None:
    from_files, from_frames = tmp_path / "files.duckdb", tmp_path / "frames.duckdb"
    load_files(from_files, write_tables(tmp_path, names=DIMS + ("repair_orders",)))
    report = load_frames(from_frames, {**dims_frames(), "repair_orders": typed_repair_orders()})
    assert report.source == "demo" and report.tables["repair_orders"].inserted == 2
    assert dump(from_files) == dump(from_frames)


def test_arrow_tables_are_accepted(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    tables = {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in dims_frames().items()}
    report = load_frames(db, tables, source="generator")
    assert report.tables["dealers"].inserted == 2
    assert table_rows(db, "SELECT source FROM load_log") == [("generator",)]


@pytest.mark.parametrize("column, value, rule", [
    ("mileage_km", 1.5, "wrong_type"),           # a float that is not whole
    ("mileage_km", -3.0, "out_of_range"),
    ("labor_amount", 10.555, "wrong_type"),      # three decimal places
    ("labor_amount", float("inf"), "wrong_type"),
    ("closed_at", pd.Timestamp("2026-01-05 09:00"), "order"),
    ("dealer_id", "D404", "unknown_reference"),
    ("ro_id", "R1", "duplicate_key"),
])
def test_typed_frames_break_the_same_rules(tmp_path: Path, column: str, value: object, rule: str) -> None:
    db = tmp_path / "kpi.duckdb"
    frame = typed_repair_orders()
    frame.loc[1, column] = value
    with pytest.raises(LoadRefused) as refused:
        load_frames(db, {**dims_frames(), "repair_orders": frame})
    problems = [(p.file, p.row, p.column, p.rule) for p in refused.value.problems]
    assert ("demo:repair_orders", 3, column if rule != "duplicate_key" else "ro_id", rule) in problems
    assert not db.exists()


def test_timestamp_with_time_in_a_date_column_is_wrong(tmp_path: Path) -> None:
    frames = dims_frames()
    frames["dealers"].loc[0, "opened_on"] = pd.Timestamp("2020-01-05 10:30")
    with pytest.raises(LoadRefused) as refused:
        load_frames(tmp_path / "kpi.duckdb", frames)
    assert [(p.row, p.column, p.rule) for p in refused.value.problems] == [(2, "opened_on", "wrong_type")]


def test_time_zone_aware_timestamps_are_refused(tmp_path: Path) -> None:
    frame = typed_repair_orders()
    frame["opened_at"] = frame["opened_at"].dt.tz_localize("Asia/Shanghai")
    with pytest.raises(LoadRefused) as refused:
        load_frames(tmp_path / "kpi.duckdb", {**dims_frames(), "repair_orders": frame})
    assert {(p.column, p.rule) for p in refused.value.problems} == {("opened_at", "wrong_type")}


def test_integer_and_nullable_integer_columns(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    frame = typed_repair_orders()
    frame["mileage_km"] = pd.array([12000, None], dtype="Int64")
    load_frames(db, {**dims_frames(), "repair_orders": frame})
    assert table_rows(db, "SELECT mileage_km FROM repair_orders ORDER BY ro_id") == [(12000,), (None,)]


def test_unknown_table_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadRefused) as refused:
        load_frames(tmp_path / "kpi.duckdb", {"workshops": pd.DataFrame({"a": [1]})})
    assert [(p.file, p.rule) for p in refused.value.problems] == [("demo:workshops", "unknown_table")]


def test_frames_upsert_like_files(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    load_frames(db, dims_frames())
    frame = typed_repair_orders()
    load_frames(db, {"repair_orders": frame})
    frame.loc[1, "closed_at"] = pd.Timestamp("2026-01-06 18:00")
    report = load_frames(db, {"repair_orders": frame})
    assert (report.tables["repair_orders"].inserted, report.tables["repair_orders"].updated) == (0, 2)
    assert table_rows(db, "SELECT closed_at FROM repair_orders WHERE ro_id = 'R2'") == [
        (dt.datetime(2026, 1, 6, 18, 0),)]
    assert np.int64(report.load_id) == 3
