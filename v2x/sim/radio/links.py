"""Neighbour links within range: a Verlet list on a spatial grid, with per-link loss and shadowing.

Link computations never form an N×N matrix (DESIGN.md principle 9): the pairs closer than
``range_m + margin_m`` are found on a uniform grid (a few ``searchsorted`` calls), kept as a
compressed sparse row list by transmitter, and rebuilt only when some vehicle has moved more
than ``margin_m / 2`` since the last build or the set of active vehicles changed (the classic
Verlet-list rule, so no pair closer than ``range_m`` is ever missed). At every position update
each link gets its distance, its path loss from a ``TabulatedPathLoss`` and one AR(1) shadowing
step (``shadowing.advance``); shadowing is reciprocal (one value per unordered pair) and carried
across rebuilds for links that persist. Links farther than ``range_m`` have zero gain.

``wrap_x_m`` closes the x axis into a ring of that length (the validation's endless highway).
"""

from __future__ import annotations

import math

import numpy as np

from v2x.sim.radio import shadowing as shadow
from v2x.sim.radio.pathloss import TabulatedPathLoss


def ragged_indices(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for every (start, count) pair, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts) - offsets, counts)


def _wrap(delta: np.ndarray, length: float | None) -> np.ndarray:
    if length is None:
        return delta
    return delta - length * np.round(delta / length)


def pairs_within(xy: np.ndarray, radius_m: float,
                 wrap_x_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of the rows of ``xy`` no farther apart than ``radius_m``."""
    n = xy.shape[0]
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    x = xy[:, 0] if wrap_x_m is None else np.mod(xy[:, 0], wrap_x_m)
    y = xy[:, 1]
    if wrap_x_m is not None and wrap_x_m <= 2.0 * radius_m * 1.001:
        i, j = np.triu_indices(n, k=1)          # every pair is within range on so short a ring
    else:
        if wrap_x_m is None:
            cell, k, nx = radius_m, 1, None
        else:
            k = 1
            while math.floor(wrap_x_m * k / radius_m) < 2 * k + 1:
                k += 1
            nx = math.floor(wrap_x_m * k / radius_m)
            cell = wrap_x_m / nx
        cy_cell = radius_m / k if wrap_x_m is not None else cell
        cx = np.floor(x / cell).astype(np.int64)
        if nx is not None:
            cx = np.minimum(cx, nx - 1)
        cy = np.floor((y - y.min()) / cy_cell).astype(np.int64) + k
        ny = int(cy.max()) + k + 1
        key = cx * ny + cy
        order = np.argsort(key, kind="stable")
        skey = key[order]
        firsts, seconds = [], []
        for dx in range(0, k + 1):
            for dy in range(-k, k + 1):
                if dx == 0 and dy < 0:
                    continue
                ncx = cx + dx
                if nx is not None:
                    ncx = np.mod(ncx, nx)
                target = ncx * ny + cy + dy
                lo = np.searchsorted(skey, target, side="left")
                hi = np.searchsorted(skey, target, side="right")
                counts = hi - lo
                a = np.repeat(np.arange(n, dtype=np.int64), counts)
                b = order[ragged_indices(lo, counts)]
                if dx == 0 and dy == 0:
                    keep = a < b
                    a, b = a[keep], b[keep]
                firsts.append(a)
                seconds.append(b)
        i = np.concatenate(firsts)
        j = np.concatenate(seconds)
    dxv = _wrap(x[i] - x[j], wrap_x_m)
    close = np.hypot(dxv, y[i] - y[j]) <= radius_m
    i, j = i[close], j[close]
    lo_, hi_ = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((hi_, lo_))
    return lo_[order], hi_[order]


class LinkTable:
    """The links of ``n_vehicles`` vehicles within ``range_m``, updated at each position step."""

    def __init__(self, n_vehicles: int, pathloss: TabulatedPathLoss,
                 shadowing: shadow.ShadowingConfig, range_m: float,
                 rng: np.random.Generator, margin_m: float = 100.0,
                 wrap_x_m: float | None = None) -> None:
        self.n = n_vehicles
        self.pathloss = pathloss
        self.shadowing = shadowing
        self.range_m = float(range_m)
        self.margin_m = float(margin_m)
        self.wrap_x_m = wrap_x_m
        self.rng = rng
        self.rebuilds = 0
        empty_i = np.zeros(0, dtype=np.int64)
        self.first, self.second = empty_i, empty_i
        self.shadow_db = np.zeros(0, dtype=np.float32)
        self._base = np.zeros(0, dtype=np.float64)
        self.distance_m = np.zeros(0, dtype=np.float32)
        self.gain_lin = np.zeros(0, dtype=np.float32)
        self.indptr = np.zeros(n_vehicles + 1, dtype=np.int64)
        self.neighbour = empty_i
        self.link_of = empty_i
        self.odometer_m = np.zeros(n_vehicles, dtype=np.float64)
        self._xy: np.ndarray | None = None
        self._xy_at_build: np.ndarray | None = None
        self._active_at_build: np.ndarray | None = None

    # -- positions ------------------------------------------------------------------------------
    def update(self, xy: np.ndarray, active: np.ndarray | None = None) -> None:
        """Take new positions (metres, shape (n, 2)); ``active`` masks vehicles present."""
        xy = np.asarray(xy, dtype=np.float64).reshape(self.n, 2)
        active = (np.ones(self.n, dtype=bool) if active is None
                  else np.asarray(active, dtype=bool).copy())
        active &= np.isfinite(xy).all(axis=1)
        if self._xy is not None:
            step = xy - self._xy
            step[:, 0] = _wrap(step[:, 0], self.wrap_x_m)
            moved = np.hypot(step[:, 0], step[:, 1])
            self.odometer_m += np.where(np.isfinite(moved), moved, 0.0)
        self._xy = xy
        if self._needs_rebuild(xy, active):
            self._rebuild(xy, active)
        self._refresh(xy)

    def _needs_rebuild(self, xy: np.ndarray, active: np.ndarray) -> bool:
        if self._xy_at_build is None or not np.array_equal(active, self._active_at_build):
            return True
        moved = xy[active] - self._xy_at_build[active]
        moved[:, 0] = _wrap(moved[:, 0], self.wrap_x_m)
        return bool(moved.size) and float(np.max(np.hypot(moved[:, 0], moved[:, 1]))) \
            > self.margin_m / 2.0

    def _rebuild(self, xy: np.ndarray, active: np.ndarray) -> None:
        ids = np.flatnonzero(active)
        a, b = pairs_within(xy[ids], self.range_m + self.margin_m, self.wrap_x_m)
        first, second = ids[a], ids[b]
        keys = first * self.n + second
        old_keys = self.first * self.n + self.second
        shadow_db = shadow.initial(self.rng, keys.size, self.shadowing)
        base = self.odometer_m[first] + self.odometer_m[second]
        distance = np.full(keys.size, np.nan, dtype=np.float32)
        if old_keys.size and keys.size:
            pos = np.minimum(np.searchsorted(old_keys, keys), old_keys.size - 1)
            kept = old_keys[pos] == keys
            shadow_db[kept] = self.shadow_db[pos[kept]]
            base[kept] = self._base[pos[kept]]
            distance[kept] = self.distance_m[pos[kept]]
        self.first, self.second = first, second
        self.shadow_db, self._base = shadow_db, base
        self.distance_m = distance
        src = np.concatenate([first, second])
        dst = np.concatenate([second, first])
        link = np.concatenate([np.arange(keys.size), np.arange(keys.size)])
        order = np.argsort(src, kind="stable")
        self.neighbour = dst[order]
        self.link_of = link[order]
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=self.n))])
        self._xy_at_build = xy.copy()
        self._active_at_build = active.copy()
        self.rebuilds += 1

    def _refresh(self, xy: np.ndarray) -> None:
        i, j = self.first, self.second
        dx = _wrap(xy[i, 0] - xy[j, 0], self.wrap_x_m)
        distance = np.hypot(dx, xy[i, 1] - xy[j, 1]).astype(np.float32)
        if self.shadowing.sigma_db > 0 and i.size:
            if self.shadowing.displacement == "endpoints":
                travelled = self.odometer_m[i] + self.odometer_m[j]
                delta = travelled - self._base
                self._base = travelled
            else:
                delta = np.nan_to_num(np.abs(distance - self.distance_m), nan=0.0)
            moved = delta > 0
            if np.any(moved):
                idx = np.flatnonzero(moved)
                self.shadow_db[idx] = shadow.advance(self.shadow_db[idx], delta[idx],
                                                     self.shadowing, self.rng)
        self.distance_m = distance
        gain_db = self.shadow_db - self.pathloss.loss_db(distance)
        gain = np.power(np.float32(10.0), gain_db * np.float32(0.1))
        gain[distance > self.range_m] = 0.0
        self.gain_lin = gain.astype(np.float32, copy=False)

    # -- queries --------------------------------------------------------------------------------
    def links_from(self, transmitters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each listed transmitter, its directed links: (index of the transmitter in the
        list, position in ``neighbour``/``link_of``), concatenated."""
        starts = self.indptr[transmitters]
        counts = self.indptr[transmitters + 1] - starts
        which = np.repeat(np.arange(transmitters.size, dtype=np.int64), counts)
        return which, ragged_indices(starts, counts)

    @property
    def active(self) -> np.ndarray:
        """Which vehicles the current list covers (present, with finite positions)."""
        if self._active_at_build is None:
            return np.zeros(self.n, dtype=bool)
        return self._active_at_build.copy()

    @property
    def n_links(self) -> int:
        """Unordered pairs currently listed (within range plus margin)."""
        return int(self.first.size)
