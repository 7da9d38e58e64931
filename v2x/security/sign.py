"""Sign data as an ITS station: IEEE 1609.2 §5.3 / ETSI TS 103 097 v2.1.1 §7 / YD/T 3957.

``sign(payload, signer, psid=..., clock=..., policy=...)`` returns the C-OER ``Ieee1609Dot2Data``
bytes of signed data carrying ``payload``. The signer identifier follows the policy, as ETSI
TS 103 097 §7.1.1 asks for CAMs: the digest of the signing certificate, but the full certificate
when a second has passed since it was last sent, when a new neighbour appeared, or when a
neighbour asked for it (its HashedId3 in an inline P2PCD request). DENMs always carry the
certificate and a generation location (§7.1.2). The hash follows the signing key: SHA-256 for
256-bit curves, SHA-384 for 384-bit ones, SM3 with SM2 (YD/T 3957).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from v2x.clock import Clock
from v2x.errors import SecurityError
from v2x.messages import codec
from v2x.security import profiles
from v2x.security.certificates import BUNDLE, Certificate
from v2x.security.primitives import ecdsa, points
from v2x.security.primitives import sm2 as sm2_primitives

HASH_INDEX = {"sha256": 0, "sha384": 1, "sm3": 2}
SIGNATURE_INDEX = {name: i for i, name in enumerate(profiles.SIGNATURE_CURVES)}


@dataclass(frozen=True)
class SigningPolicy:
    """When the full certificate goes out, and what the header carries."""

    certificate_interval_us: int = 1_000_000
    """Longest time between two messages carrying the certificate (ETSI CAM: one second)."""
    always_certificate: bool = False
    """Every message carries the certificate (ETSI DENM)."""
    include_location: bool = False
    """The header carries the generation location (ETSI DENM)."""
    expiry_us: int | None = None
    """Lifetime written as expiryTime (generation time + this), if any."""


CAM_POLICY = SigningPolicy()
DENM_POLICY = SigningPolicy(always_certificate=True, include_location=True)


@dataclass
class Signer:
    """A signing identity (certificate and private key) and the state of its certificate rule."""

    certificate: Certificate
    private_key: int
    last_certificate_us: int | None = None
    _force_certificate: bool = False
    requests: list[bytes] = field(default_factory=list)
    """HashedId3 values of unknown certificates to ask neighbours for (inline P2PCD)."""

    def __post_init__(self) -> None:
        curve = self.certificate.curve
        if curve.name == "sm2":
            derived = sm2_primitives.public_key(self.private_key)
        else:
            derived = ecdsa.public_key(curve, self.private_key)
        explicit = self.certificate.verification_key is not None
        if explicit and derived != self.certificate.public_key():
            raise SecurityError("the private key does not match the certificate", "Signer")
        self.public_key = derived

    def new_neighbour(self) -> None:
        """A station not heard before appeared: send the certificate next time."""
        self._force_certificate = True

    def requested(self, hashed_id3s: Sequence[bytes]) -> None:
        """A received inline P2PCD request; if it asks for our certificate, send it next time."""
        if self.certificate.hashed_id3 in hashed_id3s:
            self._force_certificate = True

    def wants_certificate(self, now_us: int, policy: SigningPolicy) -> bool:
        return (policy.always_certificate or self._force_certificate
                or self.last_certificate_us is None
                or now_us - self.last_certificate_us >= policy.certificate_interval_us)


def sign(payload: bytes, signer: Signer, *, psid: int, clock: Clock,
         policy: SigningPolicy = CAM_POLICY,
         location: tuple[int, int, int] | None = None) -> bytes:
    """Signed ``Ieee1609Dot2Data`` carrying ``payload``; ``location`` is (lat, lon) in
    0.1 microdegree and elevation (1609.2 Elevation, decimetres + 4096 offset), needed when the
    policy includes it."""
    now = clock.now_tai_us()
    certificate = signer.certificate
    header: dict[str, Any] = {"psid": psid, "generationTime": now}
    if policy.expiry_us is not None:
        header["expiryTime"] = now + policy.expiry_us
    if policy.include_location:
        if location is None:
            raise SecurityError("this policy needs the generation location", "sign.location")
        header["generationLocation"] = {"latitude": location[0], "longitude": location[1],
                                        "elevation": location[2]}
    if signer.requests:
        header["inlineP2pcdRequest"] = list(signer.requests[:8])
        del signer.requests[:8]
    tbs_value = {"payload": {"data": {"protocolVersion": 3,
                                      "content": ("unsecuredData", bytes(payload))}},
                 "headerInfo": header}
    tbs = codec.encode_type(BUNDLE, "ToBeSignedData", tbs_value)
    hash_name = certificate.hash_name
    signature = profiles.sign(certificate.curve, signer.private_key, signer.public_key, tbs,
                              certificate.data, hash_name)
    if signer.wants_certificate(now, policy):
        signer_bytes = b"\x81\x01\x01" + certificate.data  # certificate: SEQUENCE OF, one item
        signer.last_certificate_us = now
        signer._force_certificate = False
    else:
        signer_bytes = b"\x80" + certificate.hashed_id8
    return (bytes([3, 0x81, HASH_INDEX[hash_name]]) + tbs + signer_bytes
            + _signature_bytes(signature))


def _signature_bytes(signature: tuple[str, dict[str, Any]]) -> bytes:
    """C-OER of a Signature: root alternatives directly, extension ones as open types."""
    name, fields = signature
    index = SIGNATURE_INDEX[name]
    if name == "sm2Signature":
        body = fields["rSig"] + fields["sSig"]
    else:
        form, r = fields["rSig"]
        if form != "x-only":
            raise SecurityError(f"unexpected rSig form {form}", "sign.signature")
        body = b"\x80" + r + fields["sSig"]
    if index < 2:
        return bytes([0x80 | index]) + body
    return bytes([0x80 | index, len(body)]) + body


def signed_certificate_value(tbs: dict[str, Any], issuer: Certificate | None, private_key: int,
                             curve_name: str, hash_name: str) -> dict[str, Any]:
    """An explicit certificate value signed by ``issuer`` (None: self-signed) — for CAs."""
    from v2x.security.primitives.curves import get as get_curve

    curve = get_curve(curve_name)
    tbs_bytes = codec.encode_type(BUNDLE, "ToBeSignedCertificate", tbs)
    if curve.name == "sm2":
        public = sm2_primitives.public_key(private_key)
    else:
        public = ecdsa.public_key(curve, private_key)
    signature = profiles.sign(curve, private_key, public, tbs_bytes,
                              None if issuer is None else issuer.data, hash_name)
    if issuer is None:
        issuer_id = ("self", hash_name)
    else:
        issuer_id = ({"sha256": "sha256AndDigest", "sha384": "sha384AndDigest",
                      "sm3": "sm3AndDigest"}[hash_name], issuer.hashed_id8)
    return {"version": 3, "type": "explicit", "issuer": issuer_id, "toBeSigned": tbs,
            "signature": signature}


def verification_key_value(curve_name: str, private_key: int) -> tuple[str, Any]:
    """The PublicVerificationKey value of a private key (compressed point)."""
    from v2x.security.primitives.curves import get as get_curve

    curve = get_curve(curve_name)
    if curve.name == "sm2":
        public = sm2_primitives.public_key(private_key)
    else:
        public = ecdsa.public_key(curve, private_key)
    return (profiles.KEY_OF_CURVE[curve.name], points.to_curve_point(curve, public, "compressed"))
