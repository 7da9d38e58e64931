"""v2x.messages: encode and decode C-V2X messages with our own ASN.1 modules (UPER).

    from v2x import messages
    data = messages.encode("etsi.CAM", value)       # bytes, constraints checked
    assert messages.decode("etsi.CAM", data) == value

Values use asn1tools' Python form: SEQUENCE -> dict, CHOICE -> (name, value), BIT STRING ->
(bytes, number of bits), OCTET STRING -> bytes, ENUMERATED -> str.
"""

from __future__ import annotations

from v2x.messages.codec import decode, encode
from v2x.messages.registry import CATALOGUE, MessageType, identify, lookup

__all__ = ["MessageType", "catalogue", "decode", "encode", "identify", "lookup"]


def catalogue() -> list[MessageType]:
    """Every catalogued message, in message-id order within each family."""
    return list(CATALOGUE.values())
