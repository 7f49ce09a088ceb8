"""Recognition rounds as the department's decisions (§三(二)2, §四(一)): levers and the rounds.

Each year the province holds one round per category (§三(二)2(1)). What is *uncertain* is the
qualified supply (applications that meet the standard), the yearly revocations (§三(三)) and
how many of the qualified applicants a quota left out apply again the next year (the backlog);
what the department *decides* is how many it recognizes: ``new = min(qualified, quota)``, the
qualified being the year's new ones and those who apply again.
The quota comes from a strategy (the lever ``levers.recognition``):

- ``target_pace``: recognize what closes the gap to the 2025 target × (1 + buffer), net of the
  revocations the department *expects* (the scenario's mean revocation rate, not the world's
  draw), spread over the rounds left, rounded up;
- ``fixed``: one quota per plan year;
- ``all_qualified``: every qualified applicant.

The rounds are deterministic given the drawn supply and the revocation and reapply uniforms, so
levers consume no randomness (common random numbers across policy variants). Revocations and
re-applications are drawn by inverse CDF from one uniform per world, category and year, so more
recognized units never lead to fewer units standing, nor more left out to fewer applying again
(monotone couplings: a larger buffer never lowers the recognitions, nor, without a backlog, a
count; docs/model.md says when a backlog can); the longest-standing units go first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sbqw_model import normal
from sbqw_model.rules import CATEGORIES

STRATEGIES = ("target_pace", "fixed", "all_qualified")
#: What the lever decides over: the four recognized categories and the best-selling-product list.
KINDS: tuple[str, ...] = (*CATEGORIES, "product")
#: The 2025 target each kind pursues (parameter ``targets.<key>``). Enterprises and teams each
#: pursue their own 500 (§二.6), so the combined 1000 (§一) is met when both are (and, under
#: ``share_unfilled``, also when one makes up the other's shortfall).
TARGET_KEY = {
    "park": "parks",
    "base": "bases",
    "enterprise": "enterprises",
    "team": "teams",
    "product": "products",
}
#: No money is attached to a listed product, so listing every qualifying product is the default.
DEFAULT_PRODUCT = "all_qualified"


@dataclass(frozen=True)
class Rule:
    """How one category's quota is set each round."""

    strategy: str = "all_qualified"
    buffer: float = 0.0
    quotas: tuple[int, ...] = ()

    def describe(self) -> str:
        if self.strategy == "fixed":
            return f"fixed {list(self.quotas)}"
        if self.strategy == "target_pace":
            return f"target_pace (buffer {self.buffer:g})"
        return self.strategy


#: The two categories whose combined count is one target (§一: 龙头企业及直播团队1000个以上):
#: under ``share_unfilled`` the slots one cannot fill go to the other.
SHARED = ("enterprise", "team")


@dataclass(frozen=True)
class RecognitionLevers:
    """One rule per kind (``KINDS``); ``source`` says why the scenario chose them.
    ``share_unfilled``: a round's enterprise slots no qualified enterprise fills go to teams,
    and the other way round (``SHARED``), as a department pursuing the combined 1000 would."""

    rules: dict[str, Rule]
    source: str = ""
    share_unfilled: bool = False

    def rule(self, kind: str) -> Rule:
        return self.rules[kind]

    def shared_pair(self) -> tuple[int, int] | None:
        """The indices in ``CATEGORIES`` of the categories sharing unfilled slots, or None."""
        if not self.share_unfilled:
            return None
        a, b = (CATEGORIES.index(kind) for kind in SHARED)
        return a, b

    def as_dict(self) -> dict[str, str]:
        said = {k: r.describe() for k, r in self.rules.items()}
        return {**said, "share_unfilled": "yes"} if self.share_unfilled else said

    def with_value(self, key: str, value: Any) -> RecognitionLevers:
        """A copy with ``buffer``/``strategy`` set for all categories, or ``<kind>.<field>``,
        or ``share_unfilled``.

        A setting for all applies to the four recognized categories, not to the product list
        (which keeps its own rule unless named).
        """
        if key == "share_unfilled":
            return replace(self, share_unfilled=bool(value))
        kind, _, name = key.rpartition(".")
        kinds = (kind,) if kind else CATEGORIES
        field = {"buffer": float, "strategy": str}[name]
        rules = dict(self.rules)
        for k in kinds:
            rules[k] = replace(rules[k], **{name: field(value)})
        return replace(self, rules=rules)


def default_levers() -> RecognitionLevers:
    """No lever block: every qualified applicant is recognized (the supply is the count)."""
    return RecognitionLevers({k: Rule() for k in KINDS})


def _rule(
    node: Any, inherited: Rule, quotas: Any, where: str, years: int, problems: list[str]
) -> Rule:
    """One rule: the node's settings (validated) over the inherited strategy and buffer."""
    strategy = node.strategy if node and node.strategy is not None else inherited.strategy
    buffer = node.buffer if node and node.buffer is not None else inherited.buffer
    quota = node.quotas if node and node.quotas is not None else quotas
    if quota is not None and len(quota) != years:
        problems.append(
            f"{where}.quotas: expected {years} whole numbers ≥ 0 (one per plan year),"
            f" got {list(quota)!r}"
        )
    if strategy == "fixed" and quota is None and years:
        problems.append(f"{where}.quotas: strategy fixed needs quotas (one per plan year)")
    return Rule(strategy, float(buffer), tuple(quota or ()))


def parse_levers(raw: Any, where: str, years: int, problems: list[str]) -> RecognitionLevers:
    """Validate ``levers.recognition``; append every problem (file and key path) to problems.

    The shape is ``schema_models.RecognitionBlock``; a category's own setting wins over the
    block's ``strategy``/``buffer`` and ``quotas: {category: …}`` (the product list keeps
    ``all_qualified`` unless it is named).
    """
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    if raw is None:
        return default_levers()
    found = collect(sm.RecognitionBlock, raw, where, problems)
    if found is None:
        return default_levers()
    general = Rule(found.strategy or Rule.strategy, found.buffer or Rule.buffer)
    quotas = found.quotas or {}
    rules = {
        kind: _rule(
            getattr(found, kind),
            general if kind != "product" else Rule(DEFAULT_PRODUCT),
            quotas.get(kind),
            f"{where}.{kind}",
            years,
            problems,
        )
        for kind in KINDS
    }
    return RecognitionLevers(rules, found.source, bool(found.share_unfilled))


# --- the rounds --------------------------------------------------------------------------------


def binomial_quantile(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(n, p) by inverse CDF at ``u``: nondecreasing in ``n`` and in ``u``.

    Exact by cumulating the pmf (the plan's revocation counts: a few dozen at most); a
    continuity-corrected normal quantile only where (1 - p)^n would underflow.
    """
    n = np.asarray(n, dtype=np.int64)
    p = np.broadcast_to(np.clip(np.asarray(p, dtype=float), 0.0, 1.0), n.shape)
    u = np.broadcast_to(np.asarray(u, dtype=float), n.shape)
    flip = p > 0.5  # count survivors instead, so (1-p)^n never underflows
    q = np.where(flip, 1 - p, p)
    v = np.where(flip, 1 - u, u)
    var = n * q * (1 - q)
    out = np.zeros(n.shape, dtype=np.int64)
    # exact while (1-q)^n stays far from underflow (e^-600); the plan's counts are far below
    with np.errstate(divide="ignore"):
        big = n * -np.log1p(-q) > 600
    if big.any():
        z = normal.quantile(np.clip(v[big], 1e-12, 1 - 1e-12))
        approx = np.floor(n[big] * q[big] + np.sqrt(var[big]) * z + 0.5)
        out[big] = np.clip(approx, 0, n[big]).astype(np.int64)
    small = ~big & (q > 0) & (n > 0)
    if small.any():
        out[small] = _pmf_walk(n[small], q[small], v[small])
    return np.where(flip, n - out, out)


def _pmf_walk(ns: np.ndarray, qs: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """The smallest k ≤ n with F(k) ≥ v, cumulating the pmf from (1 - q)^n term by term.

    Every few steps the walk drops the counts already found (a world's parks stop after a step
    or two, its teams after dozens): each remaining count takes the same steps as before.
    """
    pmf = (1 - qs) ** ns
    cdf = pmf.copy()
    ratio = qs / (1 - qs)
    found = np.zeros(ns.shape, dtype=np.int64)
    where = np.arange(ns.size)
    k = np.zeros(ns.shape, dtype=np.int64)
    below = cdf < vs
    j = 0
    # k counts the j with F(j) < u (and j < n): the smallest k with F(k) ≥ u
    while True:
        live = np.flatnonzero(below)
        if live.size < below.size:  # keep the walks still going
            found[where] = k
            where, ns, ratio, vs, pmf, cdf, k = (
                a[live] for a in (where, ns, ratio, vs, pmf, cdf, k)
            )
            below = below[live]
        if not live.size:
            return found
        for _ in range(_STEPS):  # a finished walk stays finished: extra steps change nothing
            k += below
            pmf *= (ns - j) * ratio / (j + 1)
            cdf += pmf
            j += 1
            below &= (cdf < vs) & (ns > j)


#: Steps of the walk between two drops of finished counts.
_STEPS = 4


def split(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` (M,) over the last axis of ``weights`` (M, P) by largest remainder.

    Never gives a prefecture more than its weight when weights are counts and total ≤ their sum.
    """
    weights = np.asarray(weights, dtype=float)
    s = weights.sum(axis=1, keepdims=True)
    raw = np.where(s > 0, total[:, None] * weights / np.where(s > 0, s, 1.0), 0.0)
    base = np.floor(raw + 1e-9).astype(np.int64)
    rest = total - base.sum(axis=1)
    # the units left go one each to the largest remainders, ties to the earlier prefecture:
    # a prefecture gets one if fewer than ``rest`` remainders rank before its own (counted
    # column against column: P² comparisons of whole columns beat a sort of every row)
    frac = [np.ascontiguousarray(col) for col in (raw - base).T]
    for p, mine in enumerate(frac):
        ahead = np.zeros(mine.shape, dtype=np.int64)
        for q, other in enumerate(frac):
            if q != p:
                ahead += (other >= mine) if q < p else (other > mine)
        base[:, p] += ahead < rest
    base[:, 0] += np.maximum(rest - len(frac), 0)  # total above the weights
    return base


def quota(rule: Rule, i: int, years: int, target: float, standing: np.ndarray, keep: float):
    """Round ``i``'s quota given the units standing now (after this year's review).

    target_pace: with survival ``keep`` per review, units recognized in round k still stand in
    2025 with probability keep^(Y-1-k); the quota x solves
    standing·keep^(Y-1-i) + x·Σ_{k≥i} keep^(Y-1-k) = target·(1 + buffer), rounded up, ≥ 0.
    """
    if rule.strategy == "all_qualified":
        return np.full(standing.shape, np.inf)
    if rule.strategy == "fixed":
        return np.full(standing.shape, float(rule.quotas[i]))
    ahead = sum(keep ** (years - 1 - k) for k in range(i, years))
    need = target * (1 + rule.buffer) - standing * keep ** (years - 1 - i)
    return np.ceil(np.maximum(need, 0.0) / ahead - 1e-9)


def first_in_first_out(earlier: np.ndarray, before: np.ndarray, revoked: np.ndarray) -> np.ndarray:
    """Revocations by prefecture (N, C, P) when the longest-standing units go first.

    ``earlier`` (N, C, P, i) units recognized in the rounds before this review, ordered by year
    then prefecture; ``before`` (N, C) units revoked at earlier reviews; ``revoked`` (N, C) now.
    Which units a review revokes changes no count; first in, first out is the exported ledger's
    rule, and needs no sort.
    """
    N, C, P, i = earlier.shape
    slots = np.moveaxis(earlier, (3, 2), (0, 1)).reshape(i * P, N, C)  # year, then prefecture
    low, high = before, before + revoked  # the units revoked now, counted in recognition order
    start = np.zeros((N, C), dtype=slots.dtype)
    gone = np.zeros((P, N, C), dtype=slots.dtype)
    for s, units in enumerate(slots):  # a slot loses the overlap of its units with [low, high)
        end = start + units
        overlap = np.minimum(end, high) - np.maximum(start, low)
        gone[s % P] += np.maximum(overlap, 0, out=overlap)
        start = end
    return np.moveaxis(gone, 0, 2)


@dataclass
class Rounds:
    """The rounds of every category over N worlds."""

    approvals: np.ndarray  # (N, C, P, Y) units newly recognized
    revocations: np.ndarray  # (N, C, P, Y) plan-recognized units revoked at each review
    initial: np.ndarray  # (N, C, Y) units recognized before the plan counted at year end
    bound: np.ndarray  # (N, C, Y) bool: the qualified applicants, not the quota, limited the round
    # sums over prefectures, kept as the rounds make them (callers need not sum again)
    new_total: np.ndarray | None = None  # (N, C, Y) units newly recognized
    revoked_total: np.ndarray | None = None  # (N, C, Y) plan-recognized units revoked
    supply_total: np.ndarray | None = None  # (N, C, Y) new qualified applicants
    carried: np.ndarray | None = None  # (N, C, Y) left out the round before, applying again


def carry_over(
    pool: np.ndarray, new: np.ndarray, share: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Who of the qualified applicants a round left out apply again in the next one: by
    prefecture (N, C, P) and in all (N, C).

    ``pool`` (N, C, P) the round's qualified applicants, ``new`` those it recognized (an
    observed count may exceed the pool: nobody is left out there), ``share`` (N, C) the world's
    reapply share, ``u`` (N, C) uniforms. The left-out total is thinned by inverse CDF at ``u``
    (as revocations: more left out never bring fewer back), then spread over the prefectures in
    proportion to who was left out (largest remainder: never more than a prefecture's own).
    """
    left = np.maximum(pool - new, 0)
    back = binomial_quantile(left.sum(axis=2), share, u)
    waiting = np.zeros_like(left)
    some = back > 0
    if some.any():
        waiting[some] = split(back[some], left[some])
    return waiting, back


def share_unfilled(q: np.ndarray, available: np.ndarray, pair: tuple[int, int]) -> np.ndarray:
    """Quotas (N, C) with the slots one category of ``pair`` cannot fill this round (its quota
    above its qualified applicants) added to the other's. Where a category recognizes every
    qualified applicant (an infinite quota) nothing is unfilled, and it needs nothing added."""
    a, b = pair
    spare = np.where(np.isfinite(q[:, pair]), np.maximum(q[:, pair] - available[:, pair], 0), 0)
    out = q.copy()
    out[:, a] += spare[:, 1]
    out[:, b] += spare[:, 0]
    return out


def run_rounds(
    supply: np.ndarray,
    u_rev: np.ndarray,
    rho: np.ndarray,
    rules: list[Rule],
    targets: list[float],
    expected_rho: list[float],
    initial: list[int],
    observed: dict[tuple[int, int], np.ndarray],
    count_revoked: bool,
    reapply: np.ndarray | None = None,
    u_reapply: np.ndarray | None = None,
    shared: tuple[int, int] | None = None,
) -> Rounds:
    """The yearly rounds of every category (vectorized over worlds and categories).

    ``supply`` (N, C, P, Y) new qualified applicants; ``u_rev`` (N, C, Y, 2) uniforms for the
    revocation of plan-recognized and of pre-plan units; ``rho`` (N, C) the world's revocation
    rates; ``observed`` maps (category, year index) to observed recognitions by prefecture (P,).
    ``reapply`` (N, C): the share of those a quota left out who apply again (``carry_over``,
    at ``u_reapply`` (N, C, Y)); without it, or at 0, no backlog. ``shared``: two categories
    (indices) whose unfilled slots go to each other (``share_unfilled``).
    """
    N, C, P, Y = supply.shape
    approvals = np.zeros((N, C, P, Y), dtype=np.int64)
    revocations = np.zeros((N, C, P, Y), dtype=np.int64)
    init_path, new_total, revoked_total, carried = (np.zeros((N, C, Y), np.int64) for _ in range(4))
    bound = np.zeros((N, C, Y), dtype=bool)
    supply_total = np.einsum("ncpy->ncy", supply)  # (sums over a middle axis: einsum is faster)
    backlog = reapply is not None and u_reapply is not None and bool(np.any(reapply > 0))
    waiting = np.zeros((N, C, P), dtype=np.int64)  # by prefecture, carried into this round
    stock = np.zeros((N, C, P), dtype=np.int64)  # plan-recognized units standing
    stock_total = np.zeros((N, C), dtype=np.int64)  # their sum over prefectures
    start = np.asarray(initial, dtype=np.int64)
    init = np.broadcast_to(start, (N, C)).copy()
    counted = np.zeros((N, C), dtype=np.int64)  # plan units as the targets count them
    cum_rev = np.zeros((N, C), dtype=np.int64)  # plan units revoked so far
    keep = [1.0 if count_revoked else 1.0 - r for r in expected_rho]
    paced = list(enumerate(zip(rules, targets, strict=True)))  # (category, (rule, its target))
    for i in range(Y):
        if i > 0:  # this year's review (§三(三) 动态管理) of units recognized earlier
            revoked = binomial_quantile(stock_total, rho, u_rev[:, :, i, 0])
            gone = first_in_first_out(approvals[..., :i], cum_rev, revoked)
            revocations[..., i] = gone
            cum_rev += revoked
            stock -= gone
            stock_total -= revoked  # first in, first out revokes exactly ``revoked`` (≤ stock)
            revoked_total[..., i] = revoked
            if start.any():
                init = init - binomial_quantile(init, rho, u_rev[:, :, i, 1])
        standing = counted + start if count_revoked else stock_total + init
        pool = supply[..., i] + waiting if backlog else supply[..., i]
        available = supply_total[..., i] + carried[..., i]  # (N, C) the round's applicants
        q = np.stack([quota(r, i, Y, tg, standing[:, c], keep[c]) for c, (r, tg) in paced], 1)
        if shared is not None:
            q = share_unfilled(q, available, shared)
        bound[..., i] = available < q
        new = pool.copy()
        short = q < available  # the quota binds: split it over the prefectures
        if short.any():
            new[short] = split(q[short].astype(np.int64), new[short])
        for (c, year), value in observed.items():
            if year == i:
                new[:, c] = value
                bound[:, c, i] = False
        if backlog and i + 1 < Y:
            assert reapply is not None and u_reapply is not None
            waiting, carried[..., i + 1] = carry_over(pool, new, reapply, u_reapply[..., i])
        approvals[..., i] = new
        stock += new
        added = new.sum(axis=2)
        new_total[..., i] = added
        stock_total += added
        counted += added
        init_path[..., i] = start if count_revoked else init
    return Rounds(
        approvals, revocations, init_path, bound, new_total, revoked_total, supply_total, carried
    )


def list_products(
    qualifying: np.ndarray, rule: Rule, target: float, observed: dict[int, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The department's list of best-selling products (N, Y+1) and where supply bound (N, Y).

    ``qualifying`` (N, Y+1) is the stock of products meeting the standard, 2022 first. The list
    starts from the qualifying stock of 2022 and each year adds at most the round's quota.
    """
    N, Y1 = qualifying.shape
    listed = np.empty_like(qualifying)
    listed[:, 0] = qualifying[:, 0]
    bound = np.zeros((N, Y1 - 1), dtype=bool)
    for i in range(1, Y1):
        if i - 1 in observed:
            listed[:, i] = observed[i - 1]
            continue
        q = quota(rule, i - 1, Y1 - 1, target, listed[:, i - 1], 1.0)
        cap = listed[:, i - 1] + q
        bound[:, i - 1] = qualifying[:, i] < cap
        listed[:, i] = np.minimum(qualifying[:, i], cap)
    return listed, bound
