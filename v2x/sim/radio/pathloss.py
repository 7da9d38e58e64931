"""Path-loss presets as a registry: name -> model (DESIGN.md principle 14).

Every model is a small frozen dataclass with a vectorised ``loss_db(distance_m)`` (numpy in,
numpy out, dB, distances in metres). Adding a model is one class here plus one row in
``PATHLOSS_MODELS``. ``TabulatedPathLoss`` samples any model once on a fine log-distance grid so
the per-link hot path is a table lookup (error below 0.01 dB).

Sources of the formulas and numbers:

* ``free_space`` - Friis, 20·log10(4·π·d·f/c).
* ``log_distance`` - PL(d0) + 10·n·log10(d/d0), with PL(d0) free space unless given.
* ``winner_b1_los`` - WINNER+ B1 (urban micro) LOS as used by 3GPP TR 36.885 Annex A.1.4 for V2V:
  PL = 22.7·log10(d) + 41.0 + 20·log10(fc/5) below the breakpoint d'BP = 4·h'tx·h'rx·fc/c and
  PL = 40·log10(d) + 9.45 − 17.3·log10(h'tx) − 17.3·log10(h'rx) + 2.7·log10(fc/5) beyond it
  (fc in GHz); h' = antenna height − environment height (TR 36.885 highway: 1.5 m − 1 m); never
  below the WINNER free-space line 20·log10(d) + 46.4 + 20·log10(fc/5); distances under 3 m use
  3 m (TR 36.885 Table A.1.4-1). Gonzalez-Martín et al. (IEEE TVT 68(2), 2019) use the same
  model with an effective height of 1.5 m (their published ``get_PL_SH.m``).
* ``winner_b1_nlos`` - WINNER+ B1 NLOS, hexagonal layout:
  PL = (44.9 − 6.55·log10(h))·log10(d) + 5.83·log10(h) + 18.38 + 23·log10(fc) (as in
  WiLabV2Xsim ``initiatePhyParameters.m``); ``winner_b1_nlos_manhattan_db`` gives the Manhattan
  grid form of TR 36.885 A.1.4: PL(dk, dl) = PL_LOS(dk) + 20 − 12.5·nj + 10·nj·log10(dl) +
  3·log10(fc/5), nj = max(2.8 − 0.0024·dk, 1.84), PL = min(PL(d1, d2), PL(d2, d1)).
* ``tr37885_highway`` - 3GPP TR 37.885 Table 6.2.1-1, highway LOS:
  PL = 32.4 + 20·log10(d3D) + 20·log10(fc) (fc in GHz; shadowing σ = 3 dB).
* ``tunnel`` - two-zone tunnel model for mines (Y. P. Zhang, IEEE TVT 52(5), 2003): free space up
  to the breakpoint max(w, h)²/λ, then the fundamental-mode (EH11) attenuation of a lossy
  rectangular waveguide (Emslie, Lagace, Strong, IEEE TAP 23(2), 1975; vertical polarisation)
  α = 4.343·λ²·(1/(w³·√(εs−1)) + εc/(h³·√(εc−1))) dB/m, plus ``extra_db_per_m`` for wall
  roughness and tunnel tilt, which depend on the site and must come from its measurements.

Antenna heights: ``with_antenna_heights`` gives the same model with other ``tx_height_m`` /
``rx_height_m`` (e.g. a roadside unit on a mast or gantry at one end of a link); the radio uses it
for stations that have their own antenna height. Models without height fields (free space,
log-distance, tunnel) do not depend on antenna heights and are returned unchanged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SPEED_OF_LIGHT_MPS = 299_792_458.0


class PathLossModel(Protocol):
    """What the radio needs from a path-loss model."""

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        """Path loss in dB at each distance (metres)."""
        ...


def _as_array(distance_m: Any) -> np.ndarray:
    return np.asarray(distance_m, dtype=np.float64)


def free_space_db(distance_m: Any, frequency_hz: float) -> np.ndarray:
    """Friis free-space loss 20·log10(4·π·d·f/c) in dB."""
    d = _as_array(distance_m)
    return 20.0 * np.log10(4.0 * math.pi * d * frequency_hz / SPEED_OF_LIGHT_MPS)


@dataclass(frozen=True)
class FreeSpace:
    """Friis free-space path loss; distances below ``min_distance_m`` are clamped."""

    frequency_hz: float = 5.9e9
    min_distance_m: float = 1.0

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        return free_space_db(np.maximum(_as_array(distance_m), self.min_distance_m),
                             self.frequency_hz)


@dataclass(frozen=True)
class LogDistance:
    """PL(d) = PL(d0) + 10·n·log10(d/d0); PL(d0) is free space at d0 unless given."""

    frequency_hz: float = 5.9e9
    exponent: float = 2.0
    reference_m: float = 1.0
    reference_loss_db: float | None = None

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        d = np.maximum(_as_array(distance_m), self.reference_m)
        pl0 = (float(free_space_db(self.reference_m, self.frequency_hz))
               if self.reference_loss_db is None else self.reference_loss_db)
        return pl0 + 10.0 * self.exponent * np.log10(d / self.reference_m)


@dataclass(frozen=True)
class WinnerB1Los:
    """WINNER+ B1 LOS with effective antenna heights (TR 36.885 A.1.4; see module docstring).

    ``environment_height_m`` is subtracted from both antenna heights: 1.0 m gives the TR 36.885
    highway/urban V2V set-up (h' = 0.5 m, breakpoint ≈ 20 m at 5.9 GHz); 0.0 m with 1.5 m antennas
    gives the Gonzalez-Martín et al. validation set-up (breakpoint ≈ 177 m at 5.91 GHz).
    """

    frequency_hz: float = 5.9e9
    tx_height_m: float = 1.5
    rx_height_m: float = 1.5
    environment_height_m: float = 1.0
    min_distance_m: float = 3.0
    free_space_floor: bool = True

    def __post_init__(self) -> None:
        if min(self.effective_heights_m) <= 0.0:
            raise ValueError("WINNER+ B1 needs antenna heights above environment_height_m "
                             f"({self.tx_height_m:g} m, {self.rx_height_m:g} m, environment "
                             f"{self.environment_height_m:g} m)")

    @property
    def effective_heights_m(self) -> tuple[float, float]:
        return (self.tx_height_m - self.environment_height_m,
                self.rx_height_m - self.environment_height_m)

    @property
    def breakpoint_m(self) -> float:
        """d'BP = 4·h'tx·h'rx·fc/c."""
        htx, hrx = self.effective_heights_m
        return 4.0 * htx * hrx * self.frequency_hz / SPEED_OF_LIGHT_MPS

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        d = np.maximum(_as_array(distance_m), self.min_distance_m)
        fc5 = math.log10(self.frequency_hz / 1e9 / 5.0)
        htx, hrx = self.effective_heights_m
        near = 22.7 * np.log10(d) + 41.0 + 20.0 * fc5
        far = (40.0 * np.log10(d) + 9.45 - 17.3 * math.log10(htx) - 17.3 * math.log10(hrx)
               + 2.7 * fc5)
        loss = np.where(d < self.breakpoint_m, near, far)
        if self.free_space_floor:
            loss = np.maximum(loss, 20.0 * np.log10(d) + 46.4 + 20.0 * fc5)
        return loss


@dataclass(frozen=True)
class WinnerB1Nlos:
    """WINNER+ B1 NLOS for a hexagonal layout (one distance; see module docstring)."""

    frequency_hz: float = 5.9e9
    tx_height_m: float = 1.5
    min_distance_m: float = 3.0
    los: WinnerB1Los = field(default_factory=WinnerB1Los)

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        d = np.maximum(_as_array(distance_m), self.min_distance_m)
        h = self.tx_height_m
        nlos = ((44.9 - 6.55 * math.log10(h)) * np.log10(d) + 5.83 * math.log10(h) + 18.38
                + 23.0 * math.log10(self.frequency_hz / 1e9))
        return np.maximum(nlos, self.los.loss_db(d))


def winner_b1_nlos_manhattan_db(d1_m: Any, d2_m: Any, los: WinnerB1Los) -> np.ndarray:
    """Manhattan-grid WINNER+ B1 NLOS from the two street distances (TR 36.885 A.1.4)."""
    d1 = np.maximum(_as_array(d1_m), los.min_distance_m)
    d2 = np.maximum(_as_array(d2_m), los.min_distance_m)
    fc5 = math.log10(los.frequency_hz / 1e9 / 5.0)

    def one_way(dk: np.ndarray, dl: np.ndarray) -> np.ndarray:
        nj = np.maximum(2.8 - 0.0024 * dk, 1.84)
        return los.loss_db(dk) + 20.0 - 12.5 * nj + 10.0 * nj * np.log10(dl) + 3.0 * fc5

    return np.minimum(one_way(d1, d2), one_way(d2, d1))


@dataclass(frozen=True)
class Tr37885Highway:
    """3GPP TR 37.885 Table 6.2.1-1 highway LOS: 32.4 + 20·log10(d3D) + 20·log10(fc)."""

    frequency_hz: float = 5.9e9
    tx_height_m: float = 1.5
    rx_height_m: float = 1.5
    min_distance_m: float = 1.0

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        d = np.maximum(_as_array(distance_m), self.min_distance_m)
        d3 = np.sqrt(d * d + (self.tx_height_m - self.rx_height_m) ** 2)
        return 32.4 + 20.0 * np.log10(d3) + 20.0 * math.log10(self.frequency_hz / 1e9)


@dataclass(frozen=True)
class TunnelTwoZone:
    """Two-zone tunnel (mine drift) model: free space, then linear-in-dB modal attenuation."""

    frequency_hz: float = 5.9e9
    width_m: float = 5.0
    height_m: float = 4.0
    sidewall_permittivity: float = 5.0
    ceiling_permittivity: float = 5.0
    extra_db_per_m: float = 0.0
    min_distance_m: float = 1.0

    @property
    def wavelength_m(self) -> float:
        return SPEED_OF_LIGHT_MPS / self.frequency_hz

    @property
    def breakpoint_m(self) -> float:
        """max(w, h)² / λ (Zhang 2003)."""
        return max(self.width_m, self.height_m) ** 2 / self.wavelength_m

    @property
    def attenuation_db_per_m(self) -> float:
        """EH11 modal attenuation (Emslie et al. 1975, vertical polarisation) + extra losses."""
        lam = self.wavelength_m
        es, ec = self.sidewall_permittivity, self.ceiling_permittivity
        modal = 4.343 * lam**2 * (1.0 / (self.width_m**3 * math.sqrt(es - 1.0))
                                   + ec / (self.height_m**3 * math.sqrt(ec - 1.0)))
        return modal + self.extra_db_per_m

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        d = np.maximum(_as_array(distance_m), self.min_distance_m)
        dbp = self.breakpoint_m
        near = free_space_db(np.minimum(d, dbp), self.frequency_hz)
        return near + self.attenuation_db_per_m * np.maximum(d - dbp, 0.0)


PATHLOSS_MODELS: dict[str, Callable[..., PathLossModel]] = {
    "free_space": FreeSpace,
    "log_distance": LogDistance,
    "winner_b1_los": WinnerB1Los,
    "winner_b1_nlos": WinnerB1Nlos,
    "tr37885_highway": Tr37885Highway,
    "tunnel": TunnelTwoZone,
}
"""Registry of path-loss presets; scenario files name a model by its key."""


def pathloss_model(name: str, **params: Any) -> PathLossModel:
    """The registered model ``name`` built with ``params`` (its dataclass fields)."""
    try:
        factory = PATHLOSS_MODELS[name]
    except KeyError:
        known = ", ".join(sorted(PATHLOSS_MODELS))
        raise ValueError(f"unknown path-loss model {name!r} (known: {known})") from None
    return factory(**params)


def with_antenna_heights(model: PathLossModel, tx_height_m: float | None = None,
                         rx_height_m: float | None = None) -> PathLossModel:
    """``model`` with other antenna heights (``None`` keeps the model's own).

    Sets the ``tx_height_m`` / ``rx_height_m`` fields the model has, and those of a model nested
    in it (the LOS bound of WINNER+ B1 NLOS); a model without them is returned as it is (its
    loss does not depend on antenna heights). WINNER+ B1 LOS and TR 37.885 highway are
    symmetric in the two heights; WINNER+ B1 NLOS uses one height, ``tx_height_m`` (pass the
    taller antenna there).
    """
    if not dataclasses.is_dataclass(model) or isinstance(model, type):
        return model
    wanted = {"tx_height_m": tx_height_m, "rx_height_m": rx_height_m}
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        if f.name in wanted:
            if wanted[f.name] is not None and float(wanted[f.name]) != value:
                changes[f.name] = float(wanted[f.name])
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            nested = with_antenna_heights(value, tx_height_m, rx_height_m)
            if nested is not value:
                changes[f.name] = nested
    return dataclasses.replace(model, **changes) if changes else model


def range_for_loss_m(model: PathLossModel, max_loss_db: float, min_distance_m: float = 0.5,
                     max_distance_m: float = 1e5, points_per_decade: int = 2_000) -> float:
    """The largest distance of a log grid (``points_per_decade``) whose loss does not exceed
    ``max_loss_db``; 0 when none does. ``TabulatedPathLoss.range_for_loss_m`` is the same on
    its finer grid."""
    u0 = math.log10(min_distance_m)
    n = math.ceil((math.log10(max_distance_m) - u0) * points_per_decade) + 2
    grid = 10.0 ** (u0 + np.arange(n) / points_per_decade)
    below = np.flatnonzero(np.asarray(model.loss_db(grid)) <= max_loss_db)
    return 0.0 if below.size == 0 else float(grid[below[-1]])


class TabulatedPathLoss:
    """A path-loss model sampled on a log10-distance grid, for the per-link hot path.

    ``loss_db_into`` reads a second table indexed by the float32 bit pattern of the distance
    shifted right by 11 bits (bins of relative width 2⁻¹², the loss at each bin's geometric
    middle: < 0.003 dB from the formula at 40 dB/decade), which needs no logarithm.
    """

    SHIFT = 11

    def __init__(self, model: PathLossModel, min_distance_m: float = 0.5,
                 max_distance_m: float = 1e5, points_per_decade: int = 20_000) -> None:
        self.model = model
        self._u0 = math.log10(min_distance_m)
        self._scale = float(points_per_decade)
        n = math.ceil((math.log10(max_distance_m) - self._u0) * self._scale) + 2
        grid = 10.0 ** (self._u0 + np.arange(n) / self._scale)
        self._table = np.asarray(model.loss_db(grid), dtype=np.float32)
        self._last = n - 1
        lo = np.array(min_distance_m, dtype=np.float32).view(np.int32)
        hi = np.array(max_distance_m, dtype=np.float32).view(np.int32)
        self._bits_base = int(lo) >> self.SHIFT
        bins = np.arange(self._bits_base, (int(hi) >> self.SHIFT) + 1, dtype=np.int64)
        middle = ((bins << self.SHIFT) | (1 << (self.SHIFT - 1))).astype(np.int32)
        centres = np.maximum(middle.view(np.float32).astype(np.float64), min_distance_m)
        self._bits_table = np.asarray(model.loss_db(centres), dtype=np.float32)
        self._bits_last = self._bits_table.size - 1

    def loss_db_into(self, distance_m: np.ndarray, out: np.ndarray,
                     scratch: np.ndarray) -> np.ndarray:
        """Loss of non-negative float32 distances into ``out`` (float32) by the bit-indexed
        table; ``scratch`` is an int32 array of the same size."""
        np.right_shift(distance_m.view(np.int32), self.SHIFT, out=scratch)
        np.subtract(scratch, np.int32(self._bits_base), out=scratch)
        np.clip(scratch, 0, self._bits_last, out=scratch)
        return np.take(self._bits_table, scratch, out=out, mode="clip")

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        """Loss at the grid point nearest to each distance (float32)."""
        d = np.asarray(distance_m, dtype=np.float32)
        u = np.log10(np.maximum(d, np.float32(1e-3)))
        idx = ((u - np.float32(self._u0)) * np.float32(self._scale) + np.float32(0.5))
        idx = np.clip(idx, 0, self._last).astype(np.intp)
        return self._table[idx]

    def range_for_loss_m(self, max_loss_db: float) -> float:
        """The largest tabulated distance whose loss does not exceed ``max_loss_db``."""
        below = np.flatnonzero(self._table <= max_loss_db)
        if below.size == 0:
            return 0.0
        return float(10.0 ** (self._u0 + below[-1] / self._scale))
