"""Do two policy variants differ in what they achieve, or only in what they pay?

Variants run with one seed share their worlds (common random numbers), so the comparison is
paired world by world: a difference in the odds of a target is "beyond Monte Carlo noise" when
it exceeds ``z`` standard errors of the paired difference. Without shared worlds (different
seeds or draws) the two runs are compared as independent samples. Reports use the sentence
this module writes when the variants change what is paid but not what is achieved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sbqw_model.engine import TARGETS, Results
from sbqw_model.summary import effective_draws

if TYPE_CHECKING:
    from sbqw_model.summary_types import Summary

#: Standard errors a difference must exceed to count (about a 99.7 % two-sided band at 3).
Z = 3.0


@dataclass(frozen=True)
class TargetDifference:
    target: str
    p_a: float
    p_b: float
    se: float  # standard error of p_b − p_a (paired when the worlds are shared)
    differs: bool

    @property
    def diff(self) -> float:
        return self.p_b - self.p_a


@dataclass(frozen=True)
class OutcomeComparison:
    """Per target, the change in P(met) from variant a to b and whether it is beyond noise."""

    paired: bool
    targets: dict[str, TargetDifference]

    @property
    def differ(self) -> bool:
        return any(d.differs for d in self.targets.values())

    def moved(self) -> dict[str, float]:
        """The targets whose odds changed beyond Monte Carlo noise, with the change (b − a)."""
        return {t: d.diff for t, d in self.targets.items() if d.differs}

    def sentence(self, lang: str = "zh") -> str:
        """One sentence for a report: what the variants change."""
        return variants_sentence({"": self.moved()} if self.differ else {}, lang)


def variants_sentence(moved: dict[str, dict[str, float]], lang: str) -> str:
    """What the variants change, in words: which targets' odds each raises and lowers beyond
    noise, and by how many points, or only cost.

    ``moved`` maps a variant's title ('' for "the variants") to the targets it moves and the
    change in their odds; empty when none moves any.
    """
    from sbqw_model.catalogue import label

    if not moved:  # what the model cannot show, said with it
        return label("report.variants_cost_only", lang) + label("report.cost_only_why", lang)
    parts = []
    for title, changes in moved.items():
        clauses = [
            _direction(
                key, {t: d for t, d in changes.items() if (d > 0) == (key == "raises")}, lang
            )
            for key in ("raises", "lowers")
        ]
        who = title or label("report.the_variants", lang)
        said = label("report.clause_and", lang).join(c for c in clauses if c)
        parts.append(label("report.variant_moves", lang).format(title=who, changes=said))
    text = label("report.beyond_noise", lang).format(
        parts=label("report.semicolon", lang).join(parts)
    )
    return text if lang == "zh" else text[0].upper() + text[1:]


def _direction(key: str, changes: dict[str, float], lang: str) -> str:
    """'提高了A、B的达成概率（8至35个百分点）' / 'raises the odds of all seven targets (by 8 to
    35 points)'; empty for no targets."""
    from sbqw_model.catalogue import label

    if not changes:
        return ""
    if len(changes) == len(TARGETS):
        names = label("report.all_targets_named", lang)
    else:
        names = label("report.enum", lang).join(label(f"target.{t}", lang) for t in changes)
        names = names if lang == "zh" else names.lower()
    points = sorted(round(abs(d) * 100) for d in changes.values())
    lo, hi = max(points[0], 1), points[-1]
    kind = "points_small" if hi == 0 else "points" if lo >= hi else "points_range"
    size = label(f"report.{kind}", lang).format(lo=lo, hi=hi)
    return label(f"report.{key}", lang).format(names=names, size=size)


def _shared_worlds(a: Results, b: Results) -> bool:
    """Row i is the same world in both runs: one seed and number of draws, and neither run's
    rows resampled by observed figures (a weighted run's row i is some other drawn world, so
    pairing it with the other run's row i understated the error: a 6-point change on 163
    effective draws was called beyond noise)."""
    if a.seed != b.seed or a.draws != b.draws:
        return False
    ra, rb = a.resampled_from, b.resampled_from
    if ra is None or rb is None:
        return ra is None and rb is None
    return bool(np.array_equal(ra, rb))


def compare_outcomes(a: Results, b: Results, z: float = Z) -> OutcomeComparison:
    """The change in each target's odds from ``a`` to ``b``, with its Monte Carlo error."""
    met_a, met_b = a.met(), b.met()
    paired = _shared_worlds(a, b)
    out = {}
    for t in TARGETS:
        x, y = met_a[t].astype(float), met_b[t].astype(float)
        pa, pb = float(x.mean()), float(y.mean())
        if paired:
            d = y - x
            se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else 0.0
            differs = bool(np.any(d != 0)) and abs(pb - pa) > z * se
        else:  # over each run's effective draws: resampled worlds repeat
            se = math.sqrt(pa * (1 - pa) / effective_draws(a) + pb * (1 - pb) / effective_draws(b))
            differs = abs(pb - pa) > z * se and pa != pb
        out[t] = TargetDifference(t, pa, pb, se, differs)
    return OutcomeComparison(paired, out)


def compare_summaries(a: Summary, b: Summary, z: float = Z) -> OutcomeComparison:
    """As ``compare_outcomes`` from two runs' summaries alone (no per-world results kept).

    Run with one seed, a variant that does not move a target gives exactly the same odds, so
    an exact tie is "no change"; any other difference counts only beyond ``z`` standard errors
    of independent samples (conservative: the paired error would be smaller).
    """
    out = {}
    for t in TARGETS:
        pa, pb = a.targets[t].p_met, b.targets[t].p_met
        se = math.hypot(a.targets[t].p_met_se, b.targets[t].p_met_se)
        out[t] = TargetDifference(t, pa, pb, se, pa != pb and abs(pb - pa) > z * se)
    return OutcomeComparison(False, out)


def outcomes_differ(results_a: Results, results_b: Results, z: float = Z) -> bool:
    """Whether two variants differ in any target's odds beyond Monte Carlo noise."""
    return compare_outcomes(results_a, results_b, z).differ
