"""Kit rules in plain Python: the box lifecycle, completeness against a template, restock plans."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from warehouse.domain.errors import N_, Conflict, InvalidInput
from warehouse.domain.stock import Candidate, fefo_order

MODULE_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
TEMPLATE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,23}$")
KIT_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,23}$")
# A box label carries K-<module>-<number>: four digits stay short on a 50 x 30 mm label.
KIT_NUMBER_WIDTH = 4
MAX_PAR = 100_000
MAX_SHELF_DAYS = 3650
MAX_BOXES_REQUIRED = 1000


class KitStatus(enum.StrEnum):
    """Where a box stands in its life: built, ready or short, out, back, refilled, held, gone."""

    ASSEMBLING = "assembling"
    READY = "ready"
    SHORT = "short"
    DEPLOYED = "deployed"
    RETURNED = "returned"  # back from a deployment, needs inspection
    RESTOCKING = "restocking"
    QUARANTINED = "quarantined"
    RETIRED = "retired"


# The states in words, translated where a page shows a message naming them.
STATUS_WORDS = {
    KitStatus.ASSEMBLING: N_("assembling"),
    KitStatus.READY: N_("ready"),
    KitStatus.SHORT: N_("short"),
    KitStatus.DEPLOYED: N_("deployed"),
    KitStatus.RETURNED: N_("returned"),
    KitStatus.RESTOCKING: N_("restocking"),
    KitStatus.QUARANTINED: N_("quarantined"),
    KitStatus.RETIRED: N_("retired"),
}


class BoxType(enum.StrEnum):
    """The physical container a template is packed in."""

    PALLET_BOX = "pallet_box"  # 1.2 x 1.0 m, forklift
    CASE = "case"  # 0.6 x 0.4 m stackable case
    BAG = "bag"
    CABINET = "cabinet"  # wheeled cabinet or roll container
    CYLINDER_RACK = "cylinder_rack"


class InspectionOutcome(enum.StrEnum):
    """What an inspection of a box found."""

    PASSED = "passed"
    DEFECTS = "defects"  # usable, findings noted for follow-up
    FAILED = "failed"  # not usable: the box goes to quarantine


# The lifecycle. Ready and short are one resting state seen through completeness, so a box
# moves between them freely; deployed and returned belong to check-out and check-in.
TRANSITIONS: dict[KitStatus, frozenset[KitStatus]] = {
    KitStatus.ASSEMBLING: frozenset({KitStatus.READY, KitStatus.SHORT, KitStatus.RESTOCKING,
                                     KitStatus.RETIRED}),
    KitStatus.READY: frozenset({KitStatus.SHORT, KitStatus.DEPLOYED, KitStatus.RESTOCKING,
                                KitStatus.QUARANTINED, KitStatus.RETIRED}),
    KitStatus.SHORT: frozenset({KitStatus.READY, KitStatus.DEPLOYED, KitStatus.RESTOCKING,
                                KitStatus.QUARANTINED, KitStatus.RETIRED}),
    KitStatus.DEPLOYED: frozenset({KitStatus.RETURNED}),
    KitStatus.RETURNED: frozenset({KitStatus.READY, KitStatus.SHORT, KitStatus.RESTOCKING,
                                   KitStatus.QUARANTINED}),
    KitStatus.RESTOCKING: frozenset({KitStatus.READY, KitStatus.SHORT, KitStatus.QUARANTINED}),
    KitStatus.QUARANTINED: frozenset({KitStatus.READY, KitStatus.SHORT, KitStatus.RESTOCKING,
                                      KitStatus.RETIRED}),
    KitStatus.RETIRED: frozenset(),
}
# States in which the box rests in the depot and its completeness decides ready or short.
RESTING = frozenset({KitStatus.READY, KitStatus.SHORT})
# States from which a box may be filled from depot stock.
RESTOCKABLE = frozenset({KitStatus.ASSEMBLING, KitStatus.READY, KitStatus.SHORT,
                         KitStatus.RETURNED, KitStatus.RESTOCKING})
# Deployed and returned are set by check-out and check-in, not by hand.
SET_BY_DEPLOYMENT = frozenset({KitStatus.DEPLOYED, KitStatus.RETURNED})


def check_transition(code: str, current: KitStatus, target: KitStatus) -> None:
    """Refuse a status change the lifecycle does not allow, naming the current state."""
    if target == current or target not in TRANSITIONS[current]:
        raise Conflict(N_("box %(code)s is %(status)s and cannot become %(target)s",
                          code=code, status=STATUS_WORDS[current], target=STATUS_WORDS[target]),
                       {"status": [N_("currently %(status)s", status=STATUS_WORDS[current])]})


def resting_status(complete: bool) -> KitStatus:
    """Return ready for a complete box and short otherwise."""
    return KitStatus.READY if complete else KitStatus.SHORT


def status_after_fill(current: KitStatus, complete: bool) -> KitStatus:
    """Return the status a box takes after it was filled or emptied."""
    if current == KitStatus.ASSEMBLING and not complete:
        return KitStatus.ASSEMBLING
    return resting_status(complete)


def effective_status(stored: KitStatus, complete: bool) -> KitStatus:
    """Return what a box is now: a resting box is ready or short by its contents today."""
    return resting_status(complete) if stored in RESTING else stored


def validate_module_code(value: str) -> str:
    """Return a module code (2-6 capitals and digits) or raise InvalidInput."""
    code = (value or "").strip().upper()
    if not MODULE_CODE_PATTERN.match(code):
        raise InvalidInput.on("code", N_("2-6 characters: capital letters and digits"))
    return code


def validate_template_code(value: str) -> str:
    """Return a template code or raise InvalidInput."""
    code = (value or "").strip().upper()
    if not TEMPLATE_CODE_PATTERN.match(code):
        raise InvalidInput.on("code", N_("2-24 characters: letters, digits and '-'"))
    return code


def validate_kit_code(value: str, field: str = "code") -> str:
    """Return a box code upper-cased or raise InvalidInput."""
    code = (value or "").strip().upper()
    if not KIT_CODE_PATTERN.match(code):
        raise InvalidInput.on(field, N_("3-24 characters: letters, digits and '-'"))
    return code


def kit_code(module_code: str, number: int) -> str:
    """Return the printed code of a module's box number n, e.g. K-EQ-0007."""
    return f"K-{module_code}-{number:0{KIT_NUMBER_WIDTH}d}"


def kit_number(module_code: str, code: str) -> int | None:
    """Return the number in a module's box code, or None if the code has another shape."""
    prefix = f"K-{module_code}-"
    rest = code[len(prefix):] if code.startswith(prefix) else ""
    # isascii: str.isdigit also accepts digits such as "²" that int() refuses.
    return int(rest) if rest.isascii() and rest.isdigit() else None


def usable_from(today: date, min_shelf_days: int) -> date:
    """Return the first expiry date that still counts for a line with this minimum shelf life."""
    return today + timedelta(days=min_shelf_days)


def is_usable(expires_on: date | None, today: date, min_shelf_days: int) -> bool:
    """Tell whether stock expiring then still counts towards a line's par."""
    return expires_on is None or expires_on >= usable_from(today, min_shelf_days)


@dataclass(frozen=True)
class LineSpec:
    """A template's content line: an item (or its substitutes), par and minimum shelf life."""

    line_id: int
    item_id: int
    par: int
    min_shelf_days: int = 0
    optional: bool = False
    substitutes: frozenset[int] = frozenset()

    @property
    def item_ids(self) -> frozenset[int]:
        """Return every item that fills this line."""
        return self.substitutes | {self.item_id}


def check_lines(lines: Sequence[LineSpec]) -> None:
    """Refuse a template whose lines repeat an item, so no unit counts towards two lines."""
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if isinstance(line.par, bool) or not isinstance(line.par, int) or not 0 < line.par <= MAX_PAR:
            raise InvalidInput.on(f"lines.{index}.par", N_("a whole number from 1 to %(max)d", max=MAX_PAR))
        days = line.min_shelf_days
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_SHELF_DAYS:
            raise InvalidInput.on(f"lines.{index}.min_shelf_days",
                                  N_("from 0 to %(max)d days", max=MAX_SHELF_DAYS))
        repeated = line.item_ids & seen
        if repeated:
            raise InvalidInput.on(f"lines.{index}.item_id",
                                  N_("an item may fill only one line of a template"))
        seen |= line.item_ids


@dataclass(frozen=True)
class Held:
    """Units of one item (lot) in a box."""

    item_id: int
    lot_id: int | None
    expires_on: date | None
    quantity: int


@dataclass(frozen=True)
class LineState:
    """One line of one box: par, what counts towards it and the shortfall."""

    line: LineSpec
    held: int  # every unit of the line's items in the box
    usable: int  # those not expired and not expiring within the minimum shelf life

    @property
    def missing(self) -> int:
        return max(0, self.line.par - self.usable)

    @property
    def short(self) -> bool:
        """Tell whether the line keeps the box from being ready (optional lines never do)."""
        return self.missing > 0 and not self.line.optional


@dataclass(frozen=True)
class Completeness:
    """A box measured against its template."""

    lines: tuple[LineState, ...]
    earliest_expiry: date | None

    @property
    def complete(self) -> bool:
        return not any(state.short for state in self.lines)

    @property
    def shortfalls(self) -> list[LineState]:
        """Return the lines short of par, optional ones included, in template order."""
        return [state for state in self.lines if state.missing > 0]


def completeness(lines: Sequence[LineSpec], held: Iterable[Held], today: date) -> Completeness:
    """Measure a box's contents against its template's lines on a given day."""
    held = [h for h in held if h.quantity > 0]
    # Indexed by item once: a line then reads its items' units, not every unit in the box.
    by_item: dict[int, list[Held]] = {}
    for h in held:
        by_item.setdefault(h.item_id, []).append(h)
    states = []
    for line in lines:
        mine = [h for item_id in line.item_ids for h in by_item.get(item_id, ())]
        states.append(LineState(
            line, held=sum(h.quantity for h in mine),
            usable=sum(h.quantity for h in mine if is_usable(h.expires_on, today, line.min_shelf_days)),
        ))
    expiries = [h.expires_on for h in held if h.expires_on is not None]
    return Completeness(tuple(states), min(expiries) if expiries else None)


@dataclass(frozen=True)
class Removal:
    """Take these units out of the box: expired, or expiring within the line's shelf life."""

    line_id: int
    item_id: int
    lot_id: int | None
    expires_on: date | None
    quantity: int


@dataclass(frozen=True)
class Fill:
    """Put these units from a depot balance into the box."""

    line_id: int
    candidate: Candidate
    quantity: int


@dataclass
class RestockPlan:
    """What to take out and what to put in to bring every line of a box to par."""

    removals: list[Removal] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    # Lines the depot cannot bring to par, with how many units stay missing.
    unfilled: dict[int, int] = field(default_factory=dict)


def plan_restock(lines: Sequence[LineSpec], held: Iterable[Held],
                 candidates: dict[int, Sequence[Candidate]], today: date) -> RestockPlan:
    """Plan a restock: swap out stale units, then fill each line to par first-expiry-first-out.

    `candidates` maps an item id to the depot balances it could come from. Substitutes are
    kept when they are in the box but only the line's own item is picked to fill it.
    """
    held = [h for h in held if h.quantity > 0]
    plan = RestockPlan()
    for line in lines:
        mine = [h for h in held if h.item_id in line.item_ids]
        usable = 0
        for h in mine:
            if is_usable(h.expires_on, today, line.min_shelf_days):
                usable += h.quantity
            else:
                plan.removals.append(Removal(line.line_id, h.item_id, h.lot_id, h.expires_on,
                                             h.quantity))
        wanted = line.par - usable
        cutoff = usable_from(today, line.min_shelf_days)
        for candidate in fefo_order(candidates.get(line.item_id, ()), today):
            if wanted <= 0:
                break
            if candidate.expires_on is not None and candidate.expires_on < cutoff:
                continue
            take = min(candidate.quantity, wanted)
            plan.fills.append(Fill(line.line_id, candidate, take))
            wanted -= take
        if wanted > 0:
            plan.unfilled[line.line_id] = wanted
    return plan
