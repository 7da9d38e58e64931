"""RSU broadcasts against live SUMO: SPaT mirrors the traffic light, MAP its lanes, IVI a sign."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from v2x import geo
from v2x.messages import decode
from v2x.sim.services.infra import SUMO_PHASE_STATE, RsuBroadcasts
from v2x.sim.services.kinds import KINDS
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import Rsu
from v2x.sim.traffic.sumo import SumoBackend

CROSSING = Path(__file__).resolve().parents[1] / "data" / "crossing"
STEP_US = 100_000
RSU = Rsu("RSU-C", 305.0, 305.0, services=("spatem", "mapem", "ivim"), intersection="C",
          intersection_id=2501, speed_limit_kmh=50, ivi_zone_m=400.0)


@pytest.fixture(scope="module")
def broadcast():
    """50 s of the crossing (one full green-amber cycle of the first phase) and what was sent."""
    backend = SumoBackend(CROSSING / "crossing.sumocfg", step_ms=100, seed=1)
    backend.start()
    plan = SlotPlan(8, (RSU.services,), 0)
    service = RsuBroadcasts([RSU], plan, 0, np.random.default_rng(4))
    service.start(backend)
    sent = []
    try:
        for _ in range(500):
            state = backend.step()
            out = service.step(state.time_us, STEP_US, backend)
            letters = backend.signal_states(["C"])[0].states
            sent += [(state.time_us, when, KINDS[kind], slot, payload, letters)
                     for slot, when, payload, kind in zip(out.slots, out.generated_us,
                                                          out.payloads, out.kinds, strict=True)]
        topology = backend.signal_topology("C")
    finally:
        backend.close()
    return service, plan, sent, topology


def test_each_kind_at_its_rate_on_its_own_slot(broadcast):
    _, plan, sent, _ = broadcast
    counts = {kind: sum(1 for s in sent if s[2] == kind) for kind in ("spatem", "mapem", "ivim")}
    assert counts == {"spatem": 500, "mapem": 50, "ivim": 50}
    slots = {s[2]: s[3] for s in sent}
    assert slots == {"spatem": plan.flow(0, "spatem"), "mapem": plan.flow(0, "mapem"),
                     "ivim": plan.flow(0, "ivim")}
    assert len(set(slots.values())) == 3
    spatem_times = [s[1] for s in sent if s[2] == "spatem"]
    assert set(np.diff(spatem_times)) == {STEP_US}


def test_spat_mirrors_the_traffic_light_and_predicts_its_switch(broadcast):
    _, _, sent, _ = broadcast
    spats = [(t, decode("etsi.SPATEM", payload), letters)
             for t, _, kind, _, payload, letters in sent if kind == "spatem"]
    switches = 0
    previous = None
    for t, value, letters in spats:
        intersection = value["spat"]["intersections"][0]
        assert intersection["id"] == {"id": 2501}
        states = intersection["states"]
        assert [m["signalGroup"] for m in states] == list(range(1, len(letters) + 1))
        assert [m["state-time-speed"][0]["eventState"] for m in states] == [
            SUMO_PHASE_STATE[c] for c in letters]
        mark = states[0]["state-time-speed"][0]["timing"]["likelyTime"]
        if previous is not None and previous[1] != letters:
            # the phase changed in this step: the previous SPaT announced exactly this instant
            assert previous[0] == t // 100_000
            switches += 1
        previous = (mark, letters)
    assert switches >= 2  # green -> amber at 42 s, amber -> red at 45 s


def test_map_lanes_and_connections_come_from_sumo(broadcast):
    service, _, _, topology = broadcast
    value = decode("etsi.MAPEM", service._mapem[0])
    intersection = value["map"]["intersections"][0]
    lat = intersection["refPoint"]["lat"] / 1e7
    lon = intersection["refPoint"]["long"] / 1e7
    east, north = geo.LocalFrame(48.21, 16.37).from_wgs84(np.array([lat]), np.array([lon]))
    assert np.hypot(east[0], north[0]) < 15  # the junction node of crossing.nod.xml
    lanes = intersection["laneSet"]
    ingress = [lane for lane in lanes if lane["laneAttributes"]["directionalUse"][0] == b"\x80"]
    assert len(ingress) == len({link.in_lane for link in topology.links})
    assert len(lanes) - len(ingress) == len({link.out_lane for link in topology.links})
    groups = sorted(c["signalGroup"] for lane in ingress for c in lane["connectsTo"])
    assert groups == sorted(link.index + 1 for link in topology.links)
    for lane in ingress:  # the first node is the stop line, close to the reference point
        _, first = lane["nodeList"][1][0]["delta"]
        assert np.hypot(first["x"], first["y"]) < 2500


def test_ivi_announces_the_speed_limit_over_a_square_around_the_rsu(broadcast):
    service, _, _, _ = broadcast
    value = decode("etsi.IVIM", service._ivim[0])
    glc = dict(value["ivi"]["optional"])["glc"]
    giv = dict(value["ivi"]["optional"])["giv"]
    code = giv[0]["roadSignCodes"][0]["code"][1]
    assert code["attributes"] == [("spe", {"speedLimitMax": 50, "unit": 0})]
    deltas = glc["parts"][0]["zone"][1][1]
    lat0, lon0 = glc["referencePosition"]["latitude"], glc["referencePosition"]["longitude"]
    frame = geo.LocalFrame(lat0 / 1e7, lon0 / 1e7)
    corners = np.cumsum([[d["deltaLatitude"], d["deltaLongitude"]] for d in deltas], axis=0)
    east, north = frame.from_wgs84(lat0 / 1e7 + corners[:, 0] / 1e7,
                                   lon0 / 1e7 + corners[:, 1] / 1e7)
    assert np.allclose(np.abs(east), 200, atol=0.5) and np.allclose(np.abs(north), 200, atol=0.5)
