"""Roadside units of a scenario, from its ``rsus.toml`` (data only).

```toml
[[rsu]]
name = "RSU-1"
x_m = 1250.0            # SUMO network coordinates
y_m = 40.0
tx_power_dbm = 23.0     # optional, default 23
antenna_height_m = 6.0  # optional, default 6 (mast or gantry), 0.5 to 50: the radio uses it on
                        # the RSU's side of its links (WINNER+ B1: it must exceed the scenario's
                        # radio.environment_height_m)
services = ["ivim"]     # optional: "ivim", "spatem", "mapem", "denm-relay"
speed_limit_kmh = 80    # ivim: the speed limit it announces (default 80)
ivi_zone_m = 500.0      # ivim: side of the square zone around the RSU (default 500, at most 800)
intersection = "C"      # spatem/mapem: the SUMO traffic light it serves
intersection_id = 1     # spatem/mapem: J2735 IntersectionID (default: the RSU's position + 1)
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from v2x.errors import ScenarioError
from v2x.sim.scenario import read_tables

SERVICES = ("ivim", "spatem", "mapem", "denm-relay")
_KEYS = {"name", "x_m", "y_m", "tx_power_dbm", "antenna_height_m", "services",
         "speed_limit_kmh", "ivi_zone_m", "intersection", "intersection_id"}
DEFAULT_ANTENNA_HEIGHT_M = 6.0
"""A roadside antenna on a mast or gantry (for scale: 47 CFR §90.391 keeps US C-V2X RSU antennas
at most 8 m above the road, 15 m with reduced EIRP)."""


@dataclass(frozen=True)
class Rsu:
    """One roadside unit: where it is, how loud it sends and which messages it broadcasts."""

    name: str
    x_m: float
    y_m: float
    tx_power_dbm: float = 23.0
    services: tuple[str, ...] = ()
    speed_limit_kmh: int = 80
    ivi_zone_m: float = 500.0
    intersection: str = ""
    intersection_id: int = 1
    antenna_height_m: float = DEFAULT_ANTENNA_HEIGHT_M


def load_rsus(path: str | Path) -> list[Rsu]:
    """The RSUs of an ``rsus.toml``; ScenarioError names the file and the faulty entry."""
    path = Path(path)
    rsus = []
    names = set()
    for index, entry in enumerate(read_tables(path, "rsu")):
        where = f"rsu[{index}]"
        extra = set(entry) - _KEYS
        if extra:
            raise ScenarioError("unknown key", str(path), f"{where}.{sorted(extra)[0]}")
        rsu = _rsu(entry, index, path, where)
        bad = [s for s in rsu.services if s not in SERVICES]
        if bad:
            raise ScenarioError(f"unknown service {bad[0]!r}; known: {', '.join(SERVICES)}",
                                str(path), f"{where}.services")
        if rsu.name in names:
            raise ScenarioError(f"two RSUs are called {rsu.name}", str(path), f"{where}.name")
        names.add(rsu.name)
        rsus.append(rsu)
    return rsus


def _rsu(entry: dict, index: int, path: Path, where: str) -> Rsu:
    for key in ("name", "x_m", "y_m"):
        if key not in entry:
            raise ScenarioError(f"missing {key}", str(path), where)
    numbers = {"x_m": (-1e7, 1e7, 0.0), "y_m": (-1e7, 1e7, 0.0), "tx_power_dbm": (-30, 33, 23.0),
               "ivi_zone_m": (1, 800, 500.0),
               "antenna_height_m": (0.5, 50, DEFAULT_ANTENNA_HEIGHT_M)}
    for key, (low, high, default) in numbers.items():
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                low <= value <= high):
            raise ScenarioError(f"a number from {low:g} to {high:g}", str(path), f"{where}.{key}")
    integers = {"speed_limit_kmh": (0, 250, 80), "intersection_id": (0, 65535, index + 1)}
    for key, (low, high, default) in integers.items():
        value = entry.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ScenarioError(f"an integer from {low} to {high}", str(path), f"{where}.{key}")
    services = entry.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise ScenarioError("a list of service names", str(path), f"{where}.services")
    if not isinstance(entry.get("intersection", ""), str):
        raise ScenarioError("a SUMO traffic light id (a string)", str(path),
                            f"{where}.intersection")
    return Rsu(str(entry["name"]), float(entry["x_m"]), float(entry["y_m"]),
               float(entry.get("tx_power_dbm", 23.0)), tuple(services),
               entry.get("speed_limit_kmh", 80), float(entry.get("ivi_zone_m", 500.0)),
               entry.get("intersection", ""), entry.get("intersection_id", index + 1),
               float(entry.get("antenna_height_m", DEFAULT_ANTENNA_HEIGHT_M)))


def positions(rsus: list[Rsu]) -> np.ndarray:
    """(n, 2) array of RSU positions."""
    return np.array([(r.x_m, r.y_m) for r in rsus], dtype=float).reshape(-1, 2)
