"""Every rule of DATA_CONTRACT.md refuses a bad file with a precise problem.

Each case starts from a database that already holds a valid load, writes one file
with one broken cell, and checks that (1) the load is refused, (2) a problem names
the file, the row as a spreadsheet shows it (header = row 1), the column and the
rule, with a message that says what is wrong, and (3) the database file is
byte-for-byte what it was, with no temporary files left beside it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpi.contract import TABLES_BY_NAME
from kpi.ingest import MAX_PROBLEMS_KEPT, LoadRefused, Problem, load_files
from tests.fixtures.ingest_data import VALID, dump, file_digest, rows_of, write_csv, write_tables


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the valid dimensions and repair orders, built once."""
    root = tmp_path_factory.mktemp("base")
    db_path = root / "db" / "kpi.duckdb"
    load_files(db_path, write_tables(root / "files", names=("regions", "dealers", "products", "repair_orders")))
    return db_path


@pytest.fixture()
def loaded_db(base_db: Path, tmp_path: Path) -> Path:
    """A private copy of the base database for one test."""
    db_path = tmp_path / "db" / "kpi.duckdb"
    db_path.parent.mkdir()
    shutil.copyfile(base_db, db_path)
    return db_path


def refuse(db_path: Path, files: list[Path]) -> LoadRefused:
    """Load, expect a refusal, and check the database did not change at all."""
    digest, before = file_digest(db_path), dump(db_path)
    with pytest.raises(LoadRefused) as refused:
        load_files(db_path, files)
    assert file_digest(db_path) == digest
    assert dump(db_path) == before
    leftovers = sorted(p.name for p in db_path.parent.iterdir())
    assert leftovers == [db_path.name, db_path.name + ".tmp-load.lock"], leftovers
    return refused.value


def find(refused: LoadRefused, file: str, row: int | None, column: str | None, rule: str) -> Problem:
    matches = [p for p in refused.problems
               if (p.file, p.row, p.column, p.rule) == (file, row, column, rule)]
    assert matches, f"no {rule} problem at {file} row {row} column {column}; got:\n{refused.format()}"
    return matches[0]


# (table, changes to its first valid row, column, rule, words the message must contain)
CELL_CASES = [
    ("repair_orders", {"mileage_km": "12k"}, "mileage_km", "wrong_type", ["'12k'", "whole number"]),
    ("repair_orders", {"mileage_km": "1.5"}, "mileage_km", "wrong_type", ["'1.5'", "whole number"]),
    ("repair_orders", {"labor_amount": "abc"}, "labor_amount", "wrong_type", ["'abc'", "number"]),
    ("repair_orders", {"labor_amount": "10.555"}, "labor_amount", "wrong_type", ["'10.555'", "2 decimal places"]),
    ("repair_orders", {"parts_amount": "1,200.00"}, "parts_amount", "wrong_type", ["'1,200.00'"]),
    ("targets", {"target": "0.1234567"}, "target", "wrong_type", ["6 decimal places"]),
    ("dealers", {"opened_on": "2020-13-01"}, "opened_on", "wrong_type", ["'2020-13-01'", "date"]),
    ("dealers", {"opened_on": "05/01/2020"}, "opened_on", "wrong_type", ["'05/01/2020'", "date"]),
    ("dealers", {"opened_on": "2020-01-05 10:30"}, "opened_on", "wrong_type", ["date"]),
    ("repair_orders", {"opened_at": "yesterday"}, "opened_at", "wrong_type", ["'yesterday'", "timestamp"]),
    ("repair_orders", {"opened_at": "2026-01-05"}, "opened_at", "wrong_type", ["timestamp"]),
    ("repair_orders", {"opened_at": "2026-01-05T09:30:00+08:00"}, "opened_at", "wrong_type", ["no time zone"]),
    ("repair_orders", {"opened_at": "2026-02-30 09:30"}, "opened_at", "wrong_type", ["timestamp"]),
    ("repair_orders", {"closed_at": "2026-01-05 24:00"}, "closed_at", "wrong_type", ["timestamp"]),
    ("repair_orders", {"mileage_km": "-1"}, "mileage_km", "out_of_range", ["-1", "below the minimum 0"]),
    ("repair_orders", {"parts_amount": "-0.01"}, "parts_amount", "out_of_range", ["-0.01", "minimum 0"]),
    ("surveys", {"overall_score": "6"}, "overall_score", "out_of_range", ["6", "above the maximum 5"]),
    ("surveys", {"overall_score": "0"}, "overall_score", "out_of_range", ["below the minimum 1"]),
    ("surveys", {"exp_empathy": "8"}, "exp_empathy", "out_of_range", ["above the maximum 7"]),
    ("repair_orders", {"ro_type": "repairs"}, "ro_type", "unknown_value",
     ["'repairs'", "maintenance, repair, warranty, accident, recall, other"]),
    ("dealers", {"dealer_type": "4s"}, "dealer_type", "unknown_value", ["'4s'", "4S, chain, authorized, independent"]),
    ("products", {"powertrain": "EV"}, "powertrain", "unknown_value", ["'EV'", "ICE, HEV, PHEV, BEV"]),
    ("service_requests", {"channel": "email"}, "channel", "unknown_value", ["'email'", "walk_in"]),
    ("complaints", {"severity": "urgent"}, "severity", "unknown_value", ["'urgent'", "low, medium, high"]),
    ("complaints", {"category": "noise"}, "category", "unknown_value", ["'noise'", "timeliness"]),
    ("complaints", {"channel": "wechat"}, "channel", "unknown_value", ["'wechat'", "hotline"]),
    ("targets", {"scope": "city"}, "scope", "unknown_value", ["'city'", "network, region, dealer"]),
    ("repair_orders", {"opened_at": ""}, "opened_at", "required", ["required"]),
    ("dealers", {"dealer_name": "   "}, "dealer_name", "required", ["required"]),
    ("surveys", {"surveyed_at": ""}, "surveyed_at", "required", ["required"]),
    ("targets", {"target": ""}, "target", "required", ["required"]),
    ("repair_orders", {"dealer_id": "D9"}, "dealer_id", "unknown_reference", ["'D9'", "dealers"]),
    ("repair_orders", {"product_id": "P9"}, "product_id", "unknown_reference", ["'P9'", "products"]),
    ("dealers", {"region_id": "NORTH"}, "region_id", "unknown_reference", ["'NORTH'", "regions"]),
    ("complaints", {"ro_id": "R404"}, "ro_id", "unknown_reference", ["'R404'", "repair_orders"]),
    ("surveys", {"ro_id": "R404"}, "ro_id", "unknown_reference", ["'R404'"]),
    ("service_requests", {"product_id": "P9"}, "product_id", "unknown_reference", ["'P9'"]),
    ("repair_orders", {"closed_at": "2026-01-05 09:29"}, "closed_at", "order", ["before opened_at"]),
    ("service_requests", {"responded_at": "2026-01-04 07:59:59"}, "responded_at", "order", ["before created_at"]),
    ("complaints", {"closed_at": "2026-01-06 10:00"}, "closed_at", "order", ["before created_at"]),
    ("targets", {"valid_to": "2025-12-31"}, "valid_to", "order", ["before valid_from"]),
    ("targets", {"metric_id": "fix_rate"}, "metric_id", "unknown_value", ["'fix_rate'", "metric"]),
    ("targets", {"scope_id": "EAST"}, "scope_id", "must_be_empty", ["network"]),
    ("targets", {"scope": "region", "scope_id": ""}, "scope_id", "required", ["region"]),
    ("targets", {"scope": "dealer", "scope_id": ""}, "scope_id", "required", ["dealer"]),
    ("targets", {"scope": "region", "scope_id": "D1"}, "scope_id", "unknown_reference", ["'D1'", "regions"]),
    ("targets", {"scope": "dealer", "scope_id": "EAST"}, "scope_id", "unknown_reference", ["'EAST'", "dealers"]),
    ("targets", {"target": "0.85"}, "target", "out_of_range", ["below lower"]),
    ("targets", {"upper": "0.9"}, "target", "out_of_range", ["above upper"]),
]


@pytest.mark.parametrize("table, changes, column, rule, words", CELL_CASES,
                         ids=[f"{c[0]}-{c[3]}-{'-'.join(c[1])}" for c in CELL_CASES])
def test_cell_rule_refuses_and_names_file_row_column_rule(loaded_db: Path, tmp_path: Path, table: str,
                                                           changes: dict, column: str, rule: str,
                                                           words: list[str]) -> None:
    path = write_csv(tmp_path / f"{table}.csv", rows_of(table, **changes), list(TABLES_BY_NAME[table].names))
    refused = refuse(loaded_db, [path])
    problem = find(refused, f"{table}.csv", 2, column, rule)
    for word in words:
        assert word in problem.message, problem
    assert refused.total == len(refused.problems) == 1, refused.format()


def test_valid_rows_of_every_table_are_accepted(loaded_db: Path, tmp_path: Path) -> None:
    """The baseline the cases above break: unbroken, every table loads."""
    files = write_tables(tmp_path / "all", names=tuple(VALID))
    report = load_files(loaded_db, files)
    assert set(report.tables) == set(VALID)


def test_missing_required_column_is_a_file_level_problem(loaded_db: Path, tmp_path: Path) -> None:
    columns = [c for c in TABLES_BY_NAME["repair_orders"].names if c != "vin"]
    path = write_csv(tmp_path / "repair_orders.csv", VALID["repair_orders"], columns)
    refused = refuse(loaded_db, [path])
    problem = find(refused, "repair_orders.csv", None, "vin", "missing_column")
    assert "'vin'" in problem.message
    # The missing column is reported once for the file, not once per row.
    assert refused.total == 1


def test_missing_optional_column_is_fine(loaded_db: Path, tmp_path: Path) -> None:
    columns = [c for c in TABLES_BY_NAME["repair_orders"].names if c not in ("fault_code", "parts_amount")]
    path = write_csv(tmp_path / "repair_orders.csv", VALID["repair_orders"], columns)
    report = load_files(loaded_db, [path])
    assert report.tables["repair_orders"].updated == 2


def test_duplicate_key_names_the_first_occurrence(loaded_db: Path, tmp_path: Path) -> None:
    rows = VALID["repair_orders"] + [dict(VALID["repair_orders"][0], vin="OTHER")]
    path = write_csv(tmp_path / "repair_orders.csv", rows)
    refused = refuse(loaded_db, [path])
    problem = find(refused, "repair_orders.csv", 4, "ro_id", "duplicate_key")
    assert "'R1'" in problem.message and "repair_orders.csv row 2" in problem.message
    assert refused.total == 1


def test_duplicate_key_across_two_files_of_the_same_table(loaded_db: Path, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "jan" / "repair_orders.csv", VALID["repair_orders"][:1])
    second = write_csv(tmp_path / "feb" / "repair_orders.csv", VALID["repair_orders"])
    refused = refuse(loaded_db, [first, second])
    problem = find(refused, "repair_orders.csv", 2, "ro_id", "duplicate_key")
    assert "first seen in repair_orders.csv row 2" in problem.message


def test_duplicate_target_key_compares_empty_scope_id_as_equal(loaded_db: Path, tmp_path: Path) -> None:
    rows = VALID["targets"] + [dict(VALID["targets"][0], target="0.9")]
    refused = refuse(loaded_db, [write_csv(tmp_path / "targets.csv", rows)])
    problem = find(refused, "targets.csv", 5, "metric_id", "duplicate_key")
    assert "scope_id=NULL" in problem.message


def test_every_problem_is_reported_not_just_the_first(loaded_db: Path, tmp_path: Path) -> None:
    rows = [dict(VALID["repair_orders"][0], ro_id=f"X{i}") for i in range(6)]
    rows[1]["mileage_km"] = "-5"         # row 3
    rows[3]["ro_type"] = "paint"         # row 5
    rows[5]["closed_at"] = "2026-01-01 00:00"  # row 7
    rows[5]["dealer_id"] = "D404"        # row 7, second problem on the same row
    refused = refuse(loaded_db, [write_csv(tmp_path / "repair_orders.csv", rows)])
    found = [(p.row, p.column, p.rule) for p in refused.problems]
    assert found == [
        (3, "mileage_km", "out_of_range"),
        (5, "ro_type", "unknown_value"),
        (7, "dealer_id", "unknown_reference"),
        (7, "closed_at", "order"),
    ]
    assert refused.total == 4


def test_problems_are_capped_but_counted(loaded_db: Path, tmp_path: Path) -> None:
    rows = [dict(VALID["repair_orders"][0], ro_id=f"X{i}", mileage_km="-1") for i in range(MAX_PROBLEMS_KEPT + 200)]
    refused = refuse(loaded_db, [write_csv(tmp_path / "repair_orders.csv", rows)])
    assert refused.total == MAX_PROBLEMS_KEPT + 200
    assert len(refused.problems) == MAX_PROBLEMS_KEPT
    assert refused.problems[0].row == 2 and refused.problems[-1].row == MAX_PROBLEMS_KEPT + 1


def test_a_bad_file_refuses_the_good_files_of_the_same_load(loaded_db: Path, tmp_path: Path) -> None:
    """All or nothing across files: the valid service requests are not loaded either."""
    good = write_csv(tmp_path / "service_requests.csv", VALID["service_requests"])
    bad = write_csv(tmp_path / "complaints.csv", rows_of("complaints", severity="?"))
    refused = refuse(loaded_db, [good, bad])
    assert [p.file for p in refused.problems] == ["complaints.csv"]


def test_refused_load_into_a_new_database_creates_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "kpi.duckdb"
    bad = write_csv(tmp_path / "regions.csv", [{"region_id": "EAST", "region_name": ""}])
    with pytest.raises(LoadRefused):
        load_files(db_path, [bad])
    assert not db_path.exists()
    assert [p.name for p in db_path.parent.iterdir()] == [db_path.name + ".tmp-load.lock"]


def test_malformed_csv_line_is_reported_with_its_line(loaded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("region_id,region_name\nEAST,华东\nNORTH,North,extra\nSOUTH,South\n", encoding="utf-8")
    refused = refuse(loaded_db, [path])
    problem = find(refused, "regions.csv", 3, None, "malformed")
    assert "Expected Number of Columns" in problem.message
