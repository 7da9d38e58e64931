"""Channel busy ratio (CBR) of the sidelink, per UE, over the last 100 ms.

3GPP TS 36.214 §5.1.30: the CBR measured in subframe n is the portion of sub-channels in the
resource pool whose S-RSSI measured by the UE exceeds a (pre-)configured threshold, sensed over
subframes [n − 100, n − 1]. S-RSSI (§5.1.28) is the total received power per sub-channel, noise
included. Subframes in which the UE transmitted were not monitored and are left out of the ratio.
The threshold is configurable; −94 dBm is the value commonly used for 10 MHz LTE-V2X congestion
control studies (it is a parameter here, not a fixed fact of the standard).
"""

from __future__ import annotations

import numpy as np

CBR_WINDOW_MS = 100
DEFAULT_CBR_THRESHOLD_DBM = -94.0


def channel_busy_ratio(rssi_mw: np.ndarray, transmitted: np.ndarray, now: int,
                       noise_per_subchannel_mw: float,
                       threshold_dbm: float = DEFAULT_CBR_THRESHOLD_DBM,
                       window: int = CBR_WINDOW_MS, rows: np.ndarray | None = None
                       ) -> np.ndarray:
    """CBR at subframe ``now`` of the given ``rows`` (default: all) of a sensing memory.

    ``rssi_mw`` is (vehicles, ring, sub-channels) of received power without noise, indexed by
    subframe modulo the ring length; ``transmitted`` is (vehicles, ring). Before 100 subframes
    have passed, the subframes since the start are used.
    """
    ring = rssi_mw.shape[1]
    rows = np.arange(rssi_mw.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    first = max(now - window, 0)
    if now <= first:
        return np.zeros(rows.size)
    threshold_mw = 10.0 ** (threshold_dbm / 10.0)
    # only the window's subframes are read: one or two slices of the ring, then the rows
    start, stop = first % ring, (now - 1) % ring + 1
    parts = [slice(start, stop)] if start < stop else [slice(start, ring), slice(0, stop)]
    busy = np.concatenate([((rssi_mw[:, part, :][rows] + noise_per_subchannel_mw) > threshold_mw
                            ).sum(axis=2) for part in parts], axis=1)
    monitored = np.concatenate([~transmitted[:, part][rows] for part in parts], axis=1)
    busy_count = np.where(monitored, busy, 0).sum(axis=1)
    total = monitored.sum(axis=1) * rssi_mw.shape[2]
    return busy_count / np.maximum(total, 1)
