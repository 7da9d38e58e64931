"""GeoNetworking packet headers: ETSI EN 302 636-4-1 V1.4.1 (2020-01), plain struct packing.

Implemented clauses: 6.3 GN_ADDR, 9.5.2 long position vector, 9.6 basic header, 9.7 common
header, 9.8.3 multi-hop TSB, 9.8.4 single-hop SHB (its 4 media-dependent octets read as the
ITS-G5 DCC-MCO fields of ETSI TS 102 636-4-2), 9.8.5 GeoBroadcast / GeoAnycast, 9.8.6 beacon.
GeoUnicast and the location service are recognised and refused.

A packet is ``basic header | common header | extended header | BTP | payload`` with NH = common
header, or ``basic header | IEEE 1609.2 / TS 103 097 SPDU`` with NH = secured packet, where the
SPDU's (signed) payload holds ``common | extended | BTP | payload``. ``GnPacket`` encodes and
decodes both the whole unsecured packet and that inner "secured payload"; ``SecuredGnPacket`` is
the outer form whose SPDU the caller checks with ``v2x.security`` (a higher layer).

Every multi-octet field is big-endian. Header classes have ``encode() -> bytes`` and
``decode(data) -> (header, rest)``; packets decode the whole input. Encoding checks each field's
range and raises ``EncodeError``; decoding raises ``FramingError`` for truncated, trailing or
unknown content. Both name the field path (``GeoNetworking.common.payload_length``). Reserved
fields are kept as received, so decode -> encode gives back the same octets (a signature covers
them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Self

from v2x.errors import EncodeError, FramingError
from v2x.messages.transport.btp import BTP_HEADER_LENGTH, BtpA, BtpB

__all__ = [
    "BASIC_HEADER_LENGTH",
    "COMMON_HEADER_LENGTH",
    "GN_PROTOCOL_VERSION",
    "LONG_POSITION_VECTOR_LENGTH",
    "AreaShape",
    "BasicHeader",
    "BasicNextHeader",
    "BeaconHeader",
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
    "traffic_class",
]

GN_PROTOCOL_VERSION = 1
"""itsGnProtocolVersion of EN 302 636-4-1 V1.3.1 and later; other versions are refused."""

BASIC_HEADER_LENGTH = 4
COMMON_HEADER_LENGTH = 8
LONG_POSITION_VECTOR_LENGTH = 24

_ROOT = "GeoNetworking"
_BASIC = f"{_ROOT}.basic"
_COMMON = f"{_ROOT}.common"
_EXTENDED = f"{_ROOT}.extended"
_SOURCE = f"{_EXTENDED}.source"


class BasicNextHeader(IntEnum):
    """Basic header NH: what follows the basic header."""

    ANY = 0
    COMMON = 1
    SECURED = 2


class CommonNextHeader(IntEnum):
    """Common header NH: what follows the GeoNetworking headers."""

    ANY = 0
    BTP_A = 1
    BTP_B = 2
    IPV6 = 3


class HeaderType(IntEnum):
    """Common header HT; the subtype HST is interpreted per type."""

    ANY = 0
    BEACON = 1
    GEOUNICAST = 2
    GEOANYCAST = 3
    GEOBROADCAST = 4
    TSB = 5
    LS = 6


class AreaShape(IntEnum):
    """HST of GeoBroadcast and GeoAnycast: the shape of the destination area."""

    CIRCLE = 0
    RECTANGLE = 1
    ELLIPSE = 2


class LifetimeBase(IntEnum):
    """Basic header LT base: the unit of the lifetime multiplier."""

    MS_50 = 0
    S_1 = 1
    S_10 = 2
    S_100 = 3


_LIFETIME_UNIT_S = (0.05, 1.0, 10.0, 100.0)
_TSB_SUBTYPES = {0: "single-hop broadcast", 1: "multi-hop"}
_REFUSED_TYPES = {
    HeaderType.ANY: "HT 0 (any)",
    HeaderType.GEOUNICAST: "GeoUnicast",
    HeaderType.LS: "location service",
}


# ----------------------------------------------------------------------------- field helpers


def _integer(value: object, low: int, high: int, path: str,
             error: type[EncodeError] | type[FramingError] = EncodeError) -> int:
    """``value`` if it is an int within low..high; otherwise ``error`` naming ``path``."""
    if not isinstance(value, numbers.Integral):
        raise error(f"expected an integer, got {value!r}", path)
    if not low <= value <= high:
        raise error(f"{value} is outside {low}..{high}", path)
    return int(value)


def _unsigned(value: object, bits: int, path: str) -> int:
    return _integer(value, 0, (1 << bits) - 1, path)


def _flag(value: object, path: str) -> int:
    return _integer(value, 0, 1, path)


def _octets(value: object, size: int | None, path: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise EncodeError(f"expected bytes, got {type(value).__name__}", path)
    data = bytes(value)
    if size is not None and len(data) != size:
        raise EncodeError(f"expected {size} octets, got {len(data)}", path)
    return data


def _real(value: object, low: float, high: float, path: str) -> float:
    """A finite real number within low..high (an SI input of a facade)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise EncodeError(f"expected a number, got {value!r}", path)
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise EncodeError(f"{value} is outside {low:g}..{high:g}", path)
    return number


def _round(value: float) -> int:
    """Nearest integer, halves away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


class _Reader:
    """Consumes ``data`` field by field; running short raises FramingError at the field path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise FramingError(f"expected bytes, got {type(data).__name__}", path)
        self.data = bytes(data)
        self.pos = 0

    def take(self, size: int, path: str) -> bytes:
        left = len(self.data) - self.pos
        if size > left:
            raise FramingError(f"truncated: {size} octets needed, {left} left", path)
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, layout: struct.Struct, path: str) -> tuple[int, ...]:
        return layout.unpack(self.take(layout.size, path))

    def rest(self) -> bytes:
        chunk = self.data[self.pos:]
        self.pos = len(self.data)
        return chunk


# ----------------------------------------------------------------------------- basic header

_BASIC_LAYOUT = struct.Struct(">BBBB")


def lifetime_code(lifetime_s: float) -> tuple[int, LifetimeBase]:
    """(multiplier, base) of the LT field nearest to ``lifetime_s`` (0..6300 s).

    The finest base whose multiplier fits in 6 bits is used, so the code is as exact as the field
    allows (60 s -> (60, S_1)).
    """
    seconds = _real(lifetime_s, 0.0, 63 * 100.0, "BasicHeader.lifetime_s")
    for base, unit in zip(LifetimeBase, _LIFETIME_UNIT_S, strict=True):
        multiplier = _round(seconds / unit)
        if multiplier <= 63:
            return multiplier, base
    raise AssertionError("unreachable: 6300 s fits base 100 s")  # pragma: no cover


@dataclass(frozen=True)
class BasicHeader:
    """Basic header (9.6), 4 octets: version, NH, lifetime and remaining hop limit.

    The default lifetime is itsGnDefaultPacketLifetime, 60 s (multiplier 6, base 10 s).
    """

    next_header: int = BasicNextHeader.COMMON
    lifetime_multiplier: int = 6
    lifetime_base: int = LifetimeBase.S_10
    remaining_hop_limit: int = 1
    reserved: int = 0

    @classmethod
    def from_si(cls, *, lifetime_s: float = 60.0, remaining_hop_limit: int = 1,
                next_header: int = BasicNextHeader.COMMON) -> Self:
        """A basic header whose lifetime is ``lifetime_s`` seconds, rounded to the LT field."""
        multiplier, base = lifetime_code(lifetime_s)
        return cls(next_header, multiplier, base, remaining_hop_limit)

    @property
    def lifetime_s(self) -> float:
        """Packet lifetime in seconds."""
        return self.lifetime_multiplier * _LIFETIME_UNIT_S[self.lifetime_base & 3]

    def encode(self) -> bytes:
        """The 4 octets of this header."""
        next_header = _unsigned(self.next_header, 4, f"{_BASIC}.next_header")
        multiplier = _unsigned(self.lifetime_multiplier, 6, f"{_BASIC}.lifetime_multiplier")
        base = _unsigned(self.lifetime_base, 2, f"{_BASIC}.lifetime_base")
        return _BASIC_LAYOUT.pack(
            GN_PROTOCOL_VERSION << 4 | next_header,
            _unsigned(self.reserved, 8, f"{_BASIC}.reserved"),
            multiplier << 2 | base,
            _unsigned(self.remaining_hop_limit, 8, f"{_BASIC}.remaining_hop_limit"))

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the octets after it); FramingError for another version or an unknown NH."""
        reader = _Reader(data, _BASIC)
        return cls._read(reader), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader) -> Self:
        first, reserved, lifetime, hops = reader.unpack(_BASIC_LAYOUT, _BASIC)
        if first >> 4 != GN_PROTOCOL_VERSION:
            raise FramingError(f"version {first >> 4}, expected {GN_PROTOCOL_VERSION}",
                               f"{_BASIC}.version")
        next_header = first & 0x0F
        if next_header not in BasicNextHeader._value2member_map_:
            raise FramingError(f"unknown next header {next_header}", f"{_BASIC}.next_header")
        return cls(BasicNextHeader(next_header), lifetime >> 2, LifetimeBase(lifetime & 3), hops,
                   reserved)


# ----------------------------------------------------------------------------- common header

_COMMON_LAYOUT = struct.Struct(">BBBBHBB")


def traffic_class(tc_id: int, *, store_carry_forward: bool = False,
                  channel_offload: bool = False) -> int:
    """The common header TC octet: SCF bit, channel offload bit, 6-bit traffic class ID."""
    path = f"{_COMMON}.traffic_class"
    return (_flag(store_carry_forward, f"{path}.store_carry_forward") << 7
            | _flag(channel_offload, f"{path}.channel_offload") << 6
            | _unsigned(tc_id, 6, f"{path}.tc_id"))


@dataclass(frozen=True)
class CommonHeader:
    """Common header (9.7), 8 octets.

    Inside a ``GnPacket``, ``next_header`` (when a BTP header is present), ``header_type``,
    ``header_subtype`` and ``payload_length`` are derived from the packet's parts; the values
    given here for them are replaced.
    """

    next_header: int = CommonNextHeader.ANY
    header_type: int = HeaderType.ANY
    header_subtype: int = 0
    traffic_class: int = 0
    """The raw TC octet; build it with ``traffic_class()``."""
    mobile: bool = False
    """Flags bit 7: the station is mobile."""
    payload_length: int = 0
    """Octets after the GeoNetworking headers (BTP header + payload)."""
    max_hop_limit: int = 1
    reserved_nibble: int = 0
    """The 4 reserved bits after NH."""
    flags_reserved: int = 0
    """The 7 reserved bits of Flags."""
    reserved: int = 0
    """The last, reserved octet."""

    @property
    def store_carry_forward(self) -> bool:
        return bool(self.traffic_class >> 7 & 1)

    @property
    def channel_offload(self) -> bool:
        return bool(self.traffic_class >> 6 & 1)

    @property
    def tc_id(self) -> int:
        return self.traffic_class & 0x3F

    def encode(self) -> bytes:
        """The 8 octets of this header, fields as given."""
        p = _COMMON
        return _COMMON_LAYOUT.pack(
            _unsigned(self.next_header, 4, f"{p}.next_header") << 4
            | _unsigned(self.reserved_nibble, 4, f"{p}.reserved_nibble"),
            _unsigned(self.header_type, 4, f"{p}.header_type") << 4
            | _unsigned(self.header_subtype, 4, f"{p}.header_subtype"),
            _unsigned(self.traffic_class, 8, f"{p}.traffic_class"),
            _flag(self.mobile, f"{p}.mobile") << 7
            | _unsigned(self.flags_reserved, 7, f"{p}.flags_reserved"),
            _unsigned(self.payload_length, 16, f"{p}.payload_length"),
            _unsigned(self.max_hop_limit, 8, f"{p}.max_hop_limit"),
            _unsigned(self.reserved, 8, f"{p}.reserved"))

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the octets after it); FramingError for an unknown NH or HT/HST."""
        reader = _Reader(data, _COMMON)
        return cls._read(reader), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader) -> Self:
        first, types, tc, flags, length, mhl, reserved = reader.unpack(_COMMON_LAYOUT, _COMMON)
        next_header, header_type, subtype = first >> 4, types >> 4, types & 0x0F
        if next_header not in CommonNextHeader._value2member_map_:
            raise FramingError(f"unknown next header {next_header}", f"{_COMMON}.next_header")
        if header_type not in HeaderType._value2member_map_:
            raise FramingError(f"unknown header type {header_type}", f"{_COMMON}.header_type")
        return cls(CommonNextHeader(next_header), HeaderType(header_type), subtype, tc,
                   bool(flags >> 7), length, mhl, first & 0x0F, flags & 0x7F, reserved)


# ----------------------------------------------------------------------------- position vector

_LPV_LAYOUT = struct.Struct(">QIiiHH")
_MID_MASK = (1 << 48) - 1
_LATITUDE = 900_000_000
_LONGITUDE = 1_800_000_000
_SPEED_MIN, _SPEED_MAX = -(1 << 14), (1 << 14) - 1
_HEADING_MAX = 3600


@dataclass(frozen=True)
class GnAddress:
    """GN_ADDR (6.3), 8 octets: manual bit, ITS-S station type, 10 reserved bits, 48-bit MID."""

    mid: bytes
    """6 octets, usually the station's link-layer (MAC) address."""
    station_type: int = 0
    """ITS-S station type, 5 bits (5 = passenger car, 15 = road-side unit)."""
    manual: bool = False
    reserved: int = 0
    """10 bits (an ITS-S country code in releases before V1.3.1)."""

    @classmethod
    def from_mac(cls, mac: str, station_type: int = 0, *, manual: bool = False) -> Self:
        """An address whose MID is ``mac`` written as ``fe:38:4c:e0:b8:90``."""
        try:
            mid = bytes.fromhex(mac.replace(":", "").replace("-", ""))
        except (AttributeError, ValueError):
            raise EncodeError(f"not a MAC address: {mac!r}", "GnAddress.mid") from None
        return cls(_octets(mid, 6, "GnAddress.mid"), station_type, manual)

    @property
    def mac(self) -> str:
        """The MID as ``fe:38:4c:e0:b8:90``."""
        return bytes(self.mid).hex(":")

    def _value(self, path: str) -> int:
        return (_flag(self.manual, f"{path}.manual") << 63
                | _unsigned(self.station_type, 5, f"{path}.station_type") << 58
                | _unsigned(self.reserved, 10, f"{path}.reserved") << 48
                | int.from_bytes(_octets(self.mid, 6, f"{path}.mid"), "big"))

    def encode(self) -> bytes:
        """The 8 octets of this address."""
        return self._value(f"{_SOURCE}.address").to_bytes(8, "big")

    @classmethod
    def _from_value(cls, value: int) -> Self:
        return cls((value & _MID_MASK).to_bytes(6, "big"), value >> 58 & 0x1F,
                   bool(value >> 63), value >> 48 & 0x3FF)


@dataclass(frozen=True)
class LongPositionVector:
    """Long position vector (9.5.2), 24 octets, in wire units.

    ``timestamp``: TAI milliseconds since 2004-01-01 modulo 2^32; ``latitude``/``longitude``:
    1/10 micro-degree; ``speed``: 0.01 m/s, signed 15 bits; ``heading``: 0.1 degree from north,
    0..3600; ``accurate``: the position accuracy indicator (PAI).
    Build it from SI units with ``from_si``.
    """

    address: GnAddress
    timestamp: int
    latitude: int
    longitude: int
    speed: int = 0
    heading: int = 0
    accurate: bool = True

    @classmethod
    def from_si(cls, address: GnAddress, *, latitude_deg: float, longitude_deg: float,
                tai_ms: int, speed_mps: float = 0.0, heading_deg: float = 0.0,
                accurate: bool = True) -> Self:
        """A position vector from degrees, m/s and TAI ms, rounded to the wire units.

        EncodeError (path ``LongPositionVector.<argument>``) for a latitude beyond ±90°, a
        longitude beyond ±180°, a speed beyond ±163.83 m/s, a heading outside 0..360° or a
        negative time; ``tai_ms`` is taken modulo 2^32 as the field requires.
        """
        path = "LongPositionVector"
        latitude = _round(_real(latitude_deg, -90.0, 90.0, f"{path}.latitude_deg") * 1e7)
        longitude = _round(_real(longitude_deg, -180.0, 180.0, f"{path}.longitude_deg") * 1e7)
        speed = _round(_real(speed_mps, -1e9, 1e9, f"{path}.speed_mps") * 100)
        if not _SPEED_MIN <= speed <= _SPEED_MAX:
            raise EncodeError(
                f"{speed_mps} m/s is outside {_SPEED_MIN / 100}..{_SPEED_MAX / 100} m/s",
                f"{path}.speed_mps")
        heading = _round(_real(heading_deg, 0.0, 360.0, f"{path}.heading_deg") * 10)
        timestamp = _integer(tai_ms, 0, 2**63, f"{path}.tai_ms") % (1 << 32)
        return cls(address, timestamp, latitude, longitude, speed, heading, bool(accurate))

    @property
    def latitude_deg(self) -> float:
        return self.latitude / 1e7

    @property
    def longitude_deg(self) -> float:
        return self.longitude / 1e7

    @property
    def speed_mps(self) -> float:
        return self.speed / 100

    @property
    def heading_deg(self) -> float:
        return self.heading / 10

    def encode(self) -> bytes:
        """The 24 octets of this position vector."""
        return self._pack(_SOURCE)

    def _pack(self, path: str) -> bytes:
        if not isinstance(self.address, GnAddress):
            raise EncodeError("expected a GnAddress", f"{path}.address")
        return _LPV_LAYOUT.pack(
            self.address._value(f"{path}.address"),
            _unsigned(self.timestamp, 32, f"{path}.timestamp"),
            _integer(self.latitude, -_LATITUDE, _LATITUDE, f"{path}.latitude"),
            _integer(self.longitude, -_LONGITUDE, _LONGITUDE, f"{path}.longitude"),
            _flag(self.accurate, f"{path}.accurate") << 15
            | _integer(self.speed, _SPEED_MIN, _SPEED_MAX, f"{path}.speed") & 0x7FFF,
            _integer(self.heading, 0, _HEADING_MAX, f"{path}.heading"))

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(position vector, the octets after it); FramingError for out-of-range values."""
        reader = _Reader(data, _SOURCE)
        return cls._read(reader, _SOURCE), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader, path: str) -> Self:
        address, timestamp, latitude, longitude, pai_speed, heading = reader.unpack(
            _LPV_LAYOUT, path)
        _integer(latitude, -_LATITUDE, _LATITUDE, f"{path}.latitude", FramingError)
        _integer(longitude, -_LONGITUDE, _LONGITUDE, f"{path}.longitude", FramingError)
        _integer(heading, 0, _HEADING_MAX, f"{path}.heading", FramingError)
        speed = pai_speed & 0x7FFF
        if speed & 0x4000:
            speed -= 0x8000
        return cls(GnAddress._from_value(address), timestamp, latitude, longitude, speed,
                   heading, bool(pai_speed >> 15))


# ----------------------------------------------------------------------------- extended headers

_SN_LAYOUT = struct.Struct(">HH")
_MEDIA_LAYOUT = struct.Struct(">BBBB")
_AREA_LAYOUT = struct.Struct(">iiHHHH")


@dataclass(frozen=True)
class ShbHeader:
    """Single-hop broadcast extended header (9.8.4), 28 octets: source LPV + media-dependent data.

    The 4 media-dependent octets are read as the ITS-G5 DCC-MCO fields (TS 102 636-4-2): local
    CBR and maximum neighbouring CBR (CBR x 255), output power (dBm, 5 bits), then 11 reserved
    bits; all 32 bits are kept, so other media's content survives decode -> encode.
    """

    source: LongPositionVector
    local_cbr: int = 0
    max_neighbour_cbr: int = 0
    output_power_dbm: int = 0
    reserved: int = 0
    """11 bits: the 3 after the output power, then the last octet."""

    LENGTH: ClassVar[int] = 28

    @classmethod
    def with_media_dependent(cls, source: LongPositionVector, media: bytes) -> Self:
        """A header whose 4 media-dependent octets are ``media``."""
        local, neighbours, power, last = _MEDIA_LAYOUT.unpack(
            _octets(media, 4, f"{_EXTENDED}.media_dependent"))
        return cls(source, local, neighbours, power >> 3, (power & 7) << 8 | last)

    @property
    def media_dependent(self) -> bytes:
        """The 4 media-dependent octets."""
        return self._media(_EXTENDED)

    @property
    def packet_type(self) -> tuple[int, int]:
        """(HT, HST) of a packet with this extended header."""
        return HeaderType.TSB, 0

    def encode(self) -> bytes:
        """The 28 octets of this header."""
        return self._pack(_EXTENDED)

    def _pack(self, path: str) -> bytes:
        return _source(self.source, path) + self._media(path)

    def _media(self, path: str) -> bytes:
        reserved = _unsigned(self.reserved, 11, f"{path}.reserved")
        return _MEDIA_LAYOUT.pack(
            _unsigned(self.local_cbr, 8, f"{path}.local_cbr"),
            _unsigned(self.max_neighbour_cbr, 8, f"{path}.max_neighbour_cbr"),
            _unsigned(self.output_power_dbm, 5, f"{path}.output_power_dbm") << 3 | reserved >> 8,
            reserved & 0xFF)

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the octets after it)."""
        reader = _Reader(data, _EXTENDED)
        return cls._read(reader, _EXTENDED), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader, path: str) -> Self:
        source = LongPositionVector._read(reader, f"{path}.source")
        media = reader.take(4, f"{path}.media_dependent")
        return cls.with_media_dependent(source, media)


@dataclass(frozen=True)
class TsbHeader:
    """Multi-hop topologically-scoped broadcast extended header (9.8.3), 28 octets."""

    sequence_number: int
    source: LongPositionVector
    reserved: int = 0

    LENGTH: ClassVar[int] = 28

    @property
    def packet_type(self) -> tuple[int, int]:
        return HeaderType.TSB, 1

    def encode(self) -> bytes:
        """The 28 octets of this header."""
        return self._pack(_EXTENDED)

    def _pack(self, path: str) -> bytes:
        return _SN_LAYOUT.pack(
            _unsigned(self.sequence_number, 16, f"{path}.sequence_number"),
            _unsigned(self.reserved, 16, f"{path}.reserved")) + _source(self.source, path)

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the octets after it)."""
        reader = _Reader(data, _EXTENDED)
        return cls._read(reader, _EXTENDED), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader, path: str) -> Self:
        sequence_number, reserved = reader.unpack(_SN_LAYOUT, path)
        return cls(sequence_number, LongPositionVector._read(reader, f"{path}.source"), reserved)


@dataclass(frozen=True)
class GbcHeader:
    """GeoBroadcast / GeoAnycast extended header (9.8.5), 44 octets.

    The destination area: centre ``latitude``/``longitude`` (1/10 micro-degree), ``distance_a``
    and ``distance_b`` (m), ``angle`` (degrees clockwise from north) and ``shape`` (the HST).
    ``anycast`` selects HT GeoAnycast instead of GeoBroadcast (same layout).
    """

    sequence_number: int
    source: LongPositionVector
    latitude: int
    longitude: int
    distance_a: int
    distance_b: int = 0
    angle: int = 0
    shape: int = AreaShape.CIRCLE
    anycast: bool = False
    reserved: int = 0
    """The 16 reserved bits after the sequence number."""
    reserved_area: int = 0
    """The 16 reserved bits after the angle."""

    LENGTH: ClassVar[int] = 44

    @classmethod
    def from_si(cls, sequence_number: int, source: LongPositionVector, *,
                latitude_deg: float, longitude_deg: float, distance_a_m: float,
                distance_b_m: float = 0.0, angle_deg: float = 0.0,
                shape: int = AreaShape.CIRCLE, anycast: bool = False) -> Self:
        """A header whose area is given in degrees and metres, rounded to the wire units."""
        path = "GbcHeader"
        return cls(
            sequence_number, source,
            _round(_real(latitude_deg, -90.0, 90.0, f"{path}.latitude_deg") * 1e7),
            _round(_real(longitude_deg, -180.0, 180.0, f"{path}.longitude_deg") * 1e7),
            _round(_real(distance_a_m, 0.0, 65535.0, f"{path}.distance_a_m")),
            _round(_real(distance_b_m, 0.0, 65535.0, f"{path}.distance_b_m")),
            _round(_real(angle_deg, 0.0, 360.0, f"{path}.angle_deg")),
            shape, anycast)

    @property
    def packet_type(self) -> tuple[int, int]:
        return (HeaderType.GEOANYCAST if self.anycast else HeaderType.GEOBROADCAST,
                _integer(self.shape, 0, 2, f"{_EXTENDED}.shape"))

    def encode(self) -> bytes:
        """The 44 octets of this header."""
        return self._pack(_EXTENDED)

    def _pack(self, path: str) -> bytes:
        _integer(self.shape, 0, 2, f"{path}.shape")
        return _SN_LAYOUT.pack(
            _unsigned(self.sequence_number, 16, f"{path}.sequence_number"),
            _unsigned(self.reserved, 16, f"{path}.reserved"),
        ) + _source(self.source, path) + _AREA_LAYOUT.pack(
            _integer(self.latitude, -_LATITUDE, _LATITUDE, f"{path}.latitude"),
            _integer(self.longitude, -_LONGITUDE, _LONGITUDE, f"{path}.longitude"),
            _unsigned(self.distance_a, 16, f"{path}.distance_a"),
            _unsigned(self.distance_b, 16, f"{path}.distance_b"),
            _unsigned(self.angle, 16, f"{path}.angle"),
            _unsigned(self.reserved_area, 16, f"{path}.reserved_area"))

    @classmethod
    def decode(cls, data: bytes, shape: int = AreaShape.CIRCLE,
               anycast: bool = False) -> tuple[Self, bytes]:
        """(header, the octets after it); shape and anycast come from the common header."""
        reader = _Reader(data, _EXTENDED)
        return cls._read(reader, _EXTENDED, shape, anycast), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader, path: str, shape: int, anycast: bool) -> Self:
        sequence_number, reserved = reader.unpack(_SN_LAYOUT, path)
        source = LongPositionVector._read(reader, f"{path}.source")
        latitude, longitude, a, b, angle, reserved_area = reader.unpack(_AREA_LAYOUT, path)
        _integer(latitude, -_LATITUDE, _LATITUDE, f"{path}.latitude", FramingError)
        _integer(longitude, -_LONGITUDE, _LONGITUDE, f"{path}.longitude", FramingError)
        return cls(sequence_number, source, latitude, longitude, a, b, angle, AreaShape(shape),
                   anycast, reserved, reserved_area)


@dataclass(frozen=True)
class BeaconHeader:
    """Beacon extended header (9.8.6), 24 octets: the source position vector only."""

    source: LongPositionVector

    LENGTH: ClassVar[int] = 24

    @property
    def packet_type(self) -> tuple[int, int]:
        return HeaderType.BEACON, 0

    def encode(self) -> bytes:
        """The 24 octets of this header."""
        return self._pack(_EXTENDED)

    def _pack(self, path: str) -> bytes:
        return _source(self.source, path)

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the octets after it)."""
        reader = _Reader(data, _EXTENDED)
        return cls._read(reader, _EXTENDED), reader.rest()

    @classmethod
    def _read(cls, reader: _Reader, path: str) -> Self:
        return cls(LongPositionVector._read(reader, f"{path}.source"))


ExtendedHeader = ShbHeader | TsbHeader | GbcHeader | BeaconHeader
_EXTENDED_CLASSES = (ShbHeader, TsbHeader, GbcHeader, BeaconHeader)


def _source(source: object, path: str) -> bytes:
    if not isinstance(source, LongPositionVector):
        raise EncodeError("expected a LongPositionVector", f"{path}.source")
    return source._pack(f"{path}.source")


def _read_extended(reader: _Reader, header_type: int, subtype: int) -> ExtendedHeader:
    """The extended header the common header's HT/HST announces."""
    path = _EXTENDED
    if header_type == HeaderType.TSB and subtype in _TSB_SUBTYPES:
        return ShbHeader._read(reader, path) if subtype == 0 else TsbHeader._read(reader, path)
    if header_type in (HeaderType.GEOBROADCAST, HeaderType.GEOANYCAST) and subtype <= 2:
        return GbcHeader._read(reader, path, subtype, header_type == HeaderType.GEOANYCAST)
    if header_type == HeaderType.BEACON and subtype == 0:
        return BeaconHeader._read(reader, path)
    if header_type in _REFUSED_TYPES:
        raise FramingError(f"{_REFUSED_TYPES[HeaderType(header_type)]} packets are not supported",
                           f"{_COMMON}.header_type")
    raise FramingError(f"unknown subtype {subtype} of header type {header_type}",
                       f"{_COMMON}.header_subtype")


# ----------------------------------------------------------------------------- packets


@dataclass(frozen=True)
class GnPacket:
    """An unsecured GeoNetworking packet: headers, optional BTP header and payload.

    ``common.next_header`` (when ``transport`` is set), ``common.header_type``,
    ``common.header_subtype``, ``common.payload_length`` and ``basic.next_header`` are derived
    from the parts on construction, so a packet built by hand equals its decoded encoding.
    Without ``transport`` the common NH must be ANY or IPv6 and ``payload`` is opaque.
    """

    extended: ExtendedHeader
    transport: BtpA | BtpB | None = None
    payload: bytes = b""
    common: CommonHeader = CommonHeader()
    basic: BasicHeader = BasicHeader()

    def __post_init__(self) -> None:
        derived: dict[str, int] = {}
        if isinstance(self.extended, _EXTENDED_CLASSES):
            with contextlib.suppress(EncodeError):  # construction never validates; encode does
                derived["header_type"], derived["header_subtype"] = self.extended.packet_type
        if isinstance(self.transport, BtpA | BtpB):
            derived["next_header"] = CommonNextHeader(self.transport.NEXT_HEADER)
        if isinstance(self.payload, bytes | bytearray | memoryview):
            transport = BTP_HEADER_LENGTH if self.transport is not None else 0
            derived["payload_length"] = transport + len(self.payload)
        if isinstance(self.common, CommonHeader):
            object.__setattr__(self, "common", dataclasses.replace(self.common, **derived))
        if isinstance(self.basic, BasicHeader):
            object.__setattr__(self, "basic", dataclasses.replace(
                self.basic, next_header=BasicNextHeader.COMMON))

    @property
    def source(self) -> LongPositionVector:
        """The source position vector of the extended header."""
        return self.extended.source

    def encode(self) -> bytes:
        """The whole packet: basic + common + extended headers, BTP header, payload."""
        if not isinstance(self.basic, BasicHeader):
            raise EncodeError("expected a BasicHeader", _BASIC)
        return self.basic.encode() + self.encode_secured_payload()

    def encode_secured_payload(self) -> bytes:
        """Common + extended headers, BTP header and payload: what a secured packet's SPDU
        carries (as its unsecuredData, signed)."""
        if not isinstance(self.common, CommonHeader):
            raise EncodeError("expected a CommonHeader", _COMMON)
        if not isinstance(self.extended, _EXTENDED_CLASSES):
            raise EncodeError("expected ShbHeader, TsbHeader, GbcHeader or BeaconHeader",
                              _EXTENDED)
        extended = self.extended._pack(_EXTENDED)
        payload = _octets(self.payload, None, f"{_ROOT}.payload")
        if self.transport is None:
            if self.common.next_header in (CommonNextHeader.BTP_A, CommonNextHeader.BTP_B):
                raise EncodeError("says BTP but the packet has no BTP header",
                                  f"{_COMMON}.next_header")
            transport = b""
        elif isinstance(self.transport, BtpA | BtpB):
            transport = self.transport.encode()
        else:
            raise EncodeError("expected BtpA, BtpB or None", f"{_ROOT}.transport")
        length = len(transport) + len(payload)
        if length > 0xFFFF:
            raise EncodeError(f"{length} octets of BTP header and payload exceed 65535",
                              f"{_COMMON}.payload_length")
        common = dataclasses.replace(self.common, payload_length=length)
        return common.encode() + extended + transport + payload

    @classmethod
    def decode(cls, data: bytes, *, strict: bool = True) -> Self:
        """An unsecured packet (basic NH = common header) from all of ``data``.

        FramingError for a secured packet (use ``decode_packet``), truncated input, a payload
        length that does not match the octets present, or unknown header values. With
        ``strict=False`` octets after the payload length (Ethernet padding) are dropped.
        """
        reader = _Reader(data, _BASIC)
        basic = BasicHeader._read(reader)
        if basic.next_header != BasicNextHeader.COMMON:
            raise FramingError(f"next header {basic.next_header.name}, not a common header "
                               "(decode_packet reads secured packets)", f"{_BASIC}.next_header")
        return cls._read(reader, basic, strict)

    @classmethod
    def decode_secured_payload(cls, data: bytes, basic: BasicHeader | None = None, *,
                               strict: bool = True) -> Self:
        """The packet whose common header starts ``data`` (a verified SPDU's payload).

        ``basic``: the outer packet's basic header (a default one when None).
        """
        return cls._read(_Reader(data, _COMMON), basic or BasicHeader(), strict)

    @classmethod
    def _read(cls, reader: _Reader, basic: BasicHeader, strict: bool) -> Self:
        common = CommonHeader._read(reader)
        extended = _read_extended(reader, common.header_type, common.header_subtype)
        rest = reader.rest()
        if common.payload_length > len(rest):
            raise FramingError(f"{common.payload_length} octets announced, {len(rest)} present",
                               f"{_COMMON}.payload_length")
        if common.payload_length < len(rest):
            if strict:
                raise FramingError(
                    f"{len(rest) - common.payload_length} octets follow the announced "
                    f"{common.payload_length}", f"{_COMMON}.payload_length")
            rest = rest[:common.payload_length]
        transport: BtpA | BtpB | None = None
        if common.next_header == CommonNextHeader.BTP_A:
            transport, rest = BtpA.decode(rest)
        elif common.next_header == CommonNextHeader.BTP_B:
            transport, rest = BtpB.decode(rest)
        return cls(extended, transport, rest, common, basic)


@dataclass(frozen=True)
class SecuredGnPacket:
    """A secured GeoNetworking packet: basic header (NH = secured) and the SPDU octets.

    Verify ``spdu`` with ``v2x.security``, then read its payload with
    ``GnPacket.decode_secured_payload(payload, packet.basic)``.
    """

    spdu: bytes
    basic: BasicHeader = BasicHeader(next_header=BasicNextHeader.SECURED)

    def __post_init__(self) -> None:
        if isinstance(self.basic, BasicHeader):
            object.__setattr__(self, "basic", dataclasses.replace(
                self.basic, next_header=BasicNextHeader.SECURED))

    def encode(self) -> bytes:
        """Basic header followed by the SPDU."""
        if not isinstance(self.basic, BasicHeader):
            raise EncodeError("expected a BasicHeader", _BASIC)
        spdu = _octets(self.spdu, None, f"{_ROOT}.secured")
        if not spdu:
            raise EncodeError("empty SPDU", f"{_ROOT}.secured")
        return self.basic.encode() + spdu

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """A secured packet; the SPDU runs to the end of ``data`` and is not parsed here."""
        reader = _Reader(data, _BASIC)
        basic = BasicHeader._read(reader)
        if basic.next_header != BasicNextHeader.SECURED:
            raise FramingError(f"next header {basic.next_header.name}, not a secured packet",
                               f"{_BASIC}.next_header")
        return cls._read(reader, basic)

    @classmethod
    def _read(cls, reader: _Reader, basic: BasicHeader) -> Self:
        spdu = reader.rest()
        if not spdu:
            raise FramingError("truncated: no SPDU after the basic header", f"{_ROOT}.secured")
        return cls(spdu, basic)


def decode_packet(data: bytes, *, strict: bool = True) -> GnPacket | SecuredGnPacket:
    """A GeoNetworking packet of either kind, by its basic header's NH.

    FramingError for NH "any" (nothing says what follows) and for every malformed input.
    """
    reader = _Reader(data, _BASIC)
    basic = BasicHeader._read(reader)
    if basic.next_header == BasicNextHeader.SECURED:
        return SecuredGnPacket._read(reader, basic)
    if basic.next_header == BasicNextHeader.COMMON:
        return GnPacket._read(reader, basic, strict)
    raise FramingError("next header ANY: the content cannot be interpreted",
                       f"{_BASIC}.next_header")

