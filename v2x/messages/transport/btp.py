"""Basic Transport Protocol headers: ETSI EN 302 636-5-1 V2.2.1 (2019-05), clauses 7.2 and 7.3.

BTP-A (interactive: destination port, source port) and BTP-B (non-interactive: destination
port, destination port info), 4 octets each, big-endian. GeoNetworking's common header NH says
which one follows (1 = BTP-A, 2 = BTP-B). The well-known ports of ETSI TS 103 248 are read from
the message catalogue (``v2x.messages.registry``), not repeated here.
"""

from __future__ import annotations

import numbers
import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from v2x.errors import EncodeError, FramingError
from v2x.messages.registry import CATALOGUE, MessageType, lookup

__all__ = ["BTP_HEADER_LENGTH", "BtpA", "BtpB", "message_for_port", "port_of"]

BTP_HEADER_LENGTH = 4
_LAYOUT = struct.Struct(">HH")


def _port(value: object, path: str) -> int:
    if not isinstance(value, numbers.Integral):
        raise EncodeError(f"expected an integer, got {value!r}", path)
    if not 0 <= value <= 0xFFFF:
        raise EncodeError(f"{value} is outside 0..65535", path)
    return int(value)


def _split(data: object, path: str) -> tuple[int, int, bytes]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FramingError(f"expected bytes, got {type(data).__name__}", path)
    data = bytes(data)
    if len(data) < BTP_HEADER_LENGTH:
        raise FramingError(f"truncated: {BTP_HEADER_LENGTH} octets needed, {len(data)} left",
                           path)
    first, second = _LAYOUT.unpack_from(data)
    return first, second, data[BTP_HEADER_LENGTH:]


def port_of(name: str) -> int:
    """The BTP destination port of catalogued message ``name`` (``"etsi.CAM"`` -> 2001).

    UnknownMessageError for a name not in the catalogue, EncodeError for a message that is not
    carried over BTP.
    """
    row = lookup(name)
    if row.btp_port is None:
        raise EncodeError(f"{name} has no BTP port", "BTP.destination_port")
    return row.btp_port


def message_for_port(port: int) -> MessageType | None:
    """The catalogued message on BTP ``port`` (the newest release when several are), or None."""
    rows = [row for row in CATALOGUE.values() if row.btp_port == port]
    return max(rows, key=lambda row: row.protocol_version or 0) if rows else None


@dataclass(frozen=True)
class BtpA:
    """BTP-A header (7.2): destination and source port."""

    destination_port: int
    source_port: int = 0

    NEXT_HEADER: ClassVar[int] = 1
    """The GeoNetworking common header NH announcing this header."""

    def encode(self) -> bytes:
        """The 4 octets of this header; EncodeError for a port outside 0..65535."""
        return _LAYOUT.pack(_port(self.destination_port, "BTP-A.destination_port"),
                            _port(self.source_port, "BTP-A.source_port"))

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the payload after it); FramingError when fewer than 4 octets are given."""
        destination, source, rest = _split(data, "BTP-A")
        return cls(destination, source), rest


@dataclass(frozen=True)
class BtpB:
    """BTP-B header (7.3): destination port and destination port info (0 unless a service
    defines it)."""

    destination_port: int
    destination_port_info: int = 0

    NEXT_HEADER: ClassVar[int] = 2
    """The GeoNetworking common header NH announcing this header."""

    @classmethod
    def for_message(cls, name: str, destination_port_info: int = 0) -> Self:
        """The header addressing catalogued message ``name`` (``"etsi.DENM"`` -> port 2002)."""
        return cls(port_of(name), destination_port_info)

    @property
    def message(self) -> MessageType | None:
        """The catalogued message of the destination port, or None."""
        return message_for_port(self.destination_port)

    def encode(self) -> bytes:
        """The 4 octets of this header; EncodeError for a value outside 0..65535."""
        return _LAYOUT.pack(_port(self.destination_port, "BTP-B.destination_port"),
                            _port(self.destination_port_info, "BTP-B.destination_port_info"))

    @classmethod
    def decode(cls, data: bytes) -> tuple[Self, bytes]:
        """(header, the payload after it); FramingError when fewer than 4 octets are given."""
        destination, info, rest = _split(data, "BTP-B")
        return cls(destination, info), rest
