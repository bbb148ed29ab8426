"""The read side of partners: the registry, agreements, alerts, activations and reachable reserve."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased, raiseload

from warehouse.domain.partners import (
    CONTACT_STALE_DAYS,
    EXPIRY_WARNING_DAYS,
    AgreementStatus,
    PartnerKind,
    Period,
    Reach,
    Source,
    Standing,
    Supply,
    reach,
    standing,
)
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Category,
    Commitment,
    ContactCheck,
    Deployment,
    District,
    Item,
    Partner,
    PartnerContact,
    StockpileLine,
)
from warehouse.queries.pagination import Page, paginate
from warehouse.queries.stock import available_by_item

PARTNER_SORTS = {
    "name": lambda: (Partner.name,),
    "kind": lambda: (Partner.kind, Partner.name),
    "district": lambda: (District.position, Partner.name),
}
AGREEMENT_SORTS = {
    "valid_to": lambda: (Agreement.valid_to, Agreement.number),
    "number": lambda: (Agreement.number,),
    "partner": lambda: (Partner.name, Agreement.number),
    "-signed": lambda: (Agreement.signed_on.desc(), Agreement.number),
}


def as_quantity(value) -> Decimal:
    """Return a summed quantity as a Decimal of three places (SQLite sums numerics as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


REACHED_AT = func.max(case((ContactCheck.reached.is_(True), ContactCheck.checked_at)))


def in_force(on: date):
    """SQL: the agreement is active and its term covers the day."""
    return and_(Agreement.status == AgreementStatus.ACTIVE, Agreement.valid_from <= on,
                Agreement.valid_to >= on)


def last_reached():
    """A subquery: when each partner's contacts were last reached (and last tried)."""
    return (select(PartnerContact.partner_id.label("partner_id"),
                   REACHED_AT.label("reached_at"),
                   func.max(ContactCheck.checked_at).label("checked_at"))
            .join(ContactCheck, ContactCheck.contact_id == PartnerContact.id)
            .group_by(PartnerContact.partner_id).subquery("last_reached"))


def first_contacts(session: Session, partner_ids) -> dict[int, PartnerContact]:
    """Return each partner's first active contact (the one to call), in one query."""
    ids = list(partner_ids)
    if not ids:
        return {}
    out: dict[int, PartnerContact] = {}
    for contact in session.scalars(select(PartnerContact).where(
            PartnerContact.partner_id.in_(ids), PartnerContact.active.is_(True))
            .order_by(PartnerContact.partner_id, PartnerContact.position, PartnerContact.id)):
        out.setdefault(contact.partner_id, contact)
    return out


# --- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PartnerRow:
    """A partner with its counts, last contact and the number to call, for lists."""

    partner: Partner
    district: District
    contacts: int
    agreements: int
    agreements_in_force: int
    stockpile_lines: int
    reached_at: datetime | None
    checked_at: datetime | None
    contact: PartnerContact | None = None

    def out_of_touch(self, now: datetime, days: int = CONTACT_STALE_DAYS) -> bool:
        """Tell whether nobody reached the partner within the window."""
        return self.reached_at is None or self.reached_at < now - timedelta(days=days)


def partner_stmt(*, on: date, kind: PartnerKind | None = None, kinds=None, district: str | None = None,
                 q: str | None = None, active: bool | None = True, out_of_touch_since: datetime | None = None,
                 sort: str = "district") -> Select:
    """Return partners with their counts in one aggregate query, filtered from allowlists."""
    touch = last_reached()
    contacts = (select(PartnerContact.partner_id, func.count().label("n"))
                .where(PartnerContact.active.is_(True)).group_by(PartnerContact.partner_id).subquery())
    agreements = (select(Agreement.partner_id, func.count().label("n"),
                         func.count().filter(in_force(on)).label("in_force"))
                  .group_by(Agreement.partner_id).subquery())
    lines = (select(StockpileLine.partner_id, func.count().label("n"))
             .group_by(StockpileLine.partner_id).subquery())
    stmt = (select(Partner, District, func.coalesce(contacts.c.n, 0), func.coalesce(agreements.c.n, 0),
                   func.coalesce(agreements.c.in_force, 0), func.coalesce(lines.c.n, 0),
                   touch.c.reached_at, touch.c.checked_at)
            .join(District, District.id == Partner.district_id)
            .outerjoin(contacts, contacts.c.partner_id == Partner.id)
            .outerjoin(agreements, agreements.c.partner_id == Partner.id)
            .outerjoin(lines, lines.c.partner_id == Partner.id)
            .outerjoin(touch, touch.c.partner_id == Partner.id))
    if kind is not None:
        stmt = stmt.where(Partner.kind == kind)
    if kinds:
        stmt = stmt.where(Partner.kind.in_(list(kinds)))
    if district:
        stmt = stmt.where(District.code == district)
    if active is not None:
        stmt = stmt.where(Partner.active.is_(active))
    if q:
        pattern = _like(q.strip())
        stmt = stmt.where(or_(Partner.name.like(pattern, escape="\\"),
                              Partner.name_en.ilike(pattern, escape="\\"),
                              Partner.address.like(pattern, escape="\\")))
    if out_of_touch_since is not None:
        stmt = stmt.where(or_(touch.c.reached_at.is_(None), touch.c.reached_at < out_of_touch_since))
    return stmt.order_by(*PARTNER_SORTS.get(sort, PARTNER_SORTS["district"])(), Partner.id)


def _partner_rows(session: Session, rows) -> list[PartnerRow]:
    contacts = first_contacts(session, (row[0].id for row in rows))
    return [PartnerRow(partner, district, n_contacts, n_agreements, n_in_force, n_lines, reached_at,
                       checked_at, contacts.get(partner.id))
            for partner, district, n_contacts, n_agreements, n_in_force, n_lines, reached_at, checked_at
            in rows]


def partner_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of partner rows."""
    found = paginate(session, partner_stmt(**filters), page, per_page, scalars=False)
    return Page(items=_partner_rows(session, found.items), page=found.page, per_page=found.per_page,
                total=found.total)


def partner_row(session: Session, partner_id: int, on: date) -> PartnerRow | None:
    """Return one partner's row (active or not), or None."""
    rows = session.execute(partner_stmt(on=on, active=None).where(Partner.id == partner_id)).all()
    return _partner_rows(session, rows)[0] if rows else None


def districts(session: Session) -> list[District]:
    """Return the city level and its counties/districts in order."""
    return list(session.scalars(select(District).order_by(District.position, District.code)))


def partner_choices(session: Session, *, kinds=None) -> list[Partner]:
    """Return active partners for a picker, by district then name."""
    stmt = (select(Partner).join(District, District.id == Partner.district_id)
            .where(Partner.active.is_(True)).order_by(District.position, Partner.name))
    if kinds:
        stmt = stmt.where(Partner.kind.in_(list(kinds)))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ContactRow:
    """A contact with their last check."""

    contact: PartnerContact
    checked_at: datetime | None
    reached_at: datetime | None


def contact_rows(session: Session, partner_id: int) -> list[ContactRow]:
    """Return a partner's contacts (active first) with when they were last tried and reached."""
    checks = (select(ContactCheck.contact_id,
                     func.max(ContactCheck.checked_at).label("checked_at"),
                     REACHED_AT.label("reached_at"))
              .group_by(ContactCheck.contact_id).subquery())
    rows = session.execute(
        select(PartnerContact, checks.c.checked_at, checks.c.reached_at)
        .outerjoin(checks, checks.c.contact_id == PartnerContact.id)
        .where(PartnerContact.partner_id == partner_id)
        .order_by(PartnerContact.active.desc(), PartnerContact.position, PartnerContact.id)).all()
    return [ContactRow(contact, checked_at, reached_at) for contact, checked_at, reached_at in rows]


def contact_checks(session: Session, partner_id: int, limit: int = 20) -> list:
    """Return the partner's latest contact checks, newest first, with the contact's name."""
    return session.execute(
        select(ContactCheck, PartnerContact.name.label("contact_name"))
        .join(PartnerContact, PartnerContact.id == ContactCheck.contact_id)
        .where(PartnerContact.partner_id == partner_id)
        .order_by(ContactCheck.checked_at.desc(), ContactCheck.id.desc()).limit(limit)).all()


def stockpile_rows(session: Session, partner_id: int) -> list:
    """Return a department's stockpile lines with their items, by category then SKU."""
    return session.execute(
        select(StockpileLine, Item, Category)
        .join(Item, Item.id == StockpileLine.item_id).join(Category, Category.id == Item.category_id)
        .where(StockpileLine.partner_id == partner_id)
        .order_by(Category.position, Item.sku, StockpileLine.location)).all()


# --- agreements -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementRow:
    """An agreement with its partner, its standing on the day and what it commits."""

    agreement: Agreement
    partner: Partner
    district: District
    standing: Standing
    days_left: int
    commitments: int
    document: bool


def agreement_stmt(*, on: date, partner_id: int | None = None, status: AgreementStatus | None = None,
                   in_force_only: bool = False, attention: bool = False, kind: PartnerKind | None = None,
                   district: str | None = None, q: str | None = None, sort: str = "valid_to",
                   warning_days: int = EXPIRY_WARNING_DAYS) -> Select:
    """Return agreements with partner, line count and document flag, filtered from allowlists."""
    lines = (select(Commitment.agreement_id, func.count().label("n"))
             .group_by(Commitment.agreement_id).subquery())
    stmt = (select(Agreement, Partner, District, func.coalesce(lines.c.n, 0),
                   AgreementDocument.id.is_not(None))
            .join(Partner, Partner.id == Agreement.partner_id)
            .join(District, District.id == Partner.district_id)
            .outerjoin(lines, lines.c.agreement_id == Agreement.id)
            .outerjoin(AgreementDocument, AgreementDocument.agreement_id == Agreement.id))
    if partner_id is not None:
        stmt = stmt.where(Agreement.partner_id == partner_id)
    if status is not None:
        stmt = stmt.where(Agreement.status == status)
    if in_force_only:
        stmt = stmt.where(in_force(on))
    if attention:
        # Active on paper but ending within the window or already past its end.
        stmt = stmt.where(Agreement.status == AgreementStatus.ACTIVE,
                          Agreement.valid_to < on + timedelta(days=warning_days))
    if kind is not None:
        stmt = stmt.where(Partner.kind == kind)
    if district:
        stmt = stmt.where(District.code == district)
    if q:
        pattern = _like(q.strip())
        stmt = stmt.where(or_(Agreement.number.ilike(pattern, escape="\\"),
                              Agreement.title.like(pattern, escape="\\"),
                              Partner.name.like(pattern, escape="\\")))
    return stmt.order_by(*AGREEMENT_SORTS.get(sort, AGREEMENT_SORTS["valid_to"])(), Agreement.id)


def _agreement_rows(rows, on: date) -> list[AgreementRow]:
    return [AgreementRow(agreement, partner, district,
                         standing(agreement.status, agreement.valid_from, agreement.valid_to, on),
                         (agreement.valid_to - on).days, n_lines, bool(document))
            for agreement, partner, district, n_lines, document in rows]


def agreement_page(session: Session, *, on: date, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of agreement rows."""
    found = paginate(session, agreement_stmt(on=on, **filters), page, per_page, scalars=False)
    return Page(items=_agreement_rows(found.items, on), page=found.page, per_page=found.per_page,
                total=found.total)


def agreement_rows(session: Session, *, on: date, **filters) -> list[AgreementRow]:
    """Return every agreement row matching the filters (a partner's, the alerts)."""
    return _agreement_rows(session.execute(agreement_stmt(on=on, **filters)).all(), on)


def agreement_row(session: Session, agreement_id: int, on: date) -> AgreementRow | None:
    """Return one agreement's row, or None."""
    rows = session.execute(agreement_stmt(on=on).where(Agreement.id == agreement_id)).all()
    return _agreement_rows(rows, on)[0] if rows else None


def commitment_rows(session: Session, agreement_id: int) -> list:
    """Return an agreement's commitment lines with their item or category."""
    return session.execute(
        select(Commitment, Item, Category)
        .outerjoin(Item, Item.id == Commitment.item_id)
        .outerjoin(Category, Category.id == Commitment.category_id)
        .where(Commitment.agreement_id == agreement_id)
        # Items are outer-joined here: their eager inner join to the category would drop the
        # lines without an item.
        .options(raiseload(Item.category))
        .order_by(Commitment.position, Commitment.id)).all()


def document_info(session: Session, agreement_id: int) -> AgreementDocument | None:
    """Return the signed document's metadata (not its bytes), or None."""
    return session.scalar(select(AgreementDocument).where(AgreementDocument.agreement_id == agreement_id))


# --- alerts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alerts:
    """What a supply officer must act on: agreements ending or ended, partners out of touch."""

    agreements: list[AgreementRow]
    out_of_touch: list[PartnerRow]

    @property
    def count(self) -> int:
        return len(self.agreements) + len(self.out_of_touch)


def alerts(session: Session, *, on: date, now: datetime, warning_days: int = EXPIRY_WARNING_DAYS,
           stale_days: int = CONTACT_STALE_DAYS) -> Alerts:
    """Return agreements expiring within the window (or expired while still active) and active
    partners nobody reached within the contact window."""
    return Alerts(
        agreements=agreement_rows(session, on=on, attention=True, warning_days=warning_days),
        out_of_touch=_partner_rows(session, session.execute(partner_stmt(
            on=on, out_of_touch_since=now - timedelta(days=stale_days), sort="district")).all()))


# --- reachable reserve ------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRow:
    """One place reserve can come from, as the search page and the API list it."""

    source: Source
    quantity: Decimal
    unit: str
    period: Period
    response_hours: int | None
    counted: bool  # False for category or free-text lines: another unit, not added to an item
    item: Item | None = None
    category: Category | None = None
    description: str = ""
    partner: Partner | None = None
    district: District | None = None
    agreement_id: int | None = None
    agreement_number: str = ""
    valid_to: date | None = None
    location: str = ""
    as_of: date | None = None
    on_hand: Decimal | None = None  # the depot's: all it holds, usable or not
    contact: PartnerContact | None = None


@dataclass(frozen=True)
class ItemReach:
    """One catalogue item: its sources added up."""

    item: Item
    reach: Reach


@dataclass
class Reachable:
    """The answer to "who can supply this, how much, how fast"."""

    on: date
    within_hours: int | None
    needed: Decimal | None
    items: list[ItemReach] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)

    def within(self, row: SourceRow) -> bool:
        """Tell whether a source answers within the asked time (always, when none was asked)."""
        return self.within_hours is None or (
            row.response_hours is not None and row.response_hours <= self.within_hours)


def reachable(session: Session, *, on: date, item_id: int | None = None, category_id: int | None = None,
              q: str | None = None, within_hours: int | None = None, needed: Decimal | None = None,
              item_ids: Collection[int] | None = None) -> Reachable:
    """Return what the depot, departmental stockpiles and agreements in force can supply of an
    item, a category, several items (`item_ids`, each totalled on its own) or (by words)
    anything committed, with response times: five queries."""
    answer = Reachable(on=on, within_hours=within_hours, needed=needed)
    listed = item_id is not None or item_ids is not None  # every asked item is answered
    if item_id is not None:
        item_filter = Item.id == item_id
        line_category = select(Item.category_id).where(Item.id == item_id).scalar_subquery()
    elif item_ids is not None:
        item_filter = Item.id.in_(sorted(item_ids))
        line_category = None
    elif category_id is not None:
        item_filter = Item.category_id == category_id
        line_category = category_id
    else:
        item_filter = None
        line_category = None
    agreement_response = (select(Agreement.partner_id, func.min(Agreement.response_hours).label("hours"))
                          .where(in_force(on)).group_by(Agreement.partner_id).subquery())
    depot, stockpiles, committed = [], [], []
    if item_filter is not None:
        totals = available_by_item(on, select(Item.id).where(item_filter))
        depot = session.execute(
            select(Item, func.coalesce(totals.c.available, 0), func.coalesce(totals.c.on_hand, 0))
            .outerjoin(totals, totals.c.item_id == Item.id).where(item_filter)
            .order_by(Item.sku)).all()
        stockpiles = session.execute(
            select(StockpileLine, Partner, District, agreement_response.c.hours)
            .join(Partner, Partner.id == StockpileLine.partner_id)
            .join(District, District.id == Partner.district_id)
            .join(Item, Item.id == StockpileLine.item_id)
            .outerjoin(agreement_response, agreement_response.c.partner_id == Partner.id)
            .where(item_filter, Partner.active.is_(True), StockpileLine.quantity > 0)).all()
    line_match = []
    if item_filter is not None:
        line_match.append(Commitment.item_id.in_(select(Item.id).where(item_filter)))
        categories_of = (Commitment.category_id == line_category if line_category is not None else
                         Commitment.category_id.in_(select(Item.category_id).where(item_filter)))
        line_match.append(and_(Commitment.item_id.is_(None), categories_of))
    if q:
        pattern = _like(q.strip())
        line_match.append(and_(Commitment.item_id.is_(None), or_(
            Commitment.description.like(pattern, escape="\\"), Commitment.note.like(pattern, escape="\\"))))
    if line_match:
        committed = session.execute(
            select(Commitment, Agreement, Partner, District)
            .join(Agreement, Agreement.id == Commitment.agreement_id)
            .join(Partner, Partner.id == Agreement.partner_id)
            .join(District, District.id == Partner.district_id)
            .where(in_force(on), Partner.active.is_(True), or_(*line_match))).all()
    items = {row[0].id: row[0] for row in depot}
    categories = {c.id: c for c in session.scalars(select(Category))} if committed else {}
    contacts = first_contacts(session, {row[1].id for row in stockpiles} | {row[2].id for row in committed})
    supplies: dict[int, list[Supply]] = {item_id: [] for item_id in items}
    for item, available, on_hand in depot:
        answer.sources.append(SourceRow(Source.DEPOT, Decimal(available), item.unit.value, Period.TOTAL, 0,
                                        True, item=item, on_hand=Decimal(on_hand)))
        supplies[item.id].append(Supply(Source.DEPOT, Decimal(available)))
    for line, partner, district, hours in stockpiles:
        item = items[line.item_id]
        answer.sources.append(SourceRow(Source.STOCKPILE, Decimal(line.quantity), item.unit.value,
                                        Period.TOTAL, hours, True, item=item, partner=partner,
                                        district=district, location=line.location, as_of=line.as_of,
                                        contact=contacts.get(partner.id)))
        supplies[item.id].append(Supply(Source.STOCKPILE, Decimal(line.quantity), Period.TOTAL, hours))
    for line, agreement, partner, district in committed:
        item = items.get(line.item_id) if line.item_id is not None else None
        answer.sources.append(SourceRow(
            Source.AGREEMENT, line.quantity, line.unit, line.period, agreement.response_hours,
            item is not None, item=item, category=categories.get(line.category_id),
            description=line.description, partner=partner, district=district, agreement_id=agreement.id,
            agreement_number=agreement.number, valid_to=agreement.valid_to, contact=contacts.get(partner.id)))
        if item is not None:
            supplies[item.id].append(Supply(Source.AGREEMENT, line.quantity, line.period,
                                            agreement.response_hours))
    for item_key, item in items.items():
        found = supplies[item_key]
        # A category search lists only the items someone can supply or the depot holds.
        if not listed and not any(s.quantity for s in found) and not any(
                row.on_hand for row in answer.sources if row.source == Source.DEPOT and row.item is item):
            continue
        answer.items.append(ItemReach(item, reach(found, within_hours=within_hours, needed=needed)))
    order = {Source.DEPOT: 0, Source.STOCKPILE: 1, Source.AGREEMENT: 2}
    answer.sources.sort(key=lambda row: (
        order[row.source], row.response_hours is None, row.response_hours or 0,
        row.item.sku if row.item else "~", row.partner.name if row.partner else ""))
    if not listed:
        shown = {entry.item.id for entry in answer.items}
        answer.sources = [row for row in answer.sources if row.item is None or row.item.id in shown]
    return answer


# --- activations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RequestLine:
    """A line of an activation: what was asked for and how much of it has arrived."""

    line: ActivationLine
    item: Item | None
    arrived: Decimal
    last_arrival: datetime | None

    @property
    def outstanding(self) -> Decimal:
        return max(self.line.quantity - self.arrived, Decimal(0))


@dataclass(frozen=True)
class ActivationRow:
    """An activation with its agreement, partner, deployment and lines."""

    activation: Activation
    agreement: Agreement
    partner: Partner
    deployment: Deployment | None
    lines: list[RequestLine]

    @property
    def complete(self) -> bool:
        return all(line.outstanding == 0 for line in self.lines)


def activation_rows(session: Session, *, agreement_id: int | None = None, deployment_id: int | None = None,
                    activation_id: int | None = None, open_only: bool = False,
                    limit: int = 100) -> list[ActivationRow]:
    """Return activations (newest first) with their lines and arrived totals, in two queries."""
    deployment = aliased(Deployment)
    stmt = (select(Activation, Agreement, Partner, deployment)
            .join(Agreement, Agreement.id == Activation.agreement_id)
            .join(Partner, Partner.id == Agreement.partner_id)
            .outerjoin(deployment, deployment.id == Activation.deployment_id)
            .order_by(Activation.requested_at.desc(), Activation.id.desc()).limit(limit))
    if agreement_id is not None:
        stmt = stmt.where(Activation.agreement_id == agreement_id)
    if deployment_id is not None:
        stmt = stmt.where(Activation.deployment_id == deployment_id)
    if activation_id is not None:
        stmt = stmt.where(Activation.id == activation_id)
    rows = session.execute(stmt).all()
    ids = [row[0].id for row in rows]
    lines: dict[int, list[RequestLine]] = {}
    if ids:
        arrived = (select(Arrival.line_id, func.sum(Arrival.quantity).label("quantity"),
                          func.max(Arrival.arrived_at).label("last"))
                   .group_by(Arrival.line_id).subquery())
        for line, item, quantity, last in session.execute(
                select(ActivationLine, Item, arrived.c.quantity, arrived.c.last)
                .outerjoin(Item, Item.id == ActivationLine.item_id)
                .outerjoin(arrived, arrived.c.line_id == ActivationLine.id)
                .where(ActivationLine.activation_id.in_(ids)).options(raiseload(Item.category))
                .order_by(ActivationLine.id)):
            lines.setdefault(line.activation_id, []).append(
                RequestLine(line, item, as_quantity(quantity), last))
    out = [ActivationRow(activation, agreement, partner, found, lines.get(activation.id, []))
           for activation, agreement, partner, found in rows]
    if open_only:
        out = [row for row in out if not row.complete]
    return out


def arrivals(session: Session, activation_id: int) -> list:
    """Return an activation's arrivals, oldest first, with the line they answer."""
    return session.execute(
        select(Arrival, ActivationLine)
        .join(ActivationLine, ActivationLine.id == Arrival.line_id)
        .where(ActivationLine.activation_id == activation_id)
        .order_by(Arrival.arrived_at, Arrival.id)).all()
