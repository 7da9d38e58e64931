"""Unit conversion for the typed facades: SI values in, wire integers out, and back.

The typed facades (``v2x.messages.etsi.cam``, ``...etsi.denm``, ``...csae.bsm``) describe each
field once, as a row of a field map (``Field``/``Group``/``Const``) naming the facade attribute, the
ASN.1 member and a converter. ``encode_fields`` and ``decode_fields`` walk the same map in both
directions, so no field is described twice. Ranges, "unavailable" and "outOfRange" values are read
from our ASN.1 modules (the named numbers), not repeated here; only the unit of a wire step and the
standard's saturation rule are given by the facade.

Rules every converter follows:

* **Rounding** to the nearest wire step, halves away from zero. Confidence values (95 % bounds
  such as ``HeadingConfidence``, whose values read "equal to or within n steps") round *up*, so a
  bound stays a bound, and never go below the finest step.
* **Unavailable**: ``None`` maps to the type's ``unavailable`` value and back. A member that is
  OPTIONAL and ``None`` is left out; if a received message carried an OPTIONAL member with its
  "unavailable" value (or an OPTIONAL SEQUENCE with nothing in it), its ASN.1 path is kept in the
  facade's ``present_unavailable`` so that re-encoding gives back the same bytes.
* **Out of range**: a value that is valid but beyond the wire range becomes the type's named
  ``outOfRange`` value (decoded as ``math.inf``); without one, it saturates at the end of the
  range when the standard says the ends mean "or more" (``saturate=True``), and raises otherwise.
* **Invalid** values (latitude 95°, a negative speed, NaN, a wrong type) raise
  ``v2x.errors.EncodeError`` whose ``path`` names the facade field (``CAM.latitude_deg``).
* ENUMERATED values are the ASN.1 names (``"forward"``), with a member named ``unavailable``
  mapped to ``None``; an unknown extension value (``"extension-addition-<i>"``) passes through.
  BIT STRINGs are frozensets of the named bits. INTEGERs whose wire unit is already the field's unit
  (``generation_delta_time_ms``, ``transmission_interval_ms``) stay ``int``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from v2x.errors import DecodeError, EncodeError
from v2x.messages import schema
from v2x.messages.schema import UNKNOWN_ADDITION

TypeRef = tuple[str, str, str]
"""An ASN.1 type of one of our bundles: (family, module, type name)."""

_UNAVAILABLE = "unavailable"
_OUT_OF_RANGE = "outOfRange"


# ----------------------------------------------------------------------------- schema lookups


@functools.cache
def definition(ref: TypeRef) -> dict[str, Any]:
    """asn1tools' parsed definition of ``ref``, following plain aliases within the module.

    The type name may continue with member names for an inline type
    (``ItsPduHeader.protocolVersion``).
    """
    family, module, dotted = ref
    name, *members = dotted.split(".")
    try:
        types = schema.parsed(family)[module]["types"]
        found = types[name]
        for member in members:
            found = next(m for m in found["members"] if m is not None and m["name"] == member)
        while found["type"] in types and not {"restricted-to", "named-numbers"} & found.keys():
            found = types[found["type"]]
    except (KeyError, StopIteration):
        raise LookupError(f"no ASN.1 type {module}.{dotted} in bundle {family!r}") from None
    return found


def _integer_range(ref: TypeRef) -> tuple[int, int | None, dict[str, int]]:
    """(lowest, highest or None when the range is extensible, named numbers) of an INTEGER."""
    found = definition(ref)
    if found["type"] != "INTEGER" or not found.get("restricted-to"):
        raise LookupError(f"{ref[1]}.{ref[2]} is not a constrained INTEGER")
    low, high = found["restricted-to"][0]
    if None in found["restricted-to"]:
        high = None
    return low, high, dict(found.get("named-numbers") or {})


def _not_finite(value: float) -> bool:
    return math.isnan(value) or math.isinf(value)


def _nearest(value: float) -> int:
    """Nearest integer, halves away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _check_number(value: Any, where: str) -> float:
    """``value`` as a float; any real number (int, float, numpy scalars) is accepted."""
    if type(value) is not float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise EncodeError(f"expected a number, got {type(value).__name__}", where)
        value = float(value)
    if math.isnan(value):
        raise EncodeError("NaN is not a value", where)
    return value


def _check_int(value: Any, where: str) -> int:
    """``value`` as an int; any integral number (int, numpy integers) is accepted."""
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise EncodeError(f"expected an integer, got {type(value).__name__}", where)
        value = int(value)
    return value


# ----------------------------------------------------------------------------- converters


class Converter:
    """Converts one facade value to its wire value and back (asn1tools' Python form)."""

    def to_wire(self, value: Any, where: str) -> Any:
        """The wire value of ``value``; EncodeError naming ``where`` if it cannot be sent."""
        raise NotImplementedError

    def from_wire(self, wire: Any) -> Any:
        """The facade value of a decoded wire value."""
        raise NotImplementedError


class Scaled(Converter):
    """An INTEGER in steps of ``unit`` (SI) <-> a float.

    ``valid``: the SI values that make sense (outside: EncodeError). ``saturate``: values beyond
    the wire range take its end (the standard defines the ends as "or more"). ``round_up``: the
    value is a confidence bound (see module docstring). ``unavailable``: the wire value meaning
    unavailable when the ASN.1 module names none (China modules only state it in comments).
    ``modulo``: wire values wrap (an angle whose full turn is not representable).
    """

    def __init__(self, ref: TypeRef, unit: float, *,
                 valid: tuple[float, float] = (-math.inf, math.inf), saturate: bool = False,
                 round_up: bool = False, unavailable: int | None = None,
                 modulo: int | None = None) -> None:
        self.ref = ref
        self.unit = unit
        self.valid = valid
        self.saturate = saturate
        self.round_up = round_up
        self.explicit_unavailable = unavailable
        self.modulo = modulo
        inverse = 1 / unit
        # Dividing by an integral inverse keeps decimal values exact (500401189 -> 50.0401189).
        self._inverse = round(inverse) if abs(inverse - round(inverse)) < 1e-9 else None

    @functools.cached_property
    def limits(self) -> tuple[int, int | None, int | None, int | None]:
        """(lowest regular, highest regular or None, unavailable, outOfRange) wire values."""
        low, high, named = _integer_range(self.ref)
        unavailable = named.get(_UNAVAILABLE, self.explicit_unavailable)
        out_of_range = named.get(_OUT_OF_RANGE)
        sentinels = {unavailable, out_of_range} - {None}
        while low in sentinels:
            low += 1
        while high is not None and high in sentinels:
            high -= 1
        return low, high, unavailable, out_of_range

    def to_wire(self, value: Any, where: str) -> int:
        low, high, unavailable, out_of_range = self.limits
        if value is None:
            if unavailable is None:
                raise EncodeError(f"{self.ref[2]} has no 'unavailable' value; give a value", where)
            return unavailable
        value = _check_number(value, where)
        if not self.valid[0] <= value <= self.valid[1]:
            raise EncodeError(f"{value!r} is outside {self.valid[0]!r}..{self.valid[1]!r}", where)
        if math.isinf(value):
            wire: float = value
        else:
            steps = value * self._inverse if self._inverse else value / self.unit
            wire = math.ceil(steps - 1e-9) if self.round_up else _nearest(steps)
            if self.modulo is not None:
                wire %= self.modulo
        if wire < low:
            if self.saturate or self.round_up:
                return low
            raise EncodeError(f"{value!r} is below the smallest {self.ref[2]} "
                              f"({self._show(low)})", where)
        if high is not None and wire > high:
            if out_of_range is not None:
                return out_of_range
            if self.saturate:
                return high
            raise EncodeError(f"{value!r} is above the largest {self.ref[2]} "
                              f"({self._show(high)})", where)
        return int(wire)

    def from_wire(self, wire: int) -> float | None:
        _, _, unavailable, out_of_range = self.limits
        if wire == unavailable:
            return None
        if wire == out_of_range:
            return math.inf
        return wire / self._inverse if self._inverse else wire * self.unit

    def _show(self, wire: int) -> str:
        return f"{self.from_wire(wire):g}"


class Integer(Converter):
    """An INTEGER kept as ``int`` (its unit is the field's unit); ``unavailable`` <-> None.

    ``enum``: an ``IntEnum`` whose members are returned for known values (others stay ``int``).
    """

    def __init__(self, ref: TypeRef, *, enum: Callable[[int], Any] | None = None) -> None:
        self.ref = ref
        self.enum = enum

    @functools.cached_property
    def limits(self) -> tuple[int, int | None, int | None]:
        low, high, named = _integer_range(self.ref)
        return low, high, named.get(_UNAVAILABLE)

    def to_wire(self, value: Any, where: str) -> int:
        low, high, unavailable = self.limits
        if value is None:
            if unavailable is None:
                raise EncodeError(f"{self.ref[2]} has no 'unavailable' value; give a value", where)
            return unavailable
        value = _check_int(value, where)
        top = high - 1 if high is not None and high == unavailable else high
        bottom = low + 1 if low == unavailable else low
        if value < bottom or (top is not None and value > top):
            shown = "" if top is None else top
            raise EncodeError(f"{value} is outside {self.ref[2]} {bottom}..{shown}", where)
        return value

    def from_wire(self, wire: int) -> int | None:
        if wire == self.limits[2]:
            return None
        if self.enum is not None:
            try:
                return self.enum(wire)
            except ValueError:
                pass
        return wire


class Enumerated(Converter):
    """An ENUMERATED kept as its ASN.1 name; a member named ``unavailable`` <-> None."""

    def __init__(self, ref: TypeRef) -> None:
        self.ref = ref

    @functools.cached_property
    def names(self) -> tuple[tuple[str, ...], bool]:
        """(names in the root and additions, whether the type is extensible)."""
        values = definition(self.ref)["values"]
        return tuple(v[0] for v in values if v is not None), None in values

    def to_wire(self, value: Any, where: str) -> str:
        names, extensible = self.names
        if value is None:
            if _UNAVAILABLE not in names:
                raise EncodeError(f"{self.ref[2]} has no 'unavailable' value; give a value", where)
            return _UNAVAILABLE
        if value in names and value != _UNAVAILABLE:
            return value
        if extensible and isinstance(value, str) and value.startswith(schema.UNKNOWN_ADDITION):
            return value
        known = ", ".join(n for n in names if n != _UNAVAILABLE)
        raise EncodeError(f"expected one of {known} (or None), got {value!r}", where)

    def from_wire(self, wire: str) -> str | None:
        return None if wire == _UNAVAILABLE else wire


_DECIMAL_NAME = re.compile(r"^[A-Za-z]+-(\d+)((?:-\d+)*)$")


def decimal_in_name(name: str) -> float:
    """The bound written in an ENUMERATED class name, e.g. ``alt-000-05`` -> 0.05.

    The first group of digits is the integer part, the others together the fraction:
    ``time-000-000-5`` -> 0.0005, ``onePerMeter-0-00002`` -> 0.00002.
    """
    match = _DECIMAL_NAME.match(name)
    if match is None:
        raise ValueError(f"no decimal in {name!r}")
    return float(f"{int(match.group(1))}.{match.group(2).replace('-', '') or '0'}")


class Classes(Converter):
    """An ENUMERATED of accuracy classes <-> the class bound in SI (a float).

    Encoding picks the tightest class whose bound is >= the value. ``outOfRange`` decodes as
    ``math.inf``; a value beyond every class goes to ``outOfRange`` if the type has it and to
    ``unavailable`` otherwise (claiming a better class would be false). ``bounds`` maps names to
    bounds; by default they are read from the names themselves (``alt-000-05`` is 0.05 m).
    """

    def __init__(self, ref: TypeRef, bounds: Mapping[str, float] | None = None) -> None:
        self.ref = ref
        self.explicit = dict(bounds) if bounds is not None else None

    @functools.cached_property
    def table(self) -> tuple[dict[str, float], list[tuple[float, str]]]:
        names = [v[0] for v in definition(self.ref)["values"] if v is not None]
        regular = [n for n in names if n not in (_UNAVAILABLE, _OUT_OF_RANGE)]
        if self.explicit is not None:
            if sorted(self.explicit) != sorted(regular):
                raise LookupError(f"bounds of {self.ref[2]} do not match its names {regular}")
            bounds = dict(self.explicit)
        else:
            bounds = {name: decimal_in_name(name) for name in regular}
        if _OUT_OF_RANGE in names:
            bounds[_OUT_OF_RANGE] = math.inf
        return bounds, sorted((b, n) for n, b in bounds.items())

    def to_wire(self, value: Any, where: str) -> str:
        if value is None:
            return _UNAVAILABLE
        value = _check_number(value, where)
        if value < 0:
            raise EncodeError(f"a confidence cannot be negative ({value!r})", where)
        for bound, name in self.table[1]:
            if value <= bound * (1 + 1e-9):
                return name
        return _UNAVAILABLE

    def from_wire(self, wire: str) -> float | None:
        if wire == _UNAVAILABLE:
            return None
        try:
            return self.table[0][wire]
        except KeyError:
            raise DecodeError(f"unknown {self.ref[2]} {wire!r}", self.ref[2]) from None


class Bits(Converter):
    """A BIT STRING of fixed size <-> a frozenset of its named bits (``bit<i>`` for others)."""

    def __init__(self, ref: TypeRef) -> None:
        self.ref = ref

    @functools.cached_property
    def layout(self) -> tuple[int, dict[str, int]]:
        found = definition(self.ref)
        (size,) = found["size"]
        return size, {name: int(bit) for name, bit in found.get("named-bits") or ()}

    def to_wire(self, value: Any, where: str) -> tuple[bytes, int]:
        size, named = self.layout
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise EncodeError(f"expected a set of bit names, got {type(value).__name__}", where)
        number = 0
        for name in value:
            bit = named.get(name)
            if bit is None and isinstance(name, str) and name[3:].isdigit() and name[:3] == "bit":
                bit = int(name[3:])
            if bit is None or bit >= size:
                raise EncodeError(f"{name!r} is not a bit of {self.ref[2]} "
                                  f"({', '.join(named)})", where)
            number |= 1 << (size - 1 - bit)
        padded = (size + 7) // 8 * 8
        return ((number << (padded - size)).to_bytes(padded // 8, "big"), size)

    def from_wire(self, wire: tuple[bytes, int]) -> frozenset[str]:
        data, size = wire
        names = {bit: name for name, bit in self.layout[1].items()}
        number = int.from_bytes(data, "big") >> (len(data) * 8 - size)
        return frozenset(names.get(bit, f"bit{bit}") for bit in range(size)
                         if number >> (size - 1 - bit) & 1)


class Raw(Converter):
    """A value the facade does not model, kept in asn1tools' form (the codec checks it)."""

    def to_wire(self, value: Any, where: str) -> Any:
        return value

    def from_wire(self, wire: Any) -> Any:
        return wire


RAW = Raw()


class Record(Converter):
    """A small SEQUENCE <-> a tuple, e.g. ActionID <-> (originating station id, sequence number)."""

    def __init__(self, **members: Converter) -> None:
        self.members = members

    def to_wire(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, tuple | list) or len(value) != len(self.members):
            raise EncodeError(f"expected a tuple ({', '.join(self.members)})", where)
        return {key: conv.to_wire(item, f"{where}[{i}]")
                for i, (item, (key, conv)) in enumerate(zip(value, self.members.items(),
                                                           strict=True))}

    def from_wire(self, wire: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(conv.from_wire(wire[key]) for key, conv in self.members.items())


class Nested(Converter):
    """A SEQUENCE described by its own facade class (a ``Mapped`` dataclass)."""

    def __init__(self, cls: type[Mapped]) -> None:
        self.cls = cls

    def to_wire(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, self.cls):
            raise EncodeError(f"expected {self.cls.__name__}, got {type(value).__name__}", where)
        return value.encode_as(where)

    def from_wire(self, wire: dict[str, Any]) -> Mapped:
        return self.cls.from_value(wire)


class Items(Converter):
    """A SEQUENCE OF <-> a tuple; the size limits are read from ``ref``."""

    def __init__(self, ref: TypeRef, item: Converter) -> None:
        self.ref = ref
        self.item = item

    @functools.cached_property
    def size(self) -> tuple[int, int]:
        found = definition(self.ref)
        low, high = found["size"][0]
        return low, high

    def to_wire(self, value: Any, where: str) -> list[Any]:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise EncodeError(f"expected a sequence, got {type(value).__name__}", where)
        items = list(value)
        low, high = self.size
        if not low <= len(items) <= high:
            raise EncodeError(f"{len(items)} items; {self.ref[2]} holds {low}..{high}", where)
        return [self.item.to_wire(item, f"{where}[{i}]") for i, item in enumerate(items)]

    def from_wire(self, wire: list[Any]) -> tuple[Any, ...]:
        return tuple(self.item.from_wire(item) for item in wire)


class Alternatives(Converter):
    """A CHOICE whose alternatives are facade classes; others pass through raw.

    A raw value is asn1tools' ``(alternative name, value)``: an alternative the facade does not
    model, or an unknown extension ``("extension-addition-<i>", bytes)`` kept by the codec.
    """

    def __init__(self, **alternatives: type[Mapped]) -> None:
        self.alternatives = alternatives

    def to_wire(self, value: Any, where: str) -> tuple[str, Any]:
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
            return value
        for name, cls in self.alternatives.items():
            if isinstance(value, cls):
                return (name, value.encode_as(where))
        kinds = ", ".join(cls.__name__ for cls in self.alternatives.values())
        raise EncodeError(f"expected {kinds} or a raw (name, value), got {type(value).__name__}",
                          where)

    def from_wire(self, wire: tuple[str, Any]) -> Any:
        name, inner = wire
        cls = self.alternatives.get(name)
        return (name, inner) if cls is None else cls.from_value(inner)


# ----------------------------------------------------------------------------- field maps


@dataclass(frozen=True)
class Field:
    """One facade attribute stored in member ``key`` of the enclosing SEQUENCE."""

    attr: str
    key: str
    conv: Converter
    optional: bool = False
    default: Any = None
    """The facade value of an ASN.1 DEFAULT member the sender left out."""


@dataclass(frozen=True)
class Group:
    """A SEQUENCE member whose own members hold facade attributes (no facade class of its own)."""

    key: str
    children: tuple[Node, ...]
    optional: bool = False

    @functools.cached_property
    def attrs(self) -> tuple[str, ...]:
        return tuple(_attrs(self.children))


@dataclass(frozen=True)
class Const:
    """A member with a fixed value (e.g. ItsPduHeader messageID); decoding checks it."""

    key: str
    value: Any


Node = Field | Group | Const


def _attrs(nodes: Iterable[Node]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, Field):
            yield node.attr
        elif isinstance(node, Group):
            yield from node.attrs


def encode_fields(nodes: tuple[Node, ...], obj: Any, where: str,
                  present: frozenset[str] = frozenset(), prefix: str = "",
                  kept: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """The SEQUENCE value (dict) of ``obj`` per the field map ``nodes``.

    ``kept`` (path -> bytes) puts back the unknown extension additions a decode found.
    """
    out: dict[str, Any] = {}
    for path, raw in (kept or {}).items():
        if path.startswith(prefix) and "." not in path[len(prefix):]:
            out[path[len(prefix):]] = raw
    for node in nodes:
        kind = type(node)
        if kind is Field:
            value = getattr(obj, node.attr)
            if value is None and node.optional and prefix + node.key not in present:
                continue
            out[node.key] = node.conv.to_wire(value, f"{where}.{node.attr}")
        elif kind is Group:
            path = prefix + node.key
            if node.optional and path not in present and all(
                    getattr(obj, attr) is None for attr in node.attrs):
                continue
            out[node.key] = encode_fields(node.children, obj, where, present, path + ".", kept)
        else:
            out[node.key] = node.value
    return out


def decode_fields(nodes: tuple[Node, ...], value: Mapping[str, Any], where: str,
                  kwargs: dict[str, Any], present: set[str], prefix: str = "",
                  kept: dict[str, bytes] | None = None) -> None:
    """Fill ``kwargs`` (attribute -> facade value) from a SEQUENCE value per ``nodes``.

    Unknown extension additions the codec kept (``"extension-addition-<i>"``) go to ``kept``.
    """
    if type(value) is not dict and not isinstance(value, Mapping):
        raise DecodeError(f"expected a SEQUENCE (dict), got {type(value).__name__}",
                          f"{where}.{prefix}".rstrip("."))
    if kept is not None:
        kept.update((prefix + key, raw) for key, raw in value.items()
                    if key.startswith(UNKNOWN_ADDITION))
    for node in nodes:
        kind = type(node)
        if kind is Const:
            if value.get(node.key) != node.value:
                raise DecodeError(f"expected {node.value!r}, got {value.get(node.key)!r}",
                                  f"{where}.{prefix}{node.key}")
            continue
        if node.key not in value:
            if kind is Field and node.default is not None:
                kwargs[node.attr] = node.default
                continue
            if not node.optional:
                raise DecodeError("mandatory member missing", f"{where}.{prefix}{node.key}")
            kwargs.update(dict.fromkeys(_attrs([node])))
        elif kind is Field:
            kwargs[node.attr] = decoded = node.conv.from_wire(value[node.key])
            if decoded is None and node.optional:
                present.add(prefix + node.key)
        else:
            path = prefix + node.key
            decode_fields(node.children, value[node.key], where, kwargs, present, path + ".",
                          kept)
            if node.optional and all(kwargs[attr] is None for attr in node.attrs):
                present.add(path)


@dataclass(frozen=True)
class Mapped:
    """Base of the facade dataclasses: ``to_value``/``from_value`` driven by the class's ``FIELDS``.

    ``present_unavailable`` lists the ASN.1 paths of OPTIONAL members that a received message
    carried although they hold nothing the facade shows (an "unavailable" value, an empty
    SEQUENCE); it keeps decode -> encode byte-exact and is empty for messages you build.
    """

    FIELDS: ClassVar[tuple[Node, ...]] = ()
    NAME: ClassVar[str] = ""

    present_unavailable: frozenset[str] = field(default=frozenset(), kw_only=True, repr=False)
    kept_additions: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True, repr=False)
    """Unknown SEQUENCE extension additions of a received message: (ASN.1 path, open type)."""

    def to_value(self) -> Any:
        """The asn1tools Python value; EncodeError names the facade field of a bad value."""
        return self.encode_as(self.NAME or type(self).__name__)

    def encode_as(self, where: str) -> dict[str, Any]:
        """``to_value`` with error paths under ``where`` (for nested facades)."""
        return encode_fields(self.FIELDS, self, where, self.present_unavailable, "",
                             dict(self.kept_additions))

    @classmethod
    def from_value(cls, value: Any) -> Self:
        """The facade of an asn1tools Python value (as ``v2x.messages.decode`` returns it)."""
        name = cls.NAME or cls.__name__
        kwargs: dict[str, Any] = {}
        present: set[str] = set()
        kept: dict[str, bytes] = {}
        try:
            decode_fields(cls.FIELDS, value, name, kwargs, present, "", kept)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise DecodeError(f"value does not fit the schema ({exc!r})", name) from None
        return cls(**kwargs, present_unavailable=frozenset(present),
                   kept_additions=tuple(sorted(kept.items())))

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class MessageFacade(Mapped):
    """A facade of a whole catalogued message (``MESSAGE``): adds ``encode`` and ``decode``."""

    MESSAGE: ClassVar[str] = ""

    def encode(self) -> bytes:
        """UPER bytes of this message (constraints checked)."""
        from v2x.messages import codec

        return codec.encode(self.MESSAGE, self.to_value())

    @classmethod
    def decode(cls, data: bytes | bytearray | memoryview) -> Self:
        """The message in ``data``; DecodeError for bad bytes or another message."""
        from v2x.messages import codec

        return cls.from_value(codec.decode(cls.MESSAGE, data))
