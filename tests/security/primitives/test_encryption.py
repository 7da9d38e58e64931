"""IEEE 1609.2a-2017 Annex D vectors: AES-128-CCM, ECIES key wrap, MAC1, KDF2; plus round trips."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF

from tests.support import load_json
from v2x.errors import CryptoError
from v2x.security.primitives import ccm, curves, ecdsa, ecies, kdf, points

ANNEX_D = load_json("ieee1609dot2-annexD", "annexD_crypto_vectors.json")["vectors"]


def by_section(vectors):
    return pytest.mark.parametrize("v", vectors, ids=[v["section"] for v in vectors])


@by_section(ANNEX_D["aes128ccm"])
def test_aes_ccm_vectors(v):
    key, nonce = bytes.fromhex(v["key"]), bytes.fromhex(v["nonce"])
    plaintext, expected = bytes.fromhex(v["plaintext"]), bytes.fromhex(v["ciphertext_and_tag"])
    assert ccm.encrypt(key, nonce, plaintext) == expected
    assert len(expected) == len(plaintext) + ccm.TAG_LENGTH
    assert ccm.decrypt(key, nonce, expected) == plaintext
    tampered = expected[:5] + bytes([expected[5] ^ 0x80]) + expected[6:]
    with pytest.raises(CryptoError) as caught:
        ccm.decrypt(key, nonce, tampered)
    assert caught.value.path == "ccm.decrypt"
    with pytest.raises(CryptoError):
        ccm.decrypt(key, bytes(12), expected)


def test_aes_ccm_checks_lengths_and_associated_data():
    key, nonce = bytes(16), bytes(12)
    sealed = ccm.encrypt(key, nonce, b"payload", b"header")
    assert ccm.decrypt(key, nonce, sealed, b"header") == b"payload"
    with pytest.raises(CryptoError):
        ccm.decrypt(key, nonce, sealed, b"other header")
    for bad_key, bad_nonce in ((bytes(32), nonce), (bytes(15), nonce), (key, bytes(13))):
        with pytest.raises(CryptoError):
            ccm.encrypt(bad_key, bad_nonce, b"x")
    with pytest.raises(CryptoError):
        ccm.decrypt(key, nonce, bytes(15))


@by_section(ANNEX_D["ecies_p256"])
def test_ecies_vectors_with_the_corrected_p1(v):
    curve = curves.NIST_P256
    recipient = (int(v["recipient_public_x"], 16), int(v["recipient_public_y"], 16))
    assert ecdsa.public_key(curve, int(v["recipient_private"], 16)) == recipient
    p1 = bytes.fromhex(v["P1_recipient_info_hash"])
    aes_key = bytes.fromhex(v["aes_key_to_wrap"])
    wrapped = ecies.encrypt_key(curve, recipient, aes_key, p1,
                                ephemeral_private=int(v["ephemeral_private"], 16))
    assert wrapped.v == (int(v["ephemeral_public_x"], 16), int(v["ephemeral_public_y"], 16))
    assert wrapped.c.hex() == v["expected_C"]
    assert wrapped.t.hex() == v["expected_T"]
    # the recipient unwraps from V as it travels (a compressed EccP256CurvePoint)
    fields = wrapped.fields(curve)
    assert fields["v"][0].startswith("compressed-y-") and fields["c"] == wrapped.c
    recipient_private = int(v["recipient_private"], 16)
    assert ecies.decrypt_key(curve, recipient_private, fields["v"], fields["c"], fields["t"],
                             p1) == aes_key
    with pytest.raises(CryptoError) as caught:
        ecies.decrypt_key(curve, recipient_private, fields["v"], wrapped.c, wrapped.t, bytes(32))
    assert caught.value.path == "ecies.decrypt"
    with pytest.raises(CryptoError):
        ecies.decrypt_key(curve, recipient_private, fields["v"], wrapped.c,
                          bytes([wrapped.t[0] ^ 1]) + wrapped.t[1:], p1)


@pytest.mark.parametrize("curve", [curves.NIST_P256, curves.BRAINPOOL_P256R1],
                         ids=lambda c: c.name)
def test_ecies_round_trip_with_fresh_ephemeral_keys(curve):
    recipient_private = ecdsa.generate_private_key(curve)
    recipient_public = ecdsa.public_key(curve, recipient_private)
    p1 = bytes(range(32))
    key = bytes(range(16, 32))
    first = ecies.encrypt_key(curve, points.to_curve_point(curve, recipient_public), key, p1)
    second = ecies.encrypt_key(curve, recipient_public, key, p1)
    assert first.v != second.v and first.c != second.c  # a new ephemeral key each time
    for wrapped in (first, second):
        assert ecies.decrypt_key(curve, recipient_private, wrapped.v, wrapped.c, wrapped.t,
                                 p1) == key
    intruder = ecdsa.generate_private_key(curve)
    with pytest.raises(CryptoError):
        ecies.decrypt_key(curve, intruder, first.v, first.c, first.t, p1)


def test_ecies_shared_secret_is_symmetric():
    curve = curves.BRAINPOOL_P256R1
    a, b = ecdsa.generate_private_key(curve), ecdsa.generate_private_key(curve)
    z = ecies.shared_secret(curve, a, ecdsa.public_key(curve, b))
    assert z == ecies.shared_secret(curve, b, ecdsa.public_key(curve, a))
    assert len(z) == 32


@by_section(ANNEX_D["mac1_hmac_sha256_trunc128"])
def test_mac1_vectors(v):
    key, message = bytes.fromhex(v["key"]), bytes.fromhex(v["msg"])
    assert kdf.mac1(key, message).hex() == v["tag"]
    assert kdf.mac1_matches(key, message, bytes.fromhex(v["tag"]))
    assert not kdf.mac1_matches(key, message + b"!", bytes.fromhex(v["tag"]))


@by_section(ANNEX_D["kdf2_sha256"])
def test_kdf2_vectors(v):
    secret, parameter = bytes.fromhex(v["shared_secret"]), bytes.fromhex(v["kdp"])
    expected = bytes.fromhex(v["output"])
    assert kdf.kdf2(secret, len(expected), parameter) == expected
    # KDF2 of IEEE 1363a is the ANSI X9.63 KDF: cryptography's X963KDF agrees
    x963 = X963KDF(algorithm=hashes.SHA256(), length=len(expected), sharedinfo=parameter)
    assert x963.derive(secret) == expected


def test_kdf2_lengths():
    assert kdf.kdf2(b"z", 0) == b""
    assert kdf.kdf2(b"z", 33)[:32] == kdf.kdf2(b"z", 32)
    with pytest.raises(CryptoError):
        kdf.kdf2(b"z", -1)
