"""SQL that turns a staged column into the contract's type, and flags what does not fit.

For each contract column the typed relation holds the value (NULL when empty or not
parseable) and `<column>__bad`: the offending input as text, NULL when the cell is
empty or fine. Text input (CSV, XLSX) is trimmed and parsed; typed input (Parquet,
frames) is used as is when the type fits, and checked the same way when it only
nearly fits (a float that should be an integer, a timestamp in a date column).
"""
from __future__ import annotations

from collections.abc import Callable

from kpi.contract import DATE, DECIMAL, INT, TEXT, TIMESTAMP, Column

# Characters trimmed from both ends of every text cell: ASCII whitespace, the
# no-break space and the ideographic (full-width) space Chinese text often carries.
TRIM_CHARS = " \t\r\n\u00a0\u3000"

INT_PATTERN = r"[+-]?\d{1,18}(\.0*)?"
DECIMAL_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)"
_DATE_PART = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_TIME_PART = r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?"
TIMESTAMP_PATTERN = _DATE_PART + r"[ T]" + _TIME_PART
# A date may carry a midnight time: what Excel and pandas write for a pure date.
DATE_PATTERN = _DATE_PART + r"([ T]0?0:00(:00(\.0+)?)?)?"

DECIMAL_STORAGE = "DECIMAL(18, {places})"
INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                 "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
FLOAT_TYPES = {"FLOAT", "DOUBLE"}
NAIVE_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}

EXPECTED = {
    INT: "a whole number",
    DECIMAL: "a number with at most {places} decimal places",
    DATE: "a date (YYYY-MM-DD or YYYY/MM/DD)",
    TIMESTAMP: "a timestamp (YYYY-MM-DD HH:MM[:SS], also with / or T, no time zone)",
}


def expected_text(column: Column) -> str:
    return EXPECTED[column.type].format(places=decimal_places(column))


def decimal_places(column: Column) -> int:
    return column.decimals if column.decimals is not None else 2


def sql_type(column: Column) -> str:
    return {
        TEXT: "VARCHAR",
        INT: "BIGINT",
        DECIMAL: DECIMAL_STORAGE.format(places=decimal_places(column)),
        DATE: "DATE",
        TIMESTAMP: "TIMESTAMP",
    }[column.type]


def trimmed(expr: str) -> str:
    """Text without surrounding whitespace; empty text is NULL.

    Most cells need no trimming, and testing the two end characters is several
    times cheaper than trim() with a character list, so only those cells pay for it.
    Note `contains(chars, '')` is true: the empty string is trimmed, then NULL.
    """
    text = f"CAST({expr} AS VARCHAR)"
    return (
        f"CASE WHEN contains('{TRIM_CHARS}', left({text}, 1)) OR contains('{TRIM_CHARS}', right({text}, 1)) "
        f"THEN nullif(trim({text}, '{TRIM_CHARS}'), '') ELSE {text} END"
    )


def _from_text(column: Column, raw: str) -> str:
    """Parse trimmed text `raw` (never empty) into the column's type, or NULL."""
    if column.type == TEXT:
        return raw
    if column.type == INT:
        return f"CASE WHEN regexp_full_match({raw}, '{INT_PATTERN}') THEN try_cast({raw} AS BIGINT) END"
    if column.type == DECIMAL:
        places = decimal_places(column)
        # Trailing zeros do not count: 12.50 has two places, 12.500 still two.
        return (
            f"CASE WHEN regexp_full_match({raw}, '{DECIMAL_PATTERN}') "
            f"AND length(rtrim(split_part({raw}, '.', 2), '0')) <= {places} "
            f"THEN try_cast({raw} AS {sql_type(column)}) END"
        )
    if column.type == DATE:
        return (
            f"CASE WHEN regexp_full_match({raw}, '{DATE_PATTERN}') "
            f"THEN try_cast(replace(split_part(replace({raw}, 'T', ' '), ' ', 1), '/', '-') AS DATE) END"
        )
    if column.type == TIMESTAMP:
        return (
            f"CASE WHEN regexp_full_match({raw}, '{TIMESTAMP_PATTERN}') "
            f"THEN try_cast(replace(replace({raw}, '/', '-'), 'T', ' ') AS TIMESTAMP) END"
        )
    raise ValueError(f"unknown contract type {column.type!r}")


def _base_type(duckdb_type: str) -> str:
    return duckdb_type.split("(")[0].upper()


def typed_value(column: Column, source: str, source_type: str) -> tuple[str, Callable[[str], str]]:
    """How to type `source` (of DuckDB type `source_type`) as `column`, in two steps.

    Returns the input expression (trimmed text, or the typed value itself) and a
    function that, given a reference to that input, gives the typed value or NULL
    when it does not fit. The validator evaluates them in two nested selects so
    each cell is trimmed and parsed once, and flags input that is not NULL but
    gives NULL as the wrong type.
    """
    base = _base_type(source_type)
    if column.type == INT and base in INTEGER_TYPES:
        return source, lambda x: f"try_cast({x} AS BIGINT)"
    if column.type == INT and (base in FLOAT_TYPES or base == "DECIMAL"):
        # pandas stores an integer column with gaps as float64: 120.0 is 120.
        return source, lambda x: (
            f"CASE WHEN isfinite(CAST({x} AS DOUBLE)) AND CAST({x} AS DOUBLE) = trunc(CAST({x} AS DOUBLE)) "
            f"THEN try_cast({x} AS BIGINT) END"
        )
    if column.type == DECIMAL and base in INTEGER_TYPES:
        return source, lambda x: f"try_cast({x} AS {sql_type(column)})"
    if column.type == DECIMAL and (base in FLOAT_TYPES or base == "DECIMAL"):
        places = decimal_places(column)
        scale = 10 ** places

        def decimal_value(x: str) -> str:
            scaled = f"(CAST({x} AS DOUBLE) * {scale})"
            # Binary floats hold 12.35 as 12.3499999...; a tolerance far below the
            # last allowed place accepts those and still refuses 12.345.
            return (f"CASE WHEN isfinite({scaled}) AND abs({scaled} - round({scaled})) < 1e-6 "
                    f"THEN try_cast(round(CAST({x} AS DOUBLE), {places}) AS {sql_type(column)}) END")

        return source, decimal_value
    if column.type == DATE and base == "DATE":
        return source, lambda x: x
    if column.type == DATE and base in NAIVE_TIMESTAMP_TYPES:
        return source, lambda x: f"CASE WHEN CAST({x} AS TIME) = TIME '00:00:00' THEN CAST({x} AS DATE) END"
    if column.type == TIMESTAMP and base in NAIVE_TIMESTAMP_TYPES:
        return source, lambda x: f"CAST({x} AS TIMESTAMP)"
    # Text, or a type that does not fit: judge it by its text, as a CSV cell.
    return trimmed(source), lambda x: _from_text(column, x)
