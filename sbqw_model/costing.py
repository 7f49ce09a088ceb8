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

from sbqw_model import line_basis, prefectures, rules
from sbqw_model.assumptions import Assumptions
from sbqw_model.instruments import REGISTRY, Instrument
from sbqw_model.ledger import CROSS_BORDER_RETAIL_COLUMN, REVOKED_COLUMN, Ledger
from sbqw_model.parameters import Parameters
from sbqw_model.periods import payment_years, plan_years
from sbqw_model.rules import REVOCATION_CLAUSE

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
    by_instrument = {entry.key: 0.0 for entry in REGISTRY}
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
    """Apply the rules to a ledger: one line per payout, then totals.

    Lines come kind by kind of rule, in the order the registry first lists each kind; every
    registered instrument of a kind goes through that kind's one path.
    """
    builders = {
        "recognition": _award_lines,
        "milestone": _milestone_lines,
        "firm_year": _firm_lines,
    }
    kinds = dict.fromkeys(entry.kind for entry in REGISTRY)
    records = [r for kind in kinds for r in builders[kind](ledger, params, assume)]
    lines = pd.DataFrame.from_records(records, columns=list(LINE_COLUMNS))
    lines = lines.astype({"amount_yuan": float})
    return CostResult(lines, summarize(lines, params, assume), assume, params)


def _line(entry: Instrument, assume: Assumptions, params: Parameters, **fields: Any) -> dict:
    """A payout line of ``entry``: its payment year and clause follow from the registry."""
    return {
        **fields,
        "payment_year": fields["achievement_year"] + entry.payment_delay(assume),
        "instrument": entry.key,
        "clause": entry.clause(params),
    }


def _award_lines(ledger: Ledger, params: Parameters, assume: Assumptions) -> list[dict[str, Any]]:
    """One-time awards (§四(二)2): once per unit and category, in the first year recognized;
    under ``revoked_repay`` a later revocation pays it back (``rules.award_repayment``)."""
    rec = ledger.recognitions
    first = rec.sort_values("year", kind="stable").drop_duplicates(["unit_id", "category"])
    entries: dict[str, list[tuple[Instrument, float, float, float]]] = {}
    for _, entry in REGISTRY.of_kind("recognition"):
        ceiling = params.value(entry.parameters[0])
        amount = float(entry.rule(ceiling, assume))
        repay = float(rules.award_repayment(amount, assume))
        entries.setdefault(entry.recipients, []).append((entry, ceiling, amount, repay))
    revoked = _revocation_years(rec) if assume.revoked_repay else {}
    records = []
    for row in first.itertuples(index=False):
        for entry, ceiling, amount, repay in entries.get(row.category, []):
            if amount <= 0:
                continue
            unit = {"unit_id": row.unit_id, "category": row.category, "prefecture": row.prefecture}
            line = _line(
                entry,
                assume,
                params,
                **unit,
                achievement_year=row.year,
                amount_yuan=amount,
                basis=line_basis.award_basis(entry, ceiling, amount, assume, params=params),
            )
            records.append({k: line[k] for k in LINE_COLUMNS})
            year = revoked.get((row.unit_id, row.category))
            if year is not None and year > row.year and repay:
                # assumption revoked_repay (DIGEST open point 4): the award comes back the
                # year the yearly review revokes the unit (§三(三) 动态管理)
                back = _line(
                    entry,
                    assume,
                    params,
                    **unit,
                    achievement_year=year,
                    amount_yuan=repay,
                    basis=line_basis.repayment_basis(year, repay),
                )
                back["clause"] = f"{back['clause']}; {REVOCATION_CLAUSE}"
                records.append({k: back[k] for k in LINE_COLUMNS})
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
    """Which units may receive sales-milestone awards (``rules.milestone_excluded``)."""
    excluded = set(rec.loc[rec["category"].isin(rules.milestone_excluded(assume)), "unit_id"])
    return np.array([u not in excluded for u in unit_ids], dtype=bool)


def plan_rows(sales: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The sales rows of the plan years: the rows that can pay."""
    return sales[sales["year"] >= plan_years(params)[0]]


def base_year_rows(sales: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """The sales rows of the year before the plan: they pay nothing, and say which sales tiers
    a unit had reached before it (assumption ``milestone_pre_plan_tiers``)."""
    return sales[sales["year"] == plan_years(params)[0] - 1]


def _before(base: pd.DataFrame, unit_ids: np.ndarray, assume: Assumptions) -> np.ndarray:
    """Each unit's base-year figure on the milestones' basis (``rules.milestone_sales``); 0 for
    a unit with no base-year row (none reached before the plan, as far as the ledger says)."""
    before = np.zeros(len(unit_ids))
    at = pd.Index(unit_ids).get_indexer(base["unit_id"])
    known = at >= 0
    figure = rules.milestone_sales(
        base["annual_sales_yuan"].to_numpy(), base["online_retail_yuan"].to_numpy(), assume
    )
    before[at[known]] = figure[known]
    return before


def _panel(sales: pd.DataFrame, params: Parameters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit ids, row → unit index, row → year index) of the unit × year panel of sales rows."""
    unit_ids = pd.unique(sales["unit_id"])
    u_index = pd.Index(unit_ids).get_indexer(sales["unit_id"])
    return np.asarray(unit_ids), u_index, sales["year"].to_numpy() - plan_years(params)[0]


def _milestone_lines(
    ledger: Ledger, params: Parameters, assume: Assumptions
) -> list[dict[str, Any]]:
    """Sales-milestone awards (§四(二)3) on each unit's panel of annual sales, one rule call per
    rule the milestone entries share; lines in unit, year, part order. Base-year rows pay
    nothing; they give each unit's figure before the plan (``before``)."""
    sales = plan_rows(ledger.sales, params)
    groups: dict[Any, list[Instrument]] = {}
    for _, entry in REGISTRY.of_kind("milestone"):
        groups.setdefault(entry.rule, []).append(entry)
    if sales.empty or not groups:
        return []
    years = plan_years(params)
    unit_ids, u_index, y_index = _panel(sales, params)
    panel = np.zeros((len(unit_ids), len(years)))
    # 年销售额: all sales or e-commerce sales (assumption milestone_sales_basis)
    panel[u_index, y_index] = rules.milestone_sales(
        sales["annual_sales_yuan"].to_numpy(), sales["online_retail_yuan"].to_numpy(), assume
    )
    pref = np.full(panel.shape, "", dtype=object)
    pref[u_index, y_index] = sales["prefecture"].to_numpy()
    recipients = sales_recipient_mask(unit_ids, ledger.recognitions, assume)
    panel *= recipients[:, None]
    before = _before(base_year_rows(ledger.sales, params), unit_ids, assume) * recipients
    records = []
    for rule, entries in groups.items():
        awards = rule(panel, params, assume, before=before)  # (units, years, parts)
        by_part = {e.part: e for e in entries}
        paying = np.nonzero(awards > 0)
        keep = np.isin(paying[2], list(by_part))
        u, y, t = (axis[keep] for axis in paying)
        texts = np.empty(u.size, dtype=object)
        for part, entry in by_part.items():
            at = t == part
            cells = (u[at], y[at])
            texts[at] = entry.describe(
                entry, panel, awards[:, :, part], cells, params, assume, before=before
            )
        for i in range(u.size):
            entry = by_part[int(t[i])]
            line = _line(
                entry,
                assume,
                params,
                unit_id=unit_ids[u[i]],
                category="",
                prefecture=pref[u[i], y[i]],
                achievement_year=years[y[i]],
                amount_yuan=float(awards[u[i], y[i], t[i]]),
                basis=texts[i],
            )
            records.append({k: line[k] for k in LINE_COLUMNS})
    return records


def _firm_years(sales: pd.DataFrame, params: Parameters) -> tuple[rules.FirmYears, tuple]:
    """The ledger's sales rows as the unit × year panel firm-year rules read (a cap over the
    plan period binds on a unit's running total, in year order), and each row's cell."""
    unit_ids, u, y = _panel(sales, params)
    shape = (len(unit_ids), len(plan_years(params)))
    panel = {k: np.zeros(shape) for k in ("sales", "retail", "part")}
    above, cross = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    panel["sales"][u, y] = sales["annual_sales_yuan"].to_numpy()
    panel["retail"][u, y] = sales["online_retail_yuan"].to_numpy()
    # no cross-border figure: all of a cross-border firm's retail is cross-border
    given = sales.get(CROSS_BORDER_RETAIL_COLUMN, sales["online_retail_yuan"])
    panel["part"][u, y] = given.fillna(sales["online_retail_yuan"]).to_numpy(dtype=float)
    above[u, y] = sales["above_scale"].to_numpy()
    cross[u, y] = sales["cross_border"].to_numpy()
    firms = rules.FirmYears(panel["sales"], panel["retail"], above, cross, panel["part"])
    return firms, (u, y)


def _firm_lines(ledger: Ledger, params: Parameters, assume: Assumptions) -> list[dict[str, Any]]:
    """Firm-year instruments (the traffic subsidy, §四(二)3): per plan-year sales row, entry by
    entry."""
    sales = plan_rows(ledger.sales, params)
    entries = [e for _, e in REGISTRY.of_kind("firm_year")]
    if sales.empty or not entries:
        return []
    firms, (u, y) = _firm_years(sales, params)
    rows = list(sales[["unit_id", "prefecture", "year"]].itertuples(index=False))
    records = []
    for entry in entries:
        amounts = entry.rule(firms, params, assume)
        paying = np.flatnonzero(amounts[u, y] > 0)
        cells = (u[paying], y[paying])
        texts = entry.describe(entry, firms, amounts, cells, params, assume)
        for i, text in zip(paying, texts, strict=True):
            row = rows[i]
            line = _line(
                entry,
                assume,
                params,
                unit_id=row.unit_id,
                category="",
                prefecture=row.prefecture,
                achievement_year=row.year,
                amount_yuan=float(amounts[u[i], y[i]]),
                basis=text,
            )
            records.append({k: line[k] for k in LINE_COLUMNS})
    return records
