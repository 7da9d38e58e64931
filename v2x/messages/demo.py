"""``v2x msg demo``: decode, re-encode and print real messages from other implementations."""

from __future__ import annotations

import json
import time
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import TextIO

from v2x.messages import decode, encode, jsonmap, lookup, schema


@dataclass(frozen=True)
class Sample:
    """A real message shipped with v2x for demonstrations and smoke tests."""

    title: str
    message: str
    data: bytes
    source: str


def samples() -> list[Sample]:
    """The shipped samples (v2x/messages/samples/samples.toml)."""
    text = resources.files("v2x.messages").joinpath("samples/samples.toml").read_text("utf-8")
    return [
        Sample(row["title"], row["message"], bytes.fromhex(row["hex"]), row["source"])
        for row in tomllib.loads(text)["sample"]
    ]


def run(out: TextIO, preview_lines: int = 14) -> None:
    """Decode each sample, check the byte-exact re-encoding and print a preview of its value."""
    out.write("v2x message demo: real messages from other stacks, through our own ASN.1 (UPER)\n")
    started = time.perf_counter()
    for bundle in sorted({lookup(s.message).bundle for s in samples()}):
        schema.specification(bundle)
    out.write(f"ASN.1 bundles compiled in {time.perf_counter() - started:.2f} s\n")
    for number, sample in enumerate(samples(), start=1):
        row = lookup(sample.message)
        started = time.perf_counter()
        value = decode(sample.message, sample.data)
        elapsed_us = (time.perf_counter() - started) * 1e6
        same = encode(sample.message, value) == sample.data
        out.write(
            f"\n[{number}] {sample.title}: {sample.message} ({row.standard}), "
            f"{len(sample.data)} bytes\n"
            f"    from {sample.source}\n"
            f"    decoded in {elapsed_us:.0f} us; "
            f"re-encoded byte-identical: {'yes' if same else 'NO'}\n"
        )
        lines = json.dumps(jsonmap.to_json(sample.message, value), indent=2).splitlines()
        for line in lines[:preview_lines]:
            out.write(f"    {line}\n")
        if len(lines) > preview_lines:
            out.write(f"    ... {len(lines) - preview_lines} more lines (v2x msg decode)\n")
    _build_a_cam(out)


def _build_a_cam(out: TextIO) -> None:
    """Build a CAM from SI units with the typed facade, encode it and read it back."""
    from v2x.messages.etsi.cam import (
        CAM,
        PathPoint,
        StationType,
        VehicleHighFrequency,
        VehicleLowFrequency,
    )

    cam = CAM(
        station_id=4242, generation_delta_time_ms=12_345, latitude_deg=52.5200066,
        longitude_deg=13.404954, altitude_m=34.0, station_type=StationType.PASSENGER_CAR,
        high_frequency=VehicleHighFrequency(heading_deg=87.3, speed_mps=13.89,
                                            vehicle_length_m=4.5, vehicle_width_m=1.8),
        low_frequency=VehicleLowFrequency(
            exterior_lights=frozenset({"lowBeamHeadlightsOn"}),
            path_history=(PathPoint(delta_latitude_deg=-0.00002, delta_longitude_deg=-0.0003,
                                    delta_time_s=1.5),)),
    )
    data = cam.encode()
    back = CAM.decode(data)
    out.write(
        f"\nA CAM built from SI units (v2x.messages.etsi.cam.CAM): {len(data)} bytes\n"
        f"    {data.hex()}\n"
        f"    read back: {back.latitude_deg:.7f} deg, {back.longitude_deg:.7f} deg, "
        f"{back.high_frequency.speed_mps} m/s, heading {back.high_frequency.heading_deg} deg, "
        f"lights {sorted(back.low_frequency.exterior_lights)}\n"
    )
