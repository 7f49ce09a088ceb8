"""Checks of a sweep beyond its schema: what it means (to compare on resume), factors that would
override an observation, outputs of years without figures. Shared by ``sweep`` and
``sensitivity``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sbqw_model.research import problem as pb
from sbqw_model.scenario import Scenario


def moves_years(name: str) -> bool:
    """A factor that can move the payment years (``periods.payment_years`` reads the plan's
    years, the payment lag and each instrument's timing assumption), by its path."""
    from sbqw_model.instruments import REGISTRY

    timing = {f"assumptions.{e.timing}" for e in REGISTRY} | {"assumptions.payment_lag_years"}
    return name in timing or name.startswith("parameters.plan.")


def spec(
    base: Scenario,
    observed: bytes,
    mode: str,
    problem: pb.Problem,
    n_points: int,
    top: Any,
    outputs: list[str],
) -> dict[str, Any]:
    """What a sweep's numbers depend on, field by field: a comment or a reordered key changes
    none of it, so ``--resume`` still continues; a refusal names the fields that differ."""
    leaves = sorted((leaf.path, leaf.value) for leaf in base.params.leaves())
    factors = [
        {"path": f.name, "values": list(f.values)}
        if f.values is not None
        else {"path": f.name, "low": f.low, "high": f.high}
        for f in problem.factors
    ]
    return {
        "base scenario": base.digest,
        "observations": hashlib.sha256(observed).hexdigest() if observed else "",
        "plan parameters": hashlib.sha256(repr(leaves).encode()).hexdigest(),
        "mode": mode,
        "factors": json.loads(json.dumps(factors, default=str)),
        "points": n_points,
        "draws": top.draws,
        "seed": top.seed,
        "outputs": list(outputs),
    }


def observed_factors(factors: list[pb.Factor], pinned: dict[str, str], where: str) -> list[str]:
    """A factor on an uncertainty an observation fixed would silently replace the observed
    figure: refused, naming both."""
    return [
        f"{where}{f.name}: uncertainties.{f.input.key} is observed ({pinned[f.input.key]});"
        " a factor may not override an observation: drop the factor or the figure"
        for f in factors
        if f.input.kind in ("uncertainty", "distribution") and f.input.key in pinned
    ]


def output_years(
    outputs: tuple[str, ...],
    base: Scenario,
    problem: pb.Problem,
    points: list[tuple[int, tuple[Any, ...]]],
) -> list[str]:
    """Outputs of a year no point pays in (``budget.by_year.2030.p95``) would be NaN at every
    point: refused, naming the payment years (of the base, and of points that move them)."""
    from sbqw_model.periods import payment_years

    if not any(output_year(o) for o in outputs):
        return []
    moving = [i for i, f in enumerate(problem.factors) if moves_years(f.name)]
    years = set(payment_years(base.params, base.assumptions))
    seen: set[tuple[Any, ...]] = set()
    for _, values in points if moving else []:
        key = tuple(values[i] for i in moving)
        if key not in seen:
            seen.add(key)
            at = pb.apply(base, problem.inputs, values)
            years.update(payment_years(at.params, at.assumptions))
    return [p for p in (output_year_problem(o, base, years, "outputs") for o in outputs) if p]


def output_year(name: str) -> str | None:
    """The year an output names (``budget.by_year.2024.p95`` → '2024'), or None."""
    parts = name.split(".")
    if parts[:2] == ["budget", "by_year"] and len(parts) == 4:
        return parts[2]
    if parts[:2] == ["budget", "p_over_appropriation"] and len(parts) == 3:
        return parts[2]
    return None


def output_year_problem(name: str, base: Scenario, years: set[int], where: str) -> str | None:
    """Why ``name`` asks for a year without figures (never paid in, or no appropriation)."""
    year = output_year(name)
    if year is None:
        return None
    if name.startswith("budget.p_over_appropriation."):
        given = sorted(int(y) for y in (base.appropriation or {}))
        if year.isdigit() and int(year) in given:
            return None
        listed = ", ".join(map(str, given)) or "none"
        return (
            f"{where}: {name}: the scenario gives no appropriation for {year}"
            f" (it gives one for: {listed})"
        )
    if year.isdigit() and int(year) in years:
        return None
    listed = f"{min(years)}–{max(years)}" if years else "none"
    return f"{where}: {name}: {year} is not a payment year of the scenario ({listed})"
