"""Partner use cases: register partners and their contacts, log contact checks, keep stockpile lists."""

from __future__ import annotations

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.partners import PartnerKind, holds_stockpile
from warehouse.domain.squads import PHONE_PATTERN
from warehouse.models import Agreement, ContactCheck, District, Item, Partner, PartnerContact, StockpileLine
from warehouse.models.base import utcnow
from warehouse.services.accounts import Caller
from warehouse.services.fields import choice, moment, optional_date, text
from warehouse.timezone import today

PARTNER_TEXT_LIMITS = {"name": 120, "name_en": 160, "address": 200, "note": 4000}
CONTACT_TEXT_LIMITS = {"name": 40, "title": 60, "note": 2000}
MAX_STOCKPILE_QUANTITY = 10**9


def actor_name(caller: Caller) -> str:
    """Return the name recorded beside a change: the user's display name, else the address."""
    if caller.user is not None:
        return caller.user.display_name or caller.user.username
    return caller.address or "system"


def flush_or(session: Session, error: Exception) -> None:
    """Flush, turning a refusal by the database into `error`: what another officer's change at
    the same moment (a delete, the same upload) looks like on PostgreSQL."""
    try:
        session.flush()
    except IntegrityError:
        raise error from None


def _name_taken(name: str) -> Conflict:
    return Conflict(N_("a partner named %(name)s is registered", name=name), {"name": [N_("already taken")]})


def _phone(value, field: str, *, required: bool = False) -> str:
    phone = (value or "").strip() if isinstance(value, str) or value is None else None
    if phone is None or (phone and not PHONE_PATTERN.match(phone)):
        raise InvalidInput.on(field, N_("digits, spaces, '+', '-' and brackets, e.g. 138 0437 0001"))
    if required and not phone:
        raise InvalidInput.on(field, N_("required"))
    return phone


def _whole_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- lookups ----------------------------------------------------------------------------------

def get_partner(session: Session, partner_id, field: str | None = None) -> Partner:
    """Return the partner or raise NotFound (InvalidInput naming `field` when given)."""
    partner = session.get(Partner, partner_id) if _whole_id(partner_id) is not None else None
    if partner is None:
        if field:
            raise InvalidInput.on(field, N_("no such partner"))
        raise NotFound(N_("no such partner"))
    return partner


def get_contact(session: Session, contact_id) -> PartnerContact:
    """Return the contact or raise NotFound."""
    contact = session.get(PartnerContact, contact_id) if _whole_id(contact_id) is not None else None
    if contact is None:
        raise NotFound(N_("no such contact"))
    return contact


def get_district(session: Session, code) -> District:
    """Return the district with this code or raise InvalidInput on `district`."""
    district = session.scalar(select(District).where(District.code == code.strip().upper())) \
        if isinstance(code, str) else None
    if district is None:
        raise InvalidInput.on("district", N_("no such county or district"))
    return district


def get_stockpile_line(session: Session, line_id) -> StockpileLine:
    """Return the stockpile line or raise NotFound."""
    line = session.get(StockpileLine, line_id) if _whole_id(line_id) is not None else None
    if line is None:
        raise NotFound(N_("no such stockpile line"))
    return line


# --- partners ---------------------------------------------------------------------------------

def _partner_fields(session: Session, data: dict) -> dict:
    fields = {name: text(data.get(name), name, limit, required=name == "name")
              for name, limit in PARTNER_TEXT_LIMITS.items()}
    fields["kind"] = choice(PartnerKind, data.get("kind"), "kind")
    fields["district_id"] = get_district(session, data.get("district")).id
    return fields


def create_partner(session: Session, caller: Caller, **data) -> Partner:
    """Register a partner: a department, a county supporter or a carrier."""
    with write_transaction(session):
        fields = _partner_fields(session, data)
        if session.scalar(select(Partner.id).where(Partner.name == fields["name"])) is not None:
            raise _name_taken(fields["name"])
        partner = Partner(active=True, **fields)
        session.add(partner)
        try:
            session.flush()
        except IntegrityError:
            raise _name_taken(fields["name"]) from None
    return partner


def update_partner(session: Session, caller: Caller, partner_id: int, /, **changes) -> Partner:
    """Change a partner's names, kind, district, address or note, or (de)activate it."""
    with write_transaction(session):
        partner = get_partner(session, partner_id)
        current = {"name": partner.name, "name_en": partner.name_en, "address": partner.address,
                   "note": partner.note, "kind": partner.kind.value, "district": partner.district.code}
        fields = _partner_fields(session, {**current, **{k: v for k, v in changes.items() if k in current}})
        if fields["kind"] != partner.kind and not holds_stockpile(fields["kind"]) and session.scalar(
                select(exists().where(StockpileLine.partner_id == partner.id))):
            raise Conflict(N_("the partner keeps a stockpile list: remove it before changing the kind"),
                           {"kind": [N_("has a stockpile list")]})
        if fields["name"] != partner.name and session.scalar(
                select(Partner.id).where(Partner.name == fields["name"], Partner.id != partner.id)):
            raise _name_taken(fields["name"])
        for name, value in fields.items():
            setattr(partner, name, value)
        if "active" in changes:
            partner.active = bool(changes["active"])
        try:
            session.flush()
        except IntegrityError:
            raise _name_taken(fields["name"]) from None
    return partner


def delete_partner(session: Session, caller: Caller, partner_id: int) -> None:
    """Delete a partner registered by mistake; one with agreements is deactivated instead (409)."""
    with write_transaction(session):
        partner = get_partner(session, partner_id)
        if session.scalar(select(exists().where(Agreement.partner_id == partner.id))):
            raise Conflict(N_("%(name)s has agreements: deactivate the partner instead", name=partner.name),
                           {"partner": [N_("has agreements")]})
        try:
            contact_ids = select(PartnerContact.id).where(PartnerContact.partner_id == partner.id)
            session.execute(delete(ContactCheck).where(ContactCheck.contact_id.in_(contact_ids)))
            session.execute(delete(PartnerContact).where(PartnerContact.partner_id == partner.id))
            session.execute(delete(StockpileLine).where(StockpileLine.partner_id == partner.id))
            session.execute(delete(Partner).where(Partner.id == partner.id))
        except IntegrityError:
            # An agreement signed meanwhile by another officer still refers to the partner.
            raise Conflict(N_("%(name)s has agreements: deactivate the partner instead", name=partner.name),
                           {"partner": [N_("has agreements")]}) from None


# --- contacts ---------------------------------------------------------------------------------

def _contact_fields(data: dict) -> dict:
    fields = {name: text(data.get(name), name, limit, required=name == "name")
              for name, limit in CONTACT_TEXT_LIMITS.items()}
    fields["phone_24h"] = _phone(data.get("phone_24h"), "phone_24h", required=True)
    fields["phone_office"] = _phone(data.get("phone_office"), "phone_office")
    return fields


def add_contact(session: Session, caller: Caller, partner_id: int, **data) -> PartnerContact:
    """Add someone to call at a partner, with a number answered day and night."""
    fields = _contact_fields(data)
    with write_transaction(session):
        partner = get_partner(session, partner_id)
        last = session.scalar(select(PartnerContact.position).where(PartnerContact.partner_id == partner.id)
                              .order_by(PartnerContact.position.desc()).limit(1))
        contact = PartnerContact(partner_id=partner.id, position=(last or 0) + 1, active=True, **fields)
        session.add(contact)
        flush_or(session, NotFound(N_("no such partner")))
    return contact


def update_contact(session: Session, caller: Caller, contact_id: int, /, **changes) -> PartnerContact:
    """Change a contact's name, title, phones or note, or mark them as no longer there."""
    with write_transaction(session):
        contact = get_contact(session, contact_id)
        current = {"name": contact.name, "title": contact.title, "note": contact.note,
                   "phone_24h": contact.phone_24h, "phone_office": contact.phone_office}
        for name, value in _contact_fields({**current, **{k: v for k, v in changes.items()
                                                          if k in current}}).items():
            setattr(contact, name, value)
        if "active" in changes:
            contact.active = bool(changes["active"])
        session.flush()
    return contact


def remove_contact(session: Session, caller: Caller, contact_id: int) -> None:
    """Delete a contact entered by mistake, with their check log."""
    with write_transaction(session):
        contact = get_contact(session, contact_id)
        session.execute(delete(ContactCheck).where(ContactCheck.contact_id == contact.id))
        session.execute(delete(PartnerContact).where(PartnerContact.id == contact.id))


def record_contact_check(session: Session, caller: Caller, contact_id: int, *, reached,
                         checked_at=None, note: str | None = None) -> ContactCheck:
    """Log a call to a contact: whether they answered (the 180-day alert reads this log)."""
    if not isinstance(reached, bool):
        raise InvalidInput.on("reached", N_("true or false"))
    note = text(note, "note", 400)
    at = moment(checked_at, "checked_at") or utcnow()
    if at > utcnow():
        raise InvalidInput.on("checked_at", N_("cannot be in the future"))
    with write_transaction(session):
        contact = get_contact(session, contact_id)
        check = ContactCheck(contact_id=contact.id, checked_at=at, reached=reached, note=note,
                             checked_by_id=caller.user.id if caller.user else None,
                             checked_by_name=actor_name(caller))
        session.add(check)
        flush_or(session, NotFound(N_("no such contact")))
    return check


# --- departmental stockpiles ------------------------------------------------------------------

def _stockpile_fields(session: Session, data: dict) -> dict:
    item_id = _whole_id(data.get("item_id"))
    item = session.get(Item, item_id) if item_id is not None else None
    if item is None:
        raise InvalidInput.on("item_id", N_("no such item"))
    quantity = data.get("quantity")
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(quantity.strip())
    if _whole_id(quantity) is None:
        raise InvalidInput.on("quantity", N_("a whole number of %(unit)s", unit=item.unit.value))
    if not 0 <= quantity < MAX_STOCKPILE_QUANTITY:
        raise InvalidInput.on("quantity", N_("must not be negative") if quantity < 0 else N_("too large"))
    as_of = optional_date(data.get("as_of"), "as_of") or today()
    if as_of > today():
        raise InvalidInput.on("as_of", N_("cannot be in the future"))
    return {"item_id": item.id, "quantity": quantity, "as_of": as_of,
            "location": text(data.get("location"), "location", 120),
            "note": text(data.get("note"), "note", 400)}


def _line_taken() -> Conflict:
    return Conflict(N_("the stockpile already lists this item at this place: change that line"),
                    {"item_id": [N_("already listed at this place")]})


def add_stockpile_line(session: Session, caller: Caller, partner_id: int, **data) -> StockpileLine:
    """List an item a department holds for the reserve: how much, where, as of which day."""
    with write_transaction(session):
        partner = get_partner(session, partner_id)
        if not holds_stockpile(partner.kind):
            raise InvalidInput.on("partner", N_("only the five departments keep stockpile lists"))
        fields = _stockpile_fields(session, data)
        if session.scalar(select(StockpileLine.id).where(
                StockpileLine.partner_id == partner.id, StockpileLine.item_id == fields["item_id"],
                StockpileLine.location == fields["location"])) is not None:
            raise _line_taken()
        line = StockpileLine(partner_id=partner.id, **fields)
        session.add(line)
        try:
            session.flush()
        except IntegrityError:
            raise _line_taken() from None
    return line


def update_stockpile_line(session: Session, caller: Caller, line_id: int, /, **changes) -> StockpileLine:
    """Change a stockpile line: a new count, place or date."""
    with write_transaction(session):
        line = get_stockpile_line(session, line_id)
        current = {"item_id": line.item_id, "quantity": line.quantity, "as_of": line.as_of,
                   "location": line.location, "note": line.note}
        fields = _stockpile_fields(session, {**current, **{k: v for k, v in changes.items() if k in current}})
        for name, value in fields.items():
            setattr(line, name, value)
        try:
            session.flush()
        except IntegrityError:
            raise _line_taken() from None
    return line


def remove_stockpile_line(session: Session, caller: Caller, line_id: int) -> None:
    """Remove an item from a department's stockpile list."""
    with write_transaction(session):
        line = get_stockpile_line(session, line_id)
        session.execute(delete(StockpileLine).where(StockpileLine.id == line.id))

