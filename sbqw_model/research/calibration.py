"""Is the forecast honest? Percentiles of real figures, and the same check on synthetic truths.

The procedure (docs/model.md, "Calibration") keeps the real 2023–2025 figures out of every choice
of the model and looks at where each one falls in the forecast made before it was known:

- *ex ante*: in the scenario's forecast with no figure known (``sbqw backtest --mode prior``);
- *one step ahead*: in the forecast conditioned on the figures of earlier years, by the same
  weighting as ``simulate`` (``sbqw backtest --mode sequential``).

An honest forecast puts real figures at percentiles spread evenly over 0–100 (over many figures);
piled at the ends, the forecast is too narrow, piled in the middle, too wide. A handful of
figures only hints; this module also runs the procedure on *synthetic truths* (worlds of the
scenario drawn with another seed, observed without error), where the answer is known: their
percentiles must be uniform, which checks the machinery (weighting and resampling included)
rather than the scenario.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sbqw_model.conditioning import resample_indices
from sbqw_model.research.backtest import forecast, percentile_of
from sbqw_model.scenario import Observation, Scenario

SOURCE = "synthetic truth"


def synthetic_truths(
    scenario: Scenario, seed: int, count: int, indicators: tuple[str, ...] = ("online_retail",)
) -> list[list[Observation]]:
    """``count`` worlds of the scenario (seed ``seed``) as lists of plan-year observations."""
    paths = forecast(replace(scenario, observations=[]), count, seed)
    first = int(scenario.params.value("plan.first_year"))
    years = sorted({y for y, _ in paths if y >= first})
    return [
        [
            Observation(y, ind, float(paths[(y, ind)][k]), SOURCE)
            for y in years
            for ind in indicators
        ]
        for k in range(count)
    ]


def percentiles(
    scenario: Scenario,
    truths: list[list[Observation]],
    draws: int,
    seed: int,
    mode: str = "sequential",
) -> np.ndarray:
    """(truths, figures) percentile of every figure: ex ante (``prior``) or one step ahead.

    The forecast worlds are drawn once; each truth only reweights them (as ``backtest`` does
    for each horizon), so many truths cost little.
    """
    paths = forecast(replace(scenario, observations=[]), draws, seed)
    out = np.empty((len(truths), len(truths[0]) if truths else 0))
    for i, truth in enumerate(truths):
        for j, o in enumerate(truth):
            sample = paths[(o.year, o.indicator)]
            known = [e for e in truth if e.year < o.year]
            if mode == "sequential" and known:
                idx, _ = resample_indices(known, paths, seed)
                sample = sample[idx]
            out[i, j] = percentile_of(sample, o.value)
    return out
