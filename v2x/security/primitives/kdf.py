"""KDF2 and MAC1 of IEEE 1609.2-2016 §5.3.5 (ECIES), as defined in IEEE Std 1363a-2004.

- KDF2 with SHA-256 (1363a §13.2), identical to the ANSI X9.63 KDF: the output is
  SHA-256(Z ‖ C₁ ‖ P) ‖ SHA-256(Z ‖ C₂ ‖ P) ‖ … truncated, with Cᵢ = i as 4 big-endian bytes,
  i = 1, 2, …, Z the shared secret and P the key-derivation parameter.
- MAC1 (1363a §14.4.1): HMAC-SHA256 of the message, truncated to its first 16 bytes.
"""

from __future__ import annotations

import hashlib
import hmac

from v2x.errors import CryptoError

MAC1_LENGTH = 16


def kdf2(shared_secret: bytes, length: int, parameter: bytes = b"") -> bytes:
    """``length`` bytes of KDF2-SHA256(Z, P)."""
    if not 0 <= length <= 32 * 0xFFFFFFFF:
        raise CryptoError(f"cannot derive {length} bytes", "kdf.kdf2")
    blocks = [
        hashlib.sha256(shared_secret + counter.to_bytes(4, "big") + parameter).digest()
        for counter in range(1, -(-length // 32) + 1)
    ]
    return b"".join(blocks)[:length]


def mac1(key: bytes, message: bytes) -> bytes:
    """MAC1: HMAC-SHA256(key, message) truncated to 16 bytes."""
    return hmac.digest(key, message, "sha256")[:MAC1_LENGTH]


def mac1_matches(key: bytes, message: bytes, tag: bytes) -> bool:
    """True when ``tag`` is the MAC1 of the message (constant-time comparison)."""
    return hmac.compare_digest(mac1(key, message), tag)
