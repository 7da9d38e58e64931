"""SM2: the YD/T 3957 worked example, the CAICT root certificate, GB/T 32918 / GM/T 0003 vectors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import FIXTURES, load_json
from v2x.errors import CryptoError, InvalidSignature
from v2x.security.primitives import curves, points, sm2
from v2x.security.primitives.hashing import sm3

YDT = load_json("china-yd3957", "manifest.json")["vectors"][1]
YDT_PRIVATE = int(YDT["sm2_private_key_test_only"], 16)
YDT_PUBLIC = (int(YDT["public_key"]["x"], 16), int(YDT["public_key"]["y"], 16))
YDT_ID = bytes.fromhex(YDT["signer_cert_sm3"])  # ID_A = SM3(COER(signer certificate))
YDT_TBS = bytes.fromhex(YDT["tbsData_hex"])
YDT_R = int(YDT["expected"]["r"], 16)
YDT_S = int(YDT["expected"]["s"], 16)


def test_ydt3957_example_z_a_and_e_exactly():
    assert sm2.public_key(YDT_PRIVATE) == YDT_PUBLIC
    assert sm2.za(YDT_PUBLIC, YDT_ID).hex() == YDT["expected"]["Z_A"]
    assert sm2.digest_e(YDT_PUBLIC, YDT_TBS, YDT_ID).hex() == YDT["expected"]["e"]


def test_ydt3957_example_signature_verifies():
    sm2.verify(YDT_PUBLIC, YDT_TBS, YDT_R, YDT_S, YDT_ID)
    sm2.verify_e(YDT_PUBLIC, bytes.fromhex(YDT["expected"]["e"]), YDT_R, YDT_S)
    # the public key in its 1609.2 form (YD/T 3957 uses EccP256CurvePoint for SM2 keys)
    sm2.verify(points.to_curve_point(curves.SM2, YDT_PUBLIC), YDT_TBS, YDT_R, YDT_S, YDT_ID)


def test_ydt3957_example_fails_with_the_default_id_or_an_ieee_style_digest():
    with pytest.raises(InvalidSignature):
        sm2.verify(YDT_PUBLIC, YDT_TBS, YDT_R, YDT_S)  # default ID instead of the cert hash
    with pytest.raises(InvalidSignature):
        sm2.verify_e(YDT_PUBLIC, sm3(sm3(YDT_TBS) + YDT_ID), YDT_R, YDT_S)


def flip(data: bytes, bit: int) -> bytes:
    return data[: bit // 8] + bytes([data[bit // 8] ^ (1 << (bit % 8))]) + data[bit // 8 + 1 :]


@pytest.mark.parametrize("bit", [0, 7, 100, 8 * len(YDT_TBS) - 1])
def test_a_flipped_bit_fails(bit):
    with pytest.raises(InvalidSignature) as caught:
        sm2.verify(YDT_PUBLIC, flip(YDT_TBS, bit), YDT_R, YDT_S, YDT_ID)
    assert caught.value.path == "sm2.verify"
    with pytest.raises(InvalidSignature):
        sm2.verify(YDT_PUBLIC, YDT_TBS, YDT_R ^ (1 << (bit % 256)), YDT_S, YDT_ID)
    with pytest.raises(InvalidSignature):
        sm2.verify(YDT_PUBLIC, YDT_TBS, YDT_R, YDT_S ^ (1 << (bit % 256)), YDT_ID)
    with pytest.raises(InvalidSignature):
        sm2.verify(YDT_PUBLIC, YDT_TBS, YDT_R, YDT_S, flip(YDT_ID, bit % 256))


def test_caict_root_certificate_self_signature():
    # CAICT TRCLA (tests/fixtures/china-yd3957). COER: 80 03 00 81 02 (preamble, version 3,
    # explicit, issuer self/sm3), ToBeSignedCertificate ending with the key 84 21 (ecsigSm2,
    # extension, 33 bytes) 82 (compressed-y-0) x[32], then Signature 84 40 (sm2Signature,
    # 64 bytes) r[32] s[32]. Self-signed: e = SM3(Z_A ‖ tbs) with the default ID.
    cert = bytes.fromhex((FIXTURES / "china-yd3957" / "trcla_caict_sm2_selfsigned.hex").read_text())
    assert cert[:5] == bytes.fromhex("8003008102") and cert[-66:-64] == b"\x84\x40"
    tbs = cert[5:-66]
    assert tbs[-35:-32] == bytes.fromhex("842182")
    public = ("compressed-y-0", tbs[-32:])
    r, s = int.from_bytes(cert[-64:-32], "big"), int.from_bytes(cert[-32:], "big")
    sm2.verify(public, tbs, r, s)
    with pytest.raises(InvalidSignature):
        sm2.verify(public, tbs, r, s, b"another id")


# GB/T 32918.2-2016 Annex A (= draft-shen-sm2-ecdsa-02 A.2): the 256-bit test curve, not the
# recommended one; ID "ALICE123@YAHOO.COM", M = "message digest". d, k, r, s as in OpenSSL
# test/sm2_internal_test.c (sm2_sig_test); Z_A and e as printed in the standard (also in GmSSL's
# sm2test.c).
GBT_TEST_CURVE = curves.Curve(
    name="gbt32918-fp256-test",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    hash_name="sm3",
)


def test_gbt32918_annex_a_example_on_the_test_curve():
    curve = GBT_TEST_CURVE
    d = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
    user_id = b"ALICE123@YAHOO.COM"
    public = sm2.public_key(d, curve=curve)
    assert public == (0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
                      0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857)
    assert sm2.za(public, user_id, curve=curve).hex().upper() == (
        "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A")
    e = sm2.digest_e(public, b"message digest", user_id, curve=curve)
    assert e.hex().upper() == "B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76"
    k = 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F
    r, s = sm2.sign(d, b"message digest", user_id, k=k, curve=curve)
    assert (r, s) == (0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1,
                      0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7)
    sm2.verify(public, b"message digest", r, s, user_id, curve=curve)


def test_gmt0003_annex_a_example_on_the_recommended_curve():
    # GM/T 0003.5-2012 / GB/T 32918.5-2017 Annex A: sm2p256v1, default ID, M = "message digest";
    # d, k, r, s as in OpenSSL test/sm2_internal_test.c; P_A, Z_A and e as printed in the
    # standard (the same values appear in several independent test suites).
    d = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
    public = sm2.public_key(d)
    assert public == (0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020,
                      0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13)
    assert sm2.za(public).hex().upper() == (
        "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
    assert sm2.digest_e(public, b"message digest").hex().upper() == (
        "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
    k = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
    r, s = sm2.sign(d, b"message digest", k=k)
    assert (r, s) == (0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3,
                      0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA)
    sm2.verify(public, b"message digest", r, s)
    assert sm2.sign(d, b"message digest", k=k, public=public) == (r, s)


@settings(max_examples=10, deadline=None)
@given(message=st.binary(max_size=300), user_id=st.binary(min_size=0, max_size=40))
def test_sign_then_verify_with_random_keys(message, user_id):
    d = sm2.generate_private_key()
    public = sm2.public_key(d)
    r, s = sm2.sign(d, message, user_id)
    sm2.verify(public, message, r, s, user_id)
    with pytest.raises(InvalidSignature):
        sm2.verify(public, message + b"\x00", r, s, user_id)
    other = sm2.public_key(sm2.generate_private_key())
    with pytest.raises(InvalidSignature):
        sm2.verify(other, message, r, s, user_id)


def test_sign_e_and_verify_e_take_bytes_or_int():
    d = sm2.generate_private_key()
    public = sm2.public_key(d)
    e = sm3(b"prehashed")
    r, s = sm2.sign_e(d, e)
    sm2.verify_e(public, int.from_bytes(e, "big"), r, s)
    r2, s2 = sm2.sign_e(d.to_bytes(32, "big"), int.from_bytes(e, "big"))
    sm2.verify_e(points.encode(curves.SM2, public), e, r2, s2)


def test_unusable_inputs():
    n = curves.SM2.n
    public = sm2.public_key(5)
    for bad in (0, n - 1, n, -1):
        with pytest.raises(CryptoError):
            sm2.sign_e(bad, b"\x00" * 32)
    with pytest.raises(CryptoError):
        sm2.sign_e(b"\x01" * 31, b"\x00" * 32)
    with pytest.raises(CryptoError):
        sm2.sign_e(5, b"\x00" * 32, k=n)
    off_curve = (public[0], (public[1] + 1) % curves.SM2.p)
    with pytest.raises(CryptoError):
        sm2.verify(off_curve, b"m", 1, 1)
    with pytest.raises(CryptoError):
        sm2.za(public, b"x" * 8192)
    for r, s in ((0, 1), (1, 0), (n, 1), (1, n), (1, n - 1)):  # the last: t = r + s = 0 mod n
        with pytest.raises(InvalidSignature):
            sm2.verify_e(public, b"\x00" * 32, r, s)
