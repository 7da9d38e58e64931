"""The fleet model: half duplex, one cause per loss, keep probability, CBR, determinism."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from v2x.sim.radio import LossCause, RadioConfig, SidelinkNetwork, SpsConfig, SubchannelLayout
from v2x.sim.radio.links import pairs_within
from v2x.sim.validation import Benchmark, paper_radio_config, run_benchmark


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


def test_opportunities_end_at_the_link_range_whatever_the_report_range():
    # links end where nothing can be received; pairs in the rebuild margin beyond them are
    # listed only until the next rebuild, so reporting them would count an arbitrary subset
    config = small_config(report_range_m=5000.0, max_range_m=300.0, neighbour_margin_m=200.0)
    net, results = periodic_run(config, 120, 0.5, seed=3)
    assert net.range_m == net.report_range_m == 300.0
    dist = np.concatenate([r.receptions.distance_m for r in results])
    tx = np.concatenate([r.transmissions.vehicle for r in results])
    expected = sum(int(np.count_nonzero(np.abs(np.arange(120) - v) * 10.0 <= 300.0)) - 1
                   for v in tx)
    assert dist.max() <= 300.0 and dist.size == expected


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


def _run_counts(config: RadioConfig, n: int, seconds: float, seed: int, sizes=190,
                period_ms: int = 100, spacing: float = 10.0, power_dbm=None):
    """Run a line of vehicles; check the packet accounting; return (results, network)."""
    net = SidelinkNetwork(config, n, seed=seed)
    if power_dbm is not None:
        net.tx_power_dbm[:] = power_dbm
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, period_ms, n)
    xy = line(n, spacing)
    results, pid = [], 0
    for start in range(0, round(seconds * 1000), 100):
        net.set_positions(xy + np.array([start * 0.02, 0.0]))
        for k in range(max(1, 100 // period_ms)):
            net.submit(np.arange(n), sizes, pid + np.arange(n), start + offsets + k * period_ms)
            pid += n
        results.append(net.advance(100))
    st = net.stats
    waiting = int(np.count_nonzero(net.pkt_id >= 0))
    assert st["generated"] == st["transmitted"] + st["replaced"] + st["expired"] + waiting
    assert sum(len(r.transmissions) for r in results) == st["transmitted"]
    return results, net


@pytest.mark.parametrize("batch", [1, 100])
@pytest.mark.parametrize("case", ["two_subchannels", "mixed_sizes", "unequal_power", "20_hz"])
def test_every_path_accounts_for_every_packet_and_opportunity(batch, case):
    sizes = {"two_subchannels": 300, "mixed_sizes": np.where(np.arange(90) % 3 == 0, 300, 190)}
    config = small_config(batch_subframes=batch)
    results, _ = _run_counts(config, 90, 1.5, seed=9, sizes=sizes.get(case, 190),
                             period_ms=50 if case == "20_hz" else 100,
                             power_dbm=np.where(np.arange(90) < 10, 30.0, 20.0)
                             if case == "unequal_power" else None)
    for r in results:
        rx, tx = r.receptions, r.transmissions
        # every opportunity belongs to a transmission of this advance, one per (packet, rx)
        sent = set(zip(tx.packet.tolist(), tx.vehicle.tolist(), tx.subframe.tolist(),
                       strict=True))
        got = set(zip(rx.packet.tolist(), rx.tx.tolist(), rx.subframe.tolist(), strict=True))
        assert got <= sent
        pairs = rx.packet * 1000 + rx.rx
        assert np.unique(pairs).size == pairs.size
        assert np.all(rx.tx != rx.rx)
        assert set(np.unique(rx.cause)) <= {int(c) for c in LossCause}
    assert np.all(np.diff(results[-1].transmissions.subframe) >= 0)


def test_window_length_gives_statistically_equivalent_pdr():
    # The MAC is exact to the subframe whatever the processing window: a 100-subframe window and
    # per-subframe processing differ only through the order of the random draws.
    bench = Benchmark(road_length_m=2000.0, duration_s=3.0, warmup_s=1.0, seed=4,
                      distances_m=(0, 100, 200, 300, 400, 500), paper_pdr=None)
    pdr = {}
    for batch in (1, 100):
        result = run_benchmark(replace(bench, batch_subframes=batch))
        assert np.all(result.samples > 2000)
        pdr[batch] = result.pdr
        split = sum(result.loss_split.values())
        assert np.allclose(result.pdr + split, 1.0)
    assert np.max(np.abs(pdr[1] - pdr[100])) < 0.03, pdr


def test_a_selection_senses_what_earlier_selections_of_the_window_placed():
    # One sub-channel, T2 = 20, two vehicles 20 m apart, no reservations: A selects at subframe
    # 1 (y_A in 2..21), B at subframe 95 of the same 100-subframe window (candidates 96..115).
    # When y_A + 100 is among B's candidates, B has sensed A's SCI reserving it (and A's S-RSSI
    # one period before), so B never takes it; sensing only up to the window start would make
    # B take it one time in 20 (uniform among the 4 best of 20 equal candidates).
    layout = SubchannelLayout(n_subchannels=1, subchannel_size_rb=12,
                              noise_bandwidth_per_rb_hz=200e3)
    config = small_config(layout=layout, sps=SpsConfig(t2=20), batch_subframes=100)
    exposed = clashes = 0
    for seed in range(300):
        net = SidelinkNetwork(config, 2, seed=seed)
        net.set_positions(line(2, 20.0))
        net.submit(np.array([0, 1]), 190, np.array([1, 2]), np.array([1, 95]))
        tx = net.advance(100).transmissions
        y_a = int(tx.subframe[tx.vehicle == 0][0])
        y_b = int(net.pkt_occasion[1])
        if 96 <= y_a + 100 <= 115:
            exposed += 1
            clashes += int(y_b == y_a + 100)
    assert exposed > 150
    assert clashes == 0


def test_same_seed_same_results_for_every_window_length():
    for batch in (7, 100):
        def fingerprint(seed: int, batch: int = batch):
            _, results = periodic_run(small_config(batch_subframes=batch), 80, 1.0, seed=seed)
            return (np.concatenate([r.transmissions.subframe for r in results]),
                    np.concatenate([r.receptions.cause for r in results]),
                    np.concatenate([r.receptions.rx for r in results]))

        a, b = fingerprint(5), fingerprint(5)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_degenerate_fleets_and_absent_vehicles():
    config = small_config()
    for n, xy in ((1, line(1)), (2, line(2, 50_000.0))):
        net = SidelinkNetwork(config, n, seed=1)
        net.set_positions(xy)
        net.submit(np.arange(n), 190, np.arange(n), 3)
        result = net.advance(250)
        assert len(result.transmissions) == n and len(result.receptions) == 0
    # absent vehicles neither send nor receive; their waiting packets expire
    net = SidelinkNetwork(config, 30, seed=2)
    active = np.ones(30, dtype=bool)
    net.set_positions(line(30), active)
    net.submit(np.arange(30), 190, np.arange(30), 50)
    first = net.advance(100)
    waiting = int(np.count_nonzero(net.pkt_id[:10] >= 0))
    rebuilds = net.links.rebuilds
    active[:10] = False
    net.set_positions(line(30), active)
    assert net.links.rebuilds == rebuilds          # leaving silences links, no new list
    net.submit(np.arange(30), 190, 100 + np.arange(30), 120)     # dropped for the absent
    result = net.advance(200)
    assert not np.isin(result.transmissions.vehicle, np.arange(10)).any()
    assert not np.isin(result.receptions.rx, np.arange(10)).any()
    assert net.stats["expired"] == waiting > 0
    assert net.stats["generated"] == 50
    assert len(first.transmissions) + len(result.transmissions) == net.stats["transmitted"]
    assert net.advance(0).receptions.tx.size == 0
    # back where they left: still listed, heard again; elsewhere: a new list
    net.set_positions(line(30), np.ones(30, dtype=bool))
    assert net.links.rebuilds == rebuilds
    net.submit(np.arange(10, 30), 190, 200 + np.arange(20), net.now)
    back = net.advance(100)
    assert np.isin(back.receptions.rx[back.receptions.received], np.arange(10)).any()
    moved = line(30)
    moved[:10, 1] = 400.0
    net.set_positions(moved)
    assert net.links.rebuilds == rebuilds + 1


def test_stations_moved_in_place_still_move_their_links_shadowing():
    # the medium keeps one position array and moves it in place between steps
    net = SidelinkNetwork(RadioConfig(), 3)
    xy = np.zeros((3, 2))
    xy[:, 0] = [0.0, 50.0, 100.0]
    net.set_positions(xy)
    before = net.links.shadow_db.copy()
    xy[:, 0] += 10.0
    net.set_positions(xy)
    assert net.links.odometer_m.tolist() == [10.0, 10.0, 10.0]
    assert not np.array_equal(net.links.shadow_db, before)


def test_the_sensed_entries_are_those_above_the_sensing_threshold():
    # one power, one threshold: the view reuses the decodable entries as the sensed ones
    for config in (small_config(), small_config(sensing_threshold_dbm=-95.0)):
        net = SidelinkNetwork(config, 60, seed=3)
        net.set_positions(line(60, 15.0))
        net._prepare_view()
        view = net._view
        sensed = np.flatnonzero(view.power >= net._sense_mw)
        assert sensed.size and np.array_equal(view.s_tx, net.links.neighbour[sensed])
        assert np.allclose(view.s_rsrp, 10 * np.log10(view.power[sensed]))
