"""`python -m kpi demo`: generate the demo network and load it into a database."""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from kpi import db
from kpi.demo.generate import DEFAULT_END, DEFAULT_REPAIR_ORDERS, DEFAULT_SEED, MIN_REPAIR_ORDERS, DemoNetwork, generate


class NotADemoDatabase(Exception):
    """The target holds loads that did not come from the demo; it is left alone."""


@dataclass(frozen=True)
class DemoReport:
    path: Path
    demo: DemoNetwork
    generate_seconds: float
    load_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.generate_seconds + self.load_seconds


# One sign-in per role, for trying the dashboard out. Demo only: the README says so,
# and they exist only in databases this command writes.
DEMO_ACCOUNTS = (
    ("hq", "network", None, "demo-hq-2026"),
    ("east", "region", "EAST", "demo-east-2026"),
    ("store", "dealer", "EAST-01", "demo-store-2026"),
)


def write_demo(
    db_path: str | Path,
    repair_orders: int = DEFAULT_REPAIR_ORDERS,
    seed: int = DEFAULT_SEED,
    end: date = DEFAULT_END,
    force: bool = False,
) -> DemoReport:
    """Generate the network and make `db_path` hold exactly it.

    The tables go through `kpi.ingest.load_frames` into a fresh file beside the
    target, which is then swapped in atomically, so no rows of an earlier demo of
    another size linger and a running app sees the new file. A database with
    non-demo loads is refused unless `force`. Raises `kpi.ingest.LoadRefused` if a
    generated row broke the contract (a bug in the generator).
    """
    from kpi.accounts import add_users
    from kpi.ingest import load_frames  # the loader is only needed for writing

    path = Path(db_path)
    if not force:
        _refuse_foreign_data(path)
    demo = generate(repair_orders, seed, end)
    fresh = path.with_name(path.name + ".tmp-demo")
    _remove_database(fresh)
    started = time.perf_counter()
    try:
        load_frames(fresh, demo.tables, source="demo")
        add_users(fresh, list(DEMO_ACCOUNTS))
        os.replace(fresh, path)
    finally:
        _remove_database(fresh)
    return DemoReport(path, demo, demo.seconds, time.perf_counter() - started)


def _refuse_foreign_data(path: Path) -> None:
    if not path.exists():
        return
    try:
        con = db.connect(path, read_only=True)
    except duckdb.Error as err:
        raise NotADemoDatabase(f"{path} cannot be read as a database ({err}); use --force to replace it") from err
    try:
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM load_log").fetchall()]
    except duckdb.Error:
        sources = []
    finally:
        con.close()
    foreign = [s for s in sources if s != "demo"]
    if foreign:
        raise NotADemoDatabase(
            f"{path} holds loads that are not the demo ({', '.join(foreign[:3])}); use --force to replace it"
        )


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp-load.lock")):
        leftover.unlink(missing_ok=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="write a believable demo dealer network into a database",
        description=(
            "Generate a demo after-sales network (6 regions, 60 dealers of all four types, "
            "12 models, two years of repair orders, service requests, complaints, surveys "
            "and targets) and load it through the validating loader. The output depends "
            "only on --repair-orders, --seed and --end, so it is the same on every run. "
            "The database is replaced as a whole (atomically)."
        ),
    )
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $AFTERSALES_DB, else data/demo.duckdb)")
    parser.add_argument("--repair-orders", type=_repair_order_count, default=DEFAULT_REPAIR_ORDERS, metavar="N",
                        help=f"number of repair orders (default {DEFAULT_REPAIR_ORDERS:,}; 10,000,000 for benchmarks)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END, metavar="YYYY-MM-DD",
                        help=f"last day of the history (default {DEFAULT_END.isoformat()}, a fixed date "
                             "rather than today so a seed always gives the same data)")
    parser.add_argument("--force", action="store_true",
                        help="replace the database even if it holds data that is not the demo")
    parser.set_defaults(run=run)


def _repair_order_count(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < MIN_REPAIR_ORDERS:
        raise argparse.ArgumentTypeError(f"at least {MIN_REPAIR_ORDERS}")
    return value


def run(args: argparse.Namespace) -> int:
    from kpi.ingest import LoadRefused

    path = args.db or db.db_path_from_env()
    print(f"generating {args.repair_orders:,} repair orders (seed {args.seed}, ending {args.end}) ...", flush=True)
    try:
        report = write_demo(path, args.repair_orders, args.seed, args.end, force=args.force)
    except NotADemoDatabase as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except LoadRefused as err:
        print(f"error: the generated data was refused by the loader:\n{err.format(20)}", file=sys.stderr)
        return 1
    demo = report.demo
    print(f"wrote {report.path}:")
    for table, rows in demo.counts.items():
        print(f"  {table:<17}{rows:>12,}")
    print(f"  history {demo.history.first_day} .. {demo.history.last_day}")
    print(f"  good dealers: {', '.join(demo.dealer_ids('good'))}")
    print(f"  bad dealers:  {', '.join(demo.dealer_ids('bad'))}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"took {report.total_seconds:.1f} s (generate {report.generate_seconds:.1f} s, "
        f"load {report.load_seconds:.1f} s), peak memory {peak_mb:,.0f} MB"
    )
    return 0
