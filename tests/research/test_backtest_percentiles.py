"""Backtest percentiles on a degenerate scenario, checked by hand, and bad observation files.

``degenerate.yaml`` forecasts one number per year (see the file): online retail 6.0e10 × 1.25^k,
products 4000 × 1.5^k, no new recognitions. A figure equal to the forecast is at percentile 50
(ties count half) and inside both intervals; below it, 0; above it, 100 and outside.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from research_helpers import BASELINE, DEGENERATE, sbqw, write

from sbqw_model.errors import InputError
from sbqw_model.parameters import default_parameters
from sbqw_model.research.backtest import percentile_of, run_backtest
from sbqw_model.research.observations import read_observations, with_observations
from sbqw_model.scenario import load_scenario

HEADER = "year,indicator,value,source\n"
FIGURES = (
    HEADER
    + "2022,online_retail,6.0e10,test\n"  # = forecast: 50
    + "2023,online_retail,8.0e10,test\n"  # forecast 7.5e10: above, 100
    + "2024,online_retail,1.0e11,test\n"  # prior 9.375e10 → 100; after 2023's 8e10: 1e11 → 50
    + "2023,products,5000,test\n"  # forecast 6000: below, 0
    + "2025,recognized.park,0,test\n"  # forecast 0: 50
)


def test_percentile_of_counts_ties_half() -> None:
    import numpy as np

    sample = np.array([1.0, 2.0, 2.0, 3.0])
    assert percentile_of(sample, 2.0) == 50
    assert percentile_of(sample, 0.0) == 0
    assert percentile_of(sample, 9.0) == 100
    assert percentile_of(sample, 2.5) == 75


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("prior", [50, 100, 100, 0, 50]),
        ("sequential", [50, 100, 50, 0, 50]),
    ],
)
def test_degenerate_percentiles_by_hand(mode: str, expected: list[float], tmp_path: Path) -> None:
    path = write(tmp_path / "obs.csv", FIGURES)
    scenario = load_scenario(DEGENERATE)
    observed = read_observations(path, scenario.params)
    result = run_backtest(scenario, observed, draws=600, seed=0, mode=mode)
    assert [c.percentile for c in result.checks] == expected
    inside = [c.percentile == 50 for c in result.checks]
    assert [c.in50 for c in result.checks] == inside
    assert [c.in90 for c in result.checks] == inside
    assert result.coverage(50) == pytest.approx(sum(inside) / 5)


def test_cli_backtest_json_table_and_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "obs.csv", FIGURES)
    code, out, err = sbqw(
        "backtest", DEGENERATE, "--observed", path, "--draws", "500", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] == "sequential" and data["coverage_50"] == pytest.approx(3 / 5)
    assert data["figures"][2]["p50"] == pytest.approx(1.0e11)
    code, out, _ = sbqw("backtest", DEGENERATE, "--observed", path, "--draws", "500")
    assert code == 0
    assert "网络零售额 online_retail" in out and "800.00 亿元" in out
    assert "覆盖率 Coverage: 50%区间 interval 3 / 5 (60%, 名义 nominal 50%)" in out
    target = tmp_path / "bt.csv"
    code, _, _ = sbqw(
        "backtest",
        DEGENERATE,
        "--observed",
        path,
        "--draws",
        "500",
        "--format",
        "csv",
        "--out",
        target,
    )
    assert code == 0 and target.read_text(encoding="utf-8-sig").startswith(
        "year,indicator,value,source,percentile"
    )
    as_json = tmp_path / "bt.json"  # the suffix chooses the format, as for `sbqw cost`
    code, _, _ = sbqw(
        "backtest", DEGENERATE, "--observed", path, "--draws", "500", "--out", as_json
    )
    assert code == 0 and as_json.read_text().lstrip().startswith("{")
    for wrong, extra in (("bt.xlsx", []), ("bt.pdf", []), ("bt2.json", ["--format", "csv"])):
        code, _, err = sbqw(
            "backtest", DEGENERATE, "--observed", path, "--out", tmp_path / wrong, *extra
        )
        assert code == 2 and ("unknown suffix" in err or "not --format csv" in err), err
        assert not (tmp_path / wrong).exists()


def test_observations_replace_draws() -> None:
    scenario = load_scenario(BASELINE)
    from sbqw_model.scenario import Observation

    conditioned = with_observations(
        scenario,
        [Observation(2022, "online_retail", 7.0e10, "x"), Observation(2024, "products", 9e3, "y")],
    )
    assert conditioned.uncertainties["online_retail.level_2022"].params == {"value": 7.0e10}
    assert conditioned.observed("products") == {2024: 9e3}
    assert scenario.uncertainties["online_retail.level_2022"].dist == "triangular", "a copy"


BAD = {
    "unknown column": (
        "year,indicatr,value,source\n2023,online_retail,1,x\n",
        ["unknown column `indicatr` (did you mean `indicator`?)", "missing column `indicator`"],
    ),
    "bad cells": (
        HEADER
        + "2021,online_retail,1,x\n"
        + "2023,onlne_retail,1,x\n"
        + "2024,products,-3,x\n"
        + "2022,recognized.park,1,x\n"
        + "2025,products,7,\n"
        + "2024,products,4,x\n",
        [
            "row 2, column year: expected a year 2022–2025 (2022 only for online_retail and"
            " products), got '2021'",
            "row 3, column indicator: unknown indicator 'onlne_retail' (did you mean"
            " `online_retail`?)",
            "row 4, column value: expected a non-negative number",
            "row 5, column year: expected a year 2023–2025, got '2022'",
            "row 6, column source: empty; say where the figure comes from",
        ],
    ),
    "duplicate": (
        HEADER + "2023,products,1,x\n2023,products,2,y\n",
        ["row 3: products in 2023 appears twice (first at row 2)"],
    ),
    "empty": ("", ["the file is empty"]),
    "header only": (HEADER, ["no figures"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_observation_files(case: str, tmp_path: Path) -> None:
    text, fragments = BAD[case]
    path = write(tmp_path / "obs.csv", text)
    with pytest.raises(InputError) as info:
        read_observations(path, default_parameters())
    joined = "\n".join(info.value.problems)
    for fragment in fragments:
        assert fragment in joined, (fragment, joined)
    assert all(p.startswith(str(path)) for p in info.value.problems)
    code, out, err = sbqw("backtest", DEGENERATE, "--observed", path)
    assert code == 2 and out == "" and "Traceback" not in err


def test_missing_file_and_bad_scenario_together(tmp_path: Path) -> None:
    code, _, err = sbqw("backtest", tmp_path / "none.yaml", "--observed", tmp_path / "none.csv")
    assert code == 2
    assert "none.yaml" in err and "none.csv: observations file not found" in err


def test_shipped_example_observations_are_valid() -> None:
    from research_helpers import ROOT

    files = sorted((ROOT / "observations").glob("*.csv"))
    assert files
    for path in files:
        assert read_observations(path, default_parameters())


def test_cli_backtest_csv_says_what_produced_it(tmp_path: Path) -> None:
    """The CSV is the only file a backtest writes: it carried no scenario, mode, draws, seed or
    version, so two files of different runs could not be told apart."""
    import pandas as pd

    from sbqw_model import __version__

    path = write(tmp_path / "obs.csv", FIGURES)
    target = tmp_path / "bt.csv"
    args = ("backtest", DEGENERATE, "--observed", path, "--draws", "500", "--seed", "7")
    code, _, err = sbqw(*args, "--mode", "prior", "--out", target)
    assert code == 0, err
    table = pd.read_csv(target)
    assert table.columns[:5].tolist() == ["year", "indicator", "value", "source", "percentile"]
    tail = ["scenario", "mode", "draws", "seed", "sbqw_version"]
    assert table.columns[-5:].tolist() == tail
    assert set(table["mode"]) == {"prior"} and set(table["draws"]) == {500}
    assert set(table["seed"]) == {7} and set(table["sbqw_version"]) == {__version__}
    assert table["scenario"].nunique() == 1
    code, out, _ = sbqw(*args, "--format", "json")
    assert code == 0 and json.loads(out)["sbqw_version"] == __version__
