"""What a signature covers, per profile: IEEE 1609.2 / ETSI TS 103 097 ECDSA and YD/T 3957 SM2.

IEEE 1609.2 §5.3.1 (and TS 103 097, which profiles it): the signer signs
``Hash(Hash(tbs) ‖ Hash(signer))`` where ``tbs`` is the canonical encoding of ToBeSignedData (or
ToBeSignedCertificate) and ``signer`` the canonical encoding of the signer's certificate, or the
empty string when the data is self-signed; ``Hash`` is SHA-256 or SHA-384 as the data's hashId or
the certificate's issuer says. YD/T 3957 (SM2 with SM3): ``e = SM3(Z_A ‖ tbs)``, where Z_A takes as
user ID the SM3 hash of the signer's certificate, or the default ID "1234567812345678" when
self-signed.
"""

from __future__ import annotations

from typing import Any

from v2x.errors import CryptoError
from v2x.security.primitives import ecdsa, sm2
from v2x.security.primitives.curves import Curve
from v2x.security.primitives.curves import get as get_curve
from v2x.security.primitives.hashing import hash_for, sm3

SIGNATURE_CURVES = {
    "ecdsaNistP256Signature": "nistP256",
    "ecdsaBrainpoolP256r1Signature": "brainpoolP256r1",
    "ecdsaBrainpoolP384r1Signature": "brainpoolP384r1",
    "ecdsaNistP384Signature": "nistP384",
    "sm2Signature": "sm2",
}
"""Signature CHOICE alternative (1609.2 §6.3.28) -> curve."""

KEY_CURVES = {
    "ecdsaNistP256": "nistP256",
    "ecdsaBrainpoolP256r1": "brainpoolP256r1",
    "ecdsaBrainpoolP384r1": "brainpoolP384r1",
    "ecdsaNistP384": "nistP384",
    "ecsigSm2": "sm2",
}
"""PublicVerificationKey CHOICE alternative (1609.2 §6.4.37) -> curve."""

SIGNATURE_OF_CURVE = {curve: name for name, curve in SIGNATURE_CURVES.items()}
KEY_OF_CURVE = {curve: name for name, curve in KEY_CURVES.items()}


def signed_digest(hash_name: str, tbs: bytes, signer: bytes | None,
                  signer_hash: bytes | None = None) -> bytes:
    """``Hash(Hash(tbs) ‖ Hash(signer))`` (1609.2 §5.3.1); ``signer`` None means self-signed.

    ``signer_hash`` may give Hash(signer) already computed (a receiver caches it per signer).
    """
    h = hash_for(hash_name)
    return h(h(tbs) + (signer_hash if signer_hash is not None else h(signer or b"")))


def sm2_user_id(signer: bytes | None) -> bytes:
    """YD/T 3957: the SM2 user ID is SM3(signer certificate), or the default ID if self-signed."""
    return sm3(signer) if signer else sm2.DEFAULT_USER_ID


def verify(signature: tuple[str, Any], tbs: bytes, signer: bytes | None, public_key: Any,
           hash_name: str, signer_hash: bytes | None = None) -> None:
    """Check a 1609.2 ``Signature`` value over ``tbs``; InvalidSignature if it does not verify.

    ``public_key``: the signer's key in a form ``points.as_point`` reads, or an OpenSSL key;
    ``signer_hash``: Hash(signer) with ``hash_name``, if already known.
    """
    alternative, fields = signature
    curve = curve_of_signature(alternative)
    if curve.name == "sm2":
        r = int.from_bytes(fields["rSig"], "big")
        s = int.from_bytes(fields["sSig"], "big")
        e = sm2.digest_e(public_key, tbs, sm2_user_id(signer))
        sm2.verify_e(public_key, e, r, s)
        return
    r, s = ecdsa.from_signature_fields(curve, fields)
    digest = signed_digest(hash_name, tbs, signer, signer_hash)
    ecdsa.verify_digest(curve, public_key, digest, r, s)


def sign(curve: Curve | str, private_key: int, public_key: Any, tbs: bytes, signer: bytes | None,
         hash_name: str) -> tuple[str, dict[str, Any]]:
    """A 1609.2 ``Signature`` value over ``tbs`` (rSig x-only for ECDSA)."""
    c = get_curve(curve)
    if c.name == "sm2":
        e = sm2.digest_e(public_key, tbs, sm2_user_id(signer))
        r, s = sm2.sign_e(private_key, e)
        fields = {"rSig": r.to_bytes(32, "big"), "sSig": s.to_bytes(32, "big")}
        return ("sm2Signature", fields)
    r, s = ecdsa.sign_digest(c, private_key, signed_digest(hash_name, tbs, signer))
    return (SIGNATURE_OF_CURVE[c.name], ecdsa.signature_fields(c, r, s))


def curve_of_signature(alternative: str) -> Curve:
    """The curve of a Signature alternative; CryptoError for one outside the profiles."""
    name = SIGNATURE_CURVES.get(alternative)
    if name is None:
        raise CryptoError(f"unsupported signature {alternative}", "signature")
    return get_curve(name)


def curve_of_key(alternative: str) -> Curve:
    """The curve of a PublicVerificationKey alternative."""
    name = KEY_CURVES.get(alternative)
    if name is None:
        raise CryptoError(f"unsupported verification key {alternative}", "verificationKey")
    return get_curve(name)
