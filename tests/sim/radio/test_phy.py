"""Noise, transport blocks and SINR → BLER interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from v2x.sim.radio import phy


def test_noise_per_resource_blocks():
    # −174 dBm/Hz + 10·log10(10 × 180 kHz) + 9 dB
    assert float(phy.noise_dbm(10)) == pytest.approx(-174 + 10 * np.log10(1.8e6) + 9)
    # the paper's convention: −95 dBm per 10 MHz scaled to 10 of 50 RBs
    layout = phy.paper_layout()
    paper = phy.noise_dbm(10, 9.0, layout.noise_bandwidth_per_rb_hz)
    assert float(paper) == pytest.approx(-95 - 10 * np.log10(50 / 10), abs=0.01)


def test_transport_block_table():
    assert phy.TBS_BITS.shape == (19, 110)
    assert np.all(np.diff(phy.TBS_BITS, axis=1) >= 0)
    assert np.all(np.diff(phy.TBS_BITS, axis=0) >= 0)
    assert phy.transport_block_bits(9, 10) == 1544      # 190 bytes fit 10 RBs at MCS 9
    assert phy.transport_block_bits(7, 10) == 1224
    assert phy.transport_block_bits(0, 1) == 16
    assert phy.mcs_to_tbs_index(11) == (4, 10)
    with pytest.raises(ValueError):
        phy.mcs_to_tbs_index(25)


def test_subchannels_per_packet():
    layout = phy.paper_layout()
    assert int(phy.subchannels_for_packet(190, 9, layout)) == 1
    assert int(phy.subchannels_for_packet(190, 5, layout)) == 2
    sizes = phy.subchannels_for_packet(np.array([50, 190, 300]), 9, layout)
    assert sizes.tolist() == [1, 1, 2]
    with pytest.raises(ValueError, match="does not fit"):
        phy.subchannels_for_packet(5000, 0, layout)
    assert phy.SubchannelLayout().pssch_rb(2) == 18


def test_bler_linear_interpolation_in_db():
    curve = phy.bler_curve("r1-160284-190B-qpsk-r0.7")
    assert float(curve(5.0)) == pytest.approx((0.7 + 0.4) / 2)
    assert float(curve(9.0)) == pytest.approx((0.13 + 0.045) / 2)
    assert float(curve(-10.0)) == 1.0
    assert float(curve(40.0)) == pytest.approx(1e-4)
    fast = curve.lookup()
    grid = np.linspace(-5, 30, 3001)
    assert np.max(np.abs(fast(grid) - curve(grid))) < 2e-3


def test_threshold_model_and_registry():
    step = phy.bler_curve("threshold:3")
    assert float(step(2.9)) == 1.0 and float(step(3.0)) == 0.0
    with pytest.raises(ValueError, match="unknown BLER curve"):
        phy.bler_curve("nope")
    for curve in phy.BLER_CURVES.values():
        assert "R1-160284" in curve.source


@pytest.mark.parametrize("name", ["r1-160284-190B-qpsk-r0.7", "r1-160284-190B-qpsk-r0.5",
                                  "threshold:3"])
def test_bler_thresholds_follow_the_curve(name):
    curve = phy.bler_curve(name)
    table = phy.BlerThresholds(curve)
    sinr_db = np.linspace(-20.0, 40.0, 60_001)
    sinr_db = sinr_db[np.abs(sinr_db - 3.0) > 0.01]          # away from the threshold's step
    lin = (10.0 ** (sinr_db / 10.0)).astype(np.float32)
    out = np.empty(lin.size, dtype=np.uint32)
    table.into(lin, out, np.empty(lin.size, dtype=np.int32))
    assert np.max(np.abs(out / 2.0**32 - curve(sinr_db))) < 1e-3
    # flat outside the table: lost for sure far below, floor far above
    edge = np.array([1e-6, 1e6], dtype=np.float32)
    table.into(edge, out[:2], np.empty(2, dtype=np.int32))
    assert out[0] / 2.0**32 == pytest.approx(float(curve(-60.0)), abs=1e-6)
    assert out[1] / 2.0**32 == pytest.approx(float(curve(60.0)), abs=1e-6)
