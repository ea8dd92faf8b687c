"""`python -m kpi load --db PATH SOURCE...`: load exports from the shell."""
from __future__ import annotations

import argparse
import sys

from kpi import db

# Problems shown on a refusal; the rest are counted.
SHOWN_PROBLEMS = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load contract files (CSV, XLSX, Parquet) or folders of them, all or nothing",
        description="Load files named after contract tables (repair_orders.csv, dealers.xlsx, ...). "
        "A SOURCE may be a folder: every file in it must be named after a table. "
        "Either every file is accepted, or nothing changes and every problem is listed.",
    )
    parser.add_argument("--db", default=None, help="database file (default: $AFTERSALES_DB or the demo database)")
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file or folder to load")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from kpi.ingest import LoadRefused, load_files  # keep `python -m kpi --help` fast

    db_path = args.db or db.db_path_from_env()
    try:
        report = load_files(db_path, args.sources)
    except LoadRefused as refused:
        print(f"load refused, nothing changed in {db_path}: "
              f"{refused.total} problem{'s' if refused.total != 1 else ''}", file=sys.stderr)
        print(refused.format(SHOWN_PROBLEMS), file=sys.stderr)
        return 1
    print(f"loaded into {db_path}")
    print(report.format())
    return 0
