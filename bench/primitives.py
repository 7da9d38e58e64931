"""Speed of v2x.security.primitives, with raw ``cryptography`` calls as the in-process baseline.

Prints operations per second for ECDSA sign / verify on the 1609.2 curves (through v2x, keys
cached, and through ``cryptography`` directly), SM2 sign / verify (pure Python; ``gmssl`` too if
it is installed), the cost of turning a compressed key into an OpenSSL key (cold and cached), and
SHA-256 of 200 bytes with hashlib vs ``cryptography``'s Hash. Figures are from this one run on
this machine; nothing is asserted. Run: python bench/primitives.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import timeit
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from v2x.security.primitives import curves, ecdsa, points, sm2
from v2x.security.primitives.hashing import sm3

PAYLOAD = bytes(range(200))


def per_call(fn: Callable[[], object], seconds: float) -> float:
    """Seconds per call: the best of three runs of about ``seconds`` each."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * seconds / 0.2))
    return min(timer.repeat(repeat=3, number=number)) / number


def row(label: str, seconds_per_call: float, baseline: float | None = None) -> None:
    text = f"  {label:<46} {1 / seconds_per_call:>10,.0f} /s  {seconds_per_call * 1e6:>9.1f} µs"
    if baseline:
        text += f"   ×{baseline / seconds_per_call:.2f} vs baseline"
    print(text)


def bench_ecdsa(seconds: float) -> None:
    print("ECDSA over a digest (v2x: keys as ints / 1609.2 points, cached OpenSSL keys)")
    for curve in (curves.NIST_P256, curves.BRAINPOOL_P256R1, curves.NIST_P384,
                  curves.BRAINPOOL_P384R1):
        private = ecdsa.generate_private_key(curve)
        public = ecdsa.export_public_key(curve, ecdsa.public_key(curve, private))  # compressed
        digest = hashlib.new(curve.hash_name, PAYLOAD).digest()
        r, s = ecdsa.sign_digest(curve, private, digest)
        r_sig = ("x-only", r.to_bytes(curve.size, "big"))
        # baseline: cryptography directly, key objects already loaded
        key = ec.derive_private_key(private, curve.openssl_curve())
        pub_key = key.public_key()
        algorithm = ec.ECDSA(Prehashed(hashes.SHA256() if curve.size == 32 else hashes.SHA384()))
        der = encode_dss_signature(r, s)
        base_sign = per_call(lambda k=key, d=digest, a=algorithm: k.sign(d, a), seconds)
        base_verify = per_call(
            lambda k=pub_key, g=der, d=digest, a=algorithm: k.verify(g, d, a), seconds)
        row(f"{curve.name} sign (cryptography)", base_sign)
        row(f"{curve.name} sign (v2x)",
            per_call(lambda c=curve, p=private, d=digest: ecdsa.sign_digest(c, p, d), seconds),
            base_sign)
        row(f"{curve.name} verify (cryptography)", base_verify)
        row(f"{curve.name} verify (v2x, x-only rSig)",
            per_call(lambda c=curve, k=public, d=digest, rr=r_sig, ss=s:
                     ecdsa.verify_digest(c, k, d, rr, ss), seconds),
            base_verify)


def bench_keys(seconds: float, count: int) -> None:
    print("Compressed public key -> OpenSSL key (nistP256)")
    curve = curves.NIST_P256
    keys = [
        ecdsa.export_public_key(curve, ecdsa.public_key(curve, ecdsa.generate_private_key(curve)))
        for _ in range(count)
    ]
    ecdsa._load_public.cache_clear()
    start = timeit.default_timer()
    for key in keys:
        ecdsa.load_public_key(curve, key)
    cold = (timeit.default_timer() - start) / count
    row("decompress + load, cold (OpenSSL decompresses)", cold)
    key = keys[0]
    row("decompress + load, cached", per_call(lambda: ecdsa.load_public_key(curve, key), seconds),
        cold)
    row("pure-Python decompress only (points.decompress)",
        per_call(lambda: points.from_curve_point(curve, key), seconds))


def bench_sm2(seconds: float) -> None:
    print("SM2 (pure Python, Jacobian, fixed-base table for G)")
    private = sm2.generate_private_key()
    public = sm2.public_key(private)
    e = sm3(PAYLOAD)
    r, s = sm2.sign_e(private, e)
    sign = per_call(lambda: sm2.sign_e(private, e), seconds)
    verify = per_call(lambda: sm2.verify_e(public, e, r, s), seconds)
    row("sm2 sign (e given)", sign)
    row("sm2 verify (e given)", verify)
    row("sm2 Z_A + e = SM3(Z_A ‖ 200 B)", per_call(lambda: sm2.digest_e(public, PAYLOAD), seconds))
    try:
        from gmssl import sm2 as gmssl_sm2  # optional comparison, not a dependency
    except ImportError:
        print("  (gmssl not installed: no comparison)")
        return
    crypt = gmssl_sm2.CryptSM2(private_key=f"{private:064x}",
                               public_key=f"{public[0]:064x}{public[1]:064x}")
    signature = f"{r:064x}{s:064x}"
    row("gmssl sign (e given)", per_call(lambda: crypt.sign(e, "1" * 64), seconds / 4))
    row("gmssl verify (e given)", per_call(lambda: crypt.verify(signature, e), seconds / 4))


def bench_hash(seconds: float) -> None:
    print("SHA-256 of 200 bytes")

    def with_cryptography() -> bytes:
        digest = hashes.Hash(hashes.SHA256())
        digest.update(PAYLOAD)
        return digest.finalize()

    base = per_call(with_cryptography, seconds)
    row("cryptography Hash", base)
    row("hashlib (v2x hashing.sha256)", per_call(lambda: hashlib.sha256(PAYLOAD).digest(),
                                                 seconds), base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (noisier)")
    args = parser.parse_args()
    seconds = 0.05 if args.quick else 0.3
    bench_ecdsa(seconds)
    bench_keys(seconds, 200 if args.quick else 2000)
    bench_sm2(seconds)
    bench_hash(seconds)


if __name__ == "__main__":
    main()
