"""Will a run fit in memory? An estimate from draws × (firms + recognized units), made before
anything is drawn.

A run keeps a few dozen numbers per world (``BYTES_PER_DRAW``) and, while a chunk of worlds is
drawn and costed, every firm of the chunk (``BYTES_PER_FIRM`` + ``BYTES_PER_FIRM_YEAR`` per plan
year; see ``benchmarks/`` and the tracemalloc figures in docs/safety.md). Random draws come in
blocks of ``worlds.BLOCK`` worlds, so one block of firms is the smallest piece that can be held:
the engine shrinks its chunk toward one block when firms are many, and a run whose block alone
does not fit is refused with a value that would fit, never started and killed by the kernel.
"""

from __future__ import annotations

import math

from sbqw_model.distributions import DOMAINS, Distribution
from sbqw_model.errors import InputError
from sbqw_model.limits import (
    BYTES_PER_DRAW,
    BYTES_PER_FIRM,
    BYTES_PER_FIRM_YEAR,
    BYTES_PER_UNIT,
    EXPLORER_BYTES_PER_FIRM,
    MAX_COUNT,
    MEMORY_ENV,
    gib,
    memory_limit,
)
from sbqw_model.scenario import Scenario
from sbqw_model.uncertainties import REFERENCE_LEVEL

FIRMS = "firms.count"
LEVEL = "online_retail.level_2022"
#: The uncertainties a world's expected number of firms is made of (``worlds.expected_firms``).
FIRM_INPUTS = (FIRMS, LEVEL, REFERENCE_LEVEL)
SD_REACH = 4  # a normal's or lognormal's bound: this many sd from its centre


def _reach(dist: Distribution, side: int) -> float:
    """The distribution's top (``side`` +1) or bottom (−1): its bounds, or 4 sd from its centre."""
    p = dist.params
    return {
        "fixed": lambda: p["value"],
        "uniform": lambda: p["high" if side > 0 else "low"],
        "triangular": lambda: p["high" if side > 0 else "low"],
        "normal": lambda: p["mean"] + side * SD_REACH * p["sd"],
        "lognormal": lambda: p["median"] * math.exp(side * SD_REACH * p["sigma"]),
    }[dist.dist]()


def upper_bound(dist: Distribution) -> float:
    """A value the distribution almost never exceeds: its top, or 4 sd above its centre, and
    never above its domain's largest value (its draws are clipped there)."""
    return min(_reach(dist, 1), DOMAINS[dist.domain][1])


def lower_bound(dist: Distribution) -> float:
    """A value the distribution almost never falls below: its bottom, or 4 sd below its centre,
    and never below its domain's least value (its draws are clipped there)."""
    return max(_reach(dist, -1), DOMAINS[dist.domain][0])


def expected_firms_bound(scenario: Scenario) -> float:
    """The largest expected number of firms a world may have: the count's upper bound, times
    the largest 2022 level over the least reference when the count is stated for a reference
    (``worlds.expected_firms``); at most ``MAX_COUNT``."""
    mean = upper_bound(scenario.uncertainties[FIRMS])
    reference = scenario.uncertainties.get(REFERENCE_LEVEL)
    if reference is not None:
        mean *= upper_bound(scenario.uncertainties[LEVEL]) / lower_bound(reference)
    return min(mean, MAX_COUNT)


def mean_firms(scenario: Scenario) -> float:
    """The mean number of firms a world holds: the count's mean, times the level's mean over
    the reference when the count is stated for one (over its least value if it is not fixed:
    the mean of level ÷ reference is at least the ratio of their means, so this never reads
    low)."""
    mean = scenario.uncertainties[FIRMS].mean
    reference = scenario.uncertainties.get(REFERENCE_LEVEL)
    if reference is not None:
        least = reference.mean if reference.dist == "fixed" else lower_bound(reference)
        mean *= scenario.uncertainties[LEVEL].mean / least
    return min(max(mean, 0.0), MAX_COUNT)


def firms_per_world(scenario: Scenario) -> float:
    """Firms one world may hold: the largest expected number plus Poisson slack."""
    mean = expected_firms_bound(scenario)
    return mean + 5 * math.sqrt(mean) + 5


def units_per_world(scenario: Scenario) -> float:
    """Recognized units one world may hold, per category: the rounds' quotas (a target pace
    recognizes at most its target and buffer a round, a fixed rule its quotas) or, for every
    qualified applicant, every application of every plan year approved (the supply's upper
    bound, with Poisson slack), whichever is less; or a count an observation pins, if more;
    plus the units held at the start."""
    from sbqw_model.periods import plan_years
    from sbqw_model.recognition import TARGET_KEY
    from sbqw_model.rules import CATEGORIES

    years = len(plan_years(scenario.params))
    total = 0.0
    for c in CATEGORIES:
        dist = scenario.uncertainties.get(f"recognition.{c}.applications")
        mean = upper_bound(dist) * years if dist is not None else 0.0
        bound = mean + 5 * math.sqrt(mean) + 5
        rule = scenario.recognition.rule(c)
        if rule.strategy == "fixed":
            bound = min(bound, float(sum(rule.quotas)))
        elif rule.strategy == "target_pace":
            target = scenario.params.value(f"targets.{TARGET_KEY[c]}")
            bound = min(bound, years * (target * (1 + rule.buffer) + 1))
        pinned = max(scenario.observed(f"recognized.{c}").values(), default=0.0)
        total += max(bound, min(pinned, MAX_COUNT))
    return total + sum(scenario.initial_stock.values())


def _world_bytes(scenario: Scenario) -> tuple[float, float]:
    """What one world holds while its block is drawn and costed: (its firms, its units)."""
    from sbqw_model.periods import plan_years

    years = len(plan_years(scenario.params))
    firms = firms_per_world(scenario) * (BYTES_PER_FIRM + years * BYTES_PER_FIRM_YEAR)
    return firms, units_per_world(scenario) * BYTES_PER_UNIT


def bytes_per_world(scenario: Scenario) -> float:
    return sum(_world_bytes(scenario))


def chunk_worlds(scenario: Scenario, chunk: int) -> int:
    """The chunk (whole blocks) to draw at once: ``chunk``, fewer when firms would crowd memory.

    Chunk size never changes a result (streams are per block), so this only trades speed."""
    from sbqw_model.worlds import BLOCK

    room = memory_limit() // 4  # a quarter of the limit for a chunk's firms
    fits = int(room // max(bytes_per_world(scenario) * BLOCK, 1)) * BLOCK
    return max(BLOCK, min(chunk, fits))


def check_run(
    scenario: Scenario,
    draws: int,
    setting: str = "--draws",
    processes: int = 1,
    parallel: str = "--workers",
) -> None:
    """Refuse a run that cannot fit in the memory limit, naming the setting and a value that fits.

    ``setting`` is how the user set the number of worlds (``--draws``, or ``FILE: draws``);
    ``processes`` run such a simulation at once on this machine (a sweep's local workers,
    ``report --jobs``), so each has its share of the limit; ``parallel`` is the option that
    set how many."""
    from sbqw_model.worlds import BLOCK

    limit = memory_limit() // max(1, processes)
    firm_bytes, unit_bytes = _world_bytes(scenario)
    block = (firm_bytes + unit_bytes) * BLOCK
    per_draw = BYTES_PER_DRAW
    source = scenario.path or scenario.name
    where = f"{source}: uncertainties.{FIRMS}"
    if REFERENCE_LEVEL in scenario.uncertainties:  # the count scaled by the level (most / least)
        where += f" × {LEVEL} ÷ {REFERENCE_LEVEL}"
    hint = f"(the memory limit is {gib(limit)}; set {MEMORY_ENV}, e.g. 16G, to allow more)"
    if processes > 1:
        hint = (
            f"(the memory limit is {gib(memory_limit())}, shared by {processes} worker processes;"
            f" use fewer {parallel}, or set {MEMORY_ENV}, e.g. 16G, to allow more)"
        )
    if block > limit / 2 and unit_bytes > firm_bytes:  # the units are most of it
        room = limit / 2 / BLOCK - firm_bytes
        units = unit_bytes / BYTES_PER_UNIT
        raise InputError(
            [
                f"{source}: up to {units:,.0f} recognized units per world (every application"
                " of every plan year approved, or a count an observation pins) need"
                f" ~{gib(block)} for each block of {BLOCK} worlds; at most"
                f" ~{max(room, 0) / BYTES_PER_UNIT:,.0f} units per world fit {hint}"
            ]
        )
    if block > limit / 2:
        per_firm = (firm_bytes + unit_bytes) / firms_per_world(scenario)
        room = limit / 2 / BLOCK / per_firm  # firms per world, slack included
        root = (-5 + math.sqrt(25 + 4 * max(room - 5, 0))) / 2  # count + 5√count + 5 = room
        fit = int(root**2)
        raise InputError(
            [
                f"{where}: up to {firms_per_world(scenario):,.0f} firms per world need"
                f" ~{gib(block)} for each block of {BLOCK} worlds; at most ~{fit:,} firms per"
                f" world fit {hint}"
            ]
        )
    from sbqw_model.engine import DEFAULT_CHUNK

    drawn = -(-draws // BLOCK) * BLOCK  # whole blocks are drawn
    need = draws * per_draw + min(drawn, chunk_worlds(scenario, DEFAULT_CHUNK)) / BLOCK * block
    if need > limit:
        fit = int((limit - block) // per_draw)
        raise InputError(
            [
                f"{setting} {draws:,} needs ~{gib(need)}{' per worker' if processes > 1 else ''};"
                f" at most {max(fit, 0):,} draws fit {hint}"
            ]
        )


def check_draws(draws: int, setting: str = "--draws") -> None:
    """The part of ``check_run`` that needs no scenario: the per-world results alone."""
    limit = memory_limit()
    if draws * BYTES_PER_DRAW > limit:
        raise InputError(
            [
                f"{setting} {draws:,} needs ~{gib(draws * BYTES_PER_DRAW)}; at most"
                f" {limit // BYTES_PER_DRAW:,} draws fit (the memory limit is {gib(limit)};"
                f" set {MEMORY_ENV}, e.g. 16G, to allow more)"
            ]
        )


def explorer_bytes_per_world(scenario: Scenario) -> float:
    """What the budget explorer keeps per world: the world itself (its firms), not a summary;
    every world is kept, so the mean number of firms, not the largest, sets it."""
    return BYTES_PER_DRAW + mean_firms(scenario) * EXPLORER_BYTES_PER_FIRM


def check_explorer(scenario: Scenario, draws: int, setting: str = "draws") -> None:
    """Refuse an explorer that cannot keep ``draws`` worlds in the memory limit (it keeps every
    drawn world to re-cost it), in ``check_draws``'s words; then ``check_run``'s checks."""
    limit = memory_limit()
    per_world = explorer_bytes_per_world(scenario)
    if draws * per_world > limit:
        raise InputError(
            [
                f"{setting} {draws:,} needs ~{gib(draws * per_world)}; at most"
                f" {int(limit // per_world):,} draws fit (the explorer keeps every world,"
                f" ~{per_world / 1000:,.0f} KB each; the memory limit is {gib(limit)};"
                f" set {MEMORY_ENV}, e.g. 16G, to allow more)"
            ]
        )
    check_run(scenario, draws, setting)
