"""After-sales KPIs of a dealer network, computed in DuckDB.

`kpi.compute(...)` is the one door to numbers, for the pages, the command line and
the tests alike.
"""
from __future__ import annotations
