"""Annual sales of recognized parks and bases, so they can earn sales milestones (§四(二)3).

Under ``sales_award_recipients: all_units`` a recognized park or livestream base whose annual
sales (the combined sales of the units in it) reach a tier earns the milestone, as ``sbqw cost``
pays any unit in the sales file. Each unit's sales are a lognormal draw around the scenario's
scale for its category (``unit_sales.<c>.median``, ``.sigma``), persistent for the unit and
growing with the province's online retail (so the common climate reaches them too). A unit counts
from the year it is recognized until the review that revokes it (§三(三)).

A unit's draw depends only on its identity (seed, world, category, prefecture, recognition year,
order within that year), hashed to a uniform: it never depends on how many other units a lever
recognized, so policy variants keep common random numbers unit by unit. The engine builds only
the units whose sales can reach the lowest tier, found by a geometric process along each cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sbqw_model import normal

#: Categories (indices into rules.CATEGORIES) whose units have sales of their own in the engine.
SALES_CATEGORIES = ("park", "base")

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer (a bijection of 64-bit integers with good avalanche)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def identity_uniform(seed: int, *fields: np.ndarray, bits: tuple[int, ...] = ()) -> np.ndarray:
    """A uniform in (0, 1) from integer identity fields (counter-based, no generator state).

    With ``bits`` (the width of every field but the first), the fields are packed into one
    64-bit key and mixed once; otherwise each field is mixed in turn.
    """
    with np.errstate(over="ignore"):
        salt = _mix(np.array([seed & (2**64 - 1)], dtype=np.uint64))
        if bits:
            key = np.asarray(fields[0]).astype(np.uint64)
            for f, width in zip(fields[1:], bits, strict=True):
                key = (key << np.uint64(width)) | np.asarray(f).astype(np.uint64)
            h = _mix(_mix(key ^ salt) + _GOLDEN)
        else:
            h = np.broadcast_to(salt, np.shape(fields[0]))
            for f in fields:
                h = _mix(h ^ (np.asarray(f).astype(np.uint64) + _GOLDEN))
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53


@dataclass
class Units:
    """Recognized parks and bases, flat and world by world (like firms)."""

    draw: np.ndarray  # (U,) world, ascending
    category: np.ndarray  # (U,) index into rules.CATEGORIES
    prefecture: np.ndarray  # (U,)
    year: np.ndarray  # (U,) plan-year index of recognition
    index: np.ndarray  # (U,) order among the units of its category, prefecture and year
    revoked: np.ndarray  # (U,) plan-year index of the review that revoked it (Y: never)
    sales: np.ndarray  # (U, Y) annual sales in yuan while recognized, 0 otherwise


UNIT_FIELDS = ("draw", "category", "prefecture", "year", "index", "revoked", "sales")


def threshold_uniform(
    median: np.ndarray, sigma: np.ndarray, growth_index: np.ndarray, floor: float
) -> np.ndarray:
    """(N, S): a unit whose uniform is below this can never sell ``floor`` in a plan year."""
    best = median * growth_index.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_min = np.log(floor / best) / sigma
    spread = normal.cdf(np.nan_to_num(z_min, nan=np.inf, posinf=np.inf, neginf=-np.inf))
    return np.clip(np.where(sigma > 0, spread, np.where(best >= floor, 0.0, 1.0)), 0.0, 1.0)


def _high_units(app: np.ndarray, u_star: np.ndarray, seed: int, first_world: int) -> tuple:
    """The units whose uniform is at least ``u_star``: a Bernoulli process along each cell.

    In each cell (world, category, prefecture, year) the gaps between such units are geometric,
    drawn from hashes of (cell, j) for the j-th such unit, and its uniform given that it is
    above ``u_star`` from another hash: the same units and sales whatever the cell's count,
    at a cost proportional to the units that can earn rather than to all units.
    """
    flat = app.ravel()
    inner = int(np.prod(app.shape[1:]))  # cells per world
    cells = np.flatnonzero((flat > 0) & (np.repeat(u_star.ravel(), app[0, 0].size) < 1))
    k = flat[cells]
    # np.unravel_index divides three times; one division by a constant and a table are faster
    w = cells // inner
    c, p, y = np.indices(app.shape[1:]).reshape(3, -1)[:, cells - w * inner]
    us = u_star.ravel()[w * app.shape[1] + c]
    with np.errstate(divide="ignore"):
        log_us = np.log(us)  # once per cell, not once per step
    pos = np.full(cells.size, -1.0)
    found: list[tuple[np.ndarray, ...]] = []
    j = 0
    while cells.size:
        v = identity_uniform(seed, first_world + w, c, p, y, np.full(w.size, j), 0, bits=BITS)
        with np.errstate(divide="ignore"):
            gap = np.where(us > 0, np.floor(np.log(v) / log_us), 0.0)
        pos = pos + 1 + gap
        hit = pos < k
        w, c, p, y, us, log_us, k, pos = (a[hit] for a in (w, c, p, y, us, log_us, k, pos))
        level = identity_uniform(seed, first_world + w, c, p, y, np.full(w.size, j), 1, bits=BITS)
        found.append((w, c, p, y, pos.astype(np.int64), us + (1 - us) * level))
        cells = w
        j += 1
    if not found:
        return (*(np.zeros(0, dtype=np.int64) for _ in range(5)), np.zeros(0))
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))


def _low_units(app: np.ndarray, u_star: np.ndarray, high: tuple, seed: int, first_world: int):
    """Every other unit (for the exported ledger), its uniform below ``u_star``."""
    counts = app.ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    index = np.arange(cell.size) - np.repeat(np.cumsum(counts) - counts, counts)
    w, c, p, y = np.unravel_index(cell, app.shape)
    key = np.ravel_multi_index((w, c, p, y), app.shape) * (2**24) + index
    hw, hc, hp, hy, hi, _ = high
    taken = np.ravel_multi_index((hw, hc, hp, hy), app.shape) * (2**24) + hi
    low = ~np.isin(key, taken)
    w, c, p, y, index = w[low], c[low], p[low], y[low], index[low]
    u = identity_uniform(seed, first_world + w, c, p, y, index, 2, bits=BITS)
    return w, c, p, y, index, u_star[w, c] * u


def _cumsum_years(values: np.ndarray) -> np.ndarray:
    """``np.cumsum(values, axis=-1)`` year by year (numpy's accumulate is slow on 3 years)."""
    out = values.copy()
    for i in range(1, out.shape[-1]):
        out[..., i] += out[..., i - 1]
    return out


#: Widths of category, prefecture, year, order and tag in a unit's identity key (world: 31).
BITS = (2, 4, 3, 22, 2)


def build_units(
    approvals: np.ndarray,
    revocations: np.ndarray,
    seed: int,
    first_world: int,
    median: np.ndarray,
    sigma: np.ndarray,
    growth_index: np.ndarray,
    floor: float,
    every_unit: bool = False,
) -> Units:
    """Units of the sales categories from approvals/revocations (N, C, P, Y).

    ``median``/``sigma`` (N, S) per world and sales category; ``growth_index`` (N, Y) provincial
    online retail of each plan year ÷ 2022; ``floor`` the lowest sales tier. Only units whose
    sales could reach it in some year are built, unless ``every_unit`` (the exported ledger):
    the others can never be paid. Reviews revoke the longest-standing units first (first in,
    first out), as the exported ledger does.
    """
    S = len(SALES_CATEGORIES)
    app = approvals[:, :S]
    Y = app.shape[3]
    u_star = threshold_uniform(median, sigma, growth_index, floor)
    parts = _high_units(app, u_star, seed, first_world)
    if every_unit:
        low = _low_units(app, u_star, parts, seed, first_world)
        parts = tuple(np.concatenate(pair) for pair in zip(parts, low, strict=True))
    w, c, p, y, index, u = parts
    order = np.lexsort((index, y, p, c, w))
    w, c, p, y, index, u = (a[order] for a in (w, c, p, y, index, u))
    before = _cumsum_years(app) - app  # units recognized earlier in the same (w, c, p)
    position = before[w, c, p, y] + index
    cumrev = _cumsum_years(revocations[:, :S])
    revoked = (cumrev[w, c, p, :] <= position[:, None]).sum(axis=1)
    z = normal.quantile(np.clip(u, 1e-300, 1 - 2**-53))
    level = median[w, c] * np.exp(sigma[w, c] * z)
    years = np.arange(Y)
    active = (years[None, :] >= y[:, None]) & (years[None, :] < revoked[:, None])
    sales = np.rint(level[:, None] * growth_index[w]) * active
    return Units(w, c, p, y, index, revoked, sales)
