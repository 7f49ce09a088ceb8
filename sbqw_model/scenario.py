"""Scenario files: the world's uncertainties, the policy's levers, what is already known.

A scenario is data (EMA Workbench's vocabulary: *uncertainties* are what the world does,
*levers* what policy sets). One schema, here, serves the package, the CLI and the notebooks;
every problem in a file is reported at once with the file, the key path, the value and what
was expected. A policy variant can ``extends:`` another file and change only its levers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sbqw_model import prefectures
from sbqw_model.assumptions import Assumptions
from sbqw_model.distributions import Distribution, parse_distribution
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.limits import MAX_EXTENDS, MIN_RETAIL_YUAN
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.periods import payment_years, plan_years
from sbqw_model.recognition import RecognitionLevers, default_levers, parse_levers
from sbqw_model.rules import CATEGORIES
from sbqw_model.shipped import find_scenario, is_name, known_scenarios
from sbqw_model.uncertainties import (  # noqa: F401  (re-exported: scenario.UNCERTAINTIES)
    OFF_WHEN_ABSENT,
    OPTIONAL_UNCERTAINTIES,
    UNCERTAINTIES,
    UNCERTAINTY_DEFAULTS,
)
from sbqw_model.yamlio import YAML_SUFFIXES, read_mapping

#: How observed figures condition the worlds (docs/model.md, "Observations").
CONDITIONING_METHODS = ("weight", "pin")

INDICATORS = ("online_retail", "products", *(f"recognized.{c}" for c in CATEGORIES))
#: The least an observed figure of an indicator may be (0 unless listed): online retail is a
#: province's, in yuan, so a figure below 1 亿 was typed in 亿元 or 万元.
LEAST_OBSERVED = {"online_retail": MIN_RETAIL_YUAN}
TOP_KEYS = (
    "name",
    "title_zh",
    "title_en",
    "description",
    "description_zh",
    "extends",
    "uncertainties",
    "levers",
    "behaviour",
    "observations",
    "appropriation",
    "prefecture_shares",
    "initial_stock",
    "conditioning",
)
MAX_RESPONSE = 1.0  # growth points per unit of payout share: ±100 pp is already absurd


INITIAL_STOCK_DEFAULT = (
    "assumption — no unit held these provincial titles at the end of 2022: the notice creating"
    " them is dated 2023-01-06 and its rounds run 'from 2023' (§三(二)2(1))"
)


@dataclass(frozen=True)
class Observation:
    year: int
    indicator: str
    value: float
    source: str
    #: the observations file (``--observed``) the figure came from; empty: the scenario file
    origin: str = ""


@dataclass
class Scenario:
    """A validated scenario, ready for the engine."""

    name: str
    title_zh: str
    title_en: str
    description: str
    description_zh: str
    uncertainties: dict[str, Distribution]
    assumptions: Assumptions
    params: Parameters
    parameter_overrides: dict[str, float]
    growth_response: float
    observations: list[Observation]
    appropriation: dict[int, float]
    prefecture_shares: np.ndarray
    prefecture_source: str
    path: Path | None = None
    digest: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    #: ``appropriation: {illustrative: true}``: the amounts only illustrate (reports say 示例).
    appropriation_illustrative: bool = False
    recognition: RecognitionLevers = field(default_factory=default_levers)
    #: recognized units standing at the end of 2022, per category (a named assumption)
    initial_stock: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    initial_stock_source: str = INITIAL_STOCK_DEFAULT
    #: the behavioural response as an uncertainty (drawn per world); None: ``growth_response``
    growth_response_dist: Distribution | None = None
    conditioning: str = "weight"  # how plan-year observations enter: CONDITIONING_METHODS
    #: uncertainties an observations file fixed (``observations.with_observations``): a sweep
    #: or sensitivity factor on one would silently replace the observed figure
    observed_uncertainties: tuple[str, ...] = ()
    #: the observations file (``--observed``) that fixed ``observed_uncertainties``: a report
    #: names it as their source, not the scenario file
    observations_file: str = ""
    #: its content hash (SHA-256), as ``digest`` is the scenario file's: a report's provenance
    #: tells two reports from different observations apart
    observations_digest: str = ""

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def describe(self, lang: str = "zh") -> str:
        """The story the scenario tells, in ``lang`` when the file gives it."""
        return (self.description_zh or self.description) if lang == "zh" else self.description

    def with_assumptions(self, assumptions: Assumptions) -> Scenario:
        from dataclasses import replace

        return replace(self, assumptions=assumptions)

    def with_uncertainty(self, path: str, dist: Distribution) -> Scenario:
        """A copy with one uncertainty replaced (sweeps and sensitivity use this)."""
        from dataclasses import replace

        return replace(self, uncertainties={**self.uncertainties, path: dist})

    def observed(self, indicator: str) -> dict[int, float]:
        return {o.year: o.value for o in self.observations if o.indicator == indicator}


def year_of(key: Any) -> int | None:
    """A payment year as YAML may read a key: ``2024`` or the text ``"2024"``; else None."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and re.fullmatch(r"[+-]?[0-9]+", key.strip()):
        return int(key)
    return None


#: Mappings whose keys have several spellings: a variant's ``"2024"`` or ``Guiyang`` replaces
#: the base's ``2024`` or ``贵阳市`` (one file giving both spellings is refused when validated).
SPELLINGS: dict[tuple[str, ...], Callable[[Any], Any]] = {
    ("appropriation",): year_of,
    ("prefecture_shares", "values"): prefectures.normalize,
}


def _deep_merge(
    base: dict[str, Any], child: dict[str, Any], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The child's keys over the base's; a distribution the child names (``dist:``) replaces
    the base's whole, so a ``fixed`` value never inherits the base's ``low``/``high``. A year of
    ``appropriation`` set to ``null`` drops the base's year (a variant moving the plan)."""
    out = dict(base)
    canonical = SPELLINGS.get(path)
    for key, value in child.items():
        if canonical is not None:
            if (same := canonical(key)) is not None:
                for old in [k for k in base if k not in child and canonical(k) == same]:
                    out.pop(old, None)
            out.pop(key, None)  # the child's own spelling of an equal key (2024.0) is checked
            if value is None and path == ("appropriation",):
                continue
        replaces = isinstance(value, dict) and "dist" in value
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not replaces:
            out[key] = _deep_merge(out[key], value, (*path, str(key)))
        else:
            out[key] = value
    return out


def _read_raw(
    path: Path, chain: tuple[Path, ...] = (), via: str = ""
) -> tuple[dict[str, Any], bytes]:
    """The file's mapping with ``extends`` resolved, and the bytes of every file involved.

    ``via`` ("child.yaml: extends: ") prefixes problems with the base file itself, so a refused
    base names both files. A file that is no scenario is never echoed, only named.
    """
    name = str(path)
    try:
        raw, data = read_mapping(path, "scenario")
    except InputError as exc:
        raise InputError([f"{via}{p}" for p in exc.problems]) from None
    if not any(isinstance(k, str) and k in TOP_KEYS for k in raw):
        raise InputError(
            [
                f"{via}{name} is not a scenario file (none of its keys is a scenario key such as"
                " name, extends, uncertainties or levers)"
            ]
        )
    base_name = raw.get("extends")
    if base_name is None:
        return raw, data
    here = (*chain, path.resolve())
    base_path = scenario_ref(base_name, path)
    if base_path.resolve() in here:
        names = " → ".join(p.name for p in (*here, base_path))
        raise InputError([f"{name}: extends: circular chain of scenario files ({names})"])
    if len(here) >= MAX_EXTENDS:
        raise InputError(
            [
                f"{name}: extends: the chain from {here[0].name} is longer than {MAX_EXTENDS}"
                f" files; expected at most {MAX_EXTENDS}"
            ]
        )
    base, base_bytes = _read_raw(base_path, here, f"{name}: extends: ")
    child = {k: v for k, v in raw.items() if k != "extends"}
    for key in ("name", "title_zh", "title_en", "description", "description_zh"):
        base.pop(key, None)
    return _deep_merge(base, child), base_bytes + b"\0" + data


def scenario_ref(value: Any, path: Path, key: str = "extends") -> Path:
    """``extends:`` (or a sweep's ``base:``) as a file: a path relative to the file ``path``
    that names it, or a scenario name (``baseline``: a sibling ``baseline.yaml`` first, then
    the shipped scenarios). A bare file name that is not next to the file but names a shipped
    scenario (``baseline.yaml``, as the shipped variants write it) is the shipped one, so a
    copied variant runs. The file itself is checked when it is read."""
    name = str(path)
    if not isinstance(value, str) or not value.strip():
        got = f"{value!r} (empty)" if isinstance(value, str) else type(value).__name__
        raise InputError([f"{name}: {key}: expected a scenario name or a .yaml file, got {got}"])
    if is_name(value):
        for suffix in YAML_SUFFIXES:
            if (path.parent / f"{value}{suffix}").is_file():
                return path.parent / f"{value}{suffix}"
        found = find_scenario(value)
        if found is None:
            raise InputError(
                [
                    f"{name}: {key}: no scenario named {value!r} next to the file or shipped"
                    f"{did_you_mean(value, known_scenarios())}"
                    f" (shipped: {', '.join(known_scenarios())})"
                ]
            )
        return found
    target = path.parent / Path(value).expanduser()
    if target.exists() or target.is_symlink():
        return target
    bare = Path(value).name == value
    found = find_scenario(value) if bare else None
    if found is not None:
        return found
    shipped = (
        f", and no shipped scenario named {Path(value).stem!r}"
        f"{did_you_mean(Path(value).stem, known_scenarios())}"
        f" (shipped: {', '.join(known_scenarios())})"
        if bare
        else ""
    )
    raise InputError(
        [f"{name}: {key}: no such scenario file {value!r} (relative to {path.parent}){shipped}"]
    )


def load_scenario(
    path: str | Path, base_params: Parameters | None = None, via: str = ""
) -> Scenario:
    """Read, resolve ``extends`` and validate a scenario file (``via``: who named it)."""
    path = Path(path)
    raw, data = _read_raw(path, via=via)
    scenario = parse_scenario(raw, str(path), base_params)
    scenario.path = path
    scenario.digest = hashlib.sha256(data).hexdigest()
    return scenario


def chain_digest(path: str | Path) -> str:
    """``Scenario.digest`` of the file without validating it: the hash of every file of its
    ``extends`` chain, so a change to a base counts as a change to the scenario ('' when the
    chain cannot be read)."""
    try:
        return hashlib.sha256(_read_raw(Path(path))[1]).hexdigest()
    except (InputError, OSError, ValueError):
        return ""


def _nested(raw: Any, prefix: str, out: dict[str, Any]) -> None:
    """Flatten the uncertainty tree down to the schema's paths (a dist mapping is a leaf)."""
    for key, value in raw.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and "dist" not in value and path not in UNCERTAINTIES:
            _nested(value, path, out)
        else:
            out[path] = value


def parse_scenario(
    raw: dict[str, Any], source: str, base_params: Parameters | None = None
) -> Scenario:
    """Validate a scenario mapping; raise InputError with every problem found.

    The shapes are ``schema_models``' (pydantic); each block is validated on its own so every
    problem in the file is reported at once, then the engine's objects are built from them.
    """
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    problems: list[str] = []
    top = collect(sm.ScenarioFile, raw, f"{source}: ", problems)
    uncertainties = _parse_uncertainties(raw.get("uncertainties"), source, problems)
    params, assumptions, overrides, recognition = _parse_levers(
        raw.get("levers"), source, base_params or default_parameters(), problems
    )
    response, response_dist = _parse_behaviour(raw.get("behaviour"), source, problems)
    years = (int(params.value("plan.first_year")), int(params.value("plan.target_year")))
    observations = _parse_observations(raw.get("observations"), source, years, problems)
    paid = (years[0], payment_years(params, assumptions)[-1])
    appropriation, illustrative = _parse_appropriation(
        raw.get("appropriation"), source, paid, problems
    )
    shares, share_source = _parse_shares(raw.get("prefecture_shares"), source, problems)
    initial = collect(
        sm.InitialStock | None, raw.get("initial_stock"), f"{source}: initial_stock", problems
    )
    if problems or top is None:
        raise InputError(problems)
    return Scenario(
        name=top.name,
        title_zh=top.title_zh,
        title_en=top.title_en,
        description=top.description,
        description_zh=top.description_zh,
        uncertainties=uncertainties,
        assumptions=assumptions,
        params=params,
        parameter_overrides=overrides,
        growth_response=response,
        observations=observations,
        appropriation=appropriation,
        prefecture_shares=shares,
        prefecture_source=share_source,
        raw=raw,
        appropriation_illustrative=illustrative,
        recognition=recognition,
        initial_stock={c: getattr(initial, c) for c in CATEGORIES}
        if initial
        else dict.fromkeys(CATEGORIES, 0),
        initial_stock_source=initial.source if initial else INITIAL_STOCK_DEFAULT,
        growth_response_dist=response_dist,
        conditioning=top.conditioning,
    )


def _parse_uncertainties(block: Any, source: str, problems: list[str]) -> dict[str, Distribution]:
    """Every uncertainty drawn once per world; an omitted optional one takes its default."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    if not isinstance(block, dict):
        return {}  # reported with the file's top keys
    flat: dict[str, Any] = {}
    _nested(block, "", flat)
    for path in OFF_WHEN_ABSENT:  # null: off, as if left out (a file extending one with it)
        if path in flat and flat[path] is None:
            del flat[path]
    collect(sm.uncertainty_keys(), flat, f"{source}: uncertainties.", problems)
    uncertainties: dict[str, Distribution] = {}
    for path, (domain, _) in UNCERTAINTIES.items():
        if path in flat:
            where = f"{source}: uncertainties.{path}"
            dist = parse_distribution(flat[path], where, domain, problems)
            if dist is not None:
                uncertainties[path] = dist
        elif path in UNCERTAINTY_DEFAULTS:  # documented default
            uncertainties[path] = UNCERTAINTY_DEFAULTS[path]
        # else OFF_WHEN_ABSENT: left out of the scenario, and so out of every world's draws
    return uncertainties


def _parse_levers(
    levers: Any, source: str, params: Parameters, problems: list[str]
) -> tuple[Parameters, Assumptions, dict[str, float], RecognitionLevers]:
    """What the department decides: assumptions, rule amounts (a reform) and recognition."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    assumptions = Assumptions()
    overrides: dict[str, float] = {}
    collect(sm.Levers | None, levers, f"{source}: levers", problems)
    levers = levers if isinstance(levers, dict) else {}  # each part checked on its own below
    if isinstance(assume := levers.get("assumptions"), dict):
        try:
            assumptions = Assumptions().updated(assume, f"{source}: levers.assumptions")
        except InputError as exc:
            problems.extend(exc.problems)
    if isinstance(reform := levers.get("parameters"), dict):
        try:
            params = params.with_overrides(reform, f"{source}: levers.parameters.")
            overrides = {str(k): float(v) for k, v in reform.items()}
        except InputError as exc:
            problems.extend(exc.problems)
    recognition = parse_levers(
        levers.get("recognition"),
        f"{source}: levers.recognition",
        len(plan_years(params)),
        problems,
    )
    return params, assumptions, overrides, recognition


def _parse_behaviour(
    behaviour: Any, source: str, problems: list[str]
) -> tuple[float, Distribution | None]:
    """The growth response to the payout share: a number, or an uncertainty drawn per world."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    found = collect(sm.Behaviour | None, behaviour, f"{source}: behaviour", problems)
    value = found.growth_response_to_payout_share if found else 0.0
    if isinstance(value, dict):
        where = f"{source}: behaviour.growth_response_to_payout_share"
        dist = parse_distribution(value, where, "rate", problems)
        return (dist.mean if dist else 0.0), dist
    return value, None


def _parse_observations(
    raw: Any, source: str, years: tuple[int, int], problems: list[str]
) -> list[Observation]:
    """Observed figures in the plan years, each (year, indicator) at most once."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    where = f"{source}: observations"
    items = collect(sm.Observations | None, raw, where, problems, {"years": years}) or []
    out = []
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(items):
        if (item.year, item.indicator) in seen:
            problems.append(f"{where}[{i}]: {item.indicator} in {item.year} is observed twice")
        seen.add((item.year, item.indicator))
        out.append(Observation(item.year, item.indicator, item.value, item.source))
    return out


def _parse_appropriation(
    raw: Any, source: str, years: tuple[int, int], problems: list[str]
) -> tuple[dict[int, float], bool]:
    """Payment year → yuan; ``illustrative: true`` when the amounts are an example, not a budget.

    ``years``: the plan's first year and its last payment year, the years money can be paid
    (an appropriation for 1900 showed a row for 1900). A word that is no year is an unknown
    key (``ilustrative``), said once, not as a bad year and a bad amount."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    where = f"{source}: appropriation"
    context = {"years": years}
    if not isinstance(raw, dict):
        return collect(sm.Appropriation | None, raw, where, problems, context) or {}, False
    named = ("source", "illustrative")
    amounts = {}
    for key, value in raw.items():
        if isinstance(key, str) and key not in named and year_of(key) is None:
            problems.append(
                f"{where}.{key}: unknown key{did_you_mean(key, named)} (expected a payment"
                " year such as 2024, source or illustrative)"
            )
        elif key not in named:
            amounts[key] = value
    illustrative = collect(
        sm.Flag, raw.get("illustrative", False), f"{where}.illustrative", problems
    )
    found = collect(sm.Appropriation, amounts, where, problems, context)
    return found or {}, bool(illustrative)


def _parse_shares(raw: Any, source: str, problems: list[str]) -> tuple[np.ndarray, str]:
    """Each prefecture's share of the province (equal shares when the file gives none)."""
    from sbqw_model import schema_models as sm
    from sbqw_model.schema import collect

    uniform = np.full(len(prefectures.NAMES_ZH), 1 / len(prefectures.NAMES_ZH))
    if raw is None:
        return uniform, "assumption: equal shares (no prefecture data in sbqw_model/data)"
    where = f"{source}: prefecture_shares"
    found = collect(sm.PrefectureShares, raw, where, problems)
    if found is None:
        return uniform, ""
    shares = np.zeros(len(prefectures.NAMES_ZH))
    for zh, share in found.values.items():
        shares[prefectures.NAMES_ZH.index(zh)] = share
    if abs(shares.sum() - 1) > 1e-6:
        problems.append(f"{where}.values: shares sum to {shares.sum():.6g}, expected 1")
    return shares, found.source
