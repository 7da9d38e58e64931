"""Conformance against other implementations' real and generated messages (tests/fixtures/).

Each vector must decode to the value an independent decoder found (pycrate 0.8.1 JER, the reference
decodes and logs of the source projects) and re-encode to the identical bytes.
"""

from __future__ import annotations

import pytest

from tests.support import first_difference, jer_normal, load_json, plain
from v2x import messages
from v2x.messages import codec, jsonmap

LIBRASN = [
    v for v in load_json("librasn_compiler", "etsi_uper_vectors.json")
    if "oracle_name" in v and v["pdu"] != "CPM"  # CPM TR 103 562 is not in this release
]
DAVE_KRCH = load_json("Dave-Krch_asn1tools.net", "cam_hex_extracted.json")
VANETZA = ["secured_cam_vw_golf8_signed_with_certificate", "secured_cam_deserialize"]
CSAE_SAMPLES = load_json("zyjohn0822_asn1-uper-v2x", "csae_samples.json")
CSAE = [
    (f"{kind}[{i}]", frame, ref)
    for kind, sample in CSAE_SAMPLES.items() if not kind.startswith("_")
    for i, (frame, ref) in enumerate(
        zip(sample["frames_hex"], sample["reference_decode_asn1tools"], strict=True))
] + [
    (f"java[{i}]", v["hex"], v["reference_decode_asn1tools"])
    for i, v in enumerate(load_json("zyjohn0822_asn1-uper-v2x", "java_test_vectors.json"))
]


def assert_matches_jer(name: str, data: bytes, jer: object) -> object:
    value = messages.decode(name, data)
    ours = jer_normal(jsonmap.to_json(name, value))
    assert first_difference(ours, jer_normal(jer)) is None
    assert messages.encode(name, value) == data
    return value


def test_every_fixture_set_is_present():
    assert len(LIBRASN) == 31
    assert len(DAVE_KRCH) == 7
    assert len(CSAE) == 12


@pytest.mark.parametrize("vector", LIBRASN, ids=lambda v: v["oracle_name"])
def test_librasn_vectors_decode_as_pycrate_and_reencode(vector):
    jer = load_json("librasn_compiler", "oracle", f"{vector['oracle_name']}.pycrate.jer.json")
    assert_matches_jer(f"etsi.{vector['pdu']}", bytes.fromhex(vector["hex"]), jer)


def _librasn(name: str) -> object:
    (vector,) = [v for v in LIBRASN if v["oracle_name"] == name]
    return messages.decode(f"etsi.{vector['pdu']}", bytes.fromhex(vector["hex"]))


def test_librasn_asserted_values():
    """The values the rasn-compiler test suite asserts for its real messages."""
    cam = _librasn("cam_real_01")
    assert cam["header"] == {"protocolVersion": 2, "messageID": 2, "stationID": 3725855973}
    low = cam["cam"]["camParameters"]["lowFrequencyContainer"][1]
    assert low["pathHistory"][-1]["pathDeltaTime"] == 440
    rsu = _librasn("cam_real_02")["cam"]["camParameters"]["highFrequencyContainer"][1]
    assert rsu["protectedCommunicationZonesRSU"][-1]["protectedZoneLongitude"] == 85880135
    assert "stationaryVehicle" not in _librasn("denm_real_01")["denm"]["alacarte"]
    mapem = _librasn("mapem_real_01")["map"]["intersections"]
    assert mapem[0]["id"]["id"] == 2501
    assert mapem[-1]["laneSet"][-1]["connectsTo"][-1]["connectionID"] == 14
    assert _librasn("mapem_real_02")["map"]["intersections"][0]["id"]["id"] == 21862
    spat = _librasn("spatem_real_01")["spat"]["intersections"]
    assert spat[0]["id"]["id"] == 2501
    assert spat[-1]["states"][-1]["state-time-speed"][-1]["timing"]["confidence"] == 3
    assert _librasn("srem_real_01")["srm"]["requestor"]["transitSchedule"] == 4
    ivi = _librasn("ivim_real_01")["ivi"]
    codes = [
        part["roadSignCodes"][0]["code"]
        for _, container in ivi["optional"] if _ == "giv" for part in container
    ]
    assert codes[0][1]["pictogramCode"]["pictogramCategoryCode"]["serialNumber"] == 78


def test_mapem_lane_attributes_vehicle_beyond_root_size():
    """A real MAPEM sets the extension bit of LaneAttributes-Vehicle (16 bits, root size 8)."""
    mapem = _librasn("mapem_real_02")
    lane_type = mapem["map"]["intersections"][0]["laneSet"][0]["laneAttributes"]["laneType"]
    assert lane_type == ("vehicle", (b"\x00\x00", 16))


@pytest.mark.parametrize("vector", DAVE_KRCH, ids=lambda v: v["name"])
def test_real_prague_cams_decode_as_pycrate_and_reencode(vector):
    jer = load_json("Dave-Krch_asn1tools.net", "oracle", f"{vector['name']}.pycrate.jer.json")
    assert_matches_jer("etsi.CAM", bytes.fromhex(vector["hex"]), jer)


def test_real_prague_cam_values_from_the_log():
    """CAM 1 of the capture log: the values its text decode states."""
    cam = messages.decode("etsi.CAM", bytes.fromhex(DAVE_KRCH[0]["hex"]))
    assert cam["header"]["stationID"] == 2602961571
    assert cam["cam"]["generationDeltaTime"] == 37862
    position = cam["cam"]["camParameters"]["basicContainer"]["referencePosition"]
    assert (position["latitude"], position["longitude"]) == (500401189, 144050093)
    high = cam["cam"]["camParameters"]["highFrequencyContainer"][1]
    assert high["heading"]["headingValue"] == 425
    assert high["speed"]["speedValue"] == 2028


def inner_cam(secured_hex: str) -> bytes:
    """The CAM inside a vanetza test SPDU: 1609.2 signedData -> unsecuredData -> GN/BTP -> CAM.

    C-OER layout of the prefix: protocolVersion 3, content signedData (0x81), hashId, the
    SignedDataPayload preamble (0x40: data present), inner protocolVersion 3, unsecuredData (0x80),
    a length; the payload is GN common header (8) + SHB (28) + BTP-B (4) + the CAM.
    """
    data = bytes.fromhex(secured_hex)
    assert data[0] == 3 and data[1] == 0x81 and data[3] == 0x40 and data[4:6] == b"\x03\x80"
    length, start = data[6], 7
    if length & 0x80:
        size = length & 0x7F
        length, start = int.from_bytes(data[7:7 + size], "big"), 7 + size
    payload = data[start:start + length]
    assert payload[36:38] == (2001).to_bytes(2, "big")  # BTP-B destination port: CA service
    return payload[40:]


@pytest.mark.parametrize("name", VANETZA)
def test_vanetza_signed_cams_inner_cam(name):
    vector = load_json("riebl_vanetza", f"{name}.json")
    jer = load_json("riebl_vanetza", "oracle", f"{name}.inner_cam.pycrate.jer.json")
    cam = assert_matches_jer("etsi.CAM", inner_cam(vector["hex"]), jer)
    assert cam["header"]["messageID"] == 2


@pytest.mark.parametrize(("label", "frame", "reference"), CSAE, ids=[c[0] for c in CSAE])
def test_csae_frames_decode_as_reference_and_reencode(label, frame, reference):
    data = bytes.fromhex(frame)
    value = messages.decode("csae.MessageFrame", data)
    assert first_difference(plain(value), reference) is None
    assert messages.encode("csae.MessageFrame", value) == data


def test_csae_bsm_matches_commercial_runtime_values():
    """HEX_BSM_TEST1 as decoded by the asnlab commercial runtime: every value it reports."""
    expected = load_json("zyjohn0822_asn1-uper-v2x", "bsm_expected_for_HEX_BSM_TEST1.json")
    java = load_json("zyjohn0822_asn1-uper-v2x", "java_test_vectors.json")
    alternative, bsm = messages.decode("csae.MessageFrame", bytes.fromhex(java[0]["hex"]))
    assert alternative == "bsmFrame"
    # asnlab writes ENUMERATED values as their index; these two are in the frame.
    enum_index = {"transmission": ["neutral", "park", "forwardGears", "reverseGears"],
                  "brakePadel": ["unavailable", "off", "on"]}
    checked = 0

    def compare(theirs, ours, key):
        nonlocal checked
        if theirs is None:
            assert ours is None, key
        elif isinstance(theirs, dict) and set(theirs) == {"value"}:
            assert enum_index[key].index(ours) == theirs["value"], key
            checked += 1
        elif isinstance(theirs, dict):
            for name, item in theirs.items():
                compare(item, ours.get(name.rstrip("_")), name.rstrip("_"))
        elif isinstance(theirs, list):
            assert ours == bytes(theirs), key
            checked += 1
        elif isinstance(theirs, str):
            data, length = ours
            bits = bin(int.from_bytes(data, "big"))[2:].zfill(8 * len(data))[:length]
            assert bits == theirs, key
            checked += 1
        else:
            assert ours == theirs, key
            checked += 1

    compare(expected, bsm, "bsm")
    assert checked == 23  # every non-null leaf of the expected file


EERIMOQ = load_json("eerimoq_asn1tools", "etsi_uper_vectors.json")


def from_eerimoq(value: object) -> object:
    """The fixture writes CHOICE as {"$choice": name, "value": v}; asn1tools' form is a tuple."""
    if isinstance(value, dict):
        if set(value) == {"$choice", "value"}:
            return (value["$choice"], from_eerimoq(value["value"]))
        return {k: from_eerimoq(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_eerimoq(v) for v in value]
    return value


@pytest.mark.parametrize(
    "vector", [v for v in EERIMOQ if v["pdu"] == "CAM"], ids=lambda v: f"cam_v1_{v['message']}")
def test_eerimoq_cam_protocol_version_1_vectors(vector):
    """CAM v1 (EN 302 637-2 v1.3.2, CDD v1.2.1): the values asn1tools' own tests assert."""
    data = bytes.fromhex(vector["hex"])
    value = messages.decode("etsi.CAMv1", data)
    assert value == from_eerimoq(vector["decoded"])
    assert messages.encode("etsi.CAMv1", value) == data


def test_eerimoq_cdd_v1_traces_vector():
    (vector,) = [v for v in EERIMOQ if v["pdu"] == "Traces"]
    data = bytes.fromhex(vector["hex"])
    assert codec.decode_type("etsi-v1", "Traces", data) == vector["decoded"]
    assert codec.encode_type("etsi-v1", "Traces", vector["decoded"]) == data


def test_header_identifies_the_message_and_its_protocol_version():
    (v1,) = [v for v in EERIMOQ if v["pdu"] == "CAM" and str(v["message"]) == "1"]
    assert messages.identify(bytes.fromhex(v1["hex"])).name == "etsi.DENMv1"  # messageID 1
    assert messages.identify(bytes.fromhex(DAVE_KRCH[0]["hex"])).name == "etsi.CAM"
    for vector in LIBRASN:
        if vector["kind"].startswith("plausible-real"):
            assert messages.identify(bytes.fromhex(vector["hex"])).pdu == vector["pdu"]


def test_eerimoq_mapem_minimal_vector():
    """The MAPEM vector (TS 103 301 with an arbitrary header) decodes with release 1."""
    (vector,) = [v for v in EERIMOQ if v["pdu"] == "MAPEM"]
    data = bytes.fromhex(vector["hex"])
    value = messages.decode("etsi.MAPEM", data)
    assert value == from_eerimoq(vector["decoded"])
    assert messages.encode("etsi.MAPEM", value) == data
