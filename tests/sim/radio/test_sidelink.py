"""SB-SPS resource selection (TS 36.213 §14.1.1.6) on hand-made sensing results."""

from __future__ import annotations

import numpy as np
import pytest

from v2x.sim.radio.sidelink import SensingMemory, SpsConfig, select_resources

S = 4


def memory_with(rsrp_dbm: np.ndarray, rssi_mw: np.ndarray | None = None,
                config: SpsConfig | None = None) -> SensingMemory:
    """One UE whose latest SCI per (phase, sub-channel) had ``rsrp_dbm``."""
    config = config or SpsConfig()
    memory = SensingMemory(1, S, config)
    memory.sci_rsrp_dbm[0] = rsrp_dbm
    if rssi_mw is not None:
        memory.rssi_mw[0] = np.tile(rssi_mw, (config.sensing_window_ms // config.rri_ms, 1))
    return memory


def select_many(memory: SensingMemory, now: int, draws: int, seed: int = 0,
                config: SpsConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vehicles = np.zeros(draws, dtype=np.int64)
    return select_resources(rng, config or memory.config, memory, vehicles,
                            np.full(draws, now), np.ones(draws, dtype=np.int64))


def test_resources_reserved_above_the_threshold_are_avoided():
    rsrp = np.full((100, S), -np.inf, dtype=np.float32)
    busy = np.zeros((100, S), dtype=bool)
    busy[::2, :] = True                      # half the resources reserved, sensed strongly
    busy[1::4, 1] = True
    rsrp[busy] = -80.0                       # RSRP above the −110 dBm threshold
    y, x = select_many(memory_with(rsrp), now=1000, draws=2000)
    assert not np.any(busy[y % 100, x])
    # resources sensed below the threshold are not excluded
    rsrp[busy] = -120.0
    y, x = select_many(memory_with(rsrp), now=1000, draws=4000, seed=1)
    assert np.any(busy[y % 100, x])


def test_selection_window_and_twenty_percent_rule():
    now = 5000
    rng = np.random.default_rng(3)
    rssi = rng.uniform(1e-12, 1e-9, (100, S)).astype(np.float32)
    memory = memory_with(np.full((100, S), -np.inf, dtype=np.float32), rssi)
    y, x = select_many(memory, now=now, draws=5000, seed=4)
    assert y.min() >= now + 1 and y.max() <= now + 100
    # the choice is among the 20 % of the 400 candidates with the lowest S-RSSI, evenly spread
    metric = rssi[(y % 100), x]
    cutoff = np.sort(rssi.ravel())[79]
    assert np.all(metric <= cutoff)
    chosen = np.unique((y % 100) * S + x)
    assert chosen.size == 80


def test_threshold_is_raised_until_twenty_percent_remain():
    # every candidate is reserved; RSRP ranges over -109 .. -60 dBm; the threshold must climb
    # (3 dB steps from -110) until >= 80 candidates remain, and no candidate above it is used
    rsrp = np.linspace(-109.0, -60.0, 100 * S, dtype=np.float32).reshape(100, S)
    y, x = select_many(memory_with(rsrp), now=0, draws=3000, seed=5)
    chosen = rsrp[y % 100, x]
    k = int(np.ceil((np.sort(rsrp.ravel())[79] + 110.0) / 3.0))
    assert chosen.max() <= -110.0 + 3.0 * k
    assert np.count_nonzero(rsrp <= -110.0 + 3.0 * k) >= 80


def test_unmonitored_subframes_are_excluded():
    memory = memory_with(np.full((100, S), -np.inf, dtype=np.float32))
    memory.sent_in_phase[0, 37] = True       # the UE transmitted in phase 37
    y, _ = select_many(memory, now=200, draws=3000, seed=6)
    assert not np.any(y % 100 == 37)


@pytest.mark.parametrize(("rri", "bounds"), [(100, (5, 15)), (50, (10, 30)), (20, (25, 75))])
def test_reselection_counter_range(rri, bounds):
    config = SpsConfig(rri_ms=rri)
    draws = config.draw_counters(np.random.default_rng(7), 20_000)
    assert (int(draws.min()), int(draws.max())) == bounds


def test_config_is_checked():
    with pytest.raises(ValueError):
        SpsConfig(rri_ms=30)
    with pytest.raises(ValueError):
        SpsConfig(keep_probability=0.9)
    with pytest.raises(ValueError):
        SpsConfig(t1=5)


def test_candidates_stay_in_a_short_selection_window():
    config = SpsConfig(t1=2, t2=20)
    memory = memory_with(np.full((100, S), -np.inf, dtype=np.float32), config=config)
    y, _ = select_many(memory, now=431, draws=3000, seed=8)
    assert y.min() >= 433 and y.max() <= 451
    assert np.unique(y).size == 19


def test_record_voids_what_a_transmitting_ue_did_not_monitor():
    config = SpsConfig()
    memory = SensingMemory(2, S, config)
    rssi = np.ones((2, 100, S), dtype=np.float32)
    sci = np.full((2, 100, S), -80.0, dtype=np.float32)
    sending = np.zeros((2, 100), dtype=bool)
    sending[0, 7] = True
    memory.record(300, rssi, sci, sending)
    assert memory.rssi_mw[0, 307].tolist() == [0.0] * S
    assert np.all(np.isneginf(memory.sci_rsrp_dbm[0, 7]))
    assert memory.transmitted[0, 307] and memory.sent_in_phase[0, 7]
    assert memory.rssi_mw[1, 307].tolist() == [1.0] * S
    total, count = memory.phase_sums(np.array([0, 1]))
    assert count[0, 7] == 9 and count[1, 7] == 10
    assert total[0, 7, 0] == 0.0 and total[1, 7, 0] == 1.0
