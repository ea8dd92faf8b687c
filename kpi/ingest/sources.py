"""Which files a load reads: SOURCE arguments (files or folders) -> (table, path)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpi.contract import TABLES_BY_NAME
from kpi.ingest.problems import NO_FILES, NOT_FOUND, UNKNOWN_TABLE, Problem

FILE_KINDS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    table: str
    kind: str  # csv | xlsx | parquet

    @property
    def label(self) -> str:
        """How problems name the file: its name, as the user saved it."""
        return self.path.name


def _is_ignorable(path: Path) -> bool:
    # Hidden files and the `~$name.xlsx` lock files Excel leaves beside an open
    # workbook are not exports; refusing a folder for them would only annoy.
    return path.name.startswith((".", "~$"))


def classify(path: Path) -> SourceFile | Problem:
    """A file named `<table>.<csv|xlsx|parquet>` (case-insensitive), or why not."""
    stem, suffix = path.stem.lower(), path.suffix.lower()
    if stem in TABLES_BY_NAME and suffix in FILE_KINDS:
        return SourceFile(path, stem, FILE_KINDS[suffix])
    tables = ", ".join(TABLES_BY_NAME)
    return Problem(
        path.name, None, None, UNKNOWN_TABLE,
        f"file name must be a contract table ({tables}) with extension .csv, .xlsx or .parquet",
    )


def resolve_sources(sources: list[str | Path]) -> tuple[list[SourceFile], list[Problem]]:
    """Expand folders (not recursively) and classify every file; collect all problems."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file() and not _is_ignorable(p))
            if not entries:
                problems.append(Problem(str(path), None, None, NO_FILES, "folder has no files to load"))
            candidates = entries
        elif path.is_file():
            candidates = [path]
        else:
            problems.append(Problem(str(path), None, None, NOT_FOUND, "no such file or folder"))
            continue
        for candidate in candidates:
            result = classify(candidate)
            (files if isinstance(result, SourceFile) else problems).append(result)
    if not sources:
        problems.append(Problem("(none)", None, None, NO_FILES, "no files given"))
    return files, problems
