"""Distributions an uncertainty may take, validated and sampled the same way everywhere.

A distribution is plain data (``{dist: triangular, low: …, mode: …, high: …}``); this module
checks it against the quantity's domain (a probability must stay in [0, 1]) and draws from it
with an explicit generator, so seeds stay in the caller's hands (as in SALib).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sbqw_model.limits import MAX_COUNT, MAX_SPREAD, MAX_YUAN, MIN_RETAIL_YUAN

#: dist name → its required parameters, in order.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}

#: Domains: name → (lowest, highest, readable). Every domain is bounded: a level of 0 makes
#: growth 0/0 and a noise of 1e300 overflows, so both are refused when the file is read.
DOMAINS: dict[str, tuple[float, float, str]] = {
    "level": (1.0, MAX_YUAN, f"a positive amount from 1 to {MAX_YUAN:.0e} yuan"),
    # a province's yearly online retail: below 1 亿 it was typed in 亿元 or 万元 (limits)
    "retail": (
        MIN_RETAIL_YUAN,
        MAX_YUAN,
        f"a province's yearly online retail from {MIN_RETAIL_YUAN:.0e} to {MAX_YUAN:.0e} yuan",
    ),
    "count": (0.0, MAX_COUNT, f"a count from 0 to {MAX_COUNT:.0e}"),
    "probability": (0.0, 1.0, "a probability between 0 and 1"),
    "share": (0.0, 1.0, "a share between 0 and 1"),
    "rate": (-0.99, 10.0, "a growth rate from -0.99 to 10"),
    "spread": (0.0, MAX_SPREAD, f"a spread (sd) from 0 to {MAX_SPREAD:g}"),
    "positive": (1e-9, 1e6, "a positive number up to 1e6"),  # not a rule amount
}
#: Domains whose values are amounts in yuan (reports show them in 亿元 / 万元).
MONEY_DOMAINS = ("level", "retail")
MAX_SIGMA = 5.0  # a lognormal's log-sd: exp(5 × 6 sd) still fits a float


@dataclass(frozen=True)
class Distribution:
    dist: str
    params: dict[str, float]
    source: str
    domain: str

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        p = self.params
        if self.dist == "fixed":
            # consume nothing: a fixed value is not a draw
            return np.full(size, p["value"], dtype=float)
        if self.dist == "uniform":
            out = rng.uniform(p["low"], p["high"], size)
        elif self.dist == "triangular":
            if p["low"] == p["high"]:
                return np.full(size, p["low"], dtype=float)
            out = rng.triangular(p["low"], p["mode"], p["high"], size)
        elif self.dist == "normal":
            out = rng.normal(p["mean"], p["sd"], size)
        else:  # lognormal
            out = p["median"] * np.exp(rng.normal(0.0, p["sigma"], size))
        low, high, _ = DOMAINS[self.domain]
        return np.clip(out, low, high)

    @property
    def mean(self) -> float:
        """Mean of the distribution (before clipping), for summaries and documentation."""
        p = self.params
        return {
            "fixed": lambda: p["value"],
            "uniform": lambda: (p["low"] + p["high"]) / 2,
            "triangular": lambda: (p["low"] + p["mode"] + p["high"]) / 3,
            "normal": lambda: p["mean"],
            "lognormal": lambda: p["median"] * math.exp(p["sigma"] ** 2 / 2),
        }[self.dist]()

    @property
    def bounds(self) -> tuple[float, float]:
        """A plausible range (for sampling-based sensitivity): support, or mean ± 2 sd."""
        p = self.params
        if self.dist == "fixed":
            return p["value"], p["value"]
        if self.dist in ("uniform", "triangular"):
            return p["low"], p["high"]
        if self.dist == "normal":
            return p["mean"] - 2 * p["sd"], p["mean"] + 2 * p["sd"]
        return p["median"] * math.exp(-2 * p["sigma"]), p["median"] * math.exp(2 * p["sigma"])

    def describe(self) -> str:
        inner = ", ".join(f"{k}={_num(v)}" for k, v in self.params.items())
        return f"{self.dist}({inner})"


def _as_text(value: Any) -> str:
    """A hint when YAML read a number as text (YAML 1.1 wants ``1.0e+6``, not ``1e6``)."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return " (YAML reads this as text: write it with a dot and a sign, e.g. 1.0e+6)"


def _num(value: float) -> str:
    return f"{value:.6g}"


def parse_distribution(
    raw: Any, where: str, domain: str, problems: list[str]
) -> Distribution | None:
    """Validate ``raw`` against the dist's parameters and the domain; append problems."""
    from sbqw_model import schema_models
    from sbqw_model.errors import did_you_mean
    from sbqw_model.schema import collect

    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = {"dist": "fixed", "value": raw}
    if not isinstance(raw, dict):
        problems.append(
            f"{where}: expected a distribution such as {{dist: uniform, low: …, high: …}},"
            f" got {raw!r}"
        )
        return None
    name = raw.get("dist")
    if not isinstance(name, str) or name not in DISTRIBUTIONS:  # a list is no key: TypeError
        problems.append(
            f"{where}.dist: unknown distribution {name!r}{did_you_mean(name, DISTRIBUTIONS)}"
            f" (valid: {', '.join(DISTRIBUTIONS)})"
        )
        return None
    model = schema_models.DISTRIBUTION_MODELS[name]
    found = collect(model, raw, where, problems, {"domain": domain})
    if found is None:
        return None
    params = {key: getattr(found, key) for key in DISTRIBUTIONS[name]}
    return Distribution(name, params, found.source, domain)
