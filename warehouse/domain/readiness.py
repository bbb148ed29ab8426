"""Readiness rules in plain Python: colour levels, the plan's targets, shortfall ranking, trends."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from warehouse.domain.errors import N_, InvalidInput

# The plan's defaults for the colour of a module: green from 90 % of its boxes ready, amber
# from 60 %, red below. An admin may change them (readiness settings).
DEFAULT_GOOD_PERCENT = 90
DEFAULT_FAIR_PERCENT = 60
# Shortfalls listed per module on the dashboard, the API and the report.
SHORTFALLS_SHOWN = 5
# Days of history the trend charts show.
TREND_DAYS = 30
MAX_PLAN_THRESHOLD = 1_000_000
MODULE_SCOPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")


class Level(enum.StrEnum):
    """How ready a module is, as the colour a commander reads at a glance."""

    GOOD = "good"  # green
    FAIR = "fair"  # amber
    POOR = "poor"  # red
    NONE = "none"  # nothing required: no colour


@dataclass(frozen=True)
class Thresholds:
    """The whole percentages from which a module is green and amber."""

    good: int = DEFAULT_GOOD_PERCENT
    fair: int = DEFAULT_FAIR_PERCENT

    def level(self, required: int, percent: int) -> Level:
        """Return the colour of a readiness percentage; no colour when nothing is required."""
        if not required:
            return Level.NONE
        if percent >= self.good:
            return Level.GOOD
        if percent >= self.fair:
            return Level.FAIR
        return Level.POOR


def check_thresholds(good, fair) -> Thresholds:
    """Return valid thresholds or raise InvalidInput: whole percentages with amber below green."""
    for name, value in (("good_percent", good), ("fair_percent", fair)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidInput.on(name, N_("a whole number from %(low)d to %(high)d", low=0, high=100))
    if fair > good:
        raise InvalidInput.on("fair_percent", N_("must not be above the green threshold (%(good)d %%)",
                                                 good=good))
    return Thresholds(good=good, fair=fair)


def percent(ready: int, required: int) -> int:
    """Return ready boxes as a whole percentage of those required (0 when none are required)."""
    return round(100 * min(ready, required) / required) if required else 0


# --- shortfalls -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """Units of one item a module lacks: in boxes short of it, and in boxes not built at all."""

    item_id: int
    in_boxes: int  # missing from boxes in the depot (ready or short)
    boxes: int  # how many boxes lack it
    unbuilt: int  # par quantity of boxes required but not built

    @property
    def missing(self) -> int:
        return self.in_boxes + self.unbuilt


def rank_gaps(gaps: Iterable[Gap], limit: int = SHORTFALLS_SHOWN) -> list[Gap]:
    """Return the largest gaps first (most units missing, then most boxes), at most `limit`."""
    ranked = sorted((g for g in gaps if g.missing > 0), key=lambda g: (-g.missing, -g.boxes, g.item_id))
    return ranked[:limit]


def merge_gaps(in_boxes: Iterable[tuple[int, int, int]], unbuilt: Iterable[tuple[int, int]]) -> list[Gap]:
    """Combine (item, units, boxes) missing from boxes with (item, units) of boxes not built."""
    found: dict[int, list[int]] = {}
    for item_id, units, boxes in in_boxes:
        entry = found.setdefault(item_id, [0, 0, 0])
        entry[0] += units
        entry[1] += boxes
    for item_id, units in unbuilt:
        found.setdefault(item_id, [0, 0, 0])[2] += units
    return [Gap(item_id, *values) for item_id, values in found.items()]


# --- the plan's targets -----------------------------------------------------------------------

class PlanMeasure(enum.StrEnum):
    """A target of the plan the data can be measured against (staffing ones live with squads)."""

    DEPOT_AREA = "depot_area"  # m² of active depots
    CATEGORIES = "categories"  # categories stocked and given minimum levels
    MODULES = "modules"  # priority modules defined with required boxes
    STOCKPILES = "stockpiles"  # government departments with a registered stockpile
    COUNTY_AGREEMENTS = "county_agreements"  # % of district x county-kind pairs covered
    DELIVERY_AGREEMENTS = "delivery_agreements"  # railway and logistics kinds covered


# Unit of each measure's figure, as the panel prints it.
MEASURE_UNITS = {
    PlanMeasure.DEPOT_AREA: "m²",
    PlanMeasure.CATEGORIES: "",
    PlanMeasure.MODULES: "",
    PlanMeasure.STOCKPILES: "",
    PlanMeasure.COUNTY_AGREEMENTS: "%",
    PlanMeasure.DELIVERY_AGREEMENTS: "",
}
# The plan's figures: (measure, threshold, scope). The scope of the modules target names the
# five priority disasters' modules by code, so an admin can map them to the depot's own codes.
PLAN_TARGETS: tuple[tuple[PlanMeasure, int, str], ...] = (
    (PlanMeasure.DEPOT_AREA, 1000, ""),
    (PlanMeasure.CATEGORIES, 7, ""),
    (PlanMeasure.MODULES, 5, "HR CH EQ MT WR"),
    (PlanMeasure.STOCKPILES, 5, ""),
    (PlanMeasure.COUNTY_AGREEMENTS, 100, ""),
    (PlanMeasure.DELIVERY_AGREEMENTS, 2, ""),
)
# What each target asks, in words the panel and the report translate.
TARGET_WORDS = {
    PlanMeasure.DEPOT_AREA: N_("Reserve depot floor area"),
    PlanMeasure.CATEGORIES: N_("Material categories stocked, with minimum levels"),
    PlanMeasure.MODULES: N_("Priority disaster modules defined with required boxes"),
    PlanMeasure.STOCKPILES: N_("Government departments' stockpiles in the reserve list"),
    PlanMeasure.COUNTY_AGREEMENTS: N_("Each county/district: agreements with every kind of county partner"),
    PlanMeasure.DELIVERY_AGREEMENTS: N_("Delivery agreements with a railway and a logistics company"),
}


def check_plan_threshold(measure: PlanMeasure, threshold) -> int:
    """Return a valid threshold or raise InvalidInput: a percent for coverage, a count otherwise."""
    high = 100 if measure is PlanMeasure.COUNTY_AGREEMENTS else MAX_PLAN_THRESHOLD
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= high:
        raise InvalidInput.on("threshold", N_("a whole number from %(low)d to %(high)d", low=0, high=high))
    return threshold


def check_scope(measure: PlanMeasure, scope) -> str:
    """Return a normalised scope: module codes (space-separated) for the modules target, else empty."""
    words = [w for w in re.split(r"[\s,，;；]+", (scope or "").strip().upper()) if w]
    if measure is not PlanMeasure.MODULES:
        if words:
            raise InvalidInput.on("scope", N_("only the modules target takes a scope"))
        return ""
    bad = [w for w in words if not MODULE_SCOPE_PATTERN.match(w)]
    if bad:
        raise InvalidInput.on("scope", N_("not a module code: %(code)s", code=bad[0][:12]))
    if not words:
        raise InvalidInput.on("scope", N_("name the priority modules by code, e.g. HR CH EQ"))
    return " ".join(dict.fromkeys(words))


@dataclass(frozen=True)
class PlanCheck:
    """One target against the data: the figure, its base (for a share), pass or fail, the gaps."""

    code: str
    measure: str  # a PlanMeasure, or a staffing measure for targets kept with the squads
    threshold: int
    actual: float
    passed: bool
    unit: str = ""
    base: int | None = None
    plan_threshold: int | None = None
    missing: tuple[str, ...] = field(default=())  # what is lacking, by code


def at_least(code: str, measure: PlanMeasure, threshold: int, actual: float,
             missing: Sequence[str] = (), plan_threshold: int | None = None) -> PlanCheck:
    """Check a figure that must reach a threshold."""
    return PlanCheck(code, measure.value, threshold, actual, actual >= threshold,
                     MEASURE_UNITS[measure], None, plan_threshold, tuple(missing))


def named_present(code: str, measure: PlanMeasure, threshold: int, wanted: Sequence[str],
                  present: Iterable[str], plan_threshold: int | None = None) -> PlanCheck:
    """Check that at least `threshold` of the named things (modules, kinds) are present."""
    have = set(present)
    missing = [w for w in wanted if w not in have]
    actual = len(wanted) - len(missing)
    return PlanCheck(code, measure.value, threshold, actual, actual >= threshold, MEASURE_UNITS[measure],
                     len(wanted), plan_threshold, tuple(missing))


def coverage(code: str, threshold_percent: int, places: Sequence[str], kinds: Sequence[str],
             covered: Iterable[tuple[str, str]], plan_threshold: int | None = None) -> PlanCheck:
    """Check the share of (place, kind) pairs covered against a whole-percent threshold."""
    have = set(covered)
    pairs = [(p, k) for p in places for k in kinds]
    missing = [f"{p}:{k}" for p, k in pairs if (p, k) not in have]
    done = len(pairs) - len(missing)
    # Integer arithmetic, so 19 of 20 pairs is exactly 95 % and 100 % means every pair.
    passed = bool(pairs) and done * 100 >= threshold_percent * len(pairs)
    actual = round(100 * done / len(pairs), 1) if pairs else 0
    return PlanCheck(code, PlanMeasure.COUNTY_AGREEMENTS.value, threshold_percent, actual, passed, "%",
                     len(pairs), plan_threshold, tuple(missing))


# --- the trend chart --------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """A readiness history scaled into a chart box: polyline points, and the first and last days."""

    points: str  # "x,y x,y ..." for an SVG polyline
    dots: tuple[tuple[float, float, int, date], ...]  # (x, y, percent, day) per snapshot
    width: float
    height: float


def trend(history: Sequence[tuple[date, int]], until: date, *, days: int = TREND_DAYS,
          width: float = 120, height: float = 32, pad: float = 2) -> Trend:
    """Place daily percentages on a `days`-wide time axis ending `until` (0 % at the bottom)."""
    start = until.toordinal() - (days - 1)
    span = max(days - 1, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    dots = []
    for day, value in sorted(history):
        offset = day.toordinal() - start
        if not 0 <= offset < days:
            continue
        clamped = max(0, min(100, value))
        x = round(pad + inner_w * offset / span, 2)
        y = round(pad + inner_h * (100 - clamped) / 100, 2)
        dots.append((x, y, value, day))
    return Trend(" ".join(f"{x},{y}" for x, y, _v, _d in dots), tuple(dots), width, height)
