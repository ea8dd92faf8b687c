"""After-sales KPIs of a dealer network, computed in DuckDB.

`kpi.compute(...)` is the one door to numbers, for the pages, the command line and
the tests alike.
"""
from __future__ import annotations

from kpi.compiler import KpiQuery, QueryError
from kpi.engine import compute
from kpi.registry import METRICS
from kpi.scope import Scope

__all__ = ["compute", "KpiQuery", "QueryError", "METRICS", "Scope"]
