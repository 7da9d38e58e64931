"""Verification result codes, after ETSI TS 102 723-8 (SN-SAP) and ETSI TS 103 097 §5.

``verify`` returns on success and otherwise raises ``v2x.errors.VerificationError`` whose
``report`` is one of these names, so a caller can count and route failures by kind.
"""

from __future__ import annotations

from enum import StrEnum


class Report(StrEnum):
    """Why received secured data was not accepted."""

    FALSE_SIGNATURE = "FALSE_SIGNATURE"
    """The signature does not verify with the signer's key."""
    INVALID_CERTIFICATE = "INVALID_CERTIFICATE"
    """A certificate of the chain is malformed, expired, or breaks its issuer's constraints."""
    INCONSISTENT_CHAIN = "INCONSISTENT_CHAIN"
    """A certificate's issuer is not the next certificate, or the chain is too long."""
    REVOKED_CERTIFICATE = "REVOKED_CERTIFICATE"
    """A certificate of the chain is on a revocation list of the trust policy."""
    UNKNOWN_SIGNER = "UNKNOWN_SIGNER"
    """The signer is a digest of a certificate the receiver has not seen (P2PCD is queued)."""
    UNTRUSTED_ROOT = "UNTRUSTED_ROOT"
    """The chain ends in a root certificate that the trust policy does not hold."""
    INVALID_TIMESTAMP = "INVALID_TIMESTAMP"
    """Generation time missing, in the future beyond the tolerance, or too old."""
    EXPIRED_MESSAGE = "EXPIRED_MESSAGE"
    """The header's expiry time has passed."""
    DUPLICATE_MESSAGE = "DUPLICATE_MESSAGE"
    """The same signed data was already accepted inside the replay window."""
    OUTSIDE_REGION = "OUTSIDE_REGION"
    """The generation location is outside the signing certificate's region."""
    INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS"
    """The certificate does not permit this PSID/ITS-AID or its SSP."""
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    """A hash, curve or signature form outside the profile."""
    INCOMPATIBLE_PROTOCOL = "INCOMPATIBLE_PROTOCOL"
    """Not a signed IEEE 1609.2 SPDU of protocol version 3, or not canonical C-OER."""
    UNSIGNED_MESSAGE = "UNSIGNED_MESSAGE"
    """The data is unsecured or encrypted where signed data was expected."""
    INVALID_MOBILITY_DATA = "INVALID_MOBILITY_DATA"
    """A mandatory header field of the profile is missing (e.g. a DENM without location)."""
