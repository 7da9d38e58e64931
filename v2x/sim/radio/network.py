"""The sidelink of a fleet: SB-SPS MAC and PHY advanced one numpy step per subframe batch.

``SidelinkNetwork`` is what ``v2x.sim.medium`` drives: it is told where the vehicles are
(``set_positions``, at each traffic step), which packets were generated (``submit``), and then
advances time (``advance``), returning every transmission and every reception opportunity within
``report_range_m`` with its outcome (``LossCause``). Nothing here knows SimPy or SUMO.

One step handles ``batch_subframes`` consecutive subframes at once: the MAC decisions for the
packets generated in the batch, then all transmissions of the batch on their links (from the
``LinkTable``: range cut-off, no N×N), the per-UE S-RSSI and SCI sensing of the batch, and the
outcome of every reception opportunity:

* half duplex - the receiver transmits in the same subframe;
* below sensing - the received power is under ``decoding_threshold_dbm``;
* propagation / collision - one uniform draw u per opportunity; lost when u < BLER(SINR); the
  loss is "propagation" when u < BLER(SNR) (the packet would have been lost without
  interference), otherwise "collision". Interference is the power of the other transmissions in
  the same subframe on overlapping sub-channels (equal power spectral density), received over
  links within range.

With ``batch_subframes = 1`` the MAC sees the sensing of every subframe before the current one,
as TS 36.213 §14.1.1.6 says. With larger batches a resource selection made in the batch sees the
sensing up to the batch start (a processing lag of up to batch − 1 ms); a candidate whose last
same-phase sensing falls in the lag is judged by the SCI of one period earlier. Within a batch,
packets already waiting are sent before the batch's new packets are scheduled (an arrival in
subframe n is never sent before n + T1); batches never exceed the reservation interval.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from v2x.sim.radio import channel
from v2x.sim.radio.links import LinkTable
from v2x.sim.radio.pathloss import TabulatedPathLoss, pathloss_model
from v2x.sim.radio.phy import (
    SUBCARRIERS_PER_RB,
    LossCause,
    SubchannelLayout,
    bler_curve,
    noise_dbm,
    subchannel_capacity_bits,
)
from v2x.sim.radio.shadowing import ShadowingConfig
from v2x.sim.radio.sidelink import SensingMemory, SpsConfig, select_resources

STREAMS = ("radio.shadowing", "radio.mac", "radio.phy")
"""Names of the random streams the radio draws from."""


def named_stream(seed: int, name: str) -> np.random.Generator:
    """The stream ``name`` of ``seed``, derived as ``v2x.sim.engine.Engine.rng`` derives it."""
    key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


@dataclass(frozen=True)
class RadioConfig:
    """Everything the radio model needs; defaults are LTE-V2X at 5.9 GHz on a highway.

    The BLER curve must match the MCS, packet size and PSSCH RBs actually used: the defaults
    (4 sub-channels of 12 RBs, MCS 9, the R1-160284 190-byte QPSK r ≈ 0.7 curve) are the
    validated combination; other packet sizes or layouts need their own curve in
    ``phy.BLER_CURVES``.
    """

    frequency_hz: float = 5.9e9
    pathloss: str = "winner_b1_los"
    pathloss_params: Mapping[str, Any] = field(default_factory=dict)
    shadowing: ShadowingConfig = field(default_factory=ShadowingConfig)
    layout: SubchannelLayout = field(
        default_factory=lambda: SubchannelLayout(n_subchannels=4, subchannel_size_rb=12))
    mcs: int = 9
    bler_curve: str = "r1-160284-190B-qpsk-r0.7"
    tx_power_dbm: float = 23.0
    noise_figure_db: float = 9.0
    sensing_threshold_dbm: float = -90.5
    decoding_threshold_dbm: float = -90.5
    sps: SpsConfig = field(default_factory=SpsConfig)
    interference_margin_db: float = 6.0
    max_range_m: float | None = None
    neighbour_margin_m: float = 100.0
    wrap_x_m: float | None = None
    report_range_m: float | None = None
    batch_subframes: int = 1
    cbr_threshold_dbm: float = channel.DEFAULT_CBR_THRESHOLD_DBM

    def __post_init__(self) -> None:
        if not 1 <= self.batch_subframes <= self.sps.rri_ms:
            raise ValueError("batch_subframes must be 1..rri_ms")


@dataclass
class Transmissions:
    """Transmissions of one advance: who, when (subframe), what packet, where in frequency."""

    vehicle: np.ndarray
    subframe: np.ndarray
    packet: np.ndarray
    subchannel: np.ndarray
    n_subchannels: np.ndarray

    def __len__(self) -> int:
        return int(self.vehicle.size)


@dataclass
class Receptions:
    """Reception opportunities of one advance and their outcome (``LossCause`` codes)."""

    tx: np.ndarray
    rx: np.ndarray
    subframe: np.ndarray
    packet: np.ndarray
    distance_m: np.ndarray
    cause: np.ndarray

    def __len__(self) -> int:
        return int(self.tx.size)

    @property
    def received(self) -> np.ndarray:
        return self.cause == LossCause.RECEIVED


@dataclass
class StepResult:
    transmissions: Transmissions
    receptions: Receptions


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


class SidelinkNetwork:
    """LTE-V2X mode 4 for ``n_vehicles`` vehicles (indices 0..n-1)."""

    def __init__(self, config: RadioConfig, n_vehicles: int, seed: int = 0,
                 rng: Callable[[str], np.random.Generator] | None = None) -> None:
        self.config = config
        self.n = n_vehicles
        get = rng if rng is not None else (lambda name: named_stream(seed, name))
        self._rng_shadow, self._rng_mac, self._rng_phy = (get(name) for name in STREAMS)
        params = {"frequency_hz": config.frequency_hz, **dict(config.pathloss_params)}
        self.pathloss = pathloss_model(config.pathloss, **params)
        self._table = TabulatedPathLoss(self.pathloss)
        layout = config.layout
        self.s = layout.n_subchannels
        self._rb_noise_mw = 10.0 ** (float(noise_dbm(1, config.noise_figure_db,
                                                     layout.noise_bandwidth_per_rb_hz)) / 10.0)
        lengths = np.arange(self.s + 1)
        self._pssch_rb = np.maximum(layout.pssch_rb(lengths), 1).astype(np.float64)
        self._noise_mw_by_len = (self._rb_noise_mw * self._pssch_rb).astype(np.float32)
        self._rsrp_offset_db = (10.0 * np.log10(SUBCARRIERS_PER_RB * self._pssch_rb)
                                ).astype(np.float32)
        self._capacity_bits = subchannel_capacity_bits(config.mcs, layout)
        self._bler = bler_curve(config.bler_curve).lookup()
        self.range_m = self._link_range()
        self.report_range_m = (float(config.report_range_m) if config.report_range_m is not None
                               else min(self._reach_m(), self.range_m))
        self.links = LinkTable(n_vehicles, self._table, config.shadowing, self.range_m,
                               self._rng_shadow, margin_m=config.neighbour_margin_m,
                               wrap_x_m=config.wrap_x_m)
        self.memory = SensingMemory(n_vehicles, self.s, config.sps)
        self.tx_power_dbm = np.full(n_vehicles, config.tx_power_dbm, dtype=np.float64)
        self.now = 0
        # MAC state per vehicle
        self.res_next = np.full(n_vehicles, -1, dtype=np.int64)
        self.res_subchannel = np.zeros(n_vehicles, dtype=np.int64)
        self.res_length = np.zeros(n_vehicles, dtype=np.int64)
        self.counter = np.zeros(n_vehicles, dtype=np.int32)
        self.pkt_id = np.full(n_vehicles, -1, dtype=np.int64)
        self.pkt_occasion = np.full(n_vehicles, -1, dtype=np.int64)
        self._queue: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.active = np.zeros(n_vehicles, dtype=bool)
        self.stats = {"generated": 0, "transmitted": 0, "replaced": 0, "expired": 0,
                      "reselections": 0}
        self._positioned = False

    # -- set-up ---------------------------------------------------------------------------------
    def _link_range(self) -> float:
        """Links are kept while the mean received power at the highest power stays above the
        noise of one sub-channel minus ``interference_margin_db`` (or up to ``max_range_m``)."""
        cfg = self.config
        if cfg.max_range_m is not None:
            return float(cfg.max_range_m)
        floor_dbm = 10.0 * math.log10(self._noise_mw_by_len[1]) - cfg.interference_margin_db
        return self._table.range_for_loss_m(cfg.tx_power_dbm - floor_dbm)

    def _reach_m(self) -> float:
        """Distance beyond which the mean received power is 3σ under the decoding threshold."""
        cfg = self.config
        worst = cfg.decoding_threshold_dbm - 3.0 * cfg.shadowing.sigma_db
        return self._table.range_for_loss_m(cfg.tx_power_dbm - worst)

    def set_positions(self, xy: np.ndarray, active: np.ndarray | None = None) -> None:
        """New positions (metres, shape (n, 2)) at the current time; ``active`` masks present
        vehicles (absent ones neither send nor receive)."""
        self.links.update(xy, active)
        self.active = self.links.active
        self._positioned = True

    def submit(self, vehicles: np.ndarray, size_bytes: np.ndarray, packet_ids: np.ndarray,
               subframe: np.ndarray | int | None = None) -> None:
        """Packets generated by ``vehicles`` at ``subframe`` (default: now; never in the past)."""
        vehicles = np.atleast_1d(np.asarray(vehicles, dtype=np.int64))
        when = (np.full(vehicles.size, self.now, dtype=np.int64) if subframe is None
                else np.broadcast_to(np.asarray(subframe, dtype=np.int64), vehicles.shape).copy())
        if np.any(when < self.now):
            raise ValueError("packets cannot be generated in the past")
        sizes = np.broadcast_to(np.asarray(size_bytes, dtype=np.int64), vehicles.shape).copy()
        ids = np.broadcast_to(np.asarray(packet_ids, dtype=np.int64), vehicles.shape).copy()
        self._queue.append((vehicles, when, sizes, ids))

    def reset_vehicles(self, vehicles: np.ndarray) -> None:
        """Forget the MAC and sensing state of ``vehicles`` (e.g. an index reused by a new car)."""
        v = np.asarray(vehicles, dtype=np.int64)
        self.res_next[v] = -1
        self.counter[v] = 0
        self.pkt_id[v] = -1
        self.memory.rssi_mw[v] = 0.0
        self.memory.transmitted[v] = False
        self.memory.sci_rsrp_dbm[v] = -np.inf
        self.memory.sent_in_phase[v] = False

    # -- time -----------------------------------------------------------------------------------
    def advance(self, n_subframes: int) -> StepResult:
        """Simulate ``n_subframes`` subframes from ``now``; returns what was sent and received."""
        if not self._positioned:
            raise RuntimeError("set_positions() must be called before advance()")
        tx_parts: list[list[np.ndarray]] = [[] for _ in range(5)]
        rx_parts: list[list[np.ndarray]] = [[] for _ in range(6)]
        end = self.now + n_subframes
        while self.now < end:
            batch = min(self.config.batch_subframes, end - self.now)
            tx, rx = self._step(self.now, batch)
            for parts, arr in zip(tx_parts, tx, strict=True):
                parts.append(arr)
            for parts, arr in zip(rx_parts, rx, strict=True):
                parts.append(arr)
            self.now += batch
        txd = (np.int64, np.int64, np.int64, np.int64, np.int64)
        rxd = (np.int64, np.int64, np.int64, np.int64, np.float32, np.uint8)
        return StepResult(
            Transmissions(*(_concat(p, d) for p, d in zip(tx_parts, txd, strict=True))),
            Receptions(*(_concat(p, d) for p, d in zip(rx_parts, rxd, strict=True))),
        )

    def cbr(self, vehicles: np.ndarray | None = None) -> np.ndarray:
        """Channel busy ratio of each vehicle over the last 100 ms (TS 36.214 §5.1.30)."""
        rows = np.arange(self.n) if vehicles is None else np.asarray(vehicles, dtype=np.int64)
        noise_sc = self._rb_noise_mw * self.config.layout.subchannel_size_rb
        return channel.channel_busy_ratio(self.memory.rssi_mw[rows],
                                          self.memory.transmitted[rows], self.now, noise_sc,
                                          self.config.cbr_threshold_dbm)

    # -- one batch ------------------------------------------------------------------------------
    def _take_arrivals(self, start: int, stop: int) -> tuple[np.ndarray, ...]:
        if not self._queue:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
        v, t, s, i = (np.concatenate(col) for col in zip(*self._queue, strict=True))
        due = t < stop
        self._queue = [(v[~due], t[~due], s[~due], i[~due])] if np.any(~due) else []
        order = np.lexsort((v[due], t[due]))
        return v[due][order], t[due][order], s[due][order], i[due][order]

    def _mac_arrivals(self, start: int, stop: int) -> None:
        v, t, size, pid = self._take_arrivals(start, stop)
        keep = self.active[v]
        v, t, size, pid = v[keep], t[keep], size[keep], pid[keep]
        if v.size == 0:
            return
        self.stats["generated"] += int(v.size)
        cfg = self.config.sps
        p, t1, t2 = cfg.rri_ms, cfg.t1, cfg.window_end
        needed = np.searchsorted(self._capacity_bits, size * 8, side="left") + 1
        if np.any(needed > self.s):
            raise ValueError("a packet does not fit the resource pool at this MCS")
        # Rounds: a vehicle's k-th packet of the batch is handled in round k.
        order = np.lexsort((t, v))
        vs = v[order]
        starts = np.r_[0, np.flatnonzero(vs[1:] != vs[:-1]) + 1]
        rank = np.arange(vs.size) - np.repeat(starts, np.diff(np.r_[starts, vs.size]))
        round_of = np.empty_like(rank)
        round_of[order] = rank
        for r in range(int(round_of.max()) + 1):
            sel = round_of == r
            rv, rt, rl, rid = v[sel], t[sel], needed[sel], pid[sel]
            has = self.res_next[rv] >= 0
            lag = np.maximum(rt + t1 - self.res_next[rv], 0)
            occasion = self.res_next[rv] + p * ((lag + p - 1) // p)
            resel = (~has) | (rl > self.res_length[rv]) | (occasion > rt + t2)
            if np.any(resel):
                who = rv[resel]
                y, x = select_resources(self._rng_mac, cfg, self.memory, who, rt[resel],
                                        rl[resel])
                self.res_subchannel[who] = x
                self.res_length[who] = rl[resel]
                self.counter[who] = cfg.draw_counters(self._rng_mac, who.size)
                occasion[resel] = y
                self.stats["reselections"] += int(who.size)
            self.res_next[rv] = occasion
            pending = self.pkt_id[rv] >= 0
            self.stats["replaced"] += int(np.count_nonzero(pending))
            self.pkt_id[rv] = rid
            self.pkt_occasion[rv] = occasion

    def _step(self, start: int, batch: int) -> tuple[tuple[np.ndarray, ...], ...]:
        stop = start + batch
        # Packets already waiting go first: an arrival in subframe n is never sent before n + T1,
        # so whatever is due before it is sent with the state it had (TS 36.321 order).
        early = self._send_due(start, stop)
        self._mac_arrivals(start, stop)
        late = self._send_due(start, stop)
        tv, sf, packets, sc, length, reserve = (np.concatenate([a, b])
                                                for a, b in zip(early, late, strict=True))
        tx_out = (tv, sf, packets, sc, length)
        rx_out = self._phy(start, batch, tv, sf - start, sc, length, packets, reserve)
        return tx_out, rx_out

    def _send_due(self, start: int, stop: int) -> tuple[np.ndarray, ...]:
        """Transmit the waiting packets whose occasion falls in [start, stop)."""
        cfg = self.config
        waiting = self.pkt_id >= 0
        expired = np.flatnonzero(waiting & ((self.pkt_occasion < start) | ~self.active))
        if expired.size:
            self.stats["expired"] += int(expired.size)
            self.pkt_id[expired] = -1
        tv = np.flatnonzero((self.pkt_id >= 0) & (self.pkt_occasion < stop))
        sf = self.pkt_occasion[tv]
        sc = self.res_subchannel[tv]
        length = self.res_length[tv]
        packets = self.pkt_id[tv]
        # Counter, keep-or-reselect at the last transmission, next occasion (TS 36.321 5.14.1.1).
        count = self.counter[tv]
        last = count <= 1
        keep = self._rng_mac.random(tv.size) < cfg.sps.keep_probability
        reserve = ~last | keep
        fresh = cfg.sps.draw_counters(self._rng_mac, tv.size)
        self.counter[tv] = np.where(last, np.where(keep, fresh, 0), count - 1)
        self.res_next[tv] = np.where(reserve, sf + cfg.sps.rri_ms, -1)
        self.pkt_id[tv] = -1
        self.stats["transmitted"] += int(tv.size)
        return tv, sf, packets, sc, length, reserve

    def _phy(self, start: int, batch: int, tv: np.ndarray, rel: np.ndarray, sc: np.ndarray,
             length: np.ndarray, packets: np.ndarray,
             reserve: np.ndarray) -> tuple[np.ndarray, ...]:
        cfg, n, s = self.config, self.n, self.s
        cells = n * batch * s
        which, lu = self.links.links_from(tv)
        rx = self.links.neighbour[lu]
        link = self.links.link_of[lu]
        pt_mw = np.power(10.0, self.tx_power_dbm[tv] / 10.0).astype(np.float32)
        power = pt_mw[which] * self.links.gain_lin[link]                     # mW, float32
        l_u = length[which]
        key = (rx * batch + rel[which]) * s + sc[which]
        uniform_len = bool(np.all(length == 1))
        if uniform_len:
            rssi = np.bincount(key, weights=power, minlength=cells)
        else:
            rssi = np.zeros(cells)
            share = power / l_u
            for k in range(int(length.max())):
                m = l_u > k
                rssi += np.bincount(key[m] + k, weights=share[m], minlength=cells)
        # Half duplex: the receiver transmits in this batch's same subframe.
        sending = np.zeros((n, batch), dtype=bool)
        sending[tv, rel] = True
        half_duplex = sending[rx, rel[which]]
        # Sensing of SCIs: decoded (above the sensing threshold, not half duplex) and reserving.
        sense_mw = 10.0 ** (cfg.sensing_threshold_dbm / 10.0)
        sci = np.full(cells, -np.inf, dtype=np.float32)
        sensed = np.flatnonzero((power >= sense_mw) & ~half_duplex & reserve[which])
        if sensed.size:
            rsrp = (10.0 * np.log10(power[sensed]) - self._rsrp_offset_db[l_u[sensed]])
            for k in range(int(length.max())):
                m = l_u[sensed] > k
                np.maximum.at(sci, key[sensed][m] + k, rsrp[m].astype(np.float32))
        self.memory.record(start, rssi.reshape(n, batch, s).astype(np.float32),
                           sci.reshape(n, batch, s), tv, start + rel)
        # Outcome of every opportunity within the report range.
        distance = self.links.distance_m[link]
        rep = np.flatnonzero(distance <= self.report_range_m)
        cause = np.full(rep.size, LossCause.BELOW_SENSING, dtype=np.uint8)
        hd = half_duplex[rep]
        cause[hd] = LossCause.HALF_DUPLEX
        dec_mw = 10.0 ** (cfg.decoding_threshold_dbm / 10.0)
        attempt = np.flatnonzero(~hd & (power[rep] >= dec_mw))
        if attempt.size:
            a = rep[attempt]
            pa, la, ka = power[a], l_u[a], key[a]
            total = rssi[ka]
            for k in range(1, int(length.max())):
                m = la > k
                total[m] += rssi[ka[m] + k]
            noise = self._noise_mw_by_len[la]
            interference = np.maximum(total - pa, 0.0).astype(np.float32)
            sinr_db = 10.0 * np.log10(pa / (noise + interference))
            snr_db = 10.0 * np.log10(pa / noise)
            u = self._rng_phy.random(a.size, dtype=np.float32)
            lost = u < self._bler(sinr_db)
            propagation = u < self._bler(snr_db)
            outcome = np.where(lost, np.where(propagation, LossCause.PROPAGATION,
                                              LossCause.COLLISION), LossCause.RECEIVED)
            cause[attempt] = outcome.astype(np.uint8)
        w = which[rep]
        return (tv[w], rx[rep], start + rel[w], packets[w], distance[rep], cause)
