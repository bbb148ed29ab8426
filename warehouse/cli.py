"""flask commands: users, demo data, the stock ledger, label printing and readiness snapshots."""

from __future__ import annotations

import sys
import time

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
labels_cli = AppGroup("labels", help="QR labels for boxes, locations, items, lots and badges.")
readiness_cli = AppGroup("readiness", help="Readiness by module: the daily snapshot.")

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
@click.option("--scale", type=click.IntRange(min=1), default=None,
              help="Grow the demo into N cities' reserves (benchmark data: ~500 boxes and ~100,000 "
                   "movements per city).")
def load_demo(reset, scale):
    """Load demo data into an empty database (does nothing otherwise, unless --reset)."""
    from warehouse import demo

    if not demo.load(db.session, force_reset=reset):
        click.echo("database is not empty; demo data not loaded (use --reset to replace it)")
        return
    click.echo("demo data loaded")
    if scale:
        from warehouse.demo_scale import scale_up

        started = time.perf_counter()
        added = scale_up(db.session, scale)
        took = time.perf_counter() - started
        click.echo(f"scaled to {scale} {'city' if scale == 1 else 'cities'} in {took:.0f} s: "
                   + ", ".join(f"{count:,} {name}" for name, count in sorted(added.items())))


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


# Each kind of label and the options that choose it: explicit codes, or filters.
LABEL_OPTIONS = {
    "kit": ("kits", ("module", "template", "status")),
    "location": ("locations", ("zone",)),
    "item": ("items", ("category",)),
    "lot": ("lots", ("receipt",)),
    "badge": ("badges", ("squad",)),
}


def _label_kind(options: dict) -> str:
    """Return the one kind of label the options choose, or fail saying how to choose."""
    chosen = [kind for kind, (codes, filters) in LABEL_OPTIONS.items()
              if options[codes] or any(options[f] for f in filters)]
    if len(chosen) != 1:
        raise click.UsageError("choose one kind of label: --kits/--module/--template/--status, "
                               "--locations/--zone, --items/--category, --lots/--receipt "
                               "or --badges/--squad")
    return chosen[0]


@labels_cli.command("print")
@click.option("--kits", help="Box codes, comma-separated (K-EQ-0001,K-EQ-0002).")
@click.option("--module", help="Every box of a module (EQ).")
@click.option("--template", help="Every box of a template.")
@click.option("--status", help="Boxes in this status (ready, short, ...).")
@click.option("--locations", help="Location codes, comma-separated.")
@click.option("--zone", help="Every location under this zone (or depot).")
@click.option("--items", help="SKUs, comma-separated.")
@click.option("--category", help="Every active item of a category (EA).")
@click.option("--lots", help="Lots as SKU/LOT, comma-separated.")
@click.option("--receipt", help="Every lot received under this reference.")
@click.option("--badges", help="Badge codes of people, comma-separated (BZ-0001,BZ-0002).")
@click.option("--squad", help="The badges of a squad's active people (CB-WZ).")
@click.option("--format", "format_code", default="a4-3x8", show_default=True,
              help="Label stock: see `flask labels formats`.")
@click.option("--skip", default=0, show_default=True, help="Used positions to skip on the first sheet.")
@click.option("--copies", default=1, show_default=True, help="Labels per code, side by side.")
@click.option("--outlines", is_flag=True, help="Draw cell outlines (test print on plain paper).")
@click.option("-o", "--output", type=click.File("wb"), required=True, help="PDF file to write ('-': stdout).")
def print_labels(format_code, skip, copies, outlines, output, **options):
    """Write labels as a PDF, with QR codes pointing to WAREHOUSE_PUBLIC_URL."""
    from flask import current_app

    from warehouse.schemas.labels import split_codes
    from warehouse.services import labels

    kind = _label_kind(options)
    codes_option, filters = LABEL_OPTIONS[kind]

    def job():
        if options[codes_option]:
            codes = labels.normalise_codes(kind, split_codes(options[codes_option]))
        else:
            codes = labels.select_codes(db.session, kind, **{f: options[f] for f in filters})
            if not codes:
                raise click.ClickException("no labels match this selection")
        return labels.print_labels(db.session, kind=kind, codes=codes, format=format_code, skip=skip,
                                   copies=copies, outlines=outlines,
                                   public_url=current_app.config["PUBLIC_URL"])

    printed = _run(job)
    output.write(printed.pdf)
    click.echo(f"{printed.count} {kind} labels on {printed.pages} page(s) of {printed.format.code}",
               err=True)


@labels_cli.command("formats")
def list_formats():
    """List the label stocks and this depot's print-offset calibration."""
    import labels
    from warehouse.services.labels import calibrations

    offsets = calibrations(db.session)
    for fmt in labels.FORMATS.values():
        x, y = offsets.get(fmt.code, (0.0, 0.0))
        click.echo(f"{fmt.code:<16} {fmt.per_page:>3} per page  {fmt.label_width_mm:g} x "
                   f"{fmt.label_height_mm:g} mm  offset {x:+.1f} {y:+.1f} mm  {fmt.name_en}")


@readiness_cli.command("snapshot")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to record (default: today in the depot's time zone).")
@click.option("--replace", is_flag=True, help="Overwrite the day's snapshot if one was taken.")
def readiness_snapshot(day, replace):
    """Record each active module's readiness for the trend charts (run daily, e.g. from cron)."""
    from warehouse.services.readiness import take_snapshot
    from warehouse.timezone import today

    on = day.date() if day else today()
    written = take_snapshot(db.session, on, replace=replace)
    if written:
        click.echo(f"recorded {written} module(s) for {on.isoformat()}")
    else:
        click.echo(f"{on.isoformat()} was already recorded (use --replace to record it again)")
