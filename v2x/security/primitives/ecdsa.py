"""ECDSA over a digest for IEEE 1609.2-2016 §5.3.1 / §6.3.29-§6.3.31 and ETSI TS 103 097 §5.

The curves are nistP256, nistP384, brainpoolP256r1 and brainpoolP384r1; OpenSSL does the
arithmetic through ``cryptography``'s ``ECDSA(Prehashed(...))``. Functions take the *digest*
(1609.2 signs ``Hash(Hash(tbsData) ‖ Hash(signer))``, built by the caller), not the message.

Signatures are ``(r, s)`` integers. In 1609.2 ``EcdsaP256Signature.rSig`` is a curve point: either
``x-only`` (the x-coordinate of R) or a compressed / uncompressed R, which allows fast
verification; either way only x matters to verification: ``r = x mod n`` (SEC 1 v2 §4.1.4 step
7). ``verify_digest`` takes r as an int or as such a curve-point value. ``sign_digest`` produces
``(r, s)``; ``signature_fields`` writes it with an ``x-only`` rSig (OpenSSL does not reveal the y
of R, so a compressed rSig cannot be produced here).

Loaded public keys are cached per (curve, encoded point): loading a compressed key into OpenSSL
costs 25-60 µs, more than a P-256 verification's share of work. Private keys given as integers
are cached the same way. These caches are the only state.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature as _OpenSSLInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

from v2x.errors import CryptoError, InvalidSignature
from v2x.security.primitives import points
from v2x.security.primitives.arithmetic import Point, multiply_base
from v2x.security.primitives.curves import Curve, get

PrivateKey = int | bytes | ec.EllipticCurvePrivateKey
PublicKey = Point | bytes | tuple[str, Any] | ec.EllipticCurvePublicKey

_PREHASHED = {
    32: ec.ECDSA(Prehashed(hashes.SHA256())),
    48: ec.ECDSA(Prehashed(hashes.SHA384())),
    64: ec.ECDSA(Prehashed(hashes.SHA512())),
}


def _algorithm(digest: bytes, path: str, deterministic: bool = False) -> ec.ECDSA:
    algorithm = _PREHASHED.get(len(digest))
    if algorithm is None:
        raise CryptoError(f"a {len(digest)}-byte digest; expected 32, 48 or 64 bytes", path)
    if deterministic:
        return ec.ECDSA(algorithm.algorithm, deterministic_signing=True)
    return algorithm


def _openssl_curve(curve: Curve, path: str) -> Curve:
    if curve.openssl is None:
        raise CryptoError(f"ECDSA is not defined on {curve.name} (use sm2.py)", path)
    return curve


@lru_cache(maxsize=4096)
def _load_public(curve: Curve, encoded: bytes) -> ec.EllipticCurvePublicKey:
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curve.openssl_curve(), encoded)
    except ValueError as exc:
        raise CryptoError(f"not a public key of {curve.name}: {exc}", "ecdsa.public_key") from None


@lru_cache(maxsize=256)
def _load_private(curve: Curve, value: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(value, curve.openssl_curve())


def _encoded(curve: Curve, public: Any, path: str) -> bytes:
    """The SEC 1 bytes that identify a key in the cache, with as little Python work as possible."""
    size = curve.size
    if isinstance(public, bytes | bytearray):
        return bytes(public)
    if isinstance(public, tuple) and len(public) == 2:
        name, value = public
        if isinstance(name, str):
            if name.startswith("compressed-y-") and isinstance(value, bytes | bytearray):
                if len(value) != size:
                    raise CryptoError(f"{name} needs {size} bytes for {curve.name}", path)
                return bytes((2 | int(name[-1]),)) + bytes(value)
            return points.encode(curve, points.from_curve_point(curve, public), compressed=False)
        if isinstance(name, int) and isinstance(value, int):
            if not (0 <= name < curve.p and 0 <= value < curve.p):
                raise CryptoError(f"coordinates out of range for {curve.name}", path)
            return b"\x04" + name.to_bytes(size, "big") + value.to_bytes(size, "big")
    raise CryptoError(f"cannot read a public key from {type(public).__name__}", path)


def load_public_key(curve: Curve | str, public: PublicKey) -> ec.EllipticCurvePublicKey:
    """An OpenSSL public key object (cached) from any point form: see ``points.as_point``."""
    c = _openssl_curve(get(curve), "ecdsa.load_public_key")
    if isinstance(public, ec.EllipticCurvePublicKey):
        if public.curve.name != c.openssl_curve().name:
            raise CryptoError(f"a {public.curve.name} key used as {c.name}", "ecdsa.public_key")
        return public
    return _load_public(c, _encoded(c, public, "ecdsa.load_public_key"))


def load_private_key(curve: Curve | str, private: PrivateKey) -> ec.EllipticCurvePrivateKey:
    """An OpenSSL private key object (cached for integer / byte scalars)."""
    c = _openssl_curve(get(curve), "ecdsa.load_private_key")
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return private
    value = _scalar(c, private, "ecdsa.load_private_key")
    return _load_private(c, value)


def _scalar(curve: Curve, private: int | bytes, path: str) -> int:
    if isinstance(private, bytes | bytearray):
        if len(private) != curve.size:
            raise CryptoError(f"a {len(private)}-byte private key for {curve.name}", path)
        private = int.from_bytes(private, "big")
    if not isinstance(private, int) or not 1 <= private < curve.n:
        raise CryptoError(f"private key outside [1, n-1] of {curve.name}", path)
    return private


def generate_private_key(curve: Curve | str) -> int:
    """A uniformly random private scalar in [1, n − 1] (``secrets``)."""
    c = get(curve)
    return secrets.randbelow(c.n - 1) + 1


def public_key(curve: Curve | str, private: PrivateKey) -> Point:
    """The public point d·G of a private key (OpenSSL where it has the curve)."""
    c = get(curve)
    if c.openssl is None:
        point = multiply_base(c, _scalar(c, private, "ecdsa.public_key"))  # type: ignore[arg-type]
        assert point is not None
        return point
    numbers = load_private_key(c, private).public_key().public_numbers()
    return numbers.x, numbers.y


def export_public_key(curve: Curve | str, point: PublicKey, form: str = "compressed") -> Any:
    """A public key as a 1609.2 curve-point value (``form``: compressed / uncompressed)."""
    c = get(curve)
    return points.to_curve_point(c, points.as_point(c, point), form)


def public_key_bytes(curve: Curve | str, point: PublicKey, compressed: bool = True) -> bytes:
    """A public key as SEC 1 bytes (``02/03‖x`` or ``04‖x‖y``)."""
    c = get(curve)
    return points.encode(c, points.as_point(c, point), compressed)


def sign_digest(
    curve: Curve | str, private: PrivateKey, digest: bytes, *, deterministic: bool = False
) -> tuple[int, int]:
    """ECDSA signature ``(r, s)`` of a digest (32, 48 or 64 bytes).

    ``deterministic=True`` derives the nonce as RFC 6979 does (needs OpenSSL ≥ 3.2).
    """
    c = _openssl_curve(get(curve), "ecdsa.sign_digest")
    key = load_private_key(c, private)
    try:
        der = key.sign(digest, _algorithm(digest, "ecdsa.sign_digest", deterministic))
    except UnsupportedAlgorithm as exc:
        raise CryptoError(str(exc), "ecdsa.sign_digest") from None
    return decode_dss_signature(der)


def r_value(curve: Curve | str, r: int | tuple[str, Any]) -> int:
    """The integer r of a signature whose rSig is an int or a 1609.2 curve point (x mod n)."""
    c = get(curve)
    if isinstance(r, tuple):
        return points.x_of_curve_point(c, r) % c.n
    return r


def verify_digest(
    curve: Curve | str,
    public: PublicKey,
    digest: bytes,
    r: int | tuple[str, Any],
    s: int,
) -> None:
    """Check an ECDSA signature over a digest; raise InvalidSignature when it does not verify.

    ``public`` is any point form (see ``points.as_point``) or an OpenSSL key; r is an integer or
    the 1609.2 rSig curve point (x-only or a point: only its x is used). A key that is not on the
    curve raises CryptoError.
    """
    c = _openssl_curve(get(curve), "ecdsa.verify")
    r_int = r_value(c, r)
    if not (isinstance(s, int) and 1 <= r_int < c.n and 1 <= s < c.n):
        raise InvalidSignature("r or s outside [1, n-1]", "ecdsa.verify")
    key = load_public_key(c, public)
    try:
        key.verify(encode_dss_signature(r_int, s), digest, _algorithm(digest, "ecdsa.verify"))
    except _OpenSSLInvalidSignature:
        raise InvalidSignature(f"{c.name} signature does not verify", "ecdsa.verify") from None


def signature_fields(curve: Curve | str, r: int, s: int) -> dict[str, Any]:
    """``EcdsaP256Signature`` / ``EcdsaP384Signature`` as asn1tools values, rSig x-only."""
    c = get(curve)
    size = c.size
    return {"rSig": ("x-only", r.to_bytes(size, "big")), "sSig": s.to_bytes(size, "big")}


def from_signature_fields(curve: Curve | str, fields: dict[str, Any]) -> tuple[int, int]:
    """``(r, s)`` of an ``EcdsaP256Signature`` / ``EcdsaP384Signature`` asn1tools value."""
    c = get(curve)
    s_bytes = fields.get("sSig")
    if not isinstance(s_bytes, bytes | bytearray) or len(s_bytes) != c.size:
        raise CryptoError(f"sSig needs {c.size} bytes for {c.name}", "ecdsa.signature")
    return r_value(c, fields.get("rSig")), int.from_bytes(s_bytes, "big")  # type: ignore[arg-type]
