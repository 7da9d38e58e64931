"""Typed CAM facade: SI units in, ETSI wire units out, and back.

ETSI EN 302 637-2 V1.4.1 (2019-04), the Cooperative Awareness Message: clause 7 (CAM format:
ITS PDU header, basic, high-frequency, low-frequency and special vehicle containers), Annex A
(ASN.1) and Annex B (semantics of the CAM data elements, e.g. generationDeltaTime); the data
elements themselves from ETSI TS 102 894-2 V1.3.1 Annex A (see ``cdd``).

    cam = CAM(station_id=1234, generation_delta_time_ms=generation_delta_time(now_its),
              latitude_deg=48.1, longitude_deg=11.6, station_type=StationType.PASSENGER_CAR,
              high_frequency=VehicleHighFrequency(speed_mps=13.9, heading_deg=90.0))
    data = cam.encode()
    assert CAM.decode(data).high_frequency.speed_mps == 13.9

Nothing a received CAM carries is dropped: the special vehicle container, the CEN DSRC tolling
zone and any unknown extension alternative (``("extension-addition-<i>", bytes)``) are kept raw,
and ``present_unavailable`` remembers OPTIONAL members sent as "unavailable", so
``CAM.decode(data).encode() == data``. Extension additions of a SEQUENCE that release 1 does not
know (a CAM from a later release) are kept in ``kept_additions`` and sent back in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from v2x.messages.etsi import cdd
from v2x.messages.etsi.cdd import PathPoint, StationType
from v2x.messages.units import (
    RAW,
    Alternatives,
    Bits,
    Classes,
    Enumerated,
    Field,
    Group,
    Integer,
    Items,
    Mapped,
    MessageFacade,
    Nested,
    Scaled,
)

__all__ = [
    "CAM",
    "PathPoint",
    "ProtectedZone",
    "RSUHighFrequency",
    "StationType",
    "VehicleHighFrequency",
    "VehicleLowFrequency",
    "generation_delta_time",
]

MESSAGE = "etsi.CAM"
MESSAGE_ID = 2

_cdd = cdd.cdd
_POSITIVE = (0.0, math.inf)
_ACCELERATION_CONFIDENCE = Scaled(_cdd("AccelerationConfidence"), 0.1, valid=_POSITIVE,
                                  round_up=True)


def generation_delta_time(timestamp_its_ms: int) -> int:
    """GenerationDeltaTime of a TimestampIts (EN 302 637-2 Annex B): TAI ms mod 65 536."""
    return timestamp_its_ms % 65_536


def _acceleration(key: str, value_type: str, name: str, *, optional: bool) -> Group:
    """DF_Longitudinal/Lateral/VerticalAcceleration: value and confidence in m/s²."""
    return Group(key, (
        Field(f"{name}_mps2", f"{key}Value", Scaled(_cdd(value_type), 0.1, saturate=True)),
        Field(f"{name}_confidence_mps2", f"{key}Confidence", _ACCELERATION_CONFIDENCE),
    ), optional=optional)


@dataclass(frozen=True)
class VehicleHighFrequency(Mapped):
    """BasicVehicleContainerHighFrequency (EN 302 637-2 clause 7); None = unavailable / left out.

    Signs follow the CDD: yaw rate, curvature, steering wheel angle and lateral acceleration are
    positive to the left (counter-clockwise seen from above); longitudinal acceleration is
    positive forward; vertical acceleration is positive up. Confidences are 95 % bounds in the
    value's unit. The optional members (acceleration control ... CEN DSRC tolling zone) are left
    out when None; a pair such as ``lateral_acceleration_mps2``/``..._confidence_mps2`` is sent
    when either is set.
    """

    NAME = "VehicleHighFrequency"
    FIELDS = (
        cdd.heading("heading", "heading_deg", "heading_confidence_deg"),
        cdd.speed("speed", "speed_mps", "speed_confidence_mps"),
        Field("drive_direction", "driveDirection", Enumerated(_cdd("DriveDirection"))),
        Group("vehicleLength", (
            Field("vehicle_length_m", "vehicleLengthValue",
                  Scaled(_cdd("VehicleLengthValue"), 0.1, valid=_POSITIVE, saturate=True)),
            Field("vehicle_length_confidence_indication", "vehicleLengthConfidenceIndication",
                  Enumerated(_cdd("VehicleLengthConfidenceIndication"))),
        )),
        Field("vehicle_width_m", "vehicleWidth",
              Scaled(_cdd("VehicleWidth"), 0.1, valid=_POSITIVE, saturate=True)),
        _acceleration("longitudinalAcceleration", "LongitudinalAccelerationValue",
                      "longitudinal_acceleration", optional=False),
        Group("curvature", (
            Field("curvature_1pm", "curvatureValue",
                  Scaled(_cdd("CurvatureValue"), 1e-4, saturate=True)),
            Field("curvature_confidence_1pm", "curvatureConfidence",
                  Classes(_cdd("CurvatureConfidence"))),
        )),
        Field("curvature_calculation_mode", "curvatureCalculationMode",
              Enumerated(_cdd("CurvatureCalculationMode"))),
        Group("yawRate", (
            Field("yaw_rate_dps", "yawRateValue",
                  Scaled(_cdd("YawRateValue"), 0.01, saturate=True)),
            Field("yaw_rate_confidence_dps", "yawRateConfidence",
                  Classes(_cdd("YawRateConfidence"))),
        )),
        Field("acceleration_control", "accelerationControl", Bits(_cdd("AccelerationControl")),
              optional=True),
        Field("lane_position", "lanePosition", Integer(_cdd("LanePosition")), optional=True),
        Group("steeringWheelAngle", (
            Field("steering_wheel_angle_deg", "steeringWheelAngleValue",
                  Scaled(_cdd("SteeringWheelAngleValue"), 1.5, saturate=True)),
            Field("steering_wheel_angle_confidence_deg", "steeringWheelAngleConfidence",
                  Scaled(_cdd("SteeringWheelAngleConfidence"), 1.5, valid=_POSITIVE,
                         round_up=True)),
        ), optional=True),
        _acceleration("lateralAcceleration", "LateralAccelerationValue", "lateral_acceleration",
                      optional=True),
        _acceleration("verticalAcceleration", "VerticalAccelerationValue",
                      "vertical_acceleration", optional=True),
        Field("performance_class", "performanceClass", Integer(_cdd("PerformanceClass")),
              optional=True),
        Field("cen_dsrc_tolling_zone", "cenDsrcTollingZone", RAW, optional=True),
    )

    heading_deg: float | None = None
    """Degrees clockwise from WGS84 north, 0..360."""
    heading_confidence_deg: float | None = None
    speed_mps: float | None = None
    """Speed over ground, >= 0 (``drive_direction`` says forward or backward)."""
    speed_confidence_mps: float | None = None
    drive_direction: str | None = None
    """``"forward"``, ``"backward"`` or None (unavailable)."""
    vehicle_length_m: float | None = None
    vehicle_length_confidence_indication: str | None = None
    """``"noTrailerPresent"``, ``"trailerPresentWithKnownLength"``, ... or None."""
    vehicle_width_m: float | None = None
    longitudinal_acceleration_mps2: float | None = None
    longitudinal_acceleration_confidence_mps2: float | None = None
    curvature_1pm: float | None = None
    """Inverse of the turning radius, 1/m, positive to the left."""
    curvature_confidence_1pm: float | None = None
    curvature_calculation_mode: str | None = None
    """``"yawRateUsed"``, ``"yawRateNotUsed"`` or None."""
    yaw_rate_dps: float | None = None
    """Degrees per second, positive counter-clockwise (to the left)."""
    yaw_rate_confidence_dps: float | None = None
    acceleration_control: frozenset[str] | None = None
    """Names of the engaged AccelerationControl bits (``"brakePedalEngaged"``, ...)."""
    lane_position: int | None = None
    """LanePosition: -1 off the road, 0 inner hard shoulder, 1 innermost lane, ..."""
    steering_wheel_angle_deg: float | None = None
    steering_wheel_angle_confidence_deg: float | None = None
    lateral_acceleration_mps2: float | None = None
    lateral_acceleration_confidence_mps2: float | None = None
    vertical_acceleration_mps2: float | None = None
    vertical_acceleration_confidence_mps2: float | None = None
    performance_class: int | None = None
    """PerformanceClass 1 (A) or 2 (B); None leaves it out."""
    cen_dsrc_tolling_zone: dict[str, Any] | None = None
    """CenDsrcTollingZone, raw asn1tools value."""


@dataclass(frozen=True)
class ProtectedZone(Mapped):
    """DF_ProtectedCommunicationZone (TS 102 894-2) of an RSU CAM."""

    NAME = "ProtectedZone"
    FIELDS = (
        Field("zone_type", "protectedZoneType", Enumerated(_cdd("ProtectedZoneType"))),
        Field("expiry_time_ms", "expiryTime", cdd.TIMESTAMP_ITS, optional=True),
        Field("latitude_deg", "protectedZoneLatitude", cdd.LATITUDE),
        Field("longitude_deg", "protectedZoneLongitude", cdd.LONGITUDE),
        Field("radius_m", "protectedZoneRadius", Integer(_cdd("ProtectedZoneRadius")),
              optional=True),
        Field("zone_id", "protectedZoneID", Integer(_cdd("ProtectedZoneID")), optional=True),
    )

    latitude_deg: float | None
    longitude_deg: float | None
    zone_type: str = "permanentCenDsrcTolling"
    expiry_time_ms: int | None = None
    """TimestampIts (TAI ms since 2004) after which the zone no longer applies."""
    radius_m: int | None = None
    zone_id: int | None = None


@dataclass(frozen=True)
class RSUHighFrequency(Mapped):
    """RSUContainerHighFrequency (EN 302 637-2): protected zones, or None to leave them out."""

    NAME = "RSUHighFrequency"
    FIELDS = (
        Field("protected_zones", "protectedCommunicationZonesRSU",
              Items(_cdd("ProtectedCommunicationZonesRSU"), Nested(ProtectedZone)),
              optional=True),
    )

    protected_zones: tuple[ProtectedZone, ...] | None = None


@dataclass(frozen=True)
class VehicleLowFrequency(Mapped):
    """BasicVehicleContainerLowFrequency (EN 302 637-2 clause 7).

    ``exterior_lights``: names of the lights that are on (``"lowBeamHeadlightsOn"``, ...);
    ``path_history``: up to 40 points, newest first (``PathPoint`` deltas in degrees, metres and
    seconds into the past).
    """

    NAME = "VehicleLowFrequency"
    FIELDS = (
        Field("vehicle_role", "vehicleRole", Enumerated(_cdd("VehicleRole"))),
        Field("exterior_lights", "exteriorLights", Bits(_cdd("ExteriorLights"))),
        Field("path_history", "pathHistory", cdd.PATH_HISTORY),
    )

    vehicle_role: str = "default"
    exterior_lights: frozenset[str] = field(default_factory=frozenset)
    path_history: tuple[PathPoint, ...] = ()


RawChoice = tuple[str, Any]
"""A CHOICE value the facade does not model, in asn1tools' form ``(alternative, value)``."""


@dataclass(frozen=True)
class CAM(MessageFacade):
    """A Cooperative Awareness Message (EN 302 637-2 V1.4.1) in SI units.

    Header and basic container are flat fields (position in degrees and metres, the 95 %
    confidence ellipse in metres and degrees); ``high_frequency`` is a
    ``VehicleHighFrequency``, an ``RSUHighFrequency`` or a raw CHOICE value (an unknown
    extension alternative); ``low_frequency`` a ``VehicleLowFrequency``, a raw CHOICE value or
    None; ``special_vehicle`` the SpecialVehicleContainer as a raw CHOICE value
    (``("emergencyContainer", {"lightBarSirenInUse": (b"\\xc0", 2)})``) or None.
    Values are checked when converted (``to_value``/``encode``); errors name the field
    (``CAM.latitude_deg``, ``CAM.high_frequency.speed_mps``).
    """

    NAME = "CAM"
    MESSAGE = MESSAGE
    FIELDS = (
        cdd.header(MESSAGE_ID),
        Group("cam", (
            Field("generation_delta_time_ms", "generationDeltaTime",
                  Integer(("etsi", "CAM-PDU-Descriptions", "GenerationDeltaTime"))),
            Group("camParameters", (
                Group("basicContainer", (
                    Field("station_type", "stationType", cdd.STATION_TYPE),
                    Group("referencePosition", cdd.reference_position()),
                )),
                Field("high_frequency", "highFrequencyContainer", Alternatives(
                    basicVehicleContainerHighFrequency=VehicleHighFrequency,
                    rsuContainerHighFrequency=RSUHighFrequency)),
                Field("low_frequency", "lowFrequencyContainer", Alternatives(
                    basicVehicleContainerLowFrequency=VehicleLowFrequency), optional=True),
                Field("special_vehicle", "specialVehicleContainer", RAW, optional=True),
            )),
        )),
    )

    station_id: int
    generation_delta_time_ms: int
    """TimestampIts of the position mod 65 536 (``generation_delta_time``)."""
    latitude_deg: float | None
    longitude_deg: float | None
    station_type: int = StationType.UNKNOWN
    altitude_m: float | None = None
    altitude_confidence_m: float | None = None
    semi_major_confidence_m: float | None = None
    semi_minor_confidence_m: float | None = None
    semi_major_orientation_deg: float | None = None
    high_frequency: VehicleHighFrequency | RSUHighFrequency | RawChoice = field(
        default_factory=VehicleHighFrequency)
    low_frequency: VehicleLowFrequency | RawChoice | None = None
    special_vehicle: RawChoice | None = None
    protocol_version: int = cdd.PROTOCOL_VERSION

