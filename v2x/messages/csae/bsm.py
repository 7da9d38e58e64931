"""Typed BSM facade for the China C-V2X message set: SI units in, wire units out, and back.

T/CSAE 53-2020 (the same message set as YD/T 3709-2020), phase-1 application layer: the
MessageFrame alternative ``bsmFrame``, the BasicSafetyMessage and the data frames and elements of
the data dictionary it uses (Position3D, PositionalAccuracy, PositionConfidenceSet,
MotionConfidenceSet, AccelerationSet4Way, BrakeSystemStatus, VehicleSize, VehicleClassification).
``encode()`` gives the bytes of the whole MessageFrame (UPER).

    bsm = BSM(msg_count=1, vehicle_id="00143101", sec_mark_ms=47_091,
              latitude_deg=28.1260343, longitude_deg=112.8799971, speed_mps=0.12,
              heading_deg=74.3, yaw_rate_dps=0.0, vehicle_width_m=1.8, vehicle_length_m=5.0)

Units on the wire: latitude/longitude 1e-7 degree, elevation 0.1 m, speed 0.02 m/s, heading
0.0125 degree, steering wheel angle 1.5 degree (positive to the right, as T/CSAE 53-2020 has it),
longitudinal/lateral acceleration 0.01 m/s², vertical acceleration 0.02 g, yaw rate 0.01 degree/s,
vehicle width/length 1 cm, height 5 cm, position accuracy axes 0.05 m, orientation 360/65535 degree.
Our ASN.1 module states the "unavailable" values in comments (there are no named numbers), so
they are given here: latitude 900000001, longitude 1800000001, elevation -4096, speed 8191,
steering 127, acceleration 2001, vertical acceleration -127, axis accuracy 255, orientation 65535.
Heading, yaw rate and the vehicle size have none: None raises for them. Values beyond the range
saturate where the element defines its ends as "or more" (accelerations, elevation, steering
angle, axis accuracy, as in SAE J2735 from which the elements are taken) and raise otherwise.

The safety and emergency extensions are kept raw; ``present_unavailable`` remembers OPTIONAL
members sent as "unavailable", so ``BSM.decode(data).encode() == data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from v2x.errors import DecodeError, EncodeError
from v2x.messages.units import (
    RAW,
    Bits,
    Classes,
    Converter,
    Enumerated,
    Field,
    Group,
    Integer,
    MessageFacade,
    Scaled,
    TypeRef,
)

__all__ = ["BSM", "STANDARD_GRAVITY"]

MESSAGE = "csae.MessageFrame"
FRAME = "bsmFrame"
STANDARD_GRAVITY = 9.80665
"""m/s² in one g (vertical acceleration is sent in 0.02 g)."""

_POSITIVE = (0.0, math.inf)


def _t(module: str, name: str) -> TypeRef:
    return ("csae", module, name)


class _VehicleId(Converter):
    """OCTET STRING (SIZE (8)): bytes, or up to 8 ASCII characters padded with NUL bytes."""

    def to_wire(self, value: Any, where: str) -> bytes:
        value = _vehicle_id(value)
        if not isinstance(value, bytes) or len(value) != 8:
            raise EncodeError("expected 8 bytes or up to 8 ASCII characters", where)
        return value

    def from_wire(self, wire: bytes) -> bytes:
        return bytes(wire)


def _vehicle_id(value: Any) -> Any:
    if isinstance(value, str) and value.isascii() and len(value) <= 8:
        return value.encode("ascii").ljust(8, b"\0")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


_ACCELERATION = Scaled(_t("DefAcceleration", "Acceleration"), 0.01, saturate=True,
                       unavailable=2001)
_AXIS = Scaled(_t("DefPosition", "SemiMajorAxisAccuracy"), 0.05, valid=_POSITIVE,
               round_up=True, saturate=True, unavailable=255)


@dataclass(frozen=True)
class BSM(MessageFacade):
    """A Basic Safety Message (T/CSAE 53-2020) in SI units; None means unavailable / left out.

    ``vehicle_id``: the 8-byte temporary id (a str of up to 8 ASCII characters is padded with
    NUL bytes); ``sec_mark_ms``: milliseconds within the current UTC minute. Confidences are the
    class bounds of the standard's accuracy classes (e.g. ``speed_confidence_mps`` 1.0 for
    ``prec1ms``); a value is sent as the tightest class that still bounds it.
    ``transmission`` and the brake states are ENUMERATED names (``"forwardGears"``, ``"on"``);
    ``wheel_brakes`` the set of BrakeAppliedStatus bits. ``safety_ext`` / ``emergency_ext``
    are raw asn1tools values (VehicleSafetyExtensions, VehicleEmergencyExtensions).
    Errors name the field (``BSM.latitude_deg``).
    """

    NAME = "BSM"
    MESSAGE = MESSAGE
    FIELDS = (
        Field("msg_count", "msgCnt", Integer(_t("MsgFrame", "MsgCount"))),
        Field("vehicle_id", "id", _VehicleId()),
        Field("sec_mark_ms", "secMark", Integer(_t("DefTime", "DSecond"))),
        Field("time_confidence_s", "timeConfidence", Classes(_t("DefTime", "TimeConfidence")),
              optional=True),
        Group("pos", (
            Field("latitude_deg", "lat", Scaled(_t("DefPosition", "Latitude"), 1e-7,
                                                valid=(-90.0, 90.0), unavailable=900000001)),
            Field("longitude_deg", "long", Scaled(_t("DefPosition", "Longitude"), 1e-7,
                                                  valid=(-180.0, 180.0), unavailable=1800000001)),
            Field("elevation_m", "elevation", Scaled(_t("DefPosition", "Elevation"), 0.1,
                                                     saturate=True, unavailable=-4096),
                  optional=True),
        )),
        Group("posAccuracy", (
            Field("semi_major_accuracy_m", "semiMajor", _AXIS),
            Field("semi_minor_accuracy_m", "semiMinor", _AXIS),
            Field("semi_major_orientation_deg", "orientation",
                  Scaled(_t("DefPosition", "SemiMajorAxisOrientation"), 360 / 65535,
                         valid=(0.0, 360.0), unavailable=65535, modulo=65535)),
        ), optional=True),
        Group("posConfidence", (
            Field("position_confidence_m", "pos", Classes(
                _t("DefPosition", "PositionConfidence"),
                {"a500m": 500, "a200m": 200, "a100m": 100, "a50m": 50, "a20m": 20, "a10m": 10,
                 "a5m": 5, "a2m": 2, "a1m": 1, "a50cm": 0.5, "a20cm": 0.2, "a10cm": 0.1,
                 "a5cm": 0.05, "a2cm": 0.02, "a1cm": 0.01})),
            Field("elevation_confidence_m", "elevation",
                  Classes(_t("DefPosition", "ElevationConfidence")), optional=True),
        ), optional=True),
        Field("transmission", "transmission", Enumerated(_t("VehStatus", "TransmissionState"))),
        Field("speed_mps", "speed", Scaled(_t("DefMotion", "Speed"), 0.02, valid=_POSITIVE,
                                           unavailable=8191)),
        Field("heading_deg", "heading", Scaled(_t("DefMotion", "Heading"), 0.0125,
                                               valid=(0.0, 360.0))),
        Field("steering_wheel_angle_deg", "angle",
              Scaled(_t("DefMotion", "SteeringWheelAngle"), 1.5, saturate=True, unavailable=127),
              optional=True),
        Group("motionCfd", (
            Field("speed_confidence_mps", "speedCfd", Classes(
                _t("DefMotion", "SpeedConfidence"),
                {"prec100ms": 100, "prec10ms": 10, "prec5ms": 5, "prec1ms": 1, "prec0-1ms": 0.1,
                 "prec0-05ms": 0.05, "prec0-01ms": 0.01}), optional=True),
            Field("heading_confidence_deg", "headingCfd", Classes(
                _t("DefMotion", "HeadingConfidence"),
                {"prec10deg": 10, "prec05deg": 5, "prec01deg": 1, "prec0-1deg": 0.1,
                 "prec0-05deg": 0.05, "prec0-01deg": 0.01, "prec0-0125deg": 0.0125}),
                  optional=True),
            Field("steering_wheel_angle_confidence_deg", "steerCfd", Classes(
                _t("DefMotion", "SteeringWheelAngleConfidence"),
                {"prec2deg": 2, "prec1deg": 1, "prec0-02deg": 0.02}), optional=True),
        ), optional=True),
        Group("accelSet", (
            Field("longitudinal_acceleration_mps2", "long", _ACCELERATION),
            Field("lateral_acceleration_mps2", "lat", _ACCELERATION),
            Field("vertical_acceleration_mps2", "vert",
                  Scaled(_t("DefAcceleration", "VerticalAcceleration"), 0.02 * STANDARD_GRAVITY,
                         saturate=True, unavailable=-127)),
            Field("yaw_rate_dps", "yaw", Scaled(_t("DefAcceleration", "YawRate"), 0.01)),
        )),
        Group("brakes", (
            Field("brake_pedal", "brakePadel", Enumerated(_t("VehBrake", "BrakePedalStatus")),
                  optional=True),
            Field("wheel_brakes", "wheelBrakes", Bits(_t("VehBrake", "BrakeAppliedStatus")),
                  optional=True),
            Field("traction_control", "traction",
                  Enumerated(_t("VehBrake", "TractionControlStatus")), optional=True),
            Field("anti_lock_brakes", "abs", Enumerated(_t("VehBrake", "AntiLockBrakeStatus")),
                  optional=True),
            Field("stability_control", "scs",
                  Enumerated(_t("VehBrake", "StabilityControlStatus")), optional=True),
            Field("brake_boost", "brakeBoost", Enumerated(_t("VehBrake", "BrakeBoostApplied")),
                  optional=True),
            Field("auxiliary_brakes", "auxBrakes",
                  Enumerated(_t("VehBrake", "AuxiliaryBrakeStatus")), optional=True),
        )),
        Group("size", (
            Field("vehicle_width_m", "width", Scaled(_t("VehSize", "VehicleWidth"), 0.01,
                                                     valid=_POSITIVE)),
            Field("vehicle_length_m", "length", Scaled(_t("VehSize", "VehicleLength"), 0.01,
                                                       valid=_POSITIVE)),
            Field("vehicle_height_m", "height", Scaled(_t("VehSize", "VehicleHeight"), 0.05,
                                                       valid=_POSITIVE), optional=True),
        )),
        Group("vehicleClass", (
            Field("vehicle_class", "classification", Integer(_t("VehClass", "BasicVehicleClass"))),
            Field("fuel_type", "fuelType", Integer(_t("VehClass", "FuelType")), optional=True),
        )),
        Field("safety_ext", "safetyExt", RAW, optional=True),
        Field("emergency_ext", "emergencyExt", RAW, optional=True),
    )

    msg_count: int
    """MsgCount, 0..127, incremented per BSM sent."""
    vehicle_id: bytes
    sec_mark_ms: int
    latitude_deg: float | None
    longitude_deg: float | None
    elevation_m: float | None = None
    time_confidence_s: float | None = None
    semi_major_accuracy_m: float | None = None
    semi_minor_accuracy_m: float | None = None
    semi_major_orientation_deg: float | None = None
    """Orientation of the error ellipse's semi-major axis, degrees from true north."""
    position_confidence_m: float | None = None
    elevation_confidence_m: float | None = None
    transmission: str | None = None
    """TransmissionState: ``"neutral"``, ``"park"``, ``"forwardGears"``, ``"reverseGears"``,
    ... or None (unavailable)."""
    speed_mps: float | None = None
    heading_deg: float | None = None
    """Degrees clockwise from north, 0..360; required (no unavailable value)."""
    steering_wheel_angle_deg: float | None = None
    """Positive to the right; None leaves it out."""
    speed_confidence_mps: float | None = None
    heading_confidence_deg: float | None = None
    steering_wheel_angle_confidence_deg: float | None = None
    longitudinal_acceleration_mps2: float | None = None
    lateral_acceleration_mps2: float | None = None
    vertical_acceleration_mps2: float | None = None
    yaw_rate_dps: float | None = None
    """Required (no unavailable value)."""
    brake_pedal: str | None = None
    wheel_brakes: frozenset[str] | None = None
    traction_control: str | None = None
    anti_lock_brakes: str | None = None
    stability_control: str | None = None
    brake_boost: str | None = None
    auxiliary_brakes: str | None = None
    vehicle_width_m: float | None = None
    """Required, like the length."""
    vehicle_length_m: float | None = None
    vehicle_height_m: float | None = None
    vehicle_class: int = 0
    """BasicVehicleClass (e.g. 10 passenger vehicle, 54 local bus; 0 unknown)."""
    fuel_type: int | None = None
    safety_ext: dict[str, Any] | None = None
    emergency_ext: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "vehicle_id", _vehicle_id(self.vehicle_id))

    @property
    def vehicle_id_text(self) -> str | None:
        """``vehicle_id`` as text when it is printable ASCII (trailing NUL bytes removed)."""
        try:
            text = bytes(self.vehicle_id).rstrip(b"\0").decode("ascii")
        except (TypeError, UnicodeDecodeError):
            return None
        return text if text.isprintable() else None

    def to_value(self) -> tuple[str, dict[str, Any]]:
        """The MessageFrame value ``("bsmFrame", {...})``; EncodeError names the field."""
        return (FRAME, self.encode_as(self.NAME))

    @classmethod
    def from_value(cls, value: Any) -> BSM:
        """The BSM of a MessageFrame value ``("bsmFrame", {...})`` (or of the bare BSM dict)."""
        if isinstance(value, tuple):
            if len(value) != 2 or value[0] != FRAME:
                raise DecodeError(f"MessageFrame is {value[0]!r}, not {FRAME!r}", "MessageFrame")
            value = value[1]
        return super().from_value(value)

