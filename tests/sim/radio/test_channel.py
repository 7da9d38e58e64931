"""CBR (TS 36.214 §5.1.30) read straight from the sensing ring, wrapping or not."""

from __future__ import annotations

import numpy as np
import pytest

from v2x.sim.radio.channel import channel_busy_ratio


def by_definition(rssi_mw, transmitted, now, noise_mw, threshold_dbm, window=100):
    """Subframe by subframe: busy sub-channels over monitored ones."""
    ring = rssi_mw.shape[1]
    out = []
    for vehicle in range(rssi_mw.shape[0]):
        busy = total = 0
        for subframe in range(max(now - window, 0), now):
            slot = subframe % ring
            if transmitted[vehicle, slot]:
                continue
            power = rssi_mw[vehicle, slot] + noise_mw
            busy += int(np.sum(power > 10 ** (threshold_dbm / 10)))
            total += rssi_mw.shape[2]
        out.append(busy / max(total, 1))
    return np.array(out)


@pytest.mark.parametrize("now", [0, 30, 100, 1000, 1050, 1999])
def test_cbr_matches_the_definition(now):
    rng = np.random.default_rng(now)
    rssi = (10 ** (rng.uniform(-110, -80, (6, 1000, 4)) / 10)).astype(np.float32)
    transmitted = rng.random((6, 1000)) < 0.05
    rows = np.array([5, 0, 3])
    got = channel_busy_ratio(rssi, transmitted, now, 1e-10, -94.0, rows=rows)
    want = by_definition(rssi, transmitted, now, 1e-10, -94.0)[rows]
    assert np.allclose(got, want)
