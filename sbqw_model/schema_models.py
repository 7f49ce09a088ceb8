"""The shapes of our input files as pydantic models (``schema.Strict``), imported lazily.

Each model says which keys a mapping takes, which are required and what each value must be;
``schema.validate`` reports every problem at once in the house style. The parsers
(``scenario.parse_scenario``, ``parameters.parse_parameters``, ``research.sweep.load_sweep``,
``research.observations.read_observations``) validate with these and build their dataclasses.
Kept apart from the parsers so ``import sbqw_model.scenario`` does not import pydantic.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from sbqw_model import prefectures
from sbqw_model.distributions import DISTRIBUTIONS, DOMAINS, MAX_SIGMA, _num
from sbqw_model.errors import did_you_mean
from sbqw_model.limits import MAX_YUAN
from sbqw_model.parameters import (
    REQUIRED_FIELDS,
    UNITS,
    check_value,
    parse_period,
)
from sbqw_model.recognition import KINDS, STRATEGIES
from sbqw_model.scenario import (
    CONDITIONING_METHODS,
    INDICATORS,
    LEAST_OBSERVED,
    MAX_RESPONSE,
    OFF_WHEN_ABSENT,
    OPTIONAL_UNCERTAINTIES,
    UNCERTAINTIES,
    year_of,
)
from sbqw_model.schema import Strict, choice, fail, number, one_of, whole
from sbqw_model.units import misread_hint
from sbqw_model.yamlio import text_number_hint


def _real(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(f"expected a number, got {value!r}{text_number_hint(value)}")
    return float(value)


def _filled(value: Any) -> str:
    """A name or title: text with at least one visible character (an empty title made a
    report headed by nothing, an empty name a file called ``_``)."""
    if not isinstance(value, str):
        raise fail(f"expected text, got {value!r}")
    if not value.strip():
        raise fail(f"expected non-empty text, got {value!r}")
    return value


#: Text that may not be empty or only spaces (a scenario's ``name`` and titles).
Filled = Annotated[str, BeforeValidator(_filled)]


#: A finite number, never a bool or a number written as text.
Real = Annotated[float, BeforeValidator(_real), Field(description="a number")]


def _note(value: Any) -> str:
    """A ``source`` or note: text, or a number or date YAML read from unquoted text."""
    if isinstance(value, dict | list):
        raise fail(f"expected text, got {value!r}")
    return value if isinstance(value, str) else str(value)


#: Free text where YAML may have read a year or a date (``source: 2022``) as something else.
Note = Annotated[str, BeforeValidator(_note)]


# --- distributions -------------------------------------------------------------------------------


class _Distribution(Strict):
    """A distribution's parameters, checked against the quantity's domain (``context``)."""

    source: Note = ""

    @field_validator("value", "low", "mode", "high", "mean", "median", check_fields=False)
    @classmethod
    def _in_domain(cls, v: float, info: ValidationInfo) -> float:
        domain = (info.context or {})["domain"]
        low, high, readable = DOMAINS[domain]
        if not low <= v <= high:
            hint = misread_hint(v, low) if domain == "retail" else ""  # 600 for 600 亿
            raise fail(f"got {_num(v)}, expected {readable}{hint}")
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


# --- scenarios ---------------------------------------------------------------------------------


class ScenarioFile(Strict):
    """The top of a scenario file. Each block is validated by its own model (``parse_scenario``)
    so a problem in one never hides the problems in another."""

    name: Filled
    title_zh: Filled
    title_en: Filled
    description: str = ""
    description_zh: str = ""
    extends: Any = None  # resolved by scenario._read_raw before validation
    uncertainties: dict[str, Any] = Field(description="a mapping of uncertainty: distribution")
    levers: Any = None
    behaviour: Any = None
    observations: Any = None
    appropriation: Any = None
    prefecture_shares: Any = None
    initial_stock: Any = None
    conditioning: one_of(CONDITIONING_METHODS) = "weight"


_UNCERTAINTY_MODEL: type[Strict] | None = None


def uncertainty_keys() -> type[Strict]:
    """A model with one field per uncertainty path (``online_retail.growth``): unknown paths and
    missing ones are reported with the uncertainty's meaning; optional ones have defaults."""
    global _UNCERTAINTY_MODEL
    if _UNCERTAINTY_MODEL is None:
        fields: dict[str, Any] = {
            f"u{i}": (
                Any,
                Field(
                    default=None if path in (*OPTIONAL_UNCERTAINTIES, *OFF_WHEN_ABSENT) else ...,
                    alias=path,
                    description=text,
                ),
            )
            for i, (path, (_, text)) in enumerate(UNCERTAINTIES.items())
        }
        model = create_model("Uncertainties", __base__=Strict, **fields)
        model.unknown = "unknown uncertainty{suggest}"
        model.missing = "missing ({expected})"
        _UNCERTAINTY_MODEL = model
    return _UNCERTAINTY_MODEL


class Levers(Strict):
    assumptions: dict[Any, Any] | None = Field(None, description="a mapping of assumption: value")
    parameters: dict[Any, Any] | None = Field(None, description="a mapping of path: value")
    recognition: Any = None


def _response(value: Any) -> Any:
    """A number from -1 to 1, or a distribution (checked by the caller with its domain)."""
    if isinstance(value, dict):
        return value
    high = MAX_RESPONSE
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) <= high:
        hint = text_number_hint(value)
        raise fail(f"expected a number from -{high:g} to {high:g}, got {value!r}{hint}")
    return float(value)


class Behaviour(Strict):
    growth_response_to_payout_share: Annotated[Any, BeforeValidator(_response)] = 0.0
    source: Note = ""


class ObservationItem(Strict):
    """One observed figure in a scenario; the plan years come in the validation context."""

    year: int
    indicator: choice(INDICATORS, "indicator", listed="valid")
    value: float
    source: Note = ""

    @field_validator("year", mode="before")
    @classmethod
    def _plan_year(cls, v: Any, info: ValidationInfo) -> int:
        first, last = (info.context or {})["years"]
        if isinstance(v, bool) or not isinstance(v, int) or not first <= v <= last:
            hint = text_number_hint(v, whole=True)
            raise fail(f"expected a plan year {first}–{last}, got {v!r}{hint}")
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _level(cls, v: Any, info: ValidationInfo) -> float:
        lowest = LEAST_OBSERVED.get(info.data.get("indicator", ""), 0.0)
        if isinstance(v, bool) or not isinstance(v, int | float) or not lowest <= v <= MAX_YUAN:
            hint = text_number_hint(v) or misread_hint(v, lowest)
            raise fail(f"expected a number from {lowest:g} to {MAX_YUAN:.0e}, got {v!r}{hint}")
        return float(v)


Observations = Annotated[
    list[ObservationItem], Field(description="a list of {year, indicator, value, source}")
]


def _year_key(value: Any, info: ValidationInfo) -> int:
    """A payment year of the scenario (``context["years"]``: its first and last)."""
    first, last = (info.context or {}).get("years", (None, None))
    year = year_of(value)
    if isinstance(value, float):
        raise fail(f"expected a payment year as a whole number (such as 2024), got {value!r}")
    if year is None:
        raise fail(f"expected a payment year such as 2024, got {value!r}")
    if first is not None and not first <= year <= last:
        span = f"from {first} to {last} (the plan's first year to its last payment year)"
        raise fail(f"expected a payment year {span}, got {value!r}")
    return year


def _distinct(canonical: Any, noun: str) -> Any:
    """A mapping whose keys are spelled freely (``2024`` and ``"2024"``, ``贵阳市`` and
    ``Guiyang``) must give each one once: read as one key, the later value won silently."""

    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        seen: dict[Any, Any] = {}
        for key in value:
            same = canonical(key)
            if same is not None and same in seen:
                spellings = f"{seen[same]!r} and {key!r}"
                raise fail(f"{noun} {same} is given twice ({spellings}); give it once", at=str(key))
            seen.setdefault(same, key)
        return value

    return BeforeValidator(check)


Amount = number(0, MAX_YUAN, f"an amount from 0 to {MAX_YUAN:.0e} yuan")
#: ``appropriation: {2024: yuan, …}`` (its ``source`` and ``illustrative`` are taken out
#: first); the context holds the scenario's payment years (``years``: first, last).
Appropriation = Annotated[
    dict[Annotated[int, BeforeValidator(_year_key)], Amount],
    _distinct(year_of, "the year"),
    Field(description="a mapping of payment year: yuan"),
]


def _prefecture(value: Any) -> str:
    zh = prefectures.normalize(str(value))
    if zh is None:
        raise fail(f"unknown prefecture (valid: {prefectures.valid_names()})")
    return zh


class PrefectureShares(Strict):
    values: Annotated[
        dict[
            Annotated[str, BeforeValidator(_prefecture)],
            number(0, 1, "a share between 0 and 1"),
        ],
        _distinct(prefectures.normalize, "the prefecture"),
    ] = Field(description="a mapping of prefecture: share")
    source: Note = ""


class InitialStock(Strict):
    """Units recognized before 2023, per category (a named assumption, default 0)."""

    park: whole(0) = 0
    base: whole(0) = 0
    enterprise: whole(0) = 0
    team: whole(0) = 0
    source: Note = ""


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(f"expected true or false, got {value!r}")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]


# --- recognition levers --------------------------------------------------------------------------

Quotas = Annotated[list[whole(0)], Field(description="a list of whole numbers ≥ 0, one per year")]


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise fail(f"unknown category{did_you_mean(str(value), KINDS)} (valid: {', '.join(KINDS)})")
    return value


class RuleBlock(Strict):
    """One category's rule (``levers.recognition.park``); unset keys are inherited."""

    strategy: choice(STRATEGIES, "strategy") | None = None
    buffer: number(0, float("inf"), "a number ≥ 0") | None = None
    quotas: Quotas | None = None


class RecognitionBlock(RuleBlock):
    """``levers.recognition``: a rule for all categories, each category's own, a source."""

    quotas: (
        Annotated[
            dict[Annotated[str, BeforeValidator(_kind)], Quotas],
            Field(description="a mapping of category: [one quota per year]"),
        ]
        | None
    ) = None
    park: RuleBlock | None = None
    base: RuleBlock | None = None
    enterprise: RuleBlock | None = None
    team: RuleBlock | None = None
    product: RuleBlock | None = None
    share_unfilled: bool | None = None
    source: Note = ""


# --- the plan's parameters -----------------------------------------------------------------------


def _period(value: Any) -> tuple[int, int]:
    years = parse_period(value)
    if years is None:
        raise fail(f"expected 'YYYY' or 'YYYY-YYYY', got {value!r}")
    return years


class ParameterLeaf(Strict):
    """One number of the plan with what cites it; an empty required field counts as missing."""

    unknown: ClassVar[str] = "unknown field{suggest}"
    unit: one_of(UNITS) = Field(description="one of " + ", ".join(UNITS))
    value: Any = Field(description="a number")
    clause: str = Field(description="a clause id such as §四(二)3")
    label_zh: str = Field(description="a Chinese label")
    label_en: str = Field(description="an English label")
    period: Annotated[tuple[int, int], BeforeValidator(_period)] = Field(
        description="'YYYY' or 'YYYY-YYYY'"
    )
    note: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = ""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_missing(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if k not in REQUIRED_FIELDS or v not in (None, "")}

    @field_validator("value", mode="before")
    @classmethod
    def _amount(cls, v: Any, info: ValidationInfo) -> float:
        value, problem = check_value(v, info.data.get("unit", ""))
        if problem:
            raise fail(problem)
        return value  # type: ignore[return-value]


@lru_cache(maxsize=4)
def parameter_tree(paths: tuple[str, ...]) -> type[Strict]:
    """One field per rule parameter (``traffic.cap``): exactly ``paths``, no others.

    Keyed by the paths so a registered instrument's parameters (tests, a later notice) are seen.
    """
    fields: dict[str, Any] = {
        f"p{i}": (ParameterLeaf, Field(alias=path)) for i, path in enumerate(paths)
    }
    model = create_model("ParameterTree", __base__=Strict, **fields)
    model.unknown = "unknown parameter{suggest}"
    model.missing = "missing (every rule parameter must be present)"
    return model
