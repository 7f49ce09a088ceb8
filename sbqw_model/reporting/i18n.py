"""Report wording in Chinese (first) and English: one table, so both languages stay complete."""

from __future__ import annotations

from sbqw_model.rules import INSTRUMENT_LABELS
from sbqw_model.summary import TARGET_LABELS

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "colon": (":", ": "),
    "comma": (",", ", "),
    "report_title": ("“十百千万”工程情景报告", "SBQW plan scenario report"),
    "compare_title": ("“十百千万”工程情景比较", "SBQW plan scenario comparison"),
    "summary": ("一页摘要", "Summary"),
    "targets_2025": ("2025年目标达成概率", "Odds of meeting each 2025 target"),
    "indicator": ("指标", "Indicator"),
    "target": ("目标", "Target"),
    "p_met": ("达成概率", "P(met)"),
    "median_2025": ("2025年中位数", "2025 median"),
    "band_90": ("90%区间", "90% band"),
    "all_targets": ("全部目标同时达成", "All targets together"),
    "budget": ("财政支出", "Outlay"),
    "budget_total": ("三年支出合计", "Total outlay"),
    "median": ("中位数", "Median"),
    "mean": ("均值", "Mean"),
    "p95": ("第95百分位", "95th percentile"),
    "p90": ("第90百分位", "90th percentile"),
    "by_year": ("按支付年度", "By payment year"),
    "by_instrument": ("按项目", "By instrument"),
    "by_prefecture": ("按市(州)", "By prefecture"),
    "year": ("年度", "Year"),
    "payment_year": ("支付年度", "Payment year"),
    "appropriation": ("预算安排", "Appropriation"),
    "p_over": ("超预算概率", "P(over budget)"),
    "fan_title": ("网络零售额与1000亿元目标", "Online retail against the 1000亿 target"),
    "units_title": (
        "认定数量与目标(年末存量)",
        "Recognized units against targets (year-end stock)",
    ),
    "budget_year_title": (
        "分年度、分项目支出(均值)",
        "Outlay by payment year and instrument (mean)",
    ),
    "outlay_dist_title": ("三年支出合计的分布", "Distribution of total outlay"),
    "prefecture_title": (
        "分市(州)支出(中位数与90%区间)",
        "Outlay by prefecture (median, 90% band)",
    ),
    "assumptions_title": ("假设与参数", "Assumptions and parameters"),
    "provenance": ("来源信息", "Provenance"),
    "yi_yuan": ("亿元", "100 million yuan (亿元)"),
    "yi_yuan_short": ("亿元", "亿 yuan"),
    "wan_yuan": ("万元", "10 000 yuan (万元)"),
    "count": ("个", "count"),
    "probability": ("概率", "probability"),
    "target_line": ("目标", "target"),
    "draws": ("模拟次数", "Draws"),
    "seed": ("随机种子", "Seed"),
    "version": ("软件版本", "Package version"),
    "scenario_hash": ("情景文件哈希(SHA-256)", "Scenario file hash (SHA-256)"),
    "run_date": ("运行时间(UTC)", "Run date (UTC)"),
    "name": ("名称", "Name"),
    "value": ("取值", "Value"),
    "source": ("条款或来源", "Clause or source"),
    "differs": ("与基准不同", "Differs from baseline"),
    "kind": ("类别", "Kind"),
    "lever": ("政策杠杆", "Lever"),
    "assumption": ("假设", "Assumption"),
    "parameter": ("政策参数", "Rule parameter"),
    "uncertainty": ("不确定因素", "Uncertainty"),
    "behaviour": ("行为反应", "Behaviour"),
    "recognition_lever": ("认定节奏", "Recognition lever"),
    "initial_stock": ("2022年末已认定数", "Recognized at end of 2022"),
    "observation": ("已知观测", "Observation"),
    "shares": ("市(州)分配比例", "Prefecture shares"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "scenario": ("情景", "Scenario"),
    "difference": ("与首个情景之差", "Difference from the first scenario"),
    "pp_difference": ("达成概率之差(百分点)", "P(met) difference (percentage points)"),
    "explore_title": ("预算探索", "Budget explorer"),
    "legend_p5_95": ("5%–95%区间", "5–95% band"),
    "legend_p25_75": ("25%–75%区间", "25–75% band"),
    "legend_median": ("中位数", "median"),
    "light_green": ("较有把握(≥80%)", "likely (≥ 80 %)"),
    "light_amber": ("存在风险(50–80%)", "at risk (50–80 %)"),
    "light_red": ("难以达成(<50%)", "unlikely (< 50 %)"),
    "status": ("研判", "Status"),
    "explain_probability": (
        "概率为在所有模拟情形中2025年达到目标的比例;±为蒙特卡洛标准误。",
        "Probability = share of simulated worlds that reach the target in 2025; ± is the Monte"
        " Carlo standard error.",
    ),
    "explain_budget": (
        "金额按支付年度统计;各项奖励按政策上限乘以支付比例计算。",
        "Amounts are by payment year; awards are the policy ceilings times the payout share.",
    ),
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
