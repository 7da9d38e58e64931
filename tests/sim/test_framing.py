"""GeoNetworking framing of the simulated messages: the header octets counted on air are the
octets built."""

from __future__ import annotations

import numpy as np

from v2x.messages.transport import GbcHeader, GnPacket, ShbHeader, decode_packet
from v2x.sim.framing import HEADER_BYTES, Framing, header_bytes
from v2x.sim.services.kinds import KIND_CODE


def degrees(x, y):
    return 48.0 + np.asarray(y) / 111_000.0, 11.0 + np.asarray(x) / 74_000.0


def test_counted_header_octets_are_the_built_ones():
    framing = Framing(degrees, 600_000_000_000_000, lambda tag: (100.0, 0.0, 800.0))
    payload = bytes([2, 2, 1, 2, 3, 4]) + bytes(40)   # an ItsPduHeader, station 0x01020304
    kinds = np.array([KIND_CODE["cam"], KIND_CODE["denm"]])
    bodies = framing.secured_payloads(np.array([3, 3]), [payload, payload], kinds,
                                      np.array([-1, 0]), np.array([1000, 2000]),
                                      np.array([[10.0, 20.0], [10.0, 20.0]]),
                                      np.array([12.5, 12.5]), np.array([359.96, 90.0]),
                                      np.array([False, False]))
    for kind, body in zip(kinds.tolist(), bodies, strict=True):
        frame = Framing.frame(kind, body, secured=False)
        assert len(frame) == len(payload) + HEADER_BYTES[kind]
        packet = decode_packet(frame)
        assert isinstance(packet, GnPacket) and packet.payload == payload
        assert packet.source.address.mid == b"\x02\x00" + payload[2:6]
        assert packet.source.speed_mps == 12.5
    shb, gbc = (decode_packet(Framing.frame(k, b, False)) for k, b in zip(kinds.tolist(), bodies,
                                                                            strict=True))
    assert isinstance(shb.extended, ShbHeader) and shb.transport.destination_port == 2001
    assert isinstance(gbc.extended, GbcHeader) and gbc.transport.destination_port == 2002
    assert gbc.extended.distance_a == 800 and gbc.common.max_hop_limit == 10
    assert shb.source.heading_deg == 360.0 and gbc.source.heading_deg == 90.0
    assert header_bytes(kinds).tolist() == [44, 60]
