"""The medium: the only glue between simulated time, the stations and the radio arrays.

Each traffic step it hands the radio the stations' positions and the packets generated during
the step (real encoded frames: their sizes, generation instants and senders), lets the LTE-V2X
model run the step's subframes, and turns what came back into measurements: vehicle-to-vehicle
links for PRR and latency, RSU receptions (coverage, load, gaps, verification), CBR samples.
Vehicles take the radio slots the CA service gives them; RSUs take the slots after them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from v2x.sim.metrics import RECEIVED, Metrics
from v2x.sim.radio.network import RadioConfig, SidelinkNetwork
from v2x.sim.securing import SecurityModel

PACKET_RING = 1 << 20
"""Packets are looked up by id for at most one reservation period; a ring this long suffices."""


@dataclass
class StepOutcome:
    """Counts of one step, for progress reporting."""

    sent: int
    links: int
    rsu_received: int


class Medium:
    """Radio channel shared by ``vehicle_slots`` vehicles and the RSUs at ``rsu_xy``."""

    def __init__(self, config: RadioConfig, vehicle_slots: int, rsu_xy: np.ndarray,
                 rsu_power_dbm: np.ndarray, rng, metrics: Metrics,
                 security: SecurityModel) -> None:
        self.vehicle_slots = vehicle_slots
        self.rsu_count = len(rsu_xy)
        self.network = SidelinkNetwork(config, vehicle_slots + self.rsu_count, rng=rng)
        self.network.tx_power_dbm[vehicle_slots:] = rsu_power_dbm
        self.rsu_xy = np.asarray(rsu_xy, dtype=float).reshape(-1, 2)
        self.metrics = metrics
        self.security = security
        self.xy = np.zeros((vehicle_slots + self.rsu_count, 2))
        self.xy[vehicle_slots:] = self.rsu_xy
        self.active = np.zeros(vehicle_slots + self.rsu_count, dtype=bool)
        self.active[vehicle_slots:] = True
        self._next_id = 0
        self._generated_us = np.zeros(PACKET_RING, dtype=np.int64)
        self._sender_xy = np.zeros((PACKET_RING, 2))
        self._carries = np.zeros(PACKET_RING, dtype=bool)
        self._frames: dict[int, bytes] = {}

    def positions(self, slots: np.ndarray, x_m: np.ndarray, y_m: np.ndarray) -> None:
        """The vehicles now on the road (all others are inactive)."""
        self.active[:self.vehicle_slots] = False
        self.active[slots] = True
        self.xy[slots, 0] = x_m
        self.xy[slots, 1] = y_m
        self.network.set_positions(self.xy, self.active)

    def new_vehicles(self, slots: np.ndarray) -> None:
        """Slots taken over by another vehicle: its radio and security state start afresh."""
        if len(slots):
            self.network.reset_vehicles(slots)
            self.security.new_vehicles(slots)

    def send(self, slots: np.ndarray, generated_us: np.ndarray, payloads: list[bytes]) -> int:
        """Queue CAMs for transmission; returns how many."""
        if not len(slots):
            return 0
        frames, sizes, carries = self.security.secure(slots, payloads, generated_us)
        ids = self._next_id + np.arange(len(slots))
        self._next_id += len(slots)
        ring = ids % PACKET_RING
        self._generated_us[ring] = generated_us
        self._sender_xy[ring] = self.xy[slots]
        self._carries[ring] = carries
        if self.security.mode == "real":
            self._frames.update(zip(ids.tolist(), frames, strict=True))
        self.network.submit(slots, sizes, ids, subframe=generated_us // 1000)
        self.metrics.add_transmissions(sizes)
        return len(slots)

    def advance(self, subframes: int, measuring: bool) -> StepOutcome:
        """Run the radio for ``subframes`` milliseconds and record what happened."""
        result = self.network.advance(subframes)
        rx = result.receptions
        if not measuring:
            self._forget_old_frames()
            return StepOutcome(len(result.transmissions), len(rx), 0)
        from_vehicle = rx.tx < self.vehicle_slots
        to_vehicle = rx.rx < self.vehicle_slots
        ring = rx.packet % PACKET_RING
        received_us = (rx.subframe + 1) * 1000
        v2v = from_vehicle & to_vehicle
        self.metrics.add_links(rx.distance_m[v2v], rx.cause[v2v],
                               received_us[v2v] - self._generated_us[ring[v2v]])
        at_rsu = from_vehicle & ~to_vehicle
        rsu_received = 0
        if at_rsu.any():
            rsu = rx.rx[at_rsu] - self.vehicle_slots
            sender = rx.tx[at_rsu]
            got = rx.cause[at_rsu] == RECEIVED
            carries = self._carries[ring[at_rsu]] & got
            frames = None
            if self.security.mode == "real":
                frames = [self._frames.get(int(p), b"") for p in rx.packet[at_rsu][got]]
            checked = self.security.verify_at_rsus(rsu[got], sender[got], carries[got], frames,
                                                   received_us[at_rsu][got])
            verified = np.zeros(len(rsu), dtype=bool)
            verified[got] = checked.verified
            np.add.at(self.metrics.rsu_busy_us, rsu[got], checked.latency_us)
            xy = self._sender_xy[ring[at_rsu]]
            self.metrics.add_rsu_receptions(rsu, sender, received_us[at_rsu], xy[:, 0], xy[:, 1],
                                            got, verified)
            rsu_received = int(got.sum())
        self.metrics.add_cbr(self.network.cbr(np.flatnonzero(self.active)))
        self._forget_old_frames()
        return StepOutcome(len(result.transmissions), len(rx), rsu_received)

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
