"""Vectorised C-V2X radio and MAC models (numpy and the standard library only).

One module, one job:

* ``pathloss`` - path-loss presets as a registry (WINNER+ B1 LOS/NLOS, TR 37.885 highway, free
  space, log-distance, tunnel); ``TabulatedPathLoss`` for the hot path; ``with_antenna_heights``
  for stations (RSUs on masts) with their own antenna height.
* ``shadowing`` - log-normal shadowing with Gudmundson spatial decorrelation (AR(1) per link).
* ``phy`` - noise, sub-channel layout, transport block sizes, SINR → BLER tables
  (``BlerThresholds`` for the hot path), ``LossCause``.
* ``sidelink`` - LTE-V2X mode 4 sensing-based semi-persistent scheduling (TS 36.213 §14.1.1.6):
  the sensing memory and the selection (steps 4-9) as a function of a UE's sensing.
* ``channel`` - channel busy ratio over 100 ms (TS 36.214 §5.1.30).
* ``links`` - neighbour links within range (spatial grid, Verlet list; never N×N), with their own
  path loss and range for links to stations of another antenna height.
* ``network`` - ``SidelinkNetwork``: the whole fleet, one numpy pass per window of up to 100
  subframes, the MAC exact to the subframe (selections sense on demand what preceded them).
"""

from v2x.sim.radio.network import (
    RadioConfig,
    Receptions,
    SidelinkNetwork,
    StepResult,
    Transmissions,
    named_stream,
)
from v2x.sim.radio.pathloss import (
    PATHLOSS_MODELS,
    TabulatedPathLoss,
    pathloss_model,
    with_antenna_heights,
)
from v2x.sim.radio.phy import BLER_CURVES, LossCause, SubchannelLayout, bler_curve, noise_dbm
from v2x.sim.radio.shadowing import ShadowingConfig
from v2x.sim.radio.sidelink import SpsConfig

__all__ = [
    "BLER_CURVES",
    "PATHLOSS_MODELS",
    "LossCause",
    "RadioConfig",
    "Receptions",
    "ShadowingConfig",
    "SidelinkNetwork",
    "SpsConfig",
    "StepResult",
    "SubchannelLayout",
    "TabulatedPathLoss",
    "Transmissions",
    "bler_curve",
    "named_stream",
    "noise_dbm",
    "pathloss_model",
    "with_antenna_heights",
]
