"""`python -m kpi COMMAND ...`: the same API as the pages, from the shell."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each module adds its own sub-command through `register(subparsers)`.
COMMAND_MODULES = (
    "kpi.ingest.command",
    "kpi.demo",
    "kpi.compute_command",
    "kpi.accounts_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kpi",
        description="After-sales KPI dashboard: load data, compute KPIs, build the demo network.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
