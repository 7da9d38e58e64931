"""Decentralized Environmental Notification service: DENMs from scenario events, relayed by RSUs.

ETSI EN 302 637-3 V1.3.1: an originating station detects an event, sends a new DENM (clause
8.1.2, AppDENM_trigger) and repeats it every ``transmissionInterval`` until the event ends; then
it sends the cancellation (termination isCancellation, clause 8.1.4). An RSU with the
``denm-relay`` service repeats a DENM it received from a vehicle with the same interval until
the event ends (keep-alive forwarding, clause 8.2.2, in its simplest form: RSUs relay, vehicles do
not), so the warning reaches beyond the originator's radio range.

* ``stopped-vehicle``: the vehicle (named, or the nearest to the event point) brakes to a stop
  in its lane through SUMO (its own deceleration) for the event's duration and is the
  originator; the event position is where it was when the event began.
* ``hazard``: the named (or nearest) RSU is the originator, at the event point.

What a planner reads from it, per event: of the vehicles that came within the relevance distance
while the event was on, how many were warned; for those within it when the event began, the delay
to their first DENM; the distance to the event at which vehicles were first warned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from v2x.errors import SimulationError
from v2x.messages.etsi.cdd import StationType
from v2x.messages.etsi.denm import DENM, Situation
from v2x.sim.events import Event
from v2x.sim.services.kinds import Outgoing, station_id
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import Rsu
from v2x.sim.traffic import TrafficState


@dataclass
class EventRecord:
    """An event as it played out, and what its DENMs achieved."""

    event: Event
    start_us: int
    end_us: int
    originator: str = ""
    status: str = "pending"
    """pending, active, ended or skipped (with ``note`` saying why)."""
    note: str = ""
    x_m: float = math.nan
    y_m: float = math.nan
    slot: int = -1
    """The originating vehicle's slot (-1: an RSU originates)."""
    event_slot: int = -1
    """The radio slot the originating vehicle sends this event's DENMs on."""
    rsu: int = -1
    next_us: int = 0
    payload: bytes = b""
    cancellation: bytes = b""
    sent: int = 0
    relayed: int = 0
    relays: dict[int, int] = field(default_factory=dict)
    """RSU index -> next relay instant."""
    in_area: set[str] = field(default_factory=set)
    at_start: set[str] = field(default_factory=set)
    first_heard: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Vehicle id -> (first reception instant, distance to the event then)."""

    def figures(self) -> dict:
        """One row of the events table."""
        warned = [v for v in self.in_area if v in self.first_heard]
        delays = [(self.first_heard[v][0] - self.start_us) / 1000 for v in self.at_start
                  if v in self.first_heard]
        distances = [d for _, d in self.first_heard.values()]
        return {
            "kind": self.event.kind, "start_s": self.start_us / 1e6,
            "end_s": self.end_us / 1e6, "originator": self.originator, "status": self.status,
            "note": self.note, "x_m": self.x_m, "y_m": self.y_m,
            "denms_sent": self.sent, "denms_relayed": self.relayed,
            "vehicles_in_area": len(self.in_area), "vehicles_warned": len(warned),
            "warned_share": len(warned) / len(self.in_area) if self.in_area else math.nan,
            "vehicles_in_area_at_start": len(self.at_start),
            "delay_p50_ms": float(np.percentile(delays, 50)) if delays else math.nan,
            "delay_p95_ms": float(np.percentile(delays, 95)) if delays else math.nan,
            "warned_at_distance_median_m":
                float(np.median(distances)) if distances else math.nan,
        }


class DenService:
    """Every event's originator and the RSU relays, fed by traffic steps and DENM receptions."""

    def __init__(self, events: list[Event], rsus: list[Rsu], plan: SlotPlan,
                 start_tai_us: int, traffic) -> None:
        self.rsus = rsus
        self.plan = plan
        self.start_tai_us = start_tai_us
        self.traffic = traffic
        self.records = [EventRecord(e, round(e.at_s * 1e6),
                                    round((e.at_s + e.duration_s) * 1e6)) for e in events]
        self.relaying = [i for i, r in enumerate(rsus) if "denm-relay" in r.services]
        self._sequence: dict[int, int] = {}
        self._closing: set[int] = set()
        """Numbers of the events whose cancellation goes out in the current step."""
        vehicle_events = 0
        for record in self.records:
            if record.event.kind == "hazard":
                record.rsu = hazard_rsu(record.event, rsus)
            else:
                record.event_slot = plan.event(vehicle_events)
                vehicle_events += 1

    def area(self, number: int) -> tuple[float, float, float]:
        """The relevance circle of event ``number``: centre x, y and radius (metres)."""
        record = self.records[number]
        return record.x_m, record.y_m, record.event.relevance_m

    def following(self) -> tuple[np.ndarray, np.ndarray]:
        """(event slots, originating vehicle slots) of the events vehicles send in this step
        (including a cancellation)."""
        pairs = [(r.event_slot, r.slot) for number, r in enumerate(self.records)
                 if (r.status == "active" or number in self._closing) and r.slot >= 0]
        return (np.array([p[0] for p in pairs], dtype=np.int64),
                np.array([p[1] for p in pairs], dtype=np.int64))

    def originate(self, state: TrafficState, step_us: int, slot_of: dict[str, int]) -> Outgoing:
        """Events that begin, go on or end in this traffic step: their originators' DENMs
        (new, repeated, cancelled). Relays come from ``relay``, once the previous step's
        receptions are in."""
        out = Outgoing.empty()
        now, end = state.time_us, state.time_us + step_us
        self._closing = set()
        for number, record in enumerate(self.records):
            if record.status == "pending" and record.start_us < end:
                self._begin(record, state, slot_of)
            if record.status != "active":
                continue
            if record.slot >= 0 and record.originator not in slot_of:
                record.status, record.note = "ended", "the vehicle left the road"
                continue
            if record.slot >= 0:
                record.slot = slot_of[record.originator]
            self._note_area(record, state)
            sender = (record.event_slot if record.slot >= 0
                      else self.plan.flow(record.rsu, "denm"))
            stop = min(end, record.end_us)
            while record.next_us < stop:
                out.add(sender, max(record.next_us, now), record.payload, "denm", number)
                record.sent += 1
                record.next_us += record.event.repetition_ms * 1000
            if record.end_us < end:
                out.add(sender, record.end_us, record.cancellation, "denm", number)
                record.sent += 1
                record.status = "ended"
                self._closing.add(number)
                if record.slot >= 0:
                    self.traffic.hold_vehicle(record.originator, False)
        return out

    def relay(self, state: TrafficState, step_us: int) -> Outgoing:
        """The RSU relays due in this traffic step (until their event ends)."""
        out = Outgoing.empty()
        now, end = state.time_us, state.time_us + step_us
        for number, record in enumerate(self.records):
            if record.status != "active" and number not in self._closing:
                continue
            stop = min(end, record.end_us)
            for rsu, due in list(record.relays.items()):
                while due < stop:
                    out.add(self.plan.flow(rsu, "denm"), max(due, now), record.payload, "denm",
                            number)
                    record.relayed += 1
                    due += record.event.repetition_ms * 1000
                record.relays[rsu] = due
        return out

    def received(self, receivers: np.ndarray, events: np.ndarray, time_us: np.ndarray,
                 vehicle_at: dict[int, str], receiver_xy: np.ndarray) -> None:
        """DENMs received (vehicle or RSU receiver slot, event number, instant, receiver
        position)."""
        for slot, number, when, (x, y) in zip(receivers.tolist(), events.tolist(),
                                              time_us.tolist(), receiver_xy.tolist(),
                                              strict=True):
            record = self.records[number]
            if slot >= self.plan.vehicles:
                rsu = slot - self.plan.vehicles
                if (rsu in self.relaying and rsu != record.rsu and rsu not in record.relays
                        and (record.status == "active" or number in self._closing)):
                    record.relays[rsu] = when
                continue
            vehicle = vehicle_at.get(slot)
            if vehicle is not None and vehicle not in record.first_heard:
                record.first_heard[vehicle] = (when, math.hypot(x - record.x_m, y - record.y_m))

    def _begin(self, record: EventRecord, state: TrafficState, slot_of: dict[str, int]) -> None:
        event = record.event
        if event.kind == "stopped-vehicle":
            vehicle = event.vehicle or self._nearest_vehicle(state, event)
            if not vehicle or vehicle not in slot_of:
                record.status = "skipped"
                record.note = (f"vehicle {event.vehicle} not on the road at {event.at_s:g} s"
                               if event.vehicle else "no vehicle on the road")
                return
            if not self.traffic.hold_vehicle(vehicle, True):
                raise SimulationError(f"SUMO could not stop vehicle {vehicle}")
            row = state.ids.index(vehicle)
            record.originator, record.slot = vehicle, slot_of[vehicle]
            record.x_m, record.y_m = float(state.x_m[row]), float(state.y_m[row])
            station, station_type = station_id(vehicle), StationType.PASSENGER_CAR
        else:
            record.originator = self.rsus[record.rsu].name
            record.x_m, record.y_m = event.x_m, event.y_m
            station, station_type = station_id(record.originator), StationType.ROAD_SIDE_UNIT
        record.status = "active"
        record.next_us = record.start_us
        sequence = self._sequence[station] = self._sequence.get(station, -1) + 1
        record.payload = self._denm(record, station, station_type, sequence, None)
        record.cancellation = self._denm(record, station, station_type, sequence,
                                         "isCancellation")
        self._note_area(record, state, starting=True)

    def _denm(self, record: EventRecord, station: int, station_type: int, sequence: int,
              termination: str | None) -> bytes:
        event = record.event
        lat, lon = self.traffic.to_wgs84(np.array([record.x_m]), np.array([record.y_m]))
        when_ms = _its_ms(self.start_tai_us + (record.end_us if termination else record.start_us))
        detected_ms = _its_ms(self.start_tai_us + record.start_us)
        cause, sub_cause = event.cause
        return DENM(station_id=station, action_id=(station, sequence % 65536),
                    detection_time_ms=detected_ms, reference_time_ms=when_ms,
                    event_latitude_deg=float(lat[0]), event_longitude_deg=float(lon[0]),
                    station_type=station_type, termination=termination,
                    relevance_distance=event.relevance_class,
                    validity_duration_s=min(86400, math.ceil(event.duration_s)),
                    transmission_interval_ms=event.repetition_ms,
                    situation=Situation(cause_code=cause, sub_cause_code=sub_cause,
                                        information_quality=4)).encode()

    def _note_area(self, record: EventRecord, state: TrafficState, starting: bool = False
                   ) -> None:
        near = np.hypot(state.x_m - record.x_m, state.y_m - record.y_m) <= record.event.relevance_m
        ids = [state.ids[i] for i in np.flatnonzero(near) if state.ids[i] != record.originator]
        record.in_area.update(ids)
        if starting:
            record.at_start.update(ids)

    @staticmethod
    def _nearest_vehicle(state: TrafficState, event: Event) -> str:
        if not len(state):
            return ""
        return state.ids[int(np.argmin(np.hypot(state.x_m - event.x_m, state.y_m - event.y_m)))]


def hazard_rsu(event: Event, rsus: list[Rsu]) -> int:
    """The RSU that announces a hazard: the one named, else the nearest."""
    if event.rsu:
        return [r.name for r in rsus].index(event.rsu)
    return int(np.argmin([math.hypot(r.x_m - event.x_m, r.y_m - event.y_m) for r in rsus]))


def denm_flows(events: list[Event], rsus: list[Rsu]) -> set[int]:
    """The RSUs that send DENMs: relays, and those announcing a hazard."""
    senders = {i for i, r in enumerate(rsus) if "denm-relay" in r.services}
    return senders | {hazard_rsu(e, rsus) for e in events if e.kind == "hazard"}


def _its_ms(tai_us: int) -> int:
    """TimestampIts: TAI milliseconds since 2004-01-01 (the simulation clock is TAI already)."""
    return tai_us // 1000
