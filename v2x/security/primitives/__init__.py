"""Cryptographic primitives of IEEE 1609.2-2016, ETSI TS 103 097 v2.1.1 and YD/T 3957-2021.

Pure functions over bytes, integers and keys: no clock, no file, no global state other than
caches of parsed keys and of the fixed-base tables of the curve generators.

- ``curves``: the curve table (nistP256, nistP384, brainpoolP256r1, brainpoolP384r1, sm2).
- ``points``: validation, SEC 1 compression, 1609.2 ``EccP256CurvePoint`` forms.
- ``arithmetic``: the group law in pure Python (SM2, ECQV, oracles).
- ``hashing``: SHA-256, SHA-384, SM3, HashedId8 / HashedId3.
- ``ecdsa``: sign / verify a digest with OpenSSL; rSig as x-only or as a point.
- ``sm2``: SM2 signatures with Z_A and a free user ID (YD/T 3957).
- ``ecqv``: implicit certificates (CA, requester and verifier sides).
- ``kdf``, ``ecies``, ``ccm``: KDF2, MAC1, ECIES key wrap and AES-128-CCM (1609.2 §5.3.5-§5.3.8).
"""

from v2x.security.primitives import (
    arithmetic,
    ccm,
    curves,
    ecdsa,
    ecies,
    ecqv,
    hashing,
    kdf,
    points,
    sm2,
)

__all__ = [
    "arithmetic",
    "ccm",
    "curves",
    "ecdsa",
    "ecies",
    "ecqv",
    "hashing",
    "kdf",
    "points",
    "sm2",
]
