"""Partners: districts, partners and their contacts, contact checks, stockpile lines, alerts and the
reachable reserve."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.partners import (
    CONTACT_STALE_DAYS,
    COUNTY_KINDS,
    DELIVERY_KINDS,
    DEPARTMENT_KINDS,
    MAX_QUANTITY,
    MAX_RESPONSE_HOURS,
    AgreementStatus,
    PartnerKind,
    Period,
    Source,
    Standing,
)
from warehouse.domain.stock import Unit
from warehouse.models.base import utcnow
from warehouse.queries.partners import PARTNER_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema, UTCDateTime, id_field
from warehouse.services.partners import CONTACT_TEXT_LIMITS, MAX_STOCKPILE_QUANTITY, PARTNER_TEXT_LIMITS

KIND_VALUES = [k.value for k in PartnerKind]
# The registry's groups of kinds, as the pages group them.
GROUPS = {"department": DEPARTMENT_KINDS, "county": COUNTY_KINDS, "delivery": DELIVERY_KINDS}
DISTRICT_CODE = validate.Length(min=1, max=8)
CATEGORY_CODE = validate.Length(min=1, max=2)
SKU = validate.Length(min=1, max=24)
PHONE = validate.Length(max=40)
Q_MAX = 80
QUANTITY_LIMIT = int(MAX_QUANTITY)  # a plain number in the OpenAPI document, not a string


class Amount(ma.fields.Decimal):
    """A quantity as a JSON number: 20 or 2.5, never "20.000" nor a string."""

    def __init__(self, *, strict: bool = True, **kwargs) -> None:
        # Strict for JSON bodies; a query string's numbers can only come as text.
        super().__init__(allow_nan=False, **kwargs)
        self.strict = strict

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)

    def _deserialize(self, value, attr, data, **kwargs):
        # "5" or true would be read by Decimal, but in a JSON body they are not numbers.
        if self.strict and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def amount_field(**kwargs) -> Amount:
    """Return an input field for a quantity above zero (the services allow three decimals)."""
    kwargs.setdefault("metadata", {"description": "More than zero, at most three decimals, e.g. 20 or 2.5"})
    return Amount(validate=validate.Range(min=0, min_inclusive=False, max=QUANTITY_LIMIT,
                                          max_inclusive=False), **kwargs)


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=limit), **kwargs)


def _name(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.Length(min=1, max=limit), **kwargs)


# --- shared references ------------------------------------------------------------------------

class DistrictSchema(ma.Schema):
    """A county or district of Liaoyuan, or the city level."""

    code = ma.fields.String(required=True, metadata={"description": "LY (city level), LS, XA, DL, DF"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class DistrictEntrySchema(DistrictSchema):
    """A district in the list of them."""

    city_level = ma.fields.Boolean(required=True, metadata={
        "description": "The city level, where the departments sit"})


class ItemRefSchema(ma.Schema):
    """A catalogue item named in a line."""

    id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)


class CategoryRefSchema(ma.Schema):
    """A material category named in a line."""

    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class PartnerRefSchema(ma.Schema):
    """The partner a line or an agreement belongs to."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(PartnerKind, by_value=True, required=True)
    district = ma.fields.Nested(DistrictSchema, required=True)


class ContactRefSchema(ma.Schema):
    """Whom to call: the partner's first active contact."""

    name = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    phone_24h = ma.fields.String(required=True, metadata={"description": "Answered day and night"})


def partner_ref(partner, district) -> dict:
    """Return what PartnerRefSchema dumps."""
    return {"id": partner.id, "name": partner.name, "kind": partner.kind, "district": district}


# --- partners ---------------------------------------------------------------------------------

PARTNER_COLUMNS = ("id", "name", "name_en", "kind", "address", "note", "active")


def partner_fields(row) -> dict:
    """Return what PartnerSchema dumps of a queries.partners.PartnerRow."""
    return {
        **{name: getattr(row.partner, name) for name in PARTNER_COLUMNS},
        "district": row.district, "contacts_count": row.contacts, "agreements_count": row.agreements,
        "agreements_in_force": row.agreements_in_force, "stockpile_lines": row.stockpile_lines,
        "last_reached_at": row.reached_at, "last_checked_at": row.checked_at,
        "out_of_touch": row.out_of_touch(utcnow()), "contact": row.contact,
    }


class PartnerSchema(ma.Schema):
    """A department, county partner or carrier with its counts and the number to call."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, metadata={"description": "e.g. 龙山区欧亚购物中心"})
    name_en = ma.fields.String(required=True)
    kind = ma.fields.Enum(PartnerKind, by_value=True, required=True, metadata={
        "description": "Departments keeping stockpiles (emergency_management, development_reform, "
                       "earthquake, civil_affairs, water_resources); county partners (supermarket, "
                       "auto_repair, oil_depot, restaurant, machinery); carriers (railway, logistics); "
                       "other"})
    district = ma.fields.Nested(DistrictSchema, required=True)
    address = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    contacts_count = ma.fields.Integer(required=True, metadata={"description": "Active contacts"})
    agreements_count = ma.fields.Integer(required=True)
    agreements_in_force = ma.fields.Integer(required=True, metadata={
        "description": "Agreements active today within their term"})
    stockpile_lines = ma.fields.Integer(required=True,
                                        metadata={"description": "Departments' stockpile lines"})
    last_reached_at = ma.fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When a contact last answered a check call"})
    last_checked_at = ma.fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When a contact was last called, answered or not"})
    out_of_touch = ma.fields.Boolean(required=True, metadata={
        "description": f"Nobody reached within {CONTACT_STALE_DAYS} days"})
    contact = ma.fields.Nested(ContactRefSchema, required=True, allow_none=True, metadata={
        "description": "The first active contact: the one to call"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        return partner_fields(row)


class ContactSchema(ma.Schema):
    """Someone to call at a partner, and when they were last tried and reached."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    phone_24h = ma.fields.String(required=True)
    phone_office = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True, metadata={"description": "false: no longer there"})
    last_checked_at = ma.fields.DateTime(required=True, allow_none=True)
    last_reached_at = ma.fields.DateTime(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.partners.ContactRow.
        contact = row.contact
        return {**{name: getattr(contact, name) for name in (
            "id", "name", "title", "phone_24h", "phone_office", "note", "active")},
            "last_checked_at": row.checked_at, "last_reached_at": row.reached_at}


class ContactCheckSchema(ma.Schema):
    """A call made to check a contact still answers."""

    id = ma.fields.Integer(required=True)
    contact_id = ma.fields.Integer(required=True)
    contact_name = ma.fields.String(required=True)
    checked_at = ma.fields.DateTime(required=True)
    reached = ma.fields.Boolean(required=True)
    note = ma.fields.String(required=True)
    checked_by = ma.fields.String(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.partners.contact_checks: (ContactCheck, contact_name), or a dict of them.
        check, contact_name = (row["check"], row["contact_name"]) if isinstance(row, dict) else row
        return {"id": check.id, "contact_id": check.contact_id, "contact_name": contact_name,
                "checked_at": check.checked_at, "reached": check.reached, "note": check.note,
                "checked_by": check.checked_by_name}


class StockpileLineSchema(ma.Schema):
    """An item a department holds for the reserve: how much, where, as of when."""

    id = ma.fields.Integer(required=True)
    item = ma.fields.Nested(ItemRefSchema, required=True)
    category = ma.fields.Nested(CategoryRefSchema, required=True)
    quantity = ma.fields.Integer(required=True, metadata={"description": "In the item's catalogue unit"})
    location = ma.fields.String(required=True)
    as_of = ma.fields.Date(required=True)
    note = ma.fields.String(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.partners.stockpile_rows: (StockpileLine, Item, Category).
        line, item, category = row
        return {"id": line.id, "item": item, "category": category, "quantity": line.quantity,
                "location": line.location, "as_of": line.as_of, "note": line.note}


class PartnerAgreementSchema(ma.Schema):
    """One of a partner's agreements, in brief."""

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Enum(AgreementStatus, by_value=True, required=True)
    standing = ma.fields.Enum(Standing, by_value=True, required=True)
    valid_to = ma.fields.Date(required=True)
    days_left = ma.fields.Integer(required=True, metadata={"description": "Negative once ended"})
    response_hours = ma.fields.Integer(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.partners.AgreementRow.
        agreement = row.agreement
        return {"id": agreement.id, "number": agreement.number, "title": agreement.title,
                "status": agreement.status, "standing": row.standing, "valid_to": agreement.valid_to,
                "days_left": row.days_left, "response_hours": agreement.response_hours}


class PartnerDetailSchema(PartnerSchema):
    """A partner with its contacts, check log, stockpile list and agreements."""

    contacts = ma.fields.List(ma.fields.Nested(ContactSchema), required=True,
                              metadata={"description": "Active ones first"})
    checks = ma.fields.List(ma.fields.Nested(ContactCheckSchema), required=True,
                            metadata={"description": "The latest 20 check calls, newest first"})
    stockpile = ma.fields.List(ma.fields.Nested(StockpileLineSchema), required=True,
                               metadata={"description": "Departments only; empty for the others"})
    agreements = ma.fields.List(ma.fields.Nested(PartnerAgreementSchema), required=True,
                                metadata={"description": "The earliest end first"})

    @ma.pre_dump
    def flatten(self, detail, **kwargs):
        # {"row": PartnerRow, "contacts": [...], "checks": [...], "stockpile": [...], "agreements": [...]}
        return partner_fields(detail["row"]) | {name: detail[name] for name in (
            "contacts", "checks", "stockpile", "agreements")}


class PartnerListArgsSchema(PageArgsSchema):
    """Filters and sort of the partner registry."""

    kind = ma.fields.String(validate=validate.OneOf(KIND_VALUES))
    group = ma.fields.String(validate=validate.OneOf(list(GROUPS)), metadata={
        "description": "department: the five stockpile-keeping departments; county: supermarkets, "
                       "repair plants, oil depots, restaurants, machinery; delivery: railway, logistics"})
    district = ma.fields.String(validate=DISTRICT_CODE, metadata={"description": "District code, e.g. LS"})
    q = ma.fields.String(validate=validate.Length(max=Q_MAX),
                         metadata={"description": "Part of the name (Chinese or English) or address"})
    active = ma.fields.Boolean(load_default=True, metadata={
        "description": "true (default): active partners; false: deactivated ones"})
    out_of_touch = ma.fields.Boolean(load_default=False, metadata={
        "description": f"true: only partners nobody reached within {CONTACT_STALE_DAYS} days"})
    sort = ma.fields.String(load_default="district", validate=validate.OneOf(list(PARTNER_SORTS)))


class _PartnerFieldsSchema(StrictSchema):
    """What a new partner and a change to one share: every field optional."""

    name = _name(PARTNER_TEXT_LIMITS["name"])
    name_en = _text(PARTNER_TEXT_LIMITS["name_en"])
    kind = ma.fields.String(validate=validate.OneOf(KIND_VALUES), metadata={
        "description": "Only the five departments keep stockpile lists"})
    district = ma.fields.String(validate=DISTRICT_CODE, metadata={"description": "District code, e.g. LS"})
    address = _text(PARTNER_TEXT_LIMITS["address"])
    note = _text(PARTNER_TEXT_LIMITS["note"])


class PartnerCreateSchema(_PartnerFieldsSchema):
    """A new partner."""

    name = _name(PARTNER_TEXT_LIMITS["name"], required=True, metadata={"description": "Unique"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    district = ma.fields.String(required=True, validate=DISTRICT_CODE,
                                metadata={"description": "District code: LY, LS, XA, DL, DF"})


class PartnerUpdateSchema(_PartnerFieldsSchema):
    """Changes to a partner."""

    active = ma.fields.Boolean(metadata={
        "description": "false deactivates the partner (kept for the record)"})


class _ContactFieldsSchema(StrictSchema):
    name = _name(CONTACT_TEXT_LIMITS["name"])
    title = _text(CONTACT_TEXT_LIMITS["title"])
    phone_24h = ma.fields.String(validate=PHONE, metadata={"description": "e.g. 0437 321 0119"})
    phone_office = ma.fields.String(allow_none=True, validate=PHONE)
    note = _text(CONTACT_TEXT_LIMITS["note"])


class ContactCreateSchema(_ContactFieldsSchema):
    """Someone to call at a partner."""

    name = _name(CONTACT_TEXT_LIMITS["name"], required=True)
    phone_24h = ma.fields.String(required=True, validate=PHONE, metadata={
        "description": "Answered day and night, e.g. 0437 321 0119"})


class ContactUpdateSchema(_ContactFieldsSchema):
    """Changes to a contact."""

    active = ma.fields.Boolean(metadata={"description": "false: no longer there"})


class ContactCheckInputSchema(StrictSchema):
    """A call made to check a contact still answers."""

    reached = ma.fields.Boolean(required=True, metadata={"description": "Whether they answered"})
    checked_at = UTCDateTime(allow_none=True, metadata={"description": "Default now; not in the future"})
    note = _text(400)


class StockpileLineUpdateSchema(StrictSchema):
    """Changes to a stockpile line."""

    item_id = id_field()
    quantity = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_STOCKPILE_QUANTITY - 1),
                                 metadata={"description": "Whole catalogue units; 0 when used up"})
    location = _text(120, metadata={"description": "Where the department keeps it"})
    as_of = ma.fields.Date(allow_none=True, metadata={"description": "Counted on; not in the future"})
    note = _text(400)


class StockpileLineCreateSchema(StockpileLineUpdateSchema):
    """An item a department holds for the reserve."""

    item_id = id_field(required=True)
    quantity = ma.fields.Integer(required=True, strict=True,
                                 validate=validate.Range(min=0, max=MAX_STOCKPILE_QUANTITY - 1),
                                 metadata={"description": "Whole catalogue units"})
    as_of = ma.fields.Date(allow_none=True, metadata={"description": "Default today; not in the future"})


# --- alerts -----------------------------------------------------------------------------------

class AlertCountsSchema(ma.Schema):
    """How many of each alert."""

    agreements = ma.fields.Integer(required=True)
    expiring = ma.fields.Integer(required=True, metadata={"description": "Ending within 60 days"})
    expired = ma.fields.Integer(required=True, metadata={"description": "Ended but still marked active"})
    partners = ma.fields.Integer(required=True, metadata={"description": "Out of touch"})
    total = ma.fields.Integer(required=True)


class AlertAgreementSchema(PartnerAgreementSchema):
    """An agreement needing attention, with its partner."""

    partner = ma.fields.Nested(PartnerRefSchema, required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        return super().flatten(row) | {"partner": partner_ref(row.partner, row.district)}


class AlertsSchema(ma.Schema):
    """Agreements ending within 60 days or ended while still active; active partners nobody reached
    within 180 days."""

    agreements = ma.fields.List(ma.fields.Nested(AlertAgreementSchema), required=True,
                                metadata={"description": "The earliest end first"})
    partners = ma.fields.List(ma.fields.Nested(PartnerSchema), required=True)
    counts = ma.fields.Nested(AlertCountsSchema, required=True)

    @ma.pre_dump
    def flatten(self, found, **kwargs):
        # A queries.partners.Alerts.
        standings = [row.standing for row in found.agreements]
        return {"agreements": found.agreements, "partners": found.out_of_touch, "counts": {
            "agreements": len(found.agreements), "expiring": standings.count(Standing.EXPIRING),
            "expired": standings.count(Standing.EXPIRED), "partners": len(found.out_of_touch),
            "total": found.count}}


# --- the reachable reserve --------------------------------------------------------------------

class ReachableArgsSchema(StrictSchema):
    """What to look for: one item, one category, or words (with an item or category or alone)."""

    item = ma.fields.String(validate=SKU, metadata={"description": "Item SKU"})
    category = ma.fields.String(validate=CATEGORY_CODE, metadata={"description": "Category code, e.g. FF"})
    q = ma.fields.String(validate=validate.Length(min=1, max=Q_MAX), metadata={
        "description": "Words in commitments outside the catalogue, e.g. 挖掘机"})
    within_hours = ma.fields.Integer(validate=validate.Range(min=0, max=MAX_RESPONSE_HOURS), metadata={
        "description": "Count only what arrives within so many hours (the depot's at once)"})
    quantity = amount_field(strict=False, metadata={"description": "How much is needed: answers enough "
                                                                   "true/false"})

    @ma.validates_schema
    def one_target(self, data, **kwargs):
        if data.get("item") and data.get("category"):
            raise ma.ValidationError("give an item or a category, not both", "category")
        if not (data.get("item") or data.get("category") or (data.get("q") or "").strip()):
            raise ma.ValidationError("give an item SKU, a category code or words", "item")


class ReachSchema(ma.Schema):
    """One item's reachable reserve, added up by source."""

    item = ma.fields.Nested(ItemRefSchema, required=True)
    depot = Amount(required=True, metadata={"description": "Usable in the depot now"})
    stockpiles = Amount(required=True, metadata={"description": "In departments' stockpiles"})
    committed = Amount(required=True, metadata={"description": "Committed once by agreements in force"})
    committed_per_day = Amount(required=True, metadata={
        "description": "Committed every day by agreements in force (the first day's counts in total)"})
    total = Amount(required=True)
    within = Amount(required=True, allow_none=True, metadata={
        "description": "What arrives within within_hours; null when no time was asked"})
    enough = ma.fields.Boolean(required=True, allow_none=True, metadata={
        "description": "Whether it covers the quantity asked (within the time, if asked); null when "
                       "no quantity was asked"})

    @ma.pre_dump
    def flatten(self, entry, **kwargs):
        # A queries.partners.ItemReach.
        found = entry.reach
        return {"item": entry.item, "depot": found.depot, "stockpiles": found.stockpiles,
                "committed": found.committed, "committed_per_day": found.committed_per_day,
                "total": found.total, "within": found.within, "enough": found.enough}


class SourceAgreementSchema(ma.Schema):
    """The agreement a commitment is made under."""

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    valid_to = ma.fields.Date(required=True)


class SourceSchema(ma.Schema):
    """One place reserve can come from: the depot, a department's stockpile or a commitment."""

    source = ma.fields.Enum(Source, by_value=True, required=True)
    item = ma.fields.Nested(ItemRefSchema, required=True, allow_none=True)
    category = ma.fields.Nested(CategoryRefSchema, required=True, allow_none=True)
    description = ma.fields.String(required=True)
    quantity = Amount(required=True, metadata={"description": "The depot's: usable now"})
    unit = ma.fields.String(required=True)
    period = ma.fields.Enum(Period, by_value=True, required=True)
    response_hours = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Hours to deliver; 0 for the depot; null for a stockpile nobody promised a time for"})
    counted = ma.fields.Boolean(required=True, metadata={
        "description": "Added to an item's totals; false for category and free-text lines (another unit)"})
    within = ma.fields.Boolean(required=True, metadata={
        "description": "Arrives within within_hours (always true when no time was asked)"})
    partner = ma.fields.Nested(PartnerRefSchema, required=True, allow_none=True)
    agreement = ma.fields.Nested(SourceAgreementSchema, required=True, allow_none=True)
    location = ma.fields.String(required=True)
    as_of = ma.fields.Date(required=True, allow_none=True)
    on_hand = Amount(required=True, allow_none=True, metadata={
        "description": "The depot's: all it holds, usable or not"})
    contact = ma.fields.Nested(ContactRefSchema, required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, pair, **kwargs):
        # {"row": queries.partners.SourceRow, "within": bool}
        row = pair["row"]
        return {
            "source": row.source, "item": row.item, "category": row.category, "description": row.description,
            "quantity": row.quantity, "unit": row.unit, "period": row.period,
            "response_hours": row.response_hours, "counted": row.counted, "within": pair["within"],
            "partner": partner_ref(row.partner, row.district) if row.partner is not None else None,
            "agreement": ({"id": row.agreement_id, "number": row.agreement_number, "valid_to": row.valid_to}
                          if row.agreement_id is not None else None),
            "location": row.location, "as_of": row.as_of, "on_hand": row.on_hand, "contact": row.contact}


class ReachableSchema(ma.Schema):
    """Who can supply this, how much and how fast: per item the totals, then every source."""

    on = ma.fields.Date(required=True, metadata={"description": "The day: agreements in force on it count"})
    item = ma.fields.Nested(ItemRefSchema, required=True, allow_none=True)
    category = ma.fields.Nested(CategoryRefSchema, required=True, allow_none=True)
    q = ma.fields.String(required=True, allow_none=True)
    within_hours = ma.fields.Integer(required=True, allow_none=True)
    quantity = Amount(required=True, allow_none=True)
    items = ma.fields.List(ma.fields.Nested(ReachSchema), required=True)
    sources = ma.fields.List(ma.fields.Nested(SourceSchema), required=True, metadata={
        "description": "The depot first, then stockpiles and commitments, the fastest first"})

    @ma.pre_dump
    def flatten(self, answer, **kwargs):
        # {"found": queries.partners.Reachable, "item": Item|None, "category": Category|None, "q": str|None}
        found = answer["found"]
        return {"on": found.on, "item": answer["item"], "category": answer["category"], "q": answer["q"],
                "within_hours": found.within_hours, "quantity": found.needed, "items": found.items,
                "sources": [{"row": row, "within": found.within(row)} for row in found.sources]}
