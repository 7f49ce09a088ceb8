"""The prefecture split as an uncertainty (``prefectures.share_spread``): no prefecture series
exists, so a scenario may say how uncertain its ``prefecture_shares`` are. Without a spread the
shares are fixed and nothing more is drawn (earlier results stay bit for bit); with one, each
world has its own shares, and its firms and qualified applicants follow them."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_recognition import BASELINE, variant

from sbqw_model.engine import simulate
from sbqw_model.scenario import load_scenario, parse_scenario
from sbqw_model.summary import summarize
from sbqw_model.worlds import draw_block, stream, uncertainty_draws, world_prefecture_shares

FIXED = {"uncertainties": {"prefectures": {"share_spread": {"dist": "fixed", "value": 0.0}}}}


def spread(value: float) -> dict:
    return {"uncertainties": {"prefectures": {"share_spread": {"dist": "fixed", "value": value}}}}


def test_the_shipped_baseline_says_how_uncertain_its_split_is() -> None:
    dist = load_scenario(BASELINE).uncertainties["prefectures.share_spread"]
    assert dist.mean > 0 and "no prefecture series" in dist.source


def test_no_spread_is_the_fixed_split_bit_for_bit() -> None:
    """A spread of 0 draws nothing: the same worlds as a scenario that leaves it out."""
    plain = variant(FIXED)
    raw = copy.deepcopy(plain.raw)
    del raw["uncertainties"]["prefectures"]
    left_out = parse_scenario(raw, "left out")
    assert "prefectures" not in left_out.raw["uncertainties"]
    a, b = simulate(plain, draws=600, seed=5), simulate(left_out, draws=600, seed=5)
    np.testing.assert_array_equal(a.outlay.by_prefecture, b.outlay.by_prefecture)
    np.testing.assert_array_equal(a.outlay.total, b.outlay.total)
    u = uncertainty_draws(plain, 5, 0)
    assert (
        world_prefecture_shares(plain, u, lambda name: stream(5, 0, name))
        is plain.prefecture_shares
    )


def test_each_world_has_its_own_shares_summing_to_one() -> None:
    sc = variant(spread(0.3))
    u = uncertainty_draws(sc, 1, 0)
    shares = world_prefecture_shares(sc, u, lambda name: stream(1, 0, name))
    assert shares.shape == (len(u["prefectures.share_spread"]), sc.prefecture_shares.size)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (shares > 0).all() and shares[:, 0].std() > 0.03
    # mean-one weights, renormalized: the average share stays near the scenario's
    np.testing.assert_allclose(shares.mean(axis=0), sc.prefecture_shares, atol=0.01)


def test_firms_follow_their_worlds_shares() -> None:
    """A world whose first prefecture's share is high puts more of its firms there."""
    sc = variant(
        {
            **spread(1.0),
            "uncertainties": {
                **spread(1.0)["uncertainties"],
                "firms": {"count": {"dist": "fixed", "value": 400}},
            },
        }
    )
    world = draw_block(sc, seed=2, block=0)
    u = uncertainty_draws(sc, 2, 0)
    shares = world_prefecture_shares(sc, u, lambda name: stream(2, 0, name))
    n = world.firm_draw.max() + 1
    first = np.bincount(world.firm_draw[world.firm_prefecture == 0], minlength=n)
    count = np.bincount(world.firm_draw, minlength=n)
    seen = first[count > 0] / count[count > 0]
    assert np.corrcoef(seen, shares[count > 0, 0])[0, 1] > 0.9


def test_a_spread_widens_each_prefectures_range_not_the_total() -> None:
    fixed = summarize(simulate(variant(FIXED), draws=3000, seed=0))
    spread_out = summarize(simulate(variant(spread(0.3)), draws=3000, seed=0))
    guiyang = "贵阳市"
    width = {
        name: s.budget.by_prefecture[guiyang].p95 - s.budget.by_prefecture[guiyang].p5
        for name, s in (("fixed", fixed), ("spread", spread_out))
    }
    assert width["spread"] > 1.3 * width["fixed"], width
    # the province's total outlay does not depend on how it is split
    assert spread_out.budget.total.p50 == pytest.approx(fixed.budget.total.p50, rel=0.03)
