"""Permissions along a certificate chain: IEEE 1609.2 §5.1.2.2 to §5.1.2.4, §6.4.28 to §6.4.33.

An end-entity certificate's ``appPermissions`` (PSID with an optional SSP) must be granted by a
``PsidGroupPermissions`` of its issuer whose ``eeType`` includes ``app``; a CA certificate's
``certIssuePermissions`` must be granted by its issuer's. A group grants a PSID through
``subjectPermissions`` (``all`` or an explicit list of PSIDs, each with an SSP range: ``all``,
``opaque`` values, or ``bitmapSspRange`` whose masked bits must equal), and limits how many
certificates may follow it in the chain: from ``minChainLength`` (default 1) to
``minChainLength + chainLengthRange`` (default 0; -1 means no limit).
"""

from __future__ import annotations

from typing import Any

APP = 0x80
"""EndEntityType bit app(0) in the first octet."""


def _ee_type(group: dict[str, Any]) -> int:
    value = group.get("eeType")
    return APP if value is None else value[0][0]  # absent: DEFAULT {app}


def chain_length_ok(group: dict[str, Any], below: int) -> bool:
    """Whether ``below`` certificates may follow a CA under ``group`` (1609.2 §6.4.31)."""
    low = group.get("minChainLength", 1)
    spread = group.get("chainLengthRange", 0)
    return below >= low and (spread == -1 or below <= low + spread)


def ssp_in_range(ssp: tuple[str, Any] | None, ssp_range: tuple[str, Any] | None) -> bool:
    """Whether a ServiceSpecificPermissions value is inside an SspRange (absent range: all)."""
    if ssp_range is None or ssp_range[0] == "all":
        return True
    kind, allowed = ssp_range
    if kind == "opaque":
        return ssp is not None and ssp[0] == "opaque" and ssp[1] in allowed
    if kind == "bitmapSspRange":
        if ssp is None or ssp[0] != "bitmapSsp":
            return False
        value, mask = allowed["sspValue"], allowed["sspBitmask"]
        given = ssp[1]
        return len(given) == len(value) == len(mask) and all(
            (g & m) == (v & m) for g, v, m in zip(given, value, mask, strict=True))
    return False


def _grants(group: dict[str, Any], psid: int, ssp: tuple[str, Any] | None) -> bool:
    kind, permissions = group["subjectPermissions"]
    if kind == "all":
        return True
    if kind != "explicit":
        return False
    return any(entry["psid"] == psid and ssp_in_range(ssp, entry.get("sspRange"))
               for entry in permissions)


def app_permissions_granted(app: dict[int, tuple[str, Any] | None],
                            issuer_groups: list[dict[str, Any]]) -> int | None:
    """The first PSID of an end entity that no app group of its issuer grants (None: all ok)."""
    groups = [g for g in issuer_groups if _ee_type(g) & APP and chain_length_ok(g, 1)]
    for psid, ssp in app.items():
        if not any(_grants(g, psid, ssp) for g in groups):
            return psid
    return None


def issue_permissions_granted(groups: list[dict[str, Any]],
                              issuer_groups: list[dict[str, Any]], below: int) -> bool:
    """Whether a CA's issuing groups are covered by its issuer's (``below``: certificates after
    the CA in the chain, the CA itself included)."""
    allowed = [g for g in issuer_groups if chain_length_ok(g, below)]
    for group in groups:
        kind, permissions = group["subjectPermissions"]
        if kind == "all":
            if not any(g["subjectPermissions"][0] == "all" for g in allowed):
                return False
            continue
        for entry in permissions:
            if not any(_grants(g, entry["psid"], None) or _grants_range(g, entry)
                       for g in allowed):
                return False
    return True


def _grants_range(group: dict[str, Any], entry: dict[str, Any]) -> bool:
    kind, permissions = group["subjectPermissions"]
    if kind == "all":
        return True
    return any(p["psid"] == entry["psid"] and (p.get("sspRange") is None
                                               or p.get("sspRange") == entry.get("sspRange")
                                               or p["sspRange"][0] == "all")
               for p in permissions)
