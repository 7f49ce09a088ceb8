"""The open readings of §四(二)3 (issue 8 item 9) in the engine, world by world under one seed.

Hand-checked cases are in tests/cases/traffic.yaml (cap period, cross-border part) and
tests/cases/sales_awards.yaml (milestone sales basis, tiers reached before the plan); the audit
equality under these readings is in tests/test_engine.py (exported ledgers cost the same).
Here: each reading moves the money the way its meaning says, in every simulated world, and
nothing else moves.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT

from sbqw_model.assumptions import SPECS, Assumptions
from sbqw_model.engine import TARGETS, recost, simulate, simulate_worlds
from sbqw_model.rules import INSTRUMENTS
from sbqw_model.scenario import UNCERTAINTY_DEFAULTS, load_scenario
from sbqw_model.summary import summarize
from sbqw_model.worlds import World

DRAWS = 1500
TRAFFIC = INSTRUMENTS.index("traffic")
SALES = [INSTRUMENTS.index("sales.tier1"), INSTRUMENTS.index("sales.tier2")]


@pytest.fixture(scope="module")
def base():
    sc = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    return sc, simulate(sc, draws=DRAWS, seed=11)


def run(sc, **assume):
    return simulate(sc.with_assumptions(replace(sc.assumptions, **assume)), draws=DRAWS, seed=11)


def test_the_readings_are_named_documented_assumptions() -> None:
    defaults = Assumptions()
    for name, default in (
        ("traffic_cap_period", "year"),
        ("milestone_sales_basis", "total"),
        ("milestone_pre_plan_tiers", "paid"),
        ("cross_border_exclusion", "whole_firm"),
    ):
        assert getattr(defaults, name) == default
        assert default in SPECS[name].choices and SPECS[name].doc_zh and SPECS[name].doc_en
    docs = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    for name in SPECS:
        assert f"`{name}`" in docs, name


def test_cap_over_the_plan_period_never_pays_more(base) -> None:
    sc, year = base
    plan = run(sc, traffic_cap_period="plan")
    # (a running total differenced may differ from the yearly sum in the last float bits)
    assert np.all(
        plan.outlay.by_instrument[:, TRAFFIC] <= year.outlay.by_instrument[:, TRAFFIC] + 1e-6
    )
    assert np.any(plan.outlay.by_instrument[:, TRAFFIC] < year.outlay.by_instrument[:, TRAFFIC])
    # per enterprise at most one cap over the whole period
    assert np.array_equal(plan.outlay.by_instrument[:, SALES], year.outlay.by_instrument[:, SALES])
    assert np.array_equal(plan.targets["online_retail"], year.targets["online_retail"])


def test_e_commerce_sales_only_reach_fewer_milestones(base) -> None:
    """Sales are online retail × a ratio ≥ 1.2, so online-only sales reach fewer tiers and, when
    every tier reached is paid once (cumulative), never pay more. (Under `highest` a firm that
    reaches 10 亿 before 50 亿 can be paid more than one that jumps to 50 亿 at once.)"""
    sc, _ = base
    sc = sc.with_assumptions(replace(sc.assumptions, sales_award_mode="cumulative"))
    total = run(sc)
    online = run(sc, milestone_sales_basis="online")
    t, o = total.outlay.by_instrument[:, SALES].sum(1), online.outlay.by_instrument[:, SALES].sum(1)
    assert np.all(o <= t) and np.any(o < t)
    assert np.array_equal(
        online.outlay.by_instrument[:, TRAFFIC], total.outlay.by_instrument[:, TRAFFIC]
    )


def assert_same_results(a, b) -> None:
    """Two runs bit for bit: every per-world array of the outlay, the targets, the paths."""
    for part in ("total", "by_instrument", "by_year", "by_prefecture"):
        assert np.array_equal(getattr(a.outlay, part), getattr(b.outlay, part)), part
    for t in TARGETS:
        assert np.array_equal(a.targets[t], b.targets[t]), t
    assert np.array_equal(a.online_retail_path, b.online_retail_path)
    assert np.array_equal(a.recognized_path, b.recognized_path)


@pytest.mark.parametrize("mode", ["highest", "cumulative", "top_up"])
def test_tiers_before_the_plan_change_cost_not_outcomes(base, mode: str) -> None:
    """``paid`` is the default and the old behaviour, exactly; ``not_paid`` lowers the milestones
    (in no world does it pay more), and leaves every other instrument and every target as it
    was: the worlds are the same, only what a firm above a tier in 2022 is paid changes."""
    sc, _ = base
    sc = sc.with_assumptions(replace(sc.assumptions, sales_award_mode=mode))
    unset = run(sc)
    paid = run(sc, milestone_pre_plan_tiers="paid")
    assert_same_results(unset, paid)
    not_paid = run(sc, milestone_pre_plan_tiers="not_paid")
    p, n = paid.outlay.by_instrument, not_paid.outlay.by_instrument
    assert np.all(n[:, SALES] <= p[:, SALES])
    assert n[:, SALES].sum(1).mean() < p[:, SALES].sum(1).mean()
    others = [i for i in range(len(INSTRUMENTS)) if i not in SALES]
    assert np.array_equal(n[:, others], p[:, others])
    assert np.all(not_paid.outlay.total <= paid.outlay.total)
    for t in TARGETS:
        assert np.array_equal(not_paid.targets[t], paid.targets[t]), t
    a, b = summarize(paid), summarize(not_paid)
    assert a.targets == b.targets  # every probability and band of every target
    assert (a.p_all_met, a.p_recognition_met) == (b.p_all_met, b.p_recognition_met)


def test_the_2022_level_is_read_only_under_not_paid(base) -> None:
    """Re-costing the same worlds with the firms' 2022 level moved: ``paid`` never reads it;
    under ``not_paid`` a level at no tier pays as ``paid`` does, and a level above every tier
    leaves only the parks' and bases' milestones (those of the worlds without firm sales)."""
    sc, _ = base
    world = World.concat([w for _, w in simulate_worlds(sc, 11, 600)])
    not_paid = sc.with_assumptions(replace(sc.assumptions, milestone_pre_plan_tiers="not_paid"))
    top = 10 * max(sc.params.sales_scale()[0])

    def level(value: float) -> World:
        return replace(
            world,
            firm_sales_base=np.full_like(world.firm_sales_base, value),
            firm_retail_base=np.full_like(world.firm_retail_base, value),
        )

    paid = recost(sc, world, 11)
    assert_same_results(paid, recost(sc, level(top), 11))
    assert_same_results(paid, recost(not_paid, level(0.0), 11))
    above = recost(not_paid, level(top), 11).outlay.by_instrument[:, SALES]
    no_firms = replace(
        world,
        firm_sales=np.zeros_like(world.firm_sales),
        firm_retail=np.zeros_like(world.firm_retail),
    )
    assert np.array_equal(above, recost(sc, no_firms, 11).outlay.by_instrument[:, SALES])
    assert above.sum() > 0  # parks and bases are still paid


def test_only_the_cross_border_part_excluded_pays_more(base) -> None:
    sc, whole = base
    part = run(sc, cross_border_exclusion="cross_border_part")
    w, p = whole.outlay.by_instrument[:, TRAFFIC], part.outlay.by_instrument[:, TRAFFIC]
    assert np.all(p >= w) and np.any(p > w)
    # with the whole of a cross-border firm's retail cross-border, the readings agree
    all_cross = sc.with_uncertainty(
        "firms.cross_border_part",
        replace(
            UNCERTAINTY_DEFAULTS["firms.cross_border_part"], dist="fixed", params={"value": 1.0}
        ),
    )
    a = run(all_cross, cross_border_exclusion="cross_border_part")
    b = run(all_cross, cross_border_exclusion="whole_firm")
    assert np.array_equal(a.outlay.total, b.outlay.total)


def test_the_cross_border_part_has_a_documented_default() -> None:
    sc = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    dist = sc.uncertainties["firms.cross_border_part"]
    assert dist.dist == "uniform" and "docs/model.md" in dist.source
    default = UNCERTAINTY_DEFAULTS["firms.cross_border_part"]
    assert default.source.startswith("assumption") and "docs/model.md" in default.source
    # a scenario that leaves it out gets the default
    fixture = load_scenario(ROOT / "tests" / "scenarios" / "degenerate.yaml")
    assert fixture.uncertainties["firms.cross_border_part"] == default


def test_default_timing_runs_the_budget_to_2026(base) -> None:
    sc, r = base
    assert r.payment_years == [2023, 2024, 2025, 2026]
    # nothing of sales milestones or traffic is paid in 2023; all of 2025's is paid in 2026
    early = run(sc, payment_delay_sales=0, payment_delay_traffic=0)
    assert early.payment_years == [2023, 2024, 2025]
    assert np.allclose(early.outlay.total, r.outlay.total)
    awards = r.outlay.by_year_instrument if r.outlay.by_year_instrument is not None else None
    assert awards is None  # per-world detail is kept only when conditioning needs it
    yi = r.outlay.year_instrument_sum  # (Yp, I) summed over worlds
    assert np.all(yi[0, [*SALES, TRAFFIC]] == 0)
    assert np.allclose(
        yi[1:, [*SALES, TRAFFIC]], early.outlay.year_instrument_sum[:, [*SALES, TRAFFIC]]
    )


def test_unit_sales_defaults_are_the_shipped_baselines_means() -> None:
    """A scenario without ``unit_sales`` takes the baseline's means, read from the baseline
    (uniform 2.5–8 亿 → 5.25 亿 for a park), not amounts written a second time in code."""
    baseline = load_scenario(ROOT / "sbqw_model" / "scenarios" / "baseline.yaml")
    for path in ("unit_sales.park.median", "unit_sales.base.median", "unit_sales.base.sigma"):
        default = UNCERTAINTY_DEFAULTS[path]
        assert default.dist == "fixed" and "shipped baseline" in default.source
        assert default.params["value"] == baseline.uncertainties[path].mean
    assert UNCERTAINTY_DEFAULTS["unit_sales.park.median"].params["value"] == 5.25e8
    assert "unit_sales.park.median" in UNCERTAINTY_DEFAULTS
    assert "online_retail.growth" not in UNCERTAINTY_DEFAULTS, "not optional"
