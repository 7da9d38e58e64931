"""The message catalogue: one row per message, naming its bundle, PDU type and identifiers.

ETSI identifiers: ItsPduHeader messageID (TS 102 894-2 v1.3.1, DE_MessageID), BTP destination
port (ETSI TS 103 248) and ITS-AID (ISO 17419 registry, ETSI TS 102 965). China identifiers:
MessageFrame alternative and DSMP AID (YD/T 3707-2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from v2x.errors import UnknownMessageError


@dataclass(frozen=True)
class MessageType:
    """One catalogued message: how to find its schema and how it is identified on the air."""

    name: str
    bundle: str
    pdu: str
    title: str
    standard: str
    protocol_version: int | None = None
    """ETSI ItsPduHeader protocolVersion the schema is for."""
    message_id: int | None = None
    btp_port: int | None = None
    its_aid: int | None = None
    frames: dict[str, int | None] = field(default_factory=dict)
    """For a frame that carries several messages (China MessageFrame): alternative -> AID."""


def _etsi(pdu: str, title: str, standard: str, message_id: int, port: int, aid: int, *,
          version: int = 2) -> MessageType:
    name = f"etsi.{pdu}" if version == 2 else f"etsi.{pdu}v{version}"
    bundle = "etsi" if version == 2 else f"etsi-v{version}"
    return MessageType(name, bundle, pdu, title, standard, version, message_id, port, aid)


_ROWS: tuple[MessageType, ...] = (
    _etsi("DENM", "Decentralized Environmental Notification", "EN 302 637-3 v1.3.1", 1, 2002, 37),
    _etsi("CAM", "Cooperative Awareness", "EN 302 637-2 v1.4.1", 2, 2001, 36),
    _etsi("SPATEM", "Signal Phase and Timing", "TS 103 301 v1.3.1", 4, 2004, 137),
    _etsi("MAPEM", "Map (intersection topology)", "TS 103 301 v1.3.1", 5, 2003, 138),
    _etsi("IVIM", "In-Vehicle Information", "TS 103 301 v1.3.1", 6, 2006, 139),
    _etsi("SREM", "Signal Request", "TS 103 301 v1.3.1", 9, 2007, 140),
    _etsi("SSEM", "Signal Request Status", "TS 103 301 v1.3.1", 10, 2008, 637),
    _etsi("RTCMEM", "RTCM GNSS corrections", "TS 103 301 v1.3.1", 13, 2013, 540802),
    _etsi("DENM", "Decentralized Environmental Notification", "EN 302 637-3 v1.2.2", 1, 2002, 37,
          version=1),
    _etsi("CAM", "Cooperative Awareness", "EN 302 637-2 v1.3.2", 2, 2001, 36, version=1),
    MessageType(
        "csae.MessageFrame", "csae", "MessageFrame",
        "China C-V2X message frame (BSM, MapData, RSM, SPAT, RSI)",
        "T/CSAE 53-2020, YD/T 3709-2020",
        frames={"bsmFrame": 111, "mapFrame": 3618, "rsmFrame": 3623, "spatFrame": 3619,
                "rsiFrame": 3620},
    ),
)

_ROWS += (
    MessageType("sec.SPDU", "security", "Ieee1609Dot2Data",
                "IEEE 1609.2 secured data (C-OER): unsecured, signed or encrypted",
                "IEEE 1609.2-2022, ETSI TS 103 097 v2.1.1, YD/T 3957"),
    MessageType("sec.Certificate", "security", "Certificate",
                "IEEE 1609.2 certificate (C-OER), explicit or implicit",
                "IEEE 1609.2-2022, ETSI TS 103 097 v2.1.1, YD/T 3957"),
    MessageType("sec.TrustListData", "security", "EtsiTs102941Data",
                "ETSI PKI data: CTL, CRL, enrolment and authorization messages (C-OER)",
                "ETSI TS 102 941 v2.1.1"),
)

CATALOGUE: dict[str, MessageType] = {row.name: row for row in _ROWS}


def lookup(name: str) -> MessageType:
    """The row of ``name``; UnknownMessageError lists the known names otherwise."""
    try:
        return CATALOGUE[name]
    except (KeyError, TypeError):
        raise UnknownMessageError(
            f"unknown message {name!r}; known: {', '.join(CATALOGUE)}", str(name)
        ) from None


def identify(data: bytes) -> MessageType:
    """The ETSI message ``data`` holds, from its ItsPduHeader (protocolVersion, messageID).

    The header's first two UPER fields are whole octets (INTEGER (0..255)), so no decoding is
    needed. UnknownMessageError when no catalogued message has that header.
    """
    if len(data) < 2:
        raise UnknownMessageError("too short for an ItsPduHeader", "ItsPduHeader")
    version, message_id = data[0], data[1]
    for row in _ROWS:
        if row.protocol_version == version and row.message_id == message_id:
            return row
    raise UnknownMessageError(
        f"no catalogued message with protocolVersion {version} and messageID {message_id}",
        "ItsPduHeader")
