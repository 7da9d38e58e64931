"""Traffic backends against real SUMO (from the eclipse-sumo wheel): libsumo, TraCI, FCD replay."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from v2x.errors import ScenarioError, SimulationError
from v2x.sim.traffic.netgeo import read_net_geo
from v2x.sim.traffic.replay import ReplayBackend
from v2x.sim.traffic.sumo import SumoBackend, net_file_of, sumo_binary

HIGHWAY = Path(__file__).resolve().parents[3] / "scenarios" / "highway"
CONFIG = HIGHWAY / "highway.sumocfg"


def states(backend, steps: int):
    backend.start()
    try:
        return [backend.step() for _ in range(steps)]
    finally:
        backend.close()


def test_network_geo_reference_puts_the_road_where_its_nodes_are():
    geo = read_net_geo(net_file_of(CONFIG))
    lat, lon = geo.to_wgs84(np.array([0.0, 5005.09]), np.array([0.0, 178.02]))
    assert np.allclose(lat, [48.15, 48.15], atol=1e-5)
    assert np.allclose(lon, [11.7, 11.7673], atol=1e-5)


def test_libsumo_states_are_arrays_with_real_coordinates():
    result = states(SumoBackend(CONFIG, step_ms=100, seed=1), 20)
    last = result[-1]
    assert [s.time_us for s in result[:2]] == [0, 100_000]
    assert last.time_us == 1_900_000 and len(last) > 200
    assert np.all((last.latitude_deg > 48.149) & (last.latitude_deg < 48.152))
    assert np.all((last.longitude_deg > 11.699) & (last.longitude_deg < 11.768))
    eastbound = np.array([vid.startswith("eb") for vid in last.ids])
    assert np.all(np.abs(last.heading_deg[eastbound] - 88) < 5)   # east, UTM grid convergence
    assert np.all(np.abs(last.heading_deg[~eastbound] - 268) < 5)
    assert set(last.vehicle_type) <= {"car", "truck"}
    assert set(np.unique(last.length_m)) <= {4.5, 16.5}
    assert last.speed_mps.max() > 20


def test_same_seed_same_traffic_other_seed_other_traffic():
    a = states(SumoBackend(CONFIG, step_ms=100, seed=5), 10)[-1]
    b = states(SumoBackend(CONFIG, step_ms=100, seed=5), 10)[-1]
    c = states(SumoBackend(CONFIG, step_ms=100, seed=6), 10)[-1]
    assert a.ids == b.ids and np.array_equal(a.x_m, b.x_m)
    assert a.ids != c.ids or not np.array_equal(a.x_m, c.x_m)


def test_traci_gives_the_same_states_as_libsumo():
    ours = states(SumoBackend(CONFIG, step_ms=100, seed=3, module="traci"), 5)[-1]
    theirs = states(SumoBackend(CONFIG, step_ms=100, seed=3), 5)[-1]
    assert ours.ids == theirs.ids and np.allclose(ours.x_m, theirs.x_m)


def test_replay_of_fcd_output_matches_the_live_run(tmp_path):
    fcd = tmp_path / "fcd.xml"
    subprocess.run([sumo_binary(), "-c", str(CONFIG), "--step-length", "0.1", "--seed", "2",
                    "--end", "1.0", "--fcd-output", str(fcd), "--no-step-log", "true"],
                   check=True, capture_output=True)
    geo = read_net_geo(net_file_of(CONFIG))
    replayed = states(ReplayBackend(fcd, step_ms=100, geo_reference=geo,
                                    lengths_m={"car": 4.5, "truck": 16.5}), 9)
    live = states(SumoBackend(CONFIG, step_ms=100, seed=2), 9)
    for a, b in zip(replayed, live, strict=True):
        assert a.time_us == b.time_us and a.ids == b.ids
        assert np.allclose(a.x_m, b.x_m, atol=0.01) and np.allclose(a.speed_mps, b.speed_mps,
                                                                     atol=0.01)
        assert np.array_equal(a.length_m, b.length_m)


def test_replay_refuses_a_period_that_does_not_match(tmp_path):
    fcd = tmp_path / "fcd.xml"
    fcd.write_text('<fcd-export><timestep time="0.00"/><timestep time="0.20"/></fcd-export>')
    backend = ReplayBackend(fcd, step_ms=100, geo_coordinates=True)
    backend.start()
    assert len(backend.step()) == 0
    with pytest.raises(SimulationError, match="step_ms must match"):
        backend.step()


def test_sumo_dying_mid_run_is_a_clear_error():
    import libsumo

    backend = SumoBackend(CONFIG, step_ms=100, seed=1)
    backend.start()
    backend.step()
    libsumo.close()  # the simulator goes away under our feet
    with pytest.raises(SimulationError, match=r"SUMO stopped at 0\.1 s"):
        backend.step()
    backend.close()


def test_missing_config_and_gui_without_traci(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        SumoBackend(tmp_path / "none.sumocfg", step_ms=100, seed=1)
    with pytest.raises(ScenarioError, match="traci"):
        SumoBackend(CONFIG, step_ms=100, seed=1, gui=True)
