"""The firms follow the market's size (``uncertainties.firms.reference_level``).

The firms that receive sales milestones and the traffic subsidy were drawn independently of the
province's 2022 online retail: ``firms.count`` firms above a fixed floor whatever the market,
so a sceptic fixing the 2022 level at 350 亿 and at 900 亿 found the traffic subsidy at 1 819
and 1 851 万 and the total at 16 788 and 16 866 万, and a 2022 figure entered with
``--observed`` moved the odds but not the budget. With a reference level each world expects
``firms.count × level_2022 ÷ reference_level`` firms; without one, the draws are main's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT
from safety_helpers import cli

from sbqw_model import worlds
from sbqw_model.distributions import Distribution
from sbqw_model.engine import simulate
from sbqw_model.instruments import REGISTRY
from sbqw_model.scenario import Scenario, load_scenario, parse_scenario
from sbqw_model.worlds import BLOCK, draw_block, expected_firms, stream, uncertainty_draws

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
REFERENCE = "firms.reference_level"
LEVEL = "online_retail.level_2022"
YI = 1e8  # 1 亿 yuan
SIGMAS = 4  # a Monte Carlo check allows this many standard errors


def _without_reference() -> Scenario:
    """The baseline as a file that leaves the reference out (parsed, as a user's file is)."""
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    raw["uncertainties"]["firms"].pop("reference_level")
    return parse_scenario(raw, "no_reference.yaml")


def _fixed(scenario: Scenario, path: str, value: float) -> Scenario:
    dist = scenario.uncertainties[path]
    return scenario.with_uncertainty(
        path, Distribution("fixed", {"value": value}, "t", dist.domain)
    )


def _same_world(a: worlds.World, b: worlds.World) -> None:
    for name in (*worlds._WORLD_FIELDS, *worlds._FIRM_FIELDS):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    for name in worlds.UNIT_FIELDS:
        assert np.array_equal(getattr(a.units, name), getattr(b.units, name)), name


# --- without a reference: exactly main's draws ---------------------------------------------


def test_without_a_reference_the_firms_are_drawn_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bit for bit, shown two ways against a copy of main's count expression,
    ``stream(seed, block, "firm_count").poisson(u["firms.count"])``: (1) each world's firm
    count is that expression's draw; (2) every array of the world (firms, units, rounds,
    paths) is what the drawing gives with that expression put back in place of
    ``expected_firms``. (Checked once more when this was written, at 2 000 worlds and a
    20 000-draw run: every array equal to the saved output of main at 6cf466d.)"""
    scenario = _without_reference()
    assert REFERENCE not in scenario.uncertainties
    seed = 7
    drawn = [draw_block(scenario, seed, b) for b in range(3)]
    for b, world in enumerate(drawn):
        u = uncertainty_draws(scenario, seed, b)
        assert REFERENCE not in u
        assert expected_firms(u, world.online_retail_path[:, 0]) is u["firms.count"]
        main = stream(seed, b, "firm_count").poisson(u["firms.count"])
        assert np.array_equal(np.bincount(world.firm_draw, minlength=BLOCK), main)
    monkeypatch.setattr(worlds, "expected_firms", lambda u, level: u["firms.count"])
    for b, world in enumerate(drawn):
        _same_world(world, draw_block(scenario, seed, b))


# --- with one: the count follows the level --------------------------------------------------


def test_twice_the_reference_doubles_the_firms() -> None:
    """Level fixed at 2 × the reference (1 200 亿 for 600 亿) and firms.count ~ U(60, 140):
    λ = 2 × count exactly, so the mean is 200 firms a world; the count is Poisson given λ, so
    its variance is E[λ] + Var[λ] = 200 + 2² × 80²/12 = 2 333 (sd 48.3), and the mean of
    2 000 worlds has a standard error of 1.08. At the reference itself: 100 ± 0.56
    (variance 100 + 80²/12 = 633)."""
    base = load_scenario(BASELINE)
    reference = base.uncertainties[REFERENCE].params["value"]
    assert reference == 600 * YI
    blocks = 4
    for times, variance in ((2, 200 + 4 * 80**2 / 12), (1, 100 + 80**2 / 12)):
        scenario = _fixed(base, LEVEL, times * reference)
        counts = np.concatenate(
            [
                np.bincount(draw_block(scenario, 0, b).firm_draw, minlength=BLOCK)
                for b in range(blocks)
            ]
        )
        se = math.sqrt(variance / counts.size)
        assert abs(counts.mean() - 100 * times) < SIGMAS * se, (times, counts.mean(), se)
        u = uncertainty_draws(scenario, 0, 0)
        assert np.array_equal(expected_firms(u, u[LEVEL]), times * u["firms.count"])


def _per_world(scenario: Scenario, draws: int) -> dict[str, np.ndarray]:
    """Per-world traffic, milestones and total outlay of a run (seed 0)."""
    keys = list(REGISTRY.keys())
    by = simulate(scenario, draws=draws, seed=0).outlay
    return {
        "traffic": by.by_instrument[:, keys.index("traffic")],
        "sales": sum(by.by_instrument[:, keys.index(k)] for k in keys if k.startswith("sales.")),
        "total": by.total,
    }


def _ratio(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    """The ratio of two means and its relative standard error (the runs taken as independent:
    they share some draws, which only narrows the true error)."""
    rse = [x.std() / x.mean() / math.sqrt(x.size) for x in (low, high)]
    return high.mean() / low.mean(), math.hypot(*rse)


def test_traffic_and_milestones_rise_with_the_2022_level() -> None:
    """The sceptic's check at 20 000 draws, seed 0, the 2022 level fixed at 350 亿 and 900 亿.

    Measured (万元)        before (main)       now
    traffic subsidy        1 819 → 1 851       1 062 → 2 772   (× 2.61)
    sales milestones       1 724 → 1 771       1 257 → 2 362   (firms' alone 664 → 1 769)
    total outlay          16 788 → 16 866     15 635 → 18 451   (with the backlog merged)

    Why the ratio bounds hold. The expected number of firms rises by K = 900/350 = 2.571. A
    firm's law depends on the level only through the Pareto's cap max_share × level; the cap
    at 900 亿 moves at most (floor ÷ cap₃₅₀)^α ≤ (5 000 万 ÷ 52.5 亿)^1.1 = 0.6 % of a firm's
    law above the cap at 350 亿 (total variation), to larger sizes. The traffic subsidy never
    falls with size, so its ratio is at least K; and it rises by at most 0.6 % of 300 万 (three
    capped years) on 18.2 万 a firm (1 062 万 ÷ 58.3 firms): ≤ 10 %. A milestone need not rise
    with size (under `highest`, 50 亿 at once pays 300 万, 10 亿 then 50 亿 pays 400 万), so the
    firms' milestones (parks and bases left out: enterprises_only) are bounded both ways, by
    0.6 % of 400 万 on 11.4 万 a firm: within 21 % of K. Other outlay does not depend on the
    firms, and common random numbers keep it equal world by world."""
    draws, K = 20_000, 900 / 350
    base = load_scenario(BASELINE)
    low, high = (_per_world(_fixed(base, LEVEL, v * YI), draws) for v in (350, 900))
    for key in ("traffic", "sales", "total"):
        assert high[key].mean() > low[key].mean(), key
    rise = high["total"] - low["total"]
    firm_rise = high["traffic"] - low["traffic"] + high["sales"] - low["sales"]
    assert np.allclose(rise, firm_rise, rtol=0, atol=0.01)  # to the fen, world by world
    ratio, rse = _ratio(low["traffic"], high["traffic"])
    assert K * (1 - SIGMAS * rse) < ratio < K * 1.10 * (1 + SIGMAS * rse), (ratio, rse)
    firms_only = base.with_assumptions(
        base.assumptions.updated({"sales_award_recipients": "enterprises_only"}, "test")
    )
    low, high = (_per_world(_fixed(firms_only, LEVEL, v * YI), draws) for v in (350, 900))
    ratio, rse = _ratio(low["sales"], high["sales"])
    assert K * 0.79 * (1 - SIGMAS * rse) < ratio < K * 1.21 * (1 + SIGMAS * rse), (ratio, rse)


def test_an_observed_2022_level_moves_the_budget(tmp_path: Path) -> None:
    """An analyst enters the department's 2022 figure (``--observed``): it fixes the level,
    and now moves the budget, not only the odds. At 20 000 draws the traffic subsidy is
    1 062 万 at 350 亿 and 2 772 万 at 900 亿; each mean of this test's 2 000 draws has a
    standard error of about 1 %, so "more than doubled" is far outside Monte Carlo error."""
    found = {}
    for level in (350, 900):
        observed = tmp_path / f"level_{level}.csv"
        observed.write_text(
            f"year,indicator,value,source\n2022,online_retail,{level * YI:.0f},department\n",
            encoding="utf-8",
        )
        done = cli(
            "simulate", BASELINE, "--draws", 2000, "--observed", observed, "--format", "json"
        )
        assert done.returncode == 0, done.stderr
        found[level] = json.loads(done.stdout)["budget"]
    traffic = {k: v["by_instrument"]["traffic"]["mean"] for k, v in found.items()}
    assert traffic[900] > 2 * traffic[350] > 0
    assert found[900]["total"]["mean"] > found[350]["total"]["mean"] + traffic[350]


def test_the_shipped_variants_inherit_the_reference() -> None:
    """Every shipped scenario extends the baseline: its firms.count is stated for the same
    600 亿 market, so optimistic's 80–170 and pessimistic's 45–110 firms are more or fewer
    firms at a given size of market."""
    from sbqw_model.shipped import known_scenarios, scenario_path

    for name in known_scenarios():
        scenario = load_scenario(scenario_path(name))
        assert (
            scenario.uncertainties[REFERENCE] == load_scenario(BASELINE).uncertainties[REFERENCE]
        ), name


def test_a_level_fixed_at_the_reference_draws_the_counts_of_no_reference() -> None:
    """level ÷ reference = 1 exactly when the level is fixed at the reference (x ÷ x is 1 in
    floating point), so such worlds draw main's firm counts: the reference scales, it adds no
    randomness (its own stream draws nothing when fixed)."""
    plain = _fixed(_without_reference(), LEVEL, 600 * YI)
    scaled = _fixed(load_scenario(BASELINE), LEVEL, 600 * YI)
    _same_world(draw_block(plain, 3, 0), draw_block(scaled, 3, 0))


# --- research: a fixed reference is no factor; given a range, it is one ---------------------


def test_the_reference_is_a_sensitivity_factor_only_when_given_a_range() -> None:
    """Fixed in the baseline, it is not among the default factors (and alone it has an empty
    range); a user's range makes it one, and a smaller reference means more firms: the traffic
    subsidy falls as the reference rises (Morris' mean elementary effect is negative). On a
    scenario that leaves it out, a range switches it on."""
    from sbqw_model.errors import InputError
    from sbqw_model.research.sensitivity import run_sensitivity, scenario_problem

    base = load_scenario(BASELINE)
    path = f"uncertainties.{REFERENCE}"
    assert path not in scenario_problem(base).names
    for scenario, said in (
        (base, "the range 6e+10–6e+10 is empty"),
        (_without_reference(), f"not in the scenario; give its range as {path}=LOW:HIGH"),
    ):
        with pytest.raises(InputError) as refused:
            scenario_problem(scenario, [path, "uncertainties.firms.count"])
        assert said in refused.value.problems[0], refused.value.problems
    output = "budget.by_instrument.traffic.mean"
    for scenario in (base, _without_reference()):
        result = run_sensitivity(
            scenario,
            "morris",
            4,
            outputs=[output],
            factors=[f"{path}=3.0e+10:9.0e+10", "uncertainties.firms.count"],
            draws=BLOCK,
            workers=1,
            progress=False,
        )
        row = result.indices[(result.indices.factor == path)]
        assert float(row["mu"].iloc[0]) < 0 and float(row["mu_star"].iloc[0]) > 0


def test_a_file_extending_the_baseline_switches_it_off_with_null(tmp_path: Path) -> None:
    """``reference_level: null`` in a file that extends one with it: as if left out (the firms
    drawn whatever the 2022 level), not an error; the same worlds as the baseline without it."""
    child = tmp_path / "off.yaml"
    child.write_text(
        f"extends: {BASELINE}\nname: firms_off\ntitle_zh: 企业数不随起点\ntitle_en: Firms fixed\n"
        "uncertainties: {firms: {reference_level: null}}\n",
        encoding="utf-8",
    )
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    del raw["uncertainties"]["firms"]["reference_level"]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    off, without = (simulate(load_scenario(p), draws=400, seed=0) for p in (child, plain))
    assert "firms.reference_level" not in load_scenario(child).uncertainties
    assert np.array_equal(off.outlay.total, without.outlay.total)
    with_it = simulate(load_scenario(BASELINE), draws=400, seed=0)
    assert not np.array_equal(off.outlay.total, with_it.outlay.total)
