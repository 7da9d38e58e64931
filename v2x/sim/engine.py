"""The simulation engine: a SimPy environment counting integer microseconds, its clock, its RNGs.

Time is an ``int`` of microseconds from the start of the run, so subframes (1 ms), SUMO steps
(``step_ms``) and message timestamps never meet a rounding error. ``SimClock`` gives the security
layer the simulated time as TAI (``v2x.clock.Clock``). Every random draw comes from a named
numpy stream derived from the one scenario seed (DESIGN.md principle 12): the same seed gives the
same results, and adding a stream does not disturb the others.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
import simpy

from v2x import clock

US_PER_MS = 1_000
US_PER_S = 1_000_000

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
"""Wall-clock instant that simulated time 0 stands for, unless a scenario says otherwise."""


class Engine:
    """A SimPy environment in integer microseconds with named random streams."""

    def __init__(self, seed: int, start: datetime = DEFAULT_START) -> None:
        self.env = simpy.Environment(initial_time=0)
        self.seed = seed
        self.start_tai_us = clock.tai_us_from_utc(start)
        self.start_unix_us = round(start.timestamp() * US_PER_S)
        """Simulated time 0 as Unix microseconds (UTC; pcap timestamps)."""
        self._streams: dict[str, np.random.Generator] = {}

    @property
    def now_us(self) -> int:
        """Simulated microseconds since the start of the run."""
        return int(self.env.now)

    def rng(self, name: str) -> np.random.Generator:
        """The random stream called ``name`` (created on first use, from the seed and the name)."""
        stream = self._streams.get(name)
        if stream is None:
            digest = hashlib.sha256(name.encode("utf-8")).digest()
            key = int.from_bytes(digest[:8], "big")
            stream = np.random.default_rng(np.random.SeedSequence([self.seed, key]))
            self._streams[name] = stream
        return stream

    def clock(self) -> SimClock:
        """The simulated time as a ``v2x.clock.Clock`` (TAI microseconds since 2004)."""
        return SimClock(self)

    def run(self, until_us: int) -> None:
        """Advance the simulation to ``until_us``."""
        self.env.run(until=until_us)


class SimClock:
    """``v2x.clock.Clock`` reading the engine's simulated time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def now_tai_us(self) -> int:
        return self.engine.start_tai_us + self.engine.now_us
