"""The radio's own work in a co-simulation: its calls recorded once, then replayed alone.

bench/cosim.py's motorway runs once with the radio in this process (``radio.worker =
"inline"``) while every call the medium makes on it is recorded: new vehicles, packets,
positions, steps. The calls are then replayed on fresh ``SidelinkNetwork`` objects with nothing
else running, timing apart what the radio's child process does in a co-simulation (advance and
CBR) and what stays in the parent (``set_positions``: the link table). Prints each replay's
times and a checksum of the outcomes (transmissions, receptions by cause, summed CBR): the same
checksum before and after a change means the change kept every outcome, so two versions can be
compared to a few percent where whole co-simulations vary by ten. Measured, never asserted.

Run: python bench/radio_replay.py [--vehicles 1000] [--seconds 30] [--replays 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cosim  # noqa: E402

from v2x.sim import radio_process, run, scenario  # noqa: E402
from v2x.sim.radio import LossCause, SidelinkNetwork  # noqa: E402

RECORDED = ("reset_vehicles", "submit", "set_positions", "start")


def record(vehicles: int, seconds: float) -> tuple[tuple, list[tuple[str, tuple]]]:
    """Run the co-simulation inline; returns the network's construction and the calls made."""
    calls: list[tuple[str, tuple]] = []
    made: list[tuple] = []
    radio = radio_process.InlineRadio
    original = {name: getattr(radio, name) for name in ("__init__", *RECORDED)}

    def init(self: Any, network: SidelinkNetwork) -> None:
        original["__init__"](self, network)
        made.append((network.config, network.n, network.antenna_height_m.copy(),
                     network.tx_power_dbm.copy()))

    def recorder(name: str):
        def call(self: Any, *args: Any) -> Any:
            calls.append((name, tuple(np.copy(a) if isinstance(a, np.ndarray) else a
                                      for a in args)))
            return original[name](self, *args)
        return call

    patches = {"__init__": init, **{name: recorder(name) for name in RECORDED}}
    for name, method in patches.items():
        setattr(radio, name, method)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary) / "road"
            folder.mkdir()
            cosim.build(folder, vehicles)
            loaded = scenario.load(folder, [f"scenario.duration_s={seconds}",
                                            'radio.worker="inline"'])
            run.run(loaded, Path(temporary) / "out", progress=False)
    finally:
        for name, method in original.items():
            setattr(radio, name, method)
    return made[0], calls


def replay(made: tuple, calls: list[tuple[str, tuple]]) -> dict[str, Any]:
    """Replay ``calls`` on a fresh network: times and the outcome checksum."""
    config, stations, heights, powers = made
    net = SidelinkNetwork(config, stations, seed=1, antenna_height_m=heights,
                          tx_power_dbm=powers)
    radio_s = links_s = 0.0
    transmissions, cbr_sum = 0, 0.0
    causes = np.zeros(len(LossCause), dtype=np.int64)
    for name, args in calls:
        if name == "set_positions":
            tick = time.perf_counter()
            net.set_positions(*args)
            links_s += time.perf_counter() - tick
        elif name == "submit":
            vehicles, sizes, ids, subframes = args
            net.submit(vehicles, sizes, ids, subframe=subframes)
        elif name == "reset_vehicles":
            net.reset_vehicles(*args)
        else:
            subframes, cbr_rows = args
            tick = time.perf_counter()
            result = net.advance(subframes)
            cbr = None if cbr_rows is None else net.cbr(cbr_rows)
            radio_s += time.perf_counter() - tick
            transmissions += len(result.transmissions)
            causes += np.bincount(result.receptions.cause, minlength=len(LossCause))
            cbr_sum += 0.0 if cbr is None else float(cbr.sum())
    return {"radio_s": radio_s, "links_s": links_s,
            "checksum": (transmissions, *causes.tolist(), round(cbr_sum, 3))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--replays", type=int, default=3)
    args = parser.parse_args()
    made, calls = record(args.vehicles, args.seconds)
    simulated_s = sum(call[0] for name, call in calls if name == "start") / 1000.0
    print(f"{args.vehicles} vehicles, {simulated_s:g} s recorded; checksum = "
          "transmissions, receptions by cause (" + ", ".join(c.name.lower() for c in LossCause)
          + "), summed CBR\n")
    print(f"{'replay':>6} {'advance + CBR':>14} {'x real time':>12} {'link table':>11}  checksum")
    for number in range(1, args.replays + 1):
        figures = replay(made, calls)
        seconds = figures["radio_s"]
        print(f"{number:>6} {seconds:>13.2f}s {simulated_s / seconds:>12.1f} "
              f"{figures['links_s']:>10.2f}s  {figures['checksum']}")


if __name__ == "__main__":
    main()
