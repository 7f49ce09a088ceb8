"""Observed figures from a shared file (``year, indicator, value, source``) and how they enter.

The department holds the real figures (sbqw_model/data has none for Guizhou after 2022); one file,
checked like the cost command's ledgers (file, row, column), serves every command
(``simulate``, ``report`` and ``backtest`` take ``--observed``). A plan-year figure becomes one of
the scenario's observations, which condition the worlds (``sbqw_model.conditioning``: likelihood
weighting by default, pinning with ``conditioning: pin``); a 2022 figure of online retail or
products fixes the starting level.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from sbqw_model.distributions import Distribution
from sbqw_model.errors import InputError, Problems, did_you_mean
from sbqw_model.limits import MAX_YUAN
from sbqw_model.parameters import Parameters
from sbqw_model.scenario import INDICATORS, Observation, Scenario

COLUMNS = ("year", "indicator", "value", "source")
#: Indicators whose base-year (2022) level is an uncertainty of the scenario.
LEVELS = {"online_retail": "online_retail.level_2022", "products": "products.level_2022"}
OBSERVED_SOURCE = "observed"


def years(params: Parameters) -> tuple[int, int]:
    """(base year, target year): 2022 is the year before the plan's first year."""
    return int(params.value("plan.first_year")) - 1, int(params.value("plan.target_year"))


def read_observations(path: Path, params: Parameters) -> list[Observation]:
    """Validate the file; every problem at once as ``FILE row N, column C: …``."""
    from sbqw_model.ledger import read_table

    name = str(path)
    frame = read_table(Path(path))
    problems = Problems()
    for column in frame.columns:
        if column not in COLUMNS:
            problems.add(
                f"{name}: unknown column `{column}`{did_you_mean(column, COLUMNS)}"
                f" (expected columns: {', '.join(COLUMNS)})"
            )
    for column in COLUMNS:
        if column not in frame.columns:
            problems.add(f"{name}: missing column `{column}` (expected: {', '.join(COLUMNS)})")
    problems.raise_if_any()
    base_year, last = years(params)
    first = base_year + 1
    out: list[Observation] = []
    seen: dict[tuple[int, str], int] = {}
    for i, rec in zip(frame.index, frame[list(COLUMNS)].itertuples(index=False), strict=True):
        at = f"{name} row {i}, column"
        indicator = rec.indicator.strip()
        if indicator not in INDICATORS:
            problems.add(
                f"{at} indicator: unknown indicator {rec.indicator!r}"
                f"{did_you_mean(indicator, INDICATORS)} (valid: {', '.join(INDICATORS)})"
            )
            indicator = ""
        year = _whole(rec.year)
        low = base_year if indicator in LEVELS else first
        if year is None or not low <= year <= last:
            problems.add(
                f"{at} year: expected a year {low}–{last}"
                f"{' (2022 only for online_retail and products)' if low != first else ''},"
                f" got {rec.year!r}"
            )
            year = None
        value = _number(rec.value)
        lowest = 1.0 if indicator == "online_retail" else 0.0  # growth divides by it
        if value is None or not lowest <= value <= MAX_YUAN:
            kind = "a number of at least 1" if lowest else "a non-negative number"
            problems.add(
                f"{at} value: expected {kind} up to {MAX_YUAN:.0e} (yuan for"
                f" online_retail, a count otherwise), got {rec.value!r}"
            )
            value = None
        source = rec.source.strip()
        if not source:
            problems.add(f"{at} source: empty; say where the figure comes from")
        if year is not None and indicator:
            if (year, indicator) in seen:
                problems.add(
                    f"{name} row {i}: {indicator} in {year} appears twice"
                    f" (first at row {seen[(year, indicator)]})"
                )
            seen[(year, indicator)] = i
        if value is not None and year is not None and indicator:
            out.append(Observation(year, indicator, value, source))
    if not len(frame):
        problems.add(f"{name}: no figures (expected a header row and at least one row)")
    problems.raise_if_any()
    return out


def _whole(text: str) -> int | None:
    value = _number(text)
    return int(value) if value is not None and value == int(value) else None


def _number(text: str) -> float | None:
    try:
        value = float(str(text).strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def with_observations(scenario: Scenario, observations: list[Observation]) -> Scenario:
    """The scenario conditioned on the figures; a file figure wins over the scenario's own."""
    base_year, _ = years(scenario.params)
    pinned = {(o.year, o.indicator) for o in observations if o.year > base_year}
    kept = [o for o in scenario.observations if (o.year, o.indicator) not in pinned]
    uncertainties = dict(scenario.uncertainties)
    for o in observations:
        if o.year == base_year:
            path = LEVELS[o.indicator]
            domain = uncertainties[path].domain
            uncertainties[path] = Distribution("fixed", {"value": o.value}, o.source, domain)
    added = [o for o in observations if o.year > base_year]
    return replace(
        scenario,
        observations=sorted([*kept, *added], key=lambda o: (o.year, o.indicator)),
        uncertainties=uncertainties,
    )


def load_observed(path: Path, scenario: Scenario) -> Scenario:
    """Read ``path`` and condition ``scenario`` on it (InputError on a bad file)."""
    if not Path(path).is_file():
        raise InputError([f"{path}: observations file not found"])
    return with_observations(scenario, read_observations(path, scenario.params))
