"""Run a scenario: SUMO traffic, the CA service, the LTE-V2X medium, metrics and the report.

The engine owns time; one SimPy process steps the traffic every ``step_ms`` and, within each
step, the CA service generates CAMs, the RSUs their SPATEM/MAPEM/IVIM, the DEN service the DENMs
of the scenario's events (and RSU relays), and the medium runs the step's subframes. With
``radio.worker = "process"`` the radio of step k runs in a child process while this one reads
traffic step k+1, places its stations and queues its messages; step k's DENMs reach the DEN
service before the RSU relays of step k+1 are decided, and the radio draws from the same
streams in the same order, so the results are the in-process ones. Results
land in a run folder (never an existing one without ``force``); if the traffic simulator dies
mid-run, the tables and report of what was measured so far are written before the error is
raised.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from v2x.errors import ScenarioError, SimulationError
from v2x.messages.pcap import write_pcap
from v2x.sim import report, scenario
from v2x.sim.capture import PacketCapture
from v2x.sim.engine import Engine
from v2x.sim.events import Event, load_events
from v2x.sim.framing import Framing
from v2x.sim.medium import Medium
from v2x.sim.metrics import Metrics
from v2x.sim.radio.network import RadioConfig
from v2x.sim.radio.pathloss import PATHLOSS_MODELS, pathloss_model
from v2x.sim.radio.phy import SubchannelLayout
from v2x.sim.radio.shadowing import ShadowingConfig
from v2x.sim.radio.sidelink import SpsConfig
from v2x.sim.scenario import Key, Scenario
from v2x.sim.securing import MODES, SecurityModel
from v2x.sim.services.ca import CaService
from v2x.sim.services.den import DenService, denm_flows
from v2x.sim.services.infra import BROADCASTS, RsuBroadcasts
from v2x.sim.slots import SlotPlan
from v2x.sim.stations import Rsu, load_rsus, positions
from v2x.sim.traffic.netgeo import read_net_geo
from v2x.sim.traffic.replay import ReplayBackend
from v2x.sim.traffic.sumo import SumoBackend, net_file_of

WORKERS = ("auto", "process", "inline")
CAPTURE_FILE = "capture.pcap"

KEYS = {
    "radio": {
        "pathloss": Key(str, "winner_b1_los", "path-loss model", choices=tuple(PATHLOSS_MODELS)),
        "environment_height_m": Key(float, 1.0, "effective-height offset of WINNER+ B1 "
                                    "(TR 36.885 highway: antenna height minus 1 m)", low=0),
        "antenna_height_m": Key(float, 1.5, "vehicle antenna height", low=0.1),
        "frequency_ghz": Key(float, 5.9, "carrier", low=0.1),
        "tx_power_dbm": Key(float, 23.0, "vehicle transmit power", low=-30, high=33),
        "noise_figure_db": Key(float, 9.0, "receiver noise figure", low=0),
        "shadowing_sigma_db": Key(float, 3.0, "log-normal shadowing", low=0),
        "decorrelation_m": Key(float, 25.0, "shadowing decorrelation distance", low=0.1),
        "sensing_threshold_dbm": Key(float, -90.5, "decoding and sensing threshold"),
        "subchannels": Key(int, 4, "sub-channels in 10 MHz (50 RBs)", low=1, high=10),
        "mcs": Key(int, 9, "modulation and coding scheme", low=0, high=20),
        "keep_probability": Key(float, 0.0, "SB-SPS probability of keeping resources", low=0,
                                high=0.8),
        "batch_subframes": Key(int, 100, "subframes the radio solves together (speed only: "
                               "the MAC stays exact to 1 ms)", low=1, high=100),
        "worker": Key(str, "auto", "where the radio runs: a child process pipelined with the "
                      "traffic, or this process (speed only: same results); auto: a process "
                      "when the machine has two cores or more (POSIX)", choices=WORKERS),
    },
    "services": {
        "cam": Key(bool, True, "vehicles run the CA service"),
        "rsus": Key(str, "", "RSU list (rsus.toml)", path=True),
        "events": Key(str, "", "events that trigger DENMs (events.toml)", path=True),
    },
    "security": {
        "mode": Key(str, "modelled", "security of the messages", choices=MODES),
        "verifying_share": Key(float, 0.05, "share of vehicles that verify what they receive",
                               low=0.0, high=1.0),
    },
    "capture": {
        "pcap": Key(bool, False, "write capture.pcap: every RSU message and DENM and the "
                    "messages of a share of the vehicles, as transmitted (Wireshark reads it)"),
        "vehicle_share": Key(float, 0.05, "share of vehicles whose messages are captured",
                             low=0.0, high=1.0),
        "max_frames": Key(int, 100_000, "frames kept at most (the rest is counted)", low=1),
    },
    "metrics": {
        "max_distance_m": Key(float, 1000.0, "largest distance in the PRR tables", low=10),
        "grid_cell_m": Key(float, 25.0, "cell size of the RSU coverage grid", low=1),
        "rsu_radius_m": Key(float, 1000.0, "coverage grid and age-of-information radius", low=10),
        "max_vehicles": Key(int, 4096, "radio slots for vehicles", low=1),
    },
}
for _section, _keys in KEYS.items():
    scenario.SCHEMA.setdefault(_section, {}).update(_keys)


@dataclass
class RunSummary:
    """Headline figures of a finished (or stopped) run and where its files are."""

    folder: Path
    figures: dict[str, Any]
    complete: bool


def radio_config(sc: Scenario, step_subframes: int) -> RadioConfig:
    """The radio model of a scenario (10 MHz, 50 RBs split into its sub-channels)."""
    get = sc.get
    count = get("radio.subchannels")
    layout = SubchannelLayout(n_subchannels=count, subchannel_size_rb=50 // count,
                              noise_bandwidth_per_rb_hz=10e6 / 50)
    params: dict[str, Any] = {}
    if get("radio.pathloss") == "winner_b1_los":
        params = {"environment_height_m": get("radio.environment_height_m"),
                  "tx_height_m": get("radio.antenna_height_m"),
                  "rx_height_m": get("radio.antenna_height_m")}
    elif get("radio.pathloss") == "winner_b1_nlos":
        params = {"tx_height_m": get("radio.antenna_height_m")}
    try:
        pathloss_model(get("radio.pathloss"), **params)      # e.g. heights above the environment
        return RadioConfig(
            frequency_hz=get("radio.frequency_ghz") * 1e9, pathloss=get("radio.pathloss"),
            pathloss_params=params,
            shadowing=ShadowingConfig(sigma_db=get("radio.shadowing_sigma_db"),
                                      decorrelation_m=get("radio.decorrelation_m")),
            layout=layout, mcs=get("radio.mcs"), tx_power_dbm=get("radio.tx_power_dbm"),
            noise_figure_db=get("radio.noise_figure_db"),
            sensing_threshold_dbm=get("radio.sensing_threshold_dbm"),
            decoding_threshold_dbm=get("radio.sensing_threshold_dbm"),
            sps=SpsConfig(keep_probability=get("radio.keep_probability")),
            report_range_m=get("metrics.max_distance_m"),
            batch_subframes=min(get("radio.batch_subframes"), step_subframes),
        )
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"radio model refuses the settings: {exc}",
                            sc.where("radio.pathloss")) from None


def traffic_backend(sc: Scenario):
    """The scenario's traffic source."""
    kind = sc.get("traffic.backend")
    step_ms, seed = sc.get("scenario.step_ms"), sc.get("scenario.seed")
    if kind == "replay":
        fcd = sc.get("traffic.fcd")
        if not fcd:
            raise ScenarioError("the replay backend needs traffic.fcd", sc.where("traffic.fcd"))
        config = sc.get("traffic.config")
        geo = read_net_geo(net_file_of(config)) if config else None
        return ReplayBackend(fcd, step_ms=step_ms, geo_reference=geo,
                             geo_coordinates=geo is None)
    config = sc.get("traffic.config")
    if not config:
        raise ScenarioError("a SUMO backend needs traffic.config", sc.where("traffic.config"))
    return SumoBackend(config, step_ms=step_ms, seed=seed, module=kind,
                       gui=sc.get("traffic.gui"), extra_args=sc.get("traffic.sumo_args"),
                       origin=_origin(sc))


def _origin(sc: Scenario) -> tuple[float, float] | None:
    """The WGS84 origin the scenario gives for an unprojected network, if it gives one."""
    keys = ("traffic.origin_lat_deg", "traffic.origin_lon_deg")
    if not any(sc.is_set(k) for k in keys):
        return None
    if not all(sc.is_set(k) for k in keys):
        missing = next(k for k in keys if not sc.is_set(k))
        raise ScenarioError("give both origin keys or neither", sc.where(missing))
    return sc.get(keys[0]), sc.get(keys[1])


def run(sc: Scenario, out: str | Path, *, force: bool = False,
        progress: bool = True) -> RunSummary:
    """Simulate ``sc`` and write its report into ``out``."""
    folder = report.create_run_folder(out, force)
    report.write_atomic(folder / "scenario.json",
                        json.dumps(sc.values, indent=2, default=str).encode())
    engine = Engine(sc.get("scenario.seed"))
    step_us = sc.get("scenario.step_ms") * 1000
    warmup_us = round(sc.get("scenario.warmup_s") * 1e6)
    total_us = warmup_us + round(sc.get("scenario.duration_s") * 1e6)
    steps = total_us // step_us
    rsus = load_rsus(sc.get("services.rsus")) if sc.get("services.rsus") else []
    events = (load_events(sc.get("services.events"), [r.name for r in rsus])
              if sc.get("services.events") else [])
    rsu_xy = positions(rsus)
    capacity = sc.get("metrics.max_vehicles")
    backend = traffic_backend(sc)
    _check_live_needs(sc, backend, rsus, events)
    _check_rsu_antennas(sc, rsus)
    plan = slot_plan(capacity, rsus, events)
    metrics = _metrics(sc, rsu_xy)
    security = SecurityModel(sc.get("security.mode"), plan.total, len(rsus),
                             engine.rng("security"), engine.start_tai_us, backend.to_wgs84,
                             plan.roadside, sc.get("security.verifying_share"))
    den = DenService(events, rsus, plan, engine.start_tai_us, backend)
    capture = (PacketCapture(plan.total, plan.vehicles, sc.get("capture.vehicle_share"),
                             sc.get("capture.max_frames"), engine.rng("capture"),
                             engine.start_unix_us) if sc.get("capture.pcap") else None)
    medium = Medium(radio_config(sc, step_us // 1000), plan, rsu_xy,
                    np.array([r.tx_power_dbm for r in rsus]), engine.rng, metrics, security,
                    rsu_height_m=np.array([r.antenna_height_m for r in rsus]),
                    process_seed=engine.seed if radio_in_process(sc) else None,
                    framing=Framing(backend.to_wgs84, engine.start_tai_us, den.area),
                    capture=capture)
    ca = CaService(engine.rng("ca"), engine.start_tai_us)
    broadcasts = RsuBroadcasts(rsus, plan, engine.start_tai_us, engine.rng("rsu"),
                               sc.get("services.rsus"))
    started = time.perf_counter()
    state = {"steps": 0, "error": None}

    def collect(time_us: int, measuring: bool, vehicle_at: dict[int, str],
                near: list[np.ndarray] | None) -> tuple:
        """The dispatched step's DENMs go to the DEN service (before step k+1 sends)."""
        outcome = medium.collect()
        if len(outcome.denm_receivers):
            den.received(outcome.denm_receivers, outcome.denm_tags, outcome.denm_received_us,
                         vehicle_at, outcome.denm_xy)
        return time_us, measuring, near

    def measure(time_us: int, measuring: bool, near: list[np.ndarray] | None) -> None:
        """The rest of the collected step's figures (may overlap the radio's next step)."""
        medium.measure()
        if measuring:
            metrics.measured_us += step_us
            if near is not None:
                metrics.sample_age(time_us + step_us, near)
        state["steps"] += 1
        if bar is not None:
            bar.update(1)

    bar = _progress(steps, progress)

    def loop(env):
        # Step k is dispatched, then collected during step k+1 once k+1's traffic is read,
        # placed and its CAMs, RSU messages and originators' DENMs are queued (none of which
        # depends on step k's receptions). If step k may deliver DENMs it is collected before
        # step k+1's RSU relays are decided and k+1 is dispatched; otherwise k+1 is dispatched
        # first, so the radio never waits for this process. A collected step is measured
        # while the radio works. ``pending``: the dispatched steps (time, counted, their
        # vehicles, who is near each RSU); ``collected``: the step to measure.
        pending: deque[tuple] = deque()
        collected = None
        try:
            backend.start()
            broadcasts.start(backend)
            for _ in range(steps):
                traffic = backend.step()
                batch = ca.step(traffic, step_us)
                slots = ca.slots
                if len(slots) and slots.max() >= capacity:
                    raise SimulationError(f"more than {capacity} vehicles at once; raise "
                                          "metrics.max_vehicles")
                measuring = traffic.time_us >= warmup_us
                own = den.originate(traffic, step_us, ca.slot_of)
                medium.new_vehicles(np.array(ca.added, dtype=np.int64))
                medium.positions(slots, traffic.x_m, traffic.y_m, traffic.speed_mps,
                                 traffic.heading_deg)
                medium.follow(*den.following())
                medium.place()
                if sc.get("services.cam"):
                    medium.send(batch.slots, batch.generation_us, batch.payloads,
                                measuring=measuring)
                others = broadcasts.step(traffic.time_us, step_us, backend)
                others.extend(own)
                if len(others):
                    medium.send(*others.arrays(), measuring=measuring)
                if medium.denms_possible():
                    collected = collect(*pending.popleft())
                relays = den.relay(traffic, step_us)
                if len(relays):
                    medium.send(*relays.arrays(), measuring=measuring)
                medium.dispatch(step_us // 1000, measuring)
                sample = measuring and (traffic.time_us // step_us) % 10 == 0 and rsus
                pending.append((traffic.time_us, measuring, dict(ca.vehicle_at),
                                medium.vehicles_near_rsus(sc.get("metrics.rsu_radius_m"))
                                if sample else None))
                if collected is None and len(pending) > 1:
                    collected = collect(*pending.popleft())
                if collected is not None:
                    step, collected = collected, None
                    measure(*step)
                yield env.timeout(step_us)
            while pending:
                measure(*collect(*pending.popleft()))
        except SimulationError as exc:
            state["error"] = exc
            with contextlib.suppress(SimulationError):   # what the radio has still counts
                if collected is not None:
                    measure(*collected)
                while pending:
                    measure(*collect(*pending.popleft()))
        finally:
            backend.close()
            medium.close()
            if bar is not None:
                bar.close()

    engine.env.process(loop(engine.env))
    engine.run(until_us=steps * step_us + 1)
    wall_s = time.perf_counter() - started
    figures = report.summary(metrics)
    figures.update({"simulated_s": state["steps"] * step_us / 1e6, "wall_s": wall_s,
                    "real_time_factor": state["steps"] * step_us / 1e6 / max(wall_s, 1e-9),
                    "link_range_m": medium.radio.range_m})
    if capture is not None:
        write_pcap(folder / CAPTURE_FILE, capture.records)
        figures.update({"captured_frames": len(capture.records),
                        "capture_left_out": capture.left_out})
    report.write_run(folder, sc, metrics, [r.name for r in rsus], figures, state["error"],
                     [record.figures() for record in den.records],
                     rsu_heights_m=[r.antenna_height_m for r in rsus])
    if state["error"] is not None:
        raise SimulationError(f"{state['error'].reason}; the results so far are in {folder}")
    return RunSummary(folder, figures, True)


def radio_in_process(sc: Scenario) -> bool:
    """Whether the scenario's radio runs in a child process (``radio.worker``)."""
    worker = sc.get("radio.worker")
    posix = os.name == "posix"     # the child inherits its socket: a POSIX facility
    if worker == "process" and not posix:
        raise ScenarioError("a radio process needs a POSIX system; use inline",
                            sc.where("radio.worker"))
    if worker != "auto" or not posix:
        return worker == "process"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) >= 2


def slot_plan(vehicles: int, rsus: list[Rsu], events: list[Event]) -> SlotPlan:
    """Radio slots of a run: each RSU flow and each vehicle-originated event gets its own."""
    denm = denm_flows(events, rsus)
    flows = tuple((*(s for s in rsu.services if s in BROADCASTS),
                   *(("denm",) if i in denm else ())) for i, rsu in enumerate(rsus))
    return SlotPlan(vehicles, flows, sum(e.kind == "stopped-vehicle" for e in events))


def _check_live_needs(sc: Scenario, backend, rsus, events) -> None:
    """SPaT, MAP and stopped vehicles need SUMO itself, not a replay."""
    if isinstance(backend, SumoBackend):
        return
    for index, rsu in enumerate(rsus):
        if {"spatem", "mapem"} & set(rsu.services):
            raise ScenarioError("spatem and mapem read SUMO's traffic lights: use the libsumo "
                                "or traci backend", f"{sc.get('services.rsus')}:rsu[{index}]"
                                ".services")
    for index, event in enumerate(events):
        if event.kind == "stopped-vehicle":
            raise ScenarioError("a stopped-vehicle event stops a SUMO vehicle: use the libsumo "
                                "or traci backend", f"{sc.get('services.events')}:event[{index}]"
                                ".kind")


def _check_rsu_antennas(sc: Scenario, rsus: list[Rsu]) -> None:
    """WINNER+ B1 needs every antenna above the environment height (TR 36.885 A.1.4)."""
    if not sc.get("radio.pathloss").startswith("winner_b1"):
        return
    floor = sc.get("radio.environment_height_m")
    for index, rsu in enumerate(rsus):
        if rsu.antenna_height_m <= floor:
            raise ScenarioError(f"the antenna must be higher than radio.environment_height_m "
                                f"({floor:g} m)", f"{sc.get('services.rsus')}:rsu[{index}]"
                                ".antenna_height_m")


def _metrics(sc: Scenario, rsu_xy: np.ndarray) -> Metrics:
    radius = sc.get("metrics.rsu_radius_m")
    cell = sc.get("metrics.grid_cell_m")
    if len(rsu_xy):
        low = rsu_xy.min(axis=0) - radius
        high = rsu_xy.max(axis=0) + radius
    else:
        low, high = np.zeros(2), np.full(2, cell)
    shape = tuple(int(v) for v in np.ceil((high - low) / cell)[::-1])
    return Metrics(sc.get("metrics.max_distance_m"), len(rsu_xy), (float(low[0]), float(low[1])),
                   cell, shape)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="step", desc="simulating", leave=False)
