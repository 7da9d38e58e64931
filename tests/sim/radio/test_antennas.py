"""Stations with their own antenna height (RSUs on masts): path loss, reach, reporting, MAC."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from v2x.sim.radio import LossCause, RadioConfig, ShadowingConfig, SidelinkNetwork
from v2x.sim.radio.pathloss import WinnerB1Los
from v2x.sim.validation import Benchmark, paper_radio_config

RSU_M = 6.0


def highway_config(**changes) -> RadioConfig:
    """TR 36.885 highway set-up: 1.5 m antennas, environment height 1 m, 23 dBm."""
    base = replace(paper_radio_config(Benchmark()), frequency_hz=5.9e9, tx_power_dbm=23.0,
                   pathloss_params={"environment_height_m": 1.0}, wrap_x_m=None,
                   report_range_m=None)
    return replace(base, **changes)


def heights(n: int, **at: float) -> np.ndarray:
    """NaN (the vehicles' height) everywhere but at the stations given as s<index>=height."""
    h = np.full(n, np.nan)
    for key, value in at.items():
        h[int(key[1:])] = value
    return h


def loss_of_gain(gain: np.ndarray) -> np.ndarray:
    return -10.0 * np.log10(gain.astype(np.float64))


@pytest.mark.parametrize("wrap", [None, 6000.0])
def test_links_with_an_rsu_use_the_formula_with_its_height(wrap):
    config = highway_config(shadowing=ShadowingConfig(sigma_db=0.0), wrap_x_m=wrap)
    # 0: RSU at 6 m, 1: RSU at 10 m, 2..: vehicles
    x = np.array([0.0, 2900.0, 40.0, 300.0, 1200.0, 1500.0, 1650.0, 2500.0, 4600.0])
    n = x.size
    net = SidelinkNetwork(config, n, seed=1, antenna_height_m=heights(n, s0=RSU_M, s1=10.0))
    net.set_positions(np.column_stack([x, np.zeros(n)]))
    lt = net.links
    v2v = WinnerB1Los(environment_height_m=1.0)
    own = {0: RSU_M, 1: 10.0}
    listed = {}
    for i, j, d, g in zip(lt.first, lt.second, lt.distance_m, lt.gain_lin, strict=True):
        hi, hj = own.get(int(i)), own.get(int(j))
        model = v2v if hi is None and hj is None else WinnerB1Los(
            environment_height_m=1.0, tx_height_m=hi or 1.5, rx_height_m=hj or 1.5)
        listed[(int(i), int(j))] = float(g)
        if g > 0:
            expected = float(model.loss_db(np.array([float(d)]))[0])
            assert loss_of_gain(np.array([g]))[0] == pytest.approx(expected, abs=0.01)
    assert net.station_range_m[0] > 2 * net.range_m
    assert net.station_range_m[1] > net.station_range_m[0]
    assert net.station_range_m[2] == net.range_m
    # RSU-vehicle links far beyond the vehicles' range exist; vehicle-vehicle ones do not
    assert listed[(0, 4)] > 0 and listed[(0, 5)] > 0            # 1200 m, 1500 m
    assert (3, 4) not in listed and (4, 7) not in listed        # 900 m, 1300 m apart
    assert (0, 6) in listed and listed[(0, 6)] == 0.0           # beyond its range, in margin
    assert listed[(0, 1)] > 0                                    # RSU-RSU at 2900 m
    assert listed[(1, 7)] > 0                                    # 400 m from the 10 m RSU
    if wrap is None:
        assert (0, 8) not in listed
    else:
        assert listed[(0, 8)] > 0                                # 1400 m round the ring
        assert float(lt.distance_m[np.searchsorted(lt.keys, 0 * n + 8)]) == \
            pytest.approx(1400.0, abs=0.01)


def _prr_from_station_0(height: float | None, seconds: float = 6.0, seed: int = 3):
    """Station 0 at x = 0 sends 190 B at 10 Hz to a line of silent receivers every 20 m,
    which drift 1 m per 100 ms (new shadowing samples)."""
    config = highway_config()
    n = 71
    h = heights(n, s0=height) if height is not None else None
    net = SidelinkNetwork(config, n, seed=seed, antenna_height_m=h)
    xy = np.column_stack([np.arange(n) * 20.0, np.zeros(n)])
    dist, ok = [], []
    for start in range(0, round(seconds * 1000), 100):
        net.set_positions(xy + np.column_stack([np.r_[0.0, np.full(n - 1, start * 0.01)],
                                                np.zeros(n)]))
        net.submit(np.array([0]), 190, np.array([start]), start + 7)
        rx = net.advance(100).receptions
        dist.append(rx.distance_m[rx.tx == 0])
        ok.append(rx.received[rx.tx == 0])
    return net, np.concatenate(dist), np.concatenate(ok)


def _prr(dist: np.ndarray, ok: np.ndarray, lo: float, hi: float) -> float:
    inside = (dist >= lo) & (dist < hi)
    assert np.any(inside), (lo, hi)
    return float(np.mean(ok[inside]))


def test_an_rsu_at_6_m_is_received_further_than_a_vehicle_at_the_same_power():
    vehicle, d_v, ok_v = _prr_from_station_0(None)
    rsu, d_r, ok_r = _prr_from_station_0(RSU_M)
    assert vehicle.links.antennas is None
    # both are decoded nearby; at 300-360 m the vehicle is mostly lost, the RSU is not
    assert _prr(d_v, ok_v, 0, 100) > 0.99 and _prr(d_r, ok_r, 0, 100) > 0.99
    assert _prr(d_v, ok_v, 300, 360) < 0.3
    assert _prr(d_r, ok_r, 300, 360) > 0.95
    # the vehicle's opportunities end at the V2V report range; the RSU's go on to its own
    assert d_v.max() <= vehicle.report_range_m
    assert d_r.max() > 2.5 * vehicle.report_range_m
    assert d_r.max() <= rsu.station_report_range_m[0]
    assert _prr(d_r, ok_r, 450, 550) > 0.5

    def last_above_half(dist, ok):
        edges = np.arange(0.0, 1400.0, 20.0)
        good = [e for e in edges if np.any((dist >= e) & (dist < e + 20))
                and _prr(dist, ok, e, e + 20) >= 0.5]
        return max(good)

    assert last_above_half(d_r, ok_r) > 2.0 * last_above_half(d_v, ok_v)


def test_rsu_links_are_reported_both_ways_out_to_the_rsu_report_range():
    config = highway_config()
    n = 41                                       # 0: RSU at 6 m; vehicles every 40 m to 1600 m
    net = SidelinkNetwork(config, n, seed=4, antenna_height_m=heights(n, s0=RSU_M))
    rng = np.random.default_rng(4)
    offsets = rng.integers(0, 100, n)
    xy = np.column_stack([np.arange(n) * 40.0, np.zeros(n)])
    results = []
    for start in range(0, 3000, 100):
        net.set_positions(xy)
        net.submit(np.arange(n), 190, start * n + np.arange(n), start + offsets)
        results.append(net.advance(100))
    x = xy[:, 0]
    rsu_reach = net.station_report_range_m[0]
    assert rsu_reach > 2 * net.report_range_m
    for r in results:
        rx = r.receptions
        pairs = rx.packet * 1000 + rx.rx
        assert np.unique(pairs).size == pairs.size
        # exactly the stations within each link's report range, once per transmission
        expected = 0
        for v in r.transmissions.vehicle:
            d = np.abs(x - x[v])
            limit = np.where(np.arange(n) == 0, rsu_reach, net.report_range_m)
            if v == 0:
                limit = np.full(n, rsu_reach)
            expected += int(np.count_nonzero(d <= limit)) - 1
        assert len(rx) == expected
    rx_all = [r.receptions for r in results]
    tx, rcv = np.concatenate([r.tx for r in rx_all]), np.concatenate([r.rx for r in rx_all])
    dist = np.concatenate([r.distance_m for r in rx_all])
    ok = np.concatenate([r.received for r in rx_all])
    cause = np.concatenate([r.cause for r in rx_all])
    down = tx == 0                                  # RSU to vehicles
    up = rcv == 0                                   # vehicles to the RSU
    far = (dist > net.report_range_m) & (dist < 550.0)
    assert np.count_nonzero(down & far) > 20 and np.count_nonzero(up & far) > 20
    assert _prr(dist[down], ok[down], net.report_range_m, 550.0) > 0.75
    assert _prr(dist[up], ok[up], net.report_range_m, 550.0) > 0.75
    # vehicle-to-vehicle opportunities never exceed the V2V report range
    assert dist[~down & ~up].max() <= net.report_range_m
    # near the RSU's report range the mean power is far under the decoding threshold
    assert set(np.unique(cause)) <= {int(c) for c in LossCause}
    edge = (down | up) & (dist > 900.0)
    assert np.count_nonzero(edge) > 20
    assert np.mean(cause[edge] == LossCause.BELOW_SENSING) > 0.8


def test_half_duplex_between_an_rsu_and_a_vehicle_beyond_the_v2v_range():
    for height, expected in ((RSU_M, 2), (None, 0)):
        h = heights(2, s0=height) if height is not None else None
        net = SidelinkNetwork(highway_config(), 2, seed=1, antenna_height_m=h)
        net.set_positions(np.array([[0.0, 0.0], [900.0, 0.0]]))
        assert net.range_m + net.config.neighbour_margin_m < 900.0
        net.res_next[:] = 10
        net.res_subchannel[:] = [0, 2]
        net.res_length[:] = 1
        net.counter[:] = 5
        net.submit(np.array([0, 1]), 190, np.array([100, 101]), 0)
        result = net.advance(20)
        assert result.transmissions.subframe.tolist() == [10, 10]
        assert len(result.receptions) == expected
        assert np.all(result.receptions.cause == LossCause.HALF_DUPLEX)


def test_vehicles_sense_an_rsu_beyond_the_v2v_range():
    cbr = {}
    for height in (RSU_M, None):
        h = heights(2, s0=height) if height is not None else None
        net = SidelinkNetwork(highway_config(), 2, seed=1, antenna_height_m=h)
        net.set_positions(np.array([[0.0, 0.0], [1000.0, 0.0]]))
        net.res_next[0] = 10
        net.res_subchannel[0] = 1
        net.res_length[0] = 1
        net.counter[0] = 5
        net.submit(np.array([0]), 190, np.array([7]), 0)
        net.advance(20)
        sensed = float(net.memory.rssi_mw[1, 10, 1])
        if height is None:
            assert sensed == 0.0
        else:
            gain = float(net.links.gain_lin[0])
            assert gain > 0
            assert sensed == pytest.approx(gain * 10.0 ** (23.0 / 10.0), rel=1e-5)
            assert np.all(net.memory.rssi_mw[1, 10, [0, 2, 3]] == 0.0)
        cbr[height] = net.cbr(np.array([1]))
    assert np.all(np.isfinite(cbr[RSU_M]))


def test_an_rsu_beyond_the_v2v_range_causes_collisions():
    # R at 0 receives T at 187 m (-88 dBm, 13.7 dB over the noise); an RSU at 33 dBm on a 6 m
    # mast 750 m away (beyond the V2V range and margin) sends in the same subframe and
    # sub-channel: received at about -85 dBm, so the SINR of T's packet falls below 0 dB.
    config = highway_config(shadowing=ShadowingConfig(sigma_db=0.0))
    xy = np.array([[-750.0, 0.0], [0.0, 0.0], [187.0, 0.0]])
    outcome = {}
    for height in (RSU_M, None):
        causes = []
        for seed in range(20):
            h = heights(3, s0=height) if height is not None else None
            net = SidelinkNetwork(config, 3, seed=seed, antenna_height_m=h)
            net.tx_power_dbm[0] = 33.0
            net.set_positions(xy)
            assert net.range_m + net.config.neighbour_margin_m < 750.0
            net.res_next[[0, 2]] = 10
            net.res_subchannel[[0, 2]] = 0
            net.res_length[[0, 2]] = 1
            net.counter[[0, 2]] = 5
            net.submit(np.array([0, 2]), 190, np.array([1, 2]), 0)
            rx = net.advance(20).receptions
            pick = (rx.tx == 2) & (rx.rx == 1)
            assert np.count_nonzero(pick) == 1
            causes.append(int(rx.cause[pick][0]))
        outcome[height] = np.array(causes)
    assert np.all(outcome[RSU_M] == LossCause.COLLISION)
    assert np.mean(outcome[None] == LossCause.RECEIVED) >= 0.9


def test_no_height_or_the_models_own_height_changes_nothing():
    config = highway_config()

    def fingerprint(h):
        n = 60
        net = SidelinkNetwork(config, n, seed=5, antenna_height_m=h)
        offsets = np.random.default_rng(5).integers(0, 100, n)
        xy = np.column_stack([np.arange(n) * 15.0, np.zeros(n)])
        out = []
        for start in range(0, 1000, 100):
            net.set_positions(xy + np.array([start * 0.03, 0.0]))
            net.submit(np.arange(n), 190, start * n + np.arange(n), start + offsets)
            r = net.advance(100)
            out += [r.transmissions.subframe, r.receptions.cause, r.receptions.rx]
        return net, out

    _, base = fingerprint(None)
    for h in (np.full(60, np.nan), heights(60, s0=1.5, s7=1.5)):
        net, other = fingerprint(h)
        assert net.links.antennas is None
        assert all(np.array_equal(a, b) for a, b in zip(base, other, strict=True))
    # a model without antenna heights ignores them
    free = SidelinkNetwork(replace(config, pathloss="free_space", pathloss_params={}), 5,
                           antenna_height_m=heights(5, s0=RSU_M))
    assert free.links.antennas is None and np.all(free.station_range_m == free.range_m)


def test_heights_are_checked():
    config = highway_config()
    with pytest.raises(ValueError):
        SidelinkNetwork(config, 3, antenna_height_m=np.array([6.0, np.nan]))
    with pytest.raises(ValueError):
        SidelinkNetwork(config, 2, antenna_height_m=np.array([-1.0, np.nan]))
    with pytest.raises(ValueError, match="environment_height_m"):
        SidelinkNetwork(config, 2, antenna_height_m=np.array([0.8, np.nan]))


def test_rsu_report_range_is_its_decodable_distance_and_the_v2v_range_is_unchanged():
    config = highway_config()
    plain = SidelinkNetwork(config, 4)
    net = SidelinkNetwork(config, 4, antenna_height_m=heights(4, s0=RSU_M))
    assert (net.range_m, net.report_range_m) == (plain.range_m, plain.report_range_m)
    # the mean received power 3σ under the decoding threshold at the RSU's report range
    model = WinnerB1Los(environment_height_m=1.0, tx_height_m=RSU_M)
    reach = net.station_report_range_m[0]
    worst = config.decoding_threshold_dbm - 3.0 * config.shadowing.sigma_db
    loss = float(model.loss_db(np.array([reach]))[0])
    assert config.tx_power_dbm - loss == pytest.approx(worst, abs=0.01)
    # an explicit report range applies to vehicles; RSU links keep at least their own reach
    fixed = SidelinkNetwork(replace(config, report_range_m=200.0), 4,
                            antenna_height_m=heights(4, s0=RSU_M))
    assert fixed.report_range_m == 200.0
    assert fixed.station_report_range_m[0] == pytest.approx(reach)
    assert math.isclose(fixed.station_report_range_m[1], 200.0)


def test_a_louder_station_reaches_as_far_as_its_power_carries():
    config = highway_config(shadowing=ShadowingConfig(sigma_db=0.0))
    x = np.array([0.0, 300.0, 800.0, 1200.0])
    power = np.array([33.0, 23.0, 23.0, 23.0])  # station 0: an RSU 10 dB louder, vehicle height
    quiet = SidelinkNetwork(config, 4, seed=1)
    loud = SidelinkNetwork(config, 4, seed=1, tx_power_dbm=power)
    assert loud.tx_power_dbm.tolist() == power.tolist()
    for net in (quiet, loud):
        net.set_positions(np.column_stack([x, np.zeros(4)]))
    # 10 dB more carries 10**(10/40) = 1.78x further beyond the WINNER breakpoint
    assert loud.station_range_m[0] == pytest.approx(quiet.range_m * 10 ** 0.25, rel=0.01)
    assert loud.station_range_m[1] == quiet.range_m == loud.range_m
    far = [(int(i), int(j)) for i, j, g in zip(loud.links.first, loud.links.second,
                                                loud.links.gain_lin, strict=True) if g > 0]
    near = [(int(i), int(j)) for i, j, g in zip(quiet.links.first, quiet.links.second,
                                                 quiet.links.gain_lin, strict=True) if g > 0]
    assert quiet.range_m < 800.0 < loud.station_range_m[0] < 1200.0
    assert (0, 2) in far and (0, 2) not in near and (0, 3) not in far
    assert (0, 1) in near and (1, 2) in far
    with pytest.raises(ValueError, match="tx_power_dbm"):
        SidelinkNetwork(config, 4, tx_power_dbm=np.array([23.0, np.nan, 23.0, 23.0]))
