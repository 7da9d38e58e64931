"""UPER encode and decode of catalogued messages (ITU-T X.691), safe by default.

The only caller of asn1tools' codecs besides ``schema``. Encoding checks types and constraints
(asn1tools does neither by default); decoding is bounded in input size, rejects trailing bytes and
non-zero padding, and decodes open types (e.g. ISO TS 19091 regional extensions) a second time by
their id. Every failure is a ``v2x.errors`` exception whose ``path`` names the field.
"""

from __future__ import annotations

import copy
from typing import Any

import asn1tools
from asn1tools.codecs import ErrorWithLocation, oer, uper

from v2x.errors import DecodeError, EncodeError
from v2x.messages import schema, schemaplan
from v2x.messages.registry import lookup

MAX_MESSAGE_BYTES = 65_535
"""Largest input ``decode`` accepts: a GeoNetworking packet never carries more."""


def encode(name: str, value: Any) -> bytes:
    """Encode ``value`` (asn1tools' Python form) as message ``name`` in UPER.

    Types and constraints are checked; a bad value raises ``EncodeError`` whose ``path`` names
    the field (``CAM.cam.camParameters.highFrequencyContainer...``).
    """
    message = lookup(name)
    return encode_type(message.bundle, message.pdu, value)


def decode(name: str, data: bytes | bytearray | memoryview) -> Any:
    """Decode UPER ``data`` as message ``name`` into asn1tools' Python form.

    Raises ``DecodeError`` for truncated, padded or garbage input, naming the field where
    decoding stopped.
    """
    message = lookup(name)
    return decode_type(message.bundle, message.pdu, data)


def encode_type(bundle: str, type_name: str, value: Any) -> bytes:
    """Encode any type of a bundle (used for messages and for open-type contents)."""
    spec = schema.specification(bundle)
    plan = schemaplan.plan(bundle, type_name)
    if plan is not None:
        value = _before_encode(bundle, plan, value, type_name)
    try:
        return spec.encode(type_name, value, check_constraints=True)
    except (asn1tools.EncodeError, asn1tools.ConstraintsError) as exc:
        raise _as_error(EncodeError, exc, type_name) from None
    except (TypeError, KeyError, ValueError, AttributeError, IndexError) as exc:
        raise EncodeError(f"value does not fit the schema ({exc!r})", type_name) from None


def decode_type(bundle: str, type_name: str, data: bytes | bytearray | memoryview) -> Any:
    """Decode any type of a bundle, checking that the input is exactly one encoding."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(f"expected bytes, got {type(data).__name__}", type_name)
    data = bytes(data)
    if not data:
        raise DecodeError("empty input", type_name)
    if len(data) > MAX_MESSAGE_BYTES:
        raise DecodeError(f"{len(data)} bytes exceed the {MAX_MESSAGE_BYTES}-byte limit", type_name)
    spec = schema.specification(bundle)
    try:
        compiled = spec.types[type_name]
    except KeyError:
        raise DecodeError(f"type {type_name} is not in bundle {bundle}", type_name) from None
    oer_bundle = schema.bundle_named(bundle).codec == "oer"
    decoder = (oer.Decoder if oer_bundle else uper.Decoder)(bytearray(data))
    try:
        value = compiled.type.decode(decoder)
    except ErrorWithLocation as exc:
        exc.add_location(compiled.type)
        raise _as_error(DecodeError, exc, type_name) from None
    except asn1tools.DecodeError as exc:
        raise _as_error(DecodeError, exc, type_name) from None
    except (ValueError, IndexError, KeyError, TypeError, OverflowError, RecursionError,
            NotImplementedError) as exc:
        # asn1tools reports some malformed inputs this way (e.g. a normally small length
        # above 64, which no valid encoding of our schemas produces)
        raise DecodeError(f"malformed encoding ({exc})", type_name) from None
    _check_end(decoder, len(data), type_name)
    if oer_bundle:
        _check_canonical(bundle, type_name, value, data)
    plan = schemaplan.plan(bundle, type_name)
    if plan is not None:
        value = _after_decode(bundle, plan, value, type_name)
    return value


def _check_end(decoder: uper.Decoder, size: int, type_name: str) -> None:
    """X.691 clause 11.1: the encoding is the bits used, padded with zeros to whole octets."""
    used = decoder.number_of_read_bits()
    needed = max(1, (used + 7) // 8)
    if size > needed:
        raise DecodeError(f"{size - needed} trailing bytes after the encoding", type_name)
    rest = decoder.number_of_bits
    if rest and decoder.read_non_negative_binary_integer(rest) != 0:
        raise DecodeError("non-zero padding bits after the encoding", type_name)


def _check_canonical(bundle: str, type_name: str, value: Any, data: bytes) -> None:
    """X.696 clause 6 (canonical OER): one value, one encoding. Signatures cover these bytes,
    so an encoding that does not come back identical from re-encoding is refused; the values'
    constraints are checked on the way (OER decoding alone does not check them)."""
    try:
        again = schema.specification(bundle).encode(type_name, value, check_constraints=True)
    except (asn1tools.EncodeError, asn1tools.ConstraintsError) as exc:
        raise _as_error(DecodeError, exc, type_name) from None
    if again != data:
        raise DecodeError("not canonical OER: re-encoding gives other bytes", type_name)


def _as_error(kind: type[EncodeError] | type[DecodeError], exc: Exception, type_name: str):
    location = getattr(exc, "location_str", "") or type_name
    reason = getattr(exc, "message", None) or str(exc)
    return kind(reason.rstrip("."), location)



# ----------------------------------------------------------------------------- schema plans


def _after_decode(bundle: str, plan: schemaplan.Plan, value: Any, path: str) -> Any:
    kind, sub = plan
    if kind == "type":
        inner = schemaplan.plan(bundle, sub)
        return value if inner is None else _after_decode(bundle, inner, value, path)
    if kind == "fields":
        for name, inner in sub.items():
            if name in value:
                value[name] = _after_decode(bundle, inner, value[name], f"{path}.{name}")
        return value
    if kind == "choice":
        name, inner_value = value
        inner = sub.get(name)
        if inner is None:
            return value
        return (name, _after_decode(bundle, inner, inner_value, f"{path}.{name}"))
    if kind == "items":
        return [_after_decode(bundle, sub, item, path) for item in value]
    if kind == "union":
        if not schemaplan.permitted(sub, value):
            raise DecodeError(f"value {value} is not permitted ({_ranges(sub)})", path)
        return value
    objects = schemaplan.object_set(bundle, sub)
    type_name = objects.types.get(value[objects.id_field])
    if type_name is None:
        return value
    where = f"{path}.{objects.value_field}"
    try:
        value[objects.value_field] = decode_type(bundle, type_name, value[objects.value_field])
    except DecodeError as exc:
        raise DecodeError(exc.reason, _join(where, type_name, exc.path)) from None
    return value


def _before_encode(bundle: str, plan: schemaplan.Plan, value: Any, path: str) -> Any:
    """A copy of ``value`` with open-type contents given as values encoded to bytes."""
    kind, sub = plan
    if kind == "type":
        inner = schemaplan.plan(bundle, sub)
        return value if inner is None else _before_encode(bundle, inner, value, path)
    if kind == "fields":
        if not isinstance(value, dict):
            return value  # the type check reports it
        out = copy.copy(value)  # keeps what a dict subclass carries (OerSequenceValue)
        for name, inner in sub.items():
            if name in out:
                out[name] = _before_encode(bundle, inner, out[name], f"{path}.{name}")
        return out
    if kind == "choice":
        if not (isinstance(value, tuple) and len(value) == 2) or value[0] not in sub:
            return value
        return (value[0], _before_encode(bundle, sub[value[0]], value[1], f"{path}.{value[0]}"))
    if kind == "items":
        if not isinstance(value, list | tuple):
            return value
        return [_before_encode(bundle, sub, item, path) for item in value]
    if kind == "union":
        if isinstance(value, int) and not schemaplan.permitted(sub, value):
            raise EncodeError(f"Expected an integer in {_ranges(sub)}, but got {value}", path)
        return value
    objects = schemaplan.object_set(bundle, sub)
    if not isinstance(value, dict) or isinstance(value.get(objects.value_field), bytes | bytearray):
        return value
    where = f"{path}.{objects.value_field}"
    if objects.value_field not in value:
        return value
    type_name = objects.types.get(value.get(objects.id_field))
    if type_name is None:
        raise EncodeError(
            f"no type registered for {objects.id_field} {value.get(objects.id_field)!r} in {sub};"
            " give the contents as bytes", where)
    try:
        contents = encode_type(bundle, type_name, value[objects.value_field])
    except EncodeError as exc:
        raise EncodeError(exc.reason, _join(where, type_name, exc.path)) from None
    return {**value, objects.value_field: contents}


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    return " | ".join(f"{low}..{high}" if low != high else str(low) for low, high in ranges)


def _join(where: str, type_name: str, inner_path: str) -> str:
    """``outer.regExtValue`` + ``Type.field`` -> ``outer.regExtValue(Type).field``."""
    rest = inner_path[len(type_name):] if inner_path.startswith(type_name) else ""
    return f"{where}({type_name}){rest}"
