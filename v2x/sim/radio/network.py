"""The sidelink of a fleet: SB-SPS MAC exact to the subframe, PHY in one numpy pass per window.

``SidelinkNetwork`` is what ``v2x.sim.medium`` drives: it is told where the vehicles are
(``set_positions``, at each traffic step), which packets were generated (``submit``), and then
advances time (``advance``), returning every transmission and every reception opportunity within
``report_range_m`` with its outcome (``LossCause``). Nothing here knows SimPy or SUMO.

Time is processed in windows of ``batch_subframes`` subframes (at most one reservation interval;
positions, hence link gains, are constant within an ``advance`` call). A window costs a fixed
number of numpy passes over the link entries, whatever its length, so long windows (100
subframes, one traffic step) are fast. The MAC is exact to the subframe for any window length;
results depend on the window length only through the order of the random draws.

**MAC, exact to 1 ms.** Within a window every vehicle's own timeline (its packets, its
transmissions at its reserved occasions, its reselection counter, TS 36.321 §5.14.1.1) is
independent of the other vehicles except through the outcome of its resource selections, and a
selection at subframe n depends on the others only through what the UE sensed in subframes < n.
So a window first schedules everything that needs no selection (packets sent on existing
reservations), puts those transmissions into the window's live sensing cells, and then solves the
window's (re)selections together. The sensing of a selection is assembled on demand, for the
selecting UE only: the sensing memory as of the window start (the 1000 ms S-RSSI ring, the latest
reserving SCI of each phase), the window's live cells for subframes [window start, n), and the
transmissions that other selections of the window placed before n (pairwise, through the link
table). A selection's pick is a deterministic function of its sensing (its random draws are fixed
beforehand), so the selections are solved by fixed-point iteration: all at once, then again only
those whose sensing changed because an earlier pick moved, until nothing changes. The fixed point
is the sequential solution (dependencies go forward in time), usually reached in 2-4 passes. A
vehicle with several packets in a window has them handled in successive sub-windows (one packet per
vehicle each); packets a vehicle generates in the same subframe replace one another.

**PHY.** Received powers are summed per (receiver, subframe, sub-channel) cell with ``np.add.at``
(float32); the cells give both the S-RSSI that the sensing memory records and the interference of
every reception. The link table lists every link twice (an entry per direction), grouped by the
vehicle of the entry's row; read receiver by receiver, an entry carries what its neighbour sends
to the row's vehicle, read transmitter by transmitter, what the row's vehicle sends to the
neighbour. The bulk of a window (at most one transmission per vehicle, the common length) is spread
at once over the entries whose neighbour sends in it, receiver by receiver: an entry's cell is its
row's block plus the (subframe, sub-channel) of the neighbour's transmission, so transmissions are
never expanded into links one by one and the scatter stays local in memory. The entries that can
be reported (within ``report_range_m``; decodable or not) and those above the sensing threshold
(SCIs) are listed once per position update; the bulk's opportunities are the report entries of its
transmitters' rows. Other transmissions (second ones of a vehicle, selections placed in the
window) are spread transmitter by transmitter. Then the outcome of every opportunity within the
report range:

* half duplex - the receiver transmits in the same subframe;
* below sensing - the received power is under ``decoding_threshold_dbm``;
* propagation / collision - one uniform draw u per opportunity; lost when u < BLER(SINR); the
  loss is "propagation" when u < BLER(SNR) (the packet would have been lost without
  interference), otherwise "collision". Interference is the power of the other transmissions in
  the same subframe on overlapping sub-channels (equal power spectral density), received over
  links within range. BLER is read from ``phy.BlerThresholds`` (0.002 dB bins) against 32-bit
  uniform draws.

Transmissions are returned sorted by (subframe, vehicle); receptions are grouped by transmission
(the bulk's decodable opportunities, its others, then the other transmissions').

Numerical approximations, all far below the model's own uncertainty: powers, gains and shadowing
in float32; path loss from ``TabulatedPathLoss.loss_db_into`` (< 0.005 dB off the formula), BLER
from 0.002 dB bins; shadowing innovations by Box–Muller on float32 uniforms (normal to 5.8σ).
Interference counts links within ``range_m`` only (mean received power above the noise minus
``interference_margin_db``), as before. ``selection_passes`` counts fixed-point passes (a
diagnostic).

**Antenna heights.** ``antenna_height_m`` (per station; NaN for the path-loss model's own
heights, i.e. the vehicles') gives roadside units a mast or gantry antenna. A link with such a
station at one end uses the same model with that station's height on its side
(``pathloss.with_antenna_heights``; WINNER+ B1 LOS of TR 36.885 A.1.4 is symmetric in the two
effective heights): one ``TabulatedPathLoss`` per distinct height for its links to vehicles, the
formula itself for the few links between two such stations. Each kind of link has its own range,
found the same way as ``range_m`` on its own path loss, so a 6 m RSU under B1 LOS is linked (and
interferes, senses, is sensed) much farther out than a vehicle, without enlarging the
vehicle-to-vehicle search (``links.AntennaClasses``). ``range_m`` and ``report_range_m`` stay
those of vehicle-to-vehicle links; ``station_range_m`` / ``station_report_range_m`` give each
station's range and report range towards vehicles. Half duplex, sensing, SB-SPS, interference,
CBR and the loss causes treat these links like any other: only their gain differs.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from v2x.sim.radio import channel
from v2x.sim.radio.links import AntennaClasses, LinkKind, LinkTable, ragged_indices, segments
from v2x.sim.radio.pathloss import (
    PathLossModel,
    TabulatedPathLoss,
    pathloss_model,
    range_for_loss_m,
    with_antenna_heights,
)
from v2x.sim.radio.phy import (
    SUBCARRIERS_PER_RB,
    BlerThresholds,
    LossCause,
    SubchannelLayout,
    bler_curve,
    noise_dbm,
    subchannel_capacity_bits,
)
from v2x.sim.radio.shadowing import ShadowingConfig
from v2x.sim.radio.sidelink import (
    SensingMemory,
    SpsConfig,
    choose_prepared,
    cyclic_indices,
    excluded_phases,
    selection_draws,
    selection_jitter,
)

STREAMS = ("radio.shadowing", "radio.mac", "radio.phy")
"""Names of the random streams the radio draws from."""

BULK_FRACTION = 0.3
"""A window's transmissions go through the bulk pass when at least this share of the present
vehicles sends (one 100 ms window at 10 Hz: nearly all)."""

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

    ``batch_subframes`` is the processing window: subframes simulated by one vectorised pass
    (values above the reservation interval are capped to it). The MAC is exact to the subframe
    whatever it is; longer windows are faster (100: one pass per 100 ms traffic step).

    Ranges: links are kept out to where the mean received power at ``tx_power_dbm`` falls
    ``interference_margin_db`` under the noise of one sub-channel; ``max_range_m`` replaces that
    distance for vehicle-to-vehicle links (links to a station with its own antenna height keep
    their computed range, never shorter). Opportunities are reported within ``report_range_m``
    (default: where the mean received power is 3σ under the decoding threshold), never beyond
    the link range: farther, nothing is received and not every pair is listed; links to a
    station with its own antenna height are reported out to the larger of that and their own
    such distance (at most their own link range), so that every reception an RSU's mast makes
    possible is reported.
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
    batch_subframes: int = 100
    cbr_threshold_dbm: float = channel.DEFAULT_CBR_THRESHOLD_DBM

    def __post_init__(self) -> None:
        if self.batch_subframes < 1:
            raise ValueError("batch_subframes must be at least 1")

    @property
    def window_subframes(self) -> int:
        """The processing window actually used: ``batch_subframes`` capped at the RRI."""
        return min(self.batch_subframes, self.sps.rri_ms)


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


_TX_DTYPES = (np.int64, np.int64, np.int64, np.int64, np.int64)
_RX_DTYPES = (np.int64, np.int64, np.int64, np.int64, np.float32, np.uint8)
_SENT_FIELDS = ("vehicle", "subframe", "subchannel", "length", "packet", "reserve")


def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    if len(parts) == 1:
        return parts[0].astype(dtype, copy=False)
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


@dataclass
class _Sent:
    """Transmissions decided in a window: vehicle, subframe, sub-channel, length, packet, and
    whether the SCI announces a further reservation."""

    vehicle: np.ndarray
    subframe: np.ndarray
    subchannel: np.ndarray
    length: np.ndarray
    packet: np.ndarray
    reserve: np.ndarray


@dataclass
class _Spread:
    """Transmissions spread on their links transmitter by transmitter (entries contiguous)."""

    sent: _Sent
    counts: np.ndarray
    rx: np.ndarray
    power: np.ndarray
    key: np.ndarray
    link: np.ndarray


class _Live:
    """The sensing cells of the current window: one row per vehicle of ``window`` subframes ×
    ``s`` sub-channels. Allocated once, reset at each window; ``cells`` views a (n, window, s)
    array."""

    def __init__(self, n: int, window: int, s: int) -> None:
        self.stride = window * s
        self.rssi = np.zeros(n * self.stride, dtype=np.float32)
        self.sci = np.full(n * self.stride, -np.inf, dtype=np.float32)
        self.sending = np.zeros(n * self.stride, dtype=bool)
        self._shape = (n, window, s)

    def reset(self) -> None:
        self.rssi.fill(0.0)
        self.sci.fill(-np.inf)
        self.sending.fill(False)

    def cells(self, array: np.ndarray) -> np.ndarray:
        """``array`` (rssi, sci or sending) as (vehicle, subframe, sub-channel)."""
        return array.reshape(self._shape)


@dataclass
class _View:
    """The link entries as a position update sees them. ``power[k]`` is what ``neighbour[k]``
    sends to row k's vehicle (receiver by receiver); ``a_*`` (reportable and decodable) and
    ``b_*`` (reportable, not decodable) list entries transmitter by transmitter (row = sender,
    ``*_rx`` = neighbour; ``*_ptr`` index them by the forward and backward CSR pointers);
    ``s_*`` are the entries above the sensing threshold, receiver by receiver (``s_key`` the
    row's first cell)."""

    power: np.ndarray
    a_ptr: tuple[np.ndarray, np.ndarray]
    a_rx: np.ndarray
    a_power: np.ndarray
    a_dist: np.ndarray
    b_ptr: tuple[np.ndarray, np.ndarray]
    b_rx: np.ndarray
    b_dist: np.ndarray
    s_key: np.ndarray
    s_tx: np.ndarray
    s_rsrp: np.ndarray


@dataclass
class _Main:
    """The window's bulk (``sent``, sorted by vehicle): at most one transmission per vehicle,
    all of ``length`` sub-channels; per vehicle its cell offset (``cell``; -1 when it does not
    transmit) and the same for its SCI (-1 when it reserves nothing)."""

    sent: _Sent
    length: int
    cell: np.ndarray
    sci_cell: np.ndarray


class SidelinkNetwork:
    """LTE-V2X mode 4 for ``n_vehicles`` vehicles (indices 0..n-1).

    Call ``set_positions`` at each traffic step, ``submit`` the packets generated (now or later
    in the step), then ``advance`` the step's subframes. Per-vehicle MAC state (``res_next``,
    ``res_subchannel``, ``res_length``, ``counter``, ``pkt_id``, ``pkt_occasion``), ``memory``
    (``SensingMemory``), ``links`` (``LinkTable``), ``tx_power_dbm`` (may be changed between
    steps) and ``stats`` are public; the same seed gives the same results.

    ``antenna_height_m`` (n_vehicles,) gives stations their own antenna height in metres
    (roadside units); NaN, or no array, keeps the path-loss model's heights (see the module
    docstring, "Antenna heights"). ``tx_power_dbm`` (n_vehicles,) gives stations their own
    power (default ``config.tx_power_dbm``); the links of a louder station reach as far as its
    power carries (it is classed like a station with its own antenna height).

    With ``links_only`` nothing but ``links`` is built (no MAC state, no sensing memory): the
    link table of a process that applies the positions for a network elsewhere
    (``adopt_links``).
    """

    def __init__(self, config: RadioConfig, n_vehicles: int, seed: int = 0,
                 rng: Callable[[str], np.random.Generator] | None = None,
                 antenna_height_m: np.ndarray | None = None,
                 tx_power_dbm: np.ndarray | None = None, *, links_only: bool = False) -> None:
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
        self._bler = BlerThresholds(bler_curve(config.bler_curve))
        self._sense_mw = np.float32(10.0 ** (config.sensing_threshold_dbm / 10.0))
        self._decode_mw = np.float32(10.0 ** (config.decoding_threshold_dbm / 10.0))
        self.range_m = self._link_range()
        self.report_range_m = min(float(config.report_range_m) if config.report_range_m
                                  is not None else self._reach_m(), self.range_m)
        heights = (np.full(n_vehicles, np.nan) if antenna_height_m is None
                   else np.array(antenna_height_m, dtype=np.float64).reshape(-1))
        if heights.shape != (n_vehicles,):
            raise ValueError("antenna_height_m needs one entry per station")
        if np.any(heights[np.isfinite(heights)] <= 0) or np.any(np.isinf(heights)):
            raise ValueError("antenna heights must be positive and finite (NaN: the model's)")
        self.antenna_height_m = heights
        powers = (np.full(n_vehicles, config.tx_power_dbm) if tx_power_dbm is None
                  else np.array(tx_power_dbm, dtype=np.float64).reshape(-1))
        if powers.shape != (n_vehicles,) or not np.all(np.isfinite(powers)):
            raise ValueError("tx_power_dbm needs one finite entry per station")
        antennas, self._kind_report_m = self._antenna_classes(heights, powers)
        self.station_range_m = np.full(n_vehicles, self.range_m)
        self.station_report_range_m = np.full(n_vehicles, self.report_range_m)
        if antennas is not None:
            towards_vehicles = antennas.kind_of[antennas.station_class, 0]
            self.station_range_m = np.array([k.range_m for k in antennas.kinds])[towards_vehicles]
            self.station_report_range_m = self._kind_report_m[towards_vehicles]
        self.links = LinkTable(n_vehicles, self._table, config.shadowing, self.range_m,
                               self._rng_shadow, margin_m=config.neighbour_margin_m,
                               wrap_x_m=config.wrap_x_m, antennas=antennas)
        if links_only:
            return
        self._report_link: np.ndarray | None = None
        self.memory = SensingMemory(n_vehicles, self.s, config.sps)
        self.tx_power_dbm = powers.copy()
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
        self.selection_passes = 0
        self._positioned = False
        self._wmax = config.window_subframes
        self._live = _Live(n_vehicles, self._wmax, self.s)
        self._stride = self._live.stride
        self._view: _View | None = None
        self._view_key: tuple[int, bytes] | None = None
        self._row_key: tuple[int, np.ndarray] = (-1, np.zeros(0, dtype=np.int64))
        self._block = np.arange(n_vehicles, dtype=np.int64) * self._stride
        self._pt_mw = np.zeros(n_vehicles, dtype=np.float32)
        self._buffers: dict[str, np.ndarray] = {}

    # -- set-up ---------------------------------------------------------------------------------
    def _link_loss_db(self) -> float:
        """The path loss at which links end: the mean received power at ``tx_power_dbm`` is
        then the noise of one sub-channel minus ``interference_margin_db``."""
        cfg = self.config
        floor_dbm = 10.0 * math.log10(self._noise_mw_by_len[1]) - cfg.interference_margin_db
        return cfg.tx_power_dbm - floor_dbm

    def _reach_loss_db(self) -> float:
        """The path loss at which the mean received power is 3σ under the decoding threshold."""
        cfg = self.config
        return cfg.tx_power_dbm - (cfg.decoding_threshold_dbm - 3.0 * cfg.shadowing.sigma_db)

    def _link_range(self) -> float:
        """Links are kept while the mean received power at the highest power stays above the
        noise of one sub-channel minus ``interference_margin_db`` (or up to ``max_range_m``)."""
        if self.config.max_range_m is not None:
            return float(self.config.max_range_m)
        return self._table.range_for_loss_m(self._link_loss_db())

    def _reach_m(self) -> float:
        """Distance beyond which the mean received power is 3σ under the decoding threshold."""
        return self._table.range_for_loss_m(self._reach_loss_db())

    def _antenna_classes(self, heights: np.ndarray, powers: np.ndarray
                         ) -> tuple[AntennaClasses | None, np.ndarray]:
        """Stations of each distinct (antenna height, extra power) whose links differ from the
        vehicles' (another path loss, or a longer range because they send louder than
        ``config.tx_power_dbm``), and the link kinds between them (see the module docstring);
        with the report range of each kind. ``None`` when every station is like the vehicles."""
        base_report = np.array([self.report_range_m])
        extra_db = np.maximum(powers - self.config.tx_power_dbm, 0.0)
        classes: list[tuple[float, float, PathLossModel]] = []
        station_class = np.zeros(self.n, dtype=np.int64)
        keyed = np.where(np.isfinite(heights), heights, -1.0)
        for height, extra in sorted(set(zip(keyed.tolist(), extra_db.tolist(), strict=True))):
            model = (self.pathloss if height < 0
                     else with_antenna_heights(self.pathloss, tx_height_m=float(height)))
            if model != self.pathloss or extra > 0:
                classes.append((float(height), float(extra), model))
                station_class[(keyed == height) & (extra_db == extra)] = len(classes)
        if not classes:
            return None, base_report
        k = len(classes)
        kinds = [LinkKind(self._table, self.range_m)]
        reports = [self.report_range_m]
        kind_of = np.zeros((k + 1, k + 1), dtype=np.int64)

        def add(pathloss: TabulatedPathLoss | PathLossModel, range_m: float,
                reach_m: float) -> int:
            if self.config.max_range_m is not None:
                range_m = max(range_m, self.range_m)
            kinds.append(LinkKind(pathloss, range_m))
            reports.append(min(max(self.report_range_m, reach_m), range_m))
            return len(kinds) - 1

        for c, (_, extra, model) in enumerate(classes, start=1):
            table = TabulatedPathLoss(model)
            kind_of[0, c] = kind_of[c, 0] = add(
                table, table.range_for_loss_m(self._link_loss_db() + extra),
                table.range_for_loss_m(self._reach_loss_db() + extra))
        for c1, (h1, e1, _) in enumerate(classes, start=1):
            for c2, (h2, e2, _) in enumerate(classes[c1 - 1:], start=c1):
                extra = max(e1, e2)
                if h1 < 0 and h2 < 0:
                    model = self.pathloss
                elif min(h1, h2) < 0:
                    model = with_antenna_heights(self.pathloss, tx_height_m=max(h1, h2))
                else:
                    model = with_antenna_heights(self.pathloss, max(h1, h2), min(h1, h2))
                kind_of[c1, c2] = kind_of[c2, c1] = add(
                    model, range_for_loss_m(model, self._link_loss_db() + extra),
                    range_for_loss_m(model, self._reach_loss_db() + extra))
        return (AntennaClasses(station_class, kind_of, tuple(kinds)),
                np.array(reports, dtype=np.float64))

    def set_positions(self, xy: np.ndarray, active: np.ndarray | None = None) -> None:
        """New positions (metres, shape (n, 2)) at the current time; ``active`` masks present
        vehicles (absent ones neither send nor receive)."""
        self.links.update(xy, active)
        self.active = self.links.active
        self._positioned = True

    def adopt_links(self, state: dict[str, Any]) -> None:
        """Instead of ``set_positions``: take the state of a ``LinkTable`` that another process
        updated with the positions (``LinkTable.export``)."""
        self.links.adopt(state)
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
        self._prepare_view()
        tx_parts: list[list[np.ndarray]] = [[] for _ in range(5)]
        rx_parts: list[list[np.ndarray]] = [[] for _ in range(6)]
        end = self.now + n_subframes
        while self.now < end:
            width = min(self._wmax, end - self.now)
            tx, rx = self._window(self.now, width)
            for parts, arr in zip(tx_parts, tx, strict=True):
                parts.append(arr)
            for parts, arr in zip(rx_parts, rx, strict=True):
                parts.append(arr)
            self.now += width
        return StepResult(
            Transmissions(*(_concat(p, d) for p, d in zip(tx_parts, _TX_DTYPES, strict=True))),
            Receptions(*(_concat(p, d) for p, d in zip(rx_parts, _RX_DTYPES, strict=True))),
        )

    def cbr(self, vehicles: np.ndarray | None = None) -> np.ndarray:
        """Channel busy ratio of each vehicle over the last 100 ms (TS 36.214 §5.1.30)."""
        noise_sc = self._rb_noise_mw * self.config.layout.subchannel_size_rb
        return channel.channel_busy_ratio(self.memory.rssi_mw, self.memory.transmitted, self.now,
                                          noise_sc, self.config.cbr_threshold_dbm, rows=vehicles)

    def _buffer(self, name: str, size: int, dtype: Any) -> np.ndarray:
        buf = self._buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != dtype:
            buf = np.empty(max(size, 1) + size // 4, dtype=dtype)
            self._buffers[name] = buf
        return buf[:size]

    # -- link entries of this position update ----------------------------------------------------
    def _prepare_view(self) -> None:
        """List the link entries each window needs (once per position update)."""
        lt = self.links
        key = (lt.version, self.tx_power_dbm.tobytes())
        if key == self._view_key:
            return
        self._pt_mw = np.power(10.0, self.tx_power_dbm / 10.0).astype(np.float32)
        if self._row_key[0] != lt.rebuilds:
            self._row_key = (lt.rebuilds, lt.row_of * self._stride)
        tx = lt.neighbour
        m = lt.first.size
        gain = np.empty(2 * m, dtype=np.float32)
        gain[:m] = lt.gain_lin
        np.take(lt.gain_lin, lt.perm, out=gain[m:], mode="clip")
        uniform = bool(np.all(self.tx_power_dbm == self.tx_power_dbm[0])) if self.n else True
        if uniform:
            power = gain
            power *= self._pt_mw[0] if self.n else np.float32(0.0)
            sent = power
        else:
            power = gain * np.take(self._pt_mw, tx)
            sent = gain * np.take(self._pt_mw, lt.row_of)
        dist = np.empty(2 * m, dtype=np.float32)
        dist[:m] = lt.distance_m
        np.take(lt.distance_m, lt.perm, out=dist[m:], mode="clip")
        if lt.kind_groups:
            # per link: its kind's report range (links to stations with their own antenna)
            per_link = lt.distance_m <= np.float32(self.report_range_m)
            for kind, links in lt.kind_groups:
                per_link[links] = lt.distance_m[links] <= np.float32(self._kind_report_m[kind])
            report = np.concatenate([per_link, np.take(per_link, lt.perm)])
            self._report_link = per_link
        else:
            report = dist <= np.float32(self.report_range_m)
            self._report_link = None
        decodable = sent >= self._decode_mw
        a = np.flatnonzero(report & decodable)
        b = np.flatnonzero(report & ~decodable)
        a_rx, a_power = np.take(tx, a), np.take(sent, a)
        if (uniform and self._sense_mw == self._decode_mw
                and a.size == np.count_nonzero(decodable)):
            # one power and one threshold, every decodable entry reported: sensed == a
            sensed, s_tx, s_power = a, a_rx, a_power
        else:
            sensed = np.flatnonzero(power >= self._sense_mw)
            s_tx, s_power = np.take(tx, sensed), np.take(power, sensed)
        s_rsrp = np.log10(s_power)
        s_rsrp *= np.float32(10.0)
        self._view = _View(
            power=power,
            a_ptr=(np.searchsorted(a, lt.f_ptr), np.searchsorted(a, lt.b_ptr)),
            a_rx=a_rx, a_power=a_power, a_dist=np.take(dist, a),
            b_ptr=(np.searchsorted(b, lt.f_ptr), np.searchsorted(b, lt.b_ptr)),
            b_rx=np.take(tx, b), b_dist=np.take(dist, b),
            s_key=np.take(self._row_key[1], sensed), s_tx=s_tx, s_rsrp=s_rsrp)
        self._view_key = key

    # -- one window -----------------------------------------------------------------------------
    def _window(self, start: int, width: int) -> tuple[tuple[np.ndarray, ...], ...]:
        stop = start + width
        live = self._live
        live.reset()
        waiting = self.pkt_id >= 0
        expired = np.flatnonzero(waiting & ((self.pkt_occasion < start) | ~self.active))
        if expired.size:
            self.stats["expired"] += int(expired.size)
            self.pkt_id[expired] = -1
        v, t, length, pid = self._take_arrivals(stop)
        spreads: list[_Spread] = []
        main: list[_Main] = []
        for lo, hi, rows in _subwindows(start, stop, v, t):
            self._subwindow(live, start, hi, v[rows], t[rows], length[rows], pid[rows],
                            spreads, main if lo == start else None)
        return self._outcomes(live, start, width, main[0] if main else None, spreads)

    def _take_arrivals(self, stop: int) -> tuple[np.ndarray, ...]:
        """Packets generated before ``stop`` by active vehicles, sorted by (subframe, vehicle),
        with their sub-channel count; of several from one vehicle in one subframe, the last
        submitted replaces the others."""
        empty = tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
        if not self._queue:
            return empty
        v, t, s, i = (np.concatenate(col) for col in zip(*self._queue, strict=True))
        due = t < stop
        self._queue = [(v[~due], t[~due], s[~due], i[~due])] if not np.all(due) else []
        v, t, s, i = v[due], t[due], s[due], i[due]
        keep = self.active[v]
        v, t, s, i = v[keep], t[keep], s[keep], i[keep]
        if v.size == 0:
            return empty
        self.stats["generated"] += int(v.size)
        order = np.lexsort((v, t))
        v, t, s, i = v[order], t[order], s[order], i[order]
        last = np.ones(v.size, dtype=bool)
        last[:-1] = (v[1:] != v[:-1]) | (t[1:] != t[:-1])
        if not np.all(last):
            self.stats["replaced"] += int(np.count_nonzero(~last))
            v, t, s, i = v[last], t[last], s[last], i[last]
        needed = np.searchsorted(self._capacity_bits, s * 8, side="left") + 1
        if np.any(needed > self.s):
            raise ValueError("a packet does not fit the resource pool at this MCS")
        return v, t, needed.astype(np.int64), i

    def _subwindow(self, live: _Live, start: int, stop: int, v: np.ndarray, t: np.ndarray,
                   length: np.ndarray, pid: np.ndarray, spreads: list[_Spread],
                   main: list[_Main] | None) -> None:
        """Subframes up to ``stop`` in which each vehicle generates at most one packet; the
        first sub-window of a window (``main`` given) makes the window's bulk."""
        sps = self.config.sps
        p = sps.rri_ms
        # The packet waiting from before goes first if its occasion is not after the arrival.
        waiting = self.pkt_id[v] >= 0
        before = waiting & (self.pkt_occasion[v] <= t)
        self.stats["replaced"] += int(np.count_nonzero(waiting & ~before))
        sent = [self._transmit(v[before])]
        self.pkt_id[v] = -1
        # Each arrival uses its reservation when it fits and comes in time (TS 36.321).
        nxt = self.res_next[v]
        lag = np.maximum(t + sps.t1 - nxt, 0)
        occasion = nxt + p * ((lag + p - 1) // p)
        resel = (nxt < 0) | (length > self.res_length[v]) | (occasion > t + sps.window_end)
        keep = ~resel
        kv = v[keep]
        self.res_next[kv] = occasion[keep]
        self.pkt_id[kv] = pid[keep]
        self.pkt_occasion[kv] = occasion[keep]
        # Everything sent before ``stop`` that needs no selection.
        due = np.flatnonzero((self.pkt_id >= 0) & (self.pkt_occasion < stop))
        sent.append(self._transmit(due))
        bulk = _join(sent)
        # The bulk pass touches every link entry: worth it when most vehicles send (long
        # windows); short windows spread their few transmissions one by one.
        if main is not None and bulk.vehicle.size >= BULK_FRACTION * self.links.active_count:
            group, bulk = _main_group(bulk)
            main.append(self._spread_main(live, start, group))
        if bulk.vehicle.size:
            spreads.append(self._spread(live, start, bulk))
        if not np.any(resel):
            return
        ev_v, ev_t, ev_len, ev_pid = v[resel], t[resel], length[resel], pid[resel]
        e = ev_v.size
        counter = sps.draw_counters(self._rng_mac, e)
        uniforms = self._rng_mac.random((e, selection_draws(sps, self.s)), dtype=np.float32)
        # The first transmission on the new resources announces a further reservation unless
        # it is already the last one (counter 1) and the UE does not keep them.
        keep = np.zeros(e, dtype=bool)
        fresh = np.zeros(e, dtype=np.int32)
        if sps.counter_bounds[0] <= 1 and sps.keep_probability > 0:
            keep = self._rng_mac.random(e) < sps.keep_probability
            fresh = sps.draw_counters(self._rng_mac, e)
        reserve = (counter > 1) | keep
        y, x = self._select(live, start, stop, ev_v, ev_t, ev_len, uniforms, reserve)
        self.stats["reselections"] += e
        self.res_subchannel[ev_v] = x
        self.res_length[ev_v] = ev_len
        self.counter[ev_v] = counter
        self.res_next[ev_v] = y
        self.pkt_id[ev_v] = ev_pid
        self.pkt_occasion[ev_v] = y
        now = y < stop
        if np.any(now):
            sent_now = self._transmit(ev_v[now], keep[now], fresh[now])
            spreads.append(self._spread(live, start, sent_now))

    def _transmit(self, vehicles: np.ndarray, keep_draw: np.ndarray | None = None,
                  fresh_draw: np.ndarray | None = None) -> _Sent:
        """Send the waiting packet of each listed vehicle at its occasion: counter, keep or
        reselect after the last one, next occasion (TS 36.321 §5.14.1.1). The keep decisions
        and fresh counters of a last transmission are drawn here unless given."""
        sps = self.config.sps
        sf = self.pkt_occasion[vehicles]
        count = self.counter[vehicles]
        last = count <= 1
        keep = np.zeros(vehicles.size, dtype=bool)
        counter = count - 1
        n_last = int(np.count_nonzero(last))
        if n_last:
            if keep_draw is not None and fresh_draw is not None:
                keep_last, fresh = keep_draw[last], fresh_draw[last]
            elif sps.keep_probability > 0:
                keep_last = self._rng_mac.random(n_last) < sps.keep_probability
                fresh = sps.draw_counters(self._rng_mac, n_last)
            else:
                keep_last = np.zeros(n_last, dtype=bool)
                fresh = np.zeros(n_last, dtype=np.int32)
            keep[last] = keep_last
            counter[last] = np.where(keep_last, fresh, 0)
        reserve = ~last | keep
        self.counter[vehicles] = counter
        self.res_next[vehicles] = np.where(reserve, sf + sps.rri_ms, -1)
        out = _Sent(vehicles, sf, self.res_subchannel[vehicles], self.res_length[vehicles],
                    self.pkt_id[vehicles], reserve)
        self.pkt_id[vehicles] = -1
        self.stats["transmitted"] += int(vehicles.size)
        return out

    def _sending_cells(self, start: int, sent: _Sent) -> np.ndarray:
        """The cells of each transmitter in the subframe it sends in (all sub-channels)."""
        s = self.s
        first = self._block[sent.vehicle] + (sent.subframe - start) * s
        return (first[:, None] + np.arange(s)[None, :]).ravel()

    def _mark_sending(self, live: _Live, start: int, sent: _Sent) -> None:
        live.sending[self._sending_cells(start, sent)] = True

    def _spread_main(self, live: _Live, start: int, sent: _Sent) -> _Main:
        """Spread the bulk (one transmission per vehicle, one length L) at once over the entries
        whose neighbour sends, receiver by receiver."""
        view = self._view
        assert view is not None
        sent = _subset(sent, np.argsort(sent.vehicle))
        length = int(sent.length[0])
        cell = np.full(self.n, -1, dtype=np.int64)
        cell[sent.vehicle] = (sent.subframe - start) * self.s + sent.subchannel
        sci_cell = cell.copy()
        sci_cell[sent.vehicle[~sent.reserve]] = -1
        entries = np.flatnonzero(np.take(cell >= 0, self.links.neighbour))
        key = np.take(cell, np.take(self.links.neighbour, entries))
        key += np.take(self._row_key[1], entries)
        power = np.take(view.power, entries)
        if length > 1:
            power /= np.float32(length)
        for k in range(length):
            np.add.at(live.rssi, key + k if k else key, power)
        entries = np.flatnonzero(np.take(sci_cell >= 0, view.s_tx))
        s_key = np.take(sci_cell, np.take(view.s_tx, entries))
        s_key += np.take(view.s_key, entries)
        rsrp = np.take(view.s_rsrp, entries)
        rsrp -= self._rsrp_offset_db[length]
        for k in range(length):
            np.maximum.at(live.sci, s_key + k if k else s_key, rsrp)
        self._mark_sending(live, start, sent)
        return _Main(sent, length, cell, sci_cell)

    def _spread(self, live: _Live, start: int, sent: _Sent) -> _Spread:
        """Put other transmissions on their links (transmitter by transmitter) and into the
        live cells (S-RSSI, SCIs, sending)."""
        s = self.s
        lt = self.links
        tv = sent.vehicle
        starts, seg_counts = lt.rows(tv)
        counts = seg_counts.reshape(-1, 2).sum(axis=1)
        idx = ragged_indices(starts, seg_counts)
        rx = lt.neighbour[idx]
        link = lt.link_of[idx]
        power = lt.gain_lin[link] * np.repeat(self._pt_mw[tv], counts)
        rel = sent.subframe - start
        key = self._block[rx] + np.repeat(rel * s + sent.subchannel, counts)
        length = sent.length
        lmax = int(length.max()) if length.size else 1
        if lmax == 1:
            np.add.at(live.rssi, key, power)
        else:
            l_rep = np.repeat(length, counts)
            share = power / l_rep.astype(np.float32)
            for k in range(lmax):
                m = np.flatnonzero(l_rep > k)
                np.add.at(live.rssi, key[m] + k, share[m])
        self._mark_sending(live, start, sent)
        # SCIs decoded above the sensing threshold that reserve (void where the receiver sent).
        sensed = power >= self._sense_mw
        if not np.all(sent.reserve):
            sensed &= np.repeat(sent.reserve, counts)
        d = np.flatnonzero(sensed)
        if d.size:
            rsrp = np.float32(10.0) * np.log10(power[d])
            kd = key[d]
            if lmax == 1:
                rsrp -= self._rsrp_offset_db[1]
                np.maximum.at(live.sci, kd, rsrp)
            else:
                ld = np.repeat(length, counts)[d]
                rsrp -= self._rsrp_offset_db[ld]
                for k in range(lmax):
                    m = np.flatnonzero(ld > k)
                    np.maximum.at(live.sci, kd[m] + k, rsrp[m])
        return _Spread(sent, counts, rx, power, key, link)

    # -- resource selection -----------------------------------------------------------------------
    def _select(self, live: _Live, start: int, stop: int, ev_v: np.ndarray,
                ev_t: np.ndarray, ev_len: np.ndarray, uniforms: np.ndarray,
                reserve_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Solve the window's selections (sorted by subframe) exactly; returns (y, x)."""
        sps = self.config.sps
        p, s = sps.rri_ms, self.s
        w = sps.sensing_window_ms
        mem = self.memory
        e = ev_v.size
        # Sensing as of the window start ...
        ring = mem.rssi_mw[ev_v]                                             # (E, W, S)
        sums = ring.reshape(e, w // p, p, s).sum(axis=1)
        count = (w // p) - np.count_nonzero(mem.transmitted[ev_v].reshape(e, w // p, p), axis=1)
        sci = mem.sci_rsrp_dbm[ev_v]
        sent = mem.sent_in_phase[ev_v]
        # ... then the window's live cells before each selection replace the slots they reuse.
        reach = int(ev_t.max() - start)
        if reach > 0:
            rr = np.arange(reach)
            phases = cyclic_indices(start, reach, p)
            slots = cyclic_indices(start, reach, w)
            inside = rr[None, :] < (ev_t - start)[:, None]                     # (E, R)
            cells = live.cells(live.rssi)[ev_v, :reach]
            sending = live.cells(live.sending)[ev_v, :reach, 0]
            sci_live = live.cells(live.sci)[ev_v, :reach]
            old = ring[:, slots]
            old_tx = mem.transmitted[ev_v][:, slots]
            monitored = inside & ~sending
            cells *= monitored[:, :, None]
            old *= inside[:, :, None]
            cells -= old
            sums[:, phases] += cells
            count[:, phases] += monitored.view(np.int8) - (inside & ~old_tx).view(np.int8)
            np.copyto(sci_live, np.float32(-np.inf), where=sending[:, :, None])
            sci[:, phases] = np.where(inside[:, :, None], sci_live, sci[:, phases])
            sent[:, phases] = np.where(inside, sending, sent[:, phases])
        # Averages, and the phases that are no candidates (+inf blocking RSRP).
        count = np.maximum(count, 1).astype(np.float32)
        sums /= count[:, :, None]
        lengths = np.unique(ev_len)
        if lengths.size == 1:
            sci[excluded_phases(sps, sent, ev_t, int(lengths[0]), s)] = np.inf
        else:
            for length in lengths:
                m = np.flatnonzero(ev_len == length)
                blocked = sci[m]
                blocked[excluded_phases(sps, sent[m], ev_t[m], int(length), s)] = np.inf
                sci[m] = blocked
        # Selections whose vehicles are linked: (i, j, power from i to j).
        src, dst, power = self._event_links(ev_v)
        order = np.argsort(dst, kind="stable")
        src, dst, power = src[order], dst[order], power[order]
        scale, offset, pick = selection_jitter(sps, s, uniforms)
        # Fixed-point iteration over the picks (see the module docstring).
        y = np.full(e, np.iinfo(np.int64).max, dtype=np.int64)
        x = np.zeros(e, dtype=np.int64)
        rows = np.arange(e)
        for _ in range(e + 1):
            self.selection_passes += 1
            every = rows.size == e
            r_avg, r_sci = (sums.copy(), sci.copy()) if every else (sums[rows], sci[rows])
            if every:
                i, j, pw = src, dst, power
            else:
                lo = np.searchsorted(dst, rows, side="left")
                hi = np.searchsorted(dst, rows, side="right")
                sel = ragged_indices(lo, hi - lo)
                i, j, pw = src[sel], dst[sel], power[sel]
            active = np.flatnonzero((y[i] < ev_t[j]) & (y[i] < stop))
            if active.size:
                self._add_pair_sensing(live, ev_v, ev_len, y, x, reserve_first, start, rows,
                                       i[active], j[active], pw[active], count, r_avg, r_sci)
            if lengths.size == 1:
                new_y, new_x = choose_prepared(sps, r_avg, r_sci, ev_t[rows], int(lengths[0]),
                                               scale[rows], offset[rows], pick[rows])
            else:
                new_y = np.empty(rows.size, dtype=np.int64)
                new_x = np.empty(rows.size, dtype=np.int64)
                lens = ev_len[rows]
                for length in np.unique(lens):
                    m = np.flatnonzero(lens == length)
                    rm = rows[m]
                    new_y[m], new_x[m] = choose_prepared(sps, r_avg[m], r_sci[m], ev_t[rm],
                                                         int(length), scale[rm], offset[rm],
                                                         pick[rm])
            moved = (new_y != y[rows]) | (new_x != x[rows])
            changed = rows[moved]
            first = np.minimum(y[changed], new_y[moved])
            y[rows], x[rows] = new_y, new_x
            if changed.size == 0:
                break
            # Redo the selections that a moved pick (old or new place) precedes and reaches.
            hit = np.zeros(e, dtype=bool)
            hit[changed] = True
            when = np.full(e, np.iinfo(np.int64).max, dtype=np.int64)
            when[changed] = first
            reached = hit[src] & (when[src] < ev_t[dst]) & (when[src] < stop)
            rows = np.unique(dst[reached])
            if rows.size == 0:
                break
        return y, x

    def _event_links(self, ev_v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (i, j) of selections whose vehicles are linked within range, with the power
        vehicle i sends to vehicle j (mW), from the CSR rows of the selecting vehicles."""
        lt = self.links
        index = np.full(self.n, -1, dtype=np.int64)
        index[ev_v] = np.arange(ev_v.size)
        starts, seg_counts = lt.rows(ev_v)
        counts = seg_counts.reshape(-1, 2).sum(axis=1)
        entries = ragged_indices(starts, seg_counts)
        other = index[lt.neighbour[entries]]
        keep = np.flatnonzero(other >= 0)
        j = np.repeat(np.arange(ev_v.size), counts)[keep]
        i = other[keep]
        power = lt.gain_lin[lt.link_of[entries[keep]]] * self._pt_mw[ev_v[i]]
        linked = power > 0
        return i[linked], j[linked], power[linked]

    def _add_pair_sensing(self, live: _Live, ev_v: np.ndarray, ev_len: np.ndarray,
                          y: np.ndarray, x: np.ndarray, reserve: np.ndarray, start: int,
                          rows: np.ndarray, src: np.ndarray, dst: np.ndarray, power: np.ndarray,
                          count: np.ndarray, r_avg: np.ndarray, r_sci: np.ndarray) -> None:
        """Add what selection ``dst`` senses of the transmission that selection ``src`` placed
        before it (one S-RSSI sample of the average over ``count`` monitored subframes, maybe a
        reserving SCI), unless it was sending then."""
        p, s = self.config.sps.rri_ms, self.s
        rel = y[src] - start
        busy = live.sending[self._block[ev_v[dst]] + rel * s]
        keep = ~busy
        src, dst, power = src[keep], dst[keep], power[keep]
        if src.size == 0:
            return
        where_row = np.searchsorted(rows, dst)
        phase = y[src] % p
        base = (where_row * p + phase) * s + x[src]
        length = ev_len[src]
        share = power / (length.astype(np.float32) * count[dst, phase])
        flat_sums = r_avg.reshape(-1)
        flat_sci = r_sci.reshape(-1)
        decoded = (power >= self._sense_mw) & reserve[src]
        rsrp = np.float32(10.0) * np.log10(np.maximum(power, np.float32(1e-30))) \
            - self._rsrp_offset_db[length]
        for k in range(int(length.max())):
            m = length > k
            np.add.at(flat_sums, base[m] + k, share[m])
            md = m & decoded
            np.maximum.at(flat_sci, base[md] + k, rsrp[md])

    # -- outcomes and memory ----------------------------------------------------------------------
    def _outcomes(self, live: _Live, start: int, width: int, main: _Main | None,
                  spreads: list[_Spread]) -> tuple[tuple[np.ndarray, ...], ...]:
        lt = self.links
        view = self._view
        assert view is not None
        report = np.float32(self.report_range_m)
        # Which opportunities are reported: the bulk's (its rows of the report entries), then
        # the others' (their links within the report range).
        total = 0
        seg_a = seg_b = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        if main is not None:
            tv = main.sent.vehicle
            seg_a = segments(*view.a_ptr, tv)
            seg_b = segments(*view.b_ptr, tv)
            total += int(seg_a[1].sum() + seg_b[1].sum())
        parts = []
        for sp in spreads:
            dist = lt.distance_m[sp.link]
            if self._report_link is None:
                rep = np.flatnonzero(dist <= report)
            else:
                rep = np.flatnonzero(self._report_link[sp.link])
            ends = np.cumsum(sp.counts)
            per_tx = np.searchsorted(rep, ends) - np.searchsorted(rep, ends - sp.counts)
            parts.append((sp, rep, dist, per_tx))
            total += rep.size
        out = (np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64),
               np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64),
               np.empty(total, dtype=np.float32), np.empty(total, dtype=np.uint8))
        tx_out, rx_out, sf_out, pkt_out, dist_out, cause_out = out
        groups = ([main.sent] if main is not None else []) + [sp.sent for sp in spreads]
        # From here on, the cells of a vehicle in a subframe it sent in hold -1 (half duplex).
        for g in groups:
            live.rssi[self._sending_cells(start, g)] = -1.0
        at = 0
        if main is not None:
            at = self._main_outcomes(live, main, seg_a, seg_b, out)
        for sp, rep, dist, per_tx in parts:
            nxt = at + rep.size
            sent = sp.sent
            tx_out[at:nxt] = np.repeat(sent.vehicle, per_tx)
            sf_out[at:nxt] = np.repeat(sent.subframe, per_tx)
            pkt_out[at:nxt] = np.repeat(sent.packet, per_tx)
            rx_out[at:nxt] = sp.rx[rep]
            dist_out[at:nxt] = dist[rep]
            cause_out[at:nxt] = self._causes(live, sp, rep, per_tx)
            at = nxt
        self._record(live, start, width, groups)
        if not groups:
            empty = np.zeros(0, dtype=np.int64)
            return (empty,) * 5, out
        tv = _cat([g.vehicle for g in groups])
        sf = _cat([g.subframe for g in groups])
        order = np.lexsort((tv, sf))
        tx = (tv[order], sf[order], _cat([g.packet for g in groups])[order],
              _cat([g.subchannel for g in groups])[order],
              _cat([g.length for g in groups])[order])
        return tx, out

    def _main_outcomes(self, live: _Live, main: _Main, seg_a: tuple[np.ndarray, np.ndarray],
                       seg_b: tuple[np.ndarray, np.ndarray], out: tuple[np.ndarray, ...]) -> int:
        """Outcomes of the bulk's opportunities (decodable, then not), written from the start
        of the output arrays; returns how many."""
        view = self._view
        assert view is not None
        tx_out, rx_out, sf_out, pkt_out, dist_out, cause_out = out
        sent = main.sent
        tv = sent.vehicle
        at = 0
        for decodable, (starts, seg_counts) in ((True, seg_a), (False, seg_b)):
            counts = seg_counts.reshape(-1, 2).sum(axis=1)
            nxt = at + int(counts.sum())
            if decodable:
                src_rx, src_dist = view.a_rx, view.a_dist
            else:
                src_rx, src_dist = view.b_rx, view.b_dist
            idx = ragged_indices(starts, seg_counts)
            rx = np.take(src_rx, idx, out=rx_out[at:nxt], mode="clip")
            np.take(src_dist, idx, out=dist_out[at:nxt], mode="clip")
            tx_out[at:nxt] = np.repeat(tv, counts)
            sf_out[at:nxt] = np.repeat(sent.subframe, counts)
            pkt_out[at:nxt] = np.repeat(sent.packet, counts)
            key = self._buffer("out_key", idx.size, np.int64)
            np.take(self._block, rx, out=key, mode="clip")
            key += np.repeat(main.cell[tv], counts)
            cause = cause_out[at:nxt]
            hd = self._buffer("out_hd", idx.size, bool)
            if decodable:
                power = np.take(view.a_power, idx, out=self._buffer("out_power", idx.size,
                                                                    np.float32), mode="clip")
                total = np.take(live.rssi, key, out=self._buffer("out_total", idx.size,
                                                                 np.float32), mode="clip")
                for k in range(1, main.length):
                    total += np.take(live.rssi, key + k)
                np.less(total, np.float32(0.0), out=hd)
                self._bler_outcome(power, total, self._noise_mw_by_len[main.length], cause)
            else:
                np.take(live.sending, key, out=hd, mode="clip")
                cause.fill(LossCause.BELOW_SENSING)
            np.copyto(cause, np.uint8(LossCause.HALF_DUPLEX), where=hd)
            at = nxt
        return at

    def _bler_outcome(self, power: np.ndarray, total: np.ndarray, noise: Any,
                      out: np.ndarray) -> None:
        """Received / propagation / collision of decodable opportunities into ``out``
        (``total`` is the power of their cells, theirs included; it is overwritten)."""
        size = power.size
        rng = self._rng_phy
        buf = self._buffer
        np.subtract(total, power, out=total)
        np.maximum(total, np.float32(0.0), out=total)
        np.add(total, noise, out=total)
        np.divide(power, total, out=total)
        threshold = buf("threshold", size, np.uint32)
        self._bler.into(total, threshold, buf("scratch", size, np.int32))
        u = rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size]
        lost = np.less(u, threshold, out=buf("lost", size, bool))
        out.fill(LossCause.RECEIVED)
        idx = np.flatnonzero(lost)
        if idx.size:
            noise_l = noise if np.ndim(noise) == 0 else noise[idx]
            snr = np.divide(power[idx], noise_l).astype(np.float32)
            snr_threshold = np.empty(idx.size, dtype=np.uint32)
            self._bler.into(snr, snr_threshold, np.empty(idx.size, dtype=np.int32))
            out[idx] = np.where(u[idx] < snr_threshold, np.uint8(LossCause.PROPAGATION),
                                np.uint8(LossCause.COLLISION))

    def _causes(self, live: _Live, sp: _Spread, rep: np.ndarray,
                per_tx: np.ndarray) -> np.ndarray:
        """Outcome of the opportunities ``rep`` of one spread (see the module docstring)."""
        power = sp.power[rep]
        key = sp.key[rep]
        cause = np.full(rep.size, LossCause.BELOW_SENSING, dtype=np.uint8)
        hd = live.sending[key]
        cause[hd] = LossCause.HALF_DUPLEX
        attempt = np.flatnonzero(~hd & (power >= self._decode_mw))
        if attempt.size == 0:
            return cause
        pa, ka = power[attempt], key[attempt]
        length = sp.sent.length
        lmax = int(length.max())
        total = live.rssi[ka]
        if lmax == 1:
            noise: Any = self._noise_mw_by_len[1]
        else:
            la = np.repeat(length, per_tx)[attempt]
            for k in range(1, lmax):
                m = np.flatnonzero(la > k)
                total[m] += live.rssi[ka[m] + k]
            noise = self._noise_mw_by_len[la]
        outcome = np.empty(attempt.size, dtype=np.uint8)
        self._bler_outcome(pa, total, noise, outcome)
        cause[attempt] = outcome
        return cause

    def _record(self, live: _Live, start: int, width: int, groups: list[_Sent]) -> None:
        """Write the window into the sensing memory (the UEs' measurements of these subframes):
        S-RSSI (0 where the UE transmitted), the SCIs (void there), who transmitted when."""
        mem = self.memory
        w, p = mem.config.sensing_window_ms, mem.config.rri_ms
        rssi = live.cells(live.rssi)[:, :width]
        sci = live.cells(live.sci)[:, :width]
        sending = live.cells(live.sending)[:, :width, 0]
        slots = cyclic_indices(start, width, w)
        phases = cyclic_indices(start, width, p)
        mem.rssi_mw[:, slots, :] = rssi
        mem.transmitted[:, slots] = sending
        mem.sci_rsrp_dbm[:, phases, :] = sci
        mem.sent_in_phase[:, phases] = sending
        for g in groups:
            if g.vehicle.size:
                mem.rssi_mw[g.vehicle, g.subframe % w, :] = 0.0
                mem.sci_rsrp_dbm[g.vehicle, g.subframe % p, :] = -np.inf


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _join(groups: list[_Sent]) -> _Sent:
    if len(groups) == 1:
        return groups[0]
    return _Sent(*(np.concatenate([getattr(g, f) for g in groups]) for f in _SENT_FIELDS))


def _subset(sent: _Sent, mask: np.ndarray) -> _Sent:
    return _Sent(*(getattr(sent, f)[mask] for f in _SENT_FIELDS))


def _main_group(sent: _Sent) -> tuple[_Sent, _Sent]:
    """Split transmissions into the bulk (the first of each vehicle, of the most common length)
    and the rest."""
    first = np.zeros(sent.vehicle.size, dtype=bool)
    first[np.unique(sent.vehicle, return_index=True)[1]] = True
    common = int(np.bincount(sent.length).argmax())
    take = first & (sent.length == common)
    return _subset(sent, take), _subset(sent, ~take)


def _subwindows(start: int, stop: int, v: np.ndarray,
                t: np.ndarray) -> Iterator[tuple[int, int, np.ndarray]]:
    """Split [start, stop) where a vehicle has its second packet: (lo, hi, rows of arrivals)."""
    if v.size == 0 or np.unique(v).size == v.size:
        yield start, stop, np.arange(v.size)
        return
    lo, first = start, 0
    while first < v.size:
        rest = v[first:]
        seen = np.zeros(rest.size, dtype=bool)
        seen[np.unique(rest, return_index=True)[1]] = True
        repeat = np.flatnonzero(~seen)
        if repeat.size == 0:
            yield lo, stop, np.arange(first, v.size)
            return
        hi = int(t[first + repeat[0]])
        upto = int(np.searchsorted(t, hi, side="left"))
        yield lo, hi, np.arange(first, upto)
        lo, first = hi, upto
    if lo < stop:
        yield lo, stop, np.zeros(0, dtype=np.int64)
