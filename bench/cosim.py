"""Co-simulation speed: v2x on a highway with 1,000 and 5,000 vehicles against SUMO alone.

For each size a straight motorway (3 lanes each way, 6 km of vehicles per 1,000 vehicles, so
the density stays the same, and 1.5 km of free road ahead of each direction so that no vehicle
leaves during the run) is built with SUMO's netconvert in a temporary folder and filled with
vehicles at t = 0. Measured in one run, never asserted:
* SUMO alone: the scenario stepped through libsumo (0.1 s steps), no V2X;
* SUMO read by v2x (first size): the same stepping through ``v2x.sim.traffic`` (each step's
  read of every vehicle and its WGS84 position), still no V2X: what any run costs before the
  first message;
* v2x: the same scenario with the CA service (CAMs at up to 10 Hz), the full LTE-V2X mode-4
  model and modelled security (``v2x.sim.run``, the radio in its child process), timed over the
  simulation loop; for the first size also with the radio in this process (``radio.worker =
  "inline"``: what the pipelining gains);
and the ratios the issue sets: v2x / SUMO-alone wall time (goal <= 2.0), real-time factor (goal
>= 10) and 5,000-vehicle cost / 1,000-vehicle cost (goal <= 6).

Run: python bench/cosim.py [--quick]   (quick: 10 s simulated instead of 30 s)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from v2x.sim import run, scenario  # noqa: E402
from v2x.sim.traffic.sumo import SumoBackend, sumo_binary, sumo_home  # noqa: E402

ORIGIN = (48.15, 11.7)
"""The scenario's geo-reference (latitude, longitude of the network origin)."""
KM_PER_1000 = 6.0
FREE_ROAD_M = 1500.0
"""Empty road ahead of each direction: more than 30 s at the fastest vehicle's speed."""


def build(folder: Path, vehicles: int) -> Path:
    """A motorway for ``vehicles`` vehicles; returns its scenario folder."""
    occupied_m = KM_PER_1000 * 1000 * vehicles / 1000
    length_m = occupied_m + FREE_ROAD_M
    (folder / "road.nod.xml").write_text(
        f'<nodes><node id="w" x="0" y="0"/><node id="e" x="{length_m}" y="0"/></nodes>')
    (folder / "road.edg.xml").write_text(
        '<edges><edge id="eb" from="w" to="e" numLanes="3" speed="36.11"/>'
        '<edge id="wb" from="e" to="w" numLanes="3" speed="36.11"/></edges>')
    netconvert = Path(sumo_home()) / "bin" / "netconvert"
    subprocess.run([str(netconvert), "-n", "road.nod.xml", "-e", "road.edg.xml", "-o",
                    "road.net.xml", "--offset.disable-normalization", "true"], cwd=folder,
                   check=True, capture_output=True)
    per_lane = vehicles // 6
    spacing = occupied_m / per_lane
    cars = []
    for index in range(vehicles):
        direction, rank = divmod(index, vehicles // 2)
        lane, slot = rank % 3, rank // 3
        cars.append((slot * spacing + lane * spacing / 3, "eb" if direction == 0 else "wb",
                     lane, index))
    cars.sort()
    (folder / "road.rou.xml").write_text(
        '<routes><vType id="car" length="4.5" maxSpeed="41.7" speedFactor="normc(1,0.1,0.8,1.2)"/>'
        '<route id="eb" edges="eb"/><route id="wb" edges="wb"/>'
        + "".join(f'<vehicle id="{route}{index}" type="car" route="{route}" depart="0" '
                  f'departPos="{pos:.1f}" departLane="{lane}" departSpeed="15"/>'
                  for pos, route, lane, index in cars) + "</routes>")
    (folder / "road.sumocfg").write_text(
        '<configuration><input><net-file value="road.net.xml"/>'
        '<route-files value="road.rou.xml"/></input><processing>'
        '<eager-insert value="true"/></processing><report><no-step-log value="true"/>'
        '<no-warnings value="true"/></report></configuration>')
    (folder / "scenario.toml").write_text(
        '[scenario]\nname = "bench"\nwarmup_s = 0\nstep_ms = 100\nseed = 1\n'
        '[traffic]\nbackend = "libsumo"\nconfig = "road.sumocfg"\n'
        f'origin_lat_deg = {ORIGIN[0]}\norigin_lon_deg = {ORIGIN[1]}\n'
        f'[metrics]\nmax_vehicles = {vehicles + 64}\n[security]\nmode = "modelled"\n')
    return folder


def sumo_alone(folder: Path, seconds: float) -> tuple[float, int]:
    """Wall time of stepping the scenario through libsumo, and the vehicles at the end."""
    import libsumo

    started = time.perf_counter()
    libsumo.start([sumo_binary(), "-c", str(folder / "road.sumocfg"), "--step-length", "0.1",
                   "--seed", "1", "--no-step-log", "true"])
    for _ in range(round(seconds * 10)):
        libsumo.simulationStep()
    count = len(libsumo.vehicle.getIDList())
    libsumo.close()
    return time.perf_counter() - started, count


def sumo_read(folder: Path, seconds: float) -> float:
    """Wall time of the same stepping through ``v2x.sim.traffic`` (SumoBackend: each step's
    read of every vehicle and its WGS84 position), still no V2X: the traffic floor of a run."""
    traffic = SumoBackend(folder / "road.sumocfg", step_ms=100, seed=1, origin=ORIGIN)
    started = time.perf_counter()
    traffic.start()
    for _ in range(round(seconds * 10)):
        traffic.step()
    traffic.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="1000,5000")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else 30.0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{seconds:.0f} s simulated per run\n")
    print(f"{'vehicles':>8} {'SUMO alone':>11} {'v2x':>9} {'v2x/SUMO':>9} {'x real time':>12} "
          f"{'CAMs':>9}")
    walls = {}
    with tempfile.TemporaryDirectory() as temporary:
        for size in sizes:
            folder = Path(temporary) / f"n{size}"
            folder.mkdir()
            build(folder, size)
            baseline, present = sumo_alone(folder, seconds)
            loaded = scenario.load(folder, [f"scenario.duration_s={seconds}"])
            result = run.run(loaded, Path(temporary) / f"out{size}", progress=False)
            wall = result.figures["wall_s"]
            walls[size] = wall
            print(f"{present:>8} {baseline:>10.2f}s {wall:>8.2f}s {wall / baseline:>9.2f} "
                  f"{seconds / wall:>12.1f} {result.figures['transmissions']:>9,}")
            if size == sizes[0]:
                read = sumo_read(folder, seconds)
                print(f"{'':>8} {'SUMO read by v2x, no V2X:':>24} {read:>5.2f}s "
                      f"{read / baseline:>9.2f}   (the traffic floor of the v2x / SUMO ratio)")
                inline = scenario.load(folder, [f"scenario.duration_s={seconds}",
                                                'radio.worker="inline"'])
                alone = run.run(inline, Path(temporary) / f"inline{size}",
                                progress=False).figures["wall_s"]
                print(f"{'':>8} {'radio in this process:':>21} {alone:>8.2f}s "
                      f"{alone / baseline:>9.2f} {seconds / alone:>12.1f}   "
                      f"(the radio process gains {alone / wall:.2f}x)")
    if len(walls) == 2:
        small, large = sorted(walls)
        print(f"\ncost {large} / {small} vehicles: {walls[large] / walls[small]:.2f} (goal <= 6)")


if __name__ == "__main__":
    main()
