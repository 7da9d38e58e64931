"""Sign and verify: the ETSI certificate rule, every receiver check and its report code."""

from __future__ import annotations

import pytest

from tests.security.pki_support import CAM_SSP, START_S, Pki, certificate, private_key
from v2x.clock import FixedClock
from v2x.errors import VerificationError
from v2x.messages import codec
from v2x.security.reports import Report
from v2x.security.sign import CAM_POLICY, DENM_POLICY, SigningPolicy, sign
from v2x.security.trust import TrustPolicy, TrustStore
from v2x.security.verify import verify

NOW = (START_S + 3600) * 1_000_000
CAM = bytes(range(40))
MUNICH = (481_372_000, 115_755_000, 4096 + 5200)


def receiver(pki: Pki, **policy) -> TrustStore:
    store = TrustStore(TrustPolicy(roots=(pki.root,), **policy))
    store.learn(pki.aa)
    return store


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def expect(report: Report, data: bytes, store: TrustStore, clock, **kwargs) -> VerificationError:
    with pytest.raises(VerificationError) as caught:
        verify(data, trust=store, clock=clock, **kwargs)
    assert caught.value.report == report
    return caught.value


@pytest.mark.parametrize("curve", ["nistP256", "brainpoolP256r1", "nistP384", "brainpoolP384r1",
                                   "sm2"])
def test_signed_cams_verify_on_every_curve(curve):
    pki = Pki(curve)
    clock = FixedClock(NOW)
    signer = pki.signer()
    data = sign(CAM, signer, psid=36, clock=clock)
    assert codec.encode_type("security", "Ieee1609Dot2Data",
                             codec.decode_type("security", "Ieee1609Dot2Data", data)) == data
    result = verify(data, trust=receiver(pki), clock=clock)
    assert (result.payload, result.psid, result.ssp) == (CAM, 36, CAM_SSP)
    assert result.signer == pki.at.hashed_id8 and result.chain == (pki.at, pki.aa, pki.root)
    hash_id = codec.decode_type("security", "Ieee1609Dot2Data", data)["content"][1]["hashId"]
    assert hash_id == {"nistP384": "sha384", "brainpoolP384r1": "sha384", "sm2": "sm3"}.get(
        curve, "sha256")


def test_etsi_cam_rule_certificate_once_a_second_then_digests(pki):
    clock = FixedClock(NOW)
    signer = pki.signer()
    store = receiver(pki)
    kinds = []
    for _ in range(25):
        data = sign(CAM, signer, psid=36, clock=clock)
        kinds.append(verify(data, trust=store, clock=clock).signer_certificate_included)
        clock.advance(100_000)
    assert kinds[0] and kinds[10] and kinds[20] and sum(kinds) == 3
    signer.new_neighbour()
    assert verify(sign(CAM, signer, psid=36, clock=clock), trust=store,
                  clock=clock).signer_certificate_included
    clock.advance(100_000)
    signer.requested([b"\x00\x01\x02", pki.at.hashed_id3])
    assert verify(sign(CAM, signer, psid=36, clock=clock), trust=store,
                  clock=clock).signer_certificate_included


def test_digest_of_an_unknown_signer_queues_a_p2pcd_request(pki):
    clock = FixedClock(NOW)
    signer = pki.signer()
    sign(CAM, signer, psid=36, clock=clock)  # the first message carried the certificate
    clock.advance(100_000)
    digest_signed = sign(CAM, signer, psid=36, clock=clock)
    store = receiver(pki)
    expect(Report.UNKNOWN_SIGNER, digest_signed, store, clock)
    assert store.pending_requests() == [pki.at.hashed_id3]
    outgoing = pki.signer()
    outgoing.requests.extend([pki.at.hashed_id3])
    data = sign(CAM, outgoing, psid=36, clock=clock)
    header = codec.decode_type("security", "Ieee1609Dot2Data", data)["content"][1]["tbsData"][
        "headerInfo"]
    assert header["inlineP2pcdRequest"] == [pki.at.hashed_id3]


def test_denm_carries_certificate_and_location_and_needs_them(pki):
    clock = FixedClock(NOW)
    data = sign(CAM, pki.signer(), psid=37, clock=clock, policy=DENM_POLICY, location=MUNICH)
    result = verify(data, trust=receiver(pki), clock=clock)
    assert result.generation_location == MUNICH and result.signer_certificate_included
    no_location = sign(CAM, pki.signer(), psid=37, clock=clock,
                       policy=SigningPolicy(always_certificate=True))
    expect(Report.INVALID_MOBILITY_DATA, no_location, receiver(pki), clock)


@pytest.mark.parametrize(("offset_us", "report"), [
    (5_000_000, Report.INVALID_TIMESTAMP),       # from the future
    (-60_000_000, Report.INVALID_TIMESTAMP),     # too old
])
def test_generation_time_checks(pki, offset_us, report):
    data = sign(CAM, pki.signer(), psid=36, clock=FixedClock(NOW + offset_us))
    expect(report, data, receiver(pki), FixedClock(NOW))


def test_expired_message_and_expired_certificate(pki):
    data = sign(CAM, pki.signer(), psid=36, clock=FixedClock(NOW),
                policy=SigningPolicy(expiry_us=1_000))
    expect(Report.EXPIRED_MESSAGE, data, receiver(pki), FixedClock(NOW + 5_000))
    late = (START_S + 169 * 3600) * 1_000_000  # the AT lasts 168 hours
    data = sign(CAM, pki.signer(), psid=36, clock=FixedClock(late))
    expect(Report.INVALID_CERTIFICATE, data, receiver(pki), FixedClock(late))


def test_replay_tampering_permissions_revocation(pki):
    clock = FixedClock(NOW)
    data = sign(CAM, pki.signer(), psid=36, clock=clock)
    store = receiver(pki)
    verify(data, trust=store, clock=clock)
    expect(Report.DUPLICATE_MESSAGE, data, store, clock)
    tampered = bytearray(sign(CAM, pki.signer(), psid=36, clock=clock))
    tampered[20] ^= 0x01  # inside the payload
    expect(Report.FALSE_SIGNATURE, bytes(tampered), receiver(pki), clock)
    expect(Report.INSUFFICIENT_PERMISSIONS, sign(CAM, pki.signer(), psid=138, clock=clock),
           receiver(pki), clock)
    revoked = TrustStore(TrustPolicy(roots=(pki.root,), revoked=frozenset({pki.at.hashed_id8})))
    revoked.learn(pki.aa)
    expect(Report.REVOKED_CERTIFICATE, sign(CAM, pki.signer(), psid=36, clock=clock), revoked,
           clock)


def test_chain_checks(pki):
    clock = FixedClock(NOW)
    other = Pki()
    stranger = TrustStore(TrustPolicy(roots=(other.root,)))
    expect(Report.UNKNOWN_SIGNER, sign(CAM, pki.signer(), psid=36, clock=clock), stranger, clock)
    # an AT that outlives its AA
    key = private_key("nistP256")
    long_at = certificate(None, "nistP256", key, pki.aa, pki.aa_key, app=[{"psid": 36}],
                          duration=("years", 20))
    from v2x.security.sign import Signer

    expect(Report.INVALID_CERTIFICATE, sign(CAM, Signer(long_at, key), psid=36, clock=clock),
           receiver(pki), clock)
    # an AT for a PSID its AA may not grant
    greedy = certificate(None, "nistP256", key, pki.aa, pki.aa_key, app=[{"psid": 139}],
                         duration=("hours", 1), start=START_S + 3000)
    expect(Report.INVALID_CERTIFICATE, sign(CAM, Signer(greedy, key), psid=139, clock=clock),
           receiver(pki), clock)


def test_region_checks():
    circle = ("circularRegion", {"center": {"latitude": 481_372_000, "longitude": 115_755_000},
                                 "radius": 2000})
    pki = Pki(at_region=circle)
    clock = FixedClock(NOW)
    inside = sign(CAM, pki.signer(), psid=37, clock=clock, policy=DENM_POLICY, location=MUNICH)
    verify(inside, trust=receiver(pki), clock=clock)
    far = (481_372_000 + 500_000, 115_755_000, 4096)  # 5.6 km north
    outside = sign(CAM, pki.signer(), psid=37, clock=clock, policy=DENM_POLICY, location=far)
    expect(Report.OUTSIDE_REGION, outside, receiver(pki), clock)
    cam = sign(CAM, pki.signer(), psid=36, clock=clock)
    expect(Report.OUTSIDE_REGION, cam, receiver(pki), clock, position=far[:2])
    verify(cam, trust=receiver(pki), clock=clock, position=MUNICH[:2])
    wider = ("circularRegion", {"center": {"latitude": 481_372_000, "longitude": 115_755_000},
                                "radius": 50_000})
    bad = Pki(at_region=wider, aa_region=circle)
    store = TrustStore(TrustPolicy(roots=(bad.root,)))
    store.learn(bad.aa)
    expect(Report.INVALID_CERTIFICATE, sign(CAM, bad.signer(), psid=36, clock=clock), store,
           clock)


def test_garbage_is_incompatible_protocol(pki):
    clock = FixedClock(NOW)
    for data in (b"", b"\x03", b"\x02\x81\x00", bytes(200), sign(CAM, pki.signer(), psid=36,
                                                                 clock=clock)[:-5]):
        expect(Report.INCOMPATIBLE_PROTOCOL, data, receiver(pki), clock)
    unsecured = bytes([3, 0x80, 4]) + b"abcd"
    expect(Report.UNSIGNED_MESSAGE, unsecured, receiver(pki), clock)


def test_policy_refuses_a_root_that_is_not_one(pki):
    from v2x.errors import CertificateError

    with pytest.raises(CertificateError):
        TrustPolicy(roots=(pki.aa,))
    assert CAM_POLICY.certificate_interval_us == 1_000_000


@pytest.mark.parametrize("curve", ["nistP256", "brainpoolP384r1", "sm2"])
def test_fast_reader_and_schema_agree_on_what_we_sign(curve):
    from v2x.security import spdu

    pki = Pki(curve)
    clock = FixedClock(NOW)
    signer = pki.signer()
    samples = [
        sign(CAM, signer, psid=36, clock=clock),                      # certificate
        sign(CAM, signer, psid=36, clock=clock),                      # digest
        sign(CAM, signer, psid=37, clock=clock, policy=DENM_POLICY, location=MUNICH),
        sign(CAM, signer, psid=36, clock=clock, policy=SigningPolicy(expiry_us=5)),
    ]
    for data in samples:
        fast = spdu.read_signed(data)
        value = codec.decode_type("security", "Ieee1609Dot2Data", data)["content"][1]
        header = value["tbsData"]["headerInfo"]
        assert fast.tbs_data == codec.encode_type("security", "ToBeSignedData", value["tbsData"])
        assert fast.generation_time == header["generationTime"]
        assert fast.expiry_time == header.get("expiryTime")
        location = header.get("generationLocation")
        assert fast.generation_location == (None if location is None else tuple(
            location[k] for k in ("latitude", "longitude", "elevation")))
        assert fast.signer_kind == value["signer"][0]
        assert (fast.r + fast.s) == (value["signature"][1]["rSig"][1]
                                     if curve != "sm2" else value["signature"][1]["rSig"]) + \
            value["signature"][1]["sSig"]
