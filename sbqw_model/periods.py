"""The plan's years: achievement years from the parameters, payment years after the lag."""

from __future__ import annotations

from sbqw_model.assumptions import Assumptions
from sbqw_model.parameters import Parameters


def plan_years(params: Parameters) -> list[int]:
    """Achievement years of the plan, 2023…2025."""
    first, last = int(params.value("plan.first_year")), int(params.value("plan.target_year"))
    return list(range(first, last + 1))


def payment_years(params: Parameters, assume: Assumptions) -> list[int]:
    """Years in which money can be paid: the plan years shifted by the payment lag."""
    return [y + assume.payment_lag_years for y in plan_years(params)]
