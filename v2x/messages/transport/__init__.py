"""Transport framing of v2x.messages: ETSI GeoNetworking (EN 302 636-4-1) and BTP (EN 302 636-5-1).

    packet = GnPacket(ShbHeader(position), BtpB.for_message("etsi.CAM"), cam_bytes,
                      CommonHeader(traffic_class=traffic_class(2), mobile=True))
    assert decode_packet(packet.encode()) == packet
"""

from __future__ import annotations

from v2x.messages.transport.btp import (
    BTP_HEADER_LENGTH,
    BtpA,
    BtpB,
    message_for_port,
    port_of,
)
from v2x.messages.transport.geonet import (
    BASIC_HEADER_LENGTH,
    COMMON_HEADER_LENGTH,
    GN_PROTOCOL_VERSION,
    LONG_POSITION_VECTOR_LENGTH,
    AreaShape,
    BasicHeader,
    BasicNextHeader,
    BeaconHeader,
    CommonHeader,
    CommonNextHeader,
    ExtendedHeader,
    GbcHeader,
    GnAddress,
    GnPacket,
    HeaderType,
    LifetimeBase,
    LongPositionVector,
    SecuredGnPacket,
    ShbHeader,
    TsbHeader,
    decode_packet,
    lifetime_code,
    traffic_class,
)

__all__ = [
    "BASIC_HEADER_LENGTH",
    "BTP_HEADER_LENGTH",
    "COMMON_HEADER_LENGTH",
    "GN_PROTOCOL_VERSION",
    "LONG_POSITION_VECTOR_LENGTH",
    "AreaShape",
    "BasicHeader",
    "BasicNextHeader",
    "BeaconHeader",
    "BtpA",
    "BtpB",
    "CommonHeader",
    "CommonNextHeader",
    "ExtendedHeader",
    "GbcHeader",
    "GnAddress",
    "GnPacket",
    "HeaderType",
    "LifetimeBase",
    "LongPositionVector",
    "SecuredGnPacket",
    "ShbHeader",
    "TsbHeader",
    "decode_packet",
    "lifetime_code",
    "message_for_port",
    "port_of",
    "traffic_class",
]
