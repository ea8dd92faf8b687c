"""kpi-layer row queries (case lists, closed-loop counts, histograms) through the
shared Streamlit cache, keyed like `ui.compute_cached`: the database's identity and
the user's scope are part of every key, so users never share another scope's rows."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import duckdb
import streamlit as st

from kpi import complaint_cases, distributions
from kpi.scope import Scope
from ui.data import Database

# The functions a page may call through the cache, by name.
ROW_QUERIES: dict[str, Callable[..., Any]] = {
    "complaint_cases": complaint_cases.complaint_cases,
    "closed_loop_summary": complaint_cases.closed_loop_summary,
    "histogram": distributions.histogram,
}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("__mapping__", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple, set)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__mapping__":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@st.cache_data(max_entries=500, show_spinner=False)
def _run(_con: duckdb.DuckDBPyConnection, db_key: str, name: str, scope_level: str, scope_id: str | None,
         kwargs: tuple) -> Any:
    arguments = {k: _thaw(v) for k, v in kwargs}
    return ROW_QUERIES[name](_con, scope=Scope(scope_level, scope_id), **arguments)


def cached_rows(db: Database, name: str, *, scope: Scope, **kwargs: Any) -> Any:
    """`ROW_QUERIES[name](db, scope=scope, **kwargs)`, cached per data version and scope."""
    frozen = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    result = _run(db.con, db.key, name, scope.level, scope.id, frozen)
    return result.copy() if hasattr(result, "copy") and not isinstance(result, distributions.Histogram) else result
