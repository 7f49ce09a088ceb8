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
from sbqw_model.parameters import Parameters, default_parameters
from sbqw_model.rules import CATEGORIES
from sbqw_model.yamlio import read_mapping

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
            ("approval_probability", "probability", "share of applications recognized"),
            ("revocation_rate", "probability", "yearly share of recognized units revoked"),
        )
    },
    "firms.count": ("count", "expected above-scale e-commerce firms above the size floor"),
    "firms.floor_yuan": ("positive", "smallest 2022 online retail in the firm population (yuan)"),
    "firms.pareto_alpha": ("positive", "Pareto tail index of firm size (smaller = fatter tail)"),
    "firms.max_share": ("share", "largest possible firm as a share of provincial online retail"),
    "firms.growth_noise": ("spread", "firm-level deviation from provincial growth (log sd)"),
    "firms.sales_ratio": ("positive", "annual sales ÷ online retail of a firm"),
    "firms.cross_border_share": ("share", "share of firms that are cross-border e-commerce"),
    "firms.above_scale_share": ("share", "share of firms that are above-scale (上规入统)"),
    "firms.cross_border_part": (
        "share",
        "cross-border share of a cross-border firm's online retail (used under"
        " cross_border_exclusion = cross_border_part)",
    ),
}
#: Uncertainties a scenario may leave out: their documented default is used.
UNCERTAINTY_DEFAULTS: dict[str, Distribution] = {
    "firms.cross_border_part": Distribution(
        "fixed",
        {"value": 0.75},
        "assumption — a firm registered as cross-border e-commerce sells mostly abroad; no"
        " public split exists (docs/model.md, assumption cross_border_exclusion); a fixed"
        " default so a scenario that leaves it out adds no sensitivity factor",
        "share",
    ),
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
    "conditioning",
)
BEHAVIOUR_KEYS = ("growth_response_to_payout_share", "source")


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


def _read_raw(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], bytes]:
    """The file's mapping with ``extends`` resolved, and the bytes of every file involved."""
    name = str(path)
    if path.resolve() in chain:
        raise InputError([f"{name}: extends: circular chain of scenario files"])
    raw, data = read_mapping(path, "scenario")
    base_name = raw.get("extends")
    if base_name is None:
        return raw, data
    if not isinstance(base_name, str):
        raise InputError([f"{name}: extends: expected a file name, got {base_name!r}"])
    base_path = (path.parent / base_name).resolve()
    if not base_path.exists():
        raise InputError([f"{name}: extends: no such scenario file {base_name!r}"])
    base, base_bytes = _read_raw(base_path, (*chain, path.resolve()))
    child = {k: v for k, v in raw.items() if k != "extends"}
    for key in ("name", "title_zh", "title_en", "description", "description_zh"):
        base.pop(key, None)
    return _deep_merge(base, child), base_bytes + b"\0" + data


def load_scenario(path: str | Path, base_params: Parameters | None = None) -> Scenario:
    """Read, resolve ``extends`` and validate a scenario file."""
    path = Path(path)
    raw, data = _read_raw(path)
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
        if path not in flat and path in UNCERTAINTY_DEFAULTS:
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
    _check_keys(levers, ("assumptions", "parameters"), f"{source}: levers", problems)
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

    # behaviour
    behaviour = raw.get("behaviour") or {}
    response = 0.0
    if isinstance(behaviour, dict):
        _check_keys(behaviour, BEHAVIOUR_KEYS, f"{source}: behaviour", problems)
        value = behaviour.get("growth_response_to_payout_share", 0.0)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(
                f"{source}: behaviour.growth_response_to_payout_share: expected a number,"
                f" got {value!r}"
            )
        else:
            response = float(value)
    else:
        problems.append(f"{source}: behaviour: expected a mapping")

    observations = _parse_observations(raw.get("observations"), source, params, problems)
    appropriation = _parse_appropriation(raw.get("appropriation"), source, problems)
    shares, share_source = _parse_shares(raw.get("prefecture_shares"), source, problems)
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
        conditioning=conditioning,
    )


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
        if value is None or value < 0:
            problems.append(
                f"{where}.value: expected a non-negative number, got {item.get('value')!r}"
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
        if key == "source":
            continue
        where = f"{source}: appropriation.{key}"
        try:
            year = int(key)
        except (TypeError, ValueError):
            problems.append(f"{where}: expected a payment year such as 2024")
            continue
        amount = _number(value)
        if amount is None or amount < 0:
            problems.append(f"{where}: expected a non-negative amount in yuan, got {value!r}")
            continue
        out[year] = amount
    return out


def _parse_shares(raw: Any, source: str, problems: list[str]) -> tuple[np.ndarray, str]:
    uniform = np.full(len(prefectures.NAMES_ZH), 1 / len(prefectures.NAMES_ZH))
    if raw is None:
        return uniform, "assumption: equal shares (no prefecture data in shared/data)"
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
