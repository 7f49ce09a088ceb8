"""Observed figures from a shared file (``year, indicator, value, source``) and how they enter.

The department holds the real figures (sbqw_model/data has none for Guizhou after 2022); one file,
checked like the cost command's ledgers (file, row, column), serves every command
(``simulate``, ``report`` and ``backtest`` take ``--observed``). A plan-year figure becomes one of
the scenario's observations, which condition the worlds (``sbqw_model.conditioning``: likelihood
weighting by default, pinning with ``conditioning: pin``); a 2022 figure of online retail or
products fixes the starting level.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from sbqw_model.distributions import Distribution
from sbqw_model.errors import InputError, Problems
from sbqw_model.parameters import Parameters
from sbqw_model.scenario import Observation, Scenario

COLUMNS = ("year", "indicator", "value", "source")
#: Indicators whose base-year (2022) level is an uncertainty of the scenario.
LEVELS = {"online_retail": "online_retail.level_2022", "products": "products.level_2022"}
OBSERVED_SOURCE = "observed"


def years(params: Parameters) -> tuple[int, int]:
    """(base year, target year): 2022 is the year before the plan's first year."""
    return int(params.value("plan.first_year")) - 1, int(params.value("plan.target_year"))


def read_observations(path: Path, params: Parameters) -> list[Observation]:
    """Validate the file; every problem at once as ``FILE row N, column C: …``."""
    from sbqw_model.tablefile import check_columns, read_table

    frame = read_table(Path(path))
    name = frame.attrs.get("label", str(path))  # a workbook's sheet too
    problems = Problems()
    problems.extend(check_columns(frame, COLUMNS, (), name))
    problems.raise_if_any()
    from sbqw_model.research.observation_schema import ObservedRow
    from sbqw_model.schema import collect

    decimal = frame.attrs.get("decimal", ".")
    context = {"years": years(params), "decimal": decimal}  # the schema reads numbers by it
    out: list[Observation] = []
    seen: dict[tuple[int, str], int] = {}
    for i, rec in zip(frame.index, frame[list(COLUMNS)].to_dict("records"), strict=True):
        where = f"{name} row {i}, column "
        if not _read_one_way(rec, decimal, where, problems):
            continue
        row = collect(ObservedRow, rec, where, problems.items, context)
        if row is None:
            continue
        if row.indicator != "online_retail" and not row.value.is_integer():
            problems.add(
                f"{where}value: expected a whole number (a count of {row.indicator}),"
                f" got {rec['value']!r}"
            )
            continue
        if (row.year, row.indicator) in seen:
            problems.add(
                f"{name} row {i}: {row.indicator} in {row.year} appears twice"
                f" (first at row {seen[(row.year, row.indicator)]})"
            )
        seen.setdefault((row.year, row.indicator), i)
        out.append(Observation(row.year, row.indicator, row.value, row.source, Path(path).name))
    if not len(frame):
        problems.add(f"{name}: no figures (expected a header row and at least one row)")
    problems.raise_if_any()
    return out


def _read_one_way(rec: dict[str, str], decimal: str, where: str, problems: Problems) -> bool:
    """False, said with how to write it, when ``year`` or ``value`` reads two ways by the
    file's decimal mark (``1.500`` in a semicolon file); the schema reads them by that mark,
    and its messages quote the cells as written."""
    from sbqw_model.tablefile import NumberError, number

    for column in ("year", "value"):
        try:
            number(rec[column], decimal)
        except NumberError as exc:
            problems.add(f"{where}{column}: expected a number, got {rec[column]!r} ({exc.hint})")
            return False
        except ValueError:
            pass  # not a number at all: the schema says what was expected
    return True


def with_observations(scenario: Scenario, observations: list[Observation]) -> Scenario:
    """The scenario conditioned on the figures; a file figure wins over the scenario's own."""
    base_year, _ = years(scenario.params)
    pinned = {(o.year, o.indicator) for o in observations if o.year > base_year}
    kept = [o for o in scenario.observations if (o.year, o.indicator) not in pinned]
    uncertainties = dict(scenario.uncertainties)
    fixed = dict.fromkeys(scenario.observed_uncertainties)
    for o in observations:
        if o.year == base_year:
            path = LEVELS[o.indicator]
            domain = uncertainties[path].domain
            uncertainties[path] = Distribution("fixed", {"value": o.value}, o.source, domain)
            fixed[path] = None
    added = [o for o in observations if o.year > base_year]
    return replace(
        scenario,
        observations=sorted([*kept, *added], key=lambda o: (o.year, o.indicator)),
        uncertainties=uncertainties,
        observed_uncertainties=tuple(fixed),
    )


def load_observed(path: Path, scenario: Scenario) -> Scenario:
    """Read ``path`` and condition ``scenario`` on it (InputError on a bad file)."""
    if not Path(path).exists():  # a folder or a pipe: read_table says which, never opens it
        raise InputError([f"{path}: observations file not found"])
    conditioned = with_observations(scenario, read_observations(path, scenario.params))
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()  # read already: not too big
    return replace(conditioned, observations_file=Path(path).name, observations_digest=digest)
