"""Backtest: where each observed figure falls in the scenario's forecast for its year.

Two readings of "the forecast" (``mode``):

- ``prior``: the scenario as it would be run before any figure was known (its own observations
  removed): does the assumed uncertainty cover what happened?
- ``sequential`` (default): each year is judged by the forecast made at the end of the year
  before, conditioned on every figure of earlier years (the scenario's and the file's) — the
  one-step-ahead check a forecaster is held to. Conditioning is the engine's: whole worlds
  weighted by how well they reproduce the earlier figures and resampled (``conditioning``), or
  pinned when the scenario says ``conditioning: pin``.

Percentile = 100 × (share of worlds below the figure + half the share equal to it), so a figure
equal to every world of a degenerate forecast sits at 50, below all at 0, above all at 100. The
central 50 % and 90 % intervals are [p25, p75] and [p5, p95]; coverage is the share of figures
inside them (nominally 50 % and 90 %; a handful of figures only hints at calibration).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sbqw_model.conditioning import plan_year_observations, resample_indices
from sbqw_model.engine import refuse_non_finite
from sbqw_model.research.observations import with_observations, years
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import Observation, Scenario
from sbqw_model.worlds import BLOCK, draw_block

MODES = ("sequential", "prior")
QUANTILES = (5, 25, 50, 75, 95)


def percentile_of(sample: np.ndarray, value: float) -> float:
    """Mid-rank percentile of ``value`` in ``sample`` (ties count half)."""
    below = np.count_nonzero(sample < value)
    equal = np.count_nonzero(sample == value)
    return 100.0 * (below + 0.5 * equal) / sample.size


def forecast(scenario: Scenario, draws: int, seed: int) -> dict[tuple[int, str], np.ndarray]:
    """Every indicator in every year, per world (worlds drawn as ``engine.simulate`` draws them).

    online_retail and products are year-end levels (2022 = the starting level); recognized.<c>
    is the number newly recognized in that year, as scenario observations count it.
    """
    base_year, last = years(scenario.params)
    all_years = list(range(base_year, last + 1))
    parts: dict[tuple[int, str], list[np.ndarray]] = {}
    for block in range(-(-draws // BLOCK)):
        world = draw_block(scenario, seed, block, min(BLOCK, draws - block * BLOCK))
        new = world.approvals.sum(axis=2)  # (n, C, Y)
        for i, year in enumerate(all_years):
            parts.setdefault((year, "online_retail"), []).append(world.online_retail_path[:, i])
            parts.setdefault((year, "products"), []).append(world.products_path[:, i])
            if i:
                for c, cat in enumerate(CATEGORIES):
                    parts.setdefault((year, f"recognized.{cat}"), []).append(new[:, c, i - 1])
    out = {k: np.concatenate(v).astype(float) for k, v in parts.items()}
    refuse_non_finite({f"{name} {year}": v for (year, name), v in out.items()}, scenario)
    return out


def conditioned_forecast(
    scenario: Scenario, draws: int, seed: int
) -> tuple[dict[tuple[int, str], np.ndarray], float | None]:
    """The forecast given the scenario's plan-year observations, as ``simulate`` conditions:
    by likelihood weighting and resampling of whole worlds (default), or pinned.

    Returns the per-world values and the effective draws (None when nothing conditions).
    """
    known = plan_year_observations(scenario)
    if not known or scenario.conditioning == "pin":
        return forecast(scenario, draws, seed), (float(draws) if known else None)
    paths = forecast(replace(scenario, observations=[]), draws, seed)
    idx, ess = resample_indices(known, paths, seed)
    return {k: v[idx] for k, v in paths.items()}, ess


@dataclass(frozen=True)
class Check:
    """One observed figure against its forecast."""

    observation: Observation
    percentile: float
    quantiles: dict[int, float]
    effective_draws: float | None = None  # distinct worlds behind a conditioned forecast

    @property
    def in50(self) -> bool:
        return self.quantiles[25] <= self.observation.value <= self.quantiles[75]

    @property
    def in90(self) -> bool:
        return self.quantiles[5] <= self.observation.value <= self.quantiles[95]

    def to_dict(self) -> dict[str, Any]:
        o = self.observation
        return {
            "year": o.year,
            "indicator": o.indicator,
            "value": o.value,
            "source": o.source,
            "percentile": self.percentile,
            **{f"p{q}": v for q, v in self.quantiles.items()},
            "in_50": self.in50,
            "in_90": self.in90,
            "effective_draws": self.effective_draws,
        }


@dataclass
class Backtest:
    scenario: str
    mode: str
    draws: int
    seed: int
    checks: list[Check]

    def coverage(self, width: int) -> float:
        inside = [c.in50 if width == 50 else c.in90 for c in self.checks]
        return float(np.mean(inside)) if inside else float("nan")

    def provenance(self) -> dict[str, Any]:
        """What produced the checks: the scenario, the mode, draws, seed and sbqw's version."""
        from sbqw_model import __version__

        return {
            "scenario": self.scenario,
            "mode": self.mode,
            "draws": self.draws,
            "seed": self.seed,
            "sbqw_version": __version__,
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per figure, its provenance in the last columns (a CSV file stands alone)."""
        return [{**c.to_dict(), **self.provenance()} for c in self.checks]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.provenance(),
            "figures": [c.to_dict() for c in self.checks],
            "coverage_50": self.coverage(50),
            "coverage_90": self.coverage(90),
        }


def _information(scenario: Scenario, observed: Sequence[Observation], year: int) -> Scenario:
    """The scenario knowing only figures of years before ``year`` (its own and the file's)."""
    own = [o for o in scenario.observations if o.year < year]
    earlier = [o for o in observed if o.year < year]
    return with_observations(replace(scenario, observations=own), earlier)


def run_backtest(
    scenario: Scenario,
    observed: Sequence[Observation],
    draws: int = 10_000,
    seed: int = 0,
    mode: str = "sequential",
) -> Backtest:
    """Percentile and interval membership of every figure, in file order."""
    if mode == "prior":
        horizons = {o.year: -1 for o in observed}  # no figure of any year is known
    else:
        horizons = {o.year: o.year for o in observed}
    results: dict[int, Check] = {}
    for horizon in sorted(set(horizons.values())):
        known = _information(scenario, observed, horizon if horizon >= 0 else -(10**6))
        paths, ess = conditioned_forecast(known, draws, seed)
        for i, o in enumerate(observed):
            if horizons[o.year] != horizon:
                continue
            sample = paths[(o.year, o.indicator)]
            q = np.percentile(sample, QUANTILES)
            results[i] = Check(
                o,
                percentile_of(sample, o.value),
                dict(zip(QUANTILES, q.tolist(), strict=True)),
                ess,
            )
    return Backtest(scenario.name, mode, draws, seed, [results[i] for i in range(len(observed))])
