"""Annual sales of recognized parks and bases, so they can earn sales milestones (§四(二)3).

Under ``sales_award_recipients: all_units`` a recognized park or livestream base whose annual
sales (the combined sales of the units in it) reach a tier earns the milestone, as ``sbqw cost``
pays any unit in the sales file. Each unit's sales are a lognormal draw around the scenario's
scale for its category (``unit_sales.<c>.median``, ``.sigma``), persistent for the unit and
growing with the province's online retail (so the common climate reaches them too). A unit counts
from the year it is recognized until the review that revokes it (§三(三)).

A unit's draw depends only on its identity (seed, world, category, prefecture, recognition year,
order within that year), hashed to a uniform: it never depends on how many other units a lever
recognized, so policy variants keep common random numbers unit by unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


#: Widths of category, prefecture, year and order in a unit's identity key (world: 31 bits).
IDENTITY_BITS = (2, 4, 3, 24)


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


def build_units(
    approvals: np.ndarray,
    revocations: np.ndarray,
    seed: int,
    first_world: int,
    median: np.ndarray,
    sigma: np.ndarray,
    growth_index: np.ndarray,
    floor: float | None = None,
) -> Units:
    """Units of the sales categories from approvals/revocations (N, C, P, Y).

    ``median``/``sigma`` (N, S) per world and sales category; ``growth_index`` (N, Y) provincial
    online retail of each plan year ÷ 2022. Reviews revoke the longest-standing units first
    (first in, first out), as the exported ledger does. With ``floor`` (the lowest sales tier),
    only units whose sales could reach it in some year are kept: the others can never be paid,
    and skipping them keeps the engine near its random-number floor.
    """
    from scipy.special import ndtr, ndtri

    S = len(SALES_CATEGORIES)
    app = approvals[:, :S]
    Y = app.shape[3]
    counts = app.ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    index = np.arange(cell.size) - np.repeat(starts, counts)
    w, c, p, y = np.unravel_index(cell, app.shape)
    u = identity_uniform(seed, first_world + w, c, p, y, index, bits=IDENTITY_BITS)
    if floor is not None:  # z must exceed log(floor / (median · best growth)) / sigma
        best = growth_index.max(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_min = np.log(floor / (median * best)) / sigma
        u_min = np.where(sigma > 0, ndtr(np.nan_to_num(z_min, nan=np.inf)), 0.0)
        u_min = np.where((sigma <= 0) & (median * best < floor), 2.0, u_min)
        keep = u >= u_min[w, c] - 1e-12
        w, c, p, y, index, u = w[keep], c[keep], p[keep], y[keep], index[keep], u[keep]
    before = np.cumsum(app, axis=3) - app  # units recognized earlier in the same (w, c, p)
    position = before[w, c, p, y] + index
    cumrev = np.cumsum(revocations[:, :S], axis=3)
    revoked = (cumrev[w, c, p, :] <= position[:, None]).sum(axis=1)
    level = median[w, c] * np.exp(sigma[w, c] * ndtri(u))
    years = np.arange(Y)
    active = (years[None, :] >= y[:, None]) & (years[None, :] < revoked[:, None])
    sales = np.rint(level[:, None] * growth_index[w]) * active
    return Units(w, c, p, y, index, revoked, sales)
