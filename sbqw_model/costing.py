"""Costing a ledger: every payout line with its clause and a readable basis, and the totals.

This is the trusted, line-by-line view: what a given list of recognized units and firm-years is
owed under the rules and assumptions in force. The Monte Carlo engine computes the same amounts
through the same ``rules`` functions, without building lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model import prefectures, rules, units
from sbqw_model.assumptions import Assumptions
from sbqw_model.ledger import CROSS_BORDER_RETAIL_COLUMN, REVOKED_COLUMN, Ledger
from sbqw_model.parameters import Parameters
from sbqw_model.periods import payment_years, plan_years
from sbqw_model.rules import REVOCATION_CLAUSE, instrument_clause

LINE_COLUMNS = (
    "unit_id",
    "category",
    "prefecture",
    "achievement_year",
    "payment_year",
    "instrument",
    "amount_yuan",
    "clause",
    "basis",
)


@dataclass
class Totals:
    """Totals in yuan with every key present (zeros included) so tables line up."""

    total: float
    by_instrument: dict[str, float]
    by_year: dict[str, float]
    by_prefecture: dict[str, float]


@dataclass
class CostResult:
    lines: pd.DataFrame
    totals: Totals
    assumptions: Assumptions
    params: Parameters = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form documented in the README (yuan, rounded to the fen)."""
        lines = [
            {
                **{k: rec[k] for k in LINE_COLUMNS if k != "amount_yuan"},
                "achievement_year": int(rec["achievement_year"]),
                "payment_year": int(rec["payment_year"]),
                "amount_yuan": fen(rec["amount_yuan"]),
            }
            for rec in self.lines.to_dict("records")
        ]
        return {
            "total_yuan": fen(self.totals.total),
            **totals_dict(self.totals),
            "assumptions": self.assumptions.as_dict(),
            "lines": lines,
        }


def fen(yuan: float) -> float:
    """Round to the fen for output; sums are kept unrounded inside.

    Traffic subsidies (5 yuan per 万) often sum to exactly half a fen, where the float noise of
    the summation order (~1e-8 yuan) would decide the rounding, and the engine and ``sbqw cost``
    sum in different orders: snap to the micro-yuan first so both print the same fen.
    """
    return round(round(float(yuan), 6), 2)


def totals_dict(totals: Totals) -> dict[str, dict[str, float]]:
    return {
        "by_instrument": {k: fen(v) for k, v in totals.by_instrument.items()},
        "by_year": {k: fen(v) for k, v in totals.by_year.items()},
        "by_prefecture": {k: fen(v) for k, v in totals.by_prefecture.items()},
    }


def summarize(lines: pd.DataFrame, params: Parameters, assume: Assumptions) -> Totals:
    amounts = lines["amount_yuan"].to_numpy(dtype=float)
    by_instrument = {k: 0.0 for k in rules.INSTRUMENTS}
    by_year = {str(y): 0.0 for y in payment_years(params, assume)}
    by_prefecture = {p: 0.0 for p in prefectures.NAMES_ZH}
    for column, table in (
        (lines["instrument"], by_instrument),
        (lines["payment_year"].astype(str), by_year),
        (lines["prefecture"], by_prefecture),
    ):
        for name, value in pd.Series(amounts).groupby(column.to_numpy()).sum().items():
            table[str(name)] = float(value)
    return Totals(float(amounts.sum()), by_instrument, by_year, by_prefecture)


def cost_ledger(ledger: Ledger, params: Parameters, assume: Assumptions) -> CostResult:
    """Apply the rules to a ledger: one line per payout, then totals."""
    records = (
        _award_lines(ledger.recognitions, params, assume)
        + _sales_lines(ledger, params, assume)
        + _traffic_lines(ledger.sales, params, assume)
    )
    lines = pd.DataFrame.from_records(records, columns=list(LINE_COLUMNS))
    lines = lines.astype({"amount_yuan": float})
    return CostResult(lines, summarize(lines, params, assume), assume, params)


def _share_text(assume: Assumptions) -> str:
    return "" if assume.payout_share == 1 else f" × {assume.payout_share:.0%}"


def _award_lines(
    rec: pd.DataFrame, params: Parameters, assume: Assumptions
) -> list[dict[str, Any]]:
    """One-time awards (§四(二)2): once per unit and category, in the first year recognized."""
    first = rec.sort_values("year", kind="stable").drop_duplicates(["unit_id", "category"])
    if first.empty:
        return []
    index = first["category"].map(rules.CATEGORIES.index).to_numpy()
    amounts = rules.one_time_award(index, params, assume)
    ceilings = rules.award_ceilings(params)
    revoked = _revocation_years(rec) if assume.revoked_repay else {}
    records = []
    for row, amount, k in zip(first.itertuples(index=False), amounts, index, strict=True):
        if amount <= 0:
            continue
        instrument = f"award.{row.category}"
        line = {
            "unit_id": row.unit_id,
            "category": row.category,
            "prefecture": row.prefecture,
            "achievement_year": row.year,
            "payment_year": row.year + assume.payment_delay(instrument),
            "instrument": instrument,
            "amount_yuan": float(amount),
            "clause": instrument_clause(params, instrument),
            "basis": (
                f"{rules.INSTRUMENT_LABELS[instrument][0]}上限 {units.wan(ceilings[k])}"
                f"{_share_text(assume)} = {units.wan(amount)}"
            ),
        }
        records.append(line)
        year = revoked.get((row.unit_id, row.category))
        if year is not None and year > row.year:
            # assumption revoked_repay (DIGEST open point 4): the award comes back the year
            # the yearly review revokes the unit (§三(三) 动态管理)
            records.append(
                {
                    **line,
                    "achievement_year": year,
                    "payment_year": year + assume.payment_delay(instrument),
                    "amount_yuan": -float(amount),
                    "clause": f"{line['clause']}; {REVOCATION_CLAUSE}",
                    "basis": f"{year}年取消资格,收回一次性奖励 {units.wan(-amount)}",
                }
            )
    return records


def _revocation_years(rec: pd.DataFrame) -> dict[tuple[str, str], int]:
    """The earliest revocation year given for each (unit, category), if the file has any."""
    if REVOKED_COLUMN not in rec.columns:
        return {}
    given = rec.dropna(subset=[REVOKED_COLUMN])
    years = given.groupby(["unit_id", "category"])[REVOKED_COLUMN].min()
    return {key: int(v) for key, v in years.items()}


def sales_recipient_mask(
    unit_ids: np.ndarray, rec: pd.DataFrame, assume: Assumptions
) -> np.ndarray:
    """Which units may receive sales-milestone awards (DIGEST open point 2)."""
    if assume.sales_award_recipients == "all_units":
        return np.ones(len(unit_ids), dtype=bool)
    excluded = set(rec.loc[rec["category"].isin(["park", "base"]), "unit_id"])
    return np.array([u not in excluded for u in unit_ids], dtype=bool)


def _sales_lines(ledger: Ledger, params: Parameters, assume: Assumptions) -> list[dict[str, Any]]:
    """Sales-milestone awards (§四(二)3) on each unit's panel of annual sales."""
    sales = ledger.sales
    if sales.empty:
        return []
    years = plan_years(params)
    unit_ids = pd.unique(sales["unit_id"])
    u_index = pd.Index(unit_ids).get_indexer(sales["unit_id"])
    y_index = sales["year"].to_numpy() - years[0]
    panel = np.zeros((len(unit_ids), len(years)))
    # 年销售额: all sales or e-commerce sales (assumption milestone_sales_basis)
    panel[u_index, y_index] = rules.milestone_sales(
        sales["annual_sales_yuan"].to_numpy(), sales["online_retail_yuan"].to_numpy(), assume
    )
    pref = np.full(panel.shape, "", dtype=object)
    pref[u_index, y_index] = sales["prefecture"].to_numpy()
    panel *= sales_recipient_mask(unit_ids, ledger.recognitions, assume)[:, None]
    awards = rules.sales_milestone_awards(panel, params, assume)
    thresholds, amounts = params.sales_scale()
    records = []
    for u, y, t in zip(*np.nonzero(awards > 0), strict=True):
        instrument = rules.SALES_INSTRUMENTS[t]
        amount = float(awards[u, y, t])
        ceiling = amounts[t] * assume.payout_share
        online = assume.milestone_sales_basis == "online"
        measure = "网络零售额(电商销售额)" if online else "年销售额"
        basis = (
            f"{measure} {units.yi(panel[u, y])} ≥ {units.yi(thresholds[t])}:"
            f"奖励上限 {units.wan(amounts[t])}{_share_text(assume)}"
        )
        if abs(amount - ceiling) > 1e-6:
            basis += f",扣除已获奖励 {units.wan(ceiling - amount)}"
        basis += f" = {units.wan(amount)}"
        records.append(
            {
                "unit_id": unit_ids[u],
                "category": "",
                "prefecture": pref[u, y],
                "achievement_year": years[y],
                "payment_year": years[y] + assume.payment_delay(instrument),
                "instrument": instrument,
                "amount_yuan": amount,
                "clause": instrument_clause(params, instrument),
                "basis": basis,
            }
        )
    return records


def _traffic_panel(
    sales: pd.DataFrame, params: Parameters, assume: Assumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's subsidy and its counted retail, from the unit × year panel the rule needs
    (a cap over the plan period binds on a unit's running total, in year order)."""
    years = plan_years(params)
    unit_ids = pd.unique(sales["unit_id"])
    u = pd.Index(unit_ids).get_indexer(sales["unit_id"])
    y = sales["year"].to_numpy() - years[0]
    shape = (len(unit_ids), len(years))
    retail, part = np.zeros(shape), np.zeros(shape)
    above, cross = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    retail[u, y] = sales["online_retail_yuan"].to_numpy()
    # no cross-border figure: all of a cross-border firm's retail is cross-border
    given = sales.get(CROSS_BORDER_RETAIL_COLUMN, sales["online_retail_yuan"])
    given = given.fillna(sales["online_retail_yuan"])
    part[u, y] = given.to_numpy(dtype=float)
    above[u, y] = sales["above_scale"].to_numpy()
    cross[u, y] = sales["cross_border"].to_numpy()
    amounts = rules.traffic_subsidy(retail, above, cross, params, assume, part)
    counted = rules.counted_retail(retail, cross, part, assume)
    return amounts[u, y], counted[u, y]


def _traffic_lines(
    sales: pd.DataFrame, params: Parameters, assume: Assumptions
) -> list[dict[str, Any]]:
    """Traffic subsidy (§四(二)3), yearly per above-scale enterprise."""
    if sales.empty:
        return []
    amounts, counted = _traffic_panel(sales, params, assume)
    base = rules.traffic_base(counted, params, assume)
    rate = params.value("traffic.rate")
    cap = params.value("traffic.cap")
    threshold = params.value("traffic.threshold")
    per_wan = rate * units.WAN
    records = []
    rows = sales.itertuples(index=False)
    for row, amount, b, c in zip(rows, amounts, base, counted, strict=True):
        if amount <= 0:
            continue
        gross = b * rate
        retail_text = units.yi(c)
        if c != row.online_retail_yuan:  # cross_border_part: the domestic part counts
            retail_text = f"(境内部分 {units.yi(c)})"
        base_text = (
            retail_text
            if assume.traffic_base == "all"
            else f"({retail_text} − {units.yi(threshold)})"
        )
        basis = f"{base_text} × {per_wan:g} 元/万元 = {units.wan(gross)}"
        if assume.traffic_cap_period == "plan":
            if amount < min(gross, cap) * assume.payout_share - 1e-6:
                basis += f",方案期内累计封顶 {units.wan(cap)},本年余额"
        elif gross > cap:
            basis += f",封顶 {units.wan(cap)}"
        if assume.payout_share != 1 or assume.traffic_cap_period == "plan":
            basis += f"{_share_text(assume)} = {units.wan(amount)}"
        records.append(
            {
                "unit_id": row.unit_id,
                "category": "",
                "prefecture": row.prefecture,
                "achievement_year": row.year,
                "payment_year": row.year + assume.payment_delay("traffic"),
                "instrument": "traffic",
                "amount_yuan": float(amount),
                "clause": instrument_clause(params, "traffic"),
                "basis": basis,
            }
        )
    return records
