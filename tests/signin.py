"""Signing an AppTest in: the sign-in gate keeps every page empty until a user
name is in the session, and reads that account's role and scope from the
database on each run. Seeding the name is what a successful sign-in leaves
behind; the form itself is tested in tests/test_auth_ui.py."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.fixture_db import FIXTURE_ACCOUNTS
from ui.auth import USERNAME_KEY


def sign_in(at: AppTest, role: str = "network") -> AppTest:
    """Seed the session of `at` as the fixture account of `role` (network, region, dealer)."""
    at.session_state[USERNAME_KEY] = FIXTURE_ACCOUNTS[role][0]
    return at
