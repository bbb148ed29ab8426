"""Store the boxes' completeness (box_states) where the stored one is no longer current."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from warehouse.models import BoxState
from warehouse.queries.kits import live_totals, stale_boxes


def refresh(session: Session, on: date) -> int:
    """Recompute and store the state of every box whose stored one is not current; return how many.

    Runs in the caller's transaction. The version stored as `seen` is read in the same statement
    as the contents, so a change committed meanwhile (which raises `version`) leaves the state
    stale instead of wrongly current.
    """
    fresh = live_totals(on, stale_boxes(on)).subquery("fresh")
    return session.execute(
        update(BoxState).where(BoxState.kit_id == fresh.c.kit_id)
        .values(seen=fresh.c.version, computed_on=on, valid_through=fresh.c.valid_through,
                short_lines=fresh.c.short_lines, missing_units=fresh.c.missing_units,
                line_count=fresh.c.line_count, earliest_expiry=fresh.c.earliest_expiry)
        .execution_options(synchronize_session=False)
    ).rowcount
