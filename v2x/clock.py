"""Time for C-ITS: TAI since 2004-01-01 and the clocks the layers read it from.

ETSI TimestampIts (TS 102 894-2) and IEEE 1609.2 Time64/Time32 (§6.4.6 to 6.4.8) count elapsed
time since 2004-01-01T00:00:00Z *including* leap seconds (International Atomic Time): UTC elapsed
time plus the leap seconds inserted since 2004 (TAI-UTC went from 32 s to 37 s). Code never reads
``time.time()`` deep inside; it takes a ``Clock`` (DESIGN.md principle 8): ``SystemClock`` in
real use, ``FixedClock`` in tests, the simulator's clock in co-simulation.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

ITS_EPOCH = datetime(2004, 1, 1, tzinfo=UTC)
"""The epoch of TimestampIts, Time32 and Time64."""

LEAP_SECONDS: tuple[datetime, ...] = (
    datetime(2006, 1, 1, tzinfo=UTC),
    datetime(2009, 1, 1, tzinfo=UTC),
    datetime(2012, 7, 1, tzinfo=UTC),
    datetime(2015, 7, 1, tzinfo=UTC),
    datetime(2017, 1, 1, tzinfo=UTC),
)
"""UTC instants right after each leap second inserted since 2004 (IERS Bulletin C). Add a row
when IERS announces a new one; none is announced so far."""

_EPOCH_UNIX_S = int(ITS_EPOCH.timestamp())
_LEAPS_UNIX_S = tuple(int(instant.timestamp()) for instant in LEAP_SECONDS)


def leap_seconds_at(utc: datetime) -> int:
    """Leap seconds inserted between 2004-01-01 and ``utc``."""
    return sum(1 for instant in LEAP_SECONDS if utc >= instant)


def tai_us_from_utc(utc: datetime) -> int:
    """Microseconds since 2004-01-01 TAI (1609.2 Time64) of a timezone-aware UTC instant."""
    if utc.tzinfo is None:
        raise ValueError("give a timezone-aware datetime")
    elapsed = utc - ITS_EPOCH
    micros = (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds
    return micros + 1_000_000 * leap_seconds_at(utc)


def utc_from_tai_us(tai_us: int) -> datetime:
    """The UTC instant of a Time64 value; an instant inside a leap second maps to :59."""
    for leaps in range(len(LEAP_SECONDS), -1, -1):
        candidate = ITS_EPOCH + timedelta(microseconds=tai_us - 1_000_000 * leaps)
        if leap_seconds_at(candidate) == leaps:
            return candidate
        if leaps and LEAP_SECONDS[leaps - 1] - timedelta(seconds=1) <= candidate:
            return candidate
    raise AssertionError("unreachable: before 2006 no leap second applies")


def tai_us_from_unix(unix_s: float) -> int:
    """Time64 of a POSIX time (which, like UTC, leaves leap seconds out)."""
    whole = int(unix_s)
    leaps = sum(1 for instant in _LEAPS_UNIX_S if whole >= instant)
    return round((unix_s - _EPOCH_UNIX_S) * 1_000_000) + 1_000_000 * leaps


@runtime_checkable
class Clock(Protocol):
    """Where the current time comes from: TAI microseconds since 2004 (1609.2 Time64)."""

    def now_tai_us(self) -> int:
        """The current time as a Time64 value."""
        ...


class SystemClock:
    """The host's clock (POSIX time converted to TAI)."""

    def now_tai_us(self) -> int:
        return tai_us_from_unix(time.time())


class FixedClock:
    """A clock that stands still until told otherwise: tests, replays, simulations."""

    def __init__(self, tai_us: int) -> None:
        self.tai_us = tai_us

    @classmethod
    def at(cls, utc: datetime) -> FixedClock:
        """A clock set to a UTC instant."""
        return cls(tai_us_from_utc(utc))

    def now_tai_us(self) -> int:
        return self.tai_us

    def advance(self, micros: int) -> None:
        """Move the clock forward by ``micros`` microseconds."""
        self.tai_us += micros
