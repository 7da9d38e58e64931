"""Common data dictionary pieces shared by the CAM and DENM facades.

ETSI TS 102 894-2 V1.3.1 (2018-08), Annex A: the data elements and frames CAM and DENM both use
(ItsPduHeader, StationID, StationType, ReferencePosition, Heading, Speed, PathHistory/PathPoint,
DeltaReferencePosition, TimestampIts). Ranges and "unavailable"/"outOfRange" values come from our
module ``ITS-Container``; this module only adds each element's unit and its saturation rule.

V1.3.1 names no "outOfRange" value for SpeedValue, AltitudeValue, DeltaAltitude, the acceleration
values, CurvatureValue, YawRateValue or SteeringWheelAngleValue; V2.1.1 of the CDD later defines the
ends of those ranges as "out of range" ("equal to or greater than"), so values beyond the range
saturate at its ends here, which a V1.3.1 receiver reads as the largest value. DeltaLatitude and
DeltaLongitude do not saturate (a path point that far away is a wrong path point).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from v2x import clock
from v2x.errors import EncodeError
from v2x.messages.units import (
    Classes,
    Const,
    Field,
    Group,
    Integer,
    Items,
    Mapped,
    Nested,
    Node,
    Scaled,
    TypeRef,
)

PROTOCOL_VERSION = 2
"""ItsPduHeader protocolVersion of CAM EN 302 637-2 V1.4.1 and DENM EN 302 637-3 V1.3.1."""


def cdd(name: str) -> TypeRef:
    """A type of ITS-Container (TS 102 894-2 V1.3.1) in our ETSI bundle."""
    return ("etsi", "ITS-Container", name)


class StationType(IntEnum):
    """DE_StationType (TS 102 894-2 V1.3.1); other values 0..255 are kept as plain ints."""

    UNKNOWN = 0
    PEDESTRIAN = 1
    CYCLIST = 2
    MOPED = 3
    MOTORCYCLE = 4
    PASSENGER_CAR = 5
    BUS = 6
    LIGHT_TRUCK = 7
    HEAVY_TRUCK = 8
    TRAILER = 9
    SPECIAL_VEHICLES = 10
    TRAM = 11
    ROAD_SIDE_UNIT = 15


_POSITIVE = (0.0, math.inf)

STATION_ID = Integer(cdd("StationID"))
STATION_TYPE = Integer(cdd("StationType"), enum=StationType)
TIMESTAMP_ITS = Integer(cdd("TimestampIts"))
INFORMATION_QUALITY = Integer(cdd("InformationQuality"))
LATITUDE = Scaled(cdd("Latitude"), 1e-7, valid=(-90.0, 90.0))
LONGITUDE = Scaled(cdd("Longitude"), 1e-7, valid=(-180.0, 180.0))
ALTITUDE = Scaled(cdd("AltitudeValue"), 0.01, saturate=True)
ALTITUDE_CONFIDENCE = Classes(cdd("AltitudeConfidence"))
SEMI_AXIS = Scaled(cdd("SemiAxisLength"), 0.01, valid=_POSITIVE, round_up=True)
HEADING = Scaled(cdd("HeadingValue"), 0.1, valid=(0.0, 360.0))
HEADING_CONFIDENCE = Scaled(cdd("HeadingConfidence"), 0.1, valid=_POSITIVE, round_up=True)
SPEED = Scaled(cdd("SpeedValue"), 0.01, valid=_POSITIVE, saturate=True)
SPEED_CONFIDENCE = Scaled(cdd("SpeedConfidence"), 0.01, valid=_POSITIVE, round_up=True)
DELTA_LATITUDE = Scaled(cdd("DeltaLatitude"), 1e-7)
DELTA_LONGITUDE = Scaled(cdd("DeltaLongitude"), 1e-7)
DELTA_ALTITUDE = Scaled(cdd("DeltaAltitude"), 0.01, saturate=True)
PATH_DELTA_TIME = Scaled(cdd("PathDeltaTime"), 0.01, valid=_POSITIVE)


def header(message_id: int) -> Group:
    """ItsPduHeader with the message's fixed messageID; decoding checks it."""
    return Group("header", (
        Field("protocol_version", "protocolVersion", Integer(cdd("ItsPduHeader.protocolVersion"))),
        Const("messageID", message_id),
        Field("station_id", "stationID", STATION_ID),
    ))


def reference_position(prefix: str = "") -> tuple[Node, ...]:
    """DF_ReferencePosition as facade attributes ``<prefix>latitude_deg`` etc.

    Latitude/longitude in degrees (WGS84), altitude in metres, the 95 % confidence ellipse's
    semi axes in metres and its orientation in degrees from north, the altitude confidence
    in metres (its class bound).
    """
    return (
        Field(f"{prefix}latitude_deg", "latitude", LATITUDE),
        Field(f"{prefix}longitude_deg", "longitude", LONGITUDE),
        Group("positionConfidenceEllipse", (
            Field(f"{prefix}semi_major_confidence_m", "semiMajorConfidence", SEMI_AXIS),
            Field(f"{prefix}semi_minor_confidence_m", "semiMinorConfidence", SEMI_AXIS),
            Field(f"{prefix}semi_major_orientation_deg", "semiMajorOrientation", HEADING),
        )),
        Group("altitude", (
            Field(f"{prefix}altitude_m", "altitudeValue", ALTITUDE),
            Field(f"{prefix}altitude_confidence_m", "altitudeConfidence", ALTITUDE_CONFIDENCE),
        )),
    )


def heading(key: str, value: str, confidence: str, *, optional: bool = False) -> Group:
    """DF_Heading: value and 95 % confidence in degrees."""
    return Group(key, (
        Field(value, "headingValue", HEADING),
        Field(confidence, "headingConfidence", HEADING_CONFIDENCE),
    ), optional=optional)


def speed(key: str, value: str, confidence: str, *, optional: bool = False) -> Group:
    """DF_Speed: value and 95 % confidence in m/s."""
    return Group(key, (
        Field(value, "speedValue", SPEED),
        Field(confidence, "speedConfidence", SPEED_CONFIDENCE),
    ), optional=optional)


def delta_position(key: str = "pathPosition") -> Group:
    """DF_DeltaReferencePosition as ``delta_latitude_deg`` etc."""
    return Group(key, (
        Field("delta_latitude_deg", "deltaLatitude", DELTA_LATITUDE),
        Field("delta_longitude_deg", "deltaLongitude", DELTA_LONGITUDE),
        Field("delta_altitude_m", "deltaAltitude", DELTA_ALTITUDE),
    ))


@dataclass(frozen=True)
class PathPoint(Mapped):
    """DF_PathPoint: offset from the previous point (or the reference position).

    ``delta_time_s`` is how long before the previous point this one was passed (PathDeltaTime,
    10 ms steps; ``None`` leaves it out).
    """

    NAME = "PathPoint"
    FIELDS = (
        delta_position(),
        Field("delta_time_s", "pathDeltaTime", PATH_DELTA_TIME, optional=True),
    )

    delta_latitude_deg: float | None = None
    delta_longitude_deg: float | None = None
    delta_altitude_m: float | None = None
    delta_time_s: float | None = None


PATH_HISTORY = Items(cdd("PathHistory"), Nested(PathPoint))


# ----------------------------------------------------------------------------- TimestampIts

TIMESTAMP_ITS_EPOCH = clock.ITS_EPOCH
"""TimestampIts 0: 2004-01-01T00:00:00.000Z."""


def timestamp_its_ms(utc: datetime) -> int:
    """TimestampIts of a UTC instant: TAI milliseconds since 2004-01-01T00:00:00Z.

    DE_TimestampIts counts elapsed milliseconds including leap seconds (International Atomic
    Time, as TS 102 894-2 V2.1.1 states plainly), i.e. UTC elapsed time plus the leap seconds
    inserted since 2004 (``v2x.clock.LEAP_SECONDS``). ``utc`` must be timezone-aware.
    """
    if utc.tzinfo is None:
        raise EncodeError("give a timezone-aware datetime", "timestamp_its_ms")
    utc = utc.astimezone(UTC)
    if utc < TIMESTAMP_ITS_EPOCH:
        raise EncodeError(f"{utc.isoformat()} is before 2004", "timestamp_its_ms")
    return clock.tai_us_from_utc(utc) // 1000


def utc_from_timestamp_its(timestamp_ms: int) -> datetime:
    """The UTC instant of a TimestampIts (inverse of ``timestamp_its_ms``).

    A timestamp inside an inserted leap second maps to 23:59:59.xxx of that day.
    """
    return clock.utc_from_tai_us(timestamp_ms * 1000)
