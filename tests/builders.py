"""Helpers that build test data through the real services."""

from __future__ import annotations

import html
import itertools
import re
import secrets
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.services import accounts

PASSWORD = "correct horse battery"
CLI = accounts.Caller(user=None, address="test")
_serial = itertools.count(1)


@dataclass(frozen=True)
class UserRef:
    """A user as the tests know it, detached from any session."""

    id: int
    username: str
    role: Role
    session_key: str
    password: str = PASSWORD


def make_user(app: Flask, role: Role | str = Role.LOGISTICS, *, username: str | None = None,
              password: str = PASSWORD, **fields) -> UserRef:
    """Create a user through the service and return a detached reference."""
    role = Role(role)
    username = username or f"{role.value.replace('_', '')}{next(_serial)}"
    with app.app_context():
        user = accounts.create_user(db.session, CLI, username=username, role=role,
                                    password=password, **fields)
        ref = UserRef(user.id, user.username, user.role, user.session_key, password)
        db.session.remove()
    return ref


def field_errors(response, field: str) -> list[str]:
    """The error paragraphs rendered inside the given field's wrapper."""
    body = response.get_data(as_text=True)
    match = re.search(
        rf'<div class="field has-error">(?:(?!<div class="field).)*?name="{field}"'
        rf'(?:(?!<div class="field).)*?</div>', body, re.S)
    if match is None:
        return []
    return [html.unescape(e) for e in re.findall(r'<p class="error" role="alert">([^<]*)</p>',
                                                 match.group(0))]


def counts(app) -> tuple[int, int, int]:
    """(users, audit events, tokens) in the database."""
    with app.app_context():
        result = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (User, AuditEvent, ApiToken))
        db.session.remove()
    return result


def assert_redirected_to_login(response) -> None:
    """Assert the page sent the browser to the sign-in form."""
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def issue_token(app: Flask, ref: UserRef, *, days: int | None = 30, name: str = "test") -> str:
    """Issue an API token for the user and return its secret."""
    with app.app_context():
        _token, secret = accounts.issue_token(db.session, CLI, ref.id, name=name, days=days)
        db.session.remove()
    return secret


class Client(FlaskClient):
    """The Flask test client plus sign-in and CSRF helpers."""

    def sign_in(self, ref: UserRef) -> Client:
        """Become the user without the login form (the form has tests of its own)."""
        with self.session_transaction() as session:
            session["_user_id"] = ref.session_key
            session["_fresh"] = True
        return self

    def csrf_token(self) -> str:
        """Return a valid CSRF token for this client's session."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        app = self.application
        key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf_token()}, **kwargs)


# --- stock ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DepotRef:
    """Ids of a small depot: one zone with a rack and two bins, a quarantine area."""

    depot: int
    zone: int
    rack: int
    bin_a: int
    bin_b: int
    quarantine: int
    codes: dict


def make_depot(app: Flask, prefix: str = "T") -> DepotRef:
    """Build a 1,000 m² depot (40 × 25 m) with one zone, rack, two bins and a quarantine area."""
    from warehouse.services import locations

    with app.app_context():
        s = db.session
        depot = locations.create_location(s, CLI, kind="depot", code=prefix, name="测试储备库",
                                          area_m2=1000, plan_width_m=40, plan_depth_m=25)
        zone = locations.create_location(s, CLI, kind="zone", code=f"{prefix}-A", name="A区",
                                         parent_id=depot.id, category="EA", area_m2=120,
                                         plan_x_m=0, plan_y_m=0, plan_width_m=12, plan_depth_m=10)
        rack = locations.create_location(s, CLI, kind="rack", code=f"{prefix}-A-R01", name="R01",
                                         parent_id=zone.id, footprint_m2=6)
        bin_a = locations.create_location(s, CLI, kind="bin", code=f"{prefix}-A-R01-B01",
                                          name="B01", parent_id=rack.id)
        bin_b = locations.create_location(s, CLI, kind="bin", code=f"{prefix}-A-R01-B02",
                                          name="B02", parent_id=rack.id)
        quarantine = locations.create_location(s, CLI, kind="quarantine", code=f"{prefix}-Q",
                                               name="待检区", parent_id=depot.id)
        ref = DepotRef(depot.id, zone.id, rack.id, bin_a.id, bin_b.id, quarantine.id,
                       {"depot": depot.code, "zone": zone.code, "rack": rack.code,
                        "bin_a": bin_a.code, "bin_b": bin_b.code, "quarantine": quarantine.code})
        db.session.remove()
    return ref


def make_item(app: Flask, sku: str | None = None, **fields) -> int:
    """Create a catalogue item (a lot-tracked foam concentrate unless told otherwise); return its id."""
    from warehouse.services import catalogue

    defaults = {"name_zh": "水成膜泡沫灭火剂", "name_en": "AFFF foam concentrate", "category": "EA",
                "unit": "drum", "tracking": "lot", "expiry_required": True,
                "shelf_life_days": 1825, "min_level": 0}
    with app.app_context():
        item = catalogue.create_item(db.session, CLI, sku=sku or f"T-{next(_serial):05d}",
                                     **{**defaults, **fields})
        item_id = item.id
        db.session.remove()
    return item_id


def receive(app: Flask, item_id: int, location_id: int, quantity: int, **fields) -> int:
    """Receive stock through the service; return the movement id."""
    from warehouse.services import stock

    with app.app_context():
        movement = stock.receive_stock(db.session, CLI, item_id=item_id, location_id=location_id,
                                       quantity=quantity, **fields)
        movement_id = movement.id
        db.session.remove()
    return movement_id


def stock_counts(app) -> tuple[int, int, int, int]:
    """(movements, balances, lots, sum of balances) in the database: to prove nothing was written."""
    from warehouse.models import Lot, StockBalance, StockMovement

    with app.app_context():
        s = db.session
        result = (s.scalar(select(func.count()).select_from(StockMovement)),
                  s.scalar(select(func.count()).select_from(StockBalance)),
                  s.scalar(select(func.count()).select_from(Lot)),
                  s.scalar(select(func.coalesce(func.sum(StockBalance.quantity), 0))))
        db.session.remove()
    return result


def in_days(days: int):
    """Return the depot's date so many days from today."""
    from datetime import timedelta

    from warehouse.timezone import today

    return today() + timedelta(days=days)


def expire_lot(app: Flask, code: str, days_ago: int) -> None:
    """Let a lot's expiry pass while it sits in the depot (receipts refuse expired stock)."""
    from sqlalchemy import update

    from warehouse.models import Lot

    with app.app_context():
        db.session.execute(update(Lot).where(Lot.code == code).values(expires_on=in_days(-days_ago)))
        db.session.commit()
        db.session.remove()


# --- kits -------------------------------------------------------------------------------------

def make_module(app: Flask, code: str = "EQ", **fields) -> str:
    """Create a disaster module; return its code."""
    from warehouse.services import kit_templates

    defaults = {"name_zh": "地震救援模块", "name_en": "Earthquake rescue module"}
    with app.app_context():
        module = kit_templates.create_module(db.session, CLI, code=code, **{**defaults, **fields})
        code = module.code
        db.session.remove()
    return code


def make_template(app: Flask, lines: list[dict], *, code: str | None = None,
                  modules: dict[str, int] | None = None, **fields) -> str:
    """Create a box template with lines [{item_id, par_quantity, ...}]; return its code."""
    from warehouse.services import kit_templates

    defaults = {"name_zh": "破拆箱", "name_en": "Breaching kit", "category": "ER",
                "box_type": "case", "width_m": 0.6, "depth_m": 0.4, "weight_kg": 28}
    requirements = [{"module": m, "boxes_required": n} for m, n in (modules or {"EQ": 2}).items()]
    with app.app_context():
        template = kit_templates.create_template(
            db.session, CLI, code=code or f"TPL-{next(_serial):04d}", lines=lines,
            requirements=requirements, **{**defaults, **fields})
        code = template.code
        db.session.remove()
    return code


def make_kit(app: Flask, template: str, home_location_id: int, *, module: str = "EQ",
             **fields) -> str:
    """Create an empty box of a template at a home location; return its printed code."""
    from warehouse.services import kits

    with app.app_context():
        kit = kits.create_kit(db.session, CLI, template=template, module=module,
                              home_location_id=home_location_id, **fields)
        code = kit.code
        db.session.remove()
    return code


def fill_kit(app: Flask, code: str) -> None:
    """Restock a box with everything its proposal suggests."""
    from warehouse.services import kits

    with app.app_context():
        proposal = kits.propose_restock(db.session, code)
        kits.restock_kit(
            db.session, CLI, code,
            fills=[{"item_id": f.item.id, "lot": f.lot.code if f.lot else None,
                    "from_location_id": f.from_location.id, "quantity": f.quantity}
                   for f in proposal.fills],
            removals=[{"item_id": r.item.id, "lot": r.lot.code if r.lot else None,
                       "to_location_id": r.to_location.id, "quantity": r.quantity}
                      for r in proposal.removals])
        db.session.remove()


LABEL_FOAM = "EA-AFFF-01"
LABEL_ROPE = "RE-ROPE-01"


def make_label_depot(app: Flask) -> dict:
    """A depot (zone of category EA), two items, three boxes (two of module EQ) and three lots.

    Lots L-1 and L-2 arrive under receipt CG-2026-001, L-3 under CG-2026-002; box 'ready' is filled.
    """
    depot = make_depot(app)
    foam = make_item(app, LABEL_FOAM)
    rope = make_item(app, LABEL_ROPE, name_zh="静力绳", name_en="Static rope", category="RE",
                     tracking="bulk", expiry_required=False, shelf_life_days=None, unit="piece",
                     storage_temp="5-30 °C")
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    template = make_template(app, [{"item_id": foam, "par_quantity": 2}], code="FOAM-BOX",
                             name_zh="泡沫箱", name_en="Foam box", category="EA",
                             modules={"EQ": 2, "WR": 1})
    receive(app, foam, depot.bin_a, 2, lot="L-1", expires_on=in_days(400), reference="CG-2026-001")
    receive(app, foam, depot.bin_a, 5, lot="L-2", expires_on=in_days(500), reference="CG-2026-001")
    receive(app, foam, depot.bin_b, 1, lot="L-3", expires_on=in_days(600), reference="CG-2026-002")
    ready = make_kit(app, template, depot.zone)
    fill_kit(app, ready)
    empty = make_kit(app, template, depot.zone)
    water = make_kit(app, template, depot.zone, module="WR")
    return {"depot": depot, "foam": foam, "rope": rope, "ready": ready, "empty": empty, "water": water}


# --- squads -----------------------------------------------------------------------------------

def make_squad(app: Flask, code: str = "CB-WZ", *, kind: str = "standing", function: str = "materials",
               **fields) -> str:
    """Register a support squad; return its code."""
    from warehouse.services import squads

    defaults = {"name_zh": "物资保障常备分队", "name_en": "Standing materials squad",
                "home_station": "龙山区消防救援站"}
    with app.app_context():
        squad = squads.create_squad(db.session, CLI, code=code, kind=kind, function=function,
                                    **{**defaults, **fields})
        code = squad.code
        db.session.remove()
    return code


def make_person(app: Flask, squad: str | None = "CB-WZ", *, badge_code: str | None = None,
                name: str = "王建国", employment: str = "firefighter", qualifications=None,
                **fields) -> str:
    """Register a person (in a squad unless squad is None); return the badge code.

    qualifications: [{"kind": "DRIVER"}, {"kind": "TECH", "grade": "intermediate",
    "expires_on": "2030-01-01"}, ...]
    """
    from warehouse.services import squads

    with app.app_context():
        person = squads.create_person(
            db.session, CLI, badge_code=badge_code or f"P-{next(_serial):04d}", name=name, squad=squad,
            employment=employment, qualifications=qualifications, **fields)
        code = person.badge_code
        db.session.remove()
    return code


# --- deployments ------------------------------------------------------------------------------

def make_deployment(app: Flask, name: str = "龙山区地震救援演练", *, kind: str = "drill", hours: int = 24,
                    caller=None, **fields) -> int:
    """Open a deployment expected back in so many hours; return its id."""
    from datetime import timedelta

    from warehouse.models.base import utcnow
    from warehouse.services import deployments

    with app.app_context():
        deployment = deployments.create_deployment(
            db.session, caller or CLI, name=name, kind=kind,
            expected_return_at=fields.pop("expected_return_at", utcnow() + timedelta(hours=hours)), **fields)
        deployment_id = deployment.id
        db.session.remove()
    return deployment_id


@dataclass(frozen=True)
class BoxDepot:
    """A depot with ready boxes of one template (a foam drum and two ropes each) and spare stock."""

    depot: DepotRef
    foam: int
    rope: int
    template: str
    boxes: list[str]


def make_box_depot(app: Flask, boxes: int = 3, *, module: str = "EQ", spare: int = 50) -> BoxDepot:
    """Build a depot with `boxes` ready boxes of template BOX-EQ in module EQ, and spare stock."""
    depot = make_depot(app)
    foam = make_item(app, "T-FOAM")
    rope = make_item(app, "T-ROPE", name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    make_module(app, module)
    lines = [{"item_id": foam, "par_quantity": 1}, {"item_id": rope, "par_quantity": 2}]
    template = make_template(app, lines,
                             code="BOX-EQ", modules={module: max(boxes, 1)})
    receive(app, foam, depot.bin_a, boxes + spare, lot="F-1", expires_on=in_days(700))
    receive(app, rope, depot.bin_b, 2 * boxes + spare)
    codes = []
    for _ in range(boxes):
        code = make_kit(app, template, depot.zone, module=module)
        fill_kit(app, code)
        codes.append(code)
    return BoxDepot(depot, foam, rope, template, codes)


# --- partners ---------------------------------------------------------------------------------

def make_partner(app: Flask, name: str = "龙山区欧亚购物中心", *, kind: str = "supermarket",
                 district: str = "LS", contact: bool = True, **fields) -> int:
    """Register a partner (a Longshan supermarket unless told otherwise), with a 24-h contact."""
    from warehouse.services import partners

    with app.app_context():
        partner = partners.create_partner(db.session, CLI, name=name, kind=kind, district=district, **fields)
        if contact:
            partners.add_contact(db.session, CLI, partner.id, name="王经理", title="值班经理",
                                 phone_24h="138 0437 0001")
        partner_id = partner.id
        db.session.remove()
    return partner_id


def make_agreement(app: Flask, partner_id: int, number: str | None = None, *, status: str = "active",
                   valid_from=None, valid_to=None, response_hours: int = 4, commitments=None,
                   **fields) -> int:
    """Record an agreement in force from a month ago for a year unless told otherwise; return its id."""
    from warehouse.services import agreements

    with app.app_context():
        agreement = agreements.create_agreement(
            db.session, CLI, number=number or f"T-AG-{next(_serial):05d}", partner_id=partner_id,
            status=status, valid_from=valid_from or in_days(-30), valid_to=valid_to or in_days(335),
            response_hours=response_hours, commitments=commitments or [], **fields)
        agreement_id = agreement.id
        db.session.remove()
    return agreement_id


def make_stockpile_line(app: Flask, partner_id: int, item_id: int, quantity: int, **fields) -> int:
    """List an item in a department's stockpile; return the line id."""
    from warehouse.services import partners

    with app.app_context():
        line = partners.add_stockpile_line(db.session, CLI, partner_id, item_id=item_id, quantity=quantity,
                                           **fields)
        line_id = line.id
        db.session.remove()
    return line_id


def tiny_pdf(text: str = "agreement") -> bytes:
    """Return a small, valid one-page PDF (built with reportlab) to upload."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()
