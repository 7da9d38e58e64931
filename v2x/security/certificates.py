"""IEEE 1609.2 certificates (as ETSI TS 103 097 v2.1.1 and YD/T 3957 profile them), read once.

A ``Certificate`` keeps its canonical C-OER bytes and decoded value and answers what validation
needs: its HashedId8 (1609.2 §6.4.3: the low 8 bytes of the hash of the whole certificate, with
the certificate's own hash: SHA-384 for P-384 and brainpoolP384r1 keys, SM3 for SM2, else
SHA-256), issuer, validity (Time32 start plus Duration, §6.4.14 to 6.4.16), region, permissions,
verification key (explicit) or reconstruction value (implicit, §5.3.2), and signature.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from v2x.errors import CertificateError, CryptoError, DecodeError
from v2x.messages import codec
from v2x.security import profiles
from v2x.security.primitives import ecqv, points
from v2x.security.primitives.curves import Curve
from v2x.security.primitives.curves import get as get_curve
from v2x.security.primitives.hashing import hash_for, hashed_id3, hashed_id8

BUNDLE = "security"
US = 1_000_000
YEAR_S = 31_556_952
"""1609.2 §6.4.16: a Duration in years counts 31 556 952 seconds (365.2425 days)."""
DURATION_US = {
    "microseconds": 1, "milliseconds": 1_000, "seconds": US, "minutes": 60 * US,
    "hours": 3_600 * US, "sixtyHours": 216_000 * US, "years": YEAR_S * US,
}
ISSUER_HASHES = {"sha256AndDigest": "sha256", "sha384AndDigest": "sha384", "sm3AndDigest": "sm3"}


@dataclass(frozen=True, eq=False)
class Certificate:
    """One certificate: its canonical bytes, its decoded value and what validation reads."""

    data: bytes
    value: dict[str, Any]

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Certificate:
        """Decode canonical C-OER; DecodeError for anything else."""
        data = bytes(data)
        return cls(data, codec.decode_type(BUNDLE, "Certificate", data))

    @classmethod
    def from_value(cls, value: dict[str, Any]) -> Certificate:
        """Encode a certificate value (e.g. one built by a CA)."""
        return cls.from_bytes(codec.encode_type(BUNDLE, "Certificate", value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.data == self.data

    def __hash__(self) -> int:
        return hash(self.data)

    def __repr__(self) -> str:
        return f"Certificate({self.name or '-'}, {self.hashed_id8.hex()})"

    # ------------------------------------------------------------------ identity

    @functools.cached_property
    def tbs(self) -> dict[str, Any]:
        return self.value["toBeSigned"]

    @functools.cached_property
    def tbs_data(self) -> bytes:
        """The canonical encoding of ToBeSignedCertificate (what the signature covers)."""
        return codec.encode_type(BUNDLE, "ToBeSignedCertificate", self.tbs)

    @property
    def explicit(self) -> bool:
        return self.value["type"] == "explicit"

    @functools.cached_property
    def curve(self) -> Curve:
        """The curve of the verification key (or of the reconstruction value: P-256)."""
        kind, key = self.tbs["verifyKeyIndicator"]
        if kind == "verificationKey":
            return profiles.curve_of_key(key[0])
        if kind == "reconstructionValue":
            return get_curve("nistP256")
        raise CertificateError(f"unsupported verifyKeyIndicator {kind}", "Certificate")

    @functools.cached_property
    def hash_name(self) -> str:
        """The certificate's own hash (1609.2 §6.4.3): it names the HashedId8 algorithm."""
        return self.curve.hash_name

    @functools.cached_property
    def digest(self) -> bytes:
        """The full hash of the certificate with its own algorithm."""
        return hash_for(self.hash_name)(self.data)

    @functools.cached_property
    def hashed_id8(self) -> bytes:
        return hashed_id8(self.data, self.hash_name)

    @functools.cached_property
    def hashed_id3(self) -> bytes:
        return hashed_id3(self.data, self.hash_name)

    @property
    def name(self) -> str | None:
        kind, value = self.tbs["id"]
        return value if kind == "name" else None

    # ------------------------------------------------------------------ issuer and time

    @property
    def self_signed(self) -> bool:
        return self.value["issuer"][0] == "self"

    @property
    def issuer_id(self) -> bytes | None:
        """The issuer's HashedId8, or None for a self-signed certificate."""
        kind, value = self.value["issuer"]
        return None if kind == "self" else value

    @property
    def issuer_hash_name(self) -> str:
        """The hash of the issuer (and of this certificate's signature input)."""
        kind, value = self.value["issuer"]
        if kind == "self":
            return value
        found = ISSUER_HASHES.get(kind)
        if found is None:
            raise CertificateError(f"unsupported issuer identifier {kind}", "Certificate.issuer")
        return found

    @functools.cached_property
    def start_tai_us(self) -> int:
        return self.tbs["validityPeriod"]["start"] * US

    @functools.cached_property
    def end_tai_us(self) -> int:
        unit, count = self.tbs["validityPeriod"]["duration"]
        return self.start_tai_us + count * DURATION_US[unit]

    def valid_at(self, tai_us: int) -> bool:
        return self.start_tai_us <= tai_us < self.end_tai_us

    # ------------------------------------------------------------------ permissions

    @functools.cached_property
    def app_permissions(self) -> dict[int, tuple[str, Any] | None]:
        """PSID -> ServiceSpecificPermissions (None when the certificate gives no SSP)."""
        return {entry["psid"]: entry.get("ssp") for entry in self.tbs.get("appPermissions", [])}

    @property
    def issue_permissions(self) -> list[dict[str, Any]]:
        return list(self.tbs.get("certIssuePermissions", []))

    @property
    def region(self) -> tuple[str, Any] | None:
        return self.tbs.get("region")

    # ------------------------------------------------------------------ keys and signature

    @functools.cached_property
    def verification_key(self) -> tuple[str, Any] | None:
        """The explicit public key as a 1609.2 curve point, or None (implicit certificate)."""
        kind, key = self.tbs["verifyKeyIndicator"]
        return key[1] if kind == "verificationKey" else None

    def public_key(self, issuer: Certificate | None = None) -> tuple[int, int]:
        """The subject's public key; an implicit certificate needs its issuer (ECQV §5.3.2)."""
        kind, key = self.tbs["verifyKeyIndicator"]
        if kind == "verificationKey":
            return points.as_point(self.curve, key[1], "Certificate.verificationKey")
        if issuer is None:
            raise CertificateError("an implicit certificate needs its issuer's key",
                                   "Certificate.verifyKeyIndicator")
        e = ecqv.implicit_e(self.curve, self.tbs_data, hash_for(self.curve.hash_name)(issuer.data))
        return ecqv.reconstruct_public_key(self.curve, key, e, issuer.public_key())

    def verify_signature(self, issuer: Certificate | None) -> None:
        """Check the certificate's signature with its issuer (None: self-signed); raise
        InvalidSignature or CertificateError."""
        if not self.explicit:
            return  # implicit: authenticated by the key reconstruction, not a signature
        signature = self.value.get("signature")
        if signature is None:
            raise CertificateError("explicit certificate without signature", "Certificate")
        signer = self if issuer is None else issuer
        try:
            profiles.verify(signature, self.tbs_data, None if issuer is None else issuer.data,
                            signer.public_key(), self.issuer_hash_name)
        except CryptoError as exc:
            raise CertificateError(str(exc), "Certificate.signature") from None


def read_certificate(data: bytes) -> Certificate:
    """A certificate from bytes, with CertificateError (not DecodeError) for bad input."""
    try:
        return Certificate.from_bytes(data)
    except DecodeError as exc:
        raise CertificateError(exc.reason, exc.path) from None
