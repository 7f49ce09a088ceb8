"""Invariants a policy analyst relies on, over random readings and reforms (hypothesis).

The engine's outlay of a world is what ``sbqw cost`` gives for its exported ledger, to the fen,
and its breakdowns add up to it; the money levers (readings of the text, rule amounts) leave
every target as it was and move the outlay the way they say. ``test_engine.py`` checks these on
fixed settings; here every reading and a random reform vary together (so a tier threshold of 0
was found to pay parks for years before their recognition: it is refused now, and a tier at
1 yuan stands in for the smallest threshold).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbqw_model.assumptions import Assumptions
from sbqw_model.audit import export_draw
from sbqw_model.costing import cost_ledger
from sbqw_model.engine import outlay, target_values
from sbqw_model.ledger import load_ledger
from sbqw_model.rules import INSTRUMENTS
from sbqw_model.scenario import Scenario, load_scenario
from sbqw_model.shipped import scenario_path
from sbqw_model.worlds import draw_block

SCENARIOS = {n: load_scenario(scenario_path(n)) for n in ("baseline", "pessimistic")}
WORLDS = 120
TOL = 1e-6  # yuan

READINGS = st.fixed_dictionaries(
    {
        "payout_share": st.sampled_from([1.0, 0.37, 0.0]),
        "sales_award_mode": st.sampled_from(["highest", "cumulative", "top_up"]),
        "sales_award_recipients": st.sampled_from(["all_units", "enterprises_only"]),
        "traffic_base": st.sampled_from(["all", "excess"]),
        "revoked_repay": st.booleans(),
        "payment_lag_years": st.sampled_from([0, 1, 2]),
        "payment_delay_awards": st.sampled_from([0, 1, 2]),
        "payment_delay_sales": st.sampled_from([0, 1, 2]),
        "payment_delay_traffic": st.sampled_from([0, 1, 2]),
        "traffic_cap_period": st.sampled_from(["year", "plan"]),
        "milestone_sales_basis": st.sampled_from(["total", "online"]),
        "milestone_pre_plan_tiers": st.sampled_from(["paid", "not_paid"]),
        "cross_border_exclusion": st.sampled_from(["whole_firm", "cross_border_part"]),
    }
)


@st.composite
def reforms(draw: st.DrawFn) -> dict[str, float]:
    """Rule amounts a scenario's ``levers.parameters`` may set (tiers rising, amounts too)."""
    out: dict[str, float] = {}
    if draw(st.booleans()):
        out["awards.park"] = draw(st.sampled_from([0, 1e6, 5e6]))
    if draw(st.booleans()):
        out["sales_awards.tier1.threshold"] = draw(st.sampled_from([1, 1e8, 20e8]))
        out["sales_awards.tier2.threshold"] = draw(st.sampled_from([30e8, 80e8]))
        out["sales_awards.tier1.amount"] = draw(st.sampled_from([0, 5e5, 1e6]))
    if draw(st.booleans()):
        out["traffic.rate"] = draw(st.sampled_from([0, 0.001]))
        out["traffic.cap"] = draw(st.sampled_from([0, 2e5, 5e6]))
        out["traffic.threshold"] = draw(st.sampled_from([0, 3e8]))
    if draw(st.booleans()):
        out["plan.first_year"] = draw(st.sampled_from([2023, 2024]))
    return out


#: The properties' settings, and the world each draws: a scenario, readings, a reform, a seed.
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
A_WORLD = {
    "name": st.sampled_from(list(SCENARIOS)),
    "readings": READINGS,
    "reform": reforms(),
    "seed": st.integers(0, 2**16),
}


def reformed(name: str, readings: dict, reform: dict) -> Scenario:
    sc = SCENARIOS[name]
    sc = replace(sc, params=sc.params.with_overrides(reform, "test"))
    return sc.with_assumptions(Assumptions().updated(readings))


@PROPERTY
@given(**A_WORLD, index=st.integers(0, WORLDS - 1))
def test_a_world_costs_the_same_as_its_ledger_and_adds_up(
    name: str, readings: dict, reform: dict, seed: int, index: int
) -> None:
    sc = reformed(name, readings, reform)
    o = outlay(draw_block(sc, seed, 0, WORLDS), sc.params, sc.assumptions)
    np.testing.assert_allclose(o.by_year.sum(axis=1), o.total, rtol=0, atol=0.005)
    np.testing.assert_allclose(o.by_prefecture.sum(axis=1), o.total, rtol=0, atol=0.005)
    with TemporaryDirectory() as tmp:
        out = Path(tmp) / "world"
        engine = export_draw(sc, seed, index, out)
        ledger = load_ledger(out / "recognitions.csv", out / "sales.csv", sc.params)
        rules = cost_ledger(ledger, sc.params, sc.assumptions).to_dict()
    for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
        assert engine[key] == rules[key], key
    assert abs(engine["total_yuan"] - o.total[index]) < 0.01


@PROPERTY
@given(**A_WORLD)
def test_money_levers_move_money_the_way_they_say(
    name: str, readings: dict, reform: dict, seed: int
) -> None:
    """World by world: the payout share scales every amount; cumulative pays the most of the
    three sales-award modes; a cap over the plan period, a base above the threshold and
    repayment never pay more; delays only move money between years; a higher cap or award
    never pays less; and no money lever changes a target (common random numbers)."""
    sc = reformed(name, readings, reform)
    world = draw_block(sc, seed, 0, WORLDS)
    params, assume = sc.params, sc.assumptions

    def paid(**readings: object) -> np.ndarray:
        return outlay(world, params, replace(assume, **readings)).by_instrument

    base = paid()
    np.testing.assert_allclose(base, assume.payout_share * paid(payout_share=1.0), atol=TOL)
    sales = [INSTRUMENTS.index("sales.tier1"), INSTRUMENTS.index("sales.tier2")]
    modes = {m: paid(sales_award_mode=m)[:, sales].sum(axis=1) for m in ("highest", "top_up")}
    cumulative = paid(sales_award_mode="cumulative")[:, sales].sum(axis=1)
    assert (modes["highest"] <= cumulative + TOL).all()
    assert (modes["top_up"] <= cumulative + TOL).all()
    traffic = INSTRUMENTS.index("traffic")
    for reading, lower, higher in (
        ("traffic_cap_period", "plan", "year"),
        ("traffic_base", "excess", "all"),
    ):
        lo, hi = paid(**{reading: lower}), paid(**{reading: higher})
        assert (lo[:, traffic] <= hi[:, traffic] + TOL).all(), reading
    assert (paid(revoked_repay=True).sum(1) <= paid(revoked_repay=False).sum(1) + TOL).all()
    for delays in ({"payment_lag_years": 2}, {"payment_delay_awards": 2, "payment_delay_sales": 0}):
        np.testing.assert_allclose(paid(**delays), base, rtol=0, atol=TOL)
    for path in ("traffic.cap", "awards.base", "sales_awards.tier2.amount"):
        more = params.with_overrides({path: 2 * params.value(path) + 1}, "test")
        assert (outlay(world, more, assume).total >= base.sum(1) - TOL).all(), path
    money_only = replace(
        assume, payout_share=0.5, sales_award_mode="cumulative", revoked_repay=True
    )
    other = draw_block(sc.with_assumptions(money_only), seed, 0, WORLDS)
    for t, values in target_values(world, params, assume).items():
        assert np.array_equal(values, target_values(other, params, money_only)[t]), t
