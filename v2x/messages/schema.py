"""ASN.1 bundles: our modules grouped per (family, release), each compiled once for UPER and cached.

asn1tools keeps one flat type table per compile and loses types when two releases of a module meet,
so each bundle is compiled on its own (DESIGN.md principle 2). After compiling, the gaps of
asn1tools' UPER codec (ITU-T X.691) are closed on the compiled types, so that what we received is
kept rather than silently dropped:

* BIT STRING with an extensible size constraint (X.691 clause 16.6): asn1tools raises
  NotImplementedError when the extension bit is set (e.g. LaneAttributes-Vehicle in real MAPEMs);
* ENUMERATED with an unknown extension addition (clause 14.3): asn1tools returns ``None``;
* CHOICE with an unknown extension alternative (clause 23.8): asn1tools returns ``(None, None)``;
* SEQUENCE extension additions: asn1tools drops those that fail to encode and skips unknown ones
  on decode; here the first raise and the second are kept as ``"extension-addition-<index>":
  bytes`` in the SEQUENCE's dict.

Decoding is bounded: recursive types nest at most MAX_RECURSION deep, and every other type has a
finite depth fixed by the schema.

An unknown enumeration addition decodes as the string ``"extension-addition-<index>"``; an unknown
CHOICE alternative as ``("extension-addition-<index>", <open type bytes>)``. All encode back to the
same bits.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import asn1tools
from asn1tools.codecs import DecodeError as _ToolDecodeError
from asn1tools.codecs import EncodeError as _ToolEncodeError
from asn1tools.codecs import oer, per, type_checker, uper

from v2x.errors import SchemaError

UNKNOWN_ADDITION = "extension-addition-"
UNION_KEY = "v2x-union"
"""Parse-tree key holding the ranges of a value-range union (see _per_effective_ranges)."""


@dataclass(frozen=True)
class Bundle:
    """One compilable set of ASN.1 modules: a message family at one release."""

    name: str
    family: str
    release: str
    folder: str
    summary: str
    codec: str = "uper"
    """asn1tools codec: ``uper`` (X.691 unaligned PER) or ``oer`` (X.696 canonical OER)."""

    def files(self) -> list[Path]:
        """The ``.asn`` files of the bundle, in a stable order."""
        root = resources.files("v2x.messages") / "asn1" / self.folder
        return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".asn"))


BUNDLES: dict[str, Bundle] = {
    "etsi": Bundle(
        "etsi", "etsi", "release 1", "etsi",
        "ETSI C-ITS Day-1: CDD TS 102 894-2 v1.3.1, CAM EN 302 637-2 v1.4.1, "
        "DENM EN 302 637-3 v1.3.1, TS 103 301 v1.3.1 (ISO TS 19091 v2, ISO TS 19321 v2)",
    ),
    "etsi-v1": Bundle(
        "etsi-v1", "etsi", "protocol version 1", "etsi-v1",
        "ETSI CAM and DENM protocol version 1: CDD TS 102 894-2 v1.2.1, "
        "CAM EN 302 637-2 v1.3.2, DENM EN 302 637-3 v1.2.2",
    ),
    "csae": Bundle(
        "csae", "csae", "2020", "csae",
        "China C-V2X message set T/CSAE 53-2020 / YD/T 3709-2020 (MessageFrame, phase 1)",
    ),
    "security": Bundle(
        "security", "security", "1609.2-2022", "security",
        "IEEE 1609.2 secured data and certificates (with the SM2/SM3 alternatives of YD/T 3957),"
        " the ETSI TS 103 097 v2.1.1 profile and the TS 102 941 v2.1.1 trust-list containers",
        codec="oer",
    ),
}


def bundle_named(name: str) -> Bundle:
    """The bundle called ``name``, or SchemaError naming the known ones."""
    try:
        return BUNDLES[name]
    except KeyError:
        raise SchemaError(f"no ASN.1 bundle {name!r}; known: {', '.join(BUNDLES)}") from None


def parsed(bundle: str) -> dict[str, Any]:
    """asn1tools' parse tree of a bundle (module name -> definitions)."""
    return _load(bundle)[0]


def specification(bundle: str) -> asn1tools.compiler.Specification:
    """The specification of a bundle in its codec, compiled once (UPER hardened)."""
    return _load(bundle)[1]


@functools.cache
def _load(bundle: str) -> tuple[dict[str, Any], asn1tools.compiler.Specification]:
    """Parse and compile a bundle, or read both from the on-disk cache.

    Parsing and compiling take about a second per bundle; the result is pickled under
    ``$V2X_CACHE_DIR`` (default ``~/.cache/v2x``), keyed by the bundle's files, this module's
    source and the asn1tools and Python versions, so any change recompiles.
    """
    files = bundle_named(bundle).files()
    if not files:
        raise SchemaError(f"bundle {bundle!r} has no .asn files")
    path = _cache_path(bundle, files)
    if path is not None and path.exists():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # a damaged or foreign cache file: rebuild it below
            pass
    try:
        tree = asn1tools.parse_files([str(p) for p in files])
    except asn1tools.ParseError as exc:
        raise SchemaError(f"bundle {bundle!r}: {exc}") from None
    _per_effective_ranges(tree)
    loaded = (tree, _compile(bundle, tree))
    if path is not None:
        _store(path, loaded)
    return loaded


def _cache_path(bundle: str, files: list[Path]) -> Path | None:
    root = os.environ.get("V2X_CACHE_DIR")
    base = Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME") or
                                        Path.home() / ".cache") / "v2x"
    digest = hashlib.sha256()
    for part in (sys.version, asn1tools.__version__, bundle, Path(__file__).read_text("utf-8")):
        digest.update(part.encode("utf-8"))
    for file in files:
        digest.update(file.name.encode("utf-8"))
        digest.update(file.read_bytes())
    return base / f"{bundle}-{digest.hexdigest()[:24]}.pickle"


def _store(path: Path, loaded: Any) -> None:
    """Write the cache atomically; a read-only home just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".schema.")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(loaded, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        return


def _per_effective_ranges(node: Any) -> None:
    """Replace a union of value ranges by the range that spans it, in place.

    PER encodes a constrained whole number against its effective constraint, the smallest range
    holding every permitted value (X.691 clause 10.3). asn1tools keeps only the first range of a
    union, so ``Code-Units (2..4 | 6..8)`` (ISO 14823) went out in 2 bits instead of 3 and shifted
    everything after it. The union itself is kept under UNION_KEY; the codec checks the holes.
    """
    if isinstance(node, dict):
        ranges = node.get("restricted-to")
        if isinstance(ranges, list):
            bounds = [r for r in ranges if r is not None]
            if len(bounds) > 1 and all(_is_number_range(r) for r in bounds):
                low = min(r[0] if isinstance(r, list | tuple) else r for r in bounds)
                high = max(r[1] if isinstance(r, list | tuple) else r for r in bounds)
                node["restricted-to"] = [(low, high)] + ([None] if None in ranges else [])
                if None not in ranges:  # an extensible union lets any value through
                    node[UNION_KEY] = tuple(
                        (r[0], r[1]) if isinstance(r, list | tuple) else (r, r) for r in bounds)
        for child in node.values():
            _per_effective_ranges(child)
    elif isinstance(node, list):
        for child in node:
            _per_effective_ranges(child)


def _is_number_range(item: Any) -> bool:
    if isinstance(item, list | tuple):
        return len(item) == 2 and all(isinstance(x, int | float) for x in item)
    return isinstance(item, int | float)


def _compile(bundle: str, tree: dict[str, Any]) -> asn1tools.compiler.Specification:
    """Compile a parse tree for the bundle's codec and apply the repairs below."""
    codec = bundle_named(bundle).codec
    try:
        spec = asn1tools.compile_dict(copy.deepcopy(tree), codec)
    except asn1tools.CompileError as exc:
        raise SchemaError(f"bundle {bundle!r}: {exc}") from None
    seen: set[int] = set()
    if codec == "oer":
        for module in spec._modules.values():
            for compiled in module.values():
                _limit_oer_recursion(compiled.type, seen)
        return spec
    for module in spec._modules.values():  # every type, also those the flat table dropped
        for compiled in module.values():
            _harden(compiled.type, seen)
            _harden_checker(compiled.type_checker.type, seen)
    return spec


# ----------------------------------------------------------------------------- hardened types


class _ExtensibleBitString(uper.BitString):
    """BIT STRING (SIZE (lb..ub, ...)): outside the root, extension bit 1 then a length (16.6)."""

    def encode(self, data, encoder):
        _, number_of_bits = data
        if self.minimum <= number_of_bits <= self.maximum:
            super().encode(data, encoder)
            return
        encoder.append_bit(1)
        self.encode_unbound(data[0], number_of_bits, encoder)

    def decode(self, decoder):
        if decoder.read_bit():
            return self.decode_unbound(decoder)
        number_of_bits = self.minimum
        if self.minimum != self.maximum:
            number_of_bits += decoder.read_non_negative_binary_integer(self.number_of_bits)
        return (decoder.read_bits(number_of_bits), number_of_bits)


def _unknown_index(name: object) -> int | None:
    if isinstance(name, str) and name.startswith(UNKNOWN_ADDITION):
        suffix = name[len(UNKNOWN_ADDITION):]
        if suffix.isdigit():
            return int(suffix)
    return None


class _KeepingEnumerated(per.Enumerated):
    """ENUMERATED ... : an unknown addition is kept as ``extension-addition-<index>``."""

    def encode(self, data, encoder):
        index = _unknown_index(data)
        if index is not None and self.additions_index_to_data is not None:
            encoder.append_bit(1)
            encoder.append_normally_small_non_negative_whole_number(index)
            return
        if data not in self.root_data_to_index and (
            self.additions_data_to_index is None or data not in self.additions_data_to_index
        ):
            known = list(self.root_data_to_index) + list(self.additions_data_to_index or ())
            raise _ToolEncodeError(f"expected one of {', '.join(map(str, known))}, got {data!r}")
        super().encode(data, encoder)

    def decode(self, decoder):
        if self.additions_index_to_data is None or not decoder.read_bit():
            return self.decode_root(decoder)
        index = decoder.read_normally_small_non_negative_whole_number()
        return self.additions_index_to_data.get(index, f"{UNKNOWN_ADDITION}{index}")


class _KeepingChoice(uper.Choice):
    """CHOICE { ..., ... }: an unknown alternative is kept with its open-type bytes."""

    def encode(self, data, encoder):
        index = _unknown_index(data[0]) if isinstance(data, tuple) and len(data) == 2 else None
        if index is None or self.additions_index_to_member is None:
            super().encode(data, encoder)
            return
        if not isinstance(data[1], bytes | bytearray):
            raise _ToolEncodeError(f"unknown alternative {data[0]} needs its bytes as value")
        encoder.append_bit(1)
        encoder.append_normally_small_non_negative_whole_number(index)
        encoder.append_length_determinant(len(data[1]))
        encoder.append_bytes(bytes(data[1]))

    def decode_additions(self, decoder):
        index = decoder.read_normally_small_non_negative_whole_number()
        member = self.additions_index_to_member.get(index)
        length = decoder.read_length_determinant()
        if member is None:
            return (f"{UNKNOWN_ADDITION}{index}", bytes(decoder.read_bytes(length)))
        start = decoder.number_of_bits
        try:
            value = member.decode(decoder)
        except uper.ErrorWithLocation as exc:
            exc.add_location(member)
            raise
        used = start - decoder.number_of_bits
        if used > 8 * length:
            raise _ToolDecodeError(f"alternative {member.name} overruns its open type")
        decoder.skip_bits(8 * length - used)
        return (member.name, value)


MAX_RECURSION = 32
"""How deep a recursive type (ISO 14823 GddStructure in IVI) may nest inside one message."""


def _decode_nested(name: str, inner, decoder):
    """Decode ``inner`` one recursion level deeper; refuse beyond MAX_RECURSION."""
    depth = getattr(decoder, "v2x_depth", 0)
    if depth >= MAX_RECURSION:
        raise _ToolDecodeError(f"{name} nested deeper than {MAX_RECURSION}")
    decoder.v2x_depth = depth + 1
    try:
        return inner.decode(decoder)
    finally:
        decoder.v2x_depth = depth


class _DepthLimitedRecursive(per.Recursive):
    """A recursive type reference that refuses to nest deeper than MAX_RECURSION."""

    def decode(self, decoder):
        return _decode_nested(self.type_name, self._inner, decoder)


class _KeepingSequence(per.Sequence):
    """SEQUENCE { ..., ... } with two repairs (X.691 clause 19.7 to 19.9).

    Encoding: asn1tools drops an extension addition that fails to encode (a missing mandatory
    member, say) without a word; here the failure is raised with its path. Decoding: asn1tools
    skips additions it does not know; here each is kept as ``"extension-addition-<i>": bytes``
    (its open-type contents) and encoded back in its place.
    """

    def encode(self, data, encoder):
        offset = encoder.offset()
        encoder.append_bit(0)
        self.encode_root(data, encoder)
        if self._encode_additions(data, encoder):
            encoder.set_bit(offset)

    def _encode_additions(self, data, encoder) -> bool:
        parts: dict[int, Any] = {}
        for index, addition in enumerate(self.additions):
            part = encoder.__class__()
            try:
                if isinstance(addition, per.AdditionGroup):
                    if any(member.name in data for member in addition.root_members):
                        addition.encode_root(data, part)
                elif addition.name in data:
                    self.encode_member(addition, data, part, encode_default=True)
            except uper.ErrorWithLocation as exc:
                if addition.name:
                    exc.add_location(addition)
                raise
            if part.number_of_bits > 0 or (addition.name and addition.name in data):
                parts[index] = part
        for key, raw in data.items():
            index = _unknown_index(key)
            if index is None:
                continue
            if index < len(self.additions) or not isinstance(raw, bytes | bytearray):
                raise _ToolEncodeError(f"{key} must be bytes of an addition this schema lacks")
            parts[index] = bytes(raw)
        if not parts:
            return False
        count = max(len(self.additions), max(parts) + 1)
        presence = 0
        for index in range(count):
            presence = (presence << 1) | (index in parts)
        encoder.append_normally_small_length(count)
        encoder.append_non_negative_binary_integer(presence, count)
        encoder.align()
        for index in sorted(parts):
            part = parts[index]
            if isinstance(part, bytes):
                encoder.append_length_determinant(len(part))
                encoder.append_bytes(part)
            else:
                part.align_always()
                encoder.append_length_determinant(part.number_of_bytes())
                encoder += part
        return True

    def decode_additions(self, decoder):
        count = decoder.read_normally_small_length()
        presence = decoder.read_non_negative_binary_integer(count)
        decoder.align()
        decoded: dict[str, Any] = {}
        for index in range(count):
            if not presence & (1 << (count - index - 1)):
                continue
            length = decoder.read_length_determinant()
            if index >= len(self.additions):
                decoded[f"{UNKNOWN_ADDITION}{index}"] = bytes(decoder.read_bytes(length))
                continue
            addition = self.additions[index]
            start = decoder.number_of_bits
            try:
                if isinstance(addition, per.AdditionGroup):
                    decoded.update(addition.decode(decoder))
                else:
                    decoded[addition.name] = addition.decode(decoder)
            except uper.ErrorWithLocation as exc:
                if addition.name:
                    exc.add_location(addition)
                raise
            used = start - decoder.number_of_bits
            if used > 8 * length:
                raise _ToolDecodeError(f"extension addition {index} overruns its open type")
            decoder.skip_bits(8 * length - used)
        return decoded


class _DepthLimitedOerRecursive(oer.Recursive):
    """OER twin of _DepthLimitedRecursive (Ieee1609Dot2Data nests inside SignedDataPayload)."""

    def decode(self, decoder):
        return _decode_nested(self.type_name, self.inner, decoder)


class OerSequenceValue(dict):
    """A decoded OER SEQUENCE that remembers how many extension additions its sender knew.

    X.696 clause 16.4: the extension presence bitmap has one bit per addition known to the
    encoder, so a sender on an older (or newer) schema writes another bitmap length than we would.
    Signatures cover the received bytes, so re-encoding must give that length back.
    """

    extension_bits: int | None = None


class _KeepingOerSequence(oer.Sequence):
    """SEQUENCE { ..., ... } in OER: the received bitmap length and unknown additions are kept
    (as ``"extension-addition-<index>": bytes``); encode errors inside additions are raised, not
    swallowed; the unused-bits octet is right for multiples of 8 additions."""

    def decode(self, decoder):
        extended = decoder.read_bit()
        value = OerSequenceValue(self.decode_root(decoder))
        if extended:
            value.update(self._decode_additions(decoder, value))
        return value

    def _decode_additions(self, decoder, value: OerSequenceValue) -> dict:
        length = decoder.read_length_determinant()
        if length < 1:
            raise _ToolDecodeError("empty extension presence bitmap")
        unused = decoder.read_byte()
        count = 8 * (length - 1) - unused
        if unused > 7 or count < 1:
            raise _ToolDecodeError(f"extension presence bitmap with {unused} unused bits")
        presence = decoder.read_non_negative_binary_integer(count)
        decoder.skip_bits(unused)
        value.extension_bits = count
        decoded: dict[str, Any] = {}
        for index in range(count):
            if not presence & (1 << (count - index - 1)):
                continue
            size = decoder.read_length_determinant()
            if index >= len(self.additions):
                decoded[f"{UNKNOWN_ADDITION}{index}"] = bytes(decoder.read_bytes(size))
                continue
            addition = self.additions[index]
            start = decoder.number_of_bits
            try:
                decoded[addition.name] = addition.decode(decoder)
            except oer.ErrorWithLocation as exc:
                exc.add_location(addition)
                raise
            if start - decoder.number_of_bits != 8 * size:
                raise _ToolDecodeError(f"extension addition {addition.name} does not fill its "
                                       "open type")
        return decoded

    def encode(self, data, encoder):
        offset = encoder.number_of_bits
        encoder.append_bit(0)
        self.encode_root(data, encoder)
        if self._encode_additions(data, encoder):
            encoder.set_bit(offset)

    def _encode_additions(self, data, encoder) -> bool:
        parts: dict[int, Any] = {}
        for index, addition in enumerate(self.additions):
            if addition.name not in data:
                continue
            part = oer.Encoder()
            self.encode_member(addition, data, part, encode_default=True)
            parts[index] = part
        for key, raw in data.items():
            index = _unknown_index(key)
            if index is None:
                continue
            if index < len(self.additions) or not isinstance(raw, bytes | bytearray):
                raise _ToolEncodeError(f"{key} must be bytes of an addition this schema lacks")
            parts[index] = bytes(raw)
        if not parts:
            return False
        count = getattr(data, "extension_bits", None) or len(self.additions)
        count = max(count, max(parts) + 1)
        unused = (8 - count % 8) % 8
        presence = 0
        for index in range(count):
            presence = (presence << 1) | (index in parts)
        encoder.append_length_determinant((count + 7) // 8 + 1)
        encoder.append_non_negative_binary_integer(unused, 8)
        encoder.append_non_negative_binary_integer(presence << unused, count + unused)
        for index in sorted(parts):
            part = parts[index]
            if isinstance(part, bytes):
                encoder.append_length_determinant(len(part))
                encoder.append_bytes(part)
            else:
                encoder.append_length_determinant(part.number_of_bytes())
                encoder += part
        return True


def _limit_oer_recursion(node: Any, seen: set[int]) -> None:
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if type(node) is oer.Sequence and node.additions is not None:
        node.__class__ = _KeepingOerSequence
    if type(node) is oer.Recursive:
        node.__class__ = _DepthLimitedOerRecursive
        _limit_oer_recursion(node.inner, seen)
        return
    if isinstance(node, oer.MembersType | oer.Choice):
        children = list(node.root_members) + list(node.additions or [])
    elif isinstance(node, oer.ArrayType):
        children = [node.element_type]
    else:
        children = []
    for child in children:
        _limit_oer_recursion(child, seen)


def _harden(node: Any, seen: set[int]) -> None:
    """Swap the classes of the compiled UPER types that need the repairs above, recursively."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, uper.BitString) and node.has_extension_marker:
        node.__class__ = _ExtensibleBitString
    elif type(node) is per.Enumerated:
        node.__class__ = _KeepingEnumerated
    elif type(node) is uper.Choice:
        node.__class__ = _KeepingChoice
    elif type(node) is per.Recursive:
        node.__class__ = _DepthLimitedRecursive
    elif type(node) is per.Sequence and node.additions is not None:
        node.__class__ = _KeepingSequence
    for child in _children(node):
        _harden(child, seen)


class _StrictIntegerCheck(type_checker.Integer):
    """INTEGER takes an int (asn1tools' checker also lets str and bool through)."""

    def encode(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            raise _ToolEncodeError(f"Expected an integer, but got {data!r}")


class _KeepingChoiceCheck(type_checker.Choice):
    """Lets a kept unknown alternative ``("extension-addition-<i>", bytes)`` through."""

    def encode(self, data):
        if isinstance(data, tuple) and len(data) == 2 and _unknown_index(data[0]) is not None:
            return
        super().encode(data)


def _harden_checker(node: Any, seen: set[int]) -> None:
    """Tighten asn1tools' type checker tree the same way (it runs before encoding)."""
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if type(node) is type_checker.Integer:
        node.__class__ = _StrictIntegerCheck
    elif type(node) is type_checker.Choice:
        node.__class__ = _KeepingChoiceCheck
    if isinstance(node, type_checker.Dict | type_checker.Choice):
        children = list(node.members)
    elif isinstance(node, type_checker.List):
        children = [node.element_type]
    elif isinstance(node, type_checker.Recursive):
        children = [node.inner]
    else:
        children = []
    for child in children:
        _harden_checker(child, seen)


def _children(node: Any) -> list[Any]:
    if isinstance(node, per.MembersType):
        return list(node.root_members) + list(node.additions or [])
    if isinstance(node, per.Choice):
        return list(node.root_index_to_member.values()) + list(
            (node.additions_index_to_member or {}).values()
        )
    if isinstance(node, per.ArrayType):
        return [node.element_type]
    if isinstance(node, per.Recursive):
        return [node._inner] if node._inner is not None else []
    return []
