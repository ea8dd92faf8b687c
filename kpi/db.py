"""Opening the DuckDB file, creating the schema, and rebuilding the derived facts.

The app and the command line share one rule for writing: a load builds a new file
and swaps it in atomically (see `kpi.ingest`), so a reader never holds a lock that
blocks a writer, and a reader notices the swap through `file_signature`.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
SCHEMA_SQL = SQL_DIR / "schema.sql"
# Derived facts, rebuilt after every accepted load, in this order.
DERIVED_SQL = (SQL_DIR / "derived_facts.sql",)
DEFAULT_DB = ROOT / "data" / "demo.duckdb"


def db_path_from_env() -> Path:
    """The database the app uses: $AFTERSALES_DB, else the demo database."""
    named = os.environ.get("AFTERSALES_DB", "").strip()
    return Path(named) if named else DEFAULT_DB


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the flat fact tables (comeback gaps, survey coverage, dealer and
    product attributes) once per load, so queries never redo that work."""
    for path in DERIVED_SQL:
        con.execute(path.read_text(encoding="utf-8"))


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bars: they would interleave with the command line's own output."""
    con.execute("SET enable_progress_bar = false")
    return con


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database file. A writable connection gets the schema and derived tables."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(f"database file not found: {path}")
        return quiet(duckdb.connect(str(path), read_only=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    con = quiet(duckdb.connect(str(path)))
    apply_schema(con)
    refresh_derived(con)
    return con


def file_signature(path: str | Path) -> tuple[int, int, int] | None:
    """Changes whenever a load swaps in a new file: (inode, size, mtime in ns)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the latest accepted load; query caches are keyed by it."""
    return int(con.execute("SELECT coalesce(max(load_id), 0) FROM load_log").fetchone()[0])
