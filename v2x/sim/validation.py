"""Validation of the radio model against Gonzalez-Martín et al., IEEE TVT 68(2), 2019.

M. Gonzalez-Martín, M. Sepulcre, R. Molina-Masegosa, J. Gozalvez, "Analytical Models of the
Performance of C-V2X Mode 4 Vehicular Communications", IEEE Transactions on Vehicular Technology
68(2), pp. 1155-1166, Feb. 2019 (arXiv:1807.06508). Their assumptions: vehicles on a line with
density β, 5.91 GHz, 10 MHz, WINNER+ B1 LOS with effective antenna height 1.5 m, log-normal
shadowing σ = 3 dB, noise −95 dBm per 10 MHz scaled to the packet's resource blocks (9 dB noise
figure), sensing threshold −90.5 dBm, their BLER table (3GPP R1-160284), 190-byte packets, 4
sub-channels of 12 RBs (10 PSSCH RBs at QPSK r ≈ 0.7). ``PAPER_PDR`` is their *simulated* PDR for
β = 0.1 veh/m, λ = 10 Hz, Pt = 20 dBm, 4 sub-channels.

The scenario is an endless highway: a ring road (x wraps at ``road_length_m``) with vehicles placed
uniformly at random at density β, half driving each way at ``speed_mps``, so every vehicle is
"central" and there are no edge effects. Each vehicle generates a packet every 1/λ seconds from a
random offset. The radio model (``v2x.sim.radio``) is used as is: nothing is fitted to the curve.
PDR at distance d counts every reception opportunity whose Tx-Rx distance is within
``bin_half_width_m`` of d, after ``warmup_s``; every lost packet has exactly one cause.
Positions are updated every 100 ms and the radio is advanced 100 subframes at a time, processed
in windows of ``batch_subframes`` (default 100; the MAC is exact to the subframe for any window,
so ``--batch-subframes 1`` is the slow per-subframe reference and gives the same statistics).

Run ``python -m v2x.sim.validation`` for the full table (``--help`` for the parameters).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field, replace

import numpy as np

from v2x.sim.radio import (
    LossCause,
    RadioConfig,
    ShadowingConfig,
    SidelinkNetwork,
    SpsConfig,
    named_stream,
)
from v2x.sim.radio.phy import MAX_SIDELINK_MCS, SubchannelLayout, transport_block_bits

PAPER_DISTANCES_M = tuple(range(0, 501, 50))
PAPER_PDR = (0.991, 0.986, 0.980, 0.976, 0.968, 0.948, 0.916, 0.850, 0.715, 0.508, 0.331)
"""Simulated PDR of Gonzalez-Martín et al. for β = 0.1 veh/m, λ = 10 Hz, Pt = 20 dBm, S = 4."""

CAUSES = (LossCause.HALF_DUPLEX, LossCause.BELOW_SENSING, LossCause.PROPAGATION,
          LossCause.COLLISION)


@dataclass(frozen=True)
class Benchmark:
    """A benchmark configuration on the ring highway (defaults: the paper's configuration)."""

    density_veh_per_m: float = 0.1
    rate_hz: float = 10.0
    tx_power_dbm: float = 20.0
    n_subchannels: int = 4
    packet_bytes: int = 190
    duration_s: float = 10.0
    warmup_s: float = 2.0
    road_length_m: float = 5000.0
    speed_mps: float = 70.0 / 3.6
    seed: int = 1
    batch_subframes: int = 100
    bin_half_width_m: float = 5.0
    distances_m: tuple[int, ...] = PAPER_DISTANCES_M
    paper_pdr: tuple[float, ...] | None = field(default=PAPER_PDR)

    @property
    def rri_ms(self) -> int:
        return round(1000.0 / self.rate_hz)


def paper_radio_config(bench: Benchmark) -> RadioConfig:
    """The radio configuration with the paper's assumptions for ``bench``.

    Sub-channels split the 50 RBs of 10 MHz evenly (4 → 12 RBs, 2 → 25 RBs); the MCS is the lowest
    that fits the packet in one sub-channel (190 bytes in 10 PSSCH RBs → MCS 9, QPSK r ≈ 0.7, whose
    BLER curve the paper uses; with 2 sub-channels the paper's QPSK r ≈ 0.5 curve).
    """
    layout = SubchannelLayout(n_subchannels=bench.n_subchannels,
                              subchannel_size_rb=50 // bench.n_subchannels,
                              noise_bandwidth_per_rb_hz=10e6 / 50)
    mcs = lowest_mcs_for_one_subchannel(bench.packet_bytes, layout)
    curve = "r1-160284-190B-qpsk-r0.5" if bench.n_subchannels == 2 else "r1-160284-190B-qpsk-r0.7"
    reach = max(bench.distances_m) + bench.bin_half_width_m
    return RadioConfig(
        frequency_hz=5.91e9,
        pathloss="winner_b1_los",
        pathloss_params={"environment_height_m": 0.0, "tx_height_m": 1.5, "rx_height_m": 1.5},
        shadowing=ShadowingConfig(sigma_db=3.0, decorrelation_m=25.0),
        layout=layout,
        mcs=mcs,
        bler_curve=curve,
        tx_power_dbm=bench.tx_power_dbm,
        noise_figure_db=9.0,
        sensing_threshold_dbm=-90.5,
        decoding_threshold_dbm=-90.5,
        sps=SpsConfig(rri_ms=bench.rri_ms, keep_probability=0.0),
        wrap_x_m=bench.road_length_m,
        report_range_m=reach,
        batch_subframes=bench.batch_subframes,
    )


def lowest_mcs_for_one_subchannel(size_bytes: int, layout: SubchannelLayout) -> int:
    """The lowest MCS whose transport block in one sub-channel holds ``size_bytes``."""
    rbs = int(layout.pssch_rb(1))
    for mcs in range(MAX_SIDELINK_MCS + 1):
        if transport_block_bits(mcs, rbs) >= 8 * size_bytes:
            return mcs
    raise ValueError(f"{size_bytes} bytes do not fit one sub-channel of {rbs} PSSCH RBs")


@dataclass
class BenchmarkResult:
    """PDR and loss split per distance, with the run's facts."""

    bench: Benchmark
    distances_m: np.ndarray
    samples: np.ndarray
    pdr: np.ndarray
    loss_split: dict[str, np.ndarray]
    overall_split: dict[str, float]
    mean_cbr: float
    runtime_s: float
    vehicles: int
    stats: dict[str, int]

    def mad_pp(self) -> float | None:
        """Mean absolute deviation from the paper's PDR in percentage points, if it has one."""
        if self.bench.paper_pdr is None:
            return None
        return float(np.mean(np.abs(self.pdr - np.asarray(self.bench.paper_pdr))) * 100.0)


def run_benchmark(bench: Benchmark, config: RadioConfig | None = None) -> BenchmarkResult:
    """Simulate ``bench`` (100 ms position updates) and measure PDR per distance."""
    started = time.perf_counter()
    config = config if config is not None else paper_radio_config(bench)
    place = named_stream(bench.seed, "validation.placement")
    traffic = named_stream(bench.seed, "validation.traffic")
    n = max(2, round(bench.density_veh_per_m * bench.road_length_m))
    x = place.uniform(0.0, bench.road_length_m, n)
    direction = np.where(place.random(n) < 0.5, 1.0, -1.0)
    period = bench.rri_ms
    offsets = traffic.integers(0, period, n)
    net = SidelinkNetwork(config, n, seed=bench.seed)
    centres = np.asarray(bench.distances_m, dtype=np.float64)
    n_bins = centres.size
    counts = np.zeros((n_bins, len(LossCause)), dtype=np.int64)
    epoch = 100
    total = round((bench.warmup_s + bench.duration_s) * 1000)
    warmup = round(bench.warmup_s * 1000)
    cbr_sum, cbr_n = 0.0, 0
    packet_base = 0
    for start in range(0, total, epoch):
        xy = np.column_stack([np.mod(x + direction * bench.speed_mps * start / 1000.0,
                                     bench.road_length_m), np.zeros(n)])
        net.set_positions(xy)
        ks = np.arange((epoch + period - 1) // period + 1)
        gen = offsets[:, None] + period * ((start - offsets[:, None]) // period + ks[None, :])
        vid = np.repeat(np.arange(n), ks.size).reshape(n, ks.size)
        due = (gen >= start) & (gen < start + epoch)
        when, who = gen[due], vid[due]
        net.submit(who, bench.packet_bytes, packet_base + np.arange(who.size), when)
        packet_base += who.size
        result = net.advance(epoch)
        if start < warmup:
            continue
        rx = result.receptions
        nearest = np.rint(rx.distance_m / 50.0).astype(np.int64) if _even_grid(centres) \
            else np.abs(rx.distance_m[:, None] - centres[None, :]).argmin(axis=1)
        nearest = np.clip(nearest, 0, n_bins - 1)
        inside = np.abs(rx.distance_m - centres[nearest]) <= bench.bin_half_width_m
        flat = nearest[inside] * len(LossCause) + rx.cause[inside]
        counts += np.bincount(flat, minlength=counts.size).reshape(counts.shape)
        cbr_sum += float(np.mean(net.cbr()))
        cbr_n += 1
    samples = counts.sum(axis=1)
    safe = np.maximum(samples, 1)
    pdr = counts[:, LossCause.RECEIVED] / safe
    split = {c.name.lower(): counts[:, c] / safe for c in CAUSES}
    lost_total = counts[:, 1:].sum()
    overall = {c.name.lower(): float(counts[:, c].sum() / max(lost_total, 1)) for c in CAUSES}
    return BenchmarkResult(bench, centres, samples, pdr, split, overall,
                           cbr_sum / max(cbr_n, 1), time.perf_counter() - started, n,
                           dict(net.stats))


def _even_grid(centres: np.ndarray) -> bool:
    return bool(centres.size > 1 and centres[0] == 0
                and np.allclose(centres, 50.0 * np.arange(centres.size)))


def format_report(result: BenchmarkResult) -> str:
    """The comparison table (ours vs the paper) and the per-cause loss split."""
    b = result.bench
    lines = [
        f"C-V2X mode 4 benchmark: beta={b.density_veh_per_m} veh/m, lambda={b.rate_hz:g} Hz, "
        f"Pt={b.tx_power_dbm:g} dBm, {b.n_subchannels} sub-channels, {b.packet_bytes} B, "
        f"{result.vehicles} vehicles on a {b.road_length_m:g} m ring, {b.duration_s:g} s "
        f"(+{b.warmup_s:g} s warm-up), seed {b.seed}, window {b.batch_subframes} subframe(s)",
        "",
        f"{'d [m]':>6} {'ours':>7} {'paper':>7} {'diff pp':>8} {'HD':>7} {'SEN':>7} {'PRO':>7} "
        f"{'COL':>7} {'samples':>9}",
    ]
    paper = b.paper_pdr
    for k, d in enumerate(result.distances_m):
        ref = f"{paper[k]:7.3f}" if paper is not None else f"{'-':>7}"
        diff = f"{(result.pdr[k] - paper[k]) * 100:+8.2f}" if paper is not None else f"{'':>8}"
        split = " ".join(f"{result.loss_split[c.name.lower()][k]:7.4f}" for c in CAUSES)
        lines.append(f"{d:6.0f} {result.pdr[k]:7.3f} {ref} {diff} {split} "
                     f"{result.samples[k]:9d}")
    mad = result.mad_pp()
    if mad is not None:
        lines.append(f"\nmean absolute deviation from the paper: {mad:.2f} percentage points")
    overall = ", ".join(f"{name} {share:.1%}" for name, share in result.overall_split.items())
    lines.append(f"share of losses (0-{max(b.distances_m)} m): {overall}")
    lines.append(f"mean CBR {result.mean_cbr:.3f}; runtime {result.runtime_s:.1f} s; "
                 f"MAC: {result.stats}")
    return "\n".join(lines)


_LIMITS = {"density_veh_per_m": (0.001, 1.0), "rate_hz": (1.0, 50.0),
           "tx_power_dbm": (-30.0, 33.0), "duration_s": (0.1, 3600.0), "warmup_s": (0.0, 600.0),
           "road_length_m": (100.0, 100_000.0), "speed_mps": (0.0, 70.0),
           "n_subchannels": (1, 10), "packet_bytes": (10, 2000), "seed": (0, 2**63 - 1),
           "batch_subframes": (1, 100)}
"""Accepted range of every benchmark parameter (inclusive)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark parameters as options (defaults: the paper's configuration)."""
    defaults = Benchmark()
    for name, (low, high) in _LIMITS.items():
        kind = type(low)
        parser.add_argument("--" + name.replace("_", "-"), type=kind,
                            default=getattr(defaults, name),
                            help=f"{low:g} to {high:g} (default {getattr(defaults, name):g})")


def run_from_options(options: dict) -> int:
    """Run the benchmark the options describe and print the comparison; ValueError names a
    parameter out of range."""
    for name, (low, high) in _LIMITS.items():
        if not low <= options[name] <= high:
            raise ValueError(f"--{name.replace('_', '-')}: {options[name]:g} is outside "
                             f"{low:g}..{high:g}")
    bench = replace(Benchmark(), **{name: options[name] for name in _LIMITS})
    paper_like = (bench.density_veh_per_m, bench.rate_hz, bench.tx_power_dbm,
                  bench.n_subchannels, bench.packet_bytes) == (0.1, 10.0, 20.0, 4, 190)
    if not paper_like:
        bench = replace(bench, paper_pdr=None)
    print(format_report(run_benchmark(bench)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_from_options(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
