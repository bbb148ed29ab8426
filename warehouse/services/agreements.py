"""Agreement use cases: record agreements and commitments, keep the signed PDF, call partners in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.partners import (
    DOCUMENT_MAX_BYTES,
    AgreementStatus,
    Period,
    can_activate,
    check_commitment_target,
    check_pdf,
    check_term,
    document_filename,
    validate_agreement_number,
    validate_quantity,
    validate_response_hours,
)
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Category,
    Commitment,
    Deployment,
    Item,
    Partner,
)
from warehouse.models.base import utcnow
from warehouse.services.accounts import Caller
from warehouse.services.fields import choice, moment, optional_date, text
from warehouse.services.partners import actor_name, flush_or, get_partner
from warehouse.services.stock import post_receipt
from warehouse.timezone import depot_zone, today

AGREEMENT_TEXT_LIMITS = {"title": 120, "note": 4000}
MAX_COMMITMENTS = 100
MAX_REQUEST_LINES = 50
# A clock a few minutes fast on a phone should not refuse a delivery recorded as it happens.
CLOCK_SKEW = timedelta(minutes=5)


def _whole_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number_taken(number: str) -> Conflict:
    return Conflict(N_("agreement %(number)s is already recorded", number=number),
                    {"number": [N_("already taken")]})


# --- lookups ----------------------------------------------------------------------------------

def get_agreement(session: Session, agreement_id, field: str | None = None) -> Agreement:
    """Return the agreement or raise NotFound (InvalidInput naming `field` when given)."""
    agreement = session.get(Agreement, agreement_id) if _whole_id(agreement_id) is not None else None
    if agreement is None:
        if field:
            raise InvalidInput.on(field, N_("no such agreement"))
        raise NotFound(N_("no such agreement"))
    return agreement


def get_commitment(session: Session, commitment_id) -> Commitment:
    """Return the commitment line or raise NotFound."""
    line = session.get(Commitment, commitment_id) if _whole_id(commitment_id) is not None else None
    if line is None:
        raise NotFound(N_("no such commitment"))
    return line


def get_activation(session: Session, activation_id) -> Activation:
    """Return the activation or raise NotFound."""
    found = session.get(Activation, activation_id) if _whole_id(activation_id) is not None else None
    if found is None:
        raise NotFound(N_("no such activation"))
    return found


def get_document(session: Session, agreement_id) -> AgreementDocument:
    """Return the agreement's signed document, content included, or raise NotFound."""
    agreement = get_agreement(session, agreement_id)
    document = session.scalar(select(AgreementDocument).where(AgreementDocument.agreement_id == agreement.id))
    if document is None:
        raise NotFound(N_("the agreement has no signed document"))
    return document


# --- agreements -------------------------------------------------------------------------------

def _agreement_fields(session: Session, data: dict) -> dict:
    fields = {name: text(data.get(name), name, limit) for name, limit in AGREEMENT_TEXT_LIMITS.items()}
    fields["partner_id"] = get_partner(session, data.get("partner_id"), "partner_id").id
    fields["signed_on"] = optional_date(data.get("signed_on"), "signed_on")
    fields["valid_from"] = optional_date(data.get("valid_from"), "valid_from")
    fields["valid_to"] = optional_date(data.get("valid_to"), "valid_to")
    check_term(fields["valid_from"], fields["valid_to"], fields["signed_on"])
    if fields["signed_on"] is not None and fields["signed_on"] > today():
        raise InvalidInput.on("signed_on", N_("cannot be in the future"))
    fields["response_hours"] = validate_response_hours(data.get("response_hours"))
    fields["status"] = choice(AgreementStatus, data.get("status") or AgreementStatus.DRAFT.value, "status")
    return fields


def _commitment(session: Session, data, position: int, field: str = "commitments") -> Commitment:
    """Build a commitment line from input, or raise InvalidInput naming the line's field."""
    if not isinstance(data, dict):
        raise InvalidInput.on(field, N_("each line is an object"))
    item = category = None
    if data.get("item_id") not in (None, ""):
        item_id = _whole_id(data.get("item_id"))
        item = session.get(Item, item_id) if item_id is not None else None
        if item is None:
            raise InvalidInput.on("item_id", N_("no such item"))
    if data.get("category") not in (None, ""):
        code = data.get("category")
        category = session.scalar(select(Category).where(Category.code == code.strip().upper())) \
            if isinstance(code, str) else None
        if category is None:
            raise InvalidInput.on("category", N_("no such category"))
    description = text(data.get("description"), "description", 120)
    unit = text(data.get("unit"), "unit", 20)
    check_commitment_target(item.id if item else None, category.id if category else None, description, unit)
    quantity = validate_quantity(data.get("quantity"), whole=item is not None)
    return Commitment(item_id=item.id if item else None, category_id=category.id if category else None,
                      description=description, quantity=quantity,
                      # A catalogue item is committed in the unit the catalogue counts it in.
                      unit=item.unit.value if item else unit,
                      period=choice(Period, data.get("period") or Period.TOTAL.value, "period"),
                      note=text(data.get("note"), "note", 400), position=position)


def _commitments(session: Session, lines) -> list[Commitment]:
    if not isinstance(lines, list):
        raise InvalidInput.on("commitments", N_("a list of lines"))
    if len(lines) > MAX_COMMITMENTS:
        raise InvalidInput.on("commitments", N_("at most %(count)d lines", count=MAX_COMMITMENTS))
    return [_commitment(session, line, position) for position, line in enumerate(lines, start=1)]


def create_agreement(session: Session, caller: Caller, *, number, commitments=None, document=None,
                     document_limit: int = DOCUMENT_MAX_BYTES, **data) -> Agreement:
    """Record an agreement with a partner: its term, response time, status and commitments, and
    (given `document=(filename, bytes)`) its signed PDF: both or nothing."""
    number = validate_agreement_number(number)
    with write_transaction(session):
        fields = _agreement_fields(session, data)
        if session.scalar(select(Agreement.id).where(Agreement.number == number)) is not None:
            raise _number_taken(number)
        agreement = Agreement(number=number, **fields)
        agreement.commitments = _commitments(session, commitments or [])
        if document is not None:
            filename, content = document
            check_pdf(content, document_limit)
        session.add(agreement)
        try:
            session.flush()
        except IntegrityError:
            raise _refused_insert(session, number, fields["partner_id"]) from None
        if document is not None:
            session.add(_document(caller, agreement, filename, content))
            session.flush()
    return agreement


def _refused_insert(session: Session, number: str, partner_id: int) -> Conflict | InvalidInput:
    """Name why the database refused an agreement written at once with another officer's change."""
    session.rollback()
    # PostgreSQL: the partner was deleted meanwhile (a foreign key), or the number taken (unique).
    if session.scalar(select(Partner.id).where(Partner.id == partner_id)) is None:
        return InvalidInput.on("partner_id", N_("no such partner"))
    return _number_taken(number)


def update_agreement(session: Session, caller: Caller, agreement_id: int, /, **changes) -> Agreement:
    """Change an agreement's number, partner, term, response time, status or note; given
    `commitments`, replace its lines."""
    with write_transaction(session):
        agreement = get_agreement(session, agreement_id)
        current = {"partner_id": agreement.partner_id, "title": agreement.title, "note": agreement.note,
                   "signed_on": agreement.signed_on, "valid_from": agreement.valid_from,
                   "valid_to": agreement.valid_to, "response_hours": agreement.response_hours,
                   "status": agreement.status.value}
        fields = _agreement_fields(session, {**current, **{k: v for k, v in changes.items() if k in current}})
        if "number" in changes:
            number = validate_agreement_number(changes["number"])
            if number != agreement.number and session.scalar(
                    select(Agreement.id).where(Agreement.number == number)) is not None:
                raise _number_taken(number)
            agreement.number = number
        if fields["partner_id"] != agreement.partner_id and session.scalar(
                select(exists().where(Activation.agreement_id == agreement.id))):
            raise Conflict(N_("the agreement has been called on: its partner cannot change"),
                           {"partner_id": [N_("has activations")]})
        for name, value in fields.items():
            setattr(agreement, name, value)
        if "commitments" in changes:
            lines = _commitments(session, changes["commitments"])
            session.execute(delete(Commitment).where(Commitment.agreement_id == agreement.id))
            session.expire(agreement, ["commitments"])
            for line in lines:
                line.agreement_id = agreement.id
            session.add_all(lines)
        number, partner_id = agreement.number, agreement.partner_id
        try:
            session.flush()
        except IntegrityError:
            raise _refused_insert(session, number, partner_id) from None
    return agreement


def delete_agreement(session: Session, caller: Caller, agreement_id: int) -> None:
    """Delete an agreement recorded by mistake; one already called on is terminated instead (409)."""
    with write_transaction(session):
        agreement = get_agreement(session, agreement_id)
        if session.scalar(select(exists().where(Activation.agreement_id == agreement.id))):
            raise Conflict(N_("agreement %(number)s has been called on: terminate it instead",
                              number=agreement.number), {"agreement": [N_("has activations")]})
        session.execute(delete(AgreementDocument).where(AgreementDocument.agreement_id == agreement.id))
        session.execute(delete(Commitment).where(Commitment.agreement_id == agreement.id))
        try:
            session.execute(delete(Agreement).where(Agreement.id == agreement.id))
        except IntegrityError:
            raise Conflict(N_("agreement %(number)s has been called on: terminate it instead",
                              number=agreement.number), {"agreement": [N_("has activations")]}) from None


def add_commitment(session: Session, caller: Caller, agreement_id: int, **data) -> Commitment:
    """Add one commitment line to an agreement."""
    with write_transaction(session):
        agreement = get_agreement(session, agreement_id)
        count, last = _count_last(session, agreement.id)
        if count >= MAX_COMMITMENTS:
            raise InvalidInput.on("commitments", N_("at most %(count)d lines", count=MAX_COMMITMENTS))
        line = _commitment(session, data, last + 1)
        line.agreement_id = agreement.id
        session.add(line)
        flush_or(session, NotFound(N_("no such agreement")))
    return line


def _count_last(session: Session, agreement_id: int) -> tuple[int, int]:
    positions = session.scalars(
        select(Commitment.position).where(Commitment.agreement_id == agreement_id)).all()
    return len(positions), max(positions, default=0)


def remove_commitment(session: Session, caller: Caller, commitment_id: int) -> None:
    """Remove a commitment line (requests already made from it keep their own copy)."""
    with write_transaction(session):
        line = get_commitment(session, commitment_id)
        session.execute(delete(Commitment).where(Commitment.id == line.id))


# --- the signed document ----------------------------------------------------------------------

def attach_document(session: Session, caller: Caller, agreement_id: int, *, filename: str | None,
                    content: bytes, limit: int = DOCUMENT_MAX_BYTES) -> AgreementDocument:
    """Keep the signed agreement as a PDF (replacing any earlier one); nothing is kept on refusal."""
    check_pdf(content, limit)
    with write_transaction(session):
        agreement = get_agreement(session, agreement_id)
        session.execute(delete(AgreementDocument).where(AgreementDocument.agreement_id == agreement.id))
        document = _document(caller, agreement, filename, content)
        session.add(document)
        flush_or(session, Conflict(N_("another document was uploaded at the same moment; try again"),
                                   {"document": [N_("replaced meanwhile")]}))
    return document


def _document(caller: Caller, agreement: Agreement, filename: str | None,
              content: bytes) -> AgreementDocument:
    return AgreementDocument(
        agreement_id=agreement.id, filename=document_filename(filename, agreement.number),
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
        uploaded_by_name=actor_name(caller))


def remove_document(session: Session, caller: Caller, agreement_id: int) -> None:
    """Remove the signed document uploaded by mistake."""
    with write_transaction(session):
        document = get_document(session, agreement_id)
        session.execute(delete(AgreementDocument).where(AgreementDocument.id == document.id))


# --- activation: calling partners in ------------------------------------------------------------

def _request_line(session: Session, agreement: Agreement, data) -> ActivationLine:
    if not isinstance(data, dict):
        raise InvalidInput.on("lines", N_("each line is an object"))
    commitment = None
    if data.get("commitment_id") not in (None, ""):
        commitment_id = _whole_id(data.get("commitment_id"))
        commitment = session.get(Commitment, commitment_id) if commitment_id is not None else None
        if commitment is None or commitment.agreement_id != agreement.id:
            raise InvalidInput.on("commitment_id", N_("not a commitment of this agreement"))
    item = None
    item_value = data.get("item_id") if data.get("item_id") not in (None, "") else (
        commitment.item_id if commitment else None)
    if item_value is not None:
        item_id = _whole_id(item_value)
        item = session.get(Item, item_id) if item_id is not None else None
        if item is None:
            raise InvalidInput.on("item_id", N_("no such item"))
    description = text(data.get("description"), "description", 120) or (
        commitment.description if commitment else "")
    unit = item.unit.value if item else (
        text(data.get("unit"), "unit", 20) or (commitment.unit if commitment else ""))
    check_commitment_target(item.id if item else None, None, description, unit)
    needed_by = moment(data.get("needed_by"), "needed_by")
    return ActivationLine(commitment_id=commitment.id if commitment else None,
                          item_id=item.id if item else None, description=description, unit=unit,
                          quantity=validate_quantity(data.get("quantity"), whole=item is not None),
                          needed_by=needed_by)


def activate_agreement(session: Session, caller: Caller, agreement_id: int, *, lines,
                       deployment_id=None, requested_at=None, contact_name: str | None = None,
                       note: str | None = None) -> Activation:
    """Record that an agreement was called on: what was asked for, when, for which deployment."""
    contact_name = text(contact_name, "contact_name", 80)
    note = text(note, "note", 2000)
    at = moment(requested_at, "requested_at") or utcnow()
    if at > utcnow() + CLOCK_SKEW:
        raise InvalidInput.on("requested_at", N_("cannot be in the future"))
    if not isinstance(lines, list) or not lines:
        raise InvalidInput.on("lines", N_("ask for at least one thing"))
    if len(lines) > MAX_REQUEST_LINES:
        raise InvalidInput.on("lines", N_("at most %(count)d lines", count=MAX_REQUEST_LINES))
    with write_transaction(session):
        agreement = get_agreement(session, agreement_id, "agreement_id")
        can_activate(agreement.status, agreement.valid_from, agreement.valid_to,
                     at.astimezone(depot_zone()).date())
        deployment = None
        if deployment_id not in (None, ""):
            found_id = _whole_id(deployment_id)
            deployment = session.get(Deployment, found_id) if found_id is not None else None
            if deployment is None:
                raise InvalidInput.on("deployment_id", N_("no such deployment"))
            if deployment.closed_at is not None:
                raise Conflict(N_("deployment %(code)s is closed", code=deployment.code),
                               {"deployment_id": [N_("closed")]})
        activation = Activation(agreement_id=agreement.id,
                                deployment_id=deployment.id if deployment else None,
                                requested_at=at, contact_name=contact_name, note=note,
                                requested_by_id=caller.user.id if caller.user else None,
                                requested_by_name=actor_name(caller))
        activation.lines = [_request_line(session, agreement, line) for line in lines]
        session.add(activation)
        # An agreement deleted at this moment by an officer (it had not been called on yet).
        flush_or(session, NotFound(N_("no such agreement")))
    return activation


def record_arrival(session: Session, caller: Caller, line_id: int, *, quantity, arrived_at=None,
                   location_id=None, lot: str | None = None, expires_on=None,
                   note: str | None = None) -> Arrival:
    """Record what a partner delivered; into the depot it is a receipt referencing the agreement."""
    note = text(note, "note", 400)
    at = moment(arrived_at, "arrived_at") or utcnow()
    if at > utcnow() + CLOCK_SKEW:
        raise InvalidInput.on("arrived_at", N_("cannot be in the future"))
    expires_on = optional_date(expires_on, "expires_on")
    if expires_on is not None and expires_on < today():
        raise InvalidInput.on("expires_on", N_("already expired: do not receive expired stock"))
    with write_transaction(session):
        line = session.get(ActivationLine, line_id) if _whole_id(line_id) is not None else None
        if line is None:
            raise NotFound(N_("no such request line"))
        activation = session.get(Activation, line.activation_id)
        if at < activation.requested_at:
            raise InvalidInput.on("arrived_at", N_("before the request was made"))
        amount = validate_quantity(quantity, whole=line.item_id is not None)
        movement_id = None
        if location_id not in (None, ""):
            if line.item_id is None:
                raise InvalidInput.on("location_id", N_("only catalogue items are received into the depot"))
            if _whole_id(location_id) is None:
                raise InvalidInput.on("location_id", N_("no such location"))
            agreement = session.get(Agreement, activation.agreement_id)
            received_on = at.astimezone(depot_zone()).date()
            movement = post_receipt(session, caller, item_id=line.item_id, location_id=location_id,
                                    quantity=int(amount), lot=lot, expires_on=expires_on,
                                    received_on=min(received_on, today()), supplier_ref=agreement.number,
                                    reference=agreement.number,
                                    note=note or f"activation {activation.id}",
                                    # The receipt is dated when the delivery arrived.
                                    at=min(at, utcnow()))
            movement_id = movement.id
        elif lot or expires_on:
            raise InvalidInput.on("location_id", N_("a lot is recorded only when received into the depot"))
        arrival = Arrival(line_id=line.id, arrived_at=at, quantity=amount, movement_id=movement_id,
                          note=note, recorded_by_id=caller.user.id if caller.user else None,
                          recorded_by_name=actor_name(caller))
        session.add(arrival)
        session.flush()
    return arrival

