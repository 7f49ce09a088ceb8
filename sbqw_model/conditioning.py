"""Observed figures that teach: whole worlds weighted by how well they reproduce the figures.

Pinning an observed year (``conditioning: pin``) makes every world show the figure but teaches the
model nothing: growth, the 2022 level and the firm panel stay as they were drawn. Likelihood
weighting does what a forecaster means by conditioning. Each world *k*, drawn from the scenario
without its observations, gets the weight

    w_k ∝ Π_o  φ( (log(1 + x_{k,o}) − log(1 + y_o)) / σ_o )

with *x_{k,o}* the world's own value of the observed figure *y_o* and *σ_o* the observation error
of its indicator (``OBSERVATION_ERROR``, a lognormal error on 1 + value). The worlds are then
resampled with those weights (systematic resampling, seeded), so the result is again ``draws``
equally weighted worlds, and every component of a world (growth, level, recognitions, firms,
outlay) moves together: a surprising 2023 shifts the beliefs about 2024–2025.

The effective number of draws, (Σw)² / Σw², says how many distinct worlds carry the answer;
below ``MIN_EFFECTIVE_DRAWS`` the commands warn. Their share of the draws is a property of the
scenario and the figures, not of the draw count (several informative figures leave a few per
cent, and that is no fault), so more draws raise the count in proportion and the warning says
how many would do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sbqw_model.errors import InputError
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import CONDITIONING_METHODS, Observation, Scenario
from sbqw_model.worlds import stream

if TYPE_CHECKING:
    from sbqw_model.engine import Results
    from sbqw_model.worlds import World

#: Observation error (sd of log(1 + value)) per indicator: how far a world's figure may sit from
#: the published one and still count as reproducing it. Online retail: platform monitoring is
#: revised by a few per cent between first release and final figure. Products and recognitions:
#: the department counts them exactly, but the model's pipeline is coarse (Poisson rounds), so a
#: 10 % mismatch is one sd of model error; an exact match would leave almost no world standing.
OBSERVATION_ERROR: dict[str, float] = {
    "online_retail": 0.03,
    "products": 0.05,
    **{f"recognized.{c}": 0.10 for c in CATEGORIES},
}
#: Below this the answer rests on too few distinct worlds: warn and suggest more draws.
MIN_EFFECTIVE_DRAWS = 200
#: More draws are suggested for this many times the minimum: the share of the worlds that
#: carries the answer varies from run to run (3.0–3.6 % measured for one file), so aiming at
#: the minimum itself would miss it half the time.
SUGGEST_MARGIN = 1.5
#: Below this share the figures lie in the tails of the scenario's ranges: more draws would
#: hide, not cure, a disagreement between the figures and the scenario.
TAIL_SHARE = 0.01
#: The random stream of the resampling step (part of the reproducibility contract).
RESAMPLING_STREAM = "conditioning:resample"


def world_values(world: World, observations: Sequence[Observation], first_year: int) -> dict:
    """Each observed figure's value in every world of ``world``, keyed (year, indicator)."""
    out: dict[tuple[int, str], np.ndarray] = {}
    for o in observations:
        i = o.year - first_year  # plan-year index; paths start with the base year
        if o.indicator == "online_retail":
            out[(o.year, o.indicator)] = world.online_retail_path[:, i + 1]
        elif o.indicator == "products":
            out[(o.year, o.indicator)] = world.products_path[:, i + 1]
        else:
            c = CATEGORIES.index(o.indicator.split(".", 1)[1])
            out[(o.year, o.indicator)] = world.approvals_by_year[:, c, i]
    return out


def log_likelihood(
    observations: Sequence[Observation], values: Mapping[tuple[int, str], np.ndarray]
) -> np.ndarray:
    """Log-likelihood of the figures in each world (up to a constant), vectorized over worlds."""
    total: np.ndarray | None = None
    for o in observations:
        x = np.asarray(values[(o.year, o.indicator)], dtype=float)
        z = (np.log1p(np.maximum(x, 0.0)) - math.log1p(o.value)) / OBSERVATION_ERROR[o.indicator]
        term = -0.5 * z * z
        total = term if total is None else total + term
    if total is None:
        raise ValueError("no observations to condition on")
    return total


def normalized_weights(loglik: np.ndarray) -> np.ndarray:
    """Weights summing to one (the largest log-likelihood is subtracted first: no underflow)."""
    w = np.exp(loglik - loglik.max())
    return w / w.sum()


def effective_draws(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalized weights, 1 / Σw²."""
    return float(1.0 / np.sum(weights * weights))


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``len(weights)`` worlds, world *k* kept ⌊n·w_k⌋ or ⌈n·w_k⌉ times (in order).

    Systematic resampling has the lowest variance of the standard schemes and keeps every world
    whose weight is at least 1/n, so the world with the largest weight is always kept.
    """
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0  # no position may fall past the end through rounding
    return np.searchsorted(cumulative, positions, side="right")


def resample_indices(
    observations: Sequence[Observation],
    values: Mapping[tuple[int, str], np.ndarray],
    seed: int,
) -> tuple[np.ndarray, float]:
    """(resampled world indices, effective draws) for worlds whose figures are ``values``."""
    weights = normalized_weights(log_likelihood(observations, values))
    rng = stream(seed, 0, RESAMPLING_STREAM)
    return systematic_resample(weights, rng), effective_draws(weights)


def plan_year_observations(scenario: Scenario) -> list[Observation]:
    """The observations that condition worlds (base-year figures fix an uncertainty instead)."""
    first = int(scenario.params.value("plan.first_year"))
    return [o for o in scenario.observations if o.year >= first]


def info(method: str, effective: float, draws: int, figures: int) -> dict[str, Any]:
    """The ``conditioning`` block of the JSON summary."""
    return {
        "method": method,
        "effective_draws": float(effective),
        "figures": figures,
        "observation_error": dict(OBSERVATION_ERROR) if method == "weight" else None,
    }


def low_effective_draws_warning(
    conditioning: Mapping[str, Any] | None,
    draws: int,
    fits: Callable[[int], bool] = lambda draws: True,
) -> str | None:
    """A sentence for stderr when too few distinct worlds carry the conditioned answer (with a
    number of draws that would be enough, if it ``fits`` in memory), or when the figures lie in
    the tails of the scenario's ranges (whatever the draws)."""
    if not conditioning or conditioning.get("method") != "weight":
        return None
    ess = float(conditioning["effective_draws"])
    share = max(ess, 1.0) / draws
    pct = f"{share * 100:.2g}%" if share < 0.1 else f"{share:.0%}"  # never "0.00%"
    tails = (
        f"the observed figures lie in the tails of the scenario's ranges (only {pct} of the"
        " worlds reproduce them): check the figures and the scenario's ranges"
    )
    if ess >= MIN_EFFECTIVE_DRAWS:
        return tails + "." if share < TAIL_SHARE else None
    said = (
        f"conditioning on {conditioning['figures']} observed figure(s) left {ess:,.0f} effective"
        f" draws of {draws:,} (fewer than {MIN_EFFECTIVE_DRAWS}): the results rest on few worlds."
    )
    suggest = int(math.ceil(SUGGEST_MARGIN * MIN_EFFECTIVE_DRAWS / share / 1000.0) * 1000)
    if share < TAIL_SHARE or not fits(suggest):
        return f"{said} {tails[0].upper()}{tails[1:]}."
    return (
        f"{said} Rerun with more draws (about --draws {suggest}: {pct} of the worlds carry"
        " the answer, whatever their number), or check the figures and the scenario's ranges."
    )


def weigh_worlds(
    scenario: Scenario,
    seed: int,
    draws: int,
    chunk: int | None = None,
    on_world: Callable[[int, Any], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the worlds without the plan-year observations, weigh each by how well it reproduces
    them, resample: (normalized weights, index of the drawn world behind each row).

    ``on_world(start, world)`` sees every drawn world (the engine collects its results there,
    the budget explorer keeps them to re-cost); ``simulate_weighted``, the explorer and the
    audit's ``resampled_world`` share this, so they agree. The weights do not depend on the
    money levers (the figures are the worlds' own), so re-costed worlds keep them.
    """
    from sbqw_model.engine import DEFAULT_CHUNK, simulate_worlds

    observations = plan_year_observations(scenario)
    prior = replace(scenario, observations=[])
    first = int(scenario.params.value("plan.first_year"))
    loglik = np.empty(draws)
    for start, world in simulate_worlds(prior, seed, draws, chunk or DEFAULT_CHUNK):
        if on_world:
            on_world(start, world)
        values = world_values(world, observations, first)
        loglik[start : start + world.n] = log_likelihood(observations, values)
    weights = normalized_weights(loglik)
    return weights, systematic_resample(weights, stream(seed, 0, RESAMPLING_STREAM))


def resampled(results: Results, weights: np.ndarray, rows: np.ndarray) -> Results:
    """``results`` of the drawn worlds (each world's outlay by payment year kept), resampled:
    row *k* becomes drawn world ``rows[k]``, and the conditioning block says how many distinct
    worlds carry them. What ``simulate_weighted`` and a re-costing explorer both report."""
    from sbqw_model.engine import Outlay

    o = results.outlay
    assert o.by_year_instrument is not None
    kept = o.by_year_instrument[rows]
    results.outlay = Outlay(
        o.by_instrument[rows], o.by_year[rows], o.by_prefecture[rows], kept.sum(axis=0), kept
    )
    results.targets = {t: v[rows] for t, v in results.targets.items()}
    results.online_retail_path = results.online_retail_path[rows]
    results.recognized_path = results.recognized_path[rows]
    if results.new_units is not None:  # the recognition rounds of each kept world
        results.new_units = results.new_units[rows]
    if results.supply_bound is not None:
        results.supply_bound = results.supply_bound[rows]
    n_obs = len(plan_year_observations(results.scenario))
    results.conditioning = info("weight", effective_draws(weights), results.draws, n_obs)
    results.resampled_from = rows
    return results


def simulate_weighted(
    scenario: Scenario,
    draws: int,
    seed: int,
    chunk: int,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """``engine.simulate`` with the scenario's plan-year observations entering by weighting."""
    from sbqw_model.engine import _Collector

    collector = _Collector(scenario, draws, per_world_years=True)

    def collect(start: int, world: Any) -> None:
        collector.add(start, world)
        if progress:
            progress(world.n)

    weights, idx = weigh_worlds(scenario, seed, draws, chunk, collect)
    return resampled(collector.results(seed), weights, idx)


def condition_scenario(
    scenario: Scenario, observed: str | Path | None = None, method: str | None = None
) -> Scenario:
    """The scenario with the figures of ``observed`` (a ``backtest``-format file) and the
    conditioning ``method`` (weight | pin) applied; a file figure wins over the scenario's own."""
    if observed:
        from sbqw_model.research.observations import load_observed

        scenario = load_observed(Path(observed), scenario)
    if method:
        if method not in CONDITIONING_METHODS:
            raise InputError(
                [f"conditioning: expected one of {', '.join(CONDITIONING_METHODS)}, got {method!r}"]
            )
        if not scenario.observations:  # asked for, it must do something: not a silent no-op
            raise InputError(
                [
                    f"--conditioning {method}: {scenario.name} has no observed figures to"
                    " condition on; give --observed FILE or add observations: to the scenario"
                ]
            )
        scenario = replace(scenario, conditioning=method)
    return scenario


def resampled_world(scenario: Scenario, seed: int, draws: int, index: int) -> int:
    """Which drawn world is row ``index`` of a weighted run of ``draws`` worlds (for the audit).

    Only the observed figures are computed for every world (no costing), then the same
    weights and resampling as ``simulate_weighted``.
    """
    if not plan_year_observations(scenario) or scenario.conditioning != "weight":
        return index
    _, idx = weigh_worlds(scenario, seed, draws)
    return int(idx[index])
