"""Curve points: validation, SEC 1 encoding, and the IEEE 1609.2 ``EccP256CurvePoint`` forms.

- Validation: SEC 1 v2 §3.2.2.1 (coordinates in [0, p), on the curve, not infinity; every curve
  here has cofactor 1, so a point on the curve is in the prime-order group).
- SEC 1 v2 §2.3.3 / §2.3.4 octet strings: ``02‖x`` / ``03‖x`` (compressed, the 2/3 is the parity
  of y), ``04‖x‖y`` (uncompressed).
- Square roots mod p for decompression: ``a^((p+1)/4)`` when p ≡ 3 (mod 4) (all five curves of
  ``curves.py``), Tonelli–Shanks otherwise (e.g. P-224, p ≡ 1 mod 2^96), so any prime works.
- IEEE 1609.2-2016 §6.3.23/§6.3.24 ``EccP256CurvePoint`` / ``EccP384CurvePoint`` as asn1tools
  gives them: ``("x-only", x)``, ``("fill", None)``, ``("compressed-y-0", x)``,
  ``("compressed-y-1", x)``, ``("uncompressedP256", {"x": x, "y": y})`` (``uncompressedP384`` for
  384-bit curves), with x and y big-endian byte strings of the curve's size. SM2 keys use the P256
  form (YD/T 3957).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from v2x.errors import CryptoError
from v2x.security.primitives.arithmetic import Point
from v2x.security.primitives.curves import Curve

__all__ = [
    "Point",
    "as_point",
    "decode",
    "decompress",
    "encode",
    "from_curve_point",
    "is_on_curve",
    "sqrt_mod",
    "to_curve_point",
    "validate",
    "x_of_curve_point",
]

CurvePoint = tuple[str, Any]


def sqrt_mod(a: int, p: int) -> int | None:
    """A square root of a modulo the odd prime p, or None when a is not a square."""
    a %= p
    if a == 0:
        return 0
    if p % 4 == 3:
        root = pow(a, (p + 1) // 4, p)
        return root if root * root % p == a else None
    if pow(a, (p - 1) // 2, p) != 1:
        return None
    q, s = p - 1, 0
    while not q & 1:
        q >>= 1
        s += 1
    z = 2
    while pow(z, (p - 1) // 2, p) != p - 1:
        z += 1
    m, c, t, root = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % p
            i += 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c = i, b * b % p
        t, root = t * c % p, root * b % p
    return root


def is_on_curve(curve: Curve, point: Point | None) -> bool:
    """True when the point has coordinates in [0, p) and satisfies the curve equation."""
    if point is None:
        return False
    x, y = point
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - (x * x + curve.a) * x - curve.b) % p == 0


def validate(curve: Curve, point: Point | None, path: str = "points.validate") -> Point:
    """The point itself if it is a finite point of the curve; CryptoError otherwise."""
    if point is None:
        raise CryptoError("the point at infinity is not a valid key", path)
    if not (isinstance(point, tuple) and len(point) == 2):
        raise CryptoError(f"a point is an (x, y) pair of ints, not {type(point).__name__}", path)
    if not is_on_curve(curve, point):
        raise CryptoError(f"point is not on {curve.name}", path)
    return point


def _int(value: int | bytes, curve: Curve, path: str) -> int:
    if isinstance(value, int):
        return value
    if len(value) != curve.size:
        raise CryptoError(f"{len(value)}-byte coordinate; {curve.name} needs {curve.size}", path)
    return int.from_bytes(value, "big")


def decompress(curve: Curve, x: int | bytes, y_bit: int) -> Point:
    """The point with this x and the parity ``y_bit`` of y (SEC 1 §2.3.4 step 2.4)."""
    xi = _int(x, curve, "points.decompress")
    p = curve.p
    if not 0 <= xi < p:
        raise CryptoError(f"x is not below the field prime of {curve.name}", "points.decompress")
    y = sqrt_mod((xi * xi + curve.a) * xi + curve.b, p)
    if y is None:
        raise CryptoError(f"no point of {curve.name} has this x", "points.decompress")
    if (y & 1) != (y_bit & 1):
        y = (p - y) % p
    if y == 0 and y_bit & 1:
        raise CryptoError("y = 0 has no odd form", "points.decompress")
    return xi, y


def encode(curve: Curve, point: Point, compressed: bool = True) -> bytes:
    """SEC 1 §2.3.3 octet string: ``02/03‖x`` when compressed, else ``04‖x‖y``."""
    x, y = validate(curve, point, "points.encode")
    size = curve.size
    if compressed:
        return bytes((2 | (y & 1),)) + x.to_bytes(size, "big")
    return b"\x04" + x.to_bytes(size, "big") + y.to_bytes(size, "big")


def decode(curve: Curve, data: bytes) -> Point:
    """The point of a SEC 1 §2.3.4 octet string (compressed or uncompressed), validated."""
    size = curve.size
    if len(data) == 1 + size and data[0] in (2, 3):
        return decompress(curve, data[1:], data[0] & 1)
    if len(data) == 1 + 2 * size and data[0] == 4:
        point = (int.from_bytes(data[1 : 1 + size], "big"), int.from_bytes(data[1 + size :], "big"))
        return validate(curve, point, "points.decode")
    raise CryptoError(
        f"not a SEC 1 point of {curve.name} ({len(data)} bytes, first {data[:1].hex() or '-'})",
        "points.decode",
    )


def to_curve_point(curve: Curve, point: Point, form: str = "compressed") -> CurvePoint:
    """The 1609.2 ``EccP256CurvePoint``/``EccP384CurvePoint`` value of a point.

    ``form`` is ``compressed`` (``compressed-y-0``/``-1``, the usual form for keys),
    ``uncompressed`` or ``x-only`` (only for the r of a signature: it drops y).
    """
    x, y = validate(curve, point, "points.to_curve_point")
    size = curve.size
    xb = x.to_bytes(size, "big")
    if form == "compressed":
        return (f"compressed-y-{y & 1}", xb)
    if form == "uncompressed":
        return (curve.point_choice, {"x": xb, "y": y.to_bytes(size, "big")})
    if form == "x-only":
        return ("x-only", xb)
    raise CryptoError(f"unknown point form {form!r}", "points.to_curve_point")


def _check_choice(curve: Curve, choice: Any, path: str) -> tuple[str, Any]:
    if not (isinstance(choice, tuple) and len(choice) == 2 and isinstance(choice[0], str)):
        raise CryptoError("an EccP256CurvePoint is a (choice name, value) pair", path)
    name, value = choice
    if name in ("x-only", "compressed-y-0", "compressed-y-1"):
        if not isinstance(value, bytes | bytearray) or len(value) != curve.size:
            raise CryptoError(f"{name} needs {curve.size} bytes for {curve.name}", path)
    elif name == curve.point_choice:
        if not (isinstance(value, dict) and {"x", "y"} <= value.keys()):
            raise CryptoError(f"{name} needs {{'x': ..., 'y': ...}}", path)
    elif name != "fill":
        raise CryptoError(f"{name!r} is not a point form of {curve.name}", path)
    return name, value


def from_curve_point(curve: Curve, choice: CurvePoint) -> Point:
    """The validated point of a 1609.2 curve-point value (``compressed-y-*`` or uncompressed).

    ``x-only`` and ``fill`` carry no full point: CryptoError.
    """
    path = "points.from_curve_point"
    name, value = _check_choice(curve, choice, path)
    if name.startswith("compressed-y-"):
        return decompress(curve, bytes(value), int(name[-1]))
    if name == curve.point_choice:
        point = (_int(bytes(value["x"]), curve, path), _int(bytes(value["y"]), curve, path))
        return validate(curve, point, path)
    raise CryptoError(f"{name} does not determine a point", path)


def x_of_curve_point(curve: Curve, choice: CurvePoint) -> int:
    """The x-coordinate carried by any 1609.2 curve-point form except ``fill``."""
    name, value = _check_choice(curve, choice, "points.x_of_curve_point")
    if name == "fill":
        raise CryptoError("fill carries no coordinate", "points.x_of_curve_point")
    raw = value["x"] if name == curve.point_choice else value
    return int.from_bytes(bytes(raw), "big")


def as_point(curve: Curve, value: Any, path: str = "points.as_point") -> Point:
    """A validated point from any usual form.

    Accepts an ``(x, y)`` pair of ints, SEC 1 bytes, a 1609.2 curve-point CHOICE value, or a
    ``cryptography`` ``EllipticCurvePublicKey``.
    """
    if isinstance(value, ec.EllipticCurvePublicKey):
        numbers = value.public_numbers()
        return validate(curve, (numbers.x, numbers.y), path)
    if isinstance(value, bytes | bytearray):
        return decode(curve, bytes(value))
    if isinstance(value, tuple) and len(value) == 2:
        if isinstance(value[0], str):
            return from_curve_point(curve, value)
        if isinstance(value[0], int) and isinstance(value[1], int):
            return validate(curve, value, path)
    raise CryptoError(f"cannot read a point of {curve.name} from {type(value).__name__}", path)
