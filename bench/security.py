"""Secured-message speed: sign rate, secured RX rate against raw ECDSA, peers, process pool.

Measured in one run and printed with ratios (never asserted):
* signed-CAM sign rate (ETSI certificate rule: the certificate once a second at 10 Hz);
* secured RX (fast read, chain from a warm store, every receiver check, signature) for P-256 and
  brainpoolP256r1, and the raw ``cryptography`` verify rate of the same curve;
* v2xflexstack verifying the real VW Golf 8 CAM, when its throwaway venv exists
  (``python3 -m venv /tmp/flexstack-venv && /tmp/flexstack-venv/bin/pip install v2xflexstack``;
  AGPL, measured only, never a dependency);
* the process-pool verifier on this machine's cores; SM2 (YD/T 3957) secured RX for reference.

Run: python bench/security.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security.pki_support import START_S, Pki  # noqa: E402
from v2x.clock import FixedClock  # noqa: E402
from v2x.errors import VerificationError  # noqa: E402
from v2x.security.pool import VerifierPool  # noqa: E402
from v2x.security.primitives import ecdsa  # noqa: E402
from v2x.security.sign import sign  # noqa: E402
from v2x.security.trust import TrustPolicy, TrustStore  # noqa: E402
from v2x.security.verify import verify  # noqa: E402

FLEXSTACK_PYTHON = Path("/tmp/flexstack-venv/bin/python")
CAM_PAYLOAD = bytes(range(256))[:120]


def signed_cams(pki: Pki, count: int) -> list[tuple[bytes, int]]:
    """``count`` CAMs of one station at 10 Hz, signed by the ETSI rule."""
    clock = FixedClock((START_S + 3600) * 1_000_000)
    signer = pki.signer()
    out = []
    for _ in range(count):
        out.append((sign(CAM_PAYLOAD, signer, psid=36, clock=clock), clock.now_tai_us()))
        clock.advance(100_000)
    return out


def rate(function, count: int) -> float:
    started = time.perf_counter()
    function()
    return count / (time.perf_counter() - started)


def secured_rx(pki: Pki, messages: list[tuple[bytes, int]]) -> float:
    store = TrustStore(TrustPolicy(roots=(pki.root,)))
    store.learn(pki.aa)
    store.learn(pki.at)  # certificate cache warm
    clock = FixedClock(0)

    def run():
        for data, now in messages:
            clock.tai_us = now
            verify(data, trust=store, clock=clock)

    return rate(run, len(messages))


def raw_verify(curve: str, count: int) -> float:
    key = ecdsa.generate_private_key(curve)
    digest = bytes(32)
    r, s = ecdsa.sign_digest(curve, key, digest)
    public = ecdsa.load_public_key(curve, ecdsa.public_key(curve, key))
    der = utils.encode_dss_signature(r, s)
    algorithm = ec.ECDSA(utils.Prehashed(hashes.SHA256()))
    return rate(lambda: [public.verify(der, digest, algorithm) for _ in range(count)], count)


def flexstack() -> dict | None:
    script = ROOT / "bench" / "peers" / "flexstack_verify.py"
    if not (FLEXSTACK_PYTHON.exists() and script.exists()):
        return None
    fixtures = ROOT / "tests" / "fixtures" / "vanetza"
    result = subprocess.run([str(FLEXSTACK_PYTHON), str(script),
                             str(fixtures / "cam_vwgolf8_signer_certificate.hex"),
                             str(fixtures / "at_vwgolf8.hex")],
                            capture_output=True, text=True, check=False, timeout=300)
    if result.returncode != 0:
        print(f"  v2xflexstack: failed ({result.stderr.strip()[:200]})")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def vw_golf_rx(count: int) -> tuple[float, float]:
    """Our verification of the same real CAM flexstack is given (pinned AT, replay off)."""
    from v2x.messages import codec
    from v2x.security.certificates import Certificate

    fixtures = ROOT / "tests" / "fixtures" / "vanetza"
    data = bytes.fromhex((fixtures / "cam_vwgolf8_signer_certificate.hex").read_text().strip())
    at = Certificate.from_bytes(bytes.fromhex((fixtures / "at_vwgolf8.hex").read_text().strip()))
    header = codec.decode_type("security", "Ieee1609Dot2Data", data)["content"][1]["tbsData"][
        "headerInfo"]
    clock = FixedClock(header["generationTime"])

    def cold():
        for _ in range(count):
            store = TrustStore(TrustPolicy(roots=(), pinned=(at,)))  # no replay memory
            verify(data, trust=store, clock=clock)

    warm_store = TrustStore(TrustPolicy(roots=(), pinned=(at,), replay_window_us=0))

    def warm():
        # the same message again: the clock moves 1 us a time so the replay memory forgets it
        for _ in range(count):
            clock.tai_us += 1
            verify(data, trust=warm_store, clock=clock)

    return rate(cold, count), rate(warm, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    count = 2_000 if parser.parse_args().quick else 10_000
    print(f"{count} messages per measurement; {multiprocessing.cpu_count()} cores\n")

    p256 = Pki("nistP256")
    clock = FixedClock((START_S + 3600) * 1_000_000)
    signer = p256.signer()

    def sign_run():
        for _ in range(count):
            sign(CAM_PAYLOAD, signer, psid=36, clock=clock)
            clock.advance(100_000)

    sign_rate = rate(sign_run, count)
    print(f"sign    signed CAM, P-256 (ETSI rule)        {sign_rate:10,.0f} /s")

    rows = {}
    for curve in ("nistP256", "brainpoolP256r1"):
        pki = p256 if curve == "nistP256" else Pki(curve)
        messages = signed_cams(pki, count)
        rx = secured_rx(pki, messages)
        raw = raw_verify(curve, count)
        rows[curve] = (rx, raw)
        print(f"verify  secured RX {curve:<16}         {rx:10,.0f} /s   raw cryptography "
              f"{raw:10,.0f} /s   ratio {rx / raw:.2f}")

    sm2 = Pki("sm2")
    sm2_rate = secured_rx(sm2, signed_cams(sm2, max(count // 20, 100)))
    print(f"verify  secured RX sm2 (YD/T 3957)           {sm2_rate:10,.0f} /s")

    golf_cold, golf = vw_golf_rx(max(count // 5, 500))
    print(f"verify  VW Golf 8 CAM (certificate signer)   {golf_cold:10,.0f} /s  (fresh store each "
          f"time)   {golf:,.0f} /s (warm store)")
    peer = flexstack()
    if peer is None:
        print("peer    v2xflexstack: not measured (no /tmp/flexstack-venv)")
    else:
        print(f"peer    v2xflexstack {peer.get('version', '?')} ({peer.get('path', 'verify')}): "
              f"{peer['per_second']:,.0f} /s   v2x secured RX P-256 / flexstack = "
              f"{rows['nistP256'][0] / peer['per_second']:.1f}x   same CAM: "
              f"{golf / peer['per_second']:.1f}x (warm), "
              f"{golf_cold / peer['per_second']:.1f}x (cold)")

    messages = signed_cams(p256, count * 2)
    single = secured_rx(p256, messages)
    for workers in sorted({1, multiprocessing.cpu_count()}):
        with VerifierPool(TrustPolicy(roots=(p256.root,)), known=(p256.aa, p256.at),
                          workers=workers) as pool:
            pool.verify_many(messages[:512])  # start the workers
            pooled = rate(lambda pool=pool: pool.verify_many(messages), len(messages))
        print(f"pool    {workers} worker(s), P-256                    {pooled:10,.0f} /s   "
              f"vs one process {pooled / single:.2f}x")


if __name__ == "__main__":
    try:
        main()
    except VerificationError as exc:
        print(f"bench: a message did not verify: {exc}", file=sys.stderr)
        sys.exit(1)
