"""Every bad sweep file is rejected clearly: one line per problem with file and key path, exit 2,
no traceback, nothing written. Good files load into the points they describe."""

from __future__ import annotations

import collections
import functools
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from research_helpers import BASELINE, ONE_DRIVER, sbqw, write

from sbqw_model.assumptions import Assumptions
from sbqw_model.distributions import Distribution
from sbqw_model.errors import InputError
from sbqw_model.parameters import Parameters
from sbqw_model.research import problem as pb
from sbqw_model.research.sweep import check_points, load_sweep
from sbqw_model.scenario import Scenario, load_scenario

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


# --------------------------------------------------------------------------------------------
# Invalid points: each part of the check (the assumptions, the parameters, each reshaped
# uncertainty) runs once per distinct combination of the values it reads, and the points are
# named in the words, order and count that checking one point at a time gave.

PARK = "uncertainties.recognition.park.applications"
SHOWN = "s.yaml"
#: Values of each kind, some refused alone, some only together; 1, 1.0 and True; 0.0 and -0.0.
POOL: dict[str, list[Any]] = {
    "assumptions.payout_share": [0.0, -0.0, 0.5, 1, True, 1.5, math.nan, "x"],
    "assumptions.payment_lag_years": [0, 1, 1.0, True, 3],
    "assumptions.revoked_repay": [True, False, 1, "yes"],
    "assumptions.traffic_base": ["all", "excess", "none"],
    "parameters.plan.first_year": [2023.0, 2025, 2026.0],
    "parameters.plan.target_year": [2023.0, 2025.0],
    "parameters.sales_awards.tier1.threshold": [1e8, 9e9, -1.0],
    "parameters.traffic.rate": [0.1, 1.5],
    f"{PARK}.low": [0.0, -0.0, 8.0, 13.0],
    f"{PARK}.high": [-0.0, 7.0, 12.0],
    PARK: [3.0, -5.0],
    "uncertainties.products.level_2022.low": [0.0, -0.0, 5000.0],
    "uncertainties.products.level_2022.high": [1000.0, 4500.0],
    "uncertainties.online_retail.growth.sd": [0.0, 0.05, -0.1],
    "uncertainties.online_retail.growth_noise.low": [0.05, 0.2],
    "uncertainties.online_retail.growth": [0.1],
    "uncertainties.firms.count": [80.0],
    "behaviour.growth_response_to_payout_share": [0.0, 0.1],
    "levers.recognition.buffer": [0.0, 0.2],
    "levers.recognition.park.strategy": ["target_pace", "all_qualified"],
}
KINDS_ROW = (0.5, 2023.0, 2025.0, 0.05, 12.0, 0.0, 0.1, 100.0)  # every value valid
#: name → factors, rows (None: the grid), and what is said of each shown point (the last line
#: is the count of the others), as checking one point at a time said it.
INVALID: dict[str, tuple[dict[str, list[Any]], list[tuple[Any, ...]] | None, list[str]]] = {
    "more_invalid_than_shown": (
        {f"{PARK}.low": [5.0, 8.0, 11.0, 13.0, 15.0], f"{PARK}.high": [7.0, 10.0, 12.0]},
        None,
        [
            f"3: {PARK}: expected low ≤ high, got 8, 7",
            f"6: {PARK}: expected low ≤ high, got 11, 7",
            f"7: {PARK}: expected low ≤ high, got 11, 10",
            f"9: {PARK}: expected low ≤ high, got 13, 7",
            f"10: {PARK}: expected low ≤ high, got 13, 10",
            "… and 4 more invalid points",
        ],
    ),
    "one_one_point_zero_and_true": (
        {"assumptions.payment_lag_years": [1, 1.0, True], "assumptions.revoked_repay": [True, 1]},
        None,
        [
            "1: revoked_repay=1: expected one of false, true",
            "2: payment_lag_years=1.0: expected one of 0, 1, 2",
            "3: payment_lag_years=1.0: expected one of 0, 1, 2;"
            " revoked_repay=1: expected one of false, true",
            "4: payment_lag_years=true: expected one of 0, 1, 2",
            "5: payment_lag_years=true: expected one of 0, 1, 2;"
            " revoked_repay=1: expected one of false, true",
        ],
    ),
    "minus_zero_and_nan": (
        {
            "uncertainties.products.level_2022.low": [0.0, -0.0, math.nan],
            "uncertainties.products.level_2022.high": [1000.0],
        },
        None,
        [
            "0: uncertainties.products.level_2022: expected low ≤ mode ≤ high, got 0, 3000, 1000",
            "1: uncertainties.products.level_2022: expected low ≤ mode ≤ high, got -0, 3000, 1000",
            "2: uncertainties.products.level_2022.low: expected a number, got nan",
        ],
    ),
    "fixed_after_reshaped": (
        {f"{PARK}.low": [5.0], PARK: [3.0, -5.0]},
        None,
        [f"1: {PARK}.value: got -5, expected a count from 0 to 1e+09"],
    ),
    "parameters_checked_together": (
        {
            "parameters.plan.first_year": [2023.0, 2025.0],
            "parameters.plan.target_year": [2025.0, 2023.0],
            "parameters.sales_awards.tier1.threshold": [1e8, 9e9],
        },
        None,
        [
            *(
                f"{p}: sales_awards: tier thresholds must increase from tier1 upward,"
                " got [9000000000.0, 5000000000.0]"
                for p in (1, 3, 5)
            ),
            "6: plan.target_year: expected plan.first_year ≤ plan.target_year (a plan of at"
            " least one year, within 2000–2200), got first year 2025 and target year 2023",
            "7: plan.target_year: expected plan.first_year ≤ plan.target_year (a plan of at"
            " least one year, within 2000–2200), got first year 2025 and target year 2023;"
            " sales_awards: tier thresholds must increase from tier1 upward,"
            " got [9000000000.0, 5000000000.0]",
        ],
    ),
    "kinds_first_refusal_wins": (
        {
            "assumptions.payout_share": [0.5, 1.5],
            "parameters.plan.first_year": [2023.0, 2025.0],
            "parameters.plan.target_year": [2025.0, 2023.0],
            "uncertainties.online_retail.growth_noise.low": [0.05, 0.2],
            f"{PARK}.high": [12.0, 5.0],
            "behaviour.growth_response_to_payout_share": [0.0],
            "levers.recognition.buffer": [0.1],
            "uncertainties.firms.count": [100.0],
        },
        [
            KINDS_ROW,
            (1.5, 2025.0, 2023.0, 0.2, 5.0, 0.0, 0.1, 100.0),  # each part refuses: assumptions
            (0.5, 2025.0, 2023.0, 0.2, 5.0, 0.0, 0.1, 100.0),  # then parameters
            (0.5, 2023.0, 2025.0, 0.2, 12.0, 0.0, 0.1, 100.0),
            KINDS_ROW,
            (0.5, 2023.0, 2025.0, 0.05, 5.0, 0.0, 0.1, 100.0),
            (1.5, 2023.0, 2025.0, 0.05, 12.0, 0.0, 0.1, 100.0),
            (0.5, 2023.0, 2025.0, 0.2, 5.0, 0.0, 0.1, 100.0),  # two uncertainties: counted
            (1.5, 2023.0, 2025.0, 0.05, 12.0, 0.0, 0.1, 100.0),
        ],
        [
            "1: payout_share=1.5: expected a number from 0 to 1",
            "2: plan.target_year: expected plan.first_year ≤ plan.target_year (a plan of at"
            " least one year, within 2000–2200), got first year 2025 and target year 2023",
            "3: uncertainties.online_retail.growth_noise: expected low ≤ high, got 0.2, 0.15",
            f"5: {PARK}: expected low ≤ high, got 6, 5",
            "6: payout_share=1.5: expected a number from 0 to 1",
            "… and 2 more invalid points",
        ],
    ),
}


#: The distributions the cases above reshape, pinned here (the shipped baseline is recalibrated).
PINNED = {
    PARK: ("uniform", {"low": 6.0, "high": 12.0}),
    "online_retail.growth_noise": ("uniform", {"low": 0.05, "high": 0.15}),
    "products.level_2022": ("triangular", {"low": 2000.0, "mode": 3000.0, "high": 4500.0}),
}


@functools.cache
def _baseline() -> Scenario:
    base = load_scenario(BASELINE)
    for path, (dist, params) in PINNED.items():
        key = path.removeprefix("uncertainties.")
        domain = base.uncertainties[key].domain
        base = base.with_uncertainty(key, Distribution(dist, params, "pinned by the test", domain))
    return base


def _problem(factors: dict[str, list[Any]]) -> pb.Problem:
    base = _baseline()
    return pb.Problem(
        tuple(pb.Factor(pb.resolve(p, base), values=tuple(v)) for p, v in factors.items())
    )


def _refusal(problem: pb.Problem, rows: list[tuple[Any, ...]]) -> list[str]:
    try:
        check_points(list(enumerate(rows)), _baseline(), problem, SHOWN)
    except InputError as exc:
        return exc.problems
    return []


def _shown(problem: pb.Problem, point: int, values: tuple[Any, ...]) -> str:
    named = ", ".join(f"{n}={v}" for n, v in zip(problem.names, values, strict=True))
    return f"{SHOWN}: point {point} ({named})"


def _one_point_at_a_time(problem: pb.Problem, rows: list[tuple[Any, ...]]) -> list[str]:
    """The check as it was: ``check_point`` at every point in turn."""
    bad: list[str] = []
    count = 0
    for point, values in enumerate(rows):
        found = pb.check_point(_baseline(), problem.inputs, values)
        if found:
            count += 1
            if len(bad) < 5:
                bad.append(f"{_shown(problem, point, values)}: {'; '.join(found)}")
    if count > len(bad):
        bad.append(f"{SHOWN}: … and {count - len(bad)} more invalid points")
    return bad


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_points_are_named_as_one_point_at_a_time_named_them(case: str) -> None:
    factors, rows, said = INVALID[case]
    problem = _problem(factors)
    rows = rows or list(itertools.product(*factors.values()))
    expected = []
    for line in said:
        point, _, text = line.partition(": ")
        if point.isdigit():
            expected.append(f"{_shown(problem, int(point), rows[int(point)])}: {text}")
        else:
            expected.append(f"{SHOWN}: {line}")
    assert _refusal(problem, rows) == expected
    assert _refusal(problem, rows) == _one_point_at_a_time(problem, rows)


def test_a_point_invalid_in_two_uncertainties_says_both_in_check_point_order() -> None:
    noise = "uncertainties.online_retail.growth_noise.low"
    problem = _problem({f"{PARK}.high": [12.0, 5.0], noise: [0.05, 0.2]})
    rows = [(5.0, 0.2), (12.0, 0.05), (5.0, 0.2)]
    said = _refusal(problem, rows)
    assert said == _one_point_at_a_time(problem, rows)
    assert len(said) == 2 and all("got 6, 5" in s and "got 0.2, 0.15" in s for s in said)


def test_each_part_of_the_check_runs_once_per_distinct_combination(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factors = {
        "assumptions.payout_share": [0.5, 0.75, 1.0],
        "behaviour.growth_response_to_payout_share": [0.0, 0.1],
        "parameters.plan.first_year": [2023.0, 2024.0],
        "assumptions.traffic_base": ["all", "excess"],
        "uncertainties.online_retail.growth_noise.low": [0.05, 0.2],
        "parameters.traffic.rate": [0.1, 0.2],
        "levers.recognition.buffer": [0.0, 0.1],
        "uncertainties.online_retail.growth_noise.high": [0.15, 0.3],
    }
    problem = _problem(factors)
    rows = list(itertools.product(*factors.values()))
    expected = _one_point_at_a_time(problem, rows)
    assert expected[-1] == f"{SHOWN}: … and {len(rows) // 4 - 5} more invalid points"
    calls: collections.Counter[str] = collections.Counter()

    def counted(name: str, check: Callable[..., Any]) -> Callable[..., Any]:
        def counting(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return check(*args, **kwargs)

        return counting

    monkeypatch.setattr(Assumptions, "updated", counted("assumptions", Assumptions.updated))
    monkeypatch.setattr(Parameters, "with_overrides", counted("rules", Parameters.with_overrides))
    monkeypatch.setattr(pb, "parse_distribution", counted("uncertainty", pb.parse_distribution))
    assert _refusal(problem, rows) == expected
    assert len(rows) == 384
    assert calls == {"assumptions": 6, "rules": 4, "uncertainty": 4}


def test_values_a_check_could_tell_apart_are_never_one_class() -> None:
    nan = math.nan
    column = [1, 1.0, True, 1, 0.0, -0.0, 0.0, nan, nan, "1", None, np.float64(1.0), 1.0]
    classes, firsts = pb.value_classes([(v, "same") for v in column], [0, 1])
    assert [firsts[c] for c in classes] == [0, 1, 2, 0, 4, 5, 4, 7, 7, 9, 10, 11, 1]
    floats = [0.0, -0.0, 0.0, nan, nan, float("nan"), 2.5, 2.5]  # a column of floats alone
    classes, firsts = pb.value_classes([(v,) for v in floats], [0])
    assert [firsts[c] for c in classes] == [0, 1, 0, 3, 3, 3, 6, 6], "NaNs of one bits: alike"
    assert pb.value_classes([(1,), (2,)], [])[0].tolist() == [0, 0], "no column: one class"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_check_points_says_what_one_point_at_a_time_said(data: st.DataObject) -> None:
    paths = data.draw(st.lists(st.sampled_from(sorted(POOL)), min_size=1, max_size=5, unique=True))
    problem = _problem({p: POOL[p] for p in paths})
    row = st.tuples(*(st.sampled_from(POOL[p]) for p in paths))
    rows = data.draw(st.lists(row, min_size=1, max_size=40))
    assert _refusal(problem, rows) == _one_point_at_a_time(problem, rows)
    each = {i: pb.check_point(_baseline(), problem.inputs, r) for i, r in enumerate(rows)}
    assert dict(pb.invalid_points(_baseline(), problem.inputs, rows)) == {
        i: found for i, found in each.items() if found
    }


def test_memory_is_estimated_once_per_combination_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sbqw_model import memory

    text = (
        BASE + "mode: grid\nfactors:\n  assumptions.payout_share: {values: [0.5, 0.75, 1.0]}\n"
        "  uncertainties.firms.count: {values: [100, FIRMS]}\n"
        "  assumptions.traffic_base: {values: [all, excess]}\n"
        "  behaviour.growth_response_to_payout_share: {values: [0.0, 0.1]}\n"
    )
    estimates = []
    check_run = memory.check_run

    def counting(scenario: Scenario, *args: Any) -> None:
        estimates.append(scenario.uncertainties["firms.count"].params["value"])
        check_run(scenario, *args)

    monkeypatch.setattr(memory, "check_run", counting)
    assert load_sweep(write(tmp_path / "fits.yaml", text.replace("FIRMS", "120"))).n_points == 24
    assert estimates == [100, 120]
    monkeypatch.setattr(memory, "check_run", check_run)
    monkeypatch.setenv("SBQW_MEMORY_LIMIT", "1G")
    path = write(tmp_path / "m.yaml", text.replace("FIRMS", "2.0e+6, 1.0e+6"))
    with pytest.raises(InputError) as refused:
        load_sweep(path)
    said = refused.value.problems
    assert said == _first_point_that_does_not_fit(path)
    assert said[0].startswith(
        f"{path}: point 4: {BASELINE.as_posix()}: uncertainties.firms.count"
        " × online_retail.level_2022 ÷ firms.reference_level:"
        " up to 3,008,665 firms per world need"  # 2e6 × 900 亿 ÷ 600 亿, + 5√ + 5
    )


def _first_point_that_does_not_fit(path: Path) -> list[str]:
    """The memory check as it was: every point in turn, the first that does not fit named."""
    from unittest import mock

    from sbqw_model.memory import check_run

    with mock.patch("sbqw_model.research.sweep._check_memory"):
        sweep = load_sweep(path)
    for point, values in sweep.points():
        try:
            check_run(pb.apply(sweep.base, sweep.problem.inputs, values), sweep.draws, "draws")
        except InputError as exc:
            return [f"{path}: point {point}: {p}" for p in exc.problems]
    return []
