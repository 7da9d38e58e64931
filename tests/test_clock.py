"""TAI time since 2004 (TimestampIts, 1609.2 Time64) and the clocks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from v2x import clock


def test_epoch_is_zero():
    assert clock.tai_us_from_utc(datetime(2004, 1, 1, tzinfo=UTC)) == 0


def test_each_leap_second_adds_one_second_of_tai():
    days_2004_2005 = 366 + 365
    before = datetime(2005, 12, 31, 23, 59, 59, tzinfo=UTC)
    after = datetime(2006, 1, 1, tzinfo=UTC)
    assert clock.tai_us_from_utc(before) == (days_2004_2005 * 86_400 - 1) * 10**6
    assert clock.tai_us_from_utc(after) == (days_2004_2005 * 86_400 + 1) * 10**6
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert clock.tai_us_from_utc(now) - int((now - clock.ITS_EPOCH).total_seconds()) * 10**6 \
        == 5 * 10**6  # TAI-UTC 37 s today, 32 s in 2004


@given(st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)))
def test_utc_round_trips(utc):
    assert clock.utc_from_tai_us(clock.tai_us_from_utc(utc)) == utc


def test_posix_time_agrees_with_datetime():
    unix = 1_764_000_000.25
    utc = datetime.fromtimestamp(unix, tz=UTC)
    assert clock.tai_us_from_unix(unix) == clock.tai_us_from_utc(utc)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        clock.tai_us_from_utc(datetime(2020, 1, 1))


def test_clocks():
    fixed = clock.FixedClock.at(datetime(2025, 3, 18, 12, tzinfo=UTC))
    start = fixed.now_tai_us()
    fixed.advance(1_500)
    assert fixed.now_tai_us() == start + 1_500
    assert isinstance(fixed, clock.Clock) and isinstance(clock.SystemClock(), clock.Clock)
    system = clock.utc_from_tai_us(clock.SystemClock().now_tai_us())
    assert abs(system - datetime.fromtimestamp(time.time(), tz=UTC)) < timedelta(seconds=2)
