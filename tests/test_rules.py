"""The vectorized money rules of §四(二), on plain arrays, against hand-computed amounts.

Amounts are written as arithmetic in 万元 (WAN) and 亿元 (YI): 1 万元 = 10 000 yuan,
1 亿元 = 100 000 000 yuan. The traffic rate is 5 元 per 万元 = 0.0005.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import WAN, YI
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sbqw_model import rules
from sbqw_model.assumptions import Assumptions
from sbqw_model.parameters import Parameters

T1, T2 = 100 * WAN, 300 * WAN  # sales tier awards: 10 亿 -> 100 万, 50 亿 -> 300 万
MODES = ("highest", "cumulative", "top_up")


def sales(panel, params, **assume):
    return rules.sales_milestone_awards(np.array(panel, dtype=float), params, Assumptions(**assume))


def traffic(retail, params, above=True, cross=False, **assume):
    retail = np.array(retail, dtype=float)
    return rules.traffic_subsidy(
        retail,
        np.broadcast_to(above, retail.shape),
        np.broadcast_to(cross, retail.shape),
        params,
        Assumptions(**assume),
    )


# --------------------------------------------------------------------------- one-time awards


def test_one_time_award_per_category(params: Parameters) -> None:
    got = rules.one_time_award([0, 1, 2, 3], params, Assumptions())  # park, base, enterprise, team
    assert got.tolist() == [300 * WAN, 50 * WAN, 5 * WAN, 5 * WAN]
    half = rules.one_time_award([0, 1, 2, 3], params, Assumptions(payout_share=0.5))
    assert half.tolist() == pytest.approx([150 * WAN, 25 * WAN, 2.5 * WAN, 2.5 * WAN])
    assert rules.CATEGORIES == ("park", "base", "enterprise", "team")
    assert rules.INSTRUMENTS == (
        "award.park",
        "award.base",
        "award.enterprise",
        "award.team",
        "sales.tier1",
        "sales.tier2",
        "traffic",
    )


# --------------------------------------------------------------------------- traffic subsidy

TRAFFIC_ALL = [
    # online retail of goods, subsidy (traffic_base=all: every 万元 earns 5 元)
    (1 * YI, 5 * WAN),  # exactly 1 亿: 以上 includes it; 10 000 万 × 5 元 = 5 万
    (1 * YI - 1, 0.0),  # 99 999 999: below the threshold, nothing
    (3 * YI, 15 * WAN),  # 30 000 万 × 5 元 = 15 万
    (20 * YI, 100 * WAN),  # exactly 20 亿: 200 000 万 × 5 元 = 100 万 = the cap, exactly
    (25 * YI, 100 * WAN),  # 125 万 capped at 100 万
    (0.0, 0.0),
]


@pytest.mark.parametrize(("retail", "expected"), TRAFFIC_ALL)
def test_traffic_all_base(params: Parameters, retail: float, expected: float) -> None:
    assert traffic([retail], params)[0] == pytest.approx(expected, abs=1e-6)


TRAFFIC_EXCESS = [
    (1 * YI, 0.0),  # exactly 1 亿: eligible, but nothing above 1 亿 to count
    (1 * YI - 1, 0.0),
    (3 * YI, 10 * WAN),  # (3 − 1) 亿 = 20 000 万 × 5 元 = 10 万
    (21 * YI, 100 * WAN),  # (21 − 1) 亿 × 0.05 % = 100 万, exactly the cap
    (30 * YI, 100 * WAN),  # (30 − 1) 亿 × 0.05 % = 145 万, capped at 100 万
]


@pytest.mark.parametrize(("retail", "expected"), TRAFFIC_EXCESS)
def test_traffic_excess_base(params: Parameters, retail: float, expected: float) -> None:
    assert traffic([retail], params, traffic_base="excess")[0] == pytest.approx(expected, abs=1e-6)


def test_traffic_needs_above_scale_and_excludes_cross_border(params: Parameters) -> None:
    retail = [3 * YI] * 4
    above = np.array([True, False, True, False])
    cross = np.array([False, False, True, True])
    got = rules.traffic_subsidy(np.array(retail), above, cross, params, Assumptions())
    assert got.tolist() == pytest.approx([15 * WAN, 0, 0, 0])  # only 上规入统, not cross-border


def test_traffic_scales_with_payout_share_including_the_cap(params: Parameters) -> None:
    got = traffic([3 * YI, 30 * YI], params, payout_share=0.4)
    assert got.tolist() == pytest.approx([0.4 * 15 * WAN, 0.4 * 100 * WAN])  # 6 万, 40 万


def test_rules_accept_any_leading_shape(params: Parameters) -> None:
    retail = np.array([[1 * YI, 3 * YI, 30 * YI], [0.0, 1 * YI - 1, 20 * YI]])  # draws × firms
    got = traffic(retail, params)
    assert got.shape == (2, 3)
    expected = np.array([[5 * WAN, 15 * WAN, 100 * WAN], [0, 0, 100 * WAN]])
    np.testing.assert_allclose(got, expected)
    panel = np.zeros((4, 5, 3))  # draws × units × years
    panel[..., 1] = 50 * YI
    out = rules.sales_milestone_awards(panel, params, Assumptions())
    assert out.shape == (4, 5, 3, 2)
    assert out.sum() == pytest.approx(4 * 5 * T2)


# --------------------------------------------------------------------------- sales milestones
# Panels are (units, years 2023..2025); results (units, years, tiers) with tier1 = 10 亿 -> 100 万
# and tier2 = 50 亿 -> 300 万.

FIRST_YEAR_50 = [50 * YI, 0, 0]  # reaches 50 亿 in its first year
TEN_THEN_50 = [10 * YI, 50 * YI, 0]  # 10 亿, then 50 亿
JUMP_THEN_DROP = [50 * YI, 10 * YI, 60 * YI]  # jumps to 50 亿, drops to 10 亿, rises again

SALES_CASES = {
    # mode: {panel name: [[y2023 tier1, tier2], [y2024 ...], [y2025 ...]]}
    "highest": {
        # highest tier reached, the skipped tier1 never paid: 300 万
        "first_year_50": [[0, T2], [0, 0], [0, 0]],
        # tier1 in 2023 (100 万), then tier2 newly reached in 2024 (300 万): 400 万
        "ten_then_50": [[T1, 0], [0, T2], [0, 0]],
        # 300 万 in 2023; tier1 is lower than what was paid, tier2 already paid: nothing more
        "jump_then_drop": [[0, T2], [0, 0], [0, 0]],
    },
    "cumulative": {
        # every tier reached paid once: 100 万 + 300 万 in 2023
        "first_year_50": [[T1, T2], [0, 0], [0, 0]],
        "ten_then_50": [[T1, 0], [0, T2], [0, 0]],
        "jump_then_drop": [[T1, T2], [0, 0], [0, 0]],
    },
    "top_up": {
        # up to the highest tier reached minus what was received
        "first_year_50": [[0, T2], [0, 0], [0, 0]],
        # 100 万, then 300 万 − 100 万 = 200 万: 300 万 in all
        "ten_then_50": [[T1, 0], [0, T2 - T1], [0, 0]],
        "jump_then_drop": [[0, T2], [0, 0], [0, 0]],
    },
}
PANELS = {
    "first_year_50": FIRST_YEAR_50,
    "ten_then_50": TEN_THEN_50,
    "jump_then_drop": JUMP_THEN_DROP,
}


@pytest.mark.parametrize("mode", MODES)
def test_sales_award_modes(params: Parameters, mode: str) -> None:
    names = list(PANELS)
    got = sales([PANELS[n] for n in names], params, sales_award_mode=mode)
    for i, name in enumerate(names):
        assert got[i].tolist() == SALES_CASES[mode][name], (mode, name)


@pytest.mark.parametrize("mode", MODES)
def test_sales_tiers_include_their_boundary(params: Parameters, mode: str) -> None:
    panel = [
        [10 * YI - 1, 10 * YI, 10 * YI],  # 999 999 999 nothing; exactly 10 亿 in 2024; once only
        [50 * YI - 1, 0, 0],  # just under 50 亿: tier1 only
        [0, 0, 50 * YI],  # exactly 50 亿 in 2025
    ]
    got = sales(panel, params, sales_award_mode=mode)
    assert got[0].tolist() == [[0, 0], [T1, 0], [0, 0]]
    assert got[1].tolist() == [[T1, 0], [0, 0], [0, 0]]
    tier2_first = {"highest": [0, T2], "cumulative": [T1, T2], "top_up": [0, T2]}[mode]
    assert got[2].tolist() == [[0, 0], [0, 0], tier2_first]


def test_sales_awards_scale_with_payout_share(params: Parameters) -> None:
    got = sales([TEN_THEN_50], params, sales_award_mode="top_up", payout_share=0.5)
    # 0.5 × 100 万 = 50 万; then 0.5 × 300 万 − 50 万 = 100 万
    assert got[0].tolist() == [[50 * WAN, 0], [0, 100 * WAN], [0, 0]]


# --------------------------------------------------------------------------- tiers before the plan
# Assumption milestone_pre_plan_tiers: ``before`` is each unit's 2022 figure. Under ``not_paid``
# the tier it reached counts as received (达 = newly reaching); under ``paid`` it is not read.

NOT_PAID = {"milestone_pre_plan_tiers": "not_paid"}
PRE_PLAN = {
    # name: (2022 figure, plan panel)
    "12_then_55": (12 * YI, [12 * YI, 55 * YI, 55 * YI]),  # tier 1 before, tier 2 new in 2024
    "stays_12": (12 * YI, [12 * YI, 12 * YI, 12 * YI]),  # tier 1 before, nothing new
    "55_then_60": (55 * YI, [60 * YI, 12 * YI, 60 * YI]),  # the top tier before: nothing new
    "8_then_12": (8 * YI, [12 * YI, 0, 0]),  # no tier before: as under paid
    "exactly_10": (10 * YI, [10 * YI, 50 * YI, 0]),  # the boundary counts in 2022 too
}
PRE_PLAN_NOT_PAID = {
    "highest": {
        "12_then_55": [[0, 0], [0, T2], [0, 0]],  # 300 万 in 2024
        "stays_12": [[0, 0], [0, 0], [0, 0]],
        "55_then_60": [[0, 0], [0, 0], [0, 0]],
        "8_then_12": [[T1, 0], [0, 0], [0, 0]],
        "exactly_10": [[0, 0], [0, T2], [0, 0]],
    },
    "cumulative": {
        "12_then_55": [[0, 0], [0, T2], [0, 0]],  # tier 1 counts as received: 300 万 only
        "stays_12": [[0, 0], [0, 0], [0, 0]],
        "55_then_60": [[0, 0], [0, 0], [0, 0]],
        "8_then_12": [[T1, 0], [0, 0], [0, 0]],
        "exactly_10": [[0, 0], [0, T2], [0, 0]],
    },
    "top_up": {
        "12_then_55": [[0, 0], [0, T2 - T1], [0, 0]],  # 300 万 − 100 万 counted = 200 万
        "stays_12": [[0, 0], [0, 0], [0, 0]],
        "55_then_60": [[0, 0], [0, 0], [0, 0]],
        "8_then_12": [[T1, 0], [0, 0], [0, 0]],
        "exactly_10": [[0, 0], [0, T2 - T1], [0, 0]],
    },
}


def pre_plan(params, names, **assume):
    before = np.array([PRE_PLAN[n][0] for n in names], dtype=float)
    panel = np.array([PRE_PLAN[n][1] for n in names], dtype=float)
    return rules.sales_milestone_awards(panel, params, Assumptions(**assume), before=before)


@pytest.mark.parametrize("mode", MODES)
def test_tiers_reached_before_the_plan_not_paid(params: Parameters, mode: str) -> None:
    names = list(PRE_PLAN)
    got = pre_plan(params, names, sales_award_mode=mode, **NOT_PAID)
    for i, name in enumerate(names):
        assert got[i].tolist() == PRE_PLAN_NOT_PAID[mode][name], (mode, name)


@pytest.mark.parametrize("mode", MODES)
def test_tiers_reached_before_the_plan_paid_as_today(params: Parameters, mode: str) -> None:
    """Under ``paid`` (the default) the 2022 figure is not read: exactly the old results."""
    names = list(PRE_PLAN)
    got = pre_plan(params, names, sales_award_mode=mode)
    panels = np.array([PRE_PLAN[n][1] for n in names], dtype=float)
    assert np.array_equal(got, sales(panels, params, sales_award_mode=mode))
    # a firm at 12 亿 in 2022 and ever after is paid 100 万 for 2023
    assert got[names.index("stays_12")].tolist() == [[T1, 0], [0, 0], [0, 0]]
    # not_paid without a 2022 figure (a park or base) is paid as under paid too
    alone = rules.sales_milestone_awards(panels, params, Assumptions(sales_award_mode=mode))
    assert np.array_equal(alone, got)


def test_tiers_before_the_plan_scale_with_payout_share(params: Parameters) -> None:
    got = pre_plan(params, ["12_then_55"], sales_award_mode="top_up", payout_share=0.5, **NOT_PAID)
    # 0.5 × 300 万 − 0.5 × 100 万 counted as received = 100 万
    assert got[0].tolist() == [[0, 0], [0, 100 * WAN], [0, 0]]


def test_tiers_before_the_plan_accept_any_leading_shape(params: Parameters) -> None:
    panel = np.zeros((4, 5, 3))  # draws × units × years
    panel[..., 1] = 55 * YI
    before = np.zeros((4, 5))
    before[0] = 12 * YI  # the first draw's units had reached tier 1 in 2022
    out = rules.sales_milestone_awards(
        panel, params, Assumptions(sales_award_mode="top_up", **NOT_PAID), before=before
    )
    assert out.shape == (4, 5, 3, 2)
    assert out[0].sum() == pytest.approx(5 * (T2 - T1))
    assert out[1:].sum() == pytest.approx(3 * 5 * T2)


# --------------------------------------------------------------------------- properties

AMOUNTS = st.one_of(
    st.sampled_from([0.0, 1 * YI - 1, 1 * YI, 10 * YI - 1, 10 * YI, 20 * YI, 50 * YI - 1, 50 * YI]),
    st.floats(min_value=0, max_value=80 * YI, allow_nan=False),
)
PANEL = hnp.arrays(float, st.tuples(st.integers(1, 6), st.just(3)), elements=AMOUNTS)
SHARE = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=100, deadline=None)
@given(panel=PANEL, share=SHARE)
def test_sales_awards_properties(params: Parameters, panel: np.ndarray, share: float) -> None:
    thresholds, amounts = params.sales_scale()
    amt = np.array(amounts) * share
    reached = (panel[..., None] >= np.array(thresholds)).sum(-1).max(-1) - 1  # top tier ever
    per_unit = {}
    for mode in MODES:
        got = sales(panel, params, sales_award_mode=mode, payout_share=share)
        assert (got >= 0).all()
        assert (got <= amt + 1e-9).all()  # no line above its tier's amount × share
        assert ((got > 0).sum(axis=1) <= 1).all()  # each tier paid at most once per unit
        per_unit[mode] = got.sum(axis=(1, 2))
    top_amount = np.where(reached >= 0, amt[np.maximum(reached, 0)], 0.0)
    up_to = np.array([amt[: k + 1].sum() for k in reached])
    assert per_unit["top_up"] == pytest.approx(top_amount)  # exactly the top tier reached
    assert per_unit["cumulative"] == pytest.approx(up_to)  # every tier up to it, once
    assert (per_unit["highest"] <= amt.sum() + 1e-6).all()
    assert (per_unit["highest"] >= top_amount - 1e-6).all()  # the top tier reached is paid
    assert (per_unit["top_up"] <= per_unit["highest"] + 1e-6).all()
    assert (per_unit["highest"] <= per_unit["cumulative"] + 1e-6).all()


@settings(max_examples=100, deadline=None)
@given(
    retail=hnp.arrays(float, st.integers(1, 20), elements=AMOUNTS),
    share=SHARE,
    base=st.sampled_from(["all", "excess"]),
    data=st.data(),
)
def test_traffic_properties(params: Parameters, retail, share, base, data) -> None:
    n = retail.size
    above = data.draw(hnp.arrays(bool, n))
    cross = data.draw(hnp.arrays(bool, n))
    got = rules.traffic_subsidy(
        retail, above, cross, params, Assumptions(payout_share=share, traffic_base=base)
    )
    assert (got >= 0).all()
    assert (got <= 100 * WAN * share + 1e-6).all()  # the cap × share
    assert (got[~above | cross | (retail < 1 * YI)] == 0).all()
    full = rules.traffic_subsidy(retail, above, cross, params, Assumptions(traffic_base=base))
    assert got == pytest.approx(share * full, rel=1e-9, abs=1e-9)


BEFORE = st.one_of(
    st.sampled_from([0.0, 10 * YI - 1, 10 * YI, 12 * YI, 50 * YI - 1, 50 * YI, 60 * YI]),
    st.floats(min_value=0, max_value=80 * YI, allow_nan=False),
)


@settings(max_examples=100, deadline=None)
@given(panel=PANEL, share=SHARE, mode=st.sampled_from(MODES), data=st.data())
def test_tiers_before_the_plan_never_pay_more(
    params: Parameters, panel: np.ndarray, share: float, mode: str, data
) -> None:
    """``not_paid`` pays no cell more than ``paid``, for any panel, 2022 figures and mode; and
    it is ``paid`` on the panel with the 2022 figure as a first year whose payment is dropped
    (the modes go on from the tier reached in 2022 as if it had been paid then)."""
    before = data.draw(hnp.arrays(float, panel.shape[0], elements=BEFORE))
    base = Assumptions(sales_award_mode=mode, payout_share=share)
    paid = rules.sales_milestone_awards(panel, params, base, before=before)
    not_paid = rules.sales_milestone_awards(
        panel, params, Assumptions(sales_award_mode=mode, payout_share=share, **NOT_PAID), before
    )
    assert np.array_equal(paid, rules.sales_milestone_awards(panel, params, base))
    assert (not_paid >= 0).all()
    assert (not_paid <= paid + 1e-9).all()
    with_2022 = rules.sales_milestone_awards(np.column_stack([before, panel]), params, base)
    np.testing.assert_allclose(not_paid, with_2022[:, 1:], rtol=0, atol=1e-9)
    # a 2022 figure below the lowest tier changes nothing
    low = np.minimum(before, min(params.sales_scale()[0]) - 1)
    none_reached = rules.sales_milestone_awards(
        panel, params, Assumptions(sales_award_mode=mode, payout_share=share, **NOT_PAID), low
    )
    assert np.array_equal(none_reached, paid)
