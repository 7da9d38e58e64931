"""The ``v2x`` command: thin argument parsing over the library.

Every failure prints one line ``v2x: error: <path>: <reason>`` on stderr and exits 2; secured
data that does not verify prints ``v2x: not verified: <REPORT>: <reason>`` and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from v2x.errors import InputError, V2XError

EXIT_BAD_INPUT = 2
EXIT_NOT_VERIFIED = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``v2x`` console script and of ``python -m v2x``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        if argv[:2] == ["sim", "validate"]:
            return _sim_validate(argv[2:])
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.run(args) or 0
    except V2XError as exc:
        print(f"v2x: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("v2x: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="v2x", description="C-V2X messages, security, simulation")
    commands = parser.add_subparsers(title="commands")
    msg = commands.add_parser("msg", help="encode and decode C-V2X messages (UPER)")
    sub = msg.add_subparsers(title="msg commands")

    cmd = sub.add_parser("list", help="list the catalogued messages")
    cmd.set_defaults(run=_msg_list)

    cmd = sub.add_parser("decode", help="decode a message to JSON")
    cmd.add_argument("name", help="message name, e.g. etsi.CAM (see `v2x msg list`), or etsi to "
                     "pick the ETSI message from its ItsPduHeader")
    cmd.add_argument("data", help="hex string, @file (binary or hex text) or - for stdin hex")
    cmd.set_defaults(run=_msg_decode)

    cmd = sub.add_parser("encode", help="encode a JSON message, print hex")
    cmd.add_argument("name", help="message name, e.g. etsi.CAM")
    cmd.add_argument("json", help="JSON file, or - for stdin")
    cmd.set_defaults(run=_msg_encode)

    cmd = sub.add_parser("demo", help="encode, decode and print a few real messages")
    cmd.set_defaults(run=_msg_demo)

    sec = commands.add_parser("sec", help="IEEE 1609.2 / ETSI TS 103 097 / YD/T 3957 security")
    sub = sec.add_subparsers(title="sec commands")
    cmd = sub.add_parser("show", help="print a certificate readably")
    cmd.add_argument("certificate", help="hex, @file (binary or hex text) or - for stdin hex")
    cmd.add_argument("--json", action="store_true", help="the full decoded value as JSON")
    cmd.set_defaults(run=_sec_show)

    cmd = sub.add_parser("sign", help="sign a payload, print the SPDU hex")
    cmd.add_argument("payload", help="hex, @file or - (the bytes to sign, e.g. BTP + CAM)")
    cmd.add_argument("--certificate", required=True, help="the signer's certificate (hex/@file)")
    cmd.add_argument("--key", required=True, help="the private key: hex scalar or @file of it")
    cmd.add_argument("--psid", required=True, type=int, help="ITS-AID / PSID, e.g. 36 for CAM")
    cmd.add_argument("--profile", choices=("cam", "denm"), default="cam",
                     help="cam: certificate once a second (here: always, a fresh signer); "
                          "denm: certificate and generation location")
    cmd.add_argument("--location", help="lat,lon in degrees (needed for denm)")
    cmd.add_argument("--time", help="generation time, ISO 8601 UTC (default: now)")
    cmd.set_defaults(run=_sec_sign)

    cmd = sub.add_parser("verify", help="verify an SPDU; print its facts or the report code")
    cmd.add_argument("spdu", help="hex, @file or -")
    cmd.add_argument("--root", action="append", default=[], help="trusted root (repeatable)")
    cmd.add_argument("--ca", action="append", default=[],
                     help="known CA certificate, validated against the roots (repeatable)")
    cmd.add_argument("--pin", action="append", default=[],
                     help="certificate trusted as it is, without a chain (repeatable)")
    cmd.add_argument("--time", help="check time, ISO 8601 UTC (default: now)")
    cmd.add_argument("--position", help="receiver lat,lon in degrees, for the region check")
    cmd.set_defaults(run=_sec_verify)

    sim = commands.add_parser("sim", help="SUMO co-simulation with an LTE-V2X sidelink model")
    sub = sim.add_subparsers(title="sim commands")
    cmd = sub.add_parser("run", help="run a scenario folder and write its report")
    cmd.add_argument("scenario", help="scenario folder (or its scenario.toml)")
    cmd.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                     help="override a scenario key (repeatable)")
    cmd.add_argument("--seed", type=int, help="the one seed of the run (overrides the file)")
    cmd.add_argument("--out", help="output folder (default: runs/<name>-seed<seed>)")
    cmd.add_argument("--force", action="store_true", help="replace an existing output folder")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(run=_sim_run)

    # its options live with the model (v2x.sim.validation); main() hands them over unparsed
    sub.add_parser("validate", help="compare the radio model with published results "
                   "(Gonzalez-Martin et al. 2019; see v2x sim validate --help)")
    return parser


def _msg_list(_: argparse.Namespace) -> int:
    from v2x.messages import catalogue

    print(f"{'name':<18} {'ver':>3} {'id':>3} {'BTP':>5} {'ITS-AID / AID':<28} standard")
    for row in catalogue():
        if row.frames:
            aid = ", ".join(f"{k.removesuffix('Frame')} {v}" for k, v in row.frames.items())
        else:
            aid = str(row.its_aid)
        version, message_id, port = (
            "" if x is None else x for x in (row.protocol_version, row.message_id, row.btp_port))
        print(f"{row.name:<18} {version:>3} {message_id:>3} {port:>5} {aid:<28} {row.standard}")
    return 0


def _msg_decode(args: argparse.Namespace) -> int:
    from v2x.messages import decode, identify, jsonmap

    data = _read_bytes(args.data)
    name = args.name
    if name == "etsi":
        name = identify(data).name
        print(f"v2x: decoding as {name}", file=sys.stderr)
    value = decode(name, data)
    print(json.dumps(jsonmap.to_json(name, value), indent=2, ensure_ascii=False))
    return 0


def _msg_encode(args: argparse.Namespace) -> int:
    from v2x.messages import encode, jsonmap

    source = "<stdin>" if args.json == "-" else args.json
    try:
        text = sys.stdin.read() if args.json == "-" else Path(args.json).read_text("utf-8")
        document = json.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", source) from None
    print(encode(args.name, jsonmap.from_json(args.name, document)).hex())
    return 0


def _msg_demo(_: argparse.Namespace) -> int:
    from v2x.messages import demo

    demo.run(sys.stdout)
    return 0


def _sec_show(args: argparse.Namespace) -> int:
    from v2x.messages import jsonmap
    from v2x.security import describe
    from v2x.security.certificates import read_certificate

    certificate = read_certificate(_read_bytes(args.certificate))
    if args.json:
        print(json.dumps(jsonmap.to_json("sec.Certificate", certificate.value), indent=2))
    else:
        print(describe.certificate(certificate))
    return 0


def _sec_sign(args: argparse.Namespace) -> int:
    from v2x.security.certificates import read_certificate
    from v2x.security.sign import CAM_POLICY, DENM_POLICY, Signer, sign

    certificate = read_certificate(_read_bytes(args.certificate))
    key_text = (Path(args.key[1:]).read_text("utf-8") if args.key.startswith("@")
                else args.key).strip()
    try:
        private_key = int(key_text.removeprefix("0x"), 16)
    except ValueError:
        raise InputError("the key is not a hex number", "--key") from None
    location = None
    if args.location:
        lat, lon = _degrees_pair(args.location, "--location")
        location = (round(lat * 1e7), round(lon * 1e7), 4096)
    data = sign(_read_bytes(args.payload), Signer(certificate, private_key), psid=args.psid,
                clock=_clock(args.time), policy=DENM_POLICY if args.profile == "denm"
                else CAM_POLICY, location=location)
    print(data.hex())
    return 0


def _sec_verify(args: argparse.Namespace) -> int:
    from v2x.errors import VerificationError
    from v2x.security.certificates import read_certificate
    from v2x.security.trust import TrustPolicy, TrustStore
    from v2x.security.verify import verify

    store = TrustStore(TrustPolicy(
        roots=tuple(read_certificate(_read_bytes(r)) for r in args.root),
        pinned=tuple(read_certificate(_read_bytes(p)) for p in args.pin)))
    try:
        for ca in args.ca:
            store.learn(read_certificate(_read_bytes(ca)))
        position = None
        if args.position:
            lat, lon = _degrees_pair(args.position, "--position")
            position = (round(lat * 1e7), round(lon * 1e7))
        facts = verify(_read_bytes(args.spdu), trust=store, clock=_clock(args.time),
                       position=position)
    except VerificationError as exc:
        print(f"v2x: not verified: {exc}", file=sys.stderr)
        return EXIT_NOT_VERIFIED
    print(json.dumps({
        "psid": facts.psid, "ssp": None if facts.ssp is None else
        {facts.ssp[0]: bytes(facts.ssp[1]).hex()},
        "signer": facts.signer.hex(), "generation_time_tai_us": facts.generation_time_us,
        "generation_location": facts.generation_location,
        "signer_certificate_included": facts.signer_certificate_included,
        "chain": [c.hashed_id8.hex() for c in facts.chain], "payload": facts.payload.hex(),
    }, indent=2))
    return 0


def _sim_run(args: argparse.Namespace) -> int:
    from v2x.sim import run, scenario

    loaded = scenario.load(args.scenario, args.set, seed=args.seed)
    name = loaded.get("scenario.name") or loaded.folder.name
    out = args.out or str(Path("runs") / f"{name}-seed{loaded.get('scenario.seed')}")
    result = run.run(loaded, out, force=args.force, progress=not args.quiet)
    figures = result.figures
    print(f"{name}: {figures['simulated_s']:.1f} s simulated in {figures['wall_s']:.1f} s "
          f"({figures['real_time_factor']:.1f}x real time), {figures['transmissions']:,} "
          f"messages; PRR >= 0.9 up to {figures['range_prr_0.90_m']:.0f} m")
    print(f"report: {result.folder / 'report.md'}")
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are InputErrors (one line, exit 2, like every other command)."""

    def error(self, message: str):
        raise InputError(message, self.prog)


def _sim_validate(argv: Sequence[str]) -> int:
    from v2x.sim import validation

    parser = _OneLineParser(prog="v2x sim validate", description=validation.__doc__.split(
        "\n\n")[0])
    validation.add_arguments(parser)
    try:
        return validation.run_from_options(vars(parser.parse_args(argv)))
    except ValueError as exc:
        raise InputError(str(exc), "v2x sim validate") from None


def _clock(text: str | None):
    from datetime import datetime

    from v2x.clock import FixedClock, SystemClock

    if text is None:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"not an ISO 8601 time: {text!r}", "--time") from None
    if moment.tzinfo is None:
        raise InputError("give the time zone, e.g. 2026-01-01T12:00:00Z", "--time")
    return FixedClock.at(moment)


def _degrees_pair(text: str, where: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError("expected lat,lon in degrees", where) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError("latitude or longitude out of range", where)
    return lat, lon


def _read_bytes(spec: str) -> bytes:
    """Bytes from a hex string, ``@file`` (binary, or text holding hex) or ``-`` (hex on stdin)."""
    if spec == "-":
        return _unhex(sys.stdin.read(), "<stdin>")
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
        try:
            return _unhex(raw.decode("ascii"), str(path))
        except (UnicodeDecodeError, InputError):
            return raw
    return _unhex(spec, "argument")


def _unhex(text: str, where: str) -> bytes:
    cleaned = "".join(text.split()).removeprefix("0x")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise InputError("not a hex string", where) from None
