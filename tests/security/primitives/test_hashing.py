"""SHA-256, SHA-384, SM3, and HashedId8 / HashedId3 on real trust-list and certificate files."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes

from tests.support import FIXTURES
from v2x.errors import CryptoError
from v2x.security.primitives import hashing

ABC = b"abc"


def test_known_answers():
    # FIPS 180-2 Appendix B.1 / D.1 and GB/T 32905-2016 Appendix A.1: the message "abc".
    assert hashing.sha256(ABC).hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    assert hashing.sha384(ABC).hex() == (
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7")
    assert hashing.sm3(ABC).hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    # GB/T 32905-2016 Appendix A.2: "abcd" repeated 16 times
    assert hashing.sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


@pytest.mark.parametrize("size", [0, 1, 55, 56, 64, 200, 1000])
def test_both_sm3_paths_agree_with_cryptography(size):
    data = bytes(range(256)) * 4
    data = data[:size]
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    expected = digest.finalize()
    assert hashing.sm3(data) == expected
    assert hashing._sm3_cryptography(data) == expected
    if hashing._hashlib_has_sm3():
        assert hashing._sm3_hashlib(data) == expected


def test_hash_for_names():
    assert hashing.hash_for("sha256") is hashing.sha256
    assert hashing.hash_for("SHA-384") is hashing.sha384
    assert hashing.hash_for("sm3") is hashing.sm3
    with pytest.raises(CryptoError) as caught:
        hashing.hash_for("md5")
    assert caught.value.path == "hashing.hash_for"


def test_hashed_id8_sha384_of_the_eu_tlm_certificate():
    # tests/fixtures/cpoc-ectl: the file is named by its HashedId8 (brainpoolP384r1 key, SHA-384)
    tlm = (FIXTURES / "cpoc-ectl" / "tlm_EU-TLM_L2_E7A4B2B045E7ACF9.oer").read_bytes()
    assert hashing.hashed_id8(tlm, "sha384").hex() == "e7a4b2b045e7acf9"
    # the manifest records what the wrong (SHA-256) hash would give
    assert hashing.hashed_id8(tlm, "sha256").hex() == "7f64a76375f1995b"
    assert hashing.hashed_id3(tlm, "sha384").hex() == "e7acf9"


def test_ectl_file_name_is_sha384_over_the_whole_file():
    ectl = (FIXTURES / "cpoc-ectl" / "ectl_L2_CE4CF6C19BFED720.oer").read_bytes()
    assert hashing.hashed_id8(ectl, "sha384").hex() == "ce4cf6c19bfed720"


def test_hashed_id8_sm3_of_the_caict_root_certificate():
    hex_text = (FIXTURES / "china-yd3957" / "trcla_caict_sm2_selfsigned.hex").read_text()
    cert = bytes.fromhex(hex_text.strip())
    assert hashing.hashed_id8(cert, "sm3").hex() == "0b2c85a0f3b2622c"
    assert hashing.hashed_id3(cert, "sm3").hex() == "b2622c"


def test_hashed_id8_sha256_of_a_vw_golf_8_authorization_ticket():
    # tests/fixtures/vanetza: vanetza's test expects this certificate id for the AT
    hex_text = (FIXTURES / "vanetza" / "at_vwgolf8.hex").read_text()
    at = bytes.fromhex(hex_text.strip())
    assert hashing.hashed_id8(at).hex() == "127cff384ce0b890"
    assert hashing.hashed_id3(at) == hashing.sha256(at)[-3:]
