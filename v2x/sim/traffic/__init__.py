"""Traffic backends behind one protocol: live SUMO (libsumo or TraCI) and FCD replay.

Each step the backend hands over one ``TrafficState``: numpy arrays of every vehicle's position,
speed, heading, length and type, and its WGS84 position through the network's geo-reference, so
the radio works on arrays and the messages carry real coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class TrafficState:
    """All vehicles at one instant; row i of every array is vehicle ``ids[i]``."""

    time_us: int
    ids: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    speed_mps: np.ndarray
    heading_deg: np.ndarray
    """Compass heading: 0 = north, 90 = east (SUMO's angle convention)."""
    length_m: np.ndarray
    vehicle_type: tuple[str, ...]
    latitude_deg: np.ndarray
    longitude_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class SignalLink:
    """One controlled link of a SUMO traffic light: its index and the lanes it joins."""

    index: int
    in_lane: str
    out_lane: str


@dataclass(frozen=True)
class SignalTopology:
    """What a traffic light controls: links, and the shape and width of every lane involved."""

    tls_id: str
    links: tuple[SignalLink, ...]
    lane_shapes: dict[str, tuple[tuple[float, float], ...]]
    """Network x/y points of each lane, in driving direction."""
    lane_widths_m: dict[str, float]


@dataclass(frozen=True)
class SignalState:
    """A traffic light now: one SUMO state letter per link index and its next switch."""

    tls_id: str
    states: str
    next_switch_us: int
    """Simulation time of the next phase change."""


class TrafficBackend(Protocol):
    """A source of vehicle movements, stepped in fixed increments."""

    step_us: int

    def start(self) -> None:
        """Load the scenario; the first ``step`` returns the state after one step."""
        ...

    def step(self) -> TrafficState:
        """Advance one step and return every vehicle's state."""
        ...

    def close(self) -> None:
        """Release the simulator (idempotent)."""
        ...

    def to_wgs84(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(latitude, longitude) in degrees of positions in the states' x/y."""
        ...


class LiveTraffic(TrafficBackend, Protocol):
    """A backend that runs SUMO itself: traffic lights can be read and vehicles held."""

    def signal_topology(self, tls_id: str) -> SignalTopology:
        """The links and lanes of traffic light ``tls_id`` (after ``start``)."""
        ...

    def signal_states(self, tls_ids: list[str]) -> list[SignalState]:
        """The current state of each traffic light."""
        ...

    def hold_vehicle(self, vehicle_id: str, stopped: bool) -> bool:
        """Stop (or release) a vehicle in its lane; False if it is not on the road."""
        ...
