"""The process-pool verifier gives the same verdicts as one process, in input order."""

from __future__ import annotations

from tests.security.pki_support import START_S, Pki
from v2x.clock import FixedClock
from v2x.security.pool import VerifierPool
from v2x.security.sign import sign
from v2x.security.trust import TrustPolicy


def test_pool_verdicts_in_order():
    pki = Pki()
    clock = FixedClock((START_S + 3600) * 1_000_000)
    signer = pki.signer()
    items = []
    for i in range(40):
        items.append((sign(bytes([i]) * 50, signer, psid=36, clock=clock), clock.now_tai_us()))
        clock.advance(100_000)
    tampered = bytearray(items[5][0])
    tampered[15] ^= 1
    items[5] = (bytes(tampered), items[5][1])
    items.append((sign(b"x", signer, psid=138, clock=clock), clock.now_tai_us()))
    with VerifierPool(TrustPolicy(roots=(pki.root,)), known=(pki.aa, pki.at),
                      workers=2) as pool:
        results = pool.verify_many(items, batch_size=8)
    assert [r[0] for r in results] == (["OK"] * 5 + ["FALSE_SIGNATURE"] + ["OK"] * 34
                                       + ["INSUFFICIENT_PERMISSIONS"])
    assert all(r[1] == 36 and r[2] == pki.at.hashed_id8 for r in results[:5])
