"""Chart axes a leader reads against the tables: every axis says what its numbers count, in the
unit the tables beside it use, with the tables' thousands separators."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from conftest import ROOT
from matplotlib.collections import PolyCollection

from sbqw_model.engine import simulate
from sbqw_model.reporting import charts
from sbqw_model.reporting.i18n import t
from sbqw_model.scenario import load_scenario

BASELINE = ROOT / "sbqw_model" / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def results() -> Any:
    return simulate(load_scenario(BASELINE), draws=200, seed=0)


def _ticks(fig: charts.Figure) -> list[str]:
    fig.canvas.draw()
    return [x.get_text() for x in fig.axes[0].get_yticklabels() if x.get_text()]


@pytest.mark.parametrize(("lang", "unit"), [("zh", "模拟情形数"), ("en", "simulated worlds")])
def test_the_outlay_histogram_says_what_its_heights_count(results: Any, lang, unit) -> None:
    """Its bars are counts of simulated worlds: 0 … 140 under no label read as 万元 or %."""
    fig = charts.outlay_distribution(results, lang)
    assert fig.axes[0].get_ylabel() == unit
    (bars,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    heights = [p.vertices[:, 1].max() for p in bars.get_paths()]
    assert sum(heights) == 200, "the heights are counts of the 200 worlds"


def test_the_online_retail_chart_in_chinese_separates_thousands_as_the_table_does(
    results: Any,
) -> None:
    """The table shows 1,000亿元; the axis beside it showed '1000'."""
    fig = charts.fan_chart(results, "zh")
    assert fig.axes[0].get_ylabel() == "亿元"
    ticks = _ticks(fig)
    assert "1,000" in ticks and "1000" not in ticks, ticks


def test_the_online_retail_chart_in_english_uses_the_tables_unit(results: Any) -> None:
    """The English tables and the chart's own target line say ¥bn (target ¥100bn, median
    ¥94bn); the axis said '100 million yuan' with the target at 1,000. In billion yuan the
    target line sits at 100 and the 2025 median at the table's figure."""
    fig = charts.fan_chart(results, "en")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "billion yuan"
    target = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_ydata()[0] for line in target] == [100.0]
    median = next(line for line in ax.get_lines() if line.get_marker() == "o")
    expected = np.percentile(results.online_retail_path[:, -1].astype(float), 50) / 1e9
    assert median.get_ydata()[-1] == pytest.approx(expected)
    assert all("," in x or len(x.replace("−", "")) <= 3 for x in _ticks(fig))


WAN_NUMBER = r"\d{1,3}(,\d{3})*(\.\d+)?"


def _wan_axes(fig: charts.Figure, lang: str) -> list[list[str]]:
    """The tick labels of every axis labelled in 万元 (10,000 yuan)."""
    fig.canvas.draw()
    unit = t("wan_yuan", lang)
    return [
        [x.get_text() for x in axis.get_ticklabels() if x.get_text()]
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        if unit in axis.get_label_text()
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_wan_axis_reads_as_the_tables_do(results: Any, lang: str) -> None:
    """Every 万元 axis of the report charts writes its numbers as the tables beside it
    (5,000, not 5000); and one under 1 万元 (0.05 to 0.6 万元) shows its ticks, not
    '0, 0, 0, 1' as '{x:,.0f}' did."""
    bands = np.array([[5_000.0, 10_000.0, 15_000.0], [20_000.0, 40_000.0, 60_000.0]])
    figures = [
        charts.budget_by_year_chart(results, lang),
        charts.outlay_distribution(results, lang),
        charts.prefecture_chart(results, lang),
        charts.compare_budgets(["a", "b"], bands * 1e4, lang),  # 5,000 – 60,000 万元
        charts.compare_budgets(["a", "b"], bands / 10, lang),  # 0.05 – 0.6 万元
    ]
    axes = [ticks for fig in figures for ticks in _wan_axes(fig, lang)]
    assert len(axes) == len(figures), axes
    for ticks in axes:
        assert all(re.fullmatch(WAN_NUMBER, x) for x in ticks), ticks
        assert len(set(ticks)) == len(ticks), ticks  # no two ticks read alike
    assert any("," in x for x in axes[3]), axes[3]


def test_grouped_numbers_have_separators_and_the_decimals_their_ticks_need() -> None:
    from sbqw_model.reporting.chart_text import grouped

    assert grouped(4000.0, [0.0, 2000.0, 4000.0]) == "4,000"
    assert grouped(12500.0, [10000.0, 12500.0, 15000.0]) == "12,500"
    assert [grouped(v, [0.0, 0.5, 1.0]) for v in (0.0, 0.5, 1.0)] == ["0.0", "0.5", "1.0"]
    assert grouped(0.25, [0.0, 0.25, 0.5]) == "0.25"
    assert grouped(-0.0, [-0.0, 1.0]) == "0"
