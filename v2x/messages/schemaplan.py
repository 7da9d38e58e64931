"""Where a schema needs help that asn1tools cannot give, found once per type from the parse tree.

Two constructs:

* Open types resolved by an id field (information object sets). ISO TS 19091 (DSRC profile C)
  writes its regional extensions as ``RegionalExtension {{Reg-X}} ::= SEQUENCE { regionId,
  regExtValue Reg-X.&Type({Reg-X}{@regionId}) }``. Our REGION module gives each ``Reg-X`` as an
  alias of a plain SEQUENCE whose ``regExtValue`` is an OCTET STRING (same UPER bytes: X.691
  clause 11.2, an open type is a length-prefixed octet string). The object sets live here, one row
  per (set, id); the codec decodes ``regExtValue`` a second time with the registered type, and
  keeps the bytes for ids nobody registered.
* Unions of value ranges, ``Code-Units (2..4 | 6..8)`` in ISO 14823: PER encodes them against the
  spanning range (see ``schema``), and the codec checks the holes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from v2x.messages import schema

ADD_GRP_C = 3
"""RegionId of the European regional extensions (ISO TS 19091 AddGrpC)."""


@dataclass(frozen=True)
class ObjectSet:
    """An information object set: which type ``value_field`` holds for each ``id_field``."""

    id_field: str
    value_field: str
    types: dict[int, str]


def permitted(ranges: tuple[tuple[int, int], ...], value: int) -> bool:
    """Whether ``value`` lies in one of the ranges of a union."""
    return any(low <= value <= high for low, high in ranges)


def _regional(add_grp_c: str | None = None) -> ObjectSet:
    """A Reg-X set of ISO TS 19091, with the AddGrpC type registered for it, if any."""
    return ObjectSet("regionId", "regExtValue", {ADD_GRP_C: add_grp_c} if add_grp_c else {})


OBJECT_SETS: dict[str, dict[str, ObjectSet]] = {
    "etsi": {
        # ISO TS 19091:2019 REGION with the ETSI TS 103 301 profile: only AddGrpC registers types.
        "Reg-AdvisorySpeed": _regional(),
        "Reg-ComputedLane": _regional(),
        "Reg-ConnectionManeuverAssist": _regional("ConnectionManeuverAssist-addGrpC"),
        "Reg-GenericLane": _regional("ConnectionTrajectory-addGrpC"),
        "Reg-IntersectionGeometry": _regional(),
        "Reg-IntersectionState": _regional("IntersectionState-addGrpC"),
        "Reg-LaneAttributes": _regional("LaneAttributes-addGrpC"),
        "Reg-LaneDataAttribute": _regional(),
        "Reg-MapData": _regional("MapData-addGrpC"),
        "Reg-MovementEvent": _regional("MovementEvent-addGrpC"),
        "Reg-MovementState": _regional(),
        "Reg-NodeAttributeSetXY": _regional("NodeAttributeSet-addGrpC"),
        "Reg-NodeOffsetPointXY": _regional(),
        "Reg-Position3D": _regional("Position3D-addGrpC"),
        "Reg-RTCMcorrections": _regional(),
        "Reg-RequestorDescription": _regional("RequestorDescription-addGrpC"),
        "Reg-RequestorType": _regional(),
        "Reg-RestrictionUserType": _regional("RestrictionUserType-addGrpC"),
        "Reg-RoadSegment": _regional(),
        "Reg-SPAT": _regional(),
        "Reg-SignalControlZone": _regional(),
        "Reg-SignalRequest": _regional(),
        "Reg-SignalRequestMessage": _regional(),
        "Reg-SignalRequestPackage": _regional(),
        "Reg-SignalStatus": _regional(),
        "Reg-SignalStatusMessage": _regional(),
        "Reg-SignalStatusPackage": _regional("SignalStatusPackage-addGrpC"),
    },
    "csae": {},
    "security": {
        # IEEE 1609.2-2022 Extension {{Set}} and CERT-EXT-TYPE fields written as
        # SEQUENCE { id ExtId, content OCTET STRING } (C-OER: an open type is length-prefixed).
        "AppExtension": ObjectSet("id", "content", {1: "OperatingOrganizationId"}),
        "Ieee1609ContributedHeaderInfoExtension": ObjectSet("id", "content", {1: "HashedId8"}),
        # ETSI TS 103 097 V2.1.1 EtsiTs103097HeaderInfoExtensions (HeaderInfo contributorId 2).
        "EtsiOriginatingHeaderInfoExtension": ObjectSet(
            "id", "content", {1: "EtsiTs102941CrlRequest", 2: "EtsiTs102941DeltaCtlRequest"}),
    },
}

# A plan says where such constructs sit below a type: ("open", set name), ("union", ranges),
# ("fields", {name: plan}), ("choice", {alternative: plan}), ("items", plan), or ("type", name)
# where a recursive type refers back to itself (walk it with plan(bundle, name)); None when there
# are none.
Plan = tuple[str, Any]


def object_set(bundle: str, name: str) -> ObjectSet:
    """The object set ``name`` of a bundle."""
    return OBJECT_SETS[bundle][name]


UNION_KEY = schema.UNION_KEY


@functools.cache
def plan(bundle: str, type_name: str) -> Plan | None:
    """Where open types and range unions are inside ``type_name`` (None if nowhere)."""
    sets = OBJECT_SETS.get(bundle, {})
    modules = schema.parsed(bundle)
    module = _module_of(modules, type_name)
    if module is None:
        return None
    return _Planner(modules, sets).of_reference(type_name, module)


def _module_of(modules: dict[str, Any], type_name: str) -> str | None:
    for name, module in modules.items():
        if type_name in module["types"]:
            return name
    return None


class _Planner:
    def __init__(self, modules: dict[str, Any], sets: dict[str, ObjectSet]) -> None:
        self.modules = modules
        self.sets = sets
        self.memo: dict[tuple[str, str], Plan | None] = {}
        self.active: set[tuple[str, str]] = set()

    def resolve(self, name: str, module: str) -> tuple[str, str] | None:
        """(module, type) that ``name`` means inside ``module``, following IMPORTS."""
        if name in self.modules[module]["types"]:
            return module, name
        for source, names in self.modules[module].get("imports", {}).items():
            if name in names and source in self.modules:
                return self.resolve(name, source)
        return None

    def of_reference(self, name: str, module: str) -> Plan | None:
        if name in self.sets:
            return ("open", name)
        target = self.resolve(name, module)
        if target is None:
            return None  # a built-in type
        if target in self.memo:
            return self.memo[target]
        if target in self.active:
            return ("type", target[1])  # recursion: apply plan(bundle, that type) when walking
        self.active.add(target)
        result = self.of_type(self.modules[target[0]]["types"][target[1]], target[0])
        self.active.discard(target)
        self.memo[target] = result
        return result

    def of_type(self, node: dict[str, Any], module: str) -> Plan | None:
        kind = node["type"]
        if UNION_KEY in node:
            return ("union", node[UNION_KEY])
        if kind in ("SEQUENCE", "SET", "CHOICE"):
            found = {}
            for member in _flat_members(node.get("members", [])):
                sub = self.of_type(member, module)
                if sub is not None:
                    found[member["name"]] = sub
            if not found:
                return None
            return ("choice" if kind == "CHOICE" else "fields", found)
        if kind in ("SEQUENCE OF", "SET OF"):
            sub = self.of_type(node["element"], module)
            return None if sub is None else ("items", sub)
        return self.of_reference(kind, module)


def _flat_members(members: list[Any]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for member in members:
        if isinstance(member, list):
            flat.extend(_flat_members(member))
        elif isinstance(member, dict):
            flat.append(member)
    return flat
