"""Recognition rounds as decisions: the strategies by hand, the buffer's monotone effect world by
world, products as a list, the 2022 stock, the climate factor, parks' and bases' milestones
audited to the fen, the behavioural response as an uncertainty and the outcome comparison."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, WAN, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbqw_model import recognition as rec
from sbqw_model.audit import draw_outlay, world_ledger
from sbqw_model.costing import cost_ledger, fen
from sbqw_model.engine import TARGETS as TARGET_KEYS
from sbqw_model.engine import simulate, simulate_worlds
from sbqw_model.errors import InputError
from sbqw_model.ledger import Ledger
from sbqw_model.outcomes import compare_outcomes, outcomes_differ
from sbqw_model.research import problem as pb
from sbqw_model.research.evaluate import Evaluation, run_batch
from sbqw_model.research.frontier import frontiers
from sbqw_model.rules import CATEGORIES, INSTRUMENTS
from sbqw_model.scenario import Scenario, load_scenario, parse_scenario
from sbqw_model.summary import summarize
from sbqw_model.worlds import World

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
AWARD_COLUMNS = [INSTRUMENTS.index(f"award.{c}") for c in CATEGORIES]
COUNTS = ("parks", "bases", "enterprises", "teams", "enterprises_and_teams")


def variant(change: dict, base: Path = BASELINE) -> Scenario:
    """The baseline with ``change`` merged into its raw mapping (levers, uncertainties…)."""
    sc = load_scenario(base)
    raw = copy.deepcopy(sc.raw)

    def merge(node: dict, new: dict) -> None:
        for k, v in new.items():
            if isinstance(v, dict) and "dist" not in v and isinstance(node.get(k), dict):
                merge(node[k], v)
            else:
                node[k] = v

    merge(raw, change)
    return parse_scenario(raw, "test")


def worlds(sc: Scenario, draws: int, seed: int = 3) -> World:
    return World.concat([w for _, w in simulate_worlds(sc, seed, draws)])


def recognition(**rule: object) -> dict:
    return {"levers": {"recognition": rule}}


# --- the rounds by hand ------------------------------------------------------------------------


def rounds(
    supply: list[int], rule: rec.Rule, target: float, expected_rho: float = 0.0, initial: int = 0
) -> rec.Rounds:
    """One world, one category, one prefecture, no revocations drawn (the world's rate is 0);
    arrays cut to that category."""
    s = np.array(supply, dtype=np.int64)[None, None, None, :]
    r = rec.run_rounds(
        s,
        np.full((1, 1, 3, 2), 0.5),
        np.zeros((1, 1)),
        [rule],
        [target],
        [expected_rho],
        [initial],
        {},
        False,
    )
    return rec.Rounds(r.approvals[:, 0], r.revocations[:, 0], r.initial[:, 0], r.bound[:, 0])


@pytest.mark.parametrize(
    ("supply", "buffer", "expected_rho", "new", "bound"),
    [
        # gap 10 over 3 rounds: ceil(10/3) = 4, then ceil(6/2) = 3, then 3 → exactly 10
        ([100, 100, 100], 0.0, 0.0, [4, 3, 3], [False] * 3),
        # buffer 0.1 aims at 11: ceil(11/3) = 4, ceil(7/2) = 4, 3 → 11
        ([100, 100, 100], 0.1, 0.0, [4, 4, 3], [False] * 3),
        # 10 % expected revocations a review: a unit of round 1 stands in 2025 with 0.81, of
        # round 2 with 0.9: x = 10 / (0.81 + 0.9 + 1) = 3.69 → 4; then (10 − 4·0.9)/1.9 = 3.37 → 4;
        # the world revokes nothing, so the last round needs 10 − 8 = 2
        ([100, 100, 100], 0.0, 0.1, [4, 4, 2], [False] * 3),
        # two qualified in round 1: supply binds; the gap 8 is then spread over two rounds
        ([2, 100, 100], 0.0, 0.0, [2, 4, 4], [True, False, False]),
        # buffer 2 aims at 30: 10 a round
        ([100, 100, 100], 2.0, 0.0, [10, 10, 10], [False] * 3),
    ],
)
def test_target_pace_closes_a_known_gap(supply, buffer, expected_rho, new, bound) -> None:
    r = rounds(supply, rec.Rule("target_pace", buffer), 10, expected_rho)
    assert r.approvals[0, 0].tolist() == new
    assert r.bound[0].tolist() == bound


def test_target_pace_recognizes_nothing_when_ahead_and_counts_the_2022_stock() -> None:
    ahead = rounds([100, 100, 100], rec.Rule("target_pace", 0.0), 10, initial=12)
    assert ahead.approvals.sum() == 0 and ahead.initial[0].tolist() == [12, 12, 12]
    # 4 already standing: the gap 6 over 3 rounds is 2 a round
    r = rounds([100, 100, 100], rec.Rule("target_pace", 0.0), 10, initial=4)
    assert r.approvals[0, 0].tolist() == [2, 2, 2]
    r = rounds([100, 100, 100], rec.Rule("target_pace", 0.0), 4)
    assert r.approvals[0, 0].tolist() == [2, 1, 1]


def test_fixed_and_all_qualified_by_hand() -> None:
    fixed = rounds([3, 1, 9], rec.Rule("fixed", quotas=(2, 2, 2)), 10)
    assert fixed.approvals[0, 0].tolist() == [2, 1, 2]
    assert fixed.bound[0].tolist() == [False, True, False]
    every = rounds([3, 1, 9], rec.Rule("all_qualified"), 10)
    assert every.approvals[0, 0].tolist() == [3, 1, 9]
    assert every.bound.all()  # the supply is what limits every round


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3000),
    p=st.floats(0, 1),
    u=st.floats(1e-9, 1 - 1e-9),
    k=st.integers(1, 50),
)
def test_binomial_quantile_is_monotone_and_in_range(n: int, p: float, u: float, k: int) -> None:
    a = rec.binomial_quantile(np.array([n]), np.array([p]), np.array([u]))[0]
    b = rec.binomial_quantile(np.array([n + k]), np.array([p]), np.array([u]))[0]
    assert 0 <= a <= n and 0 <= b <= n + k
    assert a <= b <= a + k  # more units never leave fewer standing


def test_binomial_quantile_has_the_binomial_distribution() -> None:
    u = (np.arange(20_000) + 0.5) / 20_000
    draws = rec.binomial_quantile(np.full(u.size, 40), np.full(u.size, 0.1), u)
    assert abs(draws.mean() - 4.0) < 0.01
    assert abs(draws.var() - 3.6) < 0.05


# --- strategies in the engine ------------------------------------------------------------------


def test_fixed_quotas_of_zero_give_no_recognitions_and_no_awards() -> None:
    sc = variant(
        recognition(strategy="fixed", quotas={c: [0, 0, 0] for c in CATEGORIES}, buffer=0.1)
    )
    r = simulate(sc, draws=600, seed=5)
    for t in COUNTS:
        assert np.all(r.targets[t] == 0)
    assert np.all(r.outlay.by_instrument[:, AWARD_COLUMNS] == 0)
    assert np.all(r.new_units[:, :4] == 0)
    # no park or base exists, so no milestone goes to one: firms alone earn them
    w = worlds(sc, 500)
    assert w.units.draw.size == 0


def test_all_qualified_equals_the_supply() -> None:
    sc = variant(recognition(strategy="all_qualified"))
    w = worlds(sc, 1000)
    assert np.array_equal(w.approvals.sum(axis=2), w.supply)
    assert w.supply.sum() > 0
    r = simulate(sc, draws=1000, seed=3)
    awards = (w.approvals.sum(axis=(2, 3)) * [300 * WAN, 50 * WAN, 5 * WAN, 5 * WAN]).sum(1)
    assert np.allclose(r.outlay.by_instrument[:, AWARD_COLUMNS].sum(axis=1), awards)


def test_target_pace_with_ample_supply_and_no_revocations_hits_every_target_exactly() -> None:
    ample = {c: {"applications": {"dist": "fixed", "value": 5000}} for c in CATEGORIES}
    none = {c: {"revocation_rate": {"dist": "fixed", "value": 0}} for c in CATEGORIES}
    for c in CATEGORIES:
        ample[c].update(none[c])
    sc = variant({"uncertainties": {"recognition": ample}, **recognition(buffer=0.0)})
    r = simulate(sc, draws=500, seed=1)
    assert np.all(r.targets["parks"] == 10) and np.all(r.targets["bases"] == 100)
    assert np.all(r.targets["enterprises"] == 500) and np.all(r.targets["teams"] == 500)
    # 100 bases: ceil(100/3) = 34, then 33, 33
    assert np.all(r.new_units[:, 1] == [34, 33, 33])
    s = summarize(r)
    assert all(s.targets[t].p_met == 1 and s.targets[t].p_supply_short == 0 for t in COUNTS)


BUFFERS = st.tuples(st.floats(0, 0.9), st.floats(0, 0.9)).map(sorted)
#: No qualified applicant a quota left out applies again (the model before the backlog).
NO_BACKLOG = {
    "uncertainties": {
        "recognition": {
            c: {"reapply_share": {"dist": "fixed", "value": 0.0, "source": "test"}}
            for c in CATEGORIES
        }
    }
}


def _awards(r) -> np.ndarray:
    return r.outlay.by_instrument[:, AWARD_COLUMNS].sum(axis=1)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(buffers=BUFFERS, seed=st.integers(0, 2**31))
def test_a_larger_buffer_never_lowers_a_count_and_costs_more(buffers, seed) -> None:
    """World by world under one seed, without a backlog: every count target's 2025 value (so
    its odds), and the one-time awards, never fall with a larger buffer.

    With the baseline's backlog, the recognitions and the awards still never fall; a count may
    (in a few worlds in a thousand): a larger buffer recognizes an applicant a round earlier that
    the smaller one recognizes from the backlog, and it faces one more review."""
    low, high = (
        simulate(variant({**NO_BACKLOG, **recognition(buffer=b)}), draws=500, seed=seed)
        for b in buffers
    )
    for t in COUNTS:
        assert np.all(high.targets[t] >= low.targets[t]), t
        assert high.met()[t].mean() >= low.met()[t].mean()
    assert np.all(_awards(high) >= _awards(low))
    if buffers[1] - buffers[0] > 0.05:
        assert _awards(high).mean() > _awards(low).mean()
    low, high = (simulate(variant(recognition(buffer=b)), draws=500, seed=seed) for b in buffers)
    assert low.new_units is not None and high.new_units is not None
    recognized = [r.new_units[:, :4].sum(axis=2) for r in (low, high)]
    assert np.all(recognized[1] >= recognized[0])
    assert np.all(_awards(high) >= _awards(low))


def test_levers_consume_no_randomness() -> None:
    """Different strategies draw the same supply, products and firms (common random numbers)."""
    a = worlds(variant(recognition(buffer=0.0)), 500)
    b = worlds(variant(recognition(strategy="all_qualified")), 500)
    assert np.array_equal(a.supply, b.supply)
    assert np.array_equal(a.online_retail_path, b.online_retail_path)
    assert np.array_equal(a.firm_sales, b.firm_sales)


def test_a_category_takes_its_own_rule() -> None:
    sc = variant(recognition(park={"strategy": "fixed", "quotas": [4, 3, 3]}))
    assert sc.recognition.rule("park") == rec.Rule("fixed", 0.1, (4, 3, 3))
    assert sc.recognition.rule("base") == rec.Rule("target_pace", 0.1, ())
    w = worlds(sc, 500)
    new = w.approvals[:, 0].sum(axis=1)  # (n, Y)
    assert np.all(new <= [4, 3, 3])
    assert np.all((new == [4, 3, 3]) | w.supply_bound[:, 0])


@pytest.mark.parametrize(
    ("lever", "message"),
    [
        ({"strategy": "fast"}, "levers.recognition.strategy: unknown strategy 'fast'"),
        ({"buffer": -0.1}, "levers.recognition.buffer: expected a number ≥ 0"),
        ({"park": {"strategy": "fixed"}}, "levers.recognition.park.quotas: strategy fixed needs"),
        ({"quotas": {"park": [1, 2]}}, "levers.recognition.park.quotas: expected 3 whole numbers"),
        ({"quotas": {"parks": [1, 2, 3]}}, "levers.recognition.quotas.parks: unknown category"),
        ({"pace": 1}, "levers.recognition.pace: unknown key"),
    ],
)
def test_bad_recognition_levers_are_named(lever, message) -> None:
    with pytest.raises(InputError) as err:
        variant({"levers": {"recognition": lever}})
    assert any(message in p for p in err.value.problems), err.value.problems


# --- products, the 2022 stock, the climate -----------------------------------------------------


def test_products_are_the_qualifying_list_unless_a_quota_limits_it() -> None:
    w = worlds(load_scenario(BASELINE), 500)
    assert np.array_equal(w.products_path, w.products_qualified_path)
    capped = worlds(variant(recognition(product={"strategy": "fixed", "quotas": [0, 0, 0]})), 500)
    # nothing is added; a product that stops qualifying still leaves the list
    assert np.all(capped.products_path <= capped.products_path[:, :1])
    assert np.all(capped.products_path <= capped.products_qualified_path)
    assert np.array_equal(capped.products_qualified_path, w.products_qualified_path)


def test_the_2022_stock_counts_toward_targets_but_earns_no_award() -> None:
    assert load_scenario(BASELINE).initial_stock == dict.fromkeys(CATEGORIES, 0)
    no_rev = {c: {"revocation_rate": {"dist": "fixed", "value": 0}} for c in CATEGORIES}
    base = {"uncertainties": {"recognition": no_rev}, **recognition(strategy="all_qualified")}
    plain = simulate(variant(base), draws=500, seed=2)
    stocked = simulate(variant({**base, "initial_stock": {"park": 3, "source": "t"}}), 500, 2)
    assert np.array_equal(stocked.targets["parks"], plain.targets["parks"] + 3)
    assert np.array_equal(stocked.outlay.by_instrument, plain.outlay.by_instrument)
    # target_pace counts them: a stock of 3 parks means about 3 fewer new parks (aim 11)
    paced = simulate(variant({"initial_stock": {"park": 3}}), draws=500, seed=2)
    unpaced = simulate(variant({}), draws=500, seed=2)
    fewer = unpaced.new_units[:, 0].sum(axis=1) - paced.new_units[:, 0].sum(axis=1)
    assert 2.0 < fewer.mean() < 3.5 and np.all(fewer >= 0)


def test_the_climate_moves_retail_and_supply_together() -> None:
    def corr(sc: Scenario) -> float:
        w = worlds(sc, 3000)
        growth = w.online_retail_path[:, 2] / w.online_retail_path[:, 1]
        supply = w.supply[:, 3, 1] / w.supply[:, 3].mean(axis=1)
        return float(np.corrcoef(growth, supply)[0, 1])

    strong = {"online_retail": {"dist": "fixed", "value": 0.10}}
    strong["supply"] = {"dist": "fixed", "value": 0.3}
    zero = {k: {"dist": "fixed", "value": 0} for k in ("online_retail", "products", "supply")}
    assert corr(variant({"uncertainties": {"climate": strong}})) > 0.3
    assert abs(corr(variant({"uncertainties": {"climate": zero}}))) < 0.1


# --- parks' and bases' milestones, audited ------------------------------------------------------


def _cost(world: World, sc: Scenario) -> tuple[float, Ledger]:
    rec_, sales = world_ledger(world, sc)
    sales = sales.astype({"annual_sales_yuan": float, "online_retail_yuan": float})
    sales["above_scale"] = sales["above_scale"] == "true"
    sales["cross_border"] = sales["cross_border"] == "true"
    ledger = Ledger(rec_, sales)
    return cost_ledger(ledger, sc.params, sc.assumptions).totals.total, ledger


@pytest.mark.parametrize("recipients", ["all_units", "enterprises_only"])
@pytest.mark.parametrize(
    "lever",
    [
        {"buffer": 0.3},
        {
            "strategy": "fixed",
            "quotas": {"park": [5, 5, 5], "base": [40, 30, 30]},
            "enterprise": {"strategy": "all_qualified"},
            "team": {"strategy": "all_qualified"},
        },
        {"strategy": "all_qualified"},
    ],
)
def test_the_audit_matches_to_the_fen_for_each_strategy(lever, recipients) -> None:
    sc = variant(
        {"levers": {"recognition": lever, "assumptions": {"sales_award_recipients": recipients}}}
    )
    park_milestones = 0
    for k in range(0, 500, 23):
        world, engine = draw_outlay(sc, 11, k)
        total, ledger = _cost(world, sc)
        assert fen(total) == engine["total_yuan"], k
        parks = ledger.sales["unit_id"].str.startswith(("park-", "base-"))
        big = ledger.sales.loc[parks, "annual_sales_yuan"] >= 1e9
        park_milestones += int(big.any())
    if recipients == "all_units":
        assert park_milestones > 0  # the check does exercise parks' and bases' milestones


def test_parks_milestones_only_under_all_units() -> None:
    a = variant({"levers": {"assumptions": {"sales_award_recipients": "all_units"}}})
    e = variant({"levers": {"assumptions": {"sales_award_recipients": "enterprises_only"}}})
    ra, re_ = simulate(a, draws=1000, seed=4), simulate(e, draws=1000, seed=4)
    sales = [INSTRUMENTS.index("sales.tier1"), INSTRUMENTS.index("sales.tier2")]
    extra = ra.outlay.by_instrument[:, sales].sum(1) - re_.outlay.by_instrument[:, sales].sum(1)
    assert np.all(extra >= 0) and np.any(extra > 0)


def test_export_draw_with_parks_sales_is_costed_identically_by_the_cli(tmp_path: Path) -> None:
    sc = variant({})
    draw = next(k for k in range(500) if (draw_outlay(sc, 8, k)[0].units.sales >= 1e9).any())
    out = tmp_path / "draw"
    done = run_cli(
        "simulate", BASELINE, "--draws", 500, "--seed", 8, "--export-draw", draw, "--out", out
    )
    assert done.returncode == 0, done.stderr
    engine = json.loads(done.stdout)
    costed = run_cli(
        "cost",
        "--recognitions",
        out / "recognitions.csv",
        "--sales",
        out / "sales.csv",
        "--format",
        "json",
    )
    assert costed.returncode == 0, costed.stderr
    rules = json.loads(costed.stdout)
    for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
        assert engine[key] == rules[key], key
    assert any(
        line["unit_id"].startswith(("park-", "base-")) and line["instrument"].startswith("sales")
        for line in rules["lines"]
    )


# --- JSON, sweeps and the frontier --------------------------------------------------------------


def test_simulate_json_reports_recognitions_by_year_and_supply_shortfalls() -> None:
    done = run_cli("simulate", BASELINE, "--draws", 500, "--seed", 1, "--format", "json")
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    for kind in (*CATEGORIES, "product"):
        by_year = s["recognitions"][kind]["by_year"]
        assert list(by_year) == ["2023", "2024", "2025"]
        assert all(set(v) >= {"mean", "p5", "p50", "p95"} for v in by_year.values())
    for t in (*COUNTS, "products"):
        row = s["targets"][t]
        assert 0 <= row["p_supply_short"] <= 1 - row["p_met"] + 1e-12
    assert "p_supply_short" not in s["targets"]["online_retail"]
    assert s["recognition_levers"]["park"] == "target_pace (buffer 0.1)"


def test_recognition_levers_are_sweep_factors_and_feed_the_frontier() -> None:
    base = load_scenario(BASELINE)
    buffer = pb.resolve("levers.recognition.buffer", base)
    assert buffer.is_lever and buffer.moves_worlds
    park = pb.resolve("levers.recognition.park.strategy", base)
    assert park.categorical and park.choices == rec.STRATEGIES
    assert pb.check_value(park, "fixed", base)[1] is not None  # no park quotas in the baseline
    with pytest.raises(ValueError, match="unknown recognition lever"):
        pb.resolve("levers.recognition.speed", base)
    job = Evaluation(base, (buffer,), 500, 0)
    rows = run_batch(job, [(0, (0.0,)), (1, (0.2,)), (2, (0.5,))]).rows
    cost = [r["budget.total.mean"] for r in rows]
    odds = [r["p_recognition_met"] for r in rows]
    assert cost == sorted(cost) and cost[0] < cost[-1]
    assert odds == sorted(odds)
    import pandas as pd

    (found,) = frontiers(pd.DataFrame(rows), 0.0, probability="recognition_min_p_met")
    assert found.levers == ["levers.recognition.buffer"]
    assert found.cheapest is not None


# --- the behavioural response and the outcome comparison ----------------------------------------


def test_behaviour_may_be_an_uncertainty_drawn_per_world() -> None:
    dist = {"dist": "uniform", "low": 0.0, "high": 0.2, "source": "test"}
    sc = variant({"behaviour": {"growth_response_to_payout_share": dist}})
    assert sc.growth_response_dist is not None and math.isclose(sc.growth_response, 0.1)
    half = replace(sc, assumptions=sc.assumptions.updated({"payout_share": 0.5}, "t"))
    full, cut = worlds(sc, 1000), worlds(half, 1000)
    ratio = cut.online_retail_path[:, 1] / full.online_retail_path[:, 1]
    assert np.all(ratio <= 1) and np.unique(np.round(ratio, 9)).size > 100
    fixed = pb.apply(sc, (pb.resolve(pb.BEHAVIOUR, sc),), (0.0,))
    assert fixed.growth_response_dist is None and fixed.growth_response == 0.0


def test_outcomes_differ_only_when_the_behavioural_response_is_set() -> None:
    base = load_scenario(BASELINE)
    austerity = load_scenario(ROOT / "sbqw_model" / "scenarios" / "austerity.yaml")
    a, b = simulate(base, draws=1000, seed=0), simulate(austerity, draws=1000, seed=0)
    assert not outcomes_differ(a, b)
    assert "change what is paid, not what is achieved" in compare_outcomes(a, b).sentence("en")
    assert "只影响支出规模" in compare_outcomes(a, b).sentence("zh")
    assert "不影响申报数量" in compare_outcomes(a, b).sentence("zh"), "said as an assumption"
    responsive = {"behaviour": {"growth_response_to_payout_share": 0.5}}
    c = simulate(variant(responsive), draws=1000, seed=0)
    d = simulate(variant({**responsive, "levers": {"assumptions": {"payout_share": 0.5}}}), 1000, 0)
    comparison = compare_outcomes(c, d)
    assert comparison.differ and comparison.paired
    assert comparison.targets["online_retail"].differs
    assert comparison.targets["online_retail"].diff < 0


def test_the_text_explains_joint_odds_against_independence() -> None:
    strong = {
        k: {"dist": "fixed", "value": v}
        for k, v in (("online_retail", 0.08), ("products", 0.15), ("supply", 0.5))
    }
    s = summarize(simulate(variant({"uncertainties": {"climate": strong}}), draws=3000, seed=1))
    product = math.prod(
        s.targets[t].p_met
        for t in ("parks", "bases", "enterprises", "teams", "products", "online_retail")
    )
    assert s.p_all_met_if_independent == pytest.approx(product)
    # a strong common climate makes the targets rise and fall together
    assert s.p_all_met > s.p_all_met_if_independent + 3 * s.p_all_met_se
    done = run_cli("simulate", BASELINE, "--draws", 500, "--seed", 1)
    assert "Were the targets independent" in done.stdout and "互不相关" in done.stdout


def test_the_variants_sentence_names_what_moved_in_plain_words() -> None:
    from sbqw_model.outcomes import variants_sentence

    zh = variants_sentence({"乐观情景": {"online_retail": 0.12}}, "zh")
    assert zh == "乐观情景提高了网络零售额的达成概率（12个百分点）；以上变化均超出模拟误差。"
    assert "online_retail" not in variants_sentence({"X": {"online_retail": -0.1}}, "en")
    # direction and size, every target named once; all seven said as such
    mixed = variants_sentence({"X": {"parks": 0.08, "bases": -0.2, "teams": -0.004}}, "zh")
    assert mixed == (
        "X提高了省级电商产业园区的达成概率（8个百分点），降低了省级电商直播基地、电商直播团队的达成概率"
        "（1至20个百分点）；以上变化均超出模拟误差。"
    )
    seven = {k: 0.08 + i / 100 for i, k in enumerate(TARGET_KEYS)}
    en = variants_sentence({"Optimistic": seven}, "en")
    assert en == (
        "Optimistic raises the odds of all seven targets (by 8 to 14 points);"
        " each change is beyond simulation noise."
    )
    assert variants_sentence({}, "en").startswith("These variants change what is paid")


@pytest.mark.parametrize(
    "change",
    [
        recognition(buffer=0.3),
        recognition(strategy="all_qualified"),
        recognition(
            strategy="fixed",
            quotas={
                "park": [3, 4, 0],
                "base": [40, 0, 50],
                "enterprise": [200, 150, 100],
                "team": [100, 200, 300],
            },
        ),
        {"initial_stock": {"park": 4, "base": 30, "enterprise": 100, "team": 80}},
    ],
)
def test_prefecture_sums_kept_by_the_rounds_are_the_sums(change) -> None:
    """The rounds keep their sums over prefectures (World.*_by_year) rather than summing again:
    they must be exactly the sums of the by-prefecture arrays, for every strategy and stock."""
    w = worlds(variant(change), 1000, seed=11)
    assert np.array_equal(w.approvals_by_year, w.approvals.sum(axis=2))
    assert np.array_equal(w.revocations_by_year, w.revocations.sum(axis=2))
    # the rounds never recognize more than ever qualified (a round may take the backlog's too)
    assert np.all(np.cumsum(w.approvals_by_year, axis=2) <= np.cumsum(w.supply, axis=2))
    assert w.revocations_by_year.sum() > 0
