"""ECIES key encryption of IEEE 1609.2-2016 §5.3.5 (IEEE 1363a ECIES, non-DHAES mode).

Wraps a 16-byte AES-CCM key K for a recipient's public key R (nistP256 or brainpoolP256r1):

1. an ephemeral key pair (v, V = v·G);
2. Z = x-coordinate of v·R (ECSVDP-DHC; the cofactor is 1);
3. K1 ‖ K2 = KDF2-SHA256(Z, P1), 16 + 32 bytes, where P1 is the hash of the recipient info
   (SHA-256 of the recipient's certificate, or of the empty string; IEEE 1609.2a-2017 Annex D
   prints a wrong P1, the corrected values are in the test fixture);
4. C = K ⊕ K1; T = MAC1(K2, C) (HMAC-SHA256 truncated to 16 bytes; P2 is empty).

The result ``(V, C, T)`` is the ``EciesP256EncryptedKey`` {v, c, t}. ``encrypt_key`` takes the
ephemeral private key as an argument for test vectors; by default it draws a fresh one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric import ec

from v2x.errors import CryptoError
from v2x.security.primitives import ecdsa, points
from v2x.security.primitives.arithmetic import Point
from v2x.security.primitives.curves import Curve, get
from v2x.security.primitives.kdf import kdf2, mac1, mac1_matches

MAC_KEY_LENGTH = 32


class EncryptedKey(NamedTuple):
    """``EciesP256EncryptedKey``: the ephemeral public point V, the masked key C and the tag T."""

    v: Point
    c: bytes
    t: bytes

    def fields(self, curve: Curve | str, form: str = "compressed") -> dict[str, Any]:
        """The asn1tools value {v, c, t}, V as a 1609.2 curve point."""
        return {"v": points.to_curve_point(get(curve), self.v, form), "c": self.c, "t": self.t}


def shared_secret(curve: Curve | str, private: ecdsa.PrivateKey, public: Any) -> bytes:
    """Z: the x-coordinate of private·public, as ``curve.size`` bytes (ECSVDP-DH)."""
    c = get(curve)
    key = ecdsa.load_private_key(c, private)
    return key.exchange(ec.ECDH(), ecdsa.load_public_key(c, public))


def _derive(z: bytes, size: int, p1: bytes) -> tuple[bytes, bytes]:
    material = kdf2(z, size + MAC_KEY_LENGTH, p1)
    return material[:size], material[size:]


def encrypt_key(
    curve: Curve | str,
    recipient_public: Any,
    key: bytes,
    p1: bytes,
    *,
    ephemeral_private: ecdsa.PrivateKey | None = None,
) -> EncryptedKey:
    """Wrap ``key`` (16 bytes) for the recipient; returns (V, C, T)."""
    c = get(curve)
    if ephemeral_private is None:
        ephemeral_private = ecdsa.generate_private_key(c)
    v = ecdsa.public_key(c, ephemeral_private)
    k1, k2 = _derive(shared_secret(c, ephemeral_private, recipient_public), len(key), p1)
    masked = bytes(a ^ b for a, b in zip(key, k1, strict=True))
    return EncryptedKey(v, masked, mac1(k2, masked))


def decrypt_key(
    curve: Curve | str,
    recipient_private: ecdsa.PrivateKey,
    ephemeral_public: Any,
    c: bytes,
    t: bytes,
    p1: bytes,
) -> bytes:
    """Unwrap the key of (V, C, T); CryptoError when the tag does not match."""
    crv = get(curve)
    k1, k2 = _derive(shared_secret(crv, recipient_private, ephemeral_public), len(c), p1)
    if not mac1_matches(k2, c, t):
        raise CryptoError("ECIES tag does not match (wrong key, P1 or data)", "ecies.decrypt")
    return bytes(a ^ b for a, b in zip(c, k1, strict=True))
