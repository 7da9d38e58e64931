"""Typed exceptions of v2x: every failure a caller can meet is one of these.

Each error carries ``path``: where the problem is, as a dotted field path inside a message
(``CAM.cam.camParameters.highFrequencyContainer...``), or ``file:key`` in a scenario. The
message text always starts with that path, so one printed line is enough to locate it.
"""

from __future__ import annotations


class V2XError(Exception):
    """Base class of all v2x errors; ``path`` names where the problem is (may be empty)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.reason = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class MessageError(V2XError):
    """A message could not be encoded or decoded."""


class UnknownMessageError(MessageError):
    """The message name is not in the catalogue (see ``v2x.messages.catalogue()``)."""


class EncodeError(MessageError):
    """A value does not fit the message schema (wrong type, missing field, out of range)."""


class DecodeError(MessageError):
    """Bytes are not a valid encoding of the message: truncated, padded, garbage or too deep."""


class SchemaError(V2XError):
    """An ASN.1 module shipped with v2x failed to load or compile (a packaging defect)."""


class FramingError(MessageError):
    """A transport header (GeoNetworking, BTP, WSMP, DSMP) or capture file is malformed."""


class InputError(V2XError):
    """Input given to the command line or a loader is unreadable (bad hex, JSON, file)."""


class SecurityError(V2XError):
    """A security operation failed (IEEE 1609.2 / ETSI TS 103 097 / YD/T 3957)."""


class CryptoError(SecurityError):
    """A cryptographic primitive was given unusable input (a point off the curve, a bad key)."""


class CertificateError(SecurityError):
    """A certificate is malformed or unusable (unsupported key, missing signature, ...)."""


class InvalidSignature(SecurityError):
    """A signature does not verify over the given digest and key."""


class VerificationError(SecurityError):
    """Received secured data failed a check; ``report`` is the TS 102 723-8 style result code
    (``FALSE_SIGNATURE``, ``INVALID_CERTIFICATE``, ``UNKNOWN_SIGNER``, ...)."""

    def __init__(self, report: str, message: str, path: str = "") -> None:
        self.report = report
        super().__init__(f"{report}: {message}", path)


class ScenarioError(V2XError):
    """A scenario folder is unusable: ``path`` is ``file:key`` naming where."""

    def __init__(self, message: str, file: str, key: str = "") -> None:
        self.file = file
        self.key = key
        super().__init__(message, f"{file}:{key}" if key else file)


class SimulationError(V2XError):
    """A simulation could not go on (the traffic simulator died, an output folder exists, ...)."""
