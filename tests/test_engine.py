"""The Monte Carlo engine: exact hand checks on degenerate worlds, then the properties that make
its numbers trustworthy (reproducibility, chunk invariance, common random numbers, pinned
observations, probabilities that make sense).

Degenerate fixtures (``tests/scenarios/degenerate*.yaml``) fix every uncertainty, set every
noise to 0, approve no applications (approvals are Poisson, so only observations can pin a
count exactly) and split recognitions 60 % / 40 % between 贵阳市 and 遵义市:

=========== ==== ==== ==== ===== ======== ==========
category    2023 2024 2025 total award    outlay
=========== ==== ==== ==== ===== ======== ==========
park           5    0    5    10 300 万   3 000 万
base          30   35   40   105  50 万   5 250 万
enterprise   150  170  190   510   5 万   2 550 万
team         140  160  180   480   5 万   2 400 万
by year    4 450 3 400 5 350              13 200 万
=========== ==== ==== ==== ===== ======== ==========
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, WAN, YI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbqw_model import prefectures
from sbqw_model.audit import draw_outlay, export_draw
from sbqw_model.costing import cost_ledger, fen
from sbqw_model.distributions import Distribution
from sbqw_model.engine import TARGETS, Results, simulate, simulate_worlds
from sbqw_model.ledger import load_ledger
from sbqw_model.rules import INSTRUMENTS
from sbqw_model.scenario import Scenario, load_scenario
from sbqw_model.summary import band, summarize, to_json
from sbqw_model.worlds import BLOCK

HERE = Path(__file__).resolve().parent / "scenarios"
SHIPPED = ROOT / "sbqw_model" / "scenarios"

DRAWS = 2000

# --- the hand computation (see the module docstring) ------------------------------------------
AWARDS = {
    "award.park": 10 * 300 * WAN,
    "award.base": 105 * 50 * WAN,
    "award.enterprise": 510 * 5 * WAN,
    "award.team": 480 * 5 * WAN,
}
AWARD_TOTAL = 13_200 * WAN
AWARDS_BY_YEAR = [4_450 * WAN, 3_400 * WAN, 5_350 * WAN]
RETAIL_2025 = 6.0e10 * 1.25 * 1.25 * 1.25  # level × (1 + g)^3, exact in binary: 1 171.875 亿
PRODUCTS_2025 = 4000 * 1.5**3  # 13 500


def shipped(name: str) -> Scenario:
    return load_scenario(SHIPPED / f"{name}.yaml")


def fixture(name: str) -> Scenario:
    return load_scenario(HERE / f"{name}.yaml")


def with_assume(scenario: Scenario, **values: object) -> Scenario:
    return scenario.with_assumptions(scenario.assumptions.updated(values))


@pytest.fixture(scope="module")
def baseline_runs() -> dict[str, Results]:
    """Baseline and its policy variants, same seed, computed once for the module."""
    names = ("baseline", "austerity", "traffic_excess", "no_traffic_subsidy")
    return {n: simulate(shipped(n), draws=DRAWS, seed=7) for n in names}


def per_draw_arrays(r: Results) -> dict[str, np.ndarray]:
    return {
        **{f"target.{t}": v for t, v in r.targets.items()},
        "by_instrument": r.outlay.by_instrument,
        "by_year": r.outlay.by_year,
        "by_prefecture": r.outlay.by_prefecture,
        "online_retail_path": r.online_retail_path,
        "recognized_path": r.recognized_path,
    }


def assert_same_draws(a: Results, b: Results) -> None:
    left, right = per_draw_arrays(a), per_draw_arrays(b)
    assert left.keys() == right.keys()
    for key in left:
        assert np.array_equal(left[key], right[key]), key


# --- hand-checkable degenerate scenarios -------------------------------------------------------


def test_degenerate_targets_are_the_hand_computed_ones() -> None:
    r = simulate(fixture("degenerate"), draws=300, seed=1)
    expected = {
        "parks": 10,
        "bases": 105,
        "enterprises": 510,
        "teams": 480,
        "enterprises_and_teams": 990,
        "products": PRODUCTS_2025,
        "online_retail": RETAIL_2025,
    }
    for t, value in expected.items():
        assert np.all(r.targets[t] == value), t
    # the whole online-retail path is level × (1 + g)^t, year by year
    path = np.array([6.0e10, 6.0e10 * 1.25, 6.0e10 * 1.25**2, RETAIL_2025], dtype=np.float32)
    assert np.all(r.online_retail_path == path)
    s = summarize(r)
    met = {"parks", "bases", "enterprises", "products", "online_retail"}
    for t in TARGETS:
        row = s.targets[t]
        assert row.p_met == (1.0 if t in met else 0.0), t
        assert row.p_met_se == 0.0
        assert row.mean == row.p5 == row.p50 == row.p95 == expected[t]
    assert s.targets.online_retail.target == 1000 * YI
    assert s.p_all_met == 0.0  # teams (480 < 500) miss


def test_degenerate_outlay_is_the_hand_computed_awards() -> None:
    r = simulate(fixture("degenerate"), draws=300, seed=1)
    o = r.outlay
    assert np.all(o.total == AWARD_TOTAL)
    expected_instrument = [AWARDS.get(k, 0.0) for k in INSTRUMENTS]
    assert np.all(o.by_instrument == expected_instrument)
    # one-time awards are paid in the recognition year; 2026 (sales and traffic of 2025) is empty
    assert r.payment_years == [2023, 2024, 2025, 2026]
    assert np.all(o.by_year == [*AWARDS_BY_YEAR, 0.0])
    expected_pref = np.zeros(len(prefectures.NAMES_ZH))
    expected_pref[prefectures.NAMES_ZH.index("贵阳市")] = 0.6 * AWARD_TOTAL
    expected_pref[prefectures.NAMES_ZH.index("遵义市")] = 0.4 * AWARD_TOTAL
    assert np.all(o.by_prefecture == expected_pref)

    b = summarize(r).budget
    assert [getattr(b.total, k) for k in ("mean", "p5", "p50", "p95")] == [AWARD_TOTAL] * 4
    assert [b.by_year[y].p50 for y in ("2023", "2024", "2025")] == AWARDS_BY_YEAR
    # appropriation 4 000 万 / 4 000 万 / 6 000 万 against 4 450 / 3 400 / 5 350 万
    assert b.p_over_appropriation == {"2023": 1.0, "2024": 0.0, "2025": 0.0}


def test_degenerate_payment_lag_relabels_the_years() -> None:
    r = simulate(with_assume(fixture("degenerate"), payment_lag_years=1), draws=50, seed=1)
    assert r.payment_years == [2024, 2025, 2026, 2027]
    assert np.all(r.outlay.by_year == [*AWARDS_BY_YEAR, 0.0])
    b = summarize(r).budget
    assert list(b.by_year) == ["2024", "2025", "2026", "2027"]
    # nothing is paid in 2023 any more; 2024 pays 4 450 万 > 4 000 万
    assert b.p_over_appropriation == {"2023": 0.0, "2024": 1.0, "2025": 0.0}


def test_degenerate_payout_share_scales_every_award() -> None:
    r = simulate(with_assume(fixture("degenerate"), payout_share=0.25), draws=50, seed=1)
    assert np.all(r.outlay.total == AWARD_TOTAL / 4)


@pytest.mark.parametrize("count_revoked", [False, True])
def test_certain_revocation_removes_earlier_units_from_the_targets(count_revoked: bool) -> None:
    """Revocation rate 1: every unit recognized before 2025 is revoked at a later review."""
    sc = fixture("degenerate")
    for cat in ("park", "base", "enterprise", "team"):
        sc = sc.with_uncertainty(
            f"recognition.{cat}.revocation_rate",
            Distribution("fixed", {"value": 1.0}, "test", "probability"),
        )
    sc = with_assume(sc, revoked_count_toward_targets=count_revoked)
    r = simulate(sc, draws=50, seed=1)
    if count_revoked:
        assert np.all(r.targets["parks"] == 10) and np.all(r.targets["teams"] == 480)
    else:  # only the 2025 intake is left standing
        assert np.all(r.targets["parks"] == 5) and np.all(r.targets["teams"] == 180)
        assert np.all(r.targets["enterprises_and_teams"] == 190 + 180)
    assert np.all(r.outlay.total == AWARD_TOTAL)  # revoked units keep their one-time award


def firm_counts(scenario: Scenario, seed: int, draws: int) -> np.ndarray:
    return np.concatenate(
        [np.bincount(w.firm_draw, minlength=w.n) for _, w in simulate_worlds(scenario, seed, draws)]
    )


@pytest.mark.parametrize(
    ("mode", "tier2"),
    [("highest", 300 * WAN), ("cumulative", 300 * WAN), ("top_up", 200 * WAN)],
)
def test_degenerate_firms_traffic_and_sales_by_hand(mode: str, tier2: float) -> None:
    """Identical firms of 26亿 in 2022 growing 25 %/yr: 32.5亿, 40.6亿, 50.8亿 in 2023–2025.

    Each firm-year is above the 20亿 at which the traffic cap binds (100 万); sales reach
    tier 1 (10亿) in 2023 and tier 2 (50亿) in 2025. The number of firms is Poisson, so the
    outlay is checked per world against the number of firms that world drew.
    """
    sc = with_assume(fixture("degenerate_firms"), sales_award_mode=mode)
    r = simulate(sc, draws=1500, seed=3)
    n = firm_counts(sc, 3, 1500)
    assert 2.5 < n.mean() < 3.5 and n.min() == 0  # Poisson(3)
    tier1 = 100 * WAN
    per_firm = np.array(
        [0.0, 100 * WAN + tier1, 100 * WAN, 100 * WAN + tier2]  # traffic + milestone, a year on
    )
    awards = np.array([*AWARDS_BY_YEAR, 0.0])
    assert np.array_equal(r.outlay.by_year, awards + n[:, None] * per_firm)
    col = {k: i for i, k in enumerate(INSTRUMENTS)}
    assert np.array_equal(r.outlay.by_instrument[:, col["traffic"]], n * 300 * WAN)
    assert np.array_equal(r.outlay.by_instrument[:, col["sales.tier1"]], n * tier1)
    assert np.array_equal(r.outlay.by_instrument[:, col["sales.tier2"]], n * tier2)
    assert np.array_equal(r.outlay.total, AWARD_TOTAL + n * (300 * WAN + tier1 + tier2))
    assert np.allclose(r.outlay.by_prefecture.sum(axis=1), r.outlay.total, rtol=0, atol=1e-6)
    # firms sit only where the shares put them
    others = [i for i, p in enumerate(prefectures.NAMES_ZH) if p not in ("贵阳市", "遵义市")]
    assert np.all(r.outlay.by_prefecture[:, others] == 0)


# --- reproducibility ---------------------------------------------------------------------------


def test_same_seed_same_json_different_seed_different_json() -> None:
    sc = shipped("baseline")
    first = to_json(summarize(simulate(sc, draws=DRAWS, seed=11)))
    again = to_json(summarize(simulate(shipped("baseline"), draws=DRAWS, seed=11)))
    other = to_json(summarize(simulate(sc, draws=DRAWS, seed=12)))
    assert first == again
    assert first != other


def test_chunk_size_does_not_change_any_draw() -> None:
    sc = shipped("baseline")
    draws = 2750  # a multiple neither of the random block (BLOCK worlds) nor of 1000
    chunks = (1000, 3000, 5000, BLOCK, 1)
    runs = [simulate(sc, draws=draws, seed=5, chunk=c) for c in chunks]
    for other in runs[1:]:
        assert_same_draws(runs[0], other)


def test_more_draws_extend_fewer_draws() -> None:
    """Draw k is the same world whatever the run's length (blocks are seeded by index)."""
    sc = shipped("baseline")
    short, long = simulate(sc, draws=1200, seed=5), simulate(sc, draws=2500, seed=5)
    for key, values in per_draw_arrays(short).items():
        assert np.array_equal(values, per_draw_arrays(long)[key][:1200]), key


@pytest.mark.parametrize("index", [0, BLOCK - 1, BLOCK, 1777])
def test_a_single_draw_is_the_draw_of_the_full_run(index: int) -> None:
    sc = shipped("baseline")
    r = simulate(sc, draws=DRAWS, seed=9)
    _, one = draw_outlay(sc, 9, index)
    # to the fen as every output rounds (``costing.fen``): a plain round() of a sum at half a
    # fen (184 300 443.795 yuan, world 500) is decided by float noise of the summing order
    assert one["total_yuan"] == fen(r.outlay.total[index])
    for i, k in enumerate(INSTRUMENTS):
        assert one["by_instrument"][k] == fen(r.outlay.by_instrument[index, i])


@pytest.mark.parametrize(
    ("name", "assume"),
    [
        ("baseline", {}),
        ("traffic_excess", {"payment_lag_years": 1, "sales_award_mode": "cumulative"}),
        ("baseline", {"payout_share": 0.37, "sales_award_mode": "top_up"}),
        (
            "baseline",
            {
                "traffic_cap_period": "plan",
                "milestone_sales_basis": "online",
                "cross_border_exclusion": "cross_border_part",
            },
        ),
        (
            "traffic_excess",
            {
                "payment_delay_awards": 1,
                "payment_delay_sales": 0,
                "payment_delay_traffic": 2,
                "traffic_cap_period": "plan",
                "cross_border_exclusion": "cross_border_part",
                "payout_share": 0.5,
            },
        ),
        ("baseline", {"milestone_pre_plan_tiers": "not_paid", "sales_award_mode": "top_up"}),
        (
            "optimistic",
            {
                "milestone_pre_plan_tiers": "not_paid",
                "milestone_sales_basis": "online",
                "sales_award_mode": "cumulative",
            },
        ),
    ],
    ids=[
        "baseline",
        "excess-lag-cumulative",
        "share-top_up",
        "plan-cap-online-sales-cross-border-part",
        "excess-timing-plan-cap-part-share",
        "pre-plan-tiers-not-paid-top_up",
        "pre-plan-tiers-not-paid-online-cumulative",
    ],
)
def test_exported_ledgers_cost_the_same_for_many_draws(
    tmp_path: Path, name: str, assume: dict
) -> None:
    """The subprocess test in test_cli_simulate.py, in-process and over 12 draws: sums in a
    different order must still print the same fen (traffic subsidies often end on half a fen)."""
    sc = with_assume(shipped(name), **assume)
    for k in range(0, 1500, 125):
        out = tmp_path / f"d{k}"
        engine = export_draw(sc, 8, k, out)
        ledger = load_ledger(out / "recognitions.csv", out / "sales.csv", sc.params)
        rules = cost_ledger(ledger, sc.params, sc.assumptions).to_dict()
        for key in ("total_yuan", "by_instrument", "by_year", "by_prefecture"):
            assert engine[key] == rules[key], (k, key)


# --- common random numbers across policy variants ----------------------------------------------


def test_austerity_pays_exactly_half_of_baseline_in_every_draw(baseline_runs) -> None:
    base, half = baseline_runs["baseline"].outlay, baseline_runs["austerity"].outlay
    assert np.array_equal(base.total, 2 * half.total)
    assert np.array_equal(half.total, base.total * 0.5)
    for part in ("by_instrument", "by_year", "by_prefecture"):
        assert np.array_equal(getattr(base, part), 2 * getattr(half, part)), part
    assert base.total.min() > 0


@pytest.mark.parametrize("variant", ["austerity", "traffic_excess", "no_traffic_subsidy"])
def test_policy_variants_share_the_worlds(baseline_runs, variant: str) -> None:
    base, other = baseline_runs["baseline"], baseline_runs[variant]
    for t in TARGETS:
        assert np.array_equal(base.targets[t], other.targets[t]), t
    assert np.array_equal(base.online_retail_path, other.online_retail_path)
    assert np.array_equal(base.recognized_path, other.recognized_path)


def test_traffic_variants_differ_only_in_the_traffic_subsidy(baseline_runs) -> None:
    base = baseline_runs["baseline"].outlay.by_instrument
    traffic = INSTRUMENTS.index("traffic")
    rest = [i for i in range(len(INSTRUMENTS)) if i != traffic]
    excess = baseline_runs["traffic_excess"].outlay.by_instrument
    none = baseline_runs["no_traffic_subsidy"].outlay.by_instrument
    assert np.array_equal(base[:, rest], excess[:, rest])
    assert np.array_equal(base[:, rest], none[:, rest])
    assert np.all(none[:, traffic] == 0)
    assert np.all(excess[:, traffic] <= base[:, traffic])
    assert np.any(excess[:, traffic] < base[:, traffic])


# --- probabilities -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["baseline", "optimistic", "pessimistic"])
def test_p_all_met_is_at_most_every_p_met(name: str) -> None:
    s = summarize(simulate(shipped(name), draws=DRAWS, seed=2))
    assert 0 <= s.p_all_met <= min(s.targets[t].p_met for t in TARGETS)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), draws=st.integers(1, 1500))
def test_summary_is_coherent_for_any_seed(seed: int, draws: int) -> None:
    s = summarize(simulate(shipped("baseline"), draws=draws, seed=seed))
    for t in TARGETS:
        row = s.targets[t]
        assert 0 <= row.p_met <= 1 and row.p_met_se >= 0
        assert row.p5 <= row.p50 <= row.p95
        assert s.p_all_met <= row.p_met
    b = s.budget
    for value in [b.total, *b.by_year.values(), *b.by_instrument.values()]:
        assert 0 <= value.p5 <= value.p50 <= value.p95
    assert all(0 <= p <= 1 for p in b.p_over_appropriation.values())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draws=st.integers(1, 2 * BLOCK + 300), chunk=st.integers(1, 4 * BLOCK))
def test_chunk_invariance_for_any_sizes(draws: int, chunk: int) -> None:
    sc = shipped("pessimistic")
    assert_same_draws(
        simulate(sc, draws=draws, seed=4, chunk=chunk),
        simulate(sc, draws=draws, seed=4, chunk=BLOCK),
    )


@given(
    st.lists(st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False), min_size=1, max_size=50)
)
def test_band_is_ordered(values: list[float]) -> None:
    b = band(np.array(values))
    assert b["p5"] <= b["p50"] <= b["p95"]
    assert min(values) <= b["p5"] and b["p95"] <= max(values)


# --- observations ------------------------------------------------------------------------------


def test_an_observation_pins_its_year() -> None:
    """observed.yaml: baseline with 2024 online retail = 800亿 and 4 parks recognized in 2023."""
    obs, base = fixture("observed"), shipped("baseline")
    r, b = simulate(obs, draws=DRAWS, seed=6), simulate(base, draws=DRAWS, seed=6)
    # 2024 is the observed value in every draw; earlier years are drawn as before; 2025 grows
    # from the observed level, so it still varies
    assert np.all(r.online_retail_path[:, 2] == np.float32(8.0e10))
    assert np.array_equal(r.online_retail_path[:, :2], b.online_retail_path[:, :2])
    assert np.unique(r.online_retail_path[:, 3]).size > 100
    assert np.unique(b.online_retail_path[:, 2]).size > 100

    worlds = [w for _, w in simulate_worlds(obs, 6, DRAWS)]
    assert all(np.all(w.online_retail_path[:, 2] == 8.0e10) for w in worlds)
    park = 0  # CATEGORIES[0]
    parks_2023 = np.concatenate([w.approvals[:, park, :, 0] for w in worlds])  # (n, P)
    assert np.all(parks_2023.sum(axis=1) == 4)
    # split by the shares with largest remainder: 贵阳 0.30 → 1.2, 遵义 0.17 → 0.68, 毕节 0.10 →
    # 0.4, 黔东南 0.09 → 0.36, …: floors give 贵阳 1; the 3 left go to 遵义, 毕节, 黔东南
    expected = dict.fromkeys(prefectures.NAMES_ZH, 0)
    expected.update({"贵阳市": 1, "遵义市": 1, "毕节市": 1, "黔东南州": 1})
    assert np.all(parks_2023 == [expected[p] for p in prefectures.NAMES_ZH])
    later = np.concatenate([w.approvals[:, park, :, 1:].sum(axis=(1, 2)) for w in worlds])
    assert np.unique(later).size > 3  # other years are still drawn
    # the observation feeds the outlay: 4 parks' awards in 2023 in every draw
    assert np.all(r.outlay.by_instrument[:, 0] >= 4 * 300 * WAN)


def test_recognitions_observed_every_year_pin_the_count() -> None:
    """The degenerate fixture observes every year; its applications would add none anyway, so
    raise the approval probability: observed years must still ignore the draws."""
    sc = fixture("degenerate").with_uncertainty(
        "recognition.park.approval_probability",
        Distribution("fixed", {"value": 1.0}, "test", "probability"),
    )
    r = simulate(sc, draws=200, seed=1)
    assert np.all(r.targets["parks"] == 10)
