"""The shapes of our input files as pydantic models (``schema.Strict``), imported lazily.

Each model says which keys a mapping takes, which are required and what each value must be;
``schema.validate`` reports every problem at once in the house style. The parsers
(``scenario.parse_scenario``, ``parameters.parse_parameters``, ``research.sweep.load_sweep``,
``research.observations.read_observations``) validate with these and build their dataclasses.
Kept apart from the parsers so ``import sbqw_model.scenario`` does not import pydantic.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from sbqw_model.distributions import DISTRIBUTIONS, DOMAINS, MAX_SIGMA, _as_text, _num
from sbqw_model.schema import Strict, fail


def _real(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise fail(f"expected a number, got {value!r}{_as_text(value)}")
    if value in (float("inf"), float("-inf")):
        raise fail(f"expected a number, got {value!r}")
    return float(value)


#: A finite number, never a bool or a number written as text.
Real = Annotated[float, BeforeValidator(_real), Field(description="a number")]


# --- distributions -------------------------------------------------------------------------------


class _Distribution(Strict):
    """A distribution's parameters, checked against the quantity's domain (``context``)."""

    source: str = ""
    name: ClassVar[str] = ""

    @field_validator("value", "low", "mode", "high", "mean", "median", check_fields=False)
    @classmethod
    def _in_domain(cls, v: float, info: ValidationInfo) -> float:
        low, high, readable = DOMAINS[(info.context or {})["domain"]]
        if not low <= v <= high:
            raise fail(f"got {_num(v)}, expected {readable}")
        return v

    @field_validator("sd", "sigma", check_fields=False)
    @classmethod
    def _spread(cls, v: float, info: ValidationInfo) -> float:
        low, high, readable = DOMAINS[(info.context or {})["domain"]]
        widest = {"sd": high - low, "sigma": MAX_SIGMA}[info.field_name or "sd"]
        if v < 0:
            raise fail(f"negative spread {_num(v)}, expected ≥ 0")
        if v > widest:
            raise fail(
                f"got {_num(v)}, expected at most {_num(widest)} (wider than {readable} itself)"
            )
        return v


class Fixed(_Distribution):
    dist: Literal["fixed"]
    value: Real


class Uniform(_Distribution):
    dist: Literal["uniform"]
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low <= self.high:
            raise fail(f"expected low ≤ high, got {_num(self.low)}, {_num(self.high)}")
        return self


class Triangular(_Distribution):
    dist: Literal["triangular"]
    low: Real
    mode: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            got = ", ".join(_num(v) for v in (self.low, self.mode, self.high))
            raise fail(f"expected low ≤ mode ≤ high, got {got}")
        return self


class Normal(_Distribution):
    dist: Literal["normal"]
    mean: Real
    sd: Real


class Lognormal(_Distribution):
    dist: Literal["lognormal"]
    median: Real
    sigma: Real

    @model_validator(mode="after")
    def _positive(self) -> Lognormal:
        if self.median <= 0:
            raise fail("expected a positive median for a lognormal", at="median")
        return self


DISTRIBUTION_MODELS: dict[str, type[_Distribution]] = {
    m.model_fields["dist"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (Fixed, Uniform, Triangular, Normal, Lognormal)
}
for _name, _model in DISTRIBUTION_MODELS.items():
    _model.unknown = (
        f"unknown key for a {_name} distribution{{suggest}}"
        f" (expected: {', '.join(DISTRIBUTIONS[_name])}, source)"
    )
