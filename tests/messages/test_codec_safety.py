"""Safe by default: constraints checked on encode, strict bounded decode, errors with paths."""

from __future__ import annotations

import contextlib
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import cam_from_a_newer_release, load_json
from v2x import messages
from v2x.errors import DecodeError, EncodeError, UnknownMessageError, V2XError
from v2x.messages import codec, jsonmap, schema

CAM_HEX = load_json("Dave-Krch_asn1tools.net", "cam_hex_extracted.json")[0]["hex"]
CAM_BYTES = bytes.fromhex(CAM_HEX)
HF = "CAM.cam.camParameters.highFrequencyContainer.basicVehicleContainerHighFrequency"
NAMES = [row.name for row in messages.catalogue()]
REAL = [
    ("etsi." + v["pdu"], bytes.fromhex(v["hex"]))
    for v in load_json("librasn_compiler", "etsi_uper_vectors.json")
    if "oracle_name" in v and v["pdu"] != "CPM"
]


@pytest.fixture
def cam():
    return messages.decode("etsi.CAM", CAM_BYTES)


def high_frequency(value):
    return value["cam"]["camParameters"]["highFrequencyContainer"][1]


def test_out_of_range_curvature_is_refused_with_its_path(cam):
    """asn1tools alone would encode 30001 and decode it back as -719."""
    high_frequency(cam)["curvature"]["curvatureValue"] = 30001
    with pytest.raises(EncodeError) as caught:
        messages.encode("etsi.CAM", cam)
    assert caught.value.path == f"{HF}.curvature.curvatureValue"
    assert "30001" in str(caught.value) and str(caught.value).startswith(HF)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda c: c["cam"]["camParameters"]["basicContainer"].pop("stationType"),
         "CAM.cam.camParameters.basicContainer", "stationType"),
        (lambda c: c["cam"]["camParameters"]["basicContainer"].update(stationType="car"),
         "CAM.cam.camParameters.basicContainer.stationType", "integer"),
        (lambda c: c["cam"]["camParameters"]["basicContainer"].update(stationType=True),
         "CAM.cam.camParameters.basicContainer.stationType", "integer"),
        (lambda c: high_frequency(c).update(driveDirection="sideways"),
         f"{HF}.driveDirection", "sideways"),
        (lambda c: c["cam"]["camParameters"].update(highFrequencyContainer=("wings", {})),
         "CAM.cam.camParameters.highFrequencyContainer", "wings"),
        (lambda c: c["header"].update(stationID=-1), "CAM.header.stationID", "-1"),
        (lambda c: c["cam"].update(camParameters=[]), "CAM.cam.camParameters", "dict"),
    ],
    ids=["missing", "str-for-int", "bool-for-int", "bad-enum", "bad-choice", "range", "type"],
)
def test_bad_values_raise_encode_error_naming_the_field(cam, change, path, words):
    change(cam)
    with pytest.raises(EncodeError) as caught:
        messages.encode("etsi.CAM", cam)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_encode_does_not_modify_the_callers_value(cam):
    before = copy.deepcopy(cam)
    messages.encode("etsi.CAM", cam)
    assert cam == before


def test_unknown_message_name_lists_the_known_ones():
    with pytest.raises(UnknownMessageError) as caught:
        messages.decode("etsi.XYZ", CAM_BYTES)
    assert "etsi.CAM" in str(caught.value) and caught.value.path == "etsi.XYZ"


@pytest.mark.parametrize("cut", [1, 5, 20, len(CAM_BYTES) - 1])
def test_truncated_input_is_a_decode_error(cut):
    with pytest.raises(DecodeError) as caught:
        messages.decode("etsi.CAM", CAM_BYTES[:cut])
    assert caught.value.path.startswith("CAM")


def test_trailing_bytes_are_refused():
    with pytest.raises(DecodeError, match="1 trailing bytes"):
        messages.decode("etsi.CAM", CAM_BYTES + b"\x00")


def test_non_zero_padding_is_refused():
    used_bits = 8 * len(CAM_BYTES) - (len(bin(CAM_BYTES[-1])) - len(bin(CAM_BYTES[-1]).rstrip("0")))
    assert used_bits % 8, "the fixture must end inside a byte for this test"
    with pytest.raises(DecodeError, match="padding"):
        messages.decode("etsi.CAM", CAM_BYTES[:-1] + bytes([CAM_BYTES[-1] | 1]))


@pytest.mark.parametrize("data", [b"", "0202", None, 7])
def test_non_bytes_or_empty_input_is_a_decode_error(data):
    with pytest.raises(DecodeError):
        messages.decode("etsi.CAM", data)


def test_oversized_input_is_refused_before_decoding():
    with pytest.raises(DecodeError, match="limit"):
        messages.decode("etsi.MAPEM", b"\x00" * (codec.MAX_MESSAGE_BYTES + 1))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.binary(min_size=1, max_size=200))
def test_garbage_never_raises_anything_but_decode_error(name, data):
    try:
        value = messages.decode(name, data)
    except DecodeError:
        return
    # what decodes must encode again (possibly to a canonical form of the same value)
    assert messages.decode(name, messages.encode(name, value)) == value


@settings(max_examples=200, deadline=None)
@given(vector=st.sampled_from(REAL), position=st.integers(min_value=0), flip=st.integers(0, 7))
def test_bit_flips_in_real_messages_give_a_value_or_decode_error(vector, position, flip):
    name, data = vector
    corrupted = bytearray(data)
    corrupted[position % len(data)] ^= 1 << flip
    with contextlib.suppress(DecodeError):
        messages.decode(name, bytes(corrupted))


def _gdd(depth: int) -> dict:
    """A GddStructure whose destination place nests another one, ``depth`` levels deep."""
    structure = {"pictogramCode": {"serviceCategoryCode": ("trafficSignPictogram", "informative"),
                                   "pictogramCategoryCode": {"nature": 5, "serialNumber": 1}}}
    for _ in range(depth):
        place = {"destType": 1, "destRSCode": structure}
        io = {"arrowDirection": 0, "destPlace": [place]}
        structure = {**structure, "attributes": [("ddd", {"ioList": [io]})]}
    return structure


def test_recursive_types_decode_to_the_depth_limit_and_not_beyond():
    shallow = codec.encode_type("etsi", "GddStructure", _gdd(schema.MAX_RECURSION - 1))
    assert codec.decode_type("etsi", "GddStructure", shallow) == _gdd(schema.MAX_RECURSION - 1)
    deep = codec.encode_type("etsi", "GddStructure", _gdd(schema.MAX_RECURSION + 5))
    with pytest.raises(DecodeError, match="nested deeper"):
        codec.decode_type("etsi", "GddStructure", deep)


def test_unknown_enumeration_addition_is_kept_and_reencoded(cam):
    high_frequency(cam)["curvatureCalculationMode"] = "extension-addition-4"
    data = messages.encode("etsi.CAM", cam)
    again = messages.decode("etsi.CAM", data)
    assert high_frequency(again)["curvatureCalculationMode"] == "extension-addition-4"
    assert messages.encode("etsi.CAM", again) == data


def test_unknown_choice_alternative_is_kept_with_its_bytes(cam):
    cam["cam"]["camParameters"]["highFrequencyContainer"] = ("extension-addition-1", b"\xab\xcd")
    data = messages.encode("etsi.CAM", cam)
    again = messages.decode("etsi.CAM", data)
    assert again["cam"]["camParameters"]["highFrequencyContainer"] == (
        "extension-addition-1", b"\xab\xcd")
    assert messages.encode("etsi.CAM", again) == data


def test_unknown_sequence_additions_are_kept_and_reencoded():
    """A CAM from a newer release (one more CamParameters member) survives decode -> encode."""
    data = cam_from_a_newer_release(CAM_BYTES)
    assert len(data) > len(CAM_BYTES)
    ours = messages.decode("etsi.CAM", data)
    kept = ours["cam"]["camParameters"]["extension-addition-0"]
    assert isinstance(kept, bytes) and kept
    assert messages.encode("etsi.CAM", ours) == data
    assert jsonmap.from_json("etsi.CAM", jsonmap.to_json("etsi.CAM", ours)) == ours


def test_missing_member_inside_an_extension_addition_is_an_error():
    """asn1tools would drop the whole addition silently; IVI TcPart's group needs iviType."""
    part = {"relevanceZoneIds": [1], "data": b"", "laneStatus": 0}  # group without iviType
    with pytest.raises(EncodeError, match="iviType"):
        codec.encode_type("etsi", "TcPart", part)


def test_kept_additions_are_refused_where_the_type_is_not_extensible(cam):
    high_frequency(cam)["driveDirection"] = "extension-addition-0"
    with pytest.raises(EncodeError, match="driveDirection"):
        messages.encode("etsi.CAM", cam)


def test_extensible_bit_string_beyond_its_root_size_round_trips():
    """LaneAttributes-Vehicle is BIT STRING (SIZE (8, ...)); X.691 16.6 for other sizes."""
    for bits in [(b"\xa5", 8), (b"\xa5\x80", 9), (b"\xff\xff\xff", 24)]:
        data = codec.encode_type("etsi", "LaneAttributes-Vehicle", bits)
        assert codec.decode_type("etsi", "LaneAttributes-Vehicle", data) == bits


def test_regional_extension_contents_are_decoded_by_region_id():
    (vector,) = [v for v in load_json("librasn_compiler", "etsi_uper_vectors.json")
                 if v.get("oracle_name") == "mapem_random_04"]
    value = messages.decode("etsi.MAPEM", bytes.fromhex(vector["hex"]))
    regional = value["map"]["intersections"][0]["refPoint"]["regional"]
    assert regional[0]["regionId"] == 3
    assert regional[0]["regExtValue"] == {
        "altitude": {"altitudeValue": 574856, "altitudeConfidence": "alt-000-01"}}
    kind, computed = value["map"]["intersections"][0]["laneSet"][0]["nodeList"]
    assert kind == "computed"  # regionId 168 is registered nowhere: its bytes are kept
    assert computed["regional"][0] == {"regionId": 168, "regExtValue": b"\x02\x05\x00"}


def test_bad_regional_extension_contents_name_the_inner_field():
    (vector,) = [v for v in load_json("librasn_compiler", "etsi_uper_vectors.json")
                 if v.get("oracle_name") == "mapem_random_04"]
    value = messages.decode("etsi.MAPEM", bytes.fromhex(vector["hex"]))
    value["map"]["intersections"][0]["refPoint"]["regional"][0]["regExtValue"]["altitude"][
        "altitudeValue"] = 10**9
    with pytest.raises(EncodeError) as caught:
        messages.encode("etsi.MAPEM", value)
    assert caught.value.path == (
        "MAPEM.map.intersections.refPoint.regional.regExtValue(Position3D-addGrpC)"
        ".altitude.altitudeValue")


def test_every_error_is_a_v2x_error():
    assert issubclass(DecodeError, V2XError) and issubclass(EncodeError, V2XError)
