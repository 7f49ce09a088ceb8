"""Factors: what a sweep or a sensitivity run varies, and how a point becomes a scenario.

One description serves sampling and analysis, as SALib's ``problem`` does (names, bounds). A
factor names an *input* of a scenario (``ScenarioInput``) by a dotted path:

- ``assumptions.<name>``        a lever from ``assumptions.SPECS`` (a number, or categories);
- ``parameters.<path>``         a rule amount from the parameter file (a reform, as in levers);
- ``uncertainties.<path>``      an uncertainty fixed at the point's value (its draw removed);
- ``uncertainties.<path>.<p>``  one parameter of that uncertainty's distribution (e.g. ``mean``);
- ``behaviour.growth_response_to_payout_share``  how growth responds to the payout share;
- ``levers.recognition.buffer`` / ``.strategy``  the recognition lever for the four categories,
  ``levers.recognition.<kind>.buffer`` / ``.strategy`` for one (``park`` … ``team``, ``product``).

Applying a point consumes no randomness and every uncertainty has its own random stream
(``worlds.stream``), so all points of a sweep share their underlying draws (common random
numbers): differences between points are the factors' doing, not noise.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sbqw_model import recognition as rec
from sbqw_model.assumptions import SPECS, Assumptions, coerce
from sbqw_model.distributions import DOMAINS, Distribution, parse_distribution
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.parameters import Parameters
from sbqw_model.scenario import MAX_RESPONSE, UNCERTAINTIES, Scenario

BEHAVIOUR = "behaviour.growth_response_to_payout_share"
ROOTS = ("assumptions", "parameters", "uncertainties", "behaviour", "levers")
LEVER_KINDS = ("assumption", "parameter", "recognition")
RECOGNITION = "levers.recognition."
RECOGNITION_FIELDS = ("buffer", "strategy")
#: Settings of the whole recognition block, not of a category (``levers.recognition.<name>``).
RECOGNITION_SWITCHES = ("share_unfilled",)
POINT_SOURCE = "fixed by a sweep point"
#: Kinds of factor that replace an uncertainty's distribution (fix it, or set one parameter).
RESHAPING = ("uncertainty", "distribution")


@dataclass(frozen=True)
class ScenarioInput:
    """Where in a scenario a factor acts: a lever, a rule amount, an uncertainty (or one
    parameter of its distribution), the behavioural response. Not a 2025 target: "target"
    means only the plan's goals (docs/architecture.md, glossary)."""

    path: str
    kind: str  # assumption | parameter | recognition | uncertainty | distribution | behaviour
    key: str  # assumption name, parameter path or uncertainty path
    param: str = ""  # distribution parameter (kind "distribution")
    choices: tuple[Any, ...] | None = None  # categorical levers
    whole: bool = False  # parameters counted in whole numbers

    @property
    def is_lever(self) -> bool:
        return self.kind in LEVER_KINDS

    @property
    def categorical(self) -> bool:
        return self.choices is not None

    @property
    def moves_worlds(self) -> bool:
        """Whether the drawn worlds depend on it (levers only re-cost the same worlds)."""
        if self.kind == "parameter":  # targets pace the recognition rounds; tiers pick units
            return self.key.startswith(("plan.", "targets.", "sales_awards."))
        if self.kind == "assumption":  # the rounds pace toward the targets as they count
            return self.key == "revoked_count_toward_targets"
        return True


def known_paths(base: Scenario) -> list[str]:
    """Every factor path valid for ``base`` (for did-you-mean hints)."""
    return [
        *(f"assumptions.{n}" for n in SPECS),
        *(f"parameters.{p}" for p in base.params.paths()),
        *(f"uncertainties.{u}" for u in UNCERTAINTIES),
        *(f"uncertainties.{u}.{p}" for u, d in base.uncertainties.items() for p in d.params),
        BEHAVIOUR,
        *(f"{RECOGNITION}{f}" for f in (*RECOGNITION_FIELDS, *RECOGNITION_SWITCHES)),
        *(f"{RECOGNITION}{k}.{f}" for k in rec.KINDS for f in RECOGNITION_FIELDS),
    ]


def resolve(path: str, base: Scenario) -> ScenarioInput:
    """The scenario input a factor path names; ValueError with a hint when it names nothing."""
    root, _, rest = str(path).partition(".")
    if root == "assumptions" and rest in SPECS:
        spec = SPECS[rest]
        return ScenarioInput(path, "assumption", rest, choices=spec.choices)
    if root == "parameters" and rest in base.params.paths():
        whole = base.params.leaf(rest).unit in ("count", "year")
        return ScenarioInput(path, "parameter", rest, whole=whole)
    if root == "uncertainties":
        if rest in UNCERTAINTIES:
            return ScenarioInput(path, "uncertainty", rest)
        head, _, param = rest.rpartition(".")
        dist = base.uncertainties.get(head)
        if dist is not None and param in dist.params:
            return ScenarioInput(path, "distribution", head, param=param)
        if dist is not None:
            raise ValueError(
                f"{dist.dist} distribution of {head} has no parameter `{param}`"
                f" (it has: {', '.join(dist.params)})"
            )
    if path == BEHAVIOUR:
        return ScenarioInput(path, "behaviour", "growth_response_to_payout_share")
    if str(path).startswith(RECOGNITION):
        key = str(path).removeprefix(RECOGNITION)
        if key in RECOGNITION_SWITCHES:
            return ScenarioInput(path, "recognition", key, choices=(False, True))
        kind, _, name = key.rpartition(".")
        if name in RECOGNITION_FIELDS and (not kind or kind in rec.KINDS):
            choices = rec.STRATEGIES if name == "strategy" else None
            return ScenarioInput(path, "recognition", key, choices=choices)
    if root not in ROOTS or (root == "levers" and not str(path).startswith(RECOGNITION)):
        raise ValueError(
            f"unknown factor path{did_you_mean(str(path), known_paths(base))}; a factor starts"
            " with assumptions., parameters., uncertainties., behaviour. or levers.recognition."
        )
    noun = {
        "assumptions": "assumption",
        "parameters": "parameter path",
        "uncertainties": "uncertainty",
        "levers": "recognition lever",
    }.get(root, "behaviour key")
    raise ValueError(f"unknown {noun}{did_you_mean(str(path), known_paths(base))}")


def check_value(input_: ScenarioInput, raw: Any, base: Scenario) -> tuple[Any, str | None]:
    """The value typed for the input, or a problem text (what was expected)."""
    if input_.kind == "assumption":
        spec = SPECS[input_.key]
        value = coerce(spec, raw)
        if value is None:
            return None, f"got {raw!r}, expected {spec.describe_expected()}"
        return value, None
    if input_.kind == "recognition":
        return _check_recognition(input_, raw, base)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return None, f"expected a number, got {raw!r}"
    value = float(raw)
    if input_.kind == "parameter":
        try:
            base.params.with_overrides({input_.key: value}, "@")
        except InputError as exc:
            return None, exc.problems[0].removeprefix(f"@: {input_.key}: ")
        return value, None
    if input_.kind == "uncertainty":
        domain = UNCERTAINTIES[input_.key][0]
        low, high, readable = DOMAINS[domain]
        if not low <= value <= high:
            return None, f"got {value:g}, expected {readable}"
        return value, None
    if input_.kind == "distribution":
        dist = base.uncertainties[input_.key]
        problems: list[str] = []
        raw_dist = {"dist": dist.dist, **dist.params, input_.param: value}
        parse_distribution(raw_dist, "@", dist.domain, problems)
        if problems:
            return None, problems[0].split(": ", 1)[-1]
        return value, None
    if abs(value) > MAX_RESPONSE:  # behaviour
        return None, f"got {value:g}, expected a number from -{MAX_RESPONSE:g} to {MAX_RESPONSE:g}"
    return value, None


def _check_recognition(input_: ScenarioInput, raw: Any, base: Scenario) -> tuple[Any, str | None]:
    """A strategy name (fixed only where the scenario gives quotas) or a buffer ≥ 0."""
    if input_.key in RECOGNITION_SWITCHES:
        if not isinstance(raw, bool):
            return None, f"got {raw!r}, expected true or false"
        return raw, None
    if input_.choices is not None:
        if raw not in input_.choices:
            return None, f"got {raw!r}, expected one of: {', '.join(input_.choices)}"
        kind = input_.key.rpartition(".")[0]
        kinds = (kind,) if kind else rec.CATEGORIES
        missing = [k for k in kinds if raw == "fixed" and not base.recognition.rule(k).quotas]
        if missing:
            return None, f"strategy fixed needs quotas in the scenario for {', '.join(missing)}"
        return raw, None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return None, f"expected a number ≥ 0, got {raw!r}"
    if raw < 0:
        return None, f"got {raw:g}, expected a buffer ≥ 0"
    return float(raw), None


@dataclass(frozen=True)
class Factor:
    """A scenario input with what it takes: ``values`` (grids) or a range ``low``–``high``
    (samples)."""

    input: ScenarioInput
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None

    @property
    def name(self) -> str:
        return self.input.path

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Map [0, 1] to the range; whole-number parameters are rounded."""
        assert self.low is not None and self.high is not None
        out = self.low + unit * (self.high - self.low)
        return np.round(out) if self.input.whole else out


@dataclass(frozen=True)
class Problem:
    """Factors in order; ``salib()`` is the dict SALib's samplers and analyzers take."""

    factors: tuple[Factor, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    @property
    def inputs(self) -> tuple[ScenarioInput, ...]:
        return tuple(f.input for f in self.factors)

    def salib(self) -> dict[str, Any]:
        return {
            "num_vars": len(self.factors),
            "names": self.names,
            "bounds": [[f.low, f.high] for f in self.factors],
        }

    def rows(self, sample: np.ndarray) -> list[tuple[Any, ...]]:
        """Points from a SALib sample in bounds (whole-number parameters rounded)."""
        out = np.array(sample, dtype=float, copy=True)
        for j, f in enumerate(self.factors):
            if f.input.whole:
                out[:, j] = np.round(out[:, j])
        return [tuple(float(v) for v in row) for row in out]


def apply(base: Scenario, inputs: Sequence[ScenarioInput], values: Sequence[Any]) -> Scenario:
    """The scenario at one point (levers set, uncertainties fixed or reshaped).

    Its checked parts are ``point_assumptions``, ``point_parameters`` (in that order: the first
    to refuse raises) and ``point_distribution``, each reading only its own factors, so that
    ``invalid_points`` can check each part once per distinct combination of its values."""
    response = base.growth_response
    response_dist = base.growth_response_dist
    recognition = base.recognition
    touched: dict[str, None] = {}  # uncertainties fixed or reshaped, in factor order
    for input_, value in zip(inputs, values, strict=True):
        if input_.kind == "recognition":
            recognition = recognition.with_value(input_.key, value)
        elif input_.kind in RESHAPING:
            touched[input_.key] = None
        elif input_.kind not in ("assumption", "parameter"):  # behaviour
            response, response_dist = float(value), None
    uncertainties = dict(base.uncertainties)
    for key in touched:
        uncertainties[key] = point_distribution(base, key, inputs, values)
    assumptions = point_assumptions(base, inputs, values)
    params, overrides = point_parameters(base, inputs, values)
    return replace(
        base,
        assumptions=assumptions,
        params=params,
        parameter_overrides={**base.parameter_overrides, **overrides},
        uncertainties=uncertainties,
        growth_response=response,
        growth_response_dist=response_dist,
        recognition=recognition,
    )


def point_assumptions(
    base: Scenario, inputs: Sequence[ScenarioInput], values: Sequence[Any]
) -> Assumptions:
    """The assumptions at a point (only its assumption factors are read); InputError: a value
    an assumption does not take."""
    assume = {t.key: v for t, v in zip(inputs, values, strict=True) if t.kind == "assumption"}
    return base.assumptions.updated(assume, "point") if assume else base.assumptions


def point_parameters(
    base: Scenario, inputs: Sequence[ScenarioInput], values: Sequence[Any]
) -> tuple[Parameters, dict[str, float]]:
    """The rule amounts at a point and its overrides (only its parameter factors are read);
    InputError: a reform the plan refuses (a value, or leaves that disagree)."""
    overrides = {
        t.key: float(v) for t, v in zip(inputs, values, strict=True) if t.kind == "parameter"
    }
    return (base.params.with_overrides(overrides, "point") if overrides else base.params), overrides


def point_distribution(
    base: Scenario, key: str, inputs: Sequence[ScenarioInput], values: Sequence[Any]
) -> Distribution:
    """Uncertainty ``key`` at a point: its factors (only those are read), in order, fix it or set
    one parameter of its distribution."""
    dist = base.uncertainties.get(key)
    for input_, value in zip(inputs, values, strict=True):
        if input_.key != key or input_.kind not in RESHAPING:
            continue
        if input_.kind == "uncertainty":
            domain = UNCERTAINTIES[key][0]
            dist = Distribution("fixed", {"value": float(value)}, POINT_SOURCE, domain)
        else:
            d = dist if dist is not None else base.uncertainties[key]
            dist = Distribution(
                d.dist, {**d.params, input_.param: float(value)}, d.source, d.domain
            )
    assert dist is not None  # only keys with a factor are asked for
    return dist


def check_point(
    base: Scenario, inputs: Sequence[ScenarioInput], values: Sequence[Any]
) -> list[str]:
    """Problems of a combination whose values are fine one by one (e.g. low above high)."""
    try:
        scenario = apply(base, inputs, values)
    except InputError as exc:
        return _unprefixed(exc)
    problems: list[str] = []
    for key in reshaped(inputs):
        problems.extend(distribution_problems(key, scenario.uncertainties[key]))
    return problems


def reshaped(inputs: Sequence[ScenarioInput]) -> list[str]:
    """The uncertainties whose distribution ``check_point`` parses, once each, in the design's
    order (a set's order changed with the hash seed, and so did the messages')."""
    return list(dict.fromkeys(t.key for t in inputs if t.kind == "distribution"))


def distribution_problems(key: str, dist: Distribution) -> list[str]:
    """Why uncertainty ``key``'s distribution at a point is no valid distribution (or nothing)."""
    problems: list[str] = []
    parse_distribution(
        {"dist": dist.dist, **dist.params}, f"uncertainties.{key}", dist.domain, problems
    )
    return problems


def _unprefixed(exc: InputError) -> list[str]:
    return [p.removeprefix("point: ") for p in exc.problems]


def invalid_points(
    base: Scenario, inputs: Sequence[ScenarioInput], rows: Sequence[Sequence[Any]]
) -> Iterator[tuple[int, list[str]]]:
    """``check_point`` of every row, yielded (row index, its problems) for the rows with any, in
    row order; each part of the check runs once per distinct combination of the values it reads.

    ``check_point`` is, by ``apply``: the assumptions' problems, else the parameters', else each
    reshaped uncertainty's (``reshaped`` order). Each part reads only its own factors (every
    factor fixing or reshaping that uncertainty: a later one replaces an earlier one's work);
    other factors (recognition levers, the behavioural response, uncertainties only fixed) are
    never refused by it. Values are told apart as the checks would (``value_classes``).
    """
    parts: list[tuple[bool, tuple[int, ...], Callable[[Sequence[Any]], list[str]]]] = []

    def raised(stage: Callable[..., Any]) -> Callable[[Sequence[Any]], list[str]]:
        def check(values: Sequence[Any]) -> list[str]:
            try:
                stage(base, inputs, values)
            except InputError as exc:
                return _unprefixed(exc)
            return []

        return check

    for kind, stage in (("assumption", point_assumptions), ("parameter", point_parameters)):
        columns = tuple(j for j, t in enumerate(inputs) if t.kind == kind)
        if columns:
            parts.append((True, columns, raised(stage)))
    for key in reshaped(inputs):
        columns = tuple(j for j, t in enumerate(inputs) if t.key == key and t.kind in RESHAPING)
        parts.append((False, columns, _distribution_check(base, key, inputs)))
    verdicts: list[tuple[bool, np.ndarray, list[list[str]]]] = []
    bad = np.zeros(len(rows), dtype=bool)
    for raises, columns, check in parts:
        classes, firsts = value_classes(rows, columns)
        found = [check(rows[i]) for i in firsts]
        bad |= np.array([bool(f) for f in found], dtype=bool)[classes]
        verdicts.append((raises, classes, found))
    for i in np.flatnonzero(bad).tolist():
        problems: list[str] = []
        for raises, classes, found in verdicts:
            part = found[classes[i]]
            if raises and part:  # apply stopped here: nothing after it was checked
                problems = list(part)
                break
            if not raises:
                problems.extend(part)
        yield i, problems


def _distribution_check(
    base: Scenario, key: str, inputs: Sequence[ScenarioInput]
) -> Callable[[Sequence[Any]], list[str]]:
    return lambda values: distribution_problems(key, point_distribution(base, key, inputs, values))


def value_classes(
    rows: Sequence[Sequence[Any]], columns: Sequence[int]
) -> tuple[np.ndarray, list[int]]:
    """Each row's class (0…k-1) by its values in ``columns``, and each class's first row.

    Rows of one class hold values no check can tell apart: of one type and equal, and a float's
    bits too (-0.0 is not 0.0: ``:g`` shows "-0"); values of other types (a NumPy integer, a
    list) only the same object. Never 1, 1.0 and True together."""
    classes = np.zeros(len(rows), dtype=np.int64)
    for j in columns:
        codes, count = _column_codes([row[j] for row in rows])
        if count > 1:  # classes × count < rows² fits in 64 bits
            pairs = classes * count + codes
            classes = np.unique(pairs, return_inverse=True)[1].reshape(-1).astype(np.int64)
    firsts = np.unique(classes, return_index=True)[1]
    return classes, firsts.tolist()


def _column_codes(column: list[Any]) -> tuple[np.ndarray, int]:
    """One column's values as codes (0…count-1), equal for values no check can tell apart."""
    kinds = set(map(type, column))
    if len(kinds) == 1 and kinds <= {float, np.float64}:  # bits: -0.0 is not 0.0
        bits = np.array(column, dtype=np.float64).view(np.int64)
        unique, codes = np.unique(bits, return_inverse=True)
        return codes.reshape(-1), len(unique)
    if len(kinds) == 1 and kinds <= {str, int, bool, type(None)}:
        table: dict[Any, int] = {}
        keyed = [table.setdefault(v, len(table)) for v in column]
    else:
        table = {}
        keyed = [table.setdefault(_same(v), len(table)) for v in column]
    return np.array(keyed, dtype=np.int64), len(table)


def _same(value: Any) -> tuple[Any, ...]:
    """A value's key when a column mixes types: its type and value (a float's by its bits),
    else the object itself (rows hold every value while classes are made: ids stay apart)."""
    kind = type(value)
    if kind in (float, np.float64):
        return (kind, struct.pack("<d", value))
    if kind in (str, int, bool, type(None)):
        return (kind, value)
    return (kind, id(value))


def world_key(inputs: Sequence[ScenarioInput], values: Sequence[Any], scenario: Scenario) -> tuple:
    """Values that decide the drawn worlds: points with equal keys share them exactly."""
    key = [v for t, v in zip(inputs, values, strict=True) if t.moves_worlds]
    if scenario.growth_response or scenario.growth_response_dist is not None:
        key.append(scenario.assumptions.payout_share)  # behaviour shifts growth with payout
    return tuple(key)
