"""Scenario files: defaults, extends, overrides, and errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from v2x.errors import ScenarioError
from v2x.sim import scenario


def write(folder: Path, text: str, name: str = "scenario.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    write(tmp_path, '[scenario]\nname = "x"\nduration_s = 5\n')
    loaded = scenario.load(tmp_path)
    assert loaded.get("scenario.duration_s") == 5.0
    assert isinstance(loaded.get("scenario.duration_s"), float)
    assert loaded.get("scenario.step_ms") == 100
    assert loaded.get("traffic.backend") == "libsumo"


def test_extends_overrides_key_by_key_and_resolves_paths(tmp_path):
    write(tmp_path / "base", '[scenario]\nname = "base"\nseed = 3\n'
                             '[traffic]\nconfig = "net/run.sumocfg"\n')
    write(tmp_path / "child", 'extends = "../base"\n[scenario]\nname = "child"\n')
    loaded = scenario.load(tmp_path / "child")
    assert loaded.get("scenario.name") == "child" and loaded.get("scenario.seed") == 3
    assert loaded.get("traffic.config") == str(tmp_path / "base" / "net" / "run.sumocfg")
    assert loaded.where("scenario.seed").endswith("base/scenario.toml:scenario.seed")


def test_overrides_and_seed(tmp_path):
    write(tmp_path, '[scenario]\nseed = 1\n')
    loaded = scenario.load(tmp_path, ["scenario.duration_s=12.5", "traffic.backend=traci"],
                           seed=9)
    assert loaded.get("scenario.duration_s") == 12.5
    assert loaded.get("traffic.backend") == "traci" and loaded.get("scenario.seed") == 9


@pytest.mark.parametrize(
    ("text", "overrides", "key", "words"),
    [
        ('[scenario]\nduraton_s = 5\n', [], "scenario.duraton_s", "did you mean duration_s"),
        ('[scenarii]\nname = "x"\n', [], "scenarii", "did you mean scenario"),
        ('[scenario]\nstep_ms = 0\n', [], "scenario.step_ms", "below the minimum"),
        ('[scenario]\nstep_ms = "fast"\n', [], "scenario.step_ms", "expected an integer"),
        ('[traffic]\nbackend = "carla"\n', [], "traffic.backend", "not one of"),
        ('[scenario]\n', ["scenario.seed=-1"], "scenario.seed", "below the minimum"),
        ('[scenario]\n', ["nonsense"], "nonsense", "section.key=value"),
    ],
)
def test_bad_scenarios_name_the_file_and_key(tmp_path, text, overrides, key, words):
    write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        scenario.load(tmp_path, overrides)
    assert caught.value.key == key and words in str(caught.value)
    assert caught.value.file.endswith(("scenario.toml", "--set"))


def test_unreadable_files(tmp_path):
    with pytest.raises(ScenarioError, match="no scenario file"):
        scenario.load(tmp_path)
    write(tmp_path, "[scenario\n")
    with pytest.raises(ScenarioError, match="not TOML"):
        scenario.load(tmp_path)
    write(tmp_path, 'extends = "scenario.toml"\n')
    with pytest.raises(ScenarioError, match="extends itself"):
        scenario.load(tmp_path)
