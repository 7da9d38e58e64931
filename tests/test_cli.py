"""The ``v2x`` command: listing, decoding to JSON, encoding from JSON, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import load_json
from v2x.cli import main

CAM_HEX = load_json("Dave-Krch_asn1tools.net", "cam_hex_extracted.json")[0]["hex"]
MAPEM_HEX = next(v["hex"] for v in load_json("librasn_compiler", "etsi_uper_vectors.json")
                 if v.get("oracle_name") == "mapem_random_04")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_shows_every_message_with_its_identifiers(capsys):
    code, out, _ = run(capsys, "msg", "list")
    assert code == 0
    cam = next(line for line in out.splitlines() if line.startswith("etsi.CAM "))
    assert cam.split()[1:5] == ["2", "2", "2001", "36"]
    assert "csae.MessageFrame" in out and "bsm 111" in out


@pytest.mark.parametrize("hex_text", [CAM_HEX, MAPEM_HEX])
def test_decode_then_encode_round_trips_through_json(capsys, tmp_path, hex_text):
    name = "etsi.CAM" if hex_text == CAM_HEX else "etsi.MAPEM"
    code, out, _ = run(capsys, "msg", "decode", name, hex_text)
    assert code == 0
    document = json.loads(out)
    assert ("cam" if name == "etsi.CAM" else "map") in document
    path = tmp_path / "message.json"
    path.write_text(out)
    code, out, _ = run(capsys, "msg", "encode", name, str(path))
    assert (code, out.strip()) == (0, hex_text)


def test_decode_etsi_picks_the_message_from_its_header(capsys):
    code, out, err = run(capsys, "msg", "decode", "etsi", CAM_HEX)
    assert code == 0 and "etsi.CAM" in err
    assert json.loads(out)["header"]["messageID"] == 2


def test_decode_reads_binary_and_hex_files(capsys, tmp_path):
    binary, text = tmp_path / "cam.uper", tmp_path / "cam.hex"
    binary.write_bytes(bytes.fromhex(CAM_HEX))
    text.write_text(CAM_HEX[:20] + "\n" + CAM_HEX[20:] + "\n")
    outputs = [run(capsys, "msg", "decode", "etsi.CAM", f"@{p}")[1] for p in (binary, text)]
    assert outputs[0] == outputs[1] and json.loads(outputs[0])["cam"]["generationDeltaTime"]


def test_encode_reads_stdin(capsys, monkeypatch):
    _, out, _ = run(capsys, "msg", "decode", "etsi.CAM", CAM_HEX)
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(out))
    assert run(capsys, "msg", "encode", "etsi.CAM", "-")[1].strip() == CAM_HEX


def one_line_error(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("v2x: error: ")
    return err


def test_bad_hex_is_one_line(capsys):
    assert "not a hex string" in one_line_error(capsys, "msg", "decode", "etsi.CAM", "zz12")


def test_truncated_message_names_the_field(capsys):
    err = one_line_error(capsys, "msg", "decode", "etsi.CAM", CAM_HEX[:30])
    assert "CAM.cam." in err and "out of data" in err


def test_unknown_message_is_one_line(capsys):
    assert "etsi.CAM" in one_line_error(capsys, "msg", "decode", "etsi.NOPE", CAM_HEX)


def test_out_of_range_json_names_the_field(capsys, tmp_path):
    _, out, _ = run(capsys, "msg", "decode", "etsi.CAM", CAM_HEX)
    document = json.loads(out)
    document["cam"]["camParameters"]["basicContainer"]["referencePosition"]["latitude"] = 10**10
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    err = one_line_error(capsys, "msg", "encode", "etsi.CAM", str(path))
    assert "CAM.cam.camParameters.basicContainer.referencePosition.latitude" in err


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "not JSON"), ('{"x": 1, "header": {"protocolVersion": 2}, "cam": 5}',
                                  "unknown member 'x'")],
)
def test_malformed_json_is_one_line(capsys, tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert words in one_line_error(capsys, "msg", "encode", "etsi.CAM", str(path))


def test_missing_file_is_one_line(capsys, tmp_path):
    err = one_line_error(capsys, "msg", "encode", "etsi.CAM", str(tmp_path / "absent.json"))
    assert "absent.json" in err


def test_python_dash_m_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "v2x", "msg", "decode", "etsi.CAM", "00"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stderr.startswith("v2x: error: CAM")


def test_demo_decodes_and_reencodes_every_sample(capsys):
    code, out, _ = run(capsys, "msg", "demo")
    assert code == 0
    assert out.count("re-encoded byte-identical: yes") == 6 and "NO" not in out
    assert "read back: 52.5200066 deg, 13.4049540 deg, 13.89 m/s" in out


def test_sim_validate_prints_the_comparison_and_refuses_bad_parameters(capsys):
    assert main(["sim", "validate", "--duration-s", "1", "--warmup-s", "0.5", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "mean absolute deviation from the paper" in out and "below_sensing" in out
    assert main(["sim", "validate", "--rate-hz", "500"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--rate-hz" in err and "1..50" in err
    with pytest.raises(SystemExit) as done:
        main(["sim", "validate", "--help"])
    assert done.value.code == 0 and "--density-veh-per-m" in capsys.readouterr().out
