"""The shape of a sweep file as pydantic models (``schema.Strict``), imported lazily.

``research.sweep.load_sweep`` validates the file's keys and values with ``SweepFile`` and each
factor with ``FactorSpec``; what depends on the mode, the base scenario and the factors'
targets (a grid takes values, a sample low and high; a value fits its input) is checked there.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from sbqw_model.research.sweep import MODES
from sbqw_model.schema import Strict, choice, fail, whole
from sbqw_model.worlds import BLOCK


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"expected a name (text that is not blank), got {value!r}")
    return value


def _base(value: Any) -> Any:
    """``base:`` left empty reads as null: said as missing, not passed on as no scenario."""
    if value is None:
        raise fail("missing (expected a shipped scenario name or a scenario file)")
    return value


def _values(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise fail(f"expected a non-empty list, got {value!r}")
    return value


class SweepFile(Strict):
    """A sweep: a base scenario, what varies and how, the size of the run."""

    name: Annotated[str, BeforeValidator(_name)] = ""  # default: the file's name
    description: str = ""
    base: Annotated[Any, BeforeValidator(_base)] = Field(
        description="the scenario file the sweep starts from"
    )
    observed: str | None = Field(None, description="an observations file name")
    mode: choice(MODES, "mode") = Field(description="one of: " + ", ".join(MODES))
    factors: dict[str, Any] = Field(
        min_length=1, description="a mapping of factor path to values, or to low and high"
    )
    points: whole(1) | None = None
    draws: whole(1) = BLOCK
    seed: whole(0) = 0
    outputs: list[str] = Field([], description="a list of output names")


class FactorSpec(Strict):
    """One factor: ``values`` (a grid) or ``low`` and ``high`` (latin and sobol samples)."""

    unknown: ClassVar[str] = "unknown key{suggest} (expected values, or low and high)"
    values: Annotated[list[Any] | None, BeforeValidator(_values)] = None  # null: refused
    low: Any = None
    high: Any = None
