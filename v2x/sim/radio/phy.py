"""LTE-V2X sidelink physical layer: noise, sub-channel layout, transport blocks, SINR → BLER.

Numbers and their sources:

* Thermal noise −174 dBm/Hz plus the receiver noise figure (9 dB in 3GPP TR 36.885 Table
  A.1.2-1); the noise of a packet is counted over its PSSCH resource blocks. A resource block is
  180 kHz (12 sub-carriers × 15 kHz, TS 36.211); Gonzalez-Martín et al. instead spread −95 dBm
  over the 50 RBs of 10 MHz (−95 − 10·log10(50/RBs), i.e. 200 kHz a block), which
  ``SubchannelLayout.noise_bandwidth_per_rb_hz = 200e3`` reproduces.
* Sub-channels: a pool of ``n_subchannels`` × ``subchannel_size_rb`` RBs; with adjacent PSCCH the
  control channel takes 2 RBs of the first sub-channel of a transmission (TS 36.213 §14.1.1.4C,
  TS 36.211 §9.8), the PSSCH the rest. 10 MHz = 50 RBs (TS 36.101). Gonzalez-Martín et al. use
  4 sub-channels of 12 RBs, a 190-byte packet in 10 PSSCH RBs.
* Transport block sizes: TS 36.213 Table 7.1.7.2.1-1 (rows I_TBS 0–18, N_PRB 1–110, as
  transcribed in the public ``ltea`` MAC sources); I_MCS → (Qm, I_TBS) by TS 36.213 Table 8.6.1-1
  (PSSCH uses the PUSCH table, TS 36.213 §14.1.1). MCS 9 carries 1544 bits in 10 RBs: 190 bytes.
* BLER tables: BLER vs SINR of a 190-byte packet at 280 km/h relative speed from 3GPP R1-160284
  ("DMRS enhancement of V2V"), as published by Gonzalez-Martín et al. in ``get_BLER.m``: QPSK
  r ≈ 0.7 (10 RBs, 4 sub-channels) and QPSK r ≈ 0.5 (12 RBs, 2 sub-channels). Between points the
  BLER is linearly interpolated in dB; below the table it is the first value, above the last.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

THERMAL_NOISE_DBM_PER_HZ = -174.0
RB_BANDWIDTH_HZ = 180e3
SUBCARRIERS_PER_RB = 12


class LossCause(enum.IntEnum):
    """Outcome of one reception opportunity; every lost packet has exactly one cause.

    Checked in this order (Gonzalez-Martín et al., eq. 6): the receiver was transmitting
    (half duplex); the received power was under the decoding threshold (below sensing); the packet
    would have been lost without interference (propagation, BLER at the SNR); it was lost only
    because of interference (collision, BLER at the SINR with one common uniform draw).
    """

    RECEIVED = 0
    HALF_DUPLEX = 1
    BELOW_SENSING = 2
    PROPAGATION = 3
    COLLISION = 4


def noise_dbm(n_rb: int | np.ndarray, noise_figure_db: float = 9.0,
              rb_bandwidth_hz: float = RB_BANDWIDTH_HZ) -> np.ndarray:
    """Noise power over ``n_rb`` resource blocks: −174 dBm/Hz + 10·log10(B) + NF."""
    bandwidth = np.asarray(n_rb, dtype=np.float64) * rb_bandwidth_hz
    return THERMAL_NOISE_DBM_PER_HZ + 10.0 * np.log10(bandwidth) + noise_figure_db


@dataclass(frozen=True)
class SubchannelLayout:
    """The sidelink resource pool in frequency: sub-channels of RBs, PSCCH adjacent or not.

    The default (10 MHz, 5 sub-channels of 10 RBs, adjacent PSCCH) is a configuration that
    TS 36.331 ``SL-CommResourcePoolV2X`` allows; ``paper_layout()`` gives the 4 × 12 RBs of the
    validation paper.
    """

    channel_bandwidth_hz: float = 10e6
    n_rb: int = 50
    n_subchannels: int = 5
    subchannel_size_rb: int = 10
    pscch_rb: int = 2
    adjacent_pscch: bool = True
    noise_bandwidth_per_rb_hz: float = RB_BANDWIDTH_HZ

    def __post_init__(self) -> None:
        if self.n_subchannels < 1 or self.subchannel_size_rb < 1:
            raise ValueError("a layout needs at least one sub-channel of at least one RB")
        if self.n_subchannels * self.subchannel_size_rb > self.n_rb:
            raise ValueError("sub-channels do not fit in the channel's resource blocks")
        if self.adjacent_pscch and self.subchannel_size_rb <= self.pscch_rb:
            raise ValueError("with adjacent PSCCH a sub-channel must be larger than the PSCCH")

    def pssch_rb(self, n_subchannels: int | np.ndarray) -> np.ndarray:
        """PSSCH resource blocks of a transmission on ``n_subchannels`` adjacent sub-channels."""
        rbs = np.asarray(n_subchannels) * self.subchannel_size_rb
        return rbs - self.pscch_rb if self.adjacent_pscch else rbs


def paper_layout() -> SubchannelLayout:
    """Gonzalez-Martín et al.: 10 MHz, 4 sub-channels of 12 RBs, noise −95 dBm per 10 MHz."""
    return SubchannelLayout(n_subchannels=4, subchannel_size_rb=12,
                            noise_bandwidth_per_rb_hz=10e6 / 50)


_TBS_ROWS = """
16 32 56 88 120 152 176 208 224 256 288 328 344 376 392 424 456 488 504 536 568 600 616 648 680 712
744 776 776 808 840 872 904 936 968 1000 1032 1032 1064 1096 1128 1160 1192 1224 1256 1256 1288
1320 1352 1384 1416 1416 1480 1480 1544 1544 1608 1608 1608 1672 1672 1736 1736 1800 1800 1800
1864 1864 1928 1928 1992 1992 2024 2088 2088 2088 2152 2152 2216 2216 2280 2280 2280 2344 2344
2408 2408 2472 2472 2536 2536 2536 2600 2600 2664 2664 2728 2728 2728 2792 2792 2856 2856 2856
2984 2984 2984 2984 2984 3112
;
24 56 88 144 176 208 224 256 328 344 376 424 456 488 520 568 600 632 680 712 744 776 808 872 904
936 968 1000 1032 1064 1128 1160 1192 1224 1256 1288 1352 1384 1416 1416 1480 1544 1544 1608 1608
1672 1736 1736 1800 1800 1864 1864 1928 1992 1992 2024 2088 2088 2152 2152 2216 2280 2280 2344
2344 2408 2472 2472 2536 2536 2600 2600 2664 2728 2728 2792 2792 2856 2856 2856 2984 2984 2984
3112 3112 3112 3240 3240 3240 3240 3368 3368 3368 3496 3496 3496 3496 3624 3624 3624 3752 3752
3752 3752 3880 3880 3880 4008 4008 4008
;
32 72 144 176 208 256 296 328 376 424 472 520 568 616 648 696 744 776 840 872 936 968 1000 1064
1096 1160 1192 1256 1288 1320 1384 1416 1480 1544 1544 1608 1672 1672 1736 1800 1800 1864 1928
1992 2024 2088 2088 2152 2216 2216 2280 2344 2344 2408 2472 2536 2536 2600 2664 2664 2728 2792
2856 2856 2856 2984 2984 3112 3112 3112 3240 3240 3240 3368 3368 3368 3496 3496 3496 3624 3624
3624 3752 3752 3880 3880 3880 4008 4008 4008 4136 4136 4136 4264 4264 4264 4392 4392 4392 4584
4584 4584 4584 4584 4776 4776 4776 4776 4968 4968
;
40 104 176 208 256 328 392 440 504 568 616 680 744 808 872 904 968 1032 1096 1160 1224 1256 1320
1384 1416 1480 1544 1608 1672 1736 1800 1864 1928 1992 2024 2088 2152 2216 2280 2344 2408 2472
2536 2536 2600 2664 2728 2792 2856 2856 2984 2984 3112 3112 3240 3240 3368 3368 3496 3496 3624
3624 3624 3752 3752 3880 3880 4008 4008 4136 4136 4264 4264 4392 4392 4392 4584 4584 4584 4776
4776 4776 4776 4968 4968 4968 5160 5160 5160 5352 5352 5352 5352 5544 5544 5544 5736 5736 5736
5736 5992 5992 5992 5992 6200 6200 6200 6200 6456 6456
;
56 120 208 256 328 408 488 552 632 696 776 840 904 1000 1064 1128 1192 1288 1352 1416 1480 1544
1608 1736 1800 1864 1928 1992 2088 2152 2216 2280 2344 2408 2472 2600 2664 2728 2792 2856 2984
2984 3112 3112 3240 3240 3368 3496 3496 3624 3624 3752 3752 3880 4008 4008 4136 4136 4264 4264
4392 4392 4584 4584 4584 4776 4776 4968 4968 4968 5160 5160 5160 5352 5352 5544 5544 5544 5736
5736 5736 5992 5992 5992 5992 6200 6200 6200 6456 6456 6456 6456 6712 6712 6712 6968 6968 6968
6968 7224 7224 7224 7480 7480 7480 7480 7736 7736 7736 7992
;
72 144 224 328 424 504 600 680 776 872 968 1032 1128 1224 1320 1384 1480 1544 1672 1736 1864 1928
2024 2088 2216 2280 2344 2472 2536 2664 2728 2792 2856 2984 3112 3112 3240 3368 3496 3496 3624
3752 3752 3880 4008 4008 4136 4264 4392 4392 4584 4584 4776 4776 4776 4968 4968 5160 5160 5352
5352 5544 5544 5736 5736 5736 5992 5992 5992 6200 6200 6200 6456 6456 6712 6712 6712 6968 6968
6968 7224 7224 7224 7480 7480 7480 7736 7736 7736 7992 7992 7992 8248 8248 8248 8504 8504 8760
8760 8760 8760 9144 9144 9144 9144 9528 9528 9528 9528 9528
;
88 176 256 392 504 600 712 808 936 1032 1128 1224 1352 1480 1544 1672 1736 1864 1992 2088 2216
2280 2408 2472 2600 2728 2792 2984 2984 3112 3240 3368 3496 3496 3624 3752 3880 4008 4136 4136
4264 4392 4584 4584 4776 4776 4968 4968 5160 5160 5352 5352 5544 5736 5736 5992 5992 5992 6200
6200 6456 6456 6456 6712 6712 6968 6968 6968 7224 7224 7480 7480 7736 7736 7736 7992 7992 8248
8248 8248 8504 8504 8760 8760 8760 9144 9144 9144 9144 9528 9528 9528 9528 9912 9912 9912 10296
10296 10296 10296 10680 10680 10680 10680 11064 11064 11064 11448 11448 11448
;
104 224 328 472 584 712 840 968 1096 1224 1320 1480 1608 1672 1800 1928 2088 2216 2344 2472 2536
2664 2792 2984 3112 3240 3368 3368 3496 3624 3752 3880 4008 4136 4264 4392 4584 4584 4776 4968
4968 5160 5352 5352 5544 5736 5736 5992 5992 6200 6200 6456 6456 6712 6712 6712 6968 6968 7224
7224 7480 7480 7736 7736 7992 7992 8248 8248 8504 8504 8760 8760 8760 9144 9144 9144 9528 9528
9528 9912 9912 9912 10296 10296 10296 10680 10680 10680 11064 11064 11064 11448 11448 11448
11448 11832 11832 11832 12216 12216 12216 12576 12576 12576 12960 12960 12960 12960 13536 13536
;
120 256 392 536 680 808 968 1096 1256 1384 1544 1672 1800 1928 2088 2216 2344 2536 2664 2792 2984
3112 3240 3368 3496 3624 3752 3880 4008 4264 4392 4584 4584 4776 4968 4968 5160 5352 5544 5544
5736 5992 5992 6200 6200 6456 6456 6712 6968 6968 7224 7224 7480 7480 7736 7736 7992 7992 8248
8504 8504 8760 8760 9144 9144 9144 9528 9528 9528 9912 9912 9912 10296 10296 10680 10680 10680
11064 11064 11064 11448 11448 11448 11832 11832 12216 12216 12216 12576 12576 12576 12960 12960
12960 13536 13536 13536 13536 14112 14112 14112 14112 14688 14688 14688 14688 15264 15264 15264
15264
;
136 296 456 616 776 936 1096 1256 1416 1544 1736 1864 2024 2216 2344 2536 2664 2856 2984 3112
3368 3496 3624 3752 4008 4136 4264 4392 4584 4776 4968 5160 5160 5352 5544 5736 5736 5992 6200
6200 6456 6712 6712 6968 6968 7224 7480 7480 7736 7992 7992 8248 8248 8504 8760 8760 9144 9144
9144 9528 9528 9912 9912 10296 10296 10296 10680 10680 11064 11064 11064 11448 11448 11832 11832
11832 12216 12216 12576 12576 12960 12960 12960 13536 13536 13536 13536 14112 14112 14112 14112
14688 14688 14688 15264 15264 15264 15264 15840 15840 15840 16416 16416 16416 16416 16992 16992
16992 16992 17568
;
144 328 504 680 872 1032 1224 1384 1544 1736 1928 2088 2280 2472 2664 2792 2984 3112 3368 3496
3752 3880 4008 4264 4392 4584 4776 4968 5160 5352 5544 5736 5736 5992 6200 6200 6456 6712 6712
6968 7224 7480 7480 7736 7992 7992 8248 8504 8504 8760 9144 9144 9144 9528 9528 9912 9912 10296
10296 10680 10680 11064 11064 11448 11448 11448 11832 11832 12216 12216 12576 12576 12960 12960
12960 13536 13536 13536 14112 14112 14112 14688 14688 14688 14688 15264 15264 15264 15840 15840
15840 16416 16416 16416 16992 16992 16992 16992 17568 17568 17568 18336 18336 18336 18336 18336
19080 19080 19080 19080
;
176 376 584 776 1000 1192 1384 1608 1800 2024 2216 2408 2600 2792 2984 3240 3496 3624 3880 4008
4264 4392 4584 4776 4968 5352 5544 5736 5992 5992 6200 6456 6712 6968 6968 7224 7480 7736 7736
7992 8248 8504 8760 8760 9144 9144 9528 9528 9912 9912 10296 10680 10680 11064 11064 11448 11448
11832 11832 12216 12216 12576 12576 12960 12960 13536 13536 13536 14112 14112 14112 14688 14688
14688 15264 15264 15840 15840 15840 16416 16416 16416 16992 16992 16992 17568 17568 17568 18336
18336 18336 18336 19080 19080 19080 19080 19848 19848 19848 19848 20616 20616 20616 21384 21384
21384 21384 22152 22152 22152
;
208 440 680 904 1128 1352 1608 1800 2024 2280 2472 2728 2984 3240 3368 3624 3880 4136 4392 4584
4776 4968 5352 5544 5736 5992 6200 6456 6712 6712 6968 7224 7480 7736 7992 8248 8504 8760 8760
9144 9528 9528 9912 9912 10296 10680 10680 11064 11064 11448 11832 11832 12216 12216 12576 12576
12960 12960 13536 13536 14112 14112 14112 14688 14688 15264 15264 15264 15840 15840 16416 16416
16416 16992 16992 17568 17568 17568 18336 18336 18336 19080 19080 19080 19080 19848 19848 19848
20616 20616 20616 21384 21384 21384 21384 22152 22152 22152 22920 22920 22920 23688 23688 23688
23688 24496 24496 24496 24496 25456
;
224 488 744 1000 1256 1544 1800 2024 2280 2536 2856 3112 3368 3624 3880 4136 4392 4584 4968 5160
5352 5736 5992 6200 6456 6712 6968 7224 7480 7736 7992 8248 8504 8760 9144 9144 9528 9912 9912
10296 10680 10680 11064 11448 11448 11832 12216 12216 12576 12960 12960 13536 13536 14112 14112
14688 14688 14688 15264 15264 15840 15840 16416 16416 16992 16992 16992 17568 17568 18336 18336
18336 19080 19080 19080 19848 19848 19848 20616 20616 20616 21384 21384 21384 22152 22152 22152
22920 22920 22920 23688 23688 23688 24496 24496 24496 25456 25456 25456 25456 26416 26416 26416
26416 27376 27376 27376 27376 28336 28336
;
256 552 840 1128 1416 1736 1992 2280 2600 2856 3112 3496 3752 4008 4264 4584 4968 5160 5544 5736
5992 6200 6456 6968 7224 7480 7736 7992 8248 8504 8760 9144 9528 9912 9912 10296 10680 11064
11064 11448 11832 12216 12216 12576 12960 12960 13536 13536 14112 14112 14688 14688 15264 15264
15840 15840 16416 16416 16992 16992 17568 17568 18336 18336 18336 19080 19080 19848 19848 19848
20616 20616 20616 21384 21384 22152 22152 22152 22920 22920 22920 23688 23688 24496 24496 24496
25456 25456 25456 25456 26416 26416 26416 27376 27376 27376 28336 28336 28336 28336 29296 29296
29296 29296 30576 30576 30576 30576 31704 31704
;
280 600 904 1224 1544 1800 2152 2472 2728 3112 3368 3624 4008 4264 4584 4968 5160 5544 5736 6200
6456 6712 6968 7224 7736 7992 8248 8504 8760 9144 9528 9912 10296 10296 10680 11064 11448 11832
11832 12216 12576 12960 12960 13536 13536 14112 14688 14688 15264 15264 15840 15840 16416 16416
16992 16992 17568 17568 18336 18336 18336 19080 19080 19848 19848 20616 20616 20616 21384 21384
22152 22152 22152 22920 22920 23688 23688 23688 24496 24496 24496 25456 25456 25456 26416 26416
26416 27376 27376 27376 28336 28336 28336 29296 29296 29296 29296 30576 30576 30576 30576 31704
31704 31704 31704 32856 32856 32856 34008 34008
;
328 632 968 1288 1608 1928 2280 2600 2984 3240 3624 3880 4264 4584 4968 5160 5544 5992 6200 6456
6712 7224 7480 7736 7992 8504 8760 9144 9528 9912 9912 10296 10680 11064 11448 11832 12216 12216
12576 12960 13536 13536 14112 14112 14688 14688 15264 15840 15840 16416 16416 16992 16992 17568
17568 18336 18336 19080 19080 19848 19848 19848 20616 20616 21384 21384 22152 22152 22152 22920
22920 23688 23688 24496 24496 24496 25456 25456 25456 26416 26416 26416 27376 27376 27376 28336
28336 28336 29296 29296 29296 30576 30576 30576 30576 31704 31704 31704 31704 32856 32856 32856
34008 34008 34008 34008 35160 35160 35160 35160
;
336 696 1064 1416 1800 2152 2536 2856 3240 3624 4008 4392 4776 5160 5352 5736 6200 6456 6712 7224
7480 7992 8248 8760 9144 9528 9912 10296 10296 10680 11064 11448 11832 12216 12576 12960 13536
13536 14112 14688 14688 15264 15264 15840 16416 16416 16992 17568 17568 18336 18336 19080 19080
19848 19848 20616 20616 20616 21384 21384 22152 22152 22920 22920 23688 23688 24496 24496 24496
25456 25456 26416 26416 26416 27376 27376 27376 28336 28336 29296 29296 29296 30576 30576 30576
30576 31704 31704 31704 32856 32856 32856 34008 34008 34008 35160 35160 35160 35160 36696 36696
36696 36696 37888 37888 37888 39232 39232 39232 39232
;
376 776 1160 1544 1992 2344 2792 3112 3624 4008 4392 4776 5160 5544 5992 6200 6712 7224 7480 7992
8248 8760 9144 9528 9912 10296 10680 11064 11448 11832 12216 12576 12960 13536 14112 14112 14688
15264 15264 15840 16416 16416 16992 17568 17568 18336 18336 19080 19080 19848 19848 20616 21384
21384 22152 22152 22920 22920 23688 23688 24496 24496 24496 25456 25456 26416 26416 27376 27376
27376 28336 28336 29296 29296 29296 30576 30576 30576 31704 31704 31704 32856 32856 32856 34008
34008 34008 35160 35160 35160 36696 36696 36696 37888 37888 37888 37888 39232 39232 39232 40576
40576 40576 40576 42368 42368 42368 42368 43816 43816
"""

TBS_BITS = np.array([[int(v) for v in row.split()] for row in _TBS_ROWS.split(";")],
                    dtype=np.int64)
"""TS 36.213 Table 7.1.7.2.1-1: ``TBS_BITS[I_TBS, N_PRB - 1]`` for I_TBS 0–18, N_PRB 1–110."""

MAX_SIDELINK_MCS = 19
"""Highest PSSCH MCS tabulated here (I_TBS 18, 16QAM); MCS 20 and 64QAM (Rel-15) are not."""


def mcs_to_tbs_index(mcs: int) -> tuple[int, int]:
    """(modulation order Qm, I_TBS) for I_MCS by TS 36.213 Table 8.6.1-1."""
    if not 0 <= mcs <= MAX_SIDELINK_MCS:
        raise ValueError(f"sidelink MCS must be 0..{MAX_SIDELINK_MCS}, got {mcs}")
    if mcs <= 10:
        return 2, mcs
    return 4, mcs - 1


def transport_block_bits(mcs: int, n_prb: int) -> int:
    """Transport block size in bits for ``n_prb`` PSSCH resource blocks at ``mcs``."""
    _, itbs = mcs_to_tbs_index(mcs)
    if not 1 <= n_prb <= TBS_BITS.shape[1]:
        raise ValueError(f"N_PRB must be 1..{TBS_BITS.shape[1]}, got {n_prb}")
    return int(TBS_BITS[itbs, n_prb - 1])


def subchannel_capacity_bits(mcs: int, layout: SubchannelLayout) -> np.ndarray:
    """Bits a transmission on L = 1..n_subchannels sub-channels carries (index L − 1)."""
    counts = np.arange(1, layout.n_subchannels + 1)
    return np.array([transport_block_bits(mcs, int(rb)) for rb in layout.pssch_rb(counts)],
                    dtype=np.int64)


def subchannels_for_packet(size_bytes: int | np.ndarray, mcs: int,
                           layout: SubchannelLayout) -> np.ndarray:
    """Fewest adjacent sub-channels whose transport block holds ``size_bytes`` (vectorised).

    Raises ``ValueError`` when a packet does not fit the whole pool at this MCS.
    """
    capacity = subchannel_capacity_bits(mcs, layout)
    bits = np.asarray(size_bytes, dtype=np.int64) * 8
    needed = np.searchsorted(capacity, bits, side="left") + 1
    if np.any(needed > layout.n_subchannels):
        raise ValueError(f"a packet of {int(np.max(bits)) // 8} bytes does not fit "
                         f"{layout.n_subchannels} sub-channels at MCS {mcs}")
    return needed


@dataclass(frozen=True)
class BlerCurve:
    """BLER vs SINR points (dB); linear interpolation between them, flat outside."""

    name: str
    sinr_db: tuple[float, ...]
    bler: tuple[float, ...]
    source: str
    _grid_step_db: float = field(default=0.01, repr=False)

    def __post_init__(self) -> None:
        if len(self.sinr_db) != len(self.bler) or len(self.bler) < 2:
            raise ValueError("a BLER curve needs matching SINR and BLER points")
        if any(b > a for a, b in zip(self.sinr_db[1:], self.sinr_db[:-1], strict=True)):
            raise ValueError("SINR points must not decrease")

    def __call__(self, sinr_db: np.ndarray | float) -> np.ndarray:
        """Exact linear interpolation (``np.interp``)."""
        return np.interp(np.asarray(sinr_db, dtype=np.float64), self.sinr_db, self.bler)

    def lookup(self) -> BlerLookup:
        """A fast grid version of this curve for the per-link hot path."""
        return BlerLookup(self, self._grid_step_db)


class BlerLookup:
    """A BLER curve sampled every ``step_db``; nearest grid point (error < 0.001 BLER)."""

    def __init__(self, curve: BlerCurve, step_db: float = 0.01) -> None:
        lo = math.floor(curve.sinr_db[0]) - 1.0
        hi = math.ceil(curve.sinr_db[-1]) + 1.0
        grid = np.arange(lo, hi + step_db, step_db)
        self._lo = np.float32(lo)
        self._scale = np.float32(1.0 / step_db)
        self._table = curve(grid).astype(np.float32)
        self._last = grid.size - 1

    def __call__(self, sinr_db: np.ndarray) -> np.ndarray:
        idx = (np.asarray(sinr_db, dtype=np.float32) - self._lo) * self._scale + np.float32(0.5)
        return self._table[np.clip(idx, 0, self._last).astype(np.intp)]


class BlerThresholds:
    """A BLER curve as uint32 loss thresholds indexed by the float32 bits of the linear SINR.

    ``index`` takes the sign-less float32 bit pattern of the SINR shifted right by 13 bits: bins
    of relative width 2⁻¹⁰ (0.004 dB), each holding the BLER at its geometric middle (error
    < 0.002 dB in SINR). A reception with uniform 32-bit draw u is lost when u < threshold
    (BLER · 2³²), which needs neither a logarithm nor a float uniform. Flat outside the curve.
    """

    SHIFT = 13

    def __init__(self, curve: BlerCurve) -> None:
        lo = np.float32(10.0 ** ((curve.sinr_db[0] - 1.0) / 10.0))
        hi = np.float32(10.0 ** ((curve.sinr_db[-1] + 1.0) / 10.0))
        self.base = int(np.array(lo).view(np.int32)) >> self.SHIFT
        top = (int(np.array(hi).view(np.int32)) >> self.SHIFT) + 1
        bins = np.arange(self.base, top + 1, dtype=np.int64)
        middle = ((bins << self.SHIFT) | (1 << (self.SHIFT - 1))).astype(np.int32)
        sinr_db = 10.0 * np.log10(middle.view(np.float32).astype(np.float64))
        self.table = np.minimum(np.round(curve(sinr_db) * 2.0**32), 2.0**32 - 1).astype(np.uint32)
        self.last = self.table.size - 1

    def into(self, sinr_lin: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        """Thresholds of positive float32 linear SINRs into ``out`` (uint32); ``scratch`` is an
        int32 array of the same size."""
        np.right_shift(sinr_lin.view(np.int32), self.SHIFT, out=scratch)
        np.subtract(scratch, np.int32(self.base), out=scratch)
        np.clip(scratch, 0, self.last, out=scratch)
        return np.take(self.table, scratch, out=out, mode="clip")


_R1_160284 = ("3GPP R1-160284 (DMRS enhancement of V2V), 190 bytes, 280 km/h relative speed, as "
              "tabulated in Gonzalez-Martin et al.'s get_BLER.m (github.com/msepulcre/C-V2X)")

BLER_CURVES: Mapping[str, BlerCurve] = {
    curve.name: curve for curve in (
        BlerCurve("r1-160284-190B-qpsk-r0.7",
                  (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 20.000001),
                  (1.0, 0.9, 0.7, 0.4, 0.13, 0.045, 0.017, 0.007, 1e-3, 1e-3, 1e-3, 1e-4),
                  _R1_160284 + "; QPSK r~0.7 in 10 RBs (MCS 9), 4 sub-channels of 12 RBs"),
        BlerCurve("r1-160284-190B-qpsk-r0.5",
                  (-2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 20.000001),
                  (1.0, 0.9, 0.7, 0.3, 0.09, 0.02, 0.002, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-4),
                  _R1_160284 + "; QPSK r~0.5 in 12 RBs, 2 sub-channels"),
    )
}
"""Registry of BLER tables; adding one is one row here."""


def sinr_threshold_curve(threshold_db: float) -> BlerCurve:
    """A step 'curve': lost below ``threshold_db``, received at or above it."""
    return BlerCurve(f"threshold-{threshold_db:g}dB", (threshold_db - 1e-6, threshold_db),
                     (1.0, 0.0), "SINR threshold model")


def bler_curve(name: str) -> BlerCurve:
    """The registered curve ``name``, or a threshold model written ``threshold:<dB>``."""
    if name.startswith("threshold:"):
        return sinr_threshold_curve(float(name.split(":", 1)[1]))
    try:
        return BLER_CURVES[name]
    except KeyError:
        known = ", ".join(sorted(BLER_CURVES))
        raise ValueError(f"unknown BLER curve {name!r} (known: {known}, threshold:<dB>)") from None
