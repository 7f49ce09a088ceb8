"""Every bad sweep file is rejected clearly: one line per problem with file and key path, exit 2,
no traceback, nothing written. Good files load into the points they describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from research_helpers import BASELINE, ONE_DRIVER, sbqw, write

from sbqw_model.errors import InputError
from sbqw_model.research.sweep import load_sweep

BASE = f"base: {BASELINE.as_posix()}\n"

BAD: dict[str, tuple[str, list[str]]] = {
    "unknown_key": (
        BASE + "mod: grid\nfactors:\n  assumptions.payout_share: {values: [0.5]}\n",
        ["mod: unknown key (did you mean `mode`?)", "mode: missing (expected one of: grid"],
    ),
    "bad_factor_path": (
        BASE + "mode: grid\nfactors:\n  assumptions.payot_share: {values: [0.5]}\n",
        [
            "factors.assumptions.payot_share: unknown assumption"
            " (did you mean `assumptions.payout_share`?)"
        ],
    ),
    "bad_factor_root": (
        BASE + "mode: grid\nfactors:\n  levers.payout_share: {values: [0.5]}\n",
        ["factors.levers.payout_share: unknown factor path", "a factor starts with"],
    ),
    "bad_distribution_parameter": (
        BASE + "mode: grid\nfactors:\n  uncertainties.online_retail.growth.median: {values: [1]}\n",
        [
            "normal distribution of online_retail.growth has no parameter `median`"
            " (it has: mean, sd)"
        ],
    ),
    "low_above_high": (
        BASE + "mode: latin\npoints: 8\nfactors:\n"
        "  assumptions.payout_share: {low: 0.9, high: 0.5}\n",
        ["factors.assumptions.payout_share: low 0.9 must be below high 0.5"],
    ),
    "unknown_mode_and_half_a_range": (
        BASE + "mode: gird\nfactors:\n  assumptions.payout_share: {low: 0.5}\n",
        [
            "mode: unknown mode",
            "factors.assumptions.payout_share: expected values: [...] (grid),"
            " or low and high (samples)",
        ],
    ),
    "unknown_mode": (
        BASE + "mode: gird\nfactors:\n  assumptions.payout_share: {values: [0.5]}\n",
        ["mode: unknown mode 'gird' (did you mean `grid`?)"],
    ),
    "yaml_syntax": (
        BASE + "mode: grid\nfactors: [unclosed\n",
        ["line 4, column 1: YAML syntax error"],
    ),
    "python_tag": (
        "base: !!python/object/apply:os.system ['echo pwned']\nmode: grid\n",
        ["line 1, column 7: YAML tag refused"],
    ),
    "categorical_in_sample": (
        BASE + "mode: latin\npoints: 8\nfactors:\n  assumptions.traffic_base: {low: 0, high: 1}\n",
        ["assumptions.traffic_base takes categories, not a range; use mode grid"],
    ),
    "bad_value": (
        BASE + "mode: grid\nfactors:\n  assumptions.payout_share: {values: [0.5, 1.5, yes]}\n",
        [
            "factors.assumptions.payout_share.values[1]: got 1.5, expected a number from 0 to 1",
            "factors.assumptions.payout_share.values[2]: got True",
        ],
    ),
    "range_in_grid": (
        BASE + "mode: grid\nfactors:\n  assumptions.payout_share: {low: 0.5, high: 1}\n",
        ["a grid takes values: [...] for each factor", "low/high are for latin and sobol"],
    ),
    "points_in_grid": (
        BASE + "mode: grid\npoints: 10\nfactors:\n  assumptions.payout_share: {values: [1]}\n",
        ["points: a grid has every combination of values; remove points"],
    ),
    "missing_base": (
        "base: nowhere.yaml\nmode: grid\nfactors:\n  assumptions.payout_share: {values: [1]}\n",
        ["base: no such scenario file 'nowhere.yaml'"],
    ),
    "unknown_output": (
        BASE + "mode: grid\noutputs: [budget.totl.p90]\nfactors:\n"
        "  assumptions.payout_share: {values: [1]}\n",
        ["outputs[0]: unknown output `budget.totl.p90` (did you mean `budget.total.p90`?)"],
    ),
    "bad_factor_key": (
        BASE + "mode: grid\nfactors:\n  assumptions.payout_share: {value: [1]}\n",
        ["factors.assumptions.payout_share.value: unknown key (did you mean `values`?)"],
    ),
    "invalid_combination": (
        BASE + "mode: grid\nfactors:\n"
        "  uncertainties.recognition.park.applications.low: {values: [8]}\n"
        "  uncertainties.recognition.park.applications.high: {values: [7, 12]}\n",
        [
            "point 0 (uncertainties.recognition.park.applications.low=8.0,"
            " uncertainties.recognition.park.applications.high=7.0):"
            " uncertainties.recognition.park.applications: expected low ≤ high"
        ],
    ),
    "fixed_and_reshaped": (
        BASE + "mode: grid\nfactors:\n  uncertainties.online_retail.growth: {values: [0.1]}\n"
        "  uncertainties.online_retail.growth.mean: {values: [0.1]}\n",
        ["uncertainties.online_retail.growth is both fixed and reshaped"],
    ),
    "not_a_mapping": ("- base\n- mode\n", ["expected a mapping of sweep keys, got list"]),
    "empty": ("", ["the file is empty"]),
    "bad_numbers": (
        BASE + "mode: sobol\npoints: 0\ndraws: -5\nseed: x\nfactors:\n"
        "  assumptions.payout_share: {low: 0.5, high: 1}\n",
        [
            "points: expected a whole number ≥ 1, got 0",
            "draws: expected a whole number ≥ 1",
            "seed: expected a whole number ≥ 0, got 'x'",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_file_is_rejected_clearly(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    path = write(tmp_path / f"{case}.yaml", text)
    out = tmp_path / "results"
    code, stdout, stderr = sbqw("sweep", path, "--out", out)
    assert code == 2, (stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert all(line.startswith("sbqw: error: ") for line in lines), lines
    for fragment in expected:
        assert fragment in stderr, (fragment, stderr)
    assert not out.exists(), "nothing written"
    assert stdout == ""


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path / "many.yaml",
        BASE + "mode: latin\npoints: 8\ncolour: red\nfactors:\n"
        "  assumptions.payot_share: {low: 0, high: 1}\n"
        "  assumptions.payout_share: {low: 1, high: 0.5}\n"
        "  uncertainties.online_retail.growth: {low: 0.1}\n",
    )
    with pytest.raises(InputError) as info:
        load_sweep(path)
    problems = info.value.problems
    assert len(problems) == 4, problems
    assert all(p.startswith(f"{path}: ") for p in problems)


def test_problems_in_the_base_scenario_name_the_scenario_file(tmp_path: Path) -> None:
    scenario = write(tmp_path / "broken.yaml", "name: x\ntitle_zh: x\ntitle_en: x\n")
    path = write(
        tmp_path / "s.yaml",
        "base: broken.yaml\nmode: grid\nfactors:\n  assumptions.payout_share: {values: [1]}\n",
    )
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert any(p.startswith(f"{scenario}: uncertainties") for p in info.value.problems)


@pytest.mark.parametrize("observed", ["/etc/passwd", "missing.csv", "folder"])
def test_a_bad_observed_file_names_the_sweep_file_and_its_key(
    tmp_path: Path, observed: str
) -> None:
    (tmp_path / "folder").mkdir()
    path = write(
        tmp_path / "s.yaml",
        f"base: {BASELINE}\nobserved: {observed}\nmode: grid\n"
        "factors:\n  assumptions.payout_share: {values: [1]}\n",
    )
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert info.value.problems[0].startswith(f"{path}: observed: ")


def test_grid_points_every_combination_first_factor_slowest(tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.yaml",
        f"base: {ONE_DRIVER.as_posix()}\nmode: grid\nfactors:\n"
        "  assumptions.payout_share: {values: [0.5, 1]}\n"
        "  assumptions.traffic_base: {values: [all, excess]}\n"
        "  assumptions.payment_lag_years: {values: [0, 1]}\n",
    )
    sweep = load_sweep(path)
    assert sweep.n_points == 8
    values = [v for _, v in sweep.points()]
    assert values[:3] == [(0.5, "all", 0), (0.5, "all", 1), (0.5, "excess", 0)]
    assert values[-1] == (1.0, "excess", 1)
    assert sweep.columns[:4] == ["point", *sweep.problem.names]


@pytest.mark.parametrize("mode", ["latin", "sobol"])
def test_samples_lie_in_their_ranges_and_depend_on_the_seed(mode: str, tmp_path: Path) -> None:
    def sweep(seed: int):
        path = write(
            tmp_path / f"{mode}{seed}.yaml",
            f"base: {ONE_DRIVER.as_posix()}\nmode: {mode}\npoints: 16\nseed: {seed}\nfactors:\n"
            "  uncertainties.online_retail.growth: {low: 0.05, high: 0.25}\n"
            "  parameters.targets.parks: {low: 5, high: 15}\n",
        )
        return load_sweep(path).point_table()

    a, b = sweep(1), sweep(1)
    assert a.equals(b)
    assert not a.equals(sweep(2))
    growth = a["uncertainties.online_retail.growth"]
    assert growth.between(0.05, 0.25).all() and growth.nunique() == 16
    parks = a["parameters.targets.parks"]
    assert parks.between(5, 15).all() and (parks == parks.round()).all(), "a count stays whole"


def test_sobol_points_not_a_power_of_two_warn(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        f"base: {ONE_DRIVER.as_posix()}\nmode: sobol\npoints: 100\nfactors:\n"
        "  uncertainties.online_retail.growth: {low: 0.05, high: 0.25}\n",
    )
    assert "not a power of 2" in load_sweep(path).warnings[0]


def test_shipped_sweep_files_are_valid() -> None:
    from research_helpers import ROOT

    files = sorted((ROOT / "sbqw_model" / "sweeps").glob("*.yaml"))
    assert files
    for path in files:
        sweep = load_sweep(path)
        assert sweep.n_points >= 1 and sweep.factors
