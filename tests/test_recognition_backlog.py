"""The backlog (``uncertainties.recognition.<category>.reapply_share``): qualified applicants a
round's quota left out may apply again in the next round. Rounds by hand (one and two
prefectures, an observed year), properties of the pool, and whole scenarios: without the key
the model is exactly as before, and under ``all_qualified`` the share changes nothing."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from sbqw_model import recognition as rec
from sbqw_model.engine import simulate, simulate_worlds
from sbqw_model.errors import InputError
from sbqw_model.labels import uncertainty_label
from sbqw_model.research import problem as pb
from sbqw_model.research.wording import factor_label
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import Scenario, load_scenario, parse_scenario
from sbqw_model.worlds import World

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"
SHARES = [f"recognition.{c}.reapply_share" for c in CATEGORIES]
FIXED3 = rec.Rule("fixed", quotas=(3, 3, 3))


def rounds(
    supply: list[list[int]],
    share: float,
    u: list[float] | None = None,
    rule: rec.Rule = FIXED3,
    observed: dict[int, list[int]] | None = None,
) -> rec.Rounds:
    """One world, one category; ``supply`` by prefecture, then year; no revocations."""
    s = np.array(supply, dtype=np.int64)[None, None]
    years = s.shape[-1]
    uniforms = np.array(u if u is not None else [0.5] * years, dtype=float)[None, None]
    return rec.run_rounds(
        s,
        np.full((1, 1, years, 2), 0.5),
        np.zeros((1, 1)),
        [rule],
        [10.0],
        [0.0],
        [0],
        {(0, y): np.array(v) for y, v in (observed or {}).items()},
        False,
        np.array([[share]]),
        uniforms,
    )


def by_year(r: rec.Rounds) -> list[int]:
    return r.approvals[0, 0].sum(axis=0).tolist()


# --- by hand -----------------------------------------------------------------------------------


def test_one_prefecture_by_hand() -> None:
    # share 0: 5 qualified, quota 3 → 3 (2 left out, gone); then 1, then 0
    none = rounds([[5, 1, 0]], 0.0)
    assert by_year(none) == [3, 1, 0]
    assert none.bound[0, 0].tolist() == [False, True, True]
    assert none.carried is not None and none.carried[0, 0].tolist() == [0, 0, 0]
    # share 1: the 2 left out come back: 1 + 2 = 3 ≤ quota 3 → 3; nobody is left for 2025
    every = rounds([[5, 1, 0]], 1.0)
    assert by_year(every) == [3, 3, 0]
    assert every.carried is not None and every.carried[0, 0].tolist() == [0, 2, 0]
    assert every.bound[0, 0].tolist() == [False, False, True]  # 3 < 3 is no shortfall
    # share ½ and u = 0.5: Binomial(2, ½) has F(0) = ¼, F(1) = ¾, so 1 comes back → 1 + 1 = 2
    half = rounds([[5, 1, 0]], 0.5, [0.5, 0.5, 0.5])
    assert by_year(half) == [3, 2, 0]
    assert half.bound[0, 0].tolist() == [False, True, True]


def test_two_prefectures_by_hand() -> None:
    # round 1: 4 + 2 qualified, quota 3 split 2 : 1; left out 2 and 1, all come back;
    # round 2: pools 0 + 2 and 1 + 1, quota 3 splits 1.5 : 1.5, the tie to the first → 2 : 1;
    # left out 0 and 1; round 3: pools 0 and 0 + 1 → 0 and 1
    r = rounds([[4, 0, 0], [2, 1, 0]], 1.0)
    assert r.approvals[0, 0].tolist() == [[2, 2, 0], [1, 1, 1]]
    assert r.carried is not None and r.carried[0, 0].tolist() == [0, 3, 1]
    assert r.approvals.sum() == 7  # every qualified applicant recognized in the end


def test_the_carried_are_split_as_the_left_out() -> None:
    # left out 2 and 1 (3 in all); Binomial(3, ½) at u = 0.6: F(1) = ½ < 0.6 ≤ F(2) = ⅞ → 2 back,
    # split 2 × (2, 1)/3 = (1.33, 0.67) → 1 and 0, the unit left to the larger remainder → 1 : 1;
    # round 2: pools 0 + 1 and 1 + 1, 3 in all ≤ quota 3 → all recognized
    r = rounds([[4, 0, 0], [2, 1, 0]], 0.5, [0.6, 0.5, 0.5])
    assert r.approvals[0, 0].tolist() == [[2, 1, 0], [1, 2, 0]]
    assert r.carried is not None and r.carried[0, 0].tolist() == [0, 2, 0]
    waiting, back = rec.carry_over(
        np.array([[[4, 2]]]), np.array([[[2, 1]]]), np.array([[0.5]]), np.array([[0.6]])
    )
    assert waiting.tolist() == [[[1, 1]]] and back.tolist() == [[2]]


def test_an_observed_year_leaves_out_the_pool_above_the_figure() -> None:
    # 2023 observed at 1: 4 left out and back → 1 + 4 = 5, quota 3 → 3, 2 back → 2
    r = rounds([[5, 1, 0]], 1.0, observed={0: [1]})
    assert by_year(r) == [1, 3, 2]
    # observed above the pool: nobody is left out, nothing negative is carried
    r = rounds([[5, 1, 0]], 1.0, observed={0: [7]})
    assert by_year(r) == [7, 1, 0]
    assert r.carried is not None and r.carried.tolist() == [[[0, 0, 0]]]


def test_with_no_quota_binding_the_share_changes_nothing() -> None:
    every = rec.Rule("all_qualified")
    assert by_year(rounds([[5, 1, 0]], 0.0, rule=every)) == [5, 1, 0]
    assert by_year(rounds([[5, 1, 0]], 1.0, rule=every)) == [5, 1, 0]


RULES = st.one_of(
    st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(0, 8)).map(
        lambda q: rec.Rule("fixed", quotas=q)
    ),
    st.floats(0, 0.5).map(lambda b: rec.Rule("target_pace", b)),
)
SUPPLY = st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=1, max_size=3)
UNIFORMS = st.lists(st.floats(0.001, 0.999), min_size=3, max_size=3)


@settings(max_examples=150, deadline=None)
@given(supply=SUPPLY, rule=RULES, share=st.floats(0, 1), u=UNIFORMS)
def test_the_pool_never_goes_negative_nor_recognizes_more_than_applied(
    supply: list[list[int]], rule: rec.Rule, share: float, u: list[float]
) -> None:
    runs = {s: rounds(supply, s, u, rule) for s in (0.0, share, 1.0)}
    new = np.array(supply).sum(axis=0)
    for r in runs.values():
        assert r.carried is not None
        got = r.approvals[0, 0].sum(axis=0)
        left = new + r.carried[0, 0] - got  # who the round left out
        assert np.all(left >= 0) and np.all(r.carried >= 0)
        assert np.all(r.carried[0, 0, 1:] <= left[:-1])  # carried ≤ left out
        assert np.all(np.cumsum(got) <= np.cumsum(new))  # never more than ever applied
        assert np.all(r.approvals >= 0)
    cum = {s: np.cumsum(r.approvals[0, 0].sum(axis=0)) for s, r in runs.items()}
    assert np.all(cum[1.0] >= cum[0.0]) and np.all(cum[share] >= cum[0.0])


@settings(max_examples=100, deadline=None)
@given(
    left=st.lists(st.integers(0, 30), min_size=1, max_size=9),
    share=st.floats(0, 1),
    u=st.floats(0.001, 0.999),
)
def test_the_carried_never_exceed_the_left_out_of_a_prefecture(
    left: list[int], share: float, u: float
) -> None:
    pool = np.array(left)[None, None] + 2
    new = np.full_like(pool, 2)
    waiting, back = rec.carry_over(pool, new, np.array([[share]]), np.array([[u]]))
    assert np.all(waiting >= 0) and np.all(waiting <= np.array(left))
    assert waiting.sum() == back[0, 0] <= sum(left)


# --- whole scenarios ---------------------------------------------------------------------------


def raw_baseline(share: dict | None) -> dict:
    """The baseline's raw mapping with every category's reapply_share ``share`` (None: the key
    removed, the model's default)."""
    raw = copy.deepcopy(load_scenario(BASELINE).raw)
    for c in CATEGORIES:
        node = raw["uncertainties"]["recognition"][c]
        node.pop("reapply_share", None)
        if share is not None:
            node["reapply_share"] = share
    return raw


def fixed(value: float) -> dict:
    return {"dist": "fixed", "value": value, "source": "test"}


def scenario(share: dict | None, **rule: object) -> Scenario:
    raw = raw_baseline(share)
    if rule:
        raw["levers"]["recognition"] = rule
    return parse_scenario(raw, "test")


def worlds(sc: Scenario, draws: int, seed: int = 5) -> World:
    return World.concat([w for _, w in simulate_worlds(sc, seed, draws)])


def same_worlds(a: World, b: World) -> None:
    for f in fields(World):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "units":
            for g in fields(x):
                assert np.array_equal(getattr(x, g.name), getattr(y, g.name)), g.name
        else:
            assert np.array_equal(x, y), f.name


def same_results(a, b) -> None:
    assert a.targets.keys() == b.targets.keys()
    for k in a.targets:
        assert np.array_equal(a.targets[k], b.targets[k]), k
    for f in fields(a.outlay):
        x, y = getattr(a.outlay, f.name), getattr(b.outlay, f.name)
        assert (x is None and y is None) or np.array_equal(x, y), f.name
    for name in ("online_retail_path", "recognized_path", "new_units", "supply_bound"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_without_the_key_the_model_is_as_with_a_share_of_zero() -> None:
    without, zero = scenario(None), scenario(fixed(0.0))
    assert all(without.uncertainties[p].mean == 0.0 for p in SHARES)
    same_results(simulate(without, 1500, seed=2), simulate(zero, 1500, seed=2))
    same_worlds(worlds(without, 1000), worlds(zero, 1000))


def test_a_share_of_one_recognizes_at_least_as_many_from_the_same_supply() -> None:
    zero, one = worlds(scenario(fixed(0.0)), 1000), worlds(scenario(fixed(1.0)), 1000)
    assert np.array_equal(zero.supply, one.supply)  # the backlog draws no supply
    assert np.array_equal(zero.firm_sales, one.firm_sales)
    cum0, cum1 = (np.cumsum(w.approvals_by_year, axis=2) for w in (zero, one))
    assert np.all(cum1 >= cum0) and np.any(cum1 > cum0)
    assert np.all(cum1 <= np.cumsum(one.supply, axis=2))


def test_under_all_qualified_the_share_changes_nothing() -> None:
    zero = scenario(fixed(0.0), strategy="all_qualified")
    one = scenario(fixed(1.0), strategy="all_qualified")
    same_results(simulate(zero, 1000, seed=4), simulate(one, 1000, seed=4))


def test_shipped_scenarios_inherit_the_baselines_backlog() -> None:
    from sbqw_model.shipped import scenario_path

    for name in ("baseline", "optimistic", "pessimistic", "austerity", "traffic_excess"):
        sc = load_scenario(scenario_path(name))
        for p in SHARES:
            dist = sc.uncertainties[p]
            assert (dist.dist, dist.params) == ("uniform", {"low": 0.0, "high": 1.0}), name
            assert "no public record" in dist.source


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"dist": "uniform", "low": -0.1, "high": 1.0, "source": "x"},
            "uncertainties.recognition.park.reapply_share.low: got -0.1, expected a probability"
            " between 0 and 1",
        ),
        (
            {"dist": "uniform", "low": 0.0, "high": 1.5, "source": "x"},
            "uncertainties.recognition.park.reapply_share.high: got 1.5, expected a probability"
            " between 0 and 1",
        ),
    ],
)
def test_a_bad_share_is_one_line(value: dict, message: str) -> None:
    raw = raw_baseline(fixed(0.5))
    raw["uncertainties"]["recognition"]["park"]["reapply_share"] = value
    with pytest.raises(InputError) as info:
        parse_scenario(raw, "s.yaml")
    assert info.value.problems == [f"s.yaml: {message}"]


def test_a_misspelt_share_is_suggested() -> None:
    raw = raw_baseline(None)
    raw["uncertainties"]["recognition"]["team"]["reaply_share"] = fixed(0.5)
    with pytest.raises(InputError) as info:
        parse_scenario(raw, "s.yaml")
    assert info.value.problems == [
        "s.yaml: uncertainties.recognition.team.reaply_share: unknown uncertainty"
        " (did you mean `recognition.team.reapply_share`?)"
    ]


def test_the_share_is_a_labelled_research_factor() -> None:
    base = load_scenario(BASELINE)
    path = "uncertainties.recognition.base.reapply_share"
    assert pb.resolve(path, base).kind == "uncertainty"
    assert pb.resolve(f"{path}.high", base).kind == "distribution"
    assert factor_label(path, "zh") == "直播基地合格落选单位次年再申报比例"
    assert factor_label(path, "en").endswith("(livestream bases)")
    assert uncertainty_label(SHARES[0], "zh") == "园区合格落选单位次年再申报比例"
    point = pb.resolve(path, base)
    assert pb.check_value(point, 1.2, base)[1] == "got 1.2, expected a probability between 0 and 1"
    assert pb.check_value(point, 0.4, base) == (0.4, None)
