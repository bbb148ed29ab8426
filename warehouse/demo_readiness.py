"""Demo readiness history: a snapshot per module for each of the last 30 days (after every other loader).

Each day is computed by the same `take_snapshot` the daily command runs, as of that day: lots
that have since expired (or come within a line's shelf-life margin) still counted then. Box
states are today's, as the snapshot reads them; nothing is made up, so a deployment opened
this week shows its boxes out on every day of the chart.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from warehouse.domain.readiness import TREND_DAYS
from warehouse.services.readiness import take_snapshot
from warehouse.timezone import depot_zone, today

# When the duty officer's first dashboard view of the day would have taken the snapshot.
SNAPSHOT_TIME = time(7, 30)


def load_readiness(session: Session) -> None:
    """Record each module's readiness on each of the last TREND_DAYS days, today included."""
    until = today()
    for back in range(TREND_DAYS - 1, -1, -1):
        day = until - timedelta(days=back)
        taken = datetime.combine(day, SNAPSHOT_TIME, tzinfo=depot_zone()).astimezone(UTC)
        take_snapshot(session, day, now=taken if back else None)
