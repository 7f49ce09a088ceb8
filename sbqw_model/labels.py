"""Reader's names (zh/en) shared by reports and research: uncertainties, their parameters.

Kept below both ``reporting`` and ``research`` so neither imports the other for a label;
assumption names live with their specs (``assumptions.SPECS``), rule amounts in ``plan.yaml``.
"""

from __future__ import annotations

from sbqw_model import units
from sbqw_model.distributions import Distribution
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import UNCERTAINTIES

_CATEGORY = {
    "park": ("园区", "parks"),
    "base": ("直播基地", "livestream bases"),
    "enterprise": ("龙头企业", "leading enterprises"),
    "team": ("直播团队", "livestream teams"),
}

UNCERTAINTY_LABELS: dict[str, tuple[str, str]] = {
    "online_retail.level_2022": ("2022年网络零售额", "the 2022 level of online retail"),
    "online_retail.growth": ("网络零售额年均增速", "annual growth of online retail"),
    "online_retail.growth_noise": ("增速年际波动", "year-to-year swing of growth"),
    "products.level_2022": ("2022年畅销产品数", "best-selling products in 2022"),
    "products.growth": ("畅销产品年均增速", "annual growth of best-selling products"),
    "products.growth_noise": ("产品增速年际波动", "year-to-year swing of product growth"),
    **{
        f"recognition.{c}.{k}": (f"{_CATEGORY[c][0]}{zh}", f"{en} ({_CATEGORY[c][1]})")
        for c in CATEGORIES
        for k, zh, en in (
            ("applications", "年申报数", "applications a year"),
            ("approval_probability", "申报合格率", "share of applications qualifying"),
            ("revocation_rate", "年撤销率", "yearly revocation rate"),
        )
    },
    "firms.count": ("规上电商企业数", "number of above-scale e-commerce firms"),
    "firms.floor_yuan": ("企业规模下限", "smallest firm in the population"),
    "firms.pareto_alpha": ("企业规模帕累托指数", "Pareto index of firm size"),
    "firms.max_share": ("最大企业占比上限", "cap on the largest firm's share"),
    "firms.growth_noise": ("企业增长离散度", "scatter of firm growth"),
    "firms.sales_ratio": ("销售额与网络零售额之比", "sales-to-online-retail ratio"),
    "firms.cross_border_share": ("跨境电商企业占比", "share of cross-border firms"),
    "firms.above_scale_share": ("上规入统企业占比", "share of above-scale firms"),
    **{
        f"unit_sales.{c}.{k}": (f"{_CATEGORY[c][0]}{zh}", f"{en} ({_CATEGORY[c][1]})")
        for c in ("park", "base")
        for k, zh, en in (
            ("median", "年销售额中位数", "median annual sales"),
            ("sigma", "年销售额离散度", "scatter of annual sales"),
        )
    },
    "climate.online_retail": ("电商景气对零售增速的影响", "climate loading of online retail"),
    "climate.products": ("电商景气对畅销产品的影响", "climate loading of products"),
    "climate.supply": ("电商景气对合格申报的影响", "climate loading of qualified supply"),
    "firms.cross_border_part": (
        "跨境企业的跨境零售占比",
        "cross-border part of a cross-border firm",
    ),
}

DIST_PARAMS: dict[str, tuple[str, str]] = {
    "value": ("取值", "value"),
    "low": ("下限", "low"),
    "high": ("上限", "high"),
    "mode": ("众数", "mode"),
    "mean": ("均值", "mean"),
    "sd": ("标准差", "sd"),
    "median": ("中位数", "median"),
    "sigma": ("对数标准差", "log sd"),
}

#: How a distribution reads in a report: its name and each parameter's name there.
DIST_NAMES: dict[str, tuple[str, str]] = {
    "fixed": ("固定值", "fixed at"),
    "uniform": ("均匀分布", "uniform"),
    "triangular": ("三角分布", "triangular"),
    "normal": ("正态分布", "normal"),
    "lognormal": ("对数正态分布", "lognormal"),
}
_READ_AS: dict[str, tuple[str, str]] = {
    "low": ("最小", "from"),
    "mode": ("最可能", "most likely"),
    "high": ("最大", "to"),
    "mean": ("均值", "mean"),
    "sd": ("标准差", "sd"),
    "median": ("中位数", "median"),
    "sigma": ("对数标准差", "log sd"),
}

MILLION = 1e6  # not a rule amount: the unit of English amounts (¥…m)
BILLION = MILLION * 1000

BEHAVIOUR_LABEL = ("增速对支付比例的反应", "growth response to the payout share")
RECOGNITION_FIELD_LABELS = {"buffer": ("余量", "buffer"), "strategy": ("策略", "strategy")}
#: The recognition strategies (levers.recognition.strategy) as a reader says them.
STRATEGY_LABELS = {
    "target_pace": ("按目标节奏认定", "paced to the target"),
    "fixed": ("固定名额", "fixed quotas"),
    "all_qualified": ("合格者全部认定", "every qualified applicant"),
}
#: The four recognized categories as they read in a sentence (zh, en plural).
CATEGORY_LABELS = _CATEGORY

_MONEY = {"online_retail.level_2022", "firms.floor_yuan"}
_RATES = ("rate", "probability", "share")


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def uncertainty_label(path: str, lang: str) -> str:
    return pick(UNCERTAINTY_LABELS[path], lang) if path in UNCERTAINTY_LABELS else path


def uncertainty_value(path: str, value: float, lang: str) -> str:
    """One value of an uncertainty as a reader says it: 600亿元, 14%, 1,200."""
    if path in _MONEY:
        return money(value, lang)
    domain = UNCERTAINTIES.get(path, ("", ""))[0]
    if domain in _RATES or path.endswith(("growth", "growth_noise")):
        return f"{value * 100:.3g}%"
    if domain == "count":
        return f"{value:,.0f}"
    return f"{value:.3g}"


def money(yuan: float, lang: str, digits: int = 0) -> str:
    """An amount as a reader says it: 亿元 / 万元 (zh), ¥…bn / ¥…m (en); ``digits`` for 亿, bn, m.

    万元 never has decimals (as leaders read them); a whole number drops its ``.0``.
    """
    if lang == "zh":
        if abs(yuan) >= units.YI:
            return f"{_number(yuan / units.YI, digits)}亿元"
        return f"{yuan / units.WAN:,.0f}万元"
    if abs(yuan) >= BILLION:
        return f"¥{_number(yuan / BILLION, digits)}bn"
    return f"¥{_number(yuan / MILLION, digits)}m"


def _number(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    return (
        text[: -(digits + 1)] if digits and float(text.replace(",", "")) == round(value) else text
    )


def describe_distribution(path: str, dist: Distribution, lang: str) -> str:
    """'三角分布：最小400亿元，最可能600亿元，最大850亿元' / 'triangular: from …, to …'."""
    name = pick(DIST_NAMES.get(dist.dist, (dist.dist, dist.dist)), lang)
    shown = [
        (pick(_READ_AS.get(k, (k, k)), lang), uncertainty_value(path, v, lang))
        for k, v in dist.params.items()
    ]
    if dist.dist == "fixed":
        return f"{name}{shown[0][1]}" if lang == "zh" else f"{name} {shown[0][1]}"
    if lang == "zh":
        return f"{name}：" + "，".join(f"{k}{v}" for k, v in shown)
    return f"{name}: " + ", ".join(f"{k} {v}" for k, v in shown)


_INDICATORS: dict[str, tuple[str, str]] = {
    "online_retail": ("网络零售额", "online retail"),
    "products": ("网络畅销产品数", "best-selling products"),
    **{
        f"recognized.{c}": (f"已认定{zh}数", f"recognized {en}")
        for c, (zh, en) in _CATEGORY.items()
    },
}


def indicator_label(indicator: str, lang: str) -> str:
    """An observable indicator (``scenario.INDICATORS``) by its reader's name."""
    return pick(_INDICATORS[indicator], lang) if indicator in _INDICATORS else indicator


def indicator_value(indicator: str, value: float, lang: str) -> str:
    return money(value, lang, 1) if indicator == "online_retail" else f"{value:,.0f}"
