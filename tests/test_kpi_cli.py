"""`python -m kpi compute` and `python -m kpi metrics` on the hand-built network
of kpi_fixture (its docstring lists the rows)."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

import kpi
from kpi import registry
from tests import kpi_fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    return kpi_fixture.build(tmp_path_factory.mktemp("cli") / "network.duckdb")


def kpi_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_csv_header_values_and_nulls(network):
    """By dealer with as_of 03-10: first_time_fix_rate D1 2/4 = 0.5, D2 1/1 = 1.0,
    D3 0/0 -> empty field; complaint_rate D1 3/5, D2 1/2, D3 0/2 = 0.0.
    Header: by columns then metrics, values only (no __num/__den)."""
    result = kpi_cli(
        "compute", "--db", str(network), "--metrics", "first_time_fix_rate,complaint_rate",
        "--by", "dealer_id", "--as-of", "2026-03-10 00:00:00", "--format", "csv",
    )
    assert result.returncode == 0, result.stderr
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines == [
        ["dealer_id", "first_time_fix_rate", "complaint_rate"],
        ["D1", "0.5", "0.6"],
        ["D2", "1.0", "0.5"],
        ["D3", "", "0.0"],
    ]


def test_period_column_is_an_iso_date_and_floats_keep_every_digit(network):
    """ro_count by month: 2026-01-01 6, 2026-02-01 2, 2026-03-01 1 (opened_at).
    avg_response_hours for D1 is (50 + 1/3600) / 3, printed with repr precision."""
    months = kpi_cli("compute", "--db", str(network), "--metrics", "ro_count", "--grain", "month")
    assert months.returncode == 0, months.stderr
    assert months.stdout.splitlines() == ["period,ro_count", "2026-01-01,6", "2026-02-01,2", "2026-03-01,1"]
    response = kpi_cli(
        "compute", "--db", str(network), "--metrics", "avg_response_hours", "--by", "dealer_id"
    )
    d1 = next(row for row in csv.reader(io.StringIO(response.stdout)) if row[0] == "D1")
    computed = kpi.compute(network, ["avg_response_hours"], by=["dealer_id"])
    assert d1[1] == repr(float(computed.loc[computed.dealer_id == "D1", "avg_response_hours"].iloc[0]))
    assert float(d1[1]) == pytest.approx((50 + 1 / 3600) / 3, rel=1e-15)


def test_window_and_sla_options(network):
    """--window-days 29: D1 first-time fix 3/4 = 0.75 (see test_kpi_metrics);
    --response-sla-hours 48 with as_of 03-10: D1 denominator loses Q6 (runs out
    03-11) and Q4 (03-10 23:00) -> Q1, Q2, Q3 all within 48 h -> 3/3 = 1.0."""
    result = kpi_cli(
        "compute", "--db", str(network), "--metrics", "first_time_fix_rate,response_sla_rate",
        "--by", "dealer_id", "--as-of", "2026-03-10 00:00:00", "--window-days", "29",
        "--response-sla-hours", "48",
    )
    assert result.returncode == 0, result.stderr
    d1 = next(row for row in csv.reader(io.StringIO(result.stdout)) if row[0] == "D1")
    assert d1 == ["D1", "0.75", "1.0"]


@pytest.mark.parametrize(
    "args, culprit",
    [
        (["--metrics", "ftfr"], "ftfr"),
        (["--metrics", "complaint_rate", "--by", "channel"], "channel"),
        (["--metrics", "ro_count", "--start", "2026-02-30"], "2026-02-30"),
        (["--metrics", "ro_count", "--as-of", "yesterday"], "yesterday"),
    ],
)
def test_errors_exit_non_zero_naming_the_culprit(network, args, culprit):
    result = kpi_cli("compute", "--db", str(network), *args)
    assert result.returncode != 0
    assert culprit in result.stderr
    assert result.stdout == ""


def test_missing_database_is_an_error(tmp_path):
    result = kpi_cli("compute", "--db", str(tmp_path / "nope.duckdb"), "--metrics", "ro_count")
    assert result.returncode != 0 and "nope.duckdb" in result.stderr


def test_table_format_shows_units_and_parts(network):
    """D1 first-time fix 2/4 is shown as 50.00% with (2/4)."""
    result = kpi_cli(
        "compute", "--db", str(network), "--metrics", "first_time_fix_rate", "--by", "dealer_id",
        "--as-of", "2026-03-10 00:00:00", "--format", "table",
    )
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("D1"))
    assert "50.00%" in line and "(2/4)" in line


def test_metrics_lists_the_whole_registry():
    result = kpi_cli("metrics")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert listed == list(registry.METRICS)
