"""Capture files: classic libpcap format (version 2.4, microsecond timestamps) and Ethernet II.

The file is a 24-octet global header (magic 0xa1b2c3d4, version 2.4, time zone 0, sigfigs 0,
snaplen, link type) and per packet a 16-octet record header (seconds, microseconds, captured
length, original length) before the captured octets. We write little-endian files with link
type 1 (LINKTYPE_ETHERNET), which Wireshark dissects down to GeoNetworking (Ethertype 0x8947),
BTP, IEEE 1609.2 and the ITS messages.
Reading accepts either byte order; nanosecond pcap and pcapng are refused by name.

Writes never replace an existing file unless asked (``overwrite=True``) and are atomic: the
file is written beside its target and then linked or renamed into place.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from v2x.errors import EncodeError, FramingError, InputError
from v2x.messages.transport.geonet import GnAddress, GnPacket, SecuredGnPacket

__all__ = [
    "BROADCAST_MAC",
    "DEFAULT_SNAPLEN",
    "ETHERTYPE_GEONETWORKING",
    "LINKTYPE_ETHERNET",
    "PCAP_MAGIC",
    "Capture",
    "EthernetFrame",
    "PcapRecord",
    "geonet_ethernet_frame",
    "mac_octets",
    "parse_pcap",
    "pcap_bytes",
    "read_pcap",
    "write_pcap",
]

PCAP_MAGIC = 0xA1B2C3D4
"""Magic number of classic pcap with microsecond timestamps."""
LINKTYPE_ETHERNET = 1
ETHERTYPE_GEONETWORKING = 0x8947
BROADCAST_MAC = b"\xff" * 6
DEFAULT_SNAPLEN = 65535
MAX_RECORD_LENGTH = 262_144
"""Largest captured length read from a file whose snaplen is smaller (a guard, not a rule)."""

_VERSION = (2, 4)
_GLOBAL = "IHHiIII"
_RECORD = "IIII"
_REFUSED_MAGICS = {
    b"\x4d\x3c\xb2\xa1": "nanosecond-resolution pcap",
    b"\xa1\xb2\x3c\x4d": "nanosecond-resolution pcap",
    b"\x0a\x0d\x0d\x0a": "pcapng",
}
_ETHERNET = struct.Struct(">6s6sH")


@dataclass(frozen=True)
class PcapRecord:
    """One captured packet: its time in integer microseconds since the Unix epoch and octets.

    ``original_length`` is the length on the wire (None: the captured length).
    """

    timestamp_us: int
    data: bytes
    original_length: int | None = None

    @property
    def timestamp_s(self) -> float:
        """The timestamp in seconds (a float: for display, not for arithmetic)."""
        return self.timestamp_us / 1e6


@dataclass(frozen=True)
class Capture:
    """The content of a pcap file."""

    link_type: int
    snaplen: int
    records: tuple[PcapRecord, ...]
    big_endian: bool = False


def _uint(value: object, bits: int, path: str) -> int:
    if not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise EncodeError(f"{value!r} is not an integer in 0..{(1 << bits) - 1}", path)
    return value


def pcap_bytes(records: Iterable[PcapRecord | tuple[int, bytes]], *,
               link_type: int = LINKTYPE_ETHERNET, snaplen: int = DEFAULT_SNAPLEN) -> bytes:
    """The octets of a little-endian pcap file holding ``records``.

    A record is a ``PcapRecord`` or ``(timestamp_us, data)``. EncodeError (path
    ``pcap.packet[i]...``) for a negative timestamp, one beyond 2106, or data longer than
    ``snaplen``: nothing is cut silently.
    """
    _uint(snaplen, 32, "pcap.snaplen")
    chunks = [struct.pack("<" + _GLOBAL, PCAP_MAGIC, *_VERSION, 0, 0, snaplen,
                          _uint(link_type, 32, "pcap.link_type"))]
    for index, item in enumerate(records):
        record = item if isinstance(item, PcapRecord) else PcapRecord(*item)
        path = f"pcap.packet[{index}]"
        data = record.data
        if not isinstance(data, bytes | bytearray | memoryview):
            raise EncodeError(f"expected bytes, got {type(data).__name__}", f"{path}.data")
        data = bytes(data)
        if len(data) > snaplen:
            raise EncodeError(f"{len(data)} octets exceed the snaplen {snaplen}", f"{path}.data")
        original = len(data) if record.original_length is None else record.original_length
        _uint(original, 32, f"{path}.original_length")
        if original < len(data):
            raise EncodeError(f"{original} is less than the {len(data)} octets captured",
                              f"{path}.original_length")
        seconds, micros = divmod(_uint(record.timestamp_us, 64, f"{path}.timestamp_us"),
                                 1_000_000)
        _uint(seconds, 32, f"{path}.timestamp_us")
        chunks.append(struct.pack("<" + _RECORD, seconds, micros, len(data), original))
        chunks.append(data)
    return b"".join(chunks)


def write_pcap(path: str | os.PathLike[str], records: Iterable[PcapRecord | tuple[int, bytes]],
               *, link_type: int = LINKTYPE_ETHERNET, snaplen: int = DEFAULT_SNAPLEN,
               overwrite: bool = False) -> Path:
    """Write ``records`` to a pcap file at ``path`` atomically; the path written.

    InputError when ``path`` exists and ``overwrite`` is false (the file is left untouched).
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise InputError("exists; pass overwrite=True to replace it", str(target))
    content = pcap_bytes(records, link_type=link_type, snaplen=snaplen)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror}", str(target)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, target)
        else:
            _link_exclusive(temporary, target, content)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def _link_exclusive(temporary: str, target: Path, content: bytes) -> None:
    """Put ``temporary`` at ``target`` unless something is there already."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise InputError("exists; pass overwrite=True to replace it", str(target)) from None
    except OSError:  # a file system without hard links: exclusive create instead
        try:
            with open(target, "xb") as file:
                file.write(content)
        except FileExistsError:
            raise InputError("exists; pass overwrite=True to replace it",
                             str(target)) from None


def parse_pcap(data: bytes, *, name: str = "pcap") -> Capture:
    """The records of a pcap file's octets; FramingError (path ``name:...``) when malformed."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FramingError(f"expected bytes, got {type(data).__name__}", name)
    data = bytes(data)
    magic = data[:4]
    if magic in _REFUSED_MAGICS:
        raise FramingError(f"{_REFUSED_MAGICS[magic]} is not supported; "
                           "convert with `editcap -F pcap`", f"{name}:magic")
    if magic == PCAP_MAGIC.to_bytes(4, "little"):
        order = "<"
    elif magic == PCAP_MAGIC.to_bytes(4, "big"):
        order = ">"
    else:
        raise FramingError(f"not a pcap file (magic {magic.hex() or 'missing'})",
                           f"{name}:magic")
    if len(data) < 24:
        raise FramingError(f"truncated global header: {len(data)} of 24 octets",
                           f"{name}:header")
    _, major, minor, _, _, snaplen, link_type = struct.unpack_from(order + _GLOBAL, data)
    if major != _VERSION[0]:
        raise FramingError(f"version {major}.{minor}, expected 2.4", f"{name}:version")
    limit = max(snaplen, MAX_RECORD_LENGTH)
    records = []
    offset = 24
    while offset < len(data):
        path = f"{name}:packet[{len(records)}]"
        if len(data) - offset < 16:
            raise FramingError(f"truncated record header: {len(data) - offset} of 16 octets",
                               path)
        seconds, micros, captured, original = struct.unpack_from(order + _RECORD, data, offset)
        offset += 16
        if micros >= 1_000_000:
            raise FramingError(f"{micros} microseconds is not below one second", path)
        if captured > limit:
            raise FramingError(f"captured length {captured} exceeds {limit}", path)
        if len(data) - offset < captured:
            raise FramingError(
                f"truncated: {captured} octets announced, {len(data) - offset} present", path)
        records.append(PcapRecord(seconds * 1_000_000 + micros,
                                  data[offset:offset + captured], original))
        offset += captured
    return Capture(link_type, snaplen, tuple(records), order == ">")


def read_pcap(path: str | os.PathLike[str]) -> Capture:
    """The records of the pcap file at ``path``; InputError when unreadable, FramingError when
    malformed."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", str(path)) from None
    return parse_pcap(data, name=str(path))


# ----------------------------------------------------------------------------- Ethernet II


def mac_octets(mac: str | bytes) -> bytes:
    """6 octets from ``"fe:38:4c:e0:b8:90"`` (or ``-`` separated) or from 6 octets."""
    if isinstance(mac, bytes | bytearray):
        octets = bytes(mac)
    elif not isinstance(mac, str):
        raise EncodeError(f"expected a MAC address, got {mac!r}", "Ethernet.address")
    else:
        try:
            octets = bytes.fromhex(mac.replace(":", "").replace("-", ""))
        except ValueError:
            raise EncodeError(f"not a MAC address: {mac!r}", "Ethernet.address") from None
    if len(octets) != 6:
        raise EncodeError(f"a MAC address has 6 octets, got {len(octets)}", "Ethernet.address")
    return octets


@dataclass(frozen=True)
class EthernetFrame:
    """An Ethernet II frame without FCS: destination, source, Ethertype, payload."""

    destination: bytes
    source: bytes
    ethertype: int
    payload: bytes

    def encode(self) -> bytes:
        """The frame's octets (no padding to 60 octets: captures need none)."""
        return _ETHERNET.pack(mac_octets(self.destination), mac_octets(self.source),
                              _uint(self.ethertype, 16, "Ethernet.ethertype")) + bytes(
                                  self.payload)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """A frame from its octets; FramingError below the 14-octet header."""
        if not isinstance(data, bytes | bytearray | memoryview) or len(data) < _ETHERNET.size:
            raise FramingError("truncated: an Ethernet II header has 14 octets", "Ethernet")
        data = bytes(data)
        destination, source, ethertype = _ETHERNET.unpack_from(data)
        return cls(destination, source, ethertype, data[_ETHERNET.size:])


def geonet_ethernet_frame(packet: GnPacket | SecuredGnPacket | bytes, *,
                          source_mac: str | bytes | None = None,
                          gn_address: GnAddress | None = None) -> bytes:
    """A broadcast Ethernet II frame (Ethertype 0x8947) carrying a GeoNetworking packet.

    The source MAC is ``source_mac``, else the MID of ``gn_address``, else the MID of an
    unsecured packet's source position vector; EncodeError when none of them is known.
    """
    if source_mac is None and gn_address is not None:
        source_mac = gn_address.mid
    if source_mac is None and isinstance(packet, GnPacket):
        source_mac = packet.source.address.mid
    if source_mac is None:
        raise EncodeError("give source_mac or gn_address for a secured packet or raw octets",
                          "Ethernet.source")
    if isinstance(packet, GnPacket | SecuredGnPacket):
        payload = packet.encode()
    elif isinstance(packet, bytes | bytearray | memoryview):
        payload = bytes(packet)
    else:
        raise EncodeError(f"expected a GeoNetworking packet, got {type(packet).__name__}",
                          "Ethernet.payload")
    return EthernetFrame(BROADCAST_MAC, mac_octets(source_mac), ETHERTYPE_GEONETWORKING,
                         payload).encode()
