"""Time the staffing compliance panel and API as the support force grows: 1x, 10x, 100x the demo.

Each size is a fresh SQLite file (migrated, then squads, people and qualifications bulk-inserted);
the panel must stay a fixed handful of SQL queries whatever the number of people.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from timing import p50, p95, timed  # noqa: E402

from warehouse import create_app  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import Person, Qualification, QualificationKind, Squad, User  # noqa: E402
from warehouse.queries.squads import staffing_report  # noqa: E402
from warehouse.services import accounts  # noqa: E402
from warehouse.timezone import today  # noqa: E402

SCALES = (1, 10, 100)
PEOPLE_PER_SCALE = 50  # the demo force
RUNS = 30
FUNCTIONS = ("materials", "technical", "medical", "living", "social_joint")


def build_force(scale: int) -> None:
    """Insert 8 x scale squads and 50 x scale people (a third of them qualified) with Core inserts."""
    on = today()
    kinds = dict(db.session.execute(select(QualificationKind.code, QualificationKind.id)).all())
    squads = [{"code": f"SQ-{i:04d}", "name_zh": f"保障分队{i}", "name_en": f"Squad {i}",
               "kind": "standing" if i % 3 == 0 else "mobile", "function": FUNCTIONS[i % 5],
               "home_station": "辽源", "note": "", "active": True}
              for i in range(8 * scale)]
    db.session.execute(insert(Squad), squads)
    squad_ids = db.session.scalars(select(Squad.id).order_by(Squad.id)).all()
    people = [{"badge_code": f"BZ-{i:06d}", "name": f"人员{i}", "phone": "13904370000",
               "squad_id": squad_ids[i % len(squad_ids)], "squad_role": "member",
               "employment": "firefighter", "status": "on_leave" if i % 25 == 0 else "active",
               "note": ""} for i in range(PEOPLE_PER_SCALE * scale)]
    db.session.execute(insert(Person), people)
    person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    held = []
    for n, person_id in enumerate(person_ids):
        if n % 3 == 0:
            held.append({"person_id": person_id, "kind_id": kinds["TECH"], "grade": "intermediate",
                         "certificate_no": f"T{n}", "expires_on": on + timedelta(days=n % 400)})
        if n % 7 == 0:
            held.append({"person_id": person_id, "kind_id": kinds["DRIVER"], "grade": None,
                         "certificate_no": f"D{n}", "expires_on": on + timedelta(days=n % 90 - 10)})
    db.session.execute(insert(Qualification), held)
    db.session.commit()


def measure(scale: int, folder: Path) -> list[tuple]:
    """Build one size and time the report, the panel page and the API."""
    # Development settings (no HTTPS-only cookie) on a file of its own; SQL logging stays off.
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/staffing-{scale}.db",
                     SQLALCHEMY_ECHO=False)
    rows = []
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        build_force(scale)
        cli = accounts.Caller(None, "bench")
        user = accounts.create_user(db.session, cli, username="commander", role="commander",
                                    password="benchmark-password-2026", display_name="Commander")
        _token, secret = accounts.issue_token(db.session, cli, user.id, name="bench", days=1)
        session_key = db.session.scalar(select(User.session_key).where(User.id == user.id))
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = session_key, True
        headers = {"Authorization": f"Bearer {secret}"}

        def page():
            assert client.get("/compliance/staffing").status_code == 200

        def api():
            assert client.get("/api/v1/compliance/staffing", headers=headers).status_code == 200

        people = PEOPLE_PER_SCALE * scale
        for name, call in (("staffing_report()", lambda: staffing_report(db.session, today())),
                           ("GET /compliance/staffing", page),
                           ("GET /api/v1/compliance/staffing", api)):
            times, queries = timed(db.engine, call, RUNS)
            rows.append((name, people, p50(times), p95(times), queries))
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    """Measure every size, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [row for scale in args.scales for row in measure(scale, Path(folder))]
    print(f"Python {platform.python_version()}, {RUNS} runs after a warm-up, SQLite file")
    print("| request | people | p50 ms | p95 ms | SQL statements |")
    print("| --- | --- | --- | --- | --- |")
    for name, people, median, high, queries in rows:
        print(f"| {name} | {people:,} | {median:.1f} | {high:.1f} | {queries} |")


if __name__ == "__main__":
    main()
