"""What a load reports back: problems that refuse it, warnings, and counts per table.

Rule ids are stable strings so the UI can translate them; the English message
beside each is complete on its own for the command line.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Rule ids. Row-level rules name a row; file-level rules have row None.
WRONG_TYPE = "wrong_type"
OUT_OF_RANGE = "out_of_range"
UNKNOWN_VALUE = "unknown_value"
REQUIRED = "required"
MUST_BE_EMPTY = "must_be_empty"
DUPLICATE_KEY = "duplicate_key"
UNKNOWN_REFERENCE = "unknown_reference"
ORDER = "order"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"
EXTRA_COLUMN = "extra_column"  # a warning, never a refusal
ENCODING = "encoding"
MALFORMED = "malformed"
UNREADABLE = "unreadable"
UNKNOWN_TABLE = "unknown_table"
NOT_FOUND = "not_found"
NO_FILES = "no_files"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (file, row as a spreadsheet numbers it, column) and what."""

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: [{self.rule}] {self.message}"


class LoadRefused(Exception):
    """The load broke the contract and changed nothing.

    `problems` holds the first problems in file, row and column order (at most
    `kpi.ingest.load.MAX_PROBLEMS_KEPT`); `total` counts all of them.
    """

    def __init__(self, problems: list[Problem], total: int) -> None:
        self.problems = list(problems)
        self.total = total
        first = f"; first: {self.problems[0]}" if self.problems else ""
        super().__init__(f"load refused: {total} problem{'s' if total != 1 else ''}{first}")

    def format(self, limit: int = 50) -> str:
        """Every kept problem up to `limit`, one a line, then how many were left out."""
        lines = [str(p) for p in self.problems[:limit]]
        if self.total > len(lines):
            lines.append(f"... and {self.total - len(lines)} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class TableCounts:
    inserted: int
    updated: int  # rows whose key was already in the database and were replaced

    @property
    def rows(self) -> int:
        return self.inserted + self.updated


@dataclass(frozen=True)
class LoadReport:
    """An accepted load: its id in `load_log`, rows per table, and warnings."""

    load_id: int
    source: str
    tables: dict[str, TableCounts]
    warnings: tuple[Problem, ...] = ()
    seconds: float = 0.0
    files: tuple[str, ...] = field(default=())

    @property
    def inserted(self) -> int:
        return sum(c.inserted for c in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.tables.values())

    def summary(self) -> dict[str, dict[str, int]]:
        """The JSON kept in load_log.summary: {table: {"inserted": n, "updated": m}}."""
        return {t: {"inserted": c.inserted, "updated": c.updated} for t, c in self.tables.items()}

    def format(self) -> str:
        lines = [f"load {self.load_id} accepted ({self.seconds:.1f} s)"]
        width = max((len(t) for t in self.tables), default=0)
        for table, counts in self.tables.items():
            lines.append(
                f"  {table:<{width}}  {counts.rows:>10,} rows: "
                f"{counts.inserted:,} inserted, {counts.updated:,} updated"
            )
        for warning in self.warnings:
            lines.append(f"warning: {warning}")
        return "\n".join(lines)
