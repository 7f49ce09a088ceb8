"""Scenario files: the world's uncertainties, the policy's levers, what is already known.

A scenario is data (EMA Workbench's vocabulary: *uncertainties* are what the world does,
*levers* what policy sets). One schema, here, serves the package, the CLI and the notebooks;
every problem in a file is reported at once with the file, the key path, the value and what
was expected. A policy variant can ``extends:`` another file and change only its levers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sbqw_model import prefectures
from sbqw_model.assumptions import Assumptions
from sbqw_model.distributions import Distribution, parse_distribution
from sbqw_model.errors import InputError, did_you_mean
from sbqw_model.limits import MAX_EXTENDS, MAX_YUAN
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.periods import plan_years
from sbqw_model.recognition import RecognitionLevers, default_levers, parse_levers
from sbqw_model.rules import CATEGORIES
from sbqw_model.shipped import find_scenario, is_name, known_scenarios
from sbqw_model.unit_sales import SALES_CATEGORIES
from sbqw_model.yamlio import YAML_SUFFIXES, read_mapping

#: Every uncertainty: dotted path → (domain, what it is). Each is drawn once per simulated world.
UNCERTAINTIES: dict[str, tuple[str, str]] = {
    "online_retail.level_2022": ("level", "Guizhou online retail in 2022 (yuan)"),
    "online_retail.growth": ("rate", "mean annual growth of online retail 2023–2025"),
    "online_retail.growth_noise": ("spread", "year-to-year deviation of growth (sd)"),
    "products.level_2022": ("count", "best-selling online products in 2022"),
    "products.growth": ("rate", "mean annual growth of best-selling products"),
    "products.growth_noise": ("spread", "year-to-year deviation of product growth (sd)"),
    **{
        f"recognition.{c}.{k}": (domain, f"{c}: {text}")
        for c in CATEGORIES
        for k, domain, text in (
            ("applications", "count", "expected applications a year, province-wide"),
            ("approval_probability", "probability", "share of applications that qualify"),
            ("revocation_rate", "probability", "yearly share of recognized units revoked"),
        )
    },
    "firms.count": ("count", "expected above-scale e-commerce firms above the size floor"),
    "firms.floor_yuan": ("level", "smallest 2022 online retail in the firm population (yuan)"),
    "firms.pareto_alpha": ("positive", "Pareto tail index of firm size (smaller = fatter tail)"),
    "firms.max_share": ("share", "largest possible firm as a share of provincial online retail"),
    "firms.growth_noise": ("spread", "firm-level deviation from provincial growth (log sd)"),
    "firms.sales_ratio": ("positive", "annual sales ÷ online retail of a firm"),
    "firms.cross_border_share": ("share", "share of firms that are cross-border e-commerce"),
    "firms.above_scale_share": ("share", "share of firms that are above-scale (上规入统)"),
    **{
        f"unit_sales.{c}.{k}": (domain, f"{c}: {text}")
        for c in SALES_CATEGORIES
        for k, domain, text in (
            ("median", "level", "median annual sales of a recognized unit in 2022 terms (yuan)"),
            ("sigma", "spread", "log sd of annual sales across recognized units"),
        )
    },
    "climate.online_retail": ("spread", "growth of online retail per sd of the climate"),
    "climate.products": ("spread", "growth of qualifying products per sd of the climate"),
    "climate.supply": ("spread", "log change of qualified applicants per sd of the climate"),
    "firms.cross_border_part": (
        "share",
        "cross-border share of a cross-border firm's online retail (used under"
        " cross_border_exclusion = cross_border_part)",
    ),
}

#: Uncertainties a scenario may leave out, with the value used then (and why).
OPTIONAL_UNCERTAINTIES: dict[str, tuple[float, str]] = {
    "climate.online_retail": (0.0, "default: no common e-commerce climate"),
    "climate.products": (0.0, "default: no common e-commerce climate"),
    "climate.supply": (0.0, "default: no common e-commerce climate"),
    "unit_sales.park.median": (4.0e8, "default: as the baseline scenario (docs/model.md)"),
    "unit_sales.park.sigma": (1.0, "default: as the baseline scenario (docs/model.md)"),
    "unit_sales.base.median": (6.0e7, "default: as the baseline scenario (docs/model.md)"),
    "unit_sales.base.sigma": (1.2, "default: as the baseline scenario (docs/model.md)"),
    "firms.cross_border_part": (
        0.75,
        "assumption — a firm registered as cross-border e-commerce sells mostly abroad; no"
        " public split exists (docs/model.md, assumption cross_border_exclusion); a fixed"
        " default so a scenario that leaves it out adds no sensitivity factor",
    ),
}
#: The same as distributions: what parsing uses for an uncertainty a scenario leaves out.
UNCERTAINTY_DEFAULTS: dict[str, Distribution] = {
    path: Distribution("fixed", {"value": value}, why, UNCERTAINTIES[path][0])
    for path, (value, why) in OPTIONAL_UNCERTAINTIES.items()
}
#: How observed figures condition the worlds (docs/model.md, "Observations").
CONDITIONING_METHODS = ("weight", "pin")

INDICATORS = ("online_retail", "products", *(f"recognized.{c}" for c in CATEGORIES))
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
BEHAVIOUR_KEYS = ("growth_response_to_payout_share", "source")
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


def _deep_merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
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
    the shipped scenarios). The file itself is checked when it is read."""
    name = str(path)
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            [f"{name}: {key}: expected a scenario name or a .yaml file, got {type(value).__name__}"]
        )
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
    if not target.exists() and not target.is_symlink():
        raise InputError(
            [f"{name}: {key}: no such scenario file {value!r} (relative to {path.parent})"]
        )
    return target


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


def _check_keys(
    node: dict[str, Any], allowed: tuple[str, ...] | list[str], where: str, problems: list[str]
) -> None:
    for key in node:
        if key not in allowed:
            problems.append(
                f"{where}.{key}: unknown key{did_you_mean(str(key), allowed)}"
                f" (expected one of: {', '.join(allowed)})"
            )


def _text(
    raw: dict[str, Any], key: str, where: str, problems: list[str], required: bool = True
) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: {key}: missing (expected text)")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: {key}: expected text, got {value!r}")
        return ""
    return value


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
    """Validate a scenario mapping; raise InputError with every problem found."""
    problems: list[str] = []
    _check_keys(raw, TOP_KEYS, source, problems)
    name = _text(raw, "name", source, problems)
    title_zh = _text(raw, "title_zh", source, problems)
    title_en = _text(raw, "title_en", source, problems)
    description = _text(raw, "description", source, problems, required=False)
    description_zh = _text(raw, "description_zh", source, problems, required=False)

    # uncertainties
    uncertainties: dict[str, Distribution] = {}
    block = raw.get("uncertainties")
    if not isinstance(block, dict):
        problems.append(f"{source}: uncertainties: missing or not a mapping")
        block = {}
    flat: dict[str, Any] = {}
    _nested(block, "", flat)
    for path, value in flat.items():
        where = f"{source}: uncertainties.{path}"
        if path not in UNCERTAINTIES:
            problems.append(f"{where}: unknown uncertainty{did_you_mean(path, UNCERTAINTIES)}")
            continue
        dist = parse_distribution(value, where, UNCERTAINTIES[path][0], problems)
        if dist is not None:
            uncertainties[path] = dist
    for path in UNCERTAINTIES:
        if path not in flat and path in UNCERTAINTY_DEFAULTS:  # documented default
            uncertainties[path] = UNCERTAINTY_DEFAULTS[path]
        elif path not in flat:
            problems.append(f"{source}: uncertainties.{path}: missing ({UNCERTAINTIES[path][1]})")

    # levers
    params = base_params or default_parameters()
    assumptions = Assumptions()
    overrides: dict[str, float] = {}
    levers = raw.get("levers") or {}
    if not isinstance(levers, dict):
        problems.append(f"{source}: levers: expected a mapping")
        levers = {}
    _check_keys(levers, ("assumptions", "parameters", "recognition"), f"{source}: levers", problems)
    assume_raw = levers.get("assumptions") or {}
    if isinstance(assume_raw, dict):
        try:
            assumptions = Assumptions().updated(assume_raw, f"{source}: levers.assumptions")
        except InputError as exc:
            problems.extend(exc.problems)
    else:
        problems.append(f"{source}: levers.assumptions: expected a mapping of assumption: value")
    over_raw = levers.get("parameters") or {}
    if isinstance(over_raw, dict):
        try:
            params = params.with_overrides(over_raw, f"{source}: levers.parameters")
            overrides = {str(k): float(v) for k, v in over_raw.items()}
        except InputError as exc:
            problems.extend(exc.problems)
    else:
        problems.append(f"{source}: levers.parameters: expected a mapping of path: value")

    recognition = parse_levers(
        levers.get("recognition"),
        f"{source}: levers.recognition",
        len(plan_years(params)),
        problems,
    )

    # behaviour
    behaviour = raw.get("behaviour") or {}
    response = 0.0
    response_dist = None
    if isinstance(behaviour, dict):
        _check_keys(behaviour, BEHAVIOUR_KEYS, f"{source}: behaviour", problems)
        value = behaviour.get("growth_response_to_payout_share", 0.0)
        if isinstance(value, dict):  # an uncertainty: drawn once per world
            response_dist = parse_distribution(
                value, f"{source}: behaviour.growth_response_to_payout_share", "rate", problems
            )
            response = response_dist.mean if response_dist else 0.0
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) > MAX_RESPONSE
        ):
            problems.append(
                f"{source}: behaviour.growth_response_to_payout_share: expected a number"
                f" from -{MAX_RESPONSE:g} to {MAX_RESPONSE:g}, got {value!r}"
            )
        else:
            response = float(value)
    else:
        problems.append(f"{source}: behaviour: expected a mapping")

    observations = _parse_observations(raw.get("observations"), source, params, problems)
    appropriation = _parse_appropriation(raw.get("appropriation"), source, problems)
    illustrative = _illustrative(raw.get("appropriation"), source, problems)
    shares, share_source = _parse_shares(raw.get("prefecture_shares"), source, problems)
    initial, initial_source = _parse_initial_stock(raw.get("initial_stock"), source, problems)
    conditioning = raw.get("conditioning", "weight")
    if conditioning not in CONDITIONING_METHODS:
        problems.append(
            f"{source}: conditioning: expected one of {', '.join(CONDITIONING_METHODS)},"
            f" got {conditioning!r}"
        )

    if problems:
        raise InputError(problems)
    return Scenario(
        name=name,
        title_zh=title_zh,
        title_en=title_en,
        description=description,
        description_zh=description_zh,
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
        initial_stock=initial,
        initial_stock_source=initial_source,
        growth_response_dist=response_dist,
        conditioning=conditioning,
    )


def _parse_initial_stock(raw: Any, source: str, problems: list[str]) -> tuple[dict[str, int], str]:
    """``initial_stock: {park: 0, …, source: …}``: units recognized before 2023 (default 0)."""
    out = dict.fromkeys(CATEGORIES, 0)
    if raw is None:
        return out, INITIAL_STOCK_DEFAULT
    where = f"{source}: initial_stock"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected {{park: n, base: n, enterprise: n, team: n, source}}")
        return out, ""
    _check_keys(raw, (*CATEGORIES, "source"), where, problems)
    for c in CATEGORIES:
        value = raw.get(c, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{where}.{c}: expected a whole number ≥ 0, got {value!r}")
        else:
            out[c] = value
    return out, str(raw.get("source", ""))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _parse_observations(
    raw: Any, source: str, params: Parameters, problems: list[str]
) -> list[Observation]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            f"{source}: observations: expected a list of {{year, indicator, value, source}}"
        )
        return []
    first, last = int(params.value("plan.first_year")), int(params.value("plan.target_year"))
    out = []
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(raw):
        where = f"{source}: observations[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping {{year, indicator, value, source}}")
            continue
        _check_keys(item, ("year", "indicator", "value", "source"), where, problems)
        year = item.get("year")
        indicator = item.get("indicator")
        value = _number(item.get("value"))
        ok = True
        if not isinstance(year, int) or isinstance(year, bool) or not first <= year <= last:
            problems.append(f"{where}.year: expected a plan year {first}–{last}, got {year!r}")
            ok = False
        if indicator not in INDICATORS:
            problems.append(
                f"{where}.indicator: unknown indicator {indicator!r}"
                f"{did_you_mean(str(indicator), INDICATORS)} (valid: {', '.join(INDICATORS)})"
            )
            ok = False
        lowest = 1.0 if indicator == "online_retail" else 0.0  # growth divides by it
        if value is None or not lowest <= value <= MAX_YUAN:
            problems.append(
                f"{where}.value: expected a number from {lowest:g} to {MAX_YUAN:.0e},"
                f" got {item.get('value')!r}"
            )
            ok = False
        if ok and (year, indicator) in seen:
            problems.append(f"{where}: {indicator} in {year} is observed twice")
            ok = False
        if ok:
            seen.add((year, indicator))
            out.append(Observation(year, indicator, value, str(item.get("source", ""))))
    return out


def _parse_appropriation(raw: Any, source: str, problems: list[str]) -> dict[int, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{source}: appropriation: expected a mapping of payment year: yuan")
        return {}
    out = {}
    for key, value in raw.items():
        if key in ("source", "illustrative"):
            continue
        where = f"{source}: appropriation.{key}"
        try:
            year = int(key)
        except (TypeError, ValueError):
            problems.append(f"{where}: expected a payment year such as 2024")
            continue
        amount = _number(value)
        if amount is None or not 0 <= amount <= MAX_YUAN:
            problems.append(
                f"{where}: expected an amount from 0 to {MAX_YUAN:.0e} yuan, got {value!r}"
            )
            continue
        out[year] = amount
    return out


def _illustrative(raw: Any, source: str, problems: list[str]) -> bool:
    """``appropriation.illustrative``: true when the amounts are an example, not a budget."""
    if not isinstance(raw, dict) or "illustrative" not in raw:
        return False
    value = raw["illustrative"]
    if not isinstance(value, bool):
        problems.append(
            f"{source}: appropriation.illustrative: expected true or false, got {value!r}"
        )
        return False
    return value


def _parse_shares(raw: Any, source: str, problems: list[str]) -> tuple[np.ndarray, str]:
    uniform = np.full(len(prefectures.NAMES_ZH), 1 / len(prefectures.NAMES_ZH))
    if raw is None:
        return uniform, "assumption: equal shares (no prefecture data in sbqw_model/data)"
    where = f"{source}: prefecture_shares"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected {{values: {{prefecture: share}}, source: …}}")
        return uniform, ""
    _check_keys(raw, ("values", "source"), where, problems)
    values = raw.get("values")
    if not isinstance(values, dict):
        problems.append(f"{where}.values: expected a mapping of prefecture: share")
        return uniform, ""
    shares = np.zeros(len(prefectures.NAMES_ZH))
    ok = True
    for key, value in values.items():
        zh = prefectures.normalize(str(key))
        share = _number(value)
        if zh is None:
            problems.append(
                f"{where}.values.{key}: unknown prefecture (valid: {prefectures.valid_names()})"
            )
            ok = False
        elif share is None or not 0 <= share <= 1:
            problems.append(
                f"{where}.values.{key}: got {value!r}, expected a share between 0 and 1"
            )
            ok = False
        else:
            shares[prefectures.NAMES_ZH.index(zh)] = share
    if ok and abs(shares.sum() - 1) > 1e-6:
        problems.append(f"{where}.values: shares sum to {shares.sum():.6g}, expected 1")
    return shares, str(raw.get("source", ""))
