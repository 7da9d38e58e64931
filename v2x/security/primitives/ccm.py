"""AES-128-CCM of IEEE 1609.2-2016 §5.3.8 (NIST SP 800-38C): 12-byte nonce, 16-byte tag.

``encrypt`` returns the ciphertext followed by the tag, as 1609.2 ``AesCcmCiphertext.ccmCiphertext``
carries it; ``decrypt`` checks the tag and raises CryptoError when it does not match. OpenSSL does
the work through ``cryptography``'s ``AESCCM``.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from v2x.errors import CryptoError

KEY_LENGTH = 16
NONCE_LENGTH = 12
TAG_LENGTH = 16


def _cipher(key: bytes, nonce: bytes, path: str) -> AESCCM:
    if len(key) != KEY_LENGTH:
        raise CryptoError(f"a {len(key)}-byte key; AES-128-CCM needs {KEY_LENGTH}", path)
    if len(nonce) != NONCE_LENGTH:
        raise CryptoError(f"a {len(nonce)}-byte nonce; 1609.2 uses {NONCE_LENGTH}", path)
    return AESCCM(key, tag_length=TAG_LENGTH)


def encrypt(
    key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes | None = None
) -> bytes:
    """Ciphertext ‖ 16-byte tag."""
    return _cipher(key, nonce, "ccm.encrypt").encrypt(nonce, plaintext, associated_data)


def decrypt(
    key: bytes, nonce: bytes, ciphertext: bytes, associated_data: bytes | None = None
) -> bytes:
    """The plaintext of ciphertext ‖ tag; CryptoError when the tag does not match."""
    cipher = _cipher(key, nonce, "ccm.decrypt")
    if len(ciphertext) < TAG_LENGTH:
        raise CryptoError("ciphertext shorter than the tag", "ccm.decrypt")
    try:
        return cipher.decrypt(nonce, ciphertext, associated_data)
    except InvalidTag:
        raise CryptoError("AES-CCM tag does not match (wrong key, nonce or data)",
                          "ccm.decrypt") from None
