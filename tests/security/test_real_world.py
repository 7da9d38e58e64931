"""Acceptance against real deployed security material (tests/fixtures/, see each PROVENANCE.md)."""

from __future__ import annotations

import time

import pytest

from tests.support import FIXTURES, load_json
from v2x.clock import FixedClock
from v2x.errors import VerificationError
from v2x.messages import codec
from v2x.security import spdu
from v2x.security.certificates import Certificate
from v2x.security.reports import Report
from v2x.security.trust import TrustPolicy, TrustStore
from v2x.security.verify import verify

ECTL = FIXTURES / "cpoc-ectl"
TLM = Certificate.from_bytes((ECTL / "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer").read_bytes())


def hex_file(folder: str, name: str) -> bytes:
    return bytes.fromhex((FIXTURES / folder / name).read_text().strip())


def generation_time(data: bytes) -> int:
    value = codec.decode_type("security", "Ieee1609Dot2Data", data)
    return value["content"][1]["tbsData"]["headerInfo"]["generationTime"]


def test_eu_tlm_certificate_is_self_signed_with_brainpool_p384():
    assert TLM.hashed_id8.hex() == "e7a4b2b045e7acf9" and TLM.hash_name == "sha384"
    assert TLM.curve.name == "brainpoolP384r1" and TLM.name == "EU-TLM_L2"
    TLM.verify_signature(None)
    TrustPolicy(roots=(TLM,))  # a policy accepts it as a root only if the signature holds


def test_eu_ectl_verifies_and_its_root_cas_are_self_signed():
    data = (ECTL / "ectl_L2_CE4CF6C19BFED720.oer").read_bytes()
    store = TrustStore(TrustPolicy(roots=(TLM,)))
    result = verify(data, trust=store, clock=FixedClock(generation_time(data) + 1_000_000))
    assert result.psid == 624 and result.signer == TLM.hashed_id8
    trust_list = codec.decode_type("security", "EtsiTs102941Data", result.payload)
    assert trust_list["version"] == 1 and trust_list["content"][0] == "certificateTrustListTlm"
    ctl = trust_list["content"][1]
    assert (ctl["isFullCtl"], ctl["ctlSequence"]) == (True, 1)
    roots = [Certificate.from_value(command[1][1]["selfsignedRootCa"])
             for command in ctl["ctlCommands"] if command[1][0] == "rca"]
    assert len(roots) == 2
    for root in roots:
        root.verify_signature(None)
    TrustPolicy(roots=tuple(roots))
    manifest = load_json("cpoc-ectl", "manifest.json")
    assert manifest["vectors"][1]["expected"]["signature_valid"] is True


def test_malicious_150_deep_ectl_is_refused_fast():
    data = (ECTL / "ectl_L2_recursion_depth150_MALICIOUS.oer").read_bytes()
    started = time.perf_counter()
    with pytest.raises(VerificationError) as caught:
        verify(data, trust=TrustStore(TrustPolicy(roots=(TLM,))), clock=FixedClock(0))
    assert time.perf_counter() - started < 1.0
    assert caught.value.report == Report.INCOMPATIBLE_PROTOCOL
    assert "nested deeper" in str(caught.value)


def test_vw_golf8_cam_verifies_with_its_embedded_authorization_ticket():
    data = hex_file("vanetza", "cam_vwgolf8_signer_certificate.hex")
    at = Certificate.from_bytes(hex_file("vanetza", "at_vwgolf8.hex"))
    assert at.hashed_id8.hex() == "127cff384ce0b890"
    # the AT's issuer (AA 56dfd6d627a362dc) is not public: trust the AT itself
    store = TrustStore(TrustPolicy(roots=(), pinned=(at,)))
    result = verify(data, trust=store, clock=FixedClock(generation_time(data) + 100_000))
    assert result.psid == 36 and result.signer.hex() == "127cff384ce0b890"
    assert result.payload[36:38] == b"\x07\xd1"  # BTP-B port 2001: a CAM follows
    digest_signed = hex_file("vanetza", "cam_signer_digest_unknown.hex")
    with pytest.raises(VerificationError) as caught:
        verify(digest_signed, trust=store, clock=FixedClock(generation_time(digest_signed)))
    assert caught.value.report == Report.UNKNOWN_SIGNER
    assert store.pending_requests() == [bytes.fromhex("0ba2d2fb6a0c62d2")[-3:]]


def test_china_caict_trcla_sm2_certificate_verifies():
    root = Certificate.from_bytes(hex_file("china-yd3957", "trcla_caict_sm2_selfsigned.hex"))
    assert root.curve.name == "sm2" and root.hashed_id8.hex() == "0b2c85a0f3b2622c"
    root.verify_signature(None)
    assert TrustPolicy(roots=(root,)).roots == (root,)


WYOMING = sorted(p.name for p in (FIXTURES / "wyoming-cvpilot").glob("*.hex"))


@pytest.mark.parametrize("name", WYOMING)
def test_wyoming_spdus_ask_for_their_unknown_signers(name):
    data = hex_file("wyoming-cvpilot", name)
    store = TrustStore(TrustPolicy(roots=()))
    with pytest.raises(VerificationError) as caught:
        verify(data, trust=store, clock=FixedClock(generation_time(data)))
    assert caught.value.report == Report.UNKNOWN_SIGNER and store.pending_requests()


def _spdus() -> list[tuple[str, bytes]]:
    found = [(p.name, bytes.fromhex(p.read_text().strip()))
             for folder in ("vanetza", "wyoming-cvpilot") for p in sorted(
                 (FIXTURES / folder).glob("*.hex")) if not p.name.startswith("at_")]
    return found


@pytest.mark.parametrize(("name", "data"), _spdus(), ids=[n for n, _ in _spdus()])
def test_fast_reader_agrees_with_the_schema_decoder(name, data):
    value = codec.decode_type("security", "Ieee1609Dot2Data", data)["content"][1]
    tbs = codec.encode_type("security", "ToBeSignedData", value["tbsData"])
    fast = spdu.read_signed(data)
    header = value["tbsData"]["headerInfo"]
    assert fast.tbs_data == tbs and fast.psid == header["psid"]
    assert fast.generation_time == header.get("generationTime")
    assert fast.expiry_time == header.get("expiryTime")
    assert fast.payload == value["tbsData"]["payload"]["data"]["content"][1]
    kind, signer = value["signer"]
    assert fast.signer_kind == kind
    if kind == "digest":
        assert fast.signer_digest == signer
    else:
        assert fast.signer_certificate == codec.encode_type("security", "Certificate", signer[0])
    _, fields = value["signature"]
    assert fast.s == fields["sSig"] and fast.r == fields["rSig"][1]
    assert fast.r_form == fields["rSig"][0]
