"""ECQV implicit certificates: published vectors (KISA, Green Hills SCMS, CAMP) and round trips."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support import load_json
from v2x.errors import CryptoError
from v2x.security.primitives import curves, ecdsa, ecqv, points

VECTORS = load_json("ecqv", "ecqv_vectors.json")
P256 = curves.NIST_P256


def h(text: str) -> int:
    return int(text, 16)


def sec1(text: str) -> tuple[int, int]:
    return points.decode(P256, bytes.fromhex(text))


def openssl_public(curve: curves.Curve, private: int) -> tuple[int, int]:
    numbers = ec.derive_private_key(private, curve.openssl_curve()).public_key().public_numbers()
    return numbers.x, numbers.y


@pytest.mark.parametrize("v", VECTORS["ghs_scms_certificates"]["vectors"], ids=["rse-0", "rse-19"])
def test_real_green_hills_scms_certificates(v):
    cert = bytes.fromhex(v["certificate"])
    # COER Certificate: 00 (no signature) 03 (version) 01 (implicit) 80 ‖ HashedId8 (issuer
    # sha256AndDigest), then ToBeSignedCertificate to the end; P_U closes it.
    assert cert[:4] == bytes.fromhex("00030180")
    issuer_digest = bytes.fromhex(v["issuer_hash"])
    assert cert[4:12] == issuer_digest[-8:]  # the issuer field is the PCA's HashedId8
    tbs = cert[12:]
    assert hashlib.sha256(tbs).hexdigest() == v["tbs_hash"]
    assert tbs.endswith(bytes.fromhex(v["PU"])[1:])
    e = ecqv.implicit_e(P256, tbs, issuer_digest)
    q_ca = points.decode(P256, bytes.fromhex(v["QCA"]))
    q_u = ecqv.reconstruct_public_key(P256, bytes.fromhex(v["PU"]), e, q_ca)
    assert q_u == sec1(v["QU"])
    d_u = ecqv.reconstruct_private_key(
        P256, h(v["kU"]), bytes.fromhex(v["r"]), e,
        reconstruction_value=bytes.fromhex(v["PU"]), issuer_public=q_ca,
    )
    assert d_u == h(v["dU"])
    assert openssl_public(P256, d_u) == q_u
    # the SEC 4 truncation does not give these deployed keys: 1609.2 uses the whole hash
    e_sec4 = ecqv.hash_to_scalar(P256, ecqv.certificate_digest(P256, tbs, issuer_digest), "sec4")
    assert ecqv.reconstruct_public_key(P256, bytes.fromhex(v["PU"]), e_sec4, q_ca) != q_u


@pytest.mark.parametrize("v", VECTORS["kisa_v1_1"]["vectors"], ids=["kisa-0", "kisa-1"])
def test_kisa_vectors_use_the_whole_hash(v):
    cert_u = bytes.fromhex(v["CertU"])
    digest = hashlib.sha256(cert_u).digest()
    assert digest.hex() == v["CertU_h"]
    e = ecqv.hash_to_scalar(P256, digest)
    q_ca = sec1(v["QCA"])
    assert ecqv.reconstruct_public_key(P256, ("compressed-y-0", bytes.fromhex(v["PU"])[1:]), e,
                                       q_ca) == sec1(v["QU"])
    d_u = ecqv.reconstruct_private_key(P256, h(v["kU"]), h(v["r"]), e)
    assert d_u == h(v["dU"])
    assert openssl_public(P256, d_u) == sec1(v["QU"])


@pytest.mark.parametrize("v", VECTORS["camp_sec4"]["vectors"], ids=["camp-1", "camp-2"])
def test_camp_vectors_use_sec4_truncation_on_all_three_sides(v):
    r_u = (h(v["RU"][0]), h(v["RU"][1]))
    assert openssl_public(P256, h(v["kU"])) == r_u
    assert openssl_public(P256, h(v["dCA"])) == (h(v["QCA"][0]), h(v["QCA"][1]))
    p_u_expected = (h(v["PU"][0]), h(v["PU"][1]))
    tbs = bytes.fromhex(v["tbsCert"])

    def e_of(p_u):
        cert_u = tbs + points.encode(P256, p_u)
        assert cert_u.hex() == v["CertU"]
        return ecqv.hash_to_scalar(P256, hashlib.sha256(cert_u).digest(), "sec4")

    # CA side, with the vector's nonce k
    p_u, r = ecqv.issue(P256, r_u, h(v["dCA"]), e_of, k=h(v["k"]))
    assert p_u == p_u_expected
    assert r == h(v["r"])
    e = e_of(p_u)
    assert e == int.from_bytes(hashlib.sha256(bytes.fromhex(v["CertU"])).digest(), "big") >> 1
    # requester and verifier
    q_ca = (h(v["QCA"][0]), h(v["QCA"][1]))
    d_u = ecqv.reconstruct_private_key(P256, h(v["kU"]), r, e, reconstruction_value=p_u,
                                       issuer_public=q_ca)
    assert d_u == h(v["dU"])
    assert ecqv.reconstruct_public_key(P256, p_u, e, q_ca) == (h(v["QU"][0]), h(v["QU"][1]))


@pytest.mark.parametrize("curve", [curves.NIST_P256, curves.BRAINPOOL_P256R1, curves.NIST_P384],
                         ids=lambda c: c.name)
def test_full_round_trip_ca_requester_verifier(curve):
    # CA key and certificate (its hash stands for H(COER(CA certificate)))
    ca_private = ecdsa.generate_private_key(curve)
    ca_public = ecdsa.public_key(curve, ca_private)
    issuer_digest = hashlib.new(curve.hash_name, b"the CA certificate, COER").digest()
    # requester: a request key pair (k_U, R_U)
    k_u = ecdsa.generate_private_key(curve)
    r_u = ecdsa.public_key(curve, k_u)

    def tbs_with(p_u) -> bytes:  # a stand-in ToBeSignedCertificate that ends with P_U
        return b"\x01id\x02validity" + points.encode(curve, p_u)

    p_u, r = ecqv.issue(curve, r_u, ca_private,
                        lambda p: ecqv.implicit_e(curve, tbs_with(p), issuer_digest))
    # requester reconstructs the private key; the verifier reconstructs the public key
    e = ecqv.implicit_e(curve, tbs_with(p_u), issuer_digest)
    d_u = ecqv.reconstruct_private_key(curve, k_u, r, e, reconstruction_value=p_u,
                                       issuer_public=ca_public)
    q_u = ecqv.reconstruct_public_key(curve, points.to_curve_point(curve, p_u), e, ca_public)
    assert openssl_public(curve, d_u) == q_u
    # and the key pair works: a signature by d_U verifies under Q_U
    digest = hashlib.new(curve.hash_name, b"signed with the implicit key").digest()
    ecdsa.verify_digest(curve, q_u, digest, *ecdsa.sign_digest(curve, d_u, digest))


def test_a_wrong_r_or_tbs_is_caught_by_the_requester_check():
    ca_private = ecdsa.generate_private_key(P256)
    ca_public = ecdsa.public_key(P256, ca_private)
    k_u = ecdsa.generate_private_key(P256)
    issuer_digest = hashlib.sha256(b"CA").digest()
    p_u, r = ecqv.issue(P256, ecdsa.public_key(P256, k_u), ca_private,
                        lambda p: ecqv.implicit_e(P256, b"tbs", issuer_digest))
    e = ecqv.implicit_e(P256, b"tbs", issuer_digest)
    with pytest.raises(CryptoError) as caught:
        ecqv.reconstruct_private_key(P256, k_u, (r + 1) % P256.n, e,
                                     reconstruction_value=p_u, issuer_public=ca_public)
    assert caught.value.path == "ecqv.reconstruct"
    e_other = ecqv.implicit_e(P256, b"tbs, altered", issuer_digest)
    with pytest.raises(CryptoError):
        ecqv.reconstruct_private_key(P256, k_u, r, e_other,
                                     reconstruction_value=p_u, issuer_public=ca_public)
    with pytest.raises(CryptoError):
        ecqv.reconstruct_private_key(P256, k_u, r, e, reconstruction_value=p_u)


def test_hash_rules_and_input_checks():
    digest = bytes.fromhex("ff" * 32)
    assert ecqv.hash_to_scalar(P256, digest) == (2**256 - 1) % P256.n
    assert ecqv.hash_to_scalar(P256, digest, "sec4") == 2**255 - 1
    p384 = curves.NIST_P384
    assert ecqv.hash_to_scalar(p384, b"\x01" * 48, "sec4") == int.from_bytes(b"\x01" * 48,
                                                                             "big") >> 1
    with pytest.raises(CryptoError):
        ecqv.hash_to_scalar(P256, digest, "mod-n-please")
    with pytest.raises(CryptoError):  # a SHA-256 issuer digest with a 384-bit curve
        ecqv.certificate_digest(p384, b"tbs", hashlib.sha256(b"CA").digest())
    assert ecqv.certificate_digest(p384, b"tbs", hashlib.sha384(b"CA").digest()) == (
        hashlib.sha384(hashlib.sha384(b"tbs").digest() + hashlib.sha384(b"CA").digest()).digest()
    )
    off_curve = (P256.gx, (P256.gy + 1) % P256.p)
    with pytest.raises(CryptoError):
        ecqv.reconstruct_public_key(P256, off_curve, 5, P256.g)
    with pytest.raises(CryptoError):  # e·P_U = −Q_CA: the point at infinity
        ecqv.reconstruct_public_key(P256, P256.g, 1, (P256.gx, P256.p - P256.gy))
    with pytest.raises(CryptoError):
        ecqv.reconstruct_private_key(P256, 5, P256.n, 1)
