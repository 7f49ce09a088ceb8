"""Research wording in Chinese (first) and English: factor names, outputs, values, headings.

Kept beside the research code (the report wording is ``reporting.i18n``); money is shown in
亿元 / 万元 and rates in %, whatever unit the model computes in (yuan, fractions).
"""

from __future__ import annotations

import math
from typing import Any

from sbqw_model import units
from sbqw_model.assumptions import SPECS
from sbqw_model.labels import (
    BEHAVIOUR_LABEL,
    CATEGORY_LABELS,
    DIST_PARAMS,
    RECOGNITION_FIELD_LABELS,
    UNCERTAINTY_LABELS,
)
from sbqw_model.reporting.i18n import TEXT as REPORT_TEXT
from sbqw_model.reporting.i18n import target_name
from sbqw_model.scenario import UNCERTAINTIES

assert set(UNCERTAINTY_LABELS) == set(UNCERTAINTIES)

ASSUMPTION_LABELS: dict[str, tuple[str, str]] = {
    name: (spec.label("zh"), spec.label("en")) for name, spec in SPECS.items()
}
STAT_LABELS: dict[str, tuple[str, str]] = {
    "mean": ("均值", "mean"),
    "p5": ("第5百分位", "5th percentile"),
    "p50": ("中位数", "median"),
    "p90": ("第90百分位", "90th percentile"),
    "p95": ("第95百分位", "95th percentile"),
}
_MONEY = {"online_retail.level_2022", "firms.floor_yuan"}
_RATE_DOMAINS = ("rate", "probability", "share", "spread")

TEXT: dict[str, tuple[str, str]] = {
    "sens_intro": (
        "哪些不确定因素决定结果：Sobol'一阶指数S1为该因素单独解释的方差比例，总指数ST含其与其他"
        "因素的交互；Morris法的μ*为平均影响幅度。误差线为95%置信区间。",
        "Which uncertainties drive the answer: Sobol' first-order S1 is the share of variance a"
        " factor explains alone, total ST adds its interactions; Morris μ* is the mean size of"
        " its effect. Whiskers are 95 % confidence intervals.",
    ),
    "factor": ("因素", "Factor"),
    "range": ("取值范围", "Range"),
    "output": ("结果指标", "Output"),
    "first_order": ("一阶指数 S1", "First order S1"),
    "total_order": ("总指数 ST", "Total ST"),
    "mu_star": ("μ*", "μ*"),
    "sigma": ("σ", "σ"),
    "evaluations": ("次评估", "evaluations"),
    "per_point": ("每点模拟次数", "draws per point"),
    "discovery_title": ("情景发现：目标在哪些条件下落空", "Scenario discovery: when targets fail"),
    "discovery_intro": (
        "每次模拟各不确定因素取一组值；浅层决策树找出未达成目标最集中的取值区域（“盒子”）。"
        "密度 = 盒内未达成的比例；覆盖率 = 全部未达成情形中落在盒内的比例。",
        "Each simulated world draws every uncertainty; a shallow decision tree finds the regions"
        " (boxes) where misses concentrate. Density = share of runs in the box that miss;"
        " coverage = share of all misses that fall in the box.",
    ),
    "density": ("密度", "Density"),
    "coverage": ("覆盖率", "Coverage"),
    "mass": ("盒内模拟占比", "Share of runs"),
    "box": ("盒子", "Box"),
    "no_box": (
        "没有找到比总体更集中的未达成区域。",
        "No region where misses concentrate more than overall.",
    ),
    "never_missed": ("所有{runs}都达成了该目标。", "Every {runs} meets this target."),
    "always_missed": ("所有{runs}都未达成该目标。", "Every {runs} misses this target."),
    "missed": ("未达成", "missed"),
    "met": ("达成", "met"),
    "frontier_title": ("政策前沿：预算与达成概率", "Policy frontier: budget against the odds"),
    "frontier_intro": (
        "每个点是一组政策杠杆取值；前沿上的方案在同等预算下达成概率最高。预算为方案支出合计的"
        "第90百分位。",
        "Each point is a setting of the levers; settings on the frontier have the best odds for"
        " their budget. Budget = 90th percentile of total outlay.",
    ),
    "budget_p90": ("预算（方案支出合计第90百分位）", "Budget (90th percentile of total outlay)"),
    "cheapest": ("达到目标概率的最低预算方案", "Cheapest setting reaching the probability"),
    "none_reaches": (
        "没有任何方案的达成概率达到 {p}。最高为 {best}。",
        "No setting reaches a probability of {p}; the best is {best}.",
    ),
    "frontier": ("前沿", "Frontier"),
    "settings": ("全部方案", "All settings"),
    "on_frontier": ("在前沿上", "On the frontier"),
    "setting": ("方案", "Setting"),
    "probability": ("达成概率", "Probability"),
    "target_p": ("要求的概率", "Required probability"),
    "warn": ("提示", "Note"),
    "within_error": (
        "与要求相差不足两个标准误，结论对模拟次数敏感。",
        "within two standard errors of the requirement: add draws before relying on it.",
    ),
    "levers_no_effect": (
        "在本情景中这些杠杆不改变达成概率（增速不随支付比例变化），各方案概率相同，预算最低者即为最优。",
        "In this scenario the levers do not move the odds (growth does not respond to the payout"
        " share): every setting has the same probability, so the cheapest one is best.",
    ),
    "sweep_source": ("方案来源", "Settings from"),
    "builtin_sweep": ("内置杠杆网格", "built-in lever grid"),
}


def t(key: str, lang: str) -> str:
    """Research wording, or the report wording it shares (``reporting.i18n``)."""
    zh, en = TEXT[key] if key in TEXT else REPORT_TEXT[key]
    return zh if lang == "zh" else en


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def factor_label(path: str, lang: str = "zh") -> str:
    """A reader's name for a factor path (its path when nothing better is known)."""
    root, _, rest = path.partition(".")
    if root == "uncertainties":
        if rest in UNCERTAINTY_LABELS:
            return _pick(UNCERTAINTY_LABELS[rest], lang)
        head, _, param = rest.rpartition(".")
        if head in UNCERTAINTY_LABELS and param in DIST_PARAMS:
            inner = _pick(DIST_PARAMS[param], lang)
            label = _pick(UNCERTAINTY_LABELS[head], lang)
            return f"{label}({inner})" if lang == "zh" else f"{label} ({inner})"
    if root == "assumptions" and rest in ASSUMPTION_LABELS:
        return _pick(ASSUMPTION_LABELS[rest], lang)
    if root == "parameters":
        from sbqw_model.parameters import default_parameters

        params = default_parameters()
        if rest in params.paths():
            return params.leaf(rest).label(lang)
    if root == "behaviour":
        return _pick(BEHAVIOUR_LABEL, lang)
    if path.startswith("levers.recognition."):
        kind, _, name = path.removeprefix("levers.recognition.").rpartition(".")
        what = _pick(RECOGNITION_FIELD_LABELS.get(name, (name, name)), lang)
        scope = _pick(CATEGORY_LABELS.get(kind, ("产品", "products") if kind else ("", "")), lang)
        if lang == "zh":
            return f"{scope}认定{what}" if scope else f"认定{what}"
        return f"recognition {what} ({scope})" if scope else f"recognition {what}"
    return path


def _kind(path: str) -> str:
    """'money', 'rate', 'count' or 'number': how a factor's values read."""
    root, _, rest = path.partition(".")
    if root == "uncertainties":
        head = rest if rest in UNCERTAINTIES else rest.rpartition(".")[0]
        if head in _MONEY:
            return "money"
        domain = UNCERTAINTIES.get(head, ("", ""))[0]
        if domain in _RATE_DOMAINS:
            return "rate"
        return "count" if domain == "count" else "number"
    if path == "assumptions.payout_share":
        return "rate"
    if root == "parameters":
        from sbqw_model.parameters import default_parameters

        params = default_parameters()
        if rest in params.paths():
            unit = params.leaf(rest).unit
            return {"yuan": "money", "rate": "rate", "count": "count"}.get(unit, "number")
    return "number"


def fmt_value(path: str, value: Any) -> str:
    """A factor value as a reader expects it: 700亿元, 11.3%, 1,200."""
    if isinstance(value, str | bool) or value is None:
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return "—"
    kind = _kind(path)
    if kind == "money":
        return units.yi(value, 0) if abs(value) >= units.YI else units.wan(value, 0)
    if kind == "rate":
        return f"{value * 100:.3g}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.3g}"


def output_label(name: str, lang: str = "zh") -> str:
    parts = name.split(".")
    if parts[0] == "targets" and len(parts) == 3 and parts[2] == "p_met":
        label = target_name(parts[1], lang)
        return f"{label}达成概率" if lang == "zh" else f"P(met): {label}"
    if name == "p_all_met":
        return "全部目标同时达成概率" if lang == "zh" else "P(all targets met)"
    if parts[:2] == ["budget", "total"] and len(parts) == 3 and parts[2] in STAT_LABELS:
        stat = _pick(STAT_LABELS[parts[2]], lang)
        return f"方案支出合计{stat}" if lang == "zh" else f"Total outlay, {stat}"
    return name


def is_money(output: str) -> bool:
    """Budget outputs are money (yuan); probabilities and counts are not."""
    return output.startswith("budget.") and "p_over" not in output


def fmt_money_output(output: str, value: float) -> str:
    return units.auto(value) if is_money(output) else f"{value:.3g}"
