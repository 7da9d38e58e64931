"""Log-normal shadowing: zero mean, σ, and ρ = exp(-d/d_corr) between nearby positions."""

from __future__ import annotations

import numpy as np
import pytest

from v2x.sim.radio import shadowing


def test_marginal_is_zero_mean_with_sigma():
    cfg = shadowing.ShadowingConfig(sigma_db=3.0, decorrelation_m=25.0)
    rng = np.random.default_rng(1)
    values = shadowing.initial(rng, 200_000, cfg)
    for _ in range(5):                       # the AR(1) steps keep N(0, σ²)
        values = shadowing.advance(values, np.full(values.size, 7.0), cfg, rng)
    assert abs(float(values.mean())) < 0.03
    assert float(values.std()) == pytest.approx(3.0, rel=0.01)


@pytest.mark.parametrize("displacement", [2.0, 10.0, 25.0, 60.0])
def test_correlation_between_positions_is_exponential(displacement):
    cfg = shadowing.ShadowingConfig(sigma_db=3.0, decorrelation_m=25.0)
    rng = np.random.default_rng(2)
    before = shadowing.initial(rng, 200_000, cfg)
    # reach the displacement in several steps: the correlation depends on the total only
    after = before
    for _ in range(4):
        after = shadowing.advance(after, np.full(before.size, displacement / 4), cfg, rng)
    rho = float(np.corrcoef(before, after)[0, 1])
    assert rho == pytest.approx(np.exp(-displacement / 25.0), abs=0.01)


def test_along_a_path_nearby_samples_are_correlated():
    cfg = shadowing.ShadowingConfig(sigma_db=3.0, decorrelation_m=10.0)
    series = shadowing.along_path(np.random.default_rng(3), np.arange(0.0, 20_000.0, 1.0), cfg)
    lag1 = float(np.corrcoef(series[:-1], series[1:])[0, 1])
    lag10 = float(np.corrcoef(series[:-10], series[10:])[0, 1])
    assert lag1 == pytest.approx(np.exp(-0.1), abs=0.03)
    assert lag10 == pytest.approx(np.exp(-1.0), abs=0.08)


def test_config_is_checked():
    with pytest.raises(ValueError):
        shadowing.ShadowingConfig(decorrelation_m=0.0)
    with pytest.raises(ValueError):
        shadowing.ShadowingConfig(displacement="teleport")


def test_box_muller_normals():
    z = shadowing.standard_normal(np.random.default_rng(4), 400_001)
    assert z.dtype == np.float32 and z.size == 400_001
    assert abs(float(z.mean())) < 0.01
    assert float(z.std()) == pytest.approx(1.0, abs=0.01)
    assert float(np.mean(np.abs(z) > 2.0)) == pytest.approx(0.0455, abs=0.002)
    assert float(np.mean(z ** 4)) == pytest.approx(3.0, abs=0.1)


def test_in_place_step_is_the_ar1_step():
    cfg = shadowing.ShadowingConfig(sigma_db=3.0, decorrelation_m=25.0)
    values = shadowing.initial(np.random.default_rng(5), 1000, cfg)
    delta = np.linspace(0.0, 50.0, 1000, dtype=np.float32)
    expected = shadowing.advance(values, delta, cfg, np.random.default_rng(6))
    got = values.copy()
    shadowing.advance_inplace(got, delta.copy(), cfg, np.random.default_rng(6))
    assert np.allclose(got, expected, atol=1e-5)
