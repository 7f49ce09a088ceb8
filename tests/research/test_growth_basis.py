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


# --- the provincial basis (issue 8 item 4) ----------------------------------------------------


def test_provincial_file_is_sourced_and_holds_no_guizhou_plan_years() -> None:
    from sbqw_model.research.basis import provincial_growth

    every = provincial_growth(used_only=False)
    assert every["source_url"].str.startswith("http").all()
    assert (every["source_title"].str.len() > 10).all()
    assert set(every["confidence"]) <= {"high", "medium", "low"}
    # Guizhou's 2023–2025 figures are held back to check calibration: never in the basis
    guizhou = every[every["province"] == "Guizhou"]
    assert not guizhou["year"].str.contains("2023|2024|2025").any()
    used = provincial_growth()
    assert (used["period"] == "full year").all() and (used["measure"] == "online_retail").all()
    assert len(used) >= 5 and used["province"].nunique() >= 4


def test_no_figure_the_model_uses_is_from_the_plans_own_years() -> None:
    """A forecast made at the plan's start uses figures up to 2022 only, from any province or
    series: a later one (another province's 2023 growth, which also tells the 2023 climate) is
    kept for the record, never used, and the reports' data note says 2022."""
    import re

    from sbqw_model.parameters import default_parameters
    from sbqw_model.shipped import data_years

    first_plan_year = default_parameters().value("plan.first_year")
    for name, (_, last) in data_years().items():
        assert last < first_plan_year, name
    from sbqw_model.research.basis import national_growth, provincial_growth

    for frame in (provincial_growth(), national_growth()):
        years = [int(y) for v in frame["year"].astype(str) for y in re.findall(r"\d{4}", v)]
        assert max(years) < first_plan_year


def test_provincial_basis_by_hand() -> None:
    import statistics

    from sbqw_model.research.basis import THIN_SOURCES_WIDENING, provincial_basis

    b = provincial_basis()
    # up to 2022, without small-base Tibet: 44.8, 27.6, 13.05, 20.2 → median (20.2 + 27.6) / 2
    assert b.central_median == pytest.approx(0.239)
    assert b.figures == 5
    # only Xinjiang has more than one full-year figure outside Tibet
    assert b.within_sd == pytest.approx(statistics.stdev([0.448, 0.276]))
    assert b.guizhou_floor == pytest.approx(3 ** (1 / 6) - 1)
    assert b.mean_band == (b.national.recent_mean, pytest.approx(0.239))
    assert b.noise_band[1] == pytest.approx(b.within_sd * THIN_SOURCES_WIDENING)
    # 1000 亿 in 2025 at 20 %/yr starts from 1000 / 1.2^3 ≈ 578.7 亿
    assert b.level_2022_implied(0.2) == pytest.approx(1.0e11 / 1.728)
    assert "23.9%" in b.describe("en") and "23.9%" in b.describe("zh")


def test_shipped_growth_uncertainty_follows_the_provincial_basis() -> None:
    from sbqw_model.research.basis import provincial_basis

    b = provincial_basis()
    low, high = b.mean_band
    base = load_scenario(BASELINE).uncertainties
    growth = base["online_retail.growth"]
    assert low <= growth.mean <= high
    lo2, hi2 = growth.bounds
    assert lo2 <= low and hi2 >= high
    noise = base["online_retail.growth_noise"]
    nlo, nhi = b.noise_band
    assert noise.params["low"] <= nlo + 0.005 and noise.params["high"] >= nhi - 0.005
    for name in ("baseline", "optimistic", "pessimistic"):
        sc = load_scenario(ROOT / "sbqw_model" / "scenarios" / f"{name}.yaml")
        for path in ("online_retail.growth", "online_retail.growth_noise"):
            source = sc.uncertainties[path].source
            assert "sbqw_model/data/" in source and "shared/" not in source, (name, path)
        assert low - 0.01 <= sc.uncertainties["online_retail.growth"].mean <= high + 0.01
