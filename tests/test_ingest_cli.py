"""`python -m kpi load`: what it prints and its exit code, accepted and refused."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpi.cli import main
from tests.fixtures.ingest_data import VALID, file_digest, write_csv, write_tables

ROOT = Path(__file__).resolve().parent.parent


def test_accepted_load_prints_counts_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kpi.duckdb"
    folder = tmp_path / "export"
    write_tables(folder, names=("regions",))
    write_csv(folder / "dealers.csv", [dict(r, manager="王") for r in VALID["dealers"]])
    assert main(["load", "--db", str(db), str(folder)]) == 0
    out = capsys.readouterr().out
    assert "regions" in out and "2 inserted, 0 updated" in out
    assert "warning: dealers.csv, column manager: [extra_column]" in out
    assert main(["load", "--db", str(db), str(folder / "regions.csv")]) == 0
    assert "0 inserted, 2 updated" in capsys.readouterr().out


def test_refused_load_lists_problems_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kpi.duckdb"
    main(["load", "--db", str(db), *map(str, write_tables(tmp_path / "ok", names=("regions",)))])
    capsys.readouterr()
    digest = file_digest(db)
    rows = [{"region_id": f"R{i}", "region_name": ""} for i in range(60)]
    bad = write_csv(tmp_path / "regions.csv", rows)
    assert main(["load", "--db", str(db), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "load refused, nothing changed" in err and "60 problems" in err
    assert "regions.csv, row 2, column region_name: [required] region_name is required but empty" in err
    # 50 shown, the rest counted
    assert "regions.csv, row 51, column region_name" in err
    assert "row 52," not in err
    assert "... and 10 more" in err
    assert file_digest(db) == digest


def test_python_dash_m_kpi_load_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    good = write_tables(tmp_path / "good", names=("regions",))
    ok = subprocess.run([sys.executable, "-m", "kpi", "load", "--db", str(db), *map(str, good)],
                        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "load 1 accepted" in ok.stdout
    unknown = tmp_path / "notes.csv"
    unknown.write_text("x\n1\n", encoding="utf-8")
    refused = subprocess.run([sys.executable, "-m", "kpi", "load", "--db", str(db), str(unknown)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "notes.csv: [unknown_table]" in refused.stderr
