"""Will a run fit in memory? An estimate from draws × firms, made before anything is drawn.

A run keeps a few dozen numbers per world (``BYTES_PER_DRAW``) and, while a chunk of worlds is
drawn and costed, every firm of the chunk (``BYTES_PER_FIRM`` + ``BYTES_PER_FIRM_YEAR`` per plan
year; see ``benchmarks/`` and the tracemalloc figures in docs/safety.md). Random draws come in
blocks of ``worlds.BLOCK`` worlds, so one block of firms is the smallest piece that can be held:
the engine shrinks its chunk toward one block when firms are many, and a run whose block alone
does not fit is refused with a value that would fit, never started and killed by the kernel.
"""

from __future__ import annotations

import math

from sbqw_model.distributions import Distribution
from sbqw_model.errors import InputError
from sbqw_model.limits import (
    BYTES_PER_DRAW,
    BYTES_PER_FIRM,
    BYTES_PER_FIRM_YEAR,
    MAX_COUNT,
    MEMORY_ENV,
    gib,
    memory_limit,
)
from sbqw_model.scenario import Scenario

FIRMS = "firms.count"


def upper_bound(dist: Distribution) -> float:
    """A value the distribution almost never exceeds: its top, or 4 sd above its centre."""
    p = dist.params
    high = {
        "fixed": lambda: p["value"],
        "uniform": lambda: p["high"],
        "triangular": lambda: p["high"],
        "normal": lambda: p["mean"] + 4 * p["sd"],
        "lognormal": lambda: p["median"] * math.exp(4 * p["sigma"]),
    }[dist.dist]()
    return min(high, MAX_COUNT)


def firms_per_world(scenario: Scenario) -> float:
    """Firms one world may hold: the count's upper bound plus Poisson slack."""
    mean = upper_bound(scenario.uncertainties[FIRMS])
    return mean + 5 * math.sqrt(mean) + 5


def bytes_per_world_of_firms(scenario: Scenario) -> float:
    from sbqw_model.periods import plan_years

    years = len(plan_years(scenario.params))
    return firms_per_world(scenario) * (BYTES_PER_FIRM + years * BYTES_PER_FIRM_YEAR)


def chunk_worlds(scenario: Scenario, chunk: int) -> int:
    """The chunk (whole blocks) to draw at once: ``chunk``, fewer when firms would crowd memory.

    Chunk size never changes a result (streams are per block), so this only trades speed."""
    from sbqw_model.worlds import BLOCK

    room = memory_limit() // 4  # a quarter of the limit for a chunk's firms
    fits = int(room // max(bytes_per_world_of_firms(scenario) * BLOCK, 1)) * BLOCK
    return max(BLOCK, min(chunk, fits))


def check_run(scenario: Scenario, draws: int, setting: str = "--draws") -> None:
    """Refuse a run that cannot fit in the memory limit, naming the setting and a value that fits.

    ``setting`` is how the user set the number of worlds (``--draws``, or ``FILE: draws``)."""
    from sbqw_model.worlds import BLOCK

    limit = memory_limit()
    block = bytes_per_world_of_firms(scenario) * BLOCK
    per_draw = BYTES_PER_DRAW
    source = scenario.path or scenario.name
    where = f"{source}: uncertainties.{FIRMS}"
    hint = f"(the memory limit is {gib(limit)}; set {MEMORY_ENV}, e.g. 16G, to allow more)"
    if block > limit / 2:
        per_firm = bytes_per_world_of_firms(scenario) / firms_per_world(scenario)
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
            [f"{setting} {draws:,} needs ~{gib(need)}; at most {max(fit, 0):,} draws fit {hint}"]
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
