"""v2x: a C-V2X and Internet of Vehicles toolkit.

Layers: ``v2x.messages`` (ASN.1 UPER codecs, catalogue, facades), ``v2x.security`` (IEEE 1609.2 /
ETSI TS 103 097 / YD/T 3957) and ``v2x.sim`` (SUMO co-simulation with a C-V2X sidelink model).
"""

__version__ = "0.1.0"
