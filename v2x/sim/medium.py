"""The medium: the only glue between simulated time, the stations and the radio arrays.

Each traffic step it hands the radio the stations' positions and the packets generated during
the step (real encoded frames: their sizes, generation instants and senders), lets the LTE-V2X
model run the step's subframes, and turns what came back into measurements: vehicle-to-vehicle
links for PRR and latency, RSU receptions (coverage, load, gaps, verification), RSU-to-vehicle
links per message kind, CBR samples; and it hands the DENMs received back to the DEN service.
Vehicles take the radio slots the CA service gives them; RSUs, their further flows and the
vehicles' events take the slots after them (``SlotPlan``). Every roadside slot sends with its
RSU's power and antenna height (a mast or gantry antenna: its links to vehicles use the path
loss with that height on its side, and reach further; ``SidelinkNetwork``, "Antenna heights").
On air every message carries its GeoNetworking and BTP headers and its security
(``v2x.sim.framing``); a ``PacketCapture`` keeps sampled frames for a pcap.

A step is ``place``d (positions go to the radio), ``dispatch``ed (with its packets) and later
``collect``ed (the DENMs it delivered) and ``measure``d; a radio in a child process
(``v2x.sim.radio_process``) works on step k while the caller reads step k+1, places it and
queues its packets, and step k is measured while the radio works on step k+1.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from v2x.messages.transport import BASIC_HEADER_LENGTH
from v2x.sim.capture import PacketCapture
from v2x.sim.framing import Framing, gn_address, header_bytes
from v2x.sim.metrics import RECEIVED, Metrics
from v2x.sim.radio.network import RadioConfig, SidelinkNetwork
from v2x.sim.radio_process import InlineRadio, RadioProcess
from v2x.sim.securing import SecurityModel
from v2x.sim.services.kinds import KIND_CODE
from v2x.sim.slots import SlotPlan

CAM = KIND_CODE["cam"]
DENM = KIND_CODE["denm"]

CBR_SAMPLES = 256
"""Stations whose CBR is sampled each step (drawn at random; all of them when fewer)."""
PACKET_RING = 1 << 20
"""Packets are looked up by id for at most one reservation period; a ring this long suffices."""
DENM_HORIZON_US = 1_000_000
"""A DENM is received within one reservation period of its generation or never; steps this
long after the last one need not look for DENMs."""
_NO_DENMS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
             np.zeros(0, dtype=np.int64), np.zeros((0, 2)))


@dataclass
class StepOutcome:
    """The DENMs a step delivered (for the DEN service)."""

    denm_receivers: np.ndarray
    """Slots that received a DENM in the step (vehicles and RSUs) ..."""
    denm_tags: np.ndarray
    """... the DENM's tag (its event number) ..."""
    denm_received_us: np.ndarray
    """... when ..."""
    denm_xy: np.ndarray
    """... and where the receiver was (metres, shape (k, 2))."""


class Medium:
    """Radio channel shared by the vehicles, the RSUs at ``rsu_xy`` and their flows (``plan``).

    ``rsu_power_dbm`` and ``rsu_height_m`` (antenna height in metres) are per RSU; without
    heights the RSUs use the vehicles' antenna height. With ``process_seed`` (the engine's
    seed) the radio runs in a child process drawing the streams ``rng`` would give; call
    ``close`` when done.
    """

    def __init__(self, config: RadioConfig, plan: SlotPlan, rsu_xy: np.ndarray,
                 rsu_power_dbm: np.ndarray, rng, metrics: Metrics,
                 security: SecurityModel, *, rsu_height_m: np.ndarray | None = None,
                 process_seed: int | None = None, framing: Framing | None = None,
                 capture: PacketCapture | None = None) -> None:
        self.plan = plan
        self.vehicle_slots = plan.vehicles
        self.rsu_count = plan.rsus
        roadside = np.arange(plan.roadside.start, plan.roadside.stop)
        owners = np.array(plan.owner(), dtype=np.int64)
        heights = np.full(plan.total, np.nan)
        powers = np.full(plan.total, config.tx_power_dbm)
        if len(roadside):
            powers[roadside] = np.asarray(rsu_power_dbm, dtype=float)[owners]
            if rsu_height_m is not None:
                heights[roadside] = np.asarray(rsu_height_m, dtype=float)[owners]
        self.radio: InlineRadio | RadioProcess
        if process_seed is None:
            self.radio = InlineRadio(SidelinkNetwork(config, plan.total, rng=rng,
                                                     antenna_height_m=heights,
                                                     tx_power_dbm=powers))
        else:
            self.radio = RadioProcess(config, plan.total, process_seed,
                                      antenna_height_m=heights, tx_power_dbm=powers)
        self._pending: deque[tuple[bool, int, np.ndarray | None]] = deque()
        self._collected: tuple | None = None
        self._placed = False
        self._newest_us = 0
        self._denm_last_us = -DENM_HORIZON_US - 1
        self._cbr_rng = rng("cbr")
        self._first_extra = plan.first_extra
        """Slots: vehicles, then RSU receivers (up to here), RSU flows, events' slots (from
        ``_first_event``; they send as vehicles)."""
        self._first_event = plan.first_event
        self.rsu_xy = np.asarray(rsu_xy, dtype=float).reshape(-1, 2)
        self.metrics = metrics
        self.security = security
        self.xy = np.zeros((plan.total, 2))
        self.active = np.zeros(plan.total, dtype=bool)
        if len(roadside):
            self.xy[roadside] = self.rsu_xy[owners]
            self.active[roadside] = True
        self._next_id = 0
        self._generated_us = np.zeros(PACKET_RING, dtype=np.int64)
        self._sender_xy = np.zeros((PACKET_RING, 2))
        self._carries = np.zeros(PACKET_RING, dtype=bool)
        self._kind = np.zeros(PACKET_RING, dtype=np.int8)
        self._tag = np.full(PACKET_RING, -1, dtype=np.int64)
        self._frames: dict[int, bytes] = {}
        self.speed_mps = np.zeros(plan.total)
        self.heading_deg = np.zeros(plan.total)
        self._roadside = np.zeros(plan.total, dtype=bool)
        self._roadside[roadside] = True
        self.framing = framing
        self.capture = capture
        if (security.mode == "real" or capture is not None) and framing is None:
            raise ValueError("real security and a capture need the framing")

    def positions(self, slots: np.ndarray, x_m: np.ndarray, y_m: np.ndarray,
                  speed_mps: np.ndarray | None = None,
                  heading_deg: np.ndarray | None = None) -> None:
        """The vehicles now on the road (all others are inactive), with their speeds and
        headings (for the GeoNetworking position vectors) when given."""
        self.active[:self.vehicle_slots] = False
        self.active[slots] = True
        self.xy[slots, 0] = x_m
        self.xy[slots, 1] = y_m
        if speed_mps is not None:
            self.speed_mps[slots] = speed_mps
        if heading_deg is not None:
            self.heading_deg[slots] = heading_deg

    def follow(self, event_slots: np.ndarray, vehicle_slots: np.ndarray) -> None:
        """Event slots now on air, each where its originating vehicle is (others are off)."""
        self.active[self.plan.first_event:] = False
        self.active[event_slots] = True
        self.xy[event_slots] = self.xy[vehicle_slots]
        self.speed_mps[event_slots] = self.speed_mps[vehicle_slots]
        self.heading_deg[event_slots] = self.heading_deg[vehicle_slots]

    def place(self) -> None:
        """Hand the radio the stations' positions of this step (after ``positions`` and
        ``follow``; ``dispatch`` does it if not done): a radio process starts on its links."""
        self.radio.set_positions(self.xy, self.active)
        self._placed = True

    def new_vehicles(self, slots: np.ndarray) -> None:
        """Slots taken over by another vehicle: its radio and security state start afresh."""
        if len(slots):
            self.radio.reset_vehicles(slots)
            self.security.new_vehicles(slots)
            if self.capture is not None:
                self.capture.new_vehicles(slots)

    def send(self, slots: np.ndarray, generated_us: np.ndarray, payloads: list[bytes],
             kinds: np.ndarray | None = None, tags: np.ndarray | None = None, *,
             measuring: bool = True) -> int:
        """Queue messages (CAMs unless ``kinds`` says otherwise) for transmission; returns how
        many. On air each carries its GeoNetworking and BTP headers (``v2x.sim.framing``) and
        its security. Messages sent while ``measuring`` count in the message figures."""
        if not len(slots):
            return 0
        kinds = np.full(len(slots), CAM, dtype=np.int64) if kinds is None else kinds
        tags = np.full(len(slots), -1, dtype=np.int64) if tags is None else tags
        captured = (self.capture.select(slots, kinds == DENM)
                    if self.capture is not None and measuring else np.zeros(0, dtype=np.int64))
        if self.security.mode == "real":
            bodies = self._secured_payloads(slots, payloads, kinds, tags, generated_us,
                                            np.arange(len(slots)))
            frames, sizes, carries = self.security.secure(slots, bodies, generated_us, kinds,
                                                          self.xy[slots])
            sizes = sizes + BASIC_HEADER_LENGTH
            on_air = [frames[i] for i in captured.tolist()]
        else:
            frames, sizes, carries = self.security.secure(slots, payloads, generated_us, kinds,
                                                          self.xy[slots])
            sizes = sizes + header_bytes(kinds)
            on_air = self._secured_payloads(slots, payloads, kinds, tags, generated_us,
                                            captured) if captured.size else []
        ids = self._next_id + np.arange(len(slots))
        self._next_id += len(slots)
        ring = ids % PACKET_RING
        self._generated_us[ring] = generated_us
        self._sender_xy[ring] = self.xy[slots]
        self._carries[ring] = carries
        self._kind[ring] = kinds
        self._tag[ring] = tags
        if captured.size:
            assert self.capture is not None and self.framing is not None
            secured = self.security.mode == "real"
            self.capture.keep(ids[captured].tolist(),
                              [self.framing.frame(int(kinds[i]), body, secured)
                               for i, body in zip(captured.tolist(), on_air, strict=True)],
                              [gn_address(payloads[i], bool(self._roadside[slots[i]])).mid
                               for i in captured.tolist()])
        if self.security.mode == "real":
            self._frames.update(zip(ids.tolist(), frames, strict=True))
        self.radio.submit(slots, sizes, ids, generated_us // 1000)
        self._newest_us = max(self._newest_us, int(generated_us.max()))
        if np.any(kinds == DENM):
            self._denm_last_us = max(self._denm_last_us, int(generated_us[kinds == DENM].max()))
        if measuring:
            self.metrics.add_transmissions(sizes, kinds)
        return len(slots)

    def _secured_payloads(self, slots: np.ndarray, payloads: list[bytes], kinds: np.ndarray,
                          tags: np.ndarray, generated_us: np.ndarray,
                          pick: np.ndarray) -> list[bytes]:
        """GeoNetworking secured payloads of the messages at indices ``pick``."""
        assert self.framing is not None
        senders = slots[pick]
        return self.framing.secured_payloads(
            senders, [payloads[i] for i in pick.tolist()], kinds[pick], tags[pick],
            generated_us[pick], self.xy[senders], self.speed_mps[senders],
            self.heading_deg[senders], self._roadside[senders])

    def dispatch(self, subframes: int, measuring: bool) -> None:
        """Start the radio on the next ``subframes`` milliseconds with the positions and
        packets given so far."""
        if not self._placed:
            self.place()
        self._placed = False
        n = self.plan.vehicles
        verifiers = int(np.count_nonzero(self.security.verifying[:n] & self.active[:n]))
        self.radio.start(subframes, self._cbr_sample() if measuring else None)
        dispatched_xy = (self.xy.copy() if self._newest_us - self._denm_last_us <= DENM_HORIZON_US
                         else None)
        self._pending.append((measuring, verifiers * subframes * 1000, dispatched_xy))

    def denms_possible(self) -> bool:
        """Whether the oldest dispatched step may deliver DENMs (a DENM went out within a
        second of it): only then must it be collected before the next step's relays."""
        return bool(self._pending) and self._pending[0][2] is not None

    def collect(self) -> StepOutcome:
        """Wait for the oldest dispatched step and tell which DENMs it delivered (the next
        step's positions and packets may already be given, even dispatched when no DENM is
        possible); ``measure`` records the rest."""
        if not self._pending:
            raise RuntimeError("collect() without dispatch()")
        if self._collected is not None:
            raise RuntimeError("collect() twice without measure()")
        measuring, verifier_us, dispatched_xy = self._pending.popleft()
        result, cbr = self.radio.result()
        rx = result.receptions
        self._collected = (result.transmissions, rx, cbr, measuring, verifier_us)
        outcome = StepOutcome(*_NO_DENMS)
        if dispatched_xy is not None:
            ring = rx.packet & (PACKET_RING - 1)
            denm = ((self._kind[ring] == DENM) & (rx.cause == RECEIVED)
                    & (rx.rx < self._first_extra))
            outcome.denm_receivers = rx.rx[denm]
            outcome.denm_tags = self._tag[ring[denm]]
            outcome.denm_received_us = (rx.subframe[denm] + 1) * 1000
            outcome.denm_xy = dispatched_xy[outcome.denm_receivers]
        return outcome

    def measure(self) -> None:
        """Record the collected step: RSU and vehicle verification, links, CBR. May come after
        the next step's packets are given (packet records outlive a step)."""
        if self._collected is None:
            raise RuntimeError("measure() without collect()")
        (tx, rx, cbr, measuring, verifier_us), self._collected = self._collected, None
        if self.capture is not None:
            self.capture.transmitted(tx.packet, tx.subframe)
            self.capture.forget_before(self._next_id - 100_000)
        # roles by slot range (vehicles, RSU receivers, RSU flows, event slots): comparisons
        # are cheaper than a role lookup per reception
        vehicles_only = self._first_event == self.vehicle_slots == self.plan.total
        if vehicles_only:
            v2v = i2v = slice(None)
        else:
            to_vehicle = rx.rx < self.vehicle_slots
            from_vehicle = (rx.tx < self.vehicle_slots) | (rx.tx >= self._first_event)
            # verifiers learn certificates in the warm-up too; figures count once measuring
            at_rsu = np.flatnonzero(from_vehicle & ~to_vehicle & (rx.rx < self._first_extra))
            if at_rsu.size:
                self._at_rsus(rx, at_rsu, measuring)
            v2v = np.flatnonzero(from_vehicle & to_vehicle)
            i2v = np.flatnonzero(~from_vehicle & to_vehicle)
        received = np.flatnonzero(rx.cause == RECEIVED)
        if self.security.verifying_share > 0:
            checking = received[self.security.verifying[rx.rx[received]]]
            if not vehicles_only:
                checking = checking[rx.rx[checking] < self.vehicle_slots]
            if checking.size:
                checked = self.security.verify_at_vehicles(
                    rx.rx[checking], rx.tx[checking],
                    self._carries[rx.packet[checking] & (PACKET_RING - 1)],
                    self._frames_of(rx.packet[checking]), (rx.subframe[checking] + 1) * 1000)
                if measuring:
                    self.metrics.add_vehicle_verifications(checked.verified, checked.latency_us)
        if measuring:
            self.metrics.add_links(rx.distance_m[v2v], rx.cause[v2v])
            heard = received if vehicles_only else v2v[rx.cause[v2v] == RECEIVED]
            self.metrics.add_latencies((rx.subframe[heard] + 1) * 1000 - self._generated_us[
                rx.packet[heard] & (PACKET_RING - 1)])
            if not vehicles_only and i2v.size:
                self.metrics.add_i2v(self._kind[rx.packet[i2v] & (PACKET_RING - 1)],
                                     rx.distance_m[i2v], rx.cause[i2v])
            self.metrics.add_cbr(cbr)
            self.metrics.verifier_us += verifier_us
        self._forget_old_frames()

    def close(self) -> None:
        """Stop the radio's process, if it has one."""
        self.radio.close()

    def _cbr_sample(self) -> np.ndarray:
        on_air = np.flatnonzero(self.active)
        if len(on_air) <= CBR_SAMPLES:
            return on_air
        return np.sort(self._cbr_rng.choice(on_air, CBR_SAMPLES, replace=False))

    def _frames_of(self, packets: np.ndarray) -> list[bytes] | None:
        """The signed bytes of ``packets`` (real security only)."""
        if self.security.mode != "real":
            return None
        return [self._frames.get(int(p), b"") for p in packets]

    def _at_rsus(self, rx, at_rsu: np.ndarray, measuring: bool) -> None:
        """RSUs verify what they received from vehicles (``at_rsu``: those receptions); CAMs
        feed coverage, gaps and age."""
        rsu = rx.rx[at_rsu] - self.vehicle_slots
        sender = rx.tx[at_rsu]
        packet = rx.packet[at_rsu]
        ring = packet & (PACKET_RING - 1)
        received_us = (rx.subframe[at_rsu] + 1) * 1000
        got = rx.cause[at_rsu] == RECEIVED
        carries = self._carries[ring] & got
        checked = self.security.verify_at_rsus(rsu[got], sender[got], carries[got],
                                               self._frames_of(packet[got]), received_us[got])
        if not measuring:
            return
        verified = np.zeros(len(rsu), dtype=bool)
        verified[got] = checked.verified
        np.add.at(self.metrics.rsu_busy_us, rsu[got], checked.latency_us)
        cam = self._kind[ring] == CAM
        xy = self._sender_xy[ring[cam]]
        self.metrics.add_rsu_receptions(rsu[cam], sender[cam], received_us[cam],
                                        xy[:, 0], xy[:, 1], got[cam], verified[cam])

    def vehicles_near_rsus(self, radius_m: float) -> list[np.ndarray]:
        """For each RSU, the slots of active vehicles within ``radius_m`` (for age sampling)."""
        vehicles = np.flatnonzero(self.active[:self.vehicle_slots])
        out = []
        for x, y in self.rsu_xy:
            d = np.hypot(self.xy[vehicles, 0] - x, self.xy[vehicles, 1] - y)
            out.append(vehicles[d <= radius_m])
        return out

    def _forget_old_frames(self) -> None:
        if self._frames and len(self._frames) > 200_000:
            horizon = self._next_id - 100_000
            self._frames = {k: v for k, v in self._frames.items() if k >= horizon}
