"""Report wording in Chinese (first) and English: one table, so both languages stay complete.

Chinese text uses full-width punctuation (：，；（）) and no internal names; English is plain
English (no 亿, no P(met)). ``tests/reporting/test_leader.py`` checks both on rendered pages.
"""

from __future__ import annotations

from sbqw_model.rules import INSTRUMENT_LABELS
from sbqw_model.summary import TARGET_LABELS

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # punctuation: full-width in Chinese, ASCII with spaces in English
    "colon": ("：", ": "),
    "comma": ("，", ", "),
    "semicolon": ("；", "; "),
    "enum": ("、", ", "),
    "lparen": ("（", " ("),
    "rparen": ("）", ")"),
    "report_title": ("“十百千万”工程情景报告", "SBQW plan scenario report"),
    "compare_title": ("“十百千万”工程情景比较", "SBQW plan scenario comparison"),
    "sens_title": ("敏感性分析", "Sensitivity analysis"),
    "summary": ("一页摘要", "Summary"),
    "conclusion": ("结论", "Conclusion"),
    "targets_2025": ("2025年目标达成概率", "Probability of meeting each 2025 target"),
    "indicator": ("指标", "Indicator"),
    "target": ("目标", "Target"),
    "p_met": ("达成概率", "Probability"),
    "median_2025": ("2025年中位数", "2025 median"),
    "band_90": ("90%区间", "90 % range"),
    "all_targets": ("全部目标同时达成", "All targets together"),
    "all_met_sentence": (
        "七项目标在同一模拟情形中全部达成的概率为{p}；它低于任何单项的概率，"
        "因为每一项都必须同时达成。",
        "The probability that all seven targets are met in the same simulated world is {p};"
        " it is lower than any single target's, because every one must be met at once.",
    ),
    "budget": ("财政支出", "Outlay"),
    "budget_total": ("方案支出合计", "Total outlay of the plan"),
    "median": ("中位数", "Median"),
    "mean": ("均值", "Mean"),
    "p95": ("第95百分位", "95th percentile"),
    "p90": ("第90百分位", "90th percentile"),
    "by_year": ("按支付年度", "By payment year"),
    "by_instrument": ("按项目", "By instrument"),
    "by_prefecture": ("按市（州）", "By prefecture"),
    "year": ("年度", "Year"),
    "payment_year": ("支付年度", "Payment year"),
    "appropriation": ("预算安排", "Appropriation"),
    "illustrative": ("示例", "illustrative"),
    "illustrative_appropriation": ("预算安排（示例）", "Appropriation (illustrative)"),
    "illustrative_note": (
        "预算安排为情景文件中的示例数字，并非实际预算，仅用于说明超支概率的算法。",
        "The appropriation is an illustrative figure from the scenario file, not an actual"
        " budget; it only shows how the chance of overspending is computed.",
    ),
    "upper_bound": ("上限", "upper bound"),
    "at_share": ("按上限的{share}支付", "at {share} of the ceilings"),
    "p_over": ("超出预算安排的概率", "Probability of exceeding it"),
    "fan_title": ("网络零售额与2025年目标", "Online retail against the 2025 target"),
    "units_title": (
        "认定数量与目标（年末存量）",
        "Recognized units against targets (year-end stock)",
    ),
    "budget_year_title": (
        "分年度、分项目平均支出",
        "Mean outlay by payment year and instrument",
    ),
    "outlay_dist_title": ("方案支出合计的分布", "Distribution of total outlay"),
    "prefecture_title": (
        "分市（州）支出：中位数与90%区间",
        "Outlay by prefecture: median and 90 % range",
    ),
    "assumptions_title": ("假设与参数", "Assumptions and parameters"),
    "provenance": ("来源信息", "Provenance"),
    "yi_yuan": ("亿元", "100 million yuan"),
    "yi_yuan_short": ("亿元", "× 100 million yuan"),
    "wan_yuan": ("万元", "10,000 yuan"),
    "count": ("个", "count"),
    "probability": ("概率", "probability"),
    "target_line": ("目标", "target"),
    "draws": ("模拟次数", "Draws"),
    "seed": ("随机种子", "Seed"),
    "version": ("软件版本", "Package version"),
    "scenario_hash": ("情景文件哈希（SHA-256）", "Scenario file hash (SHA-256)"),
    "run_date": ("运行时间（UTC）", "Run date (UTC)"),
    "name": ("名称", "Name"),
    "value": ("取值", "Value"),
    "source": ("条款或依据", "Clause or basis"),
    "basis": ("依据", "Basis"),
    "differs": ("与基准情景不同", "Differs from the baseline"),
    "kind": ("类别", "Kind"),
    "lever": ("政策杠杆", "Lever"),
    "assumption": ("假设", "Assumption"),
    "parameter": ("政策参数", "Rule parameter"),
    "uncertainty": ("不确定因素", "Uncertainty"),
    "behaviour": ("行为反应", "Behaviour"),
    "recognition_lever": ("认定节奏", "Recognition lever"),
    "initial_stock": ("2022年末已认定数", "Recognized at end of 2022"),
    "observation": ("已知观测", "Observation"),
    "shares": ("市（州）分配比例", "Prefecture shares"),
    "assumed_basis": ("假设（理由见情景文件{file}）", "assumption (reasoning in {file})"),
    "data_basis": ("公开数据（出处见情景文件{file}）", "public data (cited in {file})"),
    "shares_value": ("按经济体量估计的各市（州）比例", "rough economic weight of each prefecture"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "scenario": ("情景", "Scenario"),
    "file": ("文件", "File"),
    "difference": ("相对{first}的变化", "Change from {first}"),
    "pp_unit": ("百分点", "percentage points"),
    "all_met_meaning": (
        "“全部目标同时达成”指七项目标在同一模拟情形中全部达成；其概率低于任何单项，"
        "因为每一项都必须同时达成。",
        "“All targets together” means all seven are met in the same simulated world; its"
        " probability is lower than any single target's, because every one must be met at once.",
    ),
    "pp_difference": (
        "达成概率的变化（百分点）",
        "Change in probability (percentage points)",
    ),
    "explore_title": ("预算探索", "Budget explorer"),
    "legend_p5_95": ("90%区间", "90 % range"),
    "legend_p25_75": ("50%区间", "50 % range"),
    "legend_median": ("中位数", "median"),
    "status": ("研判", "Status"),
    "status_title": ("研判标准", "What the status means"),
    "explain_probability": (
        "达成概率为全部模拟情形中2025年达到目标的比例；90%区间为第5至第95百分位。",
        "Probability = share of simulated worlds that reach the target in 2025; the 90 % range"
        " runs from the 5th to the 95th percentile.",
    ),
    "explain_budget": (
        "金额按支付年度统计，单位万元；各项奖励按政策上限乘以支付比例计算。",
        "Amounts are by payment year, in 10,000 yuan; awards are the policy ceilings times the"
        " payout share.",
    ),
    # the report folder's index
    "made": ("生成时间", "Made"),
    "scenario_file": ("情景文件", "Scenario file"),
    "failed": ("（生成失败，旧报告已移除）", "(failed; the earlier report was removed)"),
    "outdated": (
        "（情景文件此后已修改或失效，本报告已过时）",
        "(its scenario file has changed or become invalid since: outdated)",
    ),
    "index_note": (
        "本文件夹中历次生成的全部报告；同名报告以最近一次为准。",
        "Every report rendered into this folder; a report of the same name shows its latest run.",
    ),
    "data_title": ("数据说明", "Data"),
    "data_statistics": (
        "公开统计数据截至2022年，随本软件附带（{file}）。",
        "Public statistics run to 2022 and ship with the package ({file}).",
    ),
    "data_observed": (
        "已观测：{items}（来源见情景文件{file}）；其余年份为模拟。",
        "Observed: {items} (sources in {file}); every other year is simulated.",
    ),
    "data_none_observed": (
        "2023—2025年均无观测值，全部为模拟。",
        "No year from 2023 to 2025 is observed: all are simulated.",
    ),
    "data_level_2022": (
        "2022年贵州网络零售额没有公开统计数据，本报告按假设取值（{dist}）。",
        "Guizhou's 2022 online retail is not published: it is an assumption, {dist}.",
    ),
    "clauses_title": (
        "附录一：报告所依据的文件条款",
        "Appendix A: clauses of the notice relied on",
    ),
    "clauses_intro": (
        "以下条款原文摘自《贵州省推动电子商务发展“十百千万”工程实施方案》（黔商发〔2023〕1号）。",
        "Quoted in Chinese from the notice 黔商发〔2023〕1号, the authoritative text.",
    ),
    "clause": ("条款", "Clause"),
    "quote": ("原文", "Text of the notice"),
    "technical_title": ("附录二：技术说明", "Appendix B: technical notes"),
    "technical_intro": (
        "概率由{draws}次模拟估计；下表的±为蒙特卡洛标准误，模拟次数越多越小。",
        "Probabilities are estimated from {draws} simulated worlds; ± is the Monte Carlo"
        " standard error, which shrinks as draws increase.",
    ),
    "standard_error": ("标准误", "Standard error"),
    "rate_per_wan": ("每万元{n}元", "{n} yuan per 10,000 yuan"),
    "percent_of_target": ("中位数为目标的{r}", "median at {r} of the target"),
    "depends_on": ("取决于{what}", "depends on {what}"),
}


def t(key: str, lang: str) -> str:
    """The wording of ``key`` in ``lang`` ('zh' or 'en')."""
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def target_name(key: str, lang: str) -> str:
    zh, en = TARGET_LABELS[key]
    return zh if lang == "zh" else en


def instrument_name(key: str, lang: str) -> str:
    zh, en = INSTRUMENT_LABELS[key]
    return zh if lang == "zh" else en
