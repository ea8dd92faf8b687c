"""Accounts: argon2 hashes, the `users` commands, sign-in, and slowing down guessing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpi import accounts, db
from tests import kpi_fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def network(tmp_path):
    return kpi_fixture.build(tmp_path / "network.duckdb")


def users_cli(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kpi", "users", *args], cwd=ROOT, input=password, capture_output=True,
        text=True, timeout=120,
    )


def test_add_list_and_sign_in_through_the_command_line(network):
    """A dealer account for D1 is created with the password from stdin; the stored
    hash is argon2id and does not contain the password; sign-in works with it only."""
    added = users_cli("add", "wang", "--role", "dealer", "--scope", "D1", "--db", str(network),
                      "--password-stdin", password="s3cret-pass\n")
    assert added.returncode == 0, added.stderr
    assert "s3cret-pass" not in added.stdout + added.stderr
    listing = users_cli("list", "--db", str(network))
    assert "wang" in listing.stdout and "dealer" in listing.stdout and "D1" in listing.stdout
    con = db.connect(network, read_only=True)
    try:
        (stored,) = con.execute("SELECT password_hash FROM users WHERE username = 'wang'").fetchone()
        assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
        account = accounts.authenticate(con, "wang", "s3cret-pass")
        assert account == accounts.Account("wang", "dealer", "D1")
        assert account.scope.restrictions == (("dealer_id", "D1"),)
        assert accounts.authenticate(con, "wang", "wrong-pass") is None
        assert accounts.authenticate(con, "nobody", "s3cret-pass") is None
    finally:
        con.close()


def test_disable_enable_and_reset_password(network):
    accounts.add_user(network, "li", "region", "R1", "first-password")
    accounts.set_disabled(network, "li", True)
    with db.connect(network, read_only=True) as con:
        assert accounts.authenticate(con, "li", "first-password") is None  # disabled
    accounts.set_disabled(network, "li", False)
    reset = users_cli("reset-password", "li", "--db", str(network), "--password-stdin", password="second-password\n")
    assert reset.returncode == 0, reset.stderr
    with db.connect(network, read_only=True) as con:
        assert accounts.authenticate(con, "li", "first-password") is None
        assert accounts.authenticate(con, "li", "second-password") == accounts.Account("li", "region", "R1")


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["add", "a1", "--role", "dealer", "--scope", "D9"], "long-enough", "no dealer with id 'D9'"),
        (["add", "a2", "--role", "region"], "long-enough", "needs --scope"),
        (["add", "a3", "--role", "network", "--scope", "R1"], "long-enough", "takes no --scope"),
        (["add", "a4", "--role", "network"], "short", "at least 8 characters"),
        (["add", "a5", "--role", "network"], "", "no password on standard input"),
        (["add", "bad name", "--role", "network"], "long-enough", "must be 1-64 letters"),
        (["disable", "ghost"], None, "no user 'ghost'"),
    ],
)
def test_refused_requests_change_nothing(network, args, password, message):
    before = network.read_bytes()
    result = users_cli(*args, "--db", str(network), *(["--password-stdin"] if password is not None else []),
                       password=None if password is None else password + "\n")
    assert result.returncode != 0
    assert message in result.stderr
    assert network.read_bytes() == before


def test_duplicate_user_is_refused(network):
    accounts.add_user(network, "zhao", "network", None, "long-enough")
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add_user(network, "zhao", "network", None, "other-password")


def test_throttle_doubles_the_wait_after_three_failures():
    """Three failures are free; the 3rd leaves 2^(3−3+1) = 2 s to wait, the 4th
    4 s, measured from the last failure; a success clears the count."""
    now = [100.0]
    throttle = accounts.LoginThrottle(free_attempts=3, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("Wang")
    assert throttle.wait_seconds("wang") == 0.0
    throttle.failed("wang")
    assert throttle.wait_seconds("WANG") == 2.0
    now[0] += 1.5
    assert throttle.wait_seconds("wang") == 0.5
    throttle.failed("wang")
    assert throttle.wait_seconds("wang") == 4.0
    throttle.succeeded("wang")
    assert throttle.wait_seconds("wang") == 0.0


def test_wait_is_capped():
    throttle = accounts.LoginThrottle(free_attempts=0, max_delay=300, clock=lambda: 0.0)
    for _ in range(20):
        throttle.failed("x")
    assert throttle.wait_seconds("x") == 300
