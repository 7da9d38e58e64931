"""Vectorised UPER for messages of one fixed shape: many values encoded or decoded at once.

A simulator sends thousands of CAMs a second, all of the same shape (same optional members
present, same CHOICE alternatives, same list lengths); only the numbers differ. For one shape,
every field of the UPER encoding (X.691) sits at a fixed bit offset with a fixed width, so the
whole fleet's messages are one numpy bit matrix: a column of values per field, shifted into place,
packed into bytes. ``Layout`` derives that shape from the compiled schema and a sample value (no
field is described by hand), and ``encode``/``decode`` work on columns of numbers. The test suite
checks its bytes against ``v2x.messages.encode`` for random values.

Supported in a shape: constrained INTEGER (inside the root of an extensible range), BOOLEAN, NULL,
ENUMERATED (root values), fixed-size BIT STRING and OCTET STRING, SEQUENCE without extension
additions present, CHOICE root alternatives and SEQUENCE OF with the sample's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from asn1tools.codecs import per, uper

from v2x.errors import EncodeError
from v2x.messages import schema
from v2x.messages.registry import lookup

Path = tuple[Any, ...]
"""Where a field sits in the value: member names and list indices."""


@dataclass(frozen=True)
class Field:
    """One varying field of the shape: its path, bit offset, width and how values map to bits."""

    path: Path
    offset: int
    width: int
    kind: str
    """``int`` (value - minimum), ``enum`` (index), ``bool``, ``bits`` or ``octets``."""
    minimum: int = 0
    maximum: int | None = None
    """The largest root value (INTEGER); the width may hold more."""
    names: tuple[str, ...] = ()
    sample: Any = 0
    """The field's wire number (or bytes) in the sample: used when no column is given."""


class ShapeError(EncodeError):
    """A value does not have the layout's shape (another CHOICE, list length, optional set)."""


class Layout:
    """The fixed bit layout of one shape of a message (``name``) given by ``sample``."""

    def __init__(self, name: str, sample: Any) -> None:
        message = lookup(name)
        self.name = name
        self._fixed_bits: list[tuple[int, int, int]] = []  # (offset, width, value)
        self.fields: list[Field] = []
        node = schema.specification(message.bundle).types[message.pdu].type
        self.bits = self._walk(node, sample, (), 0)
        self.size = (self.bits + 7) // 8 or 1
        self.by_path = {field.path: field for field in self.fields}
        self._template: np.ndarray | None = None
        """The bits every encoding starts from: fixed bits and the sample's values."""

    # ------------------------------------------------------------------ shape compilation

    def _fixed(self, offset: int, width: int, value: int) -> int:
        if width:
            self._fixed_bits.append((offset, width, value))
        return offset + width

    def _walk(self, node: Any, value: Any, path: Path, offset: int) -> int:
        if isinstance(node, per.Recursive):
            node = node._inner
        if isinstance(node, per.MembersType):
            return self._sequence(node, value, path, offset)
        if isinstance(node, per.Choice):
            return self._choice(node, value, path, offset)
        if isinstance(node, per.ArrayType):
            return self._list(node, value, path, offset)
        if isinstance(node, uper.Integer):
            if node.number_of_bits is None:
                raise ShapeError("unbounded INTEGER has no fixed width", _dotted(path))
            offset = self._fixed(offset, 1 if node.has_extension_marker else 0, 0)
            return self._field(Field(path, offset, node.number_of_bits, "int", node.minimum,
                                     node.maximum, sample=int(value)))
        if isinstance(node, per.Enumerated):
            offset = self._fixed(offset, 0 if node.additions_index_to_data is None else 1, 0)
            names = tuple(node.root_index_to_data[i] for i in sorted(node.root_index_to_data))
            if value not in names:
                raise ShapeError(f"{value!r} is not a root value", _dotted(path))
            return self._field(Field(path, offset, node.root_number_of_bits, "enum",
                                     names=names, sample=names.index(value)))
        if isinstance(node, per.Boolean):
            return self._field(Field(path, offset, 1, "bool", sample=int(bool(value))))
        if isinstance(node, per.Null):
            return offset
        if isinstance(node, per.BitString):
            if node.minimum != node.maximum or node.minimum is None:
                raise ShapeError("BIT STRING of variable size", _dotted(path))
            offset = self._fixed(offset, 1 if node.has_extension_marker else 0, 0)
            return self._field(Field(path, offset, node.minimum, "bits", sample=bytes(value[0])))
        if isinstance(node, per.OctetString):
            if node.minimum != node.maximum or node.minimum is None:
                raise ShapeError("OCTET STRING of variable size", _dotted(path))
            offset = self._fixed(offset, 1 if node.has_extension_marker else 0, 0)
            return self._field(Field(path, offset, 8 * node.minimum, "octets",
                                     sample=bytes(value)))
        raise ShapeError(f"{type(node).__name__} is not supported in a layout", _dotted(path))

    def _field(self, field: Field) -> int:
        self.fields.append(field)
        return field.offset + field.width

    def _sequence(self, node: Any, value: Any, path: Path, offset: int) -> int:
        if not isinstance(value, dict):
            raise ShapeError("expected a SEQUENCE value", _dotted(path))
        if node.additions is not None:
            if any(a.name in value for a in node.additions if a.name):
                raise ShapeError("extension additions are not supported", _dotted(path))
            offset = self._fixed(offset, 1, 0)
        for member in node.optionals:
            if member.default is not None and member.name in value:
                raise ShapeError(f"DEFAULT member {member.name} would vanish when equal to its "
                                 "default; leave it out of the shape", _dotted(path))
            offset = self._fixed(offset, 1, 1 if member.name in value else 0)
        for member in node.root_members:
            if member.name in value:
                offset = self._walk(member, value[member.name], (*path, member.name), offset)
            elif not (member.optional or member.default is not None):
                raise ShapeError(f"mandatory member {member.name} missing", _dotted(path))
        return offset

    def _choice(self, node: Any, value: Any, path: Path, offset: int) -> int:
        name, inner = value
        if name not in node.root_name_to_index:
            raise ShapeError(f"alternative {name} is not a root alternative", _dotted(path))
        offset = self._fixed(offset, 0 if node.additions_index_to_member is None else 1, 0)
        offset = self._fixed(offset, node.root_number_of_bits, node.root_name_to_index[name])
        member = node.root_index_to_member[node.root_name_to_index[name]]
        return self._walk(member, inner, (*path, name), offset)

    def _list(self, node: Any, value: Any, path: Path, offset: int) -> int:
        if node.number_of_bits is None:
            raise ShapeError("SEQUENCE OF without an upper bound", _dotted(path))
        count = len(value)
        if node.has_extension_marker:
            offset = self._fixed(offset, 1, 0)
        offset = self._fixed(offset, node.number_of_bits, count - node.minimum)
        for index, item in enumerate(value):
            offset = self._walk(node.element_type, item, (*path, index), offset)
        return offset

    # ------------------------------------------------------------------ encoding

    def encode(self, columns: dict[Path, Sequence[Any] | np.ndarray], count: int) -> np.ndarray:
        """``count`` messages as a (count, size) uint8 array; ``columns[path]`` holds each field.

        INTEGER columns hold the wire integers; ENUMERATED columns the index of the value in
        ``Field.names`` (or the names); BOOLEAN 0/1; BIT and OCTET STRING columns bytes. A field
        without a column keeps the sample's value in every message.
        """
        if self._template is None:
            self._template = self._bits({}, 1, np.zeros((1, self.size * 8), dtype=np.uint8),
                                        fill=True)
        bits = np.empty((count, self.size * 8), dtype=np.uint8)
        bits[:] = self._template
        return np.packbits(self._bits(columns, count, bits, fill=False), axis=1)

    def _bits(self, columns: dict[Path, Sequence[Any] | np.ndarray], count: int,
              bits: np.ndarray, *, fill: bool) -> np.ndarray:
        """Write the fields of ``columns`` into ``bits`` (and with ``fill`` the fixed bits and
        every other field's sample value: the template each encoding starts from)."""
        if fill:
            for offset, width, value in self._fixed_bits:
                bits[:, offset:offset + width] = _bits_of(np.full(count, value, dtype=np.int64),
                                                           width)
        for field in self.fields:
            column = columns.get(field.path)
            if column is None:
                if not fill:
                    continue
                column = [field.sample] * count
            elif len(column) != count:
                raise ShapeError(f"{len(column)} values for {count} messages", _dotted(field.path))
            window = slice(field.offset, field.offset + field.width)
            if field.kind in ("bits", "octets"):
                raw = np.frombuffer(b"".join(bytes(v) for v in column), dtype=np.uint8)
                unpacked = np.unpackbits(raw.reshape(count, -1), axis=1)
                bits[:, window] = unpacked[:, :field.width]
                continue
            numbers = self._numbers(field, column)
            bits[:, window] = _bits_of(numbers, field.width)
        return bits

    def _numbers(self, field: Field, column: Any) -> np.ndarray:
        if field.kind == "enum" and len(column) and isinstance(column[0], str):
            index = {name: i for i, name in enumerate(field.names)}
            try:
                return np.array([index[v] for v in column], dtype=np.int64)
            except KeyError as exc:
                raise EncodeError(f"not a root value: {exc}", _dotted(field.path)) from None
        numbers = np.asarray(column, dtype=np.int64) - field.minimum
        top = (1 << field.width) - 1 if field.maximum is None else field.maximum - field.minimum
        if numbers.size and (numbers.min() < 0 or numbers.max() > top):
            raise EncodeError("value outside the constraint's root", _dotted(field.path))
        return numbers

    def encode_values(self, values: Sequence[Any]) -> list[bytes]:
        """Encode asn1tools values of this shape (slow path for tests and small batches)."""
        columns = {field.path: [_at(v, field.path, field) for v in values] for field in self.fields}
        matrix = self.encode(columns, len(values))
        return [row.tobytes() for row in matrix]

    # ------------------------------------------------------------------ decoding

    def decode(self, messages: np.ndarray) -> dict[Path, np.ndarray]:
        """Columns of the fields of a (count, size) uint8 array of messages of this shape."""
        bits = np.unpackbits(messages, axis=1)
        columns: dict[Path, np.ndarray] = {}
        for field in self.fields:
            window = bits[:, field.offset:field.offset + field.width]
            if field.kind in ("bits", "octets"):
                columns[field.path] = np.packbits(window, axis=1)
                continue
            weights = 1 << np.arange(field.width - 1, -1, -1, dtype=np.int64)
            columns[field.path] = window.astype(np.int64) @ weights + field.minimum
        return columns

    def shape_of(self, messages: np.ndarray) -> np.ndarray:
        """Which rows carry exactly this shape's fixed bits (preambles, choices, lengths)."""
        bits = np.unpackbits(messages, axis=1)
        ok = np.ones(len(messages), dtype=bool)
        for offset, width, value in self._fixed_bits:
            expected = _bits_of(np.array([value], dtype=np.int64), width)[0]
            ok &= np.all(bits[:, offset:offset + width] == expected, axis=1)
        return ok


def _bits_of(numbers: np.ndarray, width: int) -> np.ndarray:
    """(count, width) matrix of the big-endian bits of non-negative integers."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((numbers[:, None] >> shifts) & 1).astype(np.uint8)


def _at(value: Any, path: Path, field: Field) -> Any:
    for step in path:
        value = value[1] if isinstance(value, tuple) and value[0] == step else value[step]
    if field.kind == "bits":
        return value[0]
    if field.kind == "enum":
        return value
    return int(value)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "<root>"
