"""A pcap of sampled traffic: what a sniffer beside the road would record, for Wireshark.

Every message of the RSUs and every DENM is captured, and the messages of a share of the
vehicles (drawn when a vehicle takes its slot, like the verifying vehicles). A frame is kept
when its message is queued and recorded when the radio transmits it, stamped with the
transmission's subframe; messages that never went on air are not in the file. Frames are
Ethernet II / GeoNetworking (``v2x.messages.pcap``); with real security they carry the SPDU
that was signed, otherwise the unsecured packet (whose on-air size in the figures still counts
the modelled security overhead).
"""

from __future__ import annotations

import numpy as np

from v2x.messages.pcap import PcapRecord, geonet_ethernet_frame


class PacketCapture:
    """Frames of the sampled senders of ``n_slots`` radio slots (the first ``vehicles`` are
    vehicles; all others are captured); at most ``max_frames`` are kept.

    ``start_unix_us`` is simulated time 0 as a Unix time in microseconds (the pcap clock).
    """

    def __init__(self, n_slots: int, vehicles: int, vehicle_share: float, max_frames: int,
                 rng: np.random.Generator, start_unix_us: int) -> None:
        self.vehicle_share = vehicle_share
        self.max_frames = max_frames
        self.rng = rng
        self.start_unix_us = start_unix_us
        self.chosen = np.ones(n_slots, dtype=bool)
        self.chosen[:vehicles] = False
        self.records: list[PcapRecord] = []
        self.left_out = 0
        """Transmissions of sampled senders not kept once ``max_frames`` were."""
        self._waiting: dict[int, bytes] = {}

    def new_vehicles(self, slots: np.ndarray) -> None:
        """Slots taken by new vehicles: draw which of them are captured."""
        self.chosen[slots] = self.rng.random(len(slots)) < self.vehicle_share

    def select(self, slots: np.ndarray, denm: np.ndarray) -> np.ndarray:
        """Indices of the messages (by sender slot, and whether each is a DENM) to capture."""
        return np.flatnonzero(self.chosen[slots] | denm)

    def keep(self, packet_ids: list[int], frames: list[bytes], sources: list[bytes]) -> None:
        """Queued messages to record when they go on air: their GeoNetworking packets and the
        6-octet MAC of their senders."""
        for packet, frame, source in zip(packet_ids, frames, sources, strict=True):
            self._waiting[packet] = geonet_ethernet_frame(frame, source_mac=source)

    def transmitted(self, packets: np.ndarray, subframes: np.ndarray) -> None:
        """Transmissions of a radio step: the kept ones become pcap records."""
        if not self._waiting:
            return
        for packet, subframe in zip(packets.tolist(), subframes.tolist(), strict=True):
            frame = self._waiting.pop(packet, None)
            if frame is None:
                continue
            if len(self.records) >= self.max_frames:
                self.left_out += 1
                continue
            self.records.append(PcapRecord(self.start_unix_us + subframe * 1000, frame))

    def forget_before(self, packet_id: int) -> None:
        """Drop kept messages older than ``packet_id`` (they expired without going on air)."""
        if len(self._waiting) > 4096:
            self._waiting = {k: v for k, v in self._waiting.items() if k >= packet_id}
