"""LTE-V2X PC5 mode 4: sensing-based semi-persistent scheduling (SB-SPS), vectorised.

Implements the UE procedure of 3GPP TS 36.213 §14.1.1.6 (Release 14) with the MAC rules of
TS 36.321 §5.14.1.1 (Release 14), for many vehicles at once:

* Candidates: every single-subframe resource R(x, y) in the selection window [n + T1, n + T2]
  (T1 ≤ 4; 20 ≤ T2 ≤ 100, here T2 = min(RRI, 100) by default) on L adjacent sub-channels;
  M_total candidates.
* Step 5: exclude the subframes the UE did not monitor because it was transmitting (its own
  transmission one reservation period before the candidate).
* Step 6: exclude a candidate overlapping the resources reserved by a decoded SCI whose PSSCH-RSRP
  is above the threshold Th (initially ``rsrp_threshold_dbm``, per resource element, TS 36.214
  §5.1.29); the reservation of an SCI received in subframe t recurs at t + P_rsvp. The SCI that
  matters for candidate y is the latest one sensed in a subframe ≡ y (mod P) (one period earlier
  when sensing is current).
* Step 7: while fewer than 20 % of M_total remain, raise Th by 3 dB and redo steps 5-6.
* Steps 8-9: rank the remaining candidates by E(x, y), the linear average S-RSSI over their
  sub-channels in the monitored subframes y − j·P of the 1000 ms sensing window; keep the
  0.2·M_total lowest. The MAC picks one of them with equal probability.
* Reselection counter uniform in [5, 15] for RRI ≥ 100 ms, [10, 30] for 50 ms, [25, 75] for
  20 ms; decremented per transmission; when it expires the UE keeps its resources with
  probability ``keep_probability`` (probResourceKeep, 0–0.8). The last SCI before a reselection
  announces no further reservation.

``SensingMemory`` holds what each UE measured: S-RSSI per subframe and sub-channel over the sensing
window, which subframes it transmitted in, and the RSRP of the latest decoded SCI reserving each
phase of the reservation period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ALLOWED_RRI_MS = (20, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000)
"""Resource reservation intervals of TS 36.331 SL-RestrictResourceReservationPeriod (Rel-14)."""


@dataclass(frozen=True)
class SpsConfig:
    """SB-SPS parameters; defaults follow TS 36.213/36.321 and the validation paper."""

    rri_ms: int = 100
    t1: int = 1
    t2: int | None = None
    rsrp_threshold_dbm: float = -110.0
    threshold_step_db: float = 3.0
    min_candidate_fraction: float = 0.2
    keep_probability: float = 0.0
    sensing_window_ms: int = 1000
    exclude_unmonitored: bool = True
    counter_range: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.rri_ms not in ALLOWED_RRI_MS:
            raise ValueError(f"rri_ms must be one of {ALLOWED_RRI_MS}")
        if not 1 <= self.t1 <= 4:
            raise ValueError("T1 must be 1..4 subframes (TS 36.213 §14.1.1.6)")
        if not self.t1 < self.window_end <= min(self.rri_ms, 100):
            raise ValueError("T2 must exceed T1 and be at most min(RRI, 100)")
        if self.sensing_window_ms % self.rri_ms:
            raise ValueError("the sensing window must be a whole number of reservation periods")
        if not 0.0 <= self.keep_probability <= 0.8:
            raise ValueError("keep_probability (probResourceKeep) must be 0..0.8")

    @property
    def window_end(self) -> int:
        """T2 in subframes."""
        return self.t2 if self.t2 is not None else min(self.rri_ms, 100)

    @property
    def counter_bounds(self) -> tuple[int, int]:
        """Inclusive range of SL_RESOURCE_RESELECTION_COUNTER (TS 36.321 §5.14.1.1)."""
        if self.counter_range is not None:
            return self.counter_range
        if self.rri_ms >= 100:
            return 5, 15
        return (10, 30) if self.rri_ms == 50 else (25, 75)

    def draw_counters(self, rng: np.random.Generator, n: int) -> np.ndarray:
        lo, hi = self.counter_bounds
        return rng.integers(lo, hi + 1, size=n).astype(np.int32)


class SensingMemory:
    """Per-UE sensing results for the last ``sensing_window_ms`` subframes."""

    def __init__(self, n_vehicles: int, n_subchannels: int, config: SpsConfig) -> None:
        self.config = config
        self.n_subchannels = n_subchannels
        w, p = config.sensing_window_ms, config.rri_ms
        self.rssi_mw = np.zeros((n_vehicles, w, n_subchannels), dtype=np.float32)
        self.transmitted = np.zeros((n_vehicles, w), dtype=bool)
        self.sci_rsrp_dbm = np.full((n_vehicles, p, n_subchannels), -np.inf, dtype=np.float32)
        self.sent_in_phase = np.zeros((n_vehicles, p), dtype=bool)

    def record(self, first_subframe: int, rssi_mw: np.ndarray, sci_rsrp_dbm: np.ndarray,
               transmitters: np.ndarray, tx_subframes: np.ndarray) -> None:
        """Store a batch of consecutive subframes starting at ``first_subframe``.

        ``rssi_mw`` and ``sci_rsrp_dbm`` are (vehicles, batch, sub-channels); the listed
        transmitters did not monitor their ``tx_subframes``.
        """
        batch = rssi_mw.shape[1]
        w, p = self.config.sensing_window_ms, self.config.rri_ms
        sub = first_subframe + np.arange(batch)
        slots, phases = sub % w, sub % p
        self.rssi_mw[:, slots, :] = rssi_mw
        self.transmitted[:, slots] = False
        self.transmitted[transmitters, tx_subframes % w] = True
        self.sci_rsrp_dbm[:, phases, :] = sci_rsrp_dbm
        self.sent_in_phase[:, phases] = False
        self.sent_in_phase[transmitters, tx_subframes % p] = True

    def average_rssi(self, vehicles: np.ndarray) -> np.ndarray:
        """Linear mean S-RSSI per reservation phase and sub-channel over monitored subframes.

        Shape (len(vehicles), RRI, sub-channels): the E(x, y) ingredient of TS 36.213 step 8.
        """
        w, p = self.config.sensing_window_ms, self.config.rri_ms
        s = self.n_subchannels
        rssi = self.rssi_mw[vehicles].reshape(vehicles.size, w // p, p, s)
        monitored = ~self.transmitted[vehicles].reshape(vehicles.size, w // p, p)
        total = np.einsum("vkps,vkp->vps", rssi.astype(np.float64), monitored)
        count = np.maximum(monitored.sum(axis=1), 1)
        return total / count[:, :, None]


def _window_reduce(values: np.ndarray, width: int, how: str) -> np.ndarray:
    """Max or mean over ``width`` adjacent sub-channels (last axis): shape (..., S - width + 1)."""
    s = values.shape[-1]
    parts = [values[..., k:s - width + 1 + k] for k in range(width)]
    if how == "max":
        return np.maximum.reduce(parts) if width > 1 else parts[0]
    return sum(parts[1:], parts[0]) / width


def select_resources(rng: np.random.Generator, config: SpsConfig, memory: SensingMemory,
                     vehicles: np.ndarray, now: np.ndarray,
                     n_subchannels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the TS 36.213 §14.1.1.6 selection for each listed vehicle at its subframe ``now``.

    ``n_subchannels`` is L per vehicle. Returns (subframe, first sub-channel) of each choice.
    Sensing results are those in ``memory`` (the subframes recorded so far).
    """
    vehicles = np.asarray(vehicles, dtype=np.int64)
    now = np.asarray(now, dtype=np.int64)
    lengths = np.asarray(n_subchannels, dtype=np.int64)
    subframe = np.empty(vehicles.size, dtype=np.int64)
    first_sub = np.empty(vehicles.size, dtype=np.int64)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        y, x = _select_same_length(rng, config, memory, vehicles[rows], now[rows], int(length))
        subframe[rows], first_sub[rows] = y, x
    return subframe, first_sub


def _select_same_length(rng: np.random.Generator, config: SpsConfig, memory: SensingMemory,
                        vehicles: np.ndarray, now: np.ndarray,
                        length: int) -> tuple[np.ndarray, np.ndarray]:
    p, s = config.rri_ms, memory.n_subchannels
    v = vehicles.size
    if length > s:
        raise ValueError(f"a transmission on {length} sub-channels does not fit {s}")
    t1, t2 = config.t1, config.window_end
    y = now[:, None] + np.arange(t1, t2 + 1)[None, :]              # (V, W) candidate subframes
    phase = y % p
    rows = vehicles[:, None]
    sci = memory.sci_rsrp_dbm[rows, phase]                         # (V, W, S)
    rssi = memory.average_rssi(vehicles)[np.arange(v)[:, None], phase]
    blocking = _window_reduce(sci, length, "max")                  # (V, W, X)
    metric = _window_reduce(rssi, length, "mean")
    n_w, n_x = blocking.shape[1], blocking.shape[2]
    m_total = n_w * n_x
    need = max(1, math.ceil(config.min_candidate_fraction * m_total))
    blocking = blocking.reshape(v, m_total).astype(np.float64)
    if config.exclude_unmonitored:
        unmonitored = np.repeat(memory.sent_in_phase[rows, phase], n_x, axis=1)
        excluded = np.where(unmonitored, np.inf, blocking)
        # Step 5 alone must leave enough candidates; otherwise it is not applied (a UE that
        # transmitted in most subframes could not select at all).
        enough = np.count_nonzero(~unmonitored, axis=1) >= need
        blocking = np.where(enough[:, None], excluded, blocking)
    kth = np.partition(blocking, need - 1, axis=1)[:, need - 1]
    th0, step = config.rsrp_threshold_dbm, config.threshold_step_db
    raises = np.where(np.isfinite(kth), np.ceil(np.maximum(kth - th0, 0.0) / step), 0.0)
    threshold = th0 + step * raises
    allowed = blocking <= threshold[:, None]
    score = metric.reshape(v, m_total).astype(np.float64)
    jitter = rng.random((v, m_total))
    score = score * (1.0 + 1e-6 * jitter) + 1e-30 * jitter        # random order among ties
    score[~allowed] = np.inf
    best = np.argpartition(score, need - 1, axis=1)[:, :need]
    pick = best[np.arange(v), rng.integers(0, need, size=v)]
    w, x = np.divmod(pick, n_x)
    return y[np.arange(v), w], x
