"""flask readiness snapshot: the day's readiness per module, recorded once unless replaced."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.builders import expire_lot, in_days, make_box_depot, make_module
from warehouse.extensions import db
from warehouse.models import Module, ReadinessSnapshot


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["readiness", "snapshot", *args])


@pytest.fixture
def depot(app):
    """Module EQ needs 3 boxes, all ready; WR needs none."""
    boxes = make_box_depot(app, 3)
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module")
    return boxes


def recorded(app) -> dict:
    """(day, module code) -> (required, ready, short, deployed, restocking, percent) as stored."""
    with app.app_context():
        rows = db.session.execute(
            select(ReadinessSnapshot.day, Module.code, ReadinessSnapshot.required, ReadinessSnapshot.ready,
                   ReadinessSnapshot.short, ReadinessSnapshot.deployed, ReadinessSnapshot.restocking,
                   ReadinessSnapshot.percent)
            .join(Module, Module.id == ReadinessSnapshot.module_id)).all()
        db.session.remove()
    return {(day, code): tuple(figures) for day, code, *figures in rows}


def test_the_first_run_of_a_day_records_every_active_module(app, cli, depot):
    result = cli()
    assert result.exit_code == 0, result.output
    assert f"recorded 2 module(s) for {in_days(0).isoformat()}" in result.output
    assert recorded(app) == {(in_days(0), "EQ"): (3, 3, 0, 0, 0, 100), (in_days(0), "WR"): (0, 0, 0, 0, 0, 0)}


def test_a_second_run_says_the_day_was_recorded_and_writes_nothing(app, cli, depot):
    cli()
    before = recorded(app)
    expire_lot(app, "F-1", 1)  # every box's foam expires: the day's first record still stands
    result = cli()
    assert result.exit_code == 0, result.output
    assert "already recorded" in result.output and "--replace" in result.output
    assert recorded(app) == before
    assert "recorded" in cli("--replace").output
    assert recorded(app)[(in_days(0), "EQ")] == (3, 0, 3, 0, 0, 0)


def test_replace_records_the_day_again(app, cli, depot):
    cli()
    with app.app_context():
        db.session.execute(update(ReadinessSnapshot).values(percent=7, ready=0))
        db.session.commit()
        db.session.remove()
    result = cli("--replace")
    assert result.exit_code == 0, result.output
    assert "recorded 2 module(s)" in result.output
    assert recorded(app)[(in_days(0), "EQ")] == (3, 3, 0, 0, 0, 100)
    assert len(recorded(app)) == 2


def test_a_date_records_that_day(app, cli, depot):
    result = cli("--date", "2025-01-02")
    assert result.exit_code == 0, result.output
    assert "for 2025-01-02" in result.output
    assert {day.isoformat() for day, _code in recorded(app)} == {"2025-01-02"}


@pytest.mark.parametrize("day", ["2025-02-30", "yesterday", "02/01/2025", ""])
def test_a_bad_date_is_an_error_and_records_nothing(app, cli, depot, day):
    result = cli("--date", day)
    assert result.exit_code == 2
    assert "--date" in result.output
    assert recorded(app) == {}
