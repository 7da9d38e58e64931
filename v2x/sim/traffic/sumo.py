"""Live SUMO through libsumo (in-process, default) or TraCI (socket; sumo-gui, several clients).

Both modules expose the same API, so one code path drives either. The SUMO binaries and data come
from the ``eclipse-sumo`` wheel: the path is taken from the imported ``sumo`` package, never from
a SUMO_HOME that may point at another installation. Each step reads every vehicle with the
per-vehicle getters (the cheapest bulk read with libsumo: well under a microsecond a call; DESIGN
facts), caching what does not change (length, type) at a vehicle's first appearance.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from types import ModuleType

import numpy as np

from v2x.errors import ScenarioError, SimulationError
from v2x.sim.traffic import SignalLink, SignalState, SignalTopology, TrafficState
from v2x.sim.traffic.netgeo import NetGeo, read_net_geo

_NET_FILE = re.compile(r'<net-file\s+value="([^"]+)"')


def sumo_home() -> str:
    """The SUMO installation of the ``eclipse-sumo`` wheel (also exported as SUMO_HOME)."""
    import sumo

    os.environ["SUMO_HOME"] = sumo.SUMO_HOME
    return sumo.SUMO_HOME


def sumo_binary(gui: bool = False) -> str:
    """Path of ``sumo`` (or ``sumo-gui``) from the wheel."""
    path = Path(sumo_home()) / "bin" / ("sumo-gui" if gui else "sumo")
    if not path.exists():
        raise SimulationError(f"{path} is missing: reinstall the eclipse-sumo package")
    return str(path)


def net_file_of(config: str | Path) -> Path:
    """The network a ``.sumocfg`` names, resolved against the configuration's folder."""
    config = Path(config)
    try:
        text = config.read_text("utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", str(config)) from None
    match = _NET_FILE.search(text)
    if match is None:
        raise ScenarioError("no <net-file> in the SUMO configuration", str(config), "net-file")
    return (config.parent / match.group(1)).resolve()


class SumoBackend:
    """Steps a SUMO scenario and reads every vehicle each step.

    A state's ``time_us`` is the start of the step that produced it, as SUMO labels its outputs
    (the first state is at 0 and equals FCD ``timestep time="0.00"``).
    """

    def __init__(self, config: str | Path, *, step_ms: int, seed: int, module: str = "libsumo",
                 gui: bool = False, extra_args: list[str] | tuple[str, ...] = (),
                 origin: tuple[float, float] | None = None) -> None:
        if module not in ("libsumo", "traci"):
            raise ValueError("module is libsumo or traci")
        if gui and module != "traci":
            raise ScenarioError("sumo-gui needs the traci backend", "scenario", "traffic.gui")
        self.config = Path(config)
        self.step_us = step_ms * 1_000
        self.seed = seed
        self.module_name = module
        self.gui = gui
        self.extra_args = [str(a) for a in extra_args]
        self.geo: NetGeo = read_net_geo(net_file_of(self.config), origin)
        self._sumo: ModuleType | None = None
        self._time_us = 0
        self._static: dict[str, tuple[float, str]] = {}

    def command(self) -> list[str]:
        """The SUMO command line: configuration, step length and the scenario's seed."""
        return [sumo_binary(self.gui), "-c", str(self.config),
                "--step-length", f"{self.step_us / 1e6:g}", "--seed", str(self.seed),
                "--no-step-log", "true", *self.extra_args]

    def start(self) -> None:
        sumo_home()
        if self.module_name == "libsumo":
            import libsumo as module
        else:
            import traci as module
        try:
            module.start(self.command())
        except Exception as exc:  # libsumo and traci raise their own exception types
            raise SimulationError(f"SUMO did not start: {exc}") from None
        self._sumo = module

    def step(self) -> TrafficState:
        sumo = self._sumo
        if sumo is None:
            raise SimulationError("the SUMO backend is not started")
        try:
            sumo.simulationStep()
            vehicle = sumo.vehicle
            ids = vehicle.getIDList()
            count = len(ids)
            xy = np.array(list(map(vehicle.getPosition, ids)), dtype=float).reshape(count, 2)
            x, y = xy[:, 0].copy(), xy[:, 1].copy()
            speed = np.fromiter(map(vehicle.getSpeed, ids), dtype=float, count=count)
            heading = np.fromiter(map(vehicle.getAngle, ids), dtype=float, count=count)
            static = self._static
            for vid in ids:
                if vid not in static:
                    static[vid] = (vehicle.getLength(vid), vehicle.getTypeID(vid))
            known = [static[vid] for vid in ids]
            length = np.fromiter((k[0] for k in known), dtype=float, count=count)
            types = [k[1] for k in known]
            for gone in sumo.simulation.getArrivedIDList():
                static.pop(gone, None)
        except Exception as exc:
            if isinstance(exc, SimulationError):
                raise
            raise SimulationError(f"SUMO stopped at {self._time_us / 1e6:.1f} s: {exc}") from None
        lat, lon = self.geo.to_wgs84(x, y)
        state = TrafficState(self._time_us, tuple(ids), x, y, speed, heading, length,
                             tuple(types), lat, lon)
        self._time_us += self.step_us
        return state

    def to_wgs84(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(latitude, longitude) of network positions."""
        return self.geo.to_wgs84(x_m, y_m)

    def signal_topology(self, tls_id: str) -> SignalTopology:
        sumo = self._live()
        if tls_id not in sumo.trafficlight.getIDList():
            known = ", ".join(sumo.trafficlight.getIDList()) or "none"
            raise ScenarioError(f"no traffic light {tls_id!r} in the network (known: {known})",
                                str(self.config))
        links = []
        for index, joined in enumerate(sumo.trafficlight.getControlledLinks(tls_id)):
            links += [SignalLink(index, in_lane, out_lane) for in_lane, out_lane, _via in joined]
        lanes = {lane for link in links for lane in (link.in_lane, link.out_lane)}
        return SignalTopology(
            tls_id, tuple(links),
            {lane: tuple(map(tuple, sumo.lane.getShape(lane))) for lane in sorted(lanes)},
            {lane: sumo.lane.getWidth(lane) for lane in sorted(lanes)})

    def signal_states(self, tls_ids: list[str]) -> list[SignalState]:
        light = self._live().trafficlight
        try:
            # the next switch is the time_us of the first state showing the new phase
            return [SignalState(t, light.getRedYellowGreenState(t),
                                round(light.getNextSwitch(t) * 1e6)) for t in tls_ids]
        except Exception as exc:
            raise SimulationError(f"SUMO traffic light query failed: {exc}") from None

    def hold_vehicle(self, vehicle_id: str, stopped: bool) -> bool:
        vehicle = self._live().vehicle
        if vehicle_id not in vehicle.getIDList():
            return False
        vehicle.setSpeed(vehicle_id, 0.0 if stopped else -1.0)
        return True

    def _live(self) -> ModuleType:
        if self._sumo is None:
            raise SimulationError("the SUMO backend is not started")
        return self._sumo

    def close(self) -> None:
        if self._sumo is not None:
            with contextlib.suppress(Exception):  # already gone: nothing left to release
                self._sumo.close()
            self._sumo = None
