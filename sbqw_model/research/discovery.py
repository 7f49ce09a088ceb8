"""Scenario discovery: which combinations of drivers lead to missing a target.

Boxes come from a shallow decision tree (scikit-learn's CART, depth 2 by default): each leaf is a
box of conditions on the drivers, reported with its *density* (share of runs in the box that
miss) and *coverage* (share of all misses that fall in the box), as PRIM's boxes are. A tree
was chosen over EMA Workbench's PRIM, which is maintained but pulls in statsmodels, seaborn and
platypus (≈ 160 MB, ≈ 3 s to import); at depth 2 a tree gives the same kind of two-condition
box a reader can act on.

Unit of analysis:

- **per world** (``world_sample``, the default for a scenario): every simulated world draws each
  uncertainty once, so a world is one experiment with its own driver values, weighted by the
  scenario's own distributions; "missed" is the target not met in that world.
- **per point** (``point_sample``, for a sweep or sensitivity table): drivers are the factor
  columns, and a point counts as "missed" when its probability of meeting the target is below
  one half. Densities are then over the sweep's design, not over the scenario's distributions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sbqw_model.engine import TARGETS, refuse_non_finite, target_levels, target_values
from sbqw_model.reporting.i18n import target_name
from sbqw_model.research.wording import factor_label, fmt_money, fmt_value, t
from sbqw_model.scenario import Scenario
from sbqw_model.worlds import BLOCK, draw_block, uncertainty_draws

OUTCOMES = ("all", *TARGETS)
MISSED_BELOW = 0.5  # per point: "missed" when P(met) < 1/2
MIN_MASS = 0.05  # a box holds at least 5 % of the runs (no boxes around a handful of points)
MAX_BOXES = 3
PRUNE_TOLERANCE = 0.01  # a condition worth less than 1 point of density is dropped


@dataclass(frozen=True)
class Box:
    """Conditions per driver: (lower, upper) with None for an open side; lower < x ≤ upper."""

    limits: dict[str, tuple[float | None, float | None]]
    n: int
    misses: int
    total_runs: int
    total_misses: int

    @property
    def density(self) -> float:
        return self.misses / self.n if self.n else math.nan

    @property
    def coverage(self) -> float:
        return self.misses / self.total_misses if self.total_misses else math.nan

    @property
    def mass(self) -> float:
        return self.n / self.total_runs


@dataclass
class Discovery:
    """Boxes for one outcome, and what they were found in."""

    outcome: str  # "all" or a target
    unit: str  # "world" or "point"
    runs: int
    misses: int
    boxes: list[Box]
    drivers: list[str]
    level: float | None = None  # the target level (for the sentence)
    met_boxes: list[Box] = field(default_factory=list)  # when misses are the rule: where it works
    x: pd.DataFrame | None = field(default=None, repr=False)
    missed: np.ndarray | None = field(default=None, repr=False)

    @property
    def miss_rate(self) -> float:
        return self.misses / self.runs if self.runs else math.nan

    def sentences(self, lang: str = "zh") -> list[str]:
        if self.misses in (0, self.runs):
            key = "never_missed" if self.misses == 0 else "always_missed"
            return [t(key, lang).format(runs=t(f"run.{self.unit}", lang))]
        out = [sentence(self, box, lang) for box in self.boxes] or [t("no_box", lang)]
        return out + [sentence(self, box, lang, met=True) for box in self.met_boxes]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "unit": self.unit,
            "runs": self.runs,
            "misses": self.misses,
            "miss_rate": self.miss_rate,
            "boxes": [
                {
                    "limits": {k: list(v) for k, v in b.limits.items()},
                    "density": b.density,
                    "coverage": b.coverage,
                    "mass": b.mass,
                    "n": b.n,
                    "misses": b.misses,
                }
                for b in self.boxes
            ],
            "met_boxes": [
                {
                    "limits": {k: list(v) for k, v in b.limits.items()},
                    "density": b.density,
                    "coverage": b.coverage,
                    "mass": b.mass,
                    "n": b.n,
                    "hits": b.misses,
                }
                for b in self.met_boxes
            ],
            "sentences": self.sentences(lang),
        }


def find_boxes(
    x: pd.DataFrame, missed: np.ndarray, depth: int = 2, min_mass: float = MIN_MASS
) -> list[Box]:
    """Leaves of a shallow tree where misses are denser than overall, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    missed = np.asarray(missed, dtype=bool)
    n, total = len(missed), int(missed.sum())
    if total in (0, n) or x.shape[1] == 0:
        return []
    tree = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(1, math.ceil(min_mass * n)), random_state=0
    ).fit(x.to_numpy(dtype=float), missed)
    inner = tree.tree_
    names = list(x.columns)
    leaf_of = tree.apply(x.to_numpy(dtype=float))
    boxes = []

    def walk(node: int, limits: dict[str, tuple[float | None, float | None]]) -> None:
        left, right = inner.children_left[node], inner.children_right[node]
        if left == right:  # a leaf
            inside = leaf_of == node
            hits = int(missed[inside].sum())
            if hits and hits / inside.sum() > total / n:
                boxes.append(Box(limits, int(inside.sum()), hits, n, total))
            return
        name, cut = names[inner.feature[node]], float(inner.threshold[node])
        low, high = limits.get(name, (None, None))
        walk(left, {**limits, name: (low, cut if high is None else min(high, cut))})
        walk(right, {**limits, name: (cut if low is None else max(low, cut), high)})

    walk(0, {})
    pruned: dict[str, Box] = {}
    for box in boxes:
        box = prune(box, x, missed)
        pruned.setdefault(repr(sorted(box.limits.items())), box)
    found = sorted(pruned.values(), key=lambda b: (-b.density, -b.coverage))
    return found[:MAX_BOXES]


def prune(box: Box, x: pd.DataFrame, missed: np.ndarray, tolerance: float = PRUNE_TOLERANCE) -> Box:
    """Drop conditions that barely matter (as EMA Workbench drops insignificant restrictions).

    A tree at depth 2 always splits twice; when lifting a condition costs less than
    ``tolerance`` of density, it is noise (or a detail) and the simpler, wider box is kept.
    """
    while len(box.limits) > 1:
        candidates = []
        for name in box.limits:
            limits = {k: v for k, v in box.limits.items() if k != name}
            wider = _box(limits, x, missed, box)
            if wider.density >= box.density - tolerance:
                candidates.append(wider)
        if not candidates:
            break
        box = max(candidates, key=lambda b: (b.density, b.coverage))
    return box


def _box(
    limits: dict[str, tuple[float | None, float | None]],
    x: pd.DataFrame,
    missed: np.ndarray,
    like: Box,
) -> Box:
    mask = inside(Box(limits, 0, 0, like.total_runs, like.total_misses), x)
    return Box(limits, int(mask.sum()), int(missed[mask].sum()), like.total_runs, like.total_misses)


def inside(box: Box, x: pd.DataFrame) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for name, (low, high) in box.limits.items():
        if low is not None:
            mask &= x[name].to_numpy() > low
        if high is not None:
            mask &= x[name].to_numpy() <= high
    return mask


# --------------------------------------------------------------------------------------------
# samples


def world_sample(
    scenario: Scenario, draws: int, seed: int
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per world: every non-fixed uncertainty's draw, and whether each outcome was missed.

    Worlds are drawn block by block exactly as ``engine.simulate`` draws them (same seed, same
    worlds), without costing them: discovery needs the targets, not the money.
    """
    varying = [p for p, d in scenario.uncertainties.items() if d.dist != "fixed"]
    levels = target_levels(scenario.params)
    columns: dict[str, list[np.ndarray]] = {p: [] for p in varying}
    met: dict[str, list[np.ndarray]] = {k: [] for k in TARGETS}
    for block in range(-(-draws // BLOCK)):
        n = min(BLOCK, draws - block * BLOCK)
        u = uncertainty_draws(scenario, seed, block, n)
        for p in varying:
            columns[p].append(u[p])
        world = draw_block(scenario, seed, block, n)
        values = target_values(world, scenario.params, scenario.assumptions)
        refuse_non_finite({f"targets.{k}": v for k, v in values.items()}, scenario)
        for k in TARGETS:
            met[k].append(values[k] >= levels[k])
    x = pd.DataFrame({f"uncertainties.{p}": np.concatenate(v) for p, v in columns.items()})
    hit = {k: np.concatenate(v) for k, v in met.items()}
    missed = {k: ~v for k, v in hit.items()}
    missed["all"] = ~np.logical_and.reduce([hit[k] for k in TARGETS])
    return x, missed


_FACTOR_GROUPS = ("assumptions", "parameters", "uncertainties", "behaviour")


def _check_factor_cells(table: pd.DataFrame) -> None:
    """A factor column of numbers with a stray text or empty cell was read as text and left
    out, silently changing the answer: refuse such cells, naming row and column. (A column of
    words, a categorical factor such as a sales-award mode, is a factor of its own kind.)"""
    from sbqw_model.errors import InputError
    from sbqw_model.research.frontier import got, source

    problems = []
    for column in (c for c in table.columns if c.split(".")[0] in _FACTOR_GROUPS):
        cells = table[column]
        numbers = pd.to_numeric(cells, errors="coerce")
        if numbers.notna().sum() == 0:
            continue  # words (or nothing) throughout: not a number column
        bad = ~np.isfinite(numbers.to_numpy(dtype=float))
        problems += [
            f"{source(table)} row {table.index[i]}, column {column}: expected a number (a"
            f" factor's value), got {got(cells.iloc[i])}"
            for i in np.flatnonzero(bad)
        ]
    if problems:
        raise InputError(
            problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        )


def point_sample(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per point of a sweep/sensitivity table: numeric factor columns; missed if P(met) < ½."""
    _check_factor_cells(table)
    factors = [
        c
        for c in table.columns
        if c.split(".")[0] in _FACTOR_GROUPS
        and pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
        and table[c].nunique() > 1
    ]
    missed = {
        k: table[outcome_column(k)].to_numpy(dtype=float) < MISSED_BELOW
        for k in OUTCOMES
        if outcome_column(k) in table
    }
    return table[factors].astype(float), missed


def outcome_column(outcome: str) -> str:
    """The column of a sweep/sensitivity table holding the probability ``outcome`` is met."""
    return "p_all_met" if outcome == "all" else f"targets.{outcome}.p_met"


def discover(
    x: pd.DataFrame,
    missed: dict[str, np.ndarray],
    outcome: str,
    unit: str,
    level: float | None = None,
    depth: int = 2,
) -> Discovery:
    """Boxes where ``outcome`` is missed; when most runs miss, also where it is met."""
    flags = np.asarray(missed[outcome], dtype=bool)
    boxes = find_boxes(x, flags, depth)
    met = find_boxes(x, ~flags, depth)[:1] if flags.mean() > MISSED_BELOW else []
    return Discovery(
        outcome, unit, len(flags), int(flags.sum()), boxes, list(x.columns), level, met, x, flags
    )


def discover_scenario(
    scenario: Scenario,
    outcomes: tuple[str, ...] = ("online_retail", "all"),
    draws: int = 5000,
    seed: int = 0,
    depth: int = 2,
) -> list[Discovery]:
    x, missed = world_sample(scenario, draws, seed)
    levels = target_levels(scenario.params)
    return [discover(x, missed, o, "world", levels.get(o), depth) for o in outcomes]


# --------------------------------------------------------------------------------------------
# words


def _what(outcome: str, level: float | None, lang: str) -> str:
    if outcome == "all":
        return t("what_all", lang)
    name = target_name(outcome, lang)
    name = name if lang == "zh" else name.lower()
    if level is None:
        return t("what_target", lang).format(name=name)
    shown = fmt_money(level, lang) if outcome == "online_retail" else f"{level:,.0f}"
    return t("what_target_level", lang).format(name=name, level=shown)


def condition(name: str, low: float | None, high: float | None, lang: str) -> str:
    label = factor_label(name, lang)
    lo = fmt_value(name, low, lang) if low is not None else ""
    hi = fmt_value(name, high, lang) if high is not None else ""
    if low is None:
        return t("below", lang).format(factor=label, high=hi)
    if high is None:
        return t("above", lang).format(factor=label, low=lo)
    return t("between", lang).format(factor=label, low=lo, high=hi)


def sentence(found: Discovery, box: Box, lang: str = "zh", met: bool = False) -> str:
    """'the 1000 亿元 target is missed in 87% of runs where …' (zh or en); ``met``: a box of
    successes ('… is met in 40% of runs where …')."""
    joiner = t("and", lang) if lang == "zh" else f" {t('and', lang)} "
    conds = joiner.join(condition(k, lo, hi, lang) for k, (lo, hi) in box.limits.items())
    which = "all" if found.outcome == "all" else "target"
    text = t(f"box_{which}_{'met' if met else 'missed'}", lang).format(
        conds=conds,
        runs=t(f"runs.{found.unit}", lang),
        what=_what(found.outcome, found.level, lang),
        density=f"{box.density:.0%}",
        coverage=f"{box.coverage:.0%}",
    )
    return text[0].upper() + text[1:]
