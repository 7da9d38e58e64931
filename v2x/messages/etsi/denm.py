"""Typed DENM facade: SI units in, ETSI wire units out, and back.

ETSI EN 302 637-3 V1.3.1 (2019-04), the Decentralized Environmental Notification Message:
clause 7 (DENM format: ITS PDU header, management, situation, location and à la carte
containers), Annex A (ASN.1) and Annex B (semantics of the DENM data elements); the data elements
themselves from ETSI TS 102 894-2 V1.3.1 Annex A (see ``cdd``).

    denm = DENM(station_id=7, action_id=(7, 1), detection_time_ms=t, reference_time_ms=t,
                event_latitude_deg=48.1, event_longitude_deg=11.6,
                station_type=StationType.PASSENGER_CAR,
                situation=Situation(cause_code=97, sub_cause_code=1, information_quality=3))

Times are TimestampIts integers (TAI milliseconds since 2004-01-01, see
``cdd.timestamp_its_ms`` to convert a UTC datetime). The à la carte container is kept raw;
``present_unavailable`` remembers OPTIONAL members sent as "unavailable", so
``DENM.decode(data).encode() == data``, except that a ``validityDuration`` sent explicitly with its
DEFAULT value 600 is left out on re-encoding (asn1tools does not report whether it was present).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from v2x.messages.etsi import cdd
from v2x.messages.etsi.cdd import PathPoint, StationType
from v2x.messages.units import (
    RAW,
    Enumerated,
    Field,
    Group,
    Integer,
    Items,
    Mapped,
    MessageFacade,
    Nested,
    Record,
)

__all__ = ["DENM", "EventPoint", "Location", "PathPoint", "Situation", "StationType"]

MESSAGE = "etsi.DENM"
MESSAGE_ID = 1

_cdd = cdd.cdd
_CAUSE_CODE = Record(causeCode=Integer(_cdd("CauseCodeType")),
                     subCauseCode=Integer(_cdd("SubCauseCodeType")))


@dataclass(frozen=True)
class EventPoint(Mapped):
    """DF_EventPoint (TS 102 894-2): one step of an event history.

    Deltas from the previous point (or the event position) in degrees and metres;
    ``delta_time_s`` how long before; ``information_quality`` 1 (lowest) .. 7, None unavailable.
    """

    NAME = "EventPoint"
    FIELDS = (
        cdd.delta_position("eventPosition"),
        Field("delta_time_s", "eventDeltaTime", cdd.PATH_DELTA_TIME, optional=True),
        Field("information_quality", "informationQuality", cdd.INFORMATION_QUALITY),
    )

    delta_latitude_deg: float | None = None
    delta_longitude_deg: float | None = None
    delta_altitude_m: float | None = None
    delta_time_s: float | None = None
    information_quality: int | None = None


@dataclass(frozen=True)
class Situation(Mapped):
    """SituationContainer (EN 302 637-3 clause 7).

    ``cause_code``/``sub_cause_code``: the event type (CauseCodeType, e.g. 97 collisionRisk, and
    its sub cause); ``linked_cause``: (cause, sub cause) or None; ``information_quality``:
    1 (lowest) .. 7 (highest), None unavailable; ``event_history``: EventPoints or None.
    """

    NAME = "Situation"
    FIELDS = (
        Field("information_quality", "informationQuality", cdd.INFORMATION_QUALITY),
        Group("eventType", (
            Field("cause_code", "causeCode", Integer(_cdd("CauseCodeType"))),
            Field("sub_cause_code", "subCauseCode", Integer(_cdd("SubCauseCodeType"))),
        )),
        Field("linked_cause", "linkedCause", _CAUSE_CODE, optional=True),
        Field("event_history", "eventHistory",
              Items(_cdd("EventHistory"), Nested(EventPoint)), optional=True),
    )

    cause_code: int
    sub_cause_code: int = 0
    information_quality: int | None = None
    linked_cause: tuple[int, int] | None = None
    event_history: tuple[EventPoint, ...] | None = None


@dataclass(frozen=True)
class Location(Mapped):
    """LocationContainer (EN 302 637-3 clause 7).

    ``traces``: one to seven path histories leading to the event (``PathPoint`` tuples);
    event speed in m/s and heading in degrees with 95 % confidences (a pair is sent when either
    is set); ``road_type``: RoadType name (``"urban-NoStructuralSeparationToOppositeLanes"``, ...).
    """

    NAME = "Location"
    FIELDS = (
        cdd.speed("eventSpeed", "event_speed_mps", "event_speed_confidence_mps", optional=True),
        cdd.heading("eventPositionHeading", "event_heading_deg", "event_heading_confidence_deg",
                    optional=True),
        Field("traces", "traces", Items(_cdd("Traces"), cdd.PATH_HISTORY)),
        Field("road_type", "roadType", Enumerated(_cdd("RoadType")), optional=True),
    )

    traces: tuple[tuple[PathPoint, ...], ...] = ((),)
    event_speed_mps: float | None = None
    event_speed_confidence_mps: float | None = None
    event_heading_deg: float | None = None
    event_heading_confidence_deg: float | None = None
    road_type: str | None = None


@dataclass(frozen=True)
class DENM(MessageFacade):
    """A Decentralized Environmental Notification Message (EN 302 637-3 V1.3.1) in SI units.

    The management container is flat: ``action_id`` = (originating station id, sequence
    number), detection and reference times as TimestampIts ms, the event position as
    ``event_latitude_deg`` etc. (as in a CAM), ``termination`` (``"isCancellation"``,
    ``"isNegation"`` or None), ``relevance_distance`` / ``relevance_traffic_direction`` as their
    ENUMERATED names (``"lessThan1000m"``, ``"upstreamTraffic"``) or None,
    ``validity_duration_s`` (DEFAULT 600), ``transmission_interval_ms`` or None.
    ``situation`` and ``location`` are facades or None; ``alacarte`` the raw AlacarteContainer.
    Errors name the field (``DENM.event_latitude_deg``, ``DENM.situation.cause_code``).
    """

    NAME = "DENM"
    MESSAGE = MESSAGE
    FIELDS = (
        cdd.header(MESSAGE_ID),
        Group("denm", (
            Group("management", (
                Field("action_id", "actionID", Record(
                    originatingStationID=cdd.STATION_ID,
                    sequenceNumber=Integer(_cdd("SequenceNumber")))),
                Field("detection_time_ms", "detectionTime", cdd.TIMESTAMP_ITS),
                Field("reference_time_ms", "referenceTime", cdd.TIMESTAMP_ITS),
                Field("termination", "termination",
                      Enumerated(("etsi", "DENM-PDU-Descriptions", "Termination")), optional=True),
                Group("eventPosition", cdd.reference_position("event_")),
                Field("relevance_distance", "relevanceDistance",
                      Enumerated(_cdd("RelevanceDistance")), optional=True),
                Field("relevance_traffic_direction", "relevanceTrafficDirection",
                      Enumerated(_cdd("RelevanceTrafficDirection")), optional=True),
                Field("validity_duration_s", "validityDuration", Integer(_cdd("ValidityDuration")),
                      default=600),
                Field("transmission_interval_ms", "transmissionInterval",
                      Integer(_cdd("TransmissionInterval")), optional=True),
                Field("station_type", "stationType", cdd.STATION_TYPE),
            )),
            Field("situation", "situation", Nested(Situation), optional=True),
            Field("location", "location", Nested(Location), optional=True),
            Field("alacarte", "alacarte", RAW, optional=True),
        )),
    )

    station_id: int
    action_id: tuple[int, int]
    detection_time_ms: int
    reference_time_ms: int
    event_latitude_deg: float | None
    event_longitude_deg: float | None
    station_type: int = StationType.UNKNOWN
    event_altitude_m: float | None = None
    event_altitude_confidence_m: float | None = None
    event_semi_major_confidence_m: float | None = None
    event_semi_minor_confidence_m: float | None = None
    event_semi_major_orientation_deg: float | None = None
    termination: str | None = None
    relevance_distance: str | None = None
    relevance_traffic_direction: str | None = None
    validity_duration_s: int = 600
    transmission_interval_ms: int | None = None
    situation: Situation | None = None
    location: Location | None = None
    alacarte: dict[str, Any] | None = None
    protocol_version: int = cdd.PROTOCOL_VERSION

