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
