"""The plain-text words of ``sbqw cost`` and ``sbqw simulate`` come from the label catalogue:
the basis of each cost line in Chinese (and, from the same templates, in English), the
bilingual headings, the workbook's sheet names. Exact strings, computed by hand."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import EXAMPLES, WAN, YI
from test_costing import cost

from sbqw_model import catalogue, costing_report, line_basis, rules
from sbqw_model.assumptions import Assumptions
from sbqw_model.costing import cost_ledger
from sbqw_model.instruments import REGISTRY
from sbqw_model.ledger import load_ledger
from sbqw_model.parameters import Parameters
from sbqw_model.summary import from_json, to_table

HAN = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"\d[\d,.]*%?")
SAVED = Path(__file__).parent / "summaries" / "baseline_v0.1_200_draws.json"
ONE = (np.array([0]), np.array([0]))  # the one paying cell of a 1 x 1 panel


def both_languages(describe, *args) -> tuple[str, str]:
    """A line in Chinese and in English; the same numbers in the same order, no Chinese in
    the English line."""
    zh, en = (describe(*args, lang=lang) for lang in ("zh", "en"))
    zh, en = (x if isinstance(x, str) else x[0] for x in (zh, en))
    units = ("report.wan_yuan", "report.yi_yuan_short", "report.slider_rate")
    bare = re.sub("|".join(re.escape(catalogue.label(k, "en")) for k in units), "", en)
    assert NUMBER.findall(zh) == NUMBER.findall(bare), (zh, en)
    assert not HAN.search(en), en
    return zh, en


def test_both_joins_the_pair_chinese_first() -> None:
    assert catalogue.both("report.by_instrument") == "按项目 By instrument"
    assert catalogue.both("report.median", lower=True) == "中位数 median"


def test_award_and_repayment_basis() -> None:
    park = REGISTRY.get("award.park")
    zh, en = both_languages(
        line_basis.award_basis, park, 300 * WAN, 180 * WAN, Assumptions(payout_share=0.6)
    )
    assert zh == "园区一次性奖励上限 300.00 万元 × 60% = 180.00 万元"
    assert en == "One-time award: parks, ceiling 300.00 × 10,000 yuan × 60% = 180.00 × 10,000 yuan"
    zh, en = both_languages(line_basis.repayment_basis, 2024, -300 * WAN)
    assert zh == "2024年取消资格，收回一次性奖励 300.00 万元"
    assert en == "recognition revoked in 2024: one-time award of 300.00 × 10,000 yuan recovered"


def test_milestone_basis_with_a_top_up(params: Parameters) -> None:
    """Tier 2 (300 万 at 50 亿) on e-commerce sales of 60 亿, 100 万 already paid at tier 1."""
    entry = REGISTRY.get("sales.tier2")
    assume = Assumptions(sales_award_mode="top_up", milestone_sales_basis="online")
    args = (entry, np.array([[60 * YI]]), np.array([[200 * WAN]]), ONE, params, assume)
    zh, en = both_languages(line_basis.milestone_basis, *args)
    assert zh == (
        "网络零售额（电商销售额） 60.00 亿元 ≥ 50.00 亿元：奖励上限 300.00 万元，"
        "扣除已获奖励 100.00 万元 = 200.00 万元"
    )
    assert en == (
        "online retail (e-commerce sales) 60.00 × 100 million yuan ≥ 50.00 × 100 million yuan:"
        " award ceiling 300.00 × 10,000 yuan, less 100.00 × 10,000 yuan already awarded"
        " = 200.00 × 10,000 yuan"
    )


def test_milestone_basis_with_a_tier_reached_before_the_plan(params: Parameters) -> None:
    """Tier 2 (300 万 at 50 亿) on sales of 55 亿 under top_up, 12 亿 in 2022: under
    milestone_pre_plan_tiers = not_paid tier 1's 100 万 counts as received."""
    entry = REGISTRY.get("sales.tier2")
    assume = Assumptions(sales_award_mode="top_up", milestone_pre_plan_tiers="not_paid")
    args = (entry, np.array([[55 * YI]]), np.array([[200 * WAN]]), ONE, params, assume)
    zh, en = both_languages(partial(line_basis.milestone_basis, before=np.array([12 * YI])), *args)
    assert zh == (
        "年销售额 55.00 亿元 ≥ 50.00 亿元：奖励上限 300.00 万元，"
        "扣除视同已获奖励 100.00 万元（2022年已达档位） = 200.00 万元"
    )
    assert en == (
        "annual sales 55.00 × 100 million yuan ≥ 50.00 × 100 million yuan: award ceiling"
        " 300.00 × 10,000 yuan, less 100.00 × 10,000 yuan taken as received (a tier reached in"
        " 2022) = 200.00 × 10,000 yuan"
    )


def test_traffic_basis_domestic_part_excess_and_plan_cap(params: Parameters) -> None:
    """5 亿 online retail of which 1 亿 cross-border: 4 亿 domestic, 3 亿 above the 1 亿
    threshold, × 5 元/万元 = 150 000 yuan; 100 000 left of the plan-period cap this year."""
    firms = rules.FirmYears(
        sales=np.array([[5 * YI]]),
        retail=np.array([[5 * YI]]),
        above_scale=np.array([[True]]),
        cross_border=np.array([[True]]),
        cross_border_retail=np.array([[1 * YI]]),
    )
    assume = Assumptions(
        cross_border_exclusion="cross_border_part", traffic_base="excess", traffic_cap_period="plan"
    )
    entry = REGISTRY.get("traffic")
    args = (entry, firms, np.array([[10 * WAN]]), ONE, params, assume)
    zh, en = both_languages(line_basis.traffic_basis, *args)
    assert zh == (
        "(境内部分 4.00 亿元 − 1.00 亿元) × 5 元/万元 = 15.00 万元，"
        "方案期内累计封顶 100.00 万元，本年余额 = 10.00 万元"
    )
    assert en == (
        "(domestic part 4.00 × 100 million yuan − 1.00 × 100 million yuan) × 5 yuan per 10,000 yuan"
        " = 15.00 × 10,000 yuan, capped at 100.00 × 10,000 yuan over the plan period: this"
        " year's remainder = 10.00 × 10,000 yuan"
    )


def test_traffic_basis_yearly_cap(params: Parameters) -> None:
    sales = [
        {
            "unit_id": "E1",
            "prefecture": "贵阳市",
            "year": 2023,
            "annual_sales_yuan": 0,
            "online_retail_yuan": 25 * YI,
            "above_scale": True,
            "cross_border": False,
        },
    ]
    (basis,) = cost(params, sales=sales).lines["basis"]
    assert basis == "25.00 亿元 × 5 元/万元 = 125.00 万元，封顶 100.00 万元"


@pytest.fixture(scope="module")
def example(params: Parameters):
    ledger = load_ledger(EXAMPLES / "recognitions.csv", EXAMPLES / "sales.csv", params)
    return cost_ledger(ledger, params, Assumptions())


def test_cost_table_headings(example) -> None:
    lines = costing_report.to_table(example).splitlines()
    assert lines[0] == "十百千万工程奖补测算 Costing of awards and subsidies (黔商发〔2023〕1号)"
    assert lines[2] == "合计 Total: 1,534.00 万元 (0.1534 亿元)"
    for heading in (
        "按项目 By instrument",
        "按支付年度 By payment year",
        "按市（州） By prefecture",
    ):
        assert heading in lines
    assert "明细 Lines (22)" in lines
    header = next(x for x in lines if x.startswith("单位 Unit"))
    assert header.split() == [
        *("单位", "Unit", "市（州）", "达成年", "支付年", "项目", "Instrument"),
        *("金额（万元）", "条款", "依据", "Basis"),
    ]
    empty = replace(example, lines=example.lines.iloc[:0])
    assert costing_report.to_table(empty).endswith("明细 Lines (0)\n(无 none)\n")


def test_cost_workbook_sheet_names(example, tmp_path: Path) -> None:
    path = tmp_path / "cost.xlsx"
    costing_report.to_xlsx(example, path)
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == [
        "明细 lines",
        "按项目 by_instrument",
        "按支付年度 by_year",
        "按市（州） by_prefecture",
        "合计 total",
    ]


def test_simulate_text_says_how_many_worlds_a_weighted_run_rests_on() -> None:
    """``sbqw simulate --observed``: 200 draws that weighting left 37.4 effective said
    "Draws: 200" beside errors of √(p(1−p)/37); the line now says the 37 too. A pinned run
    keeps every world, and says the draws alone."""
    summary = from_json(SAVED.read_text(encoding="utf-8"))
    weighted = {"method": "weight", "effective_draws": 37.4, "figures": 2}
    lines = to_table(replace(summary, conditioning=weighted)).splitlines()
    assert lines[1] == (
        "模拟次数 Draws: 200  加权后有效模拟次数 effective after weighting: 37  随机种子 Seed: 0"
    )
    pinned = {"method": "pin", "effective_draws": 200.0, "figures": 2}
    lines = to_table(replace(summary, conditioning=pinned)).splitlines()
    assert lines[1] == "模拟次数 Draws: 200  随机种子 Seed: 0"


def test_simulate_text_headings_and_independence_sentence() -> None:
    summary = from_json(SAVED.read_text(encoding="utf-8"))
    summary = replace(summary, p_all_met_if_independent=0.056, p_all_met=0.072)
    lines = to_table(summary).splitlines()
    assert lines[0].startswith("情景 Scenario: ")
    assert lines[1] == f"模拟次数 Draws: {summary.draws:,}  随机种子 Seed: {summary.seed}"
    assert lines[2].startswith("假设 Assumptions: payout_share=")
    for heading in (
        "2025年目标 Targets in 2025",
        "按支付年度 By payment year",
        "按项目 By instrument",
        "按市（州） By prefecture",
    ):
        assert heading in lines
    assert lines.index("2025年目标 Targets in 2025") < lines.index("按支付年度 By payment year")
    assert (
        "各目标若互不相关，全部达成的概率约为5.6%；模拟中它们随共同因素（电商景气、增长）"
        "同涨同落，全部达成为7.2%。"
    ) in lines
    assert (
        "Were the targets independent, all would be met with about 5.6%; in the simulated worlds"
        " they move together with common drivers (e-commerce climate, growth), and all are met"
        " with 7.2%."
    ) in lines
    assert any(x.startswith("全部目标 all ") and "7.2% ± " in x for x in lines)
    outlay = next(x for x in lines if x.startswith("财政支出 Outlay "))
    assert outlay.startswith("财政支出 Outlay (上限 upper bound): 中位数 median ")
    assert ", 第95百分位 p95 " in outlay
    assert "中位数（万元） Median" in next(x for x in lines if x.startswith("项目 Item"))
