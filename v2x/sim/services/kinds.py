"""The message kinds stations send in a run, their ITS-AIDs and station identifiers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("cam", "denm", "spatem", "mapem", "ivim")
"""Kind codes are indices into this tuple (arrays carry the code)."""
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
ITS_AID = {"cam": 36, "denm": 37, "spatem": 137, "mapem": 138, "ivim": 139}
"""ETSI TS 102 965 application identifiers (PSIDs in the security headers)."""


def station_id(name: str) -> int:
    """A stable 32-bit StationID for a SUMO vehicle id or an RSU name (FNV-1a)."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@dataclass
class Outgoing:
    """Messages for the medium: sender slot, generation instant, bytes, kind and a tag (the
    event number of a DENM, -1 otherwise)."""

    slots: list[int]
    generated_us: list[int]
    payloads: list[bytes]
    kinds: list[int]
    tags: list[int]

    @classmethod
    def empty(cls) -> Outgoing:
        return cls([], [], [], [], [])

    def __len__(self) -> int:
        return len(self.slots)

    def add(self, slot: int, when_us: int, payload: bytes, kind: str, tag: int = -1) -> None:
        self.slots.append(slot)
        self.generated_us.append(when_us)
        self.payloads.append(payload)
        self.kinds.append(KIND_CODE[kind])
        self.tags.append(tag)

    def extend(self, other: Outgoing) -> None:
        for mine, theirs in zip((self.slots, self.generated_us, self.payloads, self.kinds,
                                 self.tags), (other.slots, other.generated_us, other.payloads,
                                              other.kinds, other.tags), strict=True):
            mine.extend(theirs)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, list[bytes], np.ndarray, np.ndarray]:
        """(slots, generated_us, payloads, kinds, tags) for ``Medium.send``."""
        return (np.array(self.slots, dtype=np.int64), np.array(self.generated_us, dtype=np.int64),
                self.payloads, np.array(self.kinds, dtype=np.int64),
                np.array(self.tags, dtype=np.int64))
