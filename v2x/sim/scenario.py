"""Scenario folders: TOML data (no Python), ``extends``, ``--set`` overrides, checked up front.

A scenario is a folder with ``scenario.toml`` and the files it names (SUMO configuration, RSU
list, expectations). ``extends = "<other scenario.toml>"`` starts from another file and overrides
it key by key. Every key is checked against ``SCHEMA`` before anything runs; a bad file raises
``ScenarioError`` naming the file and the key
(``scenarios/highway/scenario.toml:radio.tx_power_dbm``).
File names inside a scenario are resolved against the file that names them.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from v2x.errors import ScenarioError

SCENARIO_FILE = "scenario.toml"


@dataclass(frozen=True)
class Key:
    """One scenario key: its type, default, allowed range or values, and what it means."""

    kind: type | tuple[type, ...]
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    path: bool = False
    """A file name, resolved against the file that sets it."""

    def check(self, value: Any) -> str | None:
        """Why ``value`` does not fit, or None."""
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            return f"expected {self._kind_name()}, got a boolean"
        if not isinstance(value, kinds):
            return f"expected {self._kind_name()}, got {type(value).__name__} {value!r}"
        if self.choices is not None and value not in self.choices:
            return f"{value!r} is not one of {', '.join(self.choices)}"
        if self.low is not None and value < self.low:
            return f"{value} is below the minimum {self.low}"
        if self.high is not None and value > self.high:
            return f"{value} is above the maximum {self.high}"
        return None

    def _kind_name(self) -> str:
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        return " or ".join({int: "an integer", float: "a number", str: "a string",
                            bool: "true/false", list: "a list"}.get(k, k.__name__) for k in kinds)


SCHEMA: dict[str, dict[str, Key]] = {
    "scenario": {
        "name": Key(str, "", "short name, used in reports"),
        "description": Key(str, "", "what the scenario shows"),
        "duration_s": Key(float, 60.0, "simulated time after the warm-up", low=0.1),
        "warmup_s": Key(float, 0.0, "simulated time before measuring", low=0.0),
        "step_ms": Key(int, 100, "SUMO step length", low=1, high=1000),
        "seed": Key(int, 1, "the one seed of every random stream and of SUMO", low=0),
    },
    "traffic": {
        "backend": Key(str, "libsumo", "traffic source",
                       choices=("libsumo", "traci", "replay")),
        "config": Key(str, "", "SUMO configuration (.sumocfg)", path=True),
        "fcd": Key(str, "", "SUMO FCD output to replay (replay backend)", path=True),
        "gui": Key(bool, False, "run sumo-gui (traci backend only)"),
        "sumo_args": Key(list, [], "extra SUMO command-line arguments"),
        "origin_lat_deg": Key(float, 0.0, "WGS84 origin of a network without projection",
                              low=-90, high=90),
        "origin_lon_deg": Key(float, 0.0, "WGS84 origin of a network without projection",
                              low=-180, high=180),
    },
}


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: ``values[section][key]`` with defaults filled in."""

    folder: Path
    values: dict[str, dict[str, Any]]
    origin: dict[str, Path] = field(repr=False)
    """``section.key`` -> the file that set it (for error messages)."""

    def get(self, dotted: str) -> Any:
        """The value of ``section.key``."""
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    def is_set(self, dotted: str) -> bool:
        """Whether a file or an override set ``section.key`` (rather than its default)."""
        return dotted in self.origin

    def where(self, dotted: str) -> str:
        """``file:key`` of a key, for errors found after loading."""
        return f"{self.origin.get(dotted, self.folder / SCENARIO_FILE)}:{dotted}"


def load(folder: str | Path, overrides: Iterable[str] = (), *, seed: int | None = None,
         schema: Mapping[str, Mapping[str, Key]] = SCHEMA) -> Scenario:
    """Load, merge, override and check the scenario in ``folder`` (or a scenario.toml path)."""
    path = Path(folder)
    if path.is_dir():
        path = path / SCENARIO_FILE
    if not path.is_file():
        raise ScenarioError("no scenario file here", str(path))
    raw, origin = _read_with_extends(path.resolve(), ())
    for item in overrides:
        dotted, value = _parse_override(item)
        _set(raw, dotted, value)
        origin[dotted] = Path("--set")
    if seed is not None:
        _set(raw, "scenario.seed", seed)
        origin["scenario.seed"] = Path("--seed")
    values = _check(raw, origin, path, schema)
    return Scenario(path.parent, values, origin)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", str(path)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"not TOML: {exc}", str(path)) from None


def read_tables(path: str | Path, name: str) -> list[dict[str, Any]]:
    """The ``[[name]]`` tables of a scenario data file (``rsus.toml``, ``events.toml``);
    ScenarioError names the file and what is wrong with it."""
    path = Path(path)
    data = _read_toml(path)
    unknown = set(data) - {name}
    if unknown:
        raise ScenarioError(f"only [[{name}]] tables belong here", str(path), sorted(unknown)[0])
    tables = data.get(name, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScenarioError(f"write [[{name}]] tables", str(path), name)
    return tables


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> tuple[dict, dict[str, Path]]:
    if path in chain:
        raise ScenarioError("extends itself through " + " -> ".join(p.name for p in chain),
                            str(path), "extends")
    data = _read_toml(path)
    base: dict = {}
    origin: dict[str, Path] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str):
            raise ScenarioError("extends must be a file name", str(path), "extends")
        parent_path = (path.parent / parent).resolve()
        if parent_path.is_dir():
            parent_path = parent_path / SCENARIO_FILE
        if not parent_path.is_file():
            raise ScenarioError(f"extends a missing file {parent}", str(path), "extends")
        base, origin = _read_with_extends(parent_path, (*chain, path))
    for section, table in data.items():
        if not isinstance(table, dict):
            raise ScenarioError("expected a [section] table", str(path), section)
        for key, value in table.items():
            base.setdefault(section, {})[key] = _resolve_paths(value, section, key, path)
            origin[f"{section}.{key}"] = path
    return base, origin


def _resolve_paths(value: Any, section: str, key: str, path: Path) -> Any:
    spec = SCHEMA.get(section, {}).get(key)
    if spec is not None and spec.path and isinstance(value, str) and value:
        return str((path.parent / value).resolve())
    return value


def _parse_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ScenarioError("an override reads section.key=value", "--set", item)
    dotted, text = (part.strip() for part in item.split("=", 1))
    if dotted.count(".") != 1:
        raise ScenarioError("an override names section.key", "--set", dotted)
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text  # a bare word is a string
    return dotted, value


def _set(raw: dict, dotted: str, value: Any) -> None:
    section, key = dotted.split(".", 1)
    raw.setdefault(section, {})[key] = value


def _check(raw: dict, origin: dict[str, Path], path: Path,
           schema: Mapping[str, Mapping[str, Key]]) -> dict[str, dict[str, Any]]:
    def where(dotted: str) -> str:
        return str(origin.get(dotted, path))

    for section, table in raw.items():
        if section not in schema:
            raise ScenarioError(f"unknown section{_suggest(section, schema)}", where(section),
                                section)
        for key, value in table.items():
            dotted = f"{section}.{key}"
            spec = schema[section].get(key)
            if spec is None:
                raise ScenarioError(f"unknown key{_suggest(key, schema[section])}",
                                    where(dotted), dotted)
            problem = spec.check(value)
            if problem:
                raise ScenarioError(problem, where(dotted), dotted)
    values: dict[str, dict[str, Any]] = {}
    for section, keys in schema.items():
        given = raw.get(section, {})
        values[section] = {
            key: _as_kind(spec, given[key]) if key in given else spec.default
            for key, spec in keys.items()
        }
    return values


def _as_kind(spec: Key, value: Any) -> Any:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if float in kinds and int not in kinds and isinstance(value, int):
        return float(value)
    return value


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def register(section: str, keys: Mapping[str, Key],
             schema: dict[str, dict[str, Key]] = SCHEMA) -> Callable[[], None]:
    """Add a section of keys (a model or service's parameters); returns an undo function."""
    if section in schema:
        raise ValueError(f"section {section} is already registered")
    schema[section] = dict(keys)
    return lambda: schema.pop(section, None)
