"""UPER codec speed: v2x (constraints checked, strict decode) vs plain asn1tools vs pycrate.

Prints microseconds per encode and per decode for five messages, measured in this one run, and the
ratios. Plain asn1tools compiles the same .asn files with its defaults (no constraint check, no
hardening); pycrate uses its own compiled ETSI modules. Run: python bench/codec.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import json
import timeit
from functools import partial
from pathlib import Path

import asn1tools

from v2x import messages
from v2x.messages import schema

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def _vector(name: str) -> bytes:
    vectors = json.loads((FIXTURES / "librasn_compiler" / "etsi_uper_vectors.json").read_text())
    (vector,) = [v for v in vectors if v.get("oracle_name") == name]
    return bytes.fromhex(vector["hex"])


def workload() -> list[tuple[str, str, bytes]]:
    """(label, message name, UPER bytes) of the benchmark messages."""
    cam = messages.decode("etsi.CAM", _vector("cam_real_01"))
    small = copy.deepcopy(cam)
    del small["cam"]["camParameters"]["lowFrequencyContainer"]
    path = cam["cam"]["camParameters"]["lowFrequencyContainer"][1]["pathHistory"]
    cam["cam"]["camParameters"]["lowFrequencyContainer"][1]["pathHistory"] = [
        path[i % len(path)] for i in range(23)
    ]
    return [
        ("CAM, high-frequency only", "etsi.CAM", messages.encode("etsi.CAM", small)),
        ("CAM + low-frequency, 23 path points", "etsi.CAM", messages.encode("etsi.CAM", cam)),
        ("DENM (real, with a la carte)", "etsi.DENM", _vector("denm_real_01")),
        ("SPATEM (real)", "etsi.SPATEM", _vector("spatem_real_01")),
        ("MAPEM (real)", "etsi.MAPEM", _vector("mapem_real_01")),
    ]


def per_call_us(call, seconds: float) -> float:
    """Best-of-5 microseconds per call, each round lasting about ``seconds / 5``."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    number = max(1, int(number * seconds / 5 / 0.2))
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def pycrate_types() -> dict[str, object]:
    try:
        from pycrate_asn1dir import ITS_CAM_2, ITS_DENM_3, ITS_IS
    except ImportError:
        return {}
    return {
        "etsi.CAM": ITS_CAM_2.CAM_PDU_Descriptions.CAM,
        "etsi.DENM": ITS_DENM_3.DENM_PDU_Descriptions.DENM,
        "etsi.SPATEM": ITS_IS.SPATEM_PDU_Descriptions.SPATEM,
        "etsi.MAPEM": ITS_IS.MAPEM_PDU_Descriptions.MAPEM,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter measurements")
    seconds = 0.5 if parser.parse_args().quick else 2.0

    plain = asn1tools.compile_files([str(p) for p in schema.bundle_named("etsi").files()], "uper")
    pycrate = pycrate_types()
    header = (f"{'message':<36} {'bytes':>5} | {'v2x enc':>8} {'v2x dec':>8} | "
              f"{'a1t enc':>8} {'a1t dec':>8} | {'pyc enc':>8} {'pyc dec':>8} | "
              f"{'enc v2x/a1t':>11} {'dec v2x/a1t':>11} {'dec pyc/v2x':>11}")
    print("microseconds per call (best of 5); a1t = plain asn1tools 0.169 defaults, "
          "pyc = pycrate")
    print(header)
    print("-" * len(header))
    for label, name, data in workload():
        print(measure(label, name, data, plain, pycrate.get(name), seconds))


def measure(label: str, name: str, data: bytes, plain, pycrate_type, seconds: float) -> str:
    """One table row: the three codecs on one message."""
    pdu = messages.lookup(name).pdu
    value = messages.decode(name, data)
    plain_value = plain.decode(pdu, data)
    assert plain.encode(pdu, plain_value) == data
    ours_enc = per_call_us(partial(messages.encode, name, value), seconds)
    ours_dec = per_call_us(partial(messages.decode, name, data), seconds)
    a1t_enc = per_call_us(partial(plain.encode, pdu, plain_value), seconds)
    a1t_dec = per_call_us(partial(plain.decode, pdu, data), seconds)
    pyc_enc = pyc_dec = float("nan")
    if pycrate_type is not None:
        pycrate_type.from_uper(data)
        pyc_value = pycrate_type.get_val()
        assert pycrate_type.to_uper() == data

        def pyc_encode():
            pycrate_type.set_val(pyc_value)
            return pycrate_type.to_uper()

        pyc_enc = per_call_us(pyc_encode, seconds)
        pyc_dec = per_call_us(partial(pycrate_type.from_uper, data), seconds)
    return (f"{label:<36} {len(data):>5} | {ours_enc:>8.1f} {ours_dec:>8.1f} | "
            f"{a1t_enc:>8.1f} {a1t_dec:>8.1f} | {pyc_enc:>8.1f} {pyc_dec:>8.1f} | "
            f"{ours_enc / a1t_enc:>11.2f} {ours_dec / a1t_dec:>11.2f} "
            f"{pyc_dec / ours_dec:>11.2f}")

if __name__ == "__main__":
    main()
