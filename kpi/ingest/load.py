"""A load, all or nothing: stage, validate, upsert into a copy of the database, swap.

The writing goes through `kpi.db.swapped_copy`: the load works on a copy beside the
database, swapped in only when everything is in, so the app's read-only connection
is never in the way and a refused load leaves the file exactly as it was.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from kpi import db
from kpi.contract import TABLES, TABLES_BY_NAME, Table
from kpi.ingest import validate
from kpi.ingest.problems import NO_FILES, UNKNOWN_TABLE, LoadRefused, LoadReport, Problem, TableCounts
from kpi.ingest.readers import Staged, quote_ident, stage_file, stage_frame
from kpi.ingest.sources import resolve_sources

# LoadRefused keeps this many problems (in file, row, column order); it counts all.
MAX_PROBLEMS_KEPT = 1000


def _fetch_problems(con: duckdb.DuckDBPyConnection, labels: list[str],
                    file_level: list[Problem]) -> tuple[list[Problem], int]:
    order = {label: i for i, label in enumerate(labels)}
    file_level = sorted(file_level, key=lambda p: (order.get(p.file, -1), p.row or 0))
    total = len(file_level) + con.execute(f"SELECT count(*) FROM {validate.PROBLEMS}").fetchone()[0]
    room = max(MAX_PROBLEMS_KEPT - len(file_level), 0)
    rows = con.execute(
        f"SELECT {validate.FILE}, row, column_name, rule, message FROM {validate.PROBLEMS} "
        f"ORDER BY {validate.FILE}, row, col_index, rule LIMIT {room}"
    ).fetchall()
    row_level = [Problem(labels[f], int(r), c, rule, m) for f, r, c, rule, m in rows]
    merged = sorted(file_level + row_level, key=lambda p: (order.get(p.file, -1), p.row or 0))
    return merged[:MAX_PROBLEMS_KEPT], total


def _key_match(table: Table, left: str, right: str) -> str:
    # targets' key holds the nullable scope_id: NULL must match NULL.
    return " AND ".join(
        f"{left}.{quote_ident(k)} IS NOT DISTINCT FROM {right}.{quote_ident(k)}" for k in table.key
    )


def _upsert(con: duckdb.DuckDBPyConnection, typed: validate.TypedTable) -> TableCounts:
    """Replace rows with the same key, insert the rest; facts in time order."""
    table, target = typed.table, f"main.{quote_ident(typed.table.name)}"
    rows = con.execute(f"SELECT count(*) FROM {typed.name}").fetchone()[0]
    existing = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    updated = 0
    if existing and rows:
        if len(table.key) == 1:
            key = quote_ident(table.key[0])
            matched = f"{target} WHERE {key} IN (SELECT {key} FROM {typed.name})"
            updated = con.execute(f"SELECT count(*) FROM {matched}").fetchone()[0]
            if updated:
                con.execute(f"DELETE FROM {matched}")
        else:
            matched = f"{target} d WHERE EXISTS (SELECT 1 FROM {typed.name} t WHERE {_key_match(table, 't', 'd')})"
            updated = con.execute(f"SELECT count(*) FROM {matched}").fetchone()[0]
            if updated:
                con.execute(f"DELETE FROM {matched}")
    columns = ", ".join(quote_ident(c) for c in table.names)
    order = [quote_ident(table.time_order)] if table.time_order else []
    order += [quote_ident(k) for k in table.key]
    con.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {typed.name} ORDER BY {', '.join(order)}")
    return TableCounts(inserted=rows - updated, updated=updated)


def _run(db_path: str | Path, source: str, stage: Callable[[duckdb.DuckDBPyConnection, Path], list[Staged]], file_problems: list[Problem]) -> LoadReport:
    """Shared by files and frames: `stage(con, workdir)` returns the staged inputs."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kpi-load-") as workdir, db.swapped_copy(db_path) as con:
        inputs: list[Staged] = stage(con, Path(workdir))
        labels = [s.label for s in inputs]
        validate.create_work_tables(con, labels)
        warnings: list[Problem] = []
        by_table: dict[str, list[tuple[int, Staged]]] = {}
        for index, staged in enumerate(inputs):
            if staged.rows_usable:
                validate.check_columns(TABLES_BY_NAME[staged.table], staged)
            file_problems.extend(staged.problems)
            warnings.extend(staged.warnings)
            by_table.setdefault(staged.table, []).append((index, staged))
        typed_by_name: dict[str, validate.TypedTable] = {}
        for table in TABLES:  # references point to earlier tables only
            if table.name in by_table:
                typed_by_name[table.name] = validate.build_typed(con, table, by_table[table.name])
        for typed in typed_by_name.values():
            validate.check_table(con, typed, typed_by_name)
        problems, total = _fetch_problems(con, labels, file_problems)
        if total:
            raise LoadRefused(problems, total)  # the copy is discarded: nothing changed
        counts = {name: _upsert(con, typed) for name, typed in typed_by_name.items()}
        db.refresh_derived(con)
        summary = {t: {"inserted": c.inserted, "updated": c.updated} for t, c in counts.items()}
        load_id = con.execute(
            "INSERT INTO load_log (loaded_at, source, summary) VALUES (?, ?, ?) RETURNING load_id",
            [dt.datetime.now().replace(microsecond=0), source, json.dumps(summary)],
        ).fetchone()[0]
    return LoadReport(
        load_id=int(load_id), source=source, tables=counts, warnings=tuple(warnings),
        seconds=time.perf_counter() - started, files=tuple(labels),
    )


def load_files(db_path: str | Path, sources: list[str | Path] | tuple[str | Path, ...]) -> LoadReport:
    """Load contract-named files (or folders of them) into `db_path`, all or nothing.

    Raises LoadRefused (and leaves the database untouched) when any file breaks the
    contract; the exception lists every problem found, not just the first.
    """
    files, file_problems = resolve_sources(list(sources))
    # Dependency order, so problems come out in the order a user fixes them.
    order = {t.name: i for i, t in enumerate(TABLES)}
    files.sort(key=lambda f: order[f.table])

    def stage(con: duckdb.DuckDBPyConnection, workdir: Path) -> list[Staged]:
        return [stage_file(con, f, f"__stage_{i}", workdir) for i, f in enumerate(files)]

    if file_problems and not files:
        raise LoadRefused(file_problems, len(file_problems))
    source = ", ".join(f.label for f in files)
    return _run(db_path, source, stage, file_problems)


def load_frames(db_path: str | Path, frames: Mapping[str, pd.DataFrame | pa.Table],
                source: str = "demo") -> LoadReport:
    """Load in-memory tables through the same checks and upsert as files.

    Keys are contract table names. Problems name the input `<source>:<table>` and
    number rows as a sheet would (first row = row 2).
    """
    problems = [Problem(f"{source}:{n}", None, None, UNKNOWN_TABLE, f"{n!r} is not a contract table")
                for n in frames if n not in TABLES_BY_NAME]
    if not frames:
        problems.append(Problem(source, None, None, NO_FILES, "no tables given"))
    if problems:
        raise LoadRefused(problems, len(problems))
    order = [t.name for t in TABLES if t.name in frames]

    def stage(con: duckdb.DuckDBPyConnection, workdir: Path) -> list[Staged]:
        return [stage_frame(con, name, frames[name], f"{source}:{name}", f"__frame_{i}")
                for i, name in enumerate(order)]

    return _run(db_path, source, stage, [])

