"""Typed facades of the ETSI C-ITS release 1 messages (SI units in, wire units out, and back).

* ``cam``: CAM, ETSI EN 302 637-2 V1.4.1
* ``denm``: DENM, ETSI EN 302 637-3 V1.3.1
* ``cdd``: the common data dictionary pieces both use, ETSI TS 102 894-2 V1.3.1

Unit, rounding and "unavailable" rules are in ``v2x.messages.units``.
"""
