"""JSON form of message values, following the JSON Encoding Rules (ITU-T X.697) where it can.

The mapping, driven by the schema, and its exact inverse:

=====================  ========================================================================
ASN.1 (Python form)    JSON
=====================  ========================================================================
SEQUENCE / SET (dict)  object; absent OPTIONAL members and DEFAULT values are left out
SEQUENCE OF (list)     array
CHOICE (name, value)   object with one member ``{"name": value}``
INTEGER, BOOLEAN       number, true/false; NULL -> null
ENUMERATED (str)       string
character strings      string
OCTET STRING (bytes)   hex string, e.g. ``"0a1b"``
BIT STRING             fixed size: hex string of the bits, left-aligned (``"c0"`` = 2 bits ``11``);
(bytes, n)             other sizes (also extensible ones): ``{"value": hex, "length": n}``
open type              the contained value in this same mapping, or a hex string when its id is
                       not registered
unknown extension      SEQUENCE member ``"extension-addition-<i>": hex``;
                       CHOICE: ``{"extension-addition-<i>": hex}``;
                       ENUMERATED: ``"extension-addition-<i>"``
=====================  ========================================================================
"""

from __future__ import annotations

import binascii
from typing import Any

from asn1tools.codecs import oer, per

from v2x.errors import InputError
from v2x.messages import schema, schemaplan
from v2x.messages.registry import lookup
from v2x.messages.schema import UNKNOWN_ADDITION


def to_json(name: str, value: Any) -> Any:
    """JSON-ready form (dicts, lists, str, int, bool, None) of a value of message ``name``."""
    message = lookup(name)
    return _Mapper(message.bundle, to_json=True).type_value(message.pdu, value, message.pdu)


def from_json(name: str, document: Any) -> Any:
    """The Python value of message ``name`` from its JSON form; InputError names the bad path."""
    message = lookup(name)
    return _Mapper(message.bundle, to_json=False).type_value(message.pdu, document, message.pdu)


class _Mapper:
    def __init__(self, bundle: str, *, to_json: bool) -> None:
        self.bundle = bundle
        self.spec = schema.specification(bundle)
        self.to_json = to_json

    def type_value(self, type_name: str, value: Any, path: str) -> Any:
        node = self.spec.types[type_name].type
        return self.convert(node, value, schemaplan.plan(self.bundle, type_name), path)

    def convert(self, node: Any, value: Any, plan: schemaplan.Plan | None, path: str) -> Any:
        if isinstance(node, per.Recursive):
            node = node._inner
        elif isinstance(node, oer.Recursive):
            node = node.inner
        if plan is not None and plan[0] == "type":
            plan = schemaplan.plan(self.bundle, plan[1])
        if plan is not None and plan[0] == "open":
            return self.open_type(node, value, plan[1], path)
        if isinstance(node, per.MembersType | oer.MembersType):
            return self.members(node, value, plan, path)
        if isinstance(node, per.Choice | oer.Choice):
            return self.choice(node, value, plan, path)
        if isinstance(node, per.ArrayType | oer.ArrayType):
            items = self.expect(value, list, "an array", path)
            inner = plan[1] if plan is not None else None
            return [self.convert(node.element_type, item, inner, path) for item in items]
        if isinstance(node, per.BitString | oer.BitString):
            return self.bits(node, value, path)
        if isinstance(node, per.OctetString | oer.OctetString):
            return self.octets(value, path)
        return value

    def members(self, node: Any, value: Any, plan: schemaplan.Plan | None, path: str) -> dict:
        value = self.expect(value, dict, "an object", path)
        subplans = plan[1] if plan is not None else {}
        out = {}
        known = {member.name: member for member in _members(node)}
        for key, item in value.items():
            member = known.get(key)
            if member is None:
                if not str(key).startswith(UNKNOWN_ADDITION):
                    raise InputError(f"unknown member {key!r}", path)
                out[key] = self.octets(item, f"{path}.{key}")
                continue
            if self.to_json and member.default is not None and item == member.default:
                continue  # canonical: a DEFAULT value is left out
            out[key] = self.convert(member, item, subplans.get(key), f"{path}.{key}")
        return out

    def choice(self, node: Any, value: Any, plan: schemaplan.Plan | None, path: str) -> Any:
        if self.to_json:
            alternative, inner = value
        else:
            document = self.expect(value, dict, "an object with one member", path)
            if len(document) != 1:
                raise InputError("a CHOICE is an object with exactly one member", path)
            ((alternative, inner),) = document.items()
        member = _alternative(node, alternative)
        where = f"{path}.{alternative}"
        if member is None:
            if not str(alternative).startswith(UNKNOWN_ADDITION):
                raise InputError(f"unknown alternative {alternative!r}", path)
            converted = self.octets(inner, where)
        else:
            subplan = plan[1].get(alternative) if plan is not None else None
            converted = self.convert(member, inner, subplan, where)
        return {alternative: converted} if self.to_json else (alternative, converted)

    def open_type(self, node: Any, value: Any, set_name: str, path: str) -> Any:
        objects = schemaplan.object_set(self.bundle, set_name)
        value = self.expect(value, dict, "an object", path)
        out = dict(value)
        contents = value.get(objects.value_field)
        type_name = objects.types.get(value.get(objects.id_field))
        where = f"{path}.{objects.value_field}"
        if contents is None:
            return out
        if type_name is None or isinstance(contents, bytes | bytearray | str):
            out[objects.value_field] = self.octets(contents, where)
        else:
            out[objects.value_field] = self.type_value(type_name, contents, where)
        return out

    def octets(self, value: Any, path: str) -> Any:
        if self.to_json:
            return bytes(value).hex()
        return _unhex(value, path)

    def bits(self, node: Any, value: Any, path: str) -> Any:
        fixed = _fixed_size(node) is not None
        if self.to_json:
            data, length = value
            return bytes(data).hex() if fixed else {"value": bytes(data).hex(), "length": length}
        root = _root_size(node)
        if isinstance(value, str) and root is not None:
            return (_unhex(value, path), root)  # hex form of the root size
        document = self.expect(value, dict, 'an object {"value": hex, "length": n}', path)
        length = document.get("length")
        if not isinstance(length, int) or length < 0:
            raise InputError("BIT STRING needs an integer length", path)
        data = _unhex(document.get("value"), path)
        if len(data) * 8 < length:
            raise InputError(f"{len(data)} bytes cannot hold {length} bits", path)
        return (data, length)

    def expect(self, value: Any, kind: type, what: str, path: str) -> Any:
        if self.to_json or isinstance(value, kind):
            return value
        raise InputError(f"expected {what}, got {type(value).__name__}", path)


def _members(node: Any) -> list[Any]:
    members = list(node.root_members)
    for addition in node.additions or []:
        if isinstance(addition, per.AdditionGroup):
            members.extend(addition.root_members)
        else:
            members.append(addition)
    return members


def _alternative(node: Any, name: str) -> Any:
    """The member of a CHOICE called ``name`` (UPER or OER compiled type), or None."""
    if isinstance(node, oer.Choice):
        return node.name_to_root_member.get(name) or node.name_to_addition.get(name)
    member = node.root_index_to_member.get(node.root_name_to_index.get(name, -1))
    if member is None and node.additions_name_to_index is not None:
        member = node.additions_index_to_member.get(node.additions_name_to_index.get(name, -1))
    return member


def _root_size(node: Any) -> int | None:
    """The size of a BIT STRING whose root has one size (extensible or not), else None."""
    if isinstance(node, oer.BitString):
        return node.number_of_bits
    if node.minimum == node.maximum and node.minimum is not None:
        return node.minimum
    return None


def _fixed_size(node: Any) -> int | None:
    """The size of a BIT STRING of one size and no extension (X.697: a plain hex string)."""
    if getattr(node, "has_extension_marker", False):
        return None
    return _root_size(node)


def _unhex(text: Any, path: str) -> bytes:
    if not isinstance(text, str):
        raise InputError(f"expected a hex string, got {type(text).__name__}", path)
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise InputError(f"not a hex string: {text[:40]!r}", path) from None
