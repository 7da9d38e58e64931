"""Typed facades of the China C-V2X message set (SI units in, wire units out, and back).

* ``bsm``: BSM in a MessageFrame, T/CSAE 53-2020 (= YD/T 3709-2020), phase 1

Unit, rounding and "unavailable" rules are in ``v2x.messages.units``.
"""
