"""Cooperative Awareness service of every vehicle: EN 302 637-2 V1.4.1 §6.1.3 generation rules,
vectorised over the fleet, and real CAMs built from the traffic state.

Rules (clause 6.1.3, no DCC): a CAM is generated when at least T_GenCamMin = 100 ms passed since
the last one and the heading changed by more than 4°, the position by more than 4 m or the speed
by more than 0.5 m/s (condition 1; T_GenCam then becomes the time since the last CAM), or when
T_GenCam passed (condition 2; after N_GenCam = 3 such CAMs, T_GenCam returns to 1,000 ms). The
low-frequency container rides along when 500 ms passed since it was last sent (clause 6.1.3).

Checks run every traffic step; each vehicle has its own phase inside the step (drawn once), so
vehicles do not all generate at the same instant. CAMs are encoded through ``Layout`` per shape
(high-frequency only, or with the low-frequency container and k path points): real UPER bytes,
the same as ``v2x.messages.encode`` gives, at under a microsecond each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from v2x.messages.layout import Layout
from v2x.sim.services.kinds import station_id
from v2x.sim.traffic import TrafficState

T_GEN_CAM_MIN_US = 100_000
T_GEN_CAM_MAX_US = 1_000_000
T_LF_US = 500_000
N_GEN_CAM = 3
HEADING_TRIGGER_DEG = 4.0
POSITION_TRIGGER_M = 4.0
SPEED_TRIGGER_MPS = 0.5
PATH_POINTS = 10
PATH_SPACING_US = 1_000_000
"""Path history: up to PATH_POINTS past positions, one a second (CDD DF_PathHistory)."""

_HF = ("cam", "camParameters", "highFrequencyContainer", "basicVehicleContainerHighFrequency")
_LF = ("cam", "camParameters", "lowFrequencyContainer", "basicVehicleContainerLowFrequency")
_BASIC = ("cam", "camParameters", "basicContainer")
_POSITION = (*_BASIC, "referencePosition")


def _template(path_points: int | None) -> dict:
    """A CAM of the shape the service sends, with the values it sends for every vehicle (the
    others are placeholders for the columns ``_encode`` gives)."""
    high = {
        "heading": {"headingValue": 0, "headingConfidence": 10},
        "speed": {"speedValue": 0, "speedConfidence": 5},
        "driveDirection": "forward",
        "vehicleLength": {"vehicleLengthValue": 1,
                          "vehicleLengthConfidenceIndication": "noTrailerPresent"},
        "vehicleWidth": 18,
        "longitudinalAcceleration": {"longitudinalAccelerationValue": 0,
                                     "longitudinalAccelerationConfidence": 102},
        "curvature": {"curvatureValue": 1023, "curvatureConfidence": "unavailable"},
        "curvatureCalculationMode": "yawRateUsed",
        "yawRate": {"yawRateValue": 0, "yawRateConfidence": "unavailable"},
    }
    parameters = {
        "basicContainer": {
            "stationType": 5,
            "referencePosition": {
                "latitude": 0, "longitude": 0,
                "positionConfidenceEllipse": {"semiMajorConfidence": 100,
                                              "semiMinorConfidence": 100,
                                              "semiMajorOrientation": 0},
                "altitude": {"altitudeValue": 800001, "altitudeConfidence": "unavailable"},
            },
        },
        "highFrequencyContainer": ("basicVehicleContainerHighFrequency", high),
    }
    if path_points is not None:
        point = {"pathPosition": {"deltaLatitude": 0, "deltaLongitude": 0, "deltaAltitude": 0},
                 "pathDeltaTime": 1}
        parameters["lowFrequencyContainer"] = ("basicVehicleContainerLowFrequency", {
            "vehicleRole": "default", "exteriorLights": (b"\x00", 8),
            "pathHistory": [point] * path_points,
        })
    return {"header": {"protocolVersion": 2, "messageID": 2, "stationID": 0},
            "cam": {"generationDeltaTime": 0, "camParameters": parameters}}


@dataclass
class CamBatch:
    """The CAMs generated in one traffic step."""

    slots: np.ndarray
    """Fleet slot of each sender."""
    generation_us: np.ndarray
    """When each CAM was generated (simulation microseconds)."""
    low_frequency: np.ndarray
    payloads: list[bytes]

    def __len__(self) -> int:
        return len(self.slots)

    @property
    def sizes(self) -> np.ndarray:
        return np.fromiter((len(p) for p in self.payloads), dtype=np.int64, count=len(self))


class CaService:
    """The CA service of a whole fleet: per-vehicle trigger state in arrays, indexed by slot."""

    def __init__(self, rng: np.random.Generator, start_tai_us: int) -> None:
        self.rng = rng
        self.start_tai_us = start_tai_us
        self.slot_of: dict[str, int] = {}
        self.vehicle_at: dict[int, str] = {}
        """Slot -> the vehicle now holding it."""
        self.station_id: dict[int, int] = {}
        self._free: list[int] = []
        self._capacity = 0
        self._layouts: dict[int | None, Layout] = {}
        self.added: list[int] = []
        """Slots given to vehicles that appeared in the last step."""
        self.slots = np.zeros(0, dtype=np.int64)
        """The slot of each vehicle of the last step's traffic state (same order)."""
        self._grow(256)

    def _grow(self, capacity: int) -> None:
        old = self._capacity

        def extend(array: np.ndarray | None, fill: float) -> np.ndarray:
            new = np.full(capacity, fill, dtype=np.float64 if array is None else array.dtype)
            if array is not None:
                new[:old] = array
            return new

        self.last_cam_us = extend(getattr(self, "last_cam_us", None), -np.inf)
        self.last_lf_us = extend(getattr(self, "last_lf_us", None), -np.inf)
        self.t_gen_us = extend(getattr(self, "t_gen_us", None), T_GEN_CAM_MAX_US)
        self.cond2_count = extend(getattr(self, "cond2_count", None), 0)
        self.phase_us = extend(getattr(self, "phase_us", None), 0)
        self.last_x = extend(getattr(self, "last_x", None), np.nan)
        self.last_y = extend(getattr(self, "last_y", None), np.nan)
        self.last_heading = extend(getattr(self, "last_heading", None), np.nan)
        self.last_speed = extend(getattr(self, "last_speed", None), np.nan)
        self.prev_speed = extend(getattr(self, "prev_speed", None), np.nan)
        self.prev_heading = extend(getattr(self, "prev_heading", None), np.nan)
        history = np.full((capacity, PATH_POINTS, 3), np.nan)  # lat, lon, time
        if old:
            history[:old] = self.history
        self.history = history
        self._free.extend(range(capacity - 1, old - 1, -1))
        self._capacity = capacity

    def _slots(self, state: TrafficState, step_us: int) -> np.ndarray:
        """Slot of every vehicle of ``state``; new vehicles get a free slot and a fresh phase."""
        slot_of = self.slot_of
        found = [slot_of.get(vid) for vid in state.ids]
        self.added = []
        known = len(state.ids)
        if None in found:
            for i, vid in enumerate(state.ids):
                if found[i] is not None:
                    continue
                if not self._free:
                    self._grow(self._capacity * 2)
                slot = found[i] = self._free.pop()
                slot_of[vid] = slot
                self.vehicle_at[slot] = vid
                self.station_id[slot] = station_id(vid)
                self._reset(slot, step_us)
                self.added.append(slot)
            known -= len(self.added)
        if len(slot_of) - len(self.added) != known:       # some vehicles left
            present = set(state.ids)
            for gone in [v for v in slot_of if v not in present]:
                slot = slot_of.pop(gone)
                del self.vehicle_at[slot]
                self._free.append(slot)
        return np.array(found, dtype=np.int64)

    def _reset(self, slot: int, step_us: int) -> None:
        self.last_cam_us[slot] = -np.inf
        self.last_lf_us[slot] = -np.inf
        self.t_gen_us[slot] = T_GEN_CAM_MAX_US
        self.cond2_count[slot] = 0
        self.phase_us[slot] = float(self.rng.integers(0, step_us))
        for array in (self.last_x, self.last_y, self.last_heading, self.last_speed,
                      self.prev_speed, self.prev_heading):
            array[slot] = np.nan
        self.history[slot] = np.nan

    def step(self, state: TrafficState, step_us: int) -> CamBatch:
        """Apply the generation rules at this traffic step and build the CAMs they call for."""
        slots = self.slots = self._slots(state, step_us)
        now = state.time_us + self.phase_us[slots]
        elapsed = now - self.last_cam_us[slots]
        first = ~np.isfinite(self.last_cam_us[slots])
        turn = np.abs((state.heading_deg - self.last_heading[slots] + 180.0) % 360.0 - 180.0)
        moved = np.hypot(state.x_m - self.last_x[slots], state.y_m - self.last_y[slots])
        sped = np.abs(state.speed_mps - self.last_speed[slots])
        dynamic = (turn > HEADING_TRIGGER_DEG) | (moved > POSITION_TRIGGER_M) | (
            sped > SPEED_TRIGGER_MPS)
        cond1 = (elapsed >= T_GEN_CAM_MIN_US) & dynamic
        cond2 = (elapsed >= self.t_gen_us[slots]) & (elapsed >= T_GEN_CAM_MIN_US)
        generate = first | cond1 | cond2
        # T_GenCam bookkeeping (clause 6.1.3)
        dyn_slots = slots[cond1 & ~first]
        self.t_gen_us[dyn_slots] = elapsed[cond1 & ~first]
        self.cond2_count[dyn_slots] = 0
        timed = slots[cond2 & ~cond1 & ~first]
        self.cond2_count[timed] += 1
        back = timed[self.cond2_count[timed] >= N_GEN_CAM]
        self.t_gen_us[back] = T_GEN_CAM_MAX_US
        self.cond2_count[back] = 0

        rows = np.flatnonzero(generate)
        sent = slots[rows]
        when = now[rows]
        low = when - self.last_lf_us[sent] >= T_LF_US
        acceleration = self._acceleration(state, slots, rows, step_us)
        yaw = self._yaw_rate(state, slots, rows, step_us)
        payloads = self._encode(state, rows, sent, when, low, acceleration, yaw)
        # remember what was sent
        self.last_cam_us[sent] = when
        self.last_x[sent] = state.x_m[rows]
        self.last_y[sent] = state.y_m[rows]
        self.last_heading[sent] = state.heading_deg[rows]
        self.last_speed[sent] = state.speed_mps[rows]
        self.last_lf_us[sent[low]] = when[low]
        self._record_path(state, rows, sent, when)
        self.prev_speed[slots] = state.speed_mps
        self.prev_heading[slots] = state.heading_deg
        return CamBatch(sent, when.astype(np.int64), low, payloads)

    def _acceleration(self, state, slots, rows, step_us) -> np.ndarray:
        """Longitudinal acceleration in 0.1 m/s² from the speed change over the step."""
        change = (state.speed_mps - self.prev_speed[slots]) / (step_us / 1e6)
        value = np.where(np.isfinite(change), np.rint(change * 10), 161)
        return np.clip(value, -160, 161)[rows].astype(np.int64)

    def _yaw_rate(self, state, slots, rows, step_us) -> np.ndarray:
        """Yaw rate in 0.01 °/s, positive to the left (CDD), from the heading change."""
        turn = (state.heading_deg - self.prev_heading[slots] + 180.0) % 360.0 - 180.0
        rate = -turn / (step_us / 1e6)  # SUMO headings grow clockwise
        value = np.where(np.isfinite(rate), np.rint(rate * 100), 32767)
        return np.clip(value, -32766, 32767)[rows].astype(np.int64)

    def _record_path(self, state, rows, sent, when) -> None:
        newest = self.history[sent, 0, 2]
        due = ~np.isfinite(newest) | (when - newest >= PATH_SPACING_US)
        due_slots = sent[due]
        self.history[due_slots, 1:] = self.history[due_slots, :-1]
        self.history[due_slots, 0, 0] = state.latitude_deg[rows][due]
        self.history[due_slots, 0, 1] = state.longitude_deg[rows][due]
        self.history[due_slots, 0, 2] = when[due]

    def layout(self, path_points: int | None) -> Layout:
        """The layout of CAMs with ``path_points`` path points (None: no LF container)."""
        layout = self._layouts.get(path_points)
        if layout is None:
            layout = self._layouts[path_points] = Layout("etsi.CAM", _template(path_points))
        return layout

    def _encode(self, state, rows, sent, when, low, acceleration, yaw) -> list[bytes]:
        count = len(rows)
        payloads: list[bytes] = [b""] * count
        latitude = np.rint(state.latitude_deg[rows] * 1e7).astype(np.int64)
        longitude = np.rint(state.longitude_deg[rows] * 1e7).astype(np.int64)
        delta_time = ((self.start_tai_us + when) // 1000) % 65_536
        heading = np.rint(state.heading_deg[rows] * 10).astype(np.int64) % 3600
        speed = np.clip(np.rint(state.speed_mps[rows] * 100), 0, 16382).astype(np.int64)
        length = np.clip(np.rint(state.length_m[rows] * 10), 1, 1022).astype(np.int64)
        station = np.fromiter((self.station_id[s] for s in sent), dtype=np.int64, count=count)
        points = np.zeros(count, dtype=np.int64)
        valid = np.isfinite(self.history[sent, :, 0])
        points[low] = valid[low].sum(axis=1)
        shapes = np.where(low, points, -1)
        for shape in np.unique(shapes):
            pick = np.flatnonzero(shapes == shape)
            k = None if shape < 0 else int(shape)
            layout = self.layout(k)
            n = len(pick)
            columns = {
                ("header", "stationID"): station[pick],
                ("cam", "generationDeltaTime"): delta_time[pick],
                (*_POSITION, "latitude"): latitude[pick],
                (*_POSITION, "longitude"): longitude[pick],
                (*_POSITION, "positionConfidenceEllipse", "semiMajorOrientation"):
                    heading[pick],
                (*_HF, "heading", "headingValue"): heading[pick],
                (*_HF, "speed", "speedValue"): speed[pick],
                (*_HF, "vehicleLength", "vehicleLengthValue"): length[pick],
                (*_HF, "longitudinalAcceleration", "longitudinalAccelerationValue"):
                    acceleration[pick],
                (*_HF, "yawRate", "yawRateValue"): yaw[pick],
            }   # every other field keeps the template's value (``_template``)
            if k is not None:
                self._path_columns(columns, sent[pick], when[pick], latitude[pick],
                                   longitude[pick], k)
            matrix = layout.encode(columns, n)
            for row, index in enumerate(pick):
                payloads[index] = matrix[row].tobytes()
        return payloads

    def _path_columns(self, columns, slots, when, latitude, longitude, k) -> None:
        """DF_PathHistory: each point as offsets from the previous one (the first from now)."""
        lat_prev, lon_prev, time_prev = latitude, longitude, when
        for i in range(k):
            lat_i = np.rint(self.history[slots, i, 0] * 1e7).astype(np.int64)
            lon_i = np.rint(self.history[slots, i, 1] * 1e7).astype(np.int64)
            time_i = self.history[slots, i, 2]
            base = (*_LF, "pathHistory", i)
            columns[(*base, "pathPosition", "deltaLatitude")] = np.clip(
                lat_i - lat_prev, -131071, 131071)
            columns[(*base, "pathPosition", "deltaLongitude")] = np.clip(
                lon_i - lon_prev, -131071, 131071)
            columns[(*base, "pathPosition", "deltaAltitude")] = np.full(len(slots), 12800)
            columns[(*base, "pathDeltaTime")] = np.clip(
                np.rint((time_prev - time_i) / 10_000), 1, 65535).astype(np.int64)
            lat_prev, lon_prev, time_prev = lat_i, lon_i, time_i
