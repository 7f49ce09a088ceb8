"""The policy frontier: budget (90th percentile of total outlay) against the odds of success.

Over the lever settings of a sweep, a setting is on the frontier when no other setting is at
most as expensive with at least as good odds (and better in one). The cheapest setting that
reaches a requested probability is on it. If the sweep also varies things that are not levers
(an uncertainty, the behavioural response), each combination of those gets its own frontier:
comparing policies only makes sense within the same world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model.errors import InputError
from sbqw_model.research.store import RESULTS, read_table

COST = "budget.total.p90"
PROBABILITY = "p_all_met"
FACTOR_ROOTS = ("assumptions", "parameters", "uncertainties", "behaviour", "levers")
LEVER_ROOTS = ("assumptions", "parameters", "levers")


def load_results(path: Path) -> pd.DataFrame:
    """A result table: a folder ``sbqw sweep --out`` (or ``sbqw sensitivity --out``) wrote, or
    the table itself."""
    path = Path(path)
    if path.is_dir():
        found = [
            path / f"{name}.{ext}" for name in (RESULTS, "sample") for ext in ("parquet", "csv")
        ]
        found = [p for p in found if p.is_file()]
        if not found:
            parts = (
                "; its parts/ show an unfinished sweep (run it with --resume)"
                if (path / "parts").is_dir()
                else ""
            )
            raise InputError([f"{path}: no results.parquet or results.csv in this folder{parts}"])
        path = found[0]
    if not path.is_file():
        raise InputError([f"{path}: no such sweep results file or folder"])
    if path.suffix not in (".parquet", ".csv"):
        raise InputError([f"{path}: expected a .parquet or .csv results table"])
    try:
        return read_table(path)
    except Exception as exc:  # pyarrow and pandas raise many types for a broken file
        raise InputError([f"{path}: cannot read the results table ({exc})"]) from None


def factor_columns(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(lever columns, other factor columns) by their path's root."""
    factors = [c for c in table.columns if c.split(".")[0] in FACTOR_ROOTS]
    levers = [c for c in factors if c.split(".")[0] in LEVER_ROOTS]
    return levers, [c for c in factors if c not in levers]


def efficient(cost: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Mask of Pareto-efficient settings (low cost, high p); of exact ties only the first."""
    order = np.lexsort((np.arange(len(cost)), -p, cost))  # cost up, then p down, then row
    mask = np.zeros(len(cost), dtype=bool)
    best = -math.inf
    for i in order:
        if p[i] > best:
            mask[i] = True
            best = p[i]
    return mask


@dataclass
class Frontier:
    """One frontier: its group (fixed non-lever values), every setting, and the answer."""

    group: dict[str, Any]
    levers: list[str]
    settings: pd.DataFrame  # levers, cost, p, se, on_frontier; sorted by cost
    min_probability: float  # the probability the cheapest setting must reach
    cost: str
    probability: str

    @property
    def frontier(self) -> pd.DataFrame:
        return self.settings[self.settings["on_frontier"]]

    @property
    def cheapest(self) -> pd.Series | None:
        ok = self.settings[self.settings[self.probability] >= self.min_probability]
        if ok.empty:
            return None
        return ok.sort_values(
            [self.cost, self.probability, "point"], ascending=[True, False, True]
        ).iloc[0]

    @property
    def best(self) -> pd.Series:
        return self.settings.sort_values(
            [self.probability, self.cost], ascending=[False, True]
        ).iloc[0]

    def near_threshold(self) -> bool:
        """The cheapest setting's p is within two Monte Carlo standard errors of the required
        probability."""
        row = self.cheapest
        se = f"{self.probability}_se"
        return (
            row is not None
            and se in row
            and row[self.probability] - 2 * row[se] < self.min_probability
        )

    def to_dict(self) -> dict[str, Any]:
        se = f"{self.probability}_se"

        def setting(row: pd.Series) -> dict[str, Any]:
            return {
                "point": int(row["point"]),
                "levers": {k: _plain(row[k]) for k in self.levers},
                "cost_yuan": float(row[self.cost]),
                "p": float(row[self.probability]),
                "p_se": float(row[se]) if se in row else None,
            }

        cheapest = self.cheapest
        return {
            "group": {k: _plain(v) for k, v in self.group.items()},
            "frontier": [setting(r) for _, r in self.frontier.iterrows()],
            "cheapest": setting(cheapest) if cheapest is not None else None,
            "reached": cheapest is not None,
            "near_threshold": self.near_threshold(),
            "best": setting(self.best),
            "settings": len(self.settings),
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def frontiers(
    table: pd.DataFrame,
    min_probability: float,
    cost: str = COST,
    probability: str = PROBABILITY,
) -> list[Frontier]:
    """One frontier per combination of the non-lever factors (one if there are none)."""
    problems = [
        f"results table: no column `{c}` (is this a sweep's results table?)"
        for c in ("point", cost, probability)
        if c not in table.columns
    ]
    levers, others = factor_columns(table)
    if not levers:
        problems.append(
            "results table: no lever columns (assumptions.*, parameters.* or levers.*); a frontier"
            " compares"
            " lever settings"
        )
    if problems:
        raise InputError(problems)
    keep = ["point", *levers, cost, probability]
    se = f"{probability}_se"
    if se in table.columns:
        keep.append(se)
    groups = table.groupby(others, sort=True, dropna=False) if others else [((), table)]
    out = []
    for key, rows in groups:
        values = key if isinstance(key, tuple) else (key,)
        settings = rows[keep].copy()
        settings["on_frontier"] = efficient(
            settings[cost].to_numpy(dtype=float), settings[probability].to_numpy(dtype=float)
        )
        settings = settings.sort_values([cost, "point"], kind="stable").reset_index(drop=True)
        out.append(
            Frontier(
                dict(zip(others, values, strict=True)),
                levers,
                settings,
                min_probability,
                cost,
                probability,
            )
        )
    if others and all(len(f.settings) == 1 for f in out):
        raise InputError(
            [
                f"results table: every row has its own value of {', '.join(others)} (not levers),"
                " so no two lever settings share a world; sweep levers on a grid"
            ]
        )
    return out
