"""Research wording: factor names, outputs and values as a reader says them, zh and en.

The words are in the label catalogue (groups ``research``, ``stat``, ``uncertainty``,
``assumption``, ``factor`` …); this module composes them and formats values: money is shown in
亿元 / 万元 and rates in %, whatever unit the model computes in (yuan, fractions).
"""

from __future__ import annotations

import math
from typing import Any

from sbqw_model import units
from sbqw_model.assumptions import SPECS
from sbqw_model.catalogue import group, label, pair
from sbqw_model.labels import (
    BEHAVIOUR_LABEL,
    CATEGORY_LABELS,
    DIST_PARAMS,
    RECOGNITION_FIELD_LABELS,
    UNCERTAINTY_LABELS,
    as_shown,
    money,
)
from sbqw_model.labels import is_money as is_money_uncertainty  # this module's is_money: outputs
from sbqw_model.parameters import Parameters
from sbqw_model.scenario import UNCERTAINTIES

assert set(UNCERTAINTY_LABELS) == set(UNCERTAINTIES)

ASSUMPTION_LABELS: dict[str, tuple[str, str]] = {
    name: (spec.label("zh"), spec.label("en")) for name, spec in SPECS.items()
}
#: Statistics of an outcome, in words (lower case: they follow a noun in a sentence).
STAT_LABELS: dict[str, tuple[str, str]] = {
    "mean": pair("dist_param.mean"),
    "p5": pair("report.p5"),
    "p50": pair("dist_param.median"),
    "p90": pair("report.p90"),
    "p95": pair("report.p95"),
}
_RATE_DOMAINS = ("rate", "probability", "share", "spread")

#: The research wording as (zh, en) pairs, keyed without the ``research.`` prefix.
TEXT: dict[str, tuple[str, str]] = group("research")


def t(key: str, lang: str) -> str:
    """Research wording, or the report wording it shares (``reporting.i18n``)."""
    return label(f"research.{key}" if key in TEXT else f"report.{key}", lang)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def factor_label(path: str, lang: str = "zh") -> str:
    """A reader's name for a factor path (its path when nothing better is known).

    Every path ``research.problem.known_paths`` lists has a name here (tests/test_catalogue.py).
    """
    root, _, rest = path.partition(".")
    if root == "uncertainties":
        if rest in UNCERTAINTY_LABELS:
            return _pick(UNCERTAINTY_LABELS[rest], lang)
        head, _, param = rest.rpartition(".")
        if head in UNCERTAINTY_LABELS and param in DIST_PARAMS:
            return t("factor_param", lang).format(
                name=_pick(UNCERTAINTY_LABELS[head], lang), param=_pick(DIST_PARAMS[param], lang)
            )
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
        if name in RECOGNITION_FIELD_LABELS and (not kind or kind in CATEGORY_LABELS):
            what = _pick(RECOGNITION_FIELD_LABELS[name], lang)
            if not kind:
                return t("recognition_lever", lang).format(what=what)
            scope = _pick(CATEGORY_LABELS[kind], lang)
            return t("recognition_lever_of", lang).format(what=what, scope=scope)
    return path


def _kind(path: str) -> str:
    """'money', 'rate', 'count' or 'number': how a factor's values read."""
    root, _, rest = path.partition(".")
    if root == "uncertainties":
        head = rest if rest in UNCERTAINTIES else rest.rpartition(".")[0]
        if is_money_uncertainty(head):
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


def fmt_value(path: str, value: Any, lang: str = "zh") -> str:
    """A factor value as a reader expects it: 700 亿元 (zh) or ¥70bn (en), 11.3%, 1,200."""
    if isinstance(value, bool):  # a switch, as the reports say one: 是 / 否, never True
        return t("yes" if value else "no", lang)
    if isinstance(value, str) or value is None:
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return "—"
    kind = _kind(path)
    if kind == "money" and path.startswith("parameters."):
        return _rule_amount(value, lang)
    if kind == "money":
        return fmt_money(value, lang)
    if kind == "rate":
        return f"{value * 100:.3g}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _rule_amount(yuan: float, lang: str) -> str:
    """A rule amount a setting applies, as money says amounts (¥3m) when that is the amount, else
    exactly, as names say it (``units.amount_words``): two settings of a sweep, 10亿 and
    10.01亿, both read 10亿元, and a tier at 0.5 yuan read 0元."""
    if abs(as_shown(yuan, lang) - yuan) <= units.HALF_FEN:
        return fmt_money(yuan, lang)
    return units.amount_words(yuan, lang)


def fmt_setting(path: str, value: Any, lang: str, params: Parameters | None = None) -> str:
    """A lever's setting as a reader's table or chart says it: a reading of the text by its
    words (超过1亿元的部分 / the part above 100 million yuan, as the reports' assumption table
    says it, with the amounts of ``params``, the rule amounts in force at that setting; the
    plan's when None), not its name in the scenario file (``excess``, which ``fmt_value``
    keeps for the command line's ``traffic_base=excess``); numbers as ``fmt_value``."""
    root, _, name = path.partition(".")
    if root == "assumptions" and name in SPECS and isinstance(value, str):
        return SPECS[name].value_label(value, lang, params)
    return fmt_value(path, value, lang)


def output_label(name: str, lang: str = "zh") -> str:
    parts = name.split(".")
    if parts[0] == "targets" and len(parts) == 3 and parts[2] == "p_met":
        return t("p_met_of", lang).format(target=label(f"target.{parts[1]}", lang))
    if name == "p_all_met":
        return t("p_all_met", lang)
    if parts[:2] == ["budget", "total"] and len(parts) == 3 and parts[2] in STAT_LABELS:
        return t("outlay_stat", lang).format(stat=_pick(STAT_LABELS[parts[2]], lang))
    return name


def cost_label(cost: str, lang: str = "zh") -> str:
    """A frontier's cost axis in words: "the budget" for the default cost (``frontier.COST``, the
    high outlay the reports show), else the column's own name, so a chosen p90 never reads p95."""
    from sbqw_model.research.frontier import COST

    return t("budget_p95", lang) if cost == COST else output_label(cost, lang)


def is_money(output: str) -> bool:
    """Budget outputs are money (yuan); probabilities and counts are not."""
    return output.startswith("budget.") and "p_over" not in output


def fmt_money(yuan: float, lang: str = "zh") -> str:
    """An amount in the reader's language: 亿元/万元 in Chinese, ¥…bn/¥…m in English (no
    Chinese unit in an English report)."""
    return money(yuan, lang)


def fmt_money_output(output: str, value: float) -> str:
    return units.auto(value) if is_money(output) else f"{value:.3g}"
