"""Vectorised fixed-shape UPER: byte-identical to the schema codec, decodes its own output."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.strategies import for_type
from tests.support import load_json
from v2x import messages
from v2x.errors import EncodeError
from v2x.messages.layout import Layout, ShapeError

CAM_HEX = [v["hex"] for v in load_json("Dave-Krch_asn1tools.net", "cam_hex_extracted.json")]


def test_real_cams_through_their_layout():
    for hex_text in CAM_HEX:
        data = bytes.fromhex(hex_text)
        value = messages.decode("etsi.CAM", data)
        layout = Layout("etsi.CAM", value)
        assert layout.encode_values([value]) == [data]
        decoded = layout.decode(np.frombuffer(data, dtype=np.uint8)[None, :])
        path = ("cam", "camParameters", "basicContainer", "referencePosition", "latitude")
        assert decoded[path][0] == value["cam"]["camParameters"]["basicContainer"][
            "referencePosition"]["latitude"]
        assert layout.shape_of(np.frombuffer(data, dtype=np.uint8)[None, :]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(sample=for_type("etsi", "CAM"), data=st.data())
def test_random_cams_of_one_shape_match_the_schema_codec(sample, data):
    try:
        layout = Layout("etsi.CAM", sample)
    except ShapeError:
        assume(False)
    # a second value of the same shape: every varying field redrawn inside its range
    count = 3
    columns = {}
    for field in layout.fields:
        if field.kind in ("bits", "octets"):
            size = (field.width + 7) // 8
            columns[field.path] = [data.draw(st.binary(min_size=size, max_size=size))
                                   for _ in range(count)]
            if field.kind == "bits" and field.width % 8:
                mask = 0xFF & ~((1 << (8 - field.width % 8)) - 1)
                columns[field.path] = [v[:-1] + bytes([v[-1] & mask]) for v in columns[field.path]]
        elif field.kind == "enum":
            columns[field.path] = [data.draw(st.sampled_from(field.names)) for _ in range(count)]
        else:
            high = field.maximum if field.maximum is not None else (
                field.minimum + (1 << field.width) - 1)
            columns[field.path] = [data.draw(st.integers(field.minimum, high))
                                   for _ in range(count)]
    matrix = layout.encode(columns, count)
    for row in range(count):
        value = _rebuild(sample, layout, columns, row)
        try:
            expected = messages.encode("etsi.CAM", value)
        except EncodeError:
            continue  # a width allows numbers the constraint does not (e.g. 0..100 in 7 bits)
        assert matrix[row].tobytes() == expected
        back = layout.decode(matrix[row:row + 1])
        for field in layout.fields:
            if field.kind in ("int", "bool"):
                assert back[field.path][0] == columns[field.path][row]


def _rebuild(sample, layout, columns, row):
    import copy

    value = copy.deepcopy(sample)
    for field in layout.fields:
        item = columns[field.path][row]
        if field.kind == "bits":
            item = (item, field.width)
        elif field.kind == "bool":
            item = bool(item)
        _put(value, field.path, item)
    return value


def _put(value, path, item):
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(value, tuple):  # CHOICE: descend into the alternative
            if last:
                raise AssertionError("a CHOICE is never a leaf")
            value = value[1]
            continue
        if last:
            value[step] = item
        else:
            nxt = value[step]
            if isinstance(nxt, tuple) and len(path) > depth + 1 and path[depth + 1] == nxt[0]:
                if depth + 2 == len(path):
                    value[step] = (nxt[0], item)
                    return
                value = nxt
            else:
                value = nxt


def test_shape_errors_and_range_errors():
    cam = messages.decode("etsi.CAM", bytes.fromhex(CAM_HEX[0]))
    layout = Layout("etsi.CAM", cam)
    latitude = ("cam", "camParameters", "basicContainer", "referencePosition", "latitude")
    columns = {f.path: [0] for f in layout.fields}
    columns[latitude] = [10**10]
    with pytest.raises(EncodeError, match="latitude"):
        layout.encode(columns, 1)
    columns[latitude] = [1, 2]
    with pytest.raises(ShapeError, match="latitude"):
        layout.encode(columns, 1)
    # a field without a column keeps the sample's value
    assert layout.encode({}, 1)[0].tobytes() == bytes.fromhex(CAM_HEX[0])


def test_many_messages_in_one_call_equal_one_by_one():
    values = [messages.decode("etsi.CAM", bytes.fromhex(h)) for h in CAM_HEX]
    layout = Layout("etsi.CAM", values[0])
    same_shape = [v for v in values if Layout("etsi.CAM", v).bits == layout.bits]
    assert len(same_shape) >= 2
    assert layout.encode_values(same_shape) == [messages.encode("etsi.CAM", v) for v in same_shape]
