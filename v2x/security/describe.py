"""Human-readable summaries of security structures (``v2x sec show``)."""

from __future__ import annotations

from typing import Any

from v2x.clock import utc_from_tai_us
from v2x.security.certificates import Certificate


def certificate(cert: Certificate) -> str:
    """A certificate as a few aligned lines: identity, issuer, validity, region, permissions."""
    tbs = cert.tbs
    kind, key = tbs["verifyKeyIndicator"]
    key_text = (f"{key[0]} ({key[1][0]})" if kind == "verificationKey"
                else f"reconstruction value ({key[0]})")
    issuer = ("self-signed" if cert.self_signed
              else f"{cert.issuer_id.hex()} ({cert.issuer_hash_name})")
    lines = [
        ("name", cert.name or f"({tbs['id'][0]})"),
        ("type", cert.value["type"]),
        ("HashedId8", f"{cert.hashed_id8.hex()} ({cert.hash_name})"),
        ("issuer", issuer),
        ("valid from", _utc(cert.start_tai_us)),
        ("valid until", _utc(cert.end_tai_us)),
        ("region", _region(cert.region)),
        ("key", key_text),
        ("crl series", str(tbs["crlSeries"])),
    ]
    for psid, ssp in sorted(cert.app_permissions.items()):
        lines.append(("app permission", f"PSID {psid}" + (
            "" if ssp is None else f", {ssp[0]} {bytes(ssp[1]).hex()}")))
    for group in cert.issue_permissions:
        subject, entries = group["subjectPermissions"]
        scope = "all PSIDs" if subject == "all" else "PSIDs " + ", ".join(
            str(e["psid"]) for e in entries)
        lines.append(("may issue", f"{scope}, chain length {group.get('minChainLength', 1)}"
                      f"+{group.get('chainLengthRange', 0)}"))
    if cert.value.get("signature") is not None:
        lines.append(("signature", cert.value["signature"][0]))
    width = max(len(label) for label, _ in lines)
    return "\n".join(f"{label:<{width}}  {text}" for label, text in lines)


def _utc(tai_us: int) -> str:
    return utc_from_tai_us(tai_us).strftime("%Y-%m-%d %H:%M:%S UTC")


def _region(region: tuple[str, Any] | None) -> str:
    if region is None:
        return "(issuer's)"
    kind, value = region
    if kind == "identifiedRegion":
        codes = [item[1] if item[0] == "countryOnly" else item[1].get("countryOnly")
                 for item in value]
        return "countries " + ", ".join(str(c) for c in codes)
    if kind == "circularRegion":
        centre = value["center"]
        return (f"circle {value['radius']} m around {centre['latitude'] / 1e7:.6f}, "
                f"{centre['longitude'] / 1e7:.6f}")
    return f"{kind} ({len(value)} parts)"
