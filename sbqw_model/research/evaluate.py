"""One batch of points → tidy result rows: what a Dask worker runs.

A point's row depends only on (base scenario, point values, seed, draws): every point uses the
same seed, so points share their random draws (common random numbers) and no worker, batch or
order can change a number. Points that differ only in levers re-cost the same drawn worlds
(``engine.recost``), which gives exactly what ``engine.simulate`` gives, at a third of the cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sbqw_model import prefectures
from sbqw_model.engine import DEFAULT_CHUNK, TARGETS, Results, drawn_worlds, recost, simulate
from sbqw_model.errors import did_you_mean
from sbqw_model.instruments import REGISTRY
from sbqw_model.research.problem import ScenarioInput, apply, world_key
from sbqw_model.scenario import Scenario
from sbqw_model.summary import (
    BAND,
    QUANTILES,
    Summary,
    band,
    effective_draws,
    probability,
    recognition_odds,
    summarize,
)
from sbqw_model.worlds import World

STATS = ("mean", *QUANTILES)  # mean, p5, p50, p90, p95
#: Columns every result row has (money in yuan), after ``point`` and the factors.
STANDARD_OUTPUTS: tuple[str, ...] = (
    *(f"targets.{t}.{k}" for t in TARGETS for k in ("p_met", "p_met_se")),
    "p_all_met",
    "p_all_met_se",
    "p_recognition_met",
    "p_recognition_met_se",
    "recognition_min_p_met",
    *(f"budget.total.{s}" for s in STATS),
)
#: Outputs of ``sbqw sensitivity`` unless ``--outputs`` says otherwise.
SENSITIVITY_OUTPUTS: tuple[str, ...] = (
    *(f"targets.{t}.p_met" for t in TARGETS),
    "p_all_met",
    "budget.total.p50",
    f"budget.total.{BAND[1]}",
)


def output_problem(name: str) -> str | None:
    """Why ``name`` is not an output (a path into ``summary.summarize``), or None."""
    if name in STANDARD_OUTPUTS:
        return None
    parts = name.split(".")
    stats = (*STATS, "target")
    if parts[0] == "targets" and len(parts) == 3 and parts[1] in TARGETS and parts[2] in stats:
        return None
    if parts[:2] == ["budget", "p_over_appropriation"] and len(parts) == 3:
        return None if parts[2].isdigit() else f"{name}: expected a payment year after the dot"
    if parts[0] == "budget" and len(parts) >= 4 and parts[-1] in STATS:
        keys = {
            "by_year": None,
            "by_instrument": REGISTRY.keys(),
            "by_prefecture": prefectures.NAMES_ZH,
        }
        key = ".".join(parts[2:-1])  # instrument keys hold dots: award.park
        if parts[1] in keys:
            valid = keys[parts[1]]
            if (valid is None and key.isdigit()) or (valid is not None and key in valid):
                return None
    examples = [
        *STANDARD_OUTPUTS,
        *(f"targets.{t}.{s}" for t in TARGETS for s in stats),
        *(f"budget.by_instrument.{e.key}.{s}" for e in REGISTRY for s in STATS),
        *(f"budget.by_year.2024.{s}" for s in STATS),
        "budget.p_over_appropriation.2024",
    ]
    return (
        f"unknown output `{name}`{did_you_mean(name, examples)}; outputs are paths into the"
        " simulate summary, e.g. targets.online_retail.p_met, p_all_met, budget.total.p95,"
        " budget.by_year.2024.p95, budget.by_instrument.traffic.mean"
    )


def expand_alias(name: str) -> str:
    """A bare target name means its probability (``online_retail`` → its ``p_met``)."""
    return f"targets.{name}.p_met" if name in TARGETS else name


def point_outputs(results: Results, extras: Sequence[str] = ()) -> dict[str, float]:
    """The standard columns (and ``extras``) of one point, exactly as ``summarize`` has them:
    standard errors over the effective draws of weighted worlds, not over every row."""
    met = results.met()
    ess = effective_draws(results)  # the standard errors after conditioning, as summarize
    row: dict[str, float] = {}
    for t in TARGETS:
        row[f"targets.{t}.p_met"], row[f"targets.{t}.p_met_se"] = probability(met[t], ess)
    row["p_all_met"], row["p_all_met_se"] = probability(
        np.logical_and.reduce([met[t] for t in TARGETS]), ess
    )
    row.update(recognition_odds(met, ess))
    for key, value in band(results.outlay.total).items():
        row[f"budget.total.{key}"] = value
    missing = [e for e in extras if e not in row]
    if missing:
        summary = summarize(results)
        for name in missing:
            row[name] = _lookup(summary, name)
    return row


def _lookup(summary: Summary, path: str) -> float:
    """A number from the summary by dotted path (``output_problem`` checked the name); NaN
    when this point has no such key (no appropriation in that year, say)."""
    value = summary.get_path(path, default=math.nan)
    return float(value) if isinstance(value, int | float) else math.nan


@dataclass(frozen=True)
class Evaluation:
    """Everything a worker needs besides the points (scattered to workers once)."""

    base: Scenario
    inputs: tuple[ScenarioInput, ...]
    draws: int
    seed: int
    extras: tuple[str, ...] = ()

    @property
    def reuses_worlds(self) -> bool:
        """Worth keeping drawn worlds between points: some factor is a pure lever. Observed
        figures that weight the worlds (``conditioning: weight``, the default) are weighed
        once with them (``engine.drawn_worlds``): re-costing worlds drawn with the figures
        pinned answered ``pin`` (a sweep's point differed from ``sbqw simulate --observed``
        of the same scenario and seed)."""
        return self.draws <= DEFAULT_CHUNK and any(not t.moves_worlds for t in self.inputs)


@dataclass
class BatchResult:
    rows: list[dict[str, Any]]
    engine_seconds: float  # time in the engine itself (for the overhead benchmark)


def run_batch(job: Evaluation, batch: Sequence[tuple[int, tuple[Any, ...]]]) -> BatchResult:
    """Rows for ``batch`` = [(point id, values)], in the batch's order."""
    rows = []
    engine = 0.0
    cached: tuple[tuple, World, Any] | None = None
    for point, values in batch:
        scenario = apply(job.base, job.inputs, values)
        start = time.perf_counter()
        if job.reuses_worlds:
            key = world_key(job.inputs, values, scenario)
            if cached is None or cached[0] != key:
                cached = key, *drawn_worlds(scenario, job.seed, job.draws)
            results = recost(scenario, cached[1], job.seed, cached[2])
        else:
            results = simulate(scenario, draws=job.draws, seed=job.seed)
        engine += time.perf_counter() - start
        row: dict[str, Any] = {"point": point}
        row.update({t.path: v for t, v in zip(job.inputs, values, strict=True)})
        row.update(point_outputs(results, job.extras))
        rows.append(row)
    return BatchResult(rows, engine)
