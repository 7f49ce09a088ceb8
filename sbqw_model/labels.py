"""Reader's names (zh/en) shared by reports and research: uncertainties, their parameters.

The words are in the label catalogue (``sbqw_model/catalogue/labels.yaml``); this module keeps
the tables other modules read and the code that formats values (money, rates, distributions).
Kept below both ``reporting`` and ``research`` so neither imports the other for a label.
"""

from __future__ import annotations

from sbqw_model import units
from sbqw_model.catalogue import group, label, pair
from sbqw_model.distributions import Distribution
from sbqw_model.scenario import UNCERTAINTIES

#: The reader's names as (zh, en) pairs, read from the label catalogue (one place for words).
_CATEGORY = group("category")
UNCERTAINTY_LABELS: dict[str, tuple[str, str]] = group("uncertainty")
DIST_PARAMS: dict[str, tuple[str, str]] = group("dist_param")
#: How a distribution reads in a report: its name and each parameter's name there.
DIST_NAMES: dict[str, tuple[str, str]] = group("distribution")
_READ_AS: dict[str, tuple[str, str]] = {**DIST_PARAMS, **group("dist_read")}

MILLION = 1e6  # not a rule amount: the unit of English amounts (¥…m)
BILLION = MILLION * 1000

BEHAVIOUR_LABEL = pair("factor.behaviour")
RECOGNITION_FIELD_LABELS = group("factor.recognition")
#: The recognition strategies (levers.recognition.strategy) as a reader says them.
STRATEGY_LABELS = group("strategy")
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
            return _number(yuan / units.YI, digits) + label("report.yi_yuan", "zh")
        return f"{yuan / units.WAN:,.0f}" + label("report.wan_yuan", "zh")
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


_INDICATORS: dict[str, tuple[str, str]] = group("indicator")


def indicator_label(indicator: str, lang: str) -> str:
    """An observable indicator (``scenario.INDICATORS``) by its reader's name."""
    return pick(_INDICATORS[indicator], lang) if indicator in _INDICATORS else indicator


def indicator_value(indicator: str, value: float, lang: str) -> str:
    return money(value, lang, 1) if indicator == "online_retail" else f"{value:,.0f}"
