"""Shared helpers of the test suite: fixture loading and value normalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def load_json(*parts: str) -> Any:
    """A JSON file below tests/fixtures/."""
    return json.loads(FIXTURES.joinpath(*parts).read_text("utf-8"))


def plain(value: Any) -> Any:
    """asn1tools' Python form as JSON-like data: tuples -> lists, bytes -> hex."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    return value


def jer_normal(document: Any) -> Any:
    """JER documents compared modulo the BIT STRING form: ``{"value", "length"}`` -> hex."""
    if isinstance(document, dict):
        if set(document) == {"value", "length"} and isinstance(document["value"], str):
            return document["value"]
        return {k: jer_normal(v) for k, v in document.items()}
    if isinstance(document, list):
        return [jer_normal(v) for v in document]
    return document


def first_difference(ours: Any, theirs: Any, path: str = "") -> str | None:
    """Where two JSON-like values first differ (None when equal), for readable failures."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours or key not in theirs:
                return f"{path}.{key}: present only in {'ours' if key in ours else 'theirs'}"
            found = first_difference(ours[key], theirs[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items vs {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{path}: {ours!r} != {theirs!r}"


def cam_from_a_newer_release(base: bytes, future_member: int = 777) -> bytes:
    """``base`` re-encoded by a schema with one more CamParameters extension addition.

    Stands for a CAM from a later release: our decoder meets an addition it does not know.
    """
    import asn1tools

    from v2x import messages
    from v2x.messages import schema

    files = {p.name: p.read_text() for p in schema.bundle_named("etsi").files()}
    cam_module = files["CAM-PDU-Descriptions.asn"]
    files["CAM-PDU-Descriptions.asn"] = cam_module.replace(
        "    specialVehicleContainer SpecialVehicleContainer OPTIONAL,\n    ...\n}",
        "    specialVehicleContainer SpecialVehicleContainer OPTIONAL,\n    ...,\n"
        "    futureMember INTEGER (0..1000) OPTIONAL\n}")
    assert files["CAM-PDU-Descriptions.asn"] != cam_module
    newer = asn1tools.compile_string("\n".join(files.values()), "uper")
    value = messages.decode("etsi.CAM", base)
    value["cam"]["camParameters"]["futureMember"] = future_member
    data = newer.encode("CAM", value)
    assert newer.decode("CAM", data)["cam"]["camParameters"]["futureMember"] == future_member
    return data
