"""The LTE-V2X radio in this process or in a child process pipelined with the traffic.

SUMO's step k+1 and the CAMs of step k+1 do not depend on what the radio decides in step k, so
the medium can hand step k's batch (positions, packets) to a child process, read the next
traffic step and queue its messages meanwhile, and only then collect step k's receptions: two
cores work at once. Only RSU relays depend on receptions (the DEN service hears step k's DENMs
before it decides step k+1's relays); when no DENM can be in flight, step k+1 is even handed
over before step k is collected (two steps outstanding at most). The child draws from the same
named streams in the same order, so results are identical to the in-process radio (tested).

Both classes take the ``SidelinkNetwork`` calls a step makes (``reset_vehicles``, ``submit``,
``set_positions``), then ``start(n_subframes, cbr_rows)`` and ``result()``. With a child, this
process keeps the link table (positions, distances, shadowing: the part of the radio that needs
no MAC state) and the child adopts it each step, which balances the two processes' work. The
child receives the calls through a pipe; the receptions, the large output, come back through
shared memory files the child writes and this process maps, so they are never pickled. The
arrays ``result()`` returns for step k are valid until step k+2 is started.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections import deque
from dataclasses import fields
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from v2x.errors import SimulationError
from v2x.sim.radio.network import (
    RadioConfig,
    Receptions,
    SidelinkNetwork,
    StepResult,
    Transmissions,
)

_CALLS = frozenset({"reset_vehicles", "submit"})
MAX_OUTSTANDING = 2
"""Steps handed to the child and not yet collected, at most."""
_PER_STEP = frozenset({"gain_lin", "distance_m", "_active"})
"""Link arrays replaced at every update (the others only change with a rebuild)."""
_ALIGN = 64
_SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None


class InlineRadio:
    """The radio in this process (the reference; one-core machines and small runs)."""

    def __init__(self, network: SidelinkNetwork) -> None:
        self.network = network
        self.range_m = network.range_m
        """Where vehicle-to-vehicle links end (``SidelinkNetwork.range_m``)."""
        self._results: deque[tuple[StepResult, np.ndarray | None]] = deque()

    def reset_vehicles(self, vehicles: np.ndarray) -> None:
        self.network.reset_vehicles(vehicles)

    def submit(self, vehicles: np.ndarray, size_bytes: np.ndarray, packet_ids: np.ndarray,
               subframe: np.ndarray) -> None:
        self.network.submit(vehicles, size_bytes, packet_ids, subframe=subframe)

    def set_positions(self, xy: np.ndarray, active: np.ndarray) -> None:
        self.network.set_positions(xy, active)

    def start(self, n_subframes: int, cbr_rows: np.ndarray | None) -> None:
        """Run ``n_subframes`` now (and the CBR of ``cbr_rows``, when given)."""
        result = self.network.advance(n_subframes)
        self._results.append((result, None if cbr_rows is None
                              else self.network.cbr(cbr_rows)))

    def result(self) -> tuple[StepResult, np.ndarray | None]:
        """What the oldest ``start`` not yet collected produced: the step's result and the CBR
        values."""
        if not self._results:
            raise RuntimeError("result() without start()")
        return self._results.popleft()

    def close(self) -> None:
        """Nothing to release."""


class RadioProcess:
    """The radio in a child process, seeded with ``seed`` (the engine's: the streams are named as
    ``Engine.rng`` names them, so the draws are the in-process ones).

    The child is a fresh interpreter (``python -m v2x.sim.radio_process``, with this process's
    ``sys.path``) talking over a socket pair: it never re-runs the caller's ``__main__``. A
    child that fails raises its exception here; a child that dies raises ``SimulationError``.
    """

    def __init__(self, config: RadioConfig, n_stations: int, seed: int, *,
                 antenna_height_m: np.ndarray | None = None,
                 tx_power_dbm: np.ndarray | None = None) -> None:
        self._positions = SidelinkNetwork(config, n_stations, seed=seed,
                                          antenna_height_m=antenna_height_m,
                                          tx_power_dbm=tx_power_dbm, links_only=True)
        """Its link table: this process applies the positions (and draws the shadowing), the
        child adopts the result."""
        self.range_m = self._positions.range_m
        """Where vehicle-to-vehicle links end (``SidelinkNetwork.range_m``)."""
        self._sent_rebuilds = -1
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        self._conn = Connection(ours.detach())
        self._calls: list[tuple[str, tuple]] = []
        self._links: tuple | None = None
        self._down = _Outbox()
        self._inbox = _Inbox()
        self._outstanding = 0
        try:
            self._conn.send((config, n_stations, seed, antenna_height_m, tx_power_dbm))
            self._receive()
        except BaseException:
            self.close()
            raise

    def reset_vehicles(self, vehicles: np.ndarray) -> None:
        self._calls.append(("reset_vehicles", (np.array(vehicles),)))

    def submit(self, vehicles: np.ndarray, size_bytes: np.ndarray, packet_ids: np.ndarray,
               subframe: np.ndarray) -> None:
        self._calls.append(("submit", (vehicles, size_bytes, packet_ids, subframe)))

    def set_positions(self, xy: np.ndarray, active: np.ndarray) -> None:
        """Update the link table here and put it in shared memory for the child (the child
        may still be working on the previous step: the two files alternate)."""
        links = self._positions.links
        links.update(xy, active)
        state = links.export(self._sent_rebuilds)
        self._sent_rebuilds = links.rebuilds
        names = [name for name, value in state.items() if isinstance(value, np.ndarray)]
        scalars = {name: value for name, value in state.items() if name not in names}
        self._links = (self._down.write([state[name] for name in names]), names, scalars)

    def start(self, n_subframes: int, cbr_rows: np.ndarray | None) -> None:
        """Hand the calls so far and ``n_subframes`` to the child; returns at once. At most
        two steps may be outstanding (the shared files alternate)."""
        if self._outstanding >= MAX_OUTSTANDING:
            raise RuntimeError("two steps are outstanding: collect one with result()")
        calls, self._calls = self._calls, []
        links, self._links = self._links, None
        try:
            self._conn.send((calls, links, n_subframes, cbr_rows))
        except OSError:
            raise self._died() from None
        self._outstanding += 1

    def result(self) -> tuple[StepResult, np.ndarray | None]:
        """Wait for the oldest outstanding step k; its arrays are views valid until step k+2
        is started (the child writes two files in turn)."""
        if not self._outstanding:
            raise RuntimeError("result() without start()")
        self._outstanding -= 1
        message, cbr = self._receive()
        views = self._inbox.read(message)
        n_tx = len(fields(Transmissions))
        return StepResult(Transmissions(*views[:n_tx]), Receptions(*views[n_tx:])), cbr

    def close(self) -> None:
        """Stop the child and release the shared memory."""
        if self._process.poll() is None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._conn.close()
        self._inbox.close()
        self._down.close()

    def _receive(self) -> Any:
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            raise self._died() from None
        if status == "error":
            raise payload
        return payload

    def _died(self) -> SimulationError:
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return SimulationError(f"the radio process stopped (exit code {code})")


def _serve(conn: Connection) -> None:
    """The child: build the network, replay each step's calls on it, advance, send back."""
    outbox, inbox = _Outbox(), _Inbox()
    try:
        config, n_stations, seed, heights, powers = conn.recv()
        network = SidelinkNetwork(config, n_stations, seed=seed, antenna_height_m=heights,
                                  tx_power_dbm=powers)
        conn.send(("ready", None))
        while (message := conn.recv()) is not None:
            calls, links, n_subframes, cbr_rows = message
            for name, args in calls:
                if name not in _CALLS:
                    raise ValueError(f"the radio process does not take {name!r}")
                getattr(network, name)(*args)
            if links is not None:
                shared, names, state = links
                for name, view in zip(names, inbox.read(shared), strict=True):
                    # the list itself outlives the step: copy it; per-step arrays stay views
                    state[name] = view if name in _PER_STEP else view.copy()
                network.adopt_links(state)
            result = network.advance(n_subframes)
            cbr = None if cbr_rows is None else network.cbr(cbr_rows)
            conn.send(("done", (outbox.write(_arrays(result)), cbr)))
    except EOFError:
        pass
    except Exception as exc:       # the parent re-raises it
        conn.send(("error", exc))
    finally:
        outbox.close()
        conn.close()


def _arrays(result: StepResult) -> list[np.ndarray]:
    return [getattr(part, f.name) for part in (result.transmissions, result.receptions)
            for f in fields(part)]


class _Outbox:
    """The writing side of a shared-memory channel: two files used in turn (the reader may
    still use one step's arrays while the next is written), each grown when a step does not
    fit. The reader maps a new file and unlinks it."""

    def __init__(self) -> None:
        self._paths: list[str | None] = [None, None]
        self._maps: list[mmap.mmap | None] = [None, None]
        self._turn = 0

    def write(self, arrays: list[np.ndarray]) -> tuple[int, str | None, int,
                                                        list[tuple[str, int, int]]]:
        """Copy ``arrays`` in; returns (file number, its new path or None, its size, array
        layout) for ``_Inbox.read``."""
        layout, offset = [], 0
        for array in arrays:
            layout.append((array.dtype.str, array.size, offset))
            offset += -(-array.nbytes // _ALIGN) * _ALIGN
        turn = self._turn
        self._turn = 1 - turn
        new_path = None
        current = self._maps[turn]
        if current is None or offset > len(current):
            self._release(turn)
            size = max(offset + offset // 2, 1 << 20)
            fd, new_path = tempfile.mkstemp(prefix="v2x-radio-", dir=_SHM_DIR)
            try:
                os.ftruncate(fd, size)
                current = self._maps[turn] = mmap.mmap(fd, size)
            finally:
                os.close(fd)
            self._paths[turn] = new_path
        for array, (dtype, count, at) in zip(arrays, layout, strict=True):
            np.frombuffer(current, dtype=dtype, count=count, offset=at)[...] = array
        return turn, new_path, len(current), layout

    def close(self) -> None:
        for turn in (0, 1):
            self._release(turn)

    def _release(self, turn: int) -> None:
        path, self._paths[turn] = self._paths[turn], None
        if path is not None:
            with contextlib.suppress(FileNotFoundError):   # the parent normally did it
                os.unlink(path)
        current, self._maps[turn] = self._maps[turn], None
        if current is not None:
            current.close()


class _Inbox:
    """The reading side: maps each new file (and unlinks it at once: the mappings keep it)."""

    def __init__(self) -> None:
        self._maps: list[mmap.mmap | None] = [None, None]

    def read(self, message: tuple[int, str | None, int, list[tuple[str, int, int]]]
             ) -> list[np.ndarray]:
        """Read-only views of the arrays ``_Outbox.write`` described."""
        turn, path, size, layout = message
        if path is not None:
            with open(path, "rb") as handle:
                self._maps[turn] = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ)
            os.unlink(path)
        current = self._maps[turn]
        if current is None:
            raise SimulationError("the radio process lost its shared memory")
        return [np.frombuffer(current, dtype=dtype, count=count, offset=at)
                for dtype, count, at in layout]

    def close(self) -> None:
        self._maps = [None, None]   # views may hold them; a mapping goes with its last view


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    _serve(Connection(int(sys.argv[1])))
