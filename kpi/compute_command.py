"""`python -m kpi compute ...` and `python -m kpi metrics`: the KPI API from the shell."""
from __future__ import annotations

import argparse
import csv
import math
import sys
from datetime import date

import pandas as pd

from kpi import registry
from kpi.compiler import QueryError
from kpi.engine import compute


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compute", help="compute metrics and print one row per group")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--metrics", required=True, help="comma-separated metric ids (see `python -m kpi metrics`)")
    p.add_argument("--by", default="", help="comma-separated dimensions, e.g. region_id,dealer_id")
    p.add_argument("--grain", choices=registry.GRAINS, help="add a period column at this grain")
    p.add_argument("--start", help="first day, YYYY-MM-DD (inclusive)")
    p.add_argument("--end", help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--as-of", dest="as_of", help='"YYYY-MM-DD HH:MM:SS"; default: latest repair-order timestamp')
    p.add_argument("--window-days", type=float, default=30, help="comeback window W (default 30)")
    p.add_argument("--response-sla-hours", type=float, default=24, help="response SLA S (default 24)")
    p.add_argument("--complaint-sla-hours", type=float, default=72, help="complaint close SLA C (default 72)")
    p.add_argument("--format", choices=("csv", "table"), default="csv")
    p.set_defaults(run=run_compute)

    m = sub.add_parser("metrics", help="list every metric of the registry")
    m.set_defaults(run=run_metrics)


def _csv_cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def run_compute(args: argparse.Namespace) -> int:
    try:
        frame = compute(
            args.db,
            metrics=args.metrics,
            by=args.by,
            grain=args.grain,
            start=args.start,
            end=args.end,
            as_of=args.as_of,
            window_days=_whole(args.window_days),
            response_sla_hours=_whole(args.response_sla_hours),
            complaint_sla_hours=_whole(args.complaint_sla_hours),
        )
    except (QueryError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    metric_ids = [m.strip() for m in args.metrics.split(",") if m.strip()]
    keys = [c for c in frame.columns if c not in metric_ids and "__" not in c]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(keys + metric_ids)
        for row in frame[keys + metric_ids].itertuples(index=False):
            writer.writerow([_csv_cell(_plain(v)) for v in row])
    else:
        print(_table(frame, keys, metric_ids))
    return 0


def _whole(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _plain(value):
    """numpy scalars -> Python, so floats print with repr."""
    return value.item() if hasattr(value, "item") else value


def _table(frame: pd.DataFrame, keys: list[str], metric_ids: list[str]) -> str:
    shown = frame[keys].astype("object").where(frame[keys].notna(), "(none)")
    for mid in metric_ids:
        metric = registry.METRICS[mid]
        shown[mid] = [_format_value(metric, v) for v in frame[mid]]
        if metric.has_parts:
            shown[mid] = [
                f"{text}  ({int(n)}/{int(d)})" for text, n, d in zip(shown[mid], frame[f"{mid}__num"], frame[f"{mid}__den"])
            ]
    return shown.to_string(index=False)


def _format_value(metric: registry.Metric, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    if metric.unit == "fraction":
        return f"{value * 100:.2f}%"
    if metric.kind == "count":
        return f"{int(value):,}"
    return f"{value:.2f}{' ' + registry.UNITS[metric.unit][1] if registry.UNITS[metric.unit][1] else ''}"


def run_metrics(args: argparse.Namespace) -> int:
    rows = []
    for m in registry.METRICS.values():
        direction = {True: "higher", False: "lower", None: "-"}[m.higher_is_better]
        rows.append((m.id, m.name_zh, m.name_en, m.kind, m.unit, direction, m.anchor))
    header = ("id", "中文", "English", "kind", "unit", "better", "anchor")
    widths = [max(_width(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(r, widths)).rstrip())
    return 0


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
