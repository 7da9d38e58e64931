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
