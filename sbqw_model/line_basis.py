"""The readable basis of each payout line of ``sbqw cost`` (Chinese, as the ledger's reader
reads it), one function per kind of rule; registry entries name theirs (``describe``).

A describe function receives the whole panel its rule saw and the cells that pay, so the
arithmetic behind the text is done once, vectorized, and each line only formats numbers. The
words are the catalogue's ``basis.*`` templates; ``lang='en'`` gives the same line in English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model import rules, units
from sbqw_model.assumptions import Assumptions, share_shown
from sbqw_model.catalogue import label
from sbqw_model.parameters import Parameters

if TYPE_CHECKING:
    from sbqw_model.instruments import Instrument

Cells = tuple[np.ndarray, np.ndarray]  # (unit index, year index) of each paying cell


def share_text(assume: Assumptions) -> str:
    return "" if assume.payout_share == 1 else f" × {share_shown(assume.payout_share)}"


def _wan(yuan: float, lang: str) -> str:
    """An amount in 万元 with its unit in ``lang`` (Chinese as ``units.wan``)."""
    if lang == "zh":
        return units.wan(yuan)
    return f"{units.wan_number(yuan)} × {label('report.wan_yuan', 'en')}"


def _yi(yuan: float, lang: str) -> str:
    """An amount in 亿元 with its unit in ``lang`` (Chinese as ``units.yi``)."""
    if lang == "zh":
        return units.yi(yuan)
    return f"{yuan / units.YI:,.2f} {label('report.yi_yuan_short', 'en')}"


def award_basis(
    entry: Instrument,
    ceiling: float,
    amount: float,
    assume: Assumptions,
    lang: str = "zh",
    params: Parameters | None = None,
) -> str:
    """A one-time award: its name under ``params`` (``Instrument.label``), its ceiling, the
    payout share, the amount."""
    return label("basis.award", lang).format(
        label=entry.label(lang, params),
        ceiling=_wan(ceiling, lang),
        share=share_text(assume),
        amount=_wan(amount, lang),
    )


def repayment_basis(year: int, amount: float, lang: str = "zh") -> str:
    """A revoked unit's award coming back (``amount`` is negative)."""
    return label("basis.repayment", lang).format(year=year, amount=_wan(-amount, lang))


def plain_basis(
    entry: Instrument,
    figures: Any,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
    lang: str = "zh",
    **_: Any,
) -> list[str]:
    """The default: the instrument's name and the amount (a rule with no text of its own; what
    else its kind passes, such as a milestone's ``before``, it does not need)."""
    name = entry.label(lang, params)
    return [f"{name} {_wan(amounts[u, y], lang)}" for u, y in zip(*cells, strict=True)]


def milestone_basis(
    entry: Instrument,
    panel: np.ndarray,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
    lang: str = "zh",
    before: np.ndarray | None = None,
) -> list[str]:
    """A sales milestone: the sales figure against the tier's threshold, the ceiling, what an
    earlier tier already paid (``top_up``) or counts as paid (a tier reached in the base year,
    ``before``, under ``milestone_pre_plan_tiers = not_paid``), the amount.
    ``entry.parameters`` is (amount, threshold)."""
    ceiling, threshold = (params.value(p) for p in entry.parameters[:2])
    due = ceiling * assume.payout_share
    measure = label(f"basis.measure_{assume.milestone_sales_basis}", lang)
    # each unit's award counted as received before the plan (none under ``paid``)
    pre_plan = (
        None if before is None else rules.milestone_start(before.shape, params, assume, before)[1]
    )
    base_year = int(params.value("plan.first_year")) - 1
    out = []
    for u, y in zip(*cells, strict=True):
        amount = float(amounts[u, y])
        text = label("basis.milestone", lang).format(
            measure=measure,
            sales=_yi(panel[u, y], lang),
            threshold=_yi(threshold, lang),
            ceiling=_wan(ceiling, lang),
            share=share_text(assume),
        )
        if abs(amount - due) > 1e-6:
            less = due - amount
            counted = 0.0 if pre_plan is None else min(float(pre_plan[u]), less)
            if counted > 1e-6:
                text += label("basis.top_up_pre_plan", lang).format(
                    year=base_year, paid=_wan(counted, lang)
                )
            if less - counted > 1e-6:
                text += label("basis.top_up", lang).format(paid=_wan(less - counted, lang))
        out.append(f"{text} = {_wan(amount, lang)}")
    return out


def traffic_basis(
    entry: Instrument,
    firms: rules.FirmYears,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
    lang: str = "zh",
) -> list[str]:
    """The traffic subsidy: the counted retail (its domestic part under ``cross_border_part``),
    the base, the rate, the cap (a year's or the plan period's remainder), the amount."""
    counted = rules.counted_retail(
        firms.retail, firms.cross_border, firms.cross_border_retail, assume
    )
    base = rules.traffic_base(counted, params, assume)
    rate, cap = params.value("traffic.rate"), params.value("traffic.cap")
    threshold = params.value("traffic.threshold")
    per_wan = rate * units.WAN
    out = []
    for u, y in zip(*cells, strict=True):
        amount, c, gross = float(amounts[u, y]), counted[u, y], base[u, y] * rate
        retail_text = _yi(c, lang)
        if c != firms.retail[u, y]:  # cross_border_part: the domestic part counts
            retail_text = label("basis.domestic", lang).format(retail=retail_text)
        if assume.traffic_base != "all":  # arithmetic brackets: the same in both languages
            retail_text = f"({retail_text} − {_yi(threshold, lang)})"
        rate_text = f"{per_wan:g} {label('report.slider_rate', lang)}"
        text = f"{retail_text} × {rate_text} = {_wan(gross, lang)}"
        if assume.traffic_cap_period == "plan":
            if amount < min(gross, cap) * assume.payout_share - 1e-6:
                text += label("basis.cap_plan", lang).format(cap=_wan(cap, lang))
        elif gross > cap:
            text += label("basis.cap_year", lang).format(cap=_wan(cap, lang))
        if assume.payout_share != 1 or assume.traffic_cap_period == "plan":
            text += f"{share_text(assume)} = {_wan(amount, lang)}"
        out.append(text)
    return out
