"""Scenario events that trigger DENMs, from the scenario's ``events.toml`` (data only).

```toml
[[event]]
kind = "stopped-vehicle"  # a vehicle stops in its lane and warns (cause 94 stationaryVehicle)
at_s = 20.0               # when, in simulated seconds from the start (warm-up included)
duration_s = 30.0         # how long; then a cancellation DENM, and the vehicle drives on
x_m = 2500.0              # the vehicle nearest to this point at at_s ...
y_m = 80.0
vehicle = ""              # ... unless a SUMO vehicle id is named
repetition_ms = 100       # DENM repetition interval (EN 302 637-3 transmissionInterval)
relevance_m = 1000.0      # vehicles this close count in the warning figures

[[event]]
kind = "hazard"           # an obstacle on the road (cause 10 hazardousLocation-ObstacleOnTheRoad)
at_s = 5.0
x_m = 1600.0              # where the obstacle is; the RSU named (else the nearest) announces it
y_m = 60.0
rsu = "RSU-km1.5"
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from v2x.errors import ScenarioError
from v2x.sim.scenario import read_tables

EVENT_KINDS = {"stopped-vehicle": (94, 2), "hazard": (10, 0)}
"""Event kind -> (causeCode, subCauseCode) of EN 302 637-3 / TS 102 894-2: stationaryVehicle
(vehicleBreakdown), hazardousLocation-ObstacleOnTheRoad (unavailable)."""
RELEVANCE_CLASSES = ((50, "lessThan50m"), (100, "lessThan100m"), (200, "lessThan200m"),
                     (500, "lessThan500m"), (1000, "lessThan1000m"), (5000, "lessThan5km"),
                     (10000, "lessThan10km"))


@dataclass(frozen=True)
class Event:
    """One scenario event."""

    kind: str
    at_s: float
    x_m: float
    y_m: float
    duration_s: float = 30.0
    vehicle: str = ""
    rsu: str = ""
    repetition_ms: int = 100
    relevance_m: float = 1000.0

    @property
    def cause(self) -> tuple[int, int]:
        return EVENT_KINDS[self.kind]

    @property
    def relevance_class(self) -> str:
        """The RelevanceDistance enumeration covering ``relevance_m``."""
        return next((name for bound, name in RELEVANCE_CLASSES if self.relevance_m < bound),
                    "over10km")


_NUMBERS = {"at_s": (0.0, 1e7), "x_m": (-1e7, 1e7), "y_m": (-1e7, 1e7),
            "duration_s": (0.1, 1e6), "relevance_m": (1.0, 1e5)}
_INTEGERS = {"repetition_ms": (100, 10_000)}
_STRINGS = ("kind", "vehicle", "rsu")


def load_events(path: str | Path, rsu_names: list[str]) -> list[Event]:
    """The events of an ``events.toml``; ScenarioError names the file and the faulty entry."""
    path = Path(path)
    events = []
    for index, entry in enumerate(read_tables(path, "event")):
        where = f"event[{index}]"
        extra = set(entry) - set(_NUMBERS) - set(_INTEGERS) - set(_STRINGS)
        if extra:
            raise ScenarioError("unknown key", str(path), f"{where}.{sorted(extra)[0]}")
        for key in ("kind", "at_s", "x_m", "y_m"):
            if key not in entry:
                raise ScenarioError(f"missing {key}", str(path), where)
        for key in _STRINGS:
            if not isinstance(entry.get(key, ""), str):
                raise ScenarioError("a string", str(path), f"{where}.{key}")
        if entry["kind"] not in EVENT_KINDS:
            raise ScenarioError(f"unknown kind {entry['kind']!r}; known: "
                                f"{', '.join(EVENT_KINDS)}", str(path), f"{where}.kind")
        for key, (low, high) in _NUMBERS.items():
            value = entry.get(key, low)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    low <= value <= high):
                raise ScenarioError(f"a number from {low:g} to {high:g}", str(path),
                                    f"{where}.{key}")
        for key, (low, high) in _INTEGERS.items():
            value = entry.get(key, low)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ScenarioError(f"an integer from {low} to {high}", str(path),
                                    f"{where}.{key}")
        if entry.get("rsu") and entry["rsu"] not in rsu_names:
            raise ScenarioError(f"no RSU called {entry['rsu']!r}", str(path), f"{where}.rsu")
        if entry["kind"] == "hazard" and not rsu_names:
            raise ScenarioError("a hazard is announced by an RSU; the scenario has none",
                                str(path), f"{where}.kind")
        if entry["kind"] != "stopped-vehicle" and entry.get("vehicle"):
            raise ScenarioError("only a stopped-vehicle event names a vehicle", str(path),
                                f"{where}.vehicle")
        if entry["kind"] != "hazard" and entry.get("rsu"):
            raise ScenarioError("only a hazard names an RSU", str(path), f"{where}.rsu")
        events.append(Event(**{k: (float(v) if k in _NUMBERS else v) for k, v in entry.items()}))
    return events
