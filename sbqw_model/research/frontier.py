"""The policy frontier: budget (95th percentile of total outlay) against the odds of success.

Over the lever settings of a sweep, a setting is on the frontier when no other setting is at
most as expensive with at least as good odds (and better in one). The cheapest setting that
reaches a requested probability is on it. If the sweep also varies things that are not levers
(an uncertainty, the behavioural response), each combination of those gets its own frontier:
comparing policies only makes sense within the same world.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model.assumptions import SPECS
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.limits import MAX_RESULTS_BYTES, check_input_file
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.research.store import RESULTS, read_table
from sbqw_model.summary_types import BAND

#: The budget: the total outlay's "high" value, the percentile every report shows (``BAND``).
COST = f"budget.total.{BAND[1]}"
PROBABILITY = "p_all_met"
FACTOR_ROOTS = ("assumptions", "parameters", "uncertainties", "behaviour", "levers")
LEVER_ROOTS = ("assumptions", "parameters", "levers")
#: Rule amounts a lever's reading names in words (超过1亿元的部分: ``traffic.threshold``).
AMOUNTS_NAMED = tuple(dict.fromkeys(p for spec in SPECS.values() for _, p in spec.amounts))


def load_results(path: Path) -> pd.DataFrame:
    """A result table: a folder ``sbqw sweep --out`` (or ``sbqw sensitivity --out``) wrote, or
    the table itself. Errors must name the file and row the user can open, so the table keeps
    its file name in ``attrs["source"]`` and its index is the row number (a CSV's header is
    row 1, as a spreadsheet shows it; a parquet table's first row is row 1)."""
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
    if not path.exists():
        raise InputError([f"{path}: no such sweep results file or folder"])
    # never opened unless a regular file of a sane size: /dev/zero or a pipe would never end
    check_input_file(path, "a .parquet or .csv table", MAX_RESULTS_BYTES)
    if path.suffix not in (".parquet", ".csv"):
        raise InputError([f"{path}: expected a .parquet or .csv results table"])
    try:
        table = read_table(path)
    except InputError:  # a missing extra: its own line says what to install
        raise
    except Exception as exc:  # pyarrow and pandas raise many types for a broken file
        raise InputError([f"{path}: cannot read the results table ({exc})"]) from None
    first = 2 if path.suffix == ".csv" else 1
    table.index = pd.RangeIndex(first, first + len(table))
    table.attrs["source"] = str(path)
    return table


def source(table: pd.DataFrame) -> str:
    """The file a table came from (``load_results``), for error messages."""
    return str(table.attrs.get("source", "results table"))


def is_cost(column: str) -> bool:
    """A budget amount in yuan (``budget.total.p95``, ``budget.by_year.2024.mean``); the chance
    of exceeding an appropriation is a ``budget.*`` column too, but a probability."""
    return column.startswith("budget.") and not column.startswith("budget.p_over_appropriation")


def is_probability(column: str) -> bool:
    """A chance of meeting targets (``p_all_met``, ``targets.online_retail.p_met``,
    ``recognition_min_p_met``): other columns are factors, amounts or standard errors."""
    root = column.split(".")[0]
    return column.endswith("_met") and root not in (*FACTOR_ROOTS, "budget")


#: What a checked cell must hold: (lowest, highest, wording of what was expected).
CELL_KINDS = {
    "amount": (0.0, math.inf, "a finite amount in yuan ≥ 0"),
    "probability": (0.0, 1.0, "a probability from 0 to 1"),
    "se": (0.0, 1.0, "a standard error from 0 to 1"),
    "point": (0.0, math.inf, "a whole-number point id ≥ 0"),
}
#: Problems listed at most: a table of 100 000 bad rows should not print 100 000 lines.
SHOWN_PROBLEMS = 20


def got(value: Any) -> str:
    """A cell as an error quotes it: text in quotes, an empty one said so."""
    if isinstance(value, str):
        return repr(value)
    value = _plain(value)
    return "an empty cell or NaN" if isinstance(value, float) and math.isnan(value) else f"{value}"


def check_cells(table: pd.DataFrame, kinds: dict[str, str]) -> None:
    """Refuse, row by row, cells that are not numbers of their kind (``CELL_KINDS``), and
    repeated point ids: a text cell crashed the arithmetic, and inf, NaN, a negative budget or
    P = 150 % were printed as if they were results."""
    name = source(table)
    if table.empty:
        raise InputError([f"{name}: no rows (expected one row per sweep point under the header)"])
    problems: list[str] = []
    for column, kind in kinds.items():
        low, high, expected = CELL_KINDS[kind]
        cells = table[column]
        x = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(x) & (x >= low) & (x <= high))
        if kind == "point":
            bad |= np.isfinite(x) & (x != np.floor(x))
            problems += _repeated(pd.Series(x[~bad], index=table.index[~bad]), name, column)
        for i in np.flatnonzero(bad):
            value = cells.iloc[i]
            what = f"a number ({expected})" if isinstance(value, str) else expected
            problems.append(
                f"{name} row {table.index[i]}, column {column}: expected {what}, got {got(value)}"
            )
    if len(problems) > SHOWN_PROBLEMS:
        more = len(problems) - SHOWN_PROBLEMS
        problems = [*problems[:SHOWN_PROBLEMS], f"{name}: … and {more} more problems"]
    if problems:
        raise InputError(problems)


def _repeated(ids: pd.Series, name: str, column: str) -> list[str]:
    """A point id on two rows: one of them is a copy or a slip, and ``point N`` in the answer
    would not say which row it means."""
    first = {point: row for row, point in ids[~ids.duplicated()].items()}
    return [
        f"{name} row {row}, column {column}: point {point:.0f} appears twice"
        f" (first at row {first[point]}); point ids must be unique"
        for row, point in ids[ids.duplicated()].items()
    ]


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
    #: the rule amounts of the sweep's base scenario (None: the plan's): a reading that names
    #: one (超过1亿元的部分) says the amount in force at a setting (``params_at``)
    params: Parameters | None = None

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

    def params_at(self, setting: Mapping[str, Any]) -> Parameters | None:
        """The rule amounts in force at ``setting`` (a row, or the group) for its readings'
        words: the base's, with the amounts they name as its ``parameters.*`` factors set them."""
        return params_at(self.params, setting)

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


def _columns(table: pd.DataFrame, cost: str, probability: str) -> tuple[list[str], list[str]]:
    """(levers, other factors), or every problem with the columns asked for: a factor or the
    point id given as the cost or probability made nonsense (or a crash) of the frontier."""
    name = source(table)
    kinds = (
        (cost, "cost", is_cost, f"a budget amount in yuan (budget.*, e.g. {COST})"),
        (
            probability,
            "probability",
            is_probability,
            "a probability of meeting targets (p_all_met, targets.<target>.p_met, …)",
        ),
    )
    wrong = [(column, kind, what) for column, kind, fits, what in kinds if not fits(column)]
    problems = [f"{name}: `{c}` is not a {kind} column; expected {what}" for c, kind, what in wrong]
    for column in ("point", cost, probability):
        if column not in table.columns and column not in {c for c, _, _ in wrong}:
            hint = did_you_mean(column, map(str, table.columns))
            hint = hint or " (is this a sweep's results table?)"
            problems.append(f"{name}: no column `{column}`{hint}")
    levers, others = factor_columns(table)
    if not levers:
        problems.append(
            f"{name}: no lever columns (assumptions.*, parameters.* or levers.*); a frontier"
            " compares lever settings"
        )
    if problems:
        raise InputError(problems)
    return levers, others


def params_at(base: Parameters | None, setting: Mapping[str, Any]) -> Parameters | None:
    """``base`` (None: the plan's) with the amounts a reading names (``AMOUNTS_NAMED``) as
    ``setting`` (a row of ``parameters.*`` values) sets them. Only those: what a reading says
    needs no other, and a tier threshold would be checked against the base's other tiers."""
    overrides = {
        path: _plain(setting[f"parameters.{path}"])
        for path in AMOUNTS_NAMED
        if f"parameters.{path}" in setting
    }
    if not overrides:
        return base
    return (base or default_parameters()).with_overrides(overrides, "parameters.")


def _check_params(table: pd.DataFrame, base: Parameters) -> None:
    """Every distinct setting of the amounts a reading names is one ``base`` takes (a sweep's
    rows are; a table made by hand may not be): one clear line, not a failed report."""
    columns = [f"parameters.{p}" for p in AMOUNTS_NAMED if f"parameters.{p}" in table.columns]
    if not columns:
        return
    for row, setting in table[columns].drop_duplicates().iterrows():
        try:
            params_at(base, setting.to_dict())
        except InputError as exc:
            raise InputError([f"{source(table)} row {row}: {p}" for p in exc.problems]) from None


def frontiers(
    table: pd.DataFrame,
    min_probability: float,
    cost: str = COST,
    probability: str = PROBABILITY,
    params: Parameters | None = None,
) -> list[Frontier]:
    """One frontier per combination of the non-lever factors (one if there are none);
    ``params``: the rule amounts of the sweep's base scenario (None: the plan's)."""
    levers, others = _columns(table, cost, probability)
    keep = ["point", *levers, cost, probability]
    se = f"{probability}_se"
    kinds = {"point": "point", cost: "amount", probability: "probability"}
    if se in table.columns:
        keep.append(se)
        kinds[se] = "se"
    check_cells(table, kinds)
    if params is not None:  # the frontier's words will name its amounts
        _check_params(table, params)
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
                params,
            )
        )
    if others and all(len(f.settings) == 1 for f in out):
        raise InputError(
            [
                f"{source(table)}: every row has its own value of {', '.join(others)} (not"
                " levers), so no two lever settings share a world; sweep levers on a grid"
            ]
        )
    return out
