"""One row of an observations file as a pydantic model (``schema.Strict``), imported lazily.

The cells are text (CSV or a spreadsheet read as text); each validator parses its cell and
says what was expected in the words ``read_observations`` has always used. The year's range
depends on the indicator (2022 is a starting level, only for online retail and products).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationInfo, field_validator

from sbqw_model.errors import did_you_mean
from sbqw_model.limits import MAX_YUAN
from sbqw_model.research.observations import LEVELS
from sbqw_model.scenario import INDICATORS, LEAST_OBSERVED
from sbqw_model.schema import Strict, fail
from sbqw_model.units import misread_hint


def _number(text: Any, info: ValidationInfo) -> float | None:
    """A cell read by its file's decimal mark (``tablefile.number``: in a semicolon file
    ``7,2E+10`` is 7.2e10); None for what is no finite number, or reads two ways."""
    from sbqw_model.tablefile import number

    try:
        value = number(str(text), (info.context or {}).get("decimal", "."))
    except ValueError:  # NumberError too: said with its hint by the reader, before
        return None
    return value if math.isfinite(value) else None


class ObservedRow(Strict):
    """``year, indicator, value, source``; the context holds (base year, target year)."""

    indicator: str
    year: int
    value: float
    source: str

    @field_validator("indicator", mode="before")
    @classmethod
    def _known(cls, v: Any) -> str:
        if str(v).strip() not in INDICATORS:
            raise fail(
                f"unknown indicator {v!r}{did_you_mean(str(v).strip(), INDICATORS)}"
                f" (valid: {', '.join(INDICATORS)})"
            )
        return str(v).strip()

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any, info: ValidationInfo) -> int:
        base_year, last = (info.context or {})["years"]
        low = base_year if info.data.get("indicator", "") in LEVELS else base_year + 1
        year = _number(v, info)
        if year is None or year != int(year) or not low <= year <= last:
            only = " (2022 only for online_retail and products)" if low == base_year else ""
            raise fail(f"expected a year {low}–{last}{only}, got {v!r}")
        return int(year)

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any, info: ValidationInfo) -> float:
        lowest = LEAST_OBSERVED.get(info.data.get("indicator", ""), 0.0)
        value = _number(v, info)
        if value is None or not lowest <= value <= MAX_YUAN:
            kind = f"a number of at least {lowest:.0f}" if lowest else "a non-negative number"
            raise fail(
                f"expected {kind} up to {MAX_YUAN:.0e} (yuan for online_retail, a count"
                f" otherwise), got {v!r}{misread_hint(value, lowest)}"
            )
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _cited(cls, v: Any) -> str:
        if not str(v).strip():
            raise fail("empty; say where the figure comes from")
        return str(v).strip()
