"""ECDSA over a digest on the four 1609.2 curves: round trips, rSig forms, known vectors."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

from tests.support import FIXTURES, load_json
from v2x.errors import CryptoError, InvalidSignature
from v2x.security.primitives import curves, ecdsa, points

ECDSA_CURVES = [c for c in curves.CURVES.values() if c.openssl is not None]


def digest_for(curve: curves.Curve, message: bytes) -> bytes:
    return hashlib.new(curve.hash_name, message).digest()


@pytest.fixture(params=ECDSA_CURVES, ids=lambda c: c.name)
def keypair(request):
    curve = request.param
    private = ecdsa.generate_private_key(curve)
    return curve, private, ecdsa.public_key(curve, private)


def test_sign_then_verify_round_trip(keypair):
    curve, private, public = keypair
    digest = digest_for(curve, b"a CAM payload")
    r, s = ecdsa.sign_digest(curve, private, digest)
    assert 1 <= r < curve.n and 1 <= s < curve.n
    ecdsa.verify_digest(curve, public, digest, r, s)
    ecdsa.verify_digest(curve.name, points.encode(curve, public), digest, r, s)


def test_a_wrong_digest_or_a_changed_s_fails(keypair):
    curve, private, public = keypair
    digest = digest_for(curve, b"original")
    r, s = ecdsa.sign_digest(curve, private, digest)
    with pytest.raises(InvalidSignature) as caught:
        ecdsa.verify_digest(curve, public, digest_for(curve, b"tampered"), r, s)
    assert caught.value.path == "ecdsa.verify"
    flipped = bytes([digest[0] ^ 0x01]) + digest[1:]
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, public, flipped, r, s)
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, public, digest, r, s ^ 1)
    other = ecdsa.public_key(curve, ecdsa.generate_private_key(curve))
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, other, digest, r, s)


def r_point(curve: curves.Curve, public, digest: bytes, r: int, s: int):
    """R = u1·G + u2·Q, recomputed in pure Python, to build rSig as a point."""
    from v2x.security.primitives import arithmetic

    e = int.from_bytes(digest, "big") >> max(0, 8 * len(digest) - curve.n.bit_length())
    w = pow(s, -1, curve.n)
    point = arithmetic.multiply_add(curve, e * w, r * w, public)
    assert point is not None and point[0] % curve.n == r
    return point


def test_r_as_x_only_and_as_a_compressed_or_uncompressed_point(keypair):
    curve, private, public = keypair
    digest = digest_for(curve, b"rSig forms")
    r, s = ecdsa.sign_digest(curve, private, digest)
    big_r = r_point(curve, public, digest, r, s)
    for form in ("x-only", "compressed", "uncompressed"):
        ecdsa.verify_digest(curve, public, digest, points.to_curve_point(curve, big_r, form), s)
    fields = ecdsa.signature_fields(curve, r, s)
    assert fields["rSig"][0] == "x-only" and len(fields["sSig"]) == curve.size
    assert ecdsa.from_signature_fields(curve, fields) == (r, s)
    compressed = {"rSig": points.to_curve_point(curve, big_r), "sSig": fields["sSig"]}
    assert ecdsa.from_signature_fields(curve, compressed) == (r, s)
    wrong_x = ("x-only", ((r + 1) % curve.n).to_bytes(curve.size, "big"))
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, public, digest, wrong_x, s)


def test_cross_check_with_cryptography_both_ways(keypair):
    curve, private, public = keypair
    digest = digest_for(curve, b"cross-check")
    algorithm = ec.ECDSA(Prehashed(hashes.SHA256() if curve.size == 32 else hashes.SHA384()))
    openssl_private = ec.derive_private_key(private, curve.openssl_curve())
    openssl_public = openssl_private.public_key()
    assert (openssl_public.public_numbers().x, openssl_public.public_numbers().y) == public
    # ours signs, cryptography verifies
    r, s = ecdsa.sign_digest(curve, private, digest)
    openssl_public.verify(encode_dss_signature(r, s), digest, algorithm)
    # cryptography signs, ours verifies (given the key object, a point or SEC 1 bytes)
    r2, s2 = decode_dss_signature(openssl_private.sign(digest, algorithm))
    for key in (openssl_public, public, points.encode(curve, public, compressed=False)):
        ecdsa.verify_digest(curve, key, digest, r2, s2)


def test_deterministic_signing_is_repeatable(keypair):
    curve, private, public = keypair
    digest = digest_for(curve, b"deterministic")
    first = ecdsa.sign_digest(curve, private, digest, deterministic=True)
    assert first == ecdsa.sign_digest(curve, private, digest, deterministic=True)
    ecdsa.verify_digest(curve, public, digest, *first)


# RFC 6979 Appendix A.2.5 (P-256) and A.2.6 (P-384), message "sample": the key, and the
# signatures with SHA-256 and SHA-384. Deterministic signing must reproduce them exactly.
RFC6979 = [
    (
        curves.NIST_P256,
        0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721,
        (0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6,
         0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299),
        "sha256",
        0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716,
        0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8,
    ),
    (
        curves.NIST_P384,
        int("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
            "96D5724E4C70A825F872C9EA60D2EDF5", 16),
        (int("EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64"
             "DEF8F0EA9055866064A254515480BC13", 16),
         int("8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1"
             "288B231C3AE0D4FE7344FD2533264720", 16)),
        "sha384",
        int("94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C"
            "81A648152E44ACF96E36DD1E80FABE46", 16),
        int("99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94F"
            "A329C145786E679E7B82C71A38628AC8", 16),
    ),
    (
        curves.NIST_P384,
        int("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
            "96D5724E4C70A825F872C9EA60D2EDF5", 16),
        None,
        "sha256",
        int("21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33"
            "BDE1E888E63355D92FA2B3C36D8FB2CD", 16),
        int("F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEB"
            "EFDC63ECCD1AC42EC0CB8668A4FA0AB0", 16),
    ),
]


@pytest.mark.parametrize("curve, private, public, hash_name, r, s", RFC6979,
                         ids=["P-256/SHA-256", "P-384/SHA-384", "P-384/SHA-256"])
def test_rfc6979_vectors(curve, private, public, hash_name, r, s):
    digest = hashlib.new(hash_name, b"sample").digest()
    computed_public = ecdsa.public_key(curve, private)
    if public is not None:
        assert computed_public == public
    ecdsa.verify_digest(curve, computed_public, digest, r, s)
    assert ecdsa.sign_digest(curve, private, digest, deterministic=True) == (r, s)
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, computed_public, hashlib.new(hash_name, b"test").digest(), r, s)


WYCHEPROOF = load_json("wycheproof", "ecdsa_brainpool_p1363_subset.json")["groups"]


@pytest.mark.parametrize(
    "group, test",
    [(g, t) for g in WYCHEPROOF for t in g["tests"]],
    ids=lambda v: v["curve"] if "curve" in v else f"tc{v['tcId']}",
)
def test_wycheproof_brainpool_vectors(group, test):
    curve = curves.get(group["curve"])
    public = (int(group["wx"], 16), int(group["wy"], 16))
    sig = bytes.fromhex(test["sig"])
    half = len(sig) // 2
    r, s = int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big")
    digest = hashlib.new(group["sha"].replace("-", "").lower(), bytes.fromhex(test["msg"])).digest()
    if test["result"] == "valid":
        ecdsa.verify_digest(curve, public, digest, r, s)
    else:
        with pytest.raises(InvalidSignature):
            ecdsa.verify_digest(curve, public, digest, r, s)


def test_real_eu_tlm_certificate_brainpool_p384_x_only():
    # The EU TLM self-signed certificate (tests/fixtures/cpoc-ectl). COER layout: 80 03 00 81 01
    # (preamble, version 3, explicit, issuer self/sha384), ToBeSignedCertificate, then Signature
    # ecdsaBrainpoolP384r1Signature = 82 61 (alternative 2, an extension: 97-byte open type) 80
    # (rSig x-only) r[48] s[48]. The key closes the tbs: 82 31 (ecdsaBrainpoolP384r1, 49 bytes)
    # 82 (compressed-y-0) x[48]. Self-signed: digest = SHA-384(SHA-384(tbs) ‖ SHA-384(empty)).
    cert = (FIXTURES / "cpoc-ectl" / "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer").read_bytes()
    curve = curves.BRAINPOOL_P384R1
    tbs, signature = cert[5:-99], cert[-97:]
    assert cert[-99:-97] == b"\x82\x61" and signature[0] == 0x80
    assert tbs[-51:-48] == b"\x82\x31\x82"
    public = ("compressed-y-0", tbs[-48:])
    digest = hashlib.sha384(hashlib.sha384(tbs).digest() + hashlib.sha384(b"").digest()).digest()
    r_sig = ("x-only", signature[1:49])
    s = int.from_bytes(signature[49:], "big")
    ecdsa.verify_digest(curve, public, digest, r_sig, s)
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, public, hashlib.sha384(tbs).digest(), r_sig, s)


def test_real_vw_golf_8_cam_p256_with_compressed_r():
    # A CAM signed by a VW Golf 8 (tests/fixtures/vanetza), rSig as compressed-y-0. COER layout:
    # 03 81 00 (version 3, signedData, hashId sha256), ToBeSignedData, signer 81 01 01 + the AT
    # certificate, then Signature 80 (ecdsaNistP256Signature) 82 (rSig compressed-y-0) x[32]
    # s[32]. digest = SHA-256(SHA-256(tbsData) ‖ SHA-256(AT certificate)).
    cam = bytes.fromhex((FIXTURES / "vanetza" / "cam_vwgolf8_signer_certificate.hex").read_text())
    at = bytes.fromhex((FIXTURES / "vanetza" / "at_vwgolf8.hex").read_text())
    start = cam.index(at)
    assert cam[:3] == bytes.fromhex("038100") and cam[start - 3 : start] == bytes.fromhex("810101")
    tbs_data, signature = cam[3 : start - 3], cam[start + len(at) :]
    assert signature[:2] == b"\x80\x82" and len(signature) == 66
    key_at = at.index(bytes.fromhex("808082"))  # verificationKey, ecdsaNistP256, compressed-y-0
    public = ("compressed-y-0", at[key_at + 3 : key_at + 35])
    sha256 = hashlib.sha256
    digest = sha256(sha256(tbs_data).digest() + sha256(at).digest()).digest()
    r_sig = ("compressed-y-0", signature[2:34])
    s = int.from_bytes(signature[34:], "big")
    curve = curves.NIST_P256
    ecdsa.verify_digest(curve, public, digest, r_sig, s)
    # the y bit of R does not matter to ECDSA: only x mod n is used
    ecdsa.verify_digest(curve, public, digest, ("compressed-y-1", signature[2:34]), s)
    ecdsa.verify_digest(curve, public, digest, ("x-only", signature[2:34]), s)
    with pytest.raises(InvalidSignature):
        ecdsa.verify_digest(curve, public, digest, r_sig, (s + 1) % curve.n)


def test_unusable_inputs_raise_crypto_error_and_bad_ranges_invalid_signature():
    curve = curves.NIST_P256
    private = ecdsa.generate_private_key(curve)
    public = ecdsa.public_key(curve, private)
    digest = digest_for(curve, b"x")
    r, s = ecdsa.sign_digest(curve, private, digest)
    off_curve = (public[0], (public[1] + 1) % curve.p)
    with pytest.raises(CryptoError):
        ecdsa.verify_digest(curve, off_curve, digest, r, s)
    with pytest.raises(CryptoError):
        ecdsa.verify_digest(curve, ("fill", None), digest, r, s)
    with pytest.raises(CryptoError):
        ecdsa.verify_digest(curve, public, digest[:20], r, s)
    with pytest.raises(CryptoError):
        ecdsa.sign_digest(curve, 0, digest)
    with pytest.raises(CryptoError):
        ecdsa.sign_digest(curve, curve.n, digest)
    with pytest.raises(CryptoError):
        ecdsa.sign_digest(curve, b"\x01" * 31, digest)
    with pytest.raises(CryptoError):
        ecdsa.sign_digest(curves.SM2, 1, digest)
    with pytest.raises(CryptoError):  # a P-384 key object used as P-256
        p384_key = ec.generate_private_key(ec.SECP384R1()).public_key()
        ecdsa.verify_digest(curve, p384_key, digest, r, s)
    for bad_r, bad_s in ((0, s), (r, 0), (curve.n, s), (r, curve.n), (r + curve.n, s)):
        with pytest.raises(InvalidSignature):
            ecdsa.verify_digest(curve, public, digest, bad_r, bad_s)
    with pytest.raises(CryptoError):
        ecdsa.from_signature_fields(curve, {"rSig": ("x-only", b"\x00" * 32), "sSig": b"\x01"})


def test_keys_are_loaded_once_and_exported_in_1609_2_forms():
    curve = curves.BRAINPOOL_P256R1
    private = ecdsa.generate_private_key(curve)
    public = ecdsa.public_key(curve, private)
    compressed = ecdsa.export_public_key(curve, public)
    assert compressed[0] in ("compressed-y-0", "compressed-y-1")
    assert ecdsa.load_public_key(curve, compressed) is ecdsa.load_public_key(curve, compressed)
    assert ecdsa.load_private_key(curve, private) is ecdsa.load_private_key(curve, private)
    assert ecdsa.export_public_key(curve, compressed, "uncompressed")[0] == "uncompressedP256"
    assert ecdsa.public_key_bytes(curve, compressed) == points.encode(curve, public)
    assert ecdsa.public_key(curve, private.to_bytes(32, "big")) == public
    assert ecdsa.public_key(curve, ecdsa.load_private_key(curve, private)) == public
