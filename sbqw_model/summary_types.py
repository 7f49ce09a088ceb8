"""The summary of a simulation run as typed records, with one JSON form.

Code reads ``summary.budget.total.p90``; users, sweeps and sensitivity analyses name the same
number by its dotted path ``"budget.total.p90"``, resolved here once (``Summary.get_path``).

Why frozen dataclasses and not pydantic models: the summary is our own output, built by
``summary.summarize`` (once per sweep point, thousands of times) and read back only from JSON we
wrote (``summary.json``, a report notebook's hidden output, ``reports.json``). Construction must
cost nothing next to the simulation, report kernels should not import a validation library to
read seven probabilities, and a shape error on reading is a bug to name, not user input to
explain field by field. ``to_dict`` is written once for every record and each record reads
itself back (``from_dict``, naming a wrong key with a did-you-mean); the JSON text is exactly
what the untyped summary gave (same keys, order and optional blocks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any

from sbqw_model.errors import did_you_mean

#: The one statistic reports, charts, the index and ``sbqw simulate``'s table show: the median
#: and the 90 % range from the 5th to the 95th percentile (its top end is the "high" outlay).
CENTRAL = "p50"
BAND = ("p5", "p95")


class SummaryFormatError(ValueError):
    """A summary read back from JSON does not have the documented shape."""


class UnknownPath(LookupError):
    """A dotted path that names nothing in this summary (the message has a did-you-mean)."""

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0])


class _Record:
    """What every summary record shares: the JSON form and construction from it."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready mapping; optional blocks that are absent (None) are left out."""
        return _plain(self)

    @classmethod
    def _check(cls, data: Any, where: str) -> Mapping[str, Any]:
        """``data`` as a mapping with exactly this record's keys (optional ones may be absent)."""
        if not isinstance(data, Mapping):
            raise SummaryFormatError(f"{where or 'summary'}: expected a mapping, got {data!r:.60}")
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        missing = [
            f.name
            for f in fields(cls)  # type: ignore[arg-type]
            if f.default is MISSING and f.name not in data
        ]
        unknown = [k for k in data if k not in names]
        if unknown:  # a misspelt key is most likely one that is missing
            k = unknown[0]
            raise SummaryFormatError(f"{where}{k}: unknown key{did_you_mean(k, missing or names)}")
        if missing:
            raise SummaryFormatError(f"{where}{missing[0]}: missing")
        return data


class _Stats(_Record):
    """The statistics reports show of a band of values (see ``CENTRAL`` and ``BAND``)."""

    __slots__ = ()
    mean: float
    p5: float
    p50: float
    p90: float
    p95: float

    @property
    def central(self) -> float:
        """The median: the one central figure reports show."""
        return float(getattr(self, CENTRAL))

    @property
    def low(self) -> float:
        """Bottom of the 90 % range (5th percentile)."""
        return float(getattr(self, BAND[0]))

    @property
    def high(self) -> float:
        """Top of the 90 % range (95th percentile): the "high" outlay."""
        return float(getattr(self, BAND[1]))


@dataclass(frozen=True, slots=True)
class Band(_Stats):
    """Mean and percentiles of one quantity over the simulated worlds (money in yuan)."""

    mean: float
    p5: float
    p50: float
    p90: float
    p95: float

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Band:
        return cls(**cls._check(data, where))


@dataclass(frozen=True, slots=True)
class TargetOdds(_Stats):
    """One 2025 target: its level, the probability it is met (± Monte Carlo error) and the
    band of the indicator in 2025; ``p_supply_short`` when recognitions are simulated."""

    target: float
    p_met: float
    p_met_se: float
    mean: float
    p5: float
    p50: float
    p90: float
    p95: float
    p_supply_short: float | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> TargetOdds:
        return cls(**cls._check(data, where))


@dataclass(frozen=True, slots=True)
class Targets(_Record):
    """The seven 2025 targets of the plan, in ``engine.TARGETS`` order.

    ``targets.parks`` for a named target; ``targets[key]`` and ``items()`` for a loop over
    ``engine.TARGETS`` (a test keeps the two lists equal)."""

    parks: TargetOdds
    bases: TargetOdds
    enterprises: TargetOdds
    teams: TargetOdds
    enterprises_and_teams: TargetOdds
    products: TargetOdds
    online_retail: TargetOdds

    def __getitem__(self, key: str) -> TargetOdds:
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def items(self) -> Iterator[tuple[str, TargetOdds]]:
        return ((k, getattr(self, k)) for k in self.keys())

    @classmethod
    def from_dict(cls, data: Any, where: str = "targets.") -> Targets:
        data = cls._check(data, where)
        return cls(**{k: TargetOdds.from_dict(v, f"{where}{k}.") for k, v in data.items()})


@dataclass(frozen=True, slots=True)
class Budget(_Record):
    """Outlay in yuan: in total, by payment year, instrument and prefecture; against the
    appropriation when the scenario gives one (the three ``appropriation`` fields together)."""

    total: Band
    by_year: dict[str, Band]
    by_instrument: dict[str, Band]
    by_prefecture: dict[str, Band]
    appropriation: dict[str, float] | None = None
    appropriation_illustrative: bool | None = None
    p_over_appropriation: dict[str, float] | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str = "budget.") -> Budget:
        data = dict(cls._check(data, where))
        data["total"] = Band.from_dict(data["total"], f"{where}total.")
        for dim in ("by_year", "by_instrument", "by_prefecture"):
            data[dim] = _bands(data[dim], f"{where}{dim}.")
        return cls(**data)


@dataclass(frozen=True, slots=True)
class KindRecognitions(_Record):
    """New units of one kind (park, base, …) per plan year and P(qualified supply ran short)."""

    by_year: dict[str, Band]
    p_supply_bound: float

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> KindRecognitions:
        data = cls._check(data, where)
        return cls(_bands(data["by_year"], f"{where}by_year."), data["p_supply_bound"])


@dataclass(frozen=True, slots=True)
class Summary(_Record):
    """Everything ``sbqw simulate --format json`` prints, as documented in the README.

    ``assumptions``, ``parameter_overrides``, ``recognition_levers`` and ``conditioning`` stay
    mappings: their keys are the scenario's own (assumption names, parameter paths, the
    conditioning block of ``conditioning.info``)."""

    scenario: str
    title_zh: str
    title_en: str
    draws: int
    seed: int
    assumptions: dict[str, Any]
    parameter_overrides: dict[str, Any]
    targets: Targets
    p_all_met: float
    p_all_met_se: float
    #: None in summaries saved before it was added (left out of their JSON as then)
    p_all_met_if_independent: float | None = field(default=None, kw_only=True)
    p_recognition_met: float
    p_recognition_met_se: float
    recognition_min_p_met: float
    budget: Budget
    recognitions: dict[str, KindRecognitions]
    recognition_levers: dict[str, Any]
    conditioning: dict[str, Any]

    @property
    def effective_draws(self) -> float:
        """How many distinct worlds the figures rest on: the draws, or fewer once weighting by
        observed figures has resampled them (a world repeats); what the standard errors use."""
        return float(self.conditioning.get("effective_draws", self.draws))

    def to_json(self) -> str:
        """The one JSON form (UTF-8 text, Chinese unescaped, indented)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Summary:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Summary:
        data = dict(cls._check(data, where))
        data["targets"] = Targets.from_dict(data["targets"])
        data["budget"] = Budget.from_dict(data["budget"])
        data["recognitions"] = {
            k: KindRecognitions.from_dict(v, f"recognitions.{k}.")
            for k, v in _mapping(data["recognitions"], "recognitions").items()
        }
        return cls(**data)

    @classmethod
    def coerce(cls, summary: Summary | Mapping[str, Any]) -> Summary:
        """A summary, whether typed already or the JSON mapping of one (a report's payload)."""
        return summary if isinstance(summary, Summary) else cls.from_dict(summary)

    def get_path(self, path: str, default: Any = MISSING) -> Any:
        """The value at a dotted path (``"budget.total.p90"``, ``"targets.parks.p_met"``,
        ``"budget.by_year.2024.p95"``): how sweeps, sensitivity and the frontier name outputs.

        A path this summary does not have raises ``UnknownPath`` naming it with a did-you-mean,
        or returns ``default`` when one is given (a sweep point without an appropriation)."""
        node: Any = self
        parts = path.split(".")
        while parts:
            node, parts = _child(node, parts)
            if node is _ABSENT:
                if default is not MISSING:
                    return default
                raise UnknownPath(
                    f"unknown summary path `{path}`{did_you_mean(path, self.paths())}"
                )
        return node

    def paths(self) -> list[str]:
        """Every dotted path this summary has, numbers and blocks alike (for did-you-mean)."""
        return list(_paths(self.to_dict(), ""))


_ABSENT = object()


def _child(node: Any, parts: list[str]) -> tuple[Any, list[str]]:
    """``node``'s field or key named by the first of ``parts``, and the parts left; ``_ABSENT``
    when it has none (or the optional block is absent). Keys may hold dots (instrument
    ``award.park``): the longest key that matches wins."""
    if isinstance(node, Mapping):
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in node:
                return node[key], parts[n:]
    elif isinstance(node, _Record) and parts[0] in {f.name for f in fields(node)}:  # type: ignore[arg-type]
        value = getattr(node, parts[0])
        return (_ABSENT if value is None else value), parts[1:]
    return _ABSENT, []


def _paths(node: Any, prefix: str) -> Iterator[str]:
    for key, value in node.items():
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, Mapping):
            yield from _paths(value, f"{path}.")


def _mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SummaryFormatError(f"{where}: expected a mapping, got {data!r:.60}")
    return data


def _bands(data: Any, where: str) -> dict[str, Band]:
    return {str(k): Band.from_dict(v, f"{where}{k}.") for k, v in _mapping(data, where).items()}


def _plain(value: Any) -> Any:
    """Records → dicts (fields in order, absent optional blocks left out); copies containers."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is None and f.default is None:
                continue
            out[f.name] = _plain(item)
        return out
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
