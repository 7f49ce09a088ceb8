"""The readable basis of each payout line of ``sbqw cost`` (Chinese, as the ledger's reader
reads it), one function per kind of rule; registry entries name theirs (``describe``).

A describe function receives the whole panel its rule saw and the cells that pay, so the
arithmetic behind the text is done once, vectorized, and each line only formats numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model import rules, units
from sbqw_model.assumptions import Assumptions
from sbqw_model.parameters import Parameters

if TYPE_CHECKING:
    from sbqw_model.instruments import Instrument

Cells = tuple[np.ndarray, np.ndarray]  # (unit index, year index) of each paying cell


def share_text(assume: Assumptions) -> str:
    return "" if assume.payout_share == 1 else f" × {assume.payout_share:.0%}"


def award_basis(entry: Instrument, ceiling: float, amount: float, assume: Assumptions) -> str:
    """A one-time award: its ceiling, the payout share, the amount."""
    return f"{entry.label('zh')}上限 {units.wan(ceiling)}{share_text(assume)} = {units.wan(amount)}"


def repayment_basis(year: int, amount: float) -> str:
    """A revoked unit's award coming back (``amount`` is negative)."""
    return f"{year}年取消资格,收回一次性奖励 {units.wan(-amount)}"


def plain_basis(
    entry: Instrument,
    figures: Any,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
) -> list[str]:
    """The default: the instrument's name and the amount (a rule with no text of its own)."""
    return [f"{entry.label('zh')} {units.wan(amounts[u, y])}" for u, y in zip(*cells, strict=True)]


def milestone_basis(
    entry: Instrument,
    panel: np.ndarray,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
) -> list[str]:
    """A sales milestone: the sales figure against the tier's threshold, the ceiling, what an
    earlier tier already paid (``top_up``), the amount. ``entry.parameters`` is (amount,
    threshold)."""
    ceiling, threshold = (params.value(p) for p in entry.parameters[:2])
    due = ceiling * assume.payout_share
    measure = "网络零售额(电商销售额)" if assume.milestone_sales_basis == "online" else "年销售额"
    out = []
    for u, y in zip(*cells, strict=True):
        amount = float(amounts[u, y])
        text = (
            f"{measure} {units.yi(panel[u, y])} ≥ {units.yi(threshold)}:"
            f"奖励上限 {units.wan(ceiling)}{share_text(assume)}"
        )
        if abs(amount - due) > 1e-6:
            text += f",扣除已获奖励 {units.wan(due - amount)}"
        out.append(f"{text} = {units.wan(amount)}")
    return out


def traffic_basis(
    entry: Instrument,
    firms: rules.FirmYears,
    amounts: np.ndarray,
    cells: Cells,
    params: Parameters,
    assume: Assumptions,
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
        retail_text = units.yi(c)
        if c != firms.retail[u, y]:  # cross_border_part: the domestic part counts
            retail_text = f"(境内部分 {units.yi(c)})"
        if assume.traffic_base != "all":
            retail_text = f"({retail_text} − {units.yi(threshold)})"
        text = f"{retail_text} × {per_wan:g} 元/万元 = {units.wan(gross)}"
        if assume.traffic_cap_period == "plan":
            if amount < min(gross, cap) * assume.payout_share - 1e-6:
                text += f",方案期内累计封顶 {units.wan(cap)},本年余额"
        elif gross > cap:
            text += f",封顶 {units.wan(cap)}"
        if assume.payout_share != 1 or assume.traffic_cap_period == "plan":
            text += f"{share_text(assume)} = {units.wan(amount)}"
        out.append(text)
    return out
