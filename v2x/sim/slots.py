"""Radio slots: which index of the radio arrays transmits what.

The LTE-V2X model keeps one semi-persistent reservation per radio slot, and a slot's new packet
replaces one still waiting (TS 36.321 behaviour of a single SPS process). A station that sends
several periodic flows at once therefore gets one slot per flow, as a real unit runs one SPS
process per flow:

* ``[0, vehicles)``: vehicles (CAMs), handed out by the CA service;
* one slot per RSU: its receiver, and the first flow it sends;
* then one slot for each further flow of each RSU (SPATEM, MAPEM, IVIM, DENM);
* then one slot per event a vehicle originates (its DENMs, at the vehicle's position).

The flows of one RSU sense each other like any other stations, so they pick different resources;
a flow slot transmitting does not block the RSU's receiver (half duplex is kept per slot).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SlotPlan:
    """The slot layout of a run."""

    vehicles: int
    rsu_flows: tuple[tuple[str, ...], ...]
    """Per RSU, the message kinds it sends (its first one goes out on its receiver slot)."""
    events: int
    """Events originated by vehicles (each gets a slot of its own)."""

    @property
    def rsus(self) -> int:
        return len(self.rsu_flows)

    @property
    def first_extra(self) -> int:
        return self.vehicles + self.rsus

    @property
    def first_event(self) -> int:
        return self.first_extra + sum(max(len(f) - 1, 0) for f in self.rsu_flows)

    @property
    def total(self) -> int:
        return self.first_event + self.events

    @property
    def roadside(self) -> range:
        """Slots of RSU receivers and flows."""
        return range(self.vehicles, self.first_event)

    def receiver(self, rsu: int) -> int:
        """The slot of RSU ``rsu``'s receiver."""
        return self.vehicles + rsu

    def flow(self, rsu: int, kind: str) -> int:
        """The slot on which RSU ``rsu`` sends ``kind``."""
        flows = self.rsu_flows[rsu]
        position = flows.index(kind)
        if position == 0:
            return self.receiver(rsu)
        before = sum(max(len(f) - 1, 0) for f in self.rsu_flows[:rsu])
        return self.first_extra + before + position - 1

    def owner(self) -> list[int]:
        """For every roadside slot (in order), the RSU it belongs to."""
        owners = list(range(self.rsus))
        for rsu, flows in enumerate(self.rsu_flows):
            owners += [rsu] * max(len(flows) - 1, 0)
        return owners

    def event(self, number: int) -> int:
        """The slot of the ``number``-th vehicle-originated event."""
        return self.first_event + number
