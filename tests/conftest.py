"""Shared fixtures. Kept general: any test that needs a small database with every
contract table filled can ask for `ui_db_path`; `app_db` also points the app
(AFTERSALES_DB) at it for AppTest runs in this process."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tests.fixture_db import build_fixture_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def ui_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small deterministic database (tests/fixture_db.py), built once per session."""
    return build_fixture_db(tmp_path_factory.mktemp("ui_db") / "fixture.duckdb")


@contextmanager
def app_database(path: Path) -> Iterator[Path]:
    """Point the app (AFTERSALES_DB) at `path`, restoring the previous value after."""
    previous = os.environ.get("AFTERSALES_DB")
    os.environ["AFTERSALES_DB"] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop("AFTERSALES_DB", None)
        else:
            os.environ["AFTERSALES_DB"] = previous


@pytest.fixture(scope="session")
def app_db(ui_db_path: Path):
    """AFTERSALES_DB pointed at the fixture database for the whole session."""
    with app_database(ui_db_path):
        yield ui_db_path
