"""Trust: an immutable policy built up front, and the store a receiver fills while it runs.

``TrustPolicy`` (DESIGN.md principle 7) holds the trusted roots (of one or several regions), the
time tolerances, the replay window and the revoked certificates; it never changes after it is
built. ``TrustStore`` applies one policy: it keeps the certificates it has validated, keyed by
HashedId8 (so later messages signed with a digest resolve), caches each chain's verdict, remembers
recent signatures for replay detection, and queues the HashedId3 of unknown signers for the next
outgoing inline P2PCD request (IEEE 1609.2 §8, ETSI TS 103 097 §7.1.1).

Chain validation (IEEE 1609.2 §5.1.2): every certificate's signature verifies with its issuer's
key (implicit ones take their key from it by ECQV), validity periods nest, regions nest,
permissions are granted by the issuer within its chain-length limits, no certificate is revoked,
and the chain ends in a root of the policy.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from v2x.errors import CertificateError, CryptoError, InvalidSignature, VerificationError
from v2x.security import permissions, regions
from v2x.security.certificates import Certificate
from v2x.security.primitives import ecdsa
from v2x.security.reports import Report


@dataclass(frozen=True)
class TrustPolicy:
    """What a receiver accepts; immutable."""

    roots: tuple[Certificate, ...]
    time_tolerance_us: int = 2_000_000
    """How far in the future a generation time may lie (clock differences)."""
    max_age_us: int = 10_000_000
    """How old a message may be when it is checked."""
    replay_window_us: int = 12_000_000
    """How long an accepted signature is remembered to spot replays (≥ max age + tolerance)."""
    revoked: frozenset[bytes] = frozenset()
    """HashedId8 of revoked certificates (the contents of the CRLs the policy was built from)."""
    max_chain_length: int = 4
    location_required_psids: frozenset[int] = frozenset({37})
    """PSIDs whose messages must carry a generation location (ETSI: DENM, ITS-AID 37)."""
    pinned: tuple[Certificate, ...] = ()
    """Explicit certificates trusted as they are, without a chain (test beds, captured traffic
    whose CA certificates are not public)."""

    def __post_init__(self) -> None:
        for root in self.roots:
            if not root.self_signed:
                raise CertificateError(f"{root!r} is not self-signed", "TrustPolicy.roots")
            try:
                root.verify_signature(None)
            except (InvalidSignature, CertificateError, CryptoError) as exc:
                raise CertificateError(f"root {root!r}: {exc}", "TrustPolicy.roots") from None


@dataclass(frozen=True, eq=False)
class Chain:
    """A validated chain, leaf first, and what it allows."""

    certificates: tuple[Certificate, ...]
    public_key: tuple[int, int]
    region: tuple | None
    """The effective region of the leaf (its own or the nearest issuer's)."""

    @property
    def leaf(self) -> Certificate:
        return self.certificates[0]

    @functools.cached_property
    def verifier(self) -> Any:
        """The leaf's key ready for verification: an OpenSSL key (ECDSA) or the point (SM2)."""
        curve = self.leaf.curve
        if curve.openssl is None:
            return self.public_key
        return ecdsa.load_public_key(curve, self.public_key)

    @functools.cached_property
    def revoked_ids(self) -> frozenset[bytes]:
        return frozenset(c.hashed_id8 for c in self.certificates)


@dataclass
class TrustStore:
    """Certificates a receiver knows and trusts under one policy, and its replay memory."""

    policy: TrustPolicy
    known: dict[bytes, Certificate] = field(default_factory=dict)
    chains: dict[bytes, Chain] = field(default_factory=dict)
    p2pcd_requests: OrderedDict[bytes, None] = field(default_factory=OrderedDict)
    _seen: OrderedDict[bytes, int] = field(default_factory=OrderedDict)
    _by_bytes: dict[bytes, Certificate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for root in (*self.policy.roots, *self.policy.pinned):
            self.known[root.hashed_id8] = root
            self.chains[root.hashed_id8] = Chain((root,), root.public_key(), root.region)

    # ------------------------------------------------------------------ certificates

    def certificate(self, data: bytes) -> Certificate:
        """The Certificate of these bytes, decoded once per distinct certificate."""
        found = self._by_bytes.get(data)
        if found is None:
            found = Certificate.from_bytes(data)
            if len(self._by_bytes) > 10_000:
                self._by_bytes.clear()
            self._by_bytes[data] = found
        return found

    def learn(self, certificate: Certificate) -> Chain:
        """Validate ``certificate`` (issuers must be known) and keep it for digest lookups."""
        chain = self.validate(certificate)
        self.known[certificate.hashed_id8] = certificate
        return chain

    def lookup(self, hashed_id8: bytes) -> Chain | None:
        """The validated chain of a known certificate, by HashedId8."""
        return self.chains.get(hashed_id8)

    def request_unknown(self, hashed_id8: bytes) -> None:
        """Queue the HashedId3 of an unknown certificate for the next inline P2PCD request."""
        self.p2pcd_requests[hashed_id8[-3:]] = None

    def pending_requests(self, limit: int = 8) -> list[bytes]:
        """The HashedId3 values to request in the next outgoing message (and forget them)."""
        out = []
        while self.p2pcd_requests and len(out) < limit:
            out.append(self.p2pcd_requests.popitem(last=False)[0])
        return out

    # ------------------------------------------------------------------ chains

    def validate(self, leaf: Certificate) -> Chain:
        """The chain of ``leaf`` up to a trusted root; VerificationError with the reason."""
        cached = self.chains.get(leaf.hashed_id8)
        if cached is not None and cached.leaf == leaf:
            return cached
        policy = self.policy
        if leaf.hashed_id8 in policy.revoked:
            raise VerificationError(Report.REVOKED_CERTIFICATE, f"{leaf!r} is revoked")
        if leaf.self_signed:
            raise VerificationError(Report.UNTRUSTED_ROOT, f"{leaf!r} is a root the policy lacks")
        issuer_id = leaf.issuer_id
        issuer_chain = self.chains.get(issuer_id)
        if issuer_chain is None:
            self.request_unknown(issuer_id)
            raise VerificationError(Report.UNKNOWN_SIGNER,
                                    f"issuer {issuer_id.hex()} of {leaf!r} is unknown")
        issuer = issuer_chain.leaf
        if len(issuer_chain.certificates) + 1 > policy.max_chain_length:
            raise VerificationError(Report.INCONSISTENT_CHAIN, "chain longer than the policy's "
                                    f"{policy.max_chain_length}")
        try:
            leaf.verify_signature(issuer)
            public_key = leaf.public_key(issuer)
        except (InvalidSignature, CertificateError, CryptoError) as exc:
            raise VerificationError(Report.INVALID_CERTIFICATE, f"{leaf!r}: {exc}") from None
        if leaf.start_tai_us < issuer.start_tai_us or leaf.end_tai_us > issuer.end_tai_us:
            raise VerificationError(Report.INVALID_CERTIFICATE,
                                    f"{leaf!r} is valid outside its issuer's validity")
        inside = regions.contains_region(issuer_chain.region, leaf.region)
        if inside is False:
            raise VerificationError(Report.INVALID_CERTIFICATE,
                                    f"{leaf!r} has a region outside its issuer's")
        self._check_permissions(leaf, issuer_chain)
        chain = Chain((leaf, *issuer_chain.certificates), public_key,
                      leaf.region if leaf.region is not None else issuer_chain.region)
        self.chains[leaf.hashed_id8] = chain
        return chain

    def _check_permissions(self, leaf: Certificate, issuer_chain: Chain) -> None:
        issuer = issuer_chain.leaf
        groups = issuer.issue_permissions
        if leaf.app_permissions:
            missing = permissions.app_permissions_granted(leaf.app_permissions, groups)
            if missing is not None:
                raise VerificationError(Report.INVALID_CERTIFICATE,
                                        f"{leaf!r}: issuer does not grant PSID {missing}")
        below = 1 + min((g.get("minChainLength", 1) for g in leaf.issue_permissions), default=0)
        if leaf.issue_permissions and not permissions.issue_permissions_granted(
                leaf.issue_permissions, groups, below=below):
            raise VerificationError(Report.INVALID_CERTIFICATE,
                                    f"{leaf!r}: issuing permissions exceed its issuer's")

    # ------------------------------------------------------------------ replay

    def seen_before(self, key: bytes, now_us: int) -> bool:
        """Whether ``key`` (a signature) was accepted inside the replay window."""
        window = self.policy.replay_window_us
        seen = self._seen
        while seen:
            oldest_key, when = next(iter(seen.items()))
            if now_us - when <= window:
                break
            seen.pop(oldest_key)
        return key in seen

    def remember(self, key: bytes, now_us: int) -> None:
        """Record an accepted signature for replay detection."""
        self._seen[key] = now_us
