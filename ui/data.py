"""The app's one door to the database: a shared read-only connection and cached
queries.

DuckDB allows many read-only readers *or* one writer; a load builds a new file
and swaps it in, so the app holds one read-only connection per process and
reopens it when `kpi.db.file_signature` changes. Every query takes its own
cursor (a connection is not thread-safe; Streamlit runs sessions in threads).

`st.cache_data` is shared by every user of the process, so each cached call is
keyed by the database file's signature (a load changes it), the data version and
the scope's key: two users with different scopes never share a result.
"""
from __future__ import annotations

import importlib
import itertools
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import duckdb
import pandas as pd
import streamlit as st

import kpi
from kpi import db as kpi_db
from kpi import records
from kpi.engine import default_as_of
from kpi.scope import Scope
from ui.i18n import t

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Database:
    """An open database and what identifies its contents for cache keys."""

    con: duckdb.DuckDBPyConnection
    path: str
    signature: tuple[int, int, int]
    version: int
    as_of: datetime | None

    @property
    def key(self) -> str:
        return f"{self.path}|{self.signature}|{self.version}"


def _close(db: Database) -> None:
    try:
        db.con.close()
    except Exception:  # already closed or mid-query elsewhere: nothing to keep
        pass


_reader_numbers = itertools.count()


def _connect_fresh(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file now at `path`.

    DuckDB keeps one database instance per path and process: while the swapped-out
    file's connection is still open (the cache below keeps it), connecting to the
    same path again returns that old instance, so a load, a disabled account or a
    new password would never reach a running app. Opening through a hard link
    with a name of its own gets a fresh instance of the new file; the link goes
    right away, the open file stays readable."""
    link = path.with_name(f"{path.name}.reader-{os.getpid()}-{next(_reader_numbers)}")
    try:
        os.link(path, link)
    except OSError:  # a read-only folder or a file system without links
        return kpi_db.connect(path, read_only=True)
    try:
        return kpi_db.connect(link, read_only=True)
    finally:
        link.unlink(missing_ok=True)


# Two entries: the file in use and the one just swapped out, which a session may
# still be reading from while the others move on.
@st.cache_resource(max_entries=2, show_spinner=False, on_release=_close)
def _open(path: str, signature: tuple[int, int, int]) -> Database:
    con = _connect_fresh(Path(path))
    with con.cursor() as cur:
        version = kpi_db.data_version(cur)
        as_of = default_as_of(cur)
    return Database(con, path, signature, version, as_of)


def database_path() -> Path:
    return kpi_db.db_path_from_env()


def demo_available() -> bool:
    try:
        module = importlib.import_module("kpi.demo")
    except ImportError:
        return False
    return hasattr(module, "register")


def build_demo_database(path: Path) -> tuple[bool, str]:
    """Run `python -m kpi demo --db PATH` (the same command a user would)."""
    proc = subprocess.run(
        [sys.executable, "-m", "kpi", "demo", "--db", str(path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    return proc.returncode == 0, (proc.stderr or proc.stdout)[-2000:]


def get_database() -> Database:
    """The open database; on a first run with no file, builds the demo network.
    Stops the page with a clear message when there is nothing to show."""
    path = database_path()
    if not path.exists():
        st.info(t("no_database", path=str(path)))
        if not demo_available():
            st.warning(t("demo_missing"))
            st.stop()
        with st.spinner(t("building_demo")):
            ok, output = build_demo_database(path)
        if not ok or not path.exists():
            st.error(t("demo_failed", error=output))
            st.stop()
    signature = kpi_db.file_signature(path)
    if signature is None:  # swapped away between the check and now: try once more
        signature = kpi_db.file_signature(path)
    return _open(str(path), signature)


# ---------------------------------------------------------------- cached queries

def _freeze(filters: Mapping[str, Any] | None) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if not filters:
        return ()
    frozen = []
    for dim, values in sorted(filters.items()):
        if values is None:
            continue
        values = tuple(values) if isinstance(values, (list, tuple, set)) else (values,)
        frozen.append((dim, values))
    return tuple(frozen)


@st.cache_data(max_entries=2000, show_spinner=False)
def _compute(
    _con: duckdb.DuckDBPyConnection,
    db_key: str,
    scope_level: str,
    scope_id: str | None,
    metrics: tuple[str, ...],
    by: tuple[str, ...],
    grain: str | None,
    start: date | None,
    end: date | None,
    as_of: datetime | None,
    filters: tuple[tuple[str, tuple[Any, ...]], ...],
    window_days: float,
    response_sla_hours: float,
    complaint_sla_hours: float,
) -> pd.DataFrame:
    return kpi.compute(
        _con, list(metrics), by=list(by), grain=grain, start=start, end=end, as_of=as_of,
        filters=dict(filters), window_days=window_days, response_sla_hours=response_sla_hours,
        complaint_sla_hours=complaint_sla_hours, scope=Scope(scope_level, scope_id),
    )


def compute_cached(
    db: Database,
    metrics: Sequence[str] | str,
    *,
    scope: Scope,
    by: Sequence[str] | str = (),
    grain: str | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    filters: Mapping[str, Any] | None = None,
    window_days: float = 30,
    response_sla_hours: float = 24,
    complaint_sla_hours: float = 72,
) -> pd.DataFrame:
    """`kpi.compute` through the shared cache. Same arguments, plus the database.
    Returns a copy, so callers may add columns freely."""
    as_tuple = (lambda v: (v,) if isinstance(v, str) else tuple(v))
    frame = _compute(
        db.con, db.key, scope.level, scope.id, as_tuple(metrics), as_tuple(by), grain, start, end,
        as_of, _freeze(filters), float(window_days), float(response_sla_hours), float(complaint_sla_hours),
    )
    return frame.copy()


@st.cache_data(max_entries=500, show_spinner=False)
def _records(_con: duckdb.DuckDBPyConnection, db_key: str, name: str, scope_key: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(records, name)(_con, *args, **dict(kwargs))


def cached_records(db: Database, name: str, *args: Any, scope: Scope, **kwargs: Any) -> Any:
    """A `kpi.records` look-up through the shared cache, keyed by data and scope."""
    kwargs = {**kwargs, "scope": scope} if name not in ("table_statistics", "load_history", "data_bounds", "active_targets") else kwargs
    result = _records(db.con, db.key, name, scope.key, args, tuple(sorted(kwargs.items())))
    return result.copy() if isinstance(result, pd.DataFrame) else result


def is_empty(frame: pd.DataFrame, count_columns: Sequence[str] = ()) -> bool:
    """No rows, or only zero counts and NULL values: nothing worth a chart."""
    if frame is None or frame.empty:
        return True
    value_cols = [c for c in frame.columns if c not in ("period",) and not c.endswith(("_id",))]
    numbers = frame[value_cols].select_dtypes("number")
    return bool(numbers.fillna(0).eq(0).all().all())


# ---------------------------------------------------------------- anonymous benchmarks

# Below this many dealers with data, a network average or quartile would let a
# dealer work out a competitor's numbers from its own; nothing is shown then.
MIN_BENCHMARK_DEALERS = 5


@st.cache_data(max_entries=200, show_spinner=False)
def _benchmarks(
    _con: duckdb.DuckDBPyConnection,
    db_key: str,
    metrics: tuple[str, ...],
    start: date | None,
    end: date | None,
    product_filter: tuple[tuple[str, tuple[Any, ...]], ...],
) -> pd.DataFrame:
    from kpi.registry import METRICS

    network = Scope.network()
    filters = dict(product_filter)
    per_dealer = kpi.compute(_con, list(metrics) + ["ro_count"], by=["dealer_id"], start=start, end=end,
                             filters=filters, scope=network)
    total = kpi.compute(_con, list(metrics), start=start, end=end, filters=filters, scope=network)
    active = per_dealer[per_dealer["ro_count"].fillna(0) > 0]
    rows = []
    for metric_id in metrics:
        values = pd.to_numeric(active[metric_id], errors="coerce").dropna()
        enough = len(values) >= MIN_BENCHMARK_DEALERS
        quantile = 0.75 if METRICS[metric_id].higher_is_better else 0.25
        rows.append({
            "metric_id": metric_id,
            "network_average": float(total.iloc[0][metric_id]) if enough and len(total) and pd.notna(total.iloc[0][metric_id]) else None,
            "top_quartile": float(values.quantile(quantile)) if enough else None,
            "dealers": int(len(values)),
        })
    return pd.DataFrame(rows, columns=["metric_id", "network_average", "top_quartile", "dealers"])


def anonymous_benchmarks(
    db: Database,
    metrics: Sequence[str],
    *,
    start: date | None,
    end: date | None,
    product_id: str | None = None,
) -> pd.DataFrame:
    """The whole network's value (a rate as ratio of sums, a count as its total)
    and top-quartile dealer value of each metric: metric_id, network_average, top_quartile, dealers (how many
    dealers have a value).

    The one place a region or dealer user gets numbers from outside their scope,
    and only these: no dealer id or name leaves this function, the result is the
    same for every user (so it may share the cache), and with fewer than
    MIN_BENCHMARK_DEALERS dealers both values are None. Only the model filter
    applies: a benchmark of one's own region or dealer would be no benchmark."""
    product_filter = (("product_id", (product_id,)),) if product_id else ()
    frame = _benchmarks(db.con, db.key, tuple(metrics), start, end, product_filter)
    return frame.copy()
