"""The elliptic curves of IEEE 1609.2-2016 §5.3.1, ETSI TS 103 097 v2.1.1 §5 and YD/T 3957-2021.

One row per curve: adding a curve is one row in ``CURVES``. Each row carries the short Weierstrass
domain parameters ``y² = x³ + a·x + b (mod p)``, the group order ``n`` (cofactor 1 for all of
them), the generator, the byte length of a field element and of a scalar, the hash 1609.2 pairs
with the curve (SHA-256 for 256-bit curves, SHA-384 for 384-bit curves, SM3 for SM2; §5.3.1 and
YD/T 3957 §5), the 1609.2 ``EccP256CurvePoint`` / ``EccP384CurvePoint`` alternative name of the
uncompressed form, and the ``cryptography`` curve class when OpenSSL implements the curve (SM2 has
none there, so SM2 arithmetic is pure Python: see ``sm2.py``).

Sources of the numbers: SEC 2 v2 / FIPS 186-4 (nistP256 = secp256r1, nistP384 = secp384r1),
RFC 5639 §3.4 and §3.6 (brainpoolP256r1, brainpoolP384r1), GB/T 32918.5-2017 / GM/T 0003.5-2012
(sm2p256v1). ``tests/security/primitives/test_curves.py`` checks every row against OpenSSL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from v2x.errors import CryptoError


@dataclass(frozen=True, slots=True)
class Curve:
    """Domain parameters of one prime-field curve, plus its 1609.2 hash and OpenSSL class."""

    name: str
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int
    hash_name: str
    openssl: type[ec.EllipticCurve] | None = field(default=None, compare=False)
    aliases: tuple[str, ...] = ()

    def __hash__(self) -> int:  # cheap: curves are cache keys on hot paths
        return hash(self.name)

    @property
    def size(self) -> int:
        """Bytes of a field element (and of a scalar: every curve here has len(n) == len(p))."""
        return (self.p.bit_length() + 7) // 8

    @property
    def g(self) -> tuple[int, int]:
        """The generator as an affine point."""
        return (self.gx, self.gy)

    @property
    def point_choice(self) -> str:
        """The 1609.2 CHOICE name of the uncompressed form: ``uncompressedP256`` / ``P384``."""
        return f"uncompressedP{8 * self.size}"

    def openssl_curve(self) -> ec.EllipticCurve:
        """An instance of the ``cryptography`` curve; CryptoError where OpenSSL has none (SM2)."""
        if self.openssl is None:
            raise CryptoError(f"OpenSSL has no curve {self.name}", "curves.openssl")
        return self.openssl()


NIST_P256 = Curve(
    name="nistP256",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    hash_name="sha256",
    openssl=ec.SECP256R1,
    aliases=("secp256r1", "prime256v1", "P-256", "ecdsaNistP256"),
)

NIST_P384 = Curve(
    name="nistP384",
    p=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
        "FFFFFFFF0000000000000000FFFFFFFF", 16),
    a=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
        "FFFFFFFF0000000000000000FFFFFFFC", 16),
    b=int(
        "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
        "C656398D8A2ED19D2A85C8EDD3EC2AEF", 16),
    n=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973", 16),
    gx=int(
        "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
        "5502F25DBF55296C3A545E3872760AB7", 16),
    gy=int(
        "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
        "0A60B1CE1D7E819D7A431D7C90EA0E5F", 16),
    hash_name="sha384",
    openssl=ec.SECP384R1,
    aliases=("secp384r1", "P-384", "ecdsaNistP384"),
)

BRAINPOOL_P256R1 = Curve(
    name="brainpoolP256r1",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    hash_name="sha256",
    openssl=ec.BrainpoolP256R1,
    aliases=("ecdsaBrainpoolP256r1",),
)

BRAINPOOL_P384R1 = Curve(
    name="brainpoolP384r1",
    p=int(
        "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123"
        "ACD3A729901D1A71874700133107EC53", 16),
    a=int(
        "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F"
        "8AA5814A503AD4EB04A8C7DD22CE2826", 16),
    b=int(
        "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D5"
        "7CB4390295DBC9943AB78696FA504C11", 16),
    n=int(
        "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7"
        "CF3AB6AF6B7FC3103B883202E9046565", 16),
    gx=int(
        "1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8"
        "E826E03436D646AAEF87B2E247D4AF1E", 16),
    gy=int(
        "8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF9912928"
        "0E4646217791811142820341263C5315", 16),
    hash_name="sha384",
    openssl=ec.BrainpoolP384R1,
    aliases=("ecdsaBrainpoolP384r1",),
)

SM2 = Curve(
    name="sm2",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    hash_name="sm3",
    openssl=None,
    aliases=("sm2p256v1", "ecsigSm2", "SM2"),
)

CURVES: dict[str, Curve] = {
    c.name: c for c in (NIST_P256, NIST_P384, BRAINPOOL_P256R1, BRAINPOOL_P384R1, SM2)
}
_BY_ALIAS: dict[str, Curve] = {
    alias.lower(): c for c in CURVES.values() for alias in (c.name, *c.aliases)
}


def get(curve: Curve | str) -> Curve:
    """The curve row for a ``Curve`` or a name (1609.2 name, SEC name or alias, any case)."""
    if isinstance(curve, Curve):
        return curve
    found = _BY_ALIAS.get(str(curve).lower())
    if found is None:
        raise CryptoError(f"unknown curve {curve!r}; known: {', '.join(CURVES)}", "curves.get")
    return found
