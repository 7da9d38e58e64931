"""Verification on several cores: a pool of processes, each with its own trust store.

An RSU hears every vehicle around it; one Python process verifies what one core allows, so
``VerifierPool`` spreads batches over worker processes. Each worker builds a ``TrustStore`` from
the same immutable ``TrustPolicy`` and learns the certificates given up front (CA certificates,
known authorization tickets); certificates carried by messages are learned by whichever worker
sees them. Results come back in input order as ``(report, psid, signer)`` tuples: ``report`` is
``"OK"`` or a ``Report`` name.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from v2x.clock import FixedClock
from v2x.errors import VerificationError
from v2x.security.certificates import Certificate
from v2x.security.trust import TrustPolicy, TrustStore
from v2x.security.verify import verify

Result = tuple[str, int | None, bytes | None]

_store: TrustStore | None = None


def _start_worker(roots: list[bytes], pinned: list[bytes], known: list[bytes],
                  settings: dict) -> None:
    global _store
    policy = TrustPolicy(roots=tuple(Certificate.from_bytes(r) for r in roots),
                         pinned=tuple(Certificate.from_bytes(p) for p in pinned), **settings)
    _store = TrustStore(policy)
    for data in known:
        _store.learn(Certificate.from_bytes(data))


def _verify_batch(batch: list[tuple[bytes, int]]) -> list[Result]:
    assert _store is not None
    clock = FixedClock(0)
    out: list[Result] = []
    for data, now in batch:
        clock.tai_us = now
        try:
            facts = verify(data, trust=_store, clock=clock)
        except VerificationError as exc:
            out.append((str(exc.report), None, None))
        else:
            out.append(("OK", facts.psid, facts.signer))
    return out


class VerifierPool:
    """Verify batches of signed SPDUs in ``workers`` processes."""

    def __init__(self, policy: TrustPolicy, *, known: Sequence[Certificate] = (),
                 workers: int | None = None) -> None:
        settings = {name: getattr(policy, name) for name in (
            "time_tolerance_us", "max_age_us", "replay_window_us", "revoked",
            "max_chain_length", "location_required_psids")}
        self.workers = workers or multiprocessing.cpu_count()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker,
            initargs=([r.data for r in policy.roots], [p.data for p in policy.pinned],
                      [k.data for k in known], settings))

    def verify_many(self, items: Sequence[tuple[bytes, int]],
                    batch_size: int = 256) -> list[Result]:
        """Verify ``(spdu, now_tai_us)`` pairs; results in the same order."""
        batches = [list(items[i:i + batch_size]) for i in range(0, len(items), batch_size)]
        results: list[Result] = []
        for part in self._executor.map(_verify_batch, batches):
            results.extend(part)
        return results

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> VerifierPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
