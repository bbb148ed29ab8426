"""Stock rules in plain Python: quantities, lot status, FEFO picking, stocktake variances."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from warehouse.domain.errors import N_, Conflict, InvalidInput

# Quantities are whole units (a drum, a jerrycan, a pair of gloves): integers never round.
MAX_QUANTITY = 1_000_000_000
# A balance is a 32-bit integer column on PostgreSQL: a receipt may not push it past this.
MAX_BALANCE = 2**31 - 1
SKU_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,23}$")
LOCATION_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,23}$")
LOT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
# Expiry reports offer these horizons (days); the API takes any value up to the maximum.
EXPIRY_HORIZONS = (30, 60, 90)
MAX_HORIZON_DAYS = 3650


class Tracking(enum.StrEnum):
    """How units of an item are told apart."""

    BULK = "bulk"  # counted only
    LOT = "lot"  # by manufacturer lot, usually with an expiry date
    SERIAL = "serial"  # each unit by its serial number, with inspections


class Unit(enum.StrEnum):
    """Units of measure the catalogue counts in."""

    PIECE = "piece"
    SET = "set"
    PAIR = "pair"
    BOX = "box"
    PACK = "pack"
    BAG = "bag"
    BOTTLE = "bottle"
    DRUM = "drum"
    JERRYCAN = "jerrycan"
    CAN = "can"
    ROLL = "roll"
    METRE = "metre"
    LITRE = "litre"
    KG = "kg"
    SHEET = "sheet"
    CYLINDER = "cylinder"


class LocationKind(enum.StrEnum):
    """What a location is; the tree runs depot -> zone -> rack -> bin."""

    DEPOT = "depot"
    ZONE = "zone"
    RACK = "rack"
    BIN = "bin"
    KIT = "kit"  # a box whose contents move with it
    QUARANTINE = "quarantine"  # held back: damaged, recalled, awaiting inspection
    DEPLOYED = "deployed"  # out with a squad


# Which kinds may sit under which: None is the top of the tree.
ALLOWED_PARENTS: dict[LocationKind, frozenset[LocationKind | None]] = {
    LocationKind.DEPOT: frozenset({None}),
    LocationKind.ZONE: frozenset({LocationKind.DEPOT}),
    LocationKind.RACK: frozenset({LocationKind.ZONE}),
    LocationKind.BIN: frozenset({LocationKind.RACK}),
    LocationKind.KIT: frozenset({LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN,
                                 LocationKind.QUARANTINE, LocationKind.DEPLOYED}),
    LocationKind.QUARANTINE: frozenset({LocationKind.DEPOT, LocationKind.ZONE}),
    LocationKind.DEPLOYED: frozenset({LocationKind.DEPOT}),
}
# Kinds from which stock may be picked for issue or restock.
PICKABLE_KINDS = frozenset({LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN})
# Kinds that may hold stock directly (a depot only holds it through its zones).
STOCKED_KINDS = frozenset(LocationKind) - {LocationKind.DEPOT}


class Reason(enum.StrEnum):
    """Why a quantity changed: every ledger row carries one."""

    RECEIVE = "receive"  # 入库
    MOVE = "move"  # put away, relocate
    ISSUE = "issue"  # 出库 to a purpose
    ADJUST = "adjust"  # correction with a note
    COUNT = "count"  # stocktake variance
    INTO_KIT = "into_kit"
    OUT_OF_KIT = "out_of_kit"
    CONSUME = "consume"  # used up on a deployment
    DISPOSE = "dispose"  # expired or damaged, destroyed


class Purpose(enum.StrEnum):
    """What issued stock is for."""

    INCIDENT = "incident"
    DRILL = "drill"
    TRAINING = "training"
    MAINTENANCE = "maintenance"
    TRANSFER = "transfer"  # to another unit or department
    OTHER = "other"


class StockStatus(enum.StrEnum):
    """Whether a stock record can be used."""

    AVAILABLE = "available"
    QUARANTINED = "quarantined"
    EXPIRED = "expired"
    DEPLOYED = "deployed"  # out of the depot with a squad


class StocktakeStatus(enum.StrEnum):
    """Where a stocktake stands: counted, then approved (variances posted) or cancelled."""

    COUNTING = "counting"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CANCELLED = "cancelled"


def validate_quantity(value, field: str = "quantity") -> int:
    """Return a positive whole quantity or raise InvalidInput naming the field."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput.on(field, N_("must be a whole number"))
    if value <= 0:
        raise InvalidInput.on(field, N_("must be greater than zero"))
    if value > MAX_QUANTITY:
        raise InvalidInput.on(field, N_("at most %(max)d", max=MAX_QUANTITY))
    return value


def validate_sku(value: str) -> str:
    """Return the SKU upper-cased, or raise InvalidInput."""
    sku = (value or "").strip().upper()
    if not SKU_PATTERN.match(sku):
        raise InvalidInput.on("sku", N_("2-24 characters: letters, digits and '-'"))
    return sku


def validate_location_code(value: str) -> str:
    """Return a printable location code upper-cased, or raise InvalidInput."""
    code = (value or "").strip().upper()
    if not LOCATION_CODE_PATTERN.match(code):
        raise InvalidInput.on("code", N_("1-24 characters: letters, digits and '-'"))
    return code


def validate_lot_code(value: str, field: str = "lot") -> str:
    """Return a lot or serial number, or raise InvalidInput."""
    code = (value or "").strip()
    if not LOT_CODE_PATTERN.match(code):
        raise InvalidInput.on(field, N_("1-40 characters: letters, digits and . _ / -"))
    return code


def check_parent(kind: LocationKind, parent_kind: LocationKind | None) -> None:
    """Refuse a location placed under a kind it may not sit in."""
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise InvalidInput.on("parent", N_("a %(kind)s cannot be placed here", kind=kind.value))


def default_expiry(received_on: date, shelf_life_days: int | None) -> date | None:
    """Return the expiry implied by the item's shelf life, or None."""
    if not shelf_life_days:
        return None
    return received_on + timedelta(days=shelf_life_days)


def stock_status(expires_on: date | None, location_kind: LocationKind, today: date) -> StockStatus:
    """Tell whether stock is available, quarantined, deployed or expired (expired wins)."""
    if expires_on is not None and expires_on < today:
        return StockStatus.EXPIRED
    if location_kind == LocationKind.QUARANTINE:
        return StockStatus.QUARANTINED
    if location_kind == LocationKind.DEPLOYED:
        return StockStatus.DEPLOYED
    return StockStatus.AVAILABLE


@dataclass(frozen=True)
class Candidate:
    """A balance that could be picked from."""

    balance_id: int
    location_id: int
    location_kind: LocationKind
    lot_id: int | None
    expires_on: date | None
    received_on: date | None
    quantity: int


@dataclass(frozen=True)
class Pick:
    """Take this many units from this balance."""

    candidate: Candidate
    quantity: int


def fefo_order(candidates: Iterable[Candidate], today: date) -> list[Candidate]:
    """Return the usable candidates first-expiry-first-out; expired and held stock is left out."""
    usable = [c for c in candidates if c.quantity > 0 and c.location_kind in PICKABLE_KINDS
              and stock_status(c.expires_on, c.location_kind, today) == StockStatus.AVAILABLE]
    # No expiry sorts last; ties go to the oldest receipt, then the oldest balance.
    return sorted(usable, key=lambda c: (c.expires_on is None, c.expires_on or date.max,
                                         c.received_on or date.max, c.balance_id))


def fefo_picks(candidates: Sequence[Candidate], quantity: int, today: date) -> list[Pick]:
    """Plan picks for the quantity, first expiry first, or raise Conflict saying what is available."""
    quantity = validate_quantity(quantity)
    picks: list[Pick] = []
    remaining = quantity
    for candidate in fefo_order(candidates, today):
        take = min(candidate.quantity, remaining)
        picks.append(Pick(candidate, take))
        remaining -= take
        if remaining == 0:
            return picks
    available = quantity - remaining
    raise Conflict(N_("only %(available)d available, %(wanted)d requested",
                      available=available, wanted=quantity),
                   {"quantity": [N_("only %(available)d available", available=available)]})


def variance(counted: int, expected: int) -> int:
    """Return counted minus expected: positive means found, negative means missing."""
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise InvalidInput.on("counted", N_("must be zero or a whole number"))
    if counted > MAX_QUANTITY:
        raise InvalidInput.on("counted", N_("at most %(max)d", max=MAX_QUANTITY))
    return counted - expected


@dataclass(frozen=True)
class Rect:
    """A rectangle on the floor plan, in metres from the depot's top-left corner."""

    x: float
    y: float
    width: float
    depth: float

    @property
    def area(self) -> float:
        return self.width * self.depth

    def inside(self, width: float, depth: float) -> bool:
        """Tell whether the rectangle lies within a floor of this size."""
        return self.x >= 0 and self.y >= 0 and self.x + self.width <= width + 1e-9 \
            and self.y + self.depth <= depth + 1e-9

    def overlaps(self, other: Rect) -> bool:
        """Tell whether the two rectangles share any area (touching edges do not count)."""
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.depth and other.y < self.y + self.depth)


def check_zone_rect(rect: Rect, floor_width: float | None, floor_depth: float | None,
                    others: Iterable[tuple[str, Rect]]) -> None:
    """Refuse a zone rectangle that is degenerate, off the floor or overlapping another zone."""
    if rect.width <= 0 or rect.depth <= 0 or rect.x < 0 or rect.y < 0:
        raise InvalidInput.on("plan_width_m", N_("the rectangle needs a positive size on the floor"))
    if floor_width and floor_depth and not rect.inside(floor_width, floor_depth):
        raise InvalidInput.on("plan_x_m", N_("the rectangle lies outside the depot floor "
                                             "(%(width)s × %(depth)s m)",
                                             width=f"{floor_width:g}", depth=f"{floor_depth:g}"))
    for code, other in others:
        if rect.overlaps(other):
            raise InvalidInput.on("plan_x_m", N_("the rectangle overlaps zone %(code)s", code=code))


def neutralise_cell(value) -> object:
    """Return a CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
