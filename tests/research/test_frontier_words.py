"""The sensitivity notebook's frontier names a lever's reading in words, not its file value."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from sbqw_model.research.frontier import Frontier
from sbqw_model.research.notebook import SensitivityReport


def _frontier_text(lang: str) -> str:
    settings = pd.DataFrame(
        {
            "point": [0, 1],
            "assumptions.payout_share": [0.25, 0.5],
            "assumptions.traffic_base": ["excess", "all"],
            "budget.total.p95": [4.731e7, 9e7],
            "p_all_met": [0.025, 0.025],
            "on_frontier": [True, False],
        }
    )
    levers = ["assumptions.payout_share", "assumptions.traffic_base"]
    group = {"assumptions.sales_award_mode": "top_up"}
    front = Frontier(group, levers, settings, 0.01, "budget.total.p95", "p_all_met")
    report = SensitivityReport.__new__(SensitivityReport)
    report.lang, report.fronts, report.frontier_source = lang, [front], "grid"
    text = re.sub(r"<[^>]+>", " ", str(report.frontier_text()))
    return re.sub(r"\s+", " ", html.unescape(text))


def test_a_reading_of_the_text_is_said_in_words() -> None:
    """Before: the row read '25%, excess' under the header '支付比例 / 流量补贴计算基数', and the
    answer '支付比例 25%, 流量补贴计算基数 excess' (a half-width comma in Chinese)."""
    zh = _frontier_text("zh")
    assert "支付比例 / 流量补贴计算基数" in zh and "25% / 超过1亿元的部分" in zh, zh
    assert "支付比例 25%、流量补贴计算基数 超过1亿元的部分" in zh, zh
    assert "销售额奖励计发方式：补差奖励" in zh, zh  # was "… = 补差奖励": no ASCII marks in zh
    assert not re.search(r"[\u4e00-\u9fff%]\s*[,=;]|[,=;]\s*[\u4e00-\u9fff]", zh), zh
    assert "excess" not in zh and "top_up" not in zh, zh
    en = _frontier_text("en")
    assert "excess" not in en.replace("excess above", "") and "top_up" not in en, en


def _reformed_frontier_text(lang: str) -> tuple[str, str]:
    """A sweep whose base scenario raised traffic.threshold to 5亿元 and which varies it (2亿元
    at point 0, the base's at point 1): (the frontier block's text, the chart's legend)."""
    from sbqw_model.parameters import default_parameters
    from sbqw_model.research import charts
    from sbqw_model.research.frontier import frontiers

    base = default_parameters().with_overrides({"traffic.threshold": 5e8}, "test")
    table = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "assumptions.traffic_base": ["excess", "excess", "excess", "excess"],
            "parameters.traffic.threshold": [2e8, 5e8, 2e8, 5e8],
            "behaviour.growth_response": [0.0, 0.0, 0.1, 0.1],
            "budget.total.p95": [9e7, 6e7, 9.5e7, 6.5e7],
            "p_all_met": [0.30, 0.20, 0.31, 0.21],
        }
    )
    fronts = frontiers(table, 0.25, params=base)
    report = SensitivityReport.__new__(SensitivityReport)
    report.lang, report.fronts, report.frontier_source = lang, fronts, "grid"
    text = re.sub(r"<[^>]+>", " ", str(report.frontier_text()))
    # the chart's legend names the group: a reading there names the base's amount
    group_front = frontiers(table.drop(columns="behaviour.growth_response"), 0.25, params=base)
    group_front[0].group = {"assumptions.traffic_base": "excess"}
    figure = charts.frontier_chart(group_front, lang)
    legend = " ".join(t.get_text() for t in figure.axes[0].get_legend().get_texts())
    return re.sub(r"\s+", " ", html.unescape(text)), legend


def test_a_reading_names_the_amount_in_force_at_each_setting() -> None:
    """Before: every row, the answer and the chart said 超过1亿元的部分 (the notice's
    threshold) whatever the sweep's base scenario or its factor made it."""
    zh, legend_zh = _reformed_frontier_text("zh")
    assert "超过2亿元的部分 / 2亿元" in zh, zh  # point 0: the factor's 2亿元
    assert "超过5亿元的部分 / 5亿元" in zh, zh  # point 1: the base's 5亿元
    assert "流量补贴计算基数 超过2亿元的部分、流量补贴门槛" in zh, zh  # the cheapest with p ≥ 25 %
    assert "1亿元" not in zh, zh
    assert legend_zh == "前沿 流量补贴计算基数 超过5亿元的部分", legend_zh
    en, legend_en = _reformed_frontier_text("en")
    assert "the part above 200 million yuan / ¥200m" in en, en
    assert "the part above 500 million yuan / ¥500m" in en, en
    assert "100 million" not in en, en
    assert legend_en.endswith("traffic subsidy base the part above 500 million yuan"), legend_en


def test_a_table_whose_parameters_cannot_reform_the_base_is_one_line() -> None:
    import pytest

    from sbqw_model.errors import InputError
    from sbqw_model.research.frontier import frontiers

    table = pd.DataFrame(
        {
            "point": [0, 1],
            "parameters.traffic.threshold": [2e8, -1.0],
            "budget.total.p95": [9e7, 6e7],
            "p_all_met": [0.3, 0.2],
        }
    )
    table.attrs["source"] = "hand.csv"
    table.index = pd.RangeIndex(2, 4)
    from sbqw_model.parameters import default_parameters

    assert len(frontiers(table, 0.25)) == 1  # sbqw frontier names no reading: no check
    with pytest.raises(InputError) as caught:
        frontiers(table, 0.25, params=default_parameters())
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("hand.csv row 3: parameters.traffic.threshold: ")


def test_the_notebook_words_its_built_in_frontier_with_the_scenario_amounts(
    tmp_path: Path,
) -> None:
    """The sensitivity notebook on a scenario that raises traffic.threshold to 5亿元: its
    built-in grid's traffic_base=excess reads 超过5亿元的部分 (was 超过1亿元的部分)."""
    from research_helpers import BASELINE

    from sbqw_model.research.notebook import PARAMETERS

    scenario = tmp_path / "reform.yaml"
    scenario.write_text(
        "name: threshold_reform\ntitle_zh: 门槛提高\ntitle_en: Threshold raised\n"
        f"extends: {BASELINE.as_posix()}\nlevers:\n  parameters:\n"
        "    traffic.threshold: 500000000\n",
        encoding="utf-8",
    )
    small = {"n": 2, "draws": 300, "discovery_draws": 500, "min_probability": 0.0}
    namespace = {**PARAMETERS, **small, "scenario_file": str(scenario)}
    report = SensitivityReport.from_namespace(namespace)
    text = html.unescape(str(report.frontier_text()))
    assert "超过5亿元的部分" in text and "1亿元" not in text, text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_frontier_chart_reads_its_axes_as_the_table_does(lang: str) -> None:
    """The table says 4.8% and 4,962 万元, the reference line 80%; the axes read 0.1 … 0.8 and
    6000 … 20000."""
    table = pd.DataFrame(
        {
            "point": [0, 1],
            "assumptions.payout_share": [0.5, 1.0],
            "budget.total.p95": [1.2e8, 2.4e8],
            "p_all_met": [0.2, 0.6],
        }
    )
    from sbqw_model.research import charts
    from sbqw_model.research.frontier import frontiers

    figure = charts.frontier_chart(frontiers(table, 0.8), lang)
    figure.canvas.draw()
    ax = figure.axes[0]
    ys = [x.get_text() for x in ax.get_yticklabels() if x.get_text()]
    xs = [x.get_text() for x in ax.get_xticklabels() if x.get_text()]
    assert ys and all(y.endswith("%") for y in ys), ys
    assert any("," in x for x in xs) and not any(re.fullmatch(r"\d{4,}", x) for x in xs), xs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_morris_bars_of_a_money_output_separate_thousands(lang: str) -> None:
    """μ* of the total outlay in 万元 (4,000 and 1,200 in the table beside it) read '0, 1000, …
    5000' on the bar chart's axis."""
    from sbqw_model.research import charts
    from sbqw_model.research.sensitivity import SensitivityResult

    growth, level = "uncertainties.online_retail.growth", "uncertainties.online_retail.level_2022"
    rows = [
        {"output": "budget.total.p50", "factor": growth, "mu_star": 4e7, "mu_star_conf": 5e6},
        {"output": "budget.total.p50", "factor": level, "mu_star": 1.2e7, "mu_star_conf": 2e6},
    ]
    outputs = ("budget.total.p50",)
    result = SensitivityResult("morris", 20, 10, 0, "s", None, outputs, pd.DataFrame(rows), None)  # type: ignore[arg-type]
    figure = charts.sensitivity_bars(result, lang)
    figure.canvas.draw()
    xs = [x.get_text() for x in figure.axes[0].get_xticklabels() if x.get_text()]
    assert "4,000" in xs and not any(re.fullmatch(r"\d{4,}", x) for x in xs), xs
