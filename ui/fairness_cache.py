"""kpi.fairness results through the shared Streamlit cache.

Keyed like `ui.compute_cached`: the database's identity (a load changes it) and
the user's scope are part of every key, so two users with different scopes never
share a league table, a funnel or an alert list.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import duckdb
import streamlit as st

from kpi import fairness
from kpi.scope import Scope
from ui.data import Database

# The kpi.fairness functions a page may call through the cache, by name.
FAIRNESS_QUERIES: dict[str, Callable[..., Any]] = {
    "league_table": fairness.league_table,
    "funnel_data": fairness.funnel_data,
    "complaint_spc": fairness.complaint_spc,
    "complaint_alerts": fairness.complaint_alerts,
    "mtd_projections": fairness.mtd_projections,
    "peer_groups": fairness.peer_groups,
    "peer_comparison": fairness.peer_comparison,
    "target_series": fairness.target_series,
    "target_for": fairness.target_for,
}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("__mapping__", tuple(sorted((k, _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple, set)):
        return ("__sequence__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__mapping__":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__sequence__":
        return [_thaw(v) for v in value[1]]
    return value


@st.cache_data(max_entries=500, show_spinner=False)
def _run(_con: duckdb.DuckDBPyConnection, db_key: str, name: str, scope_level: str, scope_id: str | None,
         args: tuple, kwargs: tuple) -> Any:
    arguments = {k: _thaw(v) for k, v in kwargs}
    return FAIRNESS_QUERIES[name](_con, *(_thaw(a) for a in args), scope=Scope(scope_level, scope_id), **arguments)


def fairness_cached(db: Database, name: str, *args: Any, scope: Scope, **kwargs: Any) -> Any:
    """`kpi.fairness.<name>(db, *args, scope=scope, **kwargs)`, cached per data version and scope."""
    frozen_args = tuple(_freeze(a) for a in args)
    frozen_kwargs = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    result = _run(db.con, db.key, name, scope.level, scope.id, frozen_args, frozen_kwargs)
    return result.copy() if hasattr(result, "copy") else result


__all__ = ["FAIRNESS_QUERIES", "fairness_cached"]
