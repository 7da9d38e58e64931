"""IEEE 1609.2 / ETSI TS 103 097 / YD/T 3957 security: structures, crypto, certificates, trust.

``v2x.security.primitives`` holds the pure cryptographic functions (curves, ECDSA, SM2, ECQV,
ECIES, AES-CCM, hashes); the modules beside it build the 1609.2 services on top of them.
"""
