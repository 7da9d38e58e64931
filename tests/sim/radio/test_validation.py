"""The model against Gonzalez-Martín et al. (IEEE TVT 2019): PDR within 3 pp MAD."""

from __future__ import annotations

import numpy as np

from v2x.sim.validation import PAPER_PDR, Benchmark, format_report, run_benchmark


def test_short_run_of_the_paper_configuration_matches_the_published_curve():
    result = run_benchmark(Benchmark(duration_s=4.0, warmup_s=3.0, seed=11))
    total = result.pdr + sum(result.loss_split.values())
    assert np.allclose(total, 1.0)
    assert np.all(result.samples > 5000)
    assert result.mad_pp() <= 3.0, format_report(result)
    # shape: near-perfect close by, about a third at 500 m, dominated by sensing losses there
    assert result.pdr[0] > 0.97 and 0.2 < result.pdr[-1] < 0.45
    assert result.loss_split["below_sensing"][-1] > 0.5
    assert len(PAPER_PDR) == result.pdr.size
    assert "mean absolute deviation" in format_report(result)
