"""Sign-in accounts: who may see what.

Each account has a role, network, region or dealer, and for the last two the
region or dealer it sees. Passwords are hashed with argon2id (salted, slow) and
never stored, printed or logged in clear. Writes go through `kpi.db.swapped_copy`,
so managing accounts never disturbs a running dashboard.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kpi import db
from kpi.scope import LEVELS, Scope

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    scope_id: str | None
    disabled: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.role, self.scope_id)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def _check_username(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            f"user name {username!r} must be 1-64 letters, digits or . _ @ -"
        )


def _check_scope(con: duckdb.DuckDBPyConnection, role: str, scope_id: str | None) -> None:
    if role not in LEVELS:
        raise AccountError(f"unknown role {role!r}; roles are: {', '.join(LEVELS)}")
    if role == "network":
        if scope_id is not None:
            raise AccountError("a network account takes no --scope")
        return
    if not scope_id:
        raise AccountError(f"a {role} account needs --scope (the {role} id it sees)")
    table, column = ("regions", "region_id") if role == "region" else ("dealers", "dealer_id")
    if not con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [scope_id]).fetchone()[0]:
        raise AccountError(f"no {role} with id {scope_id!r} in the database")


def add_user(db_path: str | Path, username: str, role: str, scope_id: str | None, password: str) -> Account:
    return add_users(db_path, [(username, role, scope_id, password)])[0]


def add_users(db_path: str | Path, specs: list[tuple[str, str, str | None, str]]) -> list[Account]:
    """Create accounts from (name, role, scope id, password), all or none, in one write."""
    hashed = []
    for username, role, scope_id, password in specs:
        _check_username(username)
        hashed.append((username, role, scope_id, hash_password(password)))
    with db.swapped_copy(db_path) as con:
        now = datetime.now().replace(microsecond=0)
        for username, role, scope_id, password_hash in hashed:
            _check_scope(con, role, scope_id)
            if con.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchone()[0]:
                raise AccountError(f"user {username!r} exists already")
            con.execute(
                "INSERT INTO users (username, role, scope_id, password_hash, disabled, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, false, ?, ?)",
                [username, role, scope_id, password_hash, now, now],
            )
    return [Account(username, role, scope_id) for username, role, scope_id, _ in hashed]


def _update(db_path: str | Path, username: str, assignments: str, values: list) -> None:
    with db.swapped_copy(db_path) as con:
        found = con.execute(
            f"UPDATE users SET {assignments}, changed_at = ? WHERE username = ? RETURNING username",
            [*values, datetime.now().replace(microsecond=0), username],
        ).fetchall()
        if not found:
            raise AccountError(f"no user {username!r}")


def set_disabled(db_path: str | Path, username: str, disabled: bool) -> None:
    _update(db_path, username, "disabled = ?", [disabled])


def reset_password(db_path: str | Path, username: str, password: str) -> None:
    _update(db_path, username, "password_hash = ?", [hash_password(password)])


def list_users(con: duckdb.DuckDBPyConnection) -> list[Account]:
    rows = con.execute("SELECT username, role, scope_id, disabled FROM users ORDER BY username").fetchall()
    return [Account(*row) for row in rows]


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> Account | None:
    """The account when the name and password match and it is enabled; else None.

    A missing user costs a hash verification too, so response time does not tell
    which user names exist."""
    row = con.execute(
        "SELECT username, role, scope_id, disabled, password_hash FROM users WHERE username = ?", [username]
    ).fetchone()
    stored = row[4] if row else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row[3]:
        return None
    return Account(row[0], row[1], row[2])


_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class LoginThrottle:
    """Slows down repeated failures: after `free_attempts` failures for a user name,
    each further attempt must wait 2^(failures − free_attempts + 1) seconds (at most
    `max_delay`) after the last failure. A success clears the count. In memory, per
    process: the dashboard is one process."""

    def __init__(self, free_attempts: int = 3, max_delay: float = 300.0, clock=time.monotonic):
        self.free_attempts, self.max_delay, self.clock = free_attempts, max_delay, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()  # sessions run in threads

    def wait_seconds(self, username: str) -> float:
        with self._lock:
            count, last = self._failures.get(username.lower(), (0, 0.0))
        if count < self.free_attempts:
            return 0.0
        delay = min(2.0 ** (count - self.free_attempts + 1), self.max_delay)
        return max(0.0, last + delay - self.clock())

    def failed(self, username: str) -> None:
        with self._lock:
            count, _ = self._failures.get(username.lower(), (0, 0.0))
            self._failures[username.lower()] = (count + 1, self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)
