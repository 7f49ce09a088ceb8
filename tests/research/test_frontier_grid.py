"""The policy frontier, checked by hand: a synthetic table, then a real grid on ``levers.yaml``.

In ``levers.yaml`` everything is fixed, 10 parks, 100 bases, 500 enterprises and 500 teams are
recognized in 2023 (every count target met), products reach 13 500 and there are no firms, so
the outlay is the one-time awards alone: A × payout_share with
A = 10·award(park) + 100·award(base) + 500·award(enterprise) + 500·award(team).
Growth loses 0.1 × (1 − payout_share): only payout 1.0 keeps online retail at 1.0112e11 ≥ 1e11.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from research_helpers import LEVERS, sbqw, write

from sbqw_model.errors import InputError
from sbqw_model.parameters import default_parameters
from sbqw_model.research.frontier import efficient, frontiers
from sbqw_model.research.sweep import load_sweep, run_sweep


def table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "point",
            "assumptions.payout_share",
            "budget.total.p95",
            "p_all_met",
            "p_all_met_se",
        ],
    )


def test_frontier_of_a_hand_made_table() -> None:
    t = table(
        [
            (0, 0.25, 100.0, 0.10, 0.01),
            (1, 0.50, 200.0, 0.50, 0.01),
            (2, 0.60, 250.0, 0.40, 0.01),  # dearer than 1 and worse: dominated
            (3, 0.75, 300.0, 0.85, 0.01),
            (4, 0.80, 300.0, 0.85, 0.01),  # an exact tie with 3: only the first is kept
            (5, 1.00, 400.0, 0.90, 0.01),
            (6, 0.90, 350.0, 0.82, 0.01),  # dearer than 3 and worse: dominated
        ]
    )
    (f,) = frontiers(t, 0.8)
    assert list(f.frontier["point"]) == [0, 1, 3, 5]
    assert int(f.cheapest["point"]) == 3
    (f,) = frontiers(t, 0.88)
    assert int(f.cheapest["point"]) == 5
    (f,) = frontiers(t, 0.95)
    assert f.cheapest is None and int(f.best["point"]) == 5


def test_near_threshold_flag() -> None:
    (f,) = frontiers(table([(0, 1.0, 10.0, 0.81, 0.02)]), 0.8)
    assert f.near_threshold()
    (f,) = frontiers(table([(0, 1.0, 10.0, 0.90, 0.02)]), 0.8)
    assert not f.near_threshold()


def test_efficient_mask_is_pareto() -> None:
    rng = np.random.default_rng(0)
    cost, p = rng.random(200), rng.random(200)
    mask = efficient(cost, p)
    for i in np.flatnonzero(mask):
        assert not ((cost <= cost[i]) & (p >= p[i]) & ((cost < cost[i]) | (p > p[i]))).any()
    for i in np.flatnonzero(~mask):
        assert ((cost <= cost[i]) & (p >= p[i])).sum() > 1


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("frontier")
    path = write(
        folder / "grid.yaml",
        f"base: {LEVERS.as_posix()}\nmode: grid\ndraws: 500\nfactors:\n"
        "  assumptions.payout_share: {values: [0.25, 0.5, 1.0]}\n"
        "  assumptions.traffic_base: {values: [all, excess]}\n",
    )
    run_sweep(load_sweep(path), folder / "out", workers=1, progress=False)
    return folder / "out"


def test_frontier_of_a_real_grid_by_hand(grid: Path) -> None:
    params = default_parameters()
    counts = {"park": 10, "base": 100, "enterprise": 500, "team": 500}
    a = sum(n * params.value(f"awards.{c}") for c, n in counts.items())
    code, out, err = sbqw("frontier", grid, "--format", "json")
    assert code == 0, err
    (f,) = json.loads(out)["frontiers"]
    # points: 0 (0.25, all), 1 (0.25, excess), 2 (0.5, all), 3 (0.5, excess), 4 (1, all), 5 …
    assert [s["point"] for s in f["frontier"]] == [0, 4]
    assert f["frontier"][0]["cost_yuan"] == pytest.approx(0.25 * a)
    assert f["frontier"][0]["p"] == 0
    assert f["cheapest"] == {
        "point": 4,
        "levers": {"assumptions.payout_share": 1.0, "assumptions.traffic_base": "all"},
        "cost_yuan": pytest.approx(a),
        "p": 1.0,
        "p_se": 0.0,
    }


def test_none_reaching_exits_1_with_a_clear_message(grid: Path, tmp_path: Path) -> None:
    results = pd.read_parquet(grid / "results.parquet")
    results["p_all_met"] = results["p_all_met"] * 0.5
    lower = tmp_path / "lower.csv"
    results.to_csv(lower, index=False)
    code, out, _ = sbqw("frontier", lower, "--min-probability", "0.8")
    assert code == 1
    assert "没有方案达到 No setting reaches P ≥ 80%" in out
    assert "point 4 (payout_share=100%, traffic_base=all) P = 50.0% ± 0.0%" in out
    code, out, _ = sbqw("frontier", lower, "--min-probability", "0.5")
    assert code == 0 and "最低预算方案 Cheapest reaching P ≥ 50%: point 4" in out


def test_the_old_target_p_flag_still_works_unlisted(grid: Path, tmp_path: Path) -> None:
    """Scripts written before the rename keep working; --help shows one name per meaning."""
    results = pd.read_parquet(grid / "results.parquet")
    results["p_all_met"] = results["p_all_met"] * 0.5
    lower = tmp_path / "lower.csv"
    results.to_csv(lower, index=False)
    for p, code_expected in (("0.8", 1), ("0.5", 0)):
        new = sbqw("frontier", lower, "--min-probability", p, "--format", "json")
        old = sbqw("frontier", lower, "--target-p", p, "--format", "json")
        assert new[0] == old[0] == code_expected
        assert json.loads(old[1]) == json.loads(new[1])
        assert json.loads(old[1])["min_probability"] == float(p)
    code, _, err = sbqw("frontier", lower, "--target-p", "1.5")
    assert code == 2 and "1.5" in err
    code, out, _ = sbqw("frontier", "--help")
    assert code == 0 and "--min-probability" in out and "--target-p" not in out


def test_non_lever_factors_get_a_frontier_each(tmp_path: Path) -> None:
    t = table([(0, 0.5, 1.0, 0.1, 0.0), (1, 1.0, 2.0, 0.2, 0.0)] * 2)
    t["point"] = range(4)
    t["behaviour.growth_response_to_payout_share"] = [0.0, 0.0, 0.1, 0.1]
    found = frontiers(t, 0.15)
    assert [f.group for f in found] == [
        {"behaviour.growth_response_to_payout_share": 0.0},
        {"behaviour.growth_response_to_payout_share": 0.1},
    ]
    t["behaviour.growth_response_to_payout_share"] = [0.0, 0.1, 0.2, 0.3]
    with pytest.raises(InputError, match="no two lever settings share a world"):
        frontiers(t, 0.15)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d, "no results.parquet or results.csv in this folder"),
        (lambda d: d / "nothing.parquet", "no such sweep results file or folder"),
        (lambda d: write(d / "t.csv", "point,x\n0,1\n"), "no column `budget.total.p95`"),
        (lambda d: write(d / "t.txt", "x"), "expected a .parquet or .csv results table"),
    ],
)
def test_bad_results_are_clear(make, fragment: str, tmp_path: Path) -> None:
    code, _, err = sbqw("frontier", make(tmp_path))
    assert code == 2 and fragment in err and "Traceback" not in err
