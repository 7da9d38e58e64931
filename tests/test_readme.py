"""The README stays true: its Python examples run, its catalogue table is the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from v2x import messages

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def catalogue_table() -> str:
    """The README's message table, generated from the registry."""
    lines = ["| name | protocol version | message id | BTP port | ITS-AID / AID | standard |",
             "|---|---|---|---|---|---|"]
    for row in messages.catalogue():
        aid = (", ".join(f"{frame} {aid}" for frame, aid in row.frames.items())
               if row.frames else row.its_aid)
        cells = [row.name, row.protocol_version, row.message_id, row.btp_port, aid, row.standard]
        lines.append("| " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def test_python_examples_run_in_order():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)


def test_catalogue_table_matches_the_registry():
    table = re.search(r"<!-- catalogue:start -->\n(.*?)\n<!-- catalogue:end -->", README, re.S)
    assert table is not None
    assert table.group(1) == catalogue_table()


def sim_table() -> str:
    """The README's simulation table, generated from the registries."""
    from v2x.sim import run  # registers the run's scenario keys
    from v2x.sim.events import EVENT_KINDS
    from v2x.sim.radio.pathloss import PATHLOSS_MODELS
    from v2x.sim.scenario import SCHEMA
    from v2x.sim.securing import MODES
    from v2x.sim.services.kinds import KINDS
    from v2x.sim.stations import SERVICES

    assert run.KEYS
    rows = [("traffic backends (`traffic.backend`)", SCHEMA["traffic"]["backend"].choices),
            ("path-loss models (`radio.pathloss`)", PATHLOSS_MODELS),
            ("security modes (`security.mode`)", MODES),
            ("RSU services (`rsus.toml`)", SERVICES),
            ("events (`events.toml`)", EVENT_KINDS),
            ("message kinds on air", KINDS),
            ("where the radio runs (`radio.worker`)", run.WORKERS)]
    return "\n".join(["| what | keys |", "|---|---|"]
                     + [f"| {what} | {', '.join(keys)} |" for what, keys in rows])


def test_simulation_table_matches_the_registries():
    table = re.search(r"<!-- sim:start -->\n(.*?)\n<!-- sim:end -->", README, re.S)
    assert table is not None
    assert table.group(1) == sim_table()


def test_the_two_setup_commands_are_the_makefile_targets():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text("utf-8")
    assert "make demo" in README and "make test" in README
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text("utf-8")
    assert "make test" in ci
