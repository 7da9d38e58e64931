"""The radio in a child process: the same results as in this process, errors carried back."""

from __future__ import annotations

import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from v2x.errors import SimulationError
from v2x.sim.radio import RadioConfig, SidelinkNetwork
from v2x.sim.radio_process import _SHM_DIR, InlineRadio, RadioProcess


def fleet(n: int, step: int) -> np.ndarray:
    xy = np.zeros((n, 2))
    xy[:, 0] = np.arange(n) * 12.0 + step * 3.0
    xy[: n // 2, 1] = 5.0
    return xy


def drive(radio, n: int, steps: int) -> list:
    """Ten-hertz packets from every station, 100-subframe steps; what each step returned."""
    out = []
    active = np.ones(n, dtype=bool)
    active[-1] = False                      # one absent station
    for step in range(steps):
        if step == 2:
            radio.reset_vehicles(np.array([3]))
        vehicles = np.flatnonzero(active)
        radio.submit(vehicles, np.full(vehicles.size, 300), step * n + vehicles,
                     step * 100 + vehicles % 100)
        radio.set_positions(fleet(n, step), active)
        radio.start(100, np.arange(0, n, 7))
        result, cbr = radio.result()
        # copies: a process's views are only valid for two steps
        out.append(([np.array(getattr(part, f.name)) for part in
                     (result.transmissions, result.receptions) for f in fields(part)],
                    np.array(cbr)))
    return out


def test_a_radio_process_returns_what_the_radio_in_this_process_returns():
    n, steps = 600, 4      # enough receptions to outgrow the first shared file
    inline = drive(InlineRadio(SidelinkNetwork(RadioConfig(), n, seed=4)), n, steps)
    remote = RadioProcess(RadioConfig(), n, 4)
    try:
        child = drive(remote, n, steps)
    finally:
        remote.close()
    # the first shared file holds 1 MiB: later steps need a bigger one
    assert max(sum(a.nbytes for a in arrays) for arrays, _ in inline) > 1 << 20
    for (ours, cbr_ours), (theirs, cbr_theirs) in zip(inline, child, strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        assert np.array_equal(cbr_ours, cbr_theirs)


def test_the_childs_error_is_raised_in_the_caller():
    remote = RadioProcess(RadioConfig(), 4, 1)
    try:
        remote.set_positions(fleet(4, 0), np.ones(4, dtype=bool))
        remote.start(100, None)
        remote.result()
        remote.submit(np.array([0]), np.array([300]), np.array([1]), np.array([5]))
        remote.start(100, None)
        with pytest.raises(ValueError, match="in the past"):
            remote.result()
    finally:
        remote.close()


def test_bad_settings_are_refused_when_the_child_starts():
    with pytest.raises(ValueError, match="antenna_height_m"):
        RadioProcess(RadioConfig(), 4, 1, antenna_height_m=np.ones(3))


def test_a_child_that_dies_is_a_simulation_error():
    remote = RadioProcess(RadioConfig(), 4, 1)
    try:
        remote._process.kill()
        remote._process.wait()
        remote.set_positions(fleet(4, 0), np.ones(4, dtype=bool))
        with pytest.raises(SimulationError, match="radio process stopped"):
            remote.start(100, None)
            remote.result()
    finally:
        remote.close()


def test_two_steps_may_be_outstanding_and_come_back_in_order():
    n = 200

    def two_at_once(radio):
        out = []
        for step in range(0, 4, 2):
            for k in (step, step + 1):
                radio.submit(np.arange(n), np.full(n, 300), k * n + np.arange(n),
                             k * 100 + np.arange(n) % 100)
                radio.set_positions(fleet(n, k), np.ones(n, dtype=bool))
                radio.start(100, None)
            for _ in range(2):
                result, _ = radio.result()
                out.append(np.array(result.receptions.packet))
        return out

    inline = two_at_once(InlineRadio(SidelinkNetwork(RadioConfig(), n, seed=5)))
    remote = RadioProcess(RadioConfig(), n, 5)
    try:
        child = two_at_once(remote)
        remote.start(100, None)
        remote.start(100, None)
        with pytest.raises(RuntimeError, match="outstanding"):
            remote.start(100, None)
    finally:
        remote.close()
    assert all(len(a) for a in inline)
    assert all(np.array_equal(a, b) for a, b in zip(inline, child, strict=True))


def test_closing_leaves_no_child_and_no_shared_file():
    folder = Path(tempfile.gettempdir()) if _SHM_DIR is None else Path(_SHM_DIR)
    before = set(folder.glob("v2x-radio-*"))
    remote = RadioProcess(RadioConfig(), 200, 2)
    drive(remote, 200, 3)
    remote.close()
    assert remote._process.poll() is not None
    assert set(folder.glob("v2x-radio-*")) == before
