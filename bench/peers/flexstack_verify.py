"""Peer benchmark: how fast v2xflexstack (i2CAT, AGPL) verifies an ETSI TS 103 097 signed SPDU.

A benchmark peer only: run it with the python of a throwaway venv that has
``pip install v2xflexstack`` (never a dependency of v2x; this file imports nothing from v2x):

    /tmp/flexstack-venv/bin/python bench/peers/flexstack_verify.py SPDU.hex AT.hex [--seconds 3]

SPDU.hex is a C-OER Ieee1609Dot2Data (EtsiTs103097Data-Signed, signer = certificate or digest),
AT.hex the signer's authorization ticket. Prints one JSON line:
{"peer", "version", "verified", "per_second", "seconds", "iterations", "path", ...}.

What flexstack 0.11.x does in ``VerifyService.verify`` (flexstack/security/verify_service.py),
per message: asn1tools OER decode of the SPDU, OER re-encode of tbsData, signer lookup (a
certificate is deep-copied, re-encoded and SHA-256 hashed to find it in
``CertificateLibrary.known_authorization_tickets``; a digest is looked up there directly), then
``Certificate.verify`` of the AT against its issuer (one python-ecdsa verify, on every message:
there is no verified-flag cache), profile checks on headerInfo, and python-ecdsa verify of the
message. No time or validity-period checks exist in that path, so no clock faking is needed.

It cannot verify a real 1609.2 SPDU as it stands: it signs/verifies ECDSA over SHA-256(tbsData)
instead of IEEE 1609.2 §5.3.1's SHA-256(SHA-256(tbsData) || SHA-256(signer certificate)), its
backend takes only x-only rSig and uncompressed keys, and an AT is accepted only with its issuer
(AA) certificate known. Hence ``--path``:

* ``as-is``: unmodified flexstack, the AT put straight into its AT cache (warm). Timed only if it
  verifies (on the VW Golf 8 CAM it says INVALID_CERTIFICATE: the AA is not in the data set).
* ``interop-shim``: flexstack's unmodified ``VerifyService.verify`` with two narrow adapters:
  (1) the cached AT is a ``Certificate`` subclass whose ``verify`` (the chain check against the
  issuer AA) returns True; (2) a ``PythonECDSABackend`` subclass whose ``verify_with_pk`` also
  takes compressed rSig / compressed keys and hashes per 1609.2 (SHA-256 of the signer AT's
  C-OER added; the same python-ecdsa verify call otherwise). Measured: decode, tbsData
  re-encode, signer lookup, profile checks, one ECDSA-P256 verify. Not measured: the per-message
  AT-vs-AA signature check flexstack would also do (one more ECDSA verify) and any chain to root.
* ``native``: flexstack's own round trip: a root -> AA -> AT chain made by flexstack, the SPDU's
  payload signed by ``SignService.sign_cam`` with the same signer choice as the input, verified
  by unmodified ``VerifyService.verify``, AT warm in the cache. Includes the per-message AT
  check (two ECDSA verifies per message). flexstack's hash construction, not 1609.2's.
* ``auto`` (default): ``as-is`` if it verifies, else ``interop-shim`` (``as_is_report`` says why).

Exit 0 whenever a JSON line is printed (``verified`` tells the outcome); exit 2 with one line on
stderr if flexstack is not importable or the input cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

try:
    import ecdsa
    from flexstack.security.certificate import SECURITY_CODER, Certificate, OwnCertificate
    from flexstack.security.certificate_library import CertificateLibrary
    from flexstack.security.ecdsa_backend import PythonECDSABackend
    from flexstack.security.sign_service import SignService
    from flexstack.security.sn_sap import ReportVerify, SNSIGNRequest, SNVERIFYRequest
    from flexstack.security.verify_service import VerifyService
except ImportError as exc:
    print(
        f"flexstack_verify: error: v2xflexstack is not importable ({exc}); run this script "
        "with the python of a venv where `pip install v2xflexstack` was done",
        file=sys.stderr,
    )
    sys.exit(2)

PEER = "v2xflexstack"
PATHS = ("auto", "as-is", "interop-shim", "native")


def fail(message: str) -> None:
    print(f"flexstack_verify: error: {message}", file=sys.stderr)
    sys.exit(2)


def read_hex(path: str) -> bytes:
    try:
        return bytes.fromhex("".join(Path(path).read_text().split()))
    except (OSError, ValueError) as exc:
        fail(f"cannot read hex file {path}: {exc}")
        raise  # unreachable


class PreTrustedCertificate(Certificate):
    """An AT taken as already chain-verified (its issuer AA is not available)."""

    def verify(self, backend: object) -> bool:  # type: ignore[override]
        return True


class Ieee1609Dot2Backend(PythonECDSABackend):
    """flexstack's python-ecdsa backend, plus compressed points and the 1609.2 data hash."""

    def __init__(self, signer_certificate: bytes) -> None:
        super().__init__()
        self.signer_certificate = signer_certificate

    def verify_with_pk(self, data: bytes, signature: tuple, pk: tuple) -> bool:  # type: ignore[override]
        kind, body = signature
        if kind != "ecdsaNistP256Signature":
            raise ValueError("Signature format not supported")
        r_kind, r_value = body["rSig"]
        if r_kind in ("x-only", "compressed-y-0", "compressed-y-1"):
            r = r_value
        elif r_kind == "uncompressedP256":
            r = r_value["x"]
        else:
            raise ValueError("Signature format not supported")
        curve, (p_kind, p_value) = pk
        if curve != "ecdsaNistP256":
            raise ValueError("Public key format not supported")
        if p_kind == "uncompressedP256":
            encoded = b"\x04" + p_value["x"] + p_value["y"]
        elif p_kind in ("compressed-y-0", "compressed-y-1"):
            encoded = (b"\x02" if p_kind.endswith("0") else b"\x03") + p_value
        else:
            raise ValueError("Public key format not supported")
        vk = ecdsa.VerifyingKey.from_string(encoded, curve=ecdsa.NIST256p)
        # IEEE 1609.2 §5.3.1: ECDSA over SHA-256(SHA-256(tbsData) || SHA-256(signer cert)).
        message = hashlib.sha256(data).digest() + hashlib.sha256(self.signer_certificate).digest()
        try:
            return vk.verify(body_signature(r, body["sSig"]), message, hashfunc=hashlib.sha256)
        except ecdsa.keys.BadSignatureError:
            return False


def body_signature(r: bytes, s: bytes) -> bytes:
    order = ecdsa.NIST256p.order
    return ecdsa.util.sigencode_string(int.from_bytes(r, "big"), int.from_bytes(s, "big"), order)


def request(spdu: bytes) -> SNVERIFYRequest:
    return SNVERIFYRequest(
        sec_header_length=0, sec_header=b"", message_length=len(spdu), message=spdu
    )


def as_is_signature_check(spdu: bytes, at: Certificate) -> str:
    """What flexstack's own backend says about the message signature (format and hash)."""
    signed = SECURITY_CODER.decode_etsi_ts_103097_data_signed(spdu)["content"][1]
    data = SECURITY_CODER.encode_to_be_signed_data(signed["tbsData"])
    key = at.certificate["toBeSigned"]["verifyKeyIndicator"][1]
    try:
        ok = PythonECDSABackend().verify_with_pk(data, signed["signature"], key)
    except ValueError as exc:
        return f"ValueError: {exc}"
    return "valid" if ok else "invalid (flexstack hashes SHA-256(tbsData) only)"


def build_as_is(spdu: bytes, at_bytes: bytes) -> tuple[VerifyService, dict]:
    backend = PythonECDSABackend()
    at = Certificate().decode(at_bytes)
    library = CertificateLibrary(backend, [], [], [])
    library.known_authorization_tickets[at.as_hashedid8()] = at
    issuer = at.get_issuer_hashedid8()
    notes = {
        "as_is_issuer_known": issuer is None
        or issuer in library.known_authorization_authorities
        or issuer in library.known_root_certificates,
        "as_is_signature_check": as_is_signature_check(spdu, at),
    }
    return VerifyService(backend, library), notes


def build_interop(at_bytes: bytes) -> VerifyService:
    backend = Ieee1609Dot2Backend(at_bytes)
    at = PreTrustedCertificate(certificate=Certificate().decode(at_bytes).certificate)
    library = CertificateLibrary(backend, [], [], [])
    library.known_authorization_tickets[at.as_hashedid8()] = at
    return VerifyService(backend, library)


def _tbs(name: str | None, psids: list[int], issue: bool) -> dict:
    tbs: dict = {
        "id": ("name", name) if name else ("none", None),
        "cracaId": b"\x00\x00\x00",
        "crlSeries": 0,
        "validityPeriod": {"start": 0, "duration": ("hours", 168)},
        "appPermissions": [{"psid": p} for p in psids],
        "verifyKeyIndicator": ("verificationKey", ("ecdsaNistP256", ("fill", None))),
    }
    if issue:
        tbs["certIssuePermissions"] = [
            {
                "subjectPermissions": ("all", None),
                "minChainLength": 2,
                "chainLengthRange": 0,
                "eeType": (b"\x00", 1),
            }
        ]
    return tbs


def build_native(spdu: bytes) -> tuple[VerifyService, bytes]:
    """flexstack signs the input's payload with a chain it made; returns verifier and SPDU."""
    signed = SECURITY_CODER.decode_etsi_ts_103097_data_signed(spdu)["content"][1]
    payload = signed["tbsData"]["payload"]["data"]["content"][1]
    psid = signed["tbsData"]["headerInfo"]["psid"]
    signer_kind = signed["signer"][0]

    sender_backend = PythonECDSABackend()
    root = OwnCertificate.initialize_certificate(sender_backend, _tbs("root", [psid], True))
    aa = OwnCertificate.initialize_certificate(sender_backend, _tbs("aa", [psid], True), root)
    at = OwnCertificate.initialize_certificate(sender_backend, _tbs(None, [psid], False), aa)
    sender_library = CertificateLibrary(sender_backend, [root], [aa], [])
    sender_library.add_own_certificate(at)
    signer = SignService(sender_backend, sender_library)
    sign = SNSIGNRequest(
        tbs_message_length=len(payload),
        tbs_message=payload,
        its_aid=psid,
        permissions_length=0,
        permissions=b"",
    )
    message = signer.sign_cam(sign).sec_message  # first CAM: signer = certificate
    if signer_kind == "digest":
        message = signer.sign_cam(sign).sec_message  # within 1 s: signer = digest

    backend = PythonECDSABackend()
    root_pub = Certificate.from_dict(root.certificate)
    aa_pub = Certificate.from_dict(aa.certificate, root_pub)
    library = CertificateLibrary(backend, [root_pub], [aa_pub], [])
    library.add_authorization_ticket(Certificate.from_dict(at.certificate, aa_pub))  # warm
    return VerifyService(backend, library), message


def measure(call: Callable[[], object], seconds: float) -> tuple[int, float, int]:
    """Calls ``call`` for about ``seconds``; returns iterations, elapsed, non-SUCCESS count."""
    failures = 0
    iterations = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline or iterations == 0:
        if call() is not ReportVerify.SUCCESS:
            failures += 1
        iterations += 1
        now = time.perf_counter()
    return iterations, now - start, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spdu", help="hex file: C-OER Ieee1609Dot2Data, signed")
    parser.add_argument("at", help="hex file: C-OER signer authorization ticket")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--path", choices=PATHS, default="auto")
    args = parser.parse_args()
    spdu, at_bytes = read_hex(args.spdu), read_hex(args.at)
    try:
        decoded = SECURITY_CODER.decode_etsi_ts_103097_data_signed(spdu)
        signer_kind = decoded["content"][1]["signer"][0]
        Certificate().decode(at_bytes)
    except Exception as exc:
        fail(f"flexstack cannot decode the input: {type(exc).__name__}: {exc}")
        raise  # unreachable

    out: dict = {"peer": PEER, "version": metadata.version(PEER)}
    path = args.path
    extra: dict = {}
    message = spdu
    if path in ("auto", "as-is"):
        service, notes = build_as_is(spdu, at_bytes)
        report = service.verify(request(spdu)).report
        if report is ReportVerify.SUCCESS:
            path = "as-is"
        else:
            extra.update({"as_is_report": report.name, **notes})
            if path == "auto":
                path = "interop-shim"
    if path == "interop-shim":
        service = build_interop(at_bytes)
    elif path == "native":
        service, message = build_native(spdu)

    req = request(message)
    try:
        first = service.verify(req).report
    except Exception as exc:
        first = None
        extra["error"] = f"{type(exc).__name__}: {exc}"
    verified = first is ReportVerify.SUCCESS
    out.update({"verified": verified, "path": path, "signer": signer_kind})
    if first is not None:
        out["report"] = first.name
    if verified:
        iterations, elapsed, failures = measure(lambda: service.verify(req).report, args.seconds)
        out.update(
            {
                "per_second": round(iterations / elapsed, 1),
                "seconds": round(elapsed, 3),
                "iterations": iterations,
            }
        )
        if failures:
            out["verified"] = False
            out["failures"] = failures
    else:
        out.update({"per_second": None, "seconds": 0.0, "iterations": 0})
    out["ecdsa"] = f"python-ecdsa {metadata.version('ecdsa')} (pure Python)"
    out.update(extra)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
