"""CA service: EN 302 637-2 generation rules and real CAMs from the traffic state."""

from __future__ import annotations

import numpy as np

from v2x import messages
from v2x.sim.services.ca import CaService
from v2x.sim.traffic import TrafficState

STEP_US = 100_000


def state(t_us, positions, speeds, headings, ids=("a",)):
    n = len(ids)
    x = np.array([p[0] for p in positions], dtype=float)
    y = np.array([p[1] for p in positions], dtype=float)
    return TrafficState(t_us, tuple(ids), x, y, np.array(speeds, dtype=float),
                        np.array(headings, dtype=float), np.full(n, 4.5), ("car",) * n,
                        48.15 + y / 111_200, 11.7 + x / 74_300)


def run(track, steps):
    """Generation instants (relative to each vehicle's phase) for a track(t) -> (x, y, v, h)."""
    service = CaService(np.random.default_rng(1), start_tai_us=0)
    times, batches = [], []
    for k in range(steps):
        x, y, v, h = track(k * 0.1)
        batch = service.step(state(k * STEP_US, [(x, y)], [v], [h]), STEP_US)
        batches.append(batch)
        times.extend(batch.generation_us.tolist())
    phase = service.phase_us[0]
    return [round((t - phase) / 1000) for t in times], batches


def test_a_standing_vehicle_sends_a_cam_a_second():
    times, _ = run(lambda t: (0.0, 0.0, 0.0, 90.0), 35)
    assert times == [0, 1000, 2000, 3000]


def test_a_fast_vehicle_triggers_on_distance():
    times, _ = run(lambda t: (30.0 * t, 0.0, 30.0, 90.0), 12)  # 3 m a step: 4 m every 2 steps
    assert np.all(np.diff(times) == 200)


def test_after_stopping_three_cams_keep_the_last_interval_then_one_a_second():
    def track(t):
        return (min(t, 1.0) * 30.0, 0.0, 30.0 if t < 1.0 else 0.0, 90.0)
    times, _ = run(track, 60)
    gaps = np.diff(times).tolist()
    stop = next(i for i, t in enumerate(times) if t >= 1000)
    assert gaps[stop:stop + 4] == [200, 200, 200, 1000]


def test_turning_triggers_on_heading():
    times, _ = run(lambda t: (0.0, 0.0, 0.0, 90.0 + 25.0 * t), 10)  # 2.5 degrees a step
    assert np.all(np.diff(times) == 200)


def test_low_frequency_container_every_500_ms_or_more():
    _, batches = run(lambda t: (30.0 * t, 0.0, 30.0, 90.0), 40)
    sent = [(b.generation_us[0], bool(b.low_frequency[0])) for b in batches if len(b)]
    lf_times = [t for t, low in sent if low]
    assert np.all(np.diff(lf_times) >= 500_000) and len(lf_times) >= 6


def test_cams_are_real_messages_carrying_the_state():
    service = CaService(np.random.default_rng(2), start_tai_us=123_456_789)
    ids = ("car0", "truck1", "car2")
    positions = [(0.0, 0.0), (100.0, 5.0), (250.0, -3.0)]
    batch = None
    for k in range(12):
        moved = [(x + 25.0 * k * 0.1, y) for x, y in positions]
        current = state(k * STEP_US, moved, [25.0, 22.2, 0.0], [90.0, 91.5, 270.0], ids)
        batch = service.step(current, STEP_US) if k < 11 else batch
    assert batch is not None
    for slot, data, low in zip(batch.slots, batch.payloads, batch.low_frequency, strict=True):
        cam = messages.decode("etsi.CAM", data)
        assert messages.encode("etsi.CAM", cam) == data
        assert cam["header"]["stationID"] == service.station_id[slot]
        hf = cam["cam"]["camParameters"]["highFrequencyContainer"][1]
        assert hf["speed"]["speedValue"] in (2500, 2220, 0)
        assert "lowFrequencyContainer" in cam["cam"]["camParameters"] or not low
    assert len({service.station_id[s] for s in range(3)}) == 3


def test_vehicles_leaving_free_their_slot():
    service = CaService(np.random.default_rng(3), start_tai_us=0)
    service.step(state(0, [(0, 0), (10, 0)], [1, 1], [0, 0], ("a", "b")), STEP_US)
    service.step(state(STEP_US, [(0, 0)], [1], [0], ("a",)), STEP_US)
    assert set(service.slot_of) == {"a"}
    service.step(state(2 * STEP_US, [(0, 0), (5, 5)], [1, 1], [0, 0], ("a", "c")), STEP_US)
    assert set(service.slot_of) == {"a", "c"}
