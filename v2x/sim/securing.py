"""Security in the simulation, in three modes (DESIGN.md principle 10).

* ``off``: unsecured messages.
* ``modelled``: every message carries the exact overhead of an ETSI TS 103 097 signed SPDU (the
  sizes are measured once by signing with a real P-256 ticket: with the signer's digest, or with
  its certificate once a second per station; a DENM always carries the certificate and its
  generation location, clause 7.1.2; SPATEM, MAPEM and IVIM follow the CAM rule); an RSU can
  verify a vehicle's message only once it has received that vehicle's certificate (else
  UNKNOWN_SIGNER), and each verification costs the time of ``bench/security.py``'s cost table
  (``COSTS``), which adds to the message's latency and to the RSU's processing load.
* ``real``: every station has an authorization ticket of a simulated PKI (root -> AA -> AT) and
  signs its messages with ``v2x.security.sign``; RSUs verify the real bytes with
  ``v2x.security.verify`` and their own trust store.

In both secured modes a sampled share of vehicles (``verifying_share``, drawn when a vehicle
appears) verifies everything it receives the same way, for the on-board verification load.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from v2x.clock import FixedClock
from v2x.errors import ScenarioError, VerificationError
from v2x.security.certificates import Certificate
from v2x.security.primitives import ecdsa
from v2x.security.sign import CAM_POLICY, DENM_POLICY, Signer, sign, signed_certificate_value
from v2x.security.sign import verification_key_value as key_value
from v2x.security.trust import TrustPolicy, TrustStore
from v2x.security.verify import verify
from v2x.sim.services.kinds import ITS_AID, KIND_CODE, KINDS

MODES = ("off", "modelled", "real")

COSTS = {"sign_us": 40.0, "verify_digest_us": 55.0, "verify_certificate_us": 110.0,
         "jitter": 0.15}
"""Mean costs on one core, from bench/security.py (P-256; 2-core machine, 2026-11): signing a
CAM ~25,000/s, secured RX with a known signer ~18,900/s (53 us), and about twice that when the
certificate is carried and checked for the first time. ``jitter`` is the relative spread."""

CAM_PSID = ITS_AID["cam"]
DENM = KIND_CODE["denm"]
ELEVATION_UNKNOWN = 4096
START_S = 600_000_000  # Time32 start of the simulated PKI (2023): before any simulated time


@dataclass
class Verification:
    """What RSUs made of the CAMs they received in one step."""

    verified: np.ndarray
    """Per reception: the signature checked out (bool)."""
    latency_us: np.ndarray
    """Per reception: processing time added by the check."""


class SimPki:
    """A root, an AA and one authorization ticket per vehicle slot, all P-256."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.root_key = ecdsa.generate_private_key("nistP256")
        self.root = self._certificate("sim-root", self.root_key, None, None,
                                      issue=[{"subjectPermissions": ("all", None),
                                              "minChainLength": 2}], years=30)
        self.aa_key = ecdsa.generate_private_key("nistP256")
        self.aa = self._certificate("sim-aa", self.aa_key, self.root, self.root_key,
                                    issue=[{"subjectPermissions": ("explicit", [
                                        {"psid": psid} for psid in ITS_AID.values()])}],
                                    years=20)

    def _certificate(self, name, key, issuer, issuer_key, *, issue=None, app=None, years=10):
        tbs = {"id": ("name", name) if name else ("none", None), "cracaId": b"\x00\x00\x00",
               "crlSeries": 0, "validityPeriod": {"start": START_S, "duration": ("years", years)},
               "verifyKeyIndicator": ("verificationKey", key_value("nistP256", key))}
        if issue:
            tbs["certIssuePermissions"] = issue
        if app:
            tbs["appPermissions"] = app
        value = signed_certificate_value(tbs, issuer, issuer_key if issuer else key, "nistP256",
                                         "sha256")
        return Certificate.from_value(value)

    def ticket(self, roadside: bool = False) -> Signer:
        """A fresh authorization ticket: CAM and DENM for a vehicle, every kind for an RSU."""
        key = ecdsa.generate_private_key("nistP256")
        app = [{"psid": CAM_PSID, "ssp": ("bitmapSsp", b"\x01\x00\x00")},
               {"psid": ITS_AID["denm"]}]
        if roadside:
            app += [{"psid": ITS_AID[kind]} for kind in ("spatem", "mapem", "ivim")]
        at = self._certificate(None, key, self.aa, self.aa_key, app=app, years=10)
        return Signer(at, key)


class SecurityModel:
    """Applies one security mode to the CAM traffic of a run."""

    def __init__(self, mode: str, n_slots: int, n_rsus: int, rng: np.random.Generator,
                 start_tai_us: int, to_wgs84=None, roadside: range = range(0),
                 verifying_share: float = 0.0) -> None:
        if mode not in MODES:
            raise ScenarioError(f"unknown mode {mode!r}; known: {', '.join(MODES)}", "scenario",
                                "security.mode")
        self.mode = mode
        self.rng = rng
        self.start_tai_us = start_tai_us
        self.clock = FixedClock(start_tai_us)
        self.roadside = roadside
        """Slots that belong to RSUs (their tickets allow SPATEM, MAPEM and IVIM too)."""
        self.to_wgs84 = to_wgs84
        """(x, y) arrays -> (lat, lon) arrays: DENM headers carry the generation location."""
        self.overhead_digest = 0
        self.overhead_certificate = 0
        self.overhead_denm = 0
        self.last_certificate_us = np.full(n_slots, -np.inf)
        self.rsu_knows = np.zeros((n_rsus, n_slots), dtype=bool)
        self.verifying_share = verifying_share if mode != "off" else 0.0
        self.verifying = np.zeros(n_slots, dtype=bool)
        """Vehicles that verify what they receive (sampled when a vehicle takes its slot)."""
        self.generation = np.zeros(n_slots, dtype=np.int64)
        """How many vehicles a slot has held: a vehicle knows (sender, generation) pairs."""
        self._knows_row = np.full(n_slots, -1, dtype=np.int64)
        """Verifying vehicle slot -> its row of ``_knows`` (given at its first check)."""
        self._knows = np.full((0, n_slots), -1, dtype=np.int64)
        """Per verifying vehicle and sender slot: the sender's generation whose certificate it
        learnt (-1: none), modelled mode."""
        self._vehicle_stores: dict[int, TrustStore] = {}
        self.signers: dict[int, Signer] = {}
        self.stores: list[TrustStore] = []
        if mode != "off":
            self.pki = SimPki(rng)
            self._measure_overheads()
        if mode == "real":
            self.stores = [self._store() for _ in range(n_rsus)]

    def _store(self) -> TrustStore:
        store = TrustStore(TrustPolicy(roots=(self.pki.root,)))
        store.learn(self.pki.aa)
        return store

    def _measure_overheads(self) -> None:
        """Exact SPDU overheads: sign a payload once with a certificate and once with a digest."""
        signer = self.pki.ticket()
        with_certificate = sign(b"x" * 50, signer, psid=CAM_PSID, clock=self.clock)
        with_digest = sign(b"x" * 50, signer, psid=CAM_PSID, clock=self.clock)
        denm = sign(b"x" * 50, signer, psid=ITS_AID["denm"], clock=self.clock,
                    policy=DENM_POLICY, location=(0, 0, ELEVATION_UNKNOWN))
        self.overhead_certificate = len(with_certificate) - 50
        self.overhead_digest = len(with_digest) - 50
        self.overhead_denm = len(denm) - 50

    def new_vehicles(self, slots: np.ndarray) -> None:
        """Slots that now hold another vehicle: forget what RSUs knew of the previous one."""
        self.last_certificate_us[slots] = -np.inf
        self.rsu_knows[:, slots] = False
        self.generation[slots] += 1
        self.verifying[slots] = self.rng.random(len(slots)) < self.verifying_share
        rows = self._knows_row[slots]
        self._knows[rows[rows >= 0]] = -1
        for slot in slots.tolist():
            self.signers.pop(slot, None)
            self._vehicle_stores.pop(slot, None)

    def secure(self, slots: np.ndarray, payloads: list[bytes], now_us: np.ndarray,
               kinds: np.ndarray | None = None, xy: np.ndarray | None = None
               ) -> tuple[list[bytes], np.ndarray, np.ndarray]:
        """(frames, sizes, carries certificate) of messages sent by ``slots`` at ``now_us``
        (``kinds``: codes of ``KINDS``, CAM if None; ``xy``: sender positions, for DENMs)."""
        count = len(slots)
        denm = np.zeros(count, dtype=bool) if kinds is None else kinds == DENM
        carries = denm | (now_us - self.last_certificate_us[slots]
                          >= CAM_POLICY.certificate_interval_us)
        if self.mode == "off":
            sizes = np.fromiter((len(p) for p in payloads), dtype=np.int64, count=count)
            return payloads, sizes, np.zeros(count, dtype=bool)
        self.last_certificate_us[slots[carries & ~denm]] = now_us[carries & ~denm]
        if self.mode == "modelled":
            sizes = np.fromiter((len(p) for p in payloads), dtype=np.int64, count=count)
            sizes += np.where(denm, self.overhead_denm,
                              np.where(carries, self.overhead_certificate, self.overhead_digest))
            return payloads, sizes, carries
        frames = [self._sign(int(slot), payload, int(when), include, int(kind), where)
                  for slot, payload, when, include, kind, where in zip(
                      slots.tolist(), payloads, now_us.tolist(), carries.tolist(),
                      np.zeros(count, dtype=np.int64) if kinds is None else kinds.tolist(),
                      np.zeros((count, 2)) if xy is None else xy, strict=True)]
        sizes = np.fromiter((len(f) for f in frames), dtype=np.int64, count=count)
        return frames, sizes, carries

    def _sign(self, slot: int, payload: bytes, when_us: int, include: bool, kind: int,
              xy: np.ndarray) -> bytes:
        signer = self.signers.get(slot)
        if signer is None:
            signer = self.signers[slot] = self.pki.ticket(roadside=slot in self.roadside)
        if include:
            signer.new_neighbour()  # follow the simulation's once-a-second decision
        self.clock.tai_us = self.start_tai_us + when_us
        psid = ITS_AID[KINDS[kind]]
        if kind != DENM:
            return sign(payload, signer, psid=psid, clock=self.clock)
        if self.to_wgs84 is None:
            raise ValueError("a DENM needs the sender's position: give to_wgs84")
        lat, lon = self.to_wgs84(np.array([xy[0]]), np.array([xy[1]]))
        location = (round(float(lat[0]) * 1e7), round(float(lon[0]) * 1e7), ELEVATION_UNKNOWN)
        return sign(payload, signer, psid=psid, clock=self.clock, policy=DENM_POLICY,
                    location=location)

    def verify_at_rsus(self, rsu: np.ndarray, sender: np.ndarray, carries: np.ndarray,
                       frames: list[bytes] | None, time_us: np.ndarray) -> Verification:
        """Verify receptions at RSUs (``carries``: the frame held the sender's certificate;
        ``time_us``: when each was received)."""
        count = len(rsu)
        if self.mode == "off":
            return Verification(np.zeros(count, dtype=bool), np.zeros(count))
        self.rsu_knows[rsu[carries], sender[carries]] = True
        if self.mode == "modelled":
            verified = self.rsu_knows[rsu, sender]
        else:
            verified = np.zeros(count, dtype=bool)
            for i in range(count):
                self.clock.tai_us = self.start_tai_us + int(time_us[i])
                try:
                    verify(frames[i], trust=self.stores[rsu[i]], clock=self.clock)
                    verified[i] = True
                except VerificationError:
                    verified[i] = False
        return Verification(verified, self._cost(carries, verified))

    def verify_at_vehicles(self, receiver: np.ndarray, sender: np.ndarray, carries: np.ndarray,
                           frames: list[bytes] | None, time_us: np.ndarray) -> Verification:
        """Verify receptions at verifying vehicles, as ``verify_at_rsus`` does at RSUs."""
        count = len(receiver)
        verified = np.zeros(count, dtype=bool)
        if self.mode == "off":
            return Verification(verified, np.zeros(count))
        if self.mode == "modelled":
            verified = self._modelled_at_vehicles(receiver, sender, carries)
            return Verification(verified, self._cost(carries, verified))
        for i, rx in enumerate(receiver.tolist()):
            store = self._vehicle_stores.get(rx)
            if store is None:
                store = self._vehicle_stores[rx] = self._store()
            self.clock.tai_us = self.start_tai_us + int(time_us[i])
            try:
                verify(frames[i], trust=store, clock=self.clock)
                verified[i] = True
            except VerificationError:
                verified[i] = False
        return Verification(verified, self._cost(carries, verified))

    def _modelled_at_vehicles(self, receiver: np.ndarray, sender: np.ndarray,
                              carries: np.ndarray) -> np.ndarray:
        """Receptions in order: one verifies when its receiver already knew the sender's
        certificate or learns it from this frame or an earlier one of the batch."""
        fresh = np.unique(receiver[self._knows_row[receiver] < 0])
        if fresh.size:
            self._knows_row[fresh] = len(self._knows) + np.arange(fresh.size)
            self._knows = np.vstack([self._knows, np.full((fresh.size, self._knows.shape[1]),
                                                          -1, dtype=np.int64)])
        rows = self._knows_row[receiver]
        generation = self.generation[sender]
        known = self._knows[rows, sender] == generation
        key = rows * self._knows.shape[1] + sender
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        count = len(key)
        learnt_at = np.minimum.reduceat(np.where(carries[order], order, count), starts)
        verified = np.empty(count, dtype=bool)
        verified[order] = known[order] | (order >= np.repeat(learnt_at, np.diff(
            np.r_[starts, count])))
        self._knows[rows[carries], sender[carries]] = generation[carries]
        return verified

    def _cost(self, carries: np.ndarray, verified: np.ndarray) -> np.ndarray:
        """Processing time of each check (the cost table; nothing for an unknown signer)."""
        mean = np.where(carries, COSTS["verify_certificate_us"], COSTS["verify_digest_us"])
        latency = mean * (1 + COSTS["jitter"] * self.rng.standard_normal(len(carries)))
        return np.maximum(latency, 0.0) * (verified | carries)
