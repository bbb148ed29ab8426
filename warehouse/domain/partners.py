"""Partners beyond the depot: departments' stockpiles, support agreements and their commitments.

The plan counts other departments' stockpiles and the commitments of county partners (food,
fuel, repairs, machinery, delivery) as reserve the fire service can reach. This module holds the
rules: which agreements are in force, how the reachable quantities add up, what an acceptable
signed document is.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from warehouse.domain.errors import N_, Conflict, InvalidInput

EXPIRY_WARNING_DAYS = 60
CONTACT_STALE_DAYS = 180
MAX_RESPONSE_HOURS = 720  # a month: anything slower is not emergency support
MAX_QUANTITY = Decimal("1000000000")
AGREEMENT_NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9/-]{1,38}[A-Z0-9]$")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# PDF readers accept the header anywhere in the first kilobyte, but a signed scan starts with it;
# the end-of-file marker sits in the last bytes (after it only line ends or an incremental save).
PDF_HEADER = re.compile(rb"^%PDF-[12]\.\d")
PDF_TRAILER_WINDOW = 2048


class PartnerKind(enum.StrEnum):
    """What a partner is: a department holding a stockpile, a county supporter or a carrier."""

    EMERGENCY_MANAGEMENT = "emergency_management"  # 应急管理局
    DEVELOPMENT_REFORM = "development_reform"  # 发展改革委
    EARTHQUAKE = "earthquake"  # 地震局
    CIVIL_AFFAIRS = "civil_affairs"  # 民政局
    WATER_RESOURCES = "water_resources"  # 水利局
    SUPERMARKET = "supermarket"  # 大型超市
    AUTO_REPAIR = "auto_repair"  # 汽车维修厂
    OIL_DEPOT = "oil_depot"  # 大型油库
    RESTAURANT = "restaurant"  # 大型餐饮店
    MACHINERY = "machinery"  # 大型工程机械公司
    RAILWAY = "railway"  # 铁路部门
    LOGISTICS = "logistics"  # 大型物流企业
    OTHER = "other"


# The five departments whose stockpiles the plan includes in the reserve list.
DEPARTMENT_KINDS = (PartnerKind.EMERGENCY_MANAGEMENT, PartnerKind.DEVELOPMENT_REFORM,
                    PartnerKind.EARTHQUAKE, PartnerKind.CIVIL_AFFAIRS, PartnerKind.WATER_RESOURCES)
# The partners every county/district should have an emergency support agreement with.
COUNTY_KINDS = (PartnerKind.SUPERMARKET, PartnerKind.AUTO_REPAIR, PartnerKind.OIL_DEPOT,
                PartnerKind.RESTAURANT, PartnerKind.MACHINERY)
# Delivery cooperation partners forming the emergency distribution centre.
DELIVERY_KINDS = (PartnerKind.RAILWAY, PartnerKind.LOGISTICS)


def holds_stockpile(kind: PartnerKind) -> bool:
    """Tell whether partners of this kind keep a departmental stockpile list."""
    return kind in DEPARTMENT_KINDS


class AgreementStatus(enum.StrEnum):
    """The recorded status of an agreement; whether it is in force also depends on its dates."""

    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class Standing(enum.StrEnum):
    """An agreement's standing on a given day, from its status and its term."""

    DRAFT = "draft"
    PENDING = "pending"  # active, but its term has not started
    IN_FORCE = "in_force"
    EXPIRING = "expiring"  # in force, ending within the warning window
    EXPIRED = "expired"
    TERMINATED = "terminated"


class Period(enum.StrEnum):
    """How a committed quantity is meant: once in all, or every day of an emergency."""

    TOTAL = "total"
    PER_DAY = "per_day"


class Source(enum.StrEnum):
    """Where reachable reserve comes from."""

    DEPOT = "depot"
    STOCKPILE = "stockpile"
    AGREEMENT = "agreement"


# --- agreements -------------------------------------------------------------------------------

def validate_agreement_number(value) -> str:
    """Return an agreement number normalised to upper case, or raise InvalidInput."""
    number = (value or "").strip().upper() if isinstance(value, str) or value is None else None
    if not number or not AGREEMENT_NUMBER_PATTERN.match(number):
        raise InvalidInput.on("number", N_("3-40 capital letters, digits, '-' and '/', e.g. %(example)s",
                                           example="LY-XF-2026-001"))
    return number


def check_term(valid_from: date | None, valid_to: date | None, signed_on: date | None = None) -> None:
    """Refuse an agreement without a term, ending before it starts, or signed after it ends."""
    if valid_from is None:
        raise InvalidInput.on("valid_from", N_("required"))
    if valid_to is None:
        raise InvalidInput.on("valid_to", N_("required"))
    if valid_to < valid_from:
        raise InvalidInput.on("valid_to", N_("must not be before the start date"))
    if signed_on is not None and signed_on > valid_to:
        raise InvalidInput.on("signed_on", N_("must not be after the end date"))


def validate_response_hours(value) -> int:
    """Return the hours to deliver (0-720) or raise InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip()) if value not in (None, "") else None
        except ValueError:
            value = None
    if value is None or not 0 <= value <= MAX_RESPONSE_HOURS:
        raise InvalidInput.on("response_hours", N_("whole hours from 0 to %(max)d", max=MAX_RESPONSE_HOURS))
    return value


def standing(status: AgreementStatus, valid_from: date, valid_to: date, on: date,
             warning_days: int = EXPIRY_WARNING_DAYS) -> Standing:
    """Return the agreement's standing on a day."""
    if status == AgreementStatus.DRAFT:
        return Standing.DRAFT
    if status == AgreementStatus.TERMINATED:
        return Standing.TERMINATED
    if status == AgreementStatus.EXPIRED or on > valid_to:
        return Standing.EXPIRED
    if on < valid_from:
        return Standing.PENDING
    if valid_to < on + timedelta(days=warning_days):
        return Standing.EXPIRING
    return Standing.IN_FORCE


def in_force(status: AgreementStatus, valid_from: date, valid_to: date, on: date) -> bool:
    """Tell whether partners can be called on under this agreement on this day."""
    return status == AgreementStatus.ACTIVE and valid_from <= on <= valid_to


def can_activate(status: AgreementStatus, valid_from: date, valid_to: date, on: date) -> None:
    """Refuse calling on an agreement that is not in force (its standing says why)."""
    if in_force(status, valid_from, valid_to, on):
        return
    reason = {
        Standing.DRAFT: N_("the agreement is a draft, not in force"),
        Standing.PENDING: N_("the agreement's term has not started"),
        Standing.EXPIRED: N_("the agreement has expired"),
        Standing.TERMINATED: N_("the agreement was terminated"),
    }[standing(status, valid_from, valid_to, on)]
    raise Conflict(reason, {"agreement": [N_("not in force")]})


# --- quantities -------------------------------------------------------------------------------

def validate_quantity(value, field: str = "quantity", *, whole: bool = False) -> Decimal:
    """Return a positive quantity (up to three decimals; whole when counted in catalogue units)."""
    if isinstance(value, bool):
        value = None
    try:
        quantity = Decimal(str(value).strip()) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise InvalidInput.on(field, N_("a number such as 20 or 2.5"))
    if quantity <= 0:
        raise InvalidInput.on(field, N_("must be more than zero"))
    if quantity >= MAX_QUANTITY:
        raise InvalidInput.on(field, N_("too large"))
    if whole and quantity != quantity.to_integral_value():
        raise InvalidInput.on(field, N_("whole units: the catalogue counts this item in units"))
    if quantity != quantity.quantize(Decimal("0.001")):
        raise InvalidInput.on(field, N_("at most three decimals"))
    return quantity.quantize(Decimal("0.001")) if not whole else quantity.to_integral_value()


def check_commitment_target(item_id: int | None, category_id: int | None, description: str,
                            unit: str) -> None:
    """A commitment names a catalogue item, or else says in words (and a unit) what it is."""
    if item_id is not None and category_id is not None:
        raise InvalidInput.on("category", N_("give an item or a category, not both"))
    if item_id is None and not description:
        raise InvalidInput.on("description", N_("required when no catalogue item is given"))
    if item_id is None and not unit:
        raise InvalidInput.on("unit", N_("required when no catalogue item is given"))


# --- contacts ---------------------------------------------------------------------------------

def out_of_touch(last_reached: datetime | None, now: datetime, days: int = CONTACT_STALE_DAYS) -> bool:
    """Tell whether nobody has reached the partner within the window."""
    return last_reached is None or last_reached < now - timedelta(days=days)


# --- documents --------------------------------------------------------------------------------

def check_pdf(data: bytes, limit: int = DOCUMENT_MAX_BYTES) -> None:
    """Refuse an upload that is empty, too large, or not a PDF by its content (not its name)."""
    if not data:
        raise InvalidInput.on("document", N_("the file is empty"))
    if len(data) > limit:
        raise InvalidInput.on("document", N_("at most %(size)s MB", size=f"{limit / 1048576:g}"))
    if not PDF_HEADER.match(data):
        raise InvalidInput.on("document", N_("not a PDF document"))
    if b"%%EOF" not in data[-PDF_TRAILER_WINDOW:]:
        raise InvalidInput.on("document", N_("not a complete PDF document"))


def document_filename(name: str | None, fallback: str) -> str:
    """Return a safe download name: no path, no control characters, ending in .pdf."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ").strip(" .")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .")[:100] or fallback
    return f"{stem}.pdf"


# --- reachable reserve ------------------------------------------------------------------------

@dataclass(frozen=True)
class Supply:
    """One place reserve can come from: quantity, how it is meant, and how fast it arrives."""

    source: Source
    quantity: Decimal
    period: Period = Period.TOTAL
    # None when nobody has promised a time (a stockpile whose department signed nothing).
    response_hours: int | None = 0


@dataclass(frozen=True)
class Reach:
    """What can be reached of one item: by source, in all, and within the asked time."""

    depot: Decimal
    stockpiles: Decimal
    committed: Decimal
    committed_per_day: Decimal
    total: Decimal
    within: Decimal | None
    enough: bool | None


def reach(supplies: Iterable[Supply], *, within_hours: int | None = None,
          needed: Decimal | None = None) -> Reach:
    """Add up the supplies of one item; a daily commitment counts once (the first day's)."""
    by_source = {source: Decimal(0) for source in Source}
    per_day = Decimal(0)
    total = Decimal(0)
    within = Decimal(0)
    for supply in supplies:
        if supply.period == Period.PER_DAY:
            per_day += supply.quantity
        else:
            by_source[supply.source] += supply.quantity
        total += supply.quantity
        if within_hours is not None and supply.response_hours is not None \
                and supply.response_hours <= within_hours:
            within += supply.quantity
    reachable = within if within_hours is not None else total
    return Reach(depot=by_source[Source.DEPOT], stockpiles=by_source[Source.STOCKPILE],
                 committed=by_source[Source.AGREEMENT], committed_per_day=per_day, total=total,
                 within=within if within_hours is not None else None,
                 enough=None if needed is None else reachable >= needed)
