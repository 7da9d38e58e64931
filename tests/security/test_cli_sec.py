"""``v2x sec show | sign | verify``: readable certificates, a sign -> verify round trip, errors."""

from __future__ import annotations

import json

from tests.security.pki_support import Pki
from tests.support import FIXTURES
from v2x.cli import main

VANETZA = FIXTURES / "vanetza"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_show_prints_the_facts_of_a_real_certificate(capsys):
    code, out, _ = run(capsys, "sec", "show", f"@{VANETZA / 'at_vwgolf8.hex'}")
    assert code == 0
    assert "127cff384ce0b890 (sha256)" in out and "PSID 36, bitmapSsp 010000" in out
    assert "2019-11-26 03:00:00 UTC" in out
    code, out, _ = run(capsys, "sec", "show", "--json", f"@{VANETZA / 'at_vwgolf8.hex'}")
    assert json.loads(out)["issuer"] == {"sha256AndDigest": "56dfd6d627a362dc"}


def test_sign_then_verify(capsys, tmp_path):
    pki = Pki()
    (tmp_path / "at.hex").write_text(pki.at.data.hex())
    (tmp_path / "root.hex").write_text(pki.root.data.hex())
    (tmp_path / "aa.hex").write_text(pki.aa.data.hex())
    (tmp_path / "at.key").write_text(hex(pki.at_key))
    code, out, _ = run(capsys, "sec", "sign", "cafe", "--certificate", f"@{tmp_path / 'at.hex'}",
                       "--key", f"@{tmp_path / 'at.key'}", "--psid", 37, "--profile", "denm",
                       "--location", "48.137,11.575", "--time", "2026-03-08T12:00:00Z")
    assert code == 0
    spdu = out.strip()
    trust = ["--root", f"@{tmp_path / 'root.hex'}", "--ca", f"@{tmp_path / 'aa.hex'}"]
    code, out, _ = run(capsys, "sec", "verify", spdu, *trust, "--time", "2026-03-08T12:00:01Z")
    facts = json.loads(out)
    assert code == 0 and facts["psid"] == 37 and facts["payload"] == "cafe"
    assert facts["generation_location"][:2] == [481_370_000, 115_750_000]
    code, out, err = run(capsys, "sec", "verify", spdu, *trust, "--time", "2026-03-09T12:00:00Z")
    assert code == 1 and out == "" and err.count("\n") == 1 and "INVALID_TIMESTAMP" in err


def test_real_cam_with_a_pinned_ticket(capsys):
    spdu = f"@{VANETZA / 'cam_vwgolf8_signer_certificate.hex'}"
    code, out, _ = run(capsys, "sec", "verify", spdu, "--pin", f"@{VANETZA / 'at_vwgolf8.hex'}",
                       "--time", "2019-11-21T13:27:55Z")
    assert code == 0 and json.loads(out)["signer"] == "127cff384ce0b890"


def test_bad_inputs_are_one_line_and_exit_2(capsys, tmp_path):
    (tmp_path / "at.hex").write_text(Pki().at.data.hex())
    for args in (["sec", "show", "zz"],
                 ["sec", "show", "00112233"],
                 ["sec", "sign", "00", "--certificate", f"@{tmp_path / 'at.hex'}", "--key", "xyz",
                  "--psid", "36"],
                 ["sec", "verify", "00", "--time", "yesterday"],
                 ["sec", "sign", "00", "--certificate", f"@{tmp_path / 'at.hex'}", "--key", "1f",
                  "--psid", "36", "--location", "91,0", "--profile", "denm"]):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "" and err.startswith("v2x: error: ") and err.count("\n") == 1
