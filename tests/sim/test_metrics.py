"""Metrics: PRR bins as TR 36.885 A.8.1 counts them, wider bins from narrower ones."""

from __future__ import annotations

import numpy as np

from v2x.sim.metrics import CAUSES, RECEIVED, Metrics, PrrHistogram


def test_prr_counts_each_link_in_its_bin_and_cause():
    histogram = PrrHistogram(10.0, 50.0)
    histogram.add(np.array([0.0, 9.99, 10.0, 25.0, 49.9, 60.0]),
                  np.array([RECEIVED, 3, RECEIVED, 4, 2, RECEIVED]))
    rows = histogram.table()
    assert [r["counted"] for r in rows] == [2, 1, 1, 0, 1]  # 60 m is beyond the table
    assert rows[0]["prr"] == 0.5 and rows[0]["loss_propagation"] == 0.5
    assert rows[2]["loss_collision"] == 1.0 and np.isnan(rows[3]["prr"])


def test_twenty_metre_bins_equal_counting_directly():
    rng = np.random.default_rng(5)
    distance = rng.uniform(0, 990, 20_000)
    outcome = rng.integers(0, len(CAUSES), 20_000)
    metrics = Metrics(990.0)
    metrics.add_links(distance, outcome)
    direct = PrrHistogram(20.0, 990.0)
    direct.add(distance, outcome)
    assert np.array_equal(metrics.prr20.counts, direct.counts)
    assert metrics.prr20.counts.shape == (50, len(CAUSES))
