"""Fast reader of signed SPDUs: the C-OER of IEEE 1609.2 Ieee1609Dot2Data / SignedData.

A receiver verifies thousands of messages per second; the schema codec (asn1tools, then a
canonical re-encoding check) costs more than the ECDSA verification itself. This module reads the
one shape that dominates traffic, ``Ieee1609Dot2Data { 3, signedData { hashId, tbsData { payload
{ data unsecuredData }, headerInfo }, signer, signature } }`` (IEEE 1609.2 §6.3.4 to §6.3.9,
§6.3.29 to §6.3.35; C-OER per ITU-T X.696 clause 6), straight from the bytes, checking every
canonical-encoding rule it meets (minimal lengths and integers, zero spare bits, nothing left over).

Anything else (extension additions, external payload hashes, encrypted data, unusual signers) is
not guessed at: ``read_signed`` raises ``NotFastPath`` and the caller uses the schema decoder. The
test suite checks this reader against the schema decoder on real and random SPDUs.
"""

from __future__ import annotations

from dataclasses import dataclass

from v2x.errors import DecodeError

PROTOCOL_VERSION = 3

HASH_ALGORITHMS = ("sha256", "sha384", "sm3")
"""HashAlgorithm values 0, 1 and 2 (1609.2 §6.3.5; sm3 from 1609.2-2022 / YD/T 3957)."""

SIGNATURES = {
    0: ("ecdsaNistP256Signature", "nistP256", 32),
    1: ("ecdsaBrainpoolP256r1Signature", "brainpoolP256r1", 32),
    2: ("ecdsaBrainpoolP384r1Signature", "brainpoolP384r1", 48),
    3: ("ecdsaNistP384Signature", "nistP384", 48),
    4: ("sm2Signature", "sm2", 32),
}
"""Signature CHOICE index -> (alternative, curve, field size); 0 and 1 are root alternatives,
the others extension additions (1609.2 §6.3.28)."""

CURVE_POINT_FORMS = ("x-only", "fill", "compressed-y-0", "compressed-y-1", "uncompressed")


class NotFastPath(Exception):
    """The SPDU is valid C-OER perhaps, but not of the shape this reader handles."""


@dataclass(frozen=True, slots=True)
class SignedSpdu:
    """What a receiver needs of a signed SPDU; byte fields are slices of the input."""

    hash_algorithm: str
    tbs_data: bytes
    """The canonical encoding of ToBeSignedData: what the signature covers (hashed)."""
    payload: bytes
    """The unsecuredData octets (the BTP/GN payload, e.g. a CAM)."""
    psid: int
    generation_time: int | None
    """Time64, microseconds since 2004 TAI."""
    expiry_time: int | None
    generation_location: tuple[int, int, int] | None
    """(latitude, longitude in 0.1 microdegree, elevation in decimetres + 4096 offset)."""
    p2pcd_learning_request: bytes | None
    signer_kind: str
    """``digest``, ``certificate`` or ``self``."""
    signer_digest: bytes | None
    signer_certificate: bytes | None
    """The one certificate a ``certificate`` signer carries (its bytes, not yet decoded)."""
    signature_curve: str
    r_form: str
    """How rSig is given: ``x-only``, ``compressed-y-0``, ``compressed-y-1`` or ``uncompressed``."""
    r: bytes
    r_y: bytes | None
    s: bytes


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise DecodeError(f"truncated: {count} bytes needed at offset {self.pos}", "SPDU")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise DecodeError(f"truncated at offset {self.pos}", "SPDU")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def length(self) -> int:
        """X.696 clause 8.6 length determinant, canonical (shortest) form only."""
        first = self.byte()
        if first < 0x80:
            return first
        size = first & 0x7F
        if size == 0 or size > 4:
            raise DecodeError(f"length of {size} octets at offset {self.pos - 1}", "SPDU")
        raw = self.take(size)
        value = int.from_bytes(raw, "big")
        if value < 0x80 or raw[0] == 0:
            raise DecodeError(f"non-canonical length at offset {self.pos - size - 1}", "SPDU")
        return value

    def unsigned(self) -> int:
        """A length-prefixed non-negative INTEGER (Psid ::= INTEGER (0..MAX)), canonical."""
        size = self.length()
        raw = self.take(size)
        if size == 0 or (size > 1 and raw[0] == 0):
            raise DecodeError(f"non-canonical integer at offset {self.pos - size}", "SPDU")
        return int.from_bytes(raw, "big")


def read_signed(data: bytes) -> SignedSpdu:
    """Read a signed SPDU carrying its payload; NotFastPath for other shapes, DecodeError for
    encodings that break C-OER."""
    reader = _Reader(bytes(data))
    if reader.byte() != PROTOCOL_VERSION:
        raise NotFastPath("protocolVersion")
    if reader.byte() != 0x81:  # Ieee1609Dot2Content: signedData
        raise NotFastPath("not signedData")
    hash_index = reader.byte()
    if hash_index >= len(HASH_ALGORITHMS):
        raise NotFastPath("hash algorithm")
    tbs_start = reader.pos
    if reader.byte() != 0x40:  # SignedDataPayload: data present, no extDataHash, no extension
        raise NotFastPath("payload shape")
    if reader.byte() != PROTOCOL_VERSION or reader.byte() != 0x80:  # inner unsecuredData
        raise NotFastPath("inner content")
    payload = reader.take(reader.length())
    header = _read_header(reader)
    tbs_data = reader.data[tbs_start:reader.pos]
    signer_kind, signer_digest, certificate = _read_signer(reader)
    curve, form, r, r_y, s = _read_signature(reader)
    if reader.pos != len(reader.data):
        raise DecodeError(f"{len(reader.data) - reader.pos} trailing bytes", "SPDU")
    return SignedSpdu(HASH_ALGORITHMS[hash_index], tbs_data, payload, *header, signer_kind,
                      signer_digest, certificate, curve, form, r, r_y, s)


def _read_header(reader: _Reader) -> tuple:
    """HeaderInfo (1609.2 §6.3.9): psid and the root OPTIONAL members this reader knows."""
    preamble = reader.byte()
    if preamble & 0x80:
        raise NotFastPath("HeaderInfo extension additions")
    if preamble & 0x01:
        raise DecodeError("non-zero spare bit in the HeaderInfo preamble", "SPDU.headerInfo")
    if preamble & 0x06:
        raise NotFastPath("HeaderInfo missingCrlIdentifier/encryptionKey")
    psid = reader.unsigned()
    generation = int.from_bytes(reader.take(8), "big") if preamble & 0x40 else None
    expiry = int.from_bytes(reader.take(8), "big") if preamble & 0x20 else None
    location = None
    if preamble & 0x10:
        raw = reader.take(10)
        location = (int.from_bytes(raw[0:4], "big", signed=True),
                    int.from_bytes(raw[4:8], "big", signed=True),
                    int.from_bytes(raw[8:10], "big"))
    p2pcd = reader.take(3) if preamble & 0x08 else None
    return psid, generation, expiry, location, p2pcd


_SIGNATURE_SIZES = (66, 98, 99, 147)
"""Byte lengths a Signature can have: P-256/SM2 with x or compressed r, P-256 uncompressed,
384-bit curves with x or compressed r (open type), 384-bit uncompressed."""


def _read_signer(reader: _Reader) -> tuple[str, bytes | None, bytes | None]:
    tag = reader.byte()
    if tag == 0x80:
        return "digest", reader.take(8), None
    if tag == 0x82:
        return "self", None, None
    if tag != 0x81 or reader.take(2) != b"\x01\x01":
        raise NotFastPath("signer other than one certificate")
    # The certificate has no length of its own: it ends where the Signature (the last field)
    # begins. Try each possible signature size; a wrong split fails the strict certificate
    # decoding done by the caller, never a signature check.
    for size in _SIGNATURE_SIZES:
        start = len(reader.data) - size
        if start <= reader.pos:
            continue
        trial = _Reader(reader.data)
        trial.pos = start
        try:
            _read_signature(trial)
        except (NotFastPath, DecodeError):
            continue
        if trial.pos == len(reader.data):
            certificate = reader.data[reader.pos:start]
            reader.pos = start
            return "certificate", None, certificate
    raise NotFastPath("no signature fits after the certificate")


def _read_signature(reader: _Reader) -> tuple[str, str, bytes, bytes | None, bytes]:
    """Signature (1609.2 §6.3.28): EcdsaP256/P384Signature or an SM2 signature."""
    tag = reader.byte()
    if tag < 0x80 or tag > 0x84:
        raise NotFastPath("signature alternative")
    index = tag & 0x3F
    _, curve, size = SIGNATURES[index]
    end = None
    if index >= 2:  # an extension addition: wrapped in an open type
        length = reader.length()
        end = reader.pos + length
    if curve == "sm2":
        r, r_y, form = reader.take(32), None, "sm2"
    else:
        choice = reader.byte()
        if choice < 0x80 or choice > 0x84 or choice == 0x81:
            raise NotFastPath("rSig form")
        form = CURVE_POINT_FORMS[choice & 0x3F]
        r = reader.take(size)
        r_y = reader.take(size) if form == "uncompressed" else None
    s = reader.take(size)
    if end is not None and reader.pos != end:
        raise DecodeError("signature open type length does not match", "SPDU.signature")
    return curve, form, r, r_y, s
