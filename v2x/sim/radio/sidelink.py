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
phase of the reservation period. ``choose_resources`` is the selection itself (steps 4-9) on the
sensing of each phase of the reservation period as one UE knows it at its subframe n; it is used by
``select_resources`` (sensing taken from a ``SensingMemory``) and by ``network.SidelinkNetwork``,
which assembles the sensing on demand, exact to the subframe, for the few UEs that (re)select.

Candidates are handled by phase: with T2 − T1 + 1 = P the window [n + T1, n + T2] holds exactly one
subframe of each phase y mod P; a shorter window marks the phases outside it as not candidates.
Random draws are passed in (``selection_draws`` per UE), so a selection is a deterministic function
of its sensing: the network relies on that to redo a selection when its sensing changed.
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
    """Per-UE sensing results for the last ``sensing_window_ms`` subframes.

    ``rssi_mw`` (vehicles, window, sub-channels) is the S-RSSI without noise of each subframe,
    indexed by subframe modulo the window, and is 0 in the subframes the UE did not monitor
    (``transmitted``). ``sci_rsrp_dbm`` (vehicles, RRI, sub-channels) is the PSSCH-RSRP of the
    strongest decoded SCI that reserved each phase in the latest subframe of that phase (−inf:
    none); ``sent_in_phase`` says whether the UE transmitted in that subframe.
    """

    def __init__(self, n_vehicles: int, n_subchannels: int, config: SpsConfig) -> None:
        self.config = config
        self.n_subchannels = n_subchannels
        w, p = config.sensing_window_ms, config.rri_ms
        self.rssi_mw = np.zeros((n_vehicles, w, n_subchannels), dtype=np.float32)
        self.transmitted = np.zeros((n_vehicles, w), dtype=bool)
        self.sci_rsrp_dbm = np.full((n_vehicles, p, n_subchannels), -np.inf, dtype=np.float32)
        self.sent_in_phase = np.zeros((n_vehicles, p), dtype=bool)

    def record(self, first_subframe: int, rssi_mw: np.ndarray, sci_rsrp_dbm: np.ndarray,
               sending: np.ndarray) -> None:
        """Store a batch of at most RRI consecutive subframes starting at ``first_subframe``.

        ``rssi_mw`` and ``sci_rsrp_dbm`` are (vehicles, batch, sub-channels), ``sending``
        (vehicles, batch) says who transmitted when: those subframes were not monitored (their
        S-RSSI is stored as 0 and their SCIs are void).
        """
        batch = rssi_mw.shape[1]
        w, p = self.config.sensing_window_ms, self.config.rri_ms
        if batch > p:
            raise ValueError("a batch longer than the reservation interval cannot be recorded")
        slots = cyclic_indices(first_subframe, batch, w)
        phases = cyclic_indices(first_subframe, batch, p)
        self.rssi_mw[:, slots, :] = rssi_mw
        self.transmitted[:, slots] = sending
        self.sci_rsrp_dbm[:, phases, :] = sci_rsrp_dbm
        self.sent_in_phase[:, phases] = sending
        who, when = np.nonzero(sending)
        if who.size:
            sub = first_subframe + when
            self.rssi_mw[who, sub % w, :] = 0.0
            self.sci_rsrp_dbm[who, sub % p, :] = -np.inf

    def phase_sums(self, vehicles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum of the monitored S-RSSI per phase and sub-channel, and the monitored count.

        Shapes (len(vehicles), RRI, sub-channels) float32 and (len(vehicles), RRI) int64.
        """
        w, p = self.config.sensing_window_ms, self.config.rri_ms
        s = self.n_subchannels
        v = np.asarray(vehicles, dtype=np.int64)
        total = self.rssi_mw[v].reshape(v.size, w // p, p, s).sum(axis=1)
        tx = self.transmitted[v].reshape(v.size, w // p, p)
        count = (w // p) - np.count_nonzero(tx, axis=1)
        return total, count

    def average_rssi(self, vehicles: np.ndarray) -> np.ndarray:
        """Linear mean S-RSSI per reservation phase and sub-channel over monitored subframes.

        Shape (len(vehicles), RRI, sub-channels): the E(x, y) ingredient of TS 36.213 step 8.
        """
        total, count = self.phase_sums(vehicles)
        return total / np.maximum(count, 1)[:, :, None]


def cyclic_indices(first: int, length: int, ring: int) -> slice | np.ndarray:
    """Indices first..first+length-1 modulo ``ring``: a slice when they do not wrap."""
    start = first % ring
    if start + length <= ring:
        return slice(start, start + length)
    return (start + np.arange(length)) % ring


def _window_reduce(values: np.ndarray, width: int, how: str) -> np.ndarray:
    """Max or mean over ``width`` adjacent sub-channels (last axis): shape (..., S - width + 1)."""
    s = values.shape[-1]
    if width == 1:
        return values
    parts = [values[..., k:s - width + 1 + k] for k in range(width)]
    if how == "max":
        return np.maximum.reduce(parts)
    return sum(parts[1:], parts[0]) / np.float32(width)


def selection_draws(config: SpsConfig, n_subchannels: int) -> int:
    """Uniform draws one selection consumes: a tie-breaking jitter per candidate, one pick."""
    return config.rri_ms * n_subchannels + 1


_LEVELS = 64
"""Threshold raises considered (64 × 3 dB is far beyond any received power)."""


def choose_resources(config: SpsConfig, rssi_avg: np.ndarray, sci_rsrp_dbm: np.ndarray,
                     sent: np.ndarray, now: np.ndarray, length: int,
                     uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TS 36.213 §14.1.1.6 steps 4-9 for V UEs selecting ``length`` sub-channels at ``now``.

    Inputs are per phase φ of the reservation period (the candidate of phase φ is the subframe
    y ≡ φ mod P in [now + T1, now + T2]): ``rssi_avg`` (V, P, S) the mean S-RSSI of the monitored
    subframes y − j·P, ``sci_rsrp_dbm`` (V, P, S) the strongest decoded reserving SCI of the
    latest subframe of that phase (−inf: none), ``sent`` (V, P) whether the UE transmitted then
    (step 5). ``uniforms`` (V, ``selection_draws``) are the UE's random draws. Returns
    (subframe, first sub-channel) of each choice.
    """
    s = sci_rsrp_dbm.shape[2]
    if length > s:
        raise ValueError(f"a transmission on {length} sub-channels does not fit {s}")
    scale, offset, pick = selection_jitter(config, s, uniforms)
    return choose_with_jitter(config, rssi_avg, sci_rsrp_dbm, sent, now, length, scale, offset,
                              pick)


def selection_jitter(config: SpsConfig, n_subchannels: int,
                     uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The random tie-breaking of ``choose_with_jitter`` from a UE's ``selection_draws``
    uniforms: E(x, y)·scale + offset orders candidates of equal E(x, y) at random (the relative
    1e-6 and absolute 1e-30 mW terms change no real ranking); ``pick`` chooses among the best."""
    p = config.rri_ms
    v = uniforms.shape[0]
    jitter = uniforms[:, :p * n_subchannels].reshape(v, p, n_subchannels)
    scale = np.float32(1.0) + np.float32(1e-6) * jitter
    offset = np.float32(1e-30) * jitter
    return scale, offset, uniforms[:, -1]


def choose_with_jitter(config: SpsConfig, rssi_avg: np.ndarray, sci_rsrp_dbm: np.ndarray,
                       sent: np.ndarray, now: np.ndarray, length: int, scale: np.ndarray,
                       offset: np.ndarray, pick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``choose_resources`` with the jitter of ``selection_jitter`` (arrays (V, P, S), (V,))."""
    now = np.asarray(now, dtype=np.int64)
    blocking = np.array(sci_rsrp_dbm, dtype=np.float32)
    blocking[excluded_phases(config, sent, now, length, sci_rsrp_dbm.shape[2])] = np.inf
    return choose_prepared(config, rssi_avg.astype(np.float32, copy=False), blocking, now,
                           length, scale, offset, pick)


def excluded_phases(config: SpsConfig, sent: np.ndarray, now: np.ndarray, length: int,
                    n_subchannels: int) -> np.ndarray:
    """(V, P): phases that are no candidates: outside [now + T1, now + T2], or not monitored
    (step 5) when enough candidates remain without them."""
    p = config.rri_ms
    n_x = n_subchannels - length + 1
    n_w = config.window_end - config.t1 + 1
    need = max(1, math.ceil(config.min_candidate_fraction * n_w * n_x))
    excluded = np.zeros(sent.shape, dtype=bool)
    if n_w < p:
        excluded |= ((np.arange(p)[None, :] - (now[:, None] + config.t1)) % p) >= n_w
    if config.exclude_unmonitored:
        # Step 5 alone must leave enough candidates; otherwise it is not applied (a UE that
        # transmitted in most subframes could not select at all).
        unmonitored = sent & ~excluded
        enough = (n_w - np.count_nonzero(unmonitored, axis=1)) * n_x >= need
        excluded |= unmonitored & enough[:, None]
    return excluded


def choose_prepared(config: SpsConfig, rssi_avg: np.ndarray, blocking_dbm: np.ndarray,
                    now: np.ndarray, length: int, scale: np.ndarray, offset: np.ndarray,
                    pick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The selection on float32 (V, P, S) inputs where the phases of ``excluded_phases`` already
    have +inf blocking RSRP (never allowed, whatever the threshold)."""
    p = config.rri_ms
    v, _, s = blocking_dbm.shape
    n_x = s - length + 1
    t1 = config.t1
    n_w = config.window_end - t1 + 1
    need = max(1, math.ceil(config.min_candidate_fraction * n_w * n_x))
    blocking = _window_reduce(blocking_dbm, length, "max")                # (V, P, X)
    metric = _window_reduce(rssi_avg, length, "mean")
    # Steps 6-7: candidates reserved by an SCI above Th are excluded; Th rises by 3 dB steps
    # until at least 20 % of the candidates remain.
    allowed = blocking <= np.float32(config.rsrp_threshold_dbm)
    short = np.flatnonzero(np.count_nonzero(allowed.reshape(v, -1), axis=1) < need)
    if short.size:
        allowed[short] = _raised(config, blocking[short], need)
    # Steps 8-9: the need lowest E(x, y) among the allowed; one of them with equal probability.
    score = np.multiply(metric, scale[:, :, :n_x])
    score += offset[:, :, :n_x]
    np.copyto(score, np.float32(np.inf), where=~allowed)
    score = score.reshape(v, p * n_x)
    cutoff = np.partition(score, need - 1, axis=1)[:, need - 1]
    best = score <= cutoff[:, None]
    counts = np.count_nonzero(best, axis=1)
    k = np.minimum((pick * need).astype(np.int64), counts - 1)
    chosen = np.flatnonzero(best)[np.cumsum(counts) - counts + k] - np.arange(v) * (p * n_x)
    phase, x = np.divmod(chosen, n_x)
    return now + t1 + (phase - now - t1) % p, x


def _raised(config: SpsConfig, blocking: np.ndarray, need: int) -> np.ndarray:
    """Allowed candidates once Th = Th0 + k·step with the smallest k that leaves ``need``
    (+inf blocking: never)."""
    v = blocking.shape[0]
    with np.errstate(invalid="ignore"):
        level = np.ceil((blocking - np.float32(config.rsrp_threshold_dbm))
                        / np.float32(config.threshold_step_db))
    never = np.isposinf(level)
    level = np.clip(np.nan_to_num(level, nan=0.0, neginf=0.0, posinf=0.0), 0,
                    _LEVELS - 1).astype(np.int64)
    level[never] = _LEVELS
    per_level = np.bincount((np.arange(v)[:, None, None] * (_LEVELS + 1) + level).ravel(),
                            minlength=v * (_LEVELS + 1)).reshape(v, _LEVELS + 1)
    raises = np.argmax(np.cumsum(per_level, axis=1) >= need, axis=1)
    return level <= raises[:, None, None]


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
    s = memory.n_subchannels
    uniforms = rng.random((vehicles.size, selection_draws(config, s)), dtype=np.float32)
    rssi = memory.average_rssi(vehicles).astype(np.float32)
    sci = memory.sci_rsrp_dbm[vehicles]
    sent = memory.sent_in_phase[vehicles]
    subframe = np.empty(vehicles.size, dtype=np.int64)
    first_sub = np.empty(vehicles.size, dtype=np.int64)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        subframe[rows], first_sub[rows] = choose_resources(
            config, rssi[rows], sci[rows], sent[rows], now[rows], int(length), uniforms[rows])
    return subframe, first_sub
