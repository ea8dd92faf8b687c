"""Shared fixtures. Kept general: any test that needs a small database with every
contract table filled can ask for `ui_db_path`; `app_db` also points the app
(AFTERSALES_DB) at it for AppTest runs in this process."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixture_db import build_fixture_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def ui_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small deterministic database (tests/fixture_db.py), built once per session."""
    return build_fixture_db(tmp_path_factory.mktemp("ui_db") / "fixture.duckdb")


@pytest.fixture(scope="session")
def app_db(ui_db_path: Path):
    """AFTERSALES_DB pointed at the fixture database for the whole session."""
    previous = os.environ.get("AFTERSALES_DB")
    os.environ["AFTERSALES_DB"] = str(ui_db_path)
    yield ui_db_path
    if previous is None:
        os.environ.pop("AFTERSALES_DB", None)
    else:
        os.environ["AFTERSALES_DB"] = previous
