"""The online retail target's odds by the 2022 starting level (``start_level``): the figure the
model assumes and the department knows, so the report tables the odds by it."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from sbqw_model.engine import simulate
from sbqw_model.reporting.fragments import visible_text
from sbqw_model.reporting.scenario_report import ScenarioReport
from sbqw_model.research.observations import load_observed
from sbqw_model.scenario import load_scenario
from sbqw_model.start_level import LEAST_WORLDS, odds_by_start, readable_step

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"


@pytest.mark.parametrize(
    ("raw", "step"), [(0.9, 1.0), (1.0, 1.0), (1.1, 2.0), (3.0, 5.0), (6.0, 10.0), (1.1e10, 2e10)]
)
def test_window_edges_are_numbers_a_reader_says(raw: float, step: float) -> None:
    assert readable_step(raw) == pytest.approx(step)


def test_odds_by_start_by_hand() -> None:
    """Levels 0…999 (one world each), the target met from 500: the middle 98 % (9.99–989.01)
    in five makes 195.8, read as 200; windows 0–200 … 800–1000 of 200 worlds each; in 400–600
    the worlds 500–599 meet it: 100 of 200."""
    start = np.arange(1000, dtype=float)
    windows = odds_by_start(start, start >= 500)
    assert [(w.low, w.high, w.worlds) for w in windows] == [
        (0, 200, 200), (200, 400, 200), (400, 600, 200), (600, 800, 200), (800, 1000, 200)
    ]  # fmt: skip
    assert [w.p_met for w in windows] == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_thin_windows_and_a_fixed_level_show_nothing() -> None:
    assert odds_by_start(np.full(5000, 6e10), np.ones(5000, bool)) == []
    few = odds_by_start(np.arange(LEAST_WORLDS * 5 - 5, dtype=float), np.ones(495, bool))
    assert all(w.worlds >= LEAST_WORLDS for w in few) and len(few) < 5


@given(st.lists(st.floats(1e9, 1e12), min_size=1, max_size=400), st.integers(0, 2**32 - 1))
def test_windows_are_ordered_disjoint_and_say_their_worlds(levels: list[float], seed: int) -> None:
    start = np.asarray(levels)
    met = np.random.default_rng(seed).random(start.size) < 0.5
    windows = odds_by_start(start, met)
    for a, b in itertools.pairwise(windows):
        assert a.high <= b.low
    for w in windows:
        inside = (start >= w.low) & (start < w.high)
        assert w.worlds == inside.sum() >= LEAST_WORLDS
        assert w.p_met == pytest.approx(met[inside].mean())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_tables_the_odds_by_an_assumed_level_only(tmp_path: Path, lang: str) -> None:
    """Assumed (the shipped baseline): a row a window, the odds rising with the level (growth is
    drawn apart from it: from under 10 % at 400–500 亿 to over 70 % at 700–800 亿, 2 000 draws).
    Given as the department's figure: no table, the level is known."""
    plain = load_scenario(BASELINE)
    report = ScenarioReport(plain, simulate(plain, draws=2000, seed=0), lang, BASELINE)
    text = visible_text(str(report.data_note()))
    assert ("2022年网络零售额（起点）" if lang == "zh" else "2022 online retail") in text
    start = report.results.online_retail_path[:, 0]
    odds = [w.p_met for w in odds_by_start(start, report.results.met()["online_retail"])]
    assert len(odds) >= 4 and odds == sorted(odds) and odds[0] < 0.1 and odds[-1] > 0.7, odds
    observed = tmp_path / "level.csv"
    observed.write_text(
        "year,indicator,value,source\n2022,online_retail,6.5e10,商务厅\n", encoding="utf-8"
    )
    known = load_observed(observed, plain)
    report = ScenarioReport(known, simulate(known, draws=500, seed=0), lang, BASELINE)
    assert "（起点）" not in visible_text(str(report.data_note()))
    assert "starting level)" not in visible_text(str(report.data_note()))


def test_a_report_made_from_a_summary_has_its_data_note_without_the_table() -> None:
    """The comparison reuses the scenario reports' summaries (no worlds): its data note is
    drawn all the same (the table needs the worlds; it failed the comparison report)."""
    from sbqw_model.summary import summarize

    plain = load_scenario(BASELINE)
    summary = summarize(simulate(plain, draws=200, seed=0))
    report = ScenarioReport(plain, None, "zh", BASELINE, summary=summary)
    text = visible_text(str(report.data_note()))
    assert "--observed" in text and "（起点）" not in text


def test_no_table_once_a_plan_year_of_online_retail_is_observed(tmp_path: Path) -> None:
    """An observed 2023 ties the 2022 level to the growth (a high level then means slow growth:
    the rows fell from 55 % to 31 % as the level rose), so the rows would not be the odds of a
    level with growth as assumed: the table is left out."""
    observed = tmp_path / "y2023.csv"
    observed.write_text(
        "year,indicator,value,source\n2023,online_retail,7.2e10,商务厅\n", encoding="utf-8"
    )
    scenario = load_observed(observed, load_scenario(BASELINE))
    report = ScenarioReport(scenario, simulate(scenario, draws=1000, seed=0), "zh", BASELINE)
    assert "（起点）" not in visible_text(str(report.data_note()))
