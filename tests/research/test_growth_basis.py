"""The shipped national growth series is the documented basis of the growth uncertainty."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from research_helpers import BASELINE, ROOT

from sbqw_model.research.basis import growth_basis, national_growth
from sbqw_model.scenario import load_scenario

SHARED = ROOT / "sbqw_model" / "data" / "public_statistics_to_2022.csv"


def test_series_has_one_sourced_figure_per_year() -> None:
    series = national_growth()
    assert list(series["year"]) == [2016, 2018, 2020, 2021, 2022]
    assert series["source_url"].str.startswith("http").all()
    assert set(series["confidence"]) <= {"high", "medium"}


def test_basis_figures() -> None:
    basis = growth_basis()
    assert basis.recent_mean == pytest.approx((0.109 + 0.141 + 0.040) / 3)
    assert basis.long_mean == pytest.approx((0.256 + 0.301 + 0.109 + 0.141 + 0.040) / 5)
    assert basis.band == (basis.recent_mean, basis.long_mean)
    assert "9.7%–16.9%" in basis.describe("en")


def test_shipped_baseline_growth_mean_lies_in_the_documented_band() -> None:
    dist = load_scenario(BASELINE).uncertainties["online_retail.growth"]
    low, high = growth_basis().band
    assert low <= dist.mean <= high
    lo2, hi2 = dist.bounds  # mean ± 2 sd covers both anchors
    assert lo2 <= low and hi2 >= high


def test_series_copies_the_shared_data() -> None:
    with SHARED.open(encoding="utf-8") as handle:
        shared = {(r["indicator"], r["year"]): r for r in csv.DictReader(handle)}
    for row in national_growth(used_only=False).itertuples():
        matches = [
            r
            for (indicator, year), r in shared.items()
            if year.startswith(str(row.year))
            and "growth" in indicator
            and float(r["value"]) == row.growth_pct
            and r["source_url"] == row.source_url
        ]
        assert matches, row


def test_data_file_is_package_data() -> None:
    import sbqw_model

    assert (
        Path(sbqw_model.__file__).parent / "data" / "national_online_retail_growth.csv"
    ).is_file()
