"""What a run measures, accumulated batch by batch in fixed-size arrays (no per-packet records).

* Packet reception ratio against distance as 3GPP TR 36.885 Annex A.8.1 defines it: for every
  transmission, the receivers at a distance in [a, b) count; PRR = received / counted. Kept in
  10 m and 20 m bins, with every loss attributed to exactly one cause.
* Latency (generation to reception) histogram, inter-packet gap at RSUs (time between two CAMs of
  one vehicle received by one RSU), channel busy ratio samples, age of information at RSUs.
* Per-RSU load: messages received and verified per second; an RSU coverage grid: for vehicles in
  each grid cell, the share of their transmissions each RSU received.
* Messages sent per kind; PRR against distance of what RSUs send to vehicles (SPATEM, MAPEM,
  IVIM, DENM), in 20 m bins, per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from v2x.sim.services.kinds import KINDS

RECEIVED = 0
CAUSES = ("received", "half_duplex", "below_sensing", "propagation", "collision")
"""Outcome codes of a (transmission, receiver) pair; every loss has exactly one cause."""

LATENCY_BIN_US = 1_000
LATENCY_BINS = 200
IPG_BIN_US = 10_000
IPG_BINS = 500
CBR_BINS = 100


@dataclass
class PrrHistogram:
    """Counts of outcomes per distance bin."""

    bin_m: float
    max_m: float
    counts: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.counts = np.zeros((int(np.ceil(self.max_m / self.bin_m)), len(CAUSES)),
                               dtype=np.int64)

    def add(self, distance_m: np.ndarray, outcome: np.ndarray) -> None:
        bins = (distance_m * (1.0 / self.bin_m)).astype(np.int64)
        flat = bins * len(CAUSES) + outcome
        counted = np.bincount(flat, minlength=self.counts.size)
        self.counts += counted[:self.counts.size].reshape(self.counts.shape)

    def coarsen(self, factor: int) -> PrrHistogram:
        """The same counts in bins ``factor`` times wider."""
        wide = PrrHistogram(self.bin_m * factor, self.max_m)
        rows = len(self.counts)
        padded = np.zeros((-(-rows // factor) * factor, len(CAUSES)), dtype=np.int64)
        padded[:rows] = self.counts
        merged = padded.reshape(-1, factor, len(CAUSES)).sum(axis=1)
        wide.counts[:] = merged[:len(wide.counts)]
        return wide

    def table(self) -> list[dict]:
        """One row per bin: start, end, counted, received, PRR and each loss share."""
        rows = []
        for i, row in enumerate(self.counts):
            total = int(row.sum())
            entry = {"bin_start_m": i * self.bin_m, "bin_end_m": (i + 1) * self.bin_m,
                     "counted": total, "received": int(row[RECEIVED]),
                     "prr": row[RECEIVED] / total if total else float("nan")}
            for code, cause in enumerate(CAUSES[1:], start=1):
                entry[f"loss_{cause}"] = row[code] / total if total else float("nan")
            rows.append(entry)
        return rows


class Metrics:
    """Everything a run measures; fed by the medium and the stations."""

    def __init__(self, max_distance_m: float, rsu_count: int = 0,
                 grid_origin: tuple[float, float] = (0.0, 0.0), grid_cell_m: float = 25.0,
                 grid_shape: tuple[int, int] = (1, 1)) -> None:
        self.prr10 = PrrHistogram(10.0, max_distance_m)
        self.latency = np.zeros(LATENCY_BINS + 1, dtype=np.int64)
        self.cbr = np.zeros(CBR_BINS + 1, dtype=np.int64)
        self.transmissions = 0
        self.bytes_sent = 0
        self.sent_by_kind = np.zeros(len(KINDS), dtype=np.int64)
        self.bytes_by_kind = np.zeros(len(KINDS), dtype=np.int64)
        self.i2v = {kind: PrrHistogram(20.0, max_distance_m) for kind in KINDS}
        """RSU-to-vehicle outcomes per message kind (filled for the kinds RSUs send)."""
        self.rsu_count = rsu_count
        self.rsu_received = np.zeros(rsu_count, dtype=np.int64)
        self.rsu_verified = np.zeros(rsu_count, dtype=np.int64)
        self.rsu_busy_us = np.zeros(rsu_count)
        """Processing time each RSU spent verifying (modelled or measured cost table)."""
        self.rsu_ipg = np.zeros((rsu_count, IPG_BINS + 1), dtype=np.int64)
        self.rsu_aoi = np.zeros((rsu_count, IPG_BINS + 1), dtype=np.int64)
        self._last_heard: list[dict[int, int]] = [{} for _ in range(rsu_count)]
        self.grid_origin = grid_origin
        self.grid_cell_m = grid_cell_m
        self.grid_shape = grid_shape
        self.grid_sent = np.zeros((rsu_count, *grid_shape), dtype=np.int64)
        self.grid_received = np.zeros((rsu_count, *grid_shape), dtype=np.int64)
        self.measured_us = 0
        self.vehicle_checked = 0
        self.vehicle_verified = 0
        self.vehicle_busy_us = 0.0
        self.verifier_us = 0
        """Time verifying vehicles spent on the road (vehicle-microseconds)."""

    def add_transmissions(self, sizes: np.ndarray, kinds: np.ndarray) -> None:
        self.transmissions += len(sizes)
        self.bytes_sent += int(np.sum(sizes))
        self.sent_by_kind += np.bincount(kinds, minlength=len(KINDS))
        self.bytes_by_kind += np.bincount(kinds, weights=sizes, minlength=len(KINDS)).astype(
            np.int64)

    def add_i2v(self, kinds: np.ndarray, distance_m: np.ndarray, outcome: np.ndarray) -> None:
        """Outcomes of RSU-to-vehicle links, per message kind."""
        for code in np.unique(kinds):
            pick = kinds == code
            self.i2v[KINDS[code]].add(distance_m[pick], outcome[pick])

    def add_links(self, distance_m: np.ndarray, outcome: np.ndarray) -> None:
        """Outcomes of vehicle-to-vehicle links (one row per transmission and receiver)."""
        self.prr10.add(distance_m, outcome)

    def add_latencies(self, latency_us: np.ndarray) -> None:
        """Latencies of the vehicle-to-vehicle packets received (generation to reception)."""
        bins = np.minimum(latency_us // LATENCY_BIN_US, LATENCY_BINS).astype(np.int64)
        self.latency += np.bincount(bins, minlength=LATENCY_BINS + 1)

    def add_vehicle_verifications(self, verified: np.ndarray, busy_us: np.ndarray) -> None:
        """Checks done by the verifying vehicles: how many, how many passed, their cost."""
        self.vehicle_checked += len(verified)
        self.vehicle_verified += int(np.count_nonzero(verified))
        self.vehicle_busy_us += float(np.sum(busy_us))

    @property
    def prr20(self) -> PrrHistogram:
        """PRR in 20 m bins (from the 10 m counts)."""
        return self.prr10.coarsen(2)

    def add_cbr(self, cbr: np.ndarray) -> None:
        bins = np.clip(np.rint(np.asarray(cbr) * CBR_BINS), 0, CBR_BINS).astype(np.int64)
        self.cbr += np.bincount(bins, minlength=CBR_BINS + 1)

    def add_rsu_receptions(self, rsu: np.ndarray, sender: np.ndarray, time_us: np.ndarray,
                           sender_x: np.ndarray, sender_y: np.ndarray,
                           received: np.ndarray, verified: np.ndarray | None = None) -> None:
        """Transmissions as RSUs saw them: coverage cells, load and inter-packet gaps."""
        cells = self._cells(sender_x, sender_y)
        inside = cells[0] >= 0
        np.add.at(self.grid_sent, (rsu[inside], cells[0][inside], cells[1][inside]), 1)
        ok = inside & received
        np.add.at(self.grid_received, (rsu[ok], cells[0][ok], cells[1][ok]), 1)
        got = np.flatnonzero(received)
        np.add.at(self.rsu_received, rsu[got], 1)
        if verified is not None:
            np.add.at(self.rsu_verified, rsu[got], verified[got].astype(np.int64))
        for index in got[np.argsort(time_us[got], kind="stable")]:
            heard = self._last_heard[rsu[index]]
            last = heard.get(int(sender[index]))
            if last is not None:
                gap = min((int(time_us[index]) - last) // IPG_BIN_US, IPG_BINS)
                self.rsu_ipg[rsu[index], gap] += 1
            heard[int(sender[index])] = int(time_us[index])

    def sample_age(self, now_us: int, senders_near: list[np.ndarray]) -> None:
        """Age of information at each RSU for the vehicles near it (sampled by the caller)."""
        for rsu, senders in enumerate(senders_near):
            heard = self._last_heard[rsu]
            ages = [now_us - heard[s] for s in senders.tolist() if s in heard]
            if ages:
                bins = np.minimum(np.asarray(ages) // IPG_BIN_US, IPG_BINS)
                self.rsu_aoi[rsu] += np.bincount(bins, minlength=IPG_BINS + 1)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        col = np.floor((x - self.grid_origin[0]) / self.grid_cell_m).astype(np.int64)
        row = np.floor((y - self.grid_origin[1]) / self.grid_cell_m).astype(np.int64)
        outside = (col < 0) | (row < 0) | (col >= self.grid_shape[1]) | (row >= self.grid_shape[0])
        row[outside] = -1
        col[outside] = -1
        return row, col


def percentile_of_histogram(counts: np.ndarray, bin_width: float, q: float) -> float:
    """The ``q`` quantile (0..1) of a histogram with bins of ``bin_width`` (bin centres)."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    index = int(np.searchsorted(np.cumsum(counts), q * total))
    return (index + 0.5) * bin_width
