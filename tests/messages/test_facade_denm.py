"""The typed DENM facade (v2x.messages.etsi.denm): real DENMs, SI <-> wire units, limits."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import for_type
from tests.support import load_json
from v2x import messages
from v2x.errors import DecodeError, EncodeError
from v2x.messages.etsi.cdd import timestamp_its_ms, utc_from_timestamp_its
from v2x.messages.etsi.denm import DENM, EventPoint, Location, PathPoint, Situation, StationType

SOURCE = "librasn_compiler"






VECTORS = load_json(SOURCE, "etsi_uper_vectors.json") or []
REAL = [v for v in VECTORS if v["pdu"] == "DENM" and v["kind"].startswith("plausible-real")]
RANDOM = [v for v in VECTORS if v["pdu"] == "DENM" and v["kind"].startswith("random")]


def needs(value):
    if not value:
        pytest.fail("fixture missing from tests/fixtures")
    return value


# ----------------------------------------------------------------------------- real DENMs


@pytest.mark.parametrize("vector", REAL or [None], ids=[v["oracle_name"] for v in REAL] or ["-"])
def test_real_denm_round_trips_byte_exact_through_the_facade(vector):
    data = bytes.fromhex(needs(vector)["hex"])
    denm = DENM.decode(data)
    assert denm.encode() == data
    assert DENM.from_value(denm.to_value()) == denm


@pytest.mark.parametrize("vector", REAL or [None], ids=[v["oracle_name"] for v in REAL] or ["-"])
def test_real_denm_agrees_with_the_pycrate_oracle(vector):
    """Every field the facade converts, against pycrate's independent decode (JER)."""
    vector = needs(vector)
    oracle = load_json(SOURCE, f"oracle/{vector['oracle_name']}.pycrate.jer.json")
    oracle = needs(oracle)
    denm = DENM.decode(bytes.fromhex(vector["hex"]))
    header, body = oracle["header"], oracle["denm"]
    management = body["management"]
    position = management["eventPosition"]
    assert denm.station_id == header["stationID"]
    assert denm.action_id == (management["actionID"]["originatingStationID"],
                              management["actionID"]["sequenceNumber"])
    assert denm.detection_time_ms == management["detectionTime"]
    assert denm.reference_time_ms == management["referenceTime"]
    assert denm.station_type == management["stationType"]
    assert denm.validity_duration_s == management.get("validityDuration", 600)
    assert denm.relevance_distance == management.get("relevanceDistance")
    assert denm.relevance_traffic_direction == management.get("relevanceTrafficDirection")

    def scaled(raw, unit, unavailable):
        return None if raw == unavailable else raw * unit

    assert denm.event_latitude_deg == pytest.approx(scaled(position["latitude"], 1e-7, 900000001))
    assert denm.event_longitude_deg == pytest.approx(
        scaled(position["longitude"], 1e-7, 1800000001))
    altitude = position["altitude"]["altitudeValue"]
    assert denm.event_altitude_m == pytest.approx(scaled(altitude, 0.01, 800001))
    ellipse = position["positionConfidenceEllipse"]
    assert denm.event_semi_major_confidence_m == pytest.approx(
        scaled(ellipse["semiMajorConfidence"], 0.01, 4095))
    assert denm.event_semi_major_orientation_deg == pytest.approx(
        scaled(ellipse["semiMajorOrientation"], 0.1, 3601))
    situation = body.get("situation")
    if situation is not None:
        assert denm.situation.cause_code == situation["eventType"]["causeCode"]
        assert denm.situation.sub_cause_code == situation["eventType"]["subCauseCode"]
        quality = situation["informationQuality"]
        assert denm.situation.information_quality == (quality or None)
    location = body.get("location")
    if location is not None:
        assert denm.location.event_speed_mps == pytest.approx(
            location["eventSpeed"]["speedValue"] / 100)
        assert denm.location.event_heading_deg == pytest.approx(
            location["eventPositionHeading"]["headingValue"] / 10)
        assert denm.location.event_heading_confidence_deg is None  # 127
        assert len(denm.location.traces) == len(location["traces"])
        for trace, raw in zip(denm.location.traces, location["traces"], strict=True):
            for point, raw_point in zip(trace, raw, strict=True):
                assert point.delta_latitude_deg == pytest.approx(
                    raw_point["pathPosition"]["deltaLatitude"] * 1e-7)
                assert point.delta_altitude_m == pytest.approx(
                    raw_point["pathPosition"]["deltaAltitude"] * 0.01)
                assert point.delta_time_s == pytest.approx(raw_point["pathDeltaTime"] * 0.01)
    alacarte = body.get("alacarte")
    assert denm.alacarte == alacarte  # raw passthrough, same form for these members


def test_real_denm_1_reads_roadworks_with_its_trace():
    vector = needs(next((v for v in REAL if v["oracle_name"] == "denm_real_01"), None))
    denm = DENM.decode(bytes.fromhex(vector["hex"]))
    assert denm.situation == Situation(cause_code=3, sub_cause_code=0, information_quality=4)
    assert (denm.event_latitude_deg, denm.event_longitude_deg) == (53.5506976, 9.9360788)
    assert denm.validity_duration_s == 20
    # rasn-compiler's own assertion: no stationary vehicle container in the à la carte part
    assert "stationaryVehicle" not in denm.alacarte
    # the first point's PathDeltaTime 71316 lies in the extension of (1..65535, ...)
    assert denm.location.traces[0][0].delta_time_s == 713.16
    assert utc_from_timestamp_its(denm.detection_time_ms).year == 2022


def test_real_denm_2_has_an_unavailable_position_and_the_default_validity():
    vector = needs(next((v for v in REAL if v["oracle_name"] == "denm_real_02"), None))
    denm = DENM.decode(bytes.fromhex(vector["hex"]))
    assert denm.event_altitude_m is None and denm.event_altitude_confidence_m is None
    assert denm.event_semi_major_confidence_m is None
    assert denm.event_semi_major_orientation_deg is None
    assert denm.validity_duration_s == 600  # DEFAULT, absent on the wire
    assert denm.location is None and denm.alacarte is None


def test_random_header_vectors_are_refused_naming_the_header():
    for vector in needs(RANDOM):
        with pytest.raises(DecodeError) as info:
            DENM.decode(bytes.fromhex(vector["hex"]))
        assert info.value.path == "DENM.header.messageID"


# ----------------------------------------------------------------------------- SI <-> wire

DETECTED = datetime(2024, 5, 17, 8, 30, 12, 250000, tzinfo=UTC)


def full_denm() -> DENM:
    t = timestamp_its_ms(DETECTED)
    return DENM(
        station_id=99, action_id=(12345, 7), detection_time_ms=t, reference_time_ms=t + 100,
        event_latitude_deg=52.5200066, event_longitude_deg=13.404954,
        station_type=StationType.SPECIAL_VEHICLES, event_altitude_m=34.56,
        event_altitude_confidence_m=1.0, event_semi_major_confidence_m=3.3,
        event_semi_minor_confidence_m=2.2, event_semi_major_orientation_deg=45.0,
        termination=None, relevance_distance="lessThan500m",
        relevance_traffic_direction="allTrafficDirections", validity_duration_s=120,
        transmission_interval_ms=500,
        situation=Situation(
            cause_code=97, sub_cause_code=1, information_quality=3, linked_cause=(2, 0),
            event_history=(EventPoint(1e-5, -2e-5, 0.5, 1.0, 2), EventPoint(3e-5, 4e-5))),
        location=Location(
            traces=((PathPoint(-1e-5, 1e-5, 0.0, 0.5),), ()),
            event_speed_mps=12.345, event_speed_confidence_mps=0.5,
            event_heading_deg=181.04, road_type="nonUrban-NoStructuralSeparationToOppositeLanes"),
        alacarte={"lanePosition": 1, "externalTemperature": -5},
    )


def test_si_values_come_back_within_half_a_wire_step():
    sent = full_denm()
    back = DENM.decode(sent.encode())
    assert back.action_id == (12345, 7)
    assert utc_from_timestamp_its(back.detection_time_ms) == DETECTED
    assert back.reference_time_ms == sent.reference_time_ms
    assert abs(back.event_latitude_deg - 52.5200066) <= 0.5e-7
    assert abs(back.event_longitude_deg - 13.404954) <= 0.5e-7
    assert abs(back.event_altitude_m - 34.56) <= 0.005
    assert back.event_semi_major_confidence_m == 3.3
    assert back.event_semi_major_orientation_deg == 45.0
    assert (back.relevance_distance, back.relevance_traffic_direction) == (
        "lessThan500m", "allTrafficDirections")
    assert (back.validity_duration_s, back.transmission_interval_ms) == (120, 500)
    assert back.situation == sent.situation
    assert back.location.traces == sent.location.traces
    assert abs(back.location.event_speed_mps - 12.345) <= 0.005
    assert back.location.event_speed_confidence_mps == 0.5
    assert abs(back.location.event_heading_deg - 181.04) <= 0.05
    assert back.location.event_heading_confidence_deg is None  # sent as unavailable
    assert back.location.road_type == "nonUrban-NoStructuralSeparationToOppositeLanes"
    assert back.alacarte == {"lanePosition": 1, "externalTemperature": -5}
    assert DENM.decode(back.encode()) == back


def test_none_is_unavailable_or_left_out():
    t = 600_000_000_000
    denm = DENM(station_id=1, action_id=(1, 0), detection_time_ms=t, reference_time_ms=t,
                event_latitude_deg=None, event_longitude_deg=None, termination="isCancellation",
                situation=Situation(cause_code=1))
    value = denm.to_value()
    management = value["denm"]["management"]
    assert management["eventPosition"]["latitude"] == 900000001
    assert management["eventPosition"]["longitude"] == 1800000001
    assert management["eventPosition"]["altitude"] == {"altitudeValue": 800001,
                                                       "altitudeConfidence": "unavailable"}
    assert management["validityDuration"] == 600
    assert "relevanceDistance" not in management and "transmissionInterval" not in management
    assert value["denm"]["situation"] == {"informationQuality": 0,
                                          "eventType": {"causeCode": 1, "subCauseCode": 0}}
    assert "location" not in value["denm"] and "alacarte" not in value["denm"]
    back = DENM.decode(denm.encode())
    assert back == denm
    # an event speed sent as unavailable is remembered, not dropped
    value["denm"]["location"] = {"eventSpeed": {"speedValue": 16383, "speedConfidence": 127},
                                 "traces": [[]]}
    location = DENM.from_value(value).location
    assert location.event_speed_mps is None and location.present_unavailable == {"eventSpeed"}
    assert DENM.from_value(value).to_value() == value


def base(**changes) -> DENM:
    return DENM(station_id=1, action_id=(1, 0), detection_time_ms=0, reference_time_ms=0,
                event_latitude_deg=0.0, event_longitude_deg=0.0).replace(**changes)


@pytest.mark.parametrize(("denm", "path"), [
    (base(event_latitude_deg=95.0), "DENM.event_latitude_deg"),
    (base(event_longitude_deg=math.inf), "DENM.event_longitude_deg"),
    (base(action_id=(1, 70_000)), "DENM.action_id[1]"),
    (base(action_id=(1,)), "DENM.action_id"),
    (base(detection_time_ms=-1), "DENM.detection_time_ms"),
    (base(reference_time_ms=2**42), "DENM.reference_time_ms"),
    (base(validity_duration_s=86_401), "DENM.validity_duration_s"),
    (base(transmission_interval_ms=0), "DENM.transmission_interval_ms"),
    (base(termination="isCancelled"), "DENM.termination"),
    (base(relevance_distance="lessThan2m"), "DENM.relevance_distance"),
    (base(situation=Situation(cause_code=256)), "DENM.situation.cause_code"),
    (base(situation=Situation(cause_code=1, information_quality=8)),
     "DENM.situation.information_quality"),
    (base(situation=Situation(cause_code=1, linked_cause=(1, 300))),
     "DENM.situation.linked_cause[1]"),
    (base(situation=Situation(cause_code=1, event_history=())), "DENM.situation.event_history"),
    (base(situation=Situation(cause_code=1, event_history=(EventPoint(0.5, 0.0),))),
     "DENM.situation.event_history[0].delta_latitude_deg"),
    (base(location=Location(traces=())), "DENM.location.traces"),
    (base(location=Location(event_speed_mps=-3.0)), "DENM.location.event_speed_mps"),
    (base(location=Location(event_heading_deg=400.0)), "DENM.location.event_heading_deg"),
    (base(location=Location(traces=((PathPoint(delta_time_s=-1.0),),))),
     "DENM.location.traces[0][0].delta_time_s"),
    (base(situation="accident"), "DENM.situation"),
])
def test_invalid_values_raise_encode_error_naming_the_facade_field(denm, path):
    with pytest.raises(EncodeError) as info:
        denm.encode()
    assert info.value.path == path


def test_out_of_range_event_values_saturate_or_go_out_of_range():
    denm = base(event_semi_major_confidence_m=41.0, event_altitude_m=-2000.0,
                location=Location(event_speed_mps=500.0, event_speed_confidence_mps=3.0))
    back = DENM.decode(denm.encode())
    assert back.event_semi_major_confidence_m == math.inf  # SemiAxisLength outOfRange 4094
    assert back.event_altitude_m == -1000.0
    assert back.location.event_speed_mps == 163.82
    assert back.location.event_speed_confidence_mps == math.inf


# ----------------------------------------------------------------------------- properties


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


si_denms = st.builds(
    DENM, station_id=st.integers(0, 2**32 - 1),
    action_id=st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 65535)),
    detection_time_ms=st.integers(0, 2**42 - 1), reference_time_ms=st.integers(0, 2**42 - 1),
    event_latitude_deg=st.none() | floats(-90, 90),
    event_longitude_deg=st.none() | floats(-180, 180),
    event_altitude_m=st.none() | floats(-1000, 8000),
    validity_duration_s=st.integers(0, 86400),
    situation=st.none() | st.builds(Situation, cause_code=st.integers(0, 255),
                                    sub_cause_code=st.integers(0, 255)),
    location=st.none() | st.builds(
        Location, event_speed_mps=st.none() | floats(0, 163.82),
        event_heading_deg=st.none() | floats(0, 360)),
)


def close(a, b, tolerance):
    return (a is None and b is None) or abs(a - b) <= tolerance * (1 + 1e-9)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(si_denms)
def test_random_si_denms_round_trip_within_half_a_step(denm):
    back = DENM.decode(denm.encode())
    assert (back.station_id, back.action_id, back.detection_time_ms, back.reference_time_ms,
            back.validity_duration_s, back.situation) == (
        denm.station_id, denm.action_id, denm.detection_time_ms, denm.reference_time_ms,
        denm.validity_duration_s, denm.situation)
    assert close(denm.event_latitude_deg, back.event_latitude_deg, 0.5e-7)
    assert close(denm.event_longitude_deg, back.event_longitude_deg, 0.5e-7)
    assert close(denm.event_altitude_m, back.event_altitude_m, 0.005)
    if denm.location is not None:
        assert close(denm.location.event_speed_mps, back.location.event_speed_mps, 0.005)
        assert close(denm.location.event_heading_deg, back.location.event_heading_deg, 0.05)
    assert DENM.decode(back.encode()) == back


DENM_WIRE = for_type("etsi", "DENM").map(
    lambda v: {**v, "header": {**v["header"], "messageID": 1}})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DENM_WIRE)
def test_any_wire_denm_survives_the_facade_unchanged(value):
    data = messages.encode("etsi.DENM", value)
    # the same value; a DEFAULT member (validityDuration 600) may be present on one side only
    assert messages.encode("etsi.DENM", DENM.from_value(value).to_value()) == data
    assert DENM.decode(data).encode() == data
