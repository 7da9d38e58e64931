"""ECQV implicit certificates: IEEE 1609.2-2016 §5.3.2 on SEC 4 v1.0 §3.4-§3.6.

An implicit certificate carries a reconstruction value P_U instead of a key and a signature.

- CA (SEC 4 §3.4): P_U = R_U + k·G for the requester's R_U = k_U·G and a fresh k;
  r = e·k + d_CA (mod n), sent to the requester with the certificate.
- Requester (§3.6): d_U = e·k_U + r (mod n); it checks d_U·G = Q_U.
- Anyone (§3.5): Q_U = e·P_U + Q_CA.

The hash, as 1609.2 §5.3.2 defines it and deployed SCMS certificates use it:

    e = OS2IP( H( H(COER(ToBeSignedCertificate)) ‖ H(COER(issuer certificate)) ) )  (mod n)

H is the hash of the curve (SHA-256 for nistP256 / brainpoolP256r1, SHA-384 for the 384-bit
curves); OS2IP reads the whole digest as a big-endian integer, with no truncation; it is used
only mod n. Evidence: two production Green Hills SCMS implicit certificates with their keys (from
the unit tests of a Korean ``dot2-2016`` library) reconstruct their published private and public
keys only with this rule, as do the Korean KISA v1.1 implicit-certificate vectors, and
c2c-common's ``ECQVHelper.computeHash`` does the same (see ``tests/fixtures/ecqv/PROVENANCE.md``).

SEC 4 v1.0 §2.3 instead defines Hn as the leftmost ⌊log2 n⌋ bits of the hash (for P-256: the
SHA-256 value shifted right by one bit). The CAMP LLC SCMS test vectors use that rule over a toy
``CertU = tbs ‖ P_U``; ``hash_to_scalar(..., rule="sec4")`` reproduces them. Use the default
``ieee1609.2`` rule for real certificates.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from v2x.errors import CryptoError
from v2x.security.primitives import points
from v2x.security.primitives.arithmetic import Point, add, multiply, multiply_base
from v2x.security.primitives.curves import Curve, get
from v2x.security.primitives.hashing import hash_for

RULES = ("ieee1609.2", "sec4")


def certificate_digest(curve: Curve | str, tbs_certificate: bytes, issuer_digest: bytes) -> bytes:
    """H(H(tbs) ‖ H(issuer)) with the curve's hash; ``issuer_digest`` is H(issuer certificate)."""
    c = get(curve)
    h = hash_for(c.hash_name)
    if len(issuer_digest) != len(h(b"")):
        raise CryptoError(
            f"a {len(issuer_digest)}-byte issuer digest; {c.hash_name} gives {len(h(b''))}",
            "ecqv.certificate_digest",
        )
    return h(h(tbs_certificate) + issuer_digest)


def hash_to_scalar(curve: Curve | str, digest: bytes, rule: str = "ieee1609.2") -> int:
    """The integer e of a digest: whole digest mod n (``ieee1609.2``) or SEC 4 Hn (``sec4``)."""
    c = get(curve)
    value = int.from_bytes(digest, "big")
    if rule == "ieee1609.2":
        return value % c.n
    if rule == "sec4":
        keep = c.n.bit_length() - 1  # floor(log2 n): n is never a power of two here
        excess = 8 * len(digest) - keep
        return value >> excess if excess > 0 else value
    raise CryptoError(f"unknown rule {rule!r}; known: {', '.join(RULES)}", "ecqv.hash_to_scalar")


def implicit_e(
    curve: Curve | str, tbs_certificate: bytes, issuer_digest: bytes, rule: str = "ieee1609.2"
) -> int:
    """e of an implicit certificate from its COER ToBeSignedCertificate and H(issuer)."""
    c = get(curve)
    return hash_to_scalar(c, certificate_digest(c, tbs_certificate, issuer_digest), rule)


def reconstruct_public_key(
    curve: Curve | str, reconstruction_value: Any, e: int, issuer_public: Any
) -> Point:
    """Q_U = e·P_U + Q_CA (SEC 4 §3.5). Points in any form that ``points.as_point`` reads."""
    c = get(curve)
    p_u = points.as_point(c, reconstruction_value, "ecqv.reconstruct_public_key")
    q_ca = points.as_point(c, issuer_public, "ecqv.reconstruct_public_key")
    q_u = add(c, multiply(c, e, p_u), q_ca)
    if q_u is None:
        raise CryptoError("reconstructed key is the point at infinity", "ecqv.reconstruct")
    return q_u


def reconstruct_private_key(
    curve: Curve | str,
    request_private: int,
    r: int | bytes,
    e: int,
    *,
    reconstruction_value: Any = None,
    issuer_public: Any = None,
) -> int:
    """d_U = e·k_U + r (mod n) (SEC 4 §3.6).

    Given ``reconstruction_value`` and ``issuer_public`` it also checks d_U·G = e·P_U + Q_CA, as
    SEC 4 requires before the key is used, and raises CryptoError when they differ.
    """
    c = get(curve)
    r_int = int.from_bytes(r, "big") if isinstance(r, bytes | bytearray) else r
    if not 0 <= r_int < c.n:
        raise CryptoError("private reconstruction value outside [0, n-1]", "ecqv.reconstruct")
    d_u = (e * request_private + r_int) % c.n
    if not d_u:
        raise CryptoError("reconstructed private key is 0", "ecqv.reconstruct")
    if (reconstruction_value is None) != (issuer_public is None):
        raise CryptoError("give both reconstruction_value and issuer_public, or neither",
                          "ecqv.reconstruct")
    if reconstruction_value is not None:
        expected = reconstruct_public_key(c, reconstruction_value, e, issuer_public)
        if multiply_base(c, d_u) != expected:
            raise CryptoError("d_U·G differs from the reconstructed public key",
                              "ecqv.reconstruct")
    return d_u


def reconstruction_point(curve: Curve | str, request_public: Any, k: int) -> Point:
    """CA side: P_U = R_U + k·G (SEC 4 §3.4 steps 3-4)."""
    c = get(curve)
    r_u = points.as_point(c, request_public, "ecqv.reconstruction_point")
    p_u = add(c, r_u, multiply_base(c, k))
    if p_u is None:
        raise CryptoError("P_U is the point at infinity; choose another k", "ecqv.issue")
    return p_u


def private_reconstruction_value(curve: Curve | str, e: int, k: int, ca_private: int) -> int:
    """CA side: r = e·k + d_CA (mod n) (SEC 4 §3.4 step 9)."""
    return (e * k + ca_private) % get(curve).n


def issue(
    curve: Curve | str,
    request_public: Any,
    ca_private: int,
    e_of: Callable[[Point], int],
    *,
    k: int | None = None,
) -> tuple[Point, int]:
    """CA side in one call: ``(P_U, r)``.

    ``e_of(P_U)`` must return e for the certificate that carries P_U (typically: put P_U in the
    ToBeSignedCertificate, encode it, and call ``implicit_e``). ``k`` fixes the CA nonce for
    test vectors; by default it is random and redrawn if Q_U would be the point at infinity.
    """
    c = get(curve)
    q_ca = multiply_base(c, ca_private)
    while True:
        nonce = k if k is not None else secrets.randbelow(c.n - 1) + 1
        p_u = reconstruction_point(c, request_public, nonce)
        e = e_of(p_u)
        if add(c, multiply(c, e, p_u), q_ca) is not None:
            return p_u, private_reconstruction_value(c, e, nonce, ca_private)
        if k is not None:
            raise CryptoError("this k makes Q_U the point at infinity", "ecqv.issue")
