"""Engine: integer microseconds, the simulated clock, named deterministic random streams."""

from __future__ import annotations

import numpy as np

from v2x import clock
from v2x.sim.engine import DEFAULT_START, Engine


def test_time_is_integer_microseconds_and_the_clock_follows_it():
    engine = Engine(seed=1)
    ticks = []

    def ticker(env):
        while True:
            yield env.timeout(1_000)
            ticks.append(engine.now_us)

    engine.env.process(ticker(engine.env))
    engine.run(until_us=5_500)
    assert ticks == [1_000, 2_000, 3_000, 4_000, 5_000]
    sim_clock = engine.clock()
    assert isinstance(sim_clock, clock.Clock)
    assert sim_clock.now_tai_us() == clock.tai_us_from_utc(DEFAULT_START) + 5_500


def test_streams_are_named_and_seeded():
    a, b = Engine(seed=7), Engine(seed=7)
    assert np.array_equal(a.rng("fading").random(5), b.rng("fading").random(5))
    # asking for another stream first does not change this one
    c = Engine(seed=7)
    c.rng("mac").random(100)
    assert np.array_equal(Engine(seed=7).rng("fading").random(5), c.rng("fading").random(5))
    assert not np.array_equal(Engine(seed=8).rng("fading").random(5), a.rng("fading").random(5))
    fresh = Engine(seed=7)
    assert not np.array_equal(fresh.rng("mac").random(5), fresh.rng("fading").random(5))
