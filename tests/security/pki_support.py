"""A small test PKI (root -> authorization authority -> authorization tickets) for the tests."""

from __future__ import annotations

from v2x.security.certificates import Certificate
from v2x.security.primitives import ecdsa, sm2
from v2x.security.sign import Signer, signed_certificate_value, verification_key_value

START_S = 700_000_000  # Time32: 2026-03-08, seconds since 2004 TAI
CAM_SSP = ("bitmapSsp", b"\x01\x00\x00")


def private_key(curve: str) -> int:
    return sm2.generate_private_key() if curve == "sm2" else ecdsa.generate_private_key(curve)


def certificate(name, curve, key, issuer=None, issuer_key=None, *, app=None, issue=None,
                start=START_S, duration=("years", 5), region=None, issuer_curve=None):
    tbs = {"id": ("name", name) if name else ("none", None), "cracaId": b"\x00\x00\x00",
           "crlSeries": 0, "validityPeriod": {"start": start, "duration": duration},
           "verifyKeyIndicator": ("verificationKey", verification_key_value(curve, key))}
    if region is not None:
        tbs["region"] = region
    if app is not None:
        tbs["appPermissions"] = app
    if issue is not None:
        tbs["certIssuePermissions"] = issue
    signing_curve = issuer_curve or curve
    hash_name = {"nistP384": "sha384", "brainpoolP384r1": "sha384", "sm2": "sm3"}.get(
        signing_curve, "sha256")
    value = signed_certificate_value(tbs, issuer, issuer_key if issuer else key, signing_curve,
                                     hash_name)
    return Certificate.from_value(value)


class Pki:
    """root (self-signed) -> AA -> AT, all on one curve."""

    def __init__(self, curve: str = "nistP256", at_region=None, aa_region=None) -> None:
        self.curve = curve
        self.root_key = private_key(curve)
        self.root = certificate("root", curve, self.root_key, issue=[
            {"subjectPermissions": ("all", None), "minChainLength": 2}])
        self.aa_key = private_key(curve)
        self.aa = certificate("aa", curve, self.aa_key, self.root, self.root_key, issue=[
            {"subjectPermissions": ("explicit", [{"psid": 36}, {"psid": 37}])}],
            region=aa_region, issuer_curve=curve)
        self.at_key = private_key(curve)
        self.at = certificate(None, curve, self.at_key, self.aa, self.aa_key,
                              app=[{"psid": 36, "ssp": CAM_SSP}, {"psid": 37}],
                              duration=("hours", 168), region=at_region, issuer_curve=curve)

    def signer(self) -> Signer:
        return Signer(self.at, self.at_key)
