"""Run folders: tidy CSV tables, PNG plots and a ``report.md`` a planner can act on.

A run folder is never overwritten silently: ``create_run_folder`` refuses an existing non-empty
folder unless told to replace it. Files are written atomically (temporary name, then rename), so
an interrupted run leaves complete files of what was measured, never half a table.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from v2x.errors import SimulationError
from v2x.sim.framing import HEADER_BYTES
from v2x.sim.metrics import (
    CAUSES,
    IPG_BIN_US,
    LATENCY_BIN_US,
    Metrics,
    percentile_of_histogram,
)
from v2x.sim.radio.pathloss import pathloss_model, with_antenna_heights
from v2x.sim.services.kinds import KIND_CODE, KINDS

_SECURITY_WORDS = {
    "off": "no security",
    "modelled": "the overhead of ETSI TS 103 097 signing (modelled: nothing is signed)",
    "real": "real ETSI TS 103 097 signatures",
}
"""How the radio paragraph names each security mode."""


def create_run_folder(path: str | Path, force: bool = False) -> Path:
    """Make ``path`` ready for a run; an existing non-empty folder needs ``force``."""
    folder = Path(path)
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise SimulationError(f"{folder} already holds results; choose another --out or "
                                  "add --force to replace them")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                             for k, v in row.items()})
    write_atomic(path, buffer.getvalue().encode("utf-8"))


def write_tables(folder: Path, metrics: Metrics, rsu_names: list[str]) -> dict[str, Path]:
    """Every CSV table of a run; returns name -> path."""
    files = {
        "prr_10m": folder / "prr_distance_10m.csv",
        "prr_20m": folder / "prr_distance_20m.csv",
        "latency": folder / "latency.csv",
        "cbr": folder / "cbr.csv",
        "rsu": folder / "rsu_load.csv",
        "ipg": folder / "rsu_inter_packet_gap.csv",
        "aoi": folder / "rsu_age_of_information.csv",
        "coverage": folder / "rsu_coverage.csv",
        "kinds": folder / "messages_by_kind.csv",
        "i2v": folder / "rsu_to_vehicle_prr.csv",
    }
    write_csv(files["prr_10m"], metrics.prr10.table())
    write_csv(files["prr_20m"], metrics.prr20.table())
    write_csv(files["latency"], ({"latency_ms_from": i * LATENCY_BIN_US / 1000,
                                  "receptions": int(c)} for i, c in enumerate(metrics.latency)))
    write_csv(files["cbr"], ({"cbr_from": i / (len(metrics.cbr) - 1), "samples": int(c)}
                             for i, c in enumerate(metrics.cbr)))
    seconds = max(metrics.measured_us / 1e6, 1e-9)
    write_csv(files["rsu"], ({"rsu": name, "received": int(metrics.rsu_received[i]),
                              "received_per_s": metrics.rsu_received[i] / seconds,
                              "verified": int(metrics.rsu_verified[i]),
                              "verified_per_s": metrics.rsu_verified[i] / seconds,
                              "verification_core_load": metrics.rsu_busy_us[i]
                              / max(metrics.measured_us, 1)}
                             for i, name in enumerate(rsu_names)))
    write_csv(files["ipg"], ({"rsu": name, "gap_ms_from": b * IPG_BIN_US / 1000,
                              "count": int(metrics.rsu_ipg[i, b])}
                             for i, name in enumerate(rsu_names)
                             for b in np.flatnonzero(metrics.rsu_ipg[i])))
    write_csv(files["aoi"], ({"rsu": name, "age_ms_from": b * IPG_BIN_US / 1000,
                              "samples": int(metrics.rsu_aoi[i, b])}
                             for i, name in enumerate(rsu_names)
                             for b in np.flatnonzero(metrics.rsu_aoi[i])))
    rows = []
    x0, y0 = metrics.grid_origin
    for i, name in enumerate(rsu_names):
        for r, c in zip(*np.nonzero(metrics.grid_sent[i]), strict=True):
            sent = int(metrics.grid_sent[i, r, c])
            got = int(metrics.grid_received[i, r, c])
            rows.append({"rsu": name, "x_m": x0 + (c + 0.5) * metrics.grid_cell_m,
                         "y_m": y0 + (r + 0.5) * metrics.grid_cell_m, "transmissions": sent,
                         "received": got, "prr": got / sent})
    write_csv(files["coverage"], rows)
    write_csv(files["kinds"], ({"kind": kind, "sent": int(metrics.sent_by_kind[i]),
                                "sent_per_s": metrics.sent_by_kind[i] / seconds,
                                "bytes": int(metrics.bytes_by_kind[i]),
                                "mean_size_bytes": metrics.bytes_by_kind[i]
                                / max(metrics.sent_by_kind[i], 1)}
                               for i, kind in enumerate(KINDS)))
    write_csv(files["i2v"], ({"kind": kind, **row} for kind, table in metrics.i2v.items()
                             if table.counts.any() for row in table.table() if row["counted"]))
    return files


def write_plots(folder: Path, metrics: Metrics) -> list[Path]:
    """PNG plots: PRR and loss causes against distance, latency, CBR."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    table = metrics.prr10.table()
    centres = [(r["bin_start_m"] + r["bin_end_m"]) / 2 for r in table]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(centres, [r["prr"] for r in table], label="PRR", color="black")
    for cause in CAUSES[1:]:
        ax.plot(centres, [r[f"loss_{cause}"] for r in table], label=f"lost: {cause}")
    ax.set_xlabel("distance between transmitter and receiver [m]")
    ax.set_ylabel("share of packets")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(_save(fig, folder / "prr_distance.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    edges = np.arange(len(metrics.latency)) * LATENCY_BIN_US / 1000
    ax.bar(edges, metrics.latency, width=LATENCY_BIN_US / 1000, align="edge")
    ax.set_xlabel("latency [ms]")
    ax.set_ylabel("receptions")
    fig.tight_layout()
    paths.append(_save(fig, folder / "latency.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(np.arange(len(metrics.cbr)) / (len(metrics.cbr) - 1), metrics.cbr,
           width=1 / (len(metrics.cbr) - 1), align="edge")
    ax.set_xlabel("channel busy ratio")
    ax.set_ylabel("samples")
    fig.tight_layout()
    paths.append(_save(fig, folder / "cbr.png"))
    plt.close(fig)
    return paths


def _radio_line(scenario: Any, rsu_heights_m: Sequence[float] = ()) -> str:
    """The radio assumptions the ranges depend on, in one sentence (plus the RSUs' antennas)."""
    get = scenario.get
    model = get("radio.pathloss")
    heights = ""
    if model.startswith("winner_b1"):
        effective = get("radio.antenna_height_m") - get("radio.environment_height_m")
        heights = (f" (antennas {get('radio.antenna_height_m'):g} m, effective height "
                   f"{effective:g} m)")
    line = (f"Radio: LTE-V2X mode 4, {get('radio.tx_power_dbm'):g} dBm, path loss {model}"
            f"{heights}, shadowing {get('radio.shadowing_sigma_db'):g} dB, sensing and decoding "
            f"threshold {get('radio.sensing_threshold_dbm'):g} dBm, MCS {get('radio.mcs')}, "
            f"{get('radio.subchannels')} sub-channels in 10 MHz; messages carry GeoNetworking "
            f"and BTP-B headers ({HEADER_BYTES[KIND_CODE['cam']]} octets, DENMs "
            f"{HEADER_BYTES[KIND_CODE['denm']]}) and "
            f"{_SECURITY_WORDS.get(get('security.mode'), get('security.mode'))}.")
    if len(rsu_heights_m):
        listed = ", ".join(f"{h:g}" for h in sorted(set(rsu_heights_m)))
        line += f" RSU antennas at {listed} m"
        plain = pathloss_model(model)
        if with_antenna_heights(plain, tx_height_m=max(rsu_heights_m) + 1.0) is plain:
            line += f" (no effect: {model} does not depend on antenna height)."
        else:
            effective = ""
            if model.startswith("winner_b1"):
                floor = get("radio.environment_height_m")
                effective = "effective height " + ", ".join(
                    f"{h - floor:g}" for h in sorted(set(rsu_heights_m))) + " m; "
            line += (f" ({effective}their links use the path loss with that height on the RSU "
                     "side).")
    return line


def _vehicle_verification_section(metrics: Metrics, share: float) -> list[str]:
    vehicle_s = max(metrics.verifier_us / 1e6, 1e-9)
    return ["", f"## On-board verification ({share:.0%} of vehicles verify)", "",
            "| messages checked per vehicle /s | verified | verification core load per "
            "vehicle |", "|---|---|---|",
            f"| {metrics.vehicle_checked / vehicle_s:.0f} | "
            f"{metrics.vehicle_verified / metrics.vehicle_checked:.3f} | "
            f"{metrics.vehicle_busy_us / max(metrics.verifier_us, 1):.3f} |"]


def _messages_section(metrics: Metrics) -> list[str]:
    seconds = max(metrics.measured_us / 1e6, 1e-9)
    lines = ["", "## Messages", "", "| kind | sent /s | mean size on air [B] |", "|---|---|---|"]
    for i, kind in enumerate(KINDS):
        if metrics.sent_by_kind[i]:
            lines.append(f"| {kind.upper()} | {metrics.sent_by_kind[i] / seconds:.1f} | "
                         f"{metrics.bytes_by_kind[i] / metrics.sent_by_kind[i]:.0f} |")
    broadcast = [(kind, table) for kind, table in metrics.i2v.items() if table.counts.any()]
    if broadcast:
        lines += ["", "RSU messages received by vehicles (PRR against distance from the RSU):",
                  "", "| kind | PRR 0-100 m | PRR 200-300 m | PRR >= 0.9 up to |",
                  "|---|---|---|---|"]
        for kind, table in broadcast:
            rows = table.table()
            lines.append(f"| {kind.upper()} | {_pooled(rows, 0, 100)} | "
                         f"{_pooled(rows, 200, 300)} | {distance_at(rows, 0.9):.0f} m |")
    return lines


def _pooled(rows: list[dict], start_m: float, end_m: float) -> str:
    inside = [r for r in rows if start_m <= r["bin_start_m"] < end_m]
    counted = sum(r["counted"] for r in inside)
    return f"{sum(r['received'] for r in inside) / counted:.3f}" if counted else "-"


def _events_section(events: list[dict]) -> list[str]:
    lines = ["", "## Events and their DENMs", "",
             "| event | start [s] | originator | DENMs sent / relayed | warned in area | "
             "delay p50 / p95 [ms] | first warned at (median) |", "|---|---|---|---|---|---|---|"]
    for row in events:
        if row["status"] in ("skipped", "pending"):
            why = (f"skipped: {row['note']}" if row["status"] == "skipped"
                   else "not reached: the run ends before it starts")
            lines.append(f"| {row['kind']} | {row['start_s']:.1f} | {why} | - | - | - | - |")
            continue
        share = ("-" if np.isnan(row["warned_share"])
                 else f"{row['vehicles_warned']}/{row['vehicles_in_area']}")
        lines.append(f"| {row['kind']} | {row['start_s']:.1f} | {row['originator']} | "
                     f"{row['denms_sent']} / {row['denms_relayed']} | {share} | "
                     f"{_figure(row['delay_p50_ms'])} / {_figure(row['delay_p95_ms'])} | "
                     f"{_figure(row['warned_at_distance_median_m'], ' m')} |")
    return lines


def _figure(value: float, unit: str = "") -> str:
    """A whole number with its unit, or "-" when there is none (NaN: nothing to measure)."""
    return "-" if np.isnan(value) else f"{value:.0f}{unit}"


def _save(fig, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    write_atomic(path, buffer.getvalue())
    return path


def distance_at(table: list[dict], prr: float) -> float:
    """The largest bin start up to which PRR stays at or above ``prr`` (NaN bins skipped)."""
    reach = 0.0
    for row in table:
        if np.isnan(row["prr"]):
            continue
        if row["prr"] < prr:
            break
        reach = row["bin_end_m"]
    return reach


def summary(metrics: Metrics) -> dict[str, float]:
    """Headline figures of a run."""
    table = metrics.prr20.table()
    return {
        "transmissions": metrics.transmissions,
        "range_prr_0.95_m": distance_at(table, 0.95),
        "range_prr_0.90_m": distance_at(table, 0.90),
        "latency_p50_ms": percentile_of_histogram(metrics.latency, LATENCY_BIN_US / 1000, 0.5),
        "latency_p99_ms": percentile_of_histogram(metrics.latency, LATENCY_BIN_US / 1000, 0.99),
        "vehicle_checks": metrics.vehicle_checked,
        "vehicle_verified": metrics.vehicle_verified,
        "cbr_mean": float((np.arange(len(metrics.cbr)) / (len(metrics.cbr) - 1) * metrics.cbr
                           ).sum() / max(metrics.cbr.sum(), 1)),
    }


def write_run(folder: Path, scenario: Any, metrics: Metrics, rsu_names: list[str],
              figures: dict[str, Any], error: Exception | None,
              events: list[dict] | None = None, *,
              rsu_heights_m: Sequence[float] = ()) -> None:
    """Tables, plots and ``report.md`` of a run (also of one that stopped early);
    ``rsu_heights_m`` are the RSUs' antenna heights, for the radio line."""
    files = write_tables(folder, metrics, rsu_names)
    if events:
        files["events"] = folder / "events.csv"
        write_csv(files["events"], events)
    plots = write_plots(folder, metrics) if metrics.transmissions else []
    name = scenario.get("scenario.name") or scenario.folder.name
    lines = [f"# {name}: C-V2X co-simulation report", ""]
    description = scenario.get("scenario.description")
    if description:
        lines += [description, ""]
    if error is not None:
        lines += [f"**The run stopped early: {error}.** The figures below cover what was "
                  "measured until then.", ""]
    lines += [
        f"Seed {scenario.get('scenario.seed')}, {figures['simulated_s']:.1f} s simulated in "
        f"{figures['wall_s']:.1f} s ({figures['real_time_factor']:.1f}x real time), security "
        f"{scenario.get('security.mode')}, traffic {scenario.get('traffic.backend')}.", "",
        _radio_line(scenario, rsu_heights_m), "",
        "## Headline figures", "", "| figure | value |", "|---|---|",
        f"| messages sent | {figures['transmissions']:,} |",
        f"| distance with PRR >= 0.95 | {figures['range_prr_0.95_m']:.0f} m |",
        f"| distance with PRR >= 0.90 | {figures['range_prr_0.90_m']:.0f} m |",
        f"| latency median / 99th percentile | {figures['latency_p50_ms']:.1f} / "
        f"{figures['latency_p99_ms']:.1f} ms |",
        f"| mean channel busy ratio | {figures['cbr_mean']:.3f} |", "",
        "## Packet reception ratio against distance (TR 36.885 A.8.1)", "",
        "| distance [m] | PRR | half duplex | below sensing | propagation | collision |",
        "|---|---|---|---|---|---|",
    ]
    for row in metrics.prr20.table()[::5]:
        if row["counted"]:
            lines.append(
                f"| {row['bin_start_m']:.0f}-{row['bin_end_m']:.0f} | {row['prr']:.3f} | "
                f"{row['loss_half_duplex']:.3f} | {row['loss_below_sensing']:.3f} | "
                f"{row['loss_propagation']:.3f} | {row['loss_collision']:.3f} |")
    if "link_range_m" in figures:
        lines += ["", f"Vehicle-to-vehicle links end at {figures['link_range_m']:.0f} m, where "
                  "the mean received power falls under the noise of one sub-channel by the "
                  "model's interference margin: nothing farther is received, and farther "
                  "receivers are not counted."]
    if rsu_names:
        seconds = max(metrics.measured_us / 1e6, 1e-9)
        lines += ["", "## Roadside units", "",
                  "| RSU | CAMs received /s | verified /s | verification core load |",
                  "|---|---|---|---|"]
        for i, rsu in enumerate(rsu_names):
            lines.append(f"| {rsu} | {metrics.rsu_received[i] / seconds:.0f} | "
                         f"{metrics.rsu_verified[i] / seconds:.0f} | "
                         f"{metrics.rsu_busy_us[i] / max(metrics.measured_us, 1):.3f} |")
    if metrics.vehicle_checked:
        lines += _vehicle_verification_section(metrics, scenario.get("security.verifying_share"))
    lines += _messages_section(metrics)
    if events:
        lines += _events_section(events)
    if "captured_frames" in figures:
        left_out = figures["capture_left_out"]
        lines += ["", "## Capture", "",
                  f"`capture.pcap` holds {figures['captured_frames']:,} frames as transmitted "
                  f"(every RSU message and DENM, and the messages of "
                  f"{scenario.get('capture.vehicle_share'):.0%} of the vehicles"
                  + (f"; {left_out:,} more beyond capture.max_frames" if left_out else "")
                  + "): Ethernet, GeoNetworking, BTP and the ITS messages, as Wireshark "
                  "dissects them" + (", secured as signed." if scenario.get("security.mode")
                                    == "real" else ", unsecured (on-air sizes in the figures "
                                    "count the security of the mode).")]
    lines += ["", "## Files", ""]
    lines += [f"- `{p.name}`" for p in [*files.values(), *plots]]
    if "captured_frames" in figures:
        lines.append("- `capture.pcap`")
    lines += ["- `scenario.json`: the scenario as run (defaults filled in)", ""]
    write_atomic(folder / "report.md", "\n".join(lines).encode("utf-8"))
    write_atomic(folder / "summary.json",
                 json.dumps({k: (None if isinstance(v, float) and np.isnan(v) else v)
                             for k, v in figures.items()}, indent=2).encode("utf-8"))
