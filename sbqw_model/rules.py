"""The plan's money rules (§四(二)) as vectorized formulas.

These are the only implementation of the rules: ``sbqw cost`` applies them to one ledger and the
Monte Carlo engine to many simulated worlds at once. Each formula takes arrays of any leading
shape (units, or draws × firms), the parameters and the assumptions, and is deterministic:
draws are made before the rules run (as PolicyEngine insists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sbqw_model.assumptions import Assumptions
from sbqw_model.parameters import Parameters

if TYPE_CHECKING:
    pass

#: Recognition categories in the order the plan lists them (§三(二)2(1)).
CATEGORIES: tuple[str, ...] = ("park", "base", "enterprise", "team")

#: Where the plan provides for revocation (dynamic management of recognized units).
REVOCATION_CLAUSE = "§三(三)"

#: Recognized units that are not enterprises: under ``sales_award_recipients=enterprises_only``
#: they earn no sales milestone (DIGEST open point 2).
NON_ENTERPRISE_CATEGORIES: tuple[str, ...] = ("park", "base")

# ``INSTRUMENTS`` (the keys of every ``by_instrument`` table, in output order),
# ``AWARD_INSTRUMENTS`` and ``SALES_INSTRUMENTS`` are derived from the
# instrument registry (``sbqw_model.instruments.REGISTRY``) each time they are read, so an
# instrument registered later (a new notice, a test) is seen everywhere: see ``__getattr__``.
INSTRUMENTS: tuple[str, ...]
AWARD_INSTRUMENTS: tuple[str, ...]
SALES_INSTRUMENTS: tuple[str, ...]


def __getattr__(name: str) -> Any:
    """The registry-derived names above, computed from the registry at each access."""
    from sbqw_model.instruments import REGISTRY

    if name == "INSTRUMENTS":
        return REGISTRY.keys()
    if name == "AWARD_INSTRUMENTS":
        return tuple(e.key for e in REGISTRY if e.kind == "recognition")
    if name == "SALES_INSTRUMENTS":
        return tuple(e.key for e in REGISTRY if e.kind == "milestone")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def instrument_clause(params: Parameters, instrument: str) -> str:
    """The clause a payout line cites, read from the parameter it applies; an instrument the
    registry does not know is refused (``instruments.UnknownInstrumentError``)."""
    from sbqw_model.instruments import REGISTRY

    return REGISTRY.get(instrument).clause(params)


Array = NDArray[np.float64]


def award_ceilings(params: Parameters) -> Array:
    """One-time award ceiling per category, in CATEGORIES order (§四(二)2)."""
    return np.array([params.value(f"awards.{c}") for c in CATEGORIES], dtype=float)


def one_time_award(category_index: ArrayLike, params: Parameters, assume: Assumptions) -> Array:
    """Amount owed for each recognition (index into CATEGORIES), paid once per unit (§四(二)2)."""
    return recognition_award(
        award_ceilings(params)[np.asarray(category_index, dtype=np.intp)], assume
    )


def recognition_award(ceiling: ArrayLike, assume: Assumptions) -> Array:
    """Amount owed for one recognition under a ceiling (不超过): the ceiling × payout share."""
    return np.asarray(ceiling, dtype=float) * assume.payout_share


def award_repayment(amount: ArrayLike, assume: Assumptions) -> Array:
    """What a unit revoked after its recognition pays back, in the year of its revocation
    (assumption ``revoked_repay``, DIGEST open point 4; §三(三) 动态管理): its award, or nothing."""
    owed = np.asarray(amount, dtype=float)
    return -owed if assume.revoked_repay else np.zeros_like(owed)


def milestone_excluded(assume: Assumptions) -> tuple[str, ...]:
    """Recognition categories whose units earn no sales milestone (``sales_award_recipients``,
    DIGEST open point 2): none under ``all_units``, parks and bases under ``enterprises_only``."""
    return () if assume.sales_award_recipients == "all_units" else NON_ENTERPRISE_CATEGORIES


def sales_milestone_awards(
    annual_sales: ArrayLike,
    params: Parameters,
    assume: Assumptions,
    before: ArrayLike | None = None,
) -> Array:
    """Sales-milestone awards (§四(二)3) for a panel of annual sales.

    ``annual_sales`` has shape (..., years) in chronological order (0 where a unit has no data).
    Returns shape (..., years, tiers): the amount paid in each year under each tier. The tiers
    include their boundary (达 / 以上). How repeat and skipped tiers pay is
    ``assume.sales_award_mode`` (DIGEST open point 2). ``before`` (shape (...), 0 where unknown)
    is each unit's figure in the year before the plan: under ``milestone_pre_plan_tiers =
    not_paid`` the tiers it reached count as received (达 read as newly reaching a tier), so
    the modes go on from there; under ``paid`` it is not read.
    """
    sales = np.asarray(annual_sales, dtype=float)
    thresholds, amounts = params.sales_scale()
    th = np.asarray(thresholds)
    amt = np.asarray(amounts) * assume.payout_share
    n_tiers = th.size
    lead = sales.shape[:-1]
    out = np.zeros((*sales.shape, n_tiers))
    tiers = np.arange(n_tiers)
    # highest tier index reached each year, -1 when none: thresholds ascend, so count them.
    top = tier_reached(sales, th)
    paid_top, received = milestone_start(lead, params, assume, before)
    for y in range(sales.shape[-1]):
        k = top[..., y]
        if assume.sales_award_mode == "highest":
            pay = k > paid_top
            for t in range(n_tiers):  # tier by tier: no (…, tiers) temporaries
                out[..., y, t] = ((k == t) & pay) * amt[t]
            paid_top = np.where(pay, k, paid_top)
        elif assume.sales_award_mode == "cumulative":
            new = (tiers <= k[..., None]) & (tiers > paid_top[..., None])
            out[..., y, :] = new * amt
            paid_top = np.maximum(paid_top, k)
        elif assume.sales_award_mode == "top_up":
            entitled = np.where(k >= 0, amt[np.maximum(k, 0)], 0.0)
            due = np.maximum(entitled - received, 0.0)
            out[..., y, :] = (tiers == k[..., None]) * due[..., None]
            # what has been received is the highest entitlement so far, exactly (a running sum
            # of dues would leave float crumbs that later years would "pay")
            received = np.maximum(received, entitled)
        else:  # pragma: no cover - Assumptions validation makes this unreachable
            raise ValueError(f"unknown sales_award_mode {assume.sales_award_mode!r}")
    return out


def tier_reached(sales: ArrayLike, thresholds: ArrayLike) -> NDArray[np.int64]:
    """The index of the highest tier each figure reaches (boundary included), -1 for none."""
    values = np.asarray(sales, dtype=float)
    top = np.full(values.shape, -1, dtype=np.int64)
    for t in np.asarray(thresholds):  # thresholds ascend: count those reached
        top += values >= t
    return top


def milestone_start(
    lead: tuple[int, ...], params: Parameters, assume: Assumptions, before: ArrayLike | None
) -> tuple[NDArray[np.int64], Array]:
    """Where each unit's milestones start: (the highest tier taken as paid, the entitlement
    taken as received). Nothing, unless ``milestone_pre_plan_tiers = not_paid`` and a figure
    before the plan is given: then the tier it reached, as if paid then (the rule starts from
    it; a cost line says how much of a top-up it counts)."""
    if before is None or assume.milestone_pre_plan_tiers != "not_paid":
        return np.full(lead, -1, dtype=np.int64), np.zeros(lead)
    thresholds, amounts = params.sales_scale()
    amt = np.asarray(amounts, dtype=float) * assume.payout_share
    start = np.broadcast_to(tier_reached(before, thresholds), lead).copy()
    return start, np.where(start >= 0, amt[np.maximum(start, 0)], 0.0)


def milestone_sales(
    annual_sales: ArrayLike, online_retail: ArrayLike, assume: Assumptions
) -> Array:
    """The 年销售额 the milestones compare with their thresholds (assumption
    ``milestone_sales_basis``): all annual sales (``total``) or e-commerce sales only
    (``online``: the unit's online retail)."""
    chosen = online_retail if assume.milestone_sales_basis == "online" else annual_sales
    return np.asarray(chosen, dtype=float)


def reaches_a_tier(annual_sales: ArrayLike, params: Parameters) -> NDArray[np.bool_]:
    """Units whose sales reach the lowest tier in some year: the only ones a milestone can pay.

    Lets a caller with many units apply ``sales_milestone_awards`` to these alone.
    """
    lowest = min(params.sales_scale()[0])
    sales = np.asarray(annual_sales, dtype=float)
    hit = sales[..., 0] >= lowest  # year by year: no (…, years) boolean temporary to reduce
    for y in range(1, sales.shape[-1]):
        hit |= sales[..., y] >= lowest
    return hit


def counted_retail(
    online_retail: ArrayLike,
    cross_border: ArrayLike,
    cross_border_retail: ArrayLike | None,
    assume: Assumptions,
) -> Array:
    """The online retail the traffic subsidy may count (不含跨境电商, assumption
    ``cross_border_exclusion``): a cross-border firm counts nothing (``whole_firm``), or only
    its domestic part, online retail minus its cross-border retail (``cross_border_part``; with
    no cross-border figure given, all of a cross-border firm's retail is taken as cross-border).
    """
    retail = np.asarray(online_retail, dtype=float)
    cross = np.asarray(cross_border, dtype=bool)
    if assume.cross_border_exclusion == "whole_firm" or cross_border_retail is None:
        return np.where(cross, 0.0, retail)
    part = np.minimum(np.asarray(cross_border_retail, dtype=float), retail)
    return np.where(cross, retail - part, retail)


def traffic_eligible(
    online_retail: ArrayLike, above_scale: ArrayLike, cross_border: ArrayLike, params: Parameters
) -> NDArray[np.bool_]:
    """上规入统, not cross-border, and online retail of goods ≥ 1亿 in the year (§四(二)3)."""
    retail = np.asarray(online_retail, dtype=float)
    # the firm-level flags are combined before broadcasting against the (larger) retail array
    flags = np.asarray(above_scale, dtype=bool) & ~np.asarray(cross_border, dtype=bool)
    return (retail >= params.value("traffic.threshold")) & flags


def traffic_base(online_retail: ArrayLike, params: Parameters, assume: Assumptions) -> Array:
    """The retail the rate applies to: all of it, or the part above the threshold (open point 3)."""
    retail = np.asarray(online_retail, dtype=float)
    if assume.traffic_base == "excess":
        return np.maximum(retail - params.value("traffic.threshold"), 0.0)
    return retail


def traffic_subsidy(
    online_retail: ArrayLike,
    above_scale: ArrayLike,
    cross_border: ArrayLike,
    params: Parameters,
    assume: Assumptions,
    cross_border_retail: ArrayLike | None = None,
) -> Array:
    """Yearly traffic subsidy per enterprise-year, capped per enterprise (§四(二)3).

    Arrays have years on the last axis when ``assume.traffic_cap_period`` is ``plan`` (the cap
    then binds on the running total over the plan period, in chronological order); under
    ``year`` any shape works. Under ``cross_border_part`` a cross-border firm's domestic online
    retail (``online_retail − cross_border_retail``) is what meets the threshold and the rate.
    """
    if assume.cross_border_exclusion == "cross_border_part":
        retail = counted_retail(online_retail, cross_border, cross_border_retail, assume)
        eligible = traffic_eligible(retail, above_scale, False, params)
    else:
        retail = np.asarray(online_retail, dtype=float)
        eligible = traffic_eligible(retail, above_scale, cross_border, params)
    amount = traffic_base(retail, params, assume) * params.value("traffic.rate")
    cap = params.value("traffic.cap")
    if assume.traffic_cap_period == "plan":
        amount *= eligible
        # what the cap still allows each year: the capped running total, differenced
        np.minimum(np.cumsum(amount, axis=-1), cap, out=amount)
        amount[..., 1:] -= amount[..., :-1].copy()
    else:
        np.minimum(amount, cap, out=amount)
        amount *= eligible
    if assume.payout_share != 1:
        amount *= assume.payout_share
    return amount


@dataclass(frozen=True)
class FirmYears:
    """The firm-year figures a firm-level rule reads: arrays (firms, years) in year order; the
    flags broadcast against them. The engine fills it from a world's firms, ``sbqw cost`` from
    the ledger's sales rows (every row, each unit's flags of that year)."""

    sales: Array  # annual sales (年销售额), yuan
    retail: Array  # online retail of goods (网络零售额), yuan
    above_scale: NDArray[np.bool_]  # 上规入统
    cross_border: NDArray[np.bool_]  # a cross-border e-commerce firm
    cross_border_retail: Array | None  # its cross-border online retail, yuan (None: unknown)


def traffic_subsidy_of(firms: FirmYears, params: Parameters, assume: Assumptions) -> Array:
    """``traffic_subsidy`` on a firm-year panel: the registry's rule for ``traffic``."""
    return traffic_subsidy(
        firms.retail,
        firms.above_scale,
        firms.cross_border,
        params,
        assume,
        firms.cross_border_retail,
    )
