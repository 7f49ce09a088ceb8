"""The plan's parameters: one YAML file, every number with its clause, unit and labels.

Modelled on OpenFisca's parameter tree: code reads ``params.value("traffic.cap")`` and never
types an amount into a formula. A reform is data — ``{path: value}`` — validated in full
before anything changes, and returns a new object so the baseline stays beside it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sbqw_model.errors import InputError, Problems, did_you_mean
from sbqw_model.limits import MAX_COUNT, MAX_YUAN, PLAN_YEARS

MAX_YEAR = PLAN_YEARS[1]  # a typo guard for years, not a rule

UNITS = ("yuan", "count", "rate", "year")
REQUIRED_FIELDS = ("value", "unit", "clause", "label_zh", "label_en", "period")

#: The paths the rules read. The file must hold exactly these leaves: a missing one would make
#: a rule silently wrong, an unknown one is almost always a typo.
EXPECTED_PATHS = (
    "plan.first_year",
    "plan.target_year",
    "targets.parks",
    "targets.bases",
    "targets.enterprises_and_teams",
    "targets.enterprises",
    "targets.teams",
    "targets.products",
    "targets.online_retail",
    "awards.park",
    "awards.base",
    "awards.enterprise",
    "awards.team",
    "sales_awards.tier1.threshold",
    "sales_awards.tier1.amount",
    "sales_awards.tier2.threshold",
    "sales_awards.tier2.amount",
    "traffic.threshold",
    "traffic.rate",
    "traffic.cap",
)

DEFAULT_FILE = "plan.yaml"


@dataclass(frozen=True)
class Leaf:
    """One number of the plan with everything needed to cite it."""

    path: str
    value: float
    unit: str
    clause: str
    label_zh: str
    label_en: str
    period: tuple[int, int]
    note: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


class Parameters:
    """An immutable, validated set of plan parameters, addressed by dotted path."""

    def __init__(self, leaves: Mapping[str, Leaf], source: str):
        self._leaves = dict(leaves)
        self.source = source

    def value(self, path: str) -> float:
        return self.leaf(path).value

    def leaf(self, path: str) -> Leaf:
        try:
            return self._leaves[path]
        except KeyError:
            raise KeyError(
                f"unknown parameter `{path}`{did_you_mean(path, self._leaves)}"
            ) from None

    def paths(self) -> list[str]:
        return list(self._leaves)

    def leaves(self) -> list[Leaf]:
        return list(self._leaves.values())

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "overrides") -> Parameters:
        """A reformed copy; every override is checked before any is applied (all or nothing).

        ``source`` names where the overrides come from; ending in ``.`` (``s.yaml:
        levers.parameters.``) it is a key path the parameter's path continues."""
        problems = Problems()
        new = dict(self._leaves)
        for path, raw in overrides.items():
            where = _at(source, path)
            if path not in self._leaves:
                problems.add(f"{where}: unknown parameter path{did_you_mean(path, self._leaves)}")
                continue
            leaf = self._leaves[path]
            value = _check_value(raw, leaf.unit, where, problems)
            if value is not None:
                new[path] = replace(leaf, value=value)
        problems.raise_if_any()
        _check_consistency(new, source, problems, changed=overrides)
        problems.raise_if_any()
        return Parameters(new, f"{self.source} + {source.rstrip('.')}")

    def differences(self, other: Parameters) -> dict[str, tuple[float, float]]:
        """Paths whose value differs from ``other``: {path: (other value, this value)}."""
        return {
            p: (other.value(p), leaf.value)
            for p, leaf in self._leaves.items()
            if other.value(p) != leaf.value
        }

    def sales_scale(self) -> tuple[list[float], list[float]]:
        """The sales-milestone scale as (thresholds, amounts), thresholds ascending."""
        tiers = sorted({p.split(".")[1] for p in self._leaves if p.startswith("sales_awards.")})
        pairs = [
            (self.value(f"sales_awards.{t}.threshold"), self.value(f"sales_awards.{t}.amount"))
            for t in tiers
        ]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Parameters) and self._leaves == other._leaves

    def __hash__(self) -> int:
        return hash(tuple(sorted((p, leaf.value) for p, leaf in self._leaves.items())))


def _check_value(raw: Any, unit: str, where: str, problems: Problems) -> float | None:
    value, problem = check_value(raw, unit)
    if problem:
        problems.add(f"{where}: {problem}")
    return value


def _at(source: str, path: str) -> str:
    """``source`` continued by a parameter's path: ``s.yaml: levers.parameters.traffic.cap``
    when ``source`` ends in a key path and a dot, else ``p.yaml: traffic.cap``."""
    return f"{source}{path}" if source.endswith(".") else f"{source}: {path}"


def check_value(raw: Any, unit: str) -> tuple[float | None, str]:
    """A rule amount checked against its unit: (value, "") or (None, what was expected)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        from sbqw_model.yamlio import text_number_hint

        hint = text_number_hint(raw, whole=unit in ("count", "year"))
        return None, f"expected a number, got {raw!r}{hint}"
    value = float(raw)
    if not math.isfinite(value):
        return None, f"expected a finite number, got {raw!r}"
    if value < 0:
        return None, f"expected a non-negative amount, got {raw!r}"
    if unit == "rate" and value > 1:
        return None, f"expected a rate between 0 and 1, got {raw!r}"
    if unit == "year" and not PLAN_YEARS[0] <= value <= PLAN_YEARS[1]:
        return None, f"expected a year from {PLAN_YEARS[0]} to {PLAN_YEARS[1]}, got {raw!r}"
    ceiling = {"yuan": MAX_YUAN, "count": MAX_COUNT, "year": MAX_YEAR}.get(unit)
    if ceiling is not None and value > ceiling:
        return None, f"got {raw!r}, expected at most {ceiling:g} ({unit})"
    if unit in ("count", "year") and value != int(value):
        return None, f"expected a whole number ({unit}), got {raw!r}"
    return value, ""


def parse_period(raw: Any) -> tuple[int, int] | None:
    """``'2023'`` or ``'2023-2025'`` as (first, last) years; None if it is neither."""
    parts = str(raw).strip().split("-")
    try:
        years = [int(p) for p in parts]
    except ValueError:
        years = []
    if len(years) == 1:
        years = years * 2
    if len(years) != 2 or years[0] > years[1]:
        return None
    return years[0], years[1]


def _check_consistency(
    leaves: Mapping[str, Leaf], source: str, problems: Problems, changed: Collection[str] = ()
) -> None:
    """Cross-leaf rules: the plan has at least one year (an empty period left the engine no
    year to index) and the sales scale rises with its thresholds, from above 0. ``changed``:
    the overrides, so a reform's problem names the leaf it set."""
    first, target = leaves["plan.first_year"].value, leaves["plan.target_year"].value
    if first > target:
        only_first = "plan.first_year" in changed and "plan.target_year" not in changed
        blamed = "plan.first_year" if only_first else "plan.target_year"
        problems.add(
            f"{_at(source, blamed)}: expected plan.first_year ≤ plan.target_year (a plan of at"
            f" least one year, within {PLAN_YEARS[0]}–{PLAN_YEARS[1]}), got first year"
            f" {first:.0f} and target year {target:.0f}"
        )
    tiers = sorted({p.split(".")[1] for p in leaves if p.startswith("sales_awards.")})
    thresholds = [leaves[f"sales_awards.{t}.threshold"].value for t in tiers]
    for tier, threshold in zip(tiers, thresholds, strict=True):
        if threshold <= 0:  # the rules read a year without sales as 0: it would reach the tier
            problems.add(
                f"{_at(source, f'sales_awards.{tier}.threshold')}: expected a threshold above 0"
                " (at 0 a unit with no sales, a park before its recognition, reaches the tier),"
                f" got {threshold:g}"
            )
    if any(b <= a for a, b in itertools.pairwise(thresholds)):
        problems.add(
            f"{_at(source, 'sales_awards')}: tier thresholds must increase from tier1 upward,"
            f" got {thresholds}"
        )


def _flatten(node: Any, prefix: str, out: dict[str, Any], where: str, problems: Problems) -> None:
    """The tree's leaves by dotted path (a leaf is the mapping that holds ``value``)."""
    if not isinstance(node, dict):
        problems.add(f"{where}: {prefix or '<top>'}: expected a mapping, got {node!r}")
        return
    if "value" in node:
        out[prefix] = node
        return
    for key, child in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        _flatten(child, path, out, where, problems)


def parse_parameters(data: Any, source: str) -> Parameters:
    """Validate a parsed parameter tree; raise InputError listing every problem.

    Each leaf's shape is ``schema_models.ParameterLeaf`` (pydantic); the set of paths is
    ``EXPECTED_PATHS`` (an unknown one is a typo, a missing one a silently wrong rule).
    """
    from sbqw_model.schema import collect
    from sbqw_model.schema_models import parameter_tree

    problems = Problems()
    raw_leaves: dict[str, Any] = {}
    _flatten(data, "", raw_leaves, source, problems)
    tree = collect(parameter_tree(tuple(EXPECTED_PATHS)), raw_leaves, f"{source}: ", problems.items)
    if tree is not None:
        leaves = {
            f.alias: Leaf(path=f.alias, **dict(getattr(tree, name)))
            for name, f in type(tree).model_fields.items()
            if f.alias
        }
        _check_consistency(leaves, source, problems)
    problems.raise_if_any()
    return Parameters(leaves, source)


def load_parameters(path: str | Path | None = None) -> Parameters:
    """Load and validate a parameter file (the shipped plan when ``path`` is None)."""
    if path is None:
        ref = resources.files(__name__).joinpath(DEFAULT_FILE)
        text = ref.read_text(encoding="utf-8")
        source = f"sbqw_model/parameters/{DEFAULT_FILE}"
    else:
        from sbqw_model.yamlio import read_yaml_bytes

        source = str(path)
        from sbqw_model.yamlio import decode_yaml

        text = decode_yaml(read_yaml_bytes(Path(path), "parameter"), source)
    from sbqw_model.yamlio import safe_load

    data = safe_load(text, source)
    roots = {p.split(".")[0] for p in EXPECTED_PATHS}
    if not isinstance(data, dict) or not any(k in roots for k in data):
        # never echo a file that is not ours (a scenario, a password file): only name it
        raise InputError(
            [f"{source} is not a parameter file (expected the keys {', '.join(sorted(roots))})"]
        )
    return parse_parameters(data, source)


_DEFAULT: Parameters | None = None


def default_parameters() -> Parameters:
    """The shipped plan, parsed once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_parameters()
    return _DEFAULT
