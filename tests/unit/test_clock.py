"""The warehouse's day is the day in its time zone, not UTC's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from wms.base import clock


@pytest.fixture
def paris() -> Iterator[None]:
    before = clock.zone()
    clock.set_zone("Europe/Paris")
    try:
        yield
    finally:
        clock.set_zone(before)


def test_a_moment_late_in_the_utc_evening_is_the_next_day_in_paris(paris: None) -> None:
    assert clock.local_date(datetime(2026, 12, 11, 23, 30)) == date(2026, 12, 12)
    assert clock.local_date(datetime(2026, 12, 11, 22, 59)) == date(2026, 12, 11)
    # Summer time: Paris is two hours ahead.
    assert clock.local_date(datetime(2026, 6, 11, 22, 30)) == date(2026, 6, 12)


def test_the_warehouse_day_starts_at_its_own_midnight(paris: None) -> None:
    assert clock.day_start(date(2026, 12, 12)) == datetime(2026, 12, 11, 23, 0)
    assert clock.day_start(date(2026, 6, 12)) == datetime(2026, 6, 11, 22, 0)
    # The night the clocks go forward (29 March 2026) starts at the winter offset.
    assert clock.day_start(date(2026, 3, 29)) == datetime(2026, 3, 28, 23, 0)


def test_today_is_the_warehouse_date_and_moves_with_travel(paris: None) -> None:
    now = clock.utcnow()
    eleven_thirty_pm = datetime.combine(now.date(), datetime.min.time()) + timedelta(
        hours=23, minutes=30
    )
    with clock.travel(eleven_thirty_pm - now):
        assert clock.utcnow().date() == now.date()
        # 23:30 UTC is past midnight in Paris in every season.
        assert clock.today() == now.date() + timedelta(days=1)


def test_a_time_read_on_the_warehouse_clock_is_stored_in_utc(paris: None) -> None:
    assert clock.from_local(datetime(2026, 12, 12, 0, 30)) == datetime(2026, 12, 11, 23, 30)
    assert clock.from_local(datetime(2026, 6, 12, 9, 0)) == datetime(2026, 6, 12, 7, 0)
    # A time that says its offset keeps it.
    assert clock.from_local(datetime(2026, 12, 12, 0, 30, tzinfo=UTC)) == datetime(
        2026, 12, 12, 0, 30
    )


def test_without_a_zone_days_are_utc_days() -> None:
    before = clock.zone()
    clock.set_zone(UTC)
    try:
        assert clock.local_date(datetime(2026, 12, 11, 23, 30)) == date(2026, 12, 11)
        assert clock.day_start(date(2026, 12, 12)) == datetime(2026, 12, 12)
        now = clock.utcnow()
        assert clock.local_date(now) == now.date()
    finally:
        clock.set_zone(before)
