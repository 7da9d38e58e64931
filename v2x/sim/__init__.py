"""v2x.sim: SUMO traffic coupled to a discrete-event C-V2X sidelink model, for RSU planning.

Layers (DESIGN.md principle 9): ``engine`` owns time (SimPy, integer microseconds), ``traffic``
hides libsumo/traci/replay behind one protocol, ``radio`` holds the vectorised numpy models, and
``medium`` is the only glue between them.
"""
