"""DEN service: events stop real SUMO vehicles, DENMs repeat and cancel, RSUs relay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from v2x.messages.etsi.denm import DENM
from v2x.sim.events import Event
from v2x.sim.services.den import DenService
from v2x.sim.services.kinds import KIND_CODE, station_id
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import Rsu
from v2x.sim.traffic.sumo import SumoBackend

CROSSING = Path(__file__).resolve().parents[1] / "data" / "crossing"
STEP_US = 100_000
RSUS = [Rsu("RSU-C", 305.0, 305.0, services=("denm-relay",)),
        Rsu("RSU-N", 305.0, 550.0)]
EVENTS = [Event("stopped-vehicle", at_s=6.0, x_m=100.0, y_m=300.0, duration_s=4.0,
                repetition_ms=200),
          Event("hazard", at_s=2.0, x_m=300.0, y_m=560.0, duration_s=3.0)]


class Slots:
    """Vehicle slots the way the CA service hands them out (first come, first served)."""

    def __init__(self):
        self.slot_of: dict[str, int] = {}

    def update(self, ids):
        for vid in ids:
            self.slot_of.setdefault(vid, len(self.slot_of))
        return {v: s for v, s in self.slot_of.items() if v in ids}


@pytest.fixture(scope="module")
def played():
    backend = SumoBackend(CROSSING / "crossing.sumocfg", step_ms=100, seed=1)
    backend.start()
    plan = SlotPlan(500, (("denm",), ("denm",)), 1)
    service = DenService(EVENTS, RSUS, plan, 0, backend)
    slots = Slots()
    sent, speeds, following = [], {}, {}
    try:
        for k in range(140):
            state = backend.step()
            present = slots.update(state.ids)
            out = service.originate(state, STEP_US, present)
            following[state.time_us] = service.following()[0].tolist()
            out.extend(service.relay(state, STEP_US))
            sent += list(zip(out.slots, out.generated_us, out.payloads, out.kinds, out.tags,
                             strict=True))
            record = service.records[0]
            if record.originator in state.ids:
                speeds[state.time_us] = state.speed_mps[state.ids.index(record.originator)]
            if k == 70:  # RSU-C hears the stopped car's DENM; a vehicle hears it too
                service.received(np.array([plan.receiver(0), 3]), np.array([0, 0]),
                                 np.array([state.time_us, state.time_us]),
                                 {3: state.ids[0]}, np.array([[305.0, 305.0], [100.0, 310.0]]))
    finally:
        backend.close()
    return service, plan, sent, speeds, following


def test_the_vehicle_stops_for_the_event_and_drives_on(played):
    service, _, _, speeds, _ = played
    record = service.records[0]
    assert record.status == "ended" and record.originator
    assert record.x_m == pytest.approx(100.0, abs=60)
    assert speeds[6_000_000] > 10.0
    assert speeds[9_500_000] == 0.0  # braked to a stop (SUMO's deceleration) and waits
    assert max(v for t, v in speeds.items() if t >= 12_000_000) > 1.0


def test_denms_repeat_then_cancel(played):
    service, plan, sent, _, _ = played
    record = service.records[0]
    own = [s for s in sent if s[4] == 0 and s[0] == plan.event(0)]
    assert all(s[3] == KIND_CODE["denm"] for s in own)
    times = [s[1] for s in own]
    assert times[0] == 6_000_000 and np.diff(times[:-1]).tolist() == [200_000] * 19
    first = DENM.decode(own[0][2])
    last = DENM.decode(own[-1][2])
    assert first.action_id == last.action_id == (station_id(record.originator), 0)
    assert first.situation.cause_code == 94 and first.termination is None
    assert last.termination == "isCancellation" and times[-1] == 10_000_000
    assert first.transmission_interval_ms == 200 and first.validity_duration_s == 4


def test_the_event_slot_is_on_air_until_its_cancellation_went_out(played):
    _, plan, _, _, following = played
    slot = plan.event(0)
    on_air = sorted(t for t, slots in following.items() if slot in slots)
    assert on_air[0] == 6_000_000 and on_air[-1] == 10_000_000  # the cancellation's step
    assert slot not in following[10_100_000]


def test_a_relay_repeats_what_it_heard_until_the_event_ends(played):
    service, plan, sent, _, _ = played
    relayed = [s for s in sent if s[4] == 0 and s[0] == plan.flow(0, "denm")]
    assert service.records[0].relayed == len(relayed) > 0
    assert min(s[1] for s in relayed) >= 7_000_000 and max(s[1] for s in relayed) < 10_000_000
    assert {s[2] for s in relayed} == {service.records[0].payload}


def test_the_hazard_goes_out_from_the_nearest_rsu(played):
    _, plan, sent, _, _ = played
    hazard = [s for s in sent if s[4] == 1]
    assert {s[0] for s in hazard} == {plan.flow(1, "denm")}
    denm = DENM.decode(hazard[0][2])
    assert denm.situation.cause_code == 10 and denm.station_id == station_id("RSU-N")
    assert len(hazard) == 31  # 3 s at 100 ms, and the cancellation


def test_warning_figures(played):
    service, _, _, _, _ = played
    row = service.records[0].figures()
    assert row["vehicles_warned"] == 1 and row["denms_relayed"] > 0
    assert row["vehicles_in_area"] >= row["vehicles_warned"]
