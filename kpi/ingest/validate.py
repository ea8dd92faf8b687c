"""The contract's rules as SQL over the staged inputs: every broken rule becomes a row.

`build_typed` gives one typed relation per contract table (all inputs of that table,
each row with its file index and spreadsheet row number); `check_table` appends
every problem it finds to the `__problems` table. Nothing here stops at the first
problem, and nothing loops over rows in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from kpi.contract import TABLES_BY_NAME, TEXT, Column, Table
from kpi.ingest import problems as rules
from kpi.ingest.parse import expected_text, sql_type, typed_value
from kpi.ingest.problems import Problem
from kpi.ingest.readers import ROW, Staged, quote_ident, quote_literal

PROBLEMS = "__problems"
FILES = "__files"
FILE = "__file"


@dataclass
class TypedTable:
    """A contract table's rows from all inputs of a load, typed, in `name`."""

    table: Table
    name: str
    # column -> indexes of the inputs that have it (the others get NULL)
    present_in: dict[str, list[int]] = field(default_factory=dict)
    file_indexes: list[int] = field(default_factory=list)
    complete: bool = True  # False when some input's rows could not be read


def create_work_tables(con: duckdb.DuckDBPyConnection, labels: list[str]) -> None:
    con.execute(
        f"CREATE TEMP TABLE {PROBLEMS} ({FILE} INTEGER, row BIGINT, col_index INTEGER, "
        "column_name VARCHAR, rule VARCHAR, message VARCHAR)"
    )
    con.execute(f"CREATE TEMP TABLE {FILES} (idx INTEGER, label VARCHAR)")
    if labels:
        con.executemany(f"INSERT INTO {FILES} VALUES (?, ?)", list(enumerate(labels)))


def check_columns(table: Table, staged: Staged) -> None:
    """File-level: a missing required column is a problem, an extra one a warning."""
    given = {name.lower() for name in staged.columns}
    for column in table.columns:
        if column.required and column.name not in given:
            staged.problems.append(Problem(
                staged.label, None, column.name, rules.MISSING_COLUMN,
                f"required column {column.name!r} is missing from the header",
            ))
    for name in staged.columns:
        if name.lower() not in table.names:
            staged.warnings.append(Problem(
                staged.label, None, name, rules.EXTRA_COLUMN,
                f"column {name!r} is not in the contract for {table.name} and is ignored",
            ))


def _typed_select(table: Table, index: int, staged: Staged) -> str:
    by_name = {name.lower(): spec for name, spec in staged.columns.items()}
    raw_items, parse_items, final_items = [f"{ROW}"], [f"{ROW}"], [f"{index} AS {FILE}", f"{ROW}"]
    for position, column in enumerate(table.columns):
        target = quote_ident(column.name)
        bad = quote_ident(column.name + "__bad")
        if column.name not in by_name:
            final_items += [f"CAST(NULL AS {sql_type(column)}) AS {target}", f"CAST(NULL AS VARCHAR) AS {bad}"]
            continue
        identifier, source_type = by_name[column.name]
        raw_expr, value_of = typed_value(column, identifier, source_type)
        raw, value = f"r{position}", f"v{position}"
        raw_items.append(f"{raw_expr} AS {raw}")
        if column.type == TEXT:
            final_items += [f"{raw} AS {target}", f"CAST(NULL AS VARCHAR) AS {bad}"]
            parse_items.append(raw)
            continue
        parse_items += [raw, f"{value_of(raw)} AS {value}"]
        final_items += [
            f"{value} AS {target}",
            f"CASE WHEN {raw} IS NOT NULL AND {value} IS NULL THEN CAST({raw} AS VARCHAR) END AS {bad}",
        ]
    return (
        f"SELECT {', '.join(final_items)} FROM ("
        f"SELECT {', '.join(parse_items)} FROM ("
        f"SELECT {', '.join(raw_items)} FROM {staged.relation}))"
    )


def build_typed(con: duckdb.DuckDBPyConnection, table: Table, inputs: list[tuple[int, Staged]]) -> TypedTable:
    typed = TypedTable(table, f"__typed_{table.name}")
    selects = []
    for index, staged in inputs:
        typed.file_indexes.append(index)
        if not staged.rows_usable:
            typed.complete = False
            continue
        given = {name.lower() for name in staged.columns}
        for column in table.columns:
            if column.name in given:
                typed.present_in.setdefault(column.name, []).append(index)
        selects.append(_typed_select(table, index, staged))
    if not selects:  # keep the shape so later checks and joins still work
        empty = Staged("", table.name, relation=f"(SELECT CAST(NULL AS BIGINT) AS {ROW} WHERE false)")
        selects.append(_typed_select(table, -1, empty))
    con.execute(f"CREATE TEMP TABLE {typed.name} AS " + " UNION ALL ".join(selects))
    return typed


# ---------------------------------------------------------------- row-level rules

def _add(con: duckdb.DuckDBPyConnection, typed: TypedTable, column: str, rule: str,
         message_sql: str, where: str, source: str | None = None) -> None:
    col_index = typed.table.names.index(column)
    con.execute(
        f"INSERT INTO {PROBLEMS} SELECT {FILE}, {ROW}, {col_index}, {quote_literal(column)}, "
        f"{quote_literal(rule)}, {message_sql} FROM {source or typed.name} WHERE {where}"
    )


def _text(expr: str) -> str:
    """A value as messages show it: text quoted (and cut), other values as DuckDB prints them."""
    return f"CAST({expr} AS VARCHAR)"


def _quoted(expr: str) -> str:
    return f"'''' || left(CAST({expr} AS VARCHAR), 80) || ''''"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_cells(con: duckdb.DuckDBPyConnection, typed: TypedTable) -> None:
    """Type, required, range and enum rules, column by column."""
    for column in typed.table.columns:
        q = quote_ident(column.name)
        bad = quote_ident(column.name + "__bad")
        if column.type != TEXT:
            message = f"{_quoted(bad)} || ' is not {expected_text(column)}'"
            _add(con, typed, column.name, rules.WRONG_TYPE, message, f"{bad} IS NOT NULL")
        present = typed.present_in.get(column.name, [])
        if column.required and present:
            files = ", ".join(str(i) for i in present)
            _add(con, typed, column.name, rules.REQUIRED,
                 f"'{column.name} is required but empty'",
                 f"{q} IS NULL AND {bad} IS NULL AND {FILE} IN ({files})")
        if column.min is not None:
            _add(con, typed, column.name, rules.OUT_OF_RANGE,
                 f"{_text(q)} || ' is below the minimum {_number(column.min)}'", f"{q} < {column.min}")
        if column.max is not None:
            _add(con, typed, column.name, rules.OUT_OF_RANGE,
                 f"{_text(q)} || ' is above the maximum {_number(column.max)}'", f"{q} > {column.max}")
        if column.enum:
            allowed = ", ".join(quote_literal(v) for v in column.enum)
            _add(con, typed, column.name, rules.UNKNOWN_VALUE,
                 f"{_quoted(q)} || ' is not one of: {', '.join(column.enum)}'",
                 f"{q} IS NOT NULL AND {q} NOT IN ({allowed})")


def check_orderings(con: duckdb.DuckDBPyConnection, typed: TypedTable) -> None:
    for ordering in typed.table.orderings:
        later, earlier = quote_ident(ordering.later), quote_ident(ordering.earlier)
        _add(con, typed, ordering.later, rules.ORDER,
             f"'{ordering.later} ' || {_text(later)} || ' is before {ordering.earlier} ' || {_text(earlier)}",
             f"{later} < {earlier}")


def _key_description(table: Table, prefix: str = "") -> str:
    parts = [
        f"'{name}=' || coalesce({_quoted(prefix + quote_ident(name))}, 'NULL')" for name in table.key
    ]
    return " || ', ' || ".join(parts)


def check_duplicate_keys(con: duckdb.DuckDBPyConnection, typed: TypedTable) -> None:
    """Each repeat of a key within the load, pointing at the row that had it first."""
    table = typed.table
    keys = [quote_ident(k) for k in table.key]
    required_keys = [quote_ident(k) for k in table.key if table.column(k).required]
    if any(k not in typed.present_in for k in table.key if table.column(k).required):
        return  # the missing key column is already reported for the file
    complete = " AND ".join(f"{k} IS NOT NULL" for k in required_keys) or "true"
    duplicates = f"__dup_{table.name}"
    con.execute(
        f"CREATE TEMP TABLE {duplicates} AS SELECT {', '.join(keys)} FROM {typed.name} "
        f"WHERE {complete} GROUP BY ALL HAVING count(*) > 1"
    )
    if con.execute(f"SELECT count(*) FROM {duplicates}").fetchone()[0] == 0:
        return
    match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    ranked = (
        f"(SELECT t.*, row_number() OVER w AS repeat_number, first_value(t.{FILE}) OVER w AS first_file, "
        f"first_value(t.{ROW}) OVER w AS first_row FROM {typed.name} t "
        f"WHERE EXISTS (SELECT 1 FROM {duplicates} d WHERE {match}) "
        f"WINDOW w AS (PARTITION BY {', '.join('t.' + k for k in keys)} ORDER BY t.{FILE}, t.{ROW}))"
    )
    message = (
        f"'duplicate key ' || {_key_description(table)} || ': first seen in ' || "
        f"(SELECT label FROM {FILES} WHERE idx = first_file) || ' row ' || first_row"
    )
    _add(con, typed, table.key[0], rules.DUPLICATE_KEY, message, "repeat_number > 1", source=ranked)


def _known_ids(typed_by_name: dict[str, TypedTable], table: str, column: str) -> list[str]:
    """Relations that hold ids a reference may point to: this load's rows and the database's."""
    relations = [f"SELECT {quote_ident(column)} AS id FROM main.{quote_ident(table)}"]
    if table in typed_by_name:
        relations.append(f"SELECT {quote_ident(column)} AS id FROM {typed_by_name[table].name}")
    return relations


def _reference_filter(value: str, typed_by_name: dict[str, TypedTable], target: str) -> str:
    table, column = target.split(".")
    return " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM ({relation}) k WHERE k.id = {value})"
        for relation in _known_ids(typed_by_name, table, column)
    )


def _reference_usable(typed_by_name: dict[str, TypedTable], target: str) -> bool:
    # If the referenced table's own file could not be read, every reference to it
    # would look unknown: report the unreadable file, not a flood of echoes.
    table = target.split(".")[0]
    return table not in typed_by_name or typed_by_name[table].complete


def check_references(con: duckdb.DuckDBPyConnection, typed: TypedTable,
                     typed_by_name: dict[str, TypedTable]) -> None:
    for column in typed.table.columns:
        if not column.references or not _reference_usable(typed_by_name, column.references):
            continue
        table, key = column.references.split(".")
        q = quote_ident(column.name)
        _add(con, typed, column.name, rules.UNKNOWN_REFERENCE,
             f"{_quoted(q)} || ' is not a {key} of {table}, neither in this load nor in the database'",
             f"{q} IS NOT NULL AND {_reference_filter(f'{typed.name}.{q}', typed_by_name, column.references)}")


# ---------------------------------------------------------------- targets

def check_targets(con: duckdb.DuckDBPyConnection, typed: TypedTable,
                  typed_by_name: dict[str, TypedTable], metric_ids: list[str]) -> None:
    """Known metric, scope_id NULL exactly for `network` and pointing at its scope, band order."""
    con.execute("CREATE OR REPLACE TEMP TABLE __metric_ids (id VARCHAR)")
    con.executemany("INSERT INTO __metric_ids VALUES (?)", [(m,) for m in metric_ids])
    _add(con, typed, "metric_id", rules.UNKNOWN_VALUE,
         f"{_quoted('metric_id')} || ' is not a metric id of KPI_DEFINITIONS.md'",
         "metric_id IS NOT NULL AND metric_id NOT IN (SELECT id FROM __metric_ids)")
    _add(con, typed, "scope_id", rules.MUST_BE_EMPTY,
         "'scope_id must be empty when scope is network'", "scope = 'network' AND scope_id IS NOT NULL")
    _add(con, typed, "scope_id", rules.REQUIRED,
         "'scope_id is required when scope is ' || scope", "scope IN ('region', 'dealer') AND scope_id IS NULL")
    for scope, target in (("region", "regions.region_id"), ("dealer", "dealers.dealer_id")):
        if not _reference_usable(typed_by_name, target):
            continue
        table, key = target.split(".")
        _add(con, typed, "scope_id", rules.UNKNOWN_REFERENCE,
             f"{_quoted('scope_id')} || ' is not a {key} of {table}, neither in this load nor in the database'",
             f"scope = '{scope}' AND scope_id IS NOT NULL AND {_reference_filter(f'{typed.name}.scope_id', typed_by_name, target)}")
    _add(con, typed, "target", rules.OUT_OF_RANGE,
         f"'target ' || {_text('target')} || ' is below lower ' || {_text('lower')}", "target < lower")
    _add(con, typed, "target", rules.OUT_OF_RANGE,
         f"'target ' || {_text('target')} || ' is above upper ' || {_text('upper')}", "target > upper")


def known_metric_ids() -> list[str]:
    # Imported here, not at module level: the loader must work for every other
    # table even while the metric registry is being changed.
    from kpi.registry import METRICS

    return sorted(METRICS)


def check_table(con: duckdb.DuckDBPyConnection, typed: TypedTable,
                typed_by_name: dict[str, TypedTable]) -> None:
    check_cells(con, typed)
    check_orderings(con, typed)
    check_duplicate_keys(con, typed)
    check_references(con, typed, typed_by_name)
    if typed.table is TABLES_BY_NAME["targets"]:
        check_targets(con, typed, typed_by_name, known_metric_ids())
