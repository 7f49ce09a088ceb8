"""``normal``: the standard normal distribution function and its inverse, held to the standard
library and to scipy (which the engine no longer imports: a test runs it in a fresh process)."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sbqw_model import normal

STD = statistics.NormalDist()


def test_known_values() -> None:
    assert normal.quantile(0.5) == 0.0
    assert normal.quantile(0.975) == pytest.approx(1.959963984540054, rel=1e-15)
    assert normal.quantile(0.025) == pytest.approx(-1.959963984540054, rel=1e-15)
    assert normal.cdf(0.0) == 0.5
    assert normal.cdf(1.959963984540054) == pytest.approx(0.975, rel=1e-15)
    assert normal.cdf(-40.0) == 0.0  # 3.7e-350: below the smallest double
    assert normal.cdf(-37.0) == pytest.approx(5.725571222524e-300, rel=1e-12)  # not 1 - erf
    assert normal.cdf(-10.0) == pytest.approx(7.61985302416053e-24, rel=1e-13)


def test_every_region_of_the_quantile_matches_the_standard_library() -> None:
    # central |p - 0.5| <= 0.425, then tails with sqrt(-log p) up to 5 and beyond (p < e^-25)
    p = np.concatenate(
        [
            np.linspace(0.075, 0.925, 1001),
            np.geomspace(1e-300, 0.075, 1001),
            1 - np.geomspace(1e-16, 0.075, 1001),
        ]
    )
    expected = np.array([STD.inv_cdf(v) for v in p])
    np.testing.assert_allclose(normal.quantile(p), expected, rtol=1e-15, atol=0)


@given(st.floats(min_value=1e-300, max_value=1 - 1e-16, exclude_min=True))
def test_quantile_inverts_the_distribution_function(p: float) -> None:
    z = normal.quantile(p)
    assert z == pytest.approx(STD.inv_cdf(p), rel=1e-15, abs=1e-300)
    if z > -37:  # beyond, the distribution function is below the smallest normal double
        assert normal.cdf(z) == pytest.approx(p, rel=1e-12)


@given(st.floats(min_value=-38, max_value=38))
def test_distribution_function_is_symmetric_monotone_and_erfc_based(x: float) -> None:
    assert normal.cdf(x) == pytest.approx(0.5 * math.erfc(-x / math.sqrt(2)), rel=1e-15)
    assert normal.cdf(x) + normal.cdf(-x) == pytest.approx(1.0, rel=1e-15)
    assert normal.cdf(np.nextafter(x, 40)) >= normal.cdf(x)


def test_matches_scipy() -> None:
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.random(20_000), 10 ** -rng.uniform(0, 300, 2_000)])
    np.testing.assert_allclose(normal.quantile(p), special.ndtri(p), rtol=4e-15)
    x = rng.normal(0, 4, 20_000)
    np.testing.assert_allclose(normal.cdf(x), special.ndtr(x), rtol=1e-12)


def test_edges_and_shapes_as_scipy_gives_them() -> None:
    p = np.array([[0.0, 1.0, -0.1], [1.1, np.nan, 0.5]])
    z = normal.quantile(p)
    assert z.shape == (2, 3)
    assert z[0, 0] == -np.inf and z[0, 1] == np.inf and z[1, 2] == 0.0
    assert np.isnan(z[0, 2]) and np.isnan(z[1, 0]) and np.isnan(z[1, 1])
    x = np.array([[-np.inf, np.inf], [np.nan, 0.0]])
    np.testing.assert_array_equal(normal.cdf(x), [[0.0, 1.0], [np.nan, 0.5]])
    assert normal.cdf(np.zeros((0, 3))).shape == (0, 3)
    assert normal.quantile(np.zeros((0, 3))).shape == (0, 3)


def test_a_simulation_does_not_import_scipy() -> None:
    """The point of the module: scipy's import (~0.2 s) stays off every report's critical path."""
    code = (
        "import sys\n"
        "from sbqw_model.engine import simulate\n"
        "from sbqw_model.scenario import load_scenario\n"
        "from sbqw_model.shipped import scenario_path\n"
        "import sbqw_model.reporting.scenario_report\n"
        "simulate(load_scenario(scenario_path('optimistic')), draws=50, seed=0)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
