"""Hypothesis strategies for any type of our ASN.1 bundles, built from the compiled schema.

Values are valid: inside every constraint, SEQUENCE OF kept short so that deep messages (MAPEM)
stay small, open types filled with a registered type's value or with bytes for an unregistered id.
"""

from __future__ import annotations

import functools
from typing import Any

from asn1tools.codecs import per, uper
from hypothesis import strategies as st

from v2x.messages import schema, schemaplan

MAX_EXTRA_ITEMS = 2
UNBOUNDED = 2**31


@functools.cache
def for_type(bundle: str, type_name: str, recursion: int = 2) -> st.SearchStrategy[Any]:
    """Valid values of ``type_name`` in bundle ``bundle`` (asn1tools' Python form).

    ``recursion``: how deep recursive types (ISO 14823 GddStructure) may nest; 0 leaves their
    optional occurrences out.
    """
    node = schema.specification(bundle).types[type_name].type
    return _Builder(bundle, recursion).build(node, schemaplan.plan(bundle, type_name))


class _Builder:
    def __init__(self, bundle: str, recursion: int) -> None:
        self.bundle = bundle
        self.recursion = recursion

    def build(self, node: Any, plan: schemaplan.Plan | None, depth: int = 0) -> Any:
        if plan is not None and plan[0] == "type":
            plan = schemaplan.plan(self.bundle, plan[1])
        if isinstance(node, per.Recursive):
            if depth >= self.recursion:
                return st.nothing()
            return st.deferred(lambda: self.build(node._inner, plan, depth + 1))
        if plan is not None and plan[0] == "open":
            return self.open_type(plan[1])
        if plan is not None and plan[0] == "union":
            return st.one_of([st.integers(low, high) for low, high in plan[1]])
        if isinstance(node, per.MembersType):
            return self.members(node, plan, depth)
        if isinstance(node, per.Choice):
            return self.choice(node, plan, depth)
        if isinstance(node, per.ArrayType):
            inner = plan[1] if plan is not None else None
            low = node.minimum or 0
            high = low + MAX_EXTRA_ITEMS if node.maximum is None else min(
                node.maximum, low + MAX_EXTRA_ITEMS)
            return st.lists(self.build(node.element_type, inner, depth), min_size=low,
                            max_size=high)
        if isinstance(node, per.Enumerated):
            names = list(node.root_index_to_data.values()) + list(
                (node.additions_index_to_data or {}).values())
            return st.sampled_from(names)
        if isinstance(node, per.BitString):
            return self.bits(node)
        if isinstance(node, per.OctetString):
            low = node.minimum or 0
            high = low + 8 if node.maximum is None else min(node.maximum, low + 8)
            return st.binary(min_size=low, max_size=high)
        if isinstance(node, uper.Integer):
            low = -UNBOUNDED if node.minimum is None else node.minimum
            high = UNBOUNDED if node.maximum is None else node.maximum
            return st.integers(low, high)
        if isinstance(node, per.Boolean):
            return st.booleans()
        if isinstance(node, per.Null):
            return st.none()
        if isinstance(node, uper.KnownMultiplierStringType):
            low = node.minimum or 0
            high = low + 8 if node.maximum is None else min(node.maximum, low + 8)
            alphabet = node.permitted_alphabet
            if isinstance(alphabet, per.PermittedAlphabet):
                alphabet = "".join(chr(code) for code in alphabet.encode_map)
            return st.text(alphabet=sorted(set(alphabet)), min_size=low, max_size=high)
        if isinstance(node, per.UTF8String):
            return st.text(min_size=1, max_size=8)
        raise TypeError(f"no strategy for {node!r}")

    def members(self, node: Any, plan: schemaplan.Plan | None, depth: int) -> Any:
        subplans = plan[1] if plan is not None else {}
        required: dict[str, Any] = {}
        optional: dict[str, Any] = {}
        for member in node.root_members:
            target = optional if (member.optional or member.default is not None) else required
            target[member.name] = self.build(member, subplans.get(member.name), depth)
        for addition in node.additions or []:
            if isinstance(addition, per.AdditionGroup):
                # a version bracket is present or absent as a whole
                mandatory, extra = {}, {}
                for member in addition.root_members:
                    target = extra if (member.optional or member.default is not None) else mandatory
                    target[member.name] = self.build(member, subplans.get(member.name), depth)
                optional[f"\x00group{id(addition)}"] = st.fixed_dictionaries(
                    mandatory, optional=extra)
            else:
                optional[addition.name] = self.build(addition, subplans.get(addition.name), depth)
        return st.fixed_dictionaries(required, optional=optional).map(_flatten_groups)

    def choice(self, node: Any, plan: schemaplan.Plan | None, depth: int) -> Any:
        subplans = plan[1] if plan is not None else {}
        members = list(node.root_index_to_member.values()) + list(
            (node.additions_index_to_member or {}).values())
        return st.one_of([
            self.build(m, subplans.get(m.name), depth).map(lambda v, name=m.name: (name, v))
            for m in members
        ])

    def bits(self, node: Any) -> Any:
        low = node.minimum or 0
        high = low + 16 if node.maximum is None else node.maximum

        @st.composite
        def draw(draw_: Any) -> tuple[bytes, int]:
            length = draw_(st.integers(low, high))
            value = draw_(st.integers(0, 2**length - 1)) if length else 0
            if node.has_named_bits and length > low:
                value |= 1  # asn1tools strips trailing zero bits of named-bit strings
            padded = value << ((-length) % 8)
            return (padded.to_bytes((length + 7) // 8, "big"), length)

        return draw()

    def open_type(self, set_name: str) -> Any:
        objects = schemaplan.object_set(self.bundle, set_name)
        registered = [
            for_type(self.bundle, type_name).map(
                lambda v, i=region: {objects.id_field: i, objects.value_field: v})
            for region, type_name in objects.types.items()
        ]
        unregistered = st.builds(
            lambda i, raw: {objects.id_field: i, objects.value_field: raw},
            st.integers(0, 255).filter(lambda i: i not in objects.types),
            st.binary(min_size=1, max_size=6),
        )
        return st.one_of([*registered, unregistered])


def _flatten_groups(value: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, item in value.items():
        if key.startswith("\x00group"):
            out.update(item)
        else:
            out[key] = item
    return out
