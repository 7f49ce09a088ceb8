"""The plan's years: achievement years from the parameters, payment years after the lag."""

from __future__ import annotations

from sbqw_model.assumptions import Assumptions
from sbqw_model.instruments import REGISTRY
from sbqw_model.parameters import Parameters


def plan_years(params: Parameters) -> list[int]:
    """Achievement years of the plan, 2023…2025."""
    first, last = int(params.value("plan.first_year")), int(params.value("plan.target_year"))
    return list(range(first, last + 1))


def payment_years(params: Parameters, assume: Assumptions) -> list[int]:
    """Years in which money can be paid: the plan years shifted by each instrument's delay.

    Each instrument's delay is its registry entry's timing assumption plus the payment lag.
    With the default timing (awards in the recognition year, sales milestones and the traffic
    subsidy the year after) the budget runs 2023…2026.
    """
    delays = [entry.payment_delay(assume) for entry in REGISTRY]
    years = plan_years(params)
    return list(range(years[0] + min(delays), years[-1] + max(delays) + 1))
