"""Where a scanned label leads: /k/, /l/, /i/, /b/ and /p/ label addresses, and the scan lookup."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from warehouse.access import signed_in
from warehouse.domain.errors import N_, NotFound
from warehouse.extensions import db
from warehouse.queries.scans import ScanTarget, resolve_scan
from warehouse.views import safe_next

bp = Blueprint("scans", __name__)

SCANNED_CODE_SHOWN = 40  # a wrong paste can be long: show its start only
NOT_FOUND = {
    "kit": N_("no box %(code)s"), "location": N_("no location %(code)s"),
    "item": N_("no catalogue item %(code)s"), "lot": N_("no lot %(code)s"),
    "person": N_("no person with badge %(code)s"),
}


def target_url(target: ScanTarget) -> str:
    """Return the page of what a scan found."""
    if target.kind == "kit":
        return url_for("kits.box", code=target.code)
    if target.kind == "location":
        return url_for("locations.show", location_id=target.id)
    if target.kind == "item":
        return url_for("catalogue.item", item_id=target.id)
    if target.kind == "person":
        return url_for("squads.person", badge=target.code)
    return url_for("stock.index", item=target.item_sku, lot=target.lot_code)


def _open(kind: str, code: str):
    target = resolve_scan(db.session, code, kind=kind)
    if target is None:
        raise NotFound(N_(NOT_FOUND[kind], code=code[:SCANNED_CODE_SHOWN]))
    return redirect(target_url(target))


@bp.route("/k/<code>")
@signed_in
def kit(code: str):
    """Open the box a label's QR code names (phone cameras land here after login)."""
    return _open("kit", code)


@bp.route("/l/<code>")
@signed_in
def location(code: str):
    """Open the location a label names."""
    return _open("location", code)


@bp.route("/i/<code>")
@signed_in
def item(code: str):
    """Open the catalogue item a label names."""
    return _open("item", code)


@bp.route("/b/<path:code>")
@signed_in
def lot(code: str):
    """Open where a lot is: lot labels carry SKU/LOT, because lot numbers repeat across items."""
    return _open("lot", code)


@bp.route("/p/<code>")
@signed_in
def person(code: str):
    """Open the person whose badge was scanned."""
    return _open("person", code)


def open_scanned(code: str, *, back: str, missing: str, empty: str):
    """Redirect to what a scanned code names, or back with a message saying there is none.

    missing is a translated message with %(code)s; empty is shown when nothing was scanned.
    """
    code = code.strip()
    target = resolve_scan(db.session, code) if code else None
    if target is not None:
        return redirect(target_url(target))
    if code:
        shown = code if len(code) <= SCANNED_CODE_SHOWN else code[:SCANNED_CODE_SHOWN] + "…"
        flash(missing % {"code": shown}, "error")
    else:
        flash(empty, "error")
    return redirect(safe_next(back))


@bp.route("/scan")
@signed_in
def lookup():
    """Open whatever a handheld scanner typed: a label address or a bare code."""
    return open_scanned(request.args.get("code") or "", back=url_for("home.index"),
                        missing=_("Nothing has the code %(code)s."), empty=_("Scan or type a code."))
