"""Elliptic-curve group law in pure Python, Jacobian coordinates (SEC 1 v2 §2.2.1).

Used where OpenSSL cannot help through ``cryptography``: SM2 (no SM2 curve in ``cryptography``),
ECQV key reconstruction ``e·P + Q`` (``cryptography`` exposes no point addition), and test
oracles. Points are affine ``(x, y)`` tuples; ``None`` is the point at infinity.

Speed: doubling and addition in Jacobian coordinates (formulas dbl-2007-bl / madd-2007-bl /
add-2007-bl of the Explicit-Formulas Database; the a = −3 doubling for nistP256/P384 and SM2),
width-5 wNAF for a variable base, and for the generator a fixed-base table of 6-bit windows
(j·2^(6i)·G, so k·G costs ≈ 43 mixed additions and no doubling), computed once per curve and
cached (a cache of a constant: no other state).

NOT constant time: Python integers and table look-ups indexed by secret digits leak timing. Fine
for verification, simulation and tests; a production signer holding SM2 keys should use an HSM or
a constant-time library.
"""

from __future__ import annotations

from functools import cache

from v2x.security.primitives.curves import Curve

Point = tuple[int, int]
_Jacobian = tuple[int, int, int]  # Z == 0 is the point at infinity

_INFINITY: _Jacobian = (1, 1, 0)
_WNAF_WIDTH = 5
_COMB_BITS = 6


def _double(x: int, y: int, z: int, p: int, a: int, a_minus_3: bool) -> _Jacobian:
    if not z or not y:
        return _INFINITY
    yy = y * y % p
    zz = z * z % p
    s = 4 * x * yy % p
    m = 3 * (x - zz) * (x + zz) % p if a_minus_3 else (3 * x * x + a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return x3, y3, z3


def _add_affine(
    x1: int, y1: int, z1: int, x2: int, y2: int, p: int, a: int, a_minus_3: bool
) -> _Jacobian:
    """Jacobian (x1, y1, z1) + affine (x2, y2)."""
    if not z1:
        return x2, y2, 1
    z1z1 = z1 * z1 % p
    h = (x2 * z1z1 - x1) % p
    r = (y2 * z1 * z1z1 - y1) % p
    if not h:
        return _double(x1, y1, z1, p, a, a_minus_3) if not r else _INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - y1 * hhh) % p
    return x3, y3, z1 * h % p


def _add(j1: _Jacobian, j2: _Jacobian, p: int, a: int, a_minus_3: bool) -> _Jacobian:
    x1, y1, z1 = j1
    x2, y2, z2 = j2
    if not z1:
        return j2
    if not z2:
        return j1
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    s1 = y1 * z2 * z2z2 % p
    h = (x2 * z1z1 - u1) % p
    r = (y2 * z1 * z1z1 - s1) % p
    if not h:
        return _double(x1, y1, z1, p, a, a_minus_3) if not r else _INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    return x3, y3, z1 * z2 * h % p


def _affine(j: _Jacobian, p: int) -> Point | None:
    x, y, z = j
    if not z:
        return None
    zi = pow(z, -1, p)
    zi2 = zi * zi % p
    return x * zi2 % p, y * zi2 * zi % p


def _batch_affine(points: list[_Jacobian], p: int) -> list[Point]:
    """Affine forms of finite Jacobian points with one inversion (Montgomery's trick)."""
    prefix = []
    acc = 1
    for _, _, z in points:
        prefix.append(acc)
        acc = acc * z % p
    inv = pow(acc, -1, p)
    out: list[Point] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inv * prefix[i] % p
        inv = inv * z % p
        zi2 = zi * zi % p
        out[i] = (x * zi2 % p, y * zi2 * zi % p)
    return out


def _is_minus_3(curve: Curve) -> bool:
    return curve.a == curve.p - 3


def add(curve: Curve, p1: Point | None, p2: Point | None) -> Point | None:
    """P1 + P2 (either may be ``None``, the point at infinity)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    p = curve.p
    return _affine(_add_affine(p1[0], p1[1], 1, p2[0], p2[1], p, curve.a, _is_minus_3(curve)), p)


def negate(curve: Curve, point: Point | None) -> Point | None:
    """−P."""
    return None if point is None else (point[0], (-point[1]) % curve.p)


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form of k, least significant digit first."""
    digits = []
    full = 1 << width
    half = full >> 1
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


def _multiply_jacobian(curve: Curve, k: int, point: Point) -> _Jacobian:
    p, a, m3 = curve.p, curve.a, _is_minus_3(curve)
    x, y = point
    # odd multiples P, 3P, 5P, ..., (2^(w-1) - 1)P, made affine for mixed additions
    twice = _double(x, y, 1, p, a, m3)
    odd = [(x, y, 1)]
    for _ in range((1 << (_WNAF_WIDTH - 2)) - 1):
        odd.append(_add(odd[-1], twice, p, a, m3))
    table = _batch_affine(odd, p)
    acc = _INFINITY
    for d in reversed(_wnaf(k, _WNAF_WIDTH)):
        acc = _double(*acc, p, a, m3)
        if d > 0:
            tx, ty = table[d >> 1]
            acc = _add_affine(*acc, tx, ty, p, a, m3)
        elif d < 0:
            tx, ty = table[(-d) >> 1]
            acc = _add_affine(*acc, tx, p - ty, p, a, m3)
    return acc


def multiply(curve: Curve, k: int, point: Point | None) -> Point | None:
    """k·P for a point on the curve (validate it first: see ``points``); k is reduced mod n."""
    k %= curve.n
    if point is None or not k:
        return None
    return _affine(_multiply_jacobian(curve, k, point), curve.p)


@cache
def _base_table(curve: Curve) -> tuple[tuple[Point, ...], ...]:
    """table[i][j - 1] = j·2^(W·i)·G for j in 1..2^W − 1: one row per W-bit window of a scalar."""
    p, a, m3 = curve.p, curve.a, _is_minus_3(curve)
    windows = -(-curve.n.bit_length() // _COMB_BITS)
    rows: list[tuple[Point, ...]] = []
    base: _Jacobian = (curve.gx, curve.gy, 1)
    for _ in range(windows):
        row = [base]
        for _ in range((1 << _COMB_BITS) - 2):
            row.append(_add(row[-1], base, p, a, m3))
        affine = _batch_affine(row, p)
        rows.append(tuple(affine))
        base = _add(row[-1], base, p, a, m3)  # 2^W · base
    return tuple(rows)


def _multiply_base_jacobian(curve: Curve, k: int) -> _Jacobian:
    p, a, m3 = curve.p, curve.a, _is_minus_3(curve)
    rows = _base_table(curve)
    mask = (1 << _COMB_BITS) - 1
    acc = _INFINITY
    i = 0
    while k:
        d = k & mask
        if d:
            tx, ty = rows[i][d - 1]
            acc = _add_affine(*acc, tx, ty, p, a, m3)
        k >>= _COMB_BITS
        i += 1
    return acc


def multiply_base(curve: Curve, k: int) -> Point | None:
    """k·G with the cached fixed-base table of the curve (k is reduced mod n)."""
    k %= curve.n
    if not k:
        return None
    return _affine(_multiply_base_jacobian(curve, k), curve.p)


def multiply_add(curve: Curve, k1: int, k2: int, point: Point | None) -> Point | None:
    """k1·G + k2·Q, the double multiplication of signature verification."""
    k1 %= curve.n
    k2 %= curve.n
    p = curve.p
    acc = _multiply_base_jacobian(curve, k1) if k1 else _INFINITY
    if k2 and point is not None:
        acc = _add(acc, _multiply_jacobian(curve, k2, point), p, curve.a, _is_minus_3(curve))
    return _affine(acc, p)
