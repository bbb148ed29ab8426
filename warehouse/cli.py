"""flask commands: users, demo data and the stock ledger."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from warehouse.domain.accounts import Role
from warehouse.domain.errors import DomainError
from warehouse.extensions import db
from warehouse.models import User
from warehouse.queries.accounts import user_page
from warehouse.services import accounts

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")
demo_cli = AppGroup("demo", help="Demo data.")
ledger_cli = AppGroup("ledger", help="The stock ledger.")

# The command line acts with the authority of whoever runs it on the server.
CLI_CALLER = accounts.Caller(user=None, address="cli")


def _user_named(name: str) -> User:
    user = db.session.scalar(select(User).where(User.username == name.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


def _run(action):
    try:
        return action()
    except DomainError as error:
        detail = "; ".join(f"{f}: {', '.join(map(str, r))}" for f, r in error.fields.items())
        raise click.ClickException(detail or error.message) from None


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--display-name", default=None, help="Shown in the UI (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username, role, display_name, password_stdin):
    """Create a user; the password comes from a prompt or standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _run(lambda: accounts.create_user(db.session, CLI_CALLER, username=username,
                                             role=role, password=password,
                                             display_name=display_name))
    click.echo(f"created {user.username} ({user.role.value})")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", type=int, default=180, show_default=True,
              help="Days until it expires; 0 for never.")
def issue_token(username, name, days):
    """Issue an API token for a user and print it (shown only this once)."""
    user = _user_named(username)
    _token, secret = _run(lambda: accounts.issue_token(db.session, CLI_CALLER, user.id,
                                                       name=name, days=days or None))
    click.echo(secret)


@users_cli.command("list")
def list_users():
    """List users with their roles."""
    page = user_page(db.session, per_page=200)
    for user in page.items:
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username:<20} {user.role.value:<15} {state:<9} {user.display_name}")
    if page.total > len(page.items):
        click.echo(f"... and {page.total - len(page.items)} more")


@users_cli.command("disable")
@click.argument("username")
def disable_user(username):
    """Disable a user: sessions end and tokens are revoked."""
    user = _user_named(username)
    _run(lambda: accounts.update_user(db.session, CLI_CALLER, user.id, active=False))
    click.echo(f"disabled {user.username}")


@demo_cli.command("load")
@click.option("--reset", is_flag=True, help="Delete all data first, then load.")
def load_demo(reset):
    """Load demo data into an empty database (does nothing otherwise, unless --reset)."""
    from warehouse import demo

    if demo.load(db.session, force_reset=reset):
        click.echo("demo data loaded")
    else:
        click.echo("database is not empty; demo data not loaded (use --reset to replace it)")


@demo_cli.command("logins")
def demo_logins():
    """Print the demo logins."""
    from warehouse.demo import DEMO_PASSWORD, DEMO_USERS

    for username, role, display_name in DEMO_USERS:
        click.echo(f"  {username:<10} / {DEMO_PASSWORD}   ({role.value}, {display_name})")


@ledger_cli.command("check")
def check_ledger():
    """Recompute every balance from the movements; exit 1 naming each difference."""
    from warehouse.models import Item, Location, Lot, StockBalance, StockMovement
    from warehouse.services import ledger

    differences = ledger.check(db.session)
    if not differences:
        balances = db.session.scalar(select(func.count()).select_from(StockBalance))
        movements = db.session.scalar(select(func.count()).select_from(StockMovement))
        click.echo(f"ledger OK: {balances} balances agree with {movements} movements")
        return
    for d in differences:
        sku = db.session.scalar(select(Item.sku).where(Item.id == d.item_id))
        lot = db.session.scalar(select(Lot.code).where(Lot.id == d.lot_id)) if d.lot_id else "-"
        code = db.session.scalar(select(Location.code).where(Location.id == d.location_id))
        click.echo(f"MISMATCH item {sku} lot {lot} at {code}: movements say {d.ledger}, "
                   f"balance says {d.cached}", err=True)
    click.echo(f"{len(differences)} balances differ from the ledger", err=True)
    sys.exit(1)
