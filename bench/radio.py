"""Speed of the radio + MAC model (v2x.sim.radio) on a highway: prints figures, asserts nothing.

Vehicles on a ring highway at 0.1 veh/m (1,000 vehicles on 10 km, 5,000 on 50 km), half driving
each way at 70 km/h, each sending a 190-byte packet at 10 Hz with the validation's radio
configuration (WINNER+ B1, σ = 3 dB, 4 sub-channels, 20 dBm, SB-SPS exact to the subframe).
Positions are updated every 100 ms as a traffic simulator would, then 100 subframes are advanced;
the timed part is set_positions + submit + advance. Prints simulated subframes per second of wall
time, the real-time factor (simulated time / wall time) and the cost ratio 5,000 vs 1,000
vehicles, for processing windows of 100 subframes (the default: one pass per traffic step) and,
for comparison, 10. ``--rsus N`` adds N static roadside units, evenly spaced, sending at 10 Hz
with their own antenna height (``--rsu-height``, 6 m): their links reach further than the
vehicles' (``links`` then counts those too; ``range m`` stays the vehicle-to-vehicle range).

    python bench/radio.py [--seconds 5] [--warmup 1] [--windows 100,10] [--rsus 0]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from v2x.sim.radio import SidelinkNetwork
from v2x.sim.validation import Benchmark, paper_radio_config

DENSITY = 0.1
SPEED_MPS = 70.0 / 3.6


def run(n_vehicles: int, window: int, seconds: float, warmup: float, seed: int = 7,
        rsus: int = 0, rsu_height_m: float = 6.0) -> dict:
    """Simulate; returns timing of the measured part (after ``warmup`` simulated seconds)."""
    road = n_vehicles / DENSITY
    bench = Benchmark(road_length_m=road, batch_subframes=window, seed=seed)
    config = replace(paper_radio_config(bench), report_range_m=None)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, road, n_vehicles)
    direction = np.where(rng.random(n_vehicles) < 0.5, 1.0, -1.0)
    stations = n_vehicles + rsus
    offsets = rng.integers(0, 100, stations)
    heights = None
    if rsus:
        heights = np.full(stations, np.nan)
        heights[n_vehicles:] = rsu_height_m
        x = np.concatenate([x, (np.arange(rsus) + 0.5) * road / rsus])
        direction = np.concatenate([direction, np.zeros(rsus)])
    net = SidelinkNetwork(config, stations, seed=seed, antenna_height_m=heights)
    total_ms = round((warmup + seconds) * 1000)
    measured_from = round(warmup * 1000)
    wall = 0.0
    receptions = 0
    for start in range(0, total_ms, 100):
        tick = time.perf_counter()
        xy = np.column_stack([np.mod(x + direction * SPEED_MPS * start / 1000.0, road),
                              np.zeros(stations)])
        net.set_positions(xy)
        net.submit(np.arange(stations), 190, start * stations + np.arange(stations),
                   start + offsets)
        result = net.advance(100)
        elapsed = time.perf_counter() - tick
        if start >= measured_from:
            wall += elapsed
            receptions += len(result.receptions)
    return {
        "vehicles": n_vehicles,
        "window": window,
        "wall_s": wall,
        "subframes_per_s": seconds * 1000.0 / wall,
        "real_time_factor": seconds / wall,
        "links": net.links.n_links,
        "range_m": net.range_m,
        "receptions_per_s": receptions / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--windows", default="100,10",
                        help="processing windows to time, in subframes (comma-separated)")
    parser.add_argument("--rsus", type=int, default=0,
                        help="roadside units with their own antenna height (default none)")
    parser.add_argument("--rsu-height", type=float, default=6.0,
                        help="their antenna height in metres (default 6)")
    args = parser.parse_args()
    windows = [int(w) for w in args.windows.split(",")]
    print(f"radio bench: ring highway {DENSITY} veh/m, 10 Hz, 190 B, {args.seconds:g} s measured "
          f"after {args.warmup:g} s warm-up"
          + (f", {args.rsus} RSUs at {args.rsu_height:g} m" if args.rsus else ""))
    print(f"{'vehicles':>8} {'window':>6} {'subframes/s':>12} {'x real time':>11} "
          f"{'links':>9} {'range m':>8} {'rx opp./s':>11}")
    by_window: dict[int, dict[int, dict]] = {}
    for window in windows:
        for n in (1000, 5000):
            r = run(n, window, args.seconds, args.warmup, rsus=args.rsus,
                    rsu_height_m=args.rsu_height)
            by_window.setdefault(window, {})[n] = r
            print(f"{n:8d} {window:6d} {r['subframes_per_s']:12.0f} "
                  f"{r['real_time_factor']:11.1f} {r['links']:9d} {r['range_m']:8.0f} "
                  f"{r['receptions_per_s']:11.0f}")
    for window, rows in by_window.items():
        ratio = rows[5000]["wall_s"] / rows[1000]["wall_s"]
        print(f"cost ratio 5,000 vs 1,000 vehicles (window {window}): {ratio:.2f} "
              f"(linear would be 5.00)")


if __name__ == "__main__":
    main()
