"""The ``v2x`` command: thin argument parsing over the library.

Every failure prints one line ``v2x: error: <path>: <reason>`` on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from v2x.errors import InputError, V2XError

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``v2x`` console script and of ``python -m v2x``."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
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
