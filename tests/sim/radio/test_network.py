"""The fleet model: half duplex, one cause per loss, keep probability, CBR, determinism."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from v2x.sim.radio import LossCause, RadioConfig, SidelinkNetwork, SpsConfig
from v2x.sim.radio.links import pairs_within
from v2x.sim.validation import Benchmark, paper_radio_config


def line(n: int, spacing: float = 20.0) -> np.ndarray:
    return np.column_stack([np.arange(n) * spacing, np.zeros(n)])


def periodic_run(config: RadioConfig, n: int, seconds: float, seed: int,
                 spacing: float = 10.0):
    net = SidelinkNetwork(config, n, seed=seed)
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, 100, n)
    xy = line(n, spacing)
    results = []
    for start in range(0, round(seconds * 1000), 100):
        net.set_positions(xy)
        net.submit(np.arange(n), 190, start * n + np.arange(n), start + offsets)
        results.append(net.advance(100))
    return net, results


def small_config(**changes) -> RadioConfig:
    base = replace(paper_radio_config(Benchmark()), wrap_x_m=None, report_range_m=None)
    return replace(base, **changes)


def test_half_duplex_when_two_vehicles_share_a_subframe():
    net = SidelinkNetwork(small_config(), 2, seed=1)
    net.set_positions(line(2, 30.0))
    # both hold a reservation in subframe 10, on different sub-channels
    net.res_next[:] = 10
    net.res_subchannel[:] = [0, 2]
    net.res_length[:] = 1
    net.counter[:] = 5
    net.submit(np.array([0, 1]), 190, np.array([100, 101]), 0)
    result = net.advance(20)
    assert result.transmissions.subframe.tolist() == [10, 10]
    assert len(result.receptions) == 2
    assert np.all(result.receptions.cause == LossCause.HALF_DUPLEX)


def test_every_opportunity_has_exactly_one_cause():
    config = small_config(report_range_m=600.0)
    _, results = periodic_run(config, 120, 1.5, seed=2)
    rx = [r.receptions for r in results]
    cause = np.concatenate([r.cause for r in rx])
    assert set(np.unique(cause)) <= {int(c) for c in LossCause}
    # one outcome per (packet, receiver) pair, for every neighbour within the report range
    pairs = np.concatenate([r.packet * 1000 + r.rx for r in rx])
    assert np.unique(pairs).size == pairs.size
    tx = np.concatenate([r.transmissions.vehicle for r in results])
    expected = sum(int(np.count_nonzero(np.abs(np.arange(120) - v) * 10.0 <= 600.0)) - 1
                   for v in tx)
    assert cause.size == expected
    assert np.any(cause == LossCause.RECEIVED)
    assert np.any(cause == LossCause.HALF_DUPLEX)


def test_keep_probability_controls_reselections():
    counts = {}
    for keep in (0.0, 0.8):
        config = small_config(sps=SpsConfig(keep_probability=keep))
        net, _ = periodic_run(config, 60, 20.0, seed=3)
        counts[keep] = net.stats["reselections"] - 60   # first selections do not count
    assert counts[0.8] / counts[0.0] == pytest.approx(0.2, abs=0.08)


def test_cbr_is_a_ratio_and_grows_with_load():
    light, _ = periodic_run(small_config(), 20, 1.0, seed=4, spacing=100.0)
    heavy, _ = periodic_run(small_config(), 200, 1.0, seed=4, spacing=5.0)
    a, b = float(np.mean(light.cbr())), float(np.mean(heavy.cbr()))
    assert 0.0 <= a < b <= 1.0


def test_same_seed_same_results_different_seed_different():
    def fingerprint(seed: int) -> tuple[np.ndarray, np.ndarray]:
        _, results = periodic_run(small_config(), 80, 1.0, seed=seed)
        return (np.concatenate([r.transmissions.subframe for r in results]),
                np.concatenate([r.receptions.cause for r in results]))

    a, b, c = fingerprint(5), fingerprint(5), fingerprint(6)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not (np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1]))


@pytest.mark.parametrize("wrap", [None, 3000.0])
def test_neighbour_search_matches_brute_force(wrap):
    rng = np.random.default_rng(8)
    xy = np.column_stack([rng.uniform(0, 3000, 400), rng.uniform(0, 60, 400)])
    i, j = pairs_within(xy, 400.0, wrap)
    dx = xy[:, None, 0] - xy[None, :, 0]
    if wrap is not None:
        dx = dx - wrap * np.round(dx / wrap)
    d = np.hypot(dx, xy[:, None, 1] - xy[None, :, 1])
    bi, bj = np.nonzero(np.triu(d <= 400.0, k=1))
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == \
        set(zip(bi.tolist(), bj.tolist(), strict=True))
