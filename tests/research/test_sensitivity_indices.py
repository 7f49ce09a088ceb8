"""SALib indices on a scenario whose answer is known: one driver per output.

In ``one_driver.yaml`` online retail in 2025 is 6.0e10 × (1 + g)^3 with no noise, so at a point
P(met online_retail) is 1 when g ≥ 0.1856 and 0 otherwise: a function of
``online_retail.growth`` alone, and ``products.growth`` cannot move it. Hence S1 = ST = 1 for the
driver and exactly 0 for the other factor (its column of the Saltelli matrix changes nothing);
and the other way round for the products target.
"""

from __future__ import annotations

import pytest
from research_helpers import BASELINE, ONE_DRIVER, sbqw

from sbqw_model.errors import InputError
from sbqw_model.research.sensitivity import run_sensitivity, scenario_problem
from sbqw_model.scenario import load_scenario

GROWTH = "uncertainties.online_retail.growth"
PRODUCTS = "uncertainties.products.growth"


@pytest.fixture(scope="module")
def sobol():
    scenario = load_scenario(ONE_DRIVER)
    return run_sensitivity(
        scenario,
        "sobol",
        256,
        outputs=["online_retail", "products"],
        draws=1,
        seed=0,
        workers=1,
        progress=False,
    )


def index(result, output: str, factor: str, name: str) -> float:
    frame = result.indices
    row = frame[(frame.output == f"targets.{output}.p_met") & (frame.factor == factor)]
    return float(row[name].iloc[0])


def test_problem_is_the_non_fixed_uncertainties_over_their_bounds() -> None:
    problem = scenario_problem(load_scenario(ONE_DRIVER)).salib()
    assert problem == {
        "num_vars": 2,
        "names": [GROWTH, PRODUCTS],
        "bounds": [[0.05, 0.25], [0.2, 0.5]],
    }


def test_sobol_gives_the_analytic_indices(sobol) -> None:
    assert len(sobol.sample) == 256 * (2 + 2)
    for output, driver, other in (
        ("online_retail", GROWTH, PRODUCTS),
        ("products", PRODUCTS, GROWTH),
    ):
        assert index(sobol, output, driver, "S1") == pytest.approx(1, abs=0.1)
        assert index(sobol, output, driver, "ST") == pytest.approx(1, abs=0.1)
        assert index(sobol, output, other, "S1") == 0
        assert index(sobol, output, other, "ST") == 0
        assert index(sobol, output, driver, "ST_conf") < 0.3


def test_sobol_warns_below_512(sobol) -> None:
    assert any("N = 256 is below 512" in w for w in sobol.warnings)


def test_morris_ranks_the_driver_first() -> None:
    result = run_sensitivity(
        load_scenario(ONE_DRIVER),
        "morris",
        20,
        outputs=["online_retail"],
        draws=1,
        workers=1,
        progress=False,
    )
    assert len(result.sample) == 20 * 3
    assert index(result, "online_retail", GROWTH, "mu_star") > 0.2
    assert index(result, "online_retail", PRODUCTS, "mu_star") == 0
    assert not any("below 20" in w for w in result.warnings)


def test_constant_outputs_get_no_indices_and_a_note(sobol) -> None:
    result = run_sensitivity(
        load_scenario(ONE_DRIVER),
        "sobol",
        8,
        outputs=["parks"],
        draws=1,
        workers=1,
        progress=False,
    )
    assert result.indices["S1"].isna().all()
    assert any("no variation" in w and "targets.parks.p_met" in w for w in result.warnings)
    assert result.to_dict()["indices"][0]["S1"] is None


def test_levers_and_explicit_ranges() -> None:
    scenario = load_scenario(BASELINE)
    problem = scenario_problem(scenario, [GROWTH, "assumptions.payout_share=0.6:0.9"], levers=True)
    bounds = dict(zip(problem.names, problem.salib()["bounds"], strict=True))
    assert bounds[GROWTH] == pytest.approx([0.16 - 0.12, 0.16 + 0.12])  # baseline mean ± 2 sd
    assert bounds["assumptions.payout_share"] == [0.6, 0.9]
    cap = scenario.params.value("traffic.cap")
    assert bounds["parameters.traffic.cap"] == pytest.approx([0.5 * cap, cap])


@pytest.mark.parametrize(
    ("factors", "fragment"),
    [
        (
            ["uncertainties.online_retail.grwth"],
            "did you mean `uncertainties.online_retail.growth`",
        ),
        (["assumptions.traffic_base"], "takes categories"),
        (["parameters.awards.park"], "give its range as parameters.awards.park=LOW:HIGH"),
        (["uncertainties.firms.max_share"], "the range 0.15–0.15 is empty"),
        (["assumptions.payout_share=0.5"], "expected PATH=LOW:HIGH"),
    ],
)
def test_bad_factors_are_clear(factors: list[str], fragment: str) -> None:
    with pytest.raises(InputError) as info:
        scenario_problem(load_scenario(BASELINE), [*factors, GROWTH])
    assert fragment in "\n".join(info.value.problems)


def test_cli_sensitivity_json_and_bad_input(tmp_path) -> None:
    import json

    code, out, err = sbqw(
        "sensitivity",
        ONE_DRIVER,
        "--n",
        "16",
        "--draws",
        "1",
        "--outputs",
        "online_retail",
        "--format",
        "json",
        "--workers",
        "1",
        "--out",
        tmp_path / "sens",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "sobol" and data["evaluations"] == 64
    assert {r["factor"] for r in data["indices"]} == {GROWTH, PRODUCTS}
    assert "sbqw: warning: N = 16 is below 512" in err
    assert sorted(p.name for p in (tmp_path / "sens").iterdir()) == [
        "indices.csv",
        "sample.parquet",
        "sensitivity.json",
    ]

    code, _, err = sbqw("sensitivity", ONE_DRIVER, "--n", "100")
    assert code == 2 and "needs a power of 2 (e.g. --n 128)" in err
    code, _, err = sbqw("sensitivity", ONE_DRIVER, "--outputs", "p_al_met")
    assert code == 2 and "did you mean `p_all_met`" in err


def test_cli_sensitivity_table_is_chinese_first() -> None:
    code, out, err = sbqw(
        "sensitivity",
        ONE_DRIVER,
        "--method",
        "morris",
        "--n",
        "4",
        "--draws",
        "1",
        "--outputs",
        "online_retail",
        "budget.total.p90",
        "--workers",
        "1",
    )
    assert code == 0, err
    assert "网络零售额年均增速 uncertainties.online_retail.growth" in out
    assert "网络零售额达成概率 / Online retail: probability of meeting the target" in out
    assert "不随因素变化 does not vary" in out  # no firms: the budget is always zero


@pytest.mark.parametrize("seed", [0, 3])
def test_sobol_intervals_are_reproducible_for_every_seed(seed: int) -> None:
    """SALib's ``sobol.analyze`` seeds its bootstrap only ``if seed:``: with seed 0 the intervals
    came from numpy's global state and differed from run to run. Every seed now gives what SALib
    gives for a seed it honours (``default_rng(seed)``), seed 0 included."""
    import numpy as np
    from SALib.analyze import sobol as salib_sobol

    from sbqw_model.research.sensitivity import analyze, sample

    problem = scenario_problem(load_scenario(ONE_DRIVER))
    x = sample("sobol", problem, 8, seed)
    y = x[:, 0] + 0.3 * np.sin(7 * x[:, 1])  # both factors matter, intervals are not zero
    first = analyze("sobol", problem, x, y, seed)
    np.random.seed(12345)  # a caller's use of the global state must not move the intervals
    second = analyze("sobol", problem, x, y, seed)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.array_equal(first[key], second[key])
    assert first["S1_conf"].min() > 0
    if seed:  # SALib honours a nonzero seed: the intervals are SALib's own
        ref = salib_sobol.analyze(
            problem.salib(), y, calc_second_order=False, num_resamples=100, seed=seed
        )
        assert np.allclose(first["S1_conf"], ref["S1_conf"])
        assert np.allclose(first["ST_conf"], ref["ST_conf"])


def test_sensitivity_json_says_which_version_produced_it(tmp_path) -> None:
    """sensitivity.json (and --format json) named scenario, method, seed and draws but not the
    sbqw version, unlike a sweep's sweep.json."""
    import json

    from sbqw_model import __version__

    args = ("sensitivity", ONE_DRIVER, "--method", "morris", "--n", "2", "--draws", "1")
    code, _, err = sbqw(*args, "--workers", "1", "--out", tmp_path / "s")
    assert code == 0, err
    data = json.loads((tmp_path / "s" / "sensitivity.json").read_text(encoding="utf-8"))
    assert data["sbqw_version"] == __version__ and data["seed"] == 0
