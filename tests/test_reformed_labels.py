"""Names that carry a rule amount say the amount in force, not the notice's.

The sales milestones are named by their threshold (销售额奖励（10亿元档）). A scenario that moves
the first tier to 20亿 (``levers.parameters``), or a ledger costed under another parameter file,
must read 20亿元档 in every output that names the instrument: ``sbqw simulate``'s table, the
scenario workbook (built from the summary alone, as the command builds it from a worker's JSON),
the report's instrument table and its chart legend, the explorer, ``sbqw cost``. The same for
the reading ``traffic_base=excess`` (超过1亿元的部分), which subsidizes above ``traffic.threshold``:
the assumption table, a variant's title and the explorer's choice say the threshold in force.
Expected strings are written by hand; the plan's own names must read exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import matplotlib
import pytest

from sbqw_model import costing_report
from sbqw_model.assumptions import SPECS, Assumptions
from sbqw_model.costing import cost_ledger
from sbqw_model.engine import Results, simulate
from sbqw_model.instruments import REGISTRY
from sbqw_model.ledger import load_ledger
from sbqw_model.parameters import default_parameters
from sbqw_model.reporting import charts
from sbqw_model.reporting.assumption_table import assumption_rows
from sbqw_model.reporting.scenario_report import ScenarioReport
from sbqw_model.reporting.variants import variant_title
from sbqw_model.scenario import Scenario, load_scenario
from sbqw_model.shipped import scenario_path
from sbqw_model.summary import Summary, params_in_force, summarize, to_table
from sbqw_model.units import amount_words
from sbqw_model.workbook import scenario_sheets

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
PLAN = {
    "zh": ("销售额奖励（10亿元档）", "销售额奖励（50亿元档）"),
    "en": ("Sales milestone: tier 1 (1 billion yuan)", "Sales milestone: tier 2 (5 billion yuan)"),
}
REFORMED = {
    "zh": ("销售额奖励（20亿元档）", "销售额奖励（50亿元档）"),
    "en": ("Sales milestone: tier 1 (2 billion yuan)", "Sales milestone: tier 2 (5 billion yuan)"),
}
REFORM_YAML = """\
name: tier1_2bn
title_zh: 一档门槛提高
title_en: Higher first tier
description: The first sales tier starts at 2 billion yuan.
extends: baseline
levers:
  parameters:
    sales_awards.tier1.threshold: 2000000000
"""


@pytest.fixture(scope="module")
def reformed(tmp_path_factory: pytest.TempPathFactory) -> Results:
    path = tmp_path_factory.mktemp("reform") / "tier1.yaml"
    path.write_text(REFORM_YAML, encoding="utf-8")
    return simulate(load_scenario(path), draws=300, seed=0)


def tiers(names: list[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n.startswith(("销售额奖励", "Sales milestone")))


@pytest.mark.parametrize(
    ("yuan", "zh", "en"),
    [
        (1e9, "10亿元", "1 billion yuan"),
        (5e9, "50亿元", "5 billion yuan"),
        (2e9, "20亿元", "2 billion yuan"),
        (1e8, "1亿元", "100 million yuan"),
        (1.005e9, "10.05亿元", "1.005 billion yuan"),  # not rounded back to the notice's 10亿
        (2.5e8, "2.5亿元", "250 million yuan"),
        (1e6, "100万元", "1 million yuan"),
        (5e5, "50万元", "500,000 yuan"),
        # a firm with exactly 10亿 does not reach 10亿 and 12 fen: the name must not say 10亿元
        (1_000_000_000.123456, "1,000,000,000.12元", "1,000,000,000.12 yuan"),
        (123_456_789.123456, "123,456,789.12元", "123,456,789.12 yuan"),
        (1e8 * 1.1, "1.1亿元", "110 million yuan"),  # a sweep factor's float noise is no fen
        (0.5, "0.5元", "0.5 yuan"),
        (1e-5, "0.00001元", "0.00001 yuan"),  # not 0.0000元: the tier is above 0
    ],
)
def test_amounts_in_names_read_exactly(yuan: float, zh: str, en: str) -> None:
    assert (amount_words(yuan, "zh"), amount_words(yuan, "en")) == (zh, en)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plans_names_are_unchanged(lang: str) -> None:
    names = tuple(REGISTRY.get(k).label(lang) for k in ("sales.tier1", "sales.tier2"))
    assert names == PLAN[lang]
    assert REGISTRY.get("sales.tier1").label(lang, default_parameters()) == PLAN[lang][0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reformed_tier_is_named_by_its_threshold(lang: str) -> None:
    params = default_parameters().with_overrides(
        {"sales_awards.tier1.threshold": 1.5e9, "sales_awards.tier2.threshold": 8e9}
    )
    names = tuple(REGISTRY.get(k).label(lang, params) for k in ("sales.tier1", "sales.tier2"))
    expected = {
        "zh": ("销售额奖励（15亿元档）", "销售额奖励（80亿元档）"),
        "en": (
            "Sales milestone: tier 1 (1.5 billion yuan)",
            "Sales milestone: tier 2 (8 billion yuan)",
        ),
    }
    assert names == expected[lang]


def test_a_placeholder_the_instrument_does_not_cite_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sbqw_model import catalogue

    entry = replace(REGISTRY.get("traffic"), key="test.capped")
    monkeypatch.setitem(
        catalogue.catalogue(),
        "instrument.test.capped",
        ("补贴（{ceiling}）", "Subsidy ({ceiling})"),
    )
    assert entry.problems() == [
        "instrument test.capped: label placeholder {ceiling}: expected the last part of a"
        " parameter path it cites (rate, threshold, cap)"
    ]


def test_simulate_table_names_the_reformed_tier(reformed: Results) -> None:
    text = to_table(summarize(reformed))
    assert "销售额奖励（20亿元档） sales.tier1" in text
    assert "销售额奖励（50亿元档） sales.tier2" in text
    assert "10亿元档" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_from_the_summary_json_names_the_reformed_tier(
    reformed: Results, lang: str
) -> None:
    """The command builds the workbook from the JSON a worker hands it: no scenario there."""
    payload = Summary.from_json(summarize(reformed).to_json())
    sheet = {s.key: s for s in scenario_sheets(payload.to_dict(), lang)}["by_instrument"]
    assert tiers(list(sheet.frame.iloc[:, 0])) == REFORMED[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_summary_saved_before_reads_as_the_plan(lang: str) -> None:
    text = (ROOT / "tests/summaries/baseline_v0.1_200_draws.json").read_text(encoding="utf-8")
    old = Summary.from_json(text)
    assert params_in_force(old) == default_parameters()
    sheet = {s.key: s for s in scenario_sheets(old, lang)}["by_instrument"]
    assert tiers(list(sheet.frame.iloc[:, 0])) == PLAN[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_table_and_chart_name_the_reformed_tier(reformed: Results, lang: str) -> None:
    report = ScenarioReport(reformed.scenario, reformed, lang, Path("tier1.yaml"))
    html = report.instrument_table().markup
    for name in REFORMED[lang]:
        assert name in html
    assert PLAN[lang][0] not in html
    fig = charts.budget_by_year_chart(reformed, lang)
    legend = [re.sub(r"\s+", " ", t.get_text()) for t in fig.axes[0].get_legend().get_texts()]
    flat = [re.sub(r"\s", "", t) for t in legend]
    assert [re.sub(r"\s", "", n) for n in REFORMED[lang]] == [
        f for f in flat if "档" in f or "tier" in f
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explorer_names_the_reformed_tier(reformed: Results, lang: str) -> None:
    pytest.importorskip("ipywidgets")
    from sbqw_model.reporting.explorer import BudgetExplorer

    explorer = BudgetExplorer(reformed.scenario, 300, 0, lang)
    html = explorer.view()[-1].markup
    assert REFORMED[lang][0] in html and PLAN[lang][0] not in html


def test_cost_names_the_tier_of_the_parameter_file(tmp_path: Path) -> None:
    params = default_parameters().with_overrides({"sales_awards.tier1.threshold": 1.2e9})
    ledger = load_ledger(None, ROOT / "examples/sales.csv", params)
    result = cost_ledger(ledger, params, Assumptions())
    text = costing_report.to_table(result)
    assert "销售额奖励（12亿元档） sales.tier1" in text and "10亿元档" not in text
    import openpyxl

    costing_report.to_xlsx(result, tmp_path / "cost.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "cost.xlsx").worksheets[1]
    labels = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "销售额奖励（12亿元档）" in labels and "销售额奖励（50亿元档）" in labels


# --- a reading that names a rule amount: traffic_base=excess subsidizes above traffic.threshold
EXCESS_YAML = """\
name: excess_2yi
title_zh: 超额部分补贴
title_en: Subsidy above the threshold
description: Traffic subsidy above a threshold of 200 million yuan.
extends: baseline
levers:
  assumptions:
    traffic_base: excess
  parameters:
    traffic.threshold: 200000000
"""
EXCESS = {
    "zh": (
        "超过2亿元的部分",
        "流量补贴的计算基数：全部网络零售额（原文“每实现1万元”），或仅计超过2亿元的部分",
    ),
    "en": (
        "the part above 200 million yuan",
        "Traffic subsidy base: all online retail (the text), or only what is above"
        " 200 million yuan.",
    ),
}


@pytest.fixture(scope="module")
def excess(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("excess") / "excess.yaml"
    path.write_text(EXCESS_YAML, encoding="utf-8")
    return load_scenario(path)


def test_the_plans_reading_of_the_excess_is_unchanged() -> None:
    spec = SPECS["traffic_base"]
    assert spec.value_label("excess", "zh") == "超过1亿元的部分"
    assert spec.value_label("excess", "en") == "the part above 100 million yuan"
    assert spec.doc_zh.endswith("或仅计超过1亿元的部分")
    assert spec.doc_en.endswith("or only what is above 100 million yuan.")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assumption_table_says_the_threshold_the_reading_subtracts(
    excess: Scenario, lang: str
) -> None:
    rows = assumption_rows(excess, load_scenario(scenario_path("baseline")), lang)
    row = next(r for r in rows if r[1] == SPECS["traffic_base"].label(lang))
    assert (row[2], row[3]) == EXCESS[lang]


def test_a_variant_title_says_the_threshold_in_force(excess: Scenario) -> None:
    plain = replace(excess, assumptions=Assumptions())
    assert variant_title(plain, {"traffic_base": "excess"}, "zh") == (
        "超额部分补贴（流量补贴计算基数改为超过2亿元的部分）"
    )
    assert variant_title(plain, {"traffic_base": "excess"}, "en").endswith(
        "the part above 200 million yuan)"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explorer_choices_say_the_threshold_in_force(excess: Scenario, lang: str) -> None:
    from sbqw_model.reporting.explorer import choice_options

    options = choice_options(SPECS["traffic_base"], lang, excess.params)
    assert options[1] == (EXCESS[lang][0], "excess")


def test_a_new_scenarios_comments_say_the_threshold_of_its_base(excess: Scenario) -> None:
    """``sbqw new-scenario --from`` a scenario whose traffic.threshold is 2亿元: the commented
    levers, "values shown are the current ones", said 超过1亿元的部分 (the plan's)."""
    from sbqw_model.scenario_cli import scenario_template

    text = scenario_template("mine", "excess.yaml", excess)
    (line,) = [x for x in text.splitlines() if x.startswith("#     traffic_base:")]
    assert line.startswith("#     traffic_base: excess    # ")
    assert line.endswith(EXCESS["zh"][1]), line
    assert "1亿元" not in text
