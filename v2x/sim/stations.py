"""Roadside units of a scenario, from its ``rsus.toml`` (data only).

```toml
[[rsu]]
name = "RSU-1"
x_m = 1250.0            # SUMO network coordinates
y_m = 40.0
tx_power_dbm = 23.0     # optional, default 23
services = ["ivim"]     # optional: "ivim", "mapem", "denm-relay"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from v2x.errors import ScenarioError

SERVICES = ("ivim", "mapem", "denm-relay")


@dataclass(frozen=True)
class Rsu:
    """One roadside unit: where it is, how loud it sends and which messages it broadcasts."""

    name: str
    x_m: float
    y_m: float
    tx_power_dbm: float = 23.0
    services: tuple[str, ...] = ()


def load_rsus(path: str | Path) -> list[Rsu]:
    """The RSUs of an ``rsus.toml``; ScenarioError names the file and the faulty entry."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", str(path)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"not TOML: {exc}", str(path)) from None
    unknown = set(data) - {"rsu"}
    if unknown:
        raise ScenarioError("only [[rsu]] tables belong here", str(path), sorted(unknown)[0])
    rsus = []
    names = set()
    for index, entry in enumerate(data.get("rsu", [])):
        where = f"rsu[{index}]"
        extra = set(entry) - {"name", "x_m", "y_m", "tx_power_dbm", "services"}
        if extra:
            raise ScenarioError("unknown key", str(path), f"{where}.{sorted(extra)[0]}")
        try:
            rsu = Rsu(str(entry["name"]), float(entry["x_m"]), float(entry["y_m"]),
                      float(entry.get("tx_power_dbm", 23.0)), tuple(entry.get("services", ())))
        except KeyError as exc:
            raise ScenarioError(f"missing {exc.args[0]}", str(path), where) from None
        except (TypeError, ValueError):
            raise ScenarioError("x_m, y_m and tx_power_dbm are numbers", str(path),
                                where) from None
        bad = [s for s in rsu.services if s not in SERVICES]
        if bad:
            raise ScenarioError(f"unknown service {bad[0]!r}; known: {', '.join(SERVICES)}",
                                str(path), f"{where}.services")
        if rsu.name in names:
            raise ScenarioError(f"two RSUs are called {rsu.name}", str(path), f"{where}.name")
        names.add(rsu.name)
        rsus.append(rsu)
    return rsus


def positions(rsus: list[Rsu]) -> np.ndarray:
    """(n, 2) array of RSU positions."""
    return np.array([(r.x_m, r.y_m) for r in rsus], dtype=float).reshape(-1, 2)
