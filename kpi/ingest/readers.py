"""Files and in-memory frames -> relations in DuckDB that the validator reads.

Every staged relation has `__row` (the row number a spreadsheet shows: the header is
row 1, the first data row is row 2) and the source's own columns. CSV and XLSX give
text (VARCHAR) columns; Parquet and frames keep their types, and `kpi.ingest.parse`
types each column from whatever it got.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from kpi.ingest.problems import (
    DUPLICATE_COLUMN,
    ENCODING,
    EXTRA_COLUMN,
    MALFORMED,
    UNREADABLE,
    Problem,
)
from kpi.ingest.sources import SourceFile

ROW = "__row"
CHUNK_BYTES = 16 << 20


@dataclass
class Staged:
    """One input for one table, staged in DuckDB."""

    label: str  # how problems name it (file name, or "demo:repair_orders")
    table: str
    relation: str = ""  # SQL relation with __row and the source columns
    # header name as given -> (quoted identifier in `relation`, DuckDB type)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # False when the rows could not be read reliably: file-level problems only.
    rows_usable: bool = True
    encoding: str | None = None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name_columns(staged: Staged, names: list[str], identifiers: list[str], types: list[str]) -> None:
    """Record the header, trimmed; a repeated name is a file-level problem."""
    seen: set[str] = set()
    for position, (name, ident, type_) in enumerate(zip(names, identifiers, types), start=1):
        name = (name or "").strip()
        if not name:
            staged.warnings.append(Problem(
                staged.label, 1, f"#{position}", EXTRA_COLUMN,
                f"column {position} has no header and is ignored",
            ))
            continue
        if name.lower() in seen:
            staged.problems.append(Problem(
                staged.label, 1, name, DUPLICATE_COLUMN, f"column {name!r} appears more than once in the header",
            ))
            continue
        seen.add(name.lower())
        staged.columns[name] = (ident, type_)


# ---------------------------------------------------------------- CSV

def _line_of_offset(path: Path, offset: int) -> int:
    line = 1
    with open(path, "rb") as f:
        remaining = offset
        while remaining > 0:
            chunk = f.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            line += chunk.count(b"\n")
            remaining -= len(chunk)
    return line


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode_gb18030(path: Path, target: Path, label: str) -> Problem | None:
    """GB18030 (a superset of GBK and GB2312) -> UTF-8, or where it fails to decode."""
    decoder = codecs.getincrementaldecoder("gb18030")()
    consumed = 0
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK_BYTES)
            try:
                dst.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as err:
                row = _line_of_offset(path, consumed + err.start)
                return Problem(
                    label, row, None, ENCODING,
                    f"the file is neither UTF-8 nor GB18030/GBK (undecodable bytes at byte "
                    f"{consumed + err.start}); save it as 'CSV UTF-8'",
                )
            if not chunk:
                return None
            consumed += len(chunk)


def _prepare_csv(source: SourceFile, workdir: Path, staged: Staged) -> Path | None:
    """The UTF-8 file DuckDB should read (the original, or a transcoded copy)."""
    with open(source.path, "rb") as f:
        head = f.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        staged.problems.append(Problem(
            staged.label, None, None, ENCODING,
            "UTF-16 text is not supported; save the file as 'CSV UTF-8' or as .xlsx",
        ))
        return None
    if _is_utf8(source.path):
        staged.encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        return source.path
    target = workdir / f"{len(list(workdir.iterdir()))}_{source.table}.utf8.csv"
    problem = _transcode_gb18030(source.path, target, staged.label)
    if problem is not None:
        staged.problems.append(problem)
        return None
    staged.encoding = "gb18030"
    return target


def _csv_header(path: Path) -> list[str] | None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), None)


def stage_csv(con: duckdb.DuckDBPyConnection, source: SourceFile, name: str, workdir: Path) -> Staged:
    staged = Staged(source.label, source.table)
    path = _prepare_csv(source, workdir, staged)
    if path is None:
        staged.rows_usable = False
        return staged
    header = _csv_header(path)
    if not header:
        staged.problems.append(Problem(staged.label, 1, None, MALFORMED, "the file is empty: no header row"))
        staged.rows_usable = False
        return staged
    # Positional names: the header may hold anything, DuckDB identifiers are
    # case-insensitive, and a repeated header name must not break the read.
    positional = [f"c{i}" for i in range(len(header))]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in positional) + "}"
    rejects = f"{name}_rejects"
    try:
        con.execute(
            f"""CREATE TEMP TABLE {name} AS SELECT * FROM read_csv(
                    {quote_literal(str(path))}, header = true, columns = {columns},
                    delim = ',', quote = '"', escape = '"', auto_detect = false,
                    store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')"""
        )
    except duckdb.Error as err:  # what the rejects table cannot hold, e.g. a binary file
        staged.problems.append(Problem(staged.label, None, None, UNREADABLE,
                                       f"cannot read the CSV file: {str(err).splitlines()[0]}"))
        staged.rows_usable = False
        return staged
    bad_lines = con.execute(
        f"SELECT line, error_message, csv_line FROM {rejects} ORDER BY line"
    ).fetchall()
    for line, message, text in bad_lines:
        staged.problems.append(Problem(
            staged.label, int(line), None, MALFORMED, f"{message} (line: {str(text).strip()[:80]!r})",
        ))
    if bad_lines:
        # A skipped line shifts the numbering of every row after it, so row-level
        # checks would name the wrong rows; the malformed lines are reported instead.
        staged.rows_usable = False
    staged.relation = f"(SELECT rowid + 2 AS {ROW}, * FROM {name})"
    _name_columns(staged, header, positional, ["VARCHAR"] * len(header))
    return staged


# ---------------------------------------------------------------- XLSX

def _cell_text(value: Any) -> str | None:
    """A cell as the text a CSV export would hold; the parser then treats both alike."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps every number as a float: 120.0 is the integer 120.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def stage_xlsx(con: duckdb.DuckDBPyConnection, source: SourceFile, name: str) -> Staged:
    import openpyxl  # only needed for Excel uploads

    staged = Staged(source.label, source.table)
    try:
        workbook = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        staged.problems.append(Problem(staged.label, None, None, UNREADABLE, f"cannot open the workbook: {err}"))
        staged.rows_usable = False
        return staged
    try:
        # A sheet named after the table wins; otherwise the first sheet.
        sheet = workbook[source.table] if source.table in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) or "" for v in next(rows, ())]
        while header and not header[-1].strip():
            header.pop()  # read-only sheets report formatted but empty cells
        width = len(header)
        values: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in itertools.islice(row, width)]
            if not any(c is not None and c.strip() for c in cells):
                continue  # a blank row; the numbering of the rest stays as Excel shows it
            cells.extend([None] * (width - len(cells)))
            numbers.append(number)
            for column, cell in zip(values, cells):
                column.append(cell)
    finally:
        workbook.close()
    if not header:
        staged.problems.append(Problem(staged.label, 1, None, MALFORMED, "the sheet is empty: no header row"))
        staged.rows_usable = False
        return staged
    positional = [f"c{i}" for i in range(width)]
    arrays = {ROW: pa.array(numbers, pa.int64())}
    arrays.update({c: pa.array(v, pa.string()) for c, v in zip(positional, values)})
    con.register(name, pa.table(arrays))
    staged.relation = name
    _name_columns(staged, header, positional, ["VARCHAR"] * width)
    return staged


# ---------------------------------------------------------------- Parquet and frames

def _describe(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _name_typed_columns(con: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    described = [(n, t) for n, t in _describe(con, staged.relation) if n != ROW]
    _name_columns(staged, [n for n, _ in described], [quote_ident(n) for n, _ in described],
                  [t for _, t in described])


def stage_parquet(con: duckdb.DuckDBPyConnection, source: SourceFile, name: str) -> Staged:
    staged = Staged(source.label, source.table)
    try:
        con.execute(
            f"CREATE TEMP VIEW {name} AS SELECT file_row_number + 2 AS {ROW}, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({quote_literal(str(source.path))}, file_row_number = true)"
        )
        staged.relation = name
        _name_typed_columns(con, staged)
    except duckdb.Error as err:
        staged.problems.append(Problem(staged.label, None, None, UNREADABLE, f"cannot read the Parquet file: {err}"))
        staged.rows_usable = False
    return staged


def stage_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table,
                label: str, name: str) -> Staged:
    """An in-memory table, numbered as if it were a sheet (first row = row 2)."""
    staged = Staged(label, table)
    numbers = np.arange(2, len(frame) + 2, dtype=np.int64)
    if isinstance(frame, pa.Table):
        names = [str(n) for n in frame.column_names]
        view = frame.rename_columns([f"c{i}" for i in range(len(names))]).append_column(ROW, pa.array(numbers))
    elif isinstance(frame, pd.DataFrame):
        names = [str(n) for n in frame.columns]
        view = frame.copy(deep=False)  # copy-on-write: no data is copied
        view.columns = [f"c{i}" for i in range(len(names))]
        view[ROW] = numbers
    else:
        raise TypeError(f"{table}: expected a pandas DataFrame or a pyarrow Table, got {type(frame).__name__}")
    con.register(name, view)
    staged.relation = name
    types = dict(_describe(con, name))
    positional = [f"c{i}" for i in range(len(names))]
    _name_columns(staged, names, positional, [types[c] for c in positional])
    return staged


def stage_file(con: duckdb.DuckDBPyConnection, source: SourceFile, name: str, workdir: Path) -> Staged:
    if source.kind == "csv":
        return stage_csv(con, source, name, workdir)
    if source.kind == "xlsx":
        return stage_xlsx(con, source, name)
    return stage_parquet(con, source, name)
