"""What the simulated stations put on air around each message: GeoNetworking and BTP-B.

ETSI EN 302 636-4-1 v1.4.1 and EN 302 636-5-1 (``v2x.messages.transport``): CAMs, SPATEMs,
MAPEMs and IVIMs go out in a single-hop broadcast (SHB; 44 octets of headers with BTP-B), DENMs
in a GeoBroadcast to their event's relevance circle (GBC; 60 octets), each to its message's
well-known BTP port. Every on-air size counts these headers (``header_bytes``); the octets
themselves are built only where needed: real security signs the "secured payload" (common +
extended header + BTP + message, EN 302 636-4-1 §9.3 / TS 103 097), and the capture writes whole
frames. Our choices where the standard leaves them to the station: traffic class DENM 0,
SPATEM/MAPEM/IVIM 1, CAM 2; packet lifetime 1 s (SHB) and 60 s (GBC, 10 hops); the GN address
MID is 02:00 and the 32-bit station id of the message's ItsPduHeader.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from v2x.messages.transport import (
    BASIC_HEADER_LENGTH,
    BTP_HEADER_LENGTH,
    COMMON_HEADER_LENGTH,
    BasicHeader,
    BasicNextHeader,
    BtpB,
    CommonHeader,
    GbcHeader,
    GnAddress,
    GnPacket,
    LongPositionVector,
    SecuredGnPacket,
    ShbHeader,
    port_of,
    traffic_class,
)
from v2x.sim.services.kinds import KINDS

DENM = KINDS.index("denm")
HEADER_BYTES = np.array([BASIC_HEADER_LENGTH + COMMON_HEADER_LENGTH + BTP_HEADER_LENGTH
                         + (GbcHeader.LENGTH if kind == "denm" else ShbHeader.LENGTH)
                         for kind in KINDS], dtype=np.int64)
"""On-air header octets per kind code: basic + common + extended header + BTP-B."""
_PORT = [port_of(f"etsi.{kind.upper()}") for kind in KINDS]
_TRAFFIC_CLASS = [traffic_class({"denm": 0, "cam": 2}.get(kind, 1)) for kind in KINDS]
PASSENGER_CAR, ROAD_SIDE_UNIT = 5, 15
"""ITS station types (TS 102 894-2) of the GN address."""

Area = tuple[float, float, float]
"""A GeoBroadcast circle: centre x, y and radius, metres (network coordinates)."""


def header_bytes(kinds: np.ndarray) -> np.ndarray:
    """The GeoNetworking + BTP octets each message of ``kinds`` (codes) carries."""
    return HEADER_BYTES[kinds]


def gn_address(payload: bytes, roadside: bool) -> GnAddress:
    """The sender's GN address, from the station id in the message's ItsPduHeader (octets
    2..5 of every ETSI message: two 8-bit fields, then the 32-bit station id)."""
    return GnAddress(b"\x02\x00" + payload[2:6],
                     ROAD_SIDE_UNIT if roadside else PASSENGER_CAR)


class Framing:
    """Builds the GeoNetworking packets of the run's messages.

    ``to_wgs84`` converts network metres to degrees, ``start_tai_us`` is simulated time 0 as
    TAI, ``area_of(tag)`` is the relevance circle of a DENM's event.
    """

    def __init__(self, to_wgs84: Callable, start_tai_us: int,
                 area_of: Callable[[int], Area]) -> None:
        self.to_wgs84 = to_wgs84
        self.start_tai_us = start_tai_us
        self.area_of = area_of
        self._sequence: dict[int, int] = {}

    def secured_payloads(self, slots: np.ndarray, payloads: list[bytes], kinds: np.ndarray,
                         tags: np.ndarray, generated_us: np.ndarray, xy: np.ndarray,
                         speed_mps: np.ndarray, heading_deg: np.ndarray,
                         roadside: np.ndarray) -> list[bytes]:
        """Common + extended header + BTP-B + message of each message (what an SPDU signs and
        an unsecured packet carries after its basic header), from the senders' state."""
        if not len(slots):
            return []
        lat, lon = self.to_wgs84(xy[:, 0], xy[:, 1])
        out = []
        for i, (slot, payload, kind) in enumerate(zip(slots.tolist(), payloads, kinds.tolist(),
                                                       strict=True)):
            source = LongPositionVector.from_si(
                gn_address(payload, bool(roadside[i])), latitude_deg=float(lat[i]),
                longitude_deg=float(lon[i]),
                tai_ms=(self.start_tai_us + int(generated_us[i])) // 1000 % (1 << 32),
                speed_mps=min(max(float(speed_mps[i]), 0.0), 163.0),
                heading_deg=float(heading_deg[i]) % 360.0)
            if kind == DENM:
                x, y, radius = self.area_of(int(tags[i]))
                centre_lat, centre_lon = self.to_wgs84(np.array([x]), np.array([y]))
                sequence = self._sequence[slot] = (self._sequence.get(slot, -1) + 1) % 65536
                extended: ShbHeader | GbcHeader = GbcHeader.from_si(
                    sequence, source, latitude_deg=float(centre_lat[0]),
                    longitude_deg=float(centre_lon[0]), distance_a_m=radius)
                hops = 10
            else:
                extended, hops = ShbHeader(source), 1
            packet = GnPacket(extended, BtpB(_PORT[kind]), payload,
                              CommonHeader(traffic_class=_TRAFFIC_CLASS[kind],
                                           mobile=not roadside[i], max_hop_limit=hops))
            out.append(packet.encode_secured_payload())
        return out

    @staticmethod
    def frame(kind: int, body: bytes, secured: bool) -> bytes:
        """The whole GeoNetworking packet: a basic header before ``body`` (a secured payload,
        or with ``secured`` the SPDU that signs one)."""
        basic = BasicHeader.from_si(lifetime_s=60.0 if kind == DENM else 1.0,
                                    remaining_hop_limit=10 if kind == DENM else 1,
                                    next_header=BasicNextHeader.SECURED if secured
                                    else BasicNextHeader.COMMON)
        if secured:
            return SecuredGnPacket(body, basic).encode()
        return basic.encode() + body
