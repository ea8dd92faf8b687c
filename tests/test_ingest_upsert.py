"""Upsert by key, references across files and the database, folders, and the load log."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.ingest import LoadRefused, load_files
from tests.fixtures.ingest_data import VALID, dump, rows_of, table_rows, write_csv, write_tables

DIMS = ("regions", "dealers", "products")


def test_loading_the_same_files_twice_gives_the_same_database(tmp_path: Path) -> None:
    """The second load replaces every row by key: counts say updated, contents are equal."""
    db = tmp_path / "kpi.duckdb"
    files = write_tables(tmp_path / "all", names=tuple(VALID))
    first = load_files(db, files)
    after_first = dump(db)
    second = load_files(db, files)
    after_second = dump(db)
    assert {t: (c.inserted, c.updated) for t, c in first.tables.items()} == {
        t: (len(rows), 0) for t, rows in VALID.items()}
    assert {t: (c.inserted, c.updated) for t, c in second.tables.items()} == {
        t: (0, len(rows)) for t, rows in VALID.items()}
    assert {k: v for k, v in after_first.items() if k != "load_log_count"} == \
        {k: v for k, v in after_second.items() if k != "load_log_count"}
    assert (second.load_id, after_second["load_log_count"]) == (2, [(2,)])


def test_overlapping_exports_update_and_insert(tmp_path: Path) -> None:
    """Monday's export holds R1, R2; Tuesday's holds R2 (now closed) and R3."""
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "dims", names=DIMS))
    load_files(db, [write_csv(tmp_path / "mon" / "repair_orders.csv", VALID["repair_orders"])])
    tuesday = [dict(VALID["repair_orders"][1], closed_at="2026-01-06 18:00"),
               dict(VALID["repair_orders"][1], ro_id="R3", opened_at="2026-01-07 08:00")]
    report = load_files(db, [write_csv(tmp_path / "tue" / "repair_orders.csv", tuesday)])
    assert (report.tables["repair_orders"].inserted, report.tables["repair_orders"].updated) == (1, 1)
    assert table_rows(db, "SELECT ro_id, closed_at IS NOT NULL FROM repair_orders ORDER BY ro_id") == [
        ("R1", True), ("R2", True), ("R3", False)]


def test_targets_upsert_matches_empty_scope_id(tmp_path: Path) -> None:
    """A network target (scope_id NULL) loaded again replaces itself instead of doubling."""
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "dims", names=DIMS))
    load_files(db, [write_csv(tmp_path / "a" / "targets.csv", VALID["targets"])])
    report = load_files(db, [write_csv(tmp_path / "b" / "targets.csv", rows_of("targets", target="0.93"))])
    assert (report.tables["targets"].inserted, report.tables["targets"].updated) == (0, 3)
    assert table_rows(db, "SELECT count(*), sum(target) FILTER (scope = 'network') FROM targets") == [
        (3, Decimal("0.930000"))]


def test_fact_rows_are_inserted_in_time_order(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "dims", names=DIMS))
    rows = [dict(VALID["repair_orders"][1], ro_id=f"R{i}", opened_at=f"2026-01-{day:02d} 08:00")
            for i, day in enumerate([9, 3, 7, 1, 5])]
    load_files(db, [write_csv(tmp_path / "repair_orders.csv", rows)])
    # rowid is the storage order DuckDB scans and prunes by.
    assert table_rows(db, "SELECT ro_id FROM repair_orders ORDER BY rowid") == [
        ("R3",), ("R1",), ("R4",), ("R2",), ("R0",)]


def test_reference_to_a_row_in_another_file_of_the_same_load(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    report = load_files(db, write_tables(tmp_path, names=DIMS + ("repair_orders", "complaints")))
    assert report.tables["complaints"].inserted == 1


def test_reference_to_a_row_already_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "first", names=DIMS + ("repair_orders",)))
    report = load_files(db, write_tables(tmp_path / "second", names=("complaints", "surveys")))
    assert (report.tables["complaints"].inserted, report.tables["surveys"].inserted) == (1, 1)


def test_reference_found_neither_in_the_load_nor_the_database(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "first", names=("regions",)))
    with pytest.raises(LoadRefused) as refused:
        load_files(db, write_tables(tmp_path / "second", names=("dealers", "repair_orders")))
    rules = sorted({(p.file, p.column, p.rule) for p in refused.value.problems})
    assert rules == [("repair_orders.csv", "product_id", "unknown_reference")]


def test_a_folder_loads_every_contract_file_in_it(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    folder = tmp_path / "export"
    write_tables(folder, names=DIMS + ("repair_orders",))
    (folder / ".DS_Store").write_bytes(b"\0")  # hidden files are not exports
    (folder / "~$dealers.xlsx").write_bytes(b"\0")  # nor Excel's lock file
    (folder / "archive").mkdir()  # sub-folders are not read
    report = load_files(db, [folder])
    assert list(report.tables) == ["regions", "dealers", "products", "repair_orders"]
    assert report.files == ("regions.csv", "dealers.csv", "products.csv", "repair_orders.csv")


def test_a_file_not_named_after_a_table_is_an_error_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    folder = tmp_path / "export"
    write_tables(folder, names=("regions",))
    (folder / "orders_2026.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "regions.txt").write_text("x", encoding="utf-8")
    with pytest.raises(LoadRefused) as refused:
        load_files(db, [folder])
    assert sorted((p.file, p.rule) for p in refused.value.problems) == [
        ("orders_2026.csv", "unknown_table"), ("regions.txt", "unknown_table")]
    assert "repair_orders" in refused.value.problems[0].message
    assert not db.exists()


def test_missing_source_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(LoadRefused) as refused:
        load_files(tmp_path / "kpi.duckdb", [tmp_path / "nope.csv", tmp_path / "empty"])
    assert sorted(p.rule for p in refused.value.problems) == ["no_files", "not_found"]


def test_file_names_are_matched_case_insensitively(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    path = write_csv(tmp_path / "Regions.CSV", VALID["regions"])
    assert load_files(db, [path]).tables["regions"].inserted == 2


def test_load_log_records_source_and_summary(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    report = load_files(db, write_tables(tmp_path, names=("regions",)))
    ((load_id, source, summary),) = table_rows(db, "SELECT load_id, source, summary FROM load_log")
    assert (load_id, source) == (report.load_id, "regions.csv")
    assert json.loads(summary) == {"regions": {"inserted": 2, "updated": 0}}


def test_derived_facts_are_rebuilt_after_a_load(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path, names=DIMS + ("repair_orders",)))
    assert table_rows(db, "SELECT ro_id FROM fact_repair_orders ORDER BY ro_id") == [("R1",), ("R2",)]


def test_the_database_file_is_swapped_not_rewritten(tmp_path: Path) -> None:
    """A reader holding the old file keeps a consistent snapshot; the path gets a new file."""
    import duckdb

    db = tmp_path / "kpi.duckdb"
    load_files(db, write_tables(tmp_path / "a", names=("regions",)))
    reader = duckdb.connect(str(db), read_only=True)
    try:
        inode = db.stat().st_ino
        load_files(db, [write_csv(tmp_path / "regions.csv", [{"region_id": "NORTH", "region_name": "华北"}])])
        assert db.stat().st_ino != inode
        assert reader.execute("SELECT count(*) FROM regions").fetchall() == [(2,)]
    finally:
        reader.close()
    assert table_rows(db, "SELECT count(*) FROM regions") == [(3,)]
