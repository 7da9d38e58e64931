"""Verify received signed data: IEEE 1609.2 §5.2 and ETSI TS 103 097 v2.1.1 §7 receiver checks.

``verify(data, trust=..., clock=...)`` returns the payload and its facts, or raises
``VerificationError`` whose ``report`` says why (``v2x.security.reports.Report``). In order:
C-OER structure (canonical), signer (digest of a known certificate, or certificates carried in the
message, validated up to a trusted root and remembered), revocation, permissions for the PSID,
generation time against the clock and tolerances, expiry, signer certificate validity at the
generation time, generation location (or the receiver's position when absent) inside the
certificate region, the replay window, and last the signature itself.

The common shape of SPDU is read by ``spdu.read_signed`` straight from the bytes; anything else
goes through the schema decoder. Loaded public keys are cached per signer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from v2x.clock import Clock
from v2x.errors import (
    CertificateError,
    CryptoError,
    DecodeError,
    InvalidSignature,
    VerificationError,
)
from v2x.messages import codec
from v2x.security import profiles, regions, spdu
from v2x.security.certificates import BUNDLE, Certificate
from v2x.security.primitives import ecdsa
from v2x.security.primitives.curves import Curve
from v2x.security.primitives.curves import get as get_curve
from v2x.security.reports import Report
from v2x.security.trust import Chain, TrustStore


@dataclass(frozen=True)
class VerifiedData:
    """What a verified SPDU carried and who signed it."""

    payload: bytes
    psid: int
    ssp: tuple[str, Any] | None
    signer: bytes
    """HashedId8 of the signing certificate."""
    generation_time_us: int | None
    generation_location: tuple[int, int, int] | None
    chain: tuple[Certificate, ...]
    signer_certificate_included: bool


@dataclass(frozen=True)
class _Spdu:
    """The parts of a signed SPDU verification needs, whichever reader produced them."""

    hash_name: str
    tbs: bytes
    payload: bytes
    psid: int
    generation_time: int | None
    expiry_time: int | None
    location: tuple[int, int, int] | None
    signer_kind: str
    signer_digest: bytes | None
    signer_certificates: tuple[bytes, ...]
    signature: tuple[str, Any] | None
    signature_key: bytes
    ecdsa: tuple[Curve, int, int] | None = None
    """(curve, r, s) of an ECDSA signature read by the fast reader."""


def verify(data: bytes, *, trust: TrustStore, clock: Clock,
           position: tuple[int, int] | None = None) -> VerifiedData:
    """Check signed data as a receiver would; ``position`` is the receiver's (lat, lon) in
    1609.2 units (0.1 microdegree), used for the region check when the data carries no location.
    """
    message = _read(data)
    policy = trust.policy
    chain = _signer_chain(message, trust)
    leaf = chain.leaf
    if policy.revoked and not policy.revoked.isdisjoint(chain.revoked_ids):
        raise VerificationError(Report.REVOKED_CERTIFICATE, "the signer's chain holds a revoked "
                                "certificate")
    if message.psid not in leaf.app_permissions:
        raise VerificationError(Report.INSUFFICIENT_PERMISSIONS,
                                f"{leaf!r} does not permit PSID {message.psid}")
    now = clock.now_tai_us()
    generated = message.generation_time
    if generated is None:
        raise VerificationError(Report.INVALID_TIMESTAMP, "no generation time")
    if generated > now + policy.time_tolerance_us:
        raise VerificationError(Report.INVALID_TIMESTAMP,
                                f"generated {(generated - now) / 1e6:.3f} s in the future")
    if now - generated > policy.max_age_us:
        raise VerificationError(Report.INVALID_TIMESTAMP,
                                f"generated {(now - generated) / 1e6:.3f} s ago")
    if message.expiry_time is not None and message.expiry_time < now:
        raise VerificationError(Report.EXPIRED_MESSAGE, "expiry time has passed")
    if not leaf.valid_at(generated):
        raise VerificationError(Report.INVALID_CERTIFICATE,
                                f"{leaf!r} is not valid at the generation time")
    if message.location is None and message.psid in policy.location_required_psids:
        raise VerificationError(Report.INVALID_MOBILITY_DATA,
                                f"PSID {message.psid} needs a generation location")
    where = message.location[:2] if message.location is not None else position
    if (where is not None and chain.region is not None
            and regions.contains_point(chain.region, *where) is False):
        raise VerificationError(Report.OUTSIDE_REGION, "outside the signing certificate's region")
    if trust.seen_before(message.signature_key, now):
        raise VerificationError(Report.DUPLICATE_MESSAGE, "already received")
    signer_hash = leaf.digest if message.hash_name == leaf.hash_name else None
    try:
        if message.ecdsa is not None:  # fast path: r and s already integers
            curve, r, s = message.ecdsa
            digest = profiles.signed_digest(message.hash_name, message.tbs, leaf.data,
                                            signer_hash)
            ecdsa.verify_digest(curve, chain.verifier, digest, r, s)
        else:
            profiles.verify(message.signature, message.tbs, leaf.data, chain.verifier,
                            message.hash_name, signer_hash)
    except (InvalidSignature, CryptoError) as exc:
        raise VerificationError(Report.FALSE_SIGNATURE, str(exc)) from None
    trust.remember(message.signature_key, now)
    return VerifiedData(message.payload, message.psid, leaf.app_permissions.get(message.psid),
                        leaf.hashed_id8, generated, message.location, chain.certificates,
                        bool(message.signer_certificates))


def _signer_chain(message: _Spdu, trust: TrustStore) -> Chain:
    if message.signer_kind == "digest":
        chain = trust.lookup(message.signer_digest)
        if chain is None:
            trust.request_unknown(message.signer_digest)
            raise VerificationError(Report.UNKNOWN_SIGNER,
                                    f"no certificate known for {message.signer_digest.hex()}")
        return chain
    if message.signer_kind == "certificate":
        try:
            certificates = [trust.certificate(raw) for raw in message.signer_certificates]
        except DecodeError as exc:
            raise VerificationError(Report.INVALID_CERTIFICATE, str(exc)) from None
        for certificate in reversed(certificates[1:]):
            trust.learn(certificate)
        return trust.learn(certificates[0])
    raise VerificationError(Report.INVALID_CERTIFICATE, "self-signed data is not accepted")


def _read(data: bytes) -> _Spdu:
    try:
        fast = spdu.read_signed(data)
    except spdu.NotFastPath:
        return _read_with_schema(data)
    except DecodeError as exc:
        raise VerificationError(Report.INCOMPATIBLE_PROTOCOL, str(exc)) from None
    if fast.signature_curve == "sm2":
        signature = ("sm2Signature", {"rSig": fast.r, "sSig": fast.s})
        numbers = None
    else:
        curve = get_curve(fast.signature_curve)
        signature = None
        numbers = (curve, int.from_bytes(fast.r, "big") % curve.n, int.from_bytes(fast.s, "big"))
    certificates = () if fast.signer_certificate is None else (fast.signer_certificate,)
    return _Spdu(fast.hash_algorithm, fast.tbs_data, fast.payload, fast.psid,
                 fast.generation_time, fast.expiry_time, fast.generation_location,
                 fast.signer_kind, fast.signer_digest, certificates, signature,
                 fast.r + fast.s, numbers)


def _read_with_schema(data: bytes) -> _Spdu:
    try:
        value = codec.decode_type(BUNDLE, "Ieee1609Dot2Data", data)
    except DecodeError as exc:
        raise VerificationError(Report.INCOMPATIBLE_PROTOCOL, str(exc)) from None
    kind, content = value["content"]
    if kind != "signedData":
        raise VerificationError(Report.UNSIGNED_MESSAGE, f"content is {kind}")
    tbs = content["tbsData"]
    payload_data = tbs["payload"].get("data")
    if payload_data is None or payload_data["content"][0] != "unsecuredData":
        raise VerificationError(Report.UNSIGNED_MESSAGE, "no unsecured payload inside")
    header = tbs["headerInfo"]
    location = header.get("generationLocation")
    signer_kind, signer = content["signer"]
    certificates: tuple[bytes, ...] = ()
    if signer_kind == "certificate":
        try:
            certificates = tuple(codec.encode_type(BUNDLE, "Certificate", c) for c in signer)
        except (DecodeError, CertificateError) as exc:
            raise VerificationError(Report.INVALID_CERTIFICATE, str(exc)) from None
    signature = content["signature"]
    fields = signature[1]
    r_sig = fields["rSig"]
    key = (r_sig[1] if isinstance(r_sig, tuple) and isinstance(r_sig[1], bytes) else
           repr(r_sig).encode()) + fields["sSig"]
    return _Spdu(
        content["hashId"], codec.encode_type(BUNDLE, "ToBeSignedData", tbs),
        payload_data["content"][1], header["psid"], header.get("generationTime"),
        header.get("expiryTime"),
        None if location is None else (location["latitude"], location["longitude"],
                                       location["elevation"]),
        signer_kind, signer if signer_kind == "digest" else None, certificates, signature, key)
