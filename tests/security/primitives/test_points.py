"""Point validation, SEC 1 compression, the 1609.2 EccP256CurvePoint / EccP384CurvePoint forms."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from v2x.errors import CryptoError
from v2x.security.primitives import arithmetic, curves, points

ALL = list(curves.CURVES.values())

# NIST P-224 (FIPS 186-4 D.1.2.2): p ≡ 1 (mod 2^96), the hard case for square roots. Not a 1609.2
# curve; a row built here shows that adding a curve is one row, and exercises Tonelli–Shanks.
P224 = curves.Curve(
    name="nistP224-test",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE,
    b=0xB4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D,
    gx=0xB70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21,
    gy=0xBD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34,
    hash_name="sha256",
    openssl=ec.SECP224R1,
)


def random_point(curve: curves.Curve, k: int) -> tuple[int, int]:
    point = arithmetic.multiply_base(curve, k)
    assert point is not None
    return point


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_compress_then_decompress_is_the_identity_on_every_curve(data):
    curve = data.draw(st.sampled_from([*ALL, P224]), label="curve")
    point = random_point(curve, data.draw(st.integers(1, curve.n - 1), label="k"))
    encoded = points.encode(curve, point)
    assert len(encoded) == 1 + curve.size and encoded[0] == 2 + (point[1] & 1)
    assert points.decode(curve, encoded) == point
    assert points.decompress(curve, point[0], point[1] & 1) == point
    assert points.decode(curve, points.encode(curve, point, compressed=False)) == point
    for form in ("compressed", "uncompressed"):
        assert points.from_curve_point(curve, points.to_curve_point(curve, point, form)) == point


@pytest.mark.parametrize("curve", [c for c in [*ALL, P224] if c.openssl], ids=lambda c: c.name)
def test_sec1_bytes_agree_with_openssl(curve):
    key = ec.derive_private_key(0x1234567890ABCDEF, curve.openssl_curve()).public_key()
    numbers = key.public_numbers()
    point = (numbers.x, numbers.y)
    compressed = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    assert points.encode(curve, point) == compressed
    assert points.decode(curve, compressed) == point
    assert points.encode(curve, point, compressed=False) == key.public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )


def test_p224_needs_tonelli_shanks_and_gets_it():
    assert P224.p % 4 == 1 and (P224.p - 1) % (1 << 96) == 0
    point = random_point(P224, 987654321)
    assert points.decompress(P224, point[0], point[1] & 1) == point


@pytest.mark.parametrize("p", [3, 5, 7, 13, 17, 41, 97, 113, 257, 65537])
def test_sqrt_mod_finds_every_root_and_rejects_every_non_residue(p):
    squares = {x * x % p for x in range(p)}
    for a in range(p):
        root = points.sqrt_mod(a, p)
        if a in squares:
            assert root is not None and root * root % p == a
        else:
            assert root is None


def non_residue_x(curve: curves.Curve) -> int:
    """The smallest x for which x³ + ax + b has no square root: no point has it."""
    x = 0
    while points.sqrt_mod((x * x + curve.a) * x + curve.b, curve.p) is not None:
        x += 1
    return x


@pytest.mark.parametrize("curve", ALL, ids=lambda c: c.name)
def test_x_with_no_square_root_is_rejected(curve):
    x = non_residue_x(curve)
    for parity in (0, 1):
        with pytest.raises(CryptoError) as caught:
            points.decompress(curve, x, parity)
        assert caught.value.path == "points.decompress"
    with pytest.raises(CryptoError):
        points.decode(curve, b"\x02" + x.to_bytes(curve.size, "big"))
    with pytest.raises(CryptoError):
        points.from_curve_point(curve, ("compressed-y-1", x.to_bytes(curve.size, "big")))


@pytest.mark.parametrize("curve", ALL, ids=lambda c: c.name)
def test_points_off_the_curve_are_rejected(curve):
    x, y = curve.g
    off = (x, (y + 1) % curve.p)
    assert not points.is_on_curve(curve, off)
    with pytest.raises(CryptoError) as caught:
        points.validate(curve, off)
    assert "not on" in caught.value.reason
    size = curve.size
    with pytest.raises(CryptoError):
        points.decode(curve, b"\x04" + x.to_bytes(size, "big") + off[1].to_bytes(size, "big"))
    uncompressed = (curve.point_choice, {"x": x.to_bytes(size, "big"),
                                         "y": off[1].to_bytes(size, "big")})
    with pytest.raises(CryptoError):
        points.from_curve_point(curve, uncompressed)
    with pytest.raises(CryptoError):
        points.as_point(curve, off)
    with pytest.raises(CryptoError):  # x ≥ p is not a field element
        points.decompress(curve, curve.p, 0)
    with pytest.raises(CryptoError):
        points.validate(curve, None)


def test_malformed_encodings_are_rejected():
    c = curves.NIST_P256
    x = c.gx.to_bytes(32, "big")
    for bad in (b"", b"\x00", b"\x02" + x[:-1], b"\x05" + x, b"\x04" + x, b"\x02" + x + b"\x00"):
        with pytest.raises(CryptoError):
            points.decode(c, bad)
    with pytest.raises(CryptoError):
        points.from_curve_point(c, ("compressed-y-0", x + b"\x00"))
    with pytest.raises(CryptoError):
        points.from_curve_point(c, ("uncompressedP384", {"x": x, "y": x}))
    with pytest.raises(CryptoError):
        points.from_curve_point(c, "compressed-y-0")  # type: ignore[arg-type]
    with pytest.raises(CryptoError):
        points.to_curve_point(c, c.g, "hybrid")
    with pytest.raises(CryptoError):
        points.as_point(c, 12345)


def test_x_only_and_fill_carry_no_point_but_x_only_carries_x():
    c = curves.BRAINPOOL_P384R1
    x = c.gx.to_bytes(48, "big")
    for choice in (("x-only", x), ("fill", None)):
        with pytest.raises(CryptoError):
            points.from_curve_point(c, choice)
    assert points.x_of_curve_point(c, ("x-only", x)) == c.gx
    assert points.x_of_curve_point(c, points.to_curve_point(c, c.g, "uncompressed")) == c.gx
    assert points.x_of_curve_point(c, points.to_curve_point(c, c.g)) == c.gx
    with pytest.raises(CryptoError):
        points.x_of_curve_point(c, ("fill", None))
    assert points.to_curve_point(c, c.g, "x-only") == ("x-only", x)


def test_curve_point_values_have_the_asn1tools_shape():
    c = curves.NIST_P256
    point = random_point(c, 42)
    name, value = points.to_curve_point(c, point)
    assert name == f"compressed-y-{point[1] & 1}" and value == point[0].to_bytes(32, "big")
    name, value = points.to_curve_point(c, point, "uncompressed")
    assert name == "uncompressedP256"
    assert value == {"x": point[0].to_bytes(32, "big"), "y": point[1].to_bytes(32, "big")}
    p384 = curves.NIST_P384
    assert points.to_curve_point(p384, p384.g, "uncompressed")[0] == "uncompressedP384"


def test_as_point_reads_every_usual_form():
    c = curves.NIST_P256
    point = random_point(c, 7)
    key = ec.derive_private_key(7, c.openssl_curve()).public_key()
    forms = [
        point,
        points.encode(c, point),
        points.encode(c, point, compressed=False),
        points.to_curve_point(c, point),
        points.to_curve_point(c, point, "uncompressed"),
        key,
    ]
    for form in forms:
        assert points.as_point(c, form) == point
