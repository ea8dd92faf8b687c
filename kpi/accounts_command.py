"""`python -m kpi users ...`: manage sign-in accounts."""
from __future__ import annotations

import argparse
import sys

from kpi import accounts
from kpi.db import connect


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="manage sign-in accounts").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    add = users.add_parser("add", help="create an account (password read from standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("network", "region", "dealer"))
    add.add_argument("--scope", help="the region_id (role region) or dealer_id (role dealer) the user sees")
    _db_and_password(add)
    add.set_defaults(run=run_add)

    listing = users.add_parser("list", help="list accounts")
    listing.add_argument("--db", required=True)
    listing.set_defaults(run=run_list)

    for action, disabled in (("disable", True), ("enable", False)):
        p = users.add_parser(action, help=f"{action} an account")
        p.add_argument("name")
        p.add_argument("--db", required=True)
        p.set_defaults(run=run_set_disabled, disabled=disabled)

    reset = users.add_parser("reset-password", help="set a new password (read from standard input)")
    reset.add_argument("name")
    _db_and_password(reset)
    reset.set_defaults(run=run_reset)


def _db_and_password(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--password-stdin", action="store_true", required=True,
        help="read the password from standard input (never from the command line, where it would show in ps and shell history)",
    )


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise accounts.AccountError("no password on standard input")
    return password


def _guarded(action) -> int:
    try:
        action()
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def run_add(args: argparse.Namespace) -> int:
    def add() -> None:
        account = accounts.add_user(args.db, args.name, args.role, args.scope, _read_password())
        print(f"created {account.username} ({account.role}{' ' + account.scope_id if account.scope_id else ''})")

    return _guarded(add)


def run_list(args: argparse.Namespace) -> int:
    con = connect(args.db, read_only=True)
    try:
        print(f"{'name':24} {'role':8} {'scope':16} status")
        for a in accounts.list_users(con):
            print(f"{a.username:24} {a.role:8} {a.scope_id or '-':16} {'disabled' if a.disabled else 'active'}")
    finally:
        con.close()
    return 0


def run_set_disabled(args: argparse.Namespace) -> int:
    def change() -> None:
        accounts.set_disabled(args.db, args.name, args.disabled)
        print(f"{'disabled' if args.disabled else 'enabled'} {args.name}")

    return _guarded(change)


def run_reset(args: argparse.Namespace) -> int:
    def reset() -> None:
        accounts.reset_password(args.db, args.name, _read_password())
        print(f"password of {args.name} changed")

    return _guarded(reset)
