"""Replay of SUMO floating-car data (``--fcd-output``): the same states, no live SUMO needed.

Reads ``<fcd-export><timestep time=".."><vehicle id x y angle type speed [length] .../>`` as a
stream (the file is never loaded whole). Positions are network x/y converted through the network's
geo-reference; an FCD written with ``--fcd-output.geo`` (lon/lat in x/y) is taken as WGS84.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from v2x import geo
from v2x.errors import ScenarioError, SimulationError
from v2x.sim.traffic import TrafficState
from v2x.sim.traffic.netgeo import NetGeo

DEFAULT_LENGTH_M = 4.5


class ReplayBackend:
    """Plays an FCD file back step by step; its steps must match ``step_ms``."""

    def __init__(self, fcd_file: str | Path, *, step_ms: int, geo_reference: NetGeo | None = None,
                 geo_coordinates: bool = False,
                 lengths_m: dict[str, float] | None = None) -> None:
        self.path = Path(fcd_file)
        if not self.path.is_file():
            raise ScenarioError("FCD file not found", str(self.path))
        if geo_reference is None and not geo_coordinates:
            raise ValueError("give the network's geo-reference or geo_coordinates=True")
        self.step_us = step_ms * 1_000
        self.geo = geo_reference
        self.geo_coordinates = geo_coordinates
        self.lengths = dict(lengths_m or {})
        self._steps: Iterator[TrafficState] | None = None
        self._frame: geo.LocalFrame | None = None

    def start(self) -> None:
        self._steps = self._read()

    def step(self) -> TrafficState:
        if self._steps is None:
            raise SimulationError("the replay backend is not started")
        try:
            return next(self._steps)
        except StopIteration:
            raise SimulationError(f"{self.path.name} ends before the scenario does") from None

    def close(self) -> None:
        self._steps = None

    def to_wgs84(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(latitude, longitude) of positions in the states' x/y."""
        if self.geo is not None:
            return self.geo.to_wgs84(x_m, y_m)
        if self._frame is None:
            raise SimulationError("a geo FCD has no plane before its first vehicle")
        return self._frame.to_wgs84(x_m, y_m)

    def _read(self) -> Iterator[TrafficState]:
        expected_us = 0
        try:
            for _, element in ElementTree.iterparse(self.path, events=("end",)):
                if element.tag != "timestep":
                    continue
                time_us = round(float(element.get("time", "nan")) * 1e6)
                if time_us != expected_us:
                    raise SimulationError(
                        f"{self.path.name}: timestep {time_us / 1e6:g} s where "
                        f"{expected_us / 1e6:g} s was due (step_ms must match the FCD period)")
                yield self._state(time_us, element)
                expected_us += self.step_us
                element.clear()
        except ElementTree.ParseError as exc:
            raise ScenarioError(f"not FCD XML: {exc}", str(self.path)) from None
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"unreadable vehicle attribute: {exc}", str(self.path)) from None

    def _state(self, time_us: int, step: ElementTree.Element) -> TrafficState:
        vehicles = step.findall("vehicle")
        ids = tuple(v.get("id") for v in vehicles)
        types = tuple(v.get("type", "") for v in vehicles)
        x = np.array([float(v.get("x")) for v in vehicles])
        y = np.array([float(v.get("y")) for v in vehicles])
        speed = np.array([float(v.get("speed", 0.0)) for v in vehicles])
        heading = np.array([float(v.get("angle", 0.0)) for v in vehicles])
        length = np.array([float(v.get("length") or self.lengths.get(t, DEFAULT_LENGTH_M))
                           for v, t in zip(vehicles, types, strict=True)])
        if self.geo_coordinates:
            lat, lon = y, x
            if self._frame is None and len(x):  # one plane for the whole replay
                self._frame = geo.LocalFrame(float(y[0]), float(x[0]))
            frame = self._frame or geo.LocalFrame(0.0, 0.0)
            x, y = frame.from_wgs84(lat, lon)
        else:
            lat, lon = self.geo.to_wgs84(x, y)
        return TrafficState(time_us, ids, x, y, speed, heading, length, types, lat, lon)
