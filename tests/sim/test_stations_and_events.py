"""rsus.toml and events.toml: checked up front, errors name the file and the entry; the RSUs'
slots in the medium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from v2x.errors import ScenarioError
from v2x.sim import run, scenario
from v2x.sim.engine import Engine
from v2x.sim.events import load_events
from v2x.sim.medium import Medium
from v2x.sim.metrics import Metrics
from v2x.sim.radio import RadioConfig
from v2x.sim.securing import SecurityModel
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import load_rsus


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rsus_with_every_key(tmp_path):
    path = write(tmp_path, "rsus.toml", '''
[[rsu]]
name = "A"
x_m = 1.0
y_m = 2
services = ["spatem", "mapem", "ivim", "denm-relay"]
intersection = "C"
intersection_id = 2501
speed_limit_kmh = 50
ivi_zone_m = 300
antenna_height_m = 8
[[rsu]]
name = "B"
x_m = 5
y_m = 6
''')
    a, b = load_rsus(path)
    assert (a.intersection, a.intersection_id, a.speed_limit_kmh, a.ivi_zone_m) == (
        "C", 2501, 50, 300.0)
    assert a.antenna_height_m == 8.0 and isinstance(a.antenna_height_m, float)
    assert b.services == () and b.intersection_id == 2 and b.tx_power_dbm == 23.0
    assert b.antenna_height_m == 6.0


@pytest.mark.parametrize("entry, key", [
    ('name = "A"\nx_m = 1\ny_m = 2\nservices = ["radar"]', "rsu[0].services"),
    ('name = "A"\nx_m = "far"\ny_m = 2', "rsu[0].x_m"),
    ('name = "A"\nx_m = 1\ny_m = 2\nspeed_limit_kmh = 300', "rsu[0].speed_limit_kmh"),
    ('name = "A"\nx_m = 1\ny_m = 2\nivi_zone_m = 5000', "rsu[0].ivi_zone_m"),
    ('name = "A"\nx_m = 1\ny_m = 2\nintersection = 7', "rsu[0].intersection"),
    ('name = "A"\nx_m = 1\ny_m = 2\ncolour = "red"', "rsu[0].colour"),
    ('name = "A"\nx_m = 1\ny_m = 2\nantenna_height_m = 0.2', "rsu[0].antenna_height_m"),
    ('name = "A"\nx_m = 1\ny_m = 2\nantenna_height_m = 60', "rsu[0].antenna_height_m"),
    ('name = "A"\nx_m = 1\ny_m = 2\nantenna_height_m = "tall"', "rsu[0].antenna_height_m"),
    ('name = "A"\nx_m = 1\ny_m = 2\nantenna_height_m = true', "rsu[0].antenna_height_m"),
])
def test_bad_rsu_entries_are_named(tmp_path, entry, key):
    path = write(tmp_path, "rsus.toml", f"[[rsu]]\n{entry}\n")
    with pytest.raises(ScenarioError) as caught:
        load_rsus(path)
    assert caught.value.path == f"{path}:{key}"


@pytest.mark.parametrize("text, key", [
    ("rsu = [1, 2]\n", "rsu"), ("[rsu]\nname = 'A'\n", "rsu"), ("[[rsux]]\n", "rsux"),
    ("[[rsu]\n", ""),
])
def test_files_that_are_not_rsu_tables(tmp_path, text, key):
    path = write(tmp_path, "rsus.toml", text)
    with pytest.raises(ScenarioError) as caught:
        load_rsus(path)
    assert caught.value.path == (f"{path}:{key}" if key else str(path))


def test_events_with_defaults(tmp_path):
    path = write(tmp_path, "events.toml", '''
[[event]]
kind = "stopped-vehicle"
at_s = 3
x_m = 10
y_m = 0
[[event]]
kind = "hazard"
at_s = 1.5
x_m = 0
y_m = 0
rsu = "A"
relevance_m = 300
''')
    stopped, hazard = load_events(path, ["A"])
    assert stopped.cause == (94, 2) and stopped.relevance_class == "lessThan5km"
    assert stopped.duration_s == 30.0 and stopped.repetition_ms == 100
    assert hazard.cause == (10, 0) and hazard.relevance_class == "lessThan500m"


@pytest.mark.parametrize("entry, rsus, key", [
    ('kind = "meteor"\nat_s = 1\nx_m = 0\ny_m = 0', ["A"], "event[0].kind"),
    ('kind = "hazard"\nat_s = 1\nx_m = 0\ny_m = 0', [], "event[0].kind"),
    ('kind = "hazard"\nat_s = 1\nx_m = 0\ny_m = 0\nrsu = "Z"', ["A"], "event[0].rsu"),
    ('kind = "hazard"\nat_s = -1\nx_m = 0\ny_m = 0', ["A"], "event[0].at_s"),
    ('kind = "hazard"\nat_s = 1\nx_m = 0\ny_m = 0\nrepetition_ms = 20', ["A"],
     "event[0].repetition_ms"),
    ('kind = "hazard"\nat_s = 1\nx_m = 0\ny_m = 0\nvehicle = "v1"', ["A"], "event[0].vehicle"),
    ('kind = "stopped-vehicle"\nat_s = 1\nx_m = 0', ["A"], "event[0]"),
])
def test_bad_events_are_named(tmp_path, entry, rsus, key):
    path = write(tmp_path, "events.toml", f"[[event]]\n{entry}\n")
    with pytest.raises(ScenarioError) as caught:
        load_events(path, rsus)
    assert caught.value.path == f"{path}:{key}"


def test_slot_plan_gives_every_flow_its_own_slot():
    plan = SlotPlan(10, (("spatem", "mapem", "denm"), (), ("ivim",)), events=2)
    assert [plan.receiver(r) for r in range(3)] == [10, 11, 12]
    assert plan.flow(0, "spatem") == 10 and plan.flow(2, "ivim") == 12
    assert (plan.flow(0, "mapem"), plan.flow(0, "denm")) == (13, 14)
    assert plan.owner() == [0, 1, 2, 0, 0]
    assert plan.roadside == range(10, 15)
    assert (plan.event(0), plan.event(1), plan.total) == (15, 16, 17)


def test_every_roadside_slot_gets_its_rsus_antenna_height():
    plan = SlotPlan(4, (("spatem", "mapem"), ("ivim",)), events=1)
    engine = Engine(1)
    security = SecurityModel("off", plan.total, plan.rsus, engine.rng("security"),
                             engine.start_tai_us, roadside=plan.roadside)
    medium = Medium(RadioConfig(), plan, np.array([[0.0, 0.0], [900.0, 0.0]]),
                    np.array([23.0, 30.0]), engine.rng, Metrics(1000.0, plan.rsus), security,
                    rsu_height_m=np.array([8.0, 6.0]))
    net = medium.radio.network
    # slots: 4 vehicles, RSU receivers 4 and 5, RSU 0's second flow 6, one event slot 7
    assert np.isnan(net.antenna_height_m[[0, 1, 2, 3, 7]]).all()
    assert net.antenna_height_m[4:7].tolist() == [8.0, 6.0, 8.0]
    assert net.tx_power_dbm[4:7].tolist() == [23.0, 30.0, 23.0]
    assert min(net.station_range_m[4], net.station_range_m[5]) > net.range_m
    assert net.station_range_m[7] == net.range_m


def test_an_rsu_antenna_below_the_environment_height_is_named(tmp_path):
    highway = Path(__file__).resolve().parents[2] / "scenarios" / "highway"
    rsus = write(tmp_path, "rsus.toml", '[[rsu]]\nname = "A"\nx_m = 1\ny_m = 2\n'
                 '[[rsu]]\nname = "B"\nx_m = 1\ny_m = 2\nantenna_height_m = 0.8\n')
    sc = scenario.load(highway, [f'services.rsus="{rsus}"'])
    with pytest.raises(ScenarioError) as caught:
        run._check_rsu_antennas(sc, load_rsus(rsus))
    assert caught.value.path == f"{rsus}:rsu[1].antenna_height_m"
    run._check_rsu_antennas(sc, load_rsus(rsus)[:1])
    # a vehicle antenna at or below the environment height is refused with the radio settings
    low = scenario.load(highway, ["radio.antenna_height_m=1.0"])
    with pytest.raises(ScenarioError, match="environment_height_m"):
        run.radio_config(low, 100)
