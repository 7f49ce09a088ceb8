"""Drawing simulated worlds: the uncertain part of the model, before any rule applies.

Randomness is organised so results depend only on (scenario, seed, draw index):
draws come in fixed blocks of ``BLOCK`` worlds, and every block and every named random
component has its own stream (``SeedSequence(seed, spawn_key=(block, component))``). Chunk size,
worker count and the order blocks are computed in therefore never change a draw, and policy
levers never consume randomness, so two policy variants share their worlds exactly (common
random numbers) unless a scenario sets a behavioural response.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sbqw_model.periods import plan_years
from sbqw_model.rules import CATEGORIES
from sbqw_model.scenario import Scenario

BLOCK = 500  # worlds per random block; part of the reproducibility contract: never change it


def stream(seed: int, block: int, component: str) -> np.random.Generator:
    key = zlib.crc32(component.encode("utf-8"))
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, key)))
    )


@dataclass
class World:
    """``n`` simulated worlds. Years axis: plan years (2023…2025); ``*_path`` adds 2022 first.

    Firms are stored flat (ragged across worlds): firm ``j`` lives in world ``firm_draw[j]``.
    Worlds hold different numbers of firms, and a flat table wastes no work on absent ones.
    """

    online_retail_path: np.ndarray  # (n, Y+1) yuan, 2022…2025
    products_path: np.ndarray  # (n, Y+1) count
    approvals: np.ndarray  # (n, C, P, Y) int: units newly recognized
    revocations: np.ndarray  # (n, C, P, Y) int: recognized units revoked at each year's review
    firm_draw: np.ndarray  # (M,) int: the world each firm belongs to, ascending
    firm_retail: np.ndarray  # (M, Y) yuan, whole yuan
    firm_sales: np.ndarray  # (M, Y) yuan, whole yuan
    firm_above_scale: np.ndarray  # (M,) bool
    firm_cross_border: np.ndarray  # (M,) bool
    firm_cross_border_retail: np.ndarray  # (M, Y) yuan: cross-border part (0 if not cross-border)
    firm_prefecture: np.ndarray  # (M,) int index into prefectures.NAMES_ZH

    @property
    def n(self) -> int:
        return self.online_retail_path.shape[0]

    def take(self, start: int, stop: int) -> World:
        """Worlds ``start … stop-1`` (renumbered from 0)."""
        lo, hi = np.searchsorted(self.firm_draw, [start, stop])
        per_world = {k: getattr(self, k)[start:stop] for k in _WORLD_FIELDS}
        per_firm = {k: getattr(self, k)[lo:hi] for k in _FIRM_FIELDS}
        per_firm["firm_draw"] = per_firm["firm_draw"] - start
        return World(**per_world, **per_firm)

    @staticmethod
    def concat(worlds: list[World]) -> World:
        if len(worlds) == 1:
            return worlds[0]
        offsets = np.cumsum([0] + [w.n for w in worlds[:-1]])
        out = {k: np.concatenate([getattr(w, k) for w in worlds]) for k in _WORLD_FIELDS}
        for k in _FIRM_FIELDS:
            out[k] = np.concatenate([getattr(w, k) for w in worlds])
        out["firm_draw"] = np.concatenate(
            [w.firm_draw + o for w, o in zip(worlds, offsets, strict=True)]
        )
        return World(**out)


_WORLD_FIELDS = ("online_retail_path", "products_path", "approvals", "revocations")
_FIRM_FIELDS = (
    "firm_draw",
    "firm_retail",
    "firm_sales",
    "firm_above_scale",
    "firm_cross_border",
    "firm_cross_border_retail",
    "firm_prefecture",
)


def uncertainty_draws(
    scenario: Scenario, seed: int, block: int, n: int = BLOCK
) -> dict[str, np.ndarray]:
    """One value per world for every uncertainty, each from its own stream."""
    return {
        path: dist.sample(stream(seed, block, f"u:{path}"), BLOCK)[:n]
        for path, dist in scenario.uncertainties.items()
    }


def _growth_path(
    level: np.ndarray,
    growth: np.ndarray,
    noise_sd: np.ndarray,
    z: np.ndarray,
    observed: dict[int, float],
    years: list[int],
    shift: float = 0.0,
) -> np.ndarray:
    """Level path 2022…2025: each year grows by growth + noise; observed years are pinned."""
    path = np.empty((level.size, len(years) + 1))
    path[:, 0] = level
    for i, year in enumerate(years):
        rate = np.maximum(growth + shift + noise_sd * z[:, i], -0.99)
        path[:, i + 1] = observed[year] if year in observed else path[:, i] * (1 + rate)
    return path


def _split(total: int, shares: np.ndarray) -> np.ndarray:
    """Split an observed count across prefectures by shares (largest remainder), exactly."""
    raw = total * shares
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def draw_block(scenario: Scenario, seed: int, block: int, n: int = BLOCK) -> World:
    """Worlds ``block*BLOCK … block*BLOCK+n-1`` (the whole block is drawn, then cut to ``n``)."""
    years = plan_years(scenario.params)
    Y, C, P = len(years), len(CATEGORIES), len(scenario.prefecture_shares)
    N = BLOCK
    u = uncertainty_draws(scenario, seed, block)
    shift = scenario.growth_response * (scenario.assumptions.payout_share - 1.0)

    def rng(name: str) -> np.random.Generator:
        return stream(seed, block, name)

    retail = _growth_path(
        u["online_retail.level_2022"],
        u["online_retail.growth"],
        u["online_retail.growth_noise"],
        rng("retail_noise").standard_normal((N, Y)),
        scenario.observed("online_retail"),
        years,
        shift,
    )
    products = _growth_path(
        u["products.level_2022"],
        u["products.growth"],
        u["products.growth_noise"],
        rng("products_noise").standard_normal((N, Y)),
        scenario.observed("products"),
        years,
    )
    products = np.round(products)

    # recognition pipeline: applications → approvals → yearly revocation review
    shares = scenario.prefecture_shares
    apps_mean = np.stack([u[f"recognition.{c}.applications"] for c in CATEGORIES], axis=1)
    p_ok = np.stack([u[f"recognition.{c}.approval_probability"] for c in CATEGORIES], axis=1)
    p_rev = np.stack([u[f"recognition.{c}.revocation_rate"] for c in CATEGORIES], axis=1)
    # Poisson(applications) each approved with probability p is Poisson(applications × p)
    # (thinning): one draw per category, prefecture and year gives the approvals exactly.
    # Each category has its own streams, so changing one category's uncertainty leaves the
    # other categories' draws as they were (clean one-at-a-time sensitivity).
    lam = (apps_mean * p_ok)[:, :, None, None] * shares[None, None, :, None]
    approvals = np.empty((N, C, len(shares), Y), dtype=np.int64)
    for c, cat in enumerate(CATEGORIES):
        approvals[:, c] = rng(f"approvals:{cat}").poisson(
            np.broadcast_to(lam[:, c], (N, len(shares), Y))
        )
        for year, value in scenario.observed(f"recognized.{cat}").items():
            approvals[:, c, :, years.index(year)] = _split(round(value), shares)
    # revocations are drawn per prefecture, so a repaid award is repaid where it was paid
    revocations = np.zeros((N, C, P, Y), dtype=np.int64)
    rev_rngs = [rng(f"revocations:{cat}") for cat in CATEGORIES]
    stock = np.zeros((N, C, P), dtype=np.int64)
    for i in range(Y):
        # units recognized in earlier years face this year's review (§三(三) 动态管理)
        if i > 0:
            for c, rev_rng in enumerate(rev_rngs):
                revocations[:, c, :, i] = rev_rng.binomial(stock[:, c], p_rev[:, c, None])
        stock = stock - revocations[..., i] + approvals[..., i]

    # firms: above-scale e-commerce enterprises, a Pareto-tailed population, stored flat
    count = rng("firm_count").poisson(u["firms.count"])
    owner = np.repeat(np.arange(N), count)
    M = owner.size

    def per_firm(values: np.ndarray) -> np.ndarray:
        """A per-world value for each firm (firms are stored world by world)."""
        return np.repeat(values, count, axis=0)

    # truncated Pareto by inverse CDF; the per-world parts are computed once per world
    floor = u["firms.floor_yuan"]
    alpha = u["firms.pareto_alpha"]
    cap = np.maximum(u["firms.max_share"] * retail[:, 0], floor * (1 + 1e-9))
    tail = 1 - (floor / cap) ** alpha
    v = rng("firm_size").random(M)
    size = per_firm(floor) * np.exp(np.log1p(-v * per_firm(tail)) * per_firm(-1 / alpha))
    sigma = u["firms.growth_noise"].astype(np.float32)
    z = rng("firm_growth").standard_normal((M, Y), dtype=np.float32)
    # each firm grows with the province and its own mean-one lognormal shock
    z *= per_firm(sigma)[:, None]
    z -= per_firm(sigma**2 / 2)[:, None]
    shock = np.cumprod(np.exp(z), axis=1)
    province = np.cumprod(retail[:, 1:] / retail[:, :-1], axis=1)  # (N, Y)
    firm_retail = per_firm(province) * shock
    firm_retail *= size[:, None]
    np.rint(firm_retail, out=firm_retail)
    firm_sales = firm_retail * per_firm(u["firms.sales_ratio"])[:, None]
    np.rint(firm_sales, out=firm_sales)
    flags = rng("firm_flags").random((M, 2), dtype=np.float32)
    above = flags[:, 0] < per_firm(u["firms.above_scale_share"])
    cross = flags[:, 1] < per_firm(u["firms.cross_border_share"])
    # the cross-border part of a cross-border firm's retail (assumption cross_border_exclusion)
    cross_retail = np.zeros_like(firm_retail)
    xb = np.flatnonzero(cross)
    share = per_firm(u["firms.cross_border_part"])[xb]
    cross_retail[xb] = np.rint(firm_retail[xb] * share[:, None])
    edges = np.cumsum(shares)[:-1]
    pref = np.searchsorted(edges, rng("firm_prefecture").random(M), side="right")

    world = World(
        online_retail_path=retail,
        products_path=products,
        approvals=approvals,
        revocations=revocations,
        firm_draw=owner,
        firm_retail=firm_retail,
        firm_sales=firm_sales,
        firm_above_scale=above,
        firm_cross_border=cross,
        firm_cross_border_retail=cross_retail,
        firm_prefecture=pref,
    )
    return world if n == BLOCK else world.take(0, n)
