"""The typed CSAE BSM facade (v2x.messages.csae.bsm): real frames, SI <-> wire units, limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import for_type
from tests.support import load_json
from v2x import messages
from v2x.errors import DecodeError, EncodeError
from v2x.messages.csae.bsm import BSM, STANDARD_GRAVITY

SOURCE = "zyjohn0822_asn1-uper-v2x"




JAVA = load_json(SOURCE, "java_test_vectors.json") or []
SAMPLES = load_json(SOURCE, "csae_samples.json") or {}
BSM_FRAMES = [(f"java_{i}", v["hex"]) for i, v in enumerate(JAVA) if v["alternative"] == "bsmFrame"]
BSM_FRAMES += [(f"sample_{i}", h)
               for i, h in enumerate(SAMPLES.get("BSM", {}).get("frames_hex", []))]


def needs(value):
    if not value:
        pytest.fail("fixture missing from tests/fixtures")
    return value


# ----------------------------------------------------------------------------- real frames


@pytest.mark.parametrize("hex_frame", [f[1] for f in BSM_FRAMES] or [None],
                         ids=[f[0] for f in BSM_FRAMES] or ["-"])
def test_real_bsm_round_trips_byte_exact_through_the_facade(hex_frame):
    data = bytes.fromhex(needs(hex_frame))
    bsm = BSM.decode(data)
    assert bsm.encode() == data
    assert BSM.from_value(bsm.to_value()) == bsm
    assert bsm.to_value() == messages.decode("csae.MessageFrame", data)


def test_java_vector_matches_the_asnlab_runtime_decode():
    """HEX_BSM_TEST1 against the values the commercial asnlab runtime produced for it."""
    expected = needs(load_json(SOURCE, "bsm_expected_for_HEX_BSM_TEST1.json"))
    data = bytes.fromhex(needs(JAVA)[0]["hex"])
    bsm = BSM.decode(data)
    assert bsm.msg_count == expected["msgCnt"] == 35
    assert bsm.vehicle_id == bytes(expected["id"]) == b"00143101"
    assert bsm.vehicle_id_text == "00143101"
    assert bsm.sec_mark_ms == expected["secMark"] == 47091
    assert bsm.time_confidence_s is None and expected["timeConfidence"] is None
    assert bsm.latitude_deg == 28.1260343 and expected["pos"]["lat"] == 281260343
    assert bsm.longitude_deg == expected["pos"]["long_"] / 1e7
    assert bsm.elevation_m == expected["pos"]["elevation"] / 10
    accuracy = expected["posAccuracy"]
    assert bsm.semi_major_accuracy_m == accuracy["semiMajor"] / 20  # 0.05 m
    assert bsm.semi_minor_accuracy_m == accuracy["semiMinor"] / 20
    assert bsm.semi_major_orientation_deg == pytest.approx(accuracy["orientation"] * 360 / 65535)
    assert bsm.position_confidence_m is None and expected["posConfidence"] is None
    transmission = ("neutral", "park", "forwardGears", "reverseGears")
    assert bsm.transmission == transmission[expected["transmission"]["value"]]
    assert bsm.speed_mps == pytest.approx(expected["speed"] * 0.02)
    assert bsm.heading_deg == pytest.approx(expected["heading"] * 0.0125)
    assert bsm.steering_wheel_angle_deg == pytest.approx(expected["angle"] * 1.5)
    assert bsm.speed_confidence_mps is None and expected["motionCfd"] is None
    acceleration = expected["accelSet"]
    assert bsm.longitudinal_acceleration_mps2 == pytest.approx(acceleration["long_"] * 0.01)
    assert bsm.lateral_acceleration_mps2 == acceleration["lat"] * 0.01
    assert bsm.vertical_acceleration_mps2 == acceleration["vert"] * 0.02 * STANDARD_GRAVITY
    assert bsm.yaw_rate_dps == acceleration["yaw"] * 0.01
    pedal = ("unavailable", "off", "on")[expected["brakes"]["brakePadel"]["value"]]
    assert bsm.brake_pedal == pedal == "off"
    assert all(getattr(bsm, name) is None for name in (
        "wheel_brakes", "traction_control", "anti_lock_brakes", "stability_control",
        "brake_boost", "auxiliary_brakes"))
    assert bsm.vehicle_width_m == expected["size"]["width"] / 100
    assert bsm.vehicle_length_m == expected["size"]["length"] / 100
    assert bsm.vehicle_height_m is None and expected["size"]["height"] is None
    assert bsm.vehicle_class == expected["vehicleClass"]["classification"] == 54
    assert bsm.fuel_type is None
    events, lights = expected["safetyExt"]["events"], expected["safetyExt"]["lights"]
    assert bsm.safety_ext == {"events": (b"\0\0", len(events)), "lights": (b"\0\0", len(lights))}
    assert bsm.emergency_ext is None and expected["emergencyExt"] is None


def test_second_java_vector_keeps_members_sent_as_unavailable():
    data = bytes.fromhex(needs(JAVA[1:2])[0]["hex"])
    bsm = BSM.decode(data)
    assert bsm.time_confidence_s is None and bsm.position_confidence_m is None
    assert bsm.present_unavailable == {"timeConfidence", "posConfidence",
                                       "posConfidence.elevation"}
    assert bsm.transmission == "reverseGears"
    assert bsm.wheel_brakes == {"unavailable", "leftFront", "leftRear", "rightFront", "rightRear"}
    assert bsm.encode() == data
    plain = bsm.replace(present_unavailable=frozenset())
    assert "timeConfidence" not in plain.to_value()[1] and len(plain.encode()) < len(data)


def test_rsu_feed_sample_reads_unavailable_accelerations_as_none():
    frames = needs(SAMPLES.get("BSM", {}).get("frames_hex"))
    bsm = BSM.decode(bytes.fromhex(frames[0]))
    assert (bsm.msg_count, bsm.sec_mark_ms) == (117, 9500)
    assert (bsm.latitude_deg, bsm.longitude_deg, bsm.elevation_m) == (39.9764645, 116.3509503, 37.5)
    assert bsm.transmission is None  # "unavailable"
    assert bsm.longitudinal_acceleration_mps2 is None  # 2001
    assert bsm.lateral_acceleration_mps2 is None
    assert bsm.vertical_acceleration_mps2 is None  # -127
    assert bsm.heading_deg == 6161 * 0.0125
    assert len(bsm.safety_ext["pathHistory"]["crumbData"]) == 4  # raw passthrough


def test_a_spat_frame_is_not_a_bsm():
    spat = needs(next((v["hex"] for v in JAVA if v["alternative"] == "spatFrame"), None))
    with pytest.raises(DecodeError) as info:
        BSM.decode(bytes.fromhex(spat))
    assert info.value.path == "MessageFrame"


# ----------------------------------------------------------------------------- SI <-> wire


def minimal(**changes) -> BSM:
    return BSM(msg_count=1, vehicle_id="car1", sec_mark_ms=1000, latitude_deg=31.2304,
               longitude_deg=121.4737, heading_deg=90.0, yaw_rate_dps=0.0,
               vehicle_width_m=1.85, vehicle_length_m=4.8).replace(**changes)


def full_bsm() -> BSM:
    return minimal(
        msg_count=127, vehicle_id=b"\x01\x02\x03\x04\x05\x06\x07\x08", sec_mark_ms=59_999,
        latitude_deg=-33.8567844, longitude_deg=151.2152967, elevation_m=58.36,
        time_confidence_s=0.004, semi_major_accuracy_m=1.23, semi_minor_accuracy_m=0.51,
        semi_major_orientation_deg=12.34, position_confidence_m=0.3,
        elevation_confidence_m=0.7, transmission="forwardGears", speed_mps=16.67,
        heading_deg=359.99, steering_wheel_angle_deg=-30.7, speed_confidence_mps=0.08,
        heading_confidence_deg=0.2, steering_wheel_angle_confidence_deg=1.5,
        longitudinal_acceleration_mps2=-2.345, lateral_acceleration_mps2=0.678,
        vertical_acceleration_mps2=-1.0, yaw_rate_dps=-12.345, brake_pedal="on",
        wheel_brakes=frozenset({"leftFront", "rightFront"}), traction_control="engaged",
        anti_lock_brakes="off", stability_control="on", brake_boost="off", auxiliary_brakes="off",
        vehicle_width_m=1.856, vehicle_length_m=4.899, vehicle_height_m=1.52, vehicle_class=10,
        fuel_type=4, emergency_ext={"responseType": "emergency", "sirenUse": "inUse"})


def test_si_values_come_back_within_half_a_wire_step():
    sent = full_bsm()
    back = BSM.decode(sent.encode())
    half = {"latitude_deg": 0.5e-7, "longitude_deg": 0.5e-7, "elevation_m": 0.05,
            "semi_major_orientation_deg": 180 / 65535, "speed_mps": 0.01, "heading_deg": 0.00625,
            "steering_wheel_angle_deg": 0.75, "longitudinal_acceleration_mps2": 0.005,
            "lateral_acceleration_mps2": 0.005, "vertical_acceleration_mps2": 0.01 * 9.80665,
            "yaw_rate_dps": 0.005, "vehicle_width_m": 0.005, "vehicle_length_m": 0.005,
            "vehicle_height_m": 0.025}
    for name, tolerance in half.items():
        assert abs(getattr(back, name) - getattr(sent, name)) <= tolerance * (1 + 1e-9), name
    for name in ("msg_count", "vehicle_id", "sec_mark_ms", "transmission", "brake_pedal",
                 "wheel_brakes", "traction_control", "anti_lock_brakes", "stability_control",
                 "brake_boost", "auxiliary_brakes", "vehicle_class", "fuel_type", "emergency_ext"):
        assert getattr(back, name) == getattr(sent, name), name
    # confidences: the tightest class that still bounds the value
    assert back.time_confidence_s == 0.005  # time-000-005
    assert (back.semi_major_accuracy_m, back.semi_minor_accuracy_m) == (1.25, 0.55)
    assert (back.position_confidence_m, back.elevation_confidence_m) == (0.5, 1.0)
    assert (back.speed_confidence_mps, back.heading_confidence_deg) == (0.1, 1.0)
    assert back.steering_wheel_angle_confidence_deg == 2.0
    assert BSM.decode(back.encode()) == back


def test_vehicle_id_text_is_padded_to_eight_bytes():
    assert minimal(vehicle_id="00143101").vehicle_id == b"00143101"
    assert minimal(vehicle_id="AB").vehicle_id == b"AB\0\0\0\0\0\0"
    assert minimal(vehicle_id="AB") == minimal(vehicle_id=b"AB\0\0\0\0\0\0")
    assert BSM.decode(minimal(vehicle_id="AB").encode()).vehicle_id_text == "AB"


def test_none_is_unavailable_or_left_out():
    bsm = minimal(latitude_deg=None, longitude_deg=None)
    value = bsm.to_value()
    assert value[0] == "bsmFrame"
    body = value[1]
    assert body["pos"] == {"lat": 900000001, "long": 1800000001}  # elevation left out
    assert body["speed"] == 8191 and body["transmission"] == "unavailable"
    assert body["accelSet"] == {"long": 2001, "lat": 2001, "vert": -127, "yaw": 0}
    assert body["brakes"] == {}
    for optional in ("timeConfidence", "posAccuracy", "posConfidence", "angle", "motionCfd",
                     "safetyExt", "emergencyExt"):
        assert optional not in body
    assert BSM.decode(bsm.encode()) == bsm
    # a group is sent when any of its fields is set; the others go as unavailable
    body = minimal(semi_minor_accuracy_m=0.5, heading_confidence_deg=0.05).to_value()[1]
    assert body["posAccuracy"] == {"semiMajor": 255, "semiMinor": 10, "orientation": 65535}
    assert body["motionCfd"] == {"headingCfd": "prec0-05deg"}


def test_values_beyond_the_range_saturate_where_the_ends_mean_or_more():
    body = minimal(longitudinal_acceleration_mps2=35.0, lateral_acceleration_mps2=-35.0,
                   vertical_acceleration_mps2=3 * STANDARD_GRAVITY, steering_wheel_angle_deg=400.0,
                   elevation_m=7000.0, semi_major_accuracy_m=20.0, semi_minor_accuracy_m=12.7,
                   semi_major_orientation_deg=359.999).to_value()[1]
    assert body["accelSet"]["long"] == 2000 and body["accelSet"]["lat"] == -2000
    assert body["accelSet"]["vert"] == 127
    assert body["angle"] == 126 and body["pos"]["elevation"] == 61439
    assert body["posAccuracy"] == {"semiMajor": 254, "semiMinor": 254, "orientation": 0}
    assert minimal(steering_wheel_angle_deg=-400.0).to_value()[1]["angle"] == -126
    # a confidence worse than the coarsest class is unavailable rather than a false class
    body = minimal(speed_confidence_mps=150.0, position_confidence_m=900.0).to_value()[1]
    assert body["motionCfd"] == {"speedCfd": "unavailable"}
    assert body["posConfidence"] == {"pos": "unavailable"}


@pytest.mark.parametrize(("bsm", "path"), [
    (minimal(latitude_deg=95.0), "BSM.latitude_deg"),
    (minimal(longitude_deg=180.5), "BSM.longitude_deg"),
    (minimal(heading_deg=None), "BSM.heading_deg"),  # no unavailable value
    (minimal(heading_deg=360.1), "BSM.heading_deg"),
    (minimal(yaw_rate_dps=None), "BSM.yaw_rate_dps"),
    (minimal(yaw_rate_dps=400.0), "BSM.yaw_rate_dps"),  # no saturation defined
    (minimal(speed_mps=170.0), "BSM.speed_mps"),  # 8190 * 0.02 = 163.8 m/s is the largest
    (minimal(speed_mps=-0.1), "BSM.speed_mps"),
    (minimal(vehicle_width_m=None), "BSM.vehicle_width_m"),
    (minimal(vehicle_length_m=41.0), "BSM.vehicle_length_m"),
    (minimal(vehicle_height_m=-1.0), "BSM.vehicle_height_m"),
    (minimal(vehicle_id="far too long"), "BSM.vehicle_id"),
    (minimal(vehicle_id=b"\x01"), "BSM.vehicle_id"),
    (minimal(msg_count=128), "BSM.msg_count"),
    (minimal(sec_mark_ms=-1), "BSM.sec_mark_ms"),
    (minimal(transmission="overdrive"), "BSM.transmission"),
    (minimal(brake_pedal="pressed"), "BSM.brake_pedal"),
    (minimal(wheel_brakes={"spare"}), "BSM.wheel_brakes"),
    (minimal(vehicle_class=256), "BSM.vehicle_class"),
    (minimal(time_confidence_s=-1.0), "BSM.time_confidence_s"),
    (minimal(elevation_m=math.nan), "BSM.elevation_m"),
])
def test_invalid_values_raise_encode_error_naming_the_facade_field(bsm, path):
    with pytest.raises(EncodeError) as info:
        bsm.encode()
    assert info.value.path == path


# ----------------------------------------------------------------------------- properties


def floats(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def maybe(strategy):
    return st.none() | strategy


si_bsms = st.builds(
    BSM, msg_count=st.integers(0, 127), vehicle_id=st.binary(min_size=8, max_size=8),
    sec_mark_ms=st.integers(0, 59_999), latitude_deg=maybe(floats(-90, 90)),
    longitude_deg=maybe(floats(-179.9999999, 180)), elevation_m=maybe(floats(-409.5, 6143.9)),
    speed_mps=maybe(floats(0, 163.8)), heading_deg=floats(0, 360),
    steering_wheel_angle_deg=maybe(floats(-189, 189)),
    longitudinal_acceleration_mps2=maybe(floats(-20, 20)),
    lateral_acceleration_mps2=maybe(floats(-20, 20)),
    vertical_acceleration_mps2=maybe(floats(-2.52 * 9.80665, 2.54 * 9.80665)),
    yaw_rate_dps=floats(-327.67, 327.67), vehicle_width_m=floats(0, 10.23),
    vehicle_length_m=floats(0, 40.95), vehicle_height_m=maybe(floats(0, 6.35)),
)
TOLERANCE = {"latitude_deg": 0.5e-7, "longitude_deg": 0.5e-7, "elevation_m": 0.05,
             "speed_mps": 0.01, "heading_deg": 0.00625, "steering_wheel_angle_deg": 0.75,
             "longitudinal_acceleration_mps2": 0.005, "lateral_acceleration_mps2": 0.005,
             "vertical_acceleration_mps2": 0.01 * 9.80665, "yaw_rate_dps": 0.005,
             "vehicle_width_m": 0.005, "vehicle_length_m": 0.005, "vehicle_height_m": 0.025}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(si_bsms)
def test_random_si_bsms_round_trip_within_half_a_step(bsm):
    back = BSM.decode(bsm.encode())
    assert (back.msg_count, back.vehicle_id, back.sec_mark_ms) == (
        bsm.msg_count, bsm.vehicle_id, bsm.sec_mark_ms)
    for name, tolerance in TOLERANCE.items():
        a, b = getattr(bsm, name), getattr(back, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert abs(a - b) <= tolerance * (1 + 1e-9) + 1e-12, (name, a, b)
    assert BSM.decode(back.encode()) == back


BSM_WIRE = for_type("csae", "BasicSafetyMessage")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BSM_WIRE)
def test_any_wire_bsm_survives_the_facade_unchanged(body):
    value = ("bsmFrame", body)
    data = messages.encode("csae.MessageFrame", value)
    assert BSM.from_value(value).to_value() == value
    assert BSM.decode(data).encode() == data
