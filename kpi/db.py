"""Opening the DuckDB file, creating the schema, and rebuilding the derived facts.

The app and the command line share one rule for writing: a load builds a new file
and swaps it in atomically (see `kpi.ingest`), so a reader never holds a lock that
blocks a writer, and a reader notices the swap through `file_signature`.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from kpi import rollup

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
    product attributes) and their daily rollups once per load, so queries never
    redo that work."""
    for path in DERIVED_SQL:
        con.execute(path.read_text(encoding="utf-8"))
    rollup.build(con)


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


@contextmanager
def exclusive_writer(db_path: Path) -> Iterator[None]:
    """One writer at a time per database: two copy-and-swaps would lose one's work."""
    lock_path = db_path.with_name(db_path.name + ".tmp-load.lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _working_copy(db_path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=db_path.name + ".tmp-", dir=db_path.parent)
    os.close(handle)
    copy = Path(name)
    if db_path.exists():
        shutil.copy2(db_path, copy)
        wal = db_path.with_name(db_path.name + ".wal")
        if wal.exists():  # a writer that did not checkpoint: keep what it wrote
            shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
    else:
        copy.unlink()  # DuckDB creates the file itself; an empty file is not a database
    return copy


def remove_copy(copy: Path) -> None:
    for path in (copy, copy.with_name(copy.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(copy.with_name(copy.name + ".tmp"), ignore_errors=True)


@contextmanager
def swapped_copy(db_path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write to a copy of the database and swap it in atomically when the block ends.

    DuckDB allows no writer beside another process's reader, and the app keeps a
    read-only connection open; so every write works on a copy beside the file and
    `os.replace`s it onto the original only when the block succeeds. An exception
    leaves the database exactly as it was. Readers notice through `file_signature`.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_writer(db_path):
        copy = _working_copy(db_path)
        con = quiet(duckdb.connect(str(copy)))
        try:
            apply_schema(con)
            yield con
            con.execute("CHECKPOINT")
            con.close()
            os.replace(copy, db_path)
        except BaseException:
            con.close()
            remove_copy(copy)
            raise
        remove_copy(copy)  # only a spill folder can be left after a successful swap
