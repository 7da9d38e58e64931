"""Path-loss presets against their formulas at reference distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from v2x.sim.radio.pathloss import (
    PATHLOSS_MODELS,
    FreeSpace,
    LogDistance,
    TabulatedPathLoss,
    Tr37885Highway,
    TunnelTwoZone,
    WinnerB1Los,
    WinnerB1Nlos,
    free_space_db,
    pathloss_model,
    range_for_loss_m,
    winner_b1_nlos_manhattan_db,
    with_antenna_heights,
)


def test_free_space_at_100_m_and_5_9_ghz():
    # 20·log10(4·π·100·5.9e9 / c) = 87.86 dB
    assert float(free_space_db(100.0, 5.9e9)) == pytest.approx(87.864, abs=0.005)
    assert float(pathloss_model("free_space").loss_db(np.array([100.0]))[0]) == \
        pytest.approx(87.864, abs=0.005)


def test_winner_b1_paper_setup_below_and_beyond_the_breakpoint():
    model = WinnerB1Los(frequency_hz=5.91e9, environment_height_m=0.0)
    fc5 = math.log10(5.91 / 5.0)
    assert model.breakpoint_m == pytest.approx(4 * 1.5 * 1.5 * 5.91e9 / 299_792_458.0)
    near = 22.7 * math.log10(100.0) + 41.0 + 20.0 * fc5
    far = 40.0 * math.log10(400.0) + 9.45 - 2 * 17.3 * math.log10(1.5) + 2.7 * fc5
    got = model.loss_db(np.array([100.0, 400.0]))
    assert got[0] == pytest.approx(near, abs=1e-9)
    assert got[1] == pytest.approx(far, abs=1e-9)
    # the two branches meet at the breakpoint (within 0.1 dB)
    dbp = model.breakpoint_m
    below, above = model.loss_db(np.array([dbp * 0.9999, dbp * 1.0001]))
    assert abs(below - above) < 0.1


def test_winner_b1_tr36885_effective_height_moves_the_breakpoint():
    highway = WinnerB1Los(frequency_hz=5.9e9, environment_height_m=1.0)
    assert highway.effective_heights_m == (0.5, 0.5)
    assert highway.breakpoint_m == pytest.approx(19.68, abs=0.01)
    d = np.array([10.0, 50.0])
    fc5 = math.log10(5.9 / 5.0)
    expected_far = 40.0 * math.log10(50.0) + 9.45 - 2 * 17.3 * math.log10(0.5) + 2.7 * fc5
    assert highway.loss_db(d)[1] == pytest.approx(expected_far)


def test_winner_b1_floor_and_minimum_distance():
    model = WinnerB1Los()
    d = np.array([0.5, 3.0, 1000.0])
    got = model.loss_db(d)
    assert got[0] == got[1]                      # clamped to 3 m
    fc5 = math.log10(5.9 / 5.0)
    floor = 20.0 * np.log10(d) + 46.4 + 20.0 * fc5
    assert np.all(got >= np.maximum(floor, floor[1]) - 1e-9)


def test_nlos_is_never_better_than_los():
    d = np.geomspace(3, 2000, 50)
    assert np.all(WinnerB1Nlos().loss_db(d) >= WinnerB1Los().loss_db(d) - 1e-9)
    manhattan = winner_b1_nlos_manhattan_db(d, d[::-1], WinnerB1Los())
    assert np.all(np.isfinite(manhattan))


def test_tr37885_highway_los():
    assert float(Tr37885Highway().loss_db(np.array([100.0]))[0]) == \
        pytest.approx(32.4 + 40.0 + 20.0 * math.log10(5.9))


def test_tunnel_is_free_space_then_linear():
    tunnel = TunnelTwoZone(extra_db_per_m=0.05)
    dbp = tunnel.breakpoint_m
    assert dbp == pytest.approx(25.0 / (299_792_458.0 / 5.9e9))
    near = tunnel.loss_db(np.array([dbp / 2]))[0]
    assert near == pytest.approx(float(free_space_db(dbp / 2, 5.9e9)))
    a, b = tunnel.loss_db(np.array([dbp + 100.0, dbp + 200.0]))
    assert b - a == pytest.approx(100.0 * tunnel.attenuation_db_per_m)


def test_registry_builds_every_model_and_rejects_unknown_names():
    for name in PATHLOSS_MODELS:
        loss = pathloss_model(name).loss_db(np.array([10.0, 100.0, 1000.0]))
        assert np.all(np.diff(loss) > 0), name
    with pytest.raises(ValueError, match="unknown path-loss model"):
        pathloss_model("nope")


def test_tabulated_model_matches_the_formula():
    model = WinnerB1Los(frequency_hz=5.91e9, environment_height_m=0.0)
    table = TabulatedPathLoss(model)
    d = np.geomspace(1.0, 5000.0, 2000)
    assert np.max(np.abs(table.loss_db(d) - model.loss_db(d))) < 0.01


@pytest.mark.parametrize("model", [WinnerB1Los(frequency_hz=5.91e9, environment_height_m=0.0),
                                   Tr37885Highway(), TunnelTwoZone(extra_db_per_m=0.02)])
def test_bit_indexed_table_matches_the_formula(model):
    table = TabulatedPathLoss(model)
    d = np.geomspace(3.0, 3000.0, 20_000).astype(np.float32)
    out = np.empty(d.size, dtype=np.float32)
    table.loss_db_into(d, out, np.empty(d.size, dtype=np.int32))
    exact = model.loss_db(d.astype(np.float64))
    if isinstance(model, WinnerB1Los):          # the two branches meet within 0.1 dB
        away = np.abs(d - model.breakpoint_m) > 0.01 * model.breakpoint_m
        exact, out = exact[away], out[away]
    assert np.max(np.abs(out - exact)) < 0.03
    assert np.mean(np.abs(out - exact)) < 0.005


def test_a_6_m_rsu_antenna_in_winner_b1_los():
    # TR 36.885 highway: h' = h - 1 m, so an RSU at 6 m has h' = 5 m against the vehicle's 0.5 m
    vehicle = WinnerB1Los(environment_height_m=1.0)
    rsu = with_antenna_heights(vehicle, tx_height_m=6.0)
    assert isinstance(rsu, WinnerB1Los) and rsu.effective_heights_m == (5.0, 0.5)
    assert rsu.breakpoint_m == pytest.approx(4 * 5.0 * 0.5 * 5.9e9 / 299_792_458.0)
    fc5 = math.log10(5.9 / 5.0)
    far = 40.0 * math.log10(800.0) + 9.45 - 17.3 * math.log10(5.0) - 17.3 * math.log10(0.5) \
        + 2.7 * fc5
    assert float(rsu.loss_db(np.array([800.0]))[0]) == pytest.approx(far)
    # the model is symmetric in the two heights; the mast gains 17.3·log10(10) = 17.3 dB
    d = np.geomspace(3.0, 3000.0, 200)
    swapped = with_antenna_heights(vehicle, rx_height_m=6.0)
    assert np.allclose(rsu.loss_db(d), swapped.loss_db(d))
    assert float(vehicle.loss_db(np.array([800.0]))[0] - far) == pytest.approx(17.3)


def test_antenna_heights_reach_every_model_that_has_them():
    assert with_antenna_heights(WinnerB1Los(), 1.5, 1.5) == WinnerB1Los()
    same = WinnerB1Los()
    assert with_antenna_heights(same, tx_height_m=1.5) is same
    nlos = with_antenna_heights(WinnerB1Nlos(), tx_height_m=6.0)
    assert nlos.tx_height_m == 6.0 and nlos.los.tx_height_m == 6.0
    highway = with_antenna_heights(Tr37885Highway(), tx_height_m=6.0)
    assert float(highway.loss_db(np.array([100.0]))[0]) == pytest.approx(
        32.4 + 20.0 * math.log10(math.hypot(100.0, 4.5)) + 20.0 * math.log10(5.9))
    for model in (FreeSpace(), LogDistance(), TunnelTwoZone()):
        assert with_antenna_heights(model, 6.0, 6.0) is model
    with pytest.raises(ValueError, match="environment_height_m"):
        WinnerB1Los(tx_height_m=0.9, environment_height_m=1.0)


def test_range_for_loss_matches_the_table():
    model = WinnerB1Los(environment_height_m=1.0, tx_height_m=6.0)
    table = TabulatedPathLoss(model)
    for loss in (90.0, 110.0, 130.0):
        assert range_for_loss_m(model, loss) == pytest.approx(table.range_for_loss_m(loss),
                                                              rel=2e-3)
    assert range_for_loss_m(model, 0.0) == 0.0
