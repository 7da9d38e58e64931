"""IEEE 1609.2 / ETSI TS 103 097 / TS 102 941 / YD/T 3957 structures against real data.

Every fixture decodes with the "security" bundle and comes back byte-identical (the codec itself
re-encodes and compares, C-OER being canonical); the decoded values match what each fixture's
manifest.json states; HashedId8 values are recomputed with hashlib over the canonical encoding,
with the hash of the certificate's own curve (SHA-256, SHA-384 or SM3).
"""

from __future__ import annotations

import ast
import hashlib
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import FIXTURES, load_json
from v2x.errors import DecodeError, EncodeError
from v2x.messages import codec, schema

BUNDLE = "security"
EPOCH_2004 = datetime(2004, 1, 1, tzinfo=UTC)
"""IEEE 1609.2 time origin; the manifests state times without leap-second adjustment."""

SSP_KINDS = {"bitmap": "bitmapSsp", "opaque": "opaque"}
WHOLE_CERT_HASH = {  # 1609.2 clause 5.3.9: the hash that goes with the verification key's curve
    "ecdsaNistP256": "sha256",
    "ecdsaBrainpoolP256r1": "sha256",
    "ecdsaBrainpoolP384r1": "sha384",
    "ecdsaNistP384": "sha384",
    "ecsigSm2": "sm3",
}


# ----------------------------------------------------------------------------- helpers


def fixture_bytes(folder: str, name: str) -> bytes:
    """A fixture file: binary OER, or hex text (whitespace ignored) for ``*.hex``."""
    path = FIXTURES / folder / name
    if name.endswith(".hex"):
        return bytes.fromhex("".join(path.read_text("ascii").split()))
    return path.read_bytes()


def vector(folder: str, name: str) -> dict[str, Any]:
    """The manifest.json entry for fixture file ``name``."""
    for entry in load_json(folder, "manifest.json")["vectors"]:
        if entry.get("file") == name:
            return entry
    raise LookupError(f"{folder}/manifest.json has no vector for {name}")


def decode(type_name: str, data: bytes) -> Any:
    """Decode and check the round trip explicitly as well (decode_type already does)."""
    value = codec.decode_type(BUNDLE, type_name, data)
    assert codec.encode_type(BUNDLE, type_name, value) == data
    return value


def hashed_id8(data: bytes, algorithm: str) -> str:
    return hashlib.new(algorithm, data).digest()[-8:].hex()


def time32(text: str) -> int:
    """'2023-08-22T22:00:03 (Time32, ...)' -> seconds since 2004 (no leap seconds)."""
    moment = datetime.fromisoformat(text.split(" ")[0]).replace(tzinfo=UTC)
    return int((moment - EPOCH_2004).total_seconds())


def time64(text: str) -> int:
    """'2019-11-21T13:29:14.847055 (Time64, ...)' -> microseconds since 2004."""
    moment = datetime.fromisoformat(text.split(" ")[0]).replace(tzinfo=UTC)
    delta = moment - EPOCH_2004
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def certificate_hash(certificate: dict[str, Any]) -> str:
    """The whole-certificate hash algorithm, from the key type (explicit) or P-256 (implicit)."""
    kind, key = certificate["toBeSigned"]["verifyKeyIndicator"]
    return "sha256" if kind == "reconstructionValue" else WHOLE_CERT_HASH[key[0]]


def check_certificate(value: dict[str, Any], encoded: bytes, expected: dict[str, Any]) -> None:
    """A decoded certificate against a manifest ``certificate`` description."""
    tbs = value["toBeSigned"]
    assert value["version"] == 3
    assert value["type"] == expected["type"]
    kind, issuer = value["issuer"]
    assert kind == expected["issuer"][0]
    assert (issuer if kind == "self" else issuer.hex()) == expected["issuer"][1]
    assert tbs["id"][0] == expected["id"][0]
    if len(expected["id"]) > 1:
        name = tbs["id"][1]
        assert (name if isinstance(name, str) else name.hex()) == expected["id"][1]
    assert tbs["cracaId"].hex() == expected["hashedId3_cracaId_field"]
    assert tbs["crlSeries"] == expected["crlSeries"]
    assert tbs["validityPeriod"]["start"] == time32(expected["validity_start"])
    assert list(tbs["validityPeriod"]["duration"]) == expected["duration"]
    indicator, key = tbs["verifyKeyIndicator"]
    assert indicator == expected["verifyKeyIndicator"][0]
    if indicator == "verificationKey":
        assert [key[0], key[1][0]] == expected["verifyKeyIndicator"][1:]
    else:
        assert key[0] == expected["verifyKeyIndicator"][2]
    permissions = [
        [entry["psid"], None if "ssp" not in entry else [entry["ssp"][0], entry["ssp"][1].hex()]]
        for entry in tbs.get("appPermissions", [])
    ]
    wanted = [
        [psid, None if ssp is None else [SSP_KINDS[ssp[0]], ssp[1]]]
        for psid, ssp in expected["appPermissions"]
    ]
    assert permissions == wanted
    if "signature" in expected:
        algorithm, signature = value["signature"]
        assert [algorithm, signature["rSig"][0]] == expected["signature"]
    else:
        assert "signature" not in value  # implicit certificate
    if "region" in expected:  # the manifest abbreviates: ('identified', [('country', 840)])
        kind, regions = tbs["region"]
        short = (kind.removesuffix("Region"), [(k.removesuffix("Only"), v) for k, v in regions])
        assert short == ast.literal_eval(expected["region"])
    assert expected["hashedId8_alg"] == certificate_hash(value)
    assert hashed_id8(encoded, expected["hashedId8_alg"]) == expected["hashedId8"]


def signed_data(spdu: dict[str, Any]) -> dict[str, Any]:
    assert spdu["protocolVersion"] == 3
    kind, content = spdu["content"]
    assert kind == "signedData"
    return content


def unsecured_payload(signed: dict[str, Any]) -> bytes:
    kind, payload = signed["tbsData"]["payload"]["data"]["content"]
    assert kind == "unsecuredData"
    return payload


# ----------------------------------------------------------------------------- certificates

CERTIFICATES = [
    ("cpoc-ectl", "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer", "EtsiTs103097Certificate"),
    ("vanetza", "at_vwgolf8.hex", "EtsiTs103097Certificate"),
    ("china-yd3957", "trcla_caict_sm2_selfsigned.hex", "Certificate"),
]


@pytest.mark.parametrize(("folder", "name", "type_name"), CERTIFICATES)
def test_certificate_decodes_and_reencodes_identically(folder, name, type_name):
    data = fixture_bytes(folder, name)
    decode(type_name, data)


def test_eu_tlm_certificate_matches_manifest():
    name = "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer"
    data = fixture_bytes("cpoc-ectl", name)
    entry = vector("cpoc-ectl", name)
    value = decode("EtsiTs103097Certificate", data)
    check_certificate(value, data, entry["certificate"])
    assert hashed_id8(data, "sha256") == entry["expected"]["hashedId8_sha256_WRONG_for_this_cert"]
    assert name.split("_")[-1].removesuffix(".oer").lower() == hashed_id8(data, "sha384")


def test_vw_golf_at_certificate_matches_manifest():
    entry = vector("vanetza", "cam_vwgolf8_signer_certificate.hex")
    data = fixture_bytes("vanetza", entry["at_certificate_file"])
    value = decode("EtsiTs103097Certificate", data)
    check_certificate(value, data, entry["at_certificate"])
    assert entry["expected"]["at_hashedId8"] == hashed_id8(data, "sha256")


def test_caict_sm2_root_certificate():
    """YD/T 3957: sm3 issuer, ecsigSm2 key (ext. alternative 4), sm2Signature (r and s)."""
    name = "trcla_caict_sm2_selfsigned.hex"
    data = fixture_bytes("china-yd3957", name)
    entry = vector("china-yd3957", name)
    value = decode("Certificate", data)
    tbs = value["toBeSigned"]
    assert value["type"] == "explicit"
    assert list(value["issuer"]) == entry["issuer"]
    assert tbs["id"] == ("name", "v2x.caict.ac.cn")
    assert tbs["region"] == ("identifiedRegion", [("countryOnly", 156)])
    assert [p["psid"] for p in tbs["appPermissions"]] == [3627, 3628]
    key_kind, (curve, (form, x)) = tbs["verifyKeyIndicator"]
    assert (key_kind, curve, form, len(x)) == ("verificationKey", "ecsigSm2", "compressed-y-0", 32)
    algorithm, signature = value["signature"]
    assert algorithm == "sm2Signature"
    assert sorted(signature) == ["rSig", "sSig"]
    assert len(signature["rSig"]) == len(signature["sSig"]) == 32
    # the wire form: alternative [4] of both CHOICEs, each an open type (length-prefixed)
    assert bytes([0x80, 0x84, 0x21, 0x82]) + x in data
    assert data.endswith(bytes([0x84, 0x40]) + signature["rSig"] + signature["sSig"])
    assert certificate_hash(value) == "sm3"
    assert hashed_id8(data, "sm3") == entry["hashedId8_sm3"]


def test_trcl_prefix_is_truncated_and_refused():
    """Only the first 320 bytes of the China TRCL were published: a clean error, no crash."""
    data = fixture_bytes("china-yd3957", "trcl_PARTIAL_first_320bytes.hex")
    assert data[3:11].hex() == vector("china-yd3957", "trcla_caict_sm2_selfsigned.hex")[
        "hashedId8_sm3"]
    with pytest.raises(DecodeError):
        codec.decode_type(BUNDLE, "Ieee1609Dot2Data", data)


# ----------------------------------------------------------------------------- SPDUs

SPDUS = [
    ("vanetza", "cam_signer_digest_unknown.hex"),
    ("vanetza", "cam_vwgolf8_signer_certificate.hex"),
    ("wyoming-cvpilot", "spdu_digest_psid32_rxMsg_BSM_and_TIM.hex"),
    ("wyoming-cvpilot", "spdu_certificate_psid32_rxMsg_BSM_and_TIM.hex"),
    ("wyoming-cvpilot", "spdu_certificate_psid131_rxMsg_BSM_and_TIM.hex"),
    ("wyoming-cvpilot", "spdu_digest_psid131_rxMsg_TIM_GeneratedBy_RSU.hex"),
    ("cpoc-ectl", "ectl_L2_CE4CF6C19BFED720.oer"),
]


@pytest.mark.parametrize(("folder", "name"), SPDUS)
def test_spdu_matches_manifest(folder, name):
    data = fixture_bytes(folder, name)
    entry = vector(folder, name)
    signed = signed_data(decode("Ieee1609Dot2Data", data))
    header = signed["tbsData"]["headerInfo"]
    assert header["psid"] == entry["psid"]
    assert signed["hashId"] == entry["hashId"]
    if "generationTime" in entry:
        assert header["generationTime"] == time64(entry["generationTime"])
    if "headerInfo_fields" in entry:
        assert sorted(header) == sorted(entry["headerInfo_fields"])
    rsig_form = signed["signature"][1]["rSig"][0]
    if "rSig_form" in entry:
        assert rsig_form == entry["rSig_form"]
    if "signature" in entry:
        assert [signed["signature"][0], f"rSig {rsig_form}"] == entry["signature"]
    signer_kind, signer = signed["signer"]
    if signer_kind == "digest":
        if "signer" in entry:
            assert entry["signer"] == f"digest {signer.hex()}"
        return
    assert signer_kind == "certificate" and len(signer) == 1  # ETSI and SCMS: one certificate
    certificate = codec.encode_type(BUNDLE, "Certificate", signer[0])
    assert certificate in data
    described = entry.get("signer_certificate") or entry.get("at_certificate")
    if described:
        check_certificate(signer[0], certificate, described)
    assert entry.get("signer", "certificate").startswith("certificate")
    named = re.search(r"\b[0-9a-f]{16}$", entry.get("signer", ""))  # "... (TLM embedded) e7a4..."
    if named:
        assert named.group() == hashed_id8(certificate, certificate_hash(signer[0]))


def test_wyoming_digest_signer_is_the_certificate_seen_before():
    """The digest SPDU names (HashedId8) the pseudonym certificate another SPDU carries."""
    with_cert = signed_data(decode(
        "Ieee1609Dot2Data",
        fixture_bytes("wyoming-cvpilot", "spdu_certificate_psid32_rxMsg_BSM_and_TIM.hex")))
    with_digest = signed_data(decode(
        "Ieee1609Dot2Data",
        fixture_bytes("wyoming-cvpilot", "spdu_digest_psid32_rxMsg_BSM_and_TIM.hex")))
    certificate = codec.encode_type(BUNDLE, "Certificate", with_cert["signer"][1][0])
    assert with_digest["signer"] == ("digest", bytes.fromhex(hashed_id8(certificate, "sha256")))


def test_vw_golf_cam_embeds_the_at_certificate_file():
    spdu = signed_data(decode(
        "EtsiTs103097Data", fixture_bytes("vanetza", "cam_vwgolf8_signer_certificate.hex")))
    certificate = codec.encode_type(BUNDLE, "EtsiTs103097Certificate", spdu["signer"][1][0])
    assert certificate == fixture_bytes("vanetza", "at_vwgolf8.hex")
    payload = unsecured_payload(spdu)
    assert payload[:1] == b"\x20"  # GeoNetworking common header, next header BTP-B


@pytest.mark.parametrize("name", [
    "cam_signer_digest_unknown.hex", "cam_vwgolf8_signer_certificate.hex"])
def test_signed_cam_layout_for_the_verifier(name):
    """Where a verifier finds what it hashes and checks (EtsiTs103097Data-Signed)."""
    data = fixture_bytes("vanetza", name)
    spdu = signed_data(decode("EtsiTs103097Data", data))
    tbs = codec.encode_type(BUNDLE, "ToBeSignedData", spdu["tbsData"])
    assert data[3:3 + len(tbs)] == tbs  # 03 81 00: version, signedData, hashId sha256
    assert data[:3] == bytes([0x03, 0x81, 0x00])
    r_form, r = spdu["signature"][1]["rSig"]
    assert (r_form, len(r), len(spdu["signature"][1]["sSig"])) == ("compressed-y-0", 32, 32)


# ----------------------------------------------------------------------------- the EU ECTL


def test_ectl_file_name_is_its_sha384_hashed_id8():
    name = "ectl_L2_CE4CF6C19BFED720.oer"
    data = fixture_bytes("cpoc-ectl", name)
    assert hashed_id8(data, "sha384") == vector("cpoc-ectl", name)["expected"]["file_name_is"][-16:]


def test_ectl_signer_is_the_tlm_certificate():
    spdu = signed_data(decode(
        "TlmCertificateTrustListMessage",
        fixture_bytes("cpoc-ectl", "ectl_L2_CE4CF6C19BFED720.oer")))
    certificate = codec.encode_type(BUNDLE, "EtsiTs103097Certificate", spdu["signer"][1][0])
    assert certificate == fixture_bytes("cpoc-ectl", "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer")


def test_ectl_payload_is_the_tlm_ctl():
    name = "ectl_L2_CE4CF6C19BFED720.oer"
    expected = vector("cpoc-ectl", name)["expected"]
    spdu = signed_data(decode("EtsiTs103097Data", fixture_bytes("cpoc-ectl", name)))
    payload = unsecured_payload(spdu)
    ctl_data = decode("EtsiTs102941Data", payload)

    assert ctl_data["version"] == expected["EtsiTs102941Data.version"]
    # version is one octet; the CHOICE tag is [5]; CtlFormat.version is length-prefixed (01 01)
    assert payload[:5] == bytes([0x01, 0x80 | expected["content_choice_index"], 0x00, 0x01, 0x01])
    kind, ctl = ctl_data["content"]
    assert kind == "certificateTrustListTlm"
    want = expected["CtlFormat"]
    assert ctl["version"] == want["version"]
    assert ctl["nextUpdate"] == time32(want["nextUpdate"])
    assert ctl["isFullCtl"] is want["isFullCtl"]
    assert ctl["ctlSequence"] == want["ctlSequence"]

    commands = ctl["ctlCommands"]
    assert len(commands) == len(expected["entries"])
    for command, wanted in zip(commands, expected["entries"], strict=True):
        verb, (entry_kind, entry) = command
        assert f"{verb} {entry_kind}" == wanted["command"]
        if entry_kind == "dc":
            assert entry["url"] == wanted["url"]
            assert [h.hex() for h in entry["cert"]] == wanted["cert"]
            continue
        holder = "selfsignedRootCa" if entry_kind == "rca" else "selfSignedTLMCertificate"
        certificate = entry[holder]
        encoded = codec.encode_type(BUNDLE, "EtsiTs103097Certificate", certificate)
        described = {key: v for key, v in wanted["certificate"].items()
                     if key != "certIssuePermissions"}
        check_certificate(certificate, encoded, described)
        assert ("successorTo" in entry) is wanted["successorTo_present"]
        if "accessPoint" in wanted:
            assert entry["accessPoint"] == wanted["accessPoint"]


def test_ectl_root_ca_issue_permissions():
    """The certIssuePermissions of the EU root CA: bitmap SSP ranges, chain lengths, eeType."""
    spdu = signed_data(decode(
        "EtsiTs103097Data", fixture_bytes("cpoc-ectl", "ectl_L2_CE4CF6C19BFED720.oer")))
    ctl = decode("EtsiTs102941Data", unsecured_payload(spdu))["content"][1]
    root = ctl["ctlCommands"][0][1][1]["selfsignedRootCa"]["toBeSigned"]
    first, second = root["certIssuePermissions"]
    # eeType {app} is the standard's default: absent on the wire and in the decoded value
    assert (first["minChainLength"], first["chainLengthRange"], "eeType" in first) == (1, 0, False)
    assert first["subjectPermissions"] == ("explicit", [
        {"psid": 623, "sspRange": ("bitmapSspRange",
                                   {"sspValue": b"\x01\x3e", "sspBitmask": b"\xff\xc1"})}])
    assert (second["minChainLength"], second["eeType"]) == (2, (b"\xc0", 8))
    assert [p["psid"] for p in second["subjectPermissions"][1]] == [
        36, 37, 37, 137, 138, 139, 140, 141, 623, 637, 639, 1619]
    assert "sspRange" not in second["subjectPermissions"][1][7]  # psid 141: any SSP


def test_malicious_deep_ectl_is_refused_fast():
    """150 Ieee1609Dot2Data nested in SignedDataPayload.data: refused at depth 32, no overflow."""
    data = fixture_bytes("cpoc-ectl", "ectl_L2_recursion_depth150_MALICIOUS.oer")
    start = time.perf_counter()
    with pytest.raises(DecodeError) as caught:
        codec.decode_type(BUNDLE, "EtsiTs103097Data", data)
    assert time.perf_counter() - start < 1.0
    assert "nested deeper than 32" in str(caught.value)
    # the outer SPDU plus MAX_RECURSION nested ones decode; the next one is refused
    assert caught.value.path.count(".payload.data") == schema.MAX_RECURSION + 1


# ----------------------------------------------------------------------------- US DOT samples

USDOT = "usdot-jpo-ode_asn1_codec"


def test_usdot_unsecured_bsm_wraps_the_j2735_message_frame():
    data = fixture_bytes(USDOT, "data/Ieee1609Dot2Data.unsecuredData.Bsm.coer.hex")
    value = decode("Ieee1609Dot2Data", data)
    assert value["content"] == (
        "unsecuredData",
        fixture_bytes(USDOT, "data/j2735.MessageFrame.Bsm.hex"))


def test_usdot_signed_bsm():
    data = fixture_bytes(USDOT, "data/Ieee1609Dot2Data.unsecuredData.Bsm.coer")
    signed = signed_data(decode("Ieee1609Dot2Data", data))
    assert signed["hashId"] == "sha256"
    assert signed["tbsData"]["headerInfo"]["psid"] == 32
    assert signed["signer"][0] == "digest"
    assert signed["signature"][0] == "ecdsaNistP256Signature"
    assert unsecured_payload(signed)[:2] == b"\x00\x14"  # MessageFrame, messageId 20 (BSM)


# ----------------------------------------------------------------------------- bad input

ALL_INPUTS = [
    ("cpoc-ectl", "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer", "EtsiTs103097Certificate"),
    ("cpoc-ectl", "ectl_L2_CE4CF6C19BFED720.oer", "EtsiTs103097Data"),
    ("vanetza", "cam_vwgolf8_signer_certificate.hex", "Ieee1609Dot2Data"),
    ("wyoming-cvpilot", "spdu_certificate_psid131_rxMsg_BSM_and_TIM.hex", "Ieee1609Dot2Data"),
    ("china-yd3957", "trcla_caict_sm2_selfsigned.hex", "Certificate"),
]


@pytest.mark.parametrize(("folder", "name", "type_name"), ALL_INPUTS)
def test_truncated_or_padded_input_is_refused(folder, name, type_name):
    data = fixture_bytes(folder, name)
    for cut in (1, 2, len(data) // 2, len(data) - 1):
        with pytest.raises(DecodeError):
            codec.decode_type(BUNDLE, type_name, data[:cut])
    with pytest.raises(DecodeError, match="trailing"):
        codec.decode_type(BUNDLE, type_name, data + b"\x00")


@pytest.mark.parametrize("garbage", [
    b"", b"\xff" * 40, b"\x03\x8f\x00", b"\x03\x81\x07" + b"\x00" * 60])
def test_garbage_is_refused(garbage):
    with pytest.raises(DecodeError):
        codec.decode_type(BUNDLE, "Ieee1609Dot2Data", garbage)


def test_non_canonical_length_is_refused():
    """C-OER: a length in long form where the short form fits is another encoding: refused."""
    canonical = bytes.fromhex("0380080123456789abcdef")  # the example of IEEE 1609.2 6.3.32
    assert decode("Ieee1609Dot2Data", canonical)["content"] == (
        "unsecuredData", bytes.fromhex("0123456789abcdef"))
    with pytest.raises(DecodeError, match="canonical"):
        codec.decode_type(BUNDLE, "Ieee1609Dot2Data", bytes.fromhex("038081080123456789abcdef"))


def test_non_canonical_default_is_refused():
    """minChainLength present with its default value 1: not the canonical encoding."""
    canonical = {"subjectPermissions": ("all", None)}
    assert codec.encode_type(BUNDLE, "PsidGroupPermissions", canonical) == b"\x00\x81"
    with pytest.raises(DecodeError, match="canonical"):
        codec.decode_type(BUNDLE, "PsidGroupPermissions", bytes.fromhex("80810101"))


def test_protocol_version_other_than_3_is_refused():
    with pytest.raises(DecodeError):
        codec.decode_type(BUNDLE, "Ieee1609Dot2Data", bytes.fromhex("0280080123456789abcdef"))


def test_header_info_from_a_2016_sender_is_accepted():
    """X.696 16.4: the bitmap is as long as the sender's schema has additions; kept as received."""
    ours = codec.encode_type(BUNDLE, "HeaderInfo",
                             {"psid": 36, "generationTime": 1, "inlineP2pcdRequest": [b"abc"]})
    # presence bitmap: length 2, 6 unused bits (2 additions) instead of 4 unused bits (4)
    older = ours.replace(bytes([0x02, 0x04, 0x80]), bytes([0x02, 0x06, 0x80]))
    assert older != ours
    value = codec.decode_type(BUNDLE, "HeaderInfo", older)
    assert value["inlineP2pcdRequest"] == [b"abc"]
    assert codec.encode_type(BUNDLE, "HeaderInfo", value) == older  # the sender's bytes again


def test_header_info_addition_from_a_newer_sender_is_kept():
    ours = codec.encode_type(BUNDLE, "HeaderInfo", {"psid": 36, "inlineP2pcdRequest": [b"abc"]})
    # a fifth addition (unknown here) present after ours: bitmap of 5 bits, 3 unused
    assert ours.endswith(bytes([0x02, 0x04, 0x80]) + ours[ours.index(b"\x02\x04\x80") + 3:])
    head, tail = ours.split(bytes([0x02, 0x04, 0x80]), 1)
    newer = head + bytes([0x02, 0x03, 0x88]) + tail + bytes([0x02, 0xBE, 0xEF])
    value = codec.decode_type(BUNDLE, "HeaderInfo", newer)
    assert value["extension-addition-4"] == b"\xbe\xef"
    assert codec.encode_type(BUNDLE, "HeaderInfo", value) == newer


# ----------------------------------------------------------------------------- open types


def test_etsi_header_extension_open_type_by_id():
    value = {"id": 2, "content": {"issuerId": bytes(range(8)), "lastKnownCtlSequence": 7}}
    data = codec.encode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", value)
    assert data == bytes.fromhex("020a80" + "0001020304050607" + "07")
    assert codec.decode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", data) == value
    unknown = {"id": 9, "content": b"\x01\x02"}
    data = codec.encode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", unknown)
    assert codec.decode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", data) == unknown
    with pytest.raises(EncodeError):
        codec.encode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", {"id": 9, "content": {}})


def test_header_info_with_contributed_extensions_round_trips():
    etsi = codec.encode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension",
                             {"id": 1, "content": {"issuerId": b"\xaa" * 8}})
    header = {
        "psid": 36,
        "generationTime": 1,
        "inlineP2pcdRequest": [b"\x01\x02\x03"],
        "pduFunctionalType": 1,
        "contributedExtensions": [{"contributorId": 2, "extns": [etsi]}],
    }
    data = codec.encode_type(BUNDLE, "HeaderInfo", header)
    value = codec.decode_type(BUNDLE, "HeaderInfo", data)
    assert value == header
    item = value["contributedExtensions"][0]["extns"][0]
    assert codec.decode_type(BUNDLE, "EtsiOriginatingHeaderInfoExtension", item) == {
        "id": 1, "content": {"issuerId": b"\xaa" * 8}}


def test_certificate_app_extension_is_decoded_by_id():
    certificate = decode("Certificate", fixture_bytes("vanetza", "at_vwgolf8.hex"))
    certificate["toBeSigned"]["flags"] = (b"\x80", 8)
    certificate["toBeSigned"]["appExtensions"] = [{"id": 1, "content": "1.3.6.1.4.1.99"}]
    data = codec.encode_type(BUNDLE, "Certificate", certificate)
    assert codec.decode_type(BUNDLE, "Certificate", data) == certificate


# ----------------------------------------------------------------------------- property


def octets(size: int) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=size, max_size=size)


def p256_point() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.tuples(st.sampled_from(["x-only", "compressed-y-0", "compressed-y-1"]), octets(32)),
        st.just(("fill", None)),
        st.builds(lambda x, y: ("uncompressedP256", {"x": x, "y": y}), octets(32), octets(32)),
    )


SIGNATURES = st.one_of(
    st.builds(lambda k, r, s: (k, {"rSig": r, "sSig": s}),
              st.sampled_from(["ecdsaNistP256Signature", "ecdsaBrainpoolP256r1Signature"]),
              p256_point(), octets(32)),
    st.builds(lambda k, f, r, s: (k, {"rSig": (f, r), "sSig": s}),
              st.sampled_from(["ecdsaBrainpoolP384r1Signature", "ecdsaNistP384Signature"]),
              st.sampled_from(["x-only", "compressed-y-0", "compressed-y-1"]),
              octets(48), octets(48)),
    st.builds(lambda r, s: ("sm2Signature", {"rSig": r, "sSig": s}), octets(32), octets(32)),
)

PSID_SSPS = st.lists(st.one_of(
    st.builds(lambda p: {"psid": p}, st.integers(0, 2**32)),
    st.builds(lambda p, k, s: {"psid": p, "ssp": (k, s)}, st.integers(0, 2**32),
              st.sampled_from(["opaque", "bitmapSsp"]), st.binary(max_size=31)),
), max_size=3)

HEADERS = st.builds(
    lambda psid, t, extra: {"psid": psid, "generationTime": t, **extra},
    st.integers(0, 2**40), st.integers(0, 2**64 - 1),
    st.fixed_dictionaries({}, optional={
        "expiryTime": st.integers(0, 2**64 - 1),
        "p2pcdLearningRequest": octets(3),
        "inlineP2pcdRequest": st.lists(octets(3), max_size=2),
        "pduFunctionalType": st.integers(0, 255),
    }),
)

HASHED = st.one_of(
    st.tuples(st.sampled_from(["sha256HashedData", "sm3HashedData"]), octets(32)),
    st.tuples(st.just("sha384HashedData"), octets(48)),
)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_round_trip_of_key_types(data):
    cases = {
        "Signature": SIGNATURES,
        "SequenceOfPsidSsp": PSID_SSPS,
        "HeaderInfo": HEADERS,
        "HashedData": HASHED,
        "PublicVerificationKey": st.one_of(
            st.tuples(st.sampled_from(["ecdsaNistP256", "ecdsaBrainpoolP256r1", "ecsigSm2"]),
                      p256_point()),
            st.tuples(st.sampled_from(["ecdsaBrainpoolP384r1", "ecdsaNistP384"]),
                      st.tuples(st.sampled_from(["compressed-y-0", "compressed-y-1"]),
                                octets(48)))),
    }
    type_name = data.draw(st.sampled_from(sorted(cases)))
    value = data.draw(cases[type_name])
    encoded = codec.encode_type(BUNDLE, type_name, value)
    assert codec.decode_type(BUNDLE, type_name, encoded) == value
