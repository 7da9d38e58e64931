"""Neighbour links within range: a Verlet list on a spatial grid, with per-link loss and shadowing.

Link computations never form an N×N matrix (DESIGN.md principle 9): the pairs closer than
``range_m + margin_m`` are found on a uniform grid (a few ``searchsorted`` calls), kept as a
compressed sparse row list (each link twice: forward entries in link order, backward ones
sorted by their second vehicle; a vehicle's row is one segment of each), and rebuilt only when some
vehicle has moved more than ``margin_m / 2`` since the last build or a vehicle appeared (the
classic Verlet-list rule, so no pair closer than ``range_m`` is ever missed). A vehicle that
leaves keeps its entries until the next rebuild, silenced: infinite distance, zero gain. At
every position update each link gets its distance, its path loss from a ``TabulatedPathLoss``
and one AR(1) shadowing step (``shadowing.advance_inplace``), all in float32; shadowing is
reciprocal (one value per unordered pair) and carried across rebuilds for links that persist.
Links farther than ``range_m`` have zero gain. ``keys`` (first·n + second, sorted) finds the
link of a pair by binary search.

``wrap_x_m`` closes the x axis into a ring of that length (the validation's endless highway).

**Antenna classes.** Stations with their own antenna height (roadside units on a mast or gantry)
are given as ``AntennaClasses``: class 0 has the path-loss model's own heights (vehicles), and
every pair of classes has a ``LinkKind`` (its path loss and its range). Kind 0 (class 0 with
class 0) is the table's ``pathloss`` and ``range_m`` and is found on the grid as above; the pairs
with a station of another class at one end (few: ≤ ~50 such stations) are found by direct
distances from those stations to every active one, out to their kind's range plus the margin,
so a mast's longer reach never enlarges the vehicle-to-vehicle search. Such links take their
kind's path loss and range cut-off after the common refresh; shadowing, reciprocity and
everything downstream are the same for every link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from v2x.sim.radio import shadowing as shadow
from v2x.sim.radio.pathloss import PathLossModel, TabulatedPathLoss

_DB_TO_NEPER = np.float32(math.log(10.0) / 10.0)
_STRUCTURE = ("rebuilds", "first", "second", "keys", "perm", "f_ptr", "b_ptr", "neighbour",
              "link_of", "row_of", "kind_groups")
"""The list itself (``export`` sends it after a rebuild)."""


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
    close = np.flatnonzero(np.hypot(dxv, y[i] - y[j]) <= radius_m)
    i, j = i[close], j[close]
    keys = np.sort(np.minimum(i, j) * n + np.maximum(i, j))
    return np.divmod(keys, n)


def segments(f_ptr: np.ndarray, b_ptr: np.ndarray,
             vehicles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved (forward, backward) segments of the listed vehicles' rows of two CSR
    blocks: (starts, counts), each 2·len(vehicles) long."""
    starts = np.empty(2 * vehicles.size, dtype=np.int64)
    counts = np.empty(2 * vehicles.size, dtype=np.int64)
    starts[0::2] = f_ptr[vehicles]
    counts[0::2] = f_ptr[vehicles + 1] - starts[0::2]
    starts[1::2] = b_ptr[vehicles]
    counts[1::2] = b_ptr[vehicles + 1] - starts[1::2]
    return starts, counts


def _stable_order(values: np.ndarray, n: int) -> np.ndarray:
    """Stable argsort of integers in [0, n) (a radix sort when they fit 16 bits)."""
    if n <= np.iinfo(np.uint16).max:
        return np.argsort(values.astype(np.uint16), kind="stable")
    return np.argsort(values, kind="stable")


@dataclass(frozen=True)
class LinkKind:
    """Path loss and range of the links between two antenna classes.

    ``pathloss`` is a ``TabulatedPathLoss`` (many links) or a model evaluated by its formula
    (few links); links farther than ``range_m`` have zero gain.
    """

    pathloss: TabulatedPathLoss | PathLossModel
    range_m: float

    def loss_db(self, distance_m: np.ndarray) -> np.ndarray:
        """Loss (float32 dB) at float32 distances."""
        if isinstance(self.pathloss, TabulatedPathLoss):
            out = np.empty(distance_m.size, dtype=np.float32)
            return self.pathloss.loss_db_into(distance_m, out,
                                              np.empty(distance_m.size, dtype=np.int32))
        return np.asarray(self.pathloss.loss_db(distance_m.astype(np.float64)),
                          dtype=np.float32)


@dataclass(frozen=True)
class AntennaClasses:
    """Stations grouped by antenna height and the link kind of each pair of groups.

    ``station_class`` (n,) is 0 for stations with the path-loss model's own heights (vehicles)
    and 1..k otherwise; ``kind_of`` ((k+1, k+1), symmetric) indexes ``kinds``; kind 0 (class 0
    with class 0) stands for the ``LinkTable``'s own ``pathloss`` and ``range_m``.
    """

    station_class: np.ndarray
    kind_of: np.ndarray
    kinds: tuple[LinkKind, ...]


class LinkTable:
    """The links of ``n_vehicles`` vehicles within ``range_m``, updated at each position step.

    With ``antennas``, links with a station of another antenna class at one end use their
    kind's path loss and range instead (see the module docstring); ``kind_groups`` lists them
    per kind after each rebuild: (kind, link indices ascending).
    """

    def __init__(self, n_vehicles: int, pathloss: TabulatedPathLoss,
                 shadowing: shadow.ShadowingConfig, range_m: float,
                 rng: np.random.Generator, margin_m: float = 100.0,
                 wrap_x_m: float | None = None,
                 antennas: AntennaClasses | None = None) -> None:
        self.n = n_vehicles
        self.pathloss = pathloss
        self.shadowing = shadowing
        self.range_m = float(range_m)
        self.margin_m = float(margin_m)
        self.wrap_x_m = wrap_x_m
        self.rng = rng
        self.antennas = antennas
        self.kind_groups: list[tuple[int, np.ndarray]] = []
        if antennas is not None:
            if np.shape(antennas.station_class) != (n_vehicles,):
                raise ValueError("station_class needs one entry per station")
            ranges = np.array([self.range_m] + [k.range_m for k in antennas.kinds[1:]])
            self._search_m = ranges[antennas.kind_of] + self.margin_m
        self.rebuilds = 0
        empty_i = np.zeros(0, dtype=np.int64)
        self.first, self.second = empty_i, empty_i
        self.keys = empty_i
        self.version = 0
        self.shadow_db = np.zeros(0, dtype=np.float32)
        self.distance_m = np.zeros(0, dtype=np.float32)
        self.gain_lin = np.zeros(0, dtype=np.float32)
        self.f_ptr = np.zeros(n_vehicles + 1, dtype=np.int64)
        self.b_ptr = np.zeros(n_vehicles + 1, dtype=np.int64)
        self.perm = empty_i
        self.neighbour = empty_i
        self.link_of = empty_i
        self.row_of = empty_i
        self.odometer_m = np.zeros(n_vehicles, dtype=np.float64)
        self._xy: np.ndarray | None = None
        self._xy_at_build: np.ndarray | None = None
        self._active_at_build: np.ndarray | None = None
        self._active: np.ndarray | None = None
        self._gone = empty_i
        """Listed vehicles that are no longer active (their links are silenced)."""

    # -- positions ------------------------------------------------------------------------------
    def update(self, xy: np.ndarray, active: np.ndarray | None = None) -> None:
        """Take new positions (metres, shape (n, 2)); ``active`` masks vehicles present.

        The positions are copied: a caller that moves its stations in place keeps one array.
        """
        xy = np.array(xy, dtype=np.float64).reshape(self.n, 2)
        active = (np.ones(self.n, dtype=bool) if active is None
                  else np.asarray(active, dtype=bool).copy())
        active &= np.isfinite(xy).all(axis=1)
        moved = np.zeros(self.n, dtype=np.float64)
        if self._xy is not None:
            step = xy - self._xy
            step[:, 0] = _wrap(step[:, 0], self.wrap_x_m)
            moved = np.hypot(step[:, 0], step[:, 1])
            moved = np.where(np.isfinite(moved), moved, 0.0)
            self.odometer_m += moved
        self._xy = xy
        if self._needs_rebuild(xy, active):
            self._rebuild(xy, active)
        self._active = active
        self._gone = np.flatnonzero(self._active_at_build & ~active)
        self._refresh(xy, moved.astype(np.float32))
        self.version += 1

    def _needs_rebuild(self, xy: np.ndarray, active: np.ndarray) -> bool:
        if self._xy_at_build is None or np.any(active & ~self._active_at_build):
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
        if self.antennas is not None:
            far = self._class_pairs(xy, ids)
            if keys.size and far.size:      # merge the few new keys into the sorted ones
                at = np.searchsorted(keys, far)
                far = far[keys[np.minimum(at, keys.size - 1)] != far]
            if far.size:
                keys = np.insert(keys, np.searchsorted(keys, far), far)
                first, second = np.divmod(keys, self.n)
        old_keys = self.first * self.n + self.second
        shadow_db = shadow.initial(self.rng, keys.size, self.shadowing)
        distance = np.full(keys.size, np.nan, dtype=np.float32)
        if old_keys.size and keys.size:
            pos = np.minimum(np.searchsorted(old_keys, keys), old_keys.size - 1)
            kept = old_keys[pos] == keys
            shadow_db[kept] = self.shadow_db[pos[kept]]
            distance[kept] = self.distance_m[pos[kept]]
        self.first, self.second = first, second
        self.keys = keys
        self.shadow_db = shadow_db
        self.distance_m = distance
        # Entries: every link twice, forward (row = first) in link order, then backward
        # (row = second) sorted by second; each block is a CSR by row.
        m = keys.size
        perm = _stable_order(second, self.n)
        self.perm = perm
        self.f_ptr = np.searchsorted(first, np.arange(self.n + 1))
        self.b_ptr = m + np.concatenate([[0], np.cumsum(np.bincount(second, minlength=self.n))])
        self.neighbour = np.concatenate([second, first[perm]])
        self.link_of = np.concatenate([np.arange(m), perm])
        self.row_of = np.concatenate([first, second[perm]])
        self.kind_groups = self._group_kinds(first, second)
        self._xy_at_build = xy.copy()
        self._active_at_build = active.copy()
        self.rebuilds += 1

    def _class_pairs(self, xy: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Keys of the pairs of active stations with a station of class > 0 at one end, within
        their kind's range plus the margin (direct distances from the few such stations)."""
        assert self.antennas is not None
        cls = self.antennas.station_class
        own = ids[cls[ids] > 0]
        if own.size == 0:
            return np.zeros(0, dtype=np.int64)
        x, y = xy[ids, 0], xy[ids, 1]
        other_class = cls[ids]
        keys = []
        chunk = max(1, (1 << 20) // max(ids.size, 1))
        for at in range(0, own.size, chunk):
            s = own[at:at + chunk]
            dx = _wrap(xy[s, 0][:, None] - x[None, :], self.wrap_x_m)
            d = np.hypot(dx, xy[s, 1][:, None] - y[None, :])
            near = d <= self._search_m[cls[s]][:, other_class]
            si, oi = np.nonzero(near)
            a, b = s[si], ids[oi]
            keep = a != b
            a, b = a[keep], b[keep]
            keys.append(np.minimum(a, b) * self.n + np.maximum(a, b))
        return np.unique(np.concatenate(keys))

    def _group_kinds(self, first: np.ndarray, second: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(kind, link indices) of every kind other than 0 present in the list."""
        if self.antennas is None:
            return []
        cls = self.antennas.station_class
        kind = self.antennas.kind_of[cls[first], cls[second]]
        special = np.flatnonzero(kind)
        if special.size == 0:
            return []
        order = np.argsort(kind[special], kind="stable")
        special, sorted_kind = special[order], kind[special][order]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_kind)) + 1])
        return [(int(sorted_kind[start]), part)
                for start, part in zip(starts, np.split(special, starts[1:]), strict=True)]

    def _refresh(self, xy: np.ndarray, moved: np.ndarray) -> None:
        """Distance, shadowing step and gain of every listed link, in float32.

        Coordinates are taken relative to the fleet's lower-left corner before the float32
        conversion (millimetre resolution over 100 km). With ``"endpoints"`` displacement the
        AR(1) step of a link uses how far both ends moved since the previous update.
        """
        m = self.first.size
        previous = self.distance_m
        if previous.size != m:
            previous = np.full(m, np.nan, dtype=np.float32)
        self.distance_m = np.empty(m, dtype=np.float32)
        self.gain_lin = np.empty(m, dtype=np.float32)
        if m == 0:
            return
        finite = np.isfinite(xy).all(axis=1)
        origin = xy[finite].min(axis=0) if np.any(finite) else np.zeros(2)
        if self.wrap_x_m is not None:
            origin[0] = 0.0
        local = np.where(finite[:, None], xy - origin, 0.0).astype(np.float32)
        x, y = np.ascontiguousarray(local[:, 0]), np.ascontiguousarray(local[:, 1])
        flat = bool(np.all(y == y[0]))
        self._refresh_slice(slice(0, m), self.rng, x, y, flat, moved, previous)
        if self.kind_groups:
            self._refresh_kinds()
        if self._gone.size:
            silenced = self.link_of[ragged_indices(*self.rows(self._gone))]
            self.distance_m[silenced] = np.inf
            self.gain_lin[silenced] = 0.0

    def _refresh_kinds(self) -> None:
        """Gain of the links of kinds other than 0: their path loss and range cut-off (the
        shadowing step was taken with every link's)."""
        assert self.antennas is not None
        for kind, links in self.kind_groups:
            spec = self.antennas.kinds[kind]
            distance = self.distance_m[links]
            gain = np.take(self.shadow_db, links)
            gain -= spec.loss_db(distance)
            gain *= _DB_TO_NEPER
            np.exp(gain, out=gain)
            gain *= distance <= np.float32(spec.range_m)
            self.gain_lin[links] = gain

    def _refresh_slice(self, sl: slice, rng: np.random.Generator, x: np.ndarray,
                       y: np.ndarray, flat: bool, moved: np.ndarray,
                       previous: np.ndarray) -> None:
        i, j = self.first[sl], self.second[sl]
        distance = self.distance_m[sl]
        np.subtract(np.take(x, i), np.take(x, j), out=distance)
        if self.wrap_x_m is not None:
            length = np.float32(self.wrap_x_m)
            turns = np.multiply(distance, np.float32(1.0) / length)
            np.round(turns, out=turns)
            turns *= length
            distance -= turns
        if flat:
            np.abs(distance, out=distance)
        else:
            dy = np.take(y, i)
            dy -= np.take(y, j)
            dy *= dy
            distance *= distance
            distance += dy
            np.sqrt(distance, out=distance)     # 5x faster than np.hypot, same to 0.1 mm
        if self.shadowing.sigma_db > 0:
            if self.shadowing.displacement == "endpoints":
                delta = np.take(moved, i)
                delta += np.take(moved, j)
            else:
                delta = np.nan_to_num(np.abs(distance - previous[sl]), nan=0.0)
            if np.any(delta > 0):
                shadow.advance_inplace(self.shadow_db[sl], delta, self.shadowing, rng)
        gain = self.gain_lin[sl]
        self.pathloss.loss_db_into(distance, gain, np.empty(gain.size, dtype=np.int32))
        np.subtract(self.shadow_db[sl], gain, out=gain)
        gain *= np.float32(math.log(10.0) / 10.0)
        np.exp(gain, out=gain)
        gain *= distance <= np.float32(self.range_m)

    # -- a passive copy elsewhere ------------------------------------------------------------------
    def export(self, since_rebuild: int) -> dict[str, Any]:
        """What a copy of this table needs after the last update: gains, distances, who is
        present, and the list itself when it was rebuilt after build ``since_rebuild``."""
        state: dict[str, Any] = {"version": self.version, "gain_lin": self.gain_lin,
                                 "distance_m": self.distance_m, "_active": self._active}
        if self.rebuilds != since_rebuild:
            state.update({name: getattr(self, name) for name in _STRUCTURE})
        return state

    def adopt(self, state: dict[str, Any]) -> None:
        """Take what ``export`` gave (this table then mirrors one updated elsewhere)."""
        for name, value in state.items():
            setattr(self, name, value)

    # -- queries --------------------------------------------------------------------------------
    def rows(self, vehicles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries of each vehicle's row (its neighbours), as two segments per vehicle
        (forward, backward): (starts, counts), each of length 2·len(vehicles), in that order."""
        return segments(self.f_ptr, self.b_ptr, vehicles)

    def links_from(self, transmitters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each listed transmitter, its directed links: (index of the transmitter in the
        list, position in ``neighbour``/``link_of``), concatenated."""
        starts, counts = self.rows(transmitters)
        per = counts.reshape(-1, 2).sum(axis=1)
        which = np.repeat(np.arange(transmitters.size, dtype=np.int64), per)
        return which, ragged_indices(starts, counts)

    @property
    def active(self) -> np.ndarray:
        """Which vehicles are present (with finite positions) at the last update."""
        if self._active is None:
            return np.zeros(self.n, dtype=bool)
        return self._active.copy()

    @property
    def active_count(self) -> int:
        """How many vehicles are present at the last update."""
        return 0 if self._active is None else int(np.count_nonzero(self._active))

    @property
    def n_links(self) -> int:
        """Unordered pairs currently listed (within range plus margin)."""
        return int(self.first.size)
