"""Reading what exports look like: encodings, CSV / XLSX / Parquet, timestamp and date forms.

Each test loads a file and reads the typed values back from the database, so a
value that is parsed wrongly (not just refused) fails the test.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kpi.contract import TABLES_BY_NAME
from kpi.ingest import LoadRefused, load_files
from tests.fixtures.ingest_data import VALID, rows_of, table_rows, write_csv, write_parquet, write_tables, write_xlsx

DIMENSION_FILES = ("regions", "dealers", "products")


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "kpi.duckdb"
    load_files(path, write_tables(tmp_path / "dims", names=DIMENSION_FILES))
    return path


CHINESE_REGIONS = [{"region_id": "EAST", "region_name": "华东大区"}, {"region_id": "SOUTH", "region_name": "华南·广州"}]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    """UTF-8, UTF-8 with BOM (Excel's 'CSV UTF-8') and GB18030/GBK (Excel on Chinese Windows)."""
    path = write_csv(tmp_path / "regions.csv", CHINESE_REGIONS, encoding=encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    db = tmp_path / "kpi.duckdb"
    load_files(db, [path])
    assert table_rows(db, "SELECT region_id, region_name FROM regions ORDER BY 1") == [
        ("EAST", "华东大区"), ("SOUTH", "华南·广州"),
    ]


def test_undecodable_csv_is_an_encoding_problem(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    # 0xFF never starts a character in UTF-8 or GB18030.
    path.write_bytes("region_id,region_name\nEAST,华东\n".encode("gb18030") + b"WEST,\xff\xff\n")
    with pytest.raises(LoadRefused) as refused:
        load_files(tmp_path / "kpi.duckdb", [path])
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.rule) == ("regions.csv", 3, "encoding")
    assert "UTF-8" in problem.message and "GB18030" in problem.message


def test_utf16_csv_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_bytes("region_id,region_name\r\nEAST,华东\r\n".encode("utf-16"))
    with pytest.raises(LoadRefused) as refused:
        load_files(tmp_path / "kpi.duckdb", [path])
    assert [p.rule for p in refused.value.problems] == ["encoding"]
    assert "CSV UTF-8" in refused.value.problems[0].message


TIMESTAMP_FORMS = [
    ("2026-01-05 09:30", dt.datetime(2026, 1, 5, 9, 30)),
    ("2026-01-05 09:30:15", dt.datetime(2026, 1, 5, 9, 30, 15)),
    ("2026/01/05 09:30", dt.datetime(2026, 1, 5, 9, 30)),
    ("2026/01/05 09:30:15", dt.datetime(2026, 1, 5, 9, 30, 15)),
    ("2026-01-05T09:30", dt.datetime(2026, 1, 5, 9, 30)),
    ("2026-01-05T09:30:15", dt.datetime(2026, 1, 5, 9, 30, 15)),
    ("2026-01-05T09:30:15.250", dt.datetime(2026, 1, 5, 9, 30, 15, 250000)),
    ("2026-01-05 09:30:15.123456", dt.datetime(2026, 1, 5, 9, 30, 15, 123456)),
    ("2026/1/5 9:30", dt.datetime(2026, 1, 5, 9, 30)),  # what Excel writes
    ("2026/12/31 23:59:59", dt.datetime(2026, 12, 31, 23, 59, 59)),
    ("  2026-01-05 09:30  ", dt.datetime(2026, 1, 5, 9, 30)),  # surrounding spaces are trimmed
]


@pytest.mark.parametrize("text, expected", TIMESTAMP_FORMS, ids=[t for t, _ in TIMESTAMP_FORMS])
def test_timestamp_forms(db_path: Path, tmp_path: Path, text: str, expected: dt.datetime) -> None:
    path = write_csv(tmp_path / "repair_orders.csv", rows_of("repair_orders", opened_at=text, closed_at=""))
    load_files(db_path, [path])
    assert table_rows(db_path, "SELECT opened_at FROM repair_orders WHERE ro_id = 'R1'") == [(expected,)]


DATE_FORMS = [
    ("2020-01-05", dt.date(2020, 1, 5)),
    ("2020/01/05", dt.date(2020, 1, 5)),
    ("2020/1/5", dt.date(2020, 1, 5)),
    ("2020-01-05 00:00:00", dt.date(2020, 1, 5)),  # a date cell written with its midnight
]


@pytest.mark.parametrize("text, expected", DATE_FORMS, ids=[t for t, _ in DATE_FORMS])
def test_date_forms(tmp_path: Path, text: str, expected: dt.date) -> None:
    db = tmp_path / "kpi.duckdb"
    files = write_tables(tmp_path, {"regions": VALID["regions"], "dealers": rows_of("dealers", opened_on=text)})
    load_files(db, files)
    assert table_rows(db, "SELECT opened_on FROM dealers WHERE dealer_id = 'D1'") == [(expected,)]


def test_cells_are_trimmed_and_blank_is_null(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    rows = [{"product_id": " P1\t", "model_name": "\u3000Model One ", "series": "   ", "powertrain": " BEV"}]
    load_files(db, [write_csv(tmp_path / "products.csv", rows)])
    assert table_rows(db, "SELECT * FROM products") == [("P1", "Model One", None, "BEV")]


def test_quoted_commas_and_newlines_keep_row_numbers(db_path: Path, tmp_path: Path) -> None:
    """A quoted cell may hold commas and line breaks; rows are still counted as a sheet shows them."""
    rows = [dict(r) for r in VALID["complaints"]] + [
        dict(VALID["complaints"][0], complaint_id="C2", description="第一行,\n第二行"),
        dict(VALID["complaints"][0], complaint_id="C3", severity="bad"),
    ]
    load_files(db_path, write_tables(tmp_path / "ro", names=("repair_orders",)))
    with pytest.raises(LoadRefused) as refused:
        load_files(db_path, [write_csv(tmp_path / "complaints.csv", rows)])
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "severity")]


def _expected_repair_orders() -> list[tuple]:
    return [
        ("R1", "D1", "VIN00000000000001", "P1", "repair", "F1", dt.datetime(2026, 1, 5, 9, 30),
         dt.datetime(2026, 1, 5, 17, 0), dt.datetime(2026, 1, 5, 16, 0), 12000, Decimal("100.50"), Decimal("20.00")),
        ("R2", "D2", "VIN00000000000002", "P2", "maintenance", None, dt.datetime(2026, 1, 6, 10, 0),
         None, None, None, None, None),
    ]


def test_xlsx_with_typed_cells(db_path: Path, tmp_path: Path) -> None:
    """Excel cells come as datetimes, ints and floats; they load as if typed into a CSV."""
    rows = [dict(r) for r in VALID["repair_orders"]]
    rows[0].update(opened_at=dt.datetime(2026, 1, 5, 9, 30), promised_at="2026/1/5 17:00",
                   closed_at=dt.datetime(2026, 1, 5, 16, 0), mileage_km=12000.0, labor_amount=100.5, parts_amount=20)
    path = write_xlsx(tmp_path / "repair_orders.xlsx", rows, list(TABLES_BY_NAME["repair_orders"].names))
    load_files(db_path, [path])
    assert table_rows(db_path, "SELECT * FROM repair_orders ORDER BY ro_id") == _expected_repair_orders()


def test_xlsx_problem_rows_are_sheet_rows(db_path: Path, tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "products.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["product_id", "model_name", "series", "powertrain"])
    sheet.append(["P7", "Seven", None, "BEV"])
    sheet.append([None, None, None, None])  # a blank row in the middle still counts as a row
    sheet.append(["P8", "Eight", None, "DIESEL"])
    workbook.save(path)
    with pytest.raises(LoadRefused) as refused:
        load_files(db_path, [path])
    assert [(p.file, p.row, p.column, p.rule) for p in refused.value.problems] == [
        ("products.xlsx", 4, "powertrain", "unknown_value")]


def test_xlsx_date_cell_in_date_column(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    dealers = rows_of("dealers", opened_on=dt.datetime(2020, 1, 5))
    files = [write_csv(tmp_path / "regions.csv", VALID["regions"]),
             write_xlsx(tmp_path / "dealers.xlsx", dealers, list(TABLES_BY_NAME["dealers"].names))]
    load_files(db, files)
    assert table_rows(db, "SELECT opened_on FROM dealers WHERE dealer_id = 'D1'") == [(dt.date(2020, 1, 5),)]


def test_parquet_with_text_columns(db_path: Path, tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "repair_orders.parquet", VALID["repair_orders"])
    load_files(db_path, [path])
    assert table_rows(db_path, "SELECT * FROM repair_orders ORDER BY ro_id") == _expected_repair_orders()


def test_parquet_with_typed_columns(db_path: Path, tmp_path: Path) -> None:
    rows = [dict(r) for r in VALID["repair_orders"]]
    for row, expected in zip(rows, _expected_repair_orders()):
        row.update(opened_at=expected[6], promised_at=expected[7], closed_at=expected[8],
                   mileage_km=expected[9], labor_amount=None if expected[10] is None else float(expected[10]),
                   parts_amount=expected[11])
    path = write_parquet(tmp_path / "repair_orders.parquet", rows)
    load_files(db_path, [path])
    assert table_rows(db_path, "SELECT * FROM repair_orders ORDER BY ro_id") == _expected_repair_orders()


def test_parquet_problem_rows_are_numbered_like_a_sheet(db_path: Path, tmp_path: Path) -> None:
    rows = [dict(r) for r in VALID["repair_orders"]]
    rows[1]["ro_type"] = "tuning"
    path = write_parquet(tmp_path / "repair_orders.parquet", rows)
    with pytest.raises(LoadRefused) as refused:
        load_files(db_path, [path])
    assert [(p.file, p.row, p.column, p.rule) for p in refused.value.problems] == [
        ("repair_orders.parquet", 3, "ro_type", "unknown_value")]


def test_extra_column_is_ignored_with_a_warning(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    rows = [dict(r, manager="王经理") for r in VALID["regions"]]
    report = load_files(db, [write_csv(tmp_path / "regions.csv", rows)])
    assert [(w.file, w.column, w.rule) for w in report.warnings] == [("regions.csv", "manager", "extra_column")]
    assert table_rows(db, "SELECT count(*) FROM regions") == [(2,)]


def test_header_names_are_trimmed_and_case_insensitive(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    path = tmp_path / "regions.csv"
    path.write_text(" Region_ID ,REGION_NAME\nEAST,华东\n", encoding="utf-8")
    report = load_files(db, [path])
    assert report.warnings == ()
    assert table_rows(db, "SELECT * FROM regions") == [("EAST", "华东")]


def test_repeated_header_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text("region_id,region_name,region_id\nEAST,华东,EAST\n", encoding="utf-8")
    with pytest.raises(LoadRefused) as refused:
        load_files(tmp_path / "kpi.duckdb", [path])
    assert [(p.column, p.rule) for p in refused.value.problems] == [("region_id", "duplicate_column")]


def test_header_only_file_loads_nothing(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    path = tmp_path / "regions.csv"
    path.write_text("region_id,region_name\n", encoding="utf-8")
    report = load_files(db, [path])
    assert report.tables["regions"].rows == 0


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_bytes(b"")
    with pytest.raises(LoadRefused) as refused:
        load_files(tmp_path / "kpi.duckdb", [path])
    assert [(p.file, p.rule) for p in refused.value.problems] == [("regions.csv", "malformed")]
