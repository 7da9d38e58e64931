"""Roadside-unit broadcasts: SPATEM and MAPEM of a SUMO traffic light, IVIM of a speed limit.

ETSI TS 103 301 V1.3.1: SPATEM (clause 6) carries SAE J2735 SPAT, MAPEM (clause 7) J2735
MapData, IVIM (clause 8) ISO TS 19321 IVI. Each RSU sends each of its services periodically from
a phase of its own: SPATEM every 100 ms (the state changes at every traffic step), MAPEM and IVIM
once a second.

* SPaT: one movement per SUMO link index (signal group = index + 1), its state from SUMO's
  red/yellow/green letter and its end from the light's next switch (TimeMark: tenths of a second
  in the hour, UTC).
* MAP: one ingress lane per controlled incoming lane and one egress lane per outgoing lane, their
  nodes from SUMO's lane shapes in centimetres east and north of the reference point (the mean
  of the stop lines), each ingress lane connected to its egress lanes with the link's signal
  group. Lane shapes are cut at ``MAP_REACH_M`` from the intersection.
* IVI: a regulatory speed-limit sign (ISO 14823 nature 5, serial 57) for a square zone around
  the RSU.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from v2x import geo
from v2x.clock import utc_from_tai_us
from v2x.errors import ScenarioError
from v2x.messages import encode
from v2x.sim.services.kinds import Outgoing, station_id
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import Rsu
from v2x.sim.traffic import SignalState, SignalTopology

BROADCASTS = ("spatem", "mapem", "ivim")
INTERVAL_US = {"spatem": 100_000, "mapem": 1_000_000, "ivim": 1_000_000}
MAP_REACH_M = 250.0
SUMO_PHASE_STATE = {
    "r": "stop-And-Remain", "y": "protected-clearance", "Y": "protected-clearance",
    "g": "permissive-Movement-Allowed", "G": "protected-Movement-Allowed",
    "s": "stop-Then-Proceed", "u": "pre-Movement", "o": "caution-Conflicting-Traffic",
    "O": "dark",
}
"""SUMO link letters to J2735 MovementPhaseState (SUMO's amber does not say whether the movement
was protected: ``y`` maps to protected-clearance)."""
_OFFSET_CHOICES = ((511, "node-XY1"), (1023, "node-XY2"), (2047, "node-XY3"), (4095, "node-XY4"),
                   (8191, "node-XY5"), (32767, "node-XY6"))


@dataclass
class _Schedule:
    rsu: int
    service: str
    next_us: int


class RsuBroadcasts:
    """The periodic broadcasts of every RSU, each kind on its flow's slot of ``plan``."""

    def __init__(self, rsus: list[Rsu], plan: SlotPlan, start_tai_us: int,
                 rng: np.random.Generator, rsus_file: str = "rsus.toml") -> None:
        self.rsus = rsus
        self.plan = plan
        self.to_wgs84 = None
        self.start_tai_us = start_tai_us
        self.rsus_file = rsus_file
        self.schedule = [_Schedule(i, s, int(rng.integers(0, INTERVAL_US[s])))
                         for i, rsu in enumerate(rsus) for s in rsu.services if s in INTERVAL_US]
        self.topologies: dict[str, SignalTopology] = {}
        self._ivim: dict[int, bytes] = {}
        self._mapem: dict[int, bytes] = {}
        self._groups: dict[str, list[int]] = {}

    def start(self, traffic) -> None:
        """Read the traffic lights the RSUs serve and encode the static messages once."""
        self.to_wgs84 = traffic.to_wgs84
        for index, rsu in enumerate(self.rsus):
            if not {"spatem", "mapem"} & set(rsu.services):
                continue
            if not rsu.intersection:
                raise ScenarioError("spatem and mapem need the RSU's intersection (a SUMO "
                                    "traffic light id)", self.rsus_file,
                                    f"rsu[{index}].intersection")
            if rsu.intersection not in self.topologies:
                topology = traffic.signal_topology(rsu.intersection)
                self.topologies[rsu.intersection] = topology
                self._groups[rsu.intersection] = sorted({link.index + 1
                                                         for link in topology.links})
                if self._groups[rsu.intersection][-1] > 255:
                    raise ScenarioError("more than 255 signal groups", self.rsus_file,
                                        f"rsu[{index}].intersection")
            if "mapem" in rsu.services:
                self._mapem[index] = encode("etsi.MAPEM", self.mapem_value(index))
        for index, rsu in enumerate(self.rsus):
            if "ivim" in rsu.services:
                self._ivim[index] = encode("etsi.IVIM", self.ivim_value(index))

    def step(self, now_us: int, step_us: int, traffic) -> Outgoing:
        """The broadcasts due in [now_us, now_us + step_us)."""
        out = Outgoing.empty()
        end = now_us + step_us
        states: dict[str, SignalState] | None = None
        for entry in self.schedule:
            while entry.next_us < end:
                when = max(entry.next_us, now_us)
                slot = self.plan.flow(entry.rsu, entry.service)
                if entry.service == "spatem":
                    if states is None:
                        states = {s.tls_id: s for s in traffic.signal_states(
                            sorted(self.topologies))}
                    rsu = self.rsus[entry.rsu]
                    payload = encode("etsi.SPATEM", self.spatem_value(
                        entry.rsu, states[rsu.intersection], when))
                elif entry.service == "mapem":
                    payload = self._mapem[entry.rsu]
                else:
                    payload = self._ivim[entry.rsu]
                out.add(slot, when, payload, entry.service)
                entry.next_us += INTERVAL_US[entry.service]
        return out

    # message values -------------------------------------------------------------------------

    def _header(self, index: int, message_id: int) -> dict:
        return {"protocolVersion": 2, "messageID": message_id,
                "stationID": station_id(self.rsus[index].name)}

    def _intersection_id(self, index: int) -> dict:
        return {"id": self.rsus[index].intersection_id}

    def spatem_value(self, index: int, state: SignalState, now_us: int) -> dict:
        """SPATEM of the RSU's traffic light at ``now_us``."""
        utc = utc_from_tai_us(self.start_tai_us + now_us)
        switch = utc_from_tai_us(self.start_tai_us + state.next_switch_us)
        mark = _time_mark(switch)
        letters = state.states
        movements = []
        for group in self._groups[self.rsus[index].intersection]:
            letter = letters[group - 1] if group - 1 < len(letters) else ""
            movements.append({"signalGroup": group, "state-time-speed": [{
                "eventState": SUMO_PHASE_STATE.get(letter, "unavailable"),
                "timing": {"minEndTime": mark, "maxEndTime": mark, "likelyTime": mark}}]})
        return {"header": self._header(index, 4), "spat": {"intersections": [{
            "id": self._intersection_id(index), "revision": 0, "status": (b"\x00\x00", 16),
            "moy": _minute_of_year(utc), "timeStamp": utc.second * 1000 + utc.microsecond // 1000,
            "states": movements}]}}

    def mapem_value(self, index: int) -> dict:
        """MAPEM of the RSU's traffic light (lanes and connections from SUMO)."""
        topology = self.topologies[self.rsus[index].intersection]
        ins = sorted({link.in_lane for link in topology.links})
        outs = sorted({link.out_lane for link in topology.links})
        stops = np.array([topology.lane_shapes[lane][-1] for lane in ins])
        ref_x, ref_y = stops.mean(axis=0)
        ref_lat, ref_lon = self.to_wgs84(np.array([ref_x]), np.array([ref_y]))
        frame = geo.LocalFrame(float(ref_lat[0]), float(ref_lon[0]))
        lane_id = {lane: number for number, lane in enumerate([*ins, *outs], start=1)}
        if len(lane_id) > 255:
            raise ScenarioError("more than 255 lanes at one intersection", self.rsus_file,
                                f"rsu[{index}].intersection")
        lanes = []
        for lane in ins:
            shape = topology.lane_shapes[lane][::-1]  # from the stop line upstream
            connections = [{"connectingLane": {"lane": lane_id[link.out_lane]},
                            "signalGroup": link.index + 1}
                           for link in topology.links if link.in_lane == lane][:16]
            lanes.append(self._lane(lane_id[lane], shape, frame, ingress=True,
                                    connections=connections))
        for lane in outs:
            lanes.append(self._lane(lane_id[lane], topology.lane_shapes[lane], frame,
                                    ingress=False, connections=[]))
        width = np.median([topology.lane_widths_m[lane] for lane in lane_id])
        return {"header": self._header(index, 5), "map": {"msgIssueRevision": 0, "intersections": [{
            "id": self._intersection_id(index), "revision": 0,
            "refPoint": {"lat": round(float(ref_lat[0]) * 1e7),
                         "long": round(float(ref_lon[0]) * 1e7)},
            "laneWidth": round(float(width) * 100), "laneSet": lanes}]}}

    def _lane(self, number: int, shape, frame: geo.LocalFrame, *, ingress: bool,
              connections: list[dict]) -> dict:
        points = _cut(np.asarray(shape, dtype=float), MAP_REACH_M)
        lat, lon = self.to_wgs84(points[:, 0], points[:, 1])
        east, north = frame.from_wgs84(lat, lon)
        cm = np.rint(np.column_stack([east, north]) * 100).astype(np.int64)
        deltas = np.diff(np.vstack([np.zeros((1, 2), dtype=np.int64), cm]), axis=0)
        nodes = [{"delta": _node(int(dx), int(dy))} for dx, dy in deltas][:63]
        lane = {"laneID": number,
                "laneAttributes": {"directionalUse": (b"\x80" if ingress else b"\x40", 2),
                                   "sharedWith": (b"\x10\x00", 10),
                                   "laneType": ("vehicle", (b"\x00", 8))},
                "nodeList": ("nodes", nodes)}
        if connections:
            lane["connectsTo"] = connections
        return lane

    def ivim_value(self, index: int) -> dict:
        """IVIM: the RSU's speed limit over a square zone of ``ivi_zone_m`` around it."""
        rsu = self.rsus[index]
        lat, lon = self.to_wgs84(np.array([rsu.x_m]), np.array([rsu.y_m]))
        frame = geo.LocalFrame(float(lat[0]), float(lon[0]))
        half = rsu.ivi_zone_m / 2
        corners_lat, corners_lon = frame.to_wgs84(np.array([-half, half, half, -half]),
                                                  np.array([-half, -half, half, half]))
        cl = np.rint(corners_lat * 1e7).astype(np.int64)
        co = np.rint(corners_lon * 1e7).astype(np.int64)
        prev_lat, prev_lon = round(float(lat[0]) * 1e7), round(float(lon[0]) * 1e7)
        deltas = []
        for a, o in zip(cl.tolist(), co.tolist(), strict=True):
            deltas.append({"deltaLatitude": a - prev_lat, "deltaLongitude": o - prev_lon})
            prev_lat, prev_lon = a, o
        sign = {"code": ("iso14823", {
            "pictogramCode": {"serviceCategoryCode": ("trafficSignPictogram", "regulatory"),
                              "pictogramCategoryCode": {"nature": 5, "serialNumber": 57}},
            "attributes": [("spe", {"speedLimitMax": rsu.speed_limit_kmh, "unit": 0})]})}
        return {"header": self._header(index, 6), "ivi": {
            "mandatory": {"serviceProviderId": {"countryCode": (b"\x00\x00", 10),
                                                "providerIdentifier": 0},
                          "iviIdentificationNumber": index + 1, "iviStatus": 0},
            "optional": [
                ("glc", {"referencePosition": {
                    "latitude": round(float(lat[0]) * 1e7),
                    "longitude": round(float(lon[0]) * 1e7),
                    "positionConfidenceEllipse": {"semiMajorConfidence": 100,
                                                  "semiMinorConfidence": 100,
                                                  "semiMajorOrientation": 0},
                    "altitude": {"altitudeValue": 800001, "altitudeConfidence": "unavailable"}},
                    "parts": [{"zoneId": 1, "zone": ("area", ("deltaPositions", deltas))}]}),
                ("giv", [{"relevanceZoneIds": [1], "iviType": 1, "roadSignCodes": [sign]}]),
            ]}}


def _node(dx_cm: int, dy_cm: int) -> tuple[str, dict]:
    largest = max(abs(dx_cm), abs(dy_cm))
    for bound, name in _OFFSET_CHOICES:
        if largest <= bound:
            return name, {"x": dx_cm, "y": dy_cm}
    raise ValueError("node offset beyond 327 m")  # _cut keeps every segment shorter


def _cut(points: np.ndarray, reach_m: float) -> np.ndarray:
    """The polyline from its first point up to ``reach_m`` along it, no segment over 300 m."""
    out = [points[0]]
    travelled = 0.0
    for a, b in itertools.pairwise(points):
        length = float(np.hypot(*(b - a)))
        if length == 0:
            continue
        end = min(length, reach_m - travelled)
        pieces = int(np.ceil(end / 300.0))
        for k in range(1, pieces + 1):
            out.append(a + (b - a) * (end * k / pieces) / length)
        travelled += end
        if travelled >= reach_m:
            break
    if len(out) == 1:
        out.append(points[0] + np.array([0.01, 0.0]))
    return np.array(out)


def _minute_of_year(utc: datetime) -> int:
    start = datetime(utc.year, 1, 1, tzinfo=UTC)
    return int((utc - start).total_seconds() // 60)


def _time_mark(utc: datetime) -> int:
    """J2735 TimeMark: tenths of a second since the start of the UTC hour."""
    return (utc.minute * 60 + utc.second) * 10 + utc.microsecond // 100_000
