"""The online retail target's odds by the province's 2022 level, read off the drawn worlds.

The 2022 level is the one figure the model assumes (no public source) and the department
knows; the target's odds hang on it far more than on anything else (a level of 526 亿 or
758 亿 moves them from under a fifth to three quarters). A row per window of that level says
the odds in the worlds that started there, so a reader who knows the figure reads the odds
off the table without a new run; growth is drawn apart from the level, so these are the odds
a run with the level pinned in that window would give, to within the simulation's error.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

#: Windows the drawn range is cut into (before rounding their edges to a readable step).
ROWS = 5
#: Worlds a window needs for its odds to be shown (a 100-world window's standard error is at
#: most 5 points; fewer, and a row would show noise as a difference).
LEAST_WORLDS = 100
#: The drawn range the windows cover: the middle 98 % (the last 1 % at each end is thin).
COVERED = (0.01, 0.99)


@dataclass(frozen=True)
class Window:
    low: float  # yuan, included
    high: float  # yuan, excluded
    p_met: float
    worlds: int


def readable_step(raw: float) -> float:
    """The least of 1, 2 or 5 × 10^k at or above ``raw``: edges a reader can say (50 亿)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw * (1 - 1e-12))


def odds_by_start(start: np.ndarray, met: np.ndarray, rows: int = ROWS) -> list[Window]:
    """Windows of equal, readable width over the drawn 2022 levels ``start`` (yuan) with the
    share of their worlds meeting the target (``met``, bool); windows with fewer than
    ``LEAST_WORLDS`` worlds are left out, and a level that does not vary gives none."""
    start, met = np.asarray(start, dtype=float), np.asarray(met, dtype=bool)
    if start.size == 0:
        return []
    low, high = np.quantile(start, COVERED)
    if not high > low:
        return []
    step = readable_step((high - low) / rows)
    first = math.floor(low / step) * step
    edges = first + step * np.arange(math.ceil((high - first) / step) + 1)
    out = []
    for a, b in itertools.pairwise(edges):
        inside = (start >= a) & (start < b)
        worlds = int(inside.sum())
        if worlds >= LEAST_WORLDS:
            out.append(Window(float(a), float(b), float(met[inside].mean()), worlds))
    return out
